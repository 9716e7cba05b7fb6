//! Interop with the real `openssl` binary (s_server and s_client) over loopback, both
//! directions. Certificates are made at test time with `openssl` itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "common/peer.rs"]
mod peer;

use peer::{Guard, connect_retry, free_port};
use tryst::cert::TrustAnchors;
use tryst::messages::{CipherSuite, NamedGroup, SignatureScheme};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::suites::{
    SECP256R1_GROUP, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256, X25519_GROUP,
};
use tryst::{
    ClientConfig, ClientConnection, HandshakeKind, ServerConfig, ServerConnection, Stream,
};

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and leaves signed by it: `leaf-<alg>` for the server, `client` for client auth.
struct Pki {
    dir: PathBuf,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let dir = std::env::temp_dir().join(format!("tryst-openssl-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ca.ext"),
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("server.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("client.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        openssl(
            &dir,
            &["genpkey", "-algorithm", "ed25519", "-out", "ca.key"],
        );
        openssl(
            &dir,
            &[
                "req",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=tryst interop CA",
                "-out",
                "ca.csr",
            ],
        );
        openssl(
            &dir,
            &[
                "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "30", "-extfile",
                "ca.ext", "-out", "ca.pem",
            ],
        );
        let keys: [(&str, &[&str]); 4] = [
            ("ed25519", &["-algorithm", "ed25519"]),
            (
                "p256",
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            ),
            (
                "rsa",
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            ),
            ("client", &["-algorithm", "ed25519"]),
        ];
        for (name, alg) in keys {
            let key = format!("{name}.key");
            let mut args = vec!["genpkey"];
            args.extend_from_slice(alg);
            args.extend_from_slice(&["-out", &key]);
            openssl(&dir, &args);
            let csr = format!("{name}.csr");
            openssl(
                &dir,
                &[
                    "req",
                    "-new",
                    "-key",
                    &key,
                    "-subj",
                    &format!("/CN={name}"),
                    "-out",
                    &csr,
                ],
            );
            let ext = if name == "client" {
                "client.ext"
            } else {
                "server.ext"
            };
            openssl(
                &dir,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "30",
                    "-extfile",
                    ext,
                    "-out",
                    &format!("{name}.pem"),
                ],
            );
        }
        Pki { dir }
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).to_str().unwrap().to_string()
    }

    fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_pem(&std::fs::read(self.dir.join("ca.pem")).unwrap()).unwrap()
    }

    fn certified_key(&self, name: &str) -> tryst::CertifiedKey {
        let chain = tryst::cert::certs_from_pem(
            &std::fs::read(self.dir.join(format!("{name}.pem"))).unwrap(),
        )
        .unwrap();
        let pem = std::fs::read_to_string(self.dir.join(format!("{name}.key"))).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64_decode(&b64);
        tryst::CertifiedKey::from_der(chain, &der).unwrap()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..chunk.len()]);
    }
    out
}

fn s_server(pki: &Pki, leaf: &str, extra: &[&str]) -> (Guard, u16) {
    let port = free_port();
    let mut args = vec![
        "s_server".to_string(),
        "-tls1_3".into(),
        "-accept".into(),
        format!("127.0.0.1:{port}"),
        "-cert".into(),
        pki.path(&format!("{leaf}.pem")),
        "-key".into(),
        pki.path(&format!("{leaf}.key")),
        "-rev".into(),
        "-quiet".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let child = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Guard(child), port)
}

fn client_config(pki: &Pki) -> tryst::ClientConfigBuilder {
    ClientConfig::builder().with_root_certificates(pki.anchors())
}

/// Connect, send a line, read the reversed line back (s_server -rev).
fn rev_round_trip(config: Arc<ClientConfig>, port: u16, key_update: bool) -> ClientConnection {
    let mut sock = connect_retry(port);
    let mut conn =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake().unwrap();
        if key_update {
            tls.conn.refresh_traffic_keys(true).unwrap();
        }
        tls.write_all(b"tryst says hello\n").unwrap();
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") {
            let n = tls.read(&mut byte).unwrap();
            assert!(n > 0, "server closed early");
            line.push(byte[0]);
        }
        assert_eq!(line, b"olleh syas tsyrt\n");
        if key_update {
            // Reading after our update_requested means the server updated too.
            assert!(
                tls.conn.key_generations().1 >= 1,
                "server did not answer the KeyUpdate"
            );
        }
        tls.close().unwrap();
    }
    conn
}

