# Helpers for the scenarios, sourced inside the guest (bash, as root).
# A scenario is a list of steps and checks; `finish` (called by boot.sh after
# the scenario) exits non-zero when any check failed.
# shellcheck shell=bash

set -u
export LC_ALL=C
ZPOOL=/sbin/zpool
EXPORTER=/usr/local/bin/zpool-status-exporter
PORT=1234
URL=http://127.0.0.1:$PORT
VDEVS=/var/tmp/zse          # file vdevs live here (guest root fs, a throw-away snapshot)
BODY=/tmp/zse-body
HEADERS=/tmp/zse-headers
EXPORTER_LOG=/tmp/zse-exporter.log
EXPORTER_PID=
CHECKS=0
FAILS=0
mkdir -p "$VDEVS"

step() { printf '\n== %s\n' "$*"; }
pass() { CHECKS=$((CHECKS + 1)); printf 'ok: %s\n' "$*"; }
fail() {
    CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1))
    printf 'FAIL: %s\n' "$*"
    printf -- '--- last HTTP response (%s):\n' "${HTTP_CODE:-none}"
    cat "$HEADERS" "$BODY" 2>/dev/null | sed 's/^/  | /'
    printf -- '--- zpool status -p:\n'
    "$ZPOOL" status -p 2>&1 | sed 's/^/  | /'
}
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
    witness "end of scenario"
    stop_exporter
    printf '\n%s: %d checks, %d failed\n' "${ZSE_SCENARIO:-scenario}" "$CHECKS" "$FAILS"
    [ "$CHECKS" -gt 0 ] && [ "$FAILS" = 0 ]
}

# --- ZFS -------------------------------------------------------------------
load_zfs() {
    modprobe zfs || { fail "modprobe zfs"; return 1; }
    # The exporter runs unprivileged: it needs /dev/zfs to be world read-writable,
    # which the udev rule of zfsutils-linux arranges on a normal boot.
    local _
    for _ in $(seq 50); do [ -c /dev/zfs ] && break; sleep 0.1; done
    local mode
    mode=$(stat -c %a /dev/zfs)
    if [ "$mode" != 666 ]; then
        chmod 0666 /dev/zfs
        echo "/dev/zfs had mode $mode (no udev in this guest): made it 0666 like 90-zfs.rules"
    fi
    echo "zfs module $(cat /sys/module/zfs/version), $("$ZPOOL" version 2>/dev/null | tr '\n' ' ')"
}
# vdev NAME [SIZE_MB]: creates a sparse file vdev and prints its path
vdev() {
    local path="$VDEVS/$1"
    truncate -s "${2:-64}M" "$path"
    printf '%s\n' "$path"
}
tunable() { # tunable NAME VALUE
    echo "$2" >"/sys/module/zfs/parameters/$1" && echo "tunable $1=$2"
}
# fill POOL MB: writes MB megabytes of incompressible-by-default data (compression off)
fill() {
    zfs set compression=off "$1"
    dd if=/dev/zero of="/$1/fill" bs=1M count="$2" status=none
    sync
    zpool sync "$1"
}
show_status() { "$ZPOOL" status -p "$@"; }
status_has() { "$ZPOOL" status -p "$1" | grep -qE -- "$2"; }
wait_status() { # wait_status POOL REGEX [TIMEOUT]
    local deadline=$((SECONDS + ${3:-60}))
    while [ $SECONDS -lt "$deadline" ]; do
        status_has "$1" "$2" && return 0
        sleep 0.5
    done
    return 1
}

# --- exporter ----------------------------------------------------------------
# start_exporter [ARGS...]: as nobody, on 127.0.0.1:1234; waits until it answers.
EXPORTER_ARGS=
start_exporter() {
    stop_exporter
    EXPORTER_ARGS="$*"
    setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
        "$EXPORTER" "127.0.0.1:$PORT" --zpool "$ZPOOL" "$@" >"$EXPORTER_LOG" 2>&1 &
    EXPORTER_PID=$!
    local _
    for _ in $(seq 100); do
        if curl -s -o /dev/null "$URL/"; then
            LAST_SCRAPE=$(date +%s%N)   # its start-up check ran zpool
            pass "exporter started as nobody (pid $EXPORTER_PID)"
            return 0
        fi
        if ! kill -0 "$EXPORTER_PID" 2>/dev/null; then
            wait "$EXPORTER_PID"; local rc=$?
            EXPORTER_PID=
            fail "exporter exited at start-up (rc $rc): $(cat "$EXPORTER_LOG")"
            return 1
        fi
        sleep 0.2
    done
    fail "exporter did not answer within 20 s"
    return 1
}
stop_exporter() {
    if [ -n "$EXPORTER_PID" ]; then
        kill "$EXPORTER_PID" 2>/dev/null
        wait "$EXPORTER_PID" 2>/dev/null
        EXPORTER_PID=
    fi
}

