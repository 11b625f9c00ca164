//! Runs `zpool` (`status -p`, `list ...`) with a deadline and collects its output.
//!
//! The child's stdout and stderr are drained by two reader threads while the
//! caller waits, so a large output cannot block on a full pipe. A child still
//! running at the deadline is killed; if it does not die at once (a process
//! stuck in the kernel ignores even SIGKILL until its call returns), it is
//! kept and reaped later, and no second child is started while it lives.

use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Where `zpool` is looked for when `--zpool` is not given, before `PATH`.
pub const DEFAULT_ZPOOL: &str = "/sbin/zpool";

/// The arguments passed to `zpool`: `-p` prints exact error counts.
pub const ARGS: &[&str] = &["status", "-p"];

/// The arguments for versions without `-p` (ZoL 0.7, FreeBSD 12 and older),
/// which print counts such as `1.2K`, read as well.
pub const ARGS_WITHOUT_P: &[&str] = &["status"];

/// How long to wait for a killed child, and for the readers after it exits.
const GRACE: Duration = Duration::from_millis(500);

/// How often a running child is polled.
const POLL: Duration = Duration::from_millis(5);

/// Why a run of `zpool` gave no usable output.
#[derive(Debug)]
pub enum RunError {
    /// The command could not be started.
    Spawn(std::io::Error),
    /// An earlier run is still alive after being killed.
    StillRunning {
        /// Its process id.
        pid: u32,
    },
    /// The command did not finish in the time it had (that time) and was
    /// killed; not started at all when that time is zero.
    Timeout(Duration),
    /// The command exited unsuccessfully.
    Failed {
        /// Its exit status.
        status: ExitStatus,
        /// What it wrote to stderr.
        stderr: String,
    },
    /// The output is not UTF-8.
    NotUtf8,
    /// Reading the output failed, or the output did not arrive in time.
    Read(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn(error) => write!(f, "could not be started: {error}"),
            Self::StillRunning { pid } => write!(
                f,
                "not started: the previous run (pid {pid}) is still alive after being killed"
            ),
            Self::Timeout(limit) if limit.is_zero() => {
                write!(f, "not started: no time left before the deadline")
            }
            Self::Timeout(limit) => {
                // Milliseconds are enough: "1 s", not "0.999997745 s".
                let millis = u32::try_from(limit.as_micros().div_ceil(1000)).unwrap_or(u32::MAX);
                write!(
                    f,
                    "timed out after {} s and was killed",
                    f64::from(millis) / 1000.0
                )
            }
            Self::Failed { status, stderr } => {
                write!(f, "failed ({status})")?;
                if let Some(cause) = known_cause(stderr) {
                    write!(f, ": {cause}")?;
                }
                let stderr = stderr.trim();
                if !stderr.is_empty() {
                    write!(f, "; stderr: {stderr}")?;
                }
                Ok(())
            }
            Self::NotUtf8 => write!(f, "printed output that is not UTF-8"),
            Self::Read(error) => write!(f, "output could not be read: {error}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Names the cause behind the messages `zpool` prints when `/dev/zfs` cannot be used.
fn known_cause(stderr: &str) -> Option<&'static str> {
    if stderr.contains("modules are not loaded")
        || stderr.contains("modules cannot be auto-loaded")
        || stderr.contains("/dev/zfs and /proc/self/mounts")
    {
        Some("the ZFS kernel module is not loaded (/dev/zfs is missing)")
    } else if stderr.contains("Permission denied") || stderr.contains("must be run as root") {
        Some("no permission to open /dev/zfs")
    } else if stderr.contains("Failed to initialize the libzfs library") {
        Some("libzfs could not be initialized (is /dev/zfs there?)")
    } else {
        None
    }
}

/// Runs `zpool`, one child at a time, each with a deadline.
#[derive(Debug)]
pub struct ZpoolRunner {
    program: PathBuf,
    /// [`ARGS`], or [`ARGS_WITHOUT_P`] once `-p` was refused.
    status_args: &'static [&'static str],
    /// A killed child that had not died yet: reaped before the next run.
    lingering: Option<Child>,
}

impl ZpoolRunner {
    /// A runner for `program` (see [`find_zpool`]).
    #[must_use]
    pub fn new(program: PathBuf) -> Self {
        Self {
            program,
            status_args: ARGS,
            lingering: None,
        }
    }

