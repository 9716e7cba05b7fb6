//! TLS 1.2 and TLS 1.3 against Go's crypto/tls over loopback, both directions: every
//! ECDHE suite of TLS 1.2 (ECDSA and RSA certificates), resumption across connections
//! (Go's tickets to tryst's client store, tryst's tickets to Go's session cache),
//! certificates chosen by SNI on either side, and client certificates. The Go peer is
//! `tests/go/tlspeer` (standard library only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod tls12_util;

#[path = "common/gopeer.rs"]
mod gopeer;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use tls12_util::*;
use tryst::cert::CertificateBuilder;
use tryst::crypto::{EcdsaP256SigningKey, OsRng};
use tryst::messages::{CipherSuite, ProtocolVersion};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, HandshakeKind, ServerConfig, ServerConnection,
    SniCertResolver, Stream,
};

fn tlspeer() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| gopeer::build_go_peer("tlspeer")).clone()
}

/// The Go peer, the test PKI, a scratch directory and the CA's PEM file in it; `None`
/// (skip) without Go outside CI.
fn setup(tag: &str) -> Option<(PathBuf, Pki, TempDir, String)> {
    let bin = tlspeer()?;
    let p = pki();
    let dir = TempDir::new(tag);
    let ca = dir.write("ca.pem", &pem("CERTIFICATE", &p.ca));
    Some((bin, p, dir, ca))
}

/// The TLS 1.2 ECDHE suites, their code points (Go's `-suite`), and the key they need.
const SUITES12: &[(CipherSuite, &str, Kind)] = &[
    (
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
        "c02b",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
        "c02c",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        "cca9",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
        "c02f",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
        "c030",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        "cca8",
        Kind::Rsa,
    ),
];

/// A running Go server: its port, and its output once it has served every connection.
struct GoServer {
    guard: Guard,
    out: BufReader<std::process::ChildStdout>,
    port: u16,
}

impl GoServer {
    fn start(bin: &std::path::Path, args: &[String]) -> Self {
        let mut child = Command::new(bin)
            .arg("server")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let guard = Guard(child);
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .strip_prefix("LISTEN ")
            .unwrap_or_else(|| panic!("Go server: {line}"));
        let port = addr.trim().rsplit(':').next().unwrap().parse().unwrap();
        GoServer { guard, out, port }
    }

    /// Everything the server printed after LISTEN (it exits after its connections).
    fn finish(mut self) -> String {
        let mut rest = String::new();
        self.out.read_to_string(&mut rest).unwrap();
        self.guard.wait_exit(10);
        rest
    }
}

/// PEM files for Go: the CA, and `name.pem` / `name.key` for a certificate and its key.
fn pair(dir: &TempDir, name: &str, cert: &[u8], key: &[u8]) -> String {
    let c = dir.write(&format!("{name}.pem"), &pem("CERTIFICATE", cert));
    let k = dir.write(&format!("{name}.key"), &pem("PRIVATE KEY", key));
    format!("{c},{k}")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

/// One tryst client connection to `port` as `name`: handshake, a line out, the reversed
/// line back. Returns the connection.
fn tryst_connect(config: &Arc<ClientConfig>, port: u16, name: &str) -> ClientConnection {
    let mut sock = connect_retry(port);
    let mut conn = ClientConnection::new(
        config.clone(),
        ServerName::try_from(name.to_string()).unwrap(),
    )
    .unwrap();
    {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake().unwrap();
        tls.write_all(b"go tryst\n").unwrap();
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\n") {
            assert_eq!(tls.read(&mut byte).unwrap(), 1, "Go closed early");
            got.push(byte[0]);
        }
        assert_eq!(got, b"tsyrt og\n");
        let _ = tls.close();
    }
    conn
}

/// What a tryst server saw of one connection.
#[derive(Debug)]
struct Seen {
    version: Option<ProtocolVersion>,
    suite: Option<CipherSuite>,
    kind: Option<HandshakeKind>,
    sni: Option<String>,
    peer: Vec<CertificateDer<'static>>,
}

/// A tryst server echoing one read on each of `n` connections.
fn tryst_server(config: Arc<ServerConfig>, n: usize) -> (std::thread::JoinHandle<Vec<Seen>>, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        (0..n)
            .map(|_| {
                let (mut sock, _) = listener.accept().unwrap();
                sock.set_read_timeout(Some(std::time::Duration::from_secs(20)))
                    .unwrap();
                let mut conn = ServerConnection::new(config.clone()).unwrap();
                let mut tls = Stream::new(&mut conn, &mut sock);
                tls.complete_handshake().unwrap();
                let mut buf = [0u8; 256];
                let got = tls.read(&mut buf).unwrap();
                tls.write_all(&buf[..got]).unwrap();
                let _ = tls.close();
                Seen {
                    version: conn.protocol_version(),
                    suite: conn.negotiated_cipher_suite().map(|s| s.suite),
                    kind: conn.handshake_kind(),
                    sni: conn.server_name().map(str::to_string),
                    peer: conn.peer_certificates().to_vec(),
                }
            })
            .collect()
    });
    (h, port)
}

