//! Byte searches eight bytes at a time ("SIMD within a register"), for the
//! hot loops of parsing and rendering: plain `u64` arithmetic, no `unsafe`.
//!
//! Each search reads whole eight-byte words while they last and finishes
//! byte by byte, and gives exactly the index a byte-by-byte loop would.

/// `0x01` in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `b' '` in every byte.
pub const SPACES: u64 = splat(b' ');
/// `0x80` in every byte.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `chunk` (exactly eight long) as a little-endian word.
pub fn word(chunk: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(chunk);
    u64::from_le_bytes(bytes)
}

/// `byte` in every byte of a word.
const fn splat(byte: u8) -> u64 {
    ONES * byte as u64
}

/// A word with the high bit set in the lowest zero byte of `x` (and maybe in
/// higher bytes too: only the lowest set bit is exact), or 0 when there is none.
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The index of the byte that the lowest set bit of `mask` lies in.
pub fn first_flagged(mask: u64) -> usize {
    // At most 63 / 8 = 7: the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let index = (mask.trailing_zeros() / 8) as usize;
    index
}

/// The index of the first byte of `bytes` for which `flags` (given a word)
/// flags a byte exactly at its lowest flag, or for which `byte_test` holds
/// in the tail shorter than a word.
fn find(bytes: &[u8], flags: impl Fn(u64) -> u64, byte_test: impl Fn(u8) -> bool) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mask = flags(word(chunk));
        if mask != 0 {
            return Some(offset + first_flagged(mask));
        }
        offset += 8;
    }
    let tail = chunks.remainder();
    tail.iter().position(|&b| byte_test(b)).map(|i| offset + i)
}

/// The index of the first `needle` in `bytes`.
pub fn find_byte(bytes: &[u8], needle: u8) -> Option<usize> {
    find(bytes, |w| zero_bytes(w ^ splat(needle)), |b| b == needle)
}

/// The index of the first byte of `bytes` that is not `b' '`.
pub fn find_not_space(bytes: &[u8]) -> Option<usize> {
    // The lowest non-zero byte of `w ^ spaces` holds the lowest set bit.
    find(bytes, |w| w ^ splat(b' '), |b| b != b' ')
}

/// The index of the first byte of `bytes` that is ASCII white space or
/// another control byte (below `0x21`), or not ASCII (`0x80` and up).
pub fn find_space_or_non_ascii(bytes: &[u8]) -> Option<usize> {
    // Bytes below 0x21 borrow in the subtraction (exact at the lowest one);
    // bytes from 0x80 have their high bit set and never start a borrow.
    find(
        bytes,
        |w| (w.wrapping_sub(splat(0x21)) | w) & HIGHS,
        |b| !(0x21..0x80).contains(&b),
    )
}

/// The number of `b' '` bytes `bytes` ends with.
pub fn trailing_spaces(bytes: &[u8]) -> usize {
    let mut end = bytes.len();
    while end >= 8 && word(&bytes[end - 8..end]) == splat(b' ') {
        end -= 8;
    }
    let rest = bytes[..end].iter().rev().take_while(|&&b| b == b' ');
    bytes.len() - end + rest.count()
}

/// Whether `bytes` hold any of `a`, `b`, `c`.
pub fn contains_any3(bytes: &[u8], a: u8, b: u8, c: u8) -> bool {
    find(
        bytes,
        |w| zero_bytes(w ^ splat(a)) | zero_bytes(w ^ splat(b)) | zero_bytes(w ^ splat(c)),
        |x| x == a || x == b || x == c,
    )
    .is_some()
}

/// Calls `each(word, real)` with every eight bytes of `bytes` as a
/// little-endian word, in order; a last part shorter than eight is padded
/// with zero bytes. `real` has all bits set in the bytes of `word` that come
/// from `bytes`, none in the padding.
pub fn for_each_word(bytes: &[u8], mut each: impl FnMut(u64, u64)) {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        each(word(chunk), u64::MAX);
    }
    let rest = chunks.remainder();
    if rest.is_empty() {
        return;
    }
    // The padding's bits: 8 to 56 of them.
    let padding = 8 * (8 - rest.len());
    let last = match bytes.len().checked_sub(8) {
        // The last eight bytes, shifted to drop the ones already read.
        Some(start) => word(&bytes[start..]) >> padding,
        None => rest.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b)),
    };
    each(last, u64::MAX >> padding);
}

/// A word with the high bit set in every byte of `word` below `below` (at
/// most `0x80`) or equal to `equal`, exact at the lowest such byte; bytes
/// above that may be flagged too (a borrow carries upwards), bytes below it
/// never are. Non-zero exactly when there is such a byte.
pub fn flag_below_or_equal(word: u64, below: u8, equal: u8) -> u64 {
    let low = word.wrapping_sub(splat(below)) & !word;
    (low & HIGHS) | zero_bytes(word ^ splat(equal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_byte_loops_at_every_position() {
        let alphabet = [
            b' ', b'\n', b'\t', b'a', b'0', 0x80, 0xff, 0x20, 0x21, 0x7f, 0, b'"',
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bits = seed;
            let len = usize::try_from(bits % 26).unwrap_or(0);
            let mut bytes = Vec::new();
            for _ in 0..len {
                bits = bits.rotate_right(3) ^ seed;
                bytes.push(alphabet[usize::try_from(bits % 12).unwrap_or(0)]);
            }
            let bytes = &bytes[..];
            assert_eq!(
                find_byte(bytes, b'\n'),
                bytes.iter().position(|&b| b == b'\n')
            );
            assert_eq!(find_not_space(bytes), bytes.iter().position(|&b| b != b' '));
            assert_eq!(
                find_space_or_non_ascii(bytes),
                bytes.iter().position(|&b| !(0x21..0x80).contains(&b))
            );
            assert_eq!(
                trailing_spaces(bytes),
                bytes.iter().rev().take_while(|&&b| b == b' ').count()
            );
            assert_eq!(
                contains_any3(bytes, b'\\', b'"', b'\n'),
                bytes.iter().any(|b| matches!(b, b'\\' | b'"' | b'\n'))
            );
            let mut words = Vec::new();
            let mut reals = Vec::new();
            let mut below_or_equal = 0;
            for_each_word(bytes, |w, real| {
                words.extend(w.to_le_bytes());
                reals.extend(real.to_le_bytes());
                below_or_equal |= flag_below_or_equal(w, b'!', b'a') & real;
            });
            assert_eq!(words.len(), bytes.len().div_ceil(8) * 8);
            assert_eq!(&words[..bytes.len()], bytes);
            assert!(words[bytes.len()..].iter().all(|&b| b == 0));
            assert!(reals[..bytes.len()].iter().all(|&b| b == 0xff));
            assert!(reals[bytes.len()..].iter().all(|&b| b == 0));
            assert_eq!(
                below_or_equal != 0,
                bytes.iter().any(|&b| b < b'!' || b == b'a')
            );
        }
    }
}
