//! `scan:` lines: what kind of scan, when, its figures, and which of several counts.

use jiff::civil::DateTime;
use jiff::{Timestamp, Zoned};

use super::units::{parse_digits, parse_duration, parse_percent, parse_size};
use crate::model::{Scan, ScanFigures, ScanState};
use crate::swar::find_byte;

/// Reads the first line of one `scan:` entry (the text after the label).
///
/// The date is ctime-formatted in the host's local time zone
/// (`Sun Nov  1 03:04:05 2026`) and always ends the line; it is read in
/// `now`'s time zone. The weekday is not checked. The figures the line
/// states (end or start date, duration, errors, repaired size; Solaris'
/// one-line progress) are read too; continuation lines add theirs with
/// [`read_scan_continuation`].
#[must_use]
pub fn parse_scan_line(text: &str, now: &Zoned) -> Scan {
    let text = text.trim();
    let state = scan_kind(text);
    let mut figures = ScanFigures::default();
    let time = if state == ScanState::NeverScanned {
        None
    } else {
        let time = trailing_ctime(text, now);
        read_first_line(text, time, &mut figures);
        read_progress(text, &mut figures);
        time
    };
    Scan {
        state,
        time,
        figures,
    }
}

/// Reads one continuation line of a `scan:` entry into `scan`: the progress
/// figures of a running or paused scan (`A scanned at R/s, B issued at R/s,
/// C total`, `A / C scanned, B / C issued`, `A scanned out of C at R/s, XhYm
/// to go`, `S repaired, P% done, D to go`), or a paused scan's `... started
/// on DATE`.
///
/// A paused scrub's age counts from that start, so for [`ScanState::ScrubPaused`]
/// its `scrub started on DATE` also becomes the scan's `time`.
pub fn read_scan_continuation(line: &str, now: &Zoned, scan: &mut Scan) {
    let text = line.trim();
    let words = words_of(text);
    if let Some(on) = words.iter().position(|w| *w == "on")
        && on > 0
        && words[on - 1] == "started"
    {
        let started = trailing_ctime(text, now);
        if started.is_some() {
            if scan.state == ScanState::ScrubPaused && text.starts_with("scrub started on ") {
                scan.time = started;
            }
            scan.figures.start = scan.figures.start.or(started);
        }
        return;
    }
    read_progress(text, &mut scan.figures);
}

/// The figures of a scan's first line, by its wording: `... in progress
/// since DATE` (start), `... canceled on DATE` (end), `... SIZE in DURATION
/// with N errors on DATE` (end, duration, errors, repaired size), Solaris'
/// `... completed after DURATION with N errors on DATE`, an error scrub's
/// `scrubbed N error blocks in DURATION on DATE`. `date` is the line's
/// trailing date, if it parsed.
fn read_first_line(text: &str, date: Option<Timestamp>, figures: &mut ScanFigures) {
    let words = words_of(text);
    let has = |phrase: &[&str]| words.windows(phrase.len()).position(|w| w == phrase);
    if has(&["in", "progress", "since"]).is_some() {
        figures.start = date;
    } else if has(&["canceled", "on"]).is_some() {
        figures.end = date;
    } else if let Some(with) = words
        .windows(4)
        .rposition(|w| w[0] == "with" && w[2] == "errors" && w[3] == "on")
    {
        figures.end = date;
        figures.errors = parse_digits(words[with + 1]);
        let Some(at) = words[..with]
            .iter()
            .rposition(|w| *w == "in" || *w == "after")
        else {
            return;
        };
        figures.duration_seconds = parse_duration(&words[at + 1..with].join(" "));
        let done = words[..at]
            .iter()
            .position(|w| *w == "repaired" || *w == "resilvered");
        if let Some(done) = done
            && done + 1 < at
        {
            figures.repaired_bytes = parse_size(words[at - 1]);
        }
    } else if words.first() == Some(&"scrubbed")
        && let Some(at) = has(&["error", "blocks", "in"])
        && let Some(on) = words.iter().rposition(|w| *w == "on")
        && at + 3 < on
    {
        figures.end = date;
        figures.duration_seconds = parse_duration(&words[at + 3..on].join(" "));
    }
}

