//! HTTP basic authentication: the keys file and the `Authorization` header.

use std::fmt;

/// One `user:password` pair from the keys file.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    user: String,
    password: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// Why a keys file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeysError {
    /// A line without `:` (its 1-based number).
    MissingColon(usize),
    /// A line with an empty user name (its 1-based number).
    EmptyUser(usize),
    /// No credentials at all.
    Empty,
}

impl fmt::Display for KeysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingColon(line) => write!(f, "line {line} is not of the form user:password"),
            Self::EmptyUser(line) => write!(f, "line {line} has an empty user name"),
            Self::Empty => write!(f, "it holds no user:password line"),
        }
    }
}

impl std::error::Error for KeysError {}

/// The accepted credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys(Vec<Credential>);

impl Keys {
    /// Reads a keys file's text: `user:password` lines; blank lines and lines
    /// starting with `#` are ignored. The password is everything after the
    /// first `:`, kept exactly.
    ///
    /// # Errors
    /// A line that is not `user:password`, or no credentials at all.
    pub fn parse(text: &str) -> Result<Self, KeysError> {
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let (user, password) = line
                .split_once(':')
                .ok_or(KeysError::MissingColon(index + 1))?;
            if user.is_empty() {
                return Err(KeysError::EmptyUser(index + 1));
            }
            keys.push(Credential {
                user: user.to_owned(),
                password: password.to_owned(),
            });
        }
        if keys.is_empty() {
            return Err(KeysError::Empty);
        }
        Ok(Self(keys))
    }

    /// Checks an `Authorization` header value.
    #[must_use]
    pub fn check(&self, header: Option<&str>) -> Verdict {
        let Some(header) = header else {
            return Verdict::Missing;
        };
        let Some((user, password)) = decode_basic(header) else {
            return Verdict::Malformed;
        };
        // Compare with every entry, without stopping at the first match, in
        // time that does not depend on where the bytes differ.
        let mut matched = false;
        for key in &self.0 {
            matched |= constant_time_eq(key.user.as_bytes(), user.as_bytes())
                & constant_time_eq(key.password.as_bytes(), password.as_bytes());
        }
        if matched {
            Verdict::Allowed
        } else {
            Verdict::Denied { user }
        }
    }
}

/// The outcome of [`Keys::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Known user, right password.
    Allowed,
    /// No `Authorization` header: answer 401 with a challenge.
    Missing,
    /// A header that is not valid basic auth: answer 403.
    Malformed,
    /// Unknown user or wrong password: answer 403.
    Denied {
        /// The user name that was tried (never the password).
        user: String,
    },
}

/// `user` and `password` from `Basic <base64 of user:password>`.
#[must_use]
pub fn decode_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Decodes standard base64 (RFC 4648, with `=` padding).
#[must_use]
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (index, chunk) in bytes.chunks(4).enumerate() {
        let last = index + 1 == bytes.len() / 4;
        let padding = chunk.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 2 || (padding > 0 && !last) {
            return None;
        }
        let mut group: u32 = 0;
        for &byte in &chunk[..4 - padding] {
            group = (group << 6) | u32::from(sextet(byte)?);
        }
        group <<= 6 * padding;
        let [_, a, b, c] = group.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..3 - padding]);
    }
    Some(out)
}

/// Encodes standard base64 (RFC 4648, with `=` padding): for clients and tests.
#[must_use]
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut group = [0u8; 3];
        group[..chunk.len()].copy_from_slice(chunk);
        let bits = (u32::from(group[0]) << 16) | (u32::from(group[1]) << 8) | u32::from(group[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (bits >> (18 - 6 * i)) & 63;
                out.push(char::from(ALPHABET[index as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Whether `a == b`, looking at every byte of the longer one whatever the
/// contents (only the lengths can be told apart by timing).
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        difference |= x ^ y;
    }
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_round_trips_known_vectors() {
        let vectors = [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (encoded, plain) in vectors {
            assert_eq!(
                base64_decode(encoded).unwrap(),
                plain.as_bytes(),
                "{encoded}"
            );
        }
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9v!", "****"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn base64_encode_round_trips() {
        for text in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "alice:s3cr:et",
            "é\u{0}\u{ff}",
        ] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(
                base64_decode(&encoded).unwrap(),
                text.as_bytes(),
                "{text:?}"
            );
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn decodes_basic_header() {
        // "alice:s3cr:et" - the password may contain ':'.
        assert_eq!(
            decode_basic("Basic YWxpY2U6czNjcjpldA=="),
            Some(("alice".into(), "s3cr:et".into()))
        );
        assert_eq!(
            decode_basic("basic YWxpY2U6czNjcjpldA=="),
            Some(("alice".into(), "s3cr:et".into()))
        );
        assert_eq!(decode_basic("Bearer YWxpY2U6czNjcjpldA=="), None);
        assert_eq!(decode_basic("Basic YWxpY2U="), None); // "alice", no colon
        assert_eq!(decode_basic("Basic"), None);
    }

    #[test]
    fn keys_file_rules() {
        let keys = Keys::parse("# comment\n\nalice:one\r\nbob:two:three\n").unwrap();
        assert_eq!(keys.0.len(), 2);
        assert_eq!(keys.0[1].password, "two:three");
        assert_eq!(Keys::parse("# only\n\n"), Err(KeysError::Empty));
        assert_eq!(Keys::parse("alice\n"), Err(KeysError::MissingColon(1)));
        assert_eq!(Keys::parse("a:b\n:pw\n"), Err(KeysError::EmptyUser(2)));
    }

    #[test]
    fn verdicts() {
        let keys = Keys::parse("alice:one\nbob:two\n").unwrap();
        let basic = |s: &str| format!("Basic {}", base64_encode(s.as_bytes()));
        assert_eq!(keys.check(None), Verdict::Missing);
        assert_eq!(keys.check(Some(&basic("alice:one"))), Verdict::Allowed);
        assert_eq!(keys.check(Some(&basic("bob:two"))), Verdict::Allowed);
        assert_eq!(
            keys.check(Some(&basic("alice:two"))),
            Verdict::Denied {
                user: "alice".into()
            }
        );
        assert_eq!(
            keys.check(Some(&basic("alice:on"))),
            Verdict::Denied {
                user: "alice".into()
            }
        );
        assert_eq!(keys.check(Some("Basic !!!!")), Verdict::Malformed);
    }

    #[test]
    fn debug_hides_passwords() {
        let keys = Keys::parse("alice:topsecret\n").unwrap();
        assert!(!format!("{keys:?}").contains("topsecret"));
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"\0"));
        assert!(constant_time_eq(b"", b""));
    }
}
