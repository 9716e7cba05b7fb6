//! What the TLS 1.2 tests share: certificates valid around the real time (the peers
//! check with the system clock) for ECDSA P-256, RSA-2048 and Ed25519 server keys and a
//! client key, tryst configs, and PEM files for the command-line peers.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{SystemTime, UNIX_EPOCH};

use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{EcdsaP256SigningKey, Ed25519SigningKey, RsaSigningKey, Secret, Signer};
use tryst::messages::ProtocolVersion;
use tryst::pki_types::CertificateDer;
use tryst::{CertifiedKey, ClientConfig, ServerConfig};

#[path = "../common/peer.rs"]
mod peer;
#[allow(unused_imports)]
pub use peer::{Guard, connect_retry, free_port, have};

/// The RSA-2048 test key (tests/data/README.md).
pub const RSA_KEY: &[u8] = include_bytes!("../data/tls12_rsa2048.pk8.der");
/// ECDSA P-256 test keys (tests/data/README.md).
pub const P256_KEY: &[u8] = include_bytes!("../data/tls12_p256.pk8.der");
pub const CLIENT_P256_KEY: &[u8] = include_bytes!("../data/tls12_client_p256.pk8.der");

/// Which key the server's certificate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ecdsa,
    Rsa,
    Ed25519,
}

pub struct Pki {
    pub ca: Vec<u8>,
    pub ca_key: Ed25519SigningKey,
    pub ecdsa: (Vec<u8>, Vec<u8>),
    pub rsa: (Vec<u8>, Vec<u8>),
    pub ed: (Vec<u8>, Vec<u8>),
    /// A client certificate (ECDSA P-256) and its PKCS#8 key.
    pub client: (Vec<u8>, Vec<u8>),
    /// A client certificate with the RSA-2048 key, and the key.
    pub rsa_client: (Vec<u8>, Vec<u8>),
}

