//! Turns the text of `zpool status` into [`PoolMetrics`], one per pool.
//!
//! A line state machine, pure and linear: header lines `label: content` open a
//! section, continuation lines (indented by a tab, or by spaces in older
//! versions) extend it, the `config:` section holds the device table. A pool
//! is finished when the next `pool:` line starts and at the end of the input.
//! Nothing here fails: what it cannot read becomes `Unrecognized` or a
//! [`Diagnostic`], and parsing goes on.

pub mod list;
mod row;
mod scan;
mod status;
mod table;
mod text;
pub mod units;

use jiff::Zoned;

use crate::model::{
    ErrorState, NEVER_SCANNED_AGE_HOURS, PoolMetrics, PoolState, Scan, ScanFigures, ScanState,
    StatusDesc,
};
pub use list::{ParsedList, parse_list};
pub use row::parse_count;
pub use scan::{choose_scan, parse_scan_line, read_scan_continuation};
pub use status::classify_status;
pub use table::ROOT_DEV;
use table::{Fed, Table};
use units::parse_msgid;

use crate::unique::{DistinctCheck, UniqueNames};

/// Something in the input that was skipped or not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number in the input.
    pub line: usize,
    /// What was wrong, with the offending text.
    pub message: String,
}

/// The result of [`parse_with_diagnostics`].
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// One entry per pool, in input order.
    pub pools: Vec<PoolMetrics>,
    /// What was skipped, in input order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `zpool status` output, logging what it skips at warn level.
///
/// Dates are read in `now`'s time zone and scan ages measured from `now`.
#[must_use]
pub fn parse(input: &str, now: &Zoned) -> Vec<PoolMetrics> {
    let parsed = parse_with_diagnostics(input, now);
    for diagnostic in &parsed.diagnostics {
        log::warn!(
            "zpool status line {}: {}",
            diagnostic.line,
            diagnostic.message
        );
    }
    parsed.pools
}

/// Parses `zpool status` output and returns what it skipped alongside.
#[must_use]
pub fn parse_with_diagnostics(input: &str, now: &Zoned) -> Parsed {
    let mut parser = Parser {
        now,
        pools: Vec::new(),
        diagnostics: Vec::new(),
        pool: None,
        pool_names: UniqueNames::default(),
        distinct: DistinctCheck::default(),
        last_table_size: (0, 0),
        section: Section::Preamble,
        line_number: 0,
    };
    for line in text::lines(input) {
        parser.line_number += 1;
        parser.line(line.strip_suffix('\r').unwrap_or(line));
    }
    parser.finish_pool();
    Parsed {
        pools: parser.pools,
        diagnostics: parser.diagnostics,
    }
}

/// The section the current line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before the first `pool:` line.
    Preamble,
    /// `status:` and its continuation lines.
    Status,
    /// `scan:` continuation lines (progress figures, a paused scrub's start).
    Scan,
    /// `config:`: the device table.
    Config,
    /// `errors:` and its continuation lines (the `-v` file list): ignored.
    Errors,
    /// A section whose content is not needed (`action:`, `see:`, `remove:`, ...).
    Ignored,
    /// Everything after a `pool:` line without a name, up to the next `pool:`.
    SkippedPool,
}

/// What has been read so far of the current pool.
#[derive(Debug)]
struct PoolBuilder<'a> {
    name: String,
    state: Option<PoolState>,
    status_text: Option<String>,
    scans: Vec<Scan>,
    table: Table<'a>,
    /// The input line of each row in `table.devices`.
    device_lines: Vec<usize>,
    errors: Option<ErrorState>,
    data_errors: Option<u64>,
    msgid: Option<String>,
}