# The exporter answers a scrape that follows a successful one within 1 s from
# that result (REUSE_SCRAPE): wait that out, so every scrape sees the current state.
LAST_SCRAPE=0
fresh_scrape_wait() {
    local now wait
    now=$(date +%s%N)
    wait=$(( (LAST_SCRAPE + 1200000000 - now) / 1000000 ))
    [ "$wait" -gt 0 ] && sleep "$(printf '%d.%03d' $((wait / 1000)) $((wait % 1000)))"
    return 0
}
# scrape [PATH] [CURL ARGS...]: sets HTTP_CODE; body in $BODY, headers in $HEADERS
scrape() {
    local path=${1:-/metrics}
    [ $# -gt 0 ] && shift
    [ "$path" = /metrics ] && fresh_scrape_wait
    HTTP_CODE=$(curl -s -m 20 -o "$BODY" -D "$HEADERS" -w '%{http_code}' "$@" "$URL$path")
    [ "$path" = /metrics ] && LAST_SCRAPE=$(date +%s%N)
    return 0
}
expect_code() { check "HTTP $1${2:+ ($2)}" test "$HTTP_CODE" = "$1"; }
has_line() { grep -qxF -- "$1" "$BODY"; }
has_match() { grep -qE -- "$1" "$BODY"; }
expect_line() { check "line: $1" has_line "$1"; }
expect_match() { check "match: $1" has_match "$1"; }
expect_no_match() { check "no match: $1" eval "! has_match \"\$1\""; }
metric() { # metric 'name{labels}': prints the value of that sample
    awk -v key="$1" 'index($0, key " ") == 1 { print $NF; exit }' "$BODY"
}
expect_metric() { # expect_metric 'name{labels}' VALUE
    local got
    got=$(metric "$1")
    check "$1 = $2${got:+ (got $got)}" test "$got" = "$2"
}
expect_metric_cmp() { # expect_metric_cmp 'name{labels}' OP NUMBER (awk comparison: < <= > >= == !=)
    local got
    got=$(metric "$1")
    check "$1 $2 $3 (got ${got:-nothing})" \
        awk -v g="${got:-x}" -v n="$3" -v op="$2" 'BEGIN {
            if (g !~ /^-?[0-9.e+-]+$/) exit 1
            g += 0; n += 0
            if (op == "<") exit !(g < n); if (op == "<=") exit !(g <= n)
            if (op == ">") exit !(g > n); if (op == ">=") exit !(g >= n)
            if (op == "==") exit !(g == n); if (op == "!=") exit !(g != n)
            exit 1 }'
}
# scrape_until 'name{labels}' VALUE [TIMEOUT]: scrapes until the sample has that value
scrape_until() {
    local deadline=$((SECONDS + ${3:-60}))
    while :; do
        scrape /metrics
        [ "$HTTP_CODE" = 200 ] && [ "$(metric "$1")" = "$2" ] && break
        [ $SECONDS -ge "$deadline" ] && break
        sleep 0.5
    done
    expect_metric "$1" "$2"
}
# Every device row of `zpool status -p POOL` has a zpool_dev_state sample.
expect_all_devices() {
    local pool=$1 n_status n_metrics
    n_status=$("$ZPOOL" status -p "$pool" | awk '
        /^config:/ { t = 1; next }
        t && /^\tNAME +STATE/ { h = 1; next }
        h && /^$/ { exit }
        h { for (i = 2; i <= NF; i++) if ($i ~ /^(ONLINE|DEGRADED|FAULTED|OFFLINE|REMOVED|UNAVAIL|AVAIL|INUSE|SPLIT|SUSPENDED)$/) { n++; break } }
        END { print n + 0 }')
    n_metrics=$(grep -c "^zpool_dev_state{pool=\"$pool\"," "$BODY")
    check "every device row of $pool has a zpool_dev_state sample ($n_status rows, $n_metrics samples)" \
        test "$n_status" = "$n_metrics"
}

# --- the JSON witness --------------------------------------------------------
# witness LABEL: compares a fresh scrape with what OpenZFS reports at the same
# moment (tests/vm/json-check.py): `zpool status -j --json-int` on 2.3+ (states,
# counters, error count, scan figures, msgid), each pool's kstat state against
# `zpool status`'s state: line, and `zpool get -Hp size,allocated,free` against
# the capacity families. Runs at every capture point and at the end of every
# scenario; a mismatch fails the scenario and prints both sides.
WITNESS_DIR=/tmp/zse-witness
witness() {
    local label=$1 try rc t0 json_args=() has_json=0
    if [ ! -e /sys/module/zfs ] || [ -z "$("$ZPOOL" list -H -o name 2>/dev/null)" ]; then
        echo "witness ($label): no pools imported, nothing to compare"
        return 0
    fi
    # The witness scrapes without credentials: restart a plain exporter if needed.
    if [ -z "$EXPORTER_PID" ] || [ -n "$EXPORTER_ARGS" ]; then start_exporter; fi
    mkdir -p "$WITNESS_DIR"
    if "$ZPOOL" status -j --json-int >/dev/null 2>&1; then
        has_json=1
    elif [ "${ZSE_FLAVOUR:-}" != 2.1 ]; then
        fail "witness ($label): zpool status -j --json-int fails on flavour $ZSE_FLAVOUR"
    fi
    # In-progress figures can move between the two runs: one retry before failing.
    for try in 1 2; do
        fresh_scrape_wait
        t0=$(date +%s)
        curl -s -m 20 -o "$WITNESS_DIR/metrics" "$URL/metrics"
        LAST_SCRAPE=$(date +%s%N)
        "$ZPOOL" status -p >"$WITNESS_DIR/status" 2>&1
        json_args=()
        if [ "$has_json" = 1 ]; then
            "$ZPOOL" status -j --json-int >"$WITNESS_DIR/status.json" 2>&1
            json_args=(--json "$WITNESS_DIR/status.json")
        fi
        "$ZPOOL" get -Hp size,allocated,free >"$WITNESS_DIR/get" 2>&1
        python3 /job/json-check.py --metrics "$WITNESS_DIR/metrics" --scrape-time "$t0" \
            "${json_args[@]}" --status "$WITNESS_DIR/status" --kstat /proc/spl/kstat/zfs \
            --get "$WITNESS_DIR/get" >"$WITNESS_DIR/out" 2>&1
        rc=$?
        [ "$rc" = 0 ] && break
        echo "witness ($label): try $try found mismatches:"; sed 's/^/  /' "$WITNESS_DIR/out"
    done
    if [ "$rc" = 0 ]; then
        pass "witness ($label): $(tail -1 "$WITNESS_DIR/out")$([ "$has_json" = 1 ] || echo ' (kstat and zpool get only: no -j before 2.3)')"
        grep '^note:' "$WITNESS_DIR/out" | sort -u | sed 's/^/  /'
    else
        CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1))
        printf 'FAIL: witness (%s): exporter and OpenZFS disagree\n' "$label"
        sed 's/^/  | /' "$WITNESS_DIR/out"
        printf -- '--- exporter /metrics:\n'; sed 's/^/  | /' "$WITNESS_DIR/metrics"
        [ "$has_json" = 1 ] && { printf -- '--- zpool status -j --json-int:\n'; sed 's/^/  | /' "$WITNESS_DIR/status.json"; }
        printf -- '--- zpool status -p:\n'; sed 's/^/  | /' "$WITNESS_DIR/status"
        printf -- '--- kstat states:\n'; grep -H . /proc/spl/kstat/zfs/*/state 2>&1 | sed 's/^/  | /'
    fi
}

# --- fixtures ----------------------------------------------------------------
# capture NAME DESCRIPTION [ARGS...]: runs the witness; when capturing, saves
# `zpool status -p [ARGS...]` as a fixture input (ARGS such as -s show columns
# the exporter does not ask for)
capture() {
    witness "$1"
    [ "${ZSE_CAPTURE:-0}" = 1 ] || return 0
    mkdir -p /job/out/fixtures
    local ts
    ts=$(date +%s)
    { echo "TEST_TIMESTAMP=$ts"; "$ZPOOL" status -p "${@:3}"; } >"/job/out/fixtures/$1.input"
    printf '%s\n' "$2" >"/job/out/fixtures/$1.desc"
    echo "captured fixture $1"
}
