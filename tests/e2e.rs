//! End-to-end: the built binary on loopback, with a fake `zpool` script.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use common::{
    Exporter, TempDir, basic, exporter_command, fixture, free_port, request, run_to_end, sample,
    split_metrics,
};

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn milton() -> std::path::PathBuf {
    fixture("milton-never-scanned.input")
}

fn milton_expected() -> String {
    std::fs::read_to_string(fixture("milton-never-scanned.expected")).unwrap()
}

#[test]
fn metrics_body_and_content_type() {
    let exporter = Exporter::start(&milton(), &[]);
    let response = exporter.get("/metrics");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some(CONTENT_TYPE));
    let (status, capacity, exporter_families) = split_metrics(&response.body);
    assert_eq!(status, milton_expected());
    assert_eq!(capacity, "", "the fake zpool list printed no pools");
    assert_exporter_families(exporter_families, 1, 1);
}

/// The exporter's own families: build info, then success, duration and
/// unparsed lines of `status` and `list`.
fn assert_exporter_families(text: &str, status_success: u8, list_success: u8) {
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        text.starts_with(&format!(
            "# HELP zpool_exporter_build_info Always 1; the version label is the exporter's version\n\
             # TYPE zpool_exporter_build_info gauge\n\
             zpool_exporter_build_info{{version=\"{version}\"}} 1\n"
        )),
        "{text}"
    );
    for (command, success) in [("status", status_success), ("list", list_success)] {
        let key = format!("zpool_exporter_command_success{{command=\"{command}\"}}");
        assert_eq!(
            sample(text, &key),
            Some(success.to_string()),
            "{key} in {text}"
        );
    }
    let duration = sample(
        text,
        "zpool_exporter_command_duration_seconds{command=\"status\"}",
    );
    let seconds: f64 = duration.unwrap().parse().unwrap();
    assert!((0.0..10.0).contains(&seconds), "{seconds}");
    if status_success == 1 {
        let key = "zpool_exporter_unparsed_lines{command=\"status\"}";
        assert!(sample(text, key).is_some(), "{text}");
    }
}

#[test]
fn head_has_no_body() {
    let exporter = Exporter::start(&milton(), &[]);
    let response = request(
        exporter.address,
        "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some(CONTENT_TYPE));
    assert_eq!(response.body, "");
}

#[test]
fn landing_page_404_and_405() {
    let exporter = Exporter::start(&milton(), &[]);
    let landing = exporter.get("/");
    assert_eq!(landing.status, 200);
    assert!(
        landing
            .header("Content-Type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(landing.body.contains("zpool-status-exporter"));
    assert!(landing.body.contains(env!("CARGO_PKG_VERSION")));
    assert!(landing.body.contains("href=\"/metrics\""));
    assert_eq!(exporter.get("/nothing").status, 404);
    let post = request(
        exporter.address,
        "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, HEAD"));
}

#[test]
fn basic_auth() {
    let dir = TempDir::new("auth");
    let keys = dir.file("keys", "# scrapers\nprometheus:s3cret\n\nbackup:other:pw\n");
    let exporter = Exporter::start(
        &milton(),
        &["--basic-auth-keys-file", keys.to_str().unwrap()],
    );
    let get = |auth: Option<&str>| {
        let header = auth
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
        request(
            exporter.address,
            &format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{header}Connection: close\r\n\r\n"),
        )
    };
    let none = get(None);
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("WWW-Authenticate"),
        Some("Basic realm=\"zpool-status-exporter\"")
    );
    assert_eq!(get(Some(&basic("prometheus:badpass"))).status, 403);
    assert_eq!(get(Some(&basic("nobody:s3cret"))).status, 403);
    assert_eq!(get(Some("Basic not-base64!")).status, 403);
    assert_eq!(get(Some("Bearer abc")).status, 403);
    let right = get(Some(&basic("prometheus:s3cret")));
    assert_eq!(right.status, 200);
    assert_eq!(split_metrics(&right.body).0, milton_expected());
    assert_eq!(get(Some(&basic("backup:other:pw"))).status, 200);
    assert_eq!(exporter.get("/").status, 200);
    let log = exporter.stop();
    assert!(
        log.contains("plain text"),
        "start-up must warn that basic auth is plaintext: {log}"
    );
    assert!(
        log.contains("\"nobody\""),
        "wrong user must be logged: {log}"
    );
    assert!(
        !log.contains("s3cret") && !log.contains("badpass"),
        "passwords must never be logged: {log}"
    );
}

#[test]
fn bad_keys_files_stop_start_up() {
    let dir = TempDir::new("badkeys");
    let empty = dir.file("empty", "# nothing\n\n");
    let missing = dir.0.join("missing");
    for (keys, cause) in [(empty, "no user:password"), (missing, "cannot read")] {
        let mut command = exporter_command(&milton(), &dir.0.join("control"));
        command
            .arg(format!("127.0.0.1:{}", free_port()))
            .args(["--basic-auth-keys-file", keys.to_str().unwrap()]);
        let output = run_to_end(command, Duration::from_secs(10));
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(cause), "{stderr}");
    }
}

