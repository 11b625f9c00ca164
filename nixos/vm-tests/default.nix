# The NixOS VM tests. `tests.<name>` is each test (a `nixosTest`, with
# `.driverInteractive`); the value itself is all of them joined, so that
# `nix build .#vm-tests` runs every test and
# `nix build .#vm-tests.tests.new-pool-never-scanned` runs one.
{
  pkgs,
  nixosModule,
}: let
  # Alphabetical.
  test_sources = {
    empty-zfs = ./empty-zfs.nix;
    empty-zfs-auth = ./empty-zfs-auth.nix;
    max-bind-retries = ./max-bind-retries.nix;
    new-pool-never-scanned = ./new-pool-never-scanned.nix;
  };

  tests = builtins.mapAttrs (_: source: import source {inherit pkgs nixosModule;}) test_sources;
in
  pkgs.linkFarm "zpool-status-exporter-vm-tests" (pkgs.lib.mapAttrsToList (name: path: {inherit name path;}) tests)
  // {inherit tests;}
