//! 0-RTT and external PSKs against the real `openssl` (and GnuTLS) binaries over loopback, both
//! directions: `s_server -psk` / `s_client -psk` (OpenSSL's PSKs are SHA-256), and
//! `s_server -early_data` / `s_client -sess_out/-sess_in -early_data` (accepted and
//! rejected cases). Without openssl the tests skip, except under CI=true, where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::peer::{Guard, connect_retry, free_port, have};
use tryst::crypto::HashAlgorithm;
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::session::InMemorySessionStore;
use tryst::verify::{CertificateVerified, ServerCertVerifier};
use tryst::{
    ClientConfig, ClientConnection, EarlyDataRejection, EarlyDataStatus, ExternalPsk,
    HandshakeKind, ServerConfig, ServerConnection, Stream,
};

const PSK_HEX: &str = "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef";
const EARLY: &[u8] = b"GET /early HTTP/1.1\n";

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("tryst-ossl-early-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, f: &str) -> String {
        self.0.join(f).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn psk_key() -> Vec<u8> {
    hex::decode(PSK_HEX).unwrap()
}

/// `openssl s_server` on a fresh port; its stdin stays open (a closed stdin ends it) and
/// its stdout goes to `out`.
fn s_server(args: &[&str], out: &Path) -> (Guard, u16) {
    let port = free_port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-tls1_3",
            "-accept",
            &format!("127.0.0.1:{port}"),
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Guard(child), port)
}

/// Accepts any certificate (the signature is still checked): these tests are about 0-RTT,
/// not about the throwaway certificate openssl serves.
struct AnyCertificate;

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<CertificateVerified, tryst::Error> {
        Ok(CertificateVerified::assertion())
    }
}

/// A tryst client with the PSK "tryst-device" connects to `port`, sends `msg` and reads
/// one line back: the line and the connection.
fn psk_client_line(port: u16, msg: &[u8]) -> (Vec<u8>, ClientConnection) {
    let cc = ClientConfig::builder()
        .with_external_psk(
            ExternalPsk::new(b"tryst-device", &psk_key(), HashAlgorithm::Sha256).unwrap(),
        )
        .build()
        .unwrap();
    let mut sock = connect_retry(port);
    let mut conn = ClientConnection::new(cc, ServerName::try_from("localhost").unwrap()).unwrap();
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.complete_handshake().unwrap();
    tls.write_all(msg).unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        assert_eq!(tls.read(&mut byte).unwrap(), 1, "server closed early");
        line.push(byte[0]);
    }
    (line, conn)
}

#[test]
fn tryst_psk_client_to_openssl_psk_server() {
    if !have("openssl", "version") {
        return;
    }
    let dir = TempDir::new("psk-server");
    let (_srv, port) = s_server(
        &[
            "-nocert",
            "-psk_identity",
            "tryst-device",
            "-psk",
            PSK_HEX,
            "-naccept",
            "1",
            "-rev",
            "-quiet",
        ],
        Path::new(&dir.path("out")),
    );
    let (line, conn) = psk_client_line(port, b"psk hello\n");
    assert_eq!(line, b"olleh ksp\n");
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::ExternalPsk));
    assert!(conn.peer_certificates().is_empty());
}

/// A tryst server for `n` connections: each completes the handshake, answers "ok <early
/// bytes>\n" and closes. Returns what each connection saw.
/// What one server connection saw: the 0-RTT outcome, the early data, the first line.
type Seen = (EarlyDataStatus, Vec<u8>, Vec<u8>);

fn tryst_server(config: Arc<ServerConfig>, n: usize) -> (std::thread::JoinHandle<Vec<Seen>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..n {
            let (mut sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut conn = ServerConnection::new(config.clone()).unwrap();
            let mut tls = Stream::new(&mut conn, &mut sock);
            tls.complete_handshake().unwrap();
            let mut early = vec![0u8; 4096];
            let k = tls.conn.read_early_data(&mut early);
            early.truncate(k);
            let mut line = Vec::new();
            let mut byte = [0u8; 1];
            while !line.ends_with(b"\n") && tls.read(&mut byte).unwrap_or(0) == 1 {
                line.push(byte[0]);
            }
            // A client that already left (gnutls-cli -r's first connection) is fine.
            let _ = tls.write_all(b"ok\n");
            let _ = tls.close();
            seen.push((tls.conn.early_data_status(), early, line));
        }
        seen
    });
    (h, port)
}

