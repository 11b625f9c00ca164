//! The status page in a real browser: the built exporter on loopback, a fake
//! `zpool` printing real captures, headless Chromium loading `/`.
//!
//! Skipped, with a message saying so, only when no Chromium is installed and
//! `ZSE_REQUIRE_BROWSER` is unset; CI installs Debian's `chromium` and sets it.
//! Screenshots go to `target/browser/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Exporter, TempDir, fixture};

/// The file names zpool allows in a file vdev's path (any byte but NUL; `/`
/// separates directories), put in place of the two disks of a real capture.
/// Pool names cannot hold these characters (`pool_namecheck`).
/// Disk `a` stays healthy (not listed), disk `b` has checksum errors (listed).
const HOSTILE_A: &str = "/var/tmp/zse/<b>healthy</b>";
/// The scripts would leave a trace (the title) rather than block (`alert`).
const HOSTILE_B: &str = "/var/tmp/zse/<img src=x onerror=\"document.title='pwned'\"><script>document.title=\"pwned\"</script> & 'y'";

/// A `zpool status -p` output of six pools from the real 2.3 captures:
/// `backup` (scrubbed), `broken` (DEGRADED, a device UNAVAIL, `see:` ZFS-8000-4J),
/// `epool` (checksum errors on one disk, its disks renamed to hostile paths),
/// `scrubpool` (scrub running), `spacey` (a path with spaces), `tank`; in
/// name order, as `zpool status` lists pools.
fn multi_pool_input() -> String {
    let body = |name: &str| {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let text = text.split_once('\n').unwrap().1.to_owned();
        assert!(!text.contains("TEST_TIMESTAMP"));
        text
    };
    let multi = body("vm-2.3-multi-pool.input");
    let (backup, rest) = multi.split_once("\n  pool: spacey").unwrap();
    let spacey_tank = format!("  pool: spacey{rest}");
    let hostile = renamed(
        &body("vm-2.3-mirror-checksum-repaired.input"),
        &[("/var/tmp/zse/a", HOSTILE_A), ("/var/tmp/zse/b", HOSTILE_B)],
    );
    [
        format!("{backup}\n"),
        body("vm-2.3-label-missing.input"),
        hostile,
        body("vm-2.3-scrub-in-progress.input"),
        spacey_tank,
    ]
    .join("\n")
}

/// A `zpool list -Hp` output for five of those pools (`spacey` has none):
/// the real lines of the 2.4 guest's pools (`fixtures/list/vm-2.4-six-pools.input`)
/// under these pools' names.
fn list_input() -> String {
    let text = std::fs::read_to_string(fixture("list/vm-2.4-six-pools.input")).unwrap();
    let line = |pool: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{pool}\t")))
            .unwrap()
            .split_once('\t')
            .unwrap()
            .1
            .to_owned()
    };
    let mut out = String::new();
    for (ours, theirs) in [
        ("backup", "healthy"),
        ("broken", "degraded"),
        ("epool", "suspended"),
        ("scrubpool", "checkpointed"),
        ("tank", "grown"),
    ] {
        out.push_str(ours);
        out.push('\t');
        out.push_str(&line(theirs));
        out.push('\n');
    }
    out
}

