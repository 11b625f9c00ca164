# A freshly created pool has never been scrubbed: the exporter reports
# scan state NeverScanned (40) and the "never" scan age (876000 hours).
{
  pkgs,
  nixosModule,
}:
pkgs.testers.nixosTest {
  name = "zpool-status-exporter-new-pool-never-scanned";

  nodes.machine = {
    imports = [nixosModule];
    boot.supportedFilesystems = ["zfs"];
    networking.hostId = "abcd1234";
    environment.systemPackages = [pkgs.curl];
    services.zpool-status-exporter = {
      enable = true;
      listen_address = "127.0.0.1:1234";
    };
  };

  testScript = ''
    # Phase 1: boot. The exporter starts with ZFS loaded and no pool yet.
    machine.wait_for_unit("default.target")
    machine.wait_for_unit("zpool-status-exporter.service")

    # Phase 2: two 64 MB file-backed disks (64 MiB is ZFS' smallest vdev)
    # and a mirror pool on them.
    machine.succeed("dd if=/dev/zero of=/tmp/disk1.img bs=1M count=64")
    machine.succeed("dd if=/dev/zero of=/tmp/disk2.img bs=1M count=64")
    machine.succeed("zpool create newpool mirror /tmp/disk1.img /tmp/disk2.img")

    # Phase 3: preconditions. The pool is healthy and `zpool status` prints
    # no `scan:` line at all, the case this test is about.
    machine.succeed("zpool status newpool | grep 'state: ONLINE'")
    machine.fail("zpool status newpool | grep 'scan:'")

    # Phase 4: the metrics. wait_until_succeeds retries each check until it
    # passes (or times out), so the test does not race the exporter, which
    # runs `zpool status` anew on each scrape, against the new pool.
    machine.wait_until_succeeds(
        "curl --fail --silent --show-error http://127.0.0.1:1234/metrics"
        + " | grep -F 'zpool_scan_state{pool=\"newpool\"} 40'"
    )
    machine.wait_until_succeeds(
        "curl --fail --silent --show-error http://127.0.0.1:1234/metrics"
        + " | grep -F 'zpool_scan_age{pool=\"newpool\"} 876000'"
    )
    machine.wait_until_succeeds(
        "curl --fail --silent --show-error http://127.0.0.1:1234/metrics"
        + " | grep -F 'NeverScanned = 40'"
    )

    # No cleanup: the VM and its disks are thrown away after the test.
  '';
}
