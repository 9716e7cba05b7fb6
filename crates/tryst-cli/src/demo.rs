//! `tryst demo`: a server and a client in one process over 127.0.0.1, three sessions, each
//! drawn as a message sequence chart with its secrets, then a summary showing that every
//! session had its own keys.

use std::collections::HashSet;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, OsRng};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, KeyLog, KeyLogFile, ServerConfig, TicketKeys,
};

use crate::args::DemoArgs;
use crate::chart::{Chart, Style};
use crate::net;
use crate::server::{Mode, Timeouts, serve};
use crate::{CmdResult, Failure, files, timefmt};

/// How long the demo waits for any one step before giving up.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const SESSIONS: usize = 3;
/// The 0-RTT session after them (`early_data_session`).
const EARLY_SESSIONS: usize = 1;
/// How much 0-RTT data the demo server accepts.
const DEMO_MAX_EARLY_DATA: u32 = 16 * 1024;

/// One key-log line, kept in memory.
#[derive(Clone)]
struct Logged {
    label: String,
    secret: Vec<u8>,
}

/// A key log that keeps every secret in memory (and appends to a file with --keylog), so
/// the demo can print them. Printing secrets is the point of the demo and nothing else.
struct MemoryKeyLog {
    entries: Mutex<Vec<Logged>>,
    file: Option<KeyLogFile>,
}

impl MemoryKeyLog {
    fn take(&self) -> Vec<Logged> {
        match self.entries.lock() {
            Ok(mut e) => std::mem::take(&mut *e),
            Err(_) => Vec::new(),
        }
    }
}