struct Parser<'a, 'input> {
    now: &'a Zoned,
    pools: Vec<PoolMetrics>,
    diagnostics: Vec<Diagnostic>,
    pool: Option<PoolBuilder<'input>>,
    /// Pool names given out so far: a repeated one is renamed.
    pool_names: UniqueNames,
    /// Tells whether a pool's device paths need renaming (one table for all pools).
    distinct: DistinctCheck,
    /// Rows and path bytes of the last pool's table: the next one is sized alike.
    last_table_size: (usize, usize),
    section: Section,
    line_number: usize,
}

impl<'input> Parser<'_, 'input> {
    fn line(&mut self, line: &'input str) {
        if let Some((label, content)) = split_label(line) {
            self.label(label, content);
        } else {
            self.continuation(line);
        }
    }

    fn label(&mut self, label: &str, content: &'input str) {
        if label == "pool" {
            self.start_pool(content);
            return;
        }
        let line_number = self.line_number;
        let Some(pool) = self.pool.as_mut() else {
            if self.section != Section::SkippedPool {
                self.diagnose(format!("{label:?} line before any pool: {content:?}"));
            }
            return;
        };
        self.section = Section::Ignored;
        match label {
            "state" => {
                let state = PoolState::from_word(content.trim());
                pool.state = Some(state);
                if state == PoolState::Unrecognized {
                    self.diagnose(format!("unrecognized pool state {content:?}"));
                }
            }
            "status" => {
                pool.status_text = Some(content.to_owned());
                self.section = Section::Status;
            }
            "scan" => {
                let scan = parse_scan_line(content, self.now);
                pool.scans.push(scan);
                self.section = Section::Scan;
                if scan.state == ScanState::Unrecognized {
                    self.diagnose(format!("unrecognized scan line {content:?}"));
                }
            }
            // ` scrub:` is an error scrub (2.2+) or a Solaris-era scan line:
            // known forms without a scan state of their own, kept with their date.
            "scrub" => {
                let mut scan = parse_scan_line(content, self.now);
                scan.state = ScanState::Unrecognized;
                pool.scans.push(scan);
                self.section = Section::Scan;
            }
            "config" => self.section = Section::Config,
            "errors" => {
                self.section = Section::Errors;
                if let Some(count) = error_count(content) {
                    pool.data_errors = Some(count);
                }
                match classify_errors(content) {
                    ErrorState::Unrecognized => {
                        pool.errors.get_or_insert(ErrorState::Unrecognized);
                        self.diagnose(format!("unrecognized errors line {content:?}"));
                    }
                    state if pool.errors != Some(ErrorState::DataErrors) => {
                        pool.errors = Some(state);
                    }
                    _ => {}
                }
            }
            "see" => {
                if let Some(msgid) = parse_msgid(content) {
                    pool.msgid = Some(msgid.to_owned());
                }
            }
            "action" | "remove" | "expand" | "checkpoint" | "comment" => {}
            _ => self.diagnostics.push(Diagnostic {
                line: line_number,
                message: format!("unknown label {label:?} skipped: {content:?}"),
            }),
        }
    }

    fn continuation(&mut self, line: &'input str) {
        match self.section {
            Section::Preamble => {
                let text = line.trim();
                if !text.is_empty() && text != "no pools available" {
                    self.diagnose(format!("unexpected line before any pool: {line:?}"));
                }
            }
            Section::Status => {
                if let Some(text) = self.pool.as_mut().and_then(|p| p.status_text.as_mut()) {
                    text.push('\n');
                    text.push_str(line);
                }
            }
            Section::Config => self.table_line(line),
            Section::Scan if line.starts_with([' ', '\t']) => {
                let now = self.now;
                if let Some(scan) = self.pool.as_mut().and_then(|pool| pool.scans.last_mut()) {
                    read_scan_continuation(line, now, scan);
                }
            }
            Section::SkippedPool => {}
            Section::Scan | Section::Errors | Section::Ignored => {
                // Continuation lines are indented; anything else is unknown.
                if !line.is_empty() && !line.starts_with([' ', '\t']) {
                    self.diagnose(format!("unexpected line skipped: {line:?}"));
                }
            }
        }
    }

    /// A `pool:` line: the previous pool is finished, a new one begins, under
    /// a unique name; a pool without a name is skipped up to the next `pool:`.
    fn start_pool(&mut self, name: &'input str) {
        self.finish_pool();
        if name.trim().is_empty() {
            self.diagnose("pool line without a name: the pool is skipped".to_owned());
            self.section = Section::SkippedPool;
            return;
        }
        let name = match self.pool_names.claim(name) {
            None => name.to_owned(),
            Some(renamed) => {
                self.diagnose(format!(
                    "pool name {name:?} repeats: this pool is named {renamed:?}"
                ));
                renamed
            }
        };
        self.pool = Some(PoolBuilder::new(name, self.last_table_size));
        self.section = Section::Ignored;
    }

    fn table_line(&mut self, line: &'input str) {
        let Some(pool) = self.pool.as_mut() else {
            return;
        };
        let rows_before = pool.table.devices.len();
        let fed = pool.table.feed(line);
        if pool.table.devices.len() > rows_before {
            pool.device_lines.push(self.line_number);
        }
        let problems = std::mem::take(&mut pool.table.problems);
        for problem in problems {
            self.diagnose(problem);
        }
        if fed == Fed::NotTable && !line.trim().is_empty() {
            self.diagnose(format!("unexpected line in config section: {line:?}"));
        }
    }

    fn diagnose(&mut self, message: String) {
        self.diagnostics.push(Diagnostic {
            line: self.line_number,
            message,
        });
    }

    fn finish_pool(&mut self) {
        if let Some(mut pool) = self.pool.take() {
            self.unique_device_paths(&mut pool);
            self.last_table_size = pool.table.size();
            self.pools.push(pool.finish(self.now));
        }
    }

    /// Renames every repeat of a `dev` path within the pool (two disks with
    /// one name, a class printed twice, a name with `/` or `__root__`, ...)
    /// to `PATH#2`, `PATH#3`, ... in table order, with a diagnostic each.
    fn unique_device_paths(&mut self, pool: &mut PoolBuilder<'_>) {
        let table = &mut pool.table;
        if self.distinct.surely_distinct_hashes(table.path_hashes()) {
            return;
        }
        let mut paths = UniqueNames::default();
        for index in 0..table.devices.len() {
            let path = table.path(index);
            if let Some(renamed) = paths.claim(path) {
                self.diagnostics.push(Diagnostic {
                    line: pool.device_lines.get(index).copied().unwrap_or(0),
                    message: format!(
                        "device path {path:?} repeats in pool {:?}: this row is named {renamed:?}",
                        pool.name
                    ),
                });
                table.rename(index, &renamed);
            }
        }
    }
}

