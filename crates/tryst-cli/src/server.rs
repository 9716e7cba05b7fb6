//! `tryst server`: a thread per connection, at most `--max-connections` at once; echo, or a
//! small HTTP/1.1 page with `--http`.
//!
//! Every connection is bounded in time: the handshake by one total deadline
//! (`--handshake-timeout`), then every read and every write by `--idle-timeout` (and, with
//! `--http`, the request by a deadline of the same length). A thread is never held by a
//! peer that sends slowly, sends nothing, or stops reading.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tryst::verify::WebPkiClientVerifier;
use tryst::{
    ResolvesServerCert, ServerConfig, ServerConnection, SingleCertResolver, SniCertResolver,
    TicketKeys,
};

use crate::args::ServerArgs;
use crate::net::{self, DrainError, NetError, Pumped, Timed, secs};
use crate::{CmdResult, Failure, files};

/// The most request bytes `--http` reads before answering.
const MAX_REQUEST: usize = 16 * 1024;
/// The longest a close_notify may wait to be written when a connection is being closed
/// for idleness.
const GOODBYE: Duration = Duration::from_secs(1);
/// The "all slots taken" log line is printed at most this often.
const FULL_LOG_EVERY: Duration = Duration::from_secs(60);

/// The time bounds of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The whole handshake, from accept to the client's Finished.
    pub handshake: Duration,
    /// After the handshake: the longest a read or a write may wait; with `--http`, also
    /// the deadline for the whole request.
    pub idle: Duration,
}

impl Default for Timeouts {
    /// 30 s for the handshake, 300 s of idleness (the `tryst server` defaults).
    fn default() -> Self {
        Timeouts {
            handshake: Duration::from_secs(30),
            idle: Duration::from_secs(300),
        }
    }
}

/// What the server does with application data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Send back what arrives.
    Echo,
    /// Answer one HTTP/1.1 request, then close.
    Http,
}

/// How a connection ended, for the log line.
#[derive(Debug)]
pub struct Report {
    /// The one-line summary.
    pub line: String,
    /// Whether it ended with close_notify after a good handshake.
    pub clean: bool,
}

/// Build the server config from the command line.
fn config(a: &ServerArgs) -> Result<Arc<ServerConfig>, Failure> {
    let tickets = TicketKeys::generate(&mut tryst::crypto::OsRng, Duration::from_secs(3600))
        .map_err(|e| Failure::failed(format!("cannot make ticket keys: {e}")))?;
    let mut b = match a.cert.is_empty() {
        true => ServerConfig::psk_only_builder(),
        false => ServerConfig::builder_with_cert_resolver(cert_resolver(a)?),
    }
    .with_ticket_keys(Arc::new(tickets))
    .with_certificate_compression(tryst::compress::default_compressors())
    .with_alpn_protocols(alpn(a)?)
    .with_max_early_data_size(a.early_data);
    if let (Some(id), Some(file)) = (&a.psk_identity, &a.psk_file) {
        b = b.with_external_psk(crate::session::read_psk(id, file)?);
    }
    if a.no_tls12 {
        b = b.with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls13]);
    } else if a.tls12_only {
        b = b.with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls12]);
    }
    if let Some(ca) = &a.client_ca {
        let anchors = files::read_anchors(ca, "client CA")?;
        let mut verifier =
            WebPkiClientVerifier::new(anchors).with_certificate_authorities(a.client_ca_names);
        if !a.crls.is_empty() {
            verifier =
                verifier.with_revocation(files::read_crls(&a.crls, a.crl_depth, a.crl_unknown)?);
        }
        b = b.with_client_cert_verifier(Arc::new(verifier));
    }
    b = b.with_raw_public_key(a.raw_public_key);
    if !a.client_raw_public_key.is_empty() {
        let keys = a.client_raw_public_key.iter().map(|p| files::read_spki(p));
        let keys = keys.collect::<Result<_, _>>()?;
        b = b.with_client_raw_public_keys(keys, !a.client_raw_optional);
    }
    if let Some(ca) = &a.pha_client_ca {
        let anchors = files::read_anchors(ca, "post-handshake client CA")?;
        b = b.with_post_handshake_client_verifier(Arc::new(WebPkiClientVerifier::new(anchors)));
    }
    if let Some(log) = files::key_log(a.keylog.as_deref())? {
        b = b.with_key_log(log);
    }
    b = b.with_ech_keys(crate::echcmd::server_keys(&a.ech_keys, &a.ech_configs)?);
    b.build()
        .map_err(|e| Failure::usage(format!("cannot configure the server: {e}")))
}

