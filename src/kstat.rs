//! Reads each imported pool's state from the ZFS kstats under `/proc` (Linux).
//!
//! OpenZFS (0.8 and later) keeps one file per imported pool,
//! `/proc/spl/kstat/zfs/<pool>/state`, holding one word and a line feed
//! (`spa_state_to_name`, module/zfs/spa_misc.c: ONLINE, DEGRADED, FAULTED,
//! OFFLINE, REMOVED, UNAVAIL, SPLIT, SUSPENDED, or TRANSITIONING/UNKNOWN).
//! It is read without the pool locks `zpool` takes, so it answers when
//! `zpool status` hangs. The directory also holds other kstats (files such as
//! `arcstats`); pools are the subdirectories that hold a `state` file.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::PoolState;

/// Where the pool kstats are, below the proc root.
pub const KSTAT_DIR: &str = "spl/kstat/zfs";

/// One pool's state as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KstatPool {
    /// The pool's name: its directory's name (not UTF-8 bytes replaced by U+FFFD).
    pub name: String,
    /// The state read; [`PoolState::UnknownMissing`] when the file could not be read.
    pub state: PoolState,
    /// The word as read (empty when the file could not be read).
    pub word: String,
}

/// Why there are no kstat pool states to fall back to.
#[derive(Debug)]
pub enum KstatError {
    /// The directory cannot be listed (ZFS not loaded, not Linux, no permission).
    Unreadable {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        error: io::Error,
    },
    /// The directory lists no pool.
    NoPools {
        /// The directory.
        dir: PathBuf,
    },
}

impl fmt::Display for KstatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { dir, error } => {
                write!(f, "{} cannot be read: {error}", dir.display())
            }
            Self::NoPools { dir } => write!(f, "{} lists no pool", dir.display()),
        }
    }
}

impl std::error::Error for KstatError {}

/// The pool states under `procfs` (normally `/proc`), sorted by name.
///
/// A pool whose `state` file exists but cannot be read is reported as
/// [`PoolState::UnknownMissing`] (and logged): the pool is there, its state
/// is not known.
///
/// # Errors
/// When the kstat directory cannot be listed or holds no pool.
pub fn read_pool_states(procfs: &Path) -> Result<Vec<KstatPool>, KstatError> {
    let dir = procfs.join(KSTAT_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|error| KstatError::Unreadable {
        dir: dir.clone(),
        error,
    })?;
    let mut pools = Vec::new();
    for entry in entries.flatten() {
        let state_file = entry.path().join("state");
        // Pools are directories holding a `state`; other kstats are files.
        if !entry.path().is_dir() || state_file.symlink_metadata().is_err() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        pools.push(read_one(name, &state_file));
    }
    if pools.is_empty() {
        return Err(KstatError::NoPools { dir });
    }
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(pools)
}

fn read_one(name: String, state_file: &Path) -> KstatPool {
    match std::fs::read(state_file) {
        Ok(bytes) => {
            let word = String::from_utf8_lossy(&bytes).trim().to_owned();
            let state = PoolState::from_word(&word);
            if state == PoolState::Unrecognized {
                log::warn!("{}: unrecognized pool state {word:?}", state_file.display());
            }
            KstatPool { name, state, word }
        }
        Err(error) => {
            log::warn!("{} cannot be read: {error}", state_file.display());
            KstatPool {
                name,
                state: PoolState::UnknownMissing,
                word: String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use super::*;

    /// A temporary proc root, removed on drop.
    struct Proc(PathBuf);

    impl Proc {
        fn new(tag: &str) -> Self {
            let path = std::env::temp_dir().join(format!("zse-kstat-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(path.join(KSTAT_DIR)).unwrap();
            Self(path)
        }

        fn pool(&self, name: &OsStr, state: &str) -> PathBuf {
            let dir = self.0.join(KSTAT_DIR).join(name);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("state"), state).unwrap();
            std::fs::write(dir.join("guid"), "123\n").unwrap();
            dir.join("state")
        }
    }

    impl Drop for Proc {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn pools_are_subdirectories_with_a_state_file() {
        let proc = Proc::new("pools");
        let zfs = proc.0.join(KSTAT_DIR);
        std::fs::write(zfs.join("arcstats"), "13 1 0x01 ...\n").unwrap();
        std::fs::create_dir_all(zfs.join("not-a-pool")).unwrap();
        proc.pool(OsStr::new("tank"), "ONLINE\n");
        proc.pool(OsStr::new("my pool"), "DEGRADED\n");
        proc.pool(OsStr::new("backup"), "SUSPENDED\n");
        proc.pool(OsStr::new("moving"), "TRANSITIONING\n");
        let pools = read_pool_states(&proc.0).unwrap();
        let got: Vec<(&str, PoolState, &str)> = pools
            .iter()
            .map(|p| (p.name.as_str(), p.state, p.word.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("backup", PoolState::Suspended, "SUSPENDED"),
                ("moving", PoolState::Unrecognized, "TRANSITIONING"),
                ("my pool", PoolState::Degraded, "DEGRADED"),
                ("tank", PoolState::Online, "ONLINE"),
            ]
        );
    }

    #[test]
    fn odd_bytes_in_names_are_replaced_not_fatal() {
        let proc = Proc::new("bytes");
        proc.pool(OsStr::from_bytes(b"a\xffb\"c\\"), "FAULTED\n");
        let pools = read_pool_states(&proc.0).unwrap();
        assert_eq!(pools.len(), 1);
        assert_eq!(pools[0].name, "a\u{fffd}b\"c\\");
        assert_eq!(pools[0].state, PoolState::Faulted);
    }

    #[test]
    fn an_unreadable_state_is_unknown_not_fatal() {
        let proc = Proc::new("unreadable");
        proc.pool(OsStr::new("ok"), "ONLINE\n");
        // A `state` that cannot be read, even by root (EISDIR).
        let broken = proc.0.join(KSTAT_DIR).join("broken");
        std::fs::create_dir_all(broken.join("state")).unwrap();
        // A `state` file without read permission (root reads it anyway).
        let locked = proc.pool(OsStr::new("locked"), "ONLINE\n");
        let mut perms = std::fs::metadata(&locked).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
        std::fs::set_permissions(&locked, perms).unwrap();
        let pools = read_pool_states(&proc.0).unwrap();
        let got: Vec<(&str, PoolState)> =
            pools.iter().map(|p| (p.name.as_str(), p.state)).collect();
        let locked_state = if std::fs::read(&locked).is_ok() {
            PoolState::Online // running as root
        } else {
            PoolState::UnknownMissing
        };
        assert_eq!(
            got,
            [
                ("broken", PoolState::UnknownMissing),
                ("locked", locked_state),
                ("ok", PoolState::Online),
            ]
        );
    }

    #[test]
    fn empty_or_missing_directory_is_nothing_to_fall_back_to() {
        let proc = Proc::new("empty");
        std::fs::write(proc.0.join(KSTAT_DIR).join("arcstats"), "x\n").unwrap();
        let error = read_pool_states(&proc.0).unwrap_err();
        assert!(matches!(error, KstatError::NoPools { .. }), "{error}");
        assert!(
            error.to_string().ends_with("spl/kstat/zfs lists no pool"),
            "{error}"
        );
        let missing = read_pool_states(&proc.0.join("nowhere")).unwrap_err();
        assert!(
            matches!(missing, KstatError::Unreadable { .. }),
            "{missing}"
        );
        assert!(missing.to_string().contains("cannot be read"), "{missing}");
    }
}
