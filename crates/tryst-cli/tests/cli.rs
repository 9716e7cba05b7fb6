//! The `tryst` binary end to end over loopback: demo, client ↔ server, cert tools, and the
//! error contract for bad input (one line, documented exit code, no backtrace).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;

#[test]
fn demo_shows_three_sessions_with_distinct_keys() {
    let dir = Scratch::new("demo");
    let keylog = dir.file("keys.log");
    let o = tryst(&["demo", "--keylog", &keylog], dir.path(), b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    let s = &o.stdout;
    assert!(
        !s.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    for want in [
        "Session 1",
        "Session 2",
        "Session 3",
        "ClientHello",
        "<--------  ServerHello",
        "{EncryptedExtensions}",
        "{Certificate}",
        "{CertificateVerify}",
        "{Finished}",
        "[NewSessionTicket]",
        "~ derived CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "[KeyUpdate(update_requested)]",
        "CLIENT_TRAFFIC_SECRET_1",
        "SERVER_TRAFFIC_SECRET_1",
        "[Alert(close_notify)]",
        "TLS_AES_128_GCM_SHA256",
        "x25519",
        "resumed from a ticket",
        "all different: yes",
        "Session 4",
        "~ derived CLIENT_EARLY_TRAFFIC_SECRET",
        "(0-RTT data, ",
        "(EndOfEarlyData)",
    ] {
        assert!(s.contains(want), "demo output lacks {want:?}:\n{s}");
    }

    // The summary: one line per session with both traffic secrets; all eight differ.
    let mut secrets = HashSet::new();
    let mut sessions = 0;
    for line in s.lines().filter(|l| l.trim_start().starts_with("session ")) {
        sessions += 1;
        for label in ["CLIENT_TRAFFIC_SECRET_0=", "SERVER_TRAFFIC_SECRET_0="] {
            let hex = line
                .split(label)
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            assert_eq!(hex.len(), 64, "{line}");
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
            secrets.insert(hex.to_string());
        }
    }
    assert_eq!(sessions, 4, "{s}");
    assert_eq!(
        secrets.len(),
        8,
        "every session must have its own keys:\n{s}"
    );
    assert!(s.contains("session 1 (full handshake)"), "{s}");
    assert!(s.contains("session 2 (resumed)"), "{s}");
    assert!(s.contains("session 4 (resumed, 0-RTT accepted)"), "{s}");

    // The key log file holds the same secrets in SSLKEYLOGFILE format.
    let log = std::fs::read_to_string(&keylog).unwrap();
    assert_eq!(log.matches("CLIENT_TRAFFIC_SECRET_0 ").count(), 4, "{log}");
    assert_eq!(
        log.matches("CLIENT_EARLY_TRAFFIC_SECRET ").count(),
        1,
        "{log}"
    );
    for secret in &secrets {
        assert!(log.contains(secret.as_str()), "{log}");
    }
}

#[test]
fn client_and_server_echo_over_loopback() {
    let dir = Scratch::new("echo");
    make_pki(dir.path(), Key::Default);
    let server = start_server_pki(dir.path(), &[]);
    let port = server.port.to_string();
    let addr = format!("127.0.0.1:{port}");

    // Small and large input; the name comes from the address (an IP SAN) or --server-name.
    let big: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let o = tryst(&["client", &addr, "--ca", "ca.pem"], dir.path(), &big);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.as_bytes() == big.as_slice(), "echo differs");
    let o = tryst(
        &[
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--server-name",
            "localhost",
            "--trace",
        ],
        dir.path(),
        b"hello tryst\n",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "hello tryst\n");
    for want in [
        "ClientHello",
        "{CertificateVerify}",
        "cipher suite",
        "verified for 'localhost'",
    ] {
        assert!(
            o.stderr.contains(want),
            "trace lacks {want:?}: {}",
            o.stderr
        );
    }
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("TLS 1.3"), "{line}");
    let line = wait_for_line(&server.log, "sni=localhost", Duration::from_secs(10));
    assert!(
        line.contains("12 bytes in, 12 out, closed cleanly"),
        "{line}"
    );
    drop(server.guard);
}

