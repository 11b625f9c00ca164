//! The data model: what one scrape knows about each pool and device.
//!
//! Every enum here is part of the metric contract: its numeric values are
//! what dashboards and alert rules compare against, so they never change.
//! New values may be added; existing ones are never renumbered.

use std::ops::{Deref, Range};
use std::rc::Rc;

use jiff::Timestamp;

/// Declares a metric enum: its variants with their fixed values, `value()`,
/// `name()` and `ALL` (every variant in value order).
macro_rules! metric_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every variant, in value order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The numeric value exported to Prometheus.
            #[must_use]
            pub fn value(self) -> u32 {
                match self {
                    $($name::$variant => $value,)*
                }
            }

            /// The variant's name, as listed in the metric's HELP text.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

metric_enum! {
    /// State of a pool, from the `state:` line.
    PoolState {
        /// No `state:` line was seen.
        UnknownMissing = 0,
        /// A state word this exporter does not know.
        Unrecognized = 1,
        /// `ONLINE`
        Online = 10,
        /// `OFFLINE`
        Offline = 25,
        /// `SPLIT`
        Split = 26,
        /// `DEGRADED`
        Degraded = 50,
        /// `FAULTED`
        Faulted = 60,
        /// `SUSPENDED`
        Suspended = 70,
        /// `REMOVED`
        Removed = 80,
        /// `UNAVAIL`
        Unavail = 100,
    }
}

metric_enum! {
    /// State of one row of the device table.
    DevState {
        /// The row had no state column.
        UnknownMissing = 0,
        /// A state word this exporter does not know.
        Unrecognized = 1,
        /// `ONLINE`
        Online = 10,
        /// `AVAIL` (a hot spare ready for use)
        Avail = 11,
        /// `OFFLINE`
        Offline = 25,
        /// `SPLIT`
        Split = 26,
        /// `INUSE` (a hot spare in use)
        InUse = 27,
        /// `DEGRADED`
        Degraded = 50,
        /// `FAULTED`
        Faulted = 60,
        /// `SUSPENDED`
        Suspended = 70,
        /// `REMOVED`
        Removed = 80,
        /// `UNAVAIL`
        Unavail = 100,
    }
}

metric_enum! {
    /// What the `status:` paragraph says about the pool, by its opening words.
    ///
    /// Bands: 2–9 healthy with a note; 10–29 redundancy reduced or being
    /// restored; 30–49 action advised; 50 and up data at risk or pool unusable.
    StatusDesc {
        /// No `status:` line: nothing to report.
        Normal = 0,
        /// A `status:` text this exporter does not know.
        Unrecognized = 1,
        /// The pool uses a legacy (older) on-disk format.
        LegacyFormat = 2,
        /// Devices use a non-native block size.
        NonNativeBlockSize = 3,
        /// An errata was detected.
        Errata = 4,
        /// Supported features are not enabled.
        FeaturesAvailable = 5,
        /// The pool's features do not match its compatibility list.
        CompatibilityMismatch = 6,
        /// The pool's hostid differs from the system's.
        HostidMismatch = 7,
        /// A device is missing or unusable, but sufficient replicas exist.
        SufficientReplicasForMissing = 10,
        /// A device was removed.
        DeviceRemoved = 15,
        /// A device was taken offline by the administrator.
        DeviceOffline = 16,
        /// Devices are faulted, but sufficient replicas exist.
        DeviceFaulted = 17,
        /// A device is being resilvered.
        Resilvering = 20,
        /// Devices were sequentially resilvered; a scrub is recommended.
        ScrubAfterRebuild = 21,
        /// A device had an unrecoverable error that was corrected.
        DeviceErrorsCorrected = 30,
        /// An error resulted in data corruption.
        DataCorruption = 50,
        /// Devices are missing or faulted and there are insufficient replicas.
        InsufficientReplicas = 60,
        /// The pool metadata is corrupted.
        MetadataCorrupted = 65,
        /// The pool is suspended or faulted after I/O failures.
        IoFailure = 70,
        /// An intent log record could not be read.
        BadIntentLog = 75,
        /// The pool uses an on-disk version or features this system cannot use.
        UnsupportedVersion = 80,
    }
}

