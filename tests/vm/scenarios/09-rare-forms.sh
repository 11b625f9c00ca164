# rarer real forms: a destroyed label (DEGRADED, "label is missing or invalid",
# never scanned), a sequential resilver (`zpool attach -s`), an error scrub
# (`zpool scrub -e`, 2.2+: the scrape must survive it), and the extra SLOW column of `zpool status -s`
load_zfs

step "mirror whose second device lost its labels, re-imported"
a=$(vdev a) b=$(vdev b)
zpool create broken mirror "$a" "$b"
zpool export broken
# ZFS keeps four 256 KiB labels: two at the start of a device, two at its end.
dd if=/dev/zero of="$b" bs=256k count=2 conv=notrunc status=none
dd if=/dev/zero of="$b" bs=256k count=2 seek=254 conv=notrunc status=none
zpool import -d "$VDEVS" broken
show_status broken
start_exporter
scrape /metrics
expect_code 200
expect_metric 'zpool_pool_state{pool="broken"}' 50
expect_metric 'zpool_pool_status_desc{pool="broken"}' 10
expect_metric 'zpool_scan_state{pool="broken"}' 0
expect_metric 'zpool_scan_age{pool="broken"}' 876000
expect_all_devices broken
capture label-missing "mirror re-imported after the labels of one side were zeroed: DEGRADED, never scanned"
zpool destroy broken

step "sequential resilver: zpool attach -s"
c=$(vdev c 128) d=$(vdev d 128)
zpool create seq "$c"
fill seq 48
# -w waits for the sequential rebuild; a scrub to verify it starts right after.
timeout 120 zpool attach -s -w seq "$c" "$d"
show_status seq
check "status shows a sequential resilver line" status_has seq 'resilvered \('
scrape /metrics
expect_code 200
expect_all_devices seq
expect_metric_cmp 'zpool_scan_state{pool="seq"}' '>=' 10
capture sequential-resilver "single disk turned into a mirror with zpool attach -s (sequential resilver done, its scrub following)"
timeout 120 zpool wait -t scrub seq
show_status seq
scrape /metrics
expect_code 200
expect_metric_cmp 'zpool_scan_state{pool="seq"}' '>=' 10
capture sequential-resilver-scrubbed "the same mirror after the scrub that follows a sequential resilver"

step "error scrub (OpenZFS 2.2+) and the SLOW column"
if zpool scrub -e seq 2>/tmp/zse-escrub; then
    timeout 120 zpool wait -t scrub seq || true
    show_status seq
    scrape /metrics
    expect_code 200
    expect_all_devices seq
    # A pool without logged errors shows no ` scrub:` line: nothing to capture.
else
    echo "no error scrub on this version: $(cat /tmp/zse-escrub)"
fi
show_status -s seq
capture slow-column "zpool status -p -s: the SLOW column after CKSUM" -s
