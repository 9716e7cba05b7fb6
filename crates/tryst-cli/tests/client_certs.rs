//! `tryst client` with several --cert/--key pairs: the certificate sent is the first whose
//! chain one of the server's certificate_authorities issued (when the server names them),
//! so a client holding certificates from two CAs reaches a server that trusts either.
//! Unpaired flags are a usage error (exit 2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// ca.pem and server.pem; other.pem, a second CA (another name); alice.pem (from ca.pem) and bob.pem
/// (from other.pem), client certificates with their keys.
fn pki(d: &Path) {
    make_pki(d, Key::Default);
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "other.pem",
            "--out-key",
            "other.key",
            "--name",
            "another test CA",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    for (name, ca) in [("alice", "ca"), ("bob", "other")] {
        let (ca_cert, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        let (cert, key) = (format!("{name}.pem"), format!("{name}.key"));
        let host = format!("{name}.example");
        let o = tryst(
            &[
                "cert",
                "new-leaf",
                "--ca",
                &ca_cert,
                "--ca-key",
                &ca_key,
                "--name",
                &host,
                "--client",
                "--out-cert",
                &cert,
                "--out-key",
                &key,
            ],
            d,
            b"",
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
    }
}

/// `tryst client` to `port` with bob's certificate first, then alice's, plus `extra`.
fn client_with_both(d: &Path, port: u16, extra: &[&str]) -> Output {
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec![
        "client",
        &addr,
        "--ca",
        "ca.pem",
        "--cert",
        "bob.pem",
        "--key",
        "bob.key",
        "--cert",
        "alice.pem",
        "--key",
        "alice.key",
    ];
    args.extend_from_slice(extra);
    tryst(&args, d, b"ping\n")
}

#[test]
fn the_certificate_the_servers_ca_issued_is_chosen() {
    let dir = Scratch::new("client-certs");
    let d = dir.path();
    pki(d);
    for (tls12, version) in [(false, "TLS 1.3"), (true, "TLS 1.2")] {
        let mut extra = vec!["--client-ca", "ca.pem", "--client-ca-names"];
        if tls12 {
            extra.push("--tls12-only");
        }
        let server = start_server_pki(d, &extra);
        let o = client_with_both(d, server.port, &[]);
        assert_eq!(o.code, Some(0), "{o:#?}");
        let line = wait_for_line(&server.log, "client-cert=", Duration::from_secs(10));
        assert!(line.contains("client-cert=yes"), "{line}");
        assert!(line.contains(version), "{line}");
    }
}

#[test]
fn without_ca_names_the_first_certificate_is_sent_and_refused() {
    let dir = Scratch::new("client-certs-first");
    let d = dir.path();
    pki(d);
    // The server trusts ca.pem but does not say so: the client sends bob's (first), which
    // the server refuses; the same client list works once the server names its CA.
    let server = start_server_pki(d, &["--client-ca", "ca.pem"]);
    let o = client_with_both(d, server.port, &[]);
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(o.stderr.contains("unknown_ca"), "{}", o.stderr);
}

#[test]
fn cert_and_key_flags_must_pair_up() {
    let dir = Scratch::new("client-certs-pairs");
    let d = dir.path();
    pki(d);
    let o = tryst(
        &[
            "client",
            "127.0.0.1:1",
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--cert",
            "bob.pem",
            "--key",
            "alice.key",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(
        o.stderr
            .contains("give one --key for each --cert, in the same order (2 --cert, 1 --key)"),
        "{}",
        o.stderr
    );
    assert_eq!(o.stderr.trim().lines().count(), 1, "{}", o.stderr);
}
