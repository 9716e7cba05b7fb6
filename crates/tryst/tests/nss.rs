//! Interop with Mozilla NSS (Firefox's TLS stack) over loopback, through the test tools of
//! Debian's `libnss3-tools`: `selfserv` (server) and `tstclnt` (client), with NSS
//! databases made per test by `certutil` and `pk12util` (the PKCS#12 files come from
//! `openssl pkcs12 -export`, so these tests need `openssl` too). Both directions: TLS 1.3
//! with ECDSA P-256 and RSA certificates and each suite, TLS 1.2 with each ECDHE suite NSS
//! enables, P-256 and X25519 key exchange, HelloRetryRequest, resumption across
//! connections (TLS 1.3 tickets, TLS 1.2 tickets and session ids), client certificates,
//! 0-RTT, and certificates from an unknown CA refused on both sides; Encrypted Client
//! Hello (NSS 3.87 speaks version 0xfe0d: accepted, after HelloRetryRequest, rejected with
//! retry configs, GREASE), post-handshake authentication, ALPN (selfserv only: tstclnt
//! has no ALPN option), KeyUpdate with update_requested, OCSP stapling, and exporters
//! (TLS 1.3 and 1.2). NSS 3.87 has
//! no Ed25519 in TLS (and its pk12util cannot import such a key), so that key is not
//! tested here; the test CA signs with ECDSA P-256 for the same reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod tls12_util;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tls12_util::{
    CLIENT_P256_KEY, Guard, P256_KEY, RSA_KEY, TempDir, base64, connect_retry, free_port, have, pem,
};
use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{EcdsaP256SigningKey, OsRng, RsaSigningKey, Signer};
use tryst::messages::{
    AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme,
};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, EarlyDataStatus, EchClientConfig, EchMode,
    EchServerKey, EchStatus, HandshakeKind, OsRandom, ServerConfig, ServerConnection, Stream,
};

const TLS13: &[ProtocolVersion] = &[ProtocolVersion::Tls13];
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

/// A certificate and its PKCS#8 key.
type Pair = (Vec<u8>, Vec<u8>);

/// The test PKI: a CA with an ECDSA P-256 key (fresh per run), server certificates for
/// localhost / 127.0.0.1 with the ECDSA and RSA test keys, a client certificate, and a
/// second CA nobody trusts with a client certificate of its own.
struct Pki {
    ca: Vec<u8>,
    ecdsa: Pair,
    rsa: Pair,
    client: Pair,
    /// A client certificate for the RSA test key.
    rsa_client: Pair,
    stranger_ca: Vec<u8>,
    stranger_client: Pair,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ecdsa,
    Rsa,
}

fn validity() -> (i64, i64) {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    (now - 3600, now + 86_400)
}

fn make_ca(name: &str, key: &EcdsaP256SigningKey) -> Vec<u8> {
    let (nb, na) = validity();
    CertificateBuilder::new(name, nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed(key)
        .unwrap()
}

fn client_cert(cn: &str, key: &dyn Signer, ca: &[u8], ca_key: &EcdsaP256SigningKey) -> Vec<u8> {
    let (nb, na) = validity();
    CertificateBuilder::new(cn, nb, na)
        .client_auth()
        .issue_with_rng(key, ca, ca_key, &mut OsRng)
        .unwrap()
}

fn pki() -> Pki {
    let (nb, na) = validity();
    let ca_key = EcdsaP256SigningKey::generate(&mut OsRng);
    let ca = make_ca("tryst NSS test CA", &ca_key);
    let leaf = |key: &dyn Signer| {
        CertificateBuilder::new("localhost", nb, na)
            .dns_name("localhost")
            // The ECH tests' public name: a rejected ECH handshake is checked against it.
            .dns_name(ECH_PUBLIC)
            .ip_address(&[127, 0, 0, 1])
            .server_auth()
            .issue_with_rng(key, &ca, &ca_key, &mut OsRng)
            .unwrap()
    };
    let ec = EcdsaP256SigningKey::from_pkcs8_der(P256_KEY).unwrap();
    let rsa = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let ck = EcdsaP256SigningKey::from_pkcs8_der(CLIENT_P256_KEY).unwrap();
    let stranger_key = EcdsaP256SigningKey::generate(&mut OsRng);
    let stranger_ca = make_ca("tryst NSS stranger CA", &stranger_key);
    Pki {
        ecdsa: (leaf(&ec), P256_KEY.to_vec()),
        rsa: (leaf(&rsa), RSA_KEY.to_vec()),
        client: (
            client_cert("tryst nss client", &ck, &ca, &ca_key),
            CLIENT_P256_KEY.to_vec(),
        ),
        rsa_client: (
            client_cert("tryst nss rsa client", &rsa, &ca, &ca_key),
            RSA_KEY.to_vec(),
        ),
        stranger_client: (
            client_cert("stranger client", &ck, &stranger_ca, &stranger_key),
            CLIENT_P256_KEY.to_vec(),
        ),
        ca,
        stranger_ca,
    }
}

impl Pki {
    fn server(&self, kind: Kind) -> &Pair {
        match kind {
            Kind::Ecdsa => &self.ecdsa,
            Kind::Rsa => &self.rsa,
        }
    }

    fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_der([self.ca.as_slice()]).unwrap()
    }

    fn certified(pair: &Pair) -> CertifiedKey {
        CertifiedKey::from_der(vec![CertificateDer::from(pair.0.clone())], &pair.1).unwrap()
    }
}

/// The test PKI and a scratch directory, or `None` (skip) when a tool is missing outside CI.
fn setup(tag: &str) -> Option<(Pki, TempDir)> {
    tools().then(|| (pki(), TempDir::new(tag)))
}

/// Whether every tool these tests run is installed (fails under CI=true otherwise).
fn tools() -> bool {
    have("openssl", "version")
        && ["certutil", "pk12util", "selfserv", "tstclnt"]
            .iter()
            .all(|t| have_nss_tool(t))
}

/// The NSS tools have no probe that exits 0 (`-h` prints usage and exits non-zero): one
/// is present when it can be started at all.
fn have_nss_tool(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required when CI=true (install libnss3-tools: .ci/run's need list)"
        );
        eprintln!("skipping: {tool} is not installed (Debian: libnss3-tools)");
    }
    ok
}

