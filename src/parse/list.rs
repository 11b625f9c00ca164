//! Turns the text of `zpool list -Hp -o LIST_PROPERTIES` into [`PoolCapacity`], one per pool.
//!
//! One line per pool, [`LIST_PROPERTIES`] in order, separated by tabs (`-H`;
//! pool names may hold spaces, never tabs), numbers exact (`-p`). How libzfs
//! prints them (`zpool_get_prop`, lib/libzfs/libzfs_pool.c, the same from
//! 0.8.0 to 2.4):
//!
//! * `size`, `allocated`, `free`: bytes;
//! * `checkpoint`, `expandsize`: bytes, but `-` when 0;
//! * `fragmentation`: whole percent, `-` when unknown (`UINT64_MAX`);
//! * `capacity`: whole percent;
//! * `dedupratio`: `X.YY` (hundredths);
//! * `health`: a state word; `readonly`: `on` or `off`;
//! * a pool that cannot be opened (`POOL_STATE_UNAVAIL`) prints `-` for every
//!   property but name and health.
//!
//! Nothing here fails: a line that does not fit is a [`Diagnostic`] and is
//! skipped, a value that cannot be read is `None` and a diagnostic.

use super::Diagnostic;
use crate::model::{PoolCapacity, PoolState};

/// The properties asked for, in the order they are read. Every one exists in
/// `module/zcommon/zpool_prop.c` since zfs-0.8.0 (`checkpoint` is the newest).
pub const LIST_PROPERTIES: &str = "name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,readonly";

/// The arguments for `zpool`: scripted (tabs, no header), exact numbers.
pub const LIST_ARGS: &[&str] = &["list", "-Hp", "-o", LIST_PROPERTIES];

/// How many fields each line has.
const FIELDS: usize = 11;

/// The result of [`parse_list`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedList {
    /// One entry per pool line that could be read, in input order.
    pub pools: Vec<PoolCapacity>,
    /// What was skipped or not understood, in input order (at most one per line).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `zpool list -Hp -o` [`LIST_PROPERTIES`] output.
#[must_use]
pub fn parse_list(input: &str) -> ParsedList {
    let mut parsed = ParsedList {
        pools: Vec::new(),
        diagnostics: Vec::new(),
    };
    for (index, line) in input.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let mut problems = Vec::new();
        if let Some(pool) = parse_line(line, &mut problems) {
            parsed.pools.push(pool);
        }
        if !problems.is_empty() {
            parsed.diagnostics.push(Diagnostic {
                line: index + 1,
                message: format!("{}: {line:?}", problems.join("; ")),
            });
        }
    }
    parsed
}

/// Reads one pool line; what it cannot read goes to `problems`.
fn parse_line(line: &str, problems: &mut Vec<String>) -> Option<PoolCapacity> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [
        name,
        size,
        allocated,
        free,
        checkpoint,
        expandsize,
        fragmentation,
        capacity,
        dedupratio,
        health,
        readonly,
    ] = fields[..]
    else {
        problems.push(format!(
            "expected {FIELDS} tab-separated fields, found {}; line skipped",
            fields.len()
        ));
        return None;
    };
    if name.is_empty() {
        problems.push("empty pool name; line skipped".into());
        return None;
    }
    let mut field = Fields { problems };
    let size_bytes = field.number("size", size);
    // libzfs prints 0 as `-` for these two; when the pool's properties could
    // not be read at all (size is `-` too), the value is unknown.
    let zero_as_dash = size_bytes.is_some();
    let health_state = PoolState::from_word(health);
    if health_state == PoolState::Unrecognized {
        field.problem("health", health);
    }
    Some(PoolCapacity {
        name: name.to_owned(),
        size_bytes,
        allocated_bytes: field.number("allocated", allocated),
        free_bytes: field.number("free", free),
        checkpoint_bytes: field.zero_or_number("checkpoint", checkpoint, zero_as_dash),
        expand_size_bytes: field.zero_or_number("expandsize", expandsize, zero_as_dash),
        fragmentation_ratio: field.percent("fragmentation", fragmentation),
        capacity_ratio: field.percent("capacity", capacity),
        dedup_ratio: field.ratio("dedupratio", dedupratio),
        health: health_state,
        readonly: field.on_off("readonly", readonly),
    })
}

