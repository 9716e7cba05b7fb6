//! Issue 21: one `tryst server` with several --cert/--key pairs (two names, two key types)
//! against `openssl s_client`: each -servername gets its certificate, `-sigalgs
//! RSA-PSS+SHA256` gets the RSA one, an unknown name gets the first certificate the client
//! accepts (or unrecognized_name with --strict-sni), and the log line says which
//! certificate was chosen and why.
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

/// ca.pem/ca.key (ECDSA), then a.pem (ECDSA P-256, a.example), a-rsa.pem (RSA,
/// a.example) and b.pem (Ed25519, b.example and *.b.example), each with its .key.
fn make_hosts(d: &Path) {
    let o = tryst(
        &[
            "cert",
            "new-ca",
            "--out-cert",
            "ca.pem",
            "--out-key",
            "ca.key",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    for (out, names, flag) in [
        ("a", &["a.example"][..], None),
        ("a-rsa", &["a.example"][..], Some("--rsa")),
        ("b", &["b.example", "*.b.example"][..], Some("--ed25519")),
    ] {
        let (cert, key) = (format!("{out}.pem"), format!("{out}.key"));
        let mut args = vec!["cert", "new-leaf", "--ca", "ca.pem", "--ca-key", "ca.key"];
        for n in names {
            args.extend(["--name", n]);
        }
        args.extend(["--out-cert", &cert, "--out-key", &key]);
        args.extend(flag);
        let o = tryst(&args, d, b"");
        assert_eq!(o.code, Some(0), "{o:#?}");
    }
}

const PAIRS: [&str; 12] = [
    "--cert",
    "a.pem",
    "--key",
    "a.key",
    "--cert",
    "a-rsa.pem",
    "--key",
    "a-rsa.key",
    "--cert",
    "b.pem",
    "--key",
    "b.key",
];

/// `openssl s_client -servername NAME extra...` sending one HTTP request; its output.
fn s_client(d: &Path, port: u16, name: &str, extra: &[&str]) -> Output {
    let addr = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_client",
        "-tls1_3",
        "-connect",
        &addr,
        "-CAfile",
        "ca.pem",
        "-servername",
        name,
        "-ign_eof",
    ];
    args.extend_from_slice(extra);
    run_program(
        "openssl",
        &args,
        d,
        format!("GET / HTTP/1.1\r\nHost: {name}\r\n\r\n").as_bytes(),
        Duration::from_secs(30),
    )
}

#[test]
fn openssl_gets_each_names_certificate_and_the_rsa_one_when_it_asks_for_rsa() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("sni-hosts");
    let d = dir.path();
    make_hosts(d);
    let mut extra = PAIRS.to_vec();
    extra.push("--http");
    let server = start_server(d, &extra);
    let verify = ["-verify_return_error", "-verify_hostname"];
    for (name, sigalgs, subject, peer_sig, log) in [
        (
            "a.example",
            None,
            "a.example",
            "ECDSA",
            "cert=a.example [ECDSA P-256]",
        ),
        (
            "a.example",
            Some("RSA-PSS+SHA256"),
            "a.example",
            "RSA-PSS",
            "cert=a.example [RSA]",
        ),
        (
            "b.example",
            None,
            "b.example",
            "ed25519",
            "cert=b.example,*.b.example [Ed25519]",
        ),
        ("www.b.example", None, "b.example", "ed25519", "wildcard"),
    ] {
        let mut args = verify.to_vec();
        args.push(name);
        if let Some(s) = sigalgs {
            args.extend(["-sigalgs", s]);
        }
        let o = s_client(d, server.port, name, &args);
        assert_eq!(o.code, Some(0), "{name} {sigalgs:?}: {o:#?}");
        for want in [
            "Verify return code: 0 (ok)",
            "HTTP/1.1 200 OK",
            &format!("Peer signature type: {peer_sig}"),
        ] {
            assert!(o.stdout.contains(want), "{name}: lacks {want:?}: {o:#?}");
        }
        assert!(
            o.stdout
                .lines()
                .any(|l| l.starts_with("subject=") && l.contains(subject)),
            "{name}: {}",
            o.stdout
        );
        let line = wait_for_line(&server.log, "cert=", Duration::from_secs(10));
        assert!(
            line.contains(log) && line.contains(&format!("sni={name}")),
            "{line}"
        );
    }
    // The RSA chain's log line says why.
    let o = s_client(d, server.port, "a.example", &["-sigalgs", "RSA-PSS+SHA256"]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    let line = wait_for_line(&server.log, "cert=", Duration::from_secs(10));
    assert!(
        line.contains("SNI matches a name in the certificate; signed rsa_pss_rsae_sha256"),
        "{line}"
    );
}

#[test]
fn an_unknown_name_gets_the_first_certificate_or_unrecognized_name() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("sni-unknown");
    let d = dir.path();
    make_hosts(d);
    let mut extra = PAIRS.to_vec();
    extra.push("--http");
    let server = start_server(d, &extra);
    let o = s_client(d, server.port, "c.example", &[]);
    assert!(
        o.stdout.contains("subject=") && o.stdout.contains("a.example"),
        "{o:#?}"
    );
    let line = wait_for_line(&server.log, "cert=", Duration::from_secs(10));
    assert!(
        line.contains("cert=a.example [ECDSA P-256]")
            && line.contains("no certificate names the SNI"),
        "{line}"
    );
    drop(server.guard);

    extra.push("--strict-sni");
    let server = start_server(d, &extra);
    let o = s_client(d, server.port, "c.example", &[]);
    assert_ne!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("unrecognized name"), "{o:#?}");
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("sni=c.example"), "{line}");
    // A known name is still served.
    let o = s_client(d, server.port, "b.example", &[]);
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.contains("HTTP/1.1 200 OK"), "{o:#?}");
}

