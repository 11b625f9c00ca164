//! `scan:` lines: what kind of scan, when, and which of several counts.

use jiff::civil::DateTime;
use jiff::{Timestamp, Zoned};

use crate::model::{Scan, ScanState};

/// Reads the first line of one `scan:` entry (the text after the label).
///
/// The date is ctime-formatted in the host's local time zone
/// (`Sun Nov  1 03:04:05 2026`) and always ends the line; it is read in
/// `now`'s time zone. The weekday is not checked.
#[must_use]
pub fn parse_scan_line(text: &str, now: &Zoned) -> Scan {
    let text = text.trim();
    let state = scan_kind(text);
    let time = if state == ScanState::NeverScanned {
        None
    } else {
        trailing_ctime(text, now)
    };
    Scan { state, time }
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
    let zoned = civil.to_zoned(now.time_zone().clone()).ok()?;
    Some(zoned.timestamp())
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
        };
        let new = Scan {
            state: ScanState::Resilvered,
            time: Some(ts("2026-02-01T00:00:00Z")),
        };
        let running = Scan {
            state: ScanState::ScrubInProgress,
            time: Some(ts("2025-01-01T00:00:00Z")),
        };
        let odd = Scan {
            state: ScanState::Unrecognized,
            time: Some(ts("2027-01-01T00:00:00Z")),
        };
        assert_eq!(choose_scan(&[old, new]), Some(new));
        assert_eq!(choose_scan(&[new, old]), Some(new));
        assert_eq!(choose_scan(&[old, running, new]), Some(running));
        assert_eq!(choose_scan(&[odd, old]), Some(old));
        assert_eq!(choose_scan(&[odd]), Some(odd));
        assert_eq!(choose_scan(&[]), None);
    }
}
