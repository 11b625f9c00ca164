//! Textfile mode (`--oneshot --output FILE`): the metrics replace FILE in one
//! rename, so a reader (node_exporter's textfile collector) never sees half a file.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The temporary file beside `target`: `.NAME.tmp.<pid>` in its directory.
/// node_exporter's textfile collector reads only `*.prom`, so it never reads
/// this one, and a leading dot hides it from `ls`.
#[must_use]
pub fn temporary_path(target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or(target.as_os_str());
    let mut temporary = std::ffi::OsString::from(".");
    temporary.push(name);
    temporary.push(format!(".tmp.{}", std::process::id()));
    target.with_file_name(temporary)
}

/// Writes `contents` to a temporary file in `target`'s directory, flushes it
/// to disk and renames it over `target`. On any error the temporary file is
/// removed and `target` is left as it was.
///
/// # Errors
/// When the temporary file cannot be created, written or renamed.
pub fn write_atomically(target: &Path, contents: &str) -> io::Result<()> {
    let temporary = temporary_path(target);
    let written = write_and_rename(&temporary, target, contents);
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn write_and_rename(temporary: &Path, target: &Path, contents: &str) -> io::Result<()> {
    let mut file = File::create(temporary)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(temporary, target)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn temporary_name_is_hidden_and_not_prom() {
        let temporary = temporary_path(Path::new("/var/lib/textfile/zpool.prom"));
        let name = temporary.file_name().unwrap().to_str().unwrap();
        assert_eq!(temporary.parent(), Some(Path::new("/var/lib/textfile")));
        assert!(name.starts_with(".zpool.prom.tmp."), "{name}");
        assert_ne!(temporary.extension(), Some(std::ffi::OsStr::new("prom")));
        assert_eq!(
            temporary_path(Path::new("m.prom")).parent(),
            Some(Path::new(""))
        );
    }

    #[test]
    fn replaces_the_file_and_leaves_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("zse-textfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("zpool.prom");
        std::fs::write(&target, "old\n").unwrap();
        write_atomically(&target, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["zpool.prom"]);
        // A target that is a directory cannot be replaced: the error comes
        // from the rename, and the temporary file is removed.
        let blocked = dir.join("blocked.prom");
        std::fs::create_dir_all(blocked.join("inside")).unwrap();
        assert!(write_atomically(&blocked, "x\n").is_err());
        assert!(!temporary_path(&blocked).exists());
        assert!(blocked.join("inside").is_dir());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