#[test]
fn tryst_client_to_openssl_server_every_suite_and_signature() {
    if !have_openssl() {
        eprintln!("skipping: no openssl binary");
        return;
    }
    let pki = Pki::new("suites");
    for (leaf, scheme) in [
        ("ed25519", SignatureScheme::Ed25519),
        ("p256", SignatureScheme::EcdsaSecp256r1Sha256),
        ("rsa", SignatureScheme::RsaPssRsaeSha256),
    ] {
        for suite in [
            TLS13_AES_128_GCM_SHA256,
            TLS13_AES_256_GCM_SHA384,
            TLS13_CHACHA20_POLY1305_SHA256,
        ] {
            let (_srv, port) = s_server(&pki, leaf, &["-naccept", "1"]);
            let cfg = client_config(&pki)
                .with_cipher_suites(&[suite])
                .build()
                .unwrap();
            let conn = rev_round_trip(cfg, port, false);
            assert_eq!(conn.negotiated_cipher_suite().unwrap().suite, suite.suite);
            assert_eq!(conn.signature_scheme(), Some(scheme), "leaf {leaf}");
            eprintln!("openssl s_server: {leaf} {:?} ok", suite.suite);
        }
    }
}

#[test]
fn tryst_client_to_openssl_server_hrr_resumption_keyupdate_alpn_client_auth() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new("features");

    // HelloRetryRequest: we guess P-256, the server insists on X25519.
    let (_srv, port) = s_server(&pki, "ed25519", &["-naccept", "1", "-groups", "X25519"]);
    let cfg = client_config(&pki)
        .with_groups(&[SECP256R1_GROUP, X25519_GROUP])
        .build()
        .unwrap();
    let conn = rev_round_trip(cfg, port, false);
    assert_eq!(
        conn.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(conn.negotiated_group(), Some(NamedGroup::X25519));

    // P-384 key exchange.
    let (_srv, port) = s_server(&pki, "ed25519", &["-naccept", "1", "-groups", "P-384"]);
    let cfg = client_config(&pki)
        .with_groups(&[tryst::suites::SECP384R1_GROUP])
        .build()
        .unwrap();
    let conn = rev_round_trip(cfg, port, false);
    assert_eq!(conn.negotiated_group(), Some(NamedGroup::Secp384r1));

    // P-256 key exchange without retry.
    let (_srv, port) = s_server(&pki, "ed25519", &["-naccept", "1", "-groups", "P-256"]);
    let cfg = client_config(&pki)
        .with_groups(&[SECP256R1_GROUP])
        .build()
        .unwrap();
    let conn = rev_round_trip(cfg, port, false);
    assert_eq!(conn.negotiated_group(), Some(NamedGroup::Secp256r1));

    // Resumption from openssl's tickets, and KeyUpdate in both directions.
    let (_srv, port) = s_server(&pki, "ed25519", &["-naccept", "2"]);
    let cfg = client_config(&pki).build().unwrap();
    let first = rev_round_trip(cfg.clone(), port, true);
    assert_eq!(first.handshake_kind(), Some(HandshakeKind::Full));
    let second = rev_round_trip(cfg, port, false);
    assert_eq!(second.handshake_kind(), Some(HandshakeKind::Resumed));

    // ALPN.
    let (_srv, port) = s_server(&pki, "ed25519", &["-naccept", "1", "-alpn", "h2,http/1.1"]);
    let cfg = client_config(&pki)
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let conn = rev_round_trip(cfg, port, false);
    assert_eq!(conn.alpn_protocol(), Some(&b"http/1.1"[..]));

    // Client authentication (openssl requires and checks it).
    let (_srv, port) = s_server(
        &pki,
        "ed25519",
        &[
            "-naccept",
            "1",
            "-Verify",
            "1",
            "-CAfile",
            &pki.path("ca.pem"),
        ],
    );
    let cfg = client_config(&pki)
        .with_client_auth_cert(pki.certified_key("client"))
        .build()
        .unwrap();
    rev_round_trip(cfg, port, false);
}

