//! What one scrape does: run `zpool status -p`, then `zpool list -Hp`, within
//! one time budget; fall back to the kernel's pool states when `status`
//! gives nothing; and report on each command for the exporter's own health.
//!
//! * `--timeout` bounds the whole scrape: `list` gets what `status` left, and
//!   is skipped (success 0) when nothing is left. One child at a time
//!   ([`ZpoolRunner`]).
//! * When `status` fails, times out or cannot start (an earlier child is
//!   still stuck), the pool states come from `/proc/spl/kstat/zfs`
//!   ([`crate::kstat`]) and `list` is not run; only when that lists no pool
//!   does the scrape fail ([`ScrapeError`]).
//! * A failing `list` never fails the scrape: the capacity is left out.
//!
//! The result is plain data ([`Scrape`]) for any renderer;
//! [`crate::render_scrape::render`] turns it into exposition text.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Zoned;

use crate::kstat::{self, KstatPool};
use crate::model::{PoolCapacity, PoolMetrics};
use crate::parse::list::{LIST_ARGS, parse_list};
use crate::parse::{Diagnostic, parse_with_diagnostics};
use crate::zpool::ZpoolRunner;

/// A `zpool` command one scrape runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZpoolCommand {
    /// `zpool status -p`: pool and device health.
    Status,
    /// `zpool list -Hp -o ...`: pool capacity.
    List,
}

impl ZpoolCommand {
    /// The value of the `command` label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::List => "list",
        }
    }
}

/// How one command of a scrape went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandReport {
    /// Which command.
    pub command: ZpoolCommand,
    /// Its command line, e.g. `/sbin/zpool status -p`.
    pub command_line: String,
    /// How long it ran; `None` when it was not started.
    pub duration: Option<Duration>,
    /// Lines of its output the parser skipped or did not understand; `None`
    /// when there was no output to parse.
    pub unparsed_lines: Option<usize>,
    /// Why it failed or was not run; `None` when its output was read.
    pub error: Option<String>,
}

impl CommandReport {
    /// Whether the command ran and its output was read.
    #[must_use]
    pub fn success(&self) -> bool {
        self.error.is_none()
    }
}

/// Where a scrape's pool health came from.
#[derive(Debug, Clone, PartialEq)]
pub enum PoolHealth {
    /// `zpool status` ran: every pool and device, in its order.
    Status(Vec<PoolMetrics>),
    /// `zpool status` gave nothing; each pool's state, read from kstat.
    Kstat {
        /// The pools, sorted by name.
        pools: Vec<KstatPool>,
        /// What went wrong with `zpool status`, with its command line.
        cause: String,
    },
}

/// Everything one scrape found.
#[derive(Debug, Clone, PartialEq)]
pub struct Scrape {
    /// Pool health, from `zpool status` or from the kstat fallback.
    pub health: PoolHealth,
    /// Capacity from `zpool list`; `None` when it failed or was not run.
    pub capacity: Option<Vec<PoolCapacity>>,
    /// One report per command, `status` first, then `list`.
    pub commands: Vec<CommandReport>,
}

/// A scrape with nothing to report: `zpool status` failed and there were no
/// kstat pool states to fall back to (ZFS not loaded, not Linux).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeError {
    /// What went wrong with `zpool status`, with its command line.
    pub status: String,
    /// Why the kstat fallback had nothing.
    pub fallback: String,
}

impl fmt::Display for ScrapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; no pool states to fall back to: {}",
            self.status, self.fallback
        )
    }
}

impl std::error::Error for ScrapeError {}

/// Runs scrapes: owns the `zpool` runner, the proc root and the time budget.
#[derive(Debug)]
pub struct Scraper {
    runner: ZpoolRunner,
    procfs: PathBuf,
    timeout: Duration,
}

impl Scraper {
    /// A scraper running `runner`'s `zpool`, reading kstats below `procfs`
    /// (normally `/proc`), each scrape within `timeout`.
    #[must_use]
    pub fn new(runner: ZpoolRunner, procfs: PathBuf, timeout: Duration) -> Self {
        Self {
            runner,
            procfs,
            timeout,
        }
    }

    /// The `zpool` program run.
    #[must_use]
    pub fn program(&self) -> &Path {
        self.runner.program()
    }

