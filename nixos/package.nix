# The exporter, built from this repository's Cargo.lock.
{
  lib,
  rustPlatform,
}: let
  cargoToml = lib.importTOML ../Cargo.toml;
in
  rustPlatform.buildRustPackage {
    pname = cargoToml.package.name;
    inherit (cargoToml.package) version;

    # Only the files `cargo build` and `cargo test` read, so that editing
    # nixos/, the README or CI scripts does not rebuild the package.
    src = lib.fileset.toSource {
      root = ../.;
      fileset = lib.fileset.unions [
        ../Cargo.toml
        ../Cargo.lock
        ../src
        ../tests
        ../fixtures
      ];
    };

    cargoLock.lockFile = ../Cargo.lock;

    # The check phase runs `cargo test` (doCheck is on by default). Some tests
    # run tests/fake_zpool.sh through `#!/bin/sh`: the Nix build sandbox on
    # Linux provides /bin/sh (its default `sandbox-paths`), so they work there
    # as they do on a developer's machine. The end-to-end tests listen on
    # 127.0.0.1, which the sandbox also has.
    doCheck = true;

    meta = {
      description = cargoToml.package.description;
      license = with lib.licenses; [mit asl20];
      mainProgram = "zpool-status-exporter";
      platforms = lib.platforms.linux;
    };
  }
