//! Tells systemd the service is ready (`Type=notify`), without a library.

use std::io;
use std::os::unix::net::UnixDatagram;

/// Sends `READY=1` to `$NOTIFY_SOCKET`, if it is set.
///
/// Returns whether a notification was sent.
///
/// # Errors
/// When the socket named by `NOTIFY_SOCKET` cannot be reached.
pub fn notify_ready() -> io::Result<bool> {
    match std::env::var_os("NOTIFY_SOCKET") {
        Some(socket) => send(&socket.to_string_lossy(), "READY=1").map(|()| true),
        None => Ok(false),
    }
}

/// Sends one notification datagram to `socket`: a path, or an abstract
/// socket name written with a leading `@`.
///
/// # Errors
/// When the socket cannot be created or the datagram not sent.
pub fn send(socket: &str, message: &str) -> io::Result<()> {
    let datagram = UnixDatagram::unbound()?;
    if let Some(name) = socket.strip_prefix('@') {
        send_abstract(&datagram, name, message)
    } else {
        datagram.send_to(message.as_bytes(), socket).map(|_| ())
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn send_abstract(datagram: &UnixDatagram, name: &str, message: &str) -> io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
    datagram
        .send_to_addr(message.as_bytes(), &address)
        .map(|_| ())
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn send_abstract(_: &UnixDatagram, name: &str, _: &str) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("abstract socket @{name} is only supported on Linux"),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sends_to_a_path_socket() {
        let path = std::env::temp_dir().join(format!("zse-notify-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let receiver = UnixDatagram::bind(&path).unwrap();
        send(path.to_str().unwrap(), "READY=1").unwrap();
        let mut buffer = [0u8; 64];
        let n = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"READY=1");
        std::fs::remove_file(&path).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn sends_to_an_abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("zse-notify-test-{}", std::process::id());
        let address = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let receiver = UnixDatagram::bind_addr(&address).unwrap();
        send(&format!("@{name}"), "READY=1").unwrap();
        let mut buffer = [0u8; 64];
        let n = receiver.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"READY=1");
    }
}
