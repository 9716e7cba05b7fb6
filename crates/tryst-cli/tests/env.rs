//! Environment the `tryst` command honours: SSLKEYLOGFILE (client and server) and
//! SSL_CERT_FILE (the platform root store used when `--ca` is absent). Also a check of
//! the library's blocking adapter that the CLI works around.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::*;

#[test]
fn sslkeylogfile_is_honoured_by_client_and_server() {
    let dir = Scratch::new("sslkeylog");
    make_pki(dir.path(), Key::Default);
    let server_log = dir.file("server-keys.log");
    let client_log = dir.file("client-keys.log");
    let server = start_server_env(
        dir.path(),
        &["--cert", "server.pem", "--key", "server.key"],
        &[("SSLKEYLOGFILE", &server_log)],
    );
    let o = run_program_env(
        TRYST,
        &[
            "client",
            &format!("127.0.0.1:{}", server.port),
            "--ca",
            "ca.pem",
        ],
        dir.path(),
        b"keys",
        TIMEOUT,
        &[("SSLKEYLOGFILE", &client_log)],
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    let c = std::fs::read_to_string(&client_log).unwrap();
    let s = std::fs::read_to_string(&server_log).unwrap();
    for label in [
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET ",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET ",
        "CLIENT_TRAFFIC_SECRET_0 ",
        "SERVER_TRAFFIC_SECRET_0 ",
    ] {
        let line = c
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("{c}"));
        // Both ends log the same secret for the same client random.
        assert!(
            s.lines().any(|l| l == line),
            "server log lacks {line}:\n{s}"
        );
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert_eq!(fields[1].len(), 64, "{line}");
    }
}

#[test]
fn without_ca_the_platform_store_from_ssl_cert_file_is_used() {
    let dir = Scratch::new("platform");
    make_pki(dir.path(), Key::Default);
    let server = start_server(dir.path(), &["--cert", "server.pem", "--key", "server.key"]);
    let addr = format!("127.0.0.1:{}", server.port);
    // The store (found by rustls-native-certs) is the test CA alone, next to an Ed25519
    // root and a block that is not a certificate: the client trusts the CA without --ca.
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "other.pem",
            "--out-key",
            "other.key",
            "--name",
            "Other CA",
            "--ed25519",
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    let store = format!(
        "{}\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n{}",
        std::fs::read_to_string(dir.path().join("other.pem")).unwrap(),
        std::fs::read_to_string(dir.path().join("ca.pem")).unwrap()
    );
    std::fs::write(dir.path().join("store.pem"), store).unwrap();
    let o = run_program_env(
        TRYST,
        &["client", &addr, "--trace"],
        dir.path(),
        b"roots",
        TIMEOUT,
        &[("SSL_CERT_FILE", &dir.file("store.pem"))],
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "roots");
    assert!(
        o.stderr.contains("trusting 2 roots from SSL_CERT_FILE="),
        "{}",
        o.stderr
    );

    // SSL_CERT_DIR: a directory of PEM files.
    let certs = dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::copy(dir.path().join("ca.pem"), certs.join("ca.pem")).unwrap();
    let o = run_program_env(
        TRYST,
        &["client", &addr, "--trace"],
        dir.path(),
        b"dir",
        TIMEOUT,
        &[("SSL_CERT_DIR", &certs.display().to_string())],
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "dir");
    assert!(
        o.stderr.contains("trusting 1 roots from SSL_CERT_DIR="),
        "{}",
        o.stderr
    );

    // A store without our CA refuses the server (exit 1, the handshake failed).
    let o = run_program_env(
        TRYST,
        &["client", &addr],
        dir.path(),
        b"",
        TIMEOUT,
        &[("SSL_CERT_FILE", &dir.file("other.pem"))],
    );
    o.assert_one_line_error(1, "unknown_ca");

    // A store with no certificates at all, or none that can be read: one line, exit 2,
    // saying what to do.
    std::fs::write(dir.path().join("empty.pem"), "no certificates here\n").unwrap();
    for store in [dir.file("empty.pem"), dir.file("missing.pem")] {
        let o = run_program_env(
            TRYST,
            &["client", &addr],
            dir.path(),
            b"",
            TIMEOUT,
            &[("SSL_CERT_FILE", &store)],
        );
        o.assert_one_line_error(2, "no usable root certificates");
        assert!(
            o.stderr.contains("pass --ca CA.pem or set SSL_CERT_FILE"),
            "{}",
            o.stderr
        );
    }
}

/// `tryst::Stream::complete_handshake` must stop with an error, not spin, when the peer
/// closes the TCP connection mid-handshake (regression test for a bug found by the CLI).
#[test]
fn library_stream_handshake_stops_at_eof() {
    use std::sync::Arc;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let _ = listener.accept(); // accept and close at once
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = tryst::ClientConfig::builder()
            .with_root_certificates(tryst::cert::TrustAnchors::new())
            .build()
            .unwrap();
        let name = tryst::pki_types::ServerName::try_from("localhost").unwrap();
        let mut conn = tryst::ClientConnection::new(Arc::clone(&config), name).unwrap();
        let mut sock = std::net::TcpStream::connect(addr).unwrap();
        let r = tryst::Stream::new(&mut conn, &mut sock).complete_handshake();
        let _ = tx.send(r.is_err());
    });
    let failed = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("complete_handshake did not return within 5 s after the peer closed");
    assert!(failed, "a handshake cut short must be an error");
}