fn run_ok(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An NSS database in `dir/name` trusting `ca` (for servers and clients), holding the
/// given (nickname, certificate, key) identities; returns the `sql:` path.
fn nss_db(dir: &TempDir, name: &str, ca: &[u8], ids: &[(&str, &Pair)]) -> String {
    let path = dir.0.join(name);
    std::fs::create_dir_all(&path).unwrap();
    let db = format!("sql:{}", path.display());
    run_ok("certutil", &["-N", "--empty-password", "-d", &db]);
    let ca_file = dir.write(&format!("{name}-ca.pem"), &pem("CERTIFICATE", ca));
    run_ok(
        "certutil",
        &["-A", "-d", &db, "-n", "ca", "-t", "CT,C,C", "-i", &ca_file],
    );
    for (nick, (cert, key)) in ids {
        let c = dir.write(&format!("{name}-{nick}.pem"), &pem("CERTIFICATE", cert));
        let k = dir.write(&format!("{name}-{nick}.key"), &pem("PRIVATE KEY", key));
        let p12 = path.join(format!("{nick}.p12")).display().to_string();
        run_ok(
            "openssl",
            &[
                "pkcs12", "-export", "-in", &c, "-inkey", &k, "-name", nick, "-passout", "pass:",
                "-out", &p12,
            ],
        );
        run_ok("pk12util", &["-i", &p12, "-d", &db, "-W", ""]);
    }
    db
}

fn read_lossy(path: &std::path::Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// A running `selfserv`: its port and where its output goes.
struct Selfserv {
    guard: Guard,
    /// When it began to accept connections.
    started: Instant,
    port: u16,
    out: PathBuf,
    err: PathBuf,
}

impl Selfserv {
    /// `selfserv -v` with the key `nick` of `db` and `extra` flags, once it accepts.
    fn start(dir: &TempDir, db: &str, nick: &str, extra: &[&str]) -> Self {
        let port = free_port();
        let tag = format!("selfserv-{port}");
        let out = dir.0.join(format!("{tag}.out"));
        let err = dir.0.join(format!("{tag}.err"));
        let child = Command::new("selfserv")
            .args(["-d", db, "-n", nick, "-p", &port.to_string(), "-v"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let mut guard = Guard(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !read_lossy(&err).contains("About to call accept") {
            if let Ok(Some(status)) = guard.0.try_wait() {
                panic!("selfserv {extra:?} exited ({status}): {}", read_lossy(&err));
            }
            assert!(Instant::now() < deadline, "selfserv did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Selfserv {
            guard,
            started: Instant::now(),
            port,
            out,
            err,
        }
    }

    /// Stop it and return everything it printed (stdout, then stderr).
    fn finish(self) -> String {
        // Let it write what the last connection produced.
        std::thread::sleep(Duration::from_millis(200));
        drop(self.guard);
        format!("{}{}", read_lossy(&self.out), read_lossy(&self.err))
    }
}

const REQUEST: &[u8] = b"GET /tryst HTTP/1.0\r\n\r\n";

/// One tryst client connection to selfserv: an HTTP/1.0 request (0-RTT first if the
/// config allows it and a ticket does), and the response to EOF. Returns the connection,
/// the response, and how much went as early data.
fn to_selfserv(config: &Arc<ClientConfig>, port: u16) -> (ClientConnection, String, usize) {
    let mut sock = connect_retry(port);
    let mut conn =
        ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap()).unwrap();
    // Tests look at the handshake messages exchanged after the handshake.
    conn.set_trace(true);
    let early = if conn.early_data_limit() >= REQUEST.len() {
        conn.write_early_data(REQUEST).unwrap()
    } else {
        0
    };
    let mut got = Vec::new();
    {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake().unwrap();
        if early == 0 || matches!(tls.conn.early_data_status(), EarlyDataStatus::Rejected(_)) {
            tls.write_all(REQUEST).unwrap();
        }
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                // selfserv may close without close_notify once it has answered (after
                // 0-RTT, before reading our Finished: the kernel then resets).
                Err(e) if got.windows(7).any(|w| w == b"\r\nEOF\r\n") => {
                    eprintln!("after the response: {e}");
                    break;
                }
                Err(e) => panic!("reading from selfserv: {e}; so far {got:?}"),
            }
        }
    }
    (conn, String::from_utf8_lossy(&got).into_owned(), early)
}

fn tryst_client(p: &Pki, versions: &[ProtocolVersion]) -> tryst::ClientConfigBuilder {
    ClientConfig::builder()
        .with_root_certificates(p.anchors())
        .with_protocol_versions(versions)
}

fn ticket_keys() -> Arc<tryst::TicketKeys> {
    Arc::new(tryst::TicketKeys::generate(&mut OsRng, Duration::from_secs(600)).unwrap())
}

/// What the tryst server saw on one connection.
#[derive(Debug, Default)]
struct Seen {
    version: Option<ProtocolVersion>,
    suite: Option<CipherSuite>,
    group: Option<NamedGroup>,
    kind: Option<HandshakeKind>,
    peer_certs: Vec<Vec<u8>>,
    early: Option<EarlyDataStatus>,
    early_data: Vec<u8>,
    data: Vec<u8>,
    error: Option<String>,
    /// The alert our server sent (`Error::alert`).
    alert: Option<AlertDescription>,
    /// The alert the peer sent, if that ended the connection.
    received: Option<AlertDescription>,
    ech: Option<EchStatus>,
    /// The server name the connection was for (the inner one after ECH) and the outer one.
    sni: Option<String>,
    outer_sni: Option<String>,
    alpn: Option<Vec<u8>>,
    /// [`EXPORTER`] from the connection.
    exported: Option<Vec<u8>>,
}

/// The exporter label, context and length the tests ask both sides for (NSS's `-x`
/// syntax: LABEL:LENGTH:CONTEXT, hex after 0x).
const EXPORTER: (&str, &[u8], &str) = (
    "EXPORTER-tryst-nss",
    b"\x01\x02",
    "EXPORTER-tryst-nss:32:0x0102",
);

fn export(conn: &tryst::ConnectionCommon) -> Option<Vec<u8>> {
    let mut out = vec![0u8; 32];
    conn.export_keying_material(&mut out, EXPORTER.0.as_bytes(), Some(EXPORTER.1))
        .ok()?;
    Some(out)
}

/// A tryst server answering `n` connections: handshake, take any 0-RTT data, read until
/// the request's blank line, answer "tryst saw N bytes", close.
fn tryst_server(config: Arc<ServerConfig>, n: usize) -> (std::thread::JoinHandle<Vec<Seen>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        (0..n)
            .map(|_| {
                let Some(mut sock) = accept_within(&listener, Duration::from_secs(20)) else {
                    return Seen {
                        error: Some("the NSS client never connected".into()),
                        ..Seen::default()
                    };
                };
                let mut conn = ServerConnection::new(config.clone()).unwrap();
                let mut seen = Seen::default();
                serve_one(&mut conn, &mut sock, &mut seen);
                seen.version = conn.protocol_version();
                seen.suite = conn.negotiated_cipher_suite().map(|s| s.suite);
                seen.group = conn.negotiated_group();
                seen.kind = conn.handshake_kind();
                seen.peer_certs = conn
                    .peer_certificates()
                    .iter()
                    .map(|c| c.as_ref().to_vec())
                    .collect();
                seen.early = Some(conn.early_data_status());
                seen.ech = Some(conn.ech_status());
                seen.sni = conn.server_name().map(str::to_owned);
                seen.outer_sni = conn.outer_server_name().map(str::to_owned);
                seen.alpn = conn.alpn_protocol().map(<[u8]>::to_vec);
                seen.exported = export(&conn);
                seen
            })
            .collect()
    });
    (h, port)
}

/// The next connection on `listener` within `limit` (so a client that never comes cannot
/// hang the test), with 10 s read timeouts.
fn accept_within(listener: &TcpListener, limit: Duration) -> Option<std::net::TcpStream> {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + limit;
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false).unwrap();
                sock.set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                return Some(sock);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => return None,
        }
    }
}

fn serve_one(conn: &mut ServerConnection, sock: &mut std::net::TcpStream, seen: &mut Seen) {
    let mut tls = Stream::new(conn, sock);
    let outcome = (|| -> std::io::Result<()> {
        tls.complete_handshake()?;
        let mut early = [0u8; 4096];
        let n = tls.conn.read_early_data(&mut early);
        seen.early_data.extend_from_slice(&early[..n]);
        let mut all = seen.early_data.clone();
        let mut buf = [0u8; 4096];
        while !all.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tls.read(&mut buf)?;
            if n == 0 {
                break;
            }
            seen.data.extend_from_slice(&buf[..n]);
            all.extend_from_slice(&buf[..n]);
        }
        let answer = format!("tryst saw {} bytes\n", all.len());
        tls.write_all(answer.as_bytes())?;
        tls.close()
    })();
    if let Err(e) = outcome {
        let err = e.get_ref().and_then(|i| i.downcast_ref::<tryst::Error>());
        seen.alert = err.and_then(tryst::Error::alert);
        if let Some(tryst::Error::AlertReceived(a)) = err {
            seen.received = Some(*a);
        }
        seen.error = Some(e.to_string());
    }
}

