//! One row of the device table, split into depth, name, state and error
//! counters: [`split_row`].

use super::table::Columns;
use super::text::{is_blank, next_word, trim_end};
use crate::model::{DevErrors, DevState};
use crate::swar::{SPACES, find_space_or_non_ascii, first_flagged, trailing_spaces, word};

/// The error counters of a row.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Counters {
    /// The row stops after its state, or a note follows it (a hot spare).
    Absent,
    /// READ, WRITE and CKSUM.
    Read(DevErrors),
    /// Something stands where the counters should be.
    Unreadable,
}

/// The parts of one table row.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Row<'a> {
    /// Nesting level: two spaces of indent each.
    pub(super) depth: usize,
    /// The NAME column, trimmed.
    pub(super) name: &'a str,
    /// The STATE column, if the row has one.
    pub(super) state: Option<&'a str>,
    /// READ, WRITE and CKSUM.
    pub(super) counters: Counters,
}

/// Splits a row into depth, name, state and counters; trailing notes
/// (`(resilvering)`, `was /dev/sdb1`, ...) are dropped.
///
/// The common row is read in one pass over its bytes ([`split_plain_row`]);
/// any other goes the general way ([`split_any_row`]).
pub(super) fn split_row(line: &str, columns: Columns) -> Option<Row<'_>> {
    split_plain_row(line, columns).or_else(|| split_any_row(line, columns))
}

/// Whether an ASCII byte is white space by `char::is_whitespace`.
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// The row as [`split_any_row`] reads it, when it is plain: the indent all
/// ASCII white space, the name cut at the STATE column and ending in a
/// printable ASCII byte, a state word of printable ASCII (or DEL), and after it
/// nothing, a note, or counters of 1 to 19 digits. `None` for any other
/// row, and for a row whose counters are not plain digits.
fn split_plain_row(line: &str, columns: Columns) -> Option<Row<'_>> {
    let bytes = line.as_bytes();
    if !bytes.get(..columns.name)?.iter().all(|&b| is_space(b)) {
        return None;
    }
    let indent = bytes[columns.name..]
        .iter()
        .take_while(|&&b| b == b' ')
        .count();
    let name_start = columns.name + indent;
    let state_start = columns.state;
    if name_start >= state_start || !matches!(bytes.get(state_start - 1)?, b' ' | b'\t') {
        return None;
    }
    // The name's padding: runs of spaces eight bytes at a time, then tabs too.
    let mut name_end = state_start - trailing_spaces(&bytes[name_start..state_start]);
    while name_end > name_start && matches!(bytes[name_end - 1], b' ' | b'\t') {
        name_end -= 1;
    }
    if name_end == name_start || !bytes[name_end - 1].is_ascii_graphic() {
        return None;
    }
    let state_end = state_start + state_word_len(&bytes[state_start..])?;
    if state_end == state_start && state_start < bytes.len() {
        // White space where the state should start: the general reader skips it.
        return None;
    }
    let counters = plain_counters(&bytes[state_end..])?;
    Some(Row {
        depth: indent / 2,
        name: line.get(name_start..name_end)?,
        state: line
            .get(state_start..state_end)
            .filter(|state| !state.is_empty()),
        counters,
    })
}

/// The length of the word of printable ASCII (and DEL) `bytes` start
/// with, which ends at white space or the end; `None` when another byte
/// (a control byte, a byte not ASCII) is in it.
fn state_word_len(bytes: &[u8]) -> Option<usize> {
    let len = find_space_or_non_ascii(bytes).unwrap_or(bytes.len());
    match bytes.get(len) {
        Some(&byte) if !is_space(byte) => None,
        _ => Some(len),
    }
}

/// What follows the state: only ASCII white space, or a note (`Absent`),
/// or three counters of 1 to 19 digits each ending at white space or the
/// end (the rest of the row is ignored). `None` for anything else:
/// non-ASCII bytes, `2.72K`, fewer than three counters.
fn plain_counters(tail: &[u8]) -> Option<Counters> {
    let at = skip_ascii_space(tail, 0)?;
    match tail.get(at) {
        None => return Some(Counters::Absent),
        // A word that does not start with a digit: a note.
        Some(byte) if !byte.is_ascii_digit() => return Some(Counters::Absent),
        Some(_) => {}
    }
    let (read, at) = plain_count(tail, at)?;
    let (write, at) = plain_count(tail, skip_ascii_space(tail, at)?)?;
    let (checksum, _) = plain_count(tail, skip_ascii_space(tail, at)?)?;
    Some(Counters::Read(DevErrors {
        read,
        write,
        checksum,
    }))
}

/// Where the ASCII white space from `at` on ends in `bytes` (runs of
/// spaces eight bytes at a time); `None` when a byte that is not ASCII
/// follows it.
fn skip_ascii_space(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        while let Some(chunk) = bytes.get(at..at + 8) {
            let not_spaces = word(chunk) ^ SPACES;
            if not_spaces != 0 {
                at += first_flagged(not_spaces);
                break;
            }
            at += 8;
        }
        while bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        match bytes.get(at) {
            Some(&byte) if is_space(byte) => at += 1,
            Some(byte) if !byte.is_ascii() => return None,
            _ => return Some(at),
        }
    }
}