/// `status` with device names replaced, the NAME column re-padded as zpool
/// pads it (to the widest indented name, then two spaces).
fn renamed(status: &str, names: &[(&str, &str)]) -> String {
    let lines: Vec<&str> = status.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("\tNAME ")).unwrap();
    let state_column = lines[header].find("STATE").unwrap();
    let end = lines[header..]
        .iter()
        .position(|l| l.is_empty())
        .map_or(lines.len(), |n| header + n);
    let rows: Vec<(String, &str)> = lines[header..end]
        .iter()
        .map(|line| {
            let (name, rest) = line.split_at(state_column);
            let mut name = name.trim_end().to_owned();
            for (old, new) in names {
                name = name.replace(old, new);
            }
            (name, rest)
        })
        .collect();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap() + 2;
    let mut out: Vec<String> = lines[..header].iter().map(|l| (*l).to_owned()).collect();
    out.extend(
        rows.iter()
            .map(|(name, rest)| format!("{name:<width$}{rest}")),
    );
    out.extend(lines[end..].iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `url` with `mode` (`--dump-dom`, `--screenshot=...`)
/// and returns its stdout, within 30 s.
fn run_chromium(browser: &Path, url: &str, mode: &[&str]) -> String {
    let profile = TempDir::new("chromium");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .args(mode)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = {
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("chromium did not finish within 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    assert!(
        output.status.success(),
        "chromium failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The part of the DOM from pool `name`'s heading to the next pool's.
fn pool_section<'a>(dom: &'a str, name: &str) -> &'a str {
    let start = dom
        .find(&format!("<span class=\"name\">{name}</span>"))
        .unwrap_or_else(|| panic!("no pool {name} in {dom}"));
    let rest = &dom[start..];
    let end = rest.find("<section class=\"pool").unwrap_or(rest.len());
    &rest[..end]
}

/// Every element name in a serialized DOM.
fn element_names(dom: &str) -> Vec<String> {
    dom.split('<')
        .skip(1)
        .filter(|rest| !rest.starts_with('/') && !rest.starts_with('!'))
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

#[test]
fn status_page_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("ZSE_REQUIRE_BROWSER").is_none(),
            "ZSE_REQUIRE_BROWSER is set but no chromium was found on PATH"
        );
        println!("SKIPPED: no chromium on PATH (install Debian's `chromium`, or set CHROMIUM)");
        return;
    };
    let dir = TempDir::new("browser");
    let input = dir.file("zpool-status", &multi_pool_input());
    let list = dir.file("zpool-list", &list_input());
    let exporter = Exporter::start_with(
        &input,
        &[],
        &[("FAKE_ZPOOL_LIST_OUTPUT", list.to_str().unwrap())],
    );
    let url = format!("http://{}/", exporter.address);

    let dom = run_chromium(&browser, &url, &["--dump-dom"]);
    let screenshots = common::root().join("target/browser");
    std::fs::create_dir_all(&screenshots).unwrap();
    std::fs::write(screenshots.join("status-page.html"), &dom).unwrap();
    check_pools(&dom);
    check_devices(&dom);
    check_no_injection(&dom);

    // Screenshots to look at: a desktop window and a phone-sized one.
    for (file, size) in [
        ("status-page.png", "1280,1600"),
        ("status-page-phone.png", "390,1800"),
    ] {
        let path = screenshots.join(file);
        let _ = std::fs::remove_file(&path);
        run_chromium(
            &browser,
            &url,
            &[
                &format!("--screenshot={}", path.display()),
                &format!("--window-size={size}"),
            ],
        );
        let png = std::fs::read(&path).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{file}");
        println!("screenshot: {}", path.display());
    }
    drop(exporter);
}