/// `openssl s_client` with `args`, `input` on stdin; returns its stdout.
fn s_client(port: u16, args: &[&str], input: &[u8]) -> String {
    let mut child = Guard(
        Command::new("openssl")
            .args([
                "s_client",
                "-tls1_3",
                "-ign_eof",
                "-connect",
                &format!("127.0.0.1:{port}"),
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    child.0.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_exit(10);
    let mut out = String::new();
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[test]
fn openssl_psk_client_to_tryst_psk_server() {
    if !have("openssl", "version") {
        return;
    }
    let sc = ServerConfig::psk_only_builder()
        .with_external_psk(
            ExternalPsk::new(b"ossl-client", &psk_key(), HashAlgorithm::Sha256).unwrap(),
        )
        .build()
        .unwrap();
    let (h, port) = tryst_server(sc, 1);
    let out = s_client(
        port,
        &["-psk_identity", "ossl-client", "-psk", PSK_HEX, "-quiet"],
        b"hello over psk\n",
    );
    let seen = h.join().unwrap();
    assert_eq!(seen[0].2, b"hello over psk\n");
    assert!(out.contains("ok"), "s_client output: {out}");
}

fn early_server_config(max_early: u32) -> Arc<ServerConfig> {
    let p = common::pki();
    let ck = tryst::CertifiedKey::new(
        vec![CertificateDer::from(p.leaf_der.clone())],
        Arc::new(common::key(2)),
    )
    .unwrap();
    // The test PKI is valid around common::NOW: use that clock.
    ServerConfig::builder(ck)
        .with_clock(common::clock())
        .with_ticket_keys(Arc::new(
            tryst::TicketKeys::generate(&mut tryst::crypto::OsRng, Duration::from_secs(3600))
                .unwrap(),
        ))
        .with_max_early_data_size(max_early)
        .build()
        .unwrap()
}

/// s_client resumes with `-early_data`: accepted the first time, refused as a replay when
/// the same session (the same ticket) is used again, and the connection still completes.
#[test]
fn openssl_early_data_client_to_tryst_server() {
    if !have("openssl", "version") {
        return;
    }
    let dir = TempDir::new("early-client");
    std::fs::write(dir.path("early.txt"), EARLY).unwrap();
    let (h, port) = tryst_server(early_server_config(4096), 3);
    let out = s_client(port, &["-sess_out", &dir.path("sess.pem")], b"first\n");
    assert!(out.contains("ok"), "{out}");
    let early_args = [
        "-sess_in",
        &dir.path("sess.pem"),
        "-early_data",
        &dir.path("early.txt"),
    ];
    let out = s_client(port, &early_args, b"second\n");
    assert!(out.contains("Early data was accepted"), "{out}");
    let out = s_client(port, &early_args, b"third\n");
    assert!(out.contains("Early data was rejected"), "{out}");
    let seen = h.join().unwrap();
    assert_eq!(seen[0].0, EarlyDataStatus::NotOffered);
    assert_eq!(seen[1].0, EarlyDataStatus::Accepted);
    assert_eq!(seen[1].1, EARLY);
    assert_eq!(seen[1].2, b"second\n");
    assert_eq!(
        seen[2].0,
        EarlyDataStatus::Rejected(EarlyDataRejection::Replayed)
    );
    assert!(seen[2].1.is_empty());
    assert_eq!(seen[2].2, b"third\n");
}

/// A self-signed Ed25519 certificate for s_server.
fn server_cert(dir: &TempDir) {
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "2"])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .args(["-keyout", &dir.path("k.pem"), "-out", &dir.path("c.pem")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// One tryst connection; with `early`, sent as 0-RTT. Waits for the server's tickets.
fn tryst_client_run(cc: &Arc<ClientConfig>, port: u16, early: Option<&[u8]>) -> ClientConnection {
    let mut sock = connect_retry(port);
    let mut conn =
        ClientConnection::new(cc.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    if let Some(e) = early {
        assert_eq!(conn.write_early_data(e).unwrap(), e.len());
    }
    {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake().unwrap();
        tls.write_all(b"one-rtt\n").unwrap();
        tls.flush().unwrap();
    }
    assert!(!conn.is_handshaking());
    // Read until the tickets have arrived (s_server sends them after our Finished).
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    for _ in 0..10 {
        if conn.read_tls(&mut sock).is_ok() {
            conn.process_new_packets().unwrap();
        }
    }
    conn.send_close_notify();
    let _ = conn.write_tls(&mut sock);
    conn
}

/// The tryst client sends 0-RTT to s_server -early_data: accepted on a ticket from that
/// server; rejected (and handed back) by a restarted server that cannot open the ticket.
#[test]
fn tryst_early_data_client_to_openssl_server() {
    if !have("openssl", "version") {
        return;
    }
    let dir = TempDir::new("early-server");
    server_cert(&dir);
    let store = Arc::new(InMemorySessionStore::new(4));
    let cc = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate))
        .with_session_store(Some(store))
        .with_early_data(true)
        .build()
        .unwrap();
    let server_args = [
        "-cert",
        &dir.path("c.pem"),
        "-key",
        &dir.path("k.pem"),
        "-early_data",
        "-naccept",
        "2",
    ];
    let (mut srv, port) = s_server(&server_args, Path::new(&dir.path("out1")));
    tryst_client_run(&cc, port, None);
    let conn = tryst_client_run(&cc, port, Some(EARLY));
    assert_eq!(conn.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Resumed));
    srv.wait_exit(5);
    drop(srv);
    let out = std::fs::read_to_string(dir.path("out1")).unwrap();
    assert!(out.contains("Early data received"), "{out}");
    assert!(out.contains("GET /early"), "{out}");

    // A new s_server has new ticket keys: the ticket does not open, 0-RTT is rejected.
    let (_srv, port) = s_server(&server_args, Path::new(&dir.path("out2")));
    let mut conn = tryst_client_run(&cc, port, Some(EARLY));
    assert_eq!(
        conn.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::ByServer)
    );
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(conn.take_rejected_early_data(), EARLY);
}

const GNUTLS_PRIORITY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+PSK";

#[test]
fn tryst_psk_client_to_gnutls_psk_server() {
    if !have("gnutls-cli", "--version") {
        return;
    }
    let dir = TempDir::new("gnutls-serv");
    std::fs::write(dir.path("psk.txt"), format!("tryst-device:{PSK_HEX}\n")).unwrap();
    let port = free_port();
    let _srv = Guard(
        Command::new("gnutls-serv")
            .args(["-p", &port.to_string(), "--echo"])
            .args(["--pskpasswd", &dir.path("psk.txt")])
            .args(["--priority", GNUTLS_PRIORITY])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (line, conn) = psk_client_line(port, b"echo me\n");
    assert_eq!(line, b"echo me\n");
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::ExternalPsk));
}

#[test]
fn gnutls_psk_client_to_tryst_psk_server() {
    if !have("gnutls-cli", "--version") {
        return;
    }
    let sc = ServerConfig::psk_only_builder()
        .with_external_psk(
            ExternalPsk::new(b"gnutls-client", &psk_key(), HashAlgorithm::Sha256).unwrap(),
        )
        .build()
        .unwrap();
    let (h, port) = tryst_server(sc, 1);
    let mut child = Guard(
        Command::new("gnutls-cli")
            .args(["-p", &port.to_string(), "127.0.0.1"])
            .args(["--pskusername", "gnutls-client", "--pskkey", PSK_HEX])
            .args(["--priority", GNUTLS_PRIORITY])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdin = child.0.stdin.take().unwrap();
    stdin.write_all(b"hello from gnutls\n").unwrap();
    let seen = h.join().unwrap();
    drop(stdin);
    child.wait_exit(10);
    let mut out = String::new();
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(seen[0].2, b"hello from gnutls\n");
    assert!(out.contains("PSK authentication"), "{out}");
}

/// GnuTLS's client resumes with `--earlydata` (`-r`: a full handshake, then a resumption
/// sending the file as 0-RTT): the tryst server accepts it as early data.
#[test]
fn gnutls_early_data_client_to_tryst_server() {
    if !have("gnutls-cli", "--version") {
        return;
    }
    let dir = TempDir::new("gnutls-early");
    std::fs::write(dir.path("early.txt"), EARLY).unwrap();
    let (h, port) = tryst_server(early_server_config(4096), 2);
    let mut child = Guard(
        Command::new("gnutls-cli")
            .args(["-p", &port.to_string(), "127.0.0.1", "--insecure"])
            .args(["--sni-hostname", "localhost", "-r"])
            .args(["--earlydata", &dir.path("early.txt")])
            .args(["--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdin = child.0.stdin.take().unwrap();
    let seen = h.join().unwrap();
    drop(stdin);
    child.wait_exit(10);
    assert_eq!(seen[0].0, EarlyDataStatus::NotOffered);
    assert_eq!(seen[1].0, EarlyDataStatus::Accepted);
    assert_eq!(seen[1].1, EARLY);
}

/// The tryst client sends 0-RTT to `gnutls-serv --earlydata`: accepted on its ticket.
#[test]
fn tryst_early_data_client_to_gnutls_server() {
    if !have("gnutls-cli", "--version") {
        return;
    }
    let dir = TempDir::new("gnutls-early-server");
    server_cert(&dir);
    let port = free_port();
    let _srv = Guard(
        Command::new("gnutls-serv")
            .args(["-p", &port.to_string(), "--echo"])
            .args(["--x509certfile", &dir.path("c.pem")])
            .args(["--x509keyfile", &dir.path("k.pem")])
            .args(["--earlydata", "--maxearlydata", "4096"])
            .args(["--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.3"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let cc = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate))
        .with_session_store(Some(Arc::new(InMemorySessionStore::new(4))))
        .with_early_data(true)
        .build()
        .unwrap();
    tryst_client_run(&cc, port, None);
    let conn = tryst_client_run(&cc, port, Some(EARLY));
    assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(conn.early_data_status(), EarlyDataStatus::Accepted);
}