pub fn ed(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

pub fn pki() -> Pki {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (nb, na) = (
        i64::try_from(now).unwrap() - 3600,
        i64::try_from(now).unwrap() + 86_400,
    );
    let mut rng = tryst::crypto::OsRng;
    let ca_key = ed(21);
    let ca = CertificateBuilder::new("tryst TLS 1.2 test CA", nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf = |signer: &dyn Signer| {
        CertificateBuilder::new("localhost", nb, na)
            .dns_name("localhost")
            .ip_address(&[127, 0, 0, 1])
            .server_auth()
            .issue_with_rng(signer, &ca, &ca_key, &mut tryst::crypto::OsRng)
            .unwrap()
    };
    let ec = EcdsaP256SigningKey::from_pkcs8_der(P256_KEY).unwrap();
    let ecdsa = (leaf(&ec), P256_KEY.to_vec());
    let rsa_key = RsaSigningKey::from_pkcs8_der(RSA_KEY).unwrap();
    let rsa = (leaf(&rsa_key), RSA_KEY.to_vec());
    let ed_key = ed(22);
    let ed = (leaf(&ed_key), ed_key.to_pkcs8_der().to_vec());
    let ck = EcdsaP256SigningKey::from_pkcs8_der(CLIENT_P256_KEY).unwrap();
    let client_cert = CertificateBuilder::new("tls12 client", nb, na)
        .client_auth()
        .issue_with_rng(&ck, &ca, &ca_key, &mut rng)
        .unwrap();
    let rsa_client = CertificateBuilder::new("tls12 rsa client", nb, na)
        .client_auth()
        .issue_with_rng(&rsa_key, &ca, &ca_key, &mut rng)
        .unwrap();
    Pki {
        rsa_client: (rsa_client, RSA_KEY.to_vec()),
        ca,
        ca_key,
        ecdsa,
        rsa,
        ed,
        client: (client_cert, CLIENT_P256_KEY.to_vec()),
    }
}

impl Pki {
    /// The certificate and PKCS#8 key of a server of `kind`.
    pub fn server(&self, kind: Kind) -> &(Vec<u8>, Vec<u8>) {
        match kind {
            Kind::Ecdsa => &self.ecdsa,
            Kind::Rsa => &self.rsa,
            Kind::Ed25519 => &self.ed,
        }
    }

    pub fn anchors(&self) -> TrustAnchors {
        TrustAnchors::from_der([self.ca.as_slice()]).unwrap()
    }

    pub fn certified(&self, kind: Kind) -> CertifiedKey {
        let (cert, key) = self.server(kind);
        CertifiedKey::from_der(vec![CertificateDer::from(cert.clone())], key).unwrap()
    }

    pub fn client_key(&self) -> CertifiedKey {
        CertifiedKey::from_der(
            vec![CertificateDer::from(self.client.0.clone())],
            &self.client.1,
        )
        .unwrap()
    }
}

/// A tryst server of `kind` speaking `versions`.
pub fn server(p: &Pki, kind: Kind, versions: &[ProtocolVersion]) -> tryst::ServerConfigBuilder {
    ServerConfig::builder(p.certified(kind)).with_protocol_versions(versions)
}

/// A tryst client (TLS 1.3 and 1.2) trusting the test CA.
pub fn client(p: &Pki) -> tryst::ClientConfigBuilder {
    ClientConfig::builder().with_root_certificates(p.anchors())
}

pub const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];
pub const BOTH: &[ProtocolVersion] = &[ProtocolVersion::Tls13, ProtocolVersion::Tls12];

/// PEM of one DER block.
pub fn pem(label: &str, der: &[u8]) -> String {
    use std::fmt::Write;
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        let _ = writeln!(out, "{}", std::str::from_utf8(line).unwrap());
    }
    let _ = writeln!(out, "-----END {label}-----");
    out
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(
                    T[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let mut raw = [0u8; 8];
        tryst::crypto::Rng::fill_bytes(&mut tryst::crypto::OsRng, &mut raw);
        let dir = std::env::temp_dir().join(format!("tryst-{tag}-{}", hex::encode(raw)));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write the CA, and the server certificate and key of `kind`, as PEM: (ca, cert, key).
pub fn pem_files(dir: &TempDir, p: &Pki, kind: Kind) -> (String, String, String) {
    let (cert, key) = p.server(kind);
    (
        dir.write("ca.pem", &pem("CERTIFICATE", &p.ca)),
        dir.write("cert.pem", &pem("CERTIFICATE", cert)),
        dir.write("key.pem", &pem("PRIVATE KEY", key)),
    )
}

/// Connect a tryst client, send a line, read one line back; returns the connection and
/// the line.
pub fn line_round_trip(
    config: std::sync::Arc<ClientConfig>,
    port: u16,
    line: &[u8],
) -> (tryst::ClientConnection, Vec<u8>) {
    use std::io::{Read, Write};
    let mut sock = connect_retry(port);
    let mut conn = tryst::ClientConnection::new(
        config,
        tryst::pki_types::ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut got = Vec::new();
    {
        let mut tls = tryst::Stream::new(&mut conn, &mut sock);
        tls.complete_handshake().unwrap();
        tls.write_all(line).unwrap();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\n") {
            let n = tls.read(&mut byte).unwrap();
            assert!(n > 0, "server closed early");
            got.push(byte[0]);
        }
        let _ = tls.close();
    }
    (conn, got)
}

/// A tryst server answering `n` connections on a fresh port: it echoes one read and
/// reports (version, suite, scheme) or the error of each connection.
pub fn tryst_echo_server(
    config: std::sync::Arc<ServerConfig>,
    n: usize,
) -> (std::thread::JoinHandle<Vec<String>>, u16) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..n {
            let (mut sock, _) = listener.accept().unwrap();
            sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut conn = tryst::ServerConnection::new(config.clone()).unwrap();
            let mut tls = tryst::Stream::new(&mut conn, &mut sock);
            let outcome = (|| -> std::io::Result<String> {
                tls.complete_handshake()?;
                let mut buf = [0u8; 1024];
                let n = tls.read(&mut buf)?;
                tls.write_all(&buf[..n])?;
                let _ = tls.close();
                Ok(format!(
                    "{:?} {:?} {:?}",
                    tls.conn.protocol_version(),
                    tls.conn.negotiated_cipher_suite().map(|s| s.suite),
                    tls.conn.signature_scheme(),
                ))
            })();
            results.push(outcome.unwrap_or_else(|e| format!("error: {e}")));
        }
        results
    });
    (h, port)
}

/// Run a command-line client with `stdin` as input for at most 20 s; stdout and stderr.
pub fn run_client(cmd: &str, args: &[String], stdin: &[u8]) -> String {
    use std::io::{BufRead, Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let mut guard = Guard(child);
    let mut out = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stdout = std::io::BufReader::new(guard.0.stdout.take().unwrap());
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
