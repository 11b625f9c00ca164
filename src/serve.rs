//! The HTTP front: binding with retries, routing, and the request loop.
//!
//! Routing ([`route`]) is a pure function from a request's method, path and
//! `Authorization` header to a [`Reply`]; the loop around it does the I/O.

use std::io;
use std::thread;
use std::time::Duration;

use jiff::Zoned;

use crate::auth::{Keys, Verdict};
use crate::render::{self, CONTENT_TYPE};
use crate::zpool::ZpoolRunner;

/// The realm of the basic auth challenge.
pub const REALM: &str = "zpool-status-exporter";

/// The waits between bind attempts: 1, 2, 4, 8, 16, then 16 s each.
#[must_use]
pub fn bind_backoff(retry: u32) -> Duration {
    Duration::from_secs(1 << retry.min(4))
}

/// Binds `address`, retrying up to `max_retries` times with [`bind_backoff`].
///
/// # Errors
/// The last bind error, once the retries are used up.
pub fn bind_with_retries(
    address: &str,
    max_retries: u32,
) -> Result<tiny_http::Server, Box<dyn std::error::Error + Send + Sync>> {
    let mut retry = 0;
    loop {
        match tiny_http::Server::http(address) {
            Ok(server) => return Ok(server),
            Err(error) if retry < max_retries => {
                let wait = bind_backoff(retry);
                retry += 1;
                log::warn!(
                    "could not bind {address}: {error}; retry {retry} of {max_retries} in {} s",
                    wait.as_secs()
                );
                thread::sleep(wait);
            }
            Err(error) => return Err(error),
        }
    }
}

/// An HTTP response, before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// Further headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: String,
}

impl Reply {
    fn text(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            body: body.into(),
        }
    }
}

/// A request's method, as far as routing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`: answered like GET; the body is left out when written.
    Head,
    /// Anything else.
    Other,
}

/// Decides the reply to one request. `scrape` is called only for an
/// authorized `GET`/`HEAD /metrics` and returns the metrics or an error text.
pub fn route(
    method: Method,
    url: &str,
    authorization: Option<&str>,
    keys: Option<&Keys>,
    scrape: impl FnOnce() -> Result<String, String>,
) -> Reply {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path != "/" && path != "/metrics" {
        return Reply::text(404, "not found: try /metrics\n");
    }
    if method == Method::Other {
        let mut reply = Reply::text(405, "method not allowed: use GET or HEAD\n");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    if path == "/" {
        return Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: landing_page(),
        };
    }
    if let Some(keys) = keys {
        match keys.check(authorization) {
            Verdict::Allowed => {}
            Verdict::Missing => {
                let mut reply = Reply::text(401, "authentication required\n");
                reply
                    .headers
                    .push(("WWW-Authenticate", format!("Basic realm=\"{REALM}\"")));
                return reply;
            }
            Verdict::Malformed => {
                log::warn!("refused /metrics: malformed Authorization header");
                return Reply::text(403, "forbidden\n");
            }
            Verdict::Denied { user } => {
                log::warn!("refused /metrics: wrong credentials for user {user:?}");
                return Reply::text(403, "forbidden\n");
            }
        }
    }
    match scrape() {
        Ok(metrics) => Reply {
            status: 200,
            content_type: CONTENT_TYPE,
            headers: Vec::new(),
            body: metrics,
        },
        Err(error) => Reply::text(500, format!("{error}\n")),
    }
}

/// The page at `/`.
#[must_use]
pub fn landing_page() -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>zpool-status-exporter</title></head>\n\
         <body><h1>zpool-status-exporter</h1>\n<p>Version {version}. \
         Prometheus metrics for ZFS pool health: <a href=\"/metrics\">/metrics</a></p></body></html>\n"
    )
}