/// Run `tstclnt` against `port` with the database `db`, sending REQUEST from a file;
/// at most 20 s. Returns stdout and stderr together.
fn tstclnt(dir: &TempDir, db: &str, port: u16, extra: &[&str]) -> String {
    let req = dir.0.join("request.txt");
    std::fs::write(&req, REQUEST).unwrap();
    let tag = format!("tstclnt-{port}-{}", free_port());
    let out = dir.0.join(format!("{tag}.out"));
    let child = Command::new("tstclnt")
        .args(["-h", "localhost", "-4", "-p", &port.to_string(), "-d", db])
        .args(["-v", "-A", &req.display().to_string()])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::from(
            std::fs::OpenOptions::new().append(true).open(&out).unwrap(),
        ))
        .spawn()
        .unwrap();
    let mut guard = Guard(child);
    guard.wait_exit(20);
    drop(guard);
    // Only the lines about the session; -v also logs every poll.
    read_lossy(&out)
        .lines()
        .filter(|l| !l.contains("PR_Poll") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn tryst_client_to_selfserv_tls13_ecdsa_and_rsa() {
    let Some((p, dir)) = setup("nss-srv13") else {
        return;
    };
    for (kind, nick, auth, scheme) in [
        (
            Kind::Ecdsa,
            "ec",
            "256-bit",
            SignatureScheme::EcdsaSecp256r1Sha256,
        ),
        (
            Kind::Rsa,
            "rsa",
            "2048-bit",
            SignatureScheme::RsaPssRsaeSha256,
        ),
    ] {
        let db = nss_db(&dir, nick, &p.ca, &[(nick, p.server(kind))]);
        let srv = Selfserv::start(&dir, &db, nick, &["-V", "tls1.3:tls1.3"]);
        let cfg = tryst_client(&p, TLS13).build().unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.starts_with("HTTP/1.0 200 OK"), "{resp}");
        assert!(resp.contains("GET /tryst HTTP/1.0"), "{resp}");
        assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls13));
        assert_eq!(conn.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(conn.peer_certificates()[0].as_ref(), p.server(kind).0);
        assert_eq!(conn.signature_scheme(), Some(scheme));
        let suite = conn.negotiated_cipher_suite().unwrap().suite;
        assert_eq!(suite, CipherSuite::TlsAes128GcmSha256, "NSS's first choice");
        assert!(out.contains("SSL version 3.4"), "{out}");
        assert!(out.contains("128-bit AES-GCM"), "{out}");
        assert!(
            out.contains(&format!("Server Auth: {auth} TLS 1.3")),
            "{out}"
        );
    }
}

#[test]
fn tstclnt_to_tryst_server_tls13_ecdsa_and_rsa() {
    let Some((p, dir)) = setup("nss-cli13") else {
        return;
    };
    let db = nss_db(&dir, "client", &p.ca, &[]);
    for (kind, auth, scheme) in [
        (Kind::Ecdsa, "256-bit", "ecdsa_secp256r1_sha256"),
        (Kind::Rsa, "2048-bit", "rsa_pss_rsae_sha256"),
    ] {
        let config = ServerConfig::builder(Pki::certified(p.server(kind)))
            .with_protocol_versions(TLS13)
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let out = tstclnt(&dir, &db, port, &["-V", "tls1.3:tls1.3"]);
        let seen = h.join().unwrap().pop().unwrap();
        assert_eq!(seen.error, None, "{out}");
        assert_eq!(seen.version, Some(ProtocolVersion::Tls13));
        assert_eq!(seen.kind, Some(HandshakeKind::Full));
        assert_eq!(seen.data, REQUEST);
        assert!(out.contains("tryst saw 23 bytes"), "{out}");
        assert!(out.contains("SSL version 3.4"), "{out}");
        assert!(
            out.contains(&format!("Server Auth: {auth} TLS 1.3")),
            "{out}"
        );
        assert!(
            out.contains(&format!("Signature Scheme: {scheme}")),
            "{out}"
        );
        assert!(out.contains("subject DN: CN=localhost"), "{out}");
        assert!(out.contains("issuer  DN: CN=tryst NSS test CA"), "{out}");
    }
}

/// The TLS 1.2 ECDHE suites NSS 3.87 enables by default that tryst implements, NSS's
/// code for `-c`, the name in its "using ..." line, and the key they need.
const SUITES12: &[(CipherSuite, &str, &str, Kind)] = &[
    (
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
        ":C02B",
        "128-bit AES-GCM",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
        ":C02C",
        "256-bit AES-GCM",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        ":CCA9",
        "256-bit CHACHA20POLY1305",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
        ":C02F",
        "128-bit AES-GCM",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
        ":C030",
        "256-bit AES-GCM",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        ":CCA8",
        "256-bit CHACHA20POLY1305",
        Kind::Rsa,
    ),
];

#[test]
fn tryst_client_to_selfserv_tls12_every_ecdhe_suite() {
    let Some((p, dir)) = setup("nss-srv12") else {
        return;
    };
    // One database per server key: selfserv with both in one may pick either.
    let ec_db = nss_db(&dir, "ec", &p.ca, &[("ec", &p.ecdsa)]);
    let rsa_db = nss_db(&dir, "rsa", &p.ca, &[("rsa", &p.rsa)]);
    for &(suite, code, name, kind) in SUITES12 {
        let (db, nick) = match kind {
            Kind::Ecdsa => (&ec_db, "ec"),
            Kind::Rsa => (&rsa_db, "rsa"),
        };
        let srv = Selfserv::start(&dir, db, nick, &["-V", "tls1.2:tls1.2", "-c", code]);
        let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
            .build()
            .unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst HTTP/1.0"), "{code}: {resp}");
        assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(conn.negotiated_cipher_suite().unwrap().suite, suite);
        assert!(out.contains("SSL version 3.3"), "{code}: {out}");
        assert!(out.contains(name), "{code} {name}: {out}");
        assert!(out.contains("Extended Master Secret: Yes"), "{code}: {out}");
    }
}

#[test]
fn tstclnt_tls12_to_tryst_server_every_ecdhe_suite() {
    let Some((p, dir)) = setup("nss-cli12") else {
        return;
    };
    let db = nss_db(&dir, "client", &p.ca, &[]);
    for &(suite, code, name, kind) in SUITES12 {
        let config = ServerConfig::builder(Pki::certified(p.server(kind)))
            .with_protocol_versions(TLS12)
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let out = tstclnt(&dir, &db, port, &["-V", "tls1.2:tls1.2", "-c", code]);
        let seen = h.join().unwrap().pop().unwrap();
        assert_eq!(seen.error, None, "{code}: {out}");
        assert_eq!(seen.version, Some(ProtocolVersion::Tls12));
        assert_eq!(seen.suite, Some(suite));
        assert!(out.contains("tryst saw 23 bytes"), "{code}: {out}");
        assert!(out.contains("SSL version 3.3"), "{code}: {out}");
        assert!(out.contains(name), "{code} {name}: {out}");
        assert!(out.contains("Extended Master Secret: Yes"), "{code}: {out}");
    }
}

/// NSS's `-I` name for a group and the key size it prints in "Key Exchange: N-bit".
const GROUPS: &[(NamedGroup, &str, &str)] = &[
    (NamedGroup::Secp256r1, "P256", "256-bit"),
    (NamedGroup::X25519, "x25519", "255-bit"),
];

#[test]
fn p256_and_x25519_both_ways_tls13_and_tls12() {
    let Some((p, dir)) = setup("nss-groups") else {
        return;
    };
    // RSA certificates: NSS turns off an ECDSA P-256 certificate when P-256 is not among
    // its enabled groups (-I x25519 alone), which is not what this test is about.
    let srv_db = nss_db(&dir, "srv", &p.ca, &[("rsa", &p.rsa)]);
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    for range in ["tls1.3:tls1.3", "tls1.2:tls1.2"] {
        for &(group, name, bits) in GROUPS {
            let srv = Selfserv::start(&dir, &srv_db, "rsa", &["-V", range, "-I", name]);
            let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
                .build()
                .unwrap();
            let (conn, resp, _) = to_selfserv(&cfg, srv.port);
            let out = srv.finish();
            assert!(resp.contains("GET /tryst"), "{range} {name}: {resp}");
            assert_eq!(conn.negotiated_group(), Some(group), "{range} {name}");
            assert!(out.contains(&format!("Key Exchange: {bits}")), "{out}");

            let config = ServerConfig::builder(Pki::certified(&p.rsa))
                .build()
                .unwrap();
            let (h, port) = tryst_server(config, 1);
            let out = tstclnt(&dir, &cli_db, port, &["-V", range, "-I", name]);
            let seen = h.join().unwrap().pop().unwrap();
            assert_eq!(seen.error, None, "{range} {name}: {out}");
            assert_eq!(seen.group, Some(group), "{range} {name}");
            assert!(out.contains(&format!("Key Exchange: {bits}")), "{out}");
        }
    }
}

