//! Renders [`PoolMetrics`] as Prometheus text exposition format 0.0.4.
//!
//! Plain functions over the model, apart from any I/O. Samples can only be
//! written through a [`Family`], which writes its `# HELP` and `# TYPE` lines
//! first, so no sample can appear without them.

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::model::{DevErrors, DevMetrics, PoolMetrics};
use crate::unique::{DistinctCheck, WordHash};

/// The `Content-Type` of [`render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The whole body when `zpool status` reports no pools.
pub const NO_POOLS: &str = "# no pools reported\n";

/// Name and HELP text of each metric family: part of the metric contract.
pub mod help {
    /// `zpool_pool_state`
    pub const POOL_STATE: (&str, &str) = (
        "zpool_pool_state",
        "Pool state: UnknownMissing = 0, Unrecognized = 1, Online = 10, Offline = 25, Split = 26, Degraded = 50, Faulted = 60, Suspended = 70, Removed = 80, Unavail = 100",
    );
    /// `zpool_pool_status_desc`
    pub const POOL_STATUS_DESC: (&str, &str) = (
        "zpool_pool_status_desc",
        "Pool status description: Normal = 0, Unrecognized = 1, LegacyFormat = 2, NonNativeBlockSize = 3, Errata = 4, FeaturesAvailable = 5, CompatibilityMismatch = 6, HostidMismatch = 7, SufficientReplicasForMissing = 10, DeviceRemoved = 15, DeviceOffline = 16, DeviceFaulted = 17, Resilvering = 20, ScrubAfterRebuild = 21, DeviceErrorsCorrected = 30, DataCorruption = 50, InsufficientReplicas = 60, MetadataCorrupted = 65, IoFailure = 70, BadIntentLog = 75, UnsupportedVersion = 80",
    );
    /// `zpool_scan_state`
    pub const SCAN_STATE: (&str, &str) = (
        "zpool_scan_state",
        "Scan status: UnknownMissing = 0, Unrecognized = 1, ScrubRepaired = 10, Resilvered = 15, ScrubInProgress = 30, ResilverInProgress = 31, ScrubPaused = 32, ScrubCanceled = 35, ResilverCanceled = 36, NeverScanned = 40",
    );
    /// `zpool_scan_age`
    pub const SCAN_AGE: (&str, &str) = ("zpool_scan_age", "Scan age in hours");
    /// `zpool_error_state`
    pub const ERROR_STATE: (&str, &str) = (
        "zpool_error_state",
        "Error status: UnknownMissing = 0, Unrecognized = 1, Ok = 10, DataErrors = 50",
    );
    /// `zpool_dev_state`
    pub const DEV_STATE: (&str, &str) = (
        "zpool_dev_state",
        "Device state: UnknownMissing = 0, Unrecognized = 1, Online = 10, Avail = 11, Offline = 25, Split = 26, InUse = 27, Degraded = 50, Faulted = 60, Suspended = 70, Removed = 80, Unavail = 100",
    );
    /// `zpool_dev_errors_read`
    pub const DEV_ERRORS_READ: (&str, &str) = ("zpool_dev_errors_read", "Read error count");
    /// `zpool_dev_errors_write`
    pub const DEV_ERRORS_WRITE: (&str, &str) = ("zpool_dev_errors_write", "Write error count");
    /// `zpool_dev_errors_checksum`
    pub const DEV_ERRORS_CHECKSUM: (&str, &str) =
        ("zpool_dev_errors_checksum", "Checksum error count");
    /// `zpool_scan_start_timestamp_seconds`
    pub const SCAN_START: (&str, &str) = (
        "zpool_scan_start_timestamp_seconds",
        "Unix time the running or paused scan started",
    );
    /// `zpool_scan_end_timestamp_seconds`
    pub const SCAN_END: (&str, &str) = (
        "zpool_scan_end_timestamp_seconds",
        "Unix time the scan finished or was canceled",
    );
    /// `zpool_scan_duration_seconds`
    pub const SCAN_DURATION: (&str, &str) = (
        "zpool_scan_duration_seconds",
        "How long the finished scan took, in seconds",
    );
    /// `zpool_scan_errors`
    pub const SCAN_ERRORS: (&str, &str) = (
        "zpool_scan_errors",
        "Errors the finished scan reported (with N errors)",
    );
    /// `zpool_scan_repaired_bytes`
    pub const SCAN_REPAIRED: (&str, &str) = (
        "zpool_scan_repaired_bytes",
        "Bytes the scan repaired (scrub) or resilvered (resilver)",
    );
    /// `zpool_scan_progress_ratio`
    pub const SCAN_PROGRESS: (&str, &str) = (
        "zpool_scan_progress_ratio",
        "Fraction of the running or paused scan done, as zpool prints it (1 = 100%)",
    );
    /// `zpool_scan_remaining_seconds`
    pub const SCAN_REMAINING: (&str, &str) = (
        "zpool_scan_remaining_seconds",
        "Seconds zpool estimates the running scan still needs",
    );
    /// `zpool_scan_scanned_bytes`
    pub const SCAN_SCANNED: (&str, &str) = (
        "zpool_scan_scanned_bytes",
        "Bytes the running or paused scan has scanned",
    );
    /// `zpool_scan_issued_bytes`
    pub const SCAN_ISSUED: (&str, &str) = (
        "zpool_scan_issued_bytes",
        "Bytes the running or paused scan has issued",
    );
    /// `zpool_scan_total_bytes`
    pub const SCAN_TOTAL: (&str, &str) = (
        "zpool_scan_total_bytes",
        "Bytes the running or paused scan will scan in all",
    );
    /// `zpool_data_errors`
    pub const DATA_ERRORS: (&str, &str) = (
        "zpool_data_errors",
        "Data errors the errors: line counts (0 for No known data errors)",
    );
    /// `zpool_pool_status_info`
    pub const POOL_STATUS_INFO: (&str, &str) = (
        "zpool_pool_status_info",
        "The message id (ZFS-8000-xx) of the pool's see: line, as a label; always 1",
    );
}