/// Runs `zpool status -p` and renders its metrics, or says what failed.
///
/// # Errors
/// The command line and the cause, when `zpool` gave no usable output.
pub fn scrape(runner: &mut ZpoolRunner) -> Result<String, String> {
    match runner.run() {
        Ok(output) => Ok(render::render(&crate::parse(&output, &Zoned::now()))),
        Err(error) => Err(format!("`{}` {error}", runner.command_line())),
    }
}

/// Answers requests forever, one at a time.
///
/// # Errors
/// When the server can no longer receive requests.
pub fn serve(
    server: &tiny_http::Server,
    runner: &mut ZpoolRunner,
    keys: Option<&Keys>,
) -> io::Result<()> {
    loop {
        let request = server.recv()?;
        let method = match request.method() {
            tiny_http::Method::Get => Method::Get,
            tiny_http::Method::Head => Method::Head,
            _ => Method::Other,
        };
        let authorization = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.as_str().to_owned());
        let reply = route(
            method,
            request.url(),
            authorization.as_deref(),
            keys,
            || {
                let result = scrape(runner);
                if let Err(error) = &result {
                    log::error!("scrape failed: {error}");
                }
                result
            },
        );
        if let Err(error) = request.respond(to_response(reply)) {
            log::debug!("could not send a response: {error}");
        }
    }
}

fn to_response(reply: Reply) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    // Always a Content-Length, never chunked: scrapers then know the size.
    let mut response = tiny_http::Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    let headers =
        std::iter::once(("Content-Type", reply.content_type.to_owned())).chain(reply.headers);
    for (name, value) in headers {
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) => response.add_header(header),
            Err(()) => log::error!("invalid response header {name}: {value:?}"),
        }
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn no_scrape() -> Result<String, String> {
        panic!("scrape must not run")
    }

    #[test]
    fn backoff_doubles_to_sixteen() {
        let waits: Vec<u64> = (0..7).map(|r| bind_backoff(r).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 16, 16]);
    }

    #[test]
    fn routes() {
        assert_eq!(
            route(Method::Get, "/nope", None, None, no_scrape).status,
            404
        );
        let post = route(Method::Other, "/metrics", None, None, no_scrape);
        assert_eq!(post.status, 405);
        assert_eq!(post.headers, [("Allow", "GET, HEAD".to_owned())]);
        let landing = route(Method::Get, "/", None, None, no_scrape);
        assert!(landing.body.contains("zpool-status-exporter"));
        assert!(landing.body.contains("href=\"/metrics\""));
        let ok = route(Method::Get, "/metrics?x=1", None, None, || Ok("m\n".into()));
        assert_eq!(
            (ok.status, ok.content_type, ok.body.as_str()),
            (200, CONTENT_TYPE, "m\n")
        );
        let failed = route(Method::Head, "/metrics", None, None, || Err("boom".into()));
        assert_eq!((failed.status, failed.body.as_str()), (500, "boom\n"));
    }

    #[test]
    fn auth_guards_metrics_only() {
        let keys = Keys::parse("alice:one\n").unwrap();
        let missing = route(Method::Get, "/metrics", None, Some(&keys), no_scrape);
        assert_eq!(missing.status, 401);
        assert_eq!(
            missing.headers,
            [(
                "WWW-Authenticate",
                "Basic realm=\"zpool-status-exporter\"".to_owned()
            )]
        );
        let wrong = route(
            Method::Get,
            "/metrics",
            Some("Basic YWxpY2U6dHdv"),
            Some(&keys),
            no_scrape,
        );
        assert_eq!(wrong.status, 403);
        let malformed = route(
            Method::Get,
            "/metrics",
            Some("Basic %%%"),
            Some(&keys),
            no_scrape,
        );
        assert_eq!(malformed.status, 403);
        let right = route(
            Method::Get,
            "/metrics",
            Some("Basic YWxpY2U6b25l"),
            Some(&keys),
            || Ok(String::new()),
        );
        assert_eq!(right.status, 200);
        assert_eq!(
            route(Method::Get, "/", None, Some(&keys), no_scrape).status,
            200
        );
    }
}
