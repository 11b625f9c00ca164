//! zpool-status-exporter: a Prometheus exporter for ZFS pool health.
//!
//! Each scrape ([`scrape`]) runs `zpool status -p` and `zpool list -Hp`
//! ([`zpool`]), falling back to the kernel's pool states ([`kstat`]); their
//! text is parsed into a model ([`parse`], [`model`]) and rendered as
//! Prometheus text format ([`render`], [`render_scrape`]) with every series
//! unique ([`unique`]), served over HTTP
//! ([`serve`]) with optional basic auth ([`auth`]) or written once to a file
//! ([`textfile`]), configured from the command line ([`cli`]).

pub mod auth;
pub mod cli;
pub mod http;
pub mod kstat;
pub mod model;
pub mod notify;
pub mod parse;
pub mod render;
pub mod render_scrape;
pub mod scrape;
pub mod serve;
pub mod textfile;
pub mod unique;
pub mod zpool;

pub use model::PoolMetrics;
pub use parse::parse;
pub use render::render;
