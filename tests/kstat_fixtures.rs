//! The kstat reader against a real `/proc/spl/kstat/zfs` listing: a proc tree
//! rebuilt from `fixtures/kstat/vm-2.4-ls.txt` (`ls -la` of the directory in
//! the OpenZFS 2.4.4 guest: files are other kstats, directories are pools)
//! with the states of `vm-2.4-state-named.txt` (`grep -H . */state`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TempDir, fixture};
use zpool_status_exporter::kstat::read_pool_states;
use zpool_status_exporter::model::PoolState;

#[test]
fn real_listing_gives_every_pool_and_nothing_else() {
    let listing = std::fs::read_to_string(fixture("kstat/vm-2.4-ls.txt")).unwrap();
    let states = std::fs::read_to_string(fixture("kstat/vm-2.4-state-named.txt")).unwrap();
    let dir = TempDir::new("kstat-real");
    let zfs = dir.0.join("spl/kstat/zfs");
    std::fs::create_dir_all(&zfs).unwrap();
    for line in listing.lines().filter(|l| !l.starts_with("total")) {
        let name = line.split_whitespace().last().unwrap();
        if name == "." || name == ".." {
            continue;
        }
        if line.starts_with('d') {
            // A pool directory also holds other kstats (guid, txgs, ...).
            std::fs::create_dir_all(zfs.join(name)).unwrap();
            std::fs::write(zfs.join(name).join("guid"), "1\n").unwrap();
        } else {
            std::fs::write(zfs.join(name), "kstat\n").unwrap();
        }
    }
    let mut expected = Vec::new();
    for line in states.lines() {
        let (path, word) = line.split_once(':').unwrap();
        let pool = path
            .strip_prefix("/proc/spl/kstat/zfs/")
            .unwrap()
            .strip_suffix("/state")
            .unwrap();
        std::fs::write(zfs.join(pool).join("state"), format!("{word}\n")).unwrap();
        expected.push((pool.to_owned(), PoolState::from_word(word)));
    }
    assert!(!expected.is_empty());
    let got: Vec<(String, PoolState)> = read_pool_states(&dir.0)
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.state))
        .collect();
    assert_eq!(got, expected);
    assert!(got.iter().any(|(_, state)| *state == PoolState::Degraded));
}