#[test]
fn hanging_zpool_fails_scrape_within_timeout_and_server_recovers() {
    let exporter = Exporter::start(&milton(), &["--timeout", "1"]);
    let pids = exporter.dir.0.join("pids");
    exporter.control(&format!(
        "FAKE_ZPOOL_SLEEP=30\nFAKE_ZPOOL_PIDFILE={}\n",
        pids.display()
    ));
    let start = Instant::now();
    let hung = exporter.get("/metrics");
    let took = start.elapsed();
    assert_eq!(hung.status, 500);
    assert!(
        hung.body.contains("fake_zpool.sh status -p"),
        "{}",
        hung.body
    );
    assert!(hung.body.contains("timed out after 1 s"), "{}", hung.body);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
    // The hung child was killed before the scrape was answered.
    let first_pid = std::fs::read_to_string(&pids).unwrap().trim().to_owned();
    assert!(!std::path::Path::new(&format!("/proc/{first_pid}")).exists());
    exporter.control("");
    let next = exporter.get("/metrics");
    assert_eq!(next.status, 200);
    assert_eq!(split_metrics(&next.body).0, milton_expected());
}

#[test]
fn failing_zpool_gives_500_with_stderr_and_cause() {
    let exporter = Exporter::start(&milton(), &[]);
    exporter.control(
        "FAKE_ZPOOL_OUTPUT=\nFAKE_ZPOOL_EXIT=1\nFAKE_ZPOOL_STDERR=\"The ZFS modules are not loaded.\nTry running 'modprobe zfs' as root to load them.\"\n",
    );
    let failed = exporter.get("/metrics");
    assert_eq!(failed.status, 500);
    assert!(
        failed
            .header("Content-Type")
            .unwrap()
            .starts_with("text/plain")
    );
    for part in [
        "fake_zpool.sh status -p",
        "exit status: 1",
        "kernel module is not loaded",
        "modprobe zfs",
    ] {
        assert!(
            failed.body.contains(part),
            "{part:?} missing from {}",
            failed.body
        );
    }
    exporter.control("");
    assert_eq!(exporter.get("/metrics").status, 200);
    let log = exporter.stop();
    assert!(
        log.contains("scrape failed") && log.contains("kernel module is not loaded"),
        "{log}"
    );
}

#[test]
fn ten_megabytes_of_output() {
    let dir = TempDir::new("big");
    let template = std::fs::read_to_string(milton()).unwrap();
    let body = template.split_once('\n').unwrap().1;
    let mut big = String::new();
    let mut pools = 0;
    while big.len() < 10_000_000 {
        big.push_str(&body.replace("milton", &format!("pool{pools}")));
        pools += 1;
    }
    let big_file = dir.file("big", &big);
    let exporter = Exporter::start(&milton(), &["--timeout", "20"]);
    exporter.control(&format!("FAKE_ZPOOL_OUTPUT={}\n", big_file.display()));
    let response = exporter.get("/metrics");
    assert_eq!(response.status, 200);
    let last = format!(
        "zpool_dev_errors_checksum{{pool=\"pool{}\",dev=\"mirror-0/ata-ST8000VN004-2M2101_WSD49ZDC\"}} 0\n",
        pools - 1
    );
    let status = split_metrics(&response.body).0;
    let tail = &status[status.len().saturating_sub(300)..];
    assert!(status.ends_with(&last), "{tail}");
}

