//! Renders the status page at `/`: every pool's health on one screen.
//!
//! A pure function ([`render_page`]) of a small view ([`Page`]) filled from
//! the same model as `/metrics` ([`PoolView::from_model`]), so the page can
//! never disagree with the metrics. Plain HTML with inline CSS: no
//! JavaScript, no external assets. Every text from `zpool` is escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use jiff::{Timestamp, Zoned};

use crate::model::{
    DevMetrics, DevState, ErrorState, PoolCapacity, PoolMetrics, PoolState, ScanState, StatusDesc,
};
use crate::parse::ROOT_DEV;
use crate::scrape::{PoolHealth, Scrape};

/// Where the OpenZFS documentation of a message id lives (the id is appended).
pub const MSG_DOCS: &str = "https://openzfs.github.io/openzfs-docs/msg/";

/// Seconds between the page's automatic reloads.
pub const REFRESH_SECS: u32 = 60;

/// Everything the page shows about one scrape.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The host the exporter runs on.
    pub host: &'a str,
    /// The exporter's version.
    pub version: &'a str,
    /// When the reading was taken (its time zone is used for every date shown).
    pub read_at: &'a Zoned,
    /// Why `zpool status` gave no usable output, when it failed.
    pub failure: Option<&'a str>,
    /// The pools, in `zpool status` order.
    pub pools: Vec<PoolView<'a>>,
}

/// What the page shows about one pool.
#[derive(Debug, Clone)]
pub struct PoolView<'a> {
    /// The pool's name, as `zpool` printed it.
    pub name: &'a str,
    /// From the `state:` line (or from wherever the state was read).
    pub state: PoolState,
    /// What `zpool status` says beyond the state; `None` when only the
    /// state is known (read from elsewhere because `zpool status` failed).
    pub details: Option<Details<'a>>,
    /// Size and allocation, when capacity was collected.
    pub capacity: Option<Capacity>,
}

/// What `zpool status` says about a pool beyond its state.
#[derive(Debug, Clone)]
pub struct Details<'a> {
    /// From the `status:` paragraph.
    pub status: StatusDesc,
    /// The message id of the `see:` line (`ZFS-8000-9P`), when known.
    pub msgid: Option<&'a str>,
    /// The pool's chosen scan.
    pub scan: ScanView,
    /// From the `errors:` line(s).
    pub errors: ErrorState,
    /// The number of data errors, when the text gives it.
    pub data_errors: Option<u64>,
    /// Device table rows, in table order.
    pub devices: &'a [DevMetrics],
}

/// What the page shows about a pool's scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanView {
    /// Kind and state.
    pub state: ScanState,
    /// End of a finished or canceled scan, start of a running or paused one.
    pub time: Option<Timestamp>,
    /// Fraction done (0.42 for 42 %), for a running or paused scan.
    pub progress: Option<f64>,
    /// Seconds to go, for a running scan with an estimate.
    pub remaining_secs: Option<u64>,
    /// The `with N errors` of a finished scan.
    pub errors: Option<u64>,
}

/// A pool's size and how much of it is allocated, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// `zpool list`'s `size`.
    pub size: u64,
    /// `zpool list`'s `allocated`.
    pub allocated: u64,
}

impl<'a> PoolView<'a> {
    /// The view of one pool of the model, with what the model knows.
    #[must_use]
    pub fn from_model(pool: &'a PoolMetrics) -> Self {
        Self {
            name: &pool.name,
            state: pool.state,
            details: Some(Details {
                status: pool.status,
                msgid: pool.msgid.as_deref(),
                scan: ScanView {
                    state: pool.scan.state,
                    time: pool.scan.time,
                    progress: pool.scan.figures.progress_ratio,
                    remaining_secs: pool.scan.figures.remaining_seconds,
                    errors: pool.scan.figures.errors,
                },
                errors: pool.errors,
                data_errors: pool.data_errors,
                devices: &pool.devices,
            }),
            capacity: None,
        }
    }

    /// The view of a pool of which only the name and state are known.
    #[must_use]
    pub fn state_only(name: &'a str, state: PoolState) -> Self {
        Self {
            name,
            state,
            details: None,
            capacity: None,
        }
    }

    /// The device rows, if known.
    #[must_use]
    pub fn devices(&self) -> &'a [DevMetrics] {
        self.details.as_ref().map_or(&[], |d| d.devices)
    }
}

/// The views of every pool of the model.
#[must_use]
pub fn pool_views(pools: &[PoolMetrics]) -> Vec<PoolView<'_>> {
    pools.iter().map(PoolView::from_model).collect()
}

/// What the page shows of one scrape: why `zpool status` failed, if it did,
/// and every pool, with its capacity where `zpool list` gave it.
#[must_use]
pub fn scrape_views(scrape: &Scrape) -> (Option<&str>, Vec<PoolView<'_>>) {
    match &scrape.health {
        PoolHealth::Status(pools) => {
            let capacities: HashMap<&str, Capacity> = scrape
                .capacity
                .iter()
                .flatten()
                .filter_map(|c| Some((c.name.as_str(), Capacity::from_list(c)?)))
                .collect();
            let views = pools
                .iter()
                .map(|pool| PoolView {
                    capacity: capacities.get(pool.name.as_str()).copied(),
                    ..PoolView::from_model(pool)
                })
                .collect();
            (None, views)
        }
        PoolHealth::Kstat { pools, cause } => {
            let views = pools
                .iter()
                .map(|pool| PoolView::state_only(&pool.name, pool.state))
                .collect();
            (Some(cause.as_str()), views)
        }
    }
}

impl Capacity {
    /// Size and allocation from a `zpool list` line, when it gives both.
    #[must_use]
    pub fn from_list(line: &PoolCapacity) -> Option<Self> {
        Some(Self {
            size: line.size_bytes?,
            allocated: line.allocated_bytes?,
        })
    }
}

