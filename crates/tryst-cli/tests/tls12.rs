//! The CLI and TLS 1.2: `tryst demo --tls12`, and the `--no-tls12` / `--tls12-only`
//! switches of `tryst client` and `tryst server` over loopback.
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
fn demo_tls12_shows_the_key_derivation_and_two_different_sessions() {
    let dir = Scratch::new("demo12");
    let keylog = dir.file("keys.log");
    let o = tryst(&["demo", "--tls12", "--keylog", &keylog], dir.path(), b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    let s = &o.stdout;
    for want in [
        "Session 1",
        "Session 2",
        "ClientHello",
        "<--------  ServerKeyExchange",
        "<--------  ServerHelloDone",
        "ClientKeyExchange",
        "<--------  ChangeCipherSpec",
        "{Finished}",
        "TLS 1.2",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "client random",
        "server random",
        "premaster secret",
        "session hash",
        "extended master secret",
        "equals tryst's CLIENT_RANDOM key-log line",
        "client write key",
        "server write IV",
        "all different: yes",
    ] {
        assert!(s.contains(want), "demo output lacks {want:?}:\n{s}");
    }
    assert!(!s.contains("MISMATCH"), "{s}");
    // The printed master secrets are the key log's CLIENT_RANDOM lines.
    let printed: Vec<&str> = s
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("extended master secret"))
        .map(str::trim)
        .collect();
    assert_eq!(printed.len(), 2, "{s}");
    let log = std::fs::read_to_string(&keylog).unwrap();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("CLIENT_RANDOM "))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    for (p, l) in printed.iter().zip(&lines) {
        assert_eq!(p.len(), 96);
        assert!(l.ends_with(p), "{l} / {p}");
    }
    assert_ne!(printed[0], printed[1]);
}

#[test]
fn tls12_switches_of_client_and_server() {
    let dir = Scratch::new("tls12-switches");
    make_pki(dir.path(), Key::Default);
    let server = start_server_pki(dir.path(), &["--tls12-only"]);
    let addr = format!("127.0.0.1:{}", server.port);
    // The default client offers TLS 1.2 too.
    let o = tryst(
        &["client", &addr, "--ca", "ca.pem", "--trace"],
        dir.path(),
        b"over 1.2\n",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "over 1.2\n");
    assert!(o.stderr.contains("ServerKeyExchange"), "{}", o.stderr);
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains("TLS 1.2"), "{line}");
    // With --no-tls12 it cannot talk to this server.
    let o = tryst(
        &["client", &addr, "--ca", "ca.pem", "--no-tls12"],
        dir.path(),
        b"x\n",
    );
    o.assert_one_line_error(1, "protocol_version");
    drop(server.guard);

    // A server with --no-tls12 refuses a TLS 1.2 client (openssl) with protocol_version.
    if openssl_or_skip() {
        let server = start_server_pki(dir.path(), &["--no-tls12"]);
        let addr = format!("127.0.0.1:{}", server.port);
        let o = run_program(
            "openssl",
            &["s_client", "-tls1_2", "-connect", &addr],
            dir.path(),
            b"",
            Duration::from_secs(20),
        );
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(all.contains("alert protocol version"), "{all}");
        drop(server.guard);
    }
}

#[test]
fn conflicting_tls12_switches_are_a_usage_error() {
    let dir = Scratch::new("tls12-usage");
    let o = tryst(
        &[
            "server",
            "--cert",
            "a",
            "--key",
            "b",
            "--no-tls12",
            "--tls12-only",
        ],
        dir.path(),
        b"",
    );
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(o.stderr.contains("cannot be used with"), "{o:#?}");
}