/// Reads field values, noting the ones it cannot read.
struct Fields<'a> {
    problems: &'a mut Vec<String>,
}

impl Fields<'_> {
    fn problem(&mut self, property: &str, text: &str) {
        self.problems
            .push(format!("unreadable {property} value {text:?}"));
    }

    /// Digits, or `-` (not given).
    fn number(&mut self, property: &str, text: &str) -> Option<u64> {
        if text == "-" {
            return None;
        }
        let value = digits(text);
        if value.is_none() {
            self.problem(property, text);
        }
        value
    }

    /// Like [`Fields::number`], but `-` is 0 when `dash_is_zero`.
    fn zero_or_number(&mut self, property: &str, text: &str, dash_is_zero: bool) -> Option<u64> {
        if text == "-" {
            return dash_is_zero.then_some(0);
        }
        self.number(property, text)
    }

    /// Whole percent as a ratio (`37` is 0.37).
    fn percent(&mut self, property: &str, text: &str) -> Option<f64> {
        // Percentages of real pools are far below 2^53: the cast is exact.
        #[allow(clippy::cast_precision_loss)]
        self.number(property, text)
            .map(|percent| percent as f64 / 100.0)
    }

    /// `X.YY`, as libzfs prints ratios with `-p`.
    fn ratio(&mut self, property: &str, text: &str) -> Option<f64> {
        if text == "-" {
            return None;
        }
        let value = text.split_once('.').and_then(|(whole, hundredths)| {
            let whole = digits(whole)?;
            let hundredths = digits(hundredths).filter(|_| hundredths.len() == 2)?;
            // Ratios of real pools are far below 2^53: the casts are exact.
            #[allow(clippy::cast_precision_loss)]
            Some(whole as f64 + hundredths as f64 / 100.0)
        });
        if value.is_none() {
            self.problem(property, text);
        }
        value
    }

    /// `on` or `off`, or `-` (not given).
    fn on_off(&mut self, property: &str, text: &str) -> Option<bool> {
        match text {
            "on" => Some(true),
            "off" => Some(false),
            "-" => None,
            _ => {
                self.problem(property, text);
                None
            }
        }
    }
}

