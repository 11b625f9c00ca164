#!/usr/bin/env bash
# Build (or reuse) the cached Debian guest image with OpenZFS.
#
#   tests/vm/build-image.sh --flavour 2.1|2.3|2.4 [--force]
#
# Flavour 2.1: bookworm kernel + zfs-dkms/zfsutils-linux from contrib (OpenZFS 2.1.11).
# Flavour 2.3: bookworm-backports kernel + ZFS (OpenZFS 2.3.x).
# Flavour 2.4: trixie kernel + ZFS from trixie-backports contrib (OpenZFS 2.4.x).
# Every image also has python3 (stdlib only) for tests/vm/json-check.py.
# Output in $ZSE_VM_CACHE (default /var/cache/zpool-status-exporter-vm)/zfs-<flavour>-<key>/:
#   disk.img (raw ext4, root fs), vmlinuz, initrd.img, versions.txt
# <key> is a hash of this script and the flavour, so editing the script rebuilds.
# Needs root (debootstrap, chroot). Prints the image directory on stdout.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

flavour=2.3 force=0
while [ $# -gt 0 ]; do
    case "$1" in
        --flavour) flavour=$2; shift 2 ;;
        --flavour=*) flavour=${1#*=}; shift ;;
        --force) force=1; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) die "unknown argument $1" ;;
    esac
done
check_flavour "$flavour"
[ "$(id -u)" = 0 ] || die "the image build needs root (debootstrap + chroot)"

out=$(image_dir "$flavour")
if [ "$force" = 0 ] && [ -f "$out/disk.img" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
    log "reusing cached image $out ($(cat "$out/versions.txt" 2>/dev/null | tr '\n' ' '))"
    echo "$out"
    exit 0
fi
ensure_host_tools
mkdir -p "$VM_CACHE_DIR"
# Keep the build friendly to whatever else the machine does (cargo, other tests).
renice -n 15 $$ >/dev/null 2>&1 || true
ionice -c 3 -p $$ >/dev/null 2>&1 || true

security=${ZSE_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# suite: the Debian release debootstrapped; backports: the suite the kernel
# (kernel_target) and ZFS (zfs_target) come from when not the release itself.
case "$flavour" in
    2.1) suite=bookworm backports='' kernel_target=() zfs_target=() ;;
    2.3) suite=bookworm backports=bookworm-backports
         kernel_target=(-t bookworm-backports) zfs_target=(-t bookworm-backports) ;;
    2.4) suite=trixie backports=trixie-backports kernel_target=() zfs_target=(-t trixie-backports) ;;
esac
work="$out.tmp"
root="$work/root"
start=$(date +%s)

cleanup_mounts() {
    local m
    for m in dev/pts dev proc sys; do
        mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m" || true
    done
}
trap 'cleanup_mounts' EXIT
cleanup_mounts
rm -rf "$work"
mkdir -p "$work"

log "flavour $flavour: debootstrap $suite into $root (log: $work/build.log)"
ok=0
for attempt in 1 2 3; do
    rm -rf "$root"
    if debootstrap --variant=minbase --components=main,contrib \
        --include=kmod,iproute2,curl,procps,ca-certificates,apt-utils,python3 \
        "$suite" "$root" "$VM_MIRROR" >>"$work/build.log" 2>&1; then
        ok=1; break
    fi
    log "debootstrap attempt $attempt failed: $(grep -E 'Couldn.t download|Failed|E:' "$work/build.log" | tail -1)"
    sleep $((attempt * 5))
done
[ "$ok" = 1 ] || die "debootstrap failed 3 times; see $work/build.log"

{
    echo "deb $VM_MIRROR $suite main contrib"
    echo "deb $VM_MIRROR $suite-updates main contrib"
    echo "deb $security $suite-security main contrib"
    [ -n "$backports" ] && echo "deb $VM_MIRROR $backports main contrib"
} >"$root/etc/apt/sources.list"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
printf 'Acquire::Retries "3";\nAPT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/90zse"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
echo zse-vm >"$root/etc/hostname"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