    /// The program being run.
    #[must_use]
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The arguments [`ZpoolRunner::status`] runs with: [`ARGS`] or [`ARGS_WITHOUT_P`].
    #[must_use]
    pub fn status_args(&self) -> &'static [&'static str] {
        self.status_args
    }

    /// A command line, for messages: `/sbin/zpool status -p`.
    #[must_use]
    pub fn command_line(&self, args: &[&str]) -> String {
        format!("{} {}", self.program.display(), args.join(" "))
    }

    /// Runs `zpool status -p` (or `zpool status` where `-p` is unknown) and
    /// returns its stdout; it is killed at `deadline`.
    ///
    /// # Errors
    /// As [`ZpoolRunner::run`].
    pub fn status(&mut self, deadline: Instant) -> Result<String, RunError> {
        match self.run(self.status_args, deadline) {
            Err(RunError::Failed { stderr, .. })
                if self.status_args == ARGS && stderr.contains("invalid option 'p'") =>
            {
                log::info!("this zpool has no -p option: running `zpool status` from now on");
                self.status_args = ARGS_WITHOUT_P;
                self.run(self.status_args, deadline)
            }
            result => result,
        }
    }

    /// Runs `zpool` with `args` and returns its stdout; it is killed at `deadline`.
    ///
    /// # Errors
    /// When the command cannot be started, is still running from an earlier
    /// call, times out (or `deadline` has passed already), fails, or prints
    /// something that is not UTF-8.
    pub fn run(&mut self, args: &[&str], deadline: Instant) -> Result<String, RunError> {
        if let Some(mut child) = self.lingering.take() {
            match child.try_wait() {
                Ok(Some(_)) => {}
                Ok(None) => {
                    let pid = child.id();
                    self.lingering = Some(child);
                    return Err(RunError::StillRunning { pid });
                }
                Err(error) => log::warn!("could not reap earlier zpool: {error}"),
            }
        }
        let budget = deadline.saturating_duration_since(Instant::now());
        if budget.is_zero() {
            return Err(RunError::Timeout(budget));
        }
        let mut child = Command::new(&self.program)
            .args(args)
            .env("LC_ALL", "C")
            .env_remove("ZFS_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(RunError::Spawn)?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = match wait_until(&mut child, deadline) {
            Ok(Some(status)) => status,
            Ok(None) => {
                self.kill(child);
                return Err(RunError::Timeout(budget));
            }
            Err(error) => {
                self.kill(child);
                return Err(RunError::Read(error.to_string()));
            }
        };
        let stdout = collect(&stdout)?;
        let stderr = collect(&stderr)?;
        if !status.success() {
            return Err(RunError::Failed {
                status,
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            });
        }
        String::from_utf8(stdout).map_err(|_| RunError::NotUtf8)
    }

    /// Kills a child and reaps it, or keeps it to reap later.
    fn kill(&mut self, mut child: Child) {
        if let Err(error) = child.kill() {
            log::warn!("could not kill zpool (pid {}): {error}", child.id());
        }
        if !matches!(wait_until(&mut child, Instant::now() + GRACE), Ok(Some(_))) {
            log::warn!(
                "zpool (pid {}) is still alive after SIGKILL; no new run until it exits",
                child.id()
            );
            self.lingering = Some(child);
        }
    }
}

/// Polls `child` until it exits (`Some`) or `deadline` passes (`None`).
fn wait_until(child: &mut Child, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        thread::sleep(POLL.min(deadline - now));
    }
}

