//! Post-handshake client authentication through the binary (RFC 8446 §4.6.2):
//! `tryst server --pha-client-ca` asks clients that offered post_handshake_auth for a
//! certificate after the handshake; `openssl s_client -enable_pha -cert -key` and
//! `tryst client --post-handshake-auth` answer, and the server's log line says who they
//! are. A client that did not offer it is not asked; one whose certificate the CA did not
//! issue is refused. `openssl s_server`'s `c` command asks the tryst client.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// `tryst client` with `args` that sends "ping" and keeps standard input open until the
/// echo came back (so the server's request, sent before the echo, is answered before the
/// client closes). Returns the exit code and standard error.
fn interactive_client(d: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(TRYST)
        .args(args)
        .current_dir(d)
        .env_remove("SSLKEYLOGFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    let mut guard = Guard {
        child,
        name: "tryst client".into(),
    };
    stdin.write_all(b"ping\n").unwrap();
    let _ = out.recv_timeout(Duration::from_secs(10));
    drop(stdin);
    let code = guard.wait(Duration::from_secs(20));
    let mut lines = Vec::new();
    while let Ok(l) = err.recv_timeout(Duration::from_secs(2)) {
        lines.push(l);
    }
    (code, lines.join("\n"))
}

/// ca.pem and server.pem, and a client certificate alice.pem from the same CA.
fn pki(d: &std::path::Path) {
    make_pki(d, Key::Default);
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
        d,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
}

fn server(d: &std::path::Path, pha_ca: &str) -> Server {
    start_server_pki(d, &["--pha-client-ca", pha_ca, "--idle-timeout", "2"])
}

#[test]
fn tryst_client_answers_after_the_handshake() {
    let dir = Scratch::new("pha-tryst");
    let d = dir.path();
    pki(d);
    let server = server(d, "ca.pem");
    let addr = format!("127.0.0.1:{}", server.port);
    let client = |extra: &[&str]| {
        let mut args = vec![
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice.key",
        ];
        args.extend_from_slice(extra);
        interactive_client(d, &args)
    };
    let (code, err) = client(&["--post-handshake-auth"]);
    assert_eq!(code, Some(0), "{err}");
    let line = wait_for_line(&server.log, "bytes in", Duration::from_secs(10));
    assert!(line.contains("pha=authenticated"), "{line}");
    assert!(line.contains("alice.example"), "{line}");

    // Without the flag the client does not offer it and is not asked.
    let (code, err) = client(&[]);
    assert_eq!(code, Some(0), "{err}");
    let line = wait_for_line(&server.log, "bytes in", Duration::from_secs(10));
    assert!(!line.contains("pha="), "{line}");
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    let dir = Scratch::new("pha-refused");
    let d = dir.path();
    pki(d);
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
    assert_eq!(o.code, Some(0), "{o:#?}");
    let server = server(d, "other.pem");
    let addr = format!("127.0.0.1:{}", server.port);
    let (code, err) = interactive_client(
        d,
        &[
            "client",
            &addr,
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice.key",
            "--post-handshake-auth",
        ],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("does not accept our client certificate"),
        "{err}"
    );
    let line = wait_for_line(&server.log, "bytes in", Duration::from_secs(10));
    assert!(line.contains("pha=pending"), "{line}");
    assert!(line.contains("bad_certificate"), "{line}");
}

#[test]
fn openssl_s_client_enable_pha_answers() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("pha-openssl");
    let d = dir.path();
    pki(d);
    let server = server(d, "ca.pem");
    let addr = format!("127.0.0.1:{}", server.port);
    // -ign_eof: s_client stays until the server closes (after --idle-timeout), so the
    // request is answered whatever the timing of standard input.
    let o = run_program(
        "openssl",
        &[
            "s_client",
            "-connect",
            &addr,
            "-tls1_3",
            "-CAfile",
            "ca.pem",
            "-enable_pha",
            "-cert",
            "alice.pem",
            "-key",
            "alice.key",
            "-ign_eof",
        ],
        d,
        b"hello\n",
        TIMEOUT,
    );
    assert!(o.stdout.contains("hello"), "{o:#?}");
    let line = wait_for_line(&server.log, "bytes in", Duration::from_secs(10));
    assert!(line.contains("pha=authenticated"), "{line}");
    assert!(line.contains("alice.example"), "{line}");
}

/// `openssl s_server` with a piped standard input (for its `c` command) on a free port.
fn s_server(d: &std::path::Path) -> Peer {
    openssl_s_server(
        d,
        &[
            "-tls1_3",
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-CAfile",
            "ca.pem",
            "-naccept",
            "1",
        ],
        true,
    )
}

#[test]
fn tryst_client_answers_openssl_s_server_c_command() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("pha-s-server");
    let d = dir.path();
    pki(d);
    let mut server = s_server(d);
    let mut server_in = server.stdin.take().unwrap();
    let server_out = server.out.take().unwrap();
    let port = server.port;
    let mut client = Command::new(TRYST)
        .args([
            "client",
            &format!("127.0.0.1:{port}"),
            "--ca",
            "ca.pem",
            "--server-name",
            "localhost",
            "--cert",
            "alice.pem",
            "--key",
            "alice.key",
            "--post-handshake-auth",
            "--trace",
        ])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client_in = client.stdin.take().unwrap();
    let client_err = lines_of(client.stderr.take().unwrap());
    let mut client = Guard {
        child: client,
        name: "tryst client".into(),
    };
    // Once the handshake is done, s_server's `c` command sends a CertificateRequest.
    wait_for_line(&server_out, "CIPHER is", Duration::from_secs(10));
    server_in.write_all(b"c\n").unwrap();
    server_in.flush().unwrap();
    // The verify callback's lines go to s_server's standard error.
    let leaf = wait_for_line(&server.err, "depth=0", Duration::from_secs(10));
    assert!(leaf.contains("alice.example"), "{leaf}");
    let ok = wait_for_line(&server.err, "verify return", Duration::from_secs(10));
    assert!(ok.contains("verify return:1"), "{ok}");
    drop(client_in);
    let _ = client.wait(Duration::from_secs(20));
    let errors: Vec<String> = client_err.try_iter().collect();
    assert!(
        !errors.iter().any(|l| l.contains("failed")),
        "the client failed: {errors:?}"
    );
}

#[test]
fn gnutls_cli_post_handshake_auth_answers() {
    if !gnutls_or_skip() {
        return;
    }
    let dir = Scratch::new("pha-gnutls");
    let d = dir.path();
    pki(d);
    let server = server(d, "ca.pem");
    let port = server.port.to_string();
    let mut child = Command::new("gnutls-cli")
        .args([
            "--x509cafile",
            "ca.pem",
            "--x509certfile",
            "alice.pem",
            "--x509keyfile",
            "alice.key",
            "--post-handshake-auth",
            "--port",
            &port,
            "localhost",
        ])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let mut guard = Guard {
        child,
        name: "gnutls-cli".into(),
    };
    stdin.write_all(b"hello\n").unwrap();
    // The request went out before the echo, so the echo comes after the re-authentication.
    wait_for_line(&out, "Re-auth was performed", Duration::from_secs(10));
    wait_for_line(&out, "hello", Duration::from_secs(10));
    drop(stdin);
    let _ = guard.wait(Duration::from_secs(20));
    let line = wait_for_line(&server.log, "bytes in", Duration::from_secs(10));
    assert!(line.contains("pha=authenticated (alice.example"), "{line}");
}
