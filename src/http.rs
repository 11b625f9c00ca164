//! Pure helpers that keep `tiny_http` 0.12 from hurting the request loop.
//!
//! `tiny_http` owns the sockets: it accepts, parses heads and hands us
//! [`tiny_http::Request`]s. What we can still decide from outside lives here:
//! which requests must never be dropped ([`classify_body`]), which heads we
//! refuse ([`head_too_large`]), socket options every accepted connection
//! inherits from the listener ([`tune_listener`]), and one-write responses
//! with a deadline ([`print`], [`write_within`]).

use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use tiny_http::{HTTPVersion, Header, Response};

/// Most headers a request may carry; more is answered with 431.
pub const MAX_HEADERS: usize = 64;

/// Most bytes a request line plus headers may take; more is answered with 431.
pub const MAX_HEAD_BYTES: usize = 8192;

/// Bodies up to this size are read by `tiny_http` before we see the request
/// (`tiny_http` 0.12 `request.rs`, unless `Expect: 100-continue`).
pub const EAGER_BODY_LIMIT: usize = 1024;

/// What dropping a request would do with its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body announced: answer and drop as usual.
    Absent,
    /// A body is announced, but dropping the request is harmless (already
    /// read, chunked, or a raw upgrade stream): refuse it and ask to close.
    Refusable,
    /// `tiny_http` wrapped the body in its `EqualReader`, whose `Drop` reads
    /// the rest of the announced length into a buffer of that size, blocking,
    /// in whichever thread drops it: it aborts the process for a huge
    /// `Content-Length` and stalls for a withheld body. Such a request must
    /// never be dropped (see `serve`).
    Undrainable {
        /// The announced `Content-Length`.
        announced: usize,
    },
}

fn first<'h>(headers: &'h [Header], name: &'static str) -> Option<&'h str> {
    headers
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Classifies a request's body exactly as `tiny_http` 0.12's `new_request`
/// chose its body reader (first header of each name wins).
#[must_use]
pub fn classify_body(headers: &[Header]) -> Body {
    let transfer_encoding = first(headers, "Transfer-Encoding");
    let content_length = first(headers, "Content-Length");
    let expects_continue =
        first(headers, "Expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
    let upgrade =
        first(headers, "Connection").is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"));
    if transfer_encoding.is_some() {
        // Chunked decoder (or the raw stream): dropping it reads nothing.
        return Body::Refusable;
    }
    let Some(text) = content_length else {
        return Body::Absent;
    };
    match text.parse::<usize>() {
        // tiny_http ignores a Content-Length it cannot parse; we refuse it.
        Err(_) => Body::Refusable,
        Ok(0) => Body::Absent,
        Ok(_) if upgrade => Body::Refusable,
        Ok(length) if length <= EAGER_BODY_LIMIT && !expects_continue => Body::Refusable,
        Ok(announced) => Body::Undrainable { announced },
    }
}

/// True when the request line plus headers exceed [`MAX_HEADERS`] or
/// [`MAX_HEAD_BYTES`] (counted as sent: `Name: value\r\n`).
#[must_use]
pub fn head_too_large(url: &str, headers: &[Header]) -> bool {
    let bytes = url.len()
        + headers
            .iter()
            .map(|h| h.field.as_str().as_str().len() + h.value.as_str().len() + 4)
            .sum::<usize>();
    headers.len() > MAX_HEADERS || bytes > MAX_HEAD_BYTES
}

/// Serializes `response` with `tiny_http`'s own printer into one buffer
/// (always `Content-Length`, never chunked), adding `Connection: close`
/// after the status line when `close` (`tiny_http` drops that header from
/// [`Response::add_header`]).
///
/// # Errors
/// Only from the response's reader, which is in memory.
pub fn print<R: io::Read>(
    response: Response<R>,
    version: HTTPVersion,
    request_headers: &[Header],
    head_only: bool,
    close: bool,
) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(512);
    response.with_chunked_threshold(usize::MAX).raw_print(
        &mut bytes,
        version,
        request_headers,
        head_only,
        None,
    )?;
    if close && let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") {
        bytes.splice(end + 2..end + 2, b"Connection: close\r\n".iter().copied());
    }
    Ok(bytes)
}

/// The largest piece handed to the socket at once; the deadline is checked
/// between pieces. Responses up to this size leave in a single `send`.
pub const WRITE_PIECE: usize = 64 * 1024;

/// Writes `bytes` and flushes, failing with `TimedOut` once `deadline` has
/// passed between pieces of [`WRITE_PIECE`] bytes. A stalled single `send`
/// is bounded by the socket's send timeout (see [`tune_listener`]).
///
/// # Errors
/// The write error, or `TimedOut` past the deadline.
pub fn write_within(writer: &mut dyn Write, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    for piece in bytes.chunks(WRITE_PIECE) {
        if Instant::now() > deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the response deadline passed",
            ));
        }
        writer.write_all(piece)?;
    }
    writer.flush()
}

