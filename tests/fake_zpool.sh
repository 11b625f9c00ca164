#!/bin/sh
# A stand-in for `zpool`, for the end-to-end tests only (never installed).
# FAKE_ZPOOL_CONTROL  file sourced first, if it exists: tests change the
#                     variables below between scrapes by writing it
# For `zpool status` (any first argument but `list`):
# FAKE_ZPOOL_OUTPUT   file to print, without its first line if that is TEST_TIMESTAMP=...
# FAKE_ZPOOL_STDERR   text to print on stderr
# FAKE_ZPOOL_SLEEP    seconds to sleep before printing
# FAKE_ZPOOL_EXIT     exit status (default 0)
# FAKE_ZPOOL_PIDFILE  file to append this process' pid to
# For `zpool list`, the same with FAKE_ZPOOL_LIST_ in front (OUTPUT, STDERR,
# SLEEP, EXIT, PIDFILE); unset, `list` prints nothing and succeeds.
if [ -n "$FAKE_ZPOOL_CONTROL" ] && [ -f "$FAKE_ZPOOL_CONTROL" ]; then . "$FAKE_ZPOOL_CONTROL"; fi
if [ "$1" = list ]; then
  FAKE_ZPOOL_OUTPUT=$FAKE_ZPOOL_LIST_OUTPUT
  FAKE_ZPOOL_STDERR=$FAKE_ZPOOL_LIST_STDERR
  FAKE_ZPOOL_SLEEP=$FAKE_ZPOOL_LIST_SLEEP
  FAKE_ZPOOL_EXIT=$FAKE_ZPOOL_LIST_EXIT
  FAKE_ZPOOL_PIDFILE=$FAKE_ZPOOL_LIST_PIDFILE
fi
if [ -n "$FAKE_ZPOOL_PIDFILE" ]; then echo $$ >>"$FAKE_ZPOOL_PIDFILE"; fi
if [ -n "$FAKE_ZPOOL_SLEEP" ]; then sleep "$FAKE_ZPOOL_SLEEP"; fi
if [ -n "$FAKE_ZPOOL_OUTPUT" ]; then sed '1{/^TEST_TIMESTAMP=/d;}' "$FAKE_ZPOOL_OUTPUT"; fi
if [ -n "$FAKE_ZPOOL_STDERR" ]; then printf '%s\n' "$FAKE_ZPOOL_STDERR" >&2; fi
exit "${FAKE_ZPOOL_EXIT:-0}"
