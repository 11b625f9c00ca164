//! The HTTP front: binding with retries, routing, and the request loop.
//!
//! Routing ([`route`]) is a pure function from a request's method, path and
//! `Authorization` header to a [`Reply`]; the loop around it ([`serve`]) does
//! the I/O, one request at a time, around `tiny_http` 0.12's holes (issue 5):
//!
//! * every accepted socket inherits `TCP_NODELAY` and a send timeout from the
//!   listener, and each response leaves in one write with a deadline;
//! * a request whose body `tiny_http` would drain on drop is never dropped
//!   ([`crate::http::Body::Undrainable`]): it is leaked on purpose, the only
//!   way that neither aborts the process nor stalls the loop;
//! * requests are queued per connection (bounded), served round-robin, and
//!   the `/metrics` requests waiting while `zpool` ran share its result;
//!   a connection whose response could not be written gets nothing more;
//! * a receive error, or a self-probe that goes unanswered, ends the process
//!   with a non-zero status instead of leaving it alive and deaf.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::auth::{Keys, Verdict};
use crate::http::{self, Body};
use crate::render::CONTENT_TYPE;
use crate::render_scrape;
use crate::scrape::Scraper;

/// The realm of the basic auth challenge.
pub const REALM: &str = "zpool-status-exporter";

/// How long one `send` on an accepted socket may block without progress.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(2);

/// How long writing one response may take in all.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(5);

/// Requests queued per connection; one more and the connection is dropped
/// from service (its queued and later requests are discarded unanswered).
pub const MAX_QUEUED_PER_CONNECTION: usize = 16;

/// A successful scrape younger than this answers `/metrics` again.
pub const REUSE_SCRAPE: Duration = Duration::from_secs(1);

/// How long a connection whose response failed stays discarded.
pub const DISCARD_FOR: Duration = Duration::from_secs(30);

/// Most connections remembered as discarded (and peers as warned).
pub const MAX_REMEMBERED: usize = 1024;

/// Requests moved from `tiny_http`'s queue into ours between two answers.
const INGEST_BATCH: usize = 1024;

/// Pause between two self-probes.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(2);

/// The waits between bind attempts: 1, 2, 4, 8, 16, then 16 s each.
#[must_use]
pub fn bind_backoff(retry: u32) -> Duration {
    Duration::from_secs(1 << retry.min(4))
}

/// A bound, tuned listener served by `tiny_http`.
pub struct Listening {
    /// The server that accepts and parses.
    pub server: tiny_http::Server,
    /// The address actually bound (port resolved).
    pub address: SocketAddr,
}

fn bind_tuned(address: &str) -> Result<Listening, Box<dyn std::error::Error + Send + Sync>> {
    let listener = http::tune_listener(TcpListener::bind(address)?, SEND_TIMEOUT)?;
    let address = listener.local_addr()?;
    let server = tiny_http::Server::from_listener(listener, None)?;
    Ok(Listening { server, address })
}

