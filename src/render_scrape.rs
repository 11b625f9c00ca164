//! Renders a whole [`Scrape`] as exposition text: the `zpool status`
//! families ([`crate::render::render`]) or the kstat fallback's pool states,
//! then the capacity families, then the exporter's own `zpool_exporter_*`
//! families.

use crate::kstat::KstatPool;
use crate::model::PoolCapacity;
use crate::render::{self, Family, LabelSets, Value};
use crate::scrape::{CommandReport, PoolHealth, Scrape};

/// Name and HELP text of each family added by this module: part of the metric contract.
pub mod help {
    /// `zpool_pool_size_bytes`
    pub const POOL_SIZE: (&str, &str) = ("zpool_pool_size_bytes", "Pool size in bytes");
    /// `zpool_pool_allocated_bytes`
    pub const POOL_ALLOCATED: (&str, &str) = (
        "zpool_pool_allocated_bytes",
        "Pool space allocated, in bytes",
    );
    /// `zpool_pool_free_bytes`
    pub const POOL_FREE: (&str, &str) = ("zpool_pool_free_bytes", "Pool space free, in bytes");
    /// `zpool_pool_checkpoint_bytes`
    pub const POOL_CHECKPOINT: (&str, &str) = (
        "zpool_pool_checkpoint_bytes",
        "Pool space held by the pool checkpoint, in bytes (0 without a checkpoint)",
    );
    /// `zpool_pool_expand_size_bytes`
    pub const POOL_EXPAND_SIZE: (&str, &str) = (
        "zpool_pool_expand_size_bytes",
        "Space the pool could grow by into its devices, in bytes",
    );
    /// `zpool_pool_fragmentation_ratio`
    pub const POOL_FRAGMENTATION: (&str, &str) = (
        "zpool_pool_fragmentation_ratio",
        "Pool free space fragmentation, 0 to 1",
    );
    /// `zpool_pool_capacity_ratio`
    pub const POOL_CAPACITY: (&str, &str) = (
        "zpool_pool_capacity_ratio",
        "Pool space allocated as a fraction of its size, 0 to 1, in whole percent",
    );
    /// `zpool_pool_dedup_ratio`
    pub const POOL_DEDUP: (&str, &str) = (
        "zpool_pool_dedup_ratio",
        "Pool deduplication ratio (1 without deduplication)",
    );
    /// `zpool_pool_readonly`
    pub const POOL_READONLY: (&str, &str) = (
        "zpool_pool_readonly",
        "Pool imported read-only: 1, read-write: 0",
    );
    /// `zpool_exporter_build_info`
    pub const BUILD_INFO: (&str, &str) = (
        "zpool_exporter_build_info",
        "Always 1; the version label is the exporter's version",
    );
    /// `zpool_exporter_command_success`
    pub const COMMAND_SUCCESS: (&str, &str) = (
        "zpool_exporter_command_success",
        "1 when the zpool command ran and its output was read, 0 when it failed, timed out or was not run",
    );
    /// `zpool_exporter_command_duration_seconds`
    pub const COMMAND_DURATION: (&str, &str) = (
        "zpool_exporter_command_duration_seconds",
        "How long the zpool command ran, in seconds",
    );
    /// `zpool_exporter_unparsed_lines`
    pub const UNPARSED_LINES: (&str, &str) = (
        "zpool_exporter_unparsed_lines",
        "Lines of the zpool command's output that were skipped or not understood",
    );
}

/// The exposition text of one scrape.
#[must_use]
pub fn render(scrape: &Scrape) -> String {
    let mut out = match &scrape.health {
        PoolHealth::Status(pools) => render::render(pools),
        PoolHealth::Kstat { pools, cause } => kstat_states(pools, cause),
    };
    if let Some(capacity) = &scrape.capacity {
        out.push_str(&self::capacity(capacity));
    }
    out.push_str(&exporter(&scrape.commands));
    out
}

