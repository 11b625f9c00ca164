# max_bind_retries reaches the unit's command line, and the service runs.
{
  pkgs,
  nixosModule,
}:
pkgs.testers.nixosTest {
  name = "zpool-status-exporter-max-bind-retries";

  nodes.machine = {
    imports = [nixosModule];
    boot.supportedFilesystems = ["zfs"];
    networking.hostId = "5eed0003";
    environment.systemPackages = [pkgs.curl];
    services.zpool-status-exporter = {
      enable = true;
      listen_address = "127.0.0.1:1234";
      max_bind_retries = 10;
    };
  };

  testScript = ''
    machine.wait_for_unit("zpool-status-exporter.service")

    # The flag is on the command line systemd runs.
    machine.succeed("systemctl show --property=ExecStart zpool-status-exporter.service | grep -F -- '--max-bind-retries 10'")

    # And the service is up and serving.
    machine.succeed("systemctl is-active zpool-status-exporter.service")
    machine.succeed("curl --fail --silent --show-error http://127.0.0.1:1234/metrics | grep -F '# no pools reported'")
  '';
}