/// Renders every family for `pools`, or [`NO_POOLS`] when there are none.
#[must_use]
pub fn render(pools: &[PoolMetrics]) -> String {
    if pools.is_empty() {
        return NO_POOLS.to_owned();
    }
    // Each label set is escaped once and used by every family.
    let pool_labels = pool_label_sets(pools);
    let dev_labels = device_label_sets(pools);
    let mut out = String::with_capacity(
        4096 + pool_labels.text.len() * 10 + dev_labels.text.len() * 4 + dev_labels.len() * 120,
    );

    let pool_family =
        |out: &mut String, (name, help): (&str, &str), value: &dyn Fn(&PoolMetrics) -> Value| {
            let mut family = Family::start(out, name, help);
            for (index, pool) in pools.iter().enumerate() {
                family.sample(pool_labels.get(index), value(pool));
            }
        };
    pool_family(&mut out, help::POOL_STATE, &|p| {
        Value::Int(p.state.value().into())
    });
    pool_family(&mut out, help::POOL_STATUS_DESC, &|p| {
        Value::Int(p.status.value().into())
    });
    pool_family(&mut out, help::SCAN_STATE, &|p| {
        Value::Int(p.scan.state.value().into())
    });
    pool_family(&mut out, help::SCAN_AGE, &|p| {
        Value::Float(p.scan_age_hours)
    });
    pool_family(&mut out, help::ERROR_STATE, &|p| {
        Value::Int(p.errors.value().into())
    });
    render_scan_figures(&mut out, pools, &pool_labels);
    render_data_errors(&mut out, pools, &pool_labels);

    // Each device with its label set, paired once for the four families.
    let all_devices = pools.iter().flat_map(|pool| &pool.devices);
    let rows: Vec<(Labels<'_>, &DevMetrics)> = dev_labels.each().zip(all_devices).collect();
    let devices = (&dev_labels, rows.as_slice());
    dev_family(&mut out, help::DEV_STATE, devices, |d| {
        Some(d.state.value().into())
    });
    dev_family(&mut out, help::DEV_ERRORS_READ, devices, |d| {
        d.errors.map(|e: DevErrors| e.read)
    });
    dev_family(&mut out, help::DEV_ERRORS_WRITE, devices, |d| {
        d.errors.map(|e| e.write)
    });
    dev_family(&mut out, help::DEV_ERRORS_CHECKSUM, devices, |d| {
        d.errors.map(|e| e.checksum)
    });
    out
}

/// The `pool` label set of each pool, checking that the names are distinct
/// (see [`check_distinct`]).
fn pool_label_sets(pools: &[PoolMetrics]) -> LabelSets {
    let names = pools.iter().map(|pool| pool.name.as_str());
    check_distinct(&mut DistinctCheck::default(), "pool", names.clone());
    // Sized up front (escaping rarely adds): no regrowth and copying.
    let text: usize = names.map(|name| name.len() + 10).sum();
    let mut sets = LabelSets::with_capacity(pools.len(), text);
    for pool in pools {
        sets.push(&[("pool", &pool.name)]);
    }
    sets
}

/// The `pool` + `dev` label set of each device, pool by pool in table order,
/// checking that the paths within each pool are distinct (see
/// [`check_distinct`]): each path is hashed on the pass that escapes it.
fn device_label_sets(pools: &[PoolMetrics]) -> LabelSets {
    // Sized up front for paths of a typical length (by-id names below a
    // vdev), not measured: reading each path costs more than the odd regrowth.
    const PATH_LEN: usize = 48;
    let (devices, text) = pools.iter().fold((0, 0), |(count, text), pool| {
        let sets = pool.devices.len();
        (
            count + sets,
            text + sets * (pool.name.len() + 17 + PATH_LEN),
        )
    });
    let mut sets = LabelSets::with_capacity(devices, text);
    let mut check = DistinctCheck::default();
    for pool in pools {
        let paths = pool.devices.iter().map(|dev| dev.path.as_str());
        if !sets.push_each(&[("pool", &pool.name)], "dev", paths.clone(), &mut check) {
            report_repeats("dev", paths);
        }
    }
    sets
}

/// A device family: one sample per device that has a value, in the order
/// of `rows` (each device with its label set from [`device_label_sets`],
/// the `labels`).
fn dev_family(
    out: &mut String,
    (name, help): (&str, &str),
    (labels, rows): (&LabelSets, &[(Labels<'_>, &DevMetrics)]),
    value: impl Fn(&DevMetrics) -> Option<u64>,
) {
    let mut family = Family::start(out, name, help);
    family.reserve(labels);
    for &(labels, dev) in rows {
        if let Some(value) = value(dev) {
            family.int_sample(labels, value);
        }
    }
}

/// The families of the scan's figures: a family is written only when some
/// pool has a sample, a pool only when its text states the figure.
fn render_scan_figures(out: &mut String, pools: &[PoolMetrics], pool_labels: &LabelSets) {
    let int = |value: Option<u64>| value.map(Value::Int);
    optional_pool_family(out, pools, pool_labels, help::SCAN_START, &|p| {
        timestamp(p.scan.figures.start)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_END, &|p| {
        timestamp(p.scan.figures.end)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_DURATION, &|p| {
        int(p.scan.figures.duration_seconds)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_ERRORS, &|p| {
        int(p.scan.figures.errors)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_REPAIRED, &|p| {
        int(p.scan.figures.repaired_bytes)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_PROGRESS, &|p| {
        p.scan.figures.progress_ratio.map(Value::Shortest)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_REMAINING, &|p| {
        int(p.scan.figures.remaining_seconds)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_SCANNED, &|p| {
        int(p.scan.figures.scanned_bytes)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_ISSUED, &|p| {
        int(p.scan.figures.issued_bytes)
    });
    optional_pool_family(out, pools, pool_labels, help::SCAN_TOTAL, &|p| {
        int(p.scan.figures.total_bytes)
    });
}

/// `zpool_data_errors`, and `zpool_pool_status_info` for pools with a message id.
fn render_data_errors(out: &mut String, pools: &[PoolMetrics], pool_labels: &LabelSets) {
    optional_pool_family(out, pools, pool_labels, help::DATA_ERRORS, &|p| {
        p.data_errors.map(Value::Int)
    });
    let mut status_labels = LabelSets::default();
    for pool in pools {
        if let Some(msgid) = &pool.msgid {
            status_labels.push(&[("pool", &pool.name), ("msgid", msgid)]);
        }
    }
    if status_labels.is_empty() {
        return;
    }
    let (name, help) = help::POOL_STATUS_INFO;
    let mut family = Family::start(out, name, help);
    for index in 0..status_labels.len() {
        family.sample(status_labels.get(index), Value::Int(1));
    }
}

/// A family with one sample per pool that has a value; not written at all
/// when no pool has one.
fn optional_pool_family(
    out: &mut String,
    pools: &[PoolMetrics],
    pool_labels: &LabelSets,
    (name, help): (&str, &str),
    value: &dyn Fn(&PoolMetrics) -> Option<Value>,
) {
    let Some(first) = pools.iter().position(|pool| value(pool).is_some()) else {
        return;
    };
    let mut family = Family::start(out, name, help);
    for (index, pool) in pools.iter().enumerate().skip(first) {
        if let Some(value) = value(pool) {
            family.sample(pool_labels.get(index), value);
        }
    }
}

/// Unix seconds of a date, as a sample value; none before 1970.
fn timestamp(time: Option<Timestamp>) -> Option<Value> {
    time.and_then(|time| u64::try_from(time.as_second()).ok())
        .map(Value::Int)
}

/// Label sets such as `{pool="tank",dev="mirror-0"}`, escaped, stored end
/// to end, each followed by the space that separates it from a value.
#[derive(Debug, Default)]
pub struct LabelSets {
    text: String,
    /// Where each set (and its space) ends in `text`.
    ends: Vec<usize>,
}

/// One escaped label set from [`LabelSets`] and its space: the only thing
/// [`Family::sample`] takes.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a>(&'a str);

impl LabelSets {
    /// Room for `sets` label sets of `text` bytes in all.
    #[must_use]
    pub fn with_capacity(sets: usize, text: usize) -> Self {
        Self {
            text: String::with_capacity(text),
            ends: Vec::with_capacity(sets),
        }
    }

    /// Adds a label set; `labels` are name and unescaped value pairs.
    pub fn push(&mut self, labels: &[(&str, &str)]) {
        if !labels.is_empty() {
            write_labels(&mut self.text, '{', labels);
            self.text.push('}');
        }
        self.text.push(' ');
        self.ends.push(self.text.len());
    }

    /// Adds one label set per item of `values`: the labels `shared`, then
    /// `label` with that value. `shared` is escaped once, not once per set.
    ///
    /// Returns whether the values are surely pairwise distinct, from their
    /// hashes (see [`DistinctCheck`]), computed on the pass that escapes them.
    pub fn push_each<'v>(
        &mut self,
        shared: &[(&str, &str)],
        label: &str,
        values: impl ExactSizeIterator<Item = &'v str>,
        check: &mut DistinctCheck,
    ) -> bool {
        check.start(values.len());
        let mut prefix = String::new();
        write_labels(&mut prefix, '{', shared);
        prefix.push(if shared.is_empty() { '{' } else { ',' });
        prefix.push_str(label);
        prefix.push_str("=\"");
        let mut distinct = true;
        for value in values {
            self.text.push_str(&prefix);
            distinct &= check.insert(escape_and_hash(&mut self.text, value));
            self.text.push_str("\"} ");
            self.ends.push(self.text.len());
        }
        distinct
    }

    /// The label set added `index`-th; empty if there is none.
    #[must_use]
    pub fn get(&self, index: usize) -> Labels<'_> {
        let start = match index {
            0 => 0,
            _ => self.ends.get(index - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(index).copied().unwrap_or(start);
        Labels(self.text.get(start..end).unwrap_or(" "))
    }

    /// Every label set, in the order they were added (one pass, no lookups).
    pub fn each(&self) -> impl Iterator<Item = Labels<'_>> {
        let mut start = 0;
        let mut rest = self.text.as_str();
        self.ends.iter().map(move |&end| {
            // Cut from the front of the rest: one boundary check, no bounds.
            let (labels, after) = rest.split_at_checked(end - start).unwrap_or((" ", ""));
            (start, rest) = (end, after);
            Labels(labels)
        })
    }

    /// Every label set's text, in the order they were added.
    #[must_use]
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        (0..self.len()).map(|index| {
            let text = self.get(index).0;
            text.strip_suffix(' ').unwrap_or(text)
        })
    }

    /// How many label sets there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Appends `first` then `name="value"` pairs separated by commas.
fn write_labels(text: &mut String, first: char, labels: &[(&str, &str)]) {
    for (i, (label, value)) in labels.iter().enumerate() {
        text.push(if i == 0 { first } else { ',' });
        text.push_str(label);
        text.push_str("=\"");
        escape_label_value(text, value);
        text.push('"');
    }
}

/// Checks that `strings` (the varying label of a list of series) are
/// pairwise distinct: cheaply, and exactly only when that is unsure.
///
/// This keeps every series of a family unique: each family writes each
/// pool's, and each device's, label set at most once, and escaping is one
/// to one, so distinct pool names make the `pool` label sets distinct, and
/// with them distinct paths within each pool make the `dev` label sets
/// distinct (the same holds for `pool` + `msgid`). The parser renames
/// repeats, so a failure here is a bug: a debug assertion (tests), an error
/// in the log otherwise.
fn check_distinct<'a>(
    check: &mut DistinctCheck,
    kind: &str,
    strings: impl ExactSizeIterator<Item = &'a str> + Clone,
) {
    if !check.surely_distinct(strings.clone()) {
        report_repeats(kind, strings);
    }
}

/// The exact check of [`check_distinct`], once hashes found two strings
/// that may be equal: reports each repeat.
fn report_repeats<'a>(kind: &str, strings: impl Iterator<Item = &'a str>) {
    let mut seen = std::collections::HashSet::new();
    for string in strings {
        if !seen.insert(string) {
            log::error!(
                "two {kind} series have the same label {string:?}: Prometheus keeps only one"
            );
            debug_assert!(false, "two {kind} series have the same labels ({string:?})");
        }
    }
}

/// A sample value.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// Written as digits.
    Int(u64),
    /// Written as an integer when whole, else with 6 decimals.
    Float(f64),
    /// Written as the shortest decimal that reads back as the same number
    /// (`0.1035`, `1`, `0`).
    Shortest(f64),
}

/// One metric family being written: HELP and TYPE are already out.
pub struct Family<'a> {
    out: &'a mut String,
    name: &'a str,
}

impl<'a> Family<'a> {
    /// Writes the `# HELP` and `# TYPE ... gauge` lines of a family.
    ///
    /// Inlined, so that where `name` is a constant the compiler sees it in
    /// every sample line (and copies it without a call).
    #[inline]
    pub fn start(out: &'a mut String, name: &'a str, help: &str) -> Self {
        write_family_header(out, name, help);
        Self { out, name }
    }

    /// Makes room for one sample per set of `labels` with a one-digit
    /// value, so that writing them does not grow the text piece by piece.
    pub fn reserve(&mut self, labels: &LabelSets) {
        self.out
            .reserve(labels.text.len() + labels.len() * (self.name.len() + 2));
    }

    /// Writes one sample.
    pub fn sample(&mut self, labels: Labels<'_>, value: Value) {
        match value {
            Value::Int(int) => self.int_sample(labels, int),
            value => {
                self.out.push_str(self.name);
                // The labels end with the space before the value.
                self.out.push_str(labels.0);
                write_value(self.out, value);
                self.out.push('\n');
            }
        }
    }

    /// Writes one sample with a whole value: the hot path of the device
    /// families, so always inlined (a call per sample costs a third more).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn int_sample(&mut self, labels: Labels<'_>, value: u64) {
        self.out.push_str(self.name);
        self.out.push_str(labels.0);
        if value < 100 {
            // Most values (state codes, zero counters) are below 100.
            push_below_100(self.out, value);
        } else {
            push_u64(self.out, value);
        }
        self.out.push('\n');
    }
}

/// The `# HELP` and `# TYPE ... gauge` lines of family `name`.
fn write_family_header(out: &mut String, name: &str, help: &str) {
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    escape_help(out, help);
    out.push_str("\n# TYPE ");
    out.push_str(name);
    out.push_str(" gauge\n");
}

fn write_value(out: &mut String, value: Value) {
    match value {
        Value::Int(int) => push_u64(out, int),
        Value::Float(float) | Value::Shortest(float) if float.is_nan() => out.push_str("NaN"),
        Value::Float(float) | Value::Shortest(float) if float.is_infinite() => {
            out.push_str(if float > 0.0 { "+Inf" } else { "-Inf" });
        }
        Value::Shortest(float) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "{float}");
        }
        Value::Float(float) if float.fract() == 0.0 && float.abs() < 1e15 => {
            if float.is_sign_positive() {
                // Whole, not negative, below 2^53: the cast is exact, and
                // its digits are what `{:.0}` writes.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                push_u64(out, float as u64);
            } else {
                // Writing to a String cannot fail.
                let _ = write!(out, "{float:.0}");
            }
        }
        Value::Float(float) => {
            let _ = write!(out, "{float:.6}");
        }
    }
}

/// Appends the decimal digits of `value` (faster than `write!` on the hot path).
fn push_u64(out: &mut String, mut value: u64) {
    if value < 10 {
        // Most values (state codes, zero counters) are one digit.
        push_digit(out, value);
        return;
    }
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 {
        start -= 1;
        // Below 10: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (value % 10) as u8;
        digits[start] = b'0' + digit;
        value /= 10;
    }
    // ASCII digits are always UTF-8.
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or("?"));
}

/// Appends the one digit of `value` (below 10).
fn push_digit(out: &mut String, value: u64) {
    out.push(digit_char(value));
}

/// Appends the one or two digits of `value` (below 100); inlined into the
/// hot path of [`Family::int_sample`].
#[allow(clippy::inline_always)]
#[inline(always)]
fn push_below_100(out: &mut String, value: u64) {
    if value < 10 {
        out.push(digit_char(value));
    } else {
        out.push(digit_char(value / 10));
        out.push(digit_char(value % 10));
    }
}

/// The decimal digit of `value` (below 10; a larger value gives a wrong character).
fn digit_char(value: u64) -> char {
    // The value is below 10, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    char::from(b'0' + value as u8)
}

/// Appends a label value escaped as the text format requires:
/// `\` as `\\`, `"` as `\"`, line feed as `\n`; nothing else changes.
pub fn escape_label_value(out: &mut String, value: &str) {
    if !needs_escape(value.as_bytes()) {
        out.push_str(value);
        return;
    }
    escape_each_char(out, value);
}

/// [`escape_label_value`] character by character.
fn escape_each_char(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// [`escape_label_value`], also giving the [`WordHash`] of `value`: one
/// pass over its words finds both whether it needs escaping and its hash.
fn escape_and_hash(out: &mut String, value: &str) -> u64 {
    let mut hash = WordHash::new(value.len());
    let mut maybe_special = 0;
    crate::swar::for_each_word(value.as_bytes(), |word, real| {
        hash = hash.mix(word);
        // Line feed and `"` are below `#`: bytes below `#` or equal to `\`
        // are a superset of those to escape, quicker to find than exactly them.
        maybe_special |= crate::swar::flag_below_or_equal(word, b'#', b'\\') & real;
    });
    if maybe_special == 0 {
        out.push_str(value);
    } else {
        escape_label_value(out, value);
    }
    hash.finish()
}

/// Whether `bytes` hold a `\\`, `"` or line feed: eight bytes at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    crate::swar::contains_any3(bytes, b'\\', b'"', b'\n')
}

/// Appends a HELP text escaped as the text format requires (`\` and line feed).
fn escape_help(out: &mut String, help: &str) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DevState, ErrorState, PoolState, ScanState, StatusDesc};

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape_label_value(&mut out, value);
        out
    }

    /// Reverses [`escape_label_value`], as a Prometheus parser would.
    fn unescape(escaped: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = escaped.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next()? {
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'n' => out.push('\n'),
                    _ => return None,
                },
                '"' | '\n' => return None,
                c => out.push(c),
            }
        }
        Some(out)
    }

    #[test]
    fn finds_special_bytes_at_every_position() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(!needs_escape(plain.as_bytes()));
            for at in 0..len {
                for special in [b'\\', b'"', b'\n'] {
                    let mut bytes = plain.clone().into_bytes();
                    bytes[at] = special;
                    assert!(needs_escape(&bytes), "{bytes:?}");
                }
            }
        }
        // Bytes one off the special ones, and high bytes, are plain.
        assert!(!needs_escape("[]#!\t\x0b\u{ff}é€🦀 abcdefgh".as_bytes()));
    }

    #[test]
    fn escapes_exactly_three_characters() {
        assert_eq!(escaped(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escaped("a\nb\tc\rd é"), "a\\nb\tc\rd é");
    }

    #[test]
    fn escaping_round_trips_for_generated_strings() {
        // A small deterministic generator over an alphabet of awkward characters.
        let alphabet = [
            'a', '\\', '"', '\n', ' ', '\t', 'é', '}', '{', ',', '=', 'n',
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..5000 {
            let mut s = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut bits = seed;
            for _ in 0..(bits % 12) {
                bits = bits.rotate_right(5);
                #[allow(clippy::cast_possible_truncation)]
                s.push(alphabet[(bits % alphabet.len() as u64) as usize]);
            }
            let out = escaped(&s);
            let mut hashed = String::new();
            escape_and_hash(&mut hashed, &s);
            assert_eq!(hashed, out);
            assert!(!out.contains('\n'), "{out:?}");
            assert_eq!(unescape(&out).as_deref(), Some(s.as_str()), "{s:?}");
        }
    }

    #[test]
    fn help_texts_list_every_value_in_order() {
        fn listing<T: Copy>(all: &[T], name: fn(T) -> &'static str, value: fn(T) -> u32) -> String {
            all.iter()
                .map(|v| format!("{} = {}", name(*v), value(*v)))
                .collect::<Vec<_>>()
                .join(", ")
        }
        assert!(help::POOL_STATE.1.ends_with(&listing(
            PoolState::ALL,
            PoolState::name,
            PoolState::value
        )));
        assert!(help::POOL_STATUS_DESC.1.ends_with(&listing(
            StatusDesc::ALL,
            StatusDesc::name,
            StatusDesc::value
        )));
        assert!(help::SCAN_STATE.1.ends_with(&listing(
            ScanState::ALL,
            ScanState::name,
            ScanState::value
        )));
        assert!(help::ERROR_STATE.1.ends_with(&listing(
            ErrorState::ALL,
            ErrorState::name,
            ErrorState::value
        )));
        assert!(help::DEV_STATE.1.ends_with(&listing(
            DevState::ALL,
            DevState::name,
            DevState::value
        )));
    }

    #[test]
    fn values_are_whole_or_six_decimals() {
        let mut out = String::new();
        write_value(&mut out, Value::Float(876_000.0));
        for whole in [0.0, -0.0, -3.0, 999_999_999_999_999.0, 1e15, 12.0] {
            let mut one = String::new();
            write_value(&mut one, Value::Float(whole));
            let expected = if whole < 1e15 {
                format!("{whole:.0}")
            } else {
                format!("{whole:.6}")
            };
            assert_eq!(one, expected, "{whole}");
        }
        out.push(' ');
        write_value(&mut out, Value::Float(1.5));
        out.push(' ');
        write_value(&mut out, Value::Float(-0.25));
        out.push(' ');
        write_value(&mut out, Value::Int(u64::MAX));
        for int in [0, 9, 10, 100, 1_234_567] {
            out.push(' ');
            write_value(&mut out, Value::Int(int));
        }
        assert_eq!(
            out,
            "876000 1.500000 -0.250000 18446744073709551615 0 9 10 100 1234567"
        );
    }

    #[test]
    fn shared_labels_are_escaped_once_and_written_alike() {
        let mut each = LabelSets::default();
        let check = &mut DistinctCheck::default();
        let paths = ["a", "b\\", ""].into_iter();
        assert!(each.push_each(&[("pool", "t\"a")], "dev", paths, check));
        assert!(each.push_each(&[("pool", "u")], "dev", std::iter::empty(), check));
        assert!(each.push_each(&[], "dev", ["x"].into_iter(), check));
        let mut one_by_one = LabelSets::default();
        for dev in ["a", "b\\", ""] {
            one_by_one.push(&[("pool", "t\"a"), ("dev", dev)]);
        }
        one_by_one.push(&[("dev", "x")]);
        assert_eq!(
            each.iter().collect::<Vec<_>>(),
            one_by_one.iter().collect::<Vec<_>>()
        );
        assert_eq!(each.get(0).0, r#"{pool="t\"a",dev="a"} "#);
        assert_eq!(each.get(1).0, r#"{pool="t\"a",dev="b\\"} "#);
        let all: Vec<_> = each.each().map(|labels| labels.0).collect();
        assert_eq!(all[3], r#"{dev="x"} "#);
        assert_eq!(all.len(), each.len());
    }

    #[test]
    fn values_that_may_repeat_are_told() {
        let mut sets = LabelSets::default();
        let check = &mut DistinctCheck::default();
        assert!(!sets.push_each(&[], "dev", ["x", "y", "x"].into_iter(), check));
        assert!(sets.push_each(&[], "dev", ["x", "y"].into_iter(), check));
    }

    fn pool(name: &str, paths: &[&str]) -> PoolMetrics {
        let mut pool = crate::parse::parse(
            &format!("  pool: {name}\n state: ONLINE\n"),
            &jiff::Zoned::now(),
        )
        .remove(0);
        pool.name = name.to_owned();
        pool.devices = paths
            .iter()
            .map(|&path| DevMetrics {
                path: path.into(),
                state: DevState::Online,
                errors: None,
            })
            .collect();
        pool
    }

    #[test]
    fn distinct_pools_and_paths_pass() {
        let out = render(&[pool("a", &["x", "x#2"]), pool("b", &["x", "y"])]);
        assert!(out.contains("zpool_dev_state{pool=\"b\",dev=\"y\"} 10\n"));
    }

    #[test]
    #[should_panic(expected = "same labels")]
    fn a_repeated_pool_fails_a_debug_build() {
        let _ = render(&[pool("a", &[]), pool("a", &[])]);
    }

    #[test]
    #[should_panic(expected = "same labels")]
    fn a_repeated_path_fails_a_debug_build() {
        let _ = render(&[pool("a", &["x"]), pool("b", &["x", "y", "x"])]);
    }

    #[test]
    fn shortest_values_round_trip() {
        for (value, text) in [
            (0.1035, "0.1035"),
            (1.0, "1"),
            (0.0, "0"),
            (1.0033, "1.0033"),
            (0.0014, "0.0014"),
            (1e-7, "0.0000001"),
        ] {
            let mut out = String::new();
            write_value(&mut out, Value::Shortest(value));
            assert_eq!(out, text);
            assert_eq!(out.parse::<f64>().ok(), Some(value));
        }
    }

    #[test]
    fn no_pools_is_one_comment_line() {
        assert_eq!(render(&[]), "# no pools reported\n");
    }
}
