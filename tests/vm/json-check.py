#!/usr/bin/env python3
"""The JSON witness: compares the exporter's /metrics with what OpenZFS itself
reports about the same pools at the same moment.

    json-check.py --metrics FILE --scrape-time UNIX [--json FILE] [--status FILE]
                  [--kstat DIR] [--get FILE]

--json    `zpool status -j --json-int` (2.3+): pool and vdev states, error
          counters, error count, scan figures, message id.
--status  `zpool status -p` text: each pool's `state:` line, compared with kstat.
--kstat   the kstat directory (/proc/spl/kstat/zfs): each pool's `state` file.
--get     `zpool get -Hp size,allocated,free`: the capacity families.
Always: zpool_exporter_build_info, and command_success 1 for status and list.

A family is compared when the scrape has it; the families this branch's
exporter must serve (REQUIRED) are asserted present. Every mismatch prints
both sides; the exit status is 1 on any mismatch, 2 on bad input.
Python 3 standard library only (runs in the qemu guest).

Where the text `zpool status` prints and the JSON legitimately differ, the
mapping below follows the OpenZFS code that prints the text
(cmd/zpool/zpool_main.c and lib/libzfs of zfs-2.3.x / zfs-2.4.x):
 - vdev states: JSON gives the raw vdev_state_str[] name and the aux reason
   (vdev_stats_nvlist / fill_vdev_info); the text prints
   zpool_state_to_name(state, aux) (lib/libzfs/libzfs_pool.c), reproduced in
   text_state().
 - a vdev whose name zpool_find_vdev() cannot look up (dRAID top-level vdevs)
   has no "state" in JSON (fill_vdev_info): its state is not compared.
 - hot spares: JSON and text both say INUSE (aux SPARED) or AVAIL (healthy);
   spares have no error counters in either (vdev_stats_nvlist, print_status_config).
 - scan: the text prints at most one scrub line and one resilver line chosen
   by print_scan_status(); scan_entries() reproduces that choice from
   scan_stats and scan_stats.rebuild_stats, and the exporter's own rule then
   picks one of them (src/parse/scan.rs choose_scan: running or paused first,
   then recognized, then the latest date).
"""

import argparse
import json
import math
import os
import re
import sys

NEVER_SCANNED_AGE_HOURS = 876000.0

# The exporter's enum values (src/model.rs; the metric contract).
POOL_STATE = {"ONLINE": 10, "OFFLINE": 25, "SPLIT": 26, "DEGRADED": 50,
              "FAULTED": 60, "SUSPENDED": 70, "REMOVED": 80, "UNAVAIL": 100}
DEV_STATE = {"ONLINE": 10, "AVAIL": 11, "OFFLINE": 25, "SPLIT": 26, "INUSE": 27,
             "DEGRADED": 50, "FAULTED": 60, "SUSPENDED": 70, "REMOVED": 80,
             "UNAVAIL": 100}
SCAN = {"ScrubRepaired": 10, "Resilvered": 15, "ScrubInProgress": 30,
        "ResilverInProgress": 31, "ScrubPaused": 32, "ScrubCanceled": 35,
        "ResilverCanceled": 36, "NeverScanned": 40, "Unrecognized": 1,
        "UnknownMissing": 0}
IN_PROGRESS = {"ScrubInProgress", "ResilverInProgress", "ScrubPaused"}
ERROR_STATE = {"UnknownMissing": 0, "Ok": 10, "DataErrors": 50}

# Families every scrape of a pool must carry on this branch (per pool).
REQUIRED = ["zpool_pool_state", "zpool_pool_status_desc", "zpool_scan_state",
            "zpool_scan_age", "zpool_error_state", "zpool_dev_state",
            "zpool_dev_errors_read", "zpool_dev_errors_write",
            "zpool_dev_errors_checksum"]