#[test]
fn large_transfer_is_byte_exact() {
    let dir = Scratch::new("big");
    make_pki(dir.path(), Key::Default);
    let server = start_server_pki(dir.path(), &[]);
    let big: Vec<u8> = (0..500_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    // Through a shell redirect so the bytes are compared exactly.
    let cmd = format!(
        "'{TRYST}' client 127.0.0.1:{} --ca ca.pem < big.bin > out.bin",
        server.port
    );
    let o = run_program("sh", &["-c", &cmd], dir.path(), b"", TIMEOUT);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(std::fs::read(dir.path().join("out.bin")).unwrap(), big);
}

#[test]
fn client_certificates_and_alpn() {
    let dir = Scratch::new("mtls");
    make_pki(dir.path(), Key::Default);
    let o = tryst(
        &[
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "ca.key",
            "--name",
            "alice.example",
            "--client",
            "--out-cert",
            "alice.pem",
            "--out-key",
            "alice.key",
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    let server = start_server_pki(
        dir.path(),
        &[
            "--client-ca",
            "ca.pem",
            "--alpn",
            "tryst-test",
            "--alpn",
            "h2",
        ],
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(
        &[
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice.key",
            "--alpn",
            "tryst-test",
            "--trace",
        ],
        dir.path(),
        b"ping",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "ping");
    assert!(o.stderr.contains("tryst-test"), "{}", o.stderr);
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(
        line.contains("client-cert=yes") && line.contains("alpn=tryst-test"),
        "{line}"
    );

    // Without a certificate the server refuses; the client says so in one line.
    let o = tryst(&["client", &addr, "--ca", "ca.pem"], dir.path(), b"ping");
    o.assert_one_line_error(1, "pass --cert and --key");
    // And the server is still serving.
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("127.0.0.1:"), "{line}");
    let o = tryst(
        &[
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice.key",
        ],
        dir.path(),
        b"again",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "again");
}

/// The key type of the first certificate in a PEM file.
fn key_algorithm(pem: &std::path::Path) -> tryst::cert::KeyAlgorithm {
    use tryst::pki_types::CertificateDer;
    use tryst::pki_types::pem::PemObject;
    let der = CertificateDer::pem_file_iter(pem)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    tryst::cert::Certificate::from_der(der.as_ref())
        .unwrap()
        .public_key()
        .unwrap()
        .algorithm
}

#[test]
fn cert_keys_are_ecdsa_p256_unless_ed25519() {
    use tryst::cert::KeyAlgorithm;
    let dir = Scratch::new("keytypes");
    let d = dir.path();
    // The default: ECDSA P-256 for the CA and the leaf, which is what browsers accept.
    make_pki(d, Key::Default);
    assert_eq!(key_algorithm(&d.join("ca.pem")), KeyAlgorithm::EcdsaP256);
    assert_eq!(
        key_algorithm(&d.join("server.pem")),
        KeyAlgorithm::EcdsaP256
    );
    let server = start_server_pki(d, &[]);
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(&["client", &addr, "--ca", "ca.pem", "--trace"], d, b"ec");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("ecdsa_secp256r1_sha256"), "{}", o.stderr);

    // --ed25519 keeps the old choice, for the CA and for a leaf; a leaf's key type is
    // independent of its CA's. --ecdsa is still accepted (it is the default).
    let new_ca = |out: &str, flag: &[&str]| {
        let mut args = vec!["cert", "new-ca", "--out-cert", out, "--out-key", "x-ca.key"];
        args.extend_from_slice(flag);
        tryst(&args, d, b"")
    };
    let o = new_ca("ed-ca.pem", &["--ed25519"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("(Ed25519)"), "{}", o.stderr);
    assert_eq!(key_algorithm(&d.join("ed-ca.pem")), KeyAlgorithm::Ed25519);
    let o = new_ca("ec-ca.pem", &["--ecdsa"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("(ECDSA P-256)"), "{}", o.stderr);
    assert_eq!(key_algorithm(&d.join("ec-ca.pem")), KeyAlgorithm::EcdsaP256);
    new_ca("no.pem", &["--ed25519", "--ecdsa"]).assert_one_line_error(2, "--ecdsa");

    let new_leaf = |out: &str, key: &str, flag: &[&str]| {
        let mut args = vec![
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "ca.key",
            "--name",
            "localhost",
            "--out-cert",
            out,
            "--out-key",
            key,
        ];
        args.extend_from_slice(flag);
        tryst(&args, d, b"")
    };
    let o = new_leaf("ed-leaf.pem", "ed-leaf.key", &["--ed25519"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("(Ed25519)"), "{}", o.stderr);
    assert_eq!(key_algorithm(&d.join("ed-leaf.pem")), KeyAlgorithm::Ed25519);
    let o = new_leaf("ec-leaf.pem", "ec-leaf.key", &["--ecdsa"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(
        key_algorithm(&d.join("ec-leaf.pem")),
        KeyAlgorithm::EcdsaP256
    );
    new_leaf("no.pem", "no.key", &["--ecdsa", "--ed25519"]).assert_one_line_error(2, "--ed25519");
    // An Ed25519 leaf from the ECDSA CA serves and verifies.
    let server = start_server(d, &["--cert", "ed-leaf.pem", "--key", "ed-leaf.key"]);
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{}", server.port),
            "--ca",
            "ca.pem",
            "--server-name",
            "localhost",
            "--trace",
        ],
        d,
        b"ed",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("ed25519"), "{}", o.stderr);
}

#[test]
fn http_server_selects_http_1_1_when_a_client_offers_h2_first() {
    let dir = Scratch::new("http-alpn");
    let d = dir.path();
    make_pki(d, Key::Default);
    let request: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    let client = |port: u16, alpn: &[&str]| {
        let addr = format!("127.0.0.1:{port}");
        let mut args = vec!["client", &addr, "--ca", "ca.pem", "--trace"];
        for p in alpn {
            args.extend_from_slice(&["--alpn", p]);
        }
        tryst(&args, d, request)
    };
    // Offered as a browser does (h2 first): the server picks http/1.1, and the page says so.
    let server = start_server_pki(d, &["--http"]);
    let o = client(server.port, &["h2", "http/1.1"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{o:#?}");
    assert!(
        o.stdout
            .contains("<th align=left>ALPN</th><td>http/1.1</td>"),
        "{}",
        o.stdout
    );
    let alpn_line = o
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("ALPN"))
        .unwrap_or_else(|| panic!("{}", o.stderr));
    assert!(alpn_line.trim_end().ends_with("http/1.1"), "{alpn_line}");
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("alpn=http/1.1"), "{line}");
    // h2 alone is not spoken: the handshake fails with no_application_protocol (RFC 7301).
    let o = client(server.port, &["h2"]);
    assert_eq!(o.code, Some(1), "{o:#?}");
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("ALPN"), "{line}");
    // A client without ALPN still gets the page.
    let o = client(server.port, &[]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{o:#?}");
    drop(server);

    // --alpn adds protocols after http/1.1 (unless it places http/1.1 itself).
    let server = start_server_pki(d, &["--http", "--alpn", "tryst-test"]);
    let o = client(server.port, &["tryst-test", "http/1.1"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("alpn=http/1.1"), "{line}");
    let o = client(server.port, &["tryst-test"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("alpn=tryst-test"), "{line}");
    drop(server);

    // h2 with --http is refused at start: the server would then not speak it.
    let o = tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--http",
            "--alpn",
            "h2",
            "--listen",
            "127.0.0.1:0",
        ],
        d,
        b"",
    );
    o.assert_one_line_error(2, "--alpn h2");
}

#[test]
fn server_survives_garbage_and_once_exits() {
    use std::io::Write;
    let dir = Scratch::new("once");
    make_pki(dir.path(), Key::Default);
    let mut server = start_server_pki(dir.path(), &["--http", "--once"]);
    // HTTP through the tryst client: the page describes the connection.
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(
        &["client", &addr, "--ca", "ca.pem"],
        dir.path(),
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.starts_with("HTTP/1.1 200 OK\r\n"), "{}", o.stdout);
    assert!(o.stdout.contains("TLS_AES_128_GCM_SHA256"), "{}", o.stdout);
    assert_eq!(server.guard.wait(Duration::from_secs(10)), Some(0));

    // A multi-connection server: garbage on one connection does not stop it.
    let server = start_server_pki(dir.path(), &[]);
    let mut junk = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    junk.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.starts_with("tryst: 127.0.0.1:"), "{line}");
    drop(junk);
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{}", server.port),
            "--ca",
            "ca.pem",
        ],
        dir.path(),
        b"still here",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "still here");
}

#[test]
fn cert_verify_valid_and_invalid() {
    let dir = Scratch::new("verify");
    make_pki(dir.path(), Key::Default);
    let d = dir.path();
    let ok = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--name",
            "localhost",
        ],
        d,
        b"",
    );
    assert_eq!(ok.code, Some(0), "{ok:#?}");
    assert!(ok.stdout.starts_with("valid: "), "{ok:#?}");
    let ok = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--name",
            "127.0.0.1",
        ],
        d,
        b"",
    );
    assert_eq!(ok.code, Some(0), "{ok:#?}");
    let ok = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
        ],
        d,
        b"",
    );
    assert_eq!(ok.code, Some(0), "{ok:#?}");

    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--name",
            "example.com",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(1, "not valid for the server name");
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--at",
            "2100-01-01T00:00:00Z",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(1, "certificate_expired");
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--at",
            "946684800",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(1, "not yet valid");
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--client",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(1, "invalid");

    // A different CA does not vouch for it.
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "other.pem",
            "--out-key",
            "other.key",
            "--ecdsa",
            "--name",
            "Other CA",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0));
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "other.pem",
            "--leaf",
            "server.pem",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(1, "unknown_ca");

    // Bad input is exit code 2.
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--at",
            "tomorrow",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(2, "RFC 3339");
    let bad = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--name",
            "bad name!",
        ],
        d,
        b"",
    );
    bad.assert_one_line_error(2, "not a valid DNS name");
}