#[test]
fn no_pools() {
    let dir = TempDir::new("nopools");
    let input = dir.file("none", "no pools available\n");
    let exporter = Exporter::start(&input, &[]);
    let response = exporter.get("/metrics");
    assert_eq!(response.status, 200);
    let (status, capacity, exporter_families) = split_metrics(&response.body);
    assert_eq!((status, capacity), ("# no pools reported\n", ""));
    assert_exporter_families(exporter_families, 1, 1);
}

#[test]
fn bind_retries_until_the_port_is_free() {
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let address = holder.local_addr().unwrap();
    let dir = TempDir::new("bind");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command
        .arg(address.to_string())
        .args(["--max-bind-retries", "3"]);
    let mut child = command.spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    drop(holder);
    let start = Instant::now();
    let served = loop {
        if let Ok(stream) = std::net::TcpStream::connect(address) {
            drop(stream);
            break true;
        }
        if start.elapsed() > Duration::from_secs(8) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(alive && served, "alive={alive} served={served}");
}

#[test]
fn bind_gives_up_after_retries() {
    let holder = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let address = holder.local_addr().unwrap();
    let dir = TempDir::new("bindfail");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command
        .arg(address.to_string())
        .args(["--max-bind-retries", "1"]);
    let start = Instant::now();
    let output = run_to_end(command, Duration::from_secs(10));
    assert!(!output.status.success());
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "one retry waits 1 s"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&address.to_string()) && stderr.contains("retry 1 of 1"),
        "{stderr}"
    );
    drop(holder);
}

#[test]
fn oneshot_prints_metrics_or_fails() {
    let dir = TempDir::new("oneshot");
    let no_proc = dir.0.join("no-proc");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command.arg("--oneshot").arg("--procfs").arg(&no_proc);
    let output = run_to_end(command, Duration::from_secs(10));
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(split_metrics(&stdout).0, milton_expected());
    assert_exporter_families(split_metrics(&stdout).2, 1, 1);

    dir.file("control", "FAKE_ZPOOL_EXIT=3\nFAKE_ZPOOL_STDERR=boom\n");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command.arg("--oneshot").arg("--procfs").arg(&no_proc);
    let output = run_to_end(command, Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("exit status: 3") && stderr.contains("boom"),
        "{stderr}"
    );
}

#[test]
fn start_up_fails_fast_when_zpool_fails() {
    let dir = TempDir::new("startfail");
    dir.file("control", "FAKE_ZPOOL_EXIT=1\nFAKE_ZPOOL_STDERR=nope\n");
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command
        .arg(format!("127.0.0.1:{}", free_port()))
        .arg("--procfs")
        .arg(dir.0.join("no-proc"));
    let output = run_to_end(command, Duration::from_secs(10));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("start-up check failed") && stderr.contains("nope"),
        "{stderr}"
    );
}

#[test]
fn root_is_refused_without_allow_root() {
    let dir = TempDir::new("root");
    let mut command = std::process::Command::new(common::BIN);
    command
        .args([
            "--zpool",
            common::fake_zpool().to_str().unwrap(),
            "--oneshot",
        ])
        .env("FAKE_ZPOOL_OUTPUT", milton())
        .env("FAKE_ZPOOL_CONTROL", dir.0.join("control"));
    let output = run_to_end(command, Duration::from_secs(10));
    let is_root = zpool_status_exporter::cli::effective_uid() == Some(0);
    if is_root {
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to run as root"));
    } else {
        assert!(
            output.status.success(),
            "a normal user runs without --allow-root"
        );
    }
}

#[test]
fn listen_address_from_environment_and_systemd_notify() {
    let dir = TempDir::new("notify");
    let socket_path = dir.0.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let address = format!("127.0.0.1:{}", free_port());
    let mut command = exporter_command(&milton(), &dir.0.join("control"));
    command
        .env("LISTEN_ADDRESS", &address)
        .env("NOTIFY_SOCKET", &socket_path);
    let mut child = command.spawn().unwrap();
    let mut buffer = [0u8; 64];
    let received = socket.recv(&mut buffer);
    let response = request(
        address.parse().unwrap(),
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(&buffer[..received.unwrap()], b"READY=1");
    assert_eq!(response.status, 200);
}

#[test]
fn version_flag() {
    let output = run_to_end(
        {
            let mut command = std::process::Command::new(common::BIN);
            command.arg("--version");
            command
        },
        Duration::from_secs(10),
    );
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("zpool-status-exporter {}\n", env!("CARGO_PKG_VERSION"))
    );
}