/// Binds `address`, retrying up to `max_retries` times with [`bind_backoff`].
///
/// # Errors
/// The last bind error, once the retries are used up.
pub fn bind_with_retries(
    address: &str,
    max_retries: u32,
) -> Result<Listening, Box<dyn std::error::Error + Send + Sync>> {
    let mut retry = 0;
    loop {
        match bind_tuned(address) {
            Ok(listening) => return Ok(listening),
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

    fn method_not_allowed() -> Self {
        let mut reply = Self::text(405, "method not allowed: use GET or HEAD\n");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        reply
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
        return Reply::method_not_allowed();
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

/// How long the self-probe may go unanswered: one scrape plus one
/// response write (the longest the loop is busy between two looks at its
/// queue), plus a margin.
#[must_use]
pub fn probe_deadline(scrape_timeout: Duration) -> Duration {
    scrape_timeout + RESPONSE_DEADLINE + SEND_TIMEOUT + Duration::from_secs(5)
}

/// Answers requests until the server breaks, one at a time.
///
/// # Errors
/// When `tiny_http` can no longer receive requests (its accept thread is
/// gone), or the watchdog thread cannot be started.
pub fn serve(listening: &Listening, scraper: &mut Scraper, keys: Option<&Keys>) -> io::Result<()> {
    let probe_path = format!("/.probe/{}", http::random_token());
    let target = http::loopback_for(listening.address);
    let deadline = probe_deadline(scraper.timeout());
    let path = probe_path.clone();
    thread::Builder::new()
        .name("self-probe".into())
        .spawn(move || watchdog(target, &path, deadline))?;
    let mut front = Front {
        server: &listening.server,
        scraper,
        keys,
        probe_path,
        queues: HashMap::new(),
        ring: VecDeque::new(),
        discarded: HashMap::new(),
        warned: HashSet::new(),
        leaked: 0,
        seq: 0,
        last_scrape: None,
        broken: None,
    };
    front.run()
}

type Peer = Option<SocketAddr>;

struct Queued {
    request: tiny_http::Request,
    seq: u64,
    /// Whether it announced a (refusable) body, as classified at admission.
    has_body: bool,
}

struct LastScrape {
    result: Result<String, String>,
    finished: Instant,
    /// Requests with a smaller sequence number were queued when it finished.
    covers_below: u64,
}

struct Front<'a> {
    server: &'a tiny_http::Server,
    scraper: &'a mut Scraper,
    keys: Option<&'a Keys>,
    probe_path: String,
    /// Per connection, in arrival order (responses must leave in that order).
    queues: HashMap<Peer, VecDeque<Queued>>,
    /// Connections with queued requests, served round-robin.
    ring: VecDeque<Peer>,
    /// Connections whose requests are discarded, and since when.
    discarded: HashMap<SocketAddr, Instant>,
    /// Peers already warned about a leaked request.
    warned: HashSet<IpAddr>,
    leaked: u64,
    seq: u64,
    last_scrape: Option<LastScrape>,
    broken: Option<io::Error>,
}

impl Front<'_> {
    fn run(&mut self) -> io::Result<()> {
        loop {
            if self.ring.is_empty() {
                match self.server.recv() {
                    Ok(request) => self.admit(request),
                    Err(error) => return Err(Self::fatal(error)),
                }
            }
            self.ingest();
            if let Some(queued) = self.next_queued() {
                self.handle(queued);
            }
            if let Some(error) = self.broken.take() {
                return Err(error);
            }
        }
    }

    fn fatal(error: io::Error) -> io::Error {
        log::error!(
            "tiny_http stopped accepting connections ({error}); exiting so that the service \
             manager restarts the exporter"
        );
        error
    }

    /// Moves what `tiny_http` has queued into our per-connection queues.
    fn ingest(&mut self) {
        for _ in 0..INGEST_BATCH {
            match self.server.try_recv() {
                Ok(Some(request)) => self.admit(request),
                Ok(None) => return,
                Err(error) => {
                    let error = Self::fatal(error);
                    self.broken.get_or_insert(error);
                    return;
                }
            }
        }
    }

    fn admit(&mut self, request: tiny_http::Request) {
        self.seq += 1;
        let body = http::classify_body(request.headers());
        if let Body::Undrainable { announced } = body {
            self.leak(request, announced);
            return;
        }
        if request.url() == self.probe_path {
            let reply = Reply::text(200, "ok\n");
            if let Err(error) = write_reply(request, reply, true) {
                log::warn!("could not answer the self-probe: {error}");
            }
            return;
        }
        let peer = request.remote_addr().copied();
        if self.is_discarded(peer) {
            drop(request.into_writer());
            return;
        }
        let queue = self.queues.entry(peer).or_default();
        if queue.len() >= MAX_QUEUED_PER_CONNECTION {
            log::warn!(
                "{} pipelined more than {MAX_QUEUED_PER_CONNECTION} requests; \
                 discarding its requests",
                show(peer)
            );
            drop(request.into_writer());
            self.discard(peer);
            return;
        }
        if queue.is_empty() {
            self.ring.push_back(peer);
        }
        queue.push_back(Queued {
            request,
            seq: self.seq,
            has_body: body != Body::Absent,
        });
    }

    /// Leaks a request whose body `tiny_http` would drain on drop: dropping
    /// it would abort the process (huge `Content-Length`) or block this
    /// thread until the client sends the body or leaves. Leaking keeps its
    /// connection's two file descriptors and `tiny_http` thread until exit.
    fn leak(&mut self, request: tiny_http::Request, announced: usize) {
        self.leaked += 1;
        let ip = request.remote_addr().map(SocketAddr::ip);
        let first_from_peer = ip.is_none_or(|ip| {
            if self.warned.len() >= MAX_REMEMBERED {
                self.warned.clear();
            }
            self.warned.insert(ip)
        });
        if first_from_peer {
            log::warn!(
                "{} sent {} {} announcing a {announced}-byte body; tiny_http cannot drop it \
                 safely, so it stays unanswered and its connection is held until the exporter \
                 exits ({} such requests so far)",
                ip.map_or_else(|| "a client".to_owned(), |ip| ip.to_string()),
                request.method(),
                request.url().chars().take(100).collect::<String>(),
                self.leaked,
            );
        }
        std::mem::forget(request);
    }

    fn is_discarded(&mut self, peer: Peer) -> bool {
        let Some(peer) = peer else { return false };
        match self.discarded.get(&peer) {
            Some(since) if since.elapsed() < DISCARD_FOR => true,
            Some(_) => {
                self.discarded.remove(&peer);
                false
            }
            None => false,
        }
    }

    /// Discards the connection's queued requests, and its later ones for
    /// [`DISCARD_FOR`]. Nothing is written to it.
    fn discard(&mut self, peer: Peer) {
        if let Some(queue) = self.queues.remove(&peer) {
            for queued in queue {
                drop(queued.request.into_writer());
            }
            self.ring.retain(|p| *p != peer);
        }
        let Some(peer) = peer else { return };
        if self.discarded.len() >= MAX_REMEMBERED {
            self.discarded
                .retain(|_, since| since.elapsed() < DISCARD_FOR);
            if self.discarded.len() >= MAX_REMEMBERED
                && let Some(oldest) = self
                    .discarded
                    .iter()
                    .min_by_key(|(_, since)| **since)
                    .map(|(p, _)| *p)
            {
                self.discarded.remove(&oldest);
            }
        }
        self.discarded.insert(peer, Instant::now());
    }

    fn next_queued(&mut self) -> Option<Queued> {
        let peer = self.ring.pop_front()?;
        let queue = self.queues.get_mut(&peer)?;
        let queued = queue.pop_front();
        if queue.is_empty() {
            self.queues.remove(&peer);
        } else {
            self.ring.push_back(peer);
        }
        queued
    }

    fn handle(&mut self, queued: Queued) {
        let Queued {
            request,
            seq,
            has_body,
        } = queued;
        let peer = request.remote_addr().copied();
        let method = match request.method() {
            tiny_http::Method::Get => Method::Get,
            tiny_http::Method::Head => Method::Head,
            _ => Method::Other,
        };
        let (reply, close) = if has_body {
            (refuse_body(method), true)
        } else if http::head_too_large(request.url(), request.headers()) {
            let reply = Reply::text(431, "request header fields too large\n");
            (reply, true)
        } else {
            let authorization = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.as_str().to_owned());
            let keys = self.keys;
            let reply = route(
                method,
                request.url(),
                authorization.as_deref(),
                keys,
                || self.scrape_for(seq),
            );
            (reply, false)
        };
        if let Err(error) = write_reply(request, reply, close) {
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                log::warn!(
                    "{} does not read its response ({error}); discarding its requests",
                    show(peer)
                );
            } else {
                log::debug!("could not send a response to {}: {error}", show(peer));
            }
            self.discard(peer);
        }
    }

    /// The metrics for request number `seq`: the last scrape's result when
    /// the request was already queued when it finished, or when it is a
    /// success younger than [`REUSE_SCRAPE`]; otherwise a new scrape.
    fn scrape_for(&mut self, seq: u64) -> Result<String, String> {
        if let Some(last) = &self.last_scrape
            && (seq < last.covers_below
                || (last.result.is_ok() && last.finished.elapsed() < REUSE_SCRAPE))
        {
            return last.result.clone();
        }
        let result = self
            .scraper
            .scrape()
            .map(|scrape| render_scrape::render(&scrape))
            .map_err(|error| error.to_string());
        if let Err(error) = &result {
            log::error!("scrape failed: {error}");
        }
        let finished = Instant::now();
        // Whatever queued up meanwhile shares this result.
        self.ingest();
        self.last_scrape = Some(LastScrape {
            result: result.clone(),
            finished,
            covers_below: self.seq + 1,
        });
        result
    }
}