# Families from issue 8 (merged): compared when the scrape has them, and
# asserted present wherever the text states their figure.
BRANCH_FAMILIES = {
    "zpool_scan_start_timestamp_seconds", "zpool_scan_end_timestamp_seconds",
    "zpool_scan_duration_seconds", "zpool_scan_errors", "zpool_scan_repaired_bytes",
    "zpool_scan_progress_ratio", "zpool_scan_scanned_bytes", "zpool_scan_issued_bytes",
    "zpool_scan_total_bytes", "zpool_data_errors", "zpool_pool_status_info",
}

# Issue 9 (merged): per-pool capacity from `zpool list` and the exporter's own health.
CAPACITY = {"size": "zpool_pool_size_bytes", "allocated": "zpool_pool_allocated_bytes",
            "free": "zpool_pool_free_bytes"}

# The exporter's class section names (the text's headers) by JSON key.
CLASSES = [("logs", "logs"), ("special", "special"), ("dedup", "dedup"),
           ("l2cache", "cache"), ("spares", "spares")]


class Report:
    """Collects comparisons; prints every mismatch with both sides."""

    def __init__(self):
        self.checked = 0
        self.mismatches = 0

    def same(self, what, exporter, zfs, ok=None):
        self.checked += 1
        good = (exporter == zfs) if ok is None else ok
        if not good:
            self.mismatches += 1
            print(f"MISMATCH {what}: exporter {exporter!r}, zfs {zfs!r}")
        return good

    def note(self, text):
        print(f"note: {text}")


# --- the exposition text ------------------------------------------------------
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')


def parse_labels(text):
    labels, i = {}, 0
    while i < len(text):
        eq = text.index("=", i)
        name = text[i:eq].strip(", ")
        j, value = eq + 2, []
        while text[j] != '"':
            if text[j] == "\\":
                j += 1
                value.append({"n": "\n"}.get(text[j], text[j]))
            else:
                value.append(text[j])
            j += 1
        labels[name] = "".join(value)
        i = j + 1
        while i < len(text) and text[i] in ", ":
            i += 1
    return labels


def parse_metrics(text):
    """{family: [(labels, value)]} of every sample."""
    families = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"unparsable metrics line {line!r}")
        labels = parse_labels(m.group(3)) if m.group(3) else {}
        families.setdefault(m.group(1), []).append((labels, float(m.group(4))))
    return families


def by_pool(families, family):
    """{pool: value} of a per-pool family."""
    return {labels["pool"]: v for labels, v in families.get(family, [])}


def by_dev(families, family, pool):
    return {labels["dev"]: v for labels, v in families.get(family, [])
            if labels.get("pool") == pool}


# --- ZFS side -----------------------------------------------------------------
def num(value):
    """A --json-int number (older builds may still give strings)."""
    if isinstance(value, (int, float)):
        return value
    return int(value)


def text_state(vdev, spare=False):
    """The state word `zpool status` prints for a JSON vdev (zpool_state_to_name)."""
    state = vdev.get("state")
    if state is None:
        return None
    if spare and state in ("INUSE", "AVAIL"):
        return state
    aux = vdev.get("aux", "NONE")
    if state in ("CLOSED", "OFFLINE"):
        return "OFFLINE"
    if state == "CANT_OPEN":
        if aux in ("CORRUPT_DATA", "BAD_LOG"):
            return "FAULTED"
        if aux == "SPLIT_POOL":
            return "SPLIT"
        return "UNAVAIL"
    if state == "HEALTHY":
        return "ONLINE"
    return state  # REMOVED, FAULTED, DEGRADED, ONLINE: printed as is


def walk_vdevs(pool_json, pool_name):
    """[(dev path as the exporter labels it, json vdev, is spare)] in text order."""
    out = []

    def walk(children, prefix, spare):
        for name, vdev in children.items():
            path = f"{prefix}/{name}" if prefix else name
            out.append((path, vdev, spare))
            walk(vdev.get("vdevs", {}), path, spare)

    tree = pool_json.get("vdevs", {})
    root = tree.get(pool_name)
    if root is not None:
        out.append(("__root__", root, False))
        walk(root.get("vdevs", {}), "", False)
    for key, section in CLASSES:
        walk(pool_json.get(key, {}) or {}, section, key == "spares")
    return out