/// A tryst server config of `kind` for both versions, issuing tickets.
fn ticketing_server(p: &Pki, kind: Kind) -> Arc<ServerConfig> {
    server(p, kind, BOTH)
        .with_ticket_keys(Arc::new(tryst::TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[7; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )))
        .build()
        .unwrap()
}

fn go_client(bin: &std::path::Path, extra: &[String]) -> String {
    let mut a = vec!["client".to_string()];
    a.extend_from_slice(extra);
    run_client(bin.to_str().unwrap(), &a, b"")
}

#[test]
fn tryst_client_to_go_server_tls12_every_suite_then_resumes() {
    let Some((bin, p, dir, ca)) = setup("go-tls12-srv") else {
        return;
    };
    for &(suite, hex, kind) in SUITES12 {
        let (cert, key) = p.server(kind);
        let srv = GoServer::start(
            &bin,
            &args(&["-max", "1.2", "-n", "2", "-suite", hex, "-ca", &ca])
                .into_iter()
                .chain(["-pair".into(), pair(&dir, "leaf", cert, key)])
                .collect::<Vec<_>>(),
        );
        // One config, so the second connection finds the first one's ticket.
        let cfg = client(&p).build().unwrap();
        for round in 0..2 {
            let conn = tryst_connect(&cfg, srv.port, "localhost");
            assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls12));
            assert_eq!(conn.negotiated_cipher_suite().unwrap().suite, suite);
            let want = if round == 0 {
                HandshakeKind::Full
            } else {
                HandshakeKind::Resumed
            };
            assert_eq!(conn.handshake_kind(), Some(want), "{hex} round {round}");
        }
        let out = srv.finish();
        assert!(
            out.contains(&format!("version=0303 suite={hex} resumed=false")),
            "{out}"
        );
        assert!(
            out.contains(&format!("version=0303 suite={hex} resumed=true")),
            "{out}"
        );
    }
}

#[test]
fn go_client_to_tryst_server_tls12_every_suite_then_resumes() {
    let Some((bin, p, _dir, ca)) = setup("go-tls12-cli") else {
        return;
    };
    for &(suite, hex, kind) in SUITES12 {
        let (h, port) = tryst_server(ticketing_server(&p, kind), 2);
        let addr = format!("127.0.0.1:{port}");
        let out = go_client(
            &bin,
            &args(&[
                "-addr",
                &addr,
                "-name",
                "localhost",
                "-ca",
                &ca,
                "-max",
                "1.2",
                "-n",
                "2",
                "-suite",
                hex,
            ]),
        );
        let seen = h.join().unwrap();
        assert!(
            out.contains(&format!("OK version=0303 suite={hex} resumed=false")),
            "{out}"
        );
        // Go resumes with tryst's stateless TLS 1.2 ticket.
        assert!(
            out.contains(&format!("OK version=0303 suite={hex} resumed=true")),
            "{out}"
        );
        assert_eq!(out.matches("READ ping").count(), 2, "{out}");
        for (s, kind) in seen
            .iter()
            .zip([HandshakeKind::Full, HandshakeKind::Resumed])
        {
            assert_eq!(s.version, Some(ProtocolVersion::Tls12));
            assert_eq!(s.suite, Some(suite));
            assert_eq!(s.kind, Some(kind), "{hex}: {s:?}");
        }
    }
}

#[test]
fn tls13_resumption_both_ways_with_go() {
    let Some((bin, p, dir, ca)) = setup("go-tls13-resume") else {
        return;
    };
    let (cert, key) = p.server(Kind::Ecdsa);
    let leaf = pair(&dir, "leaf", cert, key);

    // tryst's client stores Go's NewSessionTicket and resumes with it.
    let srv = GoServer::start(&bin, &args(&["-max", "1.3", "-n", "2", "-pair", &leaf]));
    let cfg = client(&p).build().unwrap();
    let first = tryst_connect(&cfg, srv.port, "localhost");
    let second = tryst_connect(&cfg, srv.port, "localhost");
    assert_eq!(first.protocol_version(), Some(ProtocolVersion::Tls13));
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    let out = srv.finish();
    assert!(
        out.contains("version=0304") && out.contains("resumed=true"),
        "{out}"
    );

    // Go's client resumes with tryst's ticket.
    let (h, port) = tryst_server(ticketing_server(&p, Kind::Ecdsa), 2);
    let addr = format!("127.0.0.1:{port}");
    let out = go_client(
        &bin,
        &args(&["-addr", &addr, "-name", "localhost", "-ca", &ca, "-n", "2"]),
    );
    let seen = h.join().unwrap();
    assert!(
        out.contains("version=0304") && out.contains("resumed=true"),
        "{out}"
    );
    assert_eq!(seen[0].kind, Some(HandshakeKind::Full));
    assert_eq!(seen[1].kind, Some(HandshakeKind::Resumed));
}