#[test]
fn tryst_client_resumes_with_selfserv_tls13_tickets_tls12_tickets_and_session_ids() {
    let Some((p, dir)) = setup("nss-srv-resume") else {
        return;
    };
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    for (range, extra, stateless) in [
        ("tls1.3:tls1.3", Some("-u"), "1 stateless resumes"),
        ("tls1.2:tls1.2", Some("-u"), "1 stateless resumes"),
        ("tls1.2:tls1.2", None, "0 stateless resumes"),
    ] {
        let mut args = vec!["-V", range];
        args.extend(extra);
        let srv = Selfserv::start(&dir, &db, "ec", &args);
        let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
            .build()
            .unwrap();
        let (first, _, _) = to_selfserv(&cfg, srv.port);
        let (second, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst"), "{args:?}: {resp}");
        assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(
            second.handshake_kind(),
            Some(HandshakeKind::Resumed),
            "{args:?}: {out}"
        );
        assert!(out.contains("1 cache hits"), "{args:?}: {out}");
        assert!(out.contains(stateless), "{args:?}: {out}");
    }
}

#[test]
fn tstclnt_resumes_with_tryst_server_tls13_and_tls12_tickets() {
    let Some((p, dir)) = setup("nss-cli-resume") else {
        return;
    };
    let db = nss_db(&dir, "cli", &p.ca, &[]);
    for (versions, range) in [(TLS13, "tls1.3:tls1.3"), (TLS12, "tls1.2:tls1.2")] {
        let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
            .with_protocol_versions(versions)
            .with_ticket_keys(ticket_keys())
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 2);
        // -L 2: two connections in one process, the second from NSS's session cache.
        let out = tstclnt(&dir, &db, port, &["-V", range, "-u", "-L", "2"]);
        let seen = h.join().unwrap();
        assert_eq!(seen[0].error, None, "{range}: {out}");
        assert_eq!(seen[1].error, None, "{range}: {out}");
        assert_eq!(seen[0].kind, Some(HandshakeKind::Full), "{range}");
        assert_eq!(seen[1].kind, Some(HandshakeKind::Resumed), "{range}: {out}");
        assert_eq!(seen[1].data, REQUEST);
        assert!(out.contains("1 cache hits"), "{range}: {out}");
    }
}

fn requiring_server(p: &Pki, versions: &[ProtocolVersion]) -> Arc<ServerConfig> {
    let verifier = tryst::verify::WebPkiClientVerifier::new(p.anchors());
    ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(versions)
        .with_client_cert_verifier(Arc::new(verifier))
        .build()
        .unwrap()
}

#[test]
fn client_certificates_both_ways_tls13_and_tls12() {
    let Some((p, dir)) = setup("nss-auth") else {
        return;
    };
    let srv_db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let cli_db = nss_db(
        &dir,
        "cli",
        &p.ca,
        &[("me", &p.client), ("rsa-me", &p.rsa_client)],
    );
    for (versions, range, ver) in [
        (TLS13, "tls1.3:tls1.3", "SSL version 3.4"),
        (TLS12, "tls1.2:tls1.2", "SSL version 3.3"),
    ] {
        // ECDSA P-256 and RSA-2048 client keys (RSA-PSS in TLS 1.3; TLS 1.2 as agreed).
        for (nick, pair, cn) in [
            ("me", &p.client, "tryst nss client"),
            ("rsa-me", &p.rsa_client, "tryst nss rsa client"),
        ] {
            // selfserv -r -r: asks for and requires a certificate, checked against its CA.
            let srv = Selfserv::start(&dir, &srv_db, "ec", &["-V", range, "-r", "-r"]);
            // Our client cannot leave TLS 1.3 out; selfserv's -V makes it TLS 1.2.
            let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
                .with_client_auth_cert(Pki::certified(pair))
                .build()
                .unwrap();
            let (conn, resp, _) = to_selfserv(&cfg, srv.port);
            let out = srv.finish();
            assert!(resp.contains("GET /tryst"), "{range} {nick}: {resp}");
            assert_eq!(conn.protocol_version(), Some(versions[0]));
            assert!(out.contains(ver), "{range}: {out}");
            assert!(out.contains(&format!("subject DN: CN={cn}")), "{out}");

            // tstclnt -n: presents the key and certificate from its database.
            let (h, port) = tryst_server(requiring_server(&p, versions), 1);
            let out = tstclnt(&dir, &cli_db, port, &["-V", range, "-n", nick]);
            let seen = h.join().unwrap().pop().unwrap();
            assert_eq!(seen.error, None, "{range} {nick}: {out}");
            assert_eq!(seen.version, Some(versions[0]));
            assert_eq!(seen.peer_certs, vec![pair.0.clone()], "{range} {nick}");
            assert!(out.contains("tryst saw 23 bytes"), "{range} {nick}: {out}");
        }
    }
}

#[test]
fn zero_rtt_both_ways() {
    let Some((p, dir)) = setup("nss-0rtt") else {
        return;
    };
    // Our client's first request to selfserv -Z goes as 0-RTT on the second connection.
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let srv = Selfserv::start(&dir, &db, "ec", &["-V", "tls1.3:tls1.3", "-u", "-Z"]);
    let cfg = tryst_client(&p, TLS13)
        .with_early_data(true)
        .build()
        .unwrap();
    let (first, _, early) = to_selfserv(&cfg, srv.port);
    assert_eq!(early, 0);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    // NSS's anti-replay filter refuses every 0-RTT attempt in its first window after
    // start (selfserv: 10 s), in case the server accepted it before a restart: ours is
    // rejected, and the request goes again as ordinary data.
    let (second, resp, early) = to_selfserv(&cfg, srv.port);
    assert_eq!(early, REQUEST.len());
    assert_eq!(
        second.early_data_status(),
        EarlyDataStatus::Rejected(tryst::EarlyDataRejection::ByServer)
    );
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(resp.contains("GET /tryst HTTP/1.0"), "{resp}");
    // After the window, the next ticket's early data is accepted.
    let wait = Duration::from_millis(10_500).saturating_sub(srv.started.elapsed());
    std::thread::sleep(wait);
    let (third, resp, early) = to_selfserv(&cfg, srv.port);
    let out = srv.finish();
    assert_eq!(early, REQUEST.len(), "{out}");
    assert_eq!(
        third.early_data_status(),
        EarlyDataStatus::Accepted,
        "{out}"
    );
    assert_eq!(third.handshake_kind(), Some(HandshakeKind::Resumed));
    // selfserv answers with the request it read: the early data.
    assert!(resp.contains("GET /tryst HTTP/1.0"), "{resp}");
    assert!(out.contains("2 stateless resumes"), "{out}");

    // tstclnt -Z -L 2: the second connection sends the request as 0-RTT.
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .with_ticket_keys(ticket_keys())
        .with_max_early_data_size(16_384)
        .build()
        .unwrap();
    let (h, port) = tryst_server(config, 2);
    let out = tstclnt(
        &dir,
        &cli_db,
        port,
        &["-V", "tls1.3:tls1.3", "-u", "-Z", "-L", "2"],
    );
    let seen = h.join().unwrap();
    assert_eq!(seen[1].error, None, "{out}");
    assert_eq!(seen[1].kind, Some(HandshakeKind::Resumed), "{out}");
    assert_eq!(seen[1].early, Some(EarlyDataStatus::Accepted), "{out}");
    assert_eq!(seen[1].early_data, REQUEST, "{out}");
    assert!(
        seen[1].data.is_empty(),
        "sent again as 1-RTT: {:?}",
        seen[1]
    );
    assert!(!out.contains("Early data rejected"), "{out}");
}

