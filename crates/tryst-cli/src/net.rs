//! Driving a sans-IO connection over a blocking TCP socket, and explaining failures in one
//! line.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use tryst::ConnectionCommon;

/// Why a connection stopped.
#[derive(Debug)]
pub enum NetError {
    /// The TLS layer failed (the alert, if any, was sent).
    Tls(tryst::Error),
    /// The socket failed.
    Io(io::Error),
    /// The socket reached end of file during the handshake.
    Eof,
    /// Nothing arrived within the socket's read timeout during the handshake.
    Timeout,
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Send everything the connection has queued.
pub fn flush(conn: &mut ConnectionCommon, sock: &mut TcpStream) -> Result<(), NetError> {
    while conn.wants_write() {
        conn.write_tls(sock).map_err(NetError::Io)?;
    }
    sock.flush().map_err(NetError::Io)
}

/// Queue all of `data` for the peer. The connection buffers a bounded amount
/// (`Limits::max_buffered_send`); whenever it is full, what it holds goes out to the socket
/// (or, during the handshake, the handshake makes progress) before the rest is queued.
pub fn send_all(
    conn: &mut ConnectionCommon,
    sock: &mut TcpStream,
    mut data: &[u8],
) -> Result<(), NetError> {
    while !data.is_empty() {
        let n = conn.send_plaintext(data).map_err(NetError::Tls)?;
        data = data.get(n..).unwrap_or_default();
        if n == 0 {
            if conn.is_handshaking() {
                if !pump(conn, sock)? {
                    return Err(NetError::Eof);
                }
            } else {
                flush(conn, sock)?;
            }
        }
    }
    Ok(())
}

/// Run the handshake to completion. Unlike `tryst::Stream::complete_handshake` this stops
/// at end of file instead of reading again.
pub fn handshake(conn: &mut ConnectionCommon, sock: &mut TcpStream) -> Result<(), NetError> {
    loop {
        flush(conn, sock)?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        let n = match conn.read_tls(sock) {
            Ok(n) => n,
            Err(e) if is_timeout(&e) && e.kind() != io::ErrorKind::Interrupted => {
                return Err(NetError::Timeout);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(NetError::Io(e)),
        };
        let processed = conn.process_new_packets();
        if let Err(e) = processed {
            let _ = flush(conn, sock);
            return Err(NetError::Tls(e));
        }
        if n == 0 {
            return Err(NetError::Eof);
        }
    }
}

/// One read from the socket (which may time out, returning `Ok(true)` with nothing
/// new), processing of what came, and a flush of the answers. `Ok(false)` at end of file.
pub fn pump(conn: &mut ConnectionCommon, sock: &mut TcpStream) -> Result<bool, NetError> {
    flush(conn, sock)?;
    let open = match conn.read_tls(sock) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) if is_timeout(&e) => return Ok(true),
        Err(e) => return Err(NetError::Io(e)),
    };
    if let Err(e) = conn.process_new_packets() {
        let _ = flush(conn, sock);
        return Err(NetError::Tls(e));
    }
    flush(conn, sock)?;
    Ok(open)
}

/// Move received plaintext into `out`. Returns `Ok(true)` once the peer's close_notify has
/// been read (after all data before it).
pub fn drain(conn: &mut ConnectionCommon, out: &mut dyn Write) -> Result<bool, DrainError> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match conn.reader().read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                out.write_all(buf.get(..n).unwrap_or_default())
                    .map_err(DrainError::Output)?;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                out.flush().map_err(DrainError::Output)?;
                return Ok(false);
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                let _ = out.flush();
                return Err(DrainError::Truncated);
            }
            Err(e) => return Err(DrainError::Conn(e)),
        }
    }
}

/// Why [`drain`] stopped.
#[derive(Debug)]
pub enum DrainError {
    /// Writing the plaintext out failed (a closed pipe).
    Output(io::Error),
    /// The peer closed the transport without close_notify.
    Truncated,
    /// The connection failed.
    Conn(io::Error),
}

/// One line on what went wrong, from the point of view of `who` ("server" or "client"),
/// the peer we talk to. `name` is the name the certificate was checked against.
pub fn explain(e: &NetError, who: &str, name: &str) -> String {
    match e {
        NetError::Tls(t) => explain_tls(t, who, name),
        NetError::Io(io) => format!(
            "connection to the {who} failed: {}",
            crate::files::io_reason(io)
        ),
        NetError::Eof => format!(
            "the {who} closed the connection during the handshake (is it a TLS 1.3 {who}? does it want a client certificate?)"
        ),
        NetError::Timeout => format!("timed out waiting for the {who} during the handshake"),
    }
}

/// One line for a TLS error.
pub fn explain_tls(t: &tryst::Error, who: &str, name: &str) -> String {
    use tryst::cert::Error as C;
    match t {
        tryst::Error::Certificate(c) => match c {
            C::NameMismatch => format!(
                "the {who}'s certificate is not valid for the name '{name}' ({}); connect with a name the certificate lists, or pass --server-name",
                c.alert_name()
            ),
            C::UnknownIssuer => format!(
                "the {who}'s certificate is not issued by a trusted CA ({}); pass its CA with --ca",
                c.alert_name()
            ),
            C::BadSignature | C::SignatureAlgorithmMismatch => format!(
                "the {who}'s certificate was not signed by the CA it names ({}: {c}); is --ca the right CA, or a different one with the same name?",
                c.alert_name()
            ),
            C::Expired => format!("the {who}'s certificate has expired ({})", c.alert_name()),
            C::NotYetValid => format!(
                "the {who}'s certificate is not valid yet ({}); check this machine's clock",
                c.alert_name()
            ),
            other => format!(
                "the {who}'s certificate was rejected: {other} ({})",
                other.alert_name()
            ),
        },
        tryst::Error::AlertReceived(a) => {
            let hint = match (who, a.name()) {
                ("server", Some("certificate_required")) => {
                    "; it wants a client certificate: pass --cert and --key"
                }
                ("server", Some("unknown_ca" | "bad_certificate")) => {
                    "; it does not accept our client certificate"
                }
                ("client", Some("unknown_ca" | "bad_certificate" | "certificate_unknown")) => {
                    "; it does not trust our certificate"
                }
                _ => "",
            };
            format!("the {who} refused the connection with the alert '{a}'{hint}")
        }
        other => format!("TLS failed: {other}"),
    }
}