/// The counter of 1 to 19 digits at `at` in `bytes`, which must end at
/// white space or the end, and where it ends.
fn plain_count(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut end = at;
    let mut value: u64 = 0;
    while let Some(&byte) = bytes.get(end) {
        if !byte.is_ascii_digit() {
            if !is_space(byte) {
                return None;
            }
            break;
        }
        if end - at == 19 {
            return None;
        }
        value = value * 10 + u64::from(byte - b'0');
        end += 1;
    }
    (end > at).then_some((value, end))
}

/// [`split_row`] for any row: Unicode white space, names wider than the
/// header, counters in zfs' short form (`2.72K`).
fn split_any_row(line: &str, columns: Columns) -> Option<Row<'_>> {
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
    if let Some(exact) = short_digits(word) {
        return Some(exact);
    }
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

/// The value of 1 to 19 ASCII digits (never beyond `u64`), the common case
/// of [`parse_count`] without `str::parse`'s sign and overflow checks.
fn short_digits(word: &str) -> Option<u64> {
    let bytes = word.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |value, &digit| value * 10 + u64::from(digit - b'0')),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const COLUMNS: Columns = Columns { name: 1, state: 12 };

    #[test]
    fn plain_rows_are_read_in_one_pass() {
        for line in [
            "\tsda        ONLINE       0     0     0",
            "\t    sdb    DEGRADED     3    12 12345  (resilvering)",
            "\t  sde      AVAIL   ",
            "\t  sdf      INUSE     currently in use",
            "\t  sdg      REMOVED",
        ] {
            let plain = split_plain_row(line, COLUMNS);
            assert!(plain.is_some(), "{line:?}");
            assert_eq!(plain, split_any_row(line, COLUMNS), "{line:?}");
        }
        let row = split_plain_row("\t    sdb    DEGRADED     3    12 12345", COLUMNS).unwrap();
        assert_eq!(
            (row.depth, row.name, row.state),
            (2, "sdb", Some("DEGRADED"))
        );
        assert_eq!(
            row.counters,
            Counters::Read(DevErrors {
                read: 3,
                write: 12,
                checksum: 12345
            })
        );
    }

    /// A random row: indent, nesting, name, padding, state, then a tail of
    /// pieces, each part usually plain and sometimes awkward.
    fn random_row(seed: u64) -> (String, Columns) {
        const PIECES: [&str; 25] = [
            " ",
            "  ",
            "\t",
            "       ",
            "\u{b}",
            "\r",
            "\u{a0}",
            "\u{2003}",
            "é",
            "sda",
            "a b",
            "ONLINE",
            "AVAIL",
            "0",
            "12",
            "2.72K",
            "x",
            "\u{1}",
            "18446744073709551615",
            "9999999999999999999",
            "99999999999999999999",
            "(resilvering)",
            "-",
            "\u{1f980}",
            "\u{7f}",
        ];
        let mut bits = seed;
        let mut pick = |choices: &[&'static str]| {
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            choices[usize::try_from(bits % choices.len() as u64).unwrap_or(0)]
        };
        let mut line = String::new();
        line.push_str(pick(&["\t", "\t", "\t", " ", "\u{a0}", "x"]));
        let name_column = line.len();
        line.push_str(pick(&["", "  ", "    ", " ", "\t"]));
        line.push_str(pick(&[
            "sda",
            "mirror-0",
            "a b",
            "é",
            "",
            "sdé",
            "x\u{b}",
            "\u{1f980}",
        ]));
        line.push_str(pick(&["   ", "  ", " ", "\t", "", "    "]));
        // Usually where the state starts, sometimes a byte or two off.
        let offset = [0, 0, 0, 0, 1, 2, -1, -2][usize::try_from(seed % 8).unwrap_or(0)];
        let state_column = line.len().saturating_add_signed(offset);
        line.push_str(pick(&[
            "ONLINE",
            "AVAIL",
            "DEGRADED",
            "",
            " ONLINE",
            "é",
            "ONLINE\u{1}",
        ]));
        line.push_str(pick(&[
            "",
            "       0     0     0",
            " 1 22 333",
            "   0     0",
            "  (resilvering)",
            "  2.72K 0 0",
            "  0 0 0  was /dev/sdb1",
        ]));
        for _ in 0..(seed >> 62) {
            line.push_str(pick(&[" ", "", "", ""]));
            line.push_str(pick(&PIECES));
        }
        let name_offset = [0, 0, 0, 1, -1][usize::try_from((seed >> 4) % 5).unwrap_or(0)];
        let columns = Columns {
            name: name_column.saturating_add_signed(name_offset),
            state: state_column,
        };
        (line, columns)
    }

    #[test]
    fn the_one_pass_reader_agrees_with_the_general_one() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut answered = 0;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let (line, columns) = random_row(seed);
            if let Some(plain) = split_plain_row(&line, columns) {
                answered += 1;
                assert_eq!(
                    Some(plain),
                    split_any_row(&line, columns),
                    "{line:?} {columns:?}"
                );
            }
        }
        assert!(answered > 5_000, "only {answered} rows read in one pass");
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
}