/// Reads a pipe to its end on a thread of its own; the result arrives on the channel.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<std::io::Result<Vec<u8>>> {
    let (sender, receiver) = mpsc::channel();
    let Some(mut pipe) = pipe else {
        let _ = sender.send(Ok(Vec::new()));
        return receiver;
    };
    let spawned = thread::Builder::new()
        .name("zpool-output".into())
        .spawn(move || {
            let mut buffer = Vec::new();
            let result = pipe.read_to_end(&mut buffer).map(|_| buffer);
            // The receiver may have given up waiting; nothing to do then.
            let _ = sender.send(result);
        });
    if let Err(error) = spawned {
        log::error!("could not start a thread to read zpool's output: {error}");
    }
    receiver
}

/// The output of an exited child's pipe, waiting a little for its reader.
///
/// A grandchild that keeps the pipe open would block the reader forever, so
/// the wait is bounded.
fn collect(receiver: &mpsc::Receiver<std::io::Result<Vec<u8>>>) -> Result<Vec<u8>, RunError> {
    match receiver.recv_timeout(GRACE) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => Err(RunError::Read(error.to_string())),
        Err(_) => Err(RunError::Read(
            "the output pipe stayed open after zpool exited".into(),
        )),
    }
}

/// The `zpool` to run: `explicit` if given, else [`DEFAULT_ZPOOL`] if it
/// exists, else `zpool` from `PATH`.
#[must_use]
pub fn find_zpool(explicit: Option<PathBuf>, path_env: Option<&OsStr>) -> PathBuf {
    if let Some(program) = explicit {
        return program;
    }
    if Path::new(DEFAULT_ZPOOL).is_file() {
        return PathBuf::from(DEFAULT_ZPOOL);
    }
    path_env
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("zpool"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from("zpool"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// Serializes the tests that write and run scripts: a script being
    /// written while another test forks would be "Text file busy" (ETXTBSY).
    static SCRIPTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn serialized() -> std::sync::MutexGuard<'static, ()> {
        SCRIPTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn after(ms: u64) -> Instant {
        Instant::now() + Duration::from_millis(ms)
    }

    fn runner(script: &str) -> (ZpoolRunner, tempdir::Dir) {
        let dir = tempdir::Dir::new();
        let path = dir.0.join("zpool");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
        (ZpoolRunner::new(path), dir)
    }

    mod tempdir {
        /// A directory removed on drop.
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let path =
                    std::env::temp_dir().join(format!("zse-unit-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&path).unwrap();
                Self(path)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    #[test]
    fn passes_args_and_clean_environment() {
        let _serial = serialized();
        let (mut runner, _dir) = runner(r#"echo "$@ LC_ALL=$LC_ALL ZFS_COLOR=${ZFS_COLOR-unset}""#);
        assert_eq!(
            runner.status(after(5000)).unwrap(),
            "status -p LC_ALL=C ZFS_COLOR=unset\n"
        );
        assert_eq!(
            runner.run(&["list", "-Hp"], after(5000)).unwrap(),
            "list -Hp LC_ALL=C ZFS_COLOR=unset\n"
        );
    }

    #[test]
    fn failure_carries_stderr_and_cause() {
        let _serial = serialized();
        let (mut runner, _dir) = runner(
            "echo 'The ZFS modules are not loaded.' >&2; echo \"Try running 'modprobe zfs' as root to load them.\" >&2; exit 1",
        );
        let error = runner.status(after(5000)).unwrap_err().to_string();
        assert!(error.contains("kernel module is not loaded"), "{error}");
        assert!(error.contains("modprobe zfs"), "{error}");
        assert!(error.contains("exit status: 1"), "{error}");
    }

    #[test]
    fn libzfs_init_messages_name_their_cause() {
        // As printed by OpenZFS 2.1 (ENXIO), 2.3 as a normal user (ENOEXEC),
        // 2.x without /dev/zfs (ENOENT) and without permission (EACCES).
        let cases = [
            (
                "The ZFS modules are not loaded.\nTry running 'modprobe zfs' as root to load them.",
                "not loaded",
            ),
            (
                "The ZFS modules cannot be auto-loaded.\nTry running 'modprobe zfs' as root to manually load them.",
                "not loaded",
            ),
            (
                "/dev/zfs and /proc/self/mounts are required.\nTry running 'udevadm trigger' and 'mount -t proc proc /proc' as root.",
                "not loaded",
            ),
            (
                "Permission denied the ZFS utilities must be run as root.",
                "no permission",
            ),
        ];
        for (stderr, cause) in cases {
            assert!(
                known_cause(stderr).is_some_and(|c| c.contains(cause)),
                "{stderr}"
            );
        }
        assert_eq!(known_cause("cannot open 'x': no such pool"), None);
    }

    #[test]
    fn large_output_does_not_deadlock() {
        let _serial = serialized();
        let (mut runner, _dir) =
            runner("head -c 10000000 /dev/zero | tr '\\0' x; head -c 200000 /dev/zero >&2");
        assert_eq!(runner.status(after(20000)).unwrap().len(), 10_000_000);
    }

    #[test]
    fn hanging_child_is_killed_at_deadline() {
        let _serial = serialized();
        let (mut runner, _dir) = runner("exec sleep 30");
        let start = Instant::now();
        let error = runner.status(after(300)).unwrap_err();
        assert!(matches!(error, RunError::Timeout(_)), "{error}");
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(runner.lingering.is_none());
    }

    #[test]
    fn a_passed_deadline_starts_nothing() {
        let _serial = serialized();
        let dir = tempdir::Dir::new();
        let marker = dir.0.join("ran");
        let (mut runner, _script_dir) = runner(&format!("touch {}", marker.display()));
        let error = runner.run(&["list"], Instant::now()).unwrap_err();
        assert!(
            matches!(error, RunError::Timeout(limit) if limit.is_zero()),
            "{error}"
        );
        assert!(!marker.exists());
        runner.run(&["list"], after(5000)).unwrap();
        assert!(marker.exists());
    }

    #[test]
    fn no_second_child_while_a_killed_one_lives() {
        let _serial = serialized();
        let (mut runner, _dir) = runner("echo fresh");
        // Stands in for a child that survived SIGKILL (stuck in the kernel).
        let stuck = Command::new("sleep").arg("30").spawn().unwrap();
        let pid = stuck.id();
        runner.lingering = Some(stuck);
        match runner.run(&["list"], after(5000)) {
            Err(RunError::StillRunning { pid: reported }) => assert_eq!(reported, pid),
            other => panic!("expected StillRunning, got {other:?}"),
        }
        let mut stuck = runner.lingering.take().unwrap();
        stuck.kill().unwrap();
        stuck.wait().unwrap();
        runner.lingering = Some(stuck);
        assert_eq!(runner.status(after(5000)).unwrap(), "fresh\n");
        assert!(runner.lingering.is_none());
    }

    #[test]
    fn falls_back_without_p_for_old_zpool() {
        let _serial = serialized();
        let (mut runner, _dir) = runner(
            r#"if [ "$2" = -p ]; then echo "invalid option 'p'" >&2; exit 2; fi; echo "args: $*""#,
        );
        assert_eq!(runner.status(after(5000)).unwrap(), "args: status\n");
        assert_eq!(runner.status_args(), ARGS_WITHOUT_P);
        assert!(
            runner
                .command_line(runner.status_args())
                .ends_with("zpool status")
        );
        assert_eq!(runner.status(after(5000)).unwrap(), "args: status\n");
    }

    #[test]
    fn non_utf8_output_is_an_error() {
        let _serial = serialized();
        let (mut runner, _dir) = runner(r"printf '\377\376'");
        assert!(matches!(runner.status(after(5000)), Err(RunError::NotUtf8)));
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let _serial = serialized();
        let mut runner = ZpoolRunner::new(PathBuf::from("/nonexistent/zpool"));
        assert!(matches!(
            runner.status(after(1000)),
            Err(RunError::Spawn(_))
        ));
    }
}