impl PoolBuilder<'_> {
    /// A pool whose table is sized for `(rows, path_bytes)` (the previous
    /// pool's: the pools of one host tend to look alike).
    fn new(name: String, (rows, path_bytes): (usize, usize)) -> Self {
        Self {
            name,
            state: None,
            status_text: None,
            scans: Vec::new(),
            table: Table::with_capacity(rows, path_bytes),
            device_lines: Vec::with_capacity(rows),
            errors: None,
            data_errors: None,
            msgid: None,
        }
    }

    fn finish(self, now: &Zoned) -> PoolMetrics {
        let state = self.state.unwrap_or(PoolState::UnknownMissing);
        let status = self
            .status_text
            .as_deref()
            .map_or(StatusDesc::Normal, classify_status);
        let scan = choose_scan(&self.scans).unwrap_or_else(|| {
            let healthy = state == PoolState::Online && self.status_text.is_none();
            Scan {
                state: if healthy {
                    ScanState::NeverScanned
                } else {
                    ScanState::UnknownMissing
                },
                time: None,
                figures: ScanFigures::default(),
            }
        });
        PoolMetrics {
            name: self.name,
            state,
            status,
            scan,
            scan_age_hours: scan_age_hours(scan, now),
            errors: self.errors.unwrap_or(ErrorState::UnknownMissing),
            data_errors: self.data_errors,
            msgid: self.msgid,
            devices: self.table.into_devices(),
        }
    }
}