/// A non-empty run of ASCII digits that fits in a `u64`.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::float_cmp)]
    use super::*;

    fn one(line: &str) -> (Option<PoolCapacity>, Vec<Diagnostic>) {
        let parsed = parse_list(line);
        (parsed.pools.into_iter().next(), parsed.diagnostics)
    }

    #[test]
    fn a_healthy_pool_line() {
        let (pool, diagnostics) = one("tank\t1000\t250\t750\t-\t-\t3\t25\t1.00\tONLINE\toff\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let pool = pool.unwrap();
        assert_eq!(pool.name, "tank");
        assert_eq!(
            (pool.size_bytes, pool.allocated_bytes, pool.free_bytes),
            (Some(1000), Some(250), Some(750))
        );
        assert_eq!(pool.checkpoint_bytes, Some(0));
        assert_eq!(pool.expand_size_bytes, Some(0));
        assert_eq!(pool.fragmentation_ratio, Some(0.03));
        assert_eq!(pool.capacity_ratio, Some(0.25));
        assert_eq!(pool.dedup_ratio, Some(1.0));
        assert_eq!(pool.health, PoolState::Online);
        assert_eq!(pool.readonly, Some(false));
    }

    #[test]
    fn dashes_of_an_unavailable_pool_give_no_values() {
        // POOL_STATE_UNAVAIL: every property but name and health is `-`.
        let (pool, diagnostics) = one("gone\t-\t-\t-\t-\t-\t-\t-\t-\tFAULTED\t-");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let pool = pool.unwrap();
        assert_eq!(pool.health, PoolState::Faulted);
        assert_eq!(
            (
                pool.size_bytes,
                pool.allocated_bytes,
                pool.free_bytes,
                pool.checkpoint_bytes,
                pool.expand_size_bytes,
            ),
            (None, None, None, None, None)
        );
        assert_eq!(
            (
                pool.fragmentation_ratio,
                pool.capacity_ratio,
                pool.dedup_ratio,
                pool.readonly
            ),
            (None, None, None, None)
        );
    }

    #[test]
    fn set_values_and_unknown_fragmentation() {
        let (pool, diagnostics) =
            one("big\t18000207937536\t9\t8\t4096\t1073741824\t-\t100\t2.37\tDEGRADED\ton");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let pool = pool.unwrap();
        assert_eq!(pool.size_bytes, Some(18_000_207_937_536));
        assert_eq!(pool.checkpoint_bytes, Some(4096));
        assert_eq!(pool.expand_size_bytes, Some(1_073_741_824));
        assert_eq!(pool.fragmentation_ratio, None);
        assert_eq!(pool.capacity_ratio, Some(1.0));
        assert_eq!(pool.dedup_ratio, Some(2.37));
        assert_eq!(pool.readonly, Some(true));
    }

    #[test]
    fn hostile_names_are_kept_verbatim() {
        for name in ["my pool", " lead", "a\"b\\c", "x}{=,", "ünï", "-", "ONLINE"] {
            let line = format!("{name}\t1\t0\t1\t-\t-\t0\t0\t1.00\tONLINE\toff");
            let (pool, diagnostics) = one(&line);
            assert!(diagnostics.is_empty(), "{name:?}: {diagnostics:?}");
            assert_eq!(pool.unwrap().name, name);
        }
    }

    #[test]
    fn lines_that_do_not_fit_are_counted_and_skipped() {
        let input = "ok\t1\t0\t1\t-\t-\t0\t0\t1.00\tONLINE\toff\n\
                     no pools available\n\
                     short\t1\t2\n\
                     \t1\t0\t1\t-\t-\t0\t0\t1.00\tONLINE\toff\n\
                     extra\t1\t0\t1\t-\t-\t0\t0\t1.00\tONLINE\toff\tnew\n\
                     \n\
                     ok2\t1\t0\t1\t-\t-\t0\t0\t1.00\tONLINE\toff\r\n";
        let parsed = parse_list(input);
        let names: Vec<&str> = parsed.pools.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ok", "ok2"]);
        let lines: Vec<usize> = parsed.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(parsed.diagnostics[1].message.contains("found 3"));
    }

    #[test]
    fn unreadable_values_are_none_and_one_diagnostic_per_line() {
        let (pool, diagnostics) = one("odd\t1.5T\t-1\t+3\tx\t\t12%\t 7\t1.5\tWEIRD\tmaybe");
        let pool = pool.unwrap();
        assert_eq!(diagnostics.len(), 1);
        let message = &diagnostics[0].message;
        for property in [
            "size",
            "allocated",
            "free",
            "checkpoint",
            "expandsize",
            "fragmentation",
            "capacity",
            "dedupratio",
            "health",
            "readonly",
        ] {
            assert!(
                message.contains(&format!("unreadable {property} ")),
                "{message}"
            );
        }
        assert_eq!(pool.size_bytes, None);
        assert_eq!(pool.free_bytes, None);
        assert_eq!(pool.health, PoolState::Unrecognized);
        assert_eq!(pool.dedup_ratio, None);
        assert_eq!(pool.readonly, None);
    }

    #[test]
    fn ratios_are_hundredths() {
        let mut problems = Vec::new();
        let mut fields = Fields {
            problems: &mut problems,
        };
        assert_eq!(fields.ratio("r", "1.05"), Some(1.05));
        assert_eq!(fields.ratio("r", "12.50"), Some(12.5));
        assert_eq!(fields.ratio("r", "1.00x"), None);
        assert_eq!(fields.ratio("r", ".50"), None);
        assert_eq!(fields.ratio("r", "1."), None);
        assert_eq!(problems.len(), 3);
        assert_eq!(digits("18446744073709551616"), None);
        assert_eq!(digits("18446744073709551615"), Some(u64::MAX));
    }

    #[test]
    fn empty_output_is_no_pools() {
        let parsed = parse_list("");
        assert!(parsed.pools.is_empty() && parsed.diagnostics.is_empty());
    }
}