/// The progress figures of one line, clause by clause (clauses are
/// separated by `, `). Clauses it does not know are skipped.
fn read_progress(text: &str, figures: &mut ScanFigures) {
    let mut words: Vec<&str> = Vec::with_capacity(WORDS);
    for clause in clauses(text) {
        words.clear();
        words.extend(clause.split_whitespace());
        let set = |slot: &mut Option<u64>, value: Option<u64>| {
            if value.is_some() {
                *slot = value;
            }
        };
        match words.as_slice() {
            [percent, "done", ..] => {
                if let Some(ratio) = parse_percent(percent) {
                    figures.progress_ratio = Some(ratio);
                }
            }
            [duration @ .., "to", "go"] => {
                set(
                    &mut figures.remaining_seconds,
                    parse_duration(&duration.join(" ")),
                );
            }
            [size, "repaired" | "resilvered"] => set(&mut figures.repaired_bytes, parse_size(size)),
            [scanned, "/", total, "scanned", ..] | [scanned, "scanned", "out", "of", total, ..] => {
                set(&mut figures.scanned_bytes, parse_size(scanned));
                set(&mut figures.total_bytes, parse_size(total));
            }
            [scanned, "scanned", ..] => set(&mut figures.scanned_bytes, parse_size(scanned)),
            [issued, "/", _, "issued", ..] | [issued, "issued", ..] => {
                set(&mut figures.issued_bytes, parse_size(issued));
            }
            [total, "total"] => set(&mut figures.total_bytes, parse_size(total)),
            _ => {}
        }
    }
}

/// Room for the words of a typical scan line (a finished scrub's has 14):
/// no regrowth while collecting them.
const WORDS: usize = 24;

/// The words of `text`, in a vector sized for a scan line.
fn words_of(text: &str) -> Vec<&str> {
    let mut words = Vec::with_capacity(WORDS);
    words.extend(text.split_whitespace());
    words
}

/// The clauses of `text`, as `text.split(", ")` yields them, found with a
/// byte search rather than a substring searcher (cheaper for short lines).
fn clauses(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut from = 0;
        while let Some(comma) = find_byte(&text.as_bytes()[from..], b',') {
            let at = from + comma;
            if text.as_bytes().get(at + 1) == Some(&b' ') {
                rest = Some(&text[at + 2..]);
                return Some(&text[..at]);
            }
            from = at + 1;
        }
        rest = None;
        Some(text)
    })
}

/// The kind of scan a `scan:` line describes, by its opening words.
fn scan_kind(text: &str) -> ScanState {
    if text.starts_with("scrub repaired ") {
        ScanState::ScrubRepaired
    } else if text.starts_with("resilvered ") {
        // Also `resilvered (mirror-0) 220M in ...`: a sequential resilver (2.1+).
        ScanState::Resilvered
    } else if text.starts_with("scrub in progress since ") {
        ScanState::ScrubInProgress
    } else if text.starts_with("resilver in progress since ")
        || (text.starts_with("resilver (") && text.contains(") in progress since "))
    {
        ScanState::ResilverInProgress
    } else if text.starts_with("scrub paused since ") {
        ScanState::ScrubPaused
    } else if text.starts_with("scrub canceled on ") {
        ScanState::ScrubCanceled
    } else if text.starts_with("resilver canceled on ") {
        ScanState::ResilverCanceled
    } else if text == "none requested" {
        ScanState::NeverScanned
    } else {
        ScanState::Unrecognized
    }
}

/// The ctime date that ends `text`, if it ends with one.
fn trailing_ctime(text: &str, now: &Zoned) -> Option<Timestamp> {
    // `Sun Nov  1 03:04:05 2026`: the last four words are month, day, time, year.
    let mut words = text.split_whitespace().rev();
    let year = words.next()?;
    let time = words.next()?;
    let day = words.next()?;
    let month = words.next()?;
    let civil = parse_civil(month, day, time, year)?;
    // As `civil.to_zoned(tz)` reads it (the "compatible" choice in a gap or
    // fold), without cloning the time zone for a `Zoned`.
    now.time_zone().to_timestamp(civil).ok()
}

