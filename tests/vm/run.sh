#!/usr/bin/env bash
# Real-ZFS integration tests: boots a Debian guest with OpenZFS under qemu, one
# boot per scenario, and runs the exporter (our release binary) on live pools.
#
#   tests/vm/run.sh [--flavour 2.1|2.3|2.4|all] [--capture] [--list] [SCENARIO...]
#
# SCENARIO is a script name in tests/vm/scenarios/ with or without its number
# and .sh (e.g. `02-new-pool`, `new-pool`, `2`); default: every numbered one.
# --capture saves each `zpool status -p` the scenarios capture as
#   fixtures/vm-<flavour>-<name>.input (see tests/vm/capture.sh).
#
# Environment: ZSE_VM_CACHE (image cache, default /var/cache/zpool-status-exporter-vm),
# ZSE_VM_ACCEL=auto|kvm|tcg (default auto: KVM if it boots, else TCG),
# ZSE_VM_KVM_BOOT_TIMEOUT (s, default 30), ZSE_VM_BOOT_TIMEOUT (s, default 180),
# ZSE_VM_TIMEOUT (s per scenario incl. boot, default 600), ZSE_VM_MEM (MB, 2048),
# ZSE_VM_SMP (2), ZSE_EXPORTER (binary; default: cargo build --release, then
# target/release/zpool-status-exporter), ZSE_VM_NO_BUILD=1 (do not run cargo),
# ZSE_VM_KEEP_LOGS=1 (keep the logs of passed scenarios too),
# ZSE_VM_ARTIFACTS=DIR (copy what a scenario leaves in the guest's
# /job/out/artifacts/ to DIR/<flavour>/, passed or not).
# Needs root (image build) and qemu-system-x86_64. Prints one line per
# scenario and `N passed, M failed`; exits non-zero on any failure. Guest
# console logs of failed scenarios are kept in target/vm-logs/.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

# The whole script is one block, parsed before it runs: editing this file
# while a run is going on cannot derail that run.
{
flavours=(2.3) capture=0 list=0 scenarios=()
while [ $# -gt 0 ]; do
    case "$1" in
        --flavour) [ $# -ge 2 ] || die "--flavour needs a value"; f=$2; shift 2 ;;
        --flavour=*) f=${1#*=}; shift ;;
        --capture) capture=1; shift; continue ;;
        --list) list=1; shift; continue ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) scenarios+=("$1"); shift; continue ;;
    esac
    case "$f" in
        all) flavours=(2.1 2.3 2.4) ;;
        *) check_flavour "$f"; flavours=("$f") ;;
    esac
done

# Resolve scenario names to files.
resolve() {
    local want=$1 f base
    for f in "$VM_DIR"/scenarios/*.sh; do
        base=$(basename "$f" .sh)
        if [ "$base" = "$want" ] || [ "${base#*-}" = "$want" ] || [ "${base%%-*}" = "$want" ] \
            || { [[ "$want" =~ ^[0-9]+$ ]] && [[ "${base%%-*}" =~ ^[0-9]+$ ]] && [ "$((10#${base%%-*}))" = "$((10#$want))" ]; }; then
            echo "$f"; return 0
        fi
    done
    die "no scenario '$want' in $VM_DIR/scenarios (try --list)"
}
files=()
if [ ${#scenarios[@]} -eq 0 ]; then
    for f in "$VM_DIR"/scenarios/[0-9]*.sh; do files+=("$f"); done
else
    for s in "${scenarios[@]}"; do files+=("$(resolve "$s")"); done
fi
if [ "$list" = 1 ]; then
    for f in "$VM_DIR"/scenarios/*.sh; do
        printf '%-22s %s\n' "$(basename "$f" .sh)" "$(sed -n '1s/^# *//p' "$f")"
    done
    exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root (image build, qemu with the cached image)"
ensure_host_tools

exporter=${ZSE_EXPORTER:-}
if [ -z "$exporter" ]; then
    if [ "${ZSE_VM_NO_BUILD:-0}" != 1 ]; then
        log "cargo build --release"
        (cd "$REPO_DIR" && cargo build --release --quiet) || die "cargo build --release failed"
    fi
    exporter="$REPO_DIR/target/release/zpool-status-exporter"
fi
[ -x "$exporter" ] || die "exporter binary $exporter missing (build it or set ZSE_EXPORTER)"

logs_dir="$REPO_DIR/target/vm-logs"
accel_mode=${ZSE_VM_ACCEL:-auto}
kvm_timeout=${ZSE_VM_KVM_BOOT_TIMEOUT:-30}
boot_timeout=${ZSE_VM_BOOT_TIMEOUT:-180}
scenario_timeout=${ZSE_VM_TIMEOUT:-600}
kvm_state=unknown   # unknown | ok | bad
case "$accel_mode" in
    tcg) kvm_state=bad ;;
    kvm) kvm_state=ok ;;
    auto) if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
              kvm_state=bad; log "no usable /dev/kvm: using TCG"
          fi ;;
    *) die "ZSE_VM_ACCEL must be auto, kvm or tcg" ;;
