//! The status page for every golden-file input: it renders, shows every
//! pool with its state and every device that needs attention, escaped, and
//! holds no element the page does not write itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use jiff::{Timestamp, tz::TimeZone};
use zpool_status_exporter::html::{
    self, Page, dev_state_word, escape, needs_attention, pool_state_word,
};
use zpool_status_exporter::parse;

const ALLOWED_ELEMENTS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "a", "time",
    "main", "section", "span", "dl", "dt", "dd", "meter", "div", "table", "caption", "thead",
    "tbody", "tr", "th", "td", "code",
];

fn escaped(text: &str) -> String {
    let mut out = String::new();
    escape(&mut out, text);
    out
}

#[test]
fn status_page_for_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "input") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (first, rest) = text.split_once('\n').unwrap();
        let seconds: i64 = first
            .strip_prefix("TEST_TIMESTAMP=")
            .unwrap()
            .parse()
            .unwrap();
        let now = Timestamp::from_second(seconds)
            .unwrap()
            .to_zoned(TimeZone::UTC);
        let pools = parse(rest, &now);
        let page = html::render_page(&Page {
            host: "host",
            version: "0",
            read_at: &now,
            failure: None,
            pools: html::pool_views(&pools),
        });
        let name = path.display();
        for (index, pool) in pools.iter().enumerate() {
            let heading = format!(
                "<h2 id=\"pool-{index}\"><span class=\"name\">{}</span> <span class=\"badge ",
                escaped(&pool.name)
            );
            let at = page
                .find(&heading)
                .unwrap_or_else(|| panic!("{name}: no heading {heading}"));
            let block = &page[at..];
            let block = &block[..block.find("</section>").unwrap()];
            assert!(
                block.contains(&format!("\">{}</span></h2>", pool_state_word(pool.state))),
                "{name}: {} without its state",
                pool.name
            );
            let rows = block.matches("<tr><td><code>").count();
            let attention: Vec<_> = pool.devices.iter().filter(|d| needs_attention(d)).collect();
            assert_eq!(rows, attention.len(), "{name}: {}", pool.name);
            for dev in attention {
                let row = format!("<tr><td><code>{}</code>", escaped(&dev.path));
                let at = block
                    .find(&row)
                    .unwrap_or_else(|| panic!("{name}: {row} missing"));
                assert!(
                    block[at..].contains(&format!(">{}</span></td>", dev_state_word(dev.state))),
                    "{name}: {} without its state",
                    dev.path
                );
            }
        }
        for element in page.split('<').skip(1) {
            if element.starts_with(['/', '!']) {
                continue;
            }
            let element: String = element
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            assert!(
                ALLOWED_ELEMENTS.contains(&element.as_str()),
                "{name}: <{element}>"
            );
        }
        checked += 1;
    }
    assert!(checked > 90, "only {checked} fixtures");
}