metric_enum! {
    /// The kind of the pool's most relevant scan (scrub or resilver).
    ScanState {
        /// No `scan:` line, and the pool is not a healthy one that was never scanned.
        UnknownMissing = 0,
        /// A `scan:` line this exporter does not know.
        Unrecognized = 1,
        /// A scrub finished.
        ScrubRepaired = 10,
        /// A resilver finished.
        Resilvered = 15,
        /// A scrub is running.
        ScrubInProgress = 30,
        /// A resilver is running.
        ResilverInProgress = 31,
        /// A scrub is paused.
        ScrubPaused = 32,
        /// A scrub was canceled.
        ScrubCanceled = 35,
        /// A resilver was canceled.
        ResilverCanceled = 36,
        /// The pool was never scanned.
        NeverScanned = 40,
    }
}

metric_enum! {
    /// What the `errors:` line says.
    ErrorState {
        /// No `errors:` line.
        UnknownMissing = 0,
        /// An `errors:` text this exporter does not know.
        Unrecognized = 1,
        /// `No known data errors`
        Ok = 10,
        /// Data errors were found.
        DataErrors = 50,
    }
}

impl PoolState {
    /// The state for a word of `zpool status` (`ONLINE`, `DEGRADED`, ...).
    #[must_use]
    pub fn from_word(word: &str) -> Self {
        match word {
            "ONLINE" => Self::Online,
            "OFFLINE" => Self::Offline,
            "SPLIT" => Self::Split,
            "DEGRADED" => Self::Degraded,
            "FAULTED" => Self::Faulted,
            "SUSPENDED" => Self::Suspended,
            "REMOVED" => Self::Removed,
            "UNAVAIL" => Self::Unavail,
            _ => Self::Unrecognized,
        }
    }
}

impl DevState {
    /// The state for a word of the device table (`ONLINE`, `AVAIL`, ...).
    #[must_use]
    pub fn from_word(word: &str) -> Self {
        match word {
            "ONLINE" => Self::Online,
            "AVAIL" => Self::Avail,
            "OFFLINE" => Self::Offline,
            "SPLIT" => Self::Split,
            "INUSE" => Self::InUse,
            "DEGRADED" => Self::Degraded,
            "FAULTED" => Self::Faulted,
            "SUSPENDED" => Self::Suspended,
            "REMOVED" => Self::Removed,
            "UNAVAIL" => Self::Unavail,
            _ => Self::Unrecognized,
        }
    }
}

impl ScanState {
    /// Whether this scan is still running or paused (its date is its start).
    #[must_use]
    pub fn is_in_progress(self) -> bool {
        matches!(
            self,
            Self::ScrubInProgress | Self::ResilverInProgress | Self::ScrubPaused
        )
    }
}

/// Read, write and checksum error counts of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevErrors {
    /// The READ column.
    pub read: u64,
    /// The WRITE column.
    pub write: u64,
    /// The CKSUM column.
    pub checksum: u64,
}

/// One row of the device table that has a state column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMetrics {
    /// Names below the pool root joined by `/`; `__root__` for the pool's own row.
    pub path: DevPath,
    /// The STATE column.
    pub state: DevState,
    /// The counters, when the row has them (hot spares have none).
    pub errors: Option<DevErrors>,
}

/// A device's `dev` path, read as a `&str` (`*`, `as_str`, `==` with a
/// `&str`): a range of one text that holds the paths of all the pool's
/// devices, shared by them, so a pool costs one allocation, not one per device.
///
/// The text is shared through an [`Rc`], not an `Arc`: the exporter is
/// single-threaded, and an atomic count per device costs a scrape of a
/// large host several percent of its time (measured with `perf`).
#[derive(Clone)]
pub struct DevPath {
    text: Rc<str>,
    range: Range<usize>,
}

impl DevPath {
    /// The path `range` of the shared `text` (empty if `range` is not in it).
    #[must_use]
    pub fn in_text(text: &Rc<str>, range: Range<usize>) -> Self {
        Self {
            text: Rc::clone(text),
            range,
        }
    }

    /// The path.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.text.get(self.range.clone()).unwrap_or("")
    }
}

