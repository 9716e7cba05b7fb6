//! The `tryst` binary against OpenSSL over loopback: `tryst client` ↔ `openssl s_server`
//! and `openssl s_client` ↔ `tryst server`, with ECDSA P-256 (the default) and Ed25519
//! certificates made by `tryst cert`. Skipped (with a note) when `openssl` is not installed; .ci/run
//! installs it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::*;

/// Start `openssl s_server` on a free port; returns it once it accepts.
fn s_server(dir: &std::path::Path, mode: &str) -> Peer {
    openssl_s_server(
        dir,
        &["-tls1_3", "-cert", "server.pem", "-key", "server.key", mode],
        false,
    )
}

fn client_to_s_server(ecdsa: bool) {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new(if ecdsa { "ossl-srv-ec" } else { "ossl-srv-ed" });
    make_pki(dir.path(), if ecdsa { Key::Default } else { Key::Ed25519 });
    let server = s_server(dir.path(), "-rev");
    let port = server.port;
    // -rev: s_server answers each line reversed, then closes with close_notify.
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{port}"),
            "--ca",
            "ca.pem",
            "--server-name",
            "localhost",
            "--trace",
        ],
        dir.path(),
        b"hello openssl\n",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.contains("lssnepo olleh"), "{o:#?}");
    let scheme = if ecdsa {
        "ecdsa_secp256r1_sha256"
    } else {
        "ed25519"
    };
    assert!(o.stderr.contains(scheme), "{}", o.stderr);
    assert!(o.stderr.contains("{CertificateVerify}"), "{}", o.stderr);
}

#[test]
fn tryst_client_to_openssl_s_server_ed25519() {
    client_to_s_server(false);
}

#[test]
fn tryst_client_to_openssl_s_server_ecdsa_p256() {
    client_to_s_server(true);
}

#[test]
fn tryst_client_refuses_openssl_with_wrong_name() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ossl-name");
    make_pki(dir.path(), Key::Default);
    let server = s_server(dir.path(), "-rev");
    let port = server.port;
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{port}"),
            "--ca",
            "ca.pem",
            "--server-name",
            "tryst.example",
        ],
        dir.path(),
        b"x\n",
    );
    o.assert_one_line_error(1, "not valid for the name 'tryst.example'");
}

fn s_client_to_server(ecdsa: bool) {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new(if ecdsa { "ossl-cli-ec" } else { "ossl-cli-ed" });
    make_pki(dir.path(), if ecdsa { Key::Default } else { Key::Ed25519 });
    let server = start_server_pki(dir.path(), &["--http"]);
    // -alpn h2,http/1.1 as a browser offers: --http alone makes the server pick http/1.1.
    // -ign_eof: keep reading after the request is sent until the server closes.
    let o = run_program(
        "openssl",
        &[
            "s_client",
            "-tls1_3",
            "-connect",
            &format!("127.0.0.1:{}", server.port),
            "-CAfile",
            "ca.pem",
            "-servername",
            "localhost",
            "-verify_return_error",
            "-alpn",
            "h2,http/1.1",
            "-ign_eof",
        ],
        dir.path(),
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        Duration::from_secs(30),
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    for want in [
        "Verify return code: 0 (ok)",
        "HTTP/1.1 200 OK",
        "TLS 1.3",
        "ALPN protocol: http/1.1",
        "<th align=left>ALPN</th><td>http/1.1</td>",
    ] {
        assert!(o.stdout.contains(want), "lacks {want:?}: {o:#?}");
    }
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(
        line.contains("sni=localhost") && line.contains("alpn=http/1.1"),
        "{line}"
    );
}

#[test]
fn openssl_s_client_to_tryst_server_ed25519() {
    s_client_to_server(false);
}

#[test]
fn openssl_s_client_to_tryst_server_ecdsa_p256() {
    s_client_to_server(true);
}

#[test]
fn openssl_s_client_with_client_certificate() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ossl-mtls");
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
            "client.example",
            "--client",
            "--ecdsa",
            "--out-cert",
            "client.pem",
            "--out-key",
            "client.key",
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    let server = start_server_pki(dir.path(), &["--http", "--client-ca", "ca.pem"]);
    let o = run_program(
        "openssl",
        &[
            "s_client",
            "-tls1_3",
            "-connect",
            &format!("127.0.0.1:{}", server.port),
            "-CAfile",
            "ca.pem",
            "-cert",
            "client.pem",
            "-key",
            "client.key",
            "-ign_eof",
        ],
        dir.path(),
        b"GET / HTTP/1.1\r\n\r\n",
        Duration::from_secs(30),
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.contains("HTTP/1.1 200 OK"), "{o:#?}");
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("client-cert=yes"), "{line}");
}

#[test]
fn tryst_server_survives_an_openssl_client_that_rejects_it() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ossl-reject");
    make_pki(dir.path(), Key::Default);
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
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(0));
    let server = start_server_pki(dir.path(), &["--http"]);
    let port = server.port.to_string();
    let o = run_program(
        "openssl",
        &[
            "s_client",
            "-tls1_3",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-CAfile",
            "other.pem",
            "-verify_return_error",
        ],
        dir.path(),
        b"",
        Duration::from_secs(30),
    );
    assert_ne!(o.code, Some(0), "{o:#?}");
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("127.0.0.1:"), "{line}");
    // Still serving.
    let o = tryst(
        &["client", &format!("127.0.0.1:{port}"), "--ca", "ca.pem"],
        dir.path(),
        b"GET / HTTP/1.1\r\n\r\n",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.starts_with("HTTP/1.1 200 OK"), "{o:#?}");
}

#[test]
fn tryst_server_reports_the_alert_of_a_rejecting_openssl_client() {
    let dir = Scratch::new("ossl-alert");
    make_pki(dir.path(), Key::Default);
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
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(0));
    let server = start_server_pki(dir.path(), &[]);
    let _ = run_program(
        "openssl",
        &[
            "s_client",
            "-tls1_3",
            "-connect",
            &format!("127.0.0.1:{}", server.port),
            "-CAfile",
            "other.pem",
            "-verify_return_error",
        ],
        dir.path(),
        b"",
        Duration::from_secs(30),
    );
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("unknown_ca"), "{line}");
}

/// An SNI with an escape sequence, a line break and a forged log line, sent by
/// `openssl s_client` (which does not check the name): the server's log line for the
/// completed connection shows it escaped, as one line.
#[test]
fn tryst_server_escapes_a_hostile_sni_from_openssl() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ossl-sni");
    make_pki(dir.path(), Key::Default);
    let server = start_server_pki(dir.path(), &[]);
    let o = run_program(
        "openssl",
        &[
            "s_client",
            "-tls1_3",
            "-connect",
            &format!("127.0.0.1:{}", server.port),
            "-servername",
            "\x1b[31mred\ntryst: forged\\x",
            "-CAfile",
            "ca.pem",
        ],
        dir.path(),
        b"hi\n",
        Duration::from_secs(30),
    );
    assert!(
        o.stdout.contains("TLS_AES"),
        "the handshake completed: {o:#?}"
    );
    let line = wait_for_line(&server.log, "sni=", Duration::from_secs(10));
    assert!(
        line.contains("sni=\\x1b[31mred\\x0atryst: forged\\\\x "),
        "{line:?}"
    );
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(line.starts_with("tryst: 127.0.0.1:"), "{line:?}");
}
