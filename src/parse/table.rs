//! The `config:` device table: one row per vdev, class and spare.
//!
//! ```text
//!     NAME        STATE     READ WRITE CKSUM
//!     tank        ONLINE       0     0     0
//!       mirror-0  ONLINE       0     0     0
//!         sda     ONLINE       0     0     0
//!     logs
//!       sdc       ONLINE       0     0     0
//!     spares
//!       sde       AVAIL
//! ```
//!
//! `zpool` pads the NAME column to its widest entry, so the STATE column
//! starts where the header's `STATE` starts: names are cut there, which keeps
//! names with spaces whole. Each level of nesting indents by two spaces.

use super::text::{is_blank, next_word, trim_end};
use crate::model::{DevErrors, DevMetrics, DevState};

/// The `dev` label of the pool's own row.
pub const ROOT_DEV: &str = "__root__";

/// Column positions, in bytes, taken from the header row.
#[derive(Debug, Clone, Copy)]
struct Columns {
    /// Where `NAME` starts: the indent every row shares.
    name: usize,
    /// Where `STATE` starts.
    state: usize,
}

/// What [`Table::feed`] made of one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed {
    /// The line was the header, a row, or a blank line inside the table.
    Taken,
    /// The line is not part of a table (no header seen, or the table ended).
    NotTable,
}

/// A device table being read, row by row.
#[derive(Debug, Default)]
pub struct Table<'a> {
    columns: Option<Columns>,
    /// Names of the rows enclosing the current one, by depth; the pool's
    /// own row is stored as an empty name, class rows under their name.
    stack: Vec<&'a str>,
    rows_seen: bool,
    ended: bool,
    /// The rows that have a state column.
    pub devices: Vec<DevMetrics>,
    /// Rows that could not be read, for the caller to report.
    pub problems: Vec<String>,
}

impl<'a> Table<'a> {
    /// Reads one line of the `config:` section.
    pub fn feed(&mut self, line: &'a str) -> Fed {
        if self.ended {
            return Fed::NotTable;
        }
        if is_blank(line) {
            if self.rows_seen {
                self.ended = true;
            }
            return Fed::Taken;
        }
        match self.columns {
            None => match header_columns(line) {
                Some(columns) => {
                    self.columns = Some(columns);
                    Fed::Taken
                }
                None => Fed::NotTable,
            },
            Some(columns) => {
                self.row(line, columns);
                Fed::Taken
            }
        }
    }

    fn row(&mut self, line: &'a str, columns: Columns) {
        self.rows_seen = true;
        let Some(row) = split_row(line, columns) else {
            self.problems
                .push(format!("unreadable device row {line:?}"));
            return;
        };
        let first_row = self.stack.is_empty() && self.devices.is_empty();
        if row.depth == 0 {
            self.stack.clear();
            // The first top-level row is the pool itself; later ones are
            // classes (logs, cache, spares, special, dedup).
            let own_name = if first_row { "" } else { row.name };
            self.stack.push(own_name);
        } else {
            self.stack.truncate(row.depth);
            self.stack.push(row.name);
        }
        let Some(state_word) = row.state else {
            // A class row or another row without columns: a container only.
            return;
        };
        let state = DevState::from_word(state_word);
        if state == DevState::Unrecognized {
            self.problems.push(format!(
                "unrecognized device state {state_word:?} in {line:?}"
            ));
        }
        let errors = match row.counters {
            Counters::Absent if matches!(state, DevState::Avail | DevState::InUse) => None,
            Counters::Absent => {
                self.problems.push(format!("no error counters in {line:?}"));
                None
            }
            Counters::Read(errors) => Some(errors),
            Counters::Unreadable => {
                self.problems
                    .push(format!("unreadable error counters in {line:?}"));
                None
            }
        };
        let path = self.path();
        self.devices.push(DevMetrics {
            path,
            state,
            errors,
        });
    }

    /// The `dev` label of the row on top of the stack.
    fn path(&self) -> String {
        let length: usize = self.stack.iter().map(|name| name.len() + 1).sum();
        let mut path = String::with_capacity(length);
        for name in self.stack.iter().filter(|name| !name.is_empty()) {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(name);
        }
        if path.is_empty() {
            path.push_str(ROOT_DEV);
        }
        path
    }
}

