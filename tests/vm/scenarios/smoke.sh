# smoke: boots, loads zfs, runs zpool as nobody (plumbing check; not in the default run)
step "guest"
uname -a
check "flavour $ZSE_FLAVOUR" true
load_zfs
ls -l /dev/zfs
check "zfs module version matches flavour $ZSE_FLAVOUR" grep -q "^$ZSE_FLAVOUR\." /sys/module/zfs/version
check "zpool status as nobody" setpriv --reuid=nobody --regid=nogroup --clear-groups "$ZPOOL" status -p
"$EXPORTER" --version || true