esac

qemu_pid='' job=''
# kill_qemu: stops the running guest (qemu itself, then its wrapper).
kill_qemu() {
    [ -n "$qemu_pid" ] || return 0
    local q=
    [ -n "$job" ] && q=$(cat "$job/qemu.pid" 2>/dev/null || true)
    if [ -n "$q" ] && [ "$(cat "/proc/$q/comm" 2>/dev/null)" = qemu-system-x86 ]; then
        kill "$q" 2>/dev/null || true
        sleep 1
        kill -9 "$q" 2>/dev/null || true
    fi
    if kill -0 "$qemu_pid" 2>/dev/null; then
        pkill -TERM -P "$qemu_pid" 2>/dev/null || true   # the `timeout` child of our wrapper
        sleep 1
        kill "$qemu_pid" 2>/dev/null || true
    fi
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
}
cleanup() {
    kill_qemu
    [ -n "$job" ] && rm -rf "$job"
    job=
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# boot IMAGE_DIR JOB ACCEL: runs one guest to completion. Sets BOOT_SECS and
# BOOT_RESULT: done | hung-boot | timeout | no-result.
boot() {
    local img=$1 dir=$2 accel=$3 cpu limit started now booted=0
    local console="$dir/console.log"
    : >"$console"
    if [ "$accel" = kvm ]; then cpu=host; limit=$kvm_timeout; else cpu=max; limit=$boot_timeout; fi
    started=$(date +%s.%N)
    rm -f "$dir/qemu.pid"
    # `timeout` is a second line of defence: qemu dies even if this script is killed.
    # The subshell exits normally even when qemu aborts, which keeps bash quiet.
    ( timeout -k 5 "$scenario_timeout" qemu-system-x86_64 -pidfile "$dir/qemu.pid" \
        -accel "$accel" -cpu "$cpu" -m "${ZSE_VM_MEM:-2048}" -smp "${ZSE_VM_SMP:-2}" \
        -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0 init=/sbin/zse-init panic=-1 loglevel=4 mitigations=off" \
        -drive "file=$img/disk.img,format=raw,if=virtio,snapshot=on,cache=unsafe" \
        -fsdev "local,id=job,path=$dir,security_model=none" \
        -device virtio-9p-pci,fsdev=job,mount_tag=job \
        -nic none -display none -vga none -monitor none -no-reboot \
        -serial "file:$console" </dev/null >"$dir/qemu.log" 2>&1; exit $? ) 2>>"$dir/qemu.log" &
    qemu_pid=$!
    BOOT_SECS=
    while kill -0 "$qemu_pid" 2>/dev/null; do
        now=$(date +%s.%N)
        if [ "$booted" = 0 ] && grep -q '^ZSE-BOOTED' "$console" 2>/dev/null; then
            booted=1
            BOOT_SECS=$(awk -v a="$started" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
        fi
        if [ "$booted" = 0 ] && awk -v a="$started" -v b="$now" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
            kill_qemu; BOOT_RESULT=hung-boot; return
        fi
        sleep 0.5
    done
    wait "$qemu_pid" 2>/dev/null && true
    local rc=$?
    qemu_pid=
    if [ "$booted" = 0 ] && grep -q '^ZSE-BOOTED' "$console"; then
        BOOT_SECS=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    fi
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then BOOT_RESULT=timeout
    elif [ "$booted" = 0 ] && [ "$rc" != 0 ]; then BOOT_RESULT=no-boot
    elif [ -f "$dir/out/rc" ]; then BOOT_RESULT='done'
    elif [ "$booted" = 0 ]; then BOOT_RESULT=no-boot
    else BOOT_RESULT=no-result
    fi
}

passed=0 failed=0 accel_note_done=
[ "$capture" = 1 ] && mkdir -p "$REPO_DIR/fixtures" "$REPO_DIR/target"
for flavour in "${flavours[@]}"; do
    t0=$(date +%s)
    img=$("$VM_DIR/build-image.sh" --flavour "$flavour") || die "image build for flavour $flavour failed"
    log "flavour $flavour image: $(tr '\n' ' ' <"$img/versions.txt") (ready in $(( $(date +%s) - t0 ))s)"
    # Images of older build scripts are never used again: drop them.
    for stale in "$VM_CACHE_DIR"/zfs-"$flavour"-*; do
        case "$stale" in "$img"|*.tmp) continue ;; esac
        [ -d "$stale" ] && { log "removing stale image $stale"; rm -rf "$stale"; }
    done
    for file in "${files[@]}"; do
        name=$(basename "$file" .sh)
        job=$(mktemp -d /tmp/zse-vm-job.XXXXXX)
        mkdir -p "$job/out"
        cp "$VM_DIR/boot.sh" "$VM_DIR/guest-lib.sh" "$VM_DIR/json-check.py" "$job/"
        cp "$file" "$job/scenario.sh"
        cp "$exporter" "$job/zpool-status-exporter"
        printf 'ZSE_FLAVOUR=%s\nZSE_SCENARIO=%s\nZSE_CAPTURE=%s\nZSE_GUEST_TIMEOUT=%s\n' \
            "$flavour" "$name" "$capture" "$((scenario_timeout * 9 / 10 - 15))" >"$job/env"
        start=$(date +%s)
        while :; do
            if [ "$kvm_state" = bad ]; then accel=tcg; else accel=kvm; fi
            boot "$img" "$job" "$accel"
            if [ "$accel" = kvm ] && [ "$kvm_state" = unknown ]; then
                if [ "$BOOT_RESULT" = hung-boot ] || [ "$BOOT_RESULT" = no-boot ]; then
                    why=$(grep -m1 -i error "$job/qemu.log" 2>/dev/null || true)
                    if [ "$BOOT_RESULT" = hung-boot ]; then
                        log "KVM boot hung (no sign of the job after ${kvm_timeout}s): retrying under TCG"
                    else
                        log "KVM guest died before booting (${why:-no error message}): retrying under TCG"
                    fi
                    mkdir -p "$logs_dir"; cp "$job/console.log" "$logs_dir/kvm-probe-$flavour.console.log"
                    cp "$job/qemu.log" "$logs_dir/kvm-probe-$flavour.qemu.log"
                    kvm_state=bad
                    rm -rf "$job/out"; mkdir -p "$job/out"
                    continue
                fi
                kvm_state=ok
            fi
            break
        done
        [ -n "$accel_note_done" ] || { log "accelerator: ${accel^^}"; accel_note_done=1; }
        secs=$(( $(date +%s) - start ))
        rc=$(cat "$job/out/rc" 2>/dev/null || echo none)
        checks=$(grep -Eo '[0-9]+ checks, [0-9]+ failed' "$job/out/scenario.log" 2>/dev/null | tail -1 || true)
        if [ "$BOOT_RESULT" = 'done' ] && [ "$rc" = 0 ]; then
            verdict=pass; passed=$((passed + 1))
            if [ "${ZSE_VM_KEEP_LOGS:-0}" = 1 ]; then
                mkdir -p "$logs_dir"
                cp "$job/console.log" "$logs_dir/$flavour-$name.console.log"
                cp "$job/out/scenario.log" "$logs_dir/$flavour-$name.scenario.log"
            fi
        else
            verdict=FAIL; failed=$((failed + 1))
            mkdir -p "$logs_dir"
            cp "$job/console.log" "$logs_dir/$flavour-$name.console.log"
            [ -f "$job/out/scenario.log" ] && cp "$job/out/scenario.log" "$logs_dir/$flavour-$name.scenario.log"
            [ -s "$job/qemu.log" ] && cp "$job/qemu.log" "$logs_dir/$flavour-$name.qemu.log"
            grep -E '^FAIL' "$job/out/scenario.log" 2>/dev/null | head -5 | sed 's/^/    /' >&2 || true
            checks="$checks; $BOOT_RESULT, rc $rc; console: target/vm-logs/$flavour-$name.console.log"
        fi
        if [ -n "${ZSE_VM_ARTIFACTS:-}" ] && [ -d "$job/out/artifacts" ]; then
            mkdir -p "$ZSE_VM_ARTIFACTS/$flavour"
            cp -r "$job/out/artifacts/." "$ZSE_VM_ARTIFACTS/$flavour/"
            log "artifacts of $flavour/$name copied to $ZSE_VM_ARTIFACTS/$flavour/"
        fi
        if [ "$capture" = 1 ] && [ -d "$job/out/fixtures" ]; then
            for input in "$job/out/fixtures"/*.input; do
                [ -e "$input" ] || continue
                fx=vm-$flavour-$(basename "$input" .input)
                cp "$input" "$REPO_DIR/fixtures/$fx.input"
                printf '%s: %s\n' "$fx" "$(cat "${input%.input}.desc")" >>"$REPO_DIR/target/vm-captured.txt"
                log "captured fixtures/$fx.input"
            done
        fi
        printf '%s %s/%s %ss (boot %ss, %s) %s\n' "$verdict" "$flavour" "$name" "$secs" "${BOOT_SECS:-?}" "${accel^^}" "$checks"
        rm -rf "$job"; job=
    done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
exit
}
