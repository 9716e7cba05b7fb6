//! `tryst client HOST:PORT`: standard input to the server, the server to standard output.

use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use tryst::{ClientConfig, ClientConnection};

use crate::args::ClientArgs;
use crate::chart::{Chart, Style};
use crate::net::{self, DrainError, NetError};
use crate::session::FileSessionStore;
use crate::{CmdResult, Failure, certcmd, files};

/// How long to wait for a TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the whole handshake may take (one deadline for all its reads and writes).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Socket read timeout in the data phase: how often standard input is polled.
const POLL: Duration = Duration::from_millis(20);

/// Split `HOST:PORT` (`[v6]:PORT` for IPv6).
pub fn split_host_port(s: &str) -> Result<(String, u16), Failure> {
    let bad = || {
        Failure::usage(format!(
            "'{s}' is not HOST:PORT (for example example.com:443, 127.0.0.1:4433 or [::1]:4433)"
        ))
    };
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.is_empty() {
        return Err(bad());
    }
    let port: u16 = port.parse().map_err(|_| bad())?;
    Ok((host.to_string(), port))
}

/// Resolve and connect, trying each address.
pub fn connect(host: &str, port: u16) -> Result<TcpStream, Failure> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| Failure::failed(format!("cannot resolve '{host}': {}", files::io_reason(&e))))?
        .collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, CONNECT_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((addr, e)),
        }
    }
    Err(match last {
        Some((addr, e)) => Failure::failed(format!(
            "cannot connect to {addr}: {} (is a server listening there?)",
            files::io_reason(&e)
        )),
        None => Failure::failed(format!("'{host}' resolves to no address")),
    })
}

fn config(
    a: &ClientArgs,
    trace: bool,
    store: Option<Arc<FileSessionStore>>,
) -> Result<Arc<ClientConfig>, Failure> {
    let anchors = match &a.ca {
        Some(path) => files::read_anchors(path, "CA")?,
        None => {
            let (anchors, path, skipped) = files::platform_anchors()?;
            if trace {
                eprintln!(
                    "tryst: trusting {} roots from {path} ({skipped} skipped: tryst-cert cannot use them)",
                    anchors.len()
                );
            }
            anchors
        }
    };
    let b = ClientConfig::builder();
    let b = if a.crls.is_empty() {
        b.with_root_certificates(anchors)
    } else {
        let crls = files::read_crls(&a.crls, a.crl_depth, a.crl_unknown)?;
        let verifier = tryst::verify::WebPkiServerVerifier::new(anchors).with_revocation(crls);
        b.with_verifier(Arc::new(verifier))
    };
    let mut b = b
        .with_alpn_protocols(files::alpn(&a.alpn)?)
        .with_certificate_compression(tryst::compress::default_compressors());
    if a.no_tls12 {
        b = b.with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls13]);
    }
    b = b.with_ocsp_stapling(a.ocsp_out.is_some());
    let mut client_keys = files::certified_keys(&a.cert, &a.key)?;
    if client_keys.len() > 1 {
        let keys = client_keys.into_iter().map(Arc::new);
        b = b.with_client_cert_resolver(Arc::new(tryst::ClientCertResolver::new(keys)));
    } else if let Some(key) = client_keys.pop() {
        b = b.with_client_auth_cert(key);
    }
    b = b.with_post_handshake_auth(a.post_handshake_auth);
    if let Some(key) = &a.client_raw_key {
        b = b.with_client_raw_public_key(files::raw_key_pair(key)?);
    }
    if !a.raw_public_key.is_empty() {
        let keys = a.raw_public_key.iter().map(|p| files::read_spki(p));
        b = b.with_server_raw_public_keys(keys.collect::<Result<_, _>>()?);
    }
    if let Some(log) = files::key_log(a.keylog.as_deref())? {
        b = b.with_key_log(log);
    }
    b = b.with_ech(crate::echcmd::client_mode(
        a.ech_config.as_deref(),
        a.no_ech_grease,
    )?);
    if let Some(store) = store {
        b = b
            .with_session_store(Some(store))
            .with_early_data(a.early_data);
    }
    if let (Some(id), Some(file)) = (&a.psk_identity, &a.psk_file) {
        b = b.with_external_psk(crate::session::read_psk(id, file)?);
    }
    b.build()
        .map_err(|e| Failure::usage(format!("cannot configure the client: {e}")))
}

