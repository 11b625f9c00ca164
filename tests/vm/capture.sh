#!/usr/bin/env bash
# Captures golden-file fixtures from real ZFS in one command:
#
#   tests/vm/capture.sh [--flavour 2.1|2.3|2.4|all] [SCENARIO...]
#
# Runs the scenarios (tests/vm/run.sh --capture); every `capture NAME ...` in a
# scenario writes fixtures/vm-<flavour>-NAME.input (first line
# TEST_TIMESTAMP=<guest clock>, then the verbatim `zpool status -p`). Then
# `UPDATE_FIXTURES=1 cargo test --test fixtures` writes the .expected files:
# review them (git diff fixtures/) before committing. The captured names and
# their descriptions are listed at the end (and in target/vm-captured.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# The whole script is one block, parsed before it runs: editing this file
# while a run is going on cannot derail that run.
{
mkdir -p "$REPO_DIR/target"
: >"$REPO_DIR/target/vm-captured.txt"
rc=0
"$VM_DIR/run.sh" --capture "$@" || rc=$?
[ "$rc" = 0 ] || log "some scenarios failed (rc $rc); their captures are kept, review them with care"
if [ -s "$REPO_DIR/target/vm-captured.txt" ]; then
    log "generating .expected files: UPDATE_FIXTURES=1 cargo test --test fixtures"
    (cd "$REPO_DIR" && UPDATE_FIXTURES=1 cargo test --quiet --test fixtures) || rc=1
    echo "captured fixtures:"
    sort -u "$REPO_DIR/target/vm-captured.txt" | sed 's/^/  /'
fi
exit "$rc"
exit
}
