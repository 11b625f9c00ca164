//! Small readers for the figures `zpool status` prints in words: sizes,
//! durations, percentages and message ids. Each returns `None` for anything
//! it does not read exactly, and never panics.

/// Bytes from a human-readable size as `zfs_nicebytes` / `zfs_nicenum` print
/// it, which `zpool status` uses in scan lines even with `-p`: `0`, `0B`,
/// `68K`, `21.9M`, `1.00G`, `1.49T`.
///
/// A decimal number (a `.` or, in pastes from other locales, a `,` before the
/// fraction), then optionally one of `K M G T P E` (powers of 1024), then
/// optionally `B`. The result is rounded to the nearest byte.
#[must_use]
pub fn parse_size(word: &str) -> Option<u64> {
    let word = word.strip_suffix('B').unwrap_or(word);
    let (number, power) = match word.as_bytes().last()? {
        b'K' => (&word[..word.len() - 1], 1),
        b'M' => (&word[..word.len() - 1], 2),
        b'G' => (&word[..word.len() - 1], 3),
        b'T' => (&word[..word.len() - 1], 4),
        b'P' => (&word[..word.len() - 1], 5),
        b'E' => (&word[..word.len() - 1], 6),
        _ => (word, 0),
    };
    let (mantissa, decimals) = parse_decimal(number)?;
    let numerator = u128::from(mantissa).checked_mul(1u128 << (10 * power))?;
    let denominator = 10u128.checked_pow(decimals)?;
    let rounded = (numerator.checked_mul(2)? + denominator) / (denominator * 2);
    u64::try_from(rounded).ok()
}

/// Seconds from a duration as `zpool status` prints it: `HH:MM:SS`
/// (2.0+, hours below 24 but read as any number), `N days HH:MM:SS` (0.8+)
/// or `XhYm` (0.7 and older, also Solaris).
#[must_use]
pub fn parse_duration(text: &str) -> Option<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [clock] => parse_clock(clock).or_else(|| parse_hours_minutes(clock)),
        [days, "days" | "day", clock] => {
            let days = parse_digits(days)?;
            days.checked_mul(86_400)?.checked_add(parse_clock(clock)?)
        }
        _ => None,
    }
}

/// `HH:MM:SS` in seconds; minutes and seconds below 60.
fn parse_clock(clock: &str) -> Option<u64> {
    let mut parts = clock.split(':');
    let hours = parse_digits(parts.next()?)?;
    let minutes = parse_sexagesimal(parts.next()?)?;
    let seconds = parse_sexagesimal(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    hours.checked_mul(3600)?.checked_add(minutes * 60 + seconds)
}

/// `XhYm` (`0h4m`, `116h26m`) in seconds; minutes below 60.
fn parse_hours_minutes(text: &str) -> Option<u64> {
    let (hours, rest) = text.split_once('h')?;
    let minutes = rest.strip_suffix('m')?;
    let hours = parse_digits(hours)?;
    let minutes = parse_sexagesimal(minutes)?;
    hours.checked_mul(3600)?.checked_add(minutes * 60)
}

/// One or two digits below 60.
fn parse_sexagesimal(text: &str) -> Option<u64> {
    if text.len() > 2 {
        return None;
    }
    parse_digits(text).filter(|value| *value < 60)
}

/// A non-empty run of ASCII digits (no sign, no spaces) as a number.
#[must_use]
pub fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A non-negative decimal number as an integer mantissa and its count of
/// decimals (`10.35` is `(1035, 2)`); `.` or `,` before the fraction.
fn parse_decimal(text: &str) -> Option<(u64, u32)> {
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let decimals = u32::try_from(fraction.len()).ok()?;
    let mut mantissa: u64 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
    }
    Some((mantissa, decimals))
}

/// 10^0 to 10^22: every one an exact double.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The ratio (0 to 1, more when zpool overshoots) from a percentage word
/// such as `10.35%` (→ 0.1035) or, from other locales, `10,35%`.
///
/// Computed as one division of two exact numbers, so the result is the
/// double nearest to the decimal the text states.
#[must_use]
pub fn parse_percent(word: &str) -> Option<f64> {
    let (mantissa, decimals) = parse_decimal(word.strip_suffix('%')?)?;
    // Integers up to 2^53 are exact doubles, and so are the divisors.
    if mantissa > (1 << 53) {
        return None;
    }
    let divisor = *POWERS_OF_TEN.get(usize::try_from(decimals + 2).ok()?)?;
    #[allow(clippy::cast_precision_loss)] // below 2^53: exact
    let mantissa = mantissa as f64;
    Some(mantissa / divisor)
}

