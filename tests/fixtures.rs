//! Golden files: every `fixtures/NAME.input` (a first line
//! `TEST_TIMESTAMP=<unix seconds>`, then real `zpool status` text) must render
//! exactly `fixtures/NAME.expected`. `UPDATE_FIXTURES=1 cargo test --test fixtures`
//! rewrites the expected files, for review with `git diff`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::{Timestamp, tz::TimeZone};
use zpool_status_exporter::parse::parse_with_diagnostics;
use zpool_status_exporter::render::render;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "input"))
        .collect();
    inputs.sort();
    inputs
}

/// The render of one input file, and what the parser skipped.
fn run_case(input_path: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(input_path).unwrap();
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let seconds: i64 = first
        .strip_prefix("TEST_TIMESTAMP=")
        .unwrap_or_else(|| {
            panic!(
                "{}: first line must be TEST_TIMESTAMP=<seconds>",
                input_path.display()
            )
        })
        .trim()
        .parse()
        .unwrap();
    let now = Timestamp::from_second(seconds)
        .unwrap()
        .to_zoned(TimeZone::UTC);
    let parsed = parse_with_diagnostics(rest, &now);
    let diagnostics = parsed
        .diagnostics
        .iter()
        .map(|d| format!("line {}: {}", d.line + 1, d.message))
        .collect();
    (render(&parsed.pools), diagnostics)
}

#[test]
fn golden_files() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no fixtures found in {}",
        fixtures_dir().display()
    );
    let mut failures = String::new();
    for input_path in &cases {
        let expected_path = input_path.with_extension("expected");
        let (actual, diagnostics) = run_case(input_path);
        let name = input_path.file_stem().unwrap().to_string_lossy();
        for diagnostic in &diagnostics {
            eprintln!("{name}: skipped {diagnostic}");
        }
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run UPDATE_FIXTURES=1 cargo test --test fixtures",
                expected_path.display()
            )
        });
        if actual != expected {
            writeln!(failures, "--- {name}: expected, +++ actual").unwrap();
            failures.push_str(&line_diff(&expected, &actual));
        }
    }
    assert!(failures.is_empty(), "golden files differ:\n{failures}");
}

#[test]
fn every_expected_file_has_an_input() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "expected") {
            assert!(
                path.with_extension("input").is_file(),
                "{} has no .input",
                path.display()
            );
        }
    }
}

/// A unified-style diff of two texts by lines (longest common subsequence).
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            writeln!(out, "  line {:>4} - {}", i + 1, a[i]).unwrap();
            i += 1;
        } else {
            writeln!(out, "  line {:>4} + {}", j + 1, b[j]).unwrap();
            j += 1;
        }
    }
    out
}

#[test]
fn line_diff_shows_changed_lines_only() {
    let diff = line_diff("a\nb\nc\n", "a\nx\nc\n");
    assert_eq!(diff, "  line    2 - b\n  line    2 + x\n");
}