/// The columns of a header row such as `\tNAME   STATE  READ WRITE CKSUM`.
fn header_columns(line: &str) -> Option<Columns> {
    let name = line.find("NAME")?;
    if !line[..name].trim().is_empty() {
        return None;
    }
    let after_name = name + "NAME".len();
    let state = after_name + line[after_name..].find("STATE")?;
    let between = &line[after_name..state];
    if between.is_empty() || !between.trim().is_empty() {
        return None;
    }
    Some(Columns { name, state })
}

/// The error counters of a row.
#[derive(Debug, PartialEq, Eq)]
enum Counters {
    /// The row stops after its state, or a note follows it (a hot spare).
    Absent,
    /// READ, WRITE and CKSUM.
    Read(DevErrors),
    /// Something stands where the counters should be.
    Unreadable,
}

/// The parts of one table row.
#[derive(Debug)]
struct Row<'a> {
    depth: usize,
    name: &'a str,
    state: Option<&'a str>,
    counters: Counters,
}

/// Splits a row into depth, name, state and counters; trailing notes
/// (`(resilvering)`, `was /dev/sdb1`, ...) are dropped.
fn split_row(line: &str, columns: Columns) -> Option<Row<'_>> {
    let indent = line.get(..columns.name)?;
    if !is_blank(indent) {
        return None;
    }
    let depth = leading_spaces(&line[columns.name..]) / 2;
    let (name, mut rest) = split_name(line, columns)?;
    let state = next_word(&mut rest);
    let counters = match next_word(&mut rest) {
        // Nothing, or a note such as `currently in use` (hot spares have no counters).
        None => Counters::Absent,
        Some(note) if !note.starts_with(|c: char| c.is_ascii_digit()) => Counters::Absent,
        Some(read) => match (
            parse_count(read),
            next_word(&mut rest).and_then(parse_count),
            next_word(&mut rest).and_then(parse_count),
        ) {
            (Some(read), Some(write), Some(checksum)) => Counters::Read(DevErrors {
                read,
                write,
                checksum,
            }),
            _ => Counters::Unreadable,
        },
    };
    Some(Row {
        depth,
        name,
        state,
        counters,
    })
}

/// The trimmed name of a row and the text from its STATE column on.
///
/// Cuts at the header's STATE position when the row has white space just
/// before it; otherwise (a name wider than the header said) falls back to
/// the first known state word after the name's first word.
fn split_name(line: &str, columns: Columns) -> Option<(&str, &str)> {
    let body = line.get(columns.name..)?;
    let body = &body[leading_spaces(body)..];
    let start = line.len() - body.len();
    let positional = line
        .get(start..columns.state)
        .zip(line.get(columns.state..))
        .filter(|(name, _)| name.ends_with([' ', '\t']) || name.is_empty());
    if let Some((name, rest)) = positional {
        let name = trim_end(name);
        if !name.is_empty() {
            return Some((name, rest));
        }
    }
    if line.len() <= columns.state {
        // A short row: a class (`logs`, `spares`) or a container without columns.
        let name = trim_end(body);
        return (!name.is_empty()).then_some((name, ""));
    }
    split_name_by_state_word(body)
}

/// How many spaces `text` starts with.
fn leading_spaces(text: &str) -> usize {
    text.bytes().take_while(|&b| b == b' ').count()
}

/// Splits `name STATE ...` at the first known state word after the first word.
fn split_name_by_state_word(body: &str) -> Option<(&str, &str)> {
    let mut offset = body.find(char::is_whitespace)?;
    while offset < body.len() {
        let rest = &body[offset..];
        let word_start = offset + (rest.len() - rest.trim_start().len());
        let word = body[word_start..].split_whitespace().next()?;
        if DevState::from_word(word) != DevState::Unrecognized {
            return Some((body[..offset].trim_end(), &body[word_start..]));
        }
        offset = word_start + word.len();
    }
    None
}

