//! `tryst ech new-config`, `tryst server --ech-key/--ech-config` and `tryst client
//! --ech-config`: the files they write and read, ECH accepted and rejected end to end over
//! loopback, what --trace shows, and the one-line errors (exit 2) for bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Scratch, start_server, start_server_pki, tryst, wait_for_line};

/// ca.pem, and server.pem/server.key valid for secret.example and public.example.
fn pki(dir: &Path) {
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "ca.pem",
            "--out-key",
            "ca.key",
        ],
        dir,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    let o = tryst(
        &[
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "ca.key",
            "--name",
            "secret.example",
            "--name",
            "public.example",
            "--out-cert",
            "server.pem",
            "--out-key",
            "server.key",
        ],
        dir,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
}

fn new_config(dir: &Path, name: &str, config: &str, key: &str) {
    let o = tryst(
        &[
            "ech",
            "new-config",
            "--public-name",
            name,
            "--out-config",
            config,
            "--out-key",
            key,
        ],
        dir,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
}

fn client(dir: &Path, port: u16, extra: &[&str]) -> common::Output {
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec![
        "client",
        addr.as_str(),
        "--ca",
        "ca.pem",
        "--server-name",
        "secret.example",
    ];
    args.extend_from_slice(extra);
    tryst(&args, dir, b"hello over ech\n")
}

#[test]
fn new_config_writes_a_base64_config_and_a_private_key() {
    let s = Scratch::new("ech-new-config");
    new_config(s.path(), "public.example", "ech.conf", "ech.key");
    let conf = std::fs::read_to_string(s.path().join("ech.conf")).unwrap();
    assert_eq!(conf.lines().count(), 1, "one line: {conf:?}");
    let line = conf.trim_end();
    assert!(
        line.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        "{line}"
    );
    let key = std::fs::read_to_string(s.path().join("ech.key")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.path().join("ech.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn accepted_end_to_end_and_trace_shows_both_names() {
    let s = Scratch::new("ech-accepted");
    pki(s.path());
    new_config(s.path(), "public.example", "ech.conf", "ech.key");
    let server = start_server_pki(
        s.path(),
        &["--ech-key", "ech.key", "--ech-config", "ech.conf", "--once"],
    );
    let o = client(
        s.path(),
        server.port,
        &["--ech-config", "ech.conf", "--trace"],
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "hello over ech\n");
    assert!(
        o.stderr
            .contains("outer ClientHello (what the network sees): server_name 'public.example'"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("inner ClientHello (encrypted to the server): server_name 'secret.example'"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("ECH           accepted"), "{}", o.stderr);
    let line = wait_for_line(&server.log, "closed", Duration::from_secs(20));
    assert!(
        line.contains("sni=secret.example")
            && line.contains("ech=accepted outer-sni=public.example"),
        "{line}"
    );
}

#[test]
fn rejected_prints_the_retry_config_and_it_works() {
    let s = Scratch::new("ech-rejected");
    pki(s.path());
    new_config(s.path(), "public.example", "served.conf", "served.key");
    new_config(s.path(), "public.example", "stale.conf", "stale.key");
    let mut server = start_server_pki(
        s.path(),
        &["--ech-key", "served.key", "--ech-config", "served.conf"],
    );
    let o = client(s.path(), server.port, &["--ech-config", "stale.conf"]);
    o.assert_one_line_error(1, "rejected Encrypted Client Hello");
    let served = std::fs::read_to_string(s.path().join("served.conf")).unwrap();
    assert!(o.stderr.trim_end().ends_with(served.trim_end()), "{o:#?}");
    // Retry with what the server sent.
    let retry = o.stderr.trim_end().rsplit(' ').next().unwrap().to_string();
    std::fs::write(s.path().join("retry.conf"), retry + "\n").unwrap();
    let o = client(s.path(), server.port, &["--ech-config", "retry.conf"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "hello over ech\n");
    drop(server.guard.child.kill());
}

#[test]
fn bad_ech_input_is_one_line_exit_2() {
    let s = Scratch::new("ech-bad-input");
    pki(s.path());
    new_config(s.path(), "public.example", "ech.conf", "ech.key");
    new_config(s.path(), "public.example", "other.conf", "other.key");
    std::fs::write(s.path().join("garbage.conf"), "not base64 at all\n").unwrap();
    std::fs::write(s.path().join("empty.conf"), "AAA=\n").unwrap();
    let o = tryst(
        &[
            "ech",
            "new-config",
            "--public-name",
            "not a name",
            "--out-config",
            "c",
            "--out-key",
            "k",
        ],
        s.path(),
        b"",
    );
    o.assert_one_line_error(2, "--public-name");
    let o = tryst(
        &[
            "ech",
            "new-config",
            "--public-name",
            "192.0.2.1",
            "--out-config",
            "c",
            "--out-key",
            "k",
        ],
        s.path(),
        b"",
    );
    o.assert_one_line_error(2, "not a DNS name");
    for (conf, want) in [
        ("garbage.conf", "not one line of base64"),
        ("empty.conf", "cannot be used"),
        ("missing.conf", "missing.conf"),
    ] {
        let o = client(s.path(), common::free_port(), &["--ech-config", conf]);
        o.assert_one_line_error(2, want);
    }
    let server = |key: &str, conf: &str| {
        tryst(
            &[
                "server",
                "--cert",
                "server.pem",
                "--key",
                "server.key",
                "--listen",
                "127.0.0.1:0",
                "--ech-key",
                key,
                "--ech-config",
                conf,
            ],
            s.path(),
            b"",
        )
    };
    server("ech.key", "other.conf").assert_one_line_error(2, "do not go together");
    server("server.key", "ech.conf").assert_one_line_error(2, "not an X25519 private key");
    server("ech.key", "garbage.conf").assert_one_line_error(2, "not one line of base64");
    let o = tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--ech-key",
            "ech.key",
        ],
        s.path(),
        b"",
    );
    o.assert_one_line_error(2, "--ech-config");
}

#[test]
fn demo_shows_what_the_wire_and_the_server_saw() {
    let s = Scratch::new("ech-demo");
    let o = tryst(&["demo"], s.path(), b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    let ech = o
        .stdout
        .split("Encrypted Client Hello (RFC 9849)")
        .nth(1)
        .unwrap_or_else(|| panic!("no ECH session: {}", o.stdout));
    let wire = ech.split("what the server saw").next().unwrap();
    let server = ech.split("what the server saw").nth(1).unwrap();
    let row = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .map(|l| l.trim_start()[key.len()..].trim().to_string())
            .unwrap_or_else(|| panic!("no {key} in {text}"))
    };
    assert_eq!(row(wire, "server_name"), "public.example");
    assert_eq!(row(wire, "'secret.example' on the wire"), "no");
    assert!(row(wire, "encrypted_client_hello").contains("sealed payload"));
    assert_eq!(row(server, "server_name"), "secret.example");
    assert_eq!(row(server, "ECH"), "server Accepted, client Accepted");
}

/// The README's Encrypted Client Hello block, run line by line after the CA of its first
/// block (with a free port instead of 4434).
#[test]
fn readme_ech_block_runs_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("Encrypted Client Hello (RFC 9849): the server's")
        .unwrap();
    let rest = &readme[start..];
    let open = rest.find("```sh\n").unwrap() + 6;
    let close = rest[open..].find("```").unwrap() + open;
    let s = Scratch::new("ech-readme");
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "ca.pem",
            "--out-key",
            "ca.key",
        ],
        s.path(),
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    let mut server = None;
    let mut ran = 0;
    for line in rest[open..close].lines() {
        let mut w: Vec<&str> = line.split_whitespace().collect();
        let mut stdin = Vec::new();
        if w.first() == Some(&"echo") {
            let bar = w.iter().position(|x| *x == "|").unwrap();
            stdin = format!("{}\n", w[1..bar].join(" ")).into_bytes();
            w.drain(..=bar);
        }
        assert_eq!(w[0], "tryst", "{line}");
        let mut args: Vec<String> = w[1..].iter().map(|a| (*a).to_string()).collect();
        if args.last().map(String::as_str) == Some("&") {
            args.pop();
            let at = args.iter().position(|a| a == "--listen").unwrap();
            args.drain(at..at + 2);
            let refs: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            server = Some(start_server(s.path(), &refs));
            ran += 1;
            continue;
        }
        if let Some(srv) = &server {
            for a in &mut args {
                if a.starts_with("127.0.0.1:") {
                    *a = format!("127.0.0.1:{}", srv.port);
                }
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = tryst(&refs, s.path(), &stdin);
        assert_eq!(o.code, Some(0), "README command failed: {line}\n{o:#?}");
        if !stdin.is_empty() {
            assert_eq!(o.stdout.as_bytes(), stdin.as_slice(), "{o:#?}");
            assert!(o.stderr.contains("ECH           accepted"), "{o:#?}");
        }
        ran += 1;
    }
    assert_eq!(ran, 4);
    let server = server.unwrap();
    let l = wait_for_line(&server.log, "ech=accepted", Duration::from_secs(10));
    assert!(l.contains("sni=secret.example"), "{l}");
}