/// Each pool in order with its state, the header line, the scans in words.
fn check_pools(dom: &str) {
    // Each pool, in order, with its state as a word.
    let mut last = 0;
    for (name, class, state) in [
        ("backup", "ok", "ONLINE"),
        ("broken", "warn", "DEGRADED"),
        ("epool", "ok", "ONLINE"),
        ("scrubpool", "ok", "ONLINE"),
        ("spacey", "ok", "ONLINE"),
        ("tank", "ok", "ONLINE"),
    ] {
        let heading = format!(
            "<span class=\"name\">{name}</span> <span class=\"badge {class}\">{state}</span></h2>"
        );
        let at = dom
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading} missing from {dom}"));
        assert!(at > last, "{name} out of order");
        last = at;
    }
    assert!(dom.contains("6 pools: 1 DEGRADED, 5 ONLINE."));
    assert!(dom.contains(&format!(
        "zpool-status-exporter {}",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(dom.contains("<a href=\"/metrics\">/metrics</a>"));
    assert!(pool_section(dom, "scrubpool").contains("scrub running, 0% done, no estimate yet"));
    // The status message ids link to their OpenZFS documentation.
    for (pool, msgid) in [("broken", "ZFS-8000-4J"), ("epool", "ZFS-8000-9P")] {
        let link =
            format!("<a href=\"https://openzfs.github.io/openzfs-docs/msg/{msgid}\">{msgid}</a>");
        assert!(pool_section(dom, pool).contains(&link), "{pool}: no {link}");
    }
    assert_eq!(dom.matches("openzfs-docs/msg/").count(), 2);
    // Capacity bars where zpool list gave the pool.
    assert!(
        pool_section(dom, "backup").contains("</meter> 17% used: 20.1 MiB of 112 MiB"),
        "{}",
        pool_section(dom, "backup")
    );
    assert!(!pool_section(dom, "spacey").contains("<meter"));
    assert_eq!(dom.matches("<meter").count(), 5);
    assert!(pool_section(dom, "backup").contains("scrub finished "));
    assert!(pool_section(dom, "tank").contains("<dd>never</dd>"));
}

/// The degraded pool's devices listed, healthy pools' devices not.
fn check_devices(dom: &str) {
    // The degraded pool lists its missing device, with the pool and vdev above it.
    let broken = pool_section(dom, "broken");
    assert!(
        broken.contains("A device is missing or unusable"),
        "{broken}"
    );
    for (dev, state) in [
        ("__root__", "DEGRADED"),
        ("mirror-0", "DEGRADED"),
        ("mirror-0/3224934528348244960", "UNAVAIL"),
    ] {
        let row = format!("<td><code>{dev}</code>");
        let at = broken
            .find(&row)
            .unwrap_or_else(|| panic!("{row} missing from {broken}"));
        assert!(
            broken[at..].contains(&format!("\">{state}</span>")),
            "{dev}"
        );
    }
    assert!(
        !broken.contains("/var/tmp/zse/a"),
        "a healthy disk is listed: {broken}"
    );

    // Healthy pools list no devices, only their count.
    for (name, count) in [("backup", 4), ("tank", 3), ("scrubpool", 2)] {
        let section = pool_section(dom, name);
        assert!(
            section.contains(&format!("All {count} devices online.")),
            "{section}"
        );
        assert!(!section.contains("<table"), "{section}");
    }
    assert!(pool_section(dom, "spacey").contains("The pool's one device is online."));
    for healthy in ["/var/tmp/zse/r1", "/var/tmp/zse/z1", "disk with space"] {
        assert!(!dom.contains(healthy), "{healthy} is listed");
    }
}

/// Hostile device names are text, never markup.
fn check_no_injection(dom: &str) {
    let epool = pool_section(dom, "epool");
    assert!(
        epool.contains(
            "<td><code>mirror-0//var/tmp/zse/&lt;img src=x onerror=\"document.title='pwned'\"&gt;&lt;script&gt;document.title=\"pwned\"&lt;/script&gt; &amp; 'y'</code>"
        ),
        "{epool}"
    );
    assert!(
        !epool.contains("healthy&lt;"),
        "the healthy hostile disk is listed: {epool}"
    );
    let allowed = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "a", "time",
        "main", "section", "span", "dl", "dt", "dd", "meter", "div", "table", "caption", "thead",
        "tbody", "tr", "th", "td", "code",
    ];
    for element in element_names(dom) {
        assert!(
            allowed.contains(&element.as_str()),
            "injected <{element}> in {dom}"
        );
    }
    assert!(!dom.contains("<script") && !dom.contains("<img") && !dom.contains("<b>"));
    assert!(dom.contains("<title>ZFS pools on "), "a script ran: {dom}");
}