impl KeyLog for MemoryKeyLog {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if let Ok(mut e) = self.entries.lock() {
            e.push(Logged {
                label: label.to_string(),
                secret: secret.to_vec(),
            });
        }
        if let Some(f) = &self.file {
            f.log(label, client_random, secret);
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

fn demo_err(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::failed(format!("demo failed while {what}: {e}"))
}

/// Run the demo.
pub fn run(a: &DemoArgs) -> CmdResult {
    if a.tls12 {
        return crate::demo12::run(a);
    }
    let style = Style::for_stdout(a.no_color);
    let file = match &a.keylog {
        Some(p) => Some(files::open_key_log(p, "")?),
        None => None,
    };
    let log = Arc::new(MemoryKeyLog {
        entries: Mutex::new(Vec::new()),
        file,
    });
    let (server_config, client_config, early_config) = demo_configs(&log)?;
    let addr = spawn_server(server_config)?;
    out(&intro(style, addr));
    let mut sessions = Vec::new();
    for i in 1..=SESSIONS {
        sessions.push(session(i, addr, &client_config, &log, style)?);
    }
    sessions.push(early_data_session(addr, &early_config, &log, style)?);
    let (text, distinct) = summary(&sessions, style, a.keylog.as_deref());
    out(&text);
    out(&crate::demo_ech::session(style)?);
    if distinct {
        Ok(())
    } else {
        Err(Failure::failed(
            "two sessions shared a secret: this is a bug in tryst",
        ))
    }
}

/// The server config, the client config, and the client config with 0-RTT on.
type DemoConfigs = (Arc<ServerConfig>, Arc<ClientConfig>, Arc<ClientConfig>);

/// A throwaway PKI, in memory only, and the configs: the server with ticket keys (and
/// 0-RTT), the client trusting the throwaway CA and logging its secrets to `log`, and the
/// same client with 0-RTT on (sharing its tickets).
fn demo_configs(log: &Arc<MemoryKeyLog>) -> Result<DemoConfigs, Failure> {
    let now = timefmt::now();
    let (nb, na) = (now - 3600, now + 86_400);
    let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    let ca = CertificateBuilder::new("tryst demo CA", nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed(&ca_key)
        .map_err(|e| demo_err("making the CA", e))?;
    let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
    let leaf = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .ip_address(&[127, 0, 0, 1])
        .server_auth()
        .issue(&leaf_key, &ca, &ca_key)
        .map_err(|e| demo_err("issuing the server certificate", e))?;
    let certified = CertifiedKey::from_der(
        vec![CertificateDer::from(leaf.clone())],
        &leaf_key.to_pkcs8_der(),
    )
    .map_err(|e| demo_err("loading the server key", e))?;
    let tickets = TicketKeys::generate(&mut OsRng, Duration::from_secs(3600))
        .map_err(|e| demo_err("making ticket keys", e))?;
    let server_config = ServerConfig::builder(certified)
        .with_ticket_keys(Arc::new(tickets))
        .with_max_early_data_size(DEMO_MAX_EARLY_DATA)
        .build()
        .map_err(|e| demo_err("configuring the server", e))?;
    let anchors =
        TrustAnchors::from_der([ca.as_slice()]).map_err(|e| demo_err("loading the CA", e))?;
    let store = Arc::new(tryst::session::InMemorySessionStore::new(4));
    let client = |early: bool| {
        ClientConfig::builder()
            .with_root_certificates(anchors.clone())
            .with_key_log(log.clone())
            .with_session_store(Some(store.clone()))
            .with_early_data(early)
            .build()
            .map_err(|e| demo_err("configuring the client", e))
    };
    Ok((server_config, client(false)?, client(true)?))
}

/// The server: one thread, one connection at a time, echoing.
fn spawn_server(server_config: Arc<ServerConfig>) -> Result<SocketAddr, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| demo_err("listening", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| demo_err("listening", e))?;
    std::thread::spawn(move || {
        for _ in 0..SESSIONS + EARLY_SESSIONS {
            if let Ok((sock, peer)) = listener.accept() {
                let report = serve(
                    server_config.clone(),
                    sock,
                    peer,
                    Mode::Echo,
                    Timeouts::default(),
                );
                if !report.clean {
                    eprintln!("tryst: demo server: {}", report.line);
                }
            }
        }
    });
    Ok(addr)
}

/// What the demo is about, printed before the sessions.
fn intro(style: Style, addr: SocketAddr) -> String {
    format!(
        "{}\n\n\
         A TLS 1.3 server and client in this process, talking over {addr}.\n\
         A throwaway CA and an Ed25519 certificate for 'localhost' were just made in memory.\n\
         Notation (RFC 8446): {{X}} is encrypted under handshake keys, [X] under application\n\
         traffic keys, (X) under 0-RTT keys; '~' marks a step of the key schedule.\n\
         For the TLS 1.2 handshake and its key derivation: tryst demo --tls12\n\
         {}\n\n",
        style.bold("tryst demo: TLS 1.3 sessions"),
        style.dim(
            "This demo prints every session's secrets: that is its point. A real program never shows them."
        ),
    )
}

/// The summary: every secret of every session differs from every other. Returns the text
/// and whether they all differ.
fn summary(
    sessions: &[SessionResult],
    style: Style,
    keylog: Option<&std::path::Path>,
) -> (String, bool) {
    let mut text = format!("{}\n", style.bold("Summary"));
    let mut all = HashSet::new();
    let mut count = 0;
    for (i, s) in sessions.iter().enumerate() {
        let find = |label: &str| {
            s.secrets
                .iter()
                .find(|l| l.label == label)
                .map(|l| hex(&l.secret))
                .unwrap_or_else(|| "missing".to_string())
        };
        text.push_str(&format!(
            "  session {} ({}): CLIENT_TRAFFIC_SECRET_0={} SERVER_TRAFFIC_SECRET_0={}\n",
            i + 1,
            s.kind,
            style.value(&find("CLIENT_TRAFFIC_SECRET_0")),
            style.value(&find("SERVER_TRAFFIC_SECRET_0")),
        ));
        for l in &s.secrets {
            count += 1;
            all.insert(l.secret.clone());
        }
    }
    let distinct = all.len() == count && count > 0;
    text.push_str(&format!(
        "  {} secrets logged across {} sessions; all different: {}\n",
        count,
        sessions.len(),
        if distinct { "yes" } else { "NO" }
    ));
    text.push_str(
        "  Each session ran its own X25519 exchange, so even the resumed ones got fresh keys\n  \
         (psk_dhe_ke): recording one session's keys reveals nothing about another's.\n",
    );
    if let Some(p) = keylog {
        text.push_str(&format!(
            "  The secrets were also appended to {} (SSLKEYLOGFILE format, for Wireshark).\n",
            p.display()
        ));
    }
    (text, distinct)
}

struct SessionResult {
    kind: String,
    secrets: Vec<Logged>,
}

fn session(
    i: usize,
    addr: SocketAddr,
    config: &Arc<ClientConfig>,
    log: &MemoryKeyLog,
    style: Style,
) -> Result<SessionResult, Failure> {
    let title = match i {
        1 => "Session 1: a full handshake; the server sends tickets afterwards",
        2 => "Session 2: resume from a ticket, then a KeyUpdate",
        _ => "Session 3: resume once more",
    };
    let mut text = format!("{}\n", style.bold(title));
    let mut sock =
        TcpStream::connect_timeout(&addr, STEP_TIMEOUT).map_err(|e| demo_err("connecting", e))?;
    let _ = sock.set_nodelay(true);
    let name = ServerName::try_from("localhost").map_err(|e| demo_err("naming", e))?;
    let mut conn = ClientConnection::new_traced(config.clone(), name, true)
        .map_err(|e| demo_err("starting the client", e))?;
    let mut chart = Chart::new(style);
    text.push_str(&chart.header());

    net::handshake(&mut conn, &mut sock, STEP_TIMEOUT)
        .map_err(|e| demo_err("in the handshake", net::explain(&e, "server", "localhost")))?;
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .and_then(|()| sock.set_write_timeout(Some(STEP_TIMEOUT)))
        .map_err(|e| demo_err("connecting", e))?;
    chart.draw(&conn.take_events(), &mut text);
    text.push_str(&format!("      {}\n", style.dim("negotiated:")));
    for (k, v) in crate::chart::negotiated(&conn) {
        text.push_str(&format!("        {k:<13} {v}\n"));
    }
    let kind = if conn.is_resumed() {
        "resumed"
    } else {
        "full handshake"
    }
    .to_string();

    let msg = format!("hello from session {i}");
    exchange(&mut conn, &mut sock, msg.as_bytes())?;
    chart.draw(&conn.take_events(), &mut text);

    if i == 2 {
        conn.refresh_traffic_keys(true)
            .map_err(|e| demo_err("updating keys", e))?;
        exchange(&mut conn, &mut sock, b"sent under the next keys")?;
        chart.draw(&conn.take_events(), &mut text);
    }

    close(&mut conn, &mut sock)?;
    chart.draw(&conn.take_events(), &mut text);

    let secrets = log.take();
    secrets_text(&secrets, style, &mut text);
    if i == 2 {
        text.push_str(&format!(
            "      {}\n",
            style.dim(
                "after the KeyUpdate both sides switched to the *_TRAFFIC_SECRET_1 keys above, \
                 derived from the _0 ones (RFC 8446 §7.2)"
            )
        ));
    }
    text.push('\n');
    out(&text);
    Ok(SessionResult { kind, secrets })
}

/// Send close_notify and wait for the server's.
fn close(conn: &mut ClientConnection, sock: &mut TcpStream) -> Result<(), Failure> {
    conn.send_close_notify();
    net::flush(conn, sock).map_err(|e| demo_err("closing", format!("{e:?}")))?;
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let open = net::pump(conn, sock)
            .map_err(|e| demo_err("closing", net::explain(&e, "server", "localhost")))?;
        let mut sink = Vec::new();
        match net::drain(conn, &mut sink) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => return Err(demo_err("closing", format!("{e:?}"))),
        }
        if open == net::Pumped::Eof || Instant::now() > deadline {
            return Err(demo_err("closing", "the server did not send close_notify"));
        }
    }
}