/// The certificates of the --cert/--key pairs: one is served to every client (unless
/// --strict-sni), several by SNI and key type.
fn cert_resolver(a: &ServerArgs) -> Result<Arc<dyn ResolvesServerCert>, Failure> {
    let certified = files::certified_keys(&a.cert, &a.key)?;
    if a.ocsp.len() > a.cert.len() {
        return Err(Failure::usage(format!(
            "give at most one --ocsp for each --cert ({} --cert, {} --ocsp)",
            a.cert.len(),
            a.ocsp.len()
        )));
    }
    let mut keys = Vec::with_capacity(certified.len());
    for (i, mut key) in certified.into_iter().enumerate() {
        if let Some(path) = a.ocsp.get(i) {
            key = key.with_ocsp(files::read_ocsp_response(path)?);
        }
        keys.push(Arc::new(key));
    }
    if let ([key], false) = (keys.as_slice(), a.strict_sni) {
        return Ok(Arc::new(SingleCertResolver::new(Arc::clone(key))));
    }
    let mut resolver = SniCertResolver::new().refuse_unknown_names(a.strict_sni);
    for (key, path) in keys.into_iter().zip(&a.cert) {
        resolver = resolver
            .with_cert(key)
            .map_err(|e| Failure::usage(format!("cannot use '{}': {e}", path.display())))?;
    }
    Ok(Arc::new(resolver))
}

/// The ALPN protocols the server selects from, in its order of preference. With --http
/// the server speaks HTTP/1.1, so `http/1.1` is always on the list (first, unless --alpn
/// places it) and `h2` is refused: a browser that offers `h2, http/1.1` must get
/// `http/1.1`, never a protocol the server then does not speak.
pub fn alpn(a: &ServerArgs) -> Result<Vec<Vec<u8>>, Failure> {
    let mut list = files::alpn(&a.alpn)?;
    if a.http {
        if list.iter().any(|p| p.as_slice() == b"h2") {
            return Err(Failure::usage(
                "--http serves HTTP/1.1 only: remove --alpn h2 (http/1.1 is selected by default)",
            ));
        }
        if !list.iter().any(|p| p.as_slice() == b"http/1.1") {
            list.insert(0, b"http/1.1".to_vec());
        }
    }
    Ok(list)
}

/// Connection slots: at most `max` connections are served at once. The accept loop takes
/// a slot before it accepts, so when all are taken new clients wait in the kernel's listen
/// queue (as with Apache's `MaxRequestWorkers` or Go's `netutil.LimitListener`) instead of
/// being accepted and dropped; a slot frees when its connection's thread ends.
struct Slots {
    max: usize,
    open: Mutex<usize>,
    freed: Condvar,
}

/// One taken slot; dropping it (when the connection's thread ends, even by a panic) frees
/// it.
struct Slot(Arc<Slots>);

impl Slots {
    fn new(max: usize) -> Arc<Self> {
        Arc::new(Slots {
            max,
            open: Mutex::new(0),
            freed: Condvar::new(),
        })
    }