/// Run a tryst echo server for `n` connections on a fresh port.
fn tryst_server(
    config: Arc<ServerConfig>,
    n: usize,
) -> (std::thread::JoinHandle<Vec<String>>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..n {
            let (mut sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut conn = ServerConnection::new(config.clone()).unwrap();
            let mut tls = Stream::new(&mut conn, &mut sock);
            let outcome = (|| -> std::io::Result<String> {
                tls.complete_handshake()?;
                let mut buf = [0u8; 1024];
                let n = tls.read(&mut buf)?;
                tls.write_all(&buf[..n])?;
                tls.close()?;
                Ok(format!(
                    "{:?} {:?} {}",
                    tls.conn.handshake_kind(),
                    tls.conn.negotiated_cipher_suite().map(|s| s.suite),
                    tls.conn.peer_certificates().len()
                ))
            })();
            results.push(outcome.unwrap_or_else(|e| format!("error: {e}")));
        }
        results
    });
    (h, port)
}

fn s_client(pki: &Pki, port: u16, extra: &[&str], sess: Option<(&str, &str)>) -> String {
    let mut args: Vec<String> = vec![
        "s_client".into(),
        "-tls1_3".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
        "-servername".into(),
        "localhost".into(),
        "-CAfile".into(),
        pki.path("ca.pem"),
        "-verify_return_error".into(),
        "-verify_hostname".into(),
        "localhost".into(),
        "-ign_eof".into(),
    ];
    if let Some((flag, file)) = sess {
        args.push(flag.into());
        args.push(file.into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut child = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ping from openssl\n")
        .unwrap();
    let mut guard = Guard(child);
    let mut out = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stdout = BufReader::new(guard.0.stdout.take().unwrap());
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        out.push_str(&line);
    }
    let mut err = String::new();
    let _ = guard.0.stderr.take().unwrap().read_to_string(&mut err);
    out.push_str(&err);
    out
}

#[test]
fn openssl_client_to_tryst_server() {
    if !have_openssl() {
        return;
    }
    let pki = Pki::new("server");
    let mut rng = tryst::crypto::OsRng;
    let keys = Arc::new(tryst::TicketKeys::generate(&mut rng, Duration::from_secs(3600)).unwrap());
    // An RSA server key signs CertificateVerify with RSA-PSS, salt and blinding from the
    // config's RNG.
    for leaf in ["ed25519", "p256", "rsa"] {
        let cfg = ServerConfig::builder(pki.certified_key(leaf))
            .with_ticket_keys(keys.clone())
            .build()
            .unwrap();
        let (h, port) = tryst_server(cfg, 2);
        let sess = pki.path(&format!("{leaf}.sess"));
        let out = s_client(&pki, port, &[], Some(("-sess_out", &sess)));
        assert!(out.contains("ping from openssl"), "no echo:\n{out}");
        assert!(
            out.contains("Verification: OK") || out.contains("Verify return code: 0"),
            "{out}"
        );
        let out2 = s_client(
            &pki,
            port,
            &["-ciphersuites", "TLS_AES_256_GCM_SHA384"],
            Some(("-sess_in", &sess)),
        );
        assert!(
            out2.contains("ping from openssl"),
            "no echo on second connection:\n{out2}"
        );
        let results = h.join().unwrap();
        assert!(results[0].starts_with("Some(Full)"), "{results:?}");
        // openssl resumes only with its session's suite; we offered none, so it may
        // fall back to a full handshake with AES-256; both are fine, errors are not.
        assert!(!results[1].starts_with("error"), "{results:?}");
        eprintln!("openssl s_client -> tryst ({leaf}): {results:?}");
    }

    // Resumption proper: same suite both times.
    let cfg = ServerConfig::builder(pki.certified_key("ed25519"))
        .with_ticket_keys(keys)
        .build()
        .unwrap();
    let (h, port) = tryst_server(cfg, 2);
    let sess = pki.path("resume.sess");
    s_client(&pki, port, &[], Some(("-sess_out", &sess)));
    let out = s_client(&pki, port, &[], Some(("-sess_in", &sess)));
    assert!(
        out.contains("Reused, TLSv1.3"),
        "openssl did not resume:\n{out}"
    );
    let results = h.join().unwrap();
    assert!(results[1].starts_with("Some(Resumed)"), "{results:?}");

    // HelloRetryRequest: openssl offers only a P-256 share; we prefer X25519 and it is in
    // its supported list, so... openssl's first share is what -groups lists first.
    let cfg = ServerConfig::builder(pki.certified_key("ed25519"))
        .with_groups(&[X25519_GROUP])
        .build()
        .unwrap();
    let (h, port) = tryst_server(cfg, 1);
    let out = s_client(&pki, port, &["-groups", "P-256:X25519"], None);
    assert!(out.contains("ping from openssl"), "{out}");
    let results = h.join().unwrap();
    assert!(
        results[0].starts_with("Some(FullWithHelloRetryRequest)"),
        "{results:?}"
    );

    // Client authentication with openssl's certificate.
    let cfg = ServerConfig::builder(pki.certified_key("ed25519"))
        .with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(
            pki.anchors(),
        )))
        .build()
        .unwrap();
    let (h, port) = tryst_server(cfg, 1);
    let out = s_client(
        &pki,
        port,
        &[
            "-cert",
            &pki.path("client.pem"),
            "-key",
            &pki.path("client.key"),
        ],
        None,
    );
    assert!(out.contains("ping from openssl"), "{out}");
    let results = h.join().unwrap();
    assert!(
        !results[0].ends_with(" 0"),
        "client certificate not seen: {results:?}"
    );
    let _ = (
        CipherSuite::TlsAes128GcmSha256,
        CertificateDer::from(vec![]),
    );
}