/// Run the client; with --session, the tickets are written back whatever happened.
pub fn run(a: &ClientArgs) -> CmdResult {
    let store = a
        .session
        .as_deref()
        .map(FileSessionStore::load)
        .transpose()?;
    let result = run_with(a, store.clone());
    match store {
        Some(s) => result.and(s.save()),
        None => result,
    }
}

fn run_with(a: &ClientArgs, store: Option<Arc<FileSessionStore>>) -> CmdResult {
    let (host, port) = split_host_port(&a.address)?;
    let name_str = a.server_name.clone().unwrap_or_else(|| host.clone());
    let name = certcmd::parse_name(&name_str)?;
    let config = config(a, a.trace, store)?;

    let mut sock = connect(&host, port)?;
    let _ = sock.set_nodelay(true);
    let mut conn = ClientConnection::new_traced(config, name, a.trace)
        .map_err(|e| Failure::usage(format!("cannot start the connection: {e}")))?;

    let mut chart = Chart::new(Style::plain());
    let trace = |conn: &mut ClientConnection, chart: &mut Chart| {
        if a.trace {
            let mut out = String::new();
            chart.draw(&conn.take_events(), &mut out);
            eprint!("{out}");
        }
    };
    if a.trace {
        eprint!("{}", chart.header());
    }
    let explain = |e: NetError| Failure::failed(net::explain(&e, "server", &name_str));
    if a.trace {
        print_ech_names(a, &name_str);
    }
    let rx = spawn_stdin_reader();
    let held = match a.early_data {
        true => crate::session::send_early_data(&mut conn, &rx),
        false => Vec::new(),
    };
    let hs = net::handshake(&mut conn, &mut sock, HANDSHAKE_TIMEOUT);
    trace(&mut conn, &mut chart);
    hs.map_err(|e| ech_rejected(&e).unwrap_or_else(|| explain(e)))?;
    if a.trace {
        print_negotiated(&conn, &name_str, !a.raw_public_key.is_empty());
    }
    save_ocsp(a, &conn)?;
    let held = crate::session::after_handshake(&mut conn, held, a.early_data);
    net::send_all(&mut conn, &mut sock, &held).map_err(explain)?;

    sock.set_read_timeout(Some(POLL))
        .map_err(|e| Failure::failed(format!("socket: {}", files::io_reason(&e))))?;
    let _ = sock.set_write_timeout(None);

    let mut stdout = io::stdout().lock();
    let mut input_open = true;
    loop {
        if input_open {
            input_open = send_input(&rx, &mut conn, &mut sock).map_err(explain)?;
        }
        let pumped = net::pump(&mut conn, &mut sock);
        trace(&mut conn, &mut chart);
        // Quiet (nothing within POLL) only means it is time to look at standard input.
        let open = pumped.map_err(explain)? != net::Pumped::Eof;
        match net::drain(&mut conn, &mut stdout) {
            Ok(true) => {
                // The server's close_notify: answer with ours and stop.
                conn.send_close_notify();
                let _ = net::flush(&mut conn, &mut sock);
                trace(&mut conn, &mut chart);
                let _ = sock.shutdown(std::net::Shutdown::Write);
                return Ok(());
            }
            // What the records asked of us (a post-handshake Certificate, a KeyUpdate
            // answer) goes out now, not with the next input.
            Ok(false) => net::flush(&mut conn, &mut sock).map_err(explain)?,
            Err(e) => return drain_failure(e, &mut conn, &mut sock),
        }
        if !open {
            return Err(Failure::failed(
                "the server closed the connection without close_notify (the data may be truncated)",
            ));
        }
    }
}

/// With --trace and ECH: the name the network sees and the one only the server sees.
fn print_ech_names(a: &ClientArgs, name_str: &str) {
    let mode = crate::echcmd::client_mode(a.ech_config.as_deref(), a.no_ech_grease);
    if let Ok(tryst::EchMode::Enabled(c)) = mode {
        eprintln!(
            "      {:<13} outer ClientHello (what the network sees): server_name '{}'",
            "ECH",
            c.public_name()
        );
        eprintln!(
            "      {:<13} inner ClientHello (encrypted to the server): server_name '{name_str}'",
            ""
        );
    }
}

