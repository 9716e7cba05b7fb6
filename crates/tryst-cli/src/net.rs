//! Driving a sans-IO connection over a blocking TCP socket, and explaining failures in one
//! line.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

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
    /// The handshake did not complete within this total time (all reads and writes
    /// together, not each one).
    Timeout(Duration),
    /// A write made no progress within the socket's write timeout: the peer stopped
    /// reading.
    WriteStalled,
}

/// Whether a socket error is a timeout (`SO_RCVTIMEO`/`SO_SNDTIMEO` report `EAGAIN`).
/// `Interrupted` is not: the operation is simply tried again.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A duration in seconds for messages: `30 s`, `0.25 s`.
pub fn secs(d: Duration) -> String {
    let ms = d.subsec_millis();
    if ms == 0 {
        format!("{} s", d.as_secs())
    } else {
        let frac = format!("{ms:03}");
        format!("{}.{} s", d.as_secs(), frac.trim_end_matches('0'))
    }
}

/// A socket whose every read and write is bounded: by `each` (the longest one operation
/// may wait; `None` waits for ever) and by `deadline` (an absolute end for all of them
/// together). Once the deadline has passed every operation fails with `TimedOut`, so a
/// peer that sends one byte just before each read timeout cannot stretch it.
pub struct Timed<'a> {
    sock: &'a TcpStream,
    each: Option<Duration>,
    deadline: Option<Instant>,
}

impl<'a> Timed<'a> {
    /// Bound each operation by `each` and all of them by `deadline`.
    pub fn new(sock: &'a TcpStream, each: Option<Duration>, deadline: Option<Instant>) -> Self {
        Timed {
            sock,
            each,
            deadline,
        }
    }

    /// Set the socket's timeouts for the next operation.
    fn arm(&mut self) -> io::Result<()> {
        let left = match self.deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
                }
                Some(self.each.map_or(left, |e| e.min(left)))
            }
            None => self.each,
        };
        self.sock.set_read_timeout(left)?;
        self.sock.set_write_timeout(left)
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm()?;
        let mut sock = self.sock;
        sock.read(buf)
    }
}

impl Write for Timed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.arm()?;
        let mut sock = self.sock;
        sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Send everything the connection has queued. A write that times out is
/// [`NetError::WriteStalled`].
pub fn flush<S: Read + Write>(conn: &mut ConnectionCommon, sock: &mut S) -> Result<(), NetError> {
    let stalled = |e: io::Error| {
        if is_timeout(&e) {
            NetError::WriteStalled
        } else {
            NetError::Io(e)
        }
    };
    while conn.wants_write() {
        match conn.write_tls(sock) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(stalled(e)),
        }
    }
    sock.flush().map_err(stalled)
}

/// Queue all of `data` for the peer. The connection buffers a bounded amount
/// (`Limits::max_buffered_send`); whenever it is full, what it holds goes out to the socket
/// (or, during the handshake, the handshake makes progress) before the rest is queued.
pub fn send_all<S: Read + Write>(
    conn: &mut ConnectionCommon,
    sock: &mut S,
    mut data: &[u8],
) -> Result<(), NetError> {
    while !data.is_empty() {
        let n = conn.send_plaintext(data).map_err(NetError::Tls)?;
        data = data.get(n..).unwrap_or_default();
        if n == 0 {
            if conn.is_handshaking() {
                if pump(conn, sock)? == Pumped::Eof {
                    return Err(NetError::Eof);
                }
            } else {
                flush(conn, sock)?;
            }
        }
    }
    Ok(())
}

/// Run the handshake to completion within `timeout`: one deadline for every read and
/// write of the handshake together. Unlike `tryst::Stream::complete_handshake` this stops
/// at end of file instead of reading again. The socket's own timeouts are left as the
/// last operation set them: set them again for what follows.
pub fn handshake(
    conn: &mut ConnectionCommon,
    sock: &mut TcpStream,
    timeout: Duration,
) -> Result<(), NetError> {
    let deadline = Instant::now().checked_add(timeout);
    let mut io = Timed::new(sock, None, deadline);
    // A peer that is gone resets rather than closes when our ClientHello was still unread
    // in its socket: either way it closed the connection during the handshake.
    let timed_out = |e: NetError| match e {
        NetError::WriteStalled => NetError::Timeout(timeout),
        NetError::Io(e) if closed_by_peer(&e) => NetError::Eof,
        other => other,
    };
    loop {
        flush(conn, &mut io).map_err(timed_out)?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        let n = match conn.read_tls(&mut io) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => return Err(NetError::Timeout(timeout)),
            Err(e) => return Err(timed_out(NetError::Io(e))),
        };
        let processed = conn.process_new_packets();
        if let Err(e) = processed {
            let _ = flush(conn, &mut io);
            return Err(NetError::Tls(e));
        }
        if n == 0 {
            return Err(NetError::Eof);
        }
    }
}

/// Whether an I/O error means the peer closed the transport abruptly (a reset).
fn closed_by_peer(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// What one [`pump`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pumped {
    /// Bytes arrived and were processed.
    Data,
    /// Nothing arrived within the socket's read timeout.
    Quiet,
    /// The peer closed the transport (end of file).
    Eof,
}

/// One read from the socket, processing of what came, and a flush of the answers.
pub fn pump<S: Read + Write>(
    conn: &mut ConnectionCommon,
    sock: &mut S,
) -> Result<Pumped, NetError> {
    flush(conn, sock)?;
    let pumped = loop {
        match conn.read_tls(sock) {
            Ok(0) => break Pumped::Eof,
            Ok(_) => break Pumped::Data,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => return Ok(Pumped::Quiet),
            Err(e) => return Err(NetError::Io(e)),
        }
    };
    if let Err(e) = conn.process_new_packets() {
        let _ = flush(conn, sock);
        return Err(NetError::Tls(e));
    }
    flush(conn, sock)?;
    Ok(pumped)
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
        NetError::Timeout(t) => format!(
            "the handshake with the {who} did not complete within {}",
            secs(*t)
        ),
        NetError::WriteStalled => format!("the {who} stopped reading what we send"),
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