/// A comment naming why `zpool status` was not used, then `zpool_pool_state`
/// of each kstat pool.
#[must_use]
pub fn kstat_states(pools: &[KstatPool], cause: &str) -> String {
    let mut out = String::from("# zpool status failed, pool states read from kstat: ");
    // A comment is one line.
    out.extend(cause.chars().map(|c| if c == '\n' { ' ' } else { c }));
    out.push('\n');
    let mut labels = LabelSets::default();
    for pool in pools {
        labels.push(&[("pool", &pool.name)]);
    }
    let (name, help) = render::help::POOL_STATE;
    let mut family = Family::start(&mut out, name, help);
    for (index, pool) in pools.iter().enumerate() {
        family.sample(labels.get(index), Value::Int(pool.state.value().into()));
    }
    out
}

/// The capacity families; a family without any value is left out.
#[must_use]
pub fn capacity(pools: &[PoolCapacity]) -> String {
    let mut labels = LabelSets::default();
    for pool in pools {
        labels.push(&[("pool", &pool.name)]);
    }
    let mut out = String::new();
    let mut family = |family: (&str, &str), value: &dyn Fn(&PoolCapacity) -> Option<Value>| {
        let values = pools
            .iter()
            .enumerate()
            .filter_map(|(index, pool)| value(pool).map(|v| (index, v)))
            .collect();
        samples(&mut out, family, &labels, values);
    };
    family(help::POOL_SIZE, &|p| p.size_bytes.map(Value::Int));
    family(help::POOL_ALLOCATED, &|p| p.allocated_bytes.map(Value::Int));
    family(help::POOL_FREE, &|p| p.free_bytes.map(Value::Int));
    family(help::POOL_CHECKPOINT, &|p| {
        p.checkpoint_bytes.map(Value::Int)
    });
    family(help::POOL_EXPAND_SIZE, &|p| {
        p.expand_size_bytes.map(Value::Int)
    });
    family(help::POOL_FRAGMENTATION, &|p| {
        p.fragmentation_ratio.map(Value::Float)
    });
    family(help::POOL_CAPACITY, &|p| p.capacity_ratio.map(Value::Float));
    family(help::POOL_DEDUP, &|p| p.dedup_ratio.map(Value::Float));
    family(help::POOL_READONLY, &|p| {
        p.readonly.map(|on| Value::Int(on.into()))
    });
    out
}

/// The exporter's own families: build info, then per command its success,
/// duration (when it ran) and unparsed lines (when it had output); a
/// family without samples is left out.
#[must_use]
pub fn exporter(commands: &[CommandReport]) -> String {
    let mut out = String::new();
    let mut version = LabelSets::default();
    version.push(&[("version", env!("CARGO_PKG_VERSION"))]);
    let (name, help) = help::BUILD_INFO;
    Family::start(&mut out, name, help).sample(version.get(0), Value::Int(1));

    let mut labels = LabelSets::default();
    for report in commands {
        labels.push(&[("command", report.command.label())]);
    }
    let (name, help) = help::COMMAND_SUCCESS;
    let mut family = Family::start(&mut out, name, help);
    for (index, report) in commands.iter().enumerate() {
        family.sample(labels.get(index), Value::Int(report.success().into()));
    }
    let durations: Vec<(usize, Value)> = commands
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, Value::Float(r.duration?.as_secs_f64()))))
        .collect();
    samples(&mut out, help::COMMAND_DURATION, &labels, durations);
    let unparsed: Vec<(usize, Value)> = commands
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, Value::Int(u64::try_from(r.unparsed_lines?).ok()?))))
        .collect();
    samples(&mut out, help::UNPARSED_LINES, &labels, unparsed);
    out
}

