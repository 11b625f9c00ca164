//! Status page render time for 1 500 pools. Not a test: run it with
//! `cargo test --release --test bench_html -- --ignored --nocapture`.
//!
//! Input: 1 500 pools of one root, 9 raidz2 vdevs and 9 disks each (91 rows),
//! every tenth pool DEGRADED with a FAULTED disk and a running scrub, every
//! pool with a finished scrub otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::{Timestamp, tz::TimeZone};
use zpool_status_exporter::html::{self, Page};
use zpool_status_exporter::parse;

fn generated_input(pools: usize) -> String {
    let mut out = String::new();
    for p in 0..pools {
        let name = format!("tank{p:04}");
        let degraded = p % 10 == 0;
        let state = if degraded { "DEGRADED" } else { "ONLINE" };
        writeln!(out, "  pool: {name}\n state: {state}").unwrap();
        if degraded {
            out.push_str(
                "status: One or more devices are faulted in response to persistent errors.\n\
                 \tSufficient replicas exist for the pool to continue functioning in a\n\
                 \tdegraded state.\n\
                 action: Replace the faulted device, or use 'zpool clear' to mark the device\n\
                 \trepaired.\n\
                 \x20  see: https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-GH\n\
                 \x20 scan: scrub in progress since Sun Nov  1 03:04:05 2026\n\
                 \t1.20T / 4.00T scanned at 1.00G/s, 1.10T / 4.00T issued at 900M/s\n\
                 \t0B repaired, 27.50% done, 00:55:00 to go\n",
            );
        } else {
            out.push_str(
                "  scan: scrub repaired 0B in 05:12:33 with 0 errors on Sun Nov  1 03:04:05 2026\n",
            );
        }
        out.push_str("config:\n\n");
        writeln!(
            out,
            "\tNAME                                   STATE     READ WRITE CKSUM"
        )
        .unwrap();
        writeln!(out, "\t{name:<38} {state:<8}     0     0     0").unwrap();
        for v in 0..9 {
            let vstate = if degraded && v == 4 {
                "DEGRADED"
            } else {
                "ONLINE"
            };
            writeln!(
                out,
                "\t  {:<36} {vstate:<8}     0     0     0",
                format!("raidz2-{v}")
            )
            .unwrap();
            for d in 0..9 {
                let disk = format!("ata-ST8000VN004-2M2101_WSD{p:04}{v}{d}");
                let (dstate, cksum) = if degraded && v == 4 && d == 2 {
                    ("FAULTED", 113)
                } else {
                    ("ONLINE", 0)
                };
                writeln!(out, "\t    {disk:<34} {dstate:<8}     0     0 {cksum:>5}").unwrap();
            }
        }
        out.push_str("\nerrors: No known data errors\n\n");
    }
    out
}

#[test]
#[ignore = "a benchmark: run with --release -- --ignored --nocapture"]
fn status_page_for_1500_pools() {
    let input = generated_input(1500);
    let now = Timestamp::from_second(1_800_000_000)
        .unwrap()
        .to_zoned(TimeZone::UTC);
    let pools = parse(&input, &now);
    assert_eq!(pools.len(), 1500);
    let page = || {
        html::render_page(&Page {
            host: "nas",
            version: env!("CARGO_PKG_VERSION"),
            read_at: &now,
            failure: None,
            pools: html::pool_views(&pools),
        })
    };
    let out = page();
    assert_eq!(out.matches("<section class=\"pool").count(), 1500);
    assert_eq!(out.matches("FAULTED</span>").count(), 150);

    let mut runs = 0u32;
    let mut slowest = Duration::ZERO;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        let one = Instant::now();
        std::hint::black_box(page());
        slowest = slowest.max(one.elapsed());
        runs += 1;
    }
    let mean_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);

    let one = Instant::now();
    std::hint::black_box(parse(&input, &now));
    let parse_ms = one.elapsed().as_secs_f64() * 1000.0;

    println!(
        "pools=1500 devices={} input_bytes={} page_bytes={} runs={runs}",
        pools.iter().map(|p| p.devices.len()).sum::<usize>(),
        input.len(),
        out.len()
    );
    println!("parse_ms={parse_ms:.2} (once, for scale)");
    println!(
        "page_render_ms_mean={mean_ms:.2} page_render_ms_max={:.2}",
        slowest.as_secs_f64() * 1000.0
    );
}
