# no pools: "# no pools reported"; module not loaded: start-up fails, a scrape fails with 500 naming the cause
step "module not loaded: the exporter refuses to start"
check "zfs module not loaded yet" test ! -e /sys/module/zfs
out=$(timeout 30 setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$EXPORTER" "127.0.0.1:$PORT" --zpool "$ZPOOL" --max-bind-retries 0 2>&1)
rc=$?
echo "$out"
check "start-up exits non-zero (rc $rc)" test "$rc" != 0 -a "$rc" != 124
check "start-up error names zpool and the missing module" \
    grep -qiE 'zpool.*(module|/dev/zfs)' <<<"$out"

step "module loaded, no pools"
load_zfs
start_exporter
scrape /metrics
expect_code 200
check "body starts with '# no pools reported'" test "$(head -1 "$BODY")" = "# no pools reported"
check "no pool or device samples" eval '! grep -qE "^zpool_(pool|dev|scan|error)_" "$BODY"'
expect_line 'zpool_exporter_command_success{command="status"} 1'
scrape /
expect_code 200 "landing page"
expect_match 'zpool-status-exporter'
capture no-pools "no pools imported (module loaded)"

step "module unloaded while the exporter runs: 500 naming the cause"
zpool status -p >/dev/null
if modprobe -r zfs; then pass "zfs module unloaded"; else fail "modprobe -r zfs"; fi
scrape /metrics
expect_code 500
cat "$BODY"
expect_match 'zpool status -p'
check "500 body names the cause (module not loaded / /dev/zfs)" \
    grep -qiE 'module|/dev/zfs' "$BODY"
check "500 body names a known cause (not only raw stderr)" \
    grep -qF 'the ZFS kernel module is not loaded' "$BODY"