/// Whether a device row needs an admin's attention: a state other than
/// ONLINE or AVAIL, or a non-zero READ, WRITE or CKSUM counter.
#[must_use]
pub fn needs_attention(dev: &DevMetrics) -> bool {
    let unhealthy = !matches!(dev.state, DevState::Online | DevState::Avail);
    let counted = dev
        .errors
        .is_some_and(|e| e.read != 0 || e.write != 0 || e.checksum != 0);
    unhealthy || counted
}

/// How many rows are leaves (disks, files, spares, cache and log devices):
/// rows whose next row is not their child.
#[must_use]
pub fn leaf_count(devices: &[DevMetrics]) -> usize {
    devices
        .iter()
        .enumerate()
        .filter(|(i, dev)| {
            dev.path != ROOT_DEV
                && devices
                    .get(i + 1)
                    .is_none_or(|next| !is_child_path(&next.path, &dev.path))
        })
        .count()
}

fn is_child_path(path: &str, parent: &str) -> bool {
    path.strip_prefix(parent)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The whole page.
#[must_use]
pub fn render_page(page: &Page<'_>) -> String {
    let attention_rows: usize = page
        .pools
        .iter()
        .map(|p| p.devices().iter().filter(|d| needs_attention(d)).count())
        .sum();
    let mut out = String::with_capacity(4096 + page.pools.len() * 900 + attention_rows * 300);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"refresh\" content=\"{REFRESH_SECS}\">"
    );
    out.push_str("<title>ZFS pools on ");
    escape(&mut out, page.host);
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    header(&mut out, page);
    out.push_str("<main>\n");
    if let Some(failure) = page.failure {
        out.push_str(
            "<section class=\"failure\" role=\"alert\">\n<h2>zpool status failed</h2>\n<p>",
        );
        escape(&mut out, failure);
        out.push_str(
            "</p>\n<p>The pools below are what this reading still knows.</p>\n</section>\n",
        );
    }
    summary(&mut out, page);
    for (index, pool) in page.pools.iter().enumerate() {
        pool_block(&mut out, pool, index, page.read_at);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

const STYLE: &str = "\
:root{color-scheme:light dark;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--unknown:#6e7781}\
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:0 1rem 2rem;line-height:1.4}\
header{border-bottom:1px solid #8884;padding:.5rem 0}\
header h1{font-size:1.4rem;margin:.3rem 0}\
header p,.summary{margin:.2rem 0;color:#666}\
section.pool{border:1px solid #8886;border-left:.5rem solid var(--unknown);border-radius:.4rem;margin:1rem 0;padding:.3rem 1rem .8rem}\
section.pool.ok{border-left-color:var(--ok)}section.pool.warn{border-left-color:var(--warn)}section.pool.bad{border-left-color:var(--bad)}\
h2{font-size:1.2rem;margin:.5rem 0;overflow-wrap:anywhere}\
.badge{display:inline-block;border-radius:.3rem;padding:0 .45rem;font-size:.85rem;font-weight:700;color:#fff;background:var(--unknown);vertical-align:middle;white-space:nowrap}\
.badge.ok{background:var(--ok)}.badge.warn{background:var(--warn)}.badge.bad{background:var(--bad)}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}\
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}dd a{white-space:nowrap}\
.alarm{color:var(--bad);font-weight:600}\
meter{width:12rem;max-width:100%;height:1rem;vertical-align:middle}\
.table{overflow-x:auto}\
table{border-collapse:collapse;width:100%;font-size:.9rem}\
caption{text-align:left;font-weight:600;padding:.3rem 0}\
th,td{border-bottom:1px solid #8884;padding:.2rem .4rem;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
td code{overflow-wrap:anywhere}\
.healthy{color:var(--ok);margin:.3rem 0}\
.failure{border:2px solid var(--bad);border-radius:.4rem;padding:.2rem 1rem;margin:1rem 0}\
@media (max-width:40rem){body{padding:0 .5rem 1rem}section.pool{padding:.2rem .6rem .6rem}\
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}\
tbody,tr,td{display:block}tr{display:flex;flex-wrap:wrap;gap:.1rem .9rem;border-bottom:1px solid #8884;padding:.3rem 0}\
td{border:0;padding:0}td:first-child{flex-basis:100%}td.n::before{content:attr(data-label) \" \";color:#666}}\
";

fn header(out: &mut String, page: &Page<'_>) {
    out.push_str("<header>\n<h1>ZFS pools on ");
    escape(out, page.host);
    out.push_str("</h1>\n<p>zpool-status-exporter ");
    escape(out, page.version);
    out.push_str(" · read ");
    time_element(out, page.read_at, "%Y-%m-%d %H:%M:%S %Z");
    out.push_str(" · <a href=\"/metrics\">/metrics</a></p>\n</header>\n");
}

fn summary(out: &mut String, page: &Page<'_>) {
    out.push_str("<p class=\"summary\">");
    match page.pools.len() {
        0 if page.failure.is_some() => out.push_str("No pool data in this reading."),
        0 => out.push_str("zpool status reports no pools."),
        count => {
            let _ = write!(out, "{count} {}", plural(count == 1, "pool", "pools"));
            let mut states: Vec<(PoolState, usize)> = Vec::new();
            for pool in &page.pools {
                match states.iter_mut().find(|(s, _)| *s == pool.state) {
                    Some((_, n)) => *n += 1,
                    None => states.push((pool.state, 1)),
                }
            }
            states.sort_by_key(|(state, _)| std::cmp::Reverse(state.value()));
            for (i, (state, n)) in states.iter().enumerate() {
                out.push_str(if i == 0 { ": " } else { ", " });
                let _ = write!(out, "{n} {}", pool_state_word(*state));
            }
            out.push('.');
        }
    }
    out.push_str("</p>\n");
}

fn pool_block(out: &mut String, pool: &PoolView<'_>, index: usize, read_at: &Zoned) {
    let class = pool_state_class(pool.state);
    let _ = write!(
        out,
        "<section class=\"pool {class}\" aria-labelledby=\"pool-{index}\">\n<h2 id=\"pool-{index}\"><span class=\"name\">"
    );
    escape(out, pool.name);
    let _ = writeln!(
        out,
        "</span> <span class=\"badge {class}\">{}</span></h2>",
        pool_state_word(pool.state)
    );
    out.push_str("<dl>\n");
    if let Some(details) = &pool.details {
        details_rows(out, details, read_at);
    }
    if let Some(capacity) = pool.capacity {
        out.push_str("<dt>Capacity</dt><dd>");
        capacity_bar(out, capacity);
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
    match &pool.details {
        Some(details) => devices(out, details.devices),
        None => out.push_str(
            "<p>Only the pool's state is known in this reading: no scan, errors or devices.</p>\n",
        ),
    }
    out.push_str("</section>\n");
}

fn details_rows(out: &mut String, details: &Details<'_>, read_at: &Zoned) {
    if let Some(words) = status_words(details.status) {
        out.push_str("<dt>Status</dt><dd>");
        out.push_str(words);
        if let Some(msgid) = details.msgid {
            out.push_str(" <a href=\"");
            escape(out, MSG_DOCS);
            escape(out, msgid);
            out.push_str("\">");
            escape(out, msgid);
            out.push_str("</a>");
        }
        out.push_str("</dd>\n");
    }
    out.push_str("<dt>Last scan</dt><dd>");
    scan_words(out, &details.scan, read_at);
    out.push_str("</dd>\n<dt>Data errors</dt><dd>");
    data_error_words(out, details.errors, details.data_errors);
    out.push_str("</dd>\n");
}

fn devices(out: &mut String, devices: &[DevMetrics]) {
    let mut rows = devices.iter().filter(|d| needs_attention(d)).peekable();
    if rows.peek().is_none() {
        let leaves = leaf_count(devices);
        out.push_str("<p class=\"healthy\">");
        match leaves {
            0 => out.push_str("No devices listed."),
            1 => out.push_str("The pool's one device is online."),
            n => {
                let _ = write!(out, "All {n} devices online.");
            }
        }
        out.push_str("</p>\n");
        return;
    }
    out.push_str(
        "<div class=\"table\"><table>\n<caption>Devices needing attention</caption>\n\
         <thead><tr><th scope=\"col\">Device</th><th scope=\"col\">State</th>\
         <th scope=\"col\" class=\"n\">Read</th><th scope=\"col\" class=\"n\">Write</th>\
         <th scope=\"col\" class=\"n\">Checksum</th></tr></thead>\n<tbody>\n",
    );
    for dev in rows {
        out.push_str("<tr><td><code>");
        escape(out, &dev.path);
        out.push_str("</code>");
        if dev.path == ROOT_DEV {
            out.push_str(" (the pool itself)");
        }
        let _ = write!(
            out,
            "</td><td><span class=\"badge {}\">{}</span></td>",
            dev_state_class(dev.state),
            dev_state_word(dev.state)
        );
        match dev.errors {
            Some(e) => {
                for (label, count) in [
                    ("Read", e.read),
                    ("Write", e.write),
                    ("Checksum", e.checksum),
                ] {
                    let _ = write!(out, "<td class=\"n\" data-label=\"{label}\">{count}</td>");
                }
            }
            None => {
                out.push_str("<td class=\"n\" colspan=\"3\">no counters</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
}

/// The scan's kind and state in words: `scrub finished 3 days ago`,
/// `scrub running, 42% done, 1 h 20 min to go`, `never`.
fn scan_words(out: &mut String, scan: &ScanView, read_at: &Zoned) {
    let (kind, phrase) = match scan.state {
        ScanState::NeverScanned => {
            out.push_str("never");
            return;
        }
        ScanState::UnknownMissing => {
            out.push_str("not reported");
            return;
        }
        ScanState::Unrecognized => {
            out.push_str("not understood (the exporter's log has the line)");
            return;
        }
        ScanState::ScrubRepaired => ("scrub", "finished"),
        ScanState::Resilvered => ("resilver", "finished"),
        ScanState::ScrubCanceled => ("scrub", "canceled"),
        ScanState::ResilverCanceled => ("resilver", "canceled"),
        ScanState::ScrubInProgress => ("scrub", "running"),
        ScanState::ResilverInProgress => ("resilver", "running"),
        ScanState::ScrubPaused => ("scrub", "paused"),
    };
    let _ = write!(out, "{kind} {phrase}");
    if scan.state.is_in_progress() {
        if let Some(progress) = scan.progress {
            let _ = write!(out, ", {} done", percent(progress));
        }
        if scan.state != ScanState::ScrubPaused {
            match scan.remaining_secs {
                Some(secs) => {
                    let _ = write!(out, ", {} to go", span(secs));
                }
                None if scan.progress.is_some() => out.push_str(", no estimate yet"),
                None => {}
            }
        }
        if let Some(time) = scan.time {
            out.push_str(", started ");
            relative(out, time, read_at);
        }
    } else if let Some(time) = scan.time {
        out.push(' ');
        relative(out, time, read_at);
    }
    match scan.errors {
        Some(0) => out.push_str(", no errors"),
        Some(n) => {
            let _ = write!(
                out,
                ", <span class=\"alarm\">{n} {}</span>",
                plural(n == 1, "error", "errors")
            );
        }
        None => {}
    }
}

fn data_error_words(out: &mut String, errors: ErrorState, count: Option<u64>) {
    match (count, errors) {
        (Some(0), _) | (None, ErrorState::Ok) => out.push_str("none"),
        (Some(n), _) => {
            let _ = write!(
                out,
                "<span class=\"alarm\">{n} {}</span>",
                plural(n == 1, "data error", "data errors")
            );
        }
        (None, ErrorState::DataErrors) => {
            out.push_str("<span class=\"alarm\">yes (zpool status -v lists them)</span>");
        }
        (None, ErrorState::UnknownMissing) => out.push_str("not reported"),
        (None, ErrorState::Unrecognized) => {
            out.push_str("not understood (the exporter's log has the line)");
        }
    }
}

#[allow(clippy::cast_precision_loss)]
fn capacity_bar(out: &mut String, capacity: Capacity) {
    let used = if capacity.size == 0 {
        0.0
    } else {
        capacity.allocated as f64 / capacity.size as f64
    };
    let _ = write!(
        out,
        "<meter min=\"0\" max=\"1\" low=\"0.8\" high=\"0.9\" optimum=\"0\" value=\"{used:.4}\"></meter> \
         {} used: {} of {}",
        percent(used),
        bytes(capacity.allocated),
        bytes(capacity.size)
    );
}

/// A `<time>` element for `at` (to the second: HTML allows at most three
/// decimals), shown with `format`.
fn time_element(out: &mut String, at: &Zoned, format: &str) {
    let whole = Timestamp::from_second(at.timestamp().as_second()).unwrap_or(Timestamp::UNIX_EPOCH);
    let _ = write!(
        out,
        "<time datetime=\"{whole}\">{}</time>",
        at.strftime(format)
    );
}

/// `3 days ago (2026-11-22 04:12)`, in `read_at`'s time zone.
fn relative(out: &mut String, time: Timestamp, read_at: &Zoned) {
    let seconds = read_at.timestamp().as_second() - time.as_second();
    match u64::try_from(seconds) {
        Ok(secs) if secs < 60 => out.push_str("less than a minute ago"),
        Ok(secs) => {
            let _ = write!(out, "{} ago", coarse(secs));
        }
        Err(_) => out.push_str("after this reading (clock skew?)"),
    }
    out.push_str(" (");
    time_element(
        out,
        &time.to_zoned(read_at.time_zone().clone()),
        "%Y-%m-%d %H:%M",
    );
    out.push(')');
}

/// One unit for an age: `5 min`, `7 h`, `3 days`.
fn coarse(secs: u64) -> String {
    match secs {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 48 * 3600 => format!("{} h", s / 3600),
        s => {
            let days = s / 86_400;
            format!("{days} {}", plural(days == 1, "day", "days"))
        }
    }
}

/// Two units for a duration to go: `45 s`, `20 min`, `1 h 20 min`, `2 days 19 h`.
fn span(secs: u64) -> String {
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{minutes} min"),
        s if s < 86_400 => format!("{hours} h {minutes} min"),
        _ => format!("{days} {} {hours} h", plural(days == 1, "day", "days")),
    }
}

/// A ratio as a whole percentage, rounded down so that 99.9 % is not "100%".
fn percent(ratio: f64) -> String {
    format!("{:.0}%", (ratio * 100.0).floor())
}

/// Bytes in binary units with three significant digits: `7.27 TiB`.
#[allow(clippy::cast_precision_loss)]
fn bytes(count: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{count} B"),
        _ if value < 10.0 => format!("{value:.2} {}", UNITS[unit]),
        _ if value < 100.0 => format!("{value:.1} {}", UNITS[unit]),
        _ => format!("{value:.0} {}", UNITS[unit]),
    }
}

fn plural<'w>(is_one: bool, one: &'w str, many: &'w str) -> &'w str {
    if is_one { one } else { many }
}

/// The status paragraph in words, or `None` when there is nothing to say.
#[must_use]
pub fn status_words(status: StatusDesc) -> Option<&'static str> {
    Some(match status {
        StatusDesc::Normal => return None,
        StatusDesc::Unrecognized => {
            "zpool reports a status this exporter does not know (the exporter's log has it)."
        }
        StatusDesc::LegacyFormat => "The pool uses a legacy on-disk format.",
        StatusDesc::NonNativeBlockSize => {
            "Some devices use a block size smaller than their native one (slower)."
        }
        StatusDesc::Errata => "An errata affecting this pool was detected.",
        StatusDesc::FeaturesAvailable => "Some supported features are not enabled on the pool.",
        StatusDesc::CompatibilityMismatch => {
            "The pool's features do not match its compatibility setting."
        }
        StatusDesc::HostidMismatch => "The pool was last used by another system (hostid mismatch).",
        StatusDesc::SufficientReplicasForMissing => {
            "A device is missing or unusable; enough replicas remain, so the pool runs degraded."
        }
        StatusDesc::DeviceRemoved => "A device was removed; enough replicas remain.",
        StatusDesc::DeviceOffline => {
            "A device was taken offline by the administrator; the pool runs degraded."
        }
        StatusDesc::DeviceFaulted => "Devices are faulted; enough replicas remain.",
        StatusDesc::Resilvering => "A device is being resilvered.",
        StatusDesc::ScrubAfterRebuild => {
            "Devices were sequentially resilvered; a scrub is recommended."
        }
        StatusDesc::DeviceErrorsCorrected => {
            "A device had an unrecoverable error; ZFS corrected it and applications are unaffected."
        }
        StatusDesc::DataCorruption => "An error resulted in data corruption: files may be damaged.",
        StatusDesc::InsufficientReplicas => {
            "Devices are missing or faulted and too few replicas remain: the pool cannot be used."
        }
        StatusDesc::MetadataCorrupted => "The pool's metadata is corrupted.",
        StatusDesc::IoFailure => "The pool is suspended or faulted after I/O failures.",
        StatusDesc::BadIntentLog => "An intent log record could not be read.",
        StatusDesc::UnsupportedVersion => {
            "The pool uses an on-disk version or features this system cannot use."
        }
    })
}

/// The word `zpool` prints for a pool state.
#[must_use]
pub fn pool_state_word(state: PoolState) -> &'static str {
    match state {
        PoolState::UnknownMissing => "UNKNOWN",
        PoolState::Unrecognized => "UNRECOGNIZED",
        PoolState::Online => "ONLINE",
        PoolState::Offline => "OFFLINE",
        PoolState::Split => "SPLIT",
        PoolState::Degraded => "DEGRADED",
        PoolState::Faulted => "FAULTED",
        PoolState::Suspended => "SUSPENDED",
        PoolState::Removed => "REMOVED",
        PoolState::Unavail => "UNAVAIL",
    }
}

/// The word `zpool` prints for a device state.
#[must_use]
pub fn dev_state_word(state: DevState) -> &'static str {
    match state {
        DevState::UnknownMissing => "UNKNOWN",
        DevState::Unrecognized => "UNRECOGNIZED",
        DevState::Online => "ONLINE",
        DevState::Avail => "AVAIL",
        DevState::Offline => "OFFLINE",
        DevState::Split => "SPLIT",
        DevState::InUse => "INUSE",
        DevState::Degraded => "DEGRADED",
        DevState::Faulted => "FAULTED",
        DevState::Suspended => "SUSPENDED",
        DevState::Removed => "REMOVED",
        DevState::Unavail => "UNAVAIL",
    }
}

fn pool_state_class(state: PoolState) -> &'static str {
    match state {
        PoolState::Online => "ok",
        PoolState::Degraded | PoolState::Offline | PoolState::Split => "warn",
        PoolState::Faulted | PoolState::Suspended | PoolState::Removed | PoolState::Unavail => {
            "bad"
        }
        PoolState::UnknownMissing | PoolState::Unrecognized => "unknown",
    }
}

fn dev_state_class(state: DevState) -> &'static str {
    match state {
        DevState::Online | DevState::Avail => "ok",
        DevState::Degraded | DevState::Offline | DevState::Split | DevState::InUse => "warn",
        DevState::Faulted | DevState::Suspended | DevState::Removed | DevState::Unavail => "bad",
        DevState::UnknownMissing | DevState::Unrecognized => "unknown",
    }
}

/// Appends `text` escaped for HTML text and quoted attribute values.
pub fn escape(out: &mut String, text: &str) {
    if !text
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::DevErrors;

    fn read_at() -> Zoned {
        "2026-11-25T10:00:00+00:00[UTC]".parse().unwrap()
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn dev(path: &str, state: DevState, counts: Option<(u64, u64, u64)>) -> DevMetrics {
        DevMetrics {
            path: path.into(),
            state,
            errors: counts.map(|(read, write, checksum)| DevErrors {
                read,
                write,
                checksum,
            }),
        }
    }

    fn healthy_devices() -> Vec<DevMetrics> {
        let ok = Some((0, 0, 0));
        vec![
            dev(ROOT_DEV, DevState::Online, ok),
            dev("mirror-0", DevState::Online, ok),
            dev("mirror-0/sda", DevState::Online, ok),
            dev("mirror-0/sdb", DevState::Online, ok),
            dev("spares/sdc", DevState::Avail, None),
        ]
    }

    fn details(devices: &[DevMetrics]) -> Details<'_> {
        Details {
            status: StatusDesc::Normal,
            msgid: None,
            scan: ScanView {
                state: ScanState::NeverScanned,
                time: None,
                progress: None,
                remaining_secs: None,
                errors: None,
            },
            errors: ErrorState::Ok,
            data_errors: None,
            devices,
        }
    }

    fn pool<'a>(name: &'a str, devices: &'a [DevMetrics]) -> PoolView<'a> {
        PoolView {
            name,
            state: PoolState::Online,
            details: Some(details(devices)),
            capacity: None,
        }
    }

    fn page<'a>(at: &'a Zoned, pools: Vec<PoolView<'a>>) -> String {
        render_page(&Page {
            host: "nas",
            version: "0.1.0",
            read_at: at,
            failure: None,
            pools,
        })
    }

    /// The names of every tag in `html`, in order (`/p` for a closing tag).
    fn tags(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!')
                    .collect()
            })
            .collect()
    }

    const ALLOWED_TAGS: &[&str] = &[
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p",
        "a", "time", "main", "section", "span", "dl", "dt", "dd", "meter", "div", "table",
        "caption", "thead", "tbody", "tr", "th", "td", "code",
    ];

    fn assert_only_our_tags(html: &str) {
        for tag in tags(html) {
            let name = tag.trim_start_matches('/');
            assert!(
                ALLOWED_TAGS.contains(&name),
                "unexpected tag <{tag}> in {html}"
            );
        }
    }

    #[test]
    fn hostile_names_are_escaped() {
        let hostile_dev = "mirror-0/<img src=x onerror=alert(1)>";
        let devices = vec![
            dev(ROOT_DEV, DevState::Degraded, Some((0, 0, 0))),
            dev(hostile_dev, DevState::Faulted, Some((1, 2, 3))),
        ];
        let at = read_at();
        let html = render_page(&Page {
            host: "<b>host</b>",
            version: "0.1.0",
            read_at: &at,
            failure: Some("`zpool` said <script>x</script> & \"left\""),
            pools: vec![
                pool("<script>alert('x')</script>", &devices),
                pool("a&b \"quoted\" 'single'", &devices),
            ],
        });
        assert_only_our_tags(&html);
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("a&amp;b &quot;quoted&quot; &#39;single&#39;"));
        assert!(html.contains("mirror-0/&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("ZFS pools on &lt;b&gt;host&lt;/b&gt;"));
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt; &amp; &quot;left&quot;"));
    }

    #[test]
    fn escape_leaves_utf8_and_spaces() {
        let mut out = String::new();
        escape(&mut out, "tänk 🐟 disk with space");
        assert_eq!(out, "tänk 🐟 disk with space");
    }

    fn scan_text(scan: ScanView) -> String {
        let mut out = String::new();
        scan_words(&mut out, &scan, &read_at());
        out
    }

    fn scan(state: ScanState, time: Option<&str>) -> ScanView {
        ScanView {
            state,
            time: time.map(ts),
            progress: None,
            remaining_secs: None,
            errors: None,
        }
    }

    #[test]
    fn scan_wording_for_each_state() {
        let three_days = Some("2026-11-22T04:12:24Z");
        let finished = "scrub finished 3 days ago (<time datetime=\"2026-11-22T04:12:24Z\">2026-11-22 04:12</time>)";
        assert_eq!(
            scan_text(scan(ScanState::ScrubRepaired, three_days)),
            finished
        );
        assert!(
            scan_text(scan(ScanState::Resilvered, Some("2026-11-25T07:59:00Z")))
                .starts_with("resilver finished 2 h ago (")
        );
        assert!(
            scan_text(scan(ScanState::ScrubCanceled, Some("2026-11-25T09:35:00Z")))
                .starts_with("scrub canceled 25 min ago (")
        );
        assert!(
            scan_text(scan(
                ScanState::ResilverCanceled,
                Some("2026-11-24T09:00:00Z")
            ))
            .starts_with("resilver canceled 25 h ago (")
        );
        assert!(
            scan_text(scan(ScanState::ScrubRepaired, Some("2026-11-25T09:59:30Z")))
                .starts_with("scrub finished less than a minute ago (")
        );
        assert!(
            scan_text(scan(ScanState::ScrubRepaired, Some("2026-11-25T11:00:00Z")))
                .starts_with("scrub finished after this reading (clock skew?) (")
        );
        assert_eq!(
            scan_text(scan(ScanState::ScrubRepaired, None)),
            "scrub finished"
        );
        assert_eq!(scan_text(scan(ScanState::NeverScanned, None)), "never");
        assert_eq!(
            scan_text(scan(ScanState::UnknownMissing, None)),
            "not reported"
        );
        assert!(scan_text(scan(ScanState::Unrecognized, None)).starts_with("not understood"));

        let running = ScanView {
            progress: Some(0.4251),
            remaining_secs: Some(4800),
            ..scan(ScanState::ScrubInProgress, Some("2026-11-25T09:00:00Z"))
        };
        assert!(
            scan_text(running)
                .starts_with("scrub running, 42% done, 1 h 20 min to go, started 1 h ago (")
        );
        let no_estimate = ScanView {
            progress: Some(0.0),
            ..scan(ScanState::ResilverInProgress, None)
        };
        assert_eq!(
            scan_text(no_estimate),
            "resilver running, 0% done, no estimate yet"
        );
        let days_to_go = ScanView {
            progress: Some(0.999),
            remaining_secs: Some(2 * 86_400 + 19 * 3600 + 24 * 60 + 49),
            ..scan(ScanState::ResilverInProgress, None)
        };
        assert_eq!(
            scan_text(days_to_go),
            "resilver running, 99% done, 2 days 19 h to go"
        );
        let paused = ScanView {
            progress: Some(0.5),
            remaining_secs: Some(60),
            ..scan(ScanState::ScrubPaused, Some("2026-11-20T10:00:00Z"))
        };
        assert!(scan_text(paused).starts_with("scrub paused, 50% done, started 5 days ago ("));
        // Today's model: no progress figures yet.
        assert!(
            scan_text(scan(
                ScanState::ScrubInProgress,
                Some("2026-11-25T09:50:00Z")
            ))
            .starts_with("scrub running, started 10 min ago (")
        );
    }

    #[test]
    fn durations_and_sizes_in_words() {
        assert_eq!(span(45), "45 s");
        assert_eq!(span(20 * 60 + 59), "20 min");
        assert_eq!(span(86_399), "23 h 59 min");
        assert_eq!(span(86_400 + 3600), "1 day 1 h");
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1023), "1023 B");
        assert_eq!(bytes(1536), "1.50 KiB");
        assert_eq!(bytes(8_000_000_000_000), "7.28 TiB");
        assert_eq!(bytes(u64::MAX), "16.0 EiB");
        assert_eq!(percent(1.035), "103%");
    }

    #[test]
    fn only_devices_needing_attention_are_listed() {
        let devices = vec![
            dev(ROOT_DEV, DevState::Degraded, Some((0, 0, 0))),
            dev("mirror-0", DevState::Degraded, Some((0, 0, 0))),
            dev("mirror-0/healthy-disk", DevState::Online, Some((0, 0, 0))),
            dev("mirror-0/offline-disk", DevState::Offline, Some((0, 0, 0))),
            dev("mirror-1", DevState::Online, Some((0, 0, 0))),
            dev("mirror-1/cksum-disk", DevState::Online, Some((0, 0, 7))),
            dev("mirror-1/read-disk", DevState::Online, Some((2, 0, 0))),
            dev("mirror-1/write-disk", DevState::Online, Some((0, 1, 0))),
            dev("spares/ready-spare", DevState::Avail, None),
            dev("spares/used-spare", DevState::InUse, None),
        ];
        let at = read_at();
        let html = page(&at, vec![pool("tank", &devices)]);
        let listed: Vec<&str> = html
            .split("<tr><td><code>")
            .skip(1)
            .filter_map(|row| row.split("</code>").next())
            .collect();
        assert_eq!(
            listed,
            [
                ROOT_DEV,
                "mirror-0",
                "mirror-0/offline-disk",
                "mirror-1/cksum-disk",
                "mirror-1/read-disk",
                "mirror-1/write-disk",
                "spares/used-spare",
            ]
        );
        assert!(html.contains("<caption>Devices needing attention</caption>"));
        assert!(
            html.contains(
                "<td class=\"n\" data-label=\"Read\">0</td><td class=\"n\" data-label=\"Write\">0</td><td class=\"n\" data-label=\"Checksum\">7</td>"
            )
        );
        assert!(!html.contains("devices online"));
        assert!(html.contains("<code>spares/used-spare</code></td><td><span class=\"badge warn\">INUSE</span></td><td class=\"n\" colspan=\"3\">no counters</td>"));
        assert_only_our_tags(&html);
    }

    #[test]
    fn a_healthy_pool_counts_its_devices() {
        let devices = healthy_devices();
        assert_eq!(leaf_count(&devices), 3);
        let at = read_at();
        let html = page(&at, vec![pool("tank", &devices)]);
        assert!(html.contains("<p class=\"healthy\">All 3 devices online.</p>"));
        assert!(!html.contains("<table"));
        let one = [
            dev(ROOT_DEV, DevState::Online, Some((0, 0, 0))),
            dev("sda", DevState::Online, Some((0, 0, 0))),
        ];
        assert!(page(&at, vec![pool("solo", &one)]).contains("The pool's one device is online."));
    }

    #[test]
    fn pool_block_shows_state_status_msgid_errors_and_capacity() {
        let devices = healthy_devices();
        let at = read_at();
        let degraded = PoolView {
            name: "tank",
            state: PoolState::Degraded,
            details: Some(Details {
                status: StatusDesc::DeviceOffline,
                msgid: Some("ZFS-8000-9P"),
                errors: ErrorState::DataErrors,
                data_errors: Some(5),
                ..details(&devices)
            }),
            capacity: Some(Capacity {
                size: 8 << 40,
                allocated: 7 << 40,
            }),
        };
        let html = page(&at, vec![degraded, pool("backup", &devices)]);
        assert!(html.contains(
            "<h2 id=\"pool-0\"><span class=\"name\">tank</span> <span class=\"badge warn\">DEGRADED</span></h2>"
        ));
        assert!(html.contains("<span class=\"badge ok\">ONLINE</span>"));
        assert!(html.contains("taken offline by the administrator"));
        assert!(html.contains(
            "<a href=\"https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-9P\">ZFS-8000-9P</a>"
        ));
        assert!(html.contains("<span class=\"alarm\">5 data errors</span>"));
        assert!(html.contains("value=\"0.8750\"></meter> 87% used: 7.00 TiB of 8.00 TiB"));
        assert!(html.contains("2 pools: 1 DEGRADED, 1 ONLINE."));
        // The healthy pool has no status, no link and no capacity.
        let backup = html.split("id=\"pool-1\"").nth(1).unwrap();
        assert!(
            !backup.contains("<dt>Status")
                && !backup.contains("<meter")
                && !backup.contains("openzfs-docs")
        );
        assert!(backup.contains("<dt>Data errors</dt><dd>none</dd>"));
    }

    #[test]
    fn data_errors_in_words() {
        let words = |state, count| {
            let mut out = String::new();
            data_error_words(&mut out, state, count);
            out
        };
        assert_eq!(words(ErrorState::Ok, None), "none");
        assert_eq!(words(ErrorState::Ok, Some(0)), "none");
        assert_eq!(
            words(ErrorState::DataErrors, Some(1)),
            "<span class=\"alarm\">1 data error</span>"
        );
        assert!(words(ErrorState::DataErrors, None).contains("yes"));
        assert_eq!(words(ErrorState::UnknownMissing, None), "not reported");
    }

    #[test]
    fn header_has_host_version_time_and_metrics_link() {
        let at: Zoned = "2026-11-25T10:00:00.123456789+00:00[UTC]".parse().unwrap();
        let html = page(&at, Vec::new());
        assert!(html.contains("<title>ZFS pools on nas</title>"));
        assert!(html.contains(
            "<p>zpool-status-exporter 0.1.0 · read <time datetime=\"2026-11-25T10:00:00Z\">2026-11-25 10:00:00 UTC</time> · <a href=\"/metrics\">/metrics</a></p>"
        ));
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"60\">"));
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("zpool status reports no pools."));
        assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"));
    }

    #[test]
    fn a_failed_scrape_says_so() {
        let at = read_at();
        let html = render_page(&Page {
            host: "nas",
            version: "0.1.0",
            read_at: &at,
            failure: Some("`/sbin/zpool status -p` timed out after 8 s and was killed"),
            pools: Vec::new(),
        });
        assert!(html.contains(
            "<section class=\"failure\" role=\"alert\">\n<h2>zpool status failed</h2>\n<p>`/sbin/zpool status -p` timed out after 8 s and was killed</p>"
        ));
        assert!(html.contains("No pool data in this reading."));
        assert!(!html.contains("class=\"pool"));
        assert_only_our_tags(&html);
    }

    #[test]
    fn a_failed_scrape_with_pool_states_from_elsewhere() {
        let at = read_at();
        let html = render_page(&Page {
            host: "nas",
            version: "0.1.0",
            read_at: &at,
            failure: Some(
                "`zpool status -p` not started: the previous run (pid 42) is still alive",
            ),
            pools: vec![
                PoolView::state_only("tank", PoolState::Suspended),
                PoolView::state_only("<b>x</b>", PoolState::Online),
            ],
        });
        assert!(html.contains("<h2>zpool status failed</h2>\n<p>`zpool status -p` not started: the previous run (pid 42) is still alive</p>"));
        assert!(html.contains(
            "<span class=\"name\">tank</span> <span class=\"badge bad\">SUSPENDED</span>"
        ));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert_eq!(html.matches("Only the pool's state is known").count(), 2);
        assert!(!html.contains("Last scan") && !html.contains("devices online"));
        assert!(html.contains("2 pools: 1 SUSPENDED, 1 ONLINE."));
        assert_only_our_tags(&html);
    }

    /// The page of a golden input, read at its `TEST_TIMESTAMP`.
    fn fixture_page(input: &str) -> String {
        let (first, text) = input.split_once('\n').unwrap();
        let seconds: i64 = first
            .strip_prefix("TEST_TIMESTAMP=")
            .unwrap()
            .parse()
            .unwrap();
        let at = Timestamp::from_second(seconds)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC);
        let pools = crate::parse(text, &at);
        render_page(&Page {
            host: "nas",
            version: "0.1.0",
            read_at: &at,
            failure: None,
            pools: pool_views(&pools),
        })
    }

    #[test]
    fn the_model_fills_msgid_data_errors_and_scan_figures() {
        let html = fixture_page(include_str!("../fixtures/vm-2.3-permanent-errors.input"));
        let dpool = html.split("id=\"pool-1\"").next().unwrap();
        assert!(dpool.contains(
            "<a href=\"https://openzfs.github.io/openzfs-docs/msg/ZFS-8000-8A\">ZFS-8000-8A</a>"
        ));
        assert!(
            dpool.contains("<dt>Data errors</dt><dd><span class=\"alarm\">4 data errors</span>")
        );
        assert!(
            dpool.contains(", <span class=\"alarm\">4 errors</span></dd>"),
            "{dpool}"
        );
        let epool = html.split("id=\"pool-1\"").nth(1).unwrap();
        assert!(epool.contains("/msg/ZFS-8000-9P\">ZFS-8000-9P</a>"));
        assert!(epool.contains(", no errors</dd>"));

        let html = fixture_page(include_str!(
            "../fixtures/sample-raidz2-replacing-awaiting-resilver.input"
        ));
        assert!(
            html.contains(
                "<dt>Last scan</dt><dd>resilver running, 38% done, 2 days 19 h to go, started "
            ),
            "{html}"
        );
        let html = fixture_page(include_str!("../fixtures/vm-2.3-scrub-in-progress.input"));
        assert!(
            html.contains(
                "scrub running, 0% done, no estimate yet, started less than a minute ago ("
            ),
            "{html}"
        );
    }

    #[test]
    fn a_scrape_joins_capacity_by_pool_name() {
        let at = read_at();
        let status = "  pool: healthy\n state: ONLINE\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\thealthy ONLINE 0 0 0\n\t  sda ONLINE 0 0 0\n\nerrors: No known data errors\n\n  pool: nolist\n state: ONLINE\nconfig:\n\n\tNAME STATE READ WRITE CKSUM\n\tnolist ONLINE 0 0 0\n\t  sdb ONLINE 0 0 0\n\nerrors: No known data errors\n";
        // Real lines of the 2.4 guest (fixtures/list/vm-2.4-varied.input).
        let list = "healthy\t117440512\t21123584\t96316928\t-\t-\t15\t17\t1.00\tONLINE\toff\n\
                    readonly\t117440512\t0\t117440512\t-\t-\t0\t0\t1.00\tONLINE\ton\n";
        let scrape = Scrape {
            health: PoolHealth::Status(crate::parse(status, &at)),
            capacity: Some(crate::parse::list::parse_list(list).pools),
            commands: Vec::new(),
        };
        let (failure, views) = scrape_views(&scrape);
        assert_eq!(failure, None);
        let capacities: Vec<_> = views.iter().map(|v| (v.name, v.capacity)).collect();
        assert_eq!(
            capacities,
            [
                (
                    "healthy",
                    Some(Capacity {
                        size: 117_440_512,
                        allocated: 21_123_584
                    })
                ),
                ("nolist", None),
            ]
        );
        let html = render_page(&Page {
            host: "nas",
            version: "0",
            read_at: &at,
            failure,
            pools: views,
        });
        assert!(
            html.contains("value=\"0.1799\"></meter> 17% used: 20.1 MiB of 112 MiB"),
            "{html}"
        );
        assert_eq!(html.matches("<meter").count(), 1);
        assert!(
            !html.contains("readonly"),
            "a pool zpool status does not list is not shown"
        );
    }

    #[test]
    fn a_kstat_fallback_shows_the_cause_and_the_states() {
        let scrape = Scrape {
            health: PoolHealth::Kstat {
                pools: vec![crate::kstat::KstatPool {
                    name: "tank".into(),
                    state: PoolState::Suspended,
                    word: "SUSPENDED".into(),
                }],
                cause: "`zpool status -p` timed out after 8 s and was killed".into(),
            },
            capacity: None,
            commands: Vec::new(),
        };
        let (failure, views) = scrape_views(&scrape);
        assert_eq!(
            failure,
            Some("`zpool status -p` timed out after 8 s and was killed")
        );
        assert_eq!(views.len(), 1);
        assert_eq!(
            (views[0].name, views[0].state),
            ("tank", PoolState::Suspended)
        );
        assert!(views[0].details.is_none() && views[0].capacity.is_none());
    }

    #[test]
    fn every_state_has_a_word_and_every_status_but_normal_has_words() {
        for state in PoolState::ALL {
            assert!(!pool_state_word(*state).is_empty());
        }
        for state in DevState::ALL {
            assert!(!dev_state_word(*state).is_empty());
        }
        for status in StatusDesc::ALL {
            assert_eq!(
                status_words(*status).is_none(),
                *status == StatusDesc::Normal
            );
        }
    }
}