/// Writes a family with `values` (label set index, value), or nothing when
/// there are none.
fn samples(
    out: &mut String,
    (name, help): (&str, &str),
    labels: &LabelSets,
    values: Vec<(usize, Value)>,
) {
    if values.is_empty() {
        return;
    }
    let mut family = Family::start(out, name, help);
    for (index, value) in values {
        family.sample(labels.get(index), value);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;
    use crate::model::PoolState;
    use crate::scrape::ZpoolCommand;

    fn report(
        command: ZpoolCommand,
        ms: Option<u64>,
        lines: Option<usize>,
        error: Option<&str>,
    ) -> CommandReport {
        CommandReport {
            command,
            command_line: format!("zpool {}", command.label()),
            duration: ms.map(Duration::from_millis),
            unparsed_lines: lines,
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn kstat_fallback_is_a_one_line_cause_then_pool_states() {
        let pools = [
            KstatPool {
                name: "a b".into(),
                state: PoolState::Suspended,
                word: "SUSPENDED".into(),
            },
            KstatPool {
                name: "t\"x".into(),
                state: PoolState::Online,
                word: "ONLINE".into(),
            },
        ];
        let scrape = Scrape {
            health: PoolHealth::Kstat {
                pools: pools.to_vec(),
                cause: "`zpool status -p` failed\nstderr: boom".into(),
            },
            capacity: None,
            commands: vec![
                report(ZpoolCommand::Status, Some(1500), None, Some("failed")),
                report(ZpoolCommand::List, None, None, Some("not run")),
            ],
        };
        let version = env!("CARGO_PKG_VERSION");
        let expected = format!(
            "# zpool status failed, pool states read from kstat: `zpool status -p` failed stderr: boom\n\
             # HELP {state} {state_help}\n# TYPE {state} gauge\n\
             {state}{{pool=\"a b\"}} 70\n{state}{{pool=\"t\\\"x\"}} 10\n\
             # HELP zpool_exporter_build_info Always 1; the version label is the exporter's version\n\
             # TYPE zpool_exporter_build_info gauge\n\
             zpool_exporter_build_info{{version=\"{version}\"}} 1\n\
             # HELP zpool_exporter_command_success {success}\n\
             # TYPE zpool_exporter_command_success gauge\n\
             zpool_exporter_command_success{{command=\"status\"}} 0\n\
             zpool_exporter_command_success{{command=\"list\"}} 0\n\
             # HELP zpool_exporter_command_duration_seconds How long the zpool command ran, in seconds\n\
             # TYPE zpool_exporter_command_duration_seconds gauge\n\
             zpool_exporter_command_duration_seconds{{command=\"status\"}} 1.500000\n",
            state = render::help::POOL_STATE.0,
            state_help = render::help::POOL_STATE.1,
            success = help::COMMAND_SUCCESS.1,
        );
        assert_eq!(render(&scrape), expected);
    }

    #[test]
    fn status_families_then_capacity_then_exporter() {
        let capacity = PoolCapacity {
            name: "tank".into(),
            size_bytes: Some(100),
            allocated_bytes: Some(81),
            free_bytes: Some(19),
            checkpoint_bytes: Some(0),
            expand_size_bytes: None,
            fragmentation_ratio: None,
            capacity_ratio: Some(0.81),
            dedup_ratio: Some(1.0),
            health: PoolState::Online,
            readonly: Some(false),
        };
        let scrape = Scrape {
            health: PoolHealth::Status(Vec::new()),
            capacity: Some(vec![capacity]),
            commands: vec![
                report(ZpoolCommand::Status, Some(20), Some(2), None),
                report(ZpoolCommand::List, Some(5), Some(0), None),
            ],
        };
        let out = render(&scrape);
        let size = out
            .find("zpool_pool_size_bytes{pool=\"tank\"} 100\n")
            .unwrap();
        assert!(out.starts_with(render::NO_POOLS));
        assert!(out.find("# HELP zpool_exporter_build_info").unwrap() > size);
        assert!(out.contains("zpool_pool_capacity_ratio{pool=\"tank\"} 0.810000\n"));
        assert!(out.contains("zpool_pool_checkpoint_bytes{pool=\"tank\"} 0\n"));
        assert!(out.contains("zpool_pool_readonly{pool=\"tank\"} 0\n"));
        // Families without a value are left out, HELP and all.
        assert!(
            !out.contains("expand_size") && !out.contains("fragmentation"),
            "{out}"
        );
        assert!(out.contains("zpool_exporter_unparsed_lines{command=\"status\"} 2\n"));
        assert!(out.contains("zpool_exporter_unparsed_lines{command=\"list\"} 0\n"));
        assert!(out.contains("zpool_exporter_command_success{command=\"list\"} 1\n"));
        assert!(
            out.contains("zpool_exporter_command_duration_seconds{command=\"list\"} 0.005000\n")
        );
    }

    #[test]
    fn no_capacity_pools_no_capacity_families() {
        assert_eq!(capacity(&[]), "");
    }
}
