//! Golden files of `zpool list`: every `fixtures/list/NAME.input` (real
//! `zpool list -Hp -o LIST_PROPERTIES` text, verbatim) must render exactly
//! `fixtures/list/NAME.expected` (the capacity families, then a comment with
//! the count of unparsed lines). `UPDATE_FIXTURES=1 cargo test --test
//! list_fixtures` rewrites the expected files, for review with `git diff`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use zpool_status_exporter::parse::parse_list;
use zpool_status_exporter::render_scrape::capacity;

fn list_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/list")
}

fn render_case(input: &Path) -> String {
    let parsed = parse_list(&std::fs::read_to_string(input).unwrap());
    for diagnostic in &parsed.diagnostics {
        eprintln!(
            "{}: line {}: {}",
            input.display(),
            diagnostic.line,
            diagnostic.message
        );
    }
    format!(
        "{}# unparsed lines: {}\n",
        capacity(&parsed.pools),
        parsed.diagnostics.len()
    )
}

#[test]
fn list_golden_files() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some_and(|v| v == "1");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(list_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "input"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no list fixtures found");
    let mut failures = Vec::new();
    for input in &inputs {
        let expected_path = input.with_extension("expected");
        let actual = render_case(input);
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                input.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every real capture reads without a skipped line, and every pool in it has
/// a size (no capture so far holds a pool that cannot be opened).
#[test]
fn real_captures_parse_cleanly() {
    for entry in std::fs::read_dir(list_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "input") {
            continue;
        }
        let parsed = parse_list(&std::fs::read_to_string(&path).unwrap());
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.diagnostics
        );
        assert!(!parsed.pools.is_empty(), "{}", path.display());
        for pool in &parsed.pools {
            assert!(pool.size_bytes.is_some(), "{}: {pool:?}", path.display());
        }
    }
}
