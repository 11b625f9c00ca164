#!/usr/bin/env bash
# Nix checks that need no Nix store and no network beyond Debian and
# crates.io (called by .ci/run; runnable on its own from any directory):
#   1. every .nix file parses           (nix-instantiate --parse, Debian nix-bin)
#   2. every .nix file is formatted     (alejandra --check, pinned below)
#   3. nixos/module.nix evaluates and renders what nixos/eval-test.nix
#      expects (nix-instantiate --eval --strict against nixpkgs' lib).
#      The library is ../shared/nixpkgs-lib/lib beside the project (CI has it
#      there too); NIXPKGS_LIB overrides it (a checkout of nixpkgs or of
#      nix-community/nixpkgs.lib, or the lib/ directory inside either).
#      With neither this step FAILS: CI must evaluate the module.
# Building the package and running the NixOS VM tests needs a real Nix
# installation: `nix build .#ci` (or `nix flake check`).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

# crates.io has alejandra only as a library, so nixos/alejandra-check wraps
# exactly this version in an `alejandra` binary (a real alejandra CLI of
# the same version is accepted too).
ALEJANDRA_VERSION=3.1.0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

echo "--- nix-check: tools"
if ! command -v nix-instantiate >/dev/null; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq nix-bin >/dev/null
fi
nix-instantiate --version

if ! alejandra --version 2>/dev/null | grep -qiE "^alejandra ${ALEJANDRA_VERSION//./\\.}( |$)"; then
  target_dir=$(mktemp -d)
  CARGO_TARGET_DIR="$target_dir" cargo install --quiet --locked --force --path nixos/alejandra-check
  rm -rf "$target_dir"
fi
alejandra --version

# The dummy store: nothing here reads or writes /nix/store.
nix=(--store dummy://)

mapfile -t files < <(find . \( -name .git -o -name target -o -name result \) -prune -o -type f -name '*.nix' -print | sort)
if [ "${#files[@]}" = 0 ]; then
  echo "nix-check: no .nix files found" >&2
  exit 1
fi
failed=()

echo "--- nix-check: parse (${#files[@]} files)"
for f in "${files[@]}"; do
  if ! nix-instantiate "${nix[@]}" --parse "$f" >/dev/null; then
    echo "nix-check: $f does not parse" >&2
    failed+=("parse $f")
  fi
done

echo "--- nix-check: alejandra --check (${#files[@]} files)"
if ! alejandra --check "${files[@]}"; then
  echo "nix-check: run \`alejandra FILE...\` (version $ALEJANDRA_VERSION) to format" >&2
  failed+=("format")
fi

echo "--- nix-check: module evaluation test"
NIXPKGS_LIB=${NIXPKGS_LIB:-$(cd .. && pwd)/shared/nixpkgs-lib/lib}
if [ ! -e "$NIXPKGS_LIB/default.nix" ] && [ ! -e "$NIXPKGS_LIB/lib/default.nix" ]; then
  echo "nix-check: no nixpkgs library at $NIXPKGS_LIB (expected ../shared/nixpkgs-lib/lib" >&2
  echo "  beside the project, or NIXPKGS_LIB=/path/to/nixpkgs)" >&2
  failed+=("module evaluation (no nixpkgs library)")
else
  echo "nixpkgs library: $NIXPKGS_LIB"
  if ! nix-instantiate "${nix[@]}" --eval --strict nixos/eval-test.nix --argstr nixpkgsLib "$NIXPKGS_LIB"; then
    failed+=("module evaluation")
  fi
fi

if [ "${#failed[@]}" != 0 ]; then
  printf 'nix-check: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "nix-check: all .nix files parse and are formatted; module evaluation passed"