/// Issue 21: openssl s_server asks for a client certificate naming its CA
/// (certificate_authorities, from -CAfile) and accepting only Ed25519
/// (-client_sigalgs): the client's resolver skips a P-256 key and an Ed25519 key from
/// another CA and sends the one that fits.
#[test]
fn tryst_client_resolver_against_openssl_certificate_authorities_and_client_sigalgs() {
    if !have_openssl() {
        assert!(
            std::env::var_os("CI").is_none(),
            "openssl is required in CI"
        );
        eprintln!("skipped: openssl is not installed");
        return;
    }
    let pki = Pki::new("client-resolver");
    // An Ed25519 client certificate from a CA the server does not name.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let other_key = tryst::crypto::Ed25519SigningKey::generate(&mut tryst::crypto::OsRng);
    let other_ca = tryst::cert::CertificateBuilder::new("another CA", now - 60, now + 3600)
        .ca(None)
        .self_signed(&other_key)
        .unwrap();
    let key = tryst::crypto::Ed25519SigningKey::generate(&mut tryst::crypto::OsRng);
    let leaf = tryst::cert::CertificateBuilder::new("other client", now - 60, now + 3600)
        .client_auth()
        .issue(&key, &other_ca, &other_key)
        .unwrap();
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(key);
    let other = tryst::CertifiedKey::new(vec![CertificateDer::from(leaf)], signer).unwrap();
    let resolver = tryst::ClientCertResolver::new([
        Arc::new(pki.certified_key("p256")),
        Arc::new(other),
        Arc::new(pki.certified_key("client")),
    ]);
    let (_srv, port) = s_server(
        &pki,
        "ed25519",
        &[
            "-naccept",
            "1",
            "-Verify",
            "1",
            "-CAfile",
            &pki.path("ca.pem"),
            "-client_sigalgs",
            "ed25519",
        ],
    );
    let cfg = client_config(&pki)
        .with_client_cert_resolver(Arc::new(resolver))
        .build()
        .unwrap();
    rev_round_trip(cfg, port, false);
}
