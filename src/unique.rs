//! Keeping every series unique: names that repeat get a `#2`, `#3`, ...
//! suffix ([`UniqueNames`]), and a cheap test tells whether a list of
//! strings needs that at all ([`surely_distinct`]).
//!
//! Prometheus keeps only one of two samples with the same name and labels,
//! so a repeated `pool` or `dev` label would hide a sample.

use std::collections::{HashMap, HashSet};

/// Names handed out so far; a repeat is renamed `NAME#k`.
#[derive(Debug, Default)]
pub struct UniqueNames {
    taken: HashSet<String>,
    /// The next `k` to try for each repeated name.
    next_suffix: HashMap<String, u64>,
}

impl UniqueNames {
    /// Claims `name`: `None` when it is new (it is now taken), else the new
    /// name to use instead, `name#k` with the smallest `k` from 2 up that
    /// is not taken (and above those given to `name` before).
    pub fn claim(&mut self, name: &str) -> Option<String> {
        if !self.taken.contains(name) {
            self.taken.insert(name.to_owned());
            return None;
        }
        let mut next = self.next_suffix.get(name).copied().unwrap_or(2);
        let renamed = loop {
            let candidate = format!("{name}#{next}");
            next += 1;
            if !self.taken.contains(&candidate) {
                break candidate;
            }
        };
        match self.next_suffix.get_mut(name) {
            Some(suffix) => *suffix = next,
            None => {
                self.next_suffix.insert(name.to_owned(), next);
            }
        }
        self.taken.insert(renamed.clone());
        Some(renamed)
    }
}

/// Whether the strings are pairwise distinct, decided cheaply: `true` means
/// they surely are; `false` means two of them may be equal (two have the
/// same 64-bit hash) and an exact check is needed.
///
/// One word-at-a-time hash per string and an open-addressing table of
/// hashes: no allocation per string, and linear in the total length.
pub fn surely_distinct<'a>(strings: impl ExactSizeIterator<Item = &'a str>) -> bool {
    let count = strings.len();
    if count < 2 {
        return true;
    }
    let size = (count * 2).next_power_of_two();
    let mask = size - 1;
    // 0 marks an empty slot; hashes are forced non-zero.
    let mut slots = vec![0u64; size];
    for string in strings {
        let hash = hash(string.as_bytes()) | 1;
        // The low bits pick the slot: a truncating cast is what is wanted.
        #[allow(clippy::cast_possible_truncation)]
        let mut slot = (hash >> 7) as usize & mask;
        loop {
            match slots[slot] {
                0 => {
                    slots[slot] = hash;
                    break;
                }
                seen if seen == hash => return false,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    true
}

/// A fast 64-bit hash of `bytes`, eight at a time (not for adversaries:
/// a collision only costs an exact check).
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, word: [u8; 8]| {
        (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29)
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut h = bytes.len() as u64;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h, word);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = mix(h, word);
    }
    (h ^ (h >> 31)).wrapping_mul(K)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_numbered_in_order() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("a"), None);
        assert_eq!(names.claim("b"), None);
        assert_eq!(names.claim("a").as_deref(), Some("a#2"));
        assert_eq!(names.claim("a").as_deref(), Some("a#3"));
    }

    #[test]
    fn a_suffix_never_collides_with_a_real_name() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("a"), None);
        assert_eq!(names.claim("a#2"), None);
        assert_eq!(names.claim("a").as_deref(), Some("a#3"));
        // A literal name equal to a given suffix is itself renamed.
        assert_eq!(names.claim("a#3").as_deref(), Some("a#3#2"));
    }

    #[test]
    fn many_repeats_stay_linear() {
        let mut names = UniqueNames::default();
        for _ in 0..100_000 {
            names.claim("p");
        }
        assert_eq!(names.claim("p").as_deref(), Some("p#100001"));
    }

    #[test]
    fn distinct_strings_pass_and_repeats_do_not() {
        let many: Vec<String> = (0..10_000).map(|i| format!("raidz2-{i}/sd{i}")).collect();
        assert!(surely_distinct(many.iter().map(String::as_str)));
        assert!(surely_distinct(["", "a"].into_iter()));
        assert!(surely_distinct(["x"].into_iter()));
        assert!(!surely_distinct(["a", "b", "a"].into_iter()));
        assert!(!surely_distinct(["", ""].into_iter()));
        let long = "ata-TOSHIBA_MG08ACA16TE_64M0A0xxxxxx";
        assert!(!surely_distinct([long, "b", long].into_iter()));
        // Strings that differ only in length or in their last partial word.
        assert!(surely_distinct(
            ["abcdefgh", "abcdefgh\0", "abcdefg"].into_iter()
        ));
    }
}