/// The session's secrets, one per line.
fn secrets_text(secrets: &[Logged], style: Style, text: &mut String) {
    text.push_str(&format!(
        "      {}\n",
        style.dim("secrets of this session (from the key log):")
    ));
    for l in secrets {
        text.push_str(&format!(
            "        {:<32} {}\n",
            l.label,
            style.value(&hex(&l.secret))
        ));
    }
}

/// Send `msg` and read until the echo is back.
fn exchange(conn: &mut ClientConnection, sock: &mut TcpStream, msg: &[u8]) -> Result<(), Failure> {
    net::send_all(conn, sock, msg)
        .map_err(|e| demo_err("sending", net::explain(&e, "server", "localhost")))?;
    net::flush(conn, sock).map_err(|e| demo_err("sending", format!("{e:?}")))?;
    read_echo(conn, sock, msg)
}

/// The 0-RTT session: resume from a ticket that allows early data and send the first
/// request with the ClientHello, before the handshake finishes (RFC 8446 §2.3).
fn early_data_session(
    addr: SocketAddr,
    config: &Arc<ClientConfig>,
    log: &MemoryKeyLog,
    style: Style,
) -> Result<SessionResult, Failure> {
    let title = "Session 4: 0-RTT: a request in the first flight, before the handshake ends";
    let mut text = format!("{}\n", style.bold(title));
    let mut sock =
        TcpStream::connect_timeout(&addr, STEP_TIMEOUT).map_err(|e| demo_err("connecting", e))?;
    let _ = sock.set_nodelay(true);
    let name = ServerName::try_from("localhost").map_err(|e| demo_err("naming", e))?;
    let mut conn = ClientConnection::new_traced(config.clone(), name, true)
        .map_err(|e| demo_err("starting the client", e))?;
    let request = b"GET /weather (safe to repeat)";
    if conn.early_data_limit() < request.len() {
        return Err(demo_err("offering 0-RTT", "no ticket allows early data"));
    }
    conn.write_early_data(request)
        .map_err(|e| demo_err("writing early data", e))?;
    let mut chart = Chart::new(style);
    text.push_str(&chart.header());
    net::handshake(&mut conn, &mut sock, STEP_TIMEOUT)
        .map_err(|e| demo_err("in the handshake", net::explain(&e, "server", "localhost")))?;
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .and_then(|()| sock.set_write_timeout(Some(STEP_TIMEOUT)))
        .map_err(|e| demo_err("connecting", e))?;
    chart.draw(&conn.take_events(), &mut text);
    let status = crate::session::describe(conn.early_data_status());
    text.push_str(&format!(
        "      {}\n",
        style.dim(&format!(
            "the {} bytes in (0-RTT data) left with the ClientHello, before any server message, \
             under keys from CLIENT_EARLY_TRAFFIC_SECRET; the server {status} them",
            request.len()
        ))
    ));
    read_echo(&mut conn, &mut sock, request)?;
    close(&mut conn, &mut sock)?;
    chart.draw(&conn.take_events(), &mut text);
    let secrets = log.take();
    secrets_text(&secrets, style, &mut text);
    text.push_str(&format!(
        "      {}\n\n",
        style.dim(
            "0-RTT keys come from the ticket's PSK alone: an attacker can replay the first \
             flight, so the server accepts a ticket's early data once, and only requests that \
             are safe to repeat belong there"
        )
    ));
    out(&text);
    Ok(SessionResult {
        kind: format!("resumed, 0-RTT {status}"),
        secrets,
    })
}

/// Read until `expected` (the echo of the early data) is back.
fn read_echo(conn: &mut ClientConnection, sock: &mut TcpStream, expected: &[u8]) -> CmdResult {
    let mut got = Vec::new();
    let deadline = Instant::now() + STEP_TIMEOUT;
    while got.len() < expected.len() {
        let open = net::pump(conn, sock)
            .map_err(|e| demo_err("reading", net::explain(&e, "server", "localhost")))?;
        net::drain(conn, &mut got).map_err(|e| demo_err("reading", format!("{e:?}")))?;
        if open == net::Pumped::Eof || Instant::now() > deadline {
            return Err(demo_err("reading", "the echo did not come back"));
        }
    }
    if got != expected {
        return Err(demo_err("reading", "the echo differs from what was sent"));
    }
    Ok(())
}
