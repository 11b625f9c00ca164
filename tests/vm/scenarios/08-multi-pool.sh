# several pools at once (raidz1, raidz2, single vdev whose path contains spaces): every pool and device has samples;
# then the exporter's user cannot open /dev/zfs: every pool's state still comes from kstat
load_zfs
r1=$(vdev r1) r2=$(vdev r2) r3=$(vdev r3)
z1=$(vdev z1) z2=$(vdev z2) z3=$(vdev z3) z4=$(vdev z4)
sp=$(vdev "disk with space" 64)
zpool create tank raidz1 "$r1" "$r2" "$r3"
zpool create backup raidz2 "$z1" "$z2" "$z3" "$z4"
zpool create "spacey" "$sp"
zpool scrub -w backup
show_status
start_exporter
scrape /metrics
expect_code 200
for p in tank backup spacey; do
    expect_metric "zpool_pool_state{pool=\"$p\"}" 10
    expect_all_devices "$p"
done
expect_metric 'zpool_scan_state{pool="tank"}' 40
expect_metric 'zpool_scan_state{pool="backup"}' 10
expect_metric "zpool_dev_state{pool=\"tank\",dev=\"raidz1-0/$r2\"}" 10
expect_metric "zpool_dev_state{pool=\"backup\",dev=\"raidz2-0/$z4\"}" 10
expect_metric "zpool_dev_state{pool=\"spacey\",dev=\"$sp\"}" 10
expect_metric "zpool_dev_errors_checksum{pool=\"spacey\",dev=\"$sp\"}" 0
capture multi-pool "three pools: raidz1 never scanned, raidz2 scrubbed, single vdev whose path has spaces"

step "the exporter's user cannot open /dev/zfs: zpool status fails, pool states from kstat"
chmod 0600 /dev/zfs
check "zpool status fails as nobody" eval '! setpriv --reuid=nobody --regid=nogroup --clear-groups "$ZPOOL" status -p >/dev/null 2>&1'
scrape /metrics
expect_code 200
expect_line 'zpool_exporter_command_success{command="status"} 0'
for p in tank backup spacey; do
    expect_metric "zpool_pool_state{pool=\"$p\"}" "$(case $(cat /proc/spl/kstat/zfs/$p/state) in ONLINE) echo 10 ;; DEGRADED) echo 50 ;; *) echo other ;; esac)"
done
check "exactly the three pools, from kstat" test "$(grep -c '^zpool_pool_state{' "$BODY")" = 3
expect_no_match '^zpool_dev_state'
chmod 0666 /dev/zfs
scrape /metrics
expect_code 200
expect_line 'zpool_exporter_command_success{command="status"} 1'