    /// Wait for a free slot. `full` is called once if all slots are taken.
    fn take(self: &Arc<Self>, full: impl FnOnce(usize)) -> Slot {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if *open >= self.max {
            full(*open);
            while *open >= self.max {
                open = self
                    .freed
                    .wait(open)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        *open += 1;
        Slot(self.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.0.open.lock().unwrap_or_else(PoisonError::into_inner);
        *open = open.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

/// Run the server.
pub fn run(a: &ServerArgs) -> CmdResult {
    let config = config(a)?;
    let listener = TcpListener::bind(&a.listen).map_err(|e| {
        Failure::usage(format!(
            "cannot listen on '{}': {} (try another --listen address or port)",
            a.listen,
            files::io_reason(&e)
        ))
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::failed(format!("listener: {}", files::io_reason(&e))))?;
    let mode = if a.http { Mode::Http } else { Mode::Echo };
    let timeouts = Timeouts {
        handshake: a.handshake_timeout,
        idle: a.idle_timeout,
    };
    let max = usize::try_from(a.max_connections).unwrap_or(usize::MAX);
    eprintln!(
        "tryst: listening on {local} ({}{}; handshake timeout {}, idle timeout {}, at most {max} connections)",
        if a.http { "HTTP/1.1" } else { "echo" },
        if a.client_ca.is_some() {
            ", client certificates required"
        } else {
            ""
        },
        secs(timeouts.handshake),
        secs(timeouts.idle),
    );
    let slots = Slots::new(max);
    let mut last_full: Option<Instant> = None;
    loop {
        let slot = slots.take(|open| {
            if last_full.is_none_or(|t| t.elapsed() >= FULL_LOG_EVERY) {
                last_full = Some(Instant::now());
                eprintln!(
                    "tryst: {open} connections open, the most --max-connections allows: new clients wait until one closes"
                );
            }
        });
        let (sock, peer) = match listener.accept() {
            Ok(x) => x,
            Err(e) => {
                eprintln!("tryst: accept failed: {}", files::io_reason(&e));
                // Out of file descriptors and the like: do not spin.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if a.once {
            let report = serve(config.clone(), sock, peer, mode, timeouts);
            log(&report.line);
            return if report.clean {
                Ok(())
            } else {
                Err(Failure::failed("the connection did not end cleanly"))
            };
        }
        let config = config.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conn {peer}"))
            .spawn(move || {
                let _slot = slot;
                let report = serve(config, sock, peer, mode, timeouts);
                log(&report.line);
            });
        if let Err(e) = spawned {
            eprintln!("tryst: {peer}: cannot start a thread: {e}");
        }
    }
}

/// Print one connection's line. The parts that come from the peer were escaped where they
/// were inserted; this last pass makes sure no control character reaches the terminal
/// whatever a future line holds.
fn log(line: &str) {
    eprintln!("tryst: {}", crate::escape::controls(line));
}

/// Serve one connection to the end; never panics, never returns an error: the outcome is
/// in the report.
pub fn serve(
    config: Arc<ServerConfig>,
    mut sock: TcpStream,
    peer: SocketAddr,
    mode: Mode,
    timeouts: Timeouts,
) -> Report {
    let fail = |what: String| Report {
        line: format!("{peer} {what}"),
        clean: false,
    };
    let _ = sock.set_nodelay(true);
    let mut conn = match ServerConnection::new(config) {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    if let Err(e) = net::handshake(&mut conn, &mut sock, timeouts.handshake) {
        return fail(handshake_failure(&conn, e));
    }
    let summary = format!("{}{}", summary(&conn), chosen(&conn));
    // With --pha-client-ca, a client that offered post_handshake_auth is asked now (a
    // server without that verifier gets an error here and asks nothing).
    if conn.post_handshake_auth() == tryst::pha::PostHandshakeAuth::Offered {
        let _ = conn.request_client_certificate();
    }
    // 0-RTT data is answered like the data that follows it.
    let mut early = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read_early_data(&mut chunk);
        if n == 0 {
            break;
        }
        early.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }

    // After the handshake every read and write waits at most `idle`; with --http the
    // request also has a deadline, so a client cannot trickle it in.
    let deadline = match mode {
        Mode::Echo => None,
        Mode::Http => Instant::now().checked_add(timeouts.idle),
    };
    let mut session = Session {
        conn,
        sock: &sock,
        io: Timed::new(&sock, Some(timeouts.idle), deadline),
        peer,
        mode,
        timeouts,
        bytes_in: 0,
        bytes_out: 0,
        request: Vec::new(),
        early,
    };
    let (clean, how) = match session.run() {
        Ok(()) => (true, "closed cleanly".to_string()),
        Err(e) => (false, e),
    };
    let (bytes_in, bytes_out) = (session.bytes_in, session.bytes_out);
    let pha = pha_note(&session.conn);
    Report {
        line: format!("{peer} {summary}{pha}: {bytes_in} bytes in, {bytes_out} out, {how}"),
        clean,
    }
}

/// Post-handshake authentication for the log line (nothing when it was not offered).
fn pha_note(conn: &ServerConnection) -> String {
    use tryst::pha::PostHandshakeAuth as P;
    match conn.post_handshake_auth() {
        P::Authenticated => {
            let who = conn
                .peer_certificates()
                .first()
                .map_or_else(String::new, |c| {
                    format!(" ({})", crate::certcmd::describe(c.as_ref()))
                });
            format!(" pha=authenticated{who}")
        }
        P::NoCertificate => " pha=no-certificate".to_string(),
        P::Pending => " pha=pending".to_string(),
        P::Offered => " pha=offered".to_string(),
        _ => String::new(),
    }
}

/// The line for a failed handshake, with the SNI the client asked for.
fn handshake_failure(conn: &ServerConnection, e: NetError) -> String {
    let sni = match conn.server_name() {
        Some(name) => format!(" (sni={})", crate::escape::peer(name.as_bytes())),
        None => String::new(),
    };
    let why = match e {
        NetError::Timeout(t) => format!(
            "the client did not complete the handshake within {} (--handshake-timeout)",
            secs(t)
        ),
        other => net::explain(&other, "client", "-"),
    };
    format!("handshake failed{sni}: {why}")
}

/// One connection after its handshake: echo, or answer one HTTP request.
struct Session<'a> {
    conn: ServerConnection,
    sock: &'a TcpStream,
    io: Timed<'a>,
    peer: SocketAddr,
    mode: Mode,
    timeouts: Timeouts,
    bytes_in: usize,
    bytes_out: usize,
    request: Vec<u8>,
    /// 0-RTT data received, answered first.
    early: Vec<u8>,
}

impl Session<'_> {
    /// Until the client closes, the request is answered, or the connection goes idle.
    fn run(&mut self) -> Result<(), String> {
        loop {
            // Drain first: records that came with the client's Finished are already processed.
            let mut data = std::mem::take(&mut self.early);
            let closed = match net::drain(&mut self.conn, &mut data) {
                Ok(c) => c,
                Err(DrainError::Truncated) => {
                    return Err("closed without close_notify".to_string());
                }
                Err(DrainError::Output(e) | DrainError::Conn(e)) => return Err(e.to_string()),
            };
            self.bytes_in += data.len();
            if self.answer(&data, closed)? {
                return Ok(());
            }
            net::flush(&mut self.conn, &mut self.io).map_err(|e| why(&e, self.timeouts))?;
            if closed {
                self.conn.send_close_notify();
                let _ = net::flush(&mut self.conn, &mut self.io);
                let _ = self.sock.shutdown(std::net::Shutdown::Write);
                return Ok(());
            }
            match net::pump(&mut self.conn, &mut self.io) {
                Ok(Pumped::Data | Pumped::Eof) => {}
                Ok(Pumped::Quiet) => return Err(self.goodbye()),
                Err(e) => return Err(why(&e, self.timeouts)),
            }
        }
    }

    /// Echo `data`, or with --http answer the request once it is complete (or the client
    /// closed, or it is too long). True when the answer ended the connection.
    fn answer(&mut self, data: &[u8], closed: bool) -> Result<bool, String> {
        let timeouts = self.timeouts;
        if self.mode == Mode::Echo {
            if !data.is_empty() {
                net::send_all(&mut self.conn, &mut self.io, data).map_err(|e| why(&e, timeouts))?;
                self.bytes_out += data.len();
            }
            return Ok(false);
        }
        self.request.extend_from_slice(data);
        let request = &self.request;
        let complete = request.windows(4).any(|w| w == b"\r\n\r\n")
            || request.windows(2).any(|w| w == b"\n\n");
        if !(complete || request.len() > MAX_REQUEST || (closed && !request.is_empty())) {
            return Ok(false);
        }
        let page = http_response(&self.conn, request, self.peer);
        net::send_all(&mut self.conn, &mut self.io, &page).map_err(|e| why(&e, timeouts))?;
        self.bytes_out += page.len();
        self.conn.send_close_notify();
        net::flush(&mut self.conn, &mut self.io).map_err(|e| why(&e, timeouts))?;
        let _ = self.sock.shutdown(std::net::Shutdown::Write);
        Ok(true)
    }

    /// Idle (or, with --http, the request deadline passed): say goodbye with
    /// close_notify, waiting only briefly for it to be written.
    fn goodbye(&mut self) -> String {
        let idle = self.timeouts.idle;
        self.conn.send_close_notify();
        let mut bye = Timed::new(self.sock, Some(idle.min(GOODBYE)), None);
        let sent = net::flush(&mut self.conn, &mut bye).is_ok();
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
        let what = match self.mode {
            Mode::Echo => format!(
                "idle: nothing from the client for {} (--idle-timeout)",
                secs(idle)
            ),
            Mode::Http => format!(
                "no complete request within {} of the handshake (--idle-timeout)",
                secs(idle)
            ),
        };
        let closed = if sent {
            " with close_notify"
        } else {
            " (close_notify could not be sent)"
        };
        format!("{what}, closed{closed}")
    }
}

/// One line for a failure after the handshake.
fn why(e: &NetError, timeouts: Timeouts) -> String {
    match e {
        NetError::WriteStalled => format!(
            "the client read nothing of what we sent for {} (--idle-timeout), closed",
            secs(timeouts.idle)
        ),
        other => net::explain(other, "client", "-"),
    }
}

fn summary(conn: &ServerConnection) -> String {
    let v = crate::chart::negotiated(conn);
    let get = |k: &str| {
        v.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    format!(
        "{} {} {} {} sni={} alpn={} 0-rtt={} client-cert={}",
        get("version"),
        get("cipher suite"),
        get("key exchange"),
        match conn.handshake_kind() {
            Some(tryst::HandshakeKind::ExternalPsk) => "psk",
            _ if conn.is_resumed() => "resumed",
            _ => "full",
        },
        conn.server_name()
            .map_or_else(|| "-".to_string(), |n| crate::escape::peer(n.as_bytes())),
        get("ALPN"),
        crate::session::describe(conn.early_data_status()),
        if conn.peer_raw_public_key().is_some() {
            "raw-key"
        } else if conn.peer_certificates().is_empty() {
            "no"
        } else {
            "yes"
        }
    ) + &ech_summary(conn)
}

/// ECH in the summary: accepted (with the public name the network saw), or rejected.
fn ech_summary(conn: &ServerConnection) -> String {
    match conn.ech_status() {
        tryst::EchStatus::Accepted => format!(
            " ech=accepted outer-sni={}",
            conn.outer_server_name()
                .map_or_else(|| "-".to_string(), |n| crate::escape::peer(n.as_bytes()))
        ),
        tryst::EchStatus::Rejected => " ech=rejected".to_string(),
        _ => String::new(),
    }
}

/// Which certificate the server presented and why, for the connection's log line
/// (nothing for a resumed session, which presents none).
fn chosen(conn: &ServerConnection) -> String {
    let Some(c) = conn.chosen_certificate() else {
        return String::new();
    };
    let names = c.key.dns_names();
    let names = if names.is_empty() {
        "(no DNS names)".to_string()
    } else {
        names.join(",")
    };
    let compressed = match c.compression {
        Some(alg) => format!(", compressed with {alg}"),
        None => String::new(),
    };
    format!(
        " cert={names} [{}] ({}; signed {}{compressed})",
        key_type(c.scheme),
        c.reason,
        c.scheme
    )
}

fn key_type(scheme: tryst::messages::SignatureScheme) -> &'static str {
    use tryst::messages::SignatureScheme as S;
    match scheme {
        S::Ed25519 => "Ed25519",
        S::EcdsaSecp256r1Sha256 => "ECDSA P-256",
        S::EcdsaSecp384r1Sha384 => "ECDSA P-384",
        S::RsaPssRsaeSha256 | S::RsaPssRsaeSha384 | S::RsaPssRsaeSha512 => "RSA",
        _ => "other",
    }
}

fn http_response(conn: &ServerConnection, request: &[u8], peer: SocketAddr) -> Vec<u8> {
    let first_line = String::from_utf8_lossy(request)
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>();
    let version = match conn.protocol_version().map(|v| v.to_raw()) {
        Some(0x0303) => "TLS 1.2",
        _ => "TLS 1.3",
    };
    let mut body = format!(
        "<!doctype html>\n<title>tryst</title>\n<h1>Hello from tryst</h1>\n<p>This page came to you over {version} from the <code>tryst</code> server.</p>\n<table>\n",
    );
    let mut rows = crate::chart::negotiated(conn);
    rows.push((
        "resumed",
        if conn.is_resumed() { "yes" } else { "no" }.to_string(),
    ));
    rows.push((
        "SNI",
        conn.server_name()
            .map_or_else(|| "none".to_string(), |n| crate::escape::peer(n.as_bytes())),
    ));
    rows.push((
        "client certificate",
        if conn.peer_certificates().is_empty() {
            "none"
        } else {
            "verified"
        }
        .to_string(),
    ));
    rows.push(("your address", peer.to_string()));
    rows.push(("your request", first_line));
    for (k, v) in rows {
        body.push_str(&format!(
            "<tr><th align=left>{}</th><td>{}</td></tr>\n",
            html_escape(k),
            html_escape(&v)
        ));
    }
    body.push_str("</table>\n");
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nServer: tryst\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