/// A rejected ECH: the server proved it is the public name, and sent retry configs.
fn ech_rejected(e: &NetError) -> Option<Failure> {
    let NetError::Tls(tryst::Error::EchRejected { retry_configs }) = e else {
        return None;
    };
    Some(Failure::failed(match retry_configs {
        Some(list) => format!(
            "the server rejected Encrypted Client Hello (it proved it is the config's public name; the real name was not sent); save its retry config to a file and pass it with --ech-config: {}",
            crate::echcmd::base64(list)
        ),
        None => "the server rejected Encrypted Client Hello and sent no retry config (it does not do ECH; connect without --ech-config)".to_string(),
    }))
}

/// With --ocsp-out: write the stapled OCSP response and say what came.
fn save_ocsp(a: &ClientArgs, conn: &ClientConnection) -> Result<(), Failure> {
    let Some(path) = &a.ocsp_out else {
        return Ok(());
    };
    match conn.peer_ocsp_response() {
        Some(resp) => {
            files::write(path, resp, false)?;
            eprintln!(
                "tryst: OCSP response stapled ({} bytes), written to '{}'",
                resp.len(),
                path.display()
            );
        }
        None => eprintln!("tryst: no OCSP response stapled"),
    }
    Ok(())
}

/// With --trace: what was negotiated and the server's certificate.
fn print_negotiated(conn: &ClientConnection, name_str: &str, raw_key: bool) {
    for (k, v) in crate::chart::negotiated(conn) {
        eprintln!("      {k:<13} {v}");
    }
    let ech = match conn.ech_status() {
        tryst::EchStatus::Accepted => "accepted: the server got the inner ClientHello",
        tryst::EchStatus::Grease => "GREASE only (no ECH config given: nothing hidden)",
        _ => "not offered",
    };
    eprintln!("      {:<13} {ech}", "ECH");
    if raw_key && conn.peer_certificates().len() == 1 {
        eprintln!(
            "      {:<13} raw public key (one of --raw-public-key)",
            "certificate"
        );
    } else if let Some(leaf) = conn.peer_certificates().first() {
        eprintln!(
            "      {:<13} {} (verified for '{name_str}')",
            "certificate",
            certcmd::describe(leaf.as_ref())
        );
    }
}

/// Standard input, read on its own thread, in chunks.
fn spawn_stdin_reader() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf.get(..n).unwrap_or_default().to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    rx
}

/// Send what standard input has ready. At its end, send close_notify: we will send
/// nothing more, but keep reading until the server closes too. Returns whether input is
/// still open.
fn send_input(
    rx: &mpsc::Receiver<Vec<u8>>,
    conn: &mut ClientConnection,
    sock: &mut TcpStream,
) -> Result<bool, NetError> {
    loop {
        match rx.try_recv() {
            Ok(data) => net::send_all(conn, sock, &data)?,
            Err(mpsc::TryRecvError::Empty) => return Ok(true),
            Err(mpsc::TryRecvError::Disconnected) => {
                conn.send_close_notify();
                return Ok(false);
            }
        }
    }
}

/// Reading the connection or writing standard output failed.
fn drain_failure(e: DrainError, conn: &mut ClientConnection, sock: &mut TcpStream) -> CmdResult {
    match e {
        DrainError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            conn.send_close_notify();
            let _ = net::flush(conn, sock);
            Ok(())
        }
        DrainError::Output(e) => Err(Failure::failed(format!(
            "cannot write to standard output: {}",
            files::io_reason(&e)
        ))),
        DrainError::Truncated => Err(Failure::failed(
            "the server closed the connection without close_notify (the data may be truncated)",
        )),
        DrainError::Conn(e) => Err(Failure::failed(format!("connection failed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn host_port() {
        assert_eq!(
            split_host_port("example.com:443").unwrap(),
            ("example.com".into(), 443)
        );
        assert_eq!(split_host_port("[::1]:4433").unwrap(), ("::1".into(), 4433));
        assert!(split_host_port("example.com").is_err());
        assert!(split_host_port(":443").is_err());
        assert!(split_host_port("a:99999").is_err());
    }
}
