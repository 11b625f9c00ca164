//! `status:` paragraphs: which known situation the text describes.

use crate::model::StatusDesc;
use crate::swar::find_byte;

/// Known `status:` texts: a description matches when the text, with its
/// white space folded, contains every phrase of one of its entries. The first
/// matching entry wins, so entries that share words come most specific first.
const PATTERNS: &[(&[&str], StatusDesc)] = &[
    (
        &["formatted using a legacy on-disk format"],
        StatusDesc::LegacyFormat,
    ),
    (
        &["formatted using an older on-disk format"],
        StatusDesc::LegacyFormat,
    ),
    (
        &["configured to use a non-native block size"],
        StatusDesc::NonNativeBlockSize,
    ),
    (&["Errata #"], StatusDesc::Errata),
    (
        &["Some supported features are not enabled"],
        StatusDesc::FeaturesAvailable,
    ),
    (
        &["Some supported and requested features are not enabled"],
        StatusDesc::FeaturesAvailable,
    ),
    (
        &["This pool has a compatibility list specified, but"],
        StatusDesc::CompatibilityMismatch,
    ),
    (
        &["One or more features are enabled on the pool despite not being requested"],
        StatusDesc::CompatibilityMismatch,
    ),
    (
        &["Mismatch between pool hostid and system hostid"],
        StatusDesc::HostidMismatch,
    ),
    (
        &["label is missing or invalid", "Sufficient replicas exist"],
        StatusDesc::SufficientReplicasForMissing,
    ),
    (
        &["could not be opened. Sufficient replicas exist"],
        StatusDesc::SufficientReplicasForMissing,
    ),
    (
        &["has been removed by the administrator"],
        StatusDesc::DeviceRemoved,
    ),
    (
        &["One or more devices have been removed"],
        StatusDesc::DeviceRemoved,
    ),
    (
        &["has been taken offline by the administrator"],
        StatusDesc::DeviceOffline,
    ),
    (
        &[
            "faulted in response to persistent errors",
            "Sufficient replicas exist",
        ],
        StatusDesc::DeviceFaulted,
    ),
    (&["is currently being resilvered"], StatusDesc::Resilvering),
    (
        &["have been sequentially resilvered, scrubbing the pool is recommended"],
        StatusDesc::ScrubAfterRebuild,
    ),
    (
        &[
            "has experienced an unrecoverable error",
            "An attempt was made to correct the error",
        ],
        StatusDesc::DeviceErrorsCorrected,
    ),
    (
        &["has experienced an error resulting in data corruption"],
        StatusDesc::DataCorruption,
    ),
    (
        &["could not be opened. There are insufficient replicas"],
        StatusDesc::InsufficientReplicas,
    ),
    (
        &[
            "label is missing or invalid",
            "There are insufficient replicas",
        ],
        StatusDesc::InsufficientReplicas,
    ),
    (
        &[
            "faulted in response to persistent errors",
            "There are insufficient replicas",
        ],
        StatusDesc::InsufficientReplicas,
    ),
    (
        &["The pool metadata is corrupted"],
        StatusDesc::MetadataCorrupted,
    ),
    (
        &["faulted in response to IO failures"],
        StatusDesc::IoFailure,
    ),
    (
        &["The pool is suspended because multihost writes failed"],
        StatusDesc::IoFailure,
    ),
    (
        &["An intent log record could not be read"],
        StatusDesc::BadIntentLog,
    ),
    (
        &["upgraded to a newer, incompatible on-disk version"],
        StatusDesc::UnsupportedVersion,
    ),
    (
        &["cannot be accessed on this system because it uses"],
        StatusDesc::UnsupportedVersion,
    ),
    (
        &["can only be accessed in read-only mode"],
        StatusDesc::UnsupportedVersion,
    ),
    (
        &["cannot be accessed in read-write mode"],
        StatusDesc::UnsupportedVersion,
    ),
];

/// The description for a whole `status:` paragraph (continuation lines included).
///
/// Text that matches no known situation is [`StatusDesc::Unrecognized`].
#[must_use]
pub fn classify_status(text: &str) -> StatusDesc {
    let folded = fold_whitespace(text);
    PATTERNS
        .iter()
        .find(|(phrases, _)| phrases.iter().all(|phrase| contains(&folded, phrase)))
        .map_or(StatusDesc::Unrecognized, |(_, desc)| *desc)
}

/// `haystack.contains(needle)`, by the places of the needle's first byte
/// (found eight bytes at a time): for a paragraph and a few dozen short
/// phrases, cheaper than building a substring searcher for each phrase.
fn contains(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    let mut from = 0;
    while let Some(found) = find_byte(&haystack[from..], first) {
        let at = from + found;
        if haystack[at..].starts_with(needle) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// `text` with every run of white space turned into one space.
fn fold_whitespace(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_text_is_matched_after_folding() {
        let text = "One or more devices could not be used because the label is missing or\n\tinvalid.  Sufficient replicas exist for the pool to continue\n\tfunctioning in a degraded state.";
        assert_eq!(
            classify_status(text),
            StatusDesc::SufficientReplicasForMissing
        );
    }

    #[test]
    fn sufficient_and_insufficient_replicas_differ() {
        let faulted_ok = "One or more devices are faulted in response to persistent errors.\n\tSufficient replicas exist for the pool to continue functioning in a\n\tdegraded state.";
        let faulted_bad = "One or more devices are faulted in response to persistent errors.  There are insufficient replicas for the pool to\n\tcontinue functioning.";
        assert_eq!(classify_status(faulted_ok), StatusDesc::DeviceFaulted);
        assert_eq!(
            classify_status(faulted_bad),
            StatusDesc::InsufficientReplicas
        );
    }

    #[test]
    fn contains_agrees_with_str_contains() {
        let pieces = ["a", "b", "ab", " ", "é", "ba", "aab", ""];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = [String::new(), String::new()];
            for part in &mut text {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut bits = seed;
                for _ in 0..(bits % 9) {
                    bits = bits.rotate_right(3);
                    part.push_str(pieces[usize::try_from(bits % 8).unwrap_or(0)]);
                }
            }
            let [haystack, needle] = &text;
            assert_eq!(
                contains(haystack, needle),
                haystack.contains(needle.as_str()),
                "{haystack:?} {needle:?}"
            );
        }
    }

    #[test]
    fn unknown_text_is_unrecognized() {
        assert_eq!(
            classify_status("Something new happened."),
            StatusDesc::Unrecognized
        );
        assert_eq!(classify_status(""), StatusDesc::Unrecognized);
    }
}