impl Deref for DevPath {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for DevPath {
    fn from(path: &str) -> Self {
        Self {
            text: Rc::from(path),
            range: 0..path.len(),
        }
    }
}

impl From<String> for DevPath {
    fn from(path: String) -> Self {
        Self::from(path.as_str())
    }
}

impl PartialEq for DevPath {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for DevPath {}

impl PartialEq<str> for DevPath {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for DevPath {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for DevPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for DevPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The pool's chosen scan: its kind, the date its age counts from, and the
/// figures its lines state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    /// What kind of scan, and how it ended.
    pub state: ScanState,
    /// End of a finished scan, start of a running one.
    pub time: Option<Timestamp>,
    /// What the scan's lines state in figures; each is `None` when the text
    /// does not state it.
    pub figures: ScanFigures,
}

/// The figures of one scan, exactly as its `scan:` line and continuation
/// lines state them (sizes read as 1024-based, rounded to the byte). Nothing
/// is derived: a figure the text does not print is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ScanFigures {
    /// When the scan started: the date of `... in progress since DATE`, or of
    /// a paused scrub's `scrub started on DATE` line.
    pub start: Option<Timestamp>,
    /// When the scan finished or was canceled: the date after `on` in
    /// `... with N errors on DATE`, `... canceled on DATE`, `scrubbed N
    /// error blocks in ... on DATE`.
    pub end: Option<Timestamp>,
    /// How long a finished scan took, in seconds: its `in DURATION`
    /// (Solaris: `completed after DURATION`).
    pub duration_seconds: Option<u64>,
    /// The `with N errors` of a finished scan.
    pub errors: Option<u64>,
    /// Bytes repaired (scrub) or resilvered: the size after `repaired` /
    /// `resilvered` of a finished scan, the `SIZE repaired` / `SIZE
    /// resilvered` of a running or paused one.
    pub repaired_bytes: Option<u64>,
    /// How far a running or paused scan is, from its `P% done` as a ratio
    /// (`10.35% done` is 0.1035; above 1 when zpool prints more than 100%).
    pub progress_ratio: Option<f64>,
    /// zpool's estimate of the seconds left, from `DURATION to go`; `None`
    /// for `no estimated completion time`.
    pub remaining_seconds: Option<u64>,
    /// Bytes scanned so far (`A scanned`, `A / C scanned`, `A scanned out of C`).
    pub scanned_bytes: Option<u64>,
    /// Bytes issued so far (`B issued`, `B / C issued`); 0.7 prints none.
    pub issued_bytes: Option<u64>,
    /// Bytes the scan will examine: `C total`, the `C` of `A / C scanned`
    /// or of `A scanned out of C`.
    pub total_bytes: Option<u64>,
}

/// Everything one scrape reports about one pool.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMetrics {
    /// The pool's name.
    pub name: String,
    /// From the `state:` line.
    pub state: PoolState,
    /// From the `status:` paragraph.
    pub status: StatusDesc,
    /// From the `scan:` line(s).
    pub scan: Scan,
    /// Hours since the scan's date, or [`NEVER_SCANNED_AGE_HOURS`] when there is none.
    pub scan_age_hours: f64,
    /// From the `errors:` line(s).
    pub errors: ErrorState,
    /// The count of data errors the `errors:` line states:
    /// `N data errors, use '-v' for a list` is N, `No known data errors` 0;
    /// `None` when no line gives a count (`-v` file list, `List of errors
    /// unavailable`, no `errors:` line).
    pub data_errors: Option<u64>,
    /// The message id that ends the `see:` URL (`ZFS-8000-9P`), naming the
    /// documented situation the `status:` paragraph describes.
    pub msgid: Option<String>,
    /// Device table rows, in table order.
    pub devices: Vec<DevMetrics>,
}

/// The scan age reported when there is no scan date to measure from: 100 years.
pub const NEVER_SCANNED_AGE_HOURS: f64 = 876_000.0;

/// One pool's line of `zpool list -Hp`: space figures and the pool's flags.
///
/// `None` is a value `zpool` did not give (it printed `-`, or something this
/// exporter could not read): no sample is exported for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolCapacity {
    /// The pool's name.
    pub name: String,
    /// `size`: total space, in bytes.
    pub size_bytes: Option<u64>,
    /// `allocated`: space in use, in bytes.
    pub allocated_bytes: Option<u64>,
    /// `free`: space not allocated, in bytes.
    pub free_bytes: Option<u64>,
    /// `checkpoint`: space held by the pool checkpoint, in bytes.
    pub checkpoint_bytes: Option<u64>,
    /// `expandsize`: space the pool could grow by (e.g. after disks grew), in bytes.
    pub expand_size_bytes: Option<u64>,
    /// `fragmentation`: free-space fragmentation, percent / 100.
    pub fragmentation_ratio: Option<f64>,
    /// `capacity`: allocated / size, percent / 100 (as `zpool` rounds it).
    pub capacity_ratio: Option<f64>,
    /// `dedupratio`: logical / physical size of deduplicated data (1 without dedup).
    pub dedup_ratio: Option<f64>,
    /// `health`: the pool's state word.
    pub health: PoolState,
    /// `readonly`: whether the pool is imported read-only.
    pub readonly: Option<bool>,
}