#[test]
fn cert_and_key_flags_must_pair_up() {
    let dir = Scratch::new("sni-pairs");
    let d = dir.path();
    let o = tryst(
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--cert",
            "a.pem",
            "--key",
            "a.key",
            "--cert",
            "b.pem",
        ],
        d,
        b"",
    );
    o.assert_one_line_error(2, "give one --key for each --cert");
}

#[test]
fn gnutls_cli_gets_each_names_certificate_and_the_rsa_one_when_it_asks_for_rsa() {
    if !gnutls_or_skip() {
        return;
    }
    let dir = Scratch::new("sni-gnutls");
    let d = dir.path();
    make_hosts(d);
    let mut extra = PAIRS.to_vec();
    extra.push("--http");
    let server = start_server(d, &extra);
    let port = server.port.to_string();
    for (name, priority, key, log) in [
        (
            "a.example",
            "NORMAL",
            "EC/ECDSA key",
            "cert=a.example [ECDSA P-256]",
        ),
        (
            "a.example",
            "NORMAL:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256",
            "RSA key",
            "cert=a.example [RSA]",
        ),
        ("b.example", "NORMAL", "EdDSA (Ed25519) key", "[Ed25519]"),
    ] {
        let o = run_program(
            "gnutls-cli",
            &[
                "--x509cafile",
                "ca.pem",
                "--port",
                &port,
                "--sni-hostname",
                name,
                "--verify-hostname",
                name,
                "--priority",
                priority,
                "127.0.0.1",
            ],
            d,
            format!("GET / HTTP/1.1\r\nHost: {name}\r\n\r\n").as_bytes(),
            Duration::from_secs(30),
        );
        assert!(
            o.stdout.contains("The certificate is trusted"),
            "{name}: {o:#?}"
        );
        assert!(o.stdout.contains("HTTP/1.1 200 OK"), "{name}: {o:#?}");
        let leaf = o
            .stdout
            .lines()
            .find(|l| l.contains("subject `CN="))
            .unwrap_or_default();
        assert!(
            leaf.contains(&format!("CN={name}")) && leaf.contains(key),
            "{leaf}"
        );
        let line = wait_for_line(&server.log, "cert=", Duration::from_secs(10));
        assert!(
            line.contains(log) && line.contains(&format!("sni={name}")),
            "{line}"
        );
    }
}

#[test]
fn client_ca_names_are_sent_only_when_asked() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("sni-ca-names");
    let d = dir.path();
    make_hosts(d);
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
            "--out-cert",
            "client.pem",
            "--out-key",
            "client.key",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    for (names, want) in [
        (false, "No client certificate CA names sent"),
        (
            true,
            "Acceptable client certificate CA names\nCN = tryst test CA",
        ),
    ] {
        let mut extra = vec![
            "--cert",
            "a.pem",
            "--key",
            "a.key",
            "--http",
            "--client-ca",
            "ca.pem",
        ];
        if names {
            extra.push("--client-ca-names");
        }
        let server = start_server(d, &extra);
        let o = s_client(
            d,
            server.port,
            "a.example",
            &["-cert", "client.pem", "-key", "client.key"],
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
        assert!(o.stdout.contains(want), "lacks {want:?}: {}", o.stdout);
        assert!(o.stdout.contains("HTTP/1.1 200 OK"), "{o:#?}");
    }
    // The flag needs --client-ca.
    let o = tryst(
        &[
            "server",
            "--cert",
            "a.pem",
            "--key",
            "a.key",
            "--client-ca-names",
        ],
        d,
        b"",
    );
    o.assert_one_line_error(2, "required");
}
