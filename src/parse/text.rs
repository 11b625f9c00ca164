//! White space on the hot path of the parser: the same results as `str`'s
//! Unicode-aware `trim_start`, `trim_end` and `split_whitespace`, but byte by
//! byte while the text is ASCII (as `zpool` prints it), falling back to the
//! `str` methods at the first non-ASCII byte. Runs of spaces and words are
//! skipped eight bytes at a time ([`crate::swar`]).

use crate::swar::{find_byte, find_not_space, find_space_or_non_ascii, trailing_spaces};

/// Whether an ASCII byte is white space by `char::is_whitespace`
/// (tab, line feed, vertical tab, form feed, carriage return, space).
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `text.trim_start()`.
pub fn trim_start(text: &str) -> &str {
    let bytes = text.as_bytes();
    let spaces = find_not_space(bytes).unwrap_or(bytes.len());
    let start = bytes[spaces..]
        .iter()
        .position(|&b| !is_space(b))
        .map(|i| spaces + i);
    match start {
        None => "",
        Some(start) if bytes[start].is_ascii() => &text[start..],
        // A multi-byte character may be white space too.
        Some(_) => text.trim_start(),
    }
}

/// `text.trim_end()`.
pub fn trim_end(text: &str) -> &str {
    let bytes = text.as_bytes();
    let before_spaces = bytes.len() - trailing_spaces(bytes);
    let end = bytes[..before_spaces].iter().rposition(|&b| !is_space(b));
    match end {
        None => "",
        Some(end) if bytes[end].is_ascii() => &text[..=end],
        Some(_) => text.trim_end(),
    }
}

/// Whether `text` is empty or all white space (`text.trim().is_empty()`).
pub fn is_blank(text: &str) -> bool {
    // Most lines end in a printable ASCII byte: not blank, without a scan.
    if text.as_bytes().last().is_some_and(u8::is_ascii_graphic) {
        return false;
    }
    trim_start(text).is_empty()
}

/// Takes the next word off the front of `rest`, as `split_whitespace` would
/// yield it; `None` when only white space is left.
pub fn next_word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let text = trim_start(rest);
    if text.is_empty() {
        *rest = text;
        return None;
    }
    let end = word_end(text);
    let (word, after) = text.split_at(end);
    *rest = after;
    Some(word)
}

/// Where the word `text` starts with ends: at the first white space.
fn word_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = 0;
    while let Some(found) = find_space_or_non_ascii(&bytes[end..]) {
        end += found;
        let byte = bytes[end];
        if is_space(byte) {
            return end;
        }
        if !byte.is_ascii() {
            return text.find(char::is_whitespace).unwrap_or(text.len());
        }
        // Another control byte: part of the word.
        end += 1;
    }
    bytes.len()
}

/// The lines of `text`, as `str::lines` yields them (split at `\n`, one
/// `\r` before it dropped, no empty line after a final `\n`).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let Some(newline) = find_byte(rest.as_bytes(), b'\n') else {
            return Some(std::mem::take(&mut rest));
        };
        let line = &rest[..newline];
        rest = &rest[newline + 1..];
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(mut text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        while let Some(word) = next_word(&mut text) {
            out.push(word);
        }
        out
    }

    #[test]
    fn agrees_with_str_on_awkward_text() {
        let pieces = [
            "",
            " ",
            "\t",
            "\u{b}",
            "\u{c}",
            "\r",
            "\n",
            "\u{a0}",
            "\u{2003}",
            "\u{85}",
            "a",
            "é",
            "0",
            "ONLINE",
            "x\u{a0}y",
            "\u{1f980}",
            "        ",
            "\r\n",
            "\u{1}",
            "ONLINE       0     0     0",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bits = seed;
            for _ in 0..(bits % 7) {
                bits = bits.rotate_right(4);
                let index = usize::try_from(bits % pieces.len() as u64).unwrap_or(0);
                text.push_str(pieces[index]);
            }
            assert_eq!(trim_start(&text), text.trim_start(), "{text:?}");
            assert_eq!(trim_end(&text), text.trim_end(), "{text:?}");
            assert_eq!(is_blank(&text), text.trim().is_empty(), "{text:?}");
            assert_eq!(
                lines(&text).collect::<Vec<_>>(),
                text.lines().collect::<Vec<_>>(),
                "{text:?}"
            );
            assert_eq!(
                words(&text),
                text.split_whitespace().collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }
}