#[test]
fn certificates_from_an_unknown_ca_are_refused_both_ways() {
    let Some((p, dir)) = setup("nss-unknown") else {
        return;
    };
    // tstclnt whose database trusts only another CA: NSS refuses our server's chain and
    // tells us so with an alert.
    let db = nss_db(&dir, "stranger", &p.stranger_ca, &[]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .build()
        .unwrap();
    let (h, port) = tryst_server(config, 1);
    let out = tstclnt(&dir, &db, port, &[]);
    let seen = h.join().unwrap().pop().unwrap();
    eprintln!("NSS client, unknown CA: {out}\ntryst: {seen:?}");
    assert!(out.contains("SEC_ERROR_UNKNOWN_ISSUER"), "{out}");
    assert_eq!(seen.received, Some(AlertDescription::UnknownCa), "{seen:?}");

    // tstclnt presenting a certificate from a CA our server does not trust.
    let db = nss_db(&dir, "cli", &p.ca, &[("who", &p.stranger_client)]);
    let (h, port) = tryst_server(requiring_server(&p, TLS13), 1);
    let out = tstclnt(&dir, &db, port, &["-n", "who"]);
    let seen = h.join().unwrap().pop().unwrap();
    eprintln!("NSS client certificate, unknown CA: {out}\ntryst: {seen:?}");
    assert_eq!(seen.alert, Some(AlertDescription::UnknownCa), "{seen:?}");
    assert!(out.contains("SSL_ERROR_UNKNOWN_CA_ALERT"), "{out}");
}

#[test]
fn hello_retry_request_both_ways() {
    let Some((p, dir)) = setup("nss-hrr") else {
        return;
    };
    // selfserv with only P-256: our one key share (the first group) is not it, so NSS asks
    // again; with a share for every group it does not need to.
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    for (all_shares, kind) in [
        (false, HandshakeKind::FullWithHelloRetryRequest),
        (true, HandshakeKind::Full),
    ] {
        let srv = Selfserv::start(&dir, &db, "ec", &["-V", "tls1.3:tls1.3", "-I", "P256"]);
        let cfg = tryst_client(&p, TLS13)
            .with_key_shares_for_all_groups(all_shares)
            .build()
            .unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst"), "{resp}");
        assert_eq!(conn.handshake_kind(), Some(kind), "{out}");
        assert_eq!(conn.negotiated_group(), Some(NamedGroup::Secp256r1));
        assert!(out.contains("Key Exchange: 256-bit TLS 1.3"), "{out}");
    }
    // Our server with only P-256 against tstclnt's single X25519 share.
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .with_groups(&[tryst::suites::SECP256R1_GROUP])
        .build()
        .unwrap();
    let (h, port) = tryst_server(config, 1);
    let out = tstclnt(&dir, &cli_db, port, &["-I", "x25519,P256"]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert_eq!(
        seen.kind,
        Some(HandshakeKind::FullWithHelloRetryRequest),
        "{out}"
    );
    assert_eq!(seen.group, Some(NamedGroup::Secp256r1));
    assert!(out.contains("Key Exchange: 256-bit TLS 1.3"), "{out}");
}

/// The TLS 1.3 suites, NSS's `-c` code for each and its name in "using ...".
const SUITES13: &[(CipherSuite, &str, &str)] = &[
    (CipherSuite::TlsAes128GcmSha256, ":1301", "128-bit AES-GCM"),
    (CipherSuite::TlsAes256GcmSha384, ":1302", "256-bit AES-GCM"),
    (
        CipherSuite::TlsChacha20Poly1305Sha256,
        ":1303",
        "256-bit CHACHA20POLY1305",
    ),
];

#[test]
fn tls13_every_suite_both_ways() {
    let Some((p, dir)) = setup("nss-suites13") else {
        return;
    };
    let srv_db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    for &(suite, code, name) in SUITES13 {
        let srv = Selfserv::start(&dir, &srv_db, "ec", &["-V", "tls1.3:tls1.3", "-c", code]);
        let cfg = tryst_client(&p, TLS13).build().unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst"), "{code}: {resp}");
        assert_eq!(conn.negotiated_cipher_suite().unwrap().suite, suite);
        assert!(
            out.contains(&format!("SSL version 3.4 using {name}")),
            "{out}"
        );

        let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
            .with_protocol_versions(TLS13)
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let out = tstclnt(&dir, &cli_db, port, &["-V", "tls1.3:tls1.3", "-c", code]);
        let seen = h.join().unwrap().pop().unwrap();
        assert_eq!(seen.error, None, "{code}: {out}");
        assert_eq!(seen.suite, Some(suite), "{code}");
        assert!(
            out.contains(&format!("SSL version 3.4 using {name}")),
            "{out}"
        );
        assert!(out.contains("tryst saw 23 bytes"), "{code}: {out}");
    }
}

/// The public (outer) name of the ECH configs here; the certificates are for localhost.
const ECH_PUBLIC: &str = "public.example";

fn ech_key(id: u8) -> EchServerKey {
    EchServerKey::generate(id, ECH_PUBLIC, &OsRandom).unwrap()
}

fn copy_key(key: &EchServerKey) -> EchServerKey {
    EchServerKey::from_config(key.config(), key.expose_private_key()).unwrap()
}

fn ech_list(key: &EchServerKey) -> Vec<u8> {
    EchServerKey::config_list(std::slice::from_ref(key))
}

/// selfserv's `-X` argument for `key`, NSS 3.87's own format (made for the
/// tls-interop-runner): base64 of a PKCS#8 key pair with a two-byte length, then the
/// ECHConfigList. Its other mode, `publicname:NAME`, fails in 3.87 (it passes the whole
/// argument as the public name, which NSS then refuses as malformed).
fn selfserv_ech(key: &EchServerKey) -> String {
    let pkcs8 = nss_x25519_pkcs8(key.expose_private_key(), &ech_public_key(key.config()));
    let mut raw = u16::try_from(pkcs8.len()).unwrap().to_be_bytes().to_vec();
    raw.extend_from_slice(&pkcs8);
    raw.extend_from_slice(&ech_list(key));
    base64(&raw)
}

/// The HPKE public key of a serialized ECHConfig: version (2), length (2), config_id
/// (1), kem_id (2), then the key with a two-byte length (RFC 9849 §4).
fn ech_public_key(config: &[u8]) -> Vec<u8> {
    let len = usize::from(u16::from_be_bytes([config[7], config[8]]));
    config[9..9 + len].to_vec()
}

/// An X25519 key pair as NSS's softoken imports it: PKCS#8 with id-ecPublicKey and
/// NSS's curve25519 OID (1.3.6.1.4.1.11591.15.1) as parameters, the key an RFC 5915
/// ECPrivateKey holding the raw private and public keys.
fn nss_x25519_pkcs8(sk: &[u8], pk: &[u8]) -> Vec<u8> {
    assert_eq!((sk.len(), pk.len()), (32, 32));
    let der = |tag: u8, body: &[u8]| {
        let mut v = vec![tag, u8::try_from(body.len()).unwrap()];
        v.extend_from_slice(body);
        v
    };
    let ec_public_key = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    let curve25519 = [0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x0F, 0x01];
    let alg = der(
        0x30,
        &[der(0x06, &ec_public_key), der(0x06, &curve25519)].concat(),
    );
    let bits = der(0x03, &[&[0][..], pk].concat());
    let ec_key = der(
        0x30,
        &[der(0x02, &[1]), der(0x04, sk), der(0xA1, &bits)].concat(),
    );
    der(0x30, &[der(0x02, &[0]), alg, der(0x04, &ec_key)].concat())
}

/// The ECH mode offering `key`'s config.
fn offer(key: &EchServerKey) -> EchMode {
    EchMode::Enabled(EchClientConfig::from_config_list(&ech_list(key)).unwrap())
}

/// A tryst client in ECH `mode` to a selfserv holding `served` and given `extra` flags.
fn ech_to_selfserv(
    (p, dir, db): (&Pki, &TempDir, &str),
    served: &EchServerKey,
    mode: EchMode,
    extra: &[&str],
) -> (ClientConnection, Result<String, tryst::Error>, String) {
    let ech = selfserv_ech(served);
    let mut args = vec!["-V", "tls1.3:tls1.3", "-X", &ech];
    args.extend(extra);
    let srv = Selfserv::start(dir, db, "ec", &args);
    let cfg = tryst_client(p, TLS13).with_ech(mode).build().unwrap();
    let mut sock = connect_retry(srv.port);
    let mut conn = ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap();
    let got = (|| {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake()?;
        tls.write_all(REQUEST)?;
        let mut got = Vec::new();
        tls.read_to_end(&mut got)?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&got).into_owned())
    })();
    let got = got.map_err(|e| conn.error().cloned().unwrap_or_else(|| panic!("{e}")));
    (conn, got, srv.finish())
}

