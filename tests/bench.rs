//! Parse + render throughput and peak memory. Not a test: run it with
//! `cargo test --release --test bench -- --ignored --nocapture`
//! (`BENCH_INPUT=file` to measure a file of `zpool status` output instead
//! of the generated 100-pool × 90-device input, a finished scrub on
//! most pools and a running one on every tenth).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::{Timestamp, tz::TimeZone};
use zpool_status_exporter::{parse, render};

/// `pools` pools of one root, 9 raidz2 vdevs and 9 disks each (91 rows).
fn generated_input(pools: usize) -> String {
    let mut out = String::new();
    for p in 0..pools {
        let name = format!("tank{p:03}");
        writeln!(out, "  pool: {name}\n state: ONLINE").unwrap();
        out.push_str(scan_lines(p));
        out.push_str("config:\n\n");
        writeln!(
            out,
            "\tNAME                                   STATE     READ WRITE CKSUM"
        )
        .unwrap();
        writeln!(out, "\t{name:<38} ONLINE       0     0     0").unwrap();
        for v in 0..9 {
            writeln!(
                out,
                "\t  {:<36} ONLINE       0     0     0",
                format!("raidz2-{v}")
            )
            .unwrap();
            for d in 0..9 {
                let disk = format!("ata-ST8000VN004-2M2101_WSD{p:03}{v}{d}X");
                writeln!(out, "\t    {disk:<34} ONLINE       0     0     0").unwrap();
            }
        }
        out.push_str("\nerrors: No known data errors\n\n");
    }
    out
}

/// The `scan:` section of pool `p`: a finished scrub, or on every tenth pool
/// a running one (alternately in 2.1's and 2.3's wording, as the captures in
/// `fixtures/vm-2.1-*` and `fixtures/vm-2.3-*` print them).
fn scan_lines(p: usize) -> &'static str {
    match p % 20 {
        0 => concat!(
            "  scan: scrub in progress since Sun Nov  1 03:04:05 2026\n",
            "\t14.2T scanned at 1.37G/s, 6.10T issued at 598M/s, 52.4T total\n",
            "\t0B repaired, 11.64% done, 23:29:43 to go\n",
        ),
        10 => concat!(
            "  scan: scrub in progress since Sun Nov  1 03:04:05 2026\n",
            "\t14.2T / 52.4T scanned at 1.37G/s, 6.10T / 52.4T issued at 598M/s\n",
            "\t0B repaired, 11.64% done, 23:29:43 to go\n",
        ),
        _ => "  scan: scrub repaired 0B in 05:12:33 with 0 errors on Sun Nov  1 03:04:05 2026\n",
    }
}

fn proc_status_kib(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
#[ignore = "a benchmark: run with --release -- --ignored --nocapture"]
fn parse_and_render_throughput() {
    let input = match std::env::var("BENCH_INPUT") {
        Ok(path) => std::fs::read_to_string(path).unwrap(),
        Err(_) => generated_input(100),
    };
    let now = Timestamp::from_second(1_800_000_000)
        .unwrap()
        .to_zoned(TimeZone::UTC);
    let once = || render(&parse(&input, &now));

    // Peak memory of one scrape's parse + render, above what was resident before.
    let _ = std::fs::write("/proc/self/clear_refs", "5"); // resets VmHWM (Linux 4.0+)
    let before = proc_status_kib("VmRSS:").unwrap_or(0);
    let output = once();
    let peak = proc_status_kib("VmHWM:").unwrap_or(0);
    let extra_bytes = peak.saturating_sub(before) * 1024;
    let budget = 3 * (input.len() + output.len()) as u64;
    assert!(output.len() > input.len() / 2, "the render looks wrong");

    // BENCH_RUNS=N: exactly N timed runs (for an instruction count under
    // callgrind: the difference between two values of N), else 3 seconds' worth.
    let fixed_runs: Option<u32> = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok());
    let mut runs = 0u32;
    let start = Instant::now();
    while fixed_runs.map_or(start.elapsed() < Duration::from_secs(3), |n| runs < n) {
        std::hint::black_box(once());
        runs += 1;
    }
    let seconds = start.elapsed().as_secs_f64();
    let mb = input.len() as f64 * f64::from(runs) / 1e6;
    println!(
        "input_bytes={} output_bytes={} runs={runs} seconds={seconds:.3}",
        input.len(),
        output.len()
    );
    println!("scrape_ms={:.3}", seconds * 1000.0 / f64::from(runs));
    println!(
        "peak_extra_bytes={extra_bytes} budget_3x_bytes={budget} within_budget={}",
        extra_bytes <= budget
    );
    println!("throughput_mb_s={:.1}", mb / seconds);
}
