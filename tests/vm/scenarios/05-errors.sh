# checksum errors on one side of a mirror (repaired by a scrub), then permanent data errors (error_state 50)
load_zfs
a=$(vdev a 128) b=$(vdev b 128)
zpool create epool mirror "$a" "$b"
fill epool 48
start_exporter
P='{pool="epool"}'

step "corrupt one side of the mirror, then scrub"
# Labels and boot area are the first 4 MiB and the last 512 KiB: overwrite data only.
dd if=/dev/urandom of="$b" bs=1M seek=8 count=96 conv=notrunc status=none
zpool scrub -w epool
show_status epool
check "status shows checksum errors being repaired" status_has epool 'repaired [1-9]'
scrape /metrics
expect_code 200
expect_metric_cmp "zpool_dev_errors_checksum{pool=\"epool\",dev=\"mirror-0/$b\"}" '>' 0
expect_metric "zpool_dev_errors_checksum{pool=\"epool\",dev=\"mirror-0/$a\"}" 0
expect_metric "zpool_dev_errors_read{pool=\"epool\",dev=\"mirror-0/$b\"}" 0
expect_metric "zpool_error_state$P" 10
expect_metric "zpool_pool_status_desc$P" 30
expect_metric "zpool_scan_state$P" 10
capture mirror-checksum-repaired "mirror with one side overwritten, after a scrub repaired it (CKSUM > 0)"

step "single-vdev pool: corrupt file data blocks, scrub: permanent errors"
c=$(vdev c 128)
zpool create -O compression=off dpool "$c"
zfs create dpool/fs
dd if=/dev/urandom of=/dpool/fs/data bs=128k count=64 status=none
sync; zpool sync dpool
obj=$(stat -c %i /dpool/fs/data)
# L0 data blocks of the file: "... L0 0:<offset>:<asize> ..." (hex, vdev-relative after the 4 MiB labels)
dvas=$(zdb -ddddd dpool/fs "$obj" | awk '$2 == "L0" { print $3 }' | head -4)
echo "data blocks to corrupt: $(echo $dvas)"
check "zdb listed data blocks of /dpool/fs/data (object $obj)" test -n "$dvas"
for dva in $dvas; do
    off=$(( 0x$(cut -d: -f2 <<<"$dva") + 0x400000 ))
    len=$(( 0x$(cut -d: -f3 <<<"$dva") ))
    dd if=/dev/urandom of="$c" bs=512 seek=$((off / 512)) count=$((len / 512)) conv=notrunc status=none
done
zpool scrub -w dpool
show_status -v dpool
check "status lists permanent errors" status_has dpool 'errors: [0-9]+ data errors'
scrape /metrics
expect_code 200
expect_metric 'zpool_error_state{pool="dpool"}' 50
expect_metric 'zpool_pool_status_desc{pool="dpool"}' 50
expect_metric_cmp "zpool_dev_errors_checksum{pool=\"dpool\",dev=\"$c\"}" '>' 0
expect_metric "zpool_error_state$P" 10
capture permanent-errors "two pools: repaired mirror, and a single-vdev pool with permanent data errors"
