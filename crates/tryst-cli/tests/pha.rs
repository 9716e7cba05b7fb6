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
use std::sync::mpsc::Receiver;
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
    start_server(
        d,
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--pha-client-ca",
            pha_ca,
            "--idle-timeout",
            "2",
        ],
    )
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
    if !have_openssl() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is needed for the post-handshake authentication test"
        );
        eprintln!("note: openssl not found; skipping the post-handshake authentication test");
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

/// `openssl s_server` with a piped standard input (for its `c` command) on a free port:
/// its guard, standard input, standard output and error lines, and port.
#[allow(clippy::type_complexity)]
fn s_server(
    d: &std::path::Path,
) -> (
    Guard,
    std::process::ChildStdin,
    Receiver<String>,
    Receiver<String>,
    u16,
) {
    for _ in 0..5 {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-tls1_3",
                "-cert",
                "server.pem",
                "-key",
                "server.key",
                "-CAfile",
                "ca.pem",
                "-accept",
                &accept,
                "-naccept",
                "1",
            ])
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = lines_of(child.stdout.take().unwrap());
        let err = lines_of(child.stderr.take().unwrap());
        let mut guard = Guard {
            child,
            name: "openssl s_server".into(),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if out.try_recv().is_ok_and(|l| l.contains("ACCEPT")) {
                return (guard, stdin, out, err, port);
            }
            if let Ok(Some(_)) = guard.child.try_wait() {
                break; // the port was taken: try another
            }
            assert!(
                std::time::Instant::now() < deadline,
                "s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("could not start openssl s_server");
}

#[test]
fn tryst_client_answers_openssl_s_server_c_command() {
    if !have_openssl() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is needed for the post-handshake authentication test"
        );
        eprintln!("note: openssl not found; skipping the post-handshake authentication test");
        return;
    }
    let dir = Scratch::new("pha-s-server");
    let d = dir.path();
    pki(d);
    let (_server, mut server_in, server_out, server_err, port) = s_server(d);
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
    let leaf = wait_for_line(&server_err, "depth=0", Duration::from_secs(10));
    assert!(leaf.contains("alice.example"), "{leaf}");
    let ok = wait_for_line(&server_err, "verify return", Duration::from_secs(10));
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
    let have = Command::new("gnutls-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "gnutls-cli is required in CI (apt-get install gnutls-bin)"
        );
        eprintln!("skipped: gnutls-cli is not installed");
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