#[test]
fn ech_tryst_client_to_selfserv_accepted_and_rejected_with_retry_configs() {
    let Some((p, dir)) = setup("nss-ech-srv") else {
        return;
    };
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let key = ech_key(7);
    let (conn, got, out) = ech_to_selfserv((&p, &dir, &db), &key, offer(&key), &[]);
    assert_eq!(conn.ech_status(), EchStatus::Accepted, "{out}");
    assert!(got.unwrap().contains("GET /tryst"), "{out}");

    // A config selfserv does not hold: NSS answers the outer hello and sends its own
    // configs as retry_configs.
    let stale = ech_key(7);
    let (conn, got, out) = ech_to_selfserv((&p, &dir, &db), &key, offer(&stale), &[]);
    assert_eq!(conn.ech_status(), EchStatus::Rejected, "{out}");
    let Err(tryst::Error::EchRejected { retry_configs }) = got else {
        panic!("{got:?}")
    };
    assert_eq!(retry_configs, Some(ech_list(&key)));
    // Our client ends the rejected handshake with ech_required, which NSS reports.
    assert!(out.contains("SSL peer reported ECH required"), "{out}");
}

#[test]
fn ech_tstclnt_to_tryst_server_accepted_and_rejected() {
    let Some((p, dir)) = setup("nss-ech-cli") else {
        return;
    };
    let db = nss_db(&dir, "cli", &p.ca, &[]);
    let keys = [ech_key(8), ech_key(9)];
    let list = ech_list(&keys[1]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .with_ech_keys(keys.iter().map(copy_key).collect())
        .build()
        .unwrap();
    let (h, port) = tryst_server(config.clone(), 1);
    let out = tstclnt(&dir, &db, port, &["-N", &base64(&list)]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert_eq!(seen.ech, Some(EchStatus::Accepted), "{out}");
    assert_eq!(seen.sni.as_deref(), Some("localhost"));
    assert_eq!(seen.outer_sni.as_deref(), Some(ECH_PUBLIC));
    assert!(out.contains("tryst saw 23 bytes"), "{out}");

    let (h, port) = tryst_server(config, 1);
    let out = tstclnt(&dir, &db, port, &["-N", &base64(&ech_list(&ech_key(9)))]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.ech, Some(EchStatus::Rejected), "{out}");
    assert_eq!(seen.sni.as_deref(), Some(ECH_PUBLIC));
    assert_eq!(
        seen.received,
        Some(AlertDescription::EchRequired),
        "{seen:?}"
    );
    // NSS took our retry_configs (it prints them base64 in lines of 64).
    assert!(out.contains("SSL_ERROR_ECH_RETRY_WITH_ECH"), "{out}");
    let printed: String = out
        .lines()
        .skip_while(|l| !l.starts_with("Received ECH retry_configs"))
        .skip(1)
        .take_while(|l| !l.starts_with("tstclnt:"))
        .collect();
    assert_eq!(printed, base64(&EchServerKey::config_list(&keys)), "{out}");
}

/// The handshake messages of `events` after our Finished: (sent, type).
fn after_handshake(events: &[tryst::Event]) -> Vec<(bool, tryst::messages::HandshakeType)> {
    use tryst::Event::{Received, Sent};
    use tryst::messages::HandshakeType;
    let msgs = events.iter().filter_map(|e| match e {
        Sent { message, .. } => Some((true, *message)),
        Received { message, .. } => Some((false, *message)),
        _ => None,
    });
    msgs.skip_while(|m| *m != (true, HandshakeType::Finished))
        .skip(1)
        .collect()
}

#[test]
fn post_handshake_auth_selfserv_asks_tryst_client() {
    use tryst::messages::HandshakeType as H;
    let Some((p, dir)) = setup("nss-pha-srv") else {
        return;
    };
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    // -r -r -r: ask for a certificate in a "second handshake", which in TLS 1.3 with -E
    // is a post-handshake CertificateRequest.
    let srv = Selfserv::start(
        &dir,
        &db,
        "ec",
        &["-V", "tls1.3:tls1.3", "-r", "-r", "-r", "-E"],
    );
    let cfg = tryst_client(&p, TLS13)
        .with_client_auth_cert(Pki::certified(&p.client))
        .with_post_handshake_auth(true)
        .build()
        .unwrap();
    let (mut conn, resp, _) = to_selfserv(&cfg, srv.port);
    let out = srv.finish();
    let events = conn.take_events();
    assert!(resp.contains("GET /tryst"), "{resp}");
    // Nothing asked in the handshake; after it, one request answered with our chain.
    let request = tryst::Event::Received {
        message: H::CertificateRequest,
        encrypted: true,
    };
    assert_eq!(events.iter().filter(|e| **e == request).count(), 1);
    assert_eq!(
        after_handshake(&events),
        [
            (false, H::CertificateRequest),
            (true, H::Certificate),
            (true, H::CertificateVerify),
            (true, H::Finished),
        ]
    );
    assert!(
        out.contains("selfserv: Subject: CN=tryst nss client"),
        "{out}"
    );
    assert!(out.contains("Certificate Validated"), "{out}");

    // A client that does not offer it is not asked.
    let srv = Selfserv::start(
        &dir,
        &db,
        "ec",
        &["-V", "tls1.3:tls1.3", "-r", "-r", "-r", "-E"],
    );
    let cfg = tryst_client(&p, TLS13)
        .with_client_auth_cert(Pki::certified(&p.client))
        .build()
        .unwrap();
    let mut sock = connect_retry(srv.port);
    let mut conn = ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap();
    conn.set_trace(true);
    let got = (|| {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake()?;
        tls.write_all(REQUEST)?;
        let mut got = Vec::new();
        tls.read_to_end(&mut got)?;
        Ok::<_, std::io::Error>(got)
    })();
    let out = srv.finish();
    // NSS refuses to send the request (and gives up on the connection without an answer).
    assert!(
        out.contains("client doesn't support post-handshake authentication"),
        "{out}"
    );
    assert!(got.is_ok(), "{got:?}");
    let after = after_handshake(&conn.take_events());
    assert!(
        !after.contains(&(false, H::CertificateRequest)),
        "{after:?}"
    );
}

/// A tryst server for one connection that, once it has read the request, asks for the
/// client's certificate (post-handshake) and waits for the answer; returns what it saw,
/// the post-handshake status, and whether a certificate came during the handshake.
fn pha_server(
    p: &Pki,
) -> (
    std::thread::JoinHandle<(Seen, tryst::pha::PostHandshakeAuth, bool)>,
    u16,
) {
    let verifier = tryst::verify::WebPkiClientVerifier::new(p.anchors());
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .with_post_handshake_client_verifier(Arc::new(verifier))
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut seen = Seen::default();
        let mut sock = accept_within(&listener, Duration::from_secs(20)).unwrap();
        let mut conn = ServerConnection::new(config).unwrap();
        let mut in_handshake = false;
        let run = (|| -> std::io::Result<()> {
            let mut tls = Stream::new(&mut conn, &mut sock);
            tls.complete_handshake()?;
            in_handshake = !tls.conn.peer_certificates().is_empty();
            let mut buf = [0u8; 4096];
            while !seen.data.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = tls.read(&mut buf)?;
                assert_ne!(n, 0, "EOF before the request");
                seen.data.extend_from_slice(&buf[..n]);
            }
            conn.request_client_certificate()
                .map_err(std::io::Error::other)?;
            while conn.wants_write() {
                conn.write_tls(&mut sock)?;
            }
            while conn.post_handshake_auth() == tryst::pha::PostHandshakeAuth::Pending {
                if conn.read_tls(&mut sock)? == 0 {
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
                conn.process_new_packets().map_err(std::io::Error::other)?;
            }
            let mut tls = Stream::new(&mut conn, &mut sock);
            let certs = tls.conn.peer_certificates().len();
            tls.write_all(format!("tryst got {certs} certificate(s)\n").as_bytes())?;
            tls.close()
        })();
        if let Err(e) = run {
            seen.error = Some(e.to_string());
        }
        seen.peer_certs = (conn.peer_certificates().iter())
            .map(|c| c.as_ref().to_vec())
            .collect();
        (seen, conn.post_handshake_auth(), in_handshake)
    });
    (h, port)
}