/// Sets `TCP_NODELAY` and `SO_SNDTIMEO` on a listening socket; Linux copies
/// both to every accepted socket, which is the only way to reach the
/// sockets `tiny_http` accepts. (`SO_RCVTIMEO` would also apply to
/// `accept()` itself and make `tiny_http`'s accept thread quit.)
///
/// # Errors
/// From `setsockopt`.
pub fn tune_listener(listener: TcpListener, send_timeout: Duration) -> io::Result<TcpListener> {
    let socket = TcpStream::from(OwnedFd::from(listener));
    socket.set_nodelay(true)?;
    socket.set_write_timeout(Some(send_timeout))?;
    Ok(TcpListener::from(OwnedFd::from(socket)))
}

/// The address to reach a listener bound to `address` from this host: the
/// loopback address of the same family for a wildcard bind.
#[must_use]
pub fn loopback_for(address: SocketAddr) -> SocketAddr {
    let ip = match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, address.port())
}

/// 128 unpredictable bits as hex, from std's randomly keyed hasher.
#[must_use]
pub fn random_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut token = String::with_capacity(32);
    for i in 0..2u8 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u8(i);
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        let _ = write!(token, "{:016x}", hasher.finish());
    }
    token
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(list: &[(&str, &str)]) -> Vec<Header> {
        list.iter()
            .map(|(n, v)| Header::from_bytes(n.as_bytes(), v.as_bytes()).unwrap())
            .collect()
    }

    #[test]
    fn bodies() {
        let c = |list: &[(&str, &str)]| classify_body(&headers(list));
        assert_eq!(c(&[]), Body::Absent);
        assert_eq!(c(&[("Content-Length", "0")]), Body::Absent);
        assert_eq!(c(&[("content-length", "5")]), Body::Refusable);
        assert_eq!(c(&[("Content-Length", "1024")]), Body::Refusable);
        assert_eq!(
            c(&[("Content-Length", "1025")]),
            Body::Undrainable { announced: 1025 }
        );
        assert_eq!(
            c(&[("Content-Length", "18446744073709551615")]),
            Body::Undrainable {
                announced: usize::MAX
            }
        );
        assert_eq!(
            c(&[("Content-Length", "99999999999999999999")]),
            Body::Refusable
        );
        assert_eq!(c(&[("Content-Length", "x")]), Body::Refusable);
        assert_eq!(
            c(&[("Content-Length", "5"), ("Expect", "100-Continue")]),
            Body::Undrainable { announced: 5 }
        );
        assert_eq!(
            c(&[
                ("Content-Length", "100000"),
                ("Transfer-Encoding", "chunked")
            ]),
            Body::Refusable
        );
        assert_eq!(
            c(&[("Content-Length", "100000"), ("Connection", "Upgrade")]),
            Body::Refusable
        );
        // The first Content-Length is the one tiny_http uses.
        assert_eq!(
            c(&[("Content-Length", "0"), ("Content-Length", "5000")]),
            Body::Absent
        );
    }

    #[test]
    fn head_limits() {
        assert!(!head_too_large("/metrics", &headers(&[("Host", "x")])));
        let many: Vec<(String, String)> = (0..=MAX_HEADERS)
            .map(|i| (format!("X-{i}"), "v".to_owned()))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (&**n, &**v)).collect();
        assert!(head_too_large("/", &headers(&many)));
        let big = "a".repeat(MAX_HEAD_BYTES);
        assert!(head_too_large("/", &headers(&[("X-Big", &big)])));
        assert!(head_too_large(&format!("/{big}"), &[]));
        assert!(!head_too_large(&big, &[]));
    }

    #[test]
    fn prints_in_one_buffer_with_length_and_close() {
        let body = "x".repeat(40_000);
        let bytes = print(
            Response::from_string(body.clone()).with_status_code(413),
            HTTPVersion(1, 1),
            &[],
            false,
            true,
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n"),
            "{head}"
        );
        assert!(head.contains("Content-Length: 40000"), "{head}");
        assert!(!head.contains("chunked"), "{head}");
        assert_eq!(rest, body);
        let head_only = print(
            Response::from_string(body),
            HTTPVersion(1, 1),
            &[],
            true,
            false,
        )
        .unwrap();
        let text = String::from_utf8(head_only).unwrap();
        assert!(text.ends_with("\r\n\r\n") && text.contains("Content-Length: 40000"));
        assert!(!text.contains("Connection"));
    }

    #[test]
    fn loopback_of_wildcards() {
        let l = |s: &str| loopback_for(s.parse().unwrap()).to_string();
        assert_eq!(l("0.0.0.0:9"), "127.0.0.1:9");
        assert_eq!(l("[::]:9"), "[::1]:9");
        assert_eq!(l("192.0.2.1:9"), "192.0.2.1:9");
    }

    #[test]
    fn tokens_differ() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn deadline_stops_between_pieces() {
        let mut sink = Vec::new();
        let past = Instant::now()
            .checked_sub(Duration::from_millis(1))
            .unwrap();
        let error = write_within(&mut sink, b"abc", past).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        write_within(&mut sink, b"abc", Instant::now() + Duration::from_secs(5)).unwrap();
        assert_eq!(sink, b"abc");
    }
}