/// Hours from the scan's date to `now`; [`NEVER_SCANNED_AGE_HOURS`] for a
/// canceled scan and when there is no date.
fn scan_age_hours(scan: Scan, now: &Zoned) -> f64 {
    let canceled = matches!(
        scan.state,
        ScanState::ScrubCanceled | ScanState::ResilverCanceled
    );
    match scan.time {
        Some(time) if !canceled => {
            let seconds = now.timestamp().as_second() - time.as_second();
            // Seconds since a 4-digit year fit an f64 exactly.
            #[allow(clippy::cast_precision_loss)]
            let hours = seconds as f64 / 3600.0;
            hours
        }
        _ => NEVER_SCANNED_AGE_HOURS,
    }
}

/// What one `errors:` line says.
///
/// `List of errors unavailable: ...` (pool I/O suspended, permission denied)
/// means data errors: libzfs asks for the list only when the pool's error
/// count is not zero.
fn classify_errors(content: &str) -> ErrorState {
    let text = content.trim();
    if text.starts_with("No known data errors") {
        return ErrorState::Ok;
    }
    if text.starts_with("Permanent errors have been detected") {
        return ErrorState::DataErrors;
    }
    if text.starts_with("List of errors unavailable") {
        return ErrorState::DataErrors;
    }
    // `%llu data errors, use '-v' for a list`
    let mut words = text.split_whitespace();
    if let (Some(count), Some("data"), Some(errors)) = (words.next(), words.next(), words.next())
        && errors.starts_with("error")
        && let Ok(count) = count.parse::<u64>()
    {
        return if count == 0 {
            ErrorState::Ok
        } else {
            ErrorState::DataErrors
        };
    }
    ErrorState::Unrecognized
}

/// The count of data errors one `errors:` line states:
/// `N data errors, use '-v' for a list` is N, `No known data errors` 0.
fn error_count(content: &str) -> Option<u64> {
    let text = content.trim();
    if text.starts_with("No known data errors") {
        return Some(0);
    }
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(count), Some("data"), Some(errors)) if errors.starts_with("error") => {
            units::parse_digits(count)
        }
        _ => None,
    }
}

