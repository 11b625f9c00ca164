//! The parser never panics and always renders well-formed output with every
//! series unique, whatever the input: every fixture, mutated many times by a
//! deterministic generator, and a few pathological inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::{Timestamp, Zoned, tz::TimeZone};
use zpool_status_exporter::{parse, render};

fn now() -> Zoned {
    Timestamp::from_second(1_800_000_000)
        .unwrap()
        .to_zoned(TimeZone::UTC)
}

/// xorshift64: small, deterministic, good enough to scramble text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap()
    }
}

/// Checks the exposition format line by line: comments, or `name{labels} value`,
/// and that no two samples have the same name and labels (Prometheus would
/// keep only one of them).
fn assert_well_formed(output: &str, input: &str) {
    assert!(output.ends_with('\n'), "output must end with a newline");
    let mut series_seen = HashSet::new();
    for line in output.lines() {
        if line.starts_with("# ") {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value in {line:?} for input {input:?}"));
        assert!(
            series_seen.insert(series),
            "series {series:?} repeats for input {input:?}"
        );
        assert!(
            value.parse::<f64>().is_ok() || value == "NaN",
            "bad value in {line:?}"
        );
        let name_end = series.find('{').unwrap_or(series.len());
        assert!(
            series[..name_end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad name in {line:?}"
        );
        if name_end < series.len() {
            assert!(series.ends_with("\"}"), "unterminated labels in {line:?}");
        }
    }
}

const SPICE: &[&str] = &[
    "\t",
    "  ",
    ":",
    "\n",
    "\"",
    "\\",
    "é",
    "NAME",
    "STATE",
    "  pool: ",
    " state: ",
    "config:\n",
    "errors: ",
    "  scan: ",
    "INUSE",
    "99999999999999999999999",
    "2.5K",
    "\r\n",
    " on Sun Nov  1 03:04:05 2026",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(8) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if at < chars.len() => {
                let end = (at + rng.below(40)).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                let spice = SPICE[rng.below(SPICE.len())];
                chars.splice(at..at, spice.chars());
            }
            2 if at < chars.len() => {
                let end = (at + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, copy);
            }
            3 => chars.truncate(at),
            _ if at < chars.len() => {
                chars[at] = char::from(b' ' + u8::try_from(rng.below(95)).unwrap());
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_fixtures_never_panic_and_render_well_formed() {
    let now = now();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    // ROBUSTNESS_ROUNDS=5000 for a longer search than CI's.
    let rounds: usize = std::env::var("ROBUSTNESS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(150);
    let mut inputs = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "input") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for _ in 0..rounds {
            let input = mutate(&mut rng, &text);
            assert_well_formed(&render(&parse(&input, &now)), &input);
            inputs += 1;
        }
    }
    assert!(inputs > 1000, "only {inputs} inputs were tried");
}

/// Pathological inputs, each built at size `n`: one huge line, a million
/// empty lines, one pool name repeated (every pool renamed), a table nested
/// `n` deep, one huge `status:` text, one scan line repeated.
fn pathological_input(kind: usize, n: usize) -> String {
    match kind {
        0 => "x".repeat(n * 20),
        1 => "\n".repeat(n * 10),
        2 => "  pool: p\n".repeat(n),
        3 => {
            let mut deep = String::from("  pool: p\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n");
            // Rows indented one level deeper each: `sqrt(n)` of them keeps
            // the input's bytes close to `n`'s other inputs.
            for depth in 0..n.isqrt() * 2_000 / 316 {
                deep.push('\t');
                deep.push_str(&" ".repeat(depth * 2));
                writeln!(deep, "d{depth} ONLINE 0 0 0").unwrap();
            }
            deep
        }
        4 => format!("  pool: p\nstatus: {}\n", "\tword\n".repeat(n * 2)),
        _ => "  scan: scrub repaired on Sun Nov  1 03:04:05 2026\n".repeat(n / 2),
    }
}

/// The fastest of three parse + render runs (the other two absorb a busy
/// machine's hiccups) and the bytes read and written, after checking the
/// output is well formed.
fn fastest_scrape(input: &str, now: &Zoned) -> (Duration, usize) {
    let mut fastest = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let output = render(&parse(input, now));
        fastest = fastest.min(start.elapsed());
        assert_well_formed(&output, "");
        bytes = input.len() + output.len();
    }
    (fastest, bytes)
}

/// Work grows linearly with the bytes read and written, whatever the
/// input's shape: an input about eight times larger may take at most 2.5
/// times longer per byte (a quadratic step would be about 8 times). A
/// ratio, not a time limit, so a loaded machine does not fail it; the
/// absolute ceiling only catches a hang.
#[test]
fn pathological_inputs_take_linear_time() {
    let now = now();
    for kind in 0..6 {
        let (small, large) = (
            pathological_input(kind, 12_500),
            pathological_input(kind, 100_000),
        );
        let (t_small, bytes_small) = fastest_scrape(&small, &now);
        let (t_large, bytes_large) = fastest_scrape(&large, &now);
        let head = &large[..40.min(large.len())];
        let allowed = t_small * u32::try_from(bytes_large * 5 / (bytes_small * 2)).unwrap();
        eprintln!("{head:?}: {t_small:?} for {bytes_small} bytes, {t_large:?} for {bytes_large}");
        assert!(
            t_large < allowed + Duration::from_millis(20),
            "{t_large:?} for {bytes_large} bytes in and out, {t_small:?} for {bytes_small}, \
             input starting {head:?}"
        );
        assert!(
            t_large < Duration::from_mins(1),
            "{t_large:?} for input starting {head:?}"
        );
    }
}
