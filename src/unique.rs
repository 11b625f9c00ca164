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
        // One lookup of the name's counter, then one per candidate: a
        // name repeated n times costs O(n), not O(n²).
        let next = match self.next_suffix.get_mut(name) {
            Some(next) => next,
            None => self.next_suffix.entry(name.to_owned()).or_insert(2),
        };
        loop {
            let candidate = format!("{name}#{next}");
            *next += 1;
            if self.taken.insert(candidate.clone()) {
                return Some(candidate);
            }
        }
    }
}

/// Whether the strings are pairwise distinct, decided cheaply: `true` means
/// they surely are; `false` means two of them may be equal (two have the
/// same 64-bit hash) and an exact check is needed.
///
/// One word-at-a-time hash per string and an open-addressing table of
/// hashes: no allocation per string, and linear in the total length.
#[must_use]
pub fn surely_distinct<'a>(strings: impl ExactSizeIterator<Item = &'a str>) -> bool {
    DistinctCheck::default().surely_distinct(strings)
}

/// [`surely_distinct`] that keeps its table from one call to the next (one
/// allocation for many small lists, such as the device paths of each pool).
///
/// Also usable one hash at a time ([`DistinctCheck::start`],
/// [`DistinctCheck::insert`]), for a caller that already reads each string
/// word by word and computes its [`WordHash`] on the way.
#[derive(Debug, Default)]
pub struct DistinctCheck {
    /// Open addressing: 0 marks an empty slot; hashes are forced non-zero.
    slots: Vec<u64>,
    /// Hashes inserted since [`DistinctCheck::start`].
    filled: usize,
}

impl DistinctCheck {
    /// Whether the strings are surely pairwise distinct; see [`surely_distinct`].
    pub fn surely_distinct<'a>(&mut self, strings: impl ExactSizeIterator<Item = &'a str>) -> bool {
        self.surely_distinct_hashes(strings.map(|string| hash(string.as_bytes())))
    }

    /// [`DistinctCheck::surely_distinct`] for strings given by their [`hash`]es.
    pub fn surely_distinct_hashes(&mut self, hashes: impl ExactSizeIterator<Item = u64>) -> bool {
        let count = hashes.len();
        if count < 2 {
            return true;
        }
        self.start(count);
        hashes.into_iter().all(|hash| self.insert(hash))
    }

    /// Empties the table, with room for the hashes of `count` strings.
    pub fn start(&mut self, count: usize) {
        let size = (count * 2).next_power_of_two();
        self.slots.clear();
        self.slots.resize(size, 0);
        self.filled = 0;
    }

    /// Adds the [`WordHash`] of one string: `false` when one inserted since
    /// [`DistinctCheck::start`] was equal (the strings may be equal), or when
    /// the table is half full, more strings than `start` made room for
    /// (then nothing is sure).
    pub fn insert(&mut self, hash: u64) -> bool {
        // At most half full: probing always ends at an empty slot.
        if self.filled * 2 >= self.slots.len() {
            return false;
        }
        self.filled += 1;
        let hash = hash | 1;
        let mask = self.slots.len() - 1;
        // The low bits pick the slot: a truncating cast is what is wanted.
        #[allow(clippy::cast_possible_truncation)]
        let mut slot = (hash >> 7) as usize & mask;
        loop {
            match self.slots[slot] {
                0 => {
                    self.slots[slot] = hash;
                    return true;
                }
                seen if seen == hash => return false,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// A fast 64-bit hash of a string, fed eight bytes at a time as
/// little-endian words, the last one padded with zero bytes (not for
/// adversaries: a collision only costs an exact check).
#[derive(Debug, Clone, Copy)]
pub struct WordHash(u64);

impl WordHash {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    /// The hash of a string of `len` bytes, before any word of it.
    #[must_use]
    pub fn new(len: usize) -> Self {
        Self(len as u64)
    }

    /// Mixes in the next word.
    #[must_use]
    pub fn mix(self, word: u64) -> Self {
        Self((self.0 ^ word).wrapping_mul(Self::K).rotate_left(29))
    }

    /// The hash, after every word.
    #[must_use]
    pub fn finish(self) -> u64 {
        (self.0 ^ (self.0 >> 31)).wrapping_mul(Self::K)
    }
}

/// The [`WordHash`] of `bytes`, the hash [`DistinctCheck::insert`] takes.
#[must_use]
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h = WordHash::new(bytes.len());
    crate::swar::for_each_word(bytes, |word, _| h = h.mix(word));
    h.finish()
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
        // A reused table forgets the previous list.
        let mut check = DistinctCheck::default();
        assert!(!check.surely_distinct(["a", "b", "a"].into_iter()));
        assert!(check.surely_distinct(["a", "b"].into_iter()));
        assert!(check.surely_distinct(many.iter().map(String::as_str)));
    }

    #[test]
    fn one_hash_at_a_time_agrees_and_never_overfills() {
        let mut check = DistinctCheck::default();
        check.start(3);
        assert!(check.insert(hash(b"a")));
        assert!(check.insert(hash(b"b")));
        assert!(!check.insert(hash(b"a")));
        check.start(2);
        assert!(check.insert(hash(b"a")));
        assert!(check.insert(hash(b"b")));
        // More strings than room was made for: not sure any more.
        assert!(!check.insert(hash(b"c")));
    }
}
