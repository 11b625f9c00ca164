# new mirror pool on two 64 MB file vdevs, never scanned: scan_state 40, scan_age 876000
load_zfs
a=$(vdev a) b=$(vdev b)
zpool create newpool mirror "$a" "$b"
show_status
check "precondition: state: ONLINE" status_has newpool '^ *state: ONLINE$'
check "precondition: no scan: line" eval '! status_has newpool "^ *scan:"'
start_exporter
scrape /metrics
expect_code 200
expect_metric 'zpool_scan_state{pool="newpool"}' 40
expect_metric 'zpool_scan_age{pool="newpool"}' 876000
expect_match '^# HELP zpool_scan_state .*NeverScanned = 40'
expect_metric 'zpool_pool_state{pool="newpool"}' 10
expect_metric 'zpool_error_state{pool="newpool"}' 10
expect_metric "zpool_dev_state{pool=\"newpool\",dev=\"mirror-0/$a\"}" 10
expect_metric "zpool_dev_state{pool=\"newpool\",dev=\"mirror-0/$b\"}" 10
expect_all_devices newpool
capture new-pool-never-scanned "new two-way mirror on file vdevs, never scanned (no scan: line)"