#[test]
fn bad_input_is_one_line_with_the_documented_exit_code() {
    let dir = Scratch::new("bad");
    make_pki(dir.path(), Key::Default);
    let d = dir.path();
    std::fs::write(
        d.join("junk.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 !!\n",
    )
    .unwrap();
    std::fs::write(d.join("empty.pem"), "hello\n").unwrap();
    let o = tryst(
        &[
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "ca.key",
            "--name",
            "other",
            "--out-cert",
            "o.pem",
            "--out-key",
            "o.key",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0));

    // Missing file.
    tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "missing.pem",
            "--leaf",
            "server.pem",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "missing.pem");
    tryst(
        &[
            "server",
            "--cert",
            "nope.pem",
            "--key",
            "server.key",
            "--listen",
            "127.0.0.1:0",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "nope.pem");
    // Malformed PEM.
    tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "junk.pem",
            "--leaf",
            "server.pem",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "junk.pem");
    tryst(
        &["cert", "verify", "--roots", "ca.pem", "--leaf", "empty.pem"],
        d,
        b"",
    )
    .assert_one_line_error(2, "no '-----BEGIN CERTIFICATE-----' block");
    tryst(&["client", "127.0.0.1:1", "--ca", "junk.pem"], d, b"")
        .assert_one_line_error(2, "junk.pem");
    tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "junk.pem",
            "--listen",
            "127.0.0.1:0",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "junk.pem");
    // Wrong key for the certificate.
    tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "o.key",
            "--listen",
            "127.0.0.1:0",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "does not match");
    tryst(
        &[
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "o.key",
            "--name",
            "x",
            "--out-cert",
            "x.pem",
            "--out-key",
            "x.key",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "does not belong");
    // Bad flags and arguments (clap's errors, flattened to one line).
    tryst(&["client", "--bogus"], d, b"").assert_one_line_error(2, "--bogus");
    tryst(&["frobnicate"], d, b"").assert_one_line_error(2, "frobnicate");
    tryst(&["client", "no-port-here", "--ca", "ca.pem"], d, b"")
        .assert_one_line_error(2, "HOST:PORT");
    tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--listen",
            "nonsense",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "cannot listen");
    // Unreachable port.
    let port = free_port();
    tryst(
        &["client", &format!("127.0.0.1:{port}"), "--ca", "ca.pem"],
        d,
        b"",
    )
    .assert_one_line_error(1, "cannot connect");

    // Wrong hostname: the server's certificate is for localhost / 127.0.0.1.
    let server = start_server_pki(d, &[]);
    let addr = format!("127.0.0.1:{}", server.port);
    tryst(
        &[
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--server-name",
            "example.com",
        ],
        d,
        b"",
    )
    .assert_one_line_error(1, "not valid for the name 'example.com'");
    // Untrusted CA.
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "other.pem",
            "--out-key",
            "other.key",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0));
    tryst(&["client", &addr, "--ca", "other.pem"], d, b"").assert_one_line_error(1, "--ca");
    // A server that is not TLS: the connection closes during the handshake.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        if let Ok((s, _)) = plain.accept() {
            drop(s);
        }
    });
    tryst(
        &[
            "client",
            &format!("127.0.0.1:{plain_port}"),
            "--ca",
            "ca.pem",
        ],
        d,
        b"",
    )
    .assert_one_line_error(1, "closed the connection during the handshake");
    t.join().unwrap();
}

#[test]
fn help_and_version_exit_zero() {
    let dir = Scratch::new("help");
    let o = tryst(&["--help"], dir.path(), b"");
    assert_eq!(o.code, Some(0));
    for cmd in ["demo", "server", "client", "cert"] {
        assert!(o.stdout.contains(cmd), "{}", o.stdout);
    }
    assert!(o.stdout.contains("Exit codes"), "{}", o.stdout);
    let o = tryst(&["--version"], dir.path(), b"");
    assert_eq!(o.code, Some(0));
    assert!(o.stdout.starts_with("tryst "), "{}", o.stdout);
    // No command at all is a usage error.
    let o = tryst(&[], dir.path(), b"");
    assert_eq!(o.code, Some(2), "{o:#?}");
}
