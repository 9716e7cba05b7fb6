//! `tryst server`: a thread per connection; echo, or a small HTTP/1.1 page with `--http`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use tryst::verify::WebPkiClientVerifier;
use tryst::{ServerConfig, ServerConnection, TicketKeys};

use crate::args::ServerArgs;
use crate::net::{self, DrainError};
use crate::{CmdResult, Failure, files};

/// Handshake reads give up after this long.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// An established connection with no traffic for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The most request bytes `--http` reads before answering.
const MAX_REQUEST: usize = 16 * 1024;

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
    let key = files::certified_key(&a.cert, &a.key)?;
    let tickets = TicketKeys::generate(&mut tryst::crypto::OsRng, Duration::from_secs(3600))
        .map_err(|e| Failure::failed(format!("cannot make ticket keys: {e}")))?;
    let mut b = ServerConfig::builder(key)
        .with_ticket_keys(Arc::new(tickets))
        .with_alpn_protocols(files::alpn(&a.alpn)?);
    if let Some(ca) = &a.client_ca {
        let anchors = files::read_anchors(ca, "client CA")?;
        b = b.with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(anchors)));
    }
    if let Some(log) = files::key_log(a.keylog.as_deref())? {
        b = b.with_key_log(log);
    }
    b.build()
        .map_err(|e| Failure::usage(format!("cannot configure the server: {e}")))
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
    eprintln!(
        "tryst: listening on {local} ({}{})",
        if a.http { "HTTP/1.1" } else { "echo" },
        if a.client_ca.is_some() {
            ", client certificates required"
        } else {
            ""
        }
    );
    loop {
        let (sock, peer) = match listener.accept() {
            Ok(x) => x,
            Err(e) => {
                eprintln!("tryst: accept failed: {}", files::io_reason(&e));
                continue;
            }
        };
        if a.once {
            let report = serve(config.clone(), sock, peer, mode);
            eprintln!("tryst: {}", report.line);
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
                let report = serve(config, sock, peer, mode);
                eprintln!("tryst: {}", report.line);
            });
        if let Err(e) = spawned {
            eprintln!("tryst: {peer}: cannot start a thread: {e}");
        }
    }
}

/// Serve one connection to the end; never panics, never returns an error: the outcome is
/// in the report.
pub fn serve(
    config: Arc<ServerConfig>,
    mut sock: TcpStream,
    peer: SocketAddr,
    mode: Mode,
) -> Report {
    let fail = |what: String| Report {
        line: format!("{peer} {what}"),
        clean: false,
    };
    let _ = sock.set_nodelay(true);
    if sock.set_read_timeout(Some(HANDSHAKE_TIMEOUT)).is_err()
        || sock.set_write_timeout(Some(HANDSHAKE_TIMEOUT)).is_err()
    {
        return fail("socket setup failed".to_string());
    }
    let mut conn = match ServerConnection::new(config) {
        Ok(c) => c,
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    if let Err(e) = net::handshake(&mut conn, &mut sock) {
        return fail(format!(
            "handshake failed: {}",
            net::explain(&e, "client", "-")
        ));
    }
    let summary = summary(&conn);
    if sock.set_read_timeout(Some(IDLE_TIMEOUT)).is_err() {
        return fail(format!("{summary}: socket setup failed"));
    }

    let (mut bytes_in, mut bytes_out) = (0usize, 0usize);
    let mut request = Vec::new();
    let result: Result<(), String> = loop {
        // Drain first: records that came with the client's Finished are already processed.
        let mut data = Vec::new();
        let closed = match net::drain(&mut conn, &mut data) {
            Ok(c) => c,
            Err(DrainError::Truncated) => {
                break Err("closed without close_notify".to_string());
            }
            Err(DrainError::Output(e) | DrainError::Conn(e)) => break Err(e.to_string()),
        };
        bytes_in += data.len();
        match mode {
            Mode::Echo => {
                if !data.is_empty() {
                    if let Err(e) = net::send_all(&mut conn, &mut sock, &data) {
                        break Err(net::explain(&e, "client", "-"));
                    }
                    bytes_out += data.len();
                }
            }
            Mode::Http => {
                request.extend_from_slice(&data);
                let complete = request.windows(4).any(|w| w == b"\r\n\r\n")
                    || request.windows(2).any(|w| w == b"\n\n");
                if complete || request.len() > MAX_REQUEST || (closed && !request.is_empty()) {
                    let page = http_response(&conn, &request, peer);
                    if let Err(e) = net::send_all(&mut conn, &mut sock, &page) {
                        break Err(net::explain(&e, "client", "-"));
                    }
                    bytes_out += page.len();
                    conn.send_close_notify();
                    if let Err(e) = net::flush(&mut conn, &mut sock) {
                        break Err(net::explain(&e, "client", "-"));
                    }
                    let _ = sock.shutdown(std::net::Shutdown::Write);
                    break Ok(());
                }
            }
        }
        if let Err(e) = net::flush(&mut conn, &mut sock) {
            break Err(net::explain(&e, "client", "-"));
        }
        if closed {
            conn.send_close_notify();
            let _ = net::flush(&mut conn, &mut sock);
            let _ = sock.shutdown(std::net::Shutdown::Write);
            break Ok(());
        }
        if let Err(e) = net::pump(&mut conn, &mut sock) {
            break Err(net::explain(&e, "client", "-"));
        }
    };
    let (clean, how) = match result {
        Ok(()) => (true, "closed cleanly".to_string()),
        Err(e) => (false, e),
    };
    Report {
        line: format!("{peer} {summary}: {bytes_in} bytes in, {bytes_out} out, {how}"),
        clean,
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
        "{} {} {} {} sni={} alpn={} client-cert={}",
        get("version"),
        get("cipher suite"),
        get("key exchange"),
        if conn.is_resumed() { "resumed" } else { "full" },
        conn.server_name().unwrap_or("-"),
        get("ALPN"),
        if conn.peer_certificates().is_empty() {
            "no"
        } else {
            "yes"
        }
    )
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
    let mut body = String::from(
        "<!doctype html>\n<title>tryst</title>\n<h1>Hello from tryst</h1>\n<p>This page came to you over TLS 1.3 from the <code>tryst</code> server.</p>\n<table>\n",
    );
    let mut rows = crate::chart::negotiated(conn);
    rows.push((
        "resumed",
        if conn.is_resumed() { "yes" } else { "no" }.to_string(),
    ));
    rows.push(("SNI", conn.server_name().unwrap_or("none").to_string()));
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