#[test]
fn post_handshake_auth_tryst_server_asks_tstclnt() {
    let Some((p, dir)) = setup("nss-pha-cli") else {
        return;
    };
    let db = nss_db(&dir, "cli", &p.ca, &[("me", &p.client)]);
    // tstclnt -E offers post_handshake_auth; -n names the certificate it answers with.
    let (h, port) = pha_server(&p);
    let out = tstclnt(&dir, &db, port, &["-V", "tls1.3:tls1.3", "-E", "-n", "me"]);
    let (seen, status, in_handshake) = h.join().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert!(!in_handshake, "a certificate came in the handshake");
    assert_eq!(status, tryst::pha::PostHandshakeAuth::Authenticated);
    assert_eq!(seen.peer_certs, vec![p.client.0.clone()]);
    assert!(out.contains("tryst got 1 certificate(s)"), "{out}");

    // Without -E, tstclnt does not offer post_handshake_auth: our server may not ask.
    let (h, port) = pha_server(&p);
    let out = tstclnt(&dir, &db, port, &["-V", "tls1.3:tls1.3", "-n", "me"]);
    let (seen, status, _) = h.join().unwrap();
    assert_eq!(status, tryst::pha::PostHandshakeAuth::NotOffered, "{out}");
    let error = seen.error.unwrap();
    assert!(
        error.contains("did not offer post_handshake_auth"),
        "{error}"
    );
    assert!(seen.peer_certs.is_empty());
}

#[test]
fn alpn_both_ways() {
    let Some((p, dir)) = setup("nss-alpn") else {
        return;
    };
    // selfserv -Q: ALPN with http/1.1 as its one protocol.
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    for versions in [TLS13, TLS12] {
        let range = if versions == TLS13 {
            "tls1.3:tls1.3"
        } else {
            "tls1.2:tls1.2"
        };
        let srv = Selfserv::start(&dir, &db, "ec", &["-V", range, "-Q"]);
        let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
            .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
            .build()
            .unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst"), "{resp}");
        assert_eq!(conn.protocol_version(), Some(versions[0]));
        assert_eq!(conn.alpn_protocol(), Some(&b"http/1.1"[..]), "{out}");
    }
    // Nothing in common: selfserv refuses with no_application_protocol (RFC 7301 §3.2).
    let srv = Selfserv::start(&dir, &db, "ec", &["-V", "tls1.3:tls1.3", "-Q"]);
    let cfg = tryst_client(&p, TLS13)
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .build()
        .unwrap();
    let mut sock = connect_retry(srv.port);
    let mut conn = ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap();
    let err = Stream::new(&mut conn, &mut sock).complete_handshake();
    let out = srv.finish();
    assert!(err.is_err());
    assert_eq!(
        conn.error(),
        Some(&tryst::Error::AlertReceived(
            AlertDescription::NoApplicationProtocol
        )),
        "{out}"
    );
    // NSS 3.87 logs its failed ALPN selection as a malformed ClientHello (-12260).
    assert!(out.contains("PR_Read returned error"), "{out}");

    // tstclnt (3.87) has no ALPN option and offers none: a tryst server with ALPN
    // configured goes on without it.
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_alpn_protocols(vec![b"http/1.1".to_vec(), b"h2".to_vec()])
        .build()
        .unwrap();
    let (h, port) = tryst_server(config, 1);
    let out = tstclnt(&dir, &cli_db, port, &[]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert_eq!(seen.alpn, None);
    assert!(out.contains("tryst saw 23 bytes"), "{out}");
}

/// The KeyUpdates among `events`: (sent, update_requested).
fn key_updates(events: &[tryst::Event]) -> Vec<(bool, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            tryst::Event::SentKeyUpdate { requested } => Some((true, *requested)),
            tryst::Event::ReceivedKeyUpdate { requested } => Some((false, *requested)),
            _ => None,
        })
        .collect()
}

#[test]
fn key_update_tryst_client_asks_selfserv() {
    let Some((p, dir)) = setup("nss-ku-srv") else {
        return;
    };
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let srv = Selfserv::start(&dir, &db, "ec", &["-V", "tls1.3:tls1.3"]);
    let cfg = tryst_client(&p, TLS13).build().unwrap();
    let mut sock = connect_retry(srv.port);
    let mut conn = ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap();
    conn.set_trace(true);
    let mut tls = Stream::new(&mut conn, &mut sock);
    tls.complete_handshake().unwrap();
    // Update our keys and ask selfserv to update its own, then the request.
    tls.conn.refresh_traffic_keys(true).unwrap();
    tls.write_all(REQUEST).unwrap();
    let mut resp = Vec::new();
    tls.read_to_end(&mut resp).unwrap();
    let out = srv.finish();
    let resp = String::from_utf8_lossy(&resp);
    // selfserv read the request under our new keys and answered under its new ones.
    assert!(resp.contains("GET /tryst HTTP/1.0"), "{resp}\n{out}");
    assert_eq!(
        key_updates(&conn.take_events()),
        [(true, true), (false, false)]
    );
}

#[test]
fn key_update_tryst_server_asks_tstclnt() {
    let Some((p, dir)) = setup("nss-ku-cli") else {
        return;
    };
    let db = nss_db(&dir, "cli", &p.ca, &[]);
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut sock = accept_within(&listener, Duration::from_secs(20)).unwrap();
        let mut conn = ServerConnection::new_traced(config, true).unwrap();
        let mut got = Vec::new();
        let run = (|| -> std::io::Result<()> {
            let mut tls = Stream::new(&mut conn, &mut sock);
            tls.complete_handshake()?;
            // Right after the handshake: the client answers when it next reads.
            tls.conn
                .refresh_traffic_keys(true)
                .map_err(std::io::Error::other)?;
            let mut buf = [0u8; 4096];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = tls.read(&mut buf)?;
                assert_ne!(n, 0, "EOF before the request");
                got.extend_from_slice(&buf[..n]);
            }
            tls.write_all(format!("tryst saw {} bytes\n", got.len()).as_bytes())?;
            tls.close()?;
            // Read on to the client's close, taking any KeyUpdate that is still coming.
            while tls.read(&mut buf)? > 0 {}
            Ok(())
        })();
        (run.map_err(|e| e.to_string()), got, conn.take_events())
    });
    let out = tstclnt(&dir, &db, port, &["-V", "tls1.3:tls1.3"]);
    let (run, got, events) = h.join().unwrap();
    assert_eq!(run, Ok(()), "{out}");
    assert_eq!(got, REQUEST);
    assert!(out.contains("tryst saw 23 bytes"), "{out}");
    assert_eq!(key_updates(&events), [(true, true), (false, false)]);
}

/// A PKI for the OCSP tests whose CA key is known (it signs OCSP responses): the CA, its
/// PKCS#8 key, and a server certificate for the RSA test key (selfserv staples only for
/// a server key that is not EC).
fn ocsp_pki() -> (Vec<u8>, Vec<u8>, Pair) {
    let (nb, na) = validity();
    let ca_key = EcdsaP256SigningKey::from_pkcs8_der(CLIENT_P256_KEY).unwrap();
    let ca = make_ca("tryst NSS OCSP CA", &ca_key);
    let rsa = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let leaf = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .server_auth()
        .issue_with_rng(&rsa, &ca, &ca_key, &mut OsRng)
        .unwrap();
    (ca, CLIENT_P256_KEY.to_vec(), (leaf, RSA_KEY.to_vec()))
}

