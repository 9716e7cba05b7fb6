//! Strings a peer or a certificate controls (SNI, certificate names) never reach the
//! terminal raw: a client that puts an escape sequence and a line break in its SNI shows
//! up escaped in the server's log, and a certificate whose subjectAltName holds them is
//! refused without being quoted. (`openssl.rs` has the same SNI attack through
//! `openssl s_client`, on a handshake that completes.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use tryst::pki_types::ServerName;

/// What the hostile strings hold: clear the screen, turn text red, end the line and start
/// a forged log line, ring the bell, and a backslash.
const HOSTILE: &[u8] = b"\x1b[2J\x1b[31mEVIL\r\ntryst: forged\x07\\";
/// The same, as `tryst` must print it.
const ESCAPED: &str = "\\x1b[2J\\x1b[31mEVIL\\x0d\\x0atryst: forged\\x07\\\\";

fn assert_no_raw_controls(s: &str) {
    assert!(
        !s.chars().any(|c| c.is_control() && c != '\n'),
        "raw control characters in {s:?}"
    );
}

/// The server's log line names the SNI a client sent. tryst's own client only sends valid
/// DNS names, so the hostile ClientHello is made by replacing the name in a real one with
/// bytes of the same length.
#[test]
fn server_log_escapes_a_hostile_sni() {
    let dir = Scratch::new("hostile-sni");
    make_pki(dir.path(), Key::Default);
    let server = start_server(dir.path(), &["--cert", "server.pem", "--key", "server.key"]);

    let placeholder = format!("{}.test", "a".repeat(HOSTILE.len() - 5));
    let config = tryst::ClientConfig::builder()
        .with_root_certificates(tryst::cert::TrustAnchors::new())
        .build()
        .unwrap();
    let name = ServerName::try_from(placeholder.clone()).unwrap();
    let mut conn = tryst::ClientConnection::new(config, name).unwrap();
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).unwrap();
    }
    let at = hello
        .windows(placeholder.len())
        .position(|w| w == placeholder.as_bytes())
        .expect("the SNI is in the ClientHello");
    hello[at..at + HOSTILE.len()].copy_from_slice(HOSTILE);

    let mut sock = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    sock.write_all(&hello).unwrap();
    // The server answers (ServerHello ...) and waits for our Finished; we hang up instead.
    let mut buf = [0u8; 4096];
    let n = sock.read(&mut buf).unwrap();
    assert!(
        n > 0 && buf[0] == 0x16,
        "the server accepted the ClientHello"
    );
    drop(sock);

    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(30));
    assert!(line.contains(&format!("(sni={ESCAPED})")), "{line:?}");
    assert_no_raw_controls(&line);
    // The forged line did not become a line of its own.
    assert!(line.starts_with("tryst: 127.0.0.1:"), "{line:?}");
}

/// `tryst cert verify` prints the names of the certificate it checked. A certificate
/// whose subjectAltName holds control characters is refused by tryst-cert's parser (a
/// dNSName is an IA5String of a DNS name) before anything quotes it; the error names the
/// file, not the hostile text.
#[test]
fn cert_verify_never_prints_hostile_certificate_names() {
    use tryst::cert::{CertificateBuilder, KeyUsage};
    use tryst::crypto::{Ed25519SigningKey, OsRng};

    let dir = Scratch::new("hostile-cert");
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    let ca = CertificateBuilder::new("hostile CA", now - 3600, now + 86_400)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
    let leaf = CertificateBuilder::new("leaf", now - 3600, now + 86_400)
        .dns_name(std::str::from_utf8(HOSTILE).unwrap())
        .server_auth()
        .key_usage(KeyUsage::DIGITAL_SIGNATURE)
        .issue(&leaf_key, &ca, &ca_key)
        .unwrap();
    std::fs::write(dir.path().join("ca.pem"), pem(&ca)).unwrap();
    std::fs::write(dir.path().join("leaf.pem"), pem(&leaf)).unwrap();

    for name in [None, Some("example.com")] {
        let mut args = vec!["cert", "verify", "--roots", "ca.pem", "--leaf", "leaf.pem"];
        if let Some(n) = name {
            args.extend(["--name", n]);
        }
        let o = tryst(&args, dir.path(), b"");
        // A leaf that is not a valid certificate is an invalid chain (exit 1).
        o.assert_one_line_error(1, "invalid: malformed extension");
        assert_no_raw_controls(&o.stderr);
        assert!(o.stdout.is_empty(), "{o:#?}");
        assert!(!o.stderr.contains("EVIL"), "{o:#?}");
    }
}

fn pem(der: &[u8]) -> String {
    let mut s = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in base64(der).as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap());
        s.push('\n');
    }
    s.push_str("-----END CERTIFICATE-----\n");
    s
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
