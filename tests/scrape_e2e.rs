//! End to end, what one scrape collects: `zpool status` and `zpool list`
//! within one time budget, the kstat fallback (a fake proc tree through
//! `--procfs`), the exporter's own families, and textfile mode.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Exporter, TempDir, exporter_command, fixture, kstat_pool, run_to_end, sample};

fn milton() -> PathBuf {
    fixture("milton-never-scanned.input")
}

fn milton_expected() -> String {
    std::fs::read_to_string(fixture("milton-never-scanned.expected")).unwrap()
}

fn success(body: &str, command: &str) -> Option<String> {
    sample(
        body,
        &format!("zpool_exporter_command_success{{command=\"{command}\"}}"),
    )
}

/// Waits out the 1 s reuse of a successful scrape.
fn after_reuse() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// Two pools as `zpool list -Hp -o name,size,...,readonly` prints them.
const LIST: &str = "milton\t7999376588800\t3281828569088\t4717548019712\t-\t-\t4\t41\t1.00\tONLINE\toff\n\
                    my pool\t1000\t900\t100\t4096\t-\t-\t90\t1.50\tONLINE\ton\n";

#[test]
fn hanging_status_with_kstat_serves_pool_states_then_recovers() {
    let exporter = Exporter::start(&milton(), &["--timeout", "1"]);
    exporter.kstat_pool("milton", "ONLINE");
    exporter.kstat_pool("my pool", "SUSPENDED");
    let pids = exporter.dir.0.join("pids");
    exporter.control(&format!(
        "FAKE_ZPOOL_SLEEP=30\nFAKE_ZPOOL_PIDFILE={}\n",
        pids.display()
    ));
    let start = Instant::now();
    let hung = exporter.get("/metrics");
    let took = start.elapsed();
    assert_eq!(hung.status, 200, "{}", hung.body);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let first_line = hung.body.lines().next().unwrap();
    assert!(
        first_line.starts_with("# zpool status failed, pool states read from kstat: ")
            && first_line.contains("fake_zpool.sh status -p` timed out after 1 s"),
        "{first_line}"
    );
    assert_eq!(
        sample(&hung.body, "zpool_pool_state{pool=\"milton\"}").as_deref(),
        Some("10")
    );
    assert_eq!(
        sample(&hung.body, "zpool_pool_state{pool=\"my pool\"}").as_deref(),
        Some("70")
    );
    assert_eq!(success(&hung.body, "status").as_deref(), Some("0"));
    assert_eq!(success(&hung.body, "list").as_deref(), Some("0"));
    for left_out in [
        "zpool_dev_state",
        "zpool_scan_state",
        "zpool_pool_status_desc",
        "zpool_pool_size_bytes",
    ] {
        assert!(!hung.body.contains(left_out), "{left_out}: {}", hung.body);
    }
    // The hung child was killed before the scrape was answered.
    let pid = std::fs::read_to_string(&pids).unwrap().trim().to_owned();
    assert!(!Path::new(&format!("/proc/{pid}")).exists());

    exporter.control("");
    after_reuse();
    let next = exporter.get("/metrics");
    assert_eq!(next.status, 200);
    assert_eq!(common::split_metrics(&next.body).0, milton_expected());
    assert_eq!(success(&next.body, "status").as_deref(), Some("1"));
    let log = exporter.stop();
    assert!(log.contains("serving the states of 2 pools"), "{log}");
}

#[test]
fn capacity_from_zpool_list_and_a_failing_list_leaves_only_it_out() {
    let exporter = Exporter::start(&milton(), &[]);
    let list = exporter.dir.file("list", &format!("{LIST}odd line\n"));
    exporter.control(&format!("FAKE_ZPOOL_LIST_OUTPUT={}\n", list.display()));
    let full = exporter.get("/metrics");
    assert_eq!(full.status, 200);
    let (status, capacity, own) = common::split_metrics(&full.body);
    assert_eq!(status, milton_expected());
    for (key, value) in [
        ("zpool_pool_size_bytes{pool=\"milton\"}", "7999376588800"),
        (
            "zpool_pool_allocated_bytes{pool=\"milton\"}",
            "3281828569088",
        ),
        ("zpool_pool_free_bytes{pool=\"milton\"}", "4717548019712"),
        ("zpool_pool_checkpoint_bytes{pool=\"milton\"}", "0"),
        ("zpool_pool_checkpoint_bytes{pool=\"my pool\"}", "4096"),
        ("zpool_pool_expand_size_bytes{pool=\"milton\"}", "0"),
        (
            "zpool_pool_fragmentation_ratio{pool=\"milton\"}",
            "0.040000",
        ),
        ("zpool_pool_capacity_ratio{pool=\"my pool\"}", "0.900000"),
        ("zpool_pool_dedup_ratio{pool=\"my pool\"}", "1.500000"),
        ("zpool_pool_readonly{pool=\"my pool\"}", "1"),
    ] {
        assert_eq!(sample(capacity, key).as_deref(), Some(value), "{key}");
    }
    // `-` fragmentation: no sample.
    assert_eq!(
        sample(capacity, "zpool_pool_fragmentation_ratio{pool=\"my pool\"}"),
        None
    );
    assert_eq!(success(own, "list").as_deref(), Some("1"));
    assert_eq!(
        sample(own, "zpool_exporter_unparsed_lines{command=\"list\"}").as_deref(),
        Some("1")
    );

    exporter.control("FAKE_ZPOOL_LIST_EXIT=2\nFAKE_ZPOOL_LIST_STDERR=\"bad property list\"\n");
    after_reuse();
    let partial = exporter.get("/metrics");
    assert_eq!(partial.status, 200);
    let (status, capacity, own) = common::split_metrics(&partial.body);
    assert_eq!(status, milton_expected());
    assert_eq!(capacity, "");
    assert_eq!(success(own, "status").as_deref(), Some("1"));
    assert_eq!(success(own, "list").as_deref(), Some("0"));
    assert_eq!(
        sample(own, "zpool_exporter_unparsed_lines{command=\"list\"}"),
        None
    );
    let log = exporter.stop();
    assert!(
        log.contains("list -Hp -o name,size") && log.contains("bad property list"),
        "{log}"
    );
}

