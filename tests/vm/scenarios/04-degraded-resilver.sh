# degraded mirror (zpool offline), replace: resilver in progress (31), then done (15)
load_zfs
a=$(vdev a 128) b=$(vdev b 128) c=$(vdev c 128)
zpool create rpool mirror "$a" "$b"
fill rpool 48
start_exporter
P='{pool="rpool"}'

step "one side offline: DEGRADED"
zpool offline rpool "$b"
show_status rpool
check "status says DEGRADED" status_has rpool '^ *state: DEGRADED'
scrape /metrics
expect_code 200
expect_metric "zpool_pool_state$P" 50
expect_metric "zpool_dev_state{pool=\"rpool\",dev=\"mirror-0\"}" 50
expect_metric "zpool_dev_state{pool=\"rpool\",dev=\"mirror-0/$b\"}" 25
expect_metric "zpool_dev_state{pool=\"rpool\",dev=\"mirror-0/$a\"}" 10
expect_metric "zpool_pool_status_desc$P" 16
capture degraded-offline "mirror with one side taken offline (DEGRADED, never scanned)"

step "replace the offline side: resilver in progress (held with zfs_scan_suspend_progress=1)"
tunable zfs_scan_suspend_progress 1
zpool replace rpool "$b" "$c"
check "status says resilver in progress" wait_status rpool 'resilver in progress' 30
show_status rpool
scrape_until "zpool_scan_state$P" 31 30
expect_metric "zpool_pool_status_desc$P" 20
expect_metric "zpool_dev_state{pool=\"rpool\",dev=\"mirror-0/replacing-1/$c\"}" 10
expect_all_devices rpool
capture resilver-in-progress "zpool replace of an offline mirror side, resilver in progress (replacing-1)"

step "resilver finishes"
tunable zfs_scan_suspend_progress 0
zpool wait -t resilver rpool
show_status rpool
check "status says resilvered" status_has rpool 'scan: resilvered'
scrape_until "zpool_scan_state$P" 15 60
expect_metric "zpool_pool_state$P" 10
expect_metric_cmp "zpool_scan_age$P" '<' 1
expect_metric "zpool_dev_state{pool=\"rpool\",dev=\"mirror-0/$c\"}" 10
expect_all_devices rpool
capture resilvered "mirror after the replace finished resilvering"
