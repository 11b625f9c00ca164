//! zpool-status-exporter: a Prometheus exporter for ZFS pool health.
//!
//! `zpool status -p` is run on every scrape ([`zpool`]), its text parsed into
//! a model ([`parse`], [`model`]) and rendered as Prometheus text format
//! ([`render`]), kept unique ([`unique`]), served over HTTP ([`serve`]) with optional basic auth
//! ([`auth`]), configured from the command line ([`cli`]).

pub mod auth;
pub mod cli;
pub mod http;
pub mod model;
pub mod notify;
pub mod parse;
pub mod render;
pub mod serve;
mod swar;
pub mod unique;
pub mod zpool;

pub use model::PoolMetrics;
pub use parse::parse;
pub use render::render;
