# scrub finished (10, small age), in progress (30), paused (32), canceled (35, 876000)
load_zfs
a=$(vdev a 128) b=$(vdev b 128)
zpool create scrubpool mirror "$a" "$b"
fill scrubpool 48
start_exporter
P='{pool="scrubpool"}'

step "scrub finished"
zpool scrub -w scrubpool
show_status scrubpool
check "status says scrub repaired" status_has scrubpool 'scan: scrub repaired'
scrape /metrics
expect_code 200
expect_metric "zpool_scan_state$P" 10
expect_metric_cmp "zpool_scan_age$P" '<' 1
expect_metric_cmp "zpool_scan_age$P" '>=' 0
capture scrub-finished "mirror pool right after a finished scrub"

step "scrub of a date range: zpool scrub -S/-E (OpenZFS 2.4+)"
if zpool scrub -w -S "$(date -d yesterday +%Y-%m-%d)" -E "$(date +%Y-%m-%d)" scrubpool 2>/tmp/zse-scrub-range; then
    show_status scrubpool
    check "status says scrub repaired" status_has scrubpool 'scan: scrub repaired'
    scrape /metrics
    expect_metric "zpool_scan_state$P" 10
    capture scrub-date-range "scrub limited to a date range (zpool scrub -S DATE -E DATE, 2.4): same scan line"
else
    echo "no date-range scrub on this version: $(cat /tmp/zse-scrub-range)"
fi

step "scrub in progress (held with zfs_scan_suspend_progress=1)"
tunable zfs_scan_suspend_progress 1
zpool scrub scrubpool
check "status says scrub in progress" wait_status scrubpool 'scrub in progress' 30
show_status scrubpool
scrape_until "zpool_scan_state$P" 30 30
expect_metric_cmp "zpool_scan_age$P" '<' 1
capture scrub-in-progress "scrub in progress (held at the start by zfs_scan_suspend_progress)"

step "scrub paused"
zpool scrub -p scrubpool
check "status says scrub paused" wait_status scrubpool 'scrub paused' 30
show_status scrubpool
scrape_until "zpool_scan_state$P" 32 30
capture scrub-paused "scrub paused with zpool scrub -p"

step "scrub resumed, then canceled"
zpool scrub scrubpool
check "status says scrub in progress again" wait_status scrubpool 'scrub in progress' 30
zpool scrub -s scrubpool
check "status says scrub canceled" wait_status scrubpool 'scrub canceled' 30
show_status scrubpool
scrape_until "zpool_scan_state$P" 35 30
expect_metric "zpool_scan_age$P" 876000
capture scrub-canceled "scrub canceled with zpool scrub -s"
tunable zfs_scan_suspend_progress 0