/// Two ECDSA leaves for `a.example` and `b.example`, issued by the test CA.
fn named_leaves(p: &Pki) -> [(String, Vec<u8>, Vec<u8>); 2] {
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    ["a.example", "b.example"].map(|name| {
        let key = EcdsaP256SigningKey::generate(&mut OsRng);
        let der = CertificateBuilder::new(name, now - 3600, now + 86_400)
            .dns_name(name)
            .server_auth()
            .issue_with_rng(&key, &p.ca, &p.ca_key, &mut OsRng)
            .unwrap();
        (name.to_string(), der, key.to_pkcs8_der().unwrap().to_vec())
    })
}

#[test]
fn go_server_chooses_its_certificate_by_tryst_clients_sni() {
    let Some((bin, p, dir, _)) = setup("go-sni-srv") else {
        return;
    };
    let leaves = named_leaves(&p);
    for max in ["1.2", "1.3"] {
        let mut a = args(&["-max", max, "-n", "2"]);
        for (name, cert, key) in &leaves {
            a.extend(["-pair".into(), pair(&dir, name, cert, key)]);
        }
        let srv = GoServer::start(&bin, &a);
        let cfg = client(&p).with_session_store(None).build().unwrap();
        for (name, cert, _) in &leaves {
            let conn = tryst_connect(&cfg, srv.port, name);
            assert_eq!(
                conn.peer_certificates()[0].as_ref(),
                cert.as_slice(),
                "{max} {name}"
            );
        }
        let out = srv.finish();
        assert!(
            out.contains("sni=a.example") && out.contains("sni=b.example"),
            "{out}"
        );
    }
}

#[test]
fn tryst_server_chooses_its_certificate_by_go_clients_sni() {
    let Some((bin, p, _dir, ca)) = setup("go-sni-cli") else {
        return;
    };
    let mut resolver = SniCertResolver::new();
    for (_, cert, key) in named_leaves(&p) {
        resolver = resolver
            .with_cert(CertifiedKey::from_der(vec![CertificateDer::from(cert)], &key).unwrap())
            .unwrap();
    }
    let resolver = Arc::new(resolver);
    for max in ["1.2", "1.3"] {
        let config = ServerConfig::builder_with_cert_resolver(resolver.clone())
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 2);
        let addr = format!("127.0.0.1:{port}");
        // Go verifies each certificate against the name it asked for.
        for name in ["a.example", "b.example"] {
            let out = go_client(
                &bin,
                &args(&["-addr", &addr, "-name", name, "-ca", &ca, "-max", max]),
            );
            assert!(out.contains(&format!("peer={name}")), "{max}: {out}");
        }
        let seen = h.join().unwrap();
        assert_eq!(seen[0].sni.as_deref(), Some("a.example"));
        assert_eq!(seen[1].sni.as_deref(), Some("b.example"));
    }
}

#[test]
fn client_certificates_both_ways_with_go_in_tls12_and_tls13() {
    let Some((bin, p, dir, ca)) = setup("go-client-auth") else {
        return;
    };
    let (cert, key) = p.server(Kind::Ecdsa);
    let leaf = pair(&dir, "leaf", cert, key);
    let client_pair = pair(&dir, "client", &p.client.0, &p.client.1);
    for max in ["1.2", "1.3"] {
        // Go requires and verifies tryst's certificate.
        let srv = GoServer::start(
            &bin,
            &args(&["-max", max, "-pair", &leaf, "-client-auth", "-ca", &ca]),
        );
        let cfg = client(&p)
            .with_client_auth_cert(p.client_key())
            .build()
            .unwrap();
        tryst_connect(&cfg, srv.port, "localhost");
        let out = srv.finish();
        assert!(out.contains("client=tls12 client"), "{max}: {out}");

        // tryst requires and verifies Go's.
        let verifier = tryst::verify::WebPkiClientVerifier::new(p.anchors());
        let config = server(&p, Kind::Ecdsa, BOTH)
            .with_client_cert_verifier(Arc::new(verifier))
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let addr = format!("127.0.0.1:{port}");
        let out = go_client(
            &bin,
            &args(&[
                "-addr",
                &addr,
                "-name",
                "localhost",
                "-ca",
                &ca,
                "-max",
                max,
                "-pair",
                &client_pair,
            ]),
        );
        assert!(out.contains("READ ping"), "{max}: {out}");
        let seen = h.join().unwrap();
        assert_eq!(seen[0].peer.len(), 1);
        assert_eq!(seen[0].peer[0].as_ref(), p.client.0.as_slice(), "{max}");
    }
}
