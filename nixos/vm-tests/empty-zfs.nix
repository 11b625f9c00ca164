# ZFS without any pool: /metrics says so, and the landing page is served.
{
  pkgs,
  nixosModule,
}:
pkgs.testers.nixosTest {
  name = "zpool-status-exporter-empty-zfs";

  nodes.machine = {
    imports = [nixosModule];
    boot.supportedFilesystems = ["zfs"];
    networking.hostId = "5eed0001";
    environment.systemPackages = [pkgs.curl];
    services.zpool-status-exporter = {
      enable = true;
      listen_address = "127.0.0.1:1234";
    };
  };

  testScript = ''
    machine.wait_for_unit("zpool-status-exporter.service")

    # No pool exists: the exporter still answers 200, with a comment only.
    machine.succeed("curl --fail --silent --show-error http://127.0.0.1:1234/metrics | grep -F '# no pools reported'")

    # The landing page names the exporter.
    machine.succeed("curl --fail --silent --show-error http://127.0.0.1:1234/ | grep -F 'zpool-status-exporter'")
  '';
}