/// An error counter, exact (`12`) or in zfs' short form (`2.72K`, 1024-based).
#[must_use]
pub fn parse_count(word: &str) -> Option<u64> {
    if let Ok(exact) = word.parse::<u64>() {
        return Some(exact);
    }
    let suffix = word.chars().next_back()?;
    let number = &word[..word.len() - suffix.len_utf8()];
    let exponent = match suffix {
        'K' => 1,
        'M' => 2,
        'G' => 3,
        'T' => 4,
        'P' => 5,
        'E' => 6,
        _ => return None,
    };
    let plain_decimal = number.starts_with(|c: char| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !plain_decimal {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scaled = (value * 1024_f64.powi(exponent)).round();
    // u64::MAX as f64 rounds up to 2^64, so `<` keeps the cast in range.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let count = (scaled < u64::MAX as f64).then_some(scaled as u64);
    count
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read<'a>(lines: &[&'a str]) -> Table<'a> {
        let mut table = Table::default();
        for line in lines {
            assert_eq!(table.feed(line), Fed::Taken, "{line:?}");
        }
        table
    }

    #[test]
    fn counts_exact_and_short() {
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_count("2.72K"), Some(2785));
        assert_eq!(parse_count("1M"), Some(1_048_576));
        for bad in [
            "", "K", "0é", "é", "-1", "1.5X", "NaNK", "-1K", "infK", "1e3K", "16E",
        ] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }

    #[test]
    fn paths_follow_depth_and_classes() {
        let table = read(&[
            "\tNAME        STATE     READ WRITE CKSUM",
            "\ttank        ONLINE       0     0     0",
            "\t  mirror-0  ONLINE       0     0     0",
            "\t    sda     ONLINE       0     0     0",
            "\tlogs\t",
            "\t  sdc       ONLINE       0     3     0",
            "\tspares",
            "\t  sde       AVAIL   ",
            "\t  sdf       INUSE     currently in use",
        ]);
        let paths: Vec<_> = table.devices.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "__root__",
                "mirror-0",
                "mirror-0/sda",
                "logs/sdc",
                "spares/sde",
                "spares/sdf"
            ]
        );
        assert_eq!(table.devices[3].errors.unwrap().write, 3);
        assert_eq!(table.devices[4].state, DevState::Avail);
        assert_eq!(table.devices[4].errors, None);
        assert_eq!(table.devices[5].state, DevState::InUse);
        assert_eq!(table.devices[5].errors, None);
        assert!(table.problems.is_empty(), "{:?}", table.problems);
    }

    #[test]
    fn names_with_spaces_are_cut_at_state_column() {
        let table = read(&[
            "\tNAME                 STATE     READ WRITE CKSUM",
            "\tmy pool              ONLINE       0     0     0",
            "\t  /tmp/disk one.img  ONLINE       0     0     1",
        ]);
        assert_eq!(table.devices[1].path, "/tmp/disk one.img");
        assert_eq!(table.devices[1].errors.unwrap().checksum, 1);
    }

    #[test]
    fn overlong_name_falls_back_to_state_word() {
        let table = read(&[
            "\tNAME    STATE     READ WRITE CKSUM",
            "\ttank    ONLINE       0     0     0",
            "\t  a-very-long-name ONLINE 0 0 0",
        ]);
        assert_eq!(table.devices[1].path, "a-very-long-name");
        assert_eq!(table.devices[1].state, DevState::Online);
    }

    #[test]
    fn table_ends_at_blank_line_after_rows() {
        let mut table = Table::default();
        assert_eq!(table.feed(""), Fed::Taken);
        assert_eq!(table.feed("\tNAME  STATE  READ WRITE CKSUM"), Fed::Taken);
        assert_eq!(table.feed("\tt     ONLINE    0     0     0"), Fed::Taken);
        assert_eq!(table.feed(""), Fed::Taken);
        assert_eq!(table.feed("\tmore"), Fed::NotTable);
    }

    #[test]
    fn garbage_rows_are_reported_not_fatal() {
        let table = read(&[
            "\tNAME  STATE  READ WRITE CKSUM",
            "\tt     ONLINE    x     0     0",
            "\tu     WEIRD     0     0     0",
        ]);
        assert_eq!(table.problems.len(), 2);
        assert_eq!(table.devices[0].errors, None);
        assert_eq!(table.devices[1].state, DevState::Unrecognized);
    }
}