def scan_entries(pool_json):
    """The scan lines `zpool status` prints (print_scan_status), as
    [(kind, date, figures)], figures being what the line states."""
    scan = pool_json.get("scan_stats")
    if not scan:
        return []
    entries = []
    func, state = scan.get("function", "NONE"), scan.get("state", "NONE")
    start, end = num(scan.get("start_time", 0)), num(scan.get("end_time", 0))
    pause = num(scan.get("scrub_pause", 0))
    err_start = num(scan.get("err_scrub_start_time", 0)) if "err_scrub_func" in scan else 0
    figures = {k: num(scan[k]) for k in ("examined", "issued", "processed", "to_examine",
                                         "skipped", "errors") if k in scan}

    def scrub_like():
        if state == "FINISHED":
            return ("ScrubRepaired" if func == "SCRUB" else "Resilvered", end,
                    dict(figures, start=start, end=end))
        if state == "CANCELED":
            return ("ScrubCanceled" if func == "SCRUB" else "ResilverCanceled", end,
                    {"end": end})
        if func == "SCRUB" and pause:
            # the exporter dates a paused scrub by its "scrub started on" line (3c99d4a)
            return ("ScrubPaused", start, dict(figures, start=start))
        return ("ScrubInProgress" if func == "SCRUB" else "ResilverInProgress", start,
                dict(figures, start=start))

    if func == "SCRUB" and start > err_start:
        entries.append(scrub_like())
    elif "err_scrub_func" in scan:
        date = (num(scan.get("err_scrub_end_time", 0))
                if scan.get("err_scrub_state") in ("FINISHED", "CANCELED") else err_start)
        entries.append(("Unrecognized", date, {}))

    rebuilds = scan.get("rebuild_stats", {}) or {}
    active_rebuild = any(r.get("state") == "ACTIVE" for r in rebuilds.values())
    rebuild_end = 0 if active_rebuild else max(
        [num(r.get("end_time", 0)) for r in rebuilds.values()] or [0])
    have_rebuild = active_rebuild or rebuild_end > 0
    active_resilver = func == "RESILVER" and state == "SCANNING"
    resilver_end = end if func == "RESILVER" else 0
    if active_resilver or (not active_rebuild and func == "RESILVER" and resilver_end
                           and resilver_end > rebuild_end):
        entries.append(scrub_like())
    elif active_rebuild or (not active_resilver and have_rebuild and rebuild_end
                            and rebuild_end > resilver_end):
        for r in rebuilds.values():
            rs = r.get("state")
            rstart, rend = num(r.get("start_time", 0)), num(r.get("end_time", 0))
            rfig = {"examined": num(r.get("scanned", 0)), "issued": num(r.get("issued", 0)),
                    "processed": num(r.get("rebuilt", 0)), "to_examine": num(r.get("to_scan", 0)),
                    "errors": num(r.get("errors", 0)), "rebuild": True}
            if rs == "COMPLETE":
                # print_rebuild_status_impl: "in" the scan time, not end - start
                rfig.update(start=rstart, end=rend,
                            duration=num(r.get("scan_time", 0)) // 1_000_000_000)
                entries.append(("Resilvered", rend, rfig))
            elif rs == "CANCELED":
                entries.append(("ResilverCanceled", rend, {"end": rend}))
            elif rs == "ACTIVE":
                rfig.update(start=rstart)
                entries.append(("ResilverInProgress", rstart, rfig))
    return entries


def chosen_scan(entries):
    """The exporter's choice among the printed scan lines (choose_scan)."""
    best = None
    for entry in entries:
        rank = (entry[0] in IN_PROGRESS, entry[0] != "Unrecognized", entry[1] or -1)
        if best is None or rank > best[0]:
            best = (rank, entry)
    return best[1] if best else None


def close_bytes(exporter, zfs):
    """Equal within the rounding of zfs_nicebytes (3 significant digits)."""
    return abs(exporter - zfs) <= max(0.005 * max(abs(exporter), abs(zfs)), 1.0)


# --- the checks ---------------------------------------------------------------
def check_json(rep, fam, doc, scrape_time):
    pools = doc.get("pools", {})
    names = {p.get("name", key) for key, p in pools.items()}
    rep.same("pools in the scrape", sorted(by_pool(fam, "zpool_pool_state")), sorted(names))
    for key, pool in pools.items():
        name = pool.get("name", key)
        check_pool(rep, fam, name, pool, scrape_time)


def check_pool(rep, fam, name, pool, scrape_time):
    p = f"pool {name}"
    for family in REQUIRED:
        present = any(lbl.get("pool") == name for lbl, _ in fam.get(family, []))
        rep.same(f"{p}: family {family} present", present, True)
    rep.same(f"{p}: zpool_pool_state", by_pool(fam, "zpool_pool_state").get(name),
             float(POOL_STATE.get(pool.get("state"), 1)))

    states = by_dev(fam, "zpool_dev_state", name)
    counters = {c: by_dev(fam, f"zpool_dev_errors_{c}", name)
                for c in ("read", "write", "checksum")}
    seen = []
    for path, vdev, spare in walk_vdevs(pool, name):
        seen.append(path)
        want = text_state(vdev, spare)
        if want is None:
            rep.note(f"{p}: {path} has no state in JSON (fill_vdev_info found no vdev "
                     f"by that name, as for dRAID top-level vdevs): state not compared")
        else:
            rep.same(f"{p}: zpool_dev_state {path}", states.get(path),
                     float(DEV_STATE.get(want, 1)))
        for c, samples in counters.items():
            key = f"{c}_errors"
            if key in vdev:
                rep.same(f"{p}: zpool_dev_errors_{c} {path}", samples.get(path),
                         float(num(vdev[key])))
            else:
                rep.same(f"{p}: no zpool_dev_errors_{c} for {path} (no counters in JSON)",
                         samples.get(path), None)
    rep.same(f"{p}: device rows", sorted(states), sorted(seen))

    # errors: line. errors_nvlist and the text both read ZPOOL_CONFIG_ERRCOUNT.
    if "error_count" in pool:
        count = num(pool["error_count"])
        want = "Ok" if count == 0 else "DataErrors"
        rep.same(f"{p}: zpool_data_errors", by_pool(fam, "zpool_data_errors").get(name),
                 float(count))
    else:
        want = "UnknownMissing"
    rep.same(f"{p}: zpool_error_state", by_pool(fam, "zpool_error_state").get(name),
             float(ERROR_STATE[want]))

    # see: line. Printed, like JSON's msgid, exactly when zpool_get_status gives one.
    got = sorted(lbl.get("msgid") for lbl, _ in fam.get("zpool_pool_status_info", [])
                 if lbl.get("pool") == name)
    rep.same(f"{p}: zpool_pool_status_info msgid", got,
             [pool["msgid"]] if pool.get("msgid") else [])

    entries = scan_entries(pool)
    if not entries and not (pool.get("state") == "ONLINE" and "status" not in pool):
        # No scan line is printed when the pool was never scanned (spa_scan_get_stats
        # gives ENOENT for POOL_SCAN_NONE, so print_scan_status prints nothing), but
        # the exporter's contract (src/parse/mod.rs PoolBuilder::finish, the design's
        # "broken" case) says NeverScanned only for an ONLINE pool without status:
        # and UnknownMissing (0) otherwise. A deliberate rule, not a parse error.
        rep.note(f"{p}: no scan line on a pool with a status: or not ONLINE: "
                 f"the exporter's contract gives UnknownMissing (0), not NeverScanned")
        entries = [("UnknownMissing", None, {})]
    check_scan(rep, fam, p, name, entries, scrape_time)


def check_scan(rep, fam, p, name, entries, scrape_time):
    chosen = chosen_scan(entries)
    kind, date, figures = chosen if chosen else ("NeverScanned", None, {})
    rep.same(f"{p}: zpool_scan_state", by_pool(fam, "zpool_scan_state").get(name),
             float(SCAN[kind]))
    age = by_pool(fam, "zpool_scan_age").get(name)
    if kind in ("NeverScanned", "UnknownMissing", "ScrubCanceled", "ResilverCanceled") or not date:
        rep.same(f"{p}: zpool_scan_age", age, NEVER_SCANNED_AGE_HOURS)
    else:
        want = (scrape_time - date) / 3600.0
        # the exporter's clock reads the scrape start; ours brackets it within seconds
        rep.same(f"{p}: zpool_scan_age (hours since {date})", age, round(want, 4),
                 ok=age is not None and abs(age - want) <= 10 / 3600.0)

    def exact(family, value):
        if family in fam or (value is not None and family in BRANCH_FAMILIES):
            rep.same(f"{p}: {family}", by_pool(fam, family).get(name),
                     None if value is None else float(value))

    def approx(family, value):
        if family not in fam and (value is None or family not in BRANCH_FAMILIES):
            return
        got = by_pool(fam, family).get(name)
        if value is None:
            rep.same(f"{p}: {family}", got, None)
        else:
            rep.same(f"{p}: {family}", got, value,
                     ok=got is not None and close_bytes(got, value))

    if kind == "Unrecognized":
        # an error scrub's ` scrub:` line (print_err_scrub_status): only its date
        # is modelled here; the exporter's figures for it are not compared
        rep.note(f"{p}: the chosen scan is an error scrub line: its figures not compared")
        return
    finished = kind in ("ScrubRepaired", "Resilvered")
    running = kind in IN_PROGRESS
    exact("zpool_scan_start_timestamp_seconds", figures.get("start") if running else None)
    exact("zpool_scan_end_timestamp_seconds",
          figures.get("end") if kind in ("ScrubRepaired", "Resilvered", "ScrubCanceled",
                                         "ResilverCanceled") else None)
    if finished:
        exact("zpool_scan_duration_seconds",
              figures.get("duration", figures.get("end", 0) - figures.get("start", 0)))
        exact("zpool_scan_errors", figures.get("errors"))
    else:
        exact("zpool_scan_duration_seconds", None)
        exact("zpool_scan_errors", None)
    approx("zpool_scan_repaired_bytes", figures.get("processed") if finished or running else None)
    if running:
        approx("zpool_scan_scanned_bytes", figures.get("examined"))
        approx("zpool_scan_issued_bytes", figures.get("issued"))
        total = figures.get("to_examine")
        approx("zpool_scan_total_bytes", total)
        got = by_pool(fam, "zpool_scan_progress_ratio").get(name)
        if figures.get("rebuild"):
            # print_rebuild_status_impl: scanned * 100 / (est + 1), at most 100
            want = min(figures["examined"] / (total + 1), 1.0)
        else:
            # print_scan_scrub_resilver_status: issued / (to_examine - skipped)
            denom = total - figures.get("skipped", 0)
            want = figures["issued"] / denom if denom else None
        if want is None:
            # 0 / 0 prints "nan% done" (or "-nan%"): no figure in the text
            rep.same(f"{p}: zpool_scan_progress_ratio (text says nan%)", got, None,
                     ok=got is None or math.isnan(got))
        else:
            # printed with %.2f%%: within 0.005 percent points
            rep.same(f"{p}: zpool_scan_progress_ratio", got, want,
                     ok=got is not None and abs(got - want) <= 0.00006)
    else:
        # (zpool_scan_remaining_seconds of a running scan is not compared: the
        # text's estimate comes from rates over the exporter's own run)
        for family in ("zpool_scan_scanned_bytes", "zpool_scan_issued_bytes",
                       "zpool_scan_total_bytes", "zpool_scan_progress_ratio",
                       "zpool_scan_remaining_seconds"):
            exact(family, None)


def text_pool_states(text):
    """{pool: state} from the `pool:` / `state:` lines of `zpool status`."""
    out, pool = {}, None
    for line in text.splitlines():
        m = re.match(r"^ *pool: (.*)$", line)
        if m:
            pool = m.group(1)
            continue
        m = re.match(r"^ *state: (\S+)", line)
        if m and pool is not None:
            out[pool] = m.group(1)
            pool = None
    return out


def check_kstat(rep, fam, text, kstat_dir):
    """kstat's state (spa_state_to_name) against the text's state: line
    (zpool_get_state_str), and against the exporter when it has the pool."""
    states = text_pool_states(text)
    kstat = {}
    for entry in sorted(os.listdir(kstat_dir)):
        path = os.path.join(kstat_dir, entry, "state")
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                kstat[entry] = f.read().strip()
    rep.same("pools in kstat and in zpool status", sorted(kstat), sorted(states))
    exported = by_pool(fam, "zpool_pool_state")
    for pool, state in states.items():
        rep.same(f"pool {pool}: kstat state", kstat.get(pool), state)
        rep.same(f"pool {pool}: zpool_pool_state against kstat", exported.get(pool),
                 float(POOL_STATE.get(kstat.get(pool), 1)))


def check_get(rep, fam, text):
    """`zpool get -Hp size,allocated,free` against the capacity families, which
    must be there for every pool `zpool get` lists."""
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[1] not in CAPACITY:
            continue
        pool, prop, value = parts[0], parts[1], parts[2]
        got = by_pool(fam, CAPACITY[prop]).get(pool)
        want = None if value == "-" else float(value)
        if prop == "size" or want is None or got is None:
            rep.same(f"pool {pool}: {CAPACITY[prop]} (zpool get {prop})", got, want)
        else:
            # allocated/free move between the two runs whenever a txg syncs
            # metadata (a running scan rewrites its state every txg:
            # dsl_scan_sync -> dsl_scan_sync_state): equal within 1 MiB
            rep.same(f"pool {pool}: {CAPACITY[prop]} (zpool get {prop}, within 1 MiB)",
                     got, want, ok=abs(got - want) <= 1 << 20)


def check_self(rep, fam):
    """The exporter's own health on a scrape where both commands worked."""
    rep.same("zpool_exporter_build_info present", "zpool_exporter_build_info" in fam, True)
    success = {lbl.get("command"): v for lbl, v in fam.get("zpool_exporter_command_success", [])}
    rep.same("zpool_exporter_command_success", success, {"status": 1.0, "list": 1.0})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--scrape-time", type=float, required=True)
    ap.add_argument("--json")
    ap.add_argument("--status")
    ap.add_argument("--kstat")
    ap.add_argument("--get")
    args = ap.parse_args()
    try:
        with open(args.metrics, encoding="utf-8") as f:
            fam = parse_metrics(f.read())
        doc = None
        if args.json:
            with open(args.json, encoding="utf-8") as f:
                doc = json.load(f)
    except (OSError, ValueError) as err:
        print(f"json-check: bad input: {err}")
        return 2
    rep = Report()
    if doc is not None:
        check_json(rep, fam, doc, args.scrape_time)
    if args.status and args.kstat:
        with open(args.status, encoding="utf-8") as f:
            check_kstat(rep, fam, f.read(), args.kstat)
    if args.get:
        with open(args.get, encoding="utf-8") as f:
            check_get(rep, fam, f.read())
    check_self(rep, fam)
    print(f"json-check: {rep.checked} comparisons, {rep.mismatches} mismatches")
    return 1 if rep.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