#[test]
fn timeout_bounds_both_commands_together() {
    let exporter = Exporter::start(&milton(), &["--timeout", "1.5"]);
    exporter.control("FAKE_ZPOOL_SLEEP=0.8\nFAKE_ZPOOL_LIST_SLEEP=30\n");
    let start = Instant::now();
    let response = exporter.get("/metrics");
    let took = start.elapsed();
    assert_eq!(response.status, 200);
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_millis(2500),
        "list must get only what status left: {took:?}"
    );
    assert_eq!(common::split_metrics(&response.body).0, milton_expected());
    assert_eq!(success(&response.body, "status").as_deref(), Some("1"));
    assert_eq!(success(&response.body, "list").as_deref(), Some("0"));
    let list_seconds: f64 = sample(
        &response.body,
        "zpool_exporter_command_duration_seconds{command=\"list\"}",
    )
    .unwrap()
    .parse()
    .unwrap();
    assert!(list_seconds < 1.0, "{list_seconds}");
    let log = exporter.stop();
    assert!(log.contains("timed out after 0."), "{log}");
}

#[test]
fn failing_status_without_kstat_pools_is_500() {
    let exporter = Exporter::start(&milton(), &[]);
    // The module's directory exists, with other kstats but no pool.
    let zfs = exporter.dir.0.join("proc/spl/kstat/zfs");
    std::fs::create_dir_all(&zfs).unwrap();
    std::fs::write(zfs.join("arcstats"), "x\n").unwrap();
    exporter.control("FAKE_ZPOOL_EXIT=1\nFAKE_ZPOOL_STDERR=\"Permission denied the ZFS utilities must be run as root.\"\n");
    let failed = exporter.get("/metrics");
    assert_eq!(failed.status, 500);
    for part in [
        "fake_zpool.sh status -p` failed",
        "no permission to open /dev/zfs",
        "no pool states to fall back to",
        "spl/kstat/zfs lists no pool",
    ] {
        assert!(failed.body.contains(part), "{part:?}: {}", failed.body);
    }
}

#[test]
fn oneshot_output_replaces_the_file_or_leaves_it() {
    let dir = TempDir::new("textfile");
    let out_dir = dir.0.join("textfile");
    std::fs::create_dir_all(&out_dir).unwrap();
    let target = out_dir.join("zpool.prom");
    let no_proc = dir.0.join("no-proc");
    let oneshot = || {
        let mut command = exporter_command(&milton(), &dir.0.join("control"));
        command
            .args(["--oneshot", "--output"])
            .arg(&target)
            .arg("--procfs")
            .arg(&no_proc);
        run_to_end(command, Duration::from_secs(10))
    };
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    std::fs::write(&target, "# old\n").unwrap();
    let output = oneshot();
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(common::split_metrics(&written).0, milton_expected());
    assert_eq!(success(&written, "status").as_deref(), Some("1"));
    assert_eq!(listing(), ["zpool.prom"], "no temporary file left behind");

    dir.file("control", "FAKE_ZPOOL_EXIT=3\nFAKE_ZPOOL_STDERR=boom\n");
    let output = oneshot();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("boom"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), written);
    assert_eq!(listing(), ["zpool.prom"]);

    // With kstat pools, a failing status still writes their states.
    kstat_pool(&no_proc, "milton", "DEGRADED");
    let output = oneshot();
    assert!(output.status.success(), "{output:?}");
    let fallback = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        sample(&fallback, "zpool_pool_state{pool=\"milton\"}").as_deref(),
        Some("50")
    );
    assert_eq!(listing(), ["zpool.prom"]);

    // A directory that cannot take the temporary file: exit 1, nothing written.
    let missing = dir.0.join("missing/zpool.prom");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command
        .args(["--oneshot", "--output"])
        .arg(&missing)
        .arg("--procfs")
        .arg(&no_proc);
    let output = run_to_end(command, Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("could not write"));
}