/// A civil date-time from ctime's month name, day, `HH:MM:SS` and year.
fn parse_civil(month: &str, day: &str, time: &str, year: &str) -> Option<DateTime> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)?;
    let month = i8::try_from(month + 1).ok()?;
    let day: i8 = day.parse().ok()?;
    let year: i16 = year.parse().ok()?;
    let mut hms = time.split(':');
    let hour: i8 = hms.next()?.parse().ok()?;
    let minute: i8 = hms.next()?.parse().ok()?;
    let second: i8 = hms.next()?.parse().ok()?;
    if hms.next().is_some() {
        return None;
    }
    DateTime::new(year, month, day, hour, minute, second, 0).ok()
}

/// Chooses the scan to report from all `scan:` entries of a pool.
///
/// A running or paused scan wins over a finished one; otherwise a recognized
/// scan wins over an unrecognized one, then the most recent by date (an entry
/// without a date loses to one with a date), then the first printed.
#[must_use]
pub fn choose_scan(scans: &[Scan]) -> Option<Scan> {
    let rank = |scan: &Scan| {
        (
            scan.state.is_in_progress(),
            scan.state != ScanState::Unrecognized,
            scan.time,
        )
    };
    let mut best: Option<Scan> = None;
    for scan in scans {
        match best {
            Some(ref current) if rank(scan) <= rank(current) => {}
            _ => best = Some(*scan),
        }
    }
    best
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn utc(secs: i64) -> Zoned {
        Timestamp::from_second(secs)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reads_space_padded_ctime_in_now_zone() {
        let now = utc(1_800_000_000);
        let scan = parse_scan_line(
            "scrub repaired 0B in 00:04:35 with 0 errors on Sun Nov  1 03:04:05 2026",
            &now,
        );
        assert_eq!(scan.state, ScanState::ScrubRepaired);
        assert_eq!(scan.time, Some(ts("2026-11-01T03:04:05Z")));
    }

    #[test]
    fn local_zone_of_now_is_used() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
        let now = Timestamp::from_second(1_800_000_000).unwrap().to_zoned(tz);
        let scan = parse_scan_line("scrub canceled on Mon Jan 12 10:00:00 2026", &now);
        assert_eq!(scan.state, ScanState::ScrubCanceled);
        assert_eq!(scan.time, Some(ts("2026-01-12T08:00:00Z")));
    }

    #[test]
    fn clauses_split_like_str_split() {
        for text in [
            "",
            ",",
            ", ",
            "a, b",
            "a,b, c",
            ",, ,",
            "1,5% done, 2 to go, ",
            "x, , y",
            "é, ü,",
        ] {
            assert_eq!(
                clauses(text).collect::<Vec<_>>(),
                text.split(", ").collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn kinds_by_opening_words() {
        let now = utc(0);
        let cases = [
            (
                "resilvered 1.2G in 0h3m with 0 errors on Sun Nov  1 03:04:05 2026",
                ScanState::Resilvered,
            ),
            (
                "resilvered (mirror-0) 220M in 00:00:17 with 0 errors on Sun Nov  1 03:04:05 2026",
                ScanState::Resilvered,
            ),
            (
                "scrub in progress since Sun Nov  1 03:04:05 2026",
                ScanState::ScrubInProgress,
            ),
            (
                "resilver in progress since Sun Nov  1 03:04:05 2026",
                ScanState::ResilverInProgress,
            ),
            (
                "resilver (draid2:4d:11c:1s-0) in progress since Sun Nov  1 03:04:05 2026",
                ScanState::ResilverInProgress,
            ),
            (
                "scrub paused since Sun Nov  1 03:04:05 2026",
                ScanState::ScrubPaused,
            ),
            (
                "scrub canceled on Sun Nov  1 03:04:05 2026",
                ScanState::ScrubCanceled,
            ),
            (
                "resilver canceled on Sun Nov  1 03:04:05 2026",
                ScanState::ResilverCanceled,
            ),
            ("none requested", ScanState::NeverScanned),
            (
                "error scrub in progress since Sun Nov  1 03:04:05 2026",
                ScanState::Unrecognized,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse_scan_line(line, &now).state, want, "{line}");
        }
    }

    #[test]
    fn unrecognized_keeps_its_date_and_garbage_has_none() {
        let now = utc(0);
        let odd = parse_scan_line("something new on Sun Nov  1 03:04:05 2026", &now);
        assert_eq!(odd.state, ScanState::Unrecognized);
        assert_eq!(odd.time, Some(ts("2026-11-01T03:04:05Z")));
        for junk in [
            "",
            "x",
            "scrub repaired on Foo 99 99:99:99 x",
            "a b c 1:2:3:4 2026",
        ] {
            assert_eq!(parse_scan_line(junk, &now).time, None, "{junk}");
        }
    }

    #[test]
    fn in_progress_wins_then_most_recent() {
        let old = Scan {
            state: ScanState::ScrubRepaired,
            time: Some(ts("2026-01-01T00:00:00Z")),
            figures: ScanFigures::default(),
        };
        let new = Scan {
            state: ScanState::Resilvered,
            time: Some(ts("2026-02-01T00:00:00Z")),
            figures: ScanFigures::default(),
        };
        let running = Scan {
            state: ScanState::ScrubInProgress,
            time: Some(ts("2025-01-01T00:00:00Z")),
            figures: ScanFigures::default(),
        };
        let odd = Scan {
            state: ScanState::Unrecognized,
            time: Some(ts("2027-01-01T00:00:00Z")),
            figures: ScanFigures::default(),
        };
        assert_eq!(choose_scan(&[old, new]), Some(new));
        assert_eq!(choose_scan(&[new, old]), Some(new));
        assert_eq!(choose_scan(&[old, running, new]), Some(running));
        assert_eq!(choose_scan(&[odd, old]), Some(old));
        assert_eq!(choose_scan(&[odd]), Some(odd));
        assert_eq!(choose_scan(&[]), None);
    }

    fn figures(first: &str, rest: &[&str]) -> ScanFigures {
        let now = utc(0);
        let mut scan = parse_scan_line(first, &now);
        for line in rest {
            read_scan_continuation(line, &now, &mut scan);
        }
        scan.figures
    }

    #[allow(clippy::unnecessary_wraps)]
    fn secs(s: &str) -> Option<Timestamp> {
        Some(ts(s))
    }

    #[test]
    fn finished_scans_state_end_duration_errors_repaired() {
        let f = figures(
            "scrub repaired 44.2M in 00:00:01 with 3 errors on Sun Nov 22 04:08:08 2026",
            &[],
        );
        assert_eq!(
            f,
            ScanFigures {
                end: secs("2026-11-22T04:08:08Z"),
                duration_seconds: Some(1),
                errors: Some(3),
                repaired_bytes: Some(46_347_059),
                ..ScanFigures::default()
            }
        );
        let f = figures(
            "resilvered (mirror-0) 48.2M in 0 days 00:00:05 with 0 errors on Sun Nov 22 04:50:14 2026",
            &[],
        );
        assert_eq!(f.repaired_bytes, Some(50_541_363));
        assert_eq!(f.duration_seconds, Some(5));
        assert_eq!(f.end, secs("2026-11-22T04:50:14Z"));
        let f = figures(
            "resilvered 1.30T in 14h57m with 0 errors on Wed May 30 00:19:27 2018",
            &[],
        );
        assert_eq!(f.duration_seconds, Some(14 * 3600 + 57 * 60));
        assert_eq!(f.repaired_bytes, Some(1_429_365_116_109));
        assert_eq!(f.start, None);
    }

    #[test]
    fn error_scrub_solaris_and_canceled_lines() {
        let f = figures(
            "scrubbed 4 error blocks in 00:00:01 on Sun Nov 22 04:50:15 2026",
            &[],
        );
        assert_eq!(f.end, secs("2026-11-22T04:50:15Z"));
        assert_eq!(f.duration_seconds, Some(1));
        assert_eq!(f.errors, None);
        let f = figures(
            "scrub completed after 0h2m with 1 errors on Tue Apr  6 10:00:00 2010",
            &[],
        );
        assert_eq!(f.end, secs("2010-04-06T10:00:00Z"));
        assert_eq!(f.duration_seconds, Some(120));
        assert_eq!(f.errors, Some(1));
        assert_eq!(f.repaired_bytes, None);
        let f = figures(
            "resilver (mirror-0) canceled on Sun Nov 22 04:50:15 2026",
            &[],
        );
        assert_eq!(
            f,
            ScanFigures {
                end: secs("2026-11-22T04:50:15Z"),
                ..ScanFigures::default()
            }
        );
        let f = figures("resilver in progress, 0.14% done, 0h0m to go", &[]);
        assert_eq!(f.progress_ratio, Some(0.0014));
        assert_eq!(f.remaining_seconds, Some(0));
    }

    #[test]
    fn running_scans_in_every_version_format() {
        // 2.1
        let f = figures(
            "scrub in progress since Mon Aug 29 18:17:33 2022",
            &[
                "\t3.62G scanned at 412M/s, 550M issued at 61.1M/s, 3.62G total",
                "\t0B repaired, 14.81% done, 00:00:51 to go",
            ],
        );
        assert_eq!(
            f,
            ScanFigures {
                start: secs("2022-08-29T18:17:33Z"),
                repaired_bytes: Some(0),
                progress_ratio: Some(0.1481),
                remaining_seconds: Some(51),
                scanned_bytes: Some(3_886_945_403),
                issued_bytes: Some(550 << 20),
                total_bytes: Some(3_886_945_403),
                ..ScanFigures::default()
            }
        );
        // 2.3
        let f = figures(
            "resilver in progress since Mon Jan  6 10:34:48 2025",
            &[
                "        1.30T / 1.53T scanned at 22.9G/s, 5.93G / 1.53T issued at 105M/s",
                "        5.92G resilvered, 0.38% done, 04:13:47 to go",
            ],
        );
        assert_eq!(f.scanned_bytes, Some(1_429_365_116_109));
        assert_eq!(f.total_bytes, Some(1_682_252_790_497));
        assert_eq!(f.issued_bytes, Some(6_367_289_016));
        assert_eq!(f.repaired_bytes, Some(6_356_551_598));
        assert_eq!(f.remaining_seconds, Some(4 * 3600 + 13 * 60 + 47));
        // 0.7, and 2.1's sequential resilver without `at`
        let f = figures(
            "scrub in progress since Mon Mar 20 14:04:56 2017",
            &[
                "\t773M scanned out of 1.00G at 875K/s, 0h4m to go",
                "\t0 repaired, 75.44% done",
            ],
        );
        assert_eq!(f.scanned_bytes, Some(773 << 20));
        assert_eq!(f.total_bytes, Some(1 << 30));
        assert_eq!(f.issued_bytes, None);
        assert_eq!(f.remaining_seconds, Some(240));
        let f = figures(
            "resilver (draid1:4d:11c:1s-0) in progress since Tue Nov 24 14:34:25 2020",
            &["\t3.51T scanned at 13.4G/s, 1.59T issued 6.07G/s, 6.13T total"],
        );
        assert_eq!(f.issued_bytes, Some(1_748_223_488_164));
        assert_eq!(f.start, secs("2020-11-24T14:34:25Z"));
    }

    #[test]
    fn paused_scrub_starts_on_its_started_line_and_has_no_estimate() {
        let now = utc(0);
        let mut scan = parse_scan_line("scrub paused since Sun Nov 22 04:07:04 2026", &now);
        for line in [
            "\tscrub started on Sun Nov 22 04:07:02 2026",
            "\t0B scanned, 0B issued, 48.3M total",
            "\t0B repaired, 0.00% done",
        ] {
            read_scan_continuation(line, &now, &mut scan);
        }
        assert_eq!(scan.time, secs("2026-11-22T04:07:02Z"));
        assert_eq!(scan.figures.start, secs("2026-11-22T04:07:02Z"));
        assert_eq!(scan.figures.progress_ratio, Some(0.0));
        assert_eq!(scan.figures.remaining_seconds, None);
        assert_eq!(scan.figures.total_bytes, Some(50_646_221));
        let f = figures(
            "resilver in progress since Sun Nov 22 04:07:39 2026",
            &["\t0B resilvered, 0.00% done, no estimated completion time"],
        );
        assert_eq!(f.remaining_seconds, None);
    }

    #[test]
    fn malformed_figures_give_nothing() {
        let f = figures(
            "scrub repaired 12Q in 99:99:99 with many errors on Foo 99 99:99:99 x",
            &[
                "\tlots scanned at fast, ? issued, x total",
                "\tfew repaired, n% done, soon to go",
            ],
        );
        assert_eq!(f, ScanFigures::default());
        let f = figures("", &["", ",,, , ", "\t/ scanned", "\tto go", "\tdone"]);
        assert_eq!(f, ScanFigures::default());
    }

    #[test]
    fn zol_07_slow_scan_with_decimal_commas() {
        // The scan lines of https://github.com/openzfs/zfs/issues/8611 (ZoL
        // 0.7.11, a comma locale); the paste has no `pool:` line around them.
        let f = figures(
            "scrub in progress since Thu Apr 11 14:41:12 2019",
            &[
                "\t23,5G scanned out of 23,5G at 22,5M/s, (scan is slow, no estimated time)",
                "\t0B repaired, 100,09% done",
            ],
        );
        assert_eq!(f.scanned_bytes, Some(25_232_932_864));
        assert_eq!(f.total_bytes, Some(25_232_932_864));
        assert_eq!(f.progress_ratio, Some(1.0009));
        assert_eq!(f.remaining_seconds, None);
        assert_eq!(f.issued_bytes, None);
    }

    /// Forms read in `cmd/zpool/zpool_main.c` for which no real output was
    /// found: 0.7's paused scrub, `resilver canceled`, the error scrub
    /// (2.2+, ` scrub:` label) and master's thorough scrub.
    #[test]
    fn forms_known_only_from_the_source() {
        let f = figures(
            "scrub paused since Mon Mar 20 14:10:00 2017",
            &[
                "\tscrub started on   Mon Mar 20 14:04:56 2017",
                "\t773M scanned out of 1.00G",
                "\t0 repaired, 75.44% done",
            ],
        );
        assert_eq!(f.start, secs("2017-03-20T14:04:56Z"));
        assert_eq!(f.scanned_bytes, Some(773 << 20));
        assert_eq!(f.total_bytes, Some(1 << 30));
        assert_eq!(f.progress_ratio, Some(0.7544));
        assert_eq!(f.end, None);
        let f = figures("resilver canceled on Sun Nov 22 04:50:15 2026", &[]);
        assert_eq!(f.end, secs("2026-11-22T04:50:15Z"));
        assert_eq!(f.duration_seconds, None);
        let f = figures(
            "error scrub in progress since Sun Nov 22 04:50:15 2026",
            &["\t12.50% done, issued I/O for 1 error blocks"],
        );
        assert_eq!(f.start, secs("2026-11-22T04:50:15Z"));
        assert_eq!(f.progress_ratio, Some(0.125));
        let f = figures(
            "error scrub paused since Sun Nov 22 04:50:15 2026",
            &[
                "\terror scrub started on Sun Nov 22 04:50:10 2026",
                "\t0.00% done, issued I/O for 0 error blocks",
            ],
        );
        assert_eq!(f.start, secs("2026-11-22T04:50:10Z"));
        let f = figures("error scrub canceled on Sun Nov 22 04:50:15 2026", &[]);
        assert_eq!(f.end, secs("2026-11-22T04:50:15Z"));
        let f = figures(
            "thorough scrub repaired 1.50K in 1 days 00:00:01 with 2 errors on Sun Nov 22 04:50:15 2026",
            &[],
        );
        assert_eq!(f.repaired_bytes, Some(1536));
        assert_eq!(f.duration_seconds, Some(86_401));
        assert_eq!(f.errors, Some(2));
        let now = utc(0);
        let mut scan =
            parse_scan_line("thorough scrub paused since Sun Nov 22 04:50:15 2026", &now);
        read_scan_continuation(
            "\tthorough scrub started on Sun Nov 22 04:00:00 2026",
            &now,
            &mut scan,
        );
        assert_eq!(scan.figures.start, secs("2026-11-22T04:00:00Z"));
        // Not a ScrubPaused: its age keeps the date of its first line, as before.
        assert_eq!(scan.time, secs("2026-11-22T04:50:15Z"));
    }
}
