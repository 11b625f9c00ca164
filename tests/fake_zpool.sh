#!/bin/sh
# A stand-in for `zpool`, for the end-to-end tests only (never installed).
# FAKE_ZPOOL_CONTROL  file sourced first, if it exists: tests change the
#                     variables below between scrapes by writing it
# FAKE_ZPOOL_OUTPUT   file to print, without its first line if that is TEST_TIMESTAMP=...
# FAKE_ZPOOL_STDERR   text to print on stderr
# FAKE_ZPOOL_SLEEP    seconds to sleep before printing
# FAKE_ZPOOL_EXIT     exit status (default 0)
# FAKE_ZPOOL_PIDFILE  file to append this process' pid to
if [ -n "$FAKE_ZPOOL_CONTROL" ] && [ -f "$FAKE_ZPOOL_CONTROL" ]; then . "$FAKE_ZPOOL_CONTROL"; fi
if [ -n "$FAKE_ZPOOL_PIDFILE" ]; then echo $$ >>"$FAKE_ZPOOL_PIDFILE"; fi
if [ -n "$FAKE_ZPOOL_SLEEP" ]; then sleep "$FAKE_ZPOOL_SLEEP"; fi
if [ -n "$FAKE_ZPOOL_OUTPUT" ]; then sed '1{/^TEST_TIMESTAMP=/d;}' "$FAKE_ZPOOL_OUTPUT"; fi
if [ -n "$FAKE_ZPOOL_STDERR" ]; then printf '%s\n' "$FAKE_ZPOOL_STDERR" >&2; fi
exit "${FAKE_ZPOOL_EXIT:-0}"
