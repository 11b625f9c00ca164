# log, cache, special and spare vdevs; spare AVAIL, then INUSE after zpool replace with the spare
load_zfs
a=$(vdev a) b=$(vdev b) c=$(vdev c) d=$(vdev d) e=$(vdev e) f=$(vdev f) g=$(vdev g)
zpool create -f cpool mirror "$a" "$b" special mirror "$c" "$d" log "$e" cache "$f" spare "$g"
show_status cpool
start_exporter
P='{pool="cpool"}'
dev() { printf 'zpool_dev_state{pool="cpool",dev="%s"}' "$1"; }

step "all classes present, spare AVAIL"
scrape /metrics
expect_code 200
expect_metric "zpool_pool_state$P" 10
expect_metric "$(dev __root__)" 10
expect_metric "$(dev "mirror-0/$a")" 10
expect_metric "$(dev "special/mirror-1/$c")" 10
expect_metric "$(dev "logs/$e")" 10
expect_metric "$(dev "cache/$f")" 10
expect_metric "$(dev "spares/$g")" 11
expect_metric "zpool_dev_errors_checksum{pool=\"cpool\",dev=\"logs/$e\"}" 0
expect_all_devices cpool
capture classes-spare-avail "mirror + special mirror + log + cache + hot spare (AVAIL)"

step "replace a data disk with the spare: INUSE"
zpool replace cpool "$a" "$g"
zpool wait -t resilver cpool
show_status cpool
check "status shows the spare INUSE" status_has cpool 'INUSE'
scrape /metrics
expect_code 200
expect_metric "$(dev "spares/$g")" 27
expect_metric "$(dev "mirror-0/spare-0")" 10
expect_metric "$(dev "mirror-0/spare-0/$a")" 10
expect_metric "$(dev "mirror-0/spare-0/$g")" 10
expect_all_devices cpool
capture classes-spare-inuse "the hot spare replacing a mirror side (spare-0, INUSE)"
