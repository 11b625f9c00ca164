//! Command line and environment: what the exporter was asked to do.

use std::path::PathBuf;
use std::time::Duration;

use argh::FromArgs;

/// The listen address used when neither the argument nor `LISTEN_ADDRESS` is given.
pub const DEFAULT_LISTEN_ADDRESS: &str = "127.0.0.1:8976";

/// Bind retries when neither `--max-bind-retries` nor `MAX_BIND_RETRIES` is given.
pub const DEFAULT_MAX_BIND_RETRIES: u32 = 5;

/// Seconds one scrape may take when `--timeout` is not given: below
/// Prometheus' default scrape timeout of 10 s.
pub const DEFAULT_TIMEOUT_SECS: f64 = 8.0;

/// The proc root when `--procfs` is not given.
pub const DEFAULT_PROCFS: &str = "/proc";

/// Prometheus exporter for ZFS pool health, read from `zpool status -p`.
// The field docs are argh's --help text, shown as plain text.
#[allow(clippy::doc_markdown)]
#[derive(FromArgs, Debug, PartialEq)]
pub struct Args {
    /// address to listen on, such as 127.0.0.1:8976 (the default) or [::]:8976;
    /// $LISTEN_ADDRESS when absent
    #[argh(positional)]
    pub listen_address: Option<String>,

    /// file of user:password lines: turns on HTTP basic auth for /metrics;
    /// $BASIC_AUTH_KEYS_FILE when absent
    #[argh(option)]
    pub basic_auth_keys_file: Option<PathBuf>,

    /// how many times to retry binding the address, waiting 1, 2, 4, 8, 16,
    /// 16... s between tries (default 5; 0 = one attempt); $MAX_BIND_RETRIES when absent
    #[argh(option)]
    pub max_bind_retries: Option<u32>,

    /// the zpool program to run (default /sbin/zpool, else zpool on PATH)
    #[argh(option)]
    pub zpool: Option<PathBuf>,

    /// seconds one scrape may take: zpool status and zpool list together
    /// (default 8); a zpool still running then is killed
    #[argh(option, from_str_fn(parse_timeout))]
    pub timeout: Option<Duration>,

    /// the proc file system to read pool states from when zpool status fails
    /// (default /proc; its spl/kstat/zfs/<pool>/state files)
    #[argh(option)]
    pub procfs: Option<PathBuf>,

    /// print the metrics once to stdout and exit (for cron or node_exporter's textfile collector)
    #[argh(switch)]
    pub oneshot: bool,

    /// with --oneshot: write the metrics to this file instead (through a
    /// temporary file renamed over it; left as it was when the scrape fails)
    #[argh(option)]
    pub output: Option<PathBuf>,

    /// run even as root (zpool status needs no privilege on current OpenZFS)
    #[argh(switch)]
    pub allow_root: bool,

    /// print the version and exit
    #[argh(switch)]
    pub version: bool,
}

/// Everything the exporter runs with, after defaults and environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where to listen.
    pub listen_address: String,
    /// The basic auth keys file, if auth is on.
    pub basic_auth_keys_file: Option<PathBuf>,
    /// Bind retries after the first attempt.
    pub max_bind_retries: u32,
    /// `--zpool`, if given.
    pub zpool: Option<PathBuf>,
    /// How long one scrape (both `zpool` commands) may take.
    pub timeout: Duration,
    /// The proc root for the kstat fallback.
    pub procfs: PathBuf,
    /// One scrape to stdout (or [`Config::output`]), then exit.
    pub oneshot: bool,
    /// `--output`: the file `--oneshot` writes.
    pub output: Option<PathBuf>,
    /// Whether running as root is allowed.
    pub allow_root: bool,
}

/// Fills in what the command line left out from the environment (`env`
/// looks a variable up) and from the defaults.
///
/// # Errors
/// A `MAX_BIND_RETRIES` that is not a whole number, an empty setting, or
/// `--output` without `--oneshot`.
pub fn resolve(args: Args, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
    let listen_address = args
        .listen_address
        .or_else(|| env("LISTEN_ADDRESS"))
        .unwrap_or_else(|| DEFAULT_LISTEN_ADDRESS.to_owned());
    if listen_address.trim().is_empty() {
        return Err("the listen address is empty".into());
    }
    let basic_auth_keys_file = args
        .basic_auth_keys_file
        .or_else(|| env("BASIC_AUTH_KEYS_FILE").map(PathBuf::from));
    if basic_auth_keys_file
        .as_ref()
        .is_some_and(|path| path.as_os_str().is_empty())
    {
        return Err("the basic auth keys file name is empty".into());
    }
    let max_bind_retries = match args.max_bind_retries {
        Some(retries) => retries,
        None => match env("MAX_BIND_RETRIES") {
            Some(text) => text.trim().parse().map_err(|_| {
                format!(
                    "MAX_BIND_RETRIES={text:?} is not a whole number from 0 to {}",
                    u32::MAX
                )
            })?,
            None => DEFAULT_MAX_BIND_RETRIES,
        },
    };
    if args.output.is_some() && !args.oneshot {
        return Err("--output writes the metrics of --oneshot: give both".into());
    }
    if args
        .output
        .as_ref()
        .is_some_and(|path| path.file_name().is_none())
    {
        return Err("--output needs a file name".into());
    }
    Ok(Config {
        listen_address,
        basic_auth_keys_file,
        max_bind_retries,
        zpool: args.zpool,
        timeout: args
            .timeout
            .unwrap_or(Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS)),
        procfs: args.procfs.unwrap_or_else(|| PathBuf::from(DEFAULT_PROCFS)),
        oneshot: args.oneshot,
        output: args.output,
        allow_root: args.allow_root,
    })
}