/// The message id (`ZFS-8000-9P`) that ends the URL of a `see:` line, on
/// any host: `https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-9P`,
/// `http://zfsonlinux.org/msg/ZFS-8000-9P`, `http://illumos.org/msg/…`,
/// `http://www.sun.com/msg/…`.
#[must_use]
pub fn parse_msgid(see: &str) -> Option<&str> {
    let url = see.trim();
    if url.contains(char::is_whitespace) {
        return None;
    }
    let last = url.rsplit('/').next()?;
    let code = last.strip_prefix("ZFS-8000-")?;
    let valid = !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    valid.then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_every_printed_form() {
        let cases = [
            ("0", Some(0)),
            ("0B", Some(0)),
            ("512B", Some(512)),
            ("68K", Some(68 * 1024)),
            ("200M", Some(200 << 20)),
            ("21.9M", Some(22_963_814)),
            ("1.00G", Some(1 << 30)),
            ("1.49T", Some(1_638_272_325_386)),
            ("10.5K", Some(10_752)),
            ("6.13T", Some(6_740_006_278_267)),
            ("2.28M", Some(2_390_753)),
            ("1E", Some(1 << 60)),
            ("15.9E", Some(18_331_451_923_248_866_918)),
            ("1,49T", Some(1_638_272_325_386)),
            ("1KB", Some(1024)),
        ];
        for (word, want) in cases {
            assert_eq!(parse_size(word), want, "{word}");
        }
    }

    #[test]
    fn sizes_malformed_give_nothing() {
        for word in [
            "",
            "B",
            "K",
            "M",
            ".5M",
            "1.2.3M",
            "-1K",
            "1 K",
            "1Ki",
            "1X",
            "12a",
            "é",
            "1.é",
            "1KK",
            "16E",
            "99999999999999999999999",
        ] {
            assert_eq!(parse_size(word), None, "{word:?}");
        }
    }

    #[test]
    fn durations_in_every_printed_form() {
        let cases = [
            ("00:04:35", Some(275)),
            ("15:34:45", Some(56_085)),
            ("0 days 00:00:12", Some(12)),
            (
                "2 days 19:24:49",
                Some(2 * 86_400 + 19 * 3600 + 24 * 60 + 49),
            ),
            ("167416 days 14:45:42", Some(167_416 * 86_400 + 53_142)),
            ("0h0m", Some(0)),
            ("0h4m", Some(240)),
            ("116h26m", Some(116 * 3600 + 26 * 60)),
            ("  3h49m ", Some(3 * 3600 + 49 * 60)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), want, "{text}");
        }
    }

    #[test]
    fn durations_malformed_give_nothing() {
        for text in [
            "",
            "days",
            "1 days",
            "00:60:00",
            "00:00:60",
            "00:00",
            "1:2:3:4",
            "a:b:c",
            "-1:00:00",
            "00:000:00",
            "1h60m",
            "1h",
            "h5m",
            "1h5",
            "x days 00:00:01",
            "1 weeks 00:00:01",
            "99999999999999999999 days 00:00:00",
            "999999999999999999:00:00",
            "no estimated completion time",
            "é:é:é",
        ] {
            assert_eq!(parse_duration(text), None, "{text:?}");
        }
    }

    #[test]
    fn percentages_are_the_nearest_double_to_the_decimal() {
        let cases = [
            ("10.35%", 0.1035),
            ("0.00%", 0.0),
            ("100.00%", 1.0),
            ("99.99%", 0.9999),
            ("100.33%", 1.0033),
            ("0.14%", 0.0014),
            ("57,17%", 0.5717),
            ("3%", 0.03),
        ];
        for (word, want) in cases {
            let got = parse_percent(word);
            assert_eq!(got, Some(want), "{word}");
            // The shortest round-trip decimal is what the text said.
            assert_eq!(format!("{}", got.unwrap_or(f64::NAN)), format!("{want}"));
        }
    }

    #[test]
    fn percentages_malformed_give_nothing() {
        for word in [
            "",
            "%",
            "10.35",
            "x%",
            "-1%",
            "1.2.3%",
            ".5%",
            "10 %",
            "1e5%",
            "99999999999999999999%",
            "1.00000000000000000000001%",
            "é%",
        ] {
            assert_eq!(parse_percent(word), None, "{word:?}");
        }
    }

    #[test]
    fn msgids_on_every_host() {
        let cases = [
            (
                "https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-9P",
                Some("ZFS-8000-9P"),
            ),
            ("http://zfsonlinux.org/msg/ZFS-8000-8A", Some("ZFS-8000-8A")),
            ("http://illumos.org/msg/ZFS-8000-2Q", Some("ZFS-8000-2Q")),
            ("http://www.sun.com/msg/ZFS-8000-K4", Some("ZFS-8000-K4")),
            (
                "  http://zfsonlinux.org/msg/ZFS-8000-EY\t",
                Some("ZFS-8000-EY"),
            ),
            ("ZFS-8000-72", Some("ZFS-8000-72")),
        ];
        for (see, want) in cases {
            assert_eq!(parse_msgid(see), want, "{see}");
        }
    }

    #[test]
    fn msgids_malformed_give_nothing() {
        for see in [
            "",
            "http://zfsonlinux.org/msg/",
            "http://zfsonlinux.org/msg/ZFS-8000-",
            "http://zfsonlinux.org/msg/ZFS-8000-9p",
            "http://zfsonlinux.org/msg/ZFS-8000-9P/",
            "http://zfsonlinux.org/msg/ZFS-8000-9P.html",
            "http://zfsonlinux.org/msg/ZFS-9000-9P",
            "http://zfsonlinux.org/msg/ZFS-8000-9P extra",
            "zpool-features(7)",
            "ZFS-8000-é",
        ] {
            assert_eq!(parse_msgid(see), None, "{see:?}");
        }
    }
}
