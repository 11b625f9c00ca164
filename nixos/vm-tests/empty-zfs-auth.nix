# Basic auth on /metrics with a keys file of two users; / stays public.
{
  pkgs,
  nixosModule,
}: let
  # Only because this is a test: a real keys file must never be in the Nix
  # store, where every local user can read it (the module warns about this).
  keysFile = pkgs.writeText "zpool-status-exporter-keys" ''
    # user:password
    alice:correct-horse
    bob:battery-staple
  '';
in
  pkgs.testers.nixosTest {
    name = "zpool-status-exporter-empty-zfs-auth";

    nodes.machine = {
      imports = [nixosModule];
      boot.supportedFilesystems = ["zfs"];
      networking.hostId = "5eed0002";
      environment.systemPackages = [pkgs.curl];
      services.zpool-status-exporter = {
        enable = true;
        listen_address = "127.0.0.1:1234";
        basic_auth_keys_file = "${keysFile}";
      };
    };

    testScript = ''
      machine.wait_for_unit("zpool-status-exporter.service")
      url = "http://127.0.0.1:1234/metrics"

      # Without credentials (401) and with wrong ones (403) curl --fail fails.
      machine.fail(f"curl --fail --silent {url}")
      machine.fail(f"curl --fail --silent --user alice:wrong {url}")
      machine.fail(f"curl --fail --silent --user bob:correct-horse {url}")
      machine.fail(f"curl --fail --silent --user mallory:battery-staple {url}")

      # Each right pair gets the metrics.
      machine.succeed(f"curl --fail --silent --show-error --user alice:correct-horse {url} | grep -F '# no pools reported'")
      machine.succeed(f"curl --fail --silent --show-error --user bob:battery-staple {url} | grep -F '# no pools reported'")

      # The landing page needs no credentials.
      machine.succeed("curl --fail --silent --show-error http://127.0.0.1:1234/ | grep -F 'zpool-status-exporter'")
    '';
  }