    /// The time budget of one scrape.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs one scrape.
    ///
    /// # Errors
    /// When `zpool status` gave nothing and kstat lists no pool.
    pub fn scrape(&mut self) -> Result<Scrape, ScrapeError> {
        let deadline = Instant::now() + self.timeout;
        let now = Zoned::now();
        let command_line = self.runner.command_line(self.runner.status_args());
        let started = Instant::now();
        let status = self.runner.status(deadline);
        let duration = Some(started.elapsed());
        match status {
            Ok(text) => {
                let parsed = parse_with_diagnostics(&text, &now);
                let status = CommandReport {
                    command: ZpoolCommand::Status,
                    // The -p fallback may have changed the arguments.
                    command_line: self.runner.command_line(self.runner.status_args()),
                    duration,
                    unparsed_lines: Some(log_unparsed("zpool status", &parsed.diagnostics)),
                    error: None,
                };
                let (capacity, list) = self.list(deadline);
                Ok(Scrape {
                    health: PoolHealth::Status(parsed.pools),
                    capacity,
                    commands: vec![status, list],
                })
            }
            Err(error) => {
                let cause = format!("`{command_line}` {error}");
                let status = CommandReport {
                    command: ZpoolCommand::Status,
                    command_line,
                    duration,
                    unparsed_lines: None,
                    error: Some(cause.clone()),
                };
                let pools =
                    kstat::read_pool_states(&self.procfs).map_err(|fallback| ScrapeError {
                        status: cause.clone(),
                        fallback: fallback.to_string(),
                    })?;
                log::warn!(
                    "{cause}; serving the states of {} pools from {}",
                    pools.len(),
                    self.procfs.join(kstat::KSTAT_DIR).display()
                );
                let list = self.not_run("not run: zpool status failed");
                Ok(Scrape {
                    health: PoolHealth::Kstat { pools, cause },
                    capacity: None,
                    commands: vec![status, list],
                })
            }
        }
    }

    /// Runs `zpool list` with what is left of the budget.
    fn list(&mut self, deadline: Instant) -> (Option<Vec<PoolCapacity>>, CommandReport) {
        if Instant::now() >= deadline {
            let report = self.not_run("not run: zpool status used up the --timeout");
            log::warn!("`{}` was skipped: no time left", report.command_line);
            return (None, report);
        }
        let command_line = self.runner.command_line(LIST_ARGS);
        let started = Instant::now();
        let result = self.runner.run(LIST_ARGS, deadline);
        let duration = Some(started.elapsed());
        match result {
            Ok(text) => {
                let parsed = parse_list(&text);
                let report = CommandReport {
                    command: ZpoolCommand::List,
                    command_line,
                    duration,
                    unparsed_lines: Some(log_unparsed("zpool list", &parsed.diagnostics)),
                    error: None,
                };
                (Some(parsed.pools), report)
            }
            Err(error) => {
                let cause = format!("`{command_line}` {error}");
                log::warn!("{cause}; capacity left out of this scrape");
                let report = CommandReport {
                    command: ZpoolCommand::List,
                    command_line,
                    duration,
                    unparsed_lines: None,
                    error: Some(cause),
                };
                (None, report)
            }
        }
    }

    fn not_run(&self, why: &str) -> CommandReport {
        CommandReport {
            command: ZpoolCommand::List,
            command_line: self.runner.command_line(LIST_ARGS),
            duration: None,
            unparsed_lines: None,
            error: Some(why.to_owned()),
        }
    }
}

/// Logs what a parser skipped and returns how many lines that was.
fn log_unparsed(command: &str, diagnostics: &[Diagnostic]) -> usize {
    for diagnostic in diagnostics {
        log::warn!("{command} line {}: {}", diagnostic.line, diagnostic.message);
    }
    diagnostics
        .iter()
        .map(|d| d.line)
        .collect::<BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unparsed_lines_count_each_line_once() {
        let diagnostic = |line: usize| Diagnostic {
            line,
            message: "x".into(),
        };
        let diagnostics = [diagnostic(3), diagnostic(3), diagnostic(7)];
        assert_eq!(log_unparsed("zpool status", &diagnostics), 2);
        assert_eq!(log_unparsed("zpool status", &[]), 0);
    }

    #[test]
    fn error_names_both_causes() {
        let error = ScrapeError {
            status: "`zpool status -p` failed".into(),
            fallback: "/proc/spl/kstat/zfs cannot be read".into(),
        };
        assert_eq!(
            error.to_string(),
            "`zpool status -p` failed; no pool states to fall back to: /proc/spl/kstat/zfs cannot be read"
        );
    }
}
