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

use std::ops::Range;
use std::rc::Rc;

use super::row::{Counters, split_row};
use super::text::is_blank;
use crate::model::{DevErrors, DevMetrics, DevPath, DevState};

/// The `dev` label of the pool's own row.
pub const ROOT_DEV: &str = "__root__";

/// Column positions, in bytes, taken from the header row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Columns {
    /// Where `NAME` starts: the indent every row shares.
    pub(super) name: usize,
    /// Where `STATE` starts.
    pub(super) state: usize,
}

/// What [`Table::feed`] made of one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed {
    /// The line was the header, a row, or a blank line inside the table.
    Taken,
    /// The line is not part of a table (no header seen, or the table ended).
    NotTable,
}

/// One row of the table with a state column, its path a range of the
/// table's path text (one buffer per pool, not one `String` per row).
#[derive(Debug)]
pub struct DevRow {
    /// Where the row's `dev` path is in the table's path text.
    pub path: Range<usize>,
    /// The STATE column.
    pub state: DevState,
    /// The counters, when the row has them.
    pub errors: Option<DevErrors>,
    /// The hash of the path as first written ([`crate::unique::hash`]), for
    /// the rename check; a rename does not change it.
    pub path_hash: u64,
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
    pub devices: Vec<DevRow>,
    /// The `dev` paths of all rows, end to end: [`DevRow::path`] ranges of it.
    paths: String,
    /// Rows that could not be read, for the caller to report.
    pub problems: Vec<String>,
}

impl<'a> Table<'a> {
    /// An empty table with room for `rows` rows of `path_bytes` path text in all.
    pub fn with_capacity(rows: usize, path_bytes: usize) -> Self {
        Self {
            devices: Vec::with_capacity(rows),
            paths: String::with_capacity(path_bytes),
            ..Self::default()
        }
    }

    /// How many rows and path bytes the table holds.
    pub fn size(&self) -> (usize, usize) {
        (self.devices.len(), self.paths.len())
    }

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
        let path = self.push_path();
        let path_hash = crate::unique::hash(&self.paths.as_bytes()[path.clone()]);
        self.devices.push(DevRow {
            path,
            state,
            errors,
            path_hash,
        });
    }

    /// Appends the `dev` label of the row on top of the stack to the path
    /// text and returns where it is.
    fn push_path(&mut self) -> Range<usize> {
        let start = self.paths.len();
        for name in self.stack.iter().filter(|name| !name.is_empty()) {
            if self.paths.len() > start {
                self.paths.push('/');
            }
            self.paths.push_str(name);
        }
        if self.paths.len() == start {
            self.paths.push_str(ROOT_DEV);
        }
        start..self.paths.len()
    }

    /// The `dev` path of row `index` (empty if there is no such row).
    pub fn path(&self, index: usize) -> &str {
        self.devices
            .get(index)
            .and_then(|row| self.paths.get(row.path.clone()))
            .unwrap_or("")
    }

    /// The hashes of the `dev` paths of all rows as first written, in table order.
    pub fn path_hashes(&self) -> impl ExactSizeIterator<Item = u64> {
        self.devices.iter().map(|row| row.path_hash)
    }

    /// The `dev` paths of all rows, in table order.
    #[cfg(test)]
    pub fn paths(&self) -> impl ExactSizeIterator<Item = &str> {
        self.devices
            .iter()
            .map(|row| self.paths.get(row.path.clone()).unwrap_or(""))
    }

    /// Gives row `index` the path `path` instead.
    pub fn rename(&mut self, index: usize, path: &str) {
        let start = self.paths.len();
        self.paths.push_str(path);
        if let Some(row) = self.devices.get_mut(index) {
            row.path = start..self.paths.len();
        }
    }

    /// The rows as the model's devices, sharing one copy of the path text.
    pub fn into_devices(self) -> Vec<DevMetrics> {
        let text: Rc<str> = Rc::from(self.paths);
        self.devices
            .into_iter()
            .map(|row| DevMetrics {
                path: DevPath::in_text(&text, row.path),
                state: row.state,
                errors: row.errors,
            })
            .collect()
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
        let paths: Vec<_> = table.paths().collect();
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
        assert_eq!(table.path(1), "/tmp/disk one.img");
        assert_eq!(table.devices[1].errors.unwrap().checksum, 1);
    }

    #[test]
    fn overlong_name_falls_back_to_state_word() {
        let table = read(&[
            "\tNAME    STATE     READ WRITE CKSUM",
            "\ttank    ONLINE       0     0     0",
            "\t  a-very-long-name ONLINE 0 0 0",
        ]);
        assert_eq!(table.path(1), "a-very-long-name");
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
