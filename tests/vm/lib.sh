# Shared host-side helpers for the real-ZFS VM tests (sourced, not executed).
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
REPO_DIR=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE_DIR=${ZSE_VM_CACHE:-/var/cache/zpool-status-exporter-vm}
VM_MIRROR=${ZSE_VM_MIRROR:-http://deb.debian.org/debian}

log() { printf '[vm %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

check_flavour() {
    case "$1" in
        2.1|2.3|2.4) ;;
        *) die "unknown flavour '$1' (expected 2.1, 2.3 or 2.4)" ;;
    esac
}

# Cache key: hash of everything that determines the image contents.
image_key() {
    local flavour=$1
    { printf 'flavour=%s mirror=%s\n' "$flavour" "$VM_MIRROR"; cat "$VM_DIR/build-image.sh"; } \
        | sha256sum | cut -c1-16
}

image_dir() { printf '%s/zfs-%s-%s\n' "$VM_CACHE_DIR" "$1" "$(image_key "$1")"; }

# Install the host tools if they are missing (Debian/Ubuntu hosts, needs root).
ensure_host_tools() {
    local missing=()
    command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
    command -v timeout >/dev/null || missing+=(coreutils)
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing host tools (${missing[*]}) and not root to install them"
    log "installing host tools: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || true
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
        # qemu-utils from bookworm-backports blocks the bookworm qemu-system-x86:
        # take qemu from backports too.
        if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
            printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$VM_MIRROR" >/etc/apt/sources.list.d/zse-vm-backports.sources
            apt-get update -q >/dev/null || true
        fi
        apt-get install -y -q --no-install-recommends -t bookworm-backports "${missing[@]}" >/dev/null \
            || die "could not install host tools: ${missing[*]}"
    fi
}