in_root() { DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$root" "$@"; }

# apt-get install with retries on the download; names the package that failed.
apt_install() {
    local attempt
    for attempt in 1 2 3 4; do
        if in_root apt-get install -y -q --download-only "$@" >>"$work/build.log" 2>&1; then
            in_root apt-get install -y -q "$@" >>"$work/build.log" 2>&1 \
                || die "apt-get install $* failed (not a download problem); see $work/build.log"
            return 0
        fi
        log "download attempt $attempt failed: $(grep -E '^(E|Err):' "$work/build.log" | tail -2 | tr '\n' ' ')"
        sleep $((attempt * 10))
        in_root apt-get update -q >>"$work/build.log" 2>&1 || true
    done
    local failed
    failed=$(grep -oE 'Failed to fetch [^ ]+' "$work/build.log" | tail -3 | sed 's#.*/##' | tr '\n' ' ')
    die "could not download packages after 4 attempts (failed: ${failed:-see log}); see $work/build.log"
}

for attempt in 1 2 3; do
    in_root apt-get update -q >>"$work/build.log" 2>&1 && break
    [ "$attempt" = 3 ] && die "apt-get update failed in the chroot; see $work/build.log"
    sleep 10
done
echo 'zfs-dkms zfs-dkms/note-incompatible-licenses note' | in_root debconf-set-selections

log "installing kernel and headers"
apt_install "${kernel_target[@]}" linux-image-amd64 linux-headers-amd64
kver=$(basename "$(ls -d "$root"/lib/modules/* | sort -V | tail -1)")
log "guest kernel $kver; installing zfs-dkms + zfsutils-linux (dkms compile, slow)"
apt_install "${zfs_target[@]}" zfs-dkms zfsutils-linux

zfsver=$(in_root dpkg-query -W -f '${Version}' zfs-dkms)
dkmsver=${zfsver%%-*}
if ! in_root dkms status -k "$kver" zfs 2>/dev/null | grep -q installed; then
    log "dkms did not build zfs for $kver during install; building it now"
    in_root dkms install "zfs/$dkmsver" -k "$kver" >>"$work/build.log" 2>&1 \
        || die "dkms install zfs/$dkmsver -k $kver failed; see $work/build.log"
fi
in_root dkms status -k "$kver" zfs | tee -a "$work/build.log" >&2
modver=$(in_root modinfo -k "$kver" -F version zfs) \
    || die "no zfs module for guest kernel $kver after the dkms build"
log "zfs module $modver for $kver"

# PID 1 of the guest: mount the job share and hand over to the runner's boot.sh.
cat >"$root/sbin/zse-init" <<'INIT'
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
modprobe 9pnet_virtio 2>/dev/null; modprobe 9p 2>/dev/null
mkdir -p /job
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job /job && [ -f /job/boot.sh ]; then
    exec /bin/sh /job/boot.sh
fi
echo "zse-init: no job share with boot.sh; powering off" >/dev/console
echo o >/proc/sysrq-trigger
sleep 5
echo b >/proc/sysrq-trigger
INIT
chmod 755 "$root/sbin/zse-init"
printf '/dev/vda / ext4 rw,noatime 0 1\n' >"$root/etc/fstab"

cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
# Not needed at run time: build trees, apt caches, docs.
in_root apt-get clean
rm -rf "$root"/var/lib/dkms/zfs/*/build "$root"/usr/src/zfs-* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
cleanup_mounts

used=$(du -sm "$root" | cut -f1)
size=$((used + 1536))
log "making ${size} MB ext4 image (root fs uses ${used} MB)"
truncate -s "${size}M" "$work/disk.img"
mkfs.ext4 -q -F -L zse-root -d "$root" "$work/disk.img" >>"$work/build.log" 2>&1 \
    || die "mkfs.ext4 -d failed; see $work/build.log"
rm -rf "$root"

secs=$(( $(date +%s) - start ))
{
    echo "flavour=$flavour"
    echo "kernel=$kver"
    echo "zfs_package=$zfsver"
    echo "zfs_module=$modver"
    echo "build_seconds=$secs"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$work/versions.txt"
rm -rf "$out"
mv "$work" "$out"
log "image for flavour $flavour built in ${secs}s: $out"
echo "$out"