fn show(peer: Peer) -> String {
    peer.map_or_else(|| "a client".to_owned(), |p| p.to_string())
}

/// The answer to a request that announces a body: we never need one.
fn refuse_body(method: Method) -> Reply {
    if method == Method::Other {
        Reply::method_not_allowed()
    } else {
        Reply::text(413, "request bodies are not accepted\n")
    }
}

/// Writes `reply` in one piece within [`RESPONSE_DEADLINE`]. The request must
/// not hold an undrainable body (taking its writer drops it).
fn write_reply(request: tiny_http::Request, reply: Reply, close: bool) -> io::Result<()> {
    let head_only = *request.method() == tiny_http::Method::Head;
    let bytes = http::print(
        to_response(reply),
        request.http_version().clone(),
        request.headers(),
        head_only,
        close,
    )?;
    let mut writer = request.into_writer();
    http::write_within(&mut *writer, &bytes, Instant::now() + RESPONSE_DEADLINE)
}

/// The self-probe: every [`PROBE_INTERVAL`], connect to our own listener and
/// ask for the secret probe path. Exits the process when the listener
/// refuses (`tiny_http`'s accept thread died and dropped it), or when no probe
/// has been answered for `deadline` (accept or request loop stuck).
fn watchdog(target: SocketAddr, path: &str, deadline: Duration) {
    let mut last_ok = Instant::now();
    loop {
        thread::sleep(PROBE_INTERVAL);
        match probe(target, path, deadline) {
            Ok(()) => last_ok = Instant::now(),
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {
                log::error!(
                    "self-probe: {target} refuses connections ({error}): tiny_http's accept \
                     thread is gone; exiting so that the service manager restarts the exporter"
                );
                std::process::exit(1);
            }
            Err(error) if last_ok.elapsed() >= deadline => {
                log::error!(
                    "self-probe: no request to {target} answered for {} s (last: {error}); \
                     exiting so that the service manager restarts the exporter",
                    last_ok.elapsed().as_secs()
                );
                std::process::exit(1);
            }
            Err(error) => log::warn!("self-probe of {target} failed: {error}"),
        }
    }
}

fn probe(target: SocketAddr, path: &str, limit: Duration) -> io::Result<()> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect_timeout(&target, limit)?;
    stream.set_write_timeout(Some(limit))?;
    stream.set_read_timeout(Some(limit))?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut answer = Vec::new();
    stream.take(4096).read_to_end(&mut answer)?;
    if answer.starts_with(b"HTTP/1.1 200 ") && answer.ends_with(b"ok\n") {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "unexpected answer {:?}",
            String::from_utf8_lossy(&answer[..answer.len().min(40)])
        )))
    }
}

fn to_response(reply: Reply) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut response = tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
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