/// Parses `--timeout`: seconds, more than 0 and at most one hour.
///
/// # Errors
/// Anything else.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(format!("{text:?} is not between 0 and 3600 seconds"))
    }
}

/// The effective user id in `/proc/self/status` text (its `Uid:` line's second field).
#[must_use]
pub fn effective_uid_from_status(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
}

/// This process' effective user id, from `/proc/self/status` or else `id -u`.
#[must_use]
pub fn effective_uid() -> Option<u32> {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        return effective_uid_from_status(&status);
    }
    let output = std::process::Command::new("id").arg("-u").output().ok()?;
    String::from_utf8(output.stdout).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::from_args(&["zpool-status-exporter"], list).unwrap()
    }

    #[test]
    fn defaults() {
        let config = resolve(args(&[]), |_| None).unwrap();
        assert_eq!(config.listen_address, "127.0.0.1:8976");
        assert_eq!(config.max_bind_retries, 5);
        assert_eq!(config.timeout, Duration::from_secs(8));
        assert_eq!(config.basic_auth_keys_file, None);
        assert_eq!(config.procfs, PathBuf::from("/proc"));
        assert!(!config.oneshot && !config.allow_root && config.output.is_none());
    }

    #[test]
    fn environment_fills_absent_flags_only() {
        let env = |name: &str| match name {
            "LISTEN_ADDRESS" => Some("0.0.0.0:1".to_owned()),
            "BASIC_AUTH_KEYS_FILE" => Some("/env/keys".to_owned()),
            "MAX_BIND_RETRIES" => Some("9".to_owned()),
            _ => None,
        };
        let from_env = resolve(args(&[]), env).unwrap();
        assert_eq!(from_env.listen_address, "0.0.0.0:1");
        assert_eq!(
            from_env.basic_auth_keys_file,
            Some(PathBuf::from("/env/keys"))
        );
        assert_eq!(from_env.max_bind_retries, 9);
        let flags = args(&[
            "[::1]:2",
            "--basic-auth-keys-file",
            "/flag/keys",
            "--max-bind-retries",
            "0",
        ]);
        let from_flags = resolve(flags, env).unwrap();
        assert_eq!(from_flags.listen_address, "[::1]:2");
        assert_eq!(
            from_flags.basic_auth_keys_file,
            Some(PathBuf::from("/flag/keys"))
        );
        assert_eq!(from_flags.max_bind_retries, 0);
    }

    #[test]
    fn bad_settings_are_refused() {
        let bad_retries = |name: &str| (name == "MAX_BIND_RETRIES").then(|| "many".to_owned());
        assert!(
            resolve(args(&[]), bad_retries)
                .unwrap_err()
                .contains("MAX_BIND_RETRIES")
        );
        assert!(Args::from_args(&["x"], &["--timeout", "0"]).is_err());
        assert!(Args::from_args(&["x"], &["--timeout", "nan"]).is_err());
        assert_eq!(
            args(&["--timeout", "0.5"]).timeout,
            Some(Duration::from_millis(500))
        );
        let output_alone = resolve(args(&["--output", "/x/m.prom"]), |_| None);
        assert!(output_alone.unwrap_err().contains("--oneshot"));
        let no_name = resolve(args(&["--oneshot", "--output", "/"]), |_| None);
        assert!(no_name.unwrap_err().contains("file name"));
        let both = resolve(
            args(&[
                "--oneshot",
                "--output",
                "/x/m.prom",
                "--procfs",
                "/host/proc",
            ]),
            |_| None,
        )
        .unwrap();
        assert_eq!(both.output, Some(PathBuf::from("/x/m.prom")));
        assert_eq!(both.procfs, PathBuf::from("/host/proc"));
    }

    #[test]
    fn euid_is_the_second_uid_field() {
        let status = "Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t1\t1\t1\t1\n";
        assert_eq!(effective_uid_from_status(status), Some(0));
        assert_eq!(effective_uid_from_status("Name: x\n"), None);
    }
}
