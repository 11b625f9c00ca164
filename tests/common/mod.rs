//! Helpers for tests that run the built binary on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_zpool-status-exporter");

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fake `zpool` used by these tests.
pub fn fake_zpool() -> PathBuf {
    root().join("tests/fake_zpool.sh")
}

/// A fixture file by name.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("zse-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running exporter, killed on drop.
pub struct Exporter {
    pub child: Child,
    pub address: SocketAddr,
    /// Tests write this file to change what the fake zpool does next.
    pub control: PathBuf,
    pub dir: TempDir,
}

impl Exporter {
    /// Starts the binary on a free port with the fake zpool printing `input`,
    /// plus `extra` arguments, and waits until it accepts connections.
    pub fn start(input: &Path, extra: &[&str]) -> Self {
        Self::start_with(input, extra, &[])
    }

    pub fn start_with(input: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        Self::start_wrapped(&[], input, extra, env)
    }

    /// Like [`Exporter::start_with`], run through `wrapper` (e.g. `prlimit --nofile=256 --`),
    /// which must exec the binary so that the child is the exporter itself.
    pub fn start_wrapped(
        wrapper: &[&str],
        input: &Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let dir = TempDir::new("e2e");
        let control = dir.0.join("control");
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        let mut command = exporter_command_in(wrapper, input, &control);
        command
            .arg(address.to_string())
            .arg("--procfs")
            .arg(dir.0.join("proc"))
            .args(extra)
            .envs(env.iter().copied());
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut exporter = Self {
            child,
            address,
            control,
            dir,
        };
        exporter.wait_until_listening(Duration::from_secs(10));
        exporter
    }

    pub fn wait_until_listening(&mut self, limit: Duration) {
        let start = Instant::now();
        while TcpStream::connect(self.address).is_err() {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .unwrap();
                panic!("exporter exited with {status}: {stderr}");
            }
            assert!(
                start.elapsed() < limit,
                "exporter did not listen on {}",
                self.address
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Adds a pool to the fake proc tree `--procfs` points at:
    /// `proc/spl/kstat/zfs/<name>/state` holding `state`.
    pub fn kstat_pool(&self, name: &str, state: &str) {
        kstat_pool(&self.dir.0.join("proc"), name, state);
    }

    /// Makes the fake zpool source `script` (shell variable assignments) on its next runs.
    pub fn control(&self, script: &str) {
        std::fs::write(&self.control, script).unwrap();
    }

    pub fn get(&self, path: &str) -> Response {
        request(
            self.address,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
    }

    /// Stops the exporter and returns what it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds a pool to a fake proc tree rooted at `proc`.
pub fn kstat_pool(proc: &Path, name: &str, state: &str) {
    let dir = proc.join("spl/kstat/zfs").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("state"), format!("{state}\n")).unwrap();
}

/// A metrics body cut where the capacity families (`zpool list`) begin, and
/// where the exporter's own families begin: (status, capacity, exporter).
pub fn split_metrics(body: &str) -> (&str, &str, &str) {
    let exporter = body
        .find("# HELP zpool_exporter_build_info ")
        .unwrap_or(body.len());
    let capacity = body[..exporter]
        .find("# HELP zpool_pool_size_bytes ")
        .unwrap_or(exporter);
    (
        &body[..capacity],
        &body[capacity..exporter],
        &body[exporter..],
    )
}

/// The value of the sample `name{labels}` in a metrics body.
pub fn sample(body: &str, key: &str) -> Option<String> {
    body.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
        .map(str::to_owned)
}

/// The binary with the fake zpool printing `input`, and `--allow-root` (tests run as root in CI).
pub fn exporter_command(input: &Path, control: &Path) -> Command {
    exporter_command_in(&[], input, control)
}

/// [`exporter_command`] run through `wrapper` (empty: the binary itself).
pub fn exporter_command_in(wrapper: &[&str], input: &Path, control: &Path) -> Command {
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(BIN);
            command
        }
        None => Command::new(BIN),
    };
    command
        .arg("--zpool")
        .arg(fake_zpool())
        .arg("--allow-root")
        .env("FAKE_ZPOOL_OUTPUT", input)
        .env("FAKE_ZPOOL_CONTROL", control)
        .env_remove("LISTEN_ADDRESS")
        .env_remove("BASIC_AUTH_KEYS_FILE")
        .env_remove("MAX_BIND_RETRIES")
        .env_remove("NOTIFY_SOCKET")
        .env("RUST_LOG", "info");
    command
}

/// Runs the binary to its end with a time limit.
pub fn run_to_end(mut command: Command, limit: Duration) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the exporter did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends raw request bytes and reads the response until the server closes.
pub fn request(address: SocketAddr, raw: &str) -> Response {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    parse_response(&String::from_utf8(bytes).unwrap())
}

pub fn parse_response(text: &str) -> Response {
    let (head, body) = text
        .split_once("\r\n\r\n")
        .expect("a complete response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// `Basic` credentials for a header.
pub fn basic(user_password: &str) -> String {
    format!(
        "Basic {}",
        zpool_status_exporter::auth::base64_encode(user_password.as_bytes())
    )
}