/// Splits a header line `  label: content` into label and content.
///
/// A header line starts with at most six spaces (labels are right-aligned to
/// six characters), never a tab; the label is lowercase ASCII letters and is
/// followed by `:` and then a space, a tab or the end of the line.
fn split_label(line: &str) -> Option<(&str, &str)> {
    if line.starts_with('\t') {
        // Device rows and other continuation lines: the common case, at once.
        return None;
    }
    let label_start = line.len() - line.trim_start_matches(' ').len();
    if label_start > 6 {
        return None;
    }
    let rest = &line[label_start..];
    let label_len = rest.find(|c: char| !c.is_ascii_lowercase())?;
    if label_len == 0 {
        return None;
    }
    let label = &rest[..label_len];
    let after = rest[label_len..].strip_prefix(':')?;
    let content = match after.chars().next() {
        None => "",
        Some(' ' | '\t') => &after[1..],
        Some(_) => return None,
    };
    Some((label, content))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn labels_are_split_only_at_the_left_margin() {
        assert_eq!(split_label("  pool: tank"), Some(("pool", "tank")));
        assert_eq!(split_label(" state: ONLINE"), Some(("state", "ONLINE")));
        assert_eq!(split_label("config:"), Some(("config", "")));
        assert_eq!(
            split_label("checkpoint: created"),
            Some(("checkpoint", "created"))
        );
        assert_eq!(split_label("\tsda: x"), None);
        assert_eq!(split_label("        see: x"), None);
        assert_eq!(split_label("  pool:tank"), None);
        assert_eq!(split_label("NAME: x"), None);
        assert_eq!(split_label(""), None);
    }

    #[test]
    fn errors_lines() {
        assert_eq!(classify_errors("No known data errors"), ErrorState::Ok);
        assert_eq!(
            classify_errors("3 data errors, use '-v' for a list"),
            ErrorState::DataErrors
        );
        assert_eq!(
            classify_errors("Permanent errors have been detected in the following files:"),
            ErrorState::DataErrors
        );
        assert_eq!(
            classify_errors("List of errors unavailable: permission denied"),
            ErrorState::DataErrors
        );
        assert_eq!(classify_errors("whatever"), ErrorState::Unrecognized);
    }

    #[test]
    fn unknown_label_is_a_diagnostic_not_a_failure() {
        let now = Zoned::now();
        let parsed = parse_with_diagnostics(
            "  pool: t\n state: ONLINE\n  newthing: hello\n\tmore\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\tt    ONLINE    0     0     0\n",
            &now,
        );
        assert_eq!(parsed.pools.len(), 1);
        assert_eq!(parsed.pools[0].devices.len(), 1);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0].message.contains("newthing"));
        assert_eq!(parsed.diagnostics[0].line, 3);
    }

    #[test]
    fn paused_scrub_counts_from_its_start() {
        let now: Zoned = "2026-11-02T03:00:00+00:00[UTC]".parse().unwrap();
        let input = "  pool: t\n state: ONLINE\n  scan: scrub paused since Sun Nov  1 03:00:00 2026\n\tscrub started on Sun Nov  1 01:00:00 2026\n";
        let pool = &parse_with_diagnostics(input, &now).pools[0];
        assert_eq!(pool.scan.state, ScanState::ScrubPaused);
        assert!(
            (pool.scan_age_hours - 26.0).abs() < 1e-9,
            "{}",
            pool.scan_age_hours
        );
    }

    #[test]
    fn data_error_count_and_msgid() {
        let now = Zoned::now();
        let input = "  pool: a\n state: UNAVAIL\n   see: http://zfsonlinux.org/msg/ZFS-8000-JQ\nerrors: List of errors unavailable: pool I/O is currently suspended\n\nerrors: 5 data errors, use '-v' for a list\n  pool: b\n state: ONLINE\n   see: zpool-features(7)\nerrors: No known data errors\n  pool: c\n state: ONLINE\nerrors: List of errors unavailable: permission denied\n";
        let pools = parse_with_diagnostics(input, &now).pools;
        assert_eq!(pools[0].data_errors, Some(5));
        assert_eq!(pools[0].msgid.as_deref(), Some("ZFS-8000-JQ"));
        assert_eq!(pools[0].errors, ErrorState::DataErrors);
        assert_eq!(pools[1].data_errors, Some(0));
        assert_eq!(pools[1].msgid, None);
        assert_eq!(pools[1].errors, ErrorState::Ok);
        assert_eq!(pools[2].data_errors, None);
        assert_eq!(pools[2].errors, ErrorState::DataErrors);
    }

    #[test]
    fn unindented_stray_line_is_a_diagnostic() {
        let now = Zoned::now();
        let parsed =
            parse_with_diagnostics("  pool: t\n state: ONLINE\nstray text\n\tindented\n", &now);
        assert_eq!(parsed.pools[0].state, PoolState::Online);
        assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
        assert_eq!(parsed.diagnostics[0].line, 3);
    }

    #[test]
    fn empty_and_no_pools_give_nothing() {
        let now = Zoned::now();
        for input in ["", "\n", "no pools available\n"] {
            let parsed = parse_with_diagnostics(input, &now);
            assert!(parsed.pools.is_empty(), "{input:?}");
            assert!(parsed.diagnostics.is_empty(), "{input:?}");
        }
    }
}