#[test]
fn ocsp_stapling_both_ways() {
    if !tools() {
        return;
    }
    let (ca, ca_key, leaf) = ocsp_pki();
    let dir = TempDir::new("nss-ocsp-srv");
    let ca_pair = (ca.clone(), ca_key);
    let db = nss_db(&dir, "srv", &ca, &[("rsa", &leaf), ("ca", &ca_pair)]);
    let mut staples = Vec::new();
    for (mode, status) in [
        ("good", "Cert Status: good"),
        ("revoked", "Cert Status: revoked"),
    ] {
        // -T good|revoked -A ca: a response signed by the CA, made per connection.
        let srv = Selfserv::start(
            &dir,
            &db,
            "rsa",
            &["-V", "tls1.3:tls1.3", "-T", mode, "-A", "ca"],
        );
        let cfg = ClientConfig::builder()
            .with_root_certificates(TrustAnchors::from_der([ca.as_slice()]).unwrap())
            .with_protocol_versions(TLS13)
            .with_ocsp_stapling(true)
            .build()
            .unwrap();
        let (conn, resp, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        assert!(resp.contains("GET /tryst"), "{resp}");
        let staple = conn
            .peer_ocsp_response()
            .expect("no stapled response")
            .to_vec();
        // openssl reads what NSS stapled: a signed response for our certificate.
        let file = dir.0.join(format!("staple-{mode}.der"));
        std::fs::write(&file, &staple).unwrap();
        let text = Command::new("openssl")
            .args(["ocsp", "-resp_text", "-noverify", "-respin"])
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("OCSP Response Status: successful"),
            "{text}\n{out}"
        );
        assert!(text.contains(status), "{mode}: {text}");
        staples.push(staple);
    }
    // Without status_request, nothing is stapled.
    let srv = Selfserv::start(
        &dir,
        &db,
        "rsa",
        &["-V", "tls1.3:tls1.3", "-T", "good", "-A", "ca"],
    );
    let cfg = ClientConfig::builder()
        .with_root_certificates(TrustAnchors::from_der([ca.as_slice()]).unwrap())
        .with_protocol_versions(TLS13)
        .build()
        .unwrap();
    let (conn, _, _) = to_selfserv(&cfg, srv.port);
    drop(srv.finish());
    assert_eq!(conn.peer_ocsp_response(), None);

    // Our server staples NSS's responses to tstclnt -T; -O -F -M 1 makes it check the
    // certificate against the stapled OCSP response alone, and say so in its exit code
    // (0: fresh and good, 3: fresh and revoked).
    let cli_db = nss_db(&dir, "cli", &ca, &[]);
    for (staple, code) in staples.into_iter().zip(["0", "3"]) {
        let key = Pki::certified(&leaf).with_ocsp(staple);
        let config = ServerConfig::builder(key)
            .with_protocol_versions(TLS13)
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let out = tstclnt(&dir, &cli_db, port, &["-T", "-O", "-F", "-M", "1"]);
        let seen = h.join().unwrap().pop().unwrap();
        // With -F tstclnt leaves once it has checked the handshake, without a request, so
        // our server may find the connection gone (broken pipe, reset) after it.
        assert_eq!(seen.kind, Some(HandshakeKind::Full), "completed: {out}");
        assert_eq!(seen.alert, None, "{out}");
        assert!(out.contains("Received 1 Cert Status items"), "{out}");
        assert!(
            out.contains(&format!("exiting with return code {code}")),
            "{out}"
        );
    }
}

#[test]
fn ech_after_hello_retry_request_and_grease_with_selfserv() {
    let Some((p, dir)) = setup("nss-ech-hrr") else {
        return;
    };
    let db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let key = ech_key(3);
    // selfserv with P-256 only: our X25519 share is refused, the inner hello goes again.
    let env = (&p, &dir, db.as_str());
    let (conn, got, out) = ech_to_selfserv(env, &key, offer(&key), &["-I", "P256"]);
    assert!(got.unwrap().contains("GET /tryst"), "{out}");
    assert_eq!(conn.ech_status(), EchStatus::Accepted, "{out}");
    assert_eq!(
        conn.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(conn.negotiated_group(), Some(NamedGroup::Secp256r1));
    assert!(out.contains("Key Exchange: 256-bit TLS 1.3"), "{out}");

    // A GREASE extension: NSS cannot decrypt it, goes on with the outer hello and sends
    // retry configs, which a GREASE client ignores.
    let (conn, got, out) = ech_to_selfserv(env, &key, EchMode::Grease, &[]);
    assert!(got.unwrap().contains("GET /tryst"), "{out}");
    assert_eq!(conn.ech_status(), EchStatus::Grease, "{out}");
}

#[test]
fn ech_tstclnt_after_hello_retry_request_and_grease() {
    let Some((p, dir)) = setup("nss-ech-cli-hrr") else {
        return;
    };
    let db = nss_db(&dir, "cli", &p.ca, &[]);
    let key = ech_key(4);
    let list = base64(&ech_list(&key));
    let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
        .with_protocol_versions(TLS13)
        .with_groups(&[tryst::suites::SECP256R1_GROUP])
        .with_ech_keys(vec![key])
        .build()
        .unwrap();
    // tstclnt's one X25519 share: our P-256-only server asks again, with a cookie (on by
    // default), which NSS returns correctly inside ECH (Go's client does not).
    let (h, port) = tryst_server(config.clone(), 1);
    let out = tstclnt(&dir, &db, port, &["-N", &list, "-I", "x25519,P256"]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert_eq!(seen.ech, Some(EchStatus::Accepted), "{out}");
    assert_eq!(seen.kind, Some(HandshakeKind::FullWithHelloRetryRequest));
    assert_eq!(seen.sni.as_deref(), Some("localhost"));
    assert!(out.contains("tryst saw 23 bytes"), "{out}");

    // tstclnt -i: a GREASE ECH extension (padding 32).
    let (h, port) = tryst_server(config, 1);
    let out = tstclnt(&dir, &db, port, &["-i", "32"]);
    let seen = h.join().unwrap().pop().unwrap();
    assert_eq!(seen.error, None, "{out}");
    assert!(out.contains("tryst saw 23 bytes"), "{out}");
    // A server cannot tell GREASE from a config it does not hold (RFC 9849 §7): it
    // answers the outer hello, with retry configs the GREASE client ignores.
    assert_eq!(seen.ech, Some(EchStatus::Rejected));
    assert_eq!(seen.sni.as_deref(), Some("localhost"));
    assert_eq!(seen.outer_sni, None);
}

#[test]
fn exporters_both_ways_tls13_and_tls12() {
    // RFC 8446 §7.5 in TLS 1.3, RFC 5705 in TLS 1.2 (with a context: both sides must
    // include it), the same label and length on both sides.
    let Some((p, dir)) = setup("nss-export") else {
        return;
    };
    let srv_db = nss_db(&dir, "srv", &p.ca, &[("ec", &p.ecdsa)]);
    let cli_db = nss_db(&dir, "cli", &p.ca, &[]);
    for range in ["tls1.3:tls1.3", "tls1.2:tls1.2"] {
        let srv = Selfserv::start(&dir, &srv_db, "ec", &["-V", range, "-x", EXPORTER.2]);
        let cfg = tryst_client(&p, &[ProtocolVersion::Tls13, ProtocolVersion::Tls12])
            .build()
            .unwrap();
        let (conn, _, _) = to_selfserv(&cfg, srv.port);
        let out = srv.finish();
        let ours = Some(hex::encode(export(&conn).unwrap()));
        assert_eq!(nss_exported(&out).as_ref(), ours.as_ref(), "{range}: {out}");

        let config = ServerConfig::builder(Pki::certified(&p.ecdsa))
            .build()
            .unwrap();
        let (h, port) = tryst_server(config, 1);
        let out = tstclnt(&dir, &cli_db, port, &["-V", range, "-x", EXPORTER.2]);
        let seen = h.join().unwrap().pop().unwrap();
        assert_eq!(seen.error, None, "{out}");
        assert!(seen.exported.is_some());
        assert_eq!(
            nss_exported(&out),
            seen.exported.map(hex::encode),
            "{range}: {out}"
        );
    }
}

/// The keying material NSS printed (`-x`), as lowercase hex: the lines of hex pairs
/// after "Keying Material:".
fn nss_exported(out: &str) -> Option<String> {
    let mut lines = out.lines().skip_while(|l| l.trim() != "Keying Material:");
    lines.next()?;
    let hex: String = lines
        .map(str::trim)
        .take_while(|l| {
            !l.is_empty()
                && l.split(':').all(|b| {
                    b.is_empty() || b.len() == 2 && b.bytes().all(|c| c.is_ascii_hexdigit())
                })
        })
        .flat_map(|l| l.split(':'))
        .collect();
    Some(hex)
}
