//! Raw public keys (RFC 7250) through the binary, TLS 1.3: `gnutls-cli` asking for a raw
//! key gets `tryst server --raw-public-key`'s; `tryst client --raw-public-key` pins
//! `gnutls-serv --rawpkfile`'s key and `tryst server`'s, and refuses another key
//! (bad_certificate, exit 1); an unusable key file is exit 2. Client authentication by raw
//! key: `tryst client --client-raw-key` to `tryst server --client-raw-public-key` and to
//! `gnutls-serv` requiring a client raw key, `gnutls-cli --rawpkkeyfile` to `tryst
//! server`, raw keys on both sides in TLS 1.3 and TLS 1.2; keys not pinned are refused,
//! bad flags are exit 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::*;

/// server.pem/server.key and its public key as server.pub.pem; ca.pub.pem another key.
fn keys(d: &std::path::Path) {
    make_pki(d, Key::Default);
    for (cert, out) in [("server.pem", "server.pub.pem"), ("ca.pem", "ca.pub.pem")] {
        let pem = std::fs::read(d.join(cert)).unwrap();
        let der: tryst::pki_types::CertificateDer<'static> =
            tryst::pki_types::pem::PemObject::from_pem_slice(&pem).unwrap();
        let c = tryst::cert::Certificate::from_der(der.as_ref()).unwrap();
        let spki = c.public_key().unwrap().spki_der.to_vec();
        std::fs::write(d.join(out), pem_block("PUBLIC KEY", &spki)).unwrap();
    }
}

/// `tryst client ADDR --raw-public-key PIN extra...` sending `input`.
fn pinning_client(
    d: &std::path::Path,
    addr: &str,
    pin: &str,
    extra: &[&str],
    input: &[u8],
) -> Output {
    let mut args = vec!["client", addr, "--raw-public-key", pin];
    args.extend_from_slice(extra);
    tryst(&args, d, input)
}

/// `tryst client ADDR --ca ca.pem --client-raw-key KEY` sending `input`.
fn raw_key_client(d: &std::path::Path, addr: &str, key: &str, input: &[u8]) -> Output {
    tryst(
        &["client", addr, "--ca", "ca.pem", "--client-raw-key", key],
        d,
        input,
    )
}

#[test]
fn tryst_client_pins_tryst_servers_raw_key() {
    let dir = Scratch::new("rpk-tryst");
    let d = dir.path();
    keys(d);
    let server = start_server_pki(d, &["--raw-public-key"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let o = pinning_client(d, &addr, "server.pub.pem", &["--trace"], b"raw");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "raw");
    assert!(o.stderr.contains("raw public key"), "{o:#?}");
    let o = pinning_client(d, &addr, "ca.pub.pem", &[], b"raw");
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(
        o.stderr.contains("bad_certificate") || o.stderr.contains("pinned"),
        "{o:#?}"
    );
    // Not a key: a usage error.
    pinning_client(d, &addr, "server.pem", &[], b"")
        .assert_one_line_error(2, "is not a public key tryst can use");
}

#[test]
fn gnutls_cli_gets_tryst_servers_raw_key() {
    if !gnutls_or_skip() {
        return;
    }
    let dir = Scratch::new("rpk-gnutls-cli");
    let d = dir.path();
    keys(d);
    let server = start_server_pki(d, &["--raw-public-key"]);
    let o = run_program(
        "gnutls-cli",
        &[
            "--port",
            &server.port.to_string(),
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-TLS1.3:+CTYPE-SRV-RAWPK",
            "--insecure",
            "127.0.0.1",
        ],
        d,
        b"hello\n",
        Duration::from_secs(30),
    );
    let all = format!("{}{}", o.stdout, o.stderr);
    assert!(all.contains("Certificate type: Raw Public Key"), "{all}");
    assert!(all.contains("TLS1.3"), "{all}");
    assert!(all.contains("Handshake was completed"), "{all}");
}

#[test]
fn tryst_client_pins_gnutls_servs_raw_key() {
    if !gnutls_or_skip() {
        return;
    }
    let dir = Scratch::new("rpk-gnutls-serv");
    let d = dir.path();
    keys(d);
    let server = gnutls_serv(
        d,
        &[
            "--rawpkkeyfile",
            "server.key",
            "--rawpkfile",
            "server.pub.pem",
            "--priority",
            "NORMAL:+CTYPE-SRV-RAWPK",
        ],
        None,
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let o = pinning_client(d, &addr, "server.pub.pem", &["--trace"], b"hi\n");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("TLS 1.3"), "{o:#?}");
    assert!(o.stderr.contains("raw public key"), "{o:#?}");
    let o = pinning_client(d, &addr, "ca.pub.pem", &[], b"hi\n");
    assert_eq!(o.code, Some(1), "{o:#?}");
}

/// `gnutls-serv --echo args...` in `d` on a free port, its standard output in
/// `gnutls-serv.log`, once it accepts connections.
fn start_gnutls_serv(d: &std::path::Path, args: &[&str]) -> Peer {
    let mut all = vec!["--echo"];
    all.extend_from_slice(args);
    gnutls_serv(d, &all, Some("gnutls-serv.log"))
}

#[test]
fn tryst_client_authenticates_to_tryst_server_with_a_raw_key() {
    let dir = Scratch::new("rpk-client-tryst");
    let d = dir.path();
    keys(d);
    // The client's raw key is ca.key (public half ca.pub.pem).
    let server = start_server_pki(d, &["--client-raw-public-key", "ca.pub.pem"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let o = raw_key_client(d, &addr, "ca.key", b"raw client");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "raw client");
    let line = wait_for_line(&server.log, "client-cert=", Duration::from_secs(10));
    assert!(line.contains("client-cert=raw-key"), "{line}");
    assert!(line.contains("TLS 1.3"), "{line}");
    // A key that is not pinned.
    let o = raw_key_client(d, &addr, "server.key", b"x");
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(o.stderr.contains("bad_certificate"), "{o:#?}");
    // No raw key at all: the server cannot ask for one and requires it.
    let o = tryst(&["client", &addr, "--ca", "ca.pem"], d, b"x");
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(o.stderr.contains("unsupported_certificate"), "{o:#?}");
}

#[test]
fn an_optional_client_raw_key_lets_others_in() {
    let dir = Scratch::new("rpk-client-optional");
    let d = dir.path();
    keys(d);
    let server = start_server_pki(
        d,
        &[
            "--client-raw-public-key",
            "ca.pub.pem",
            "--client-raw-optional",
        ],
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(&["client", &addr, "--ca", "ca.pem"], d, b"anon");
    assert_eq!(o.code, Some(0), "{o:#?}");
    let line = wait_for_line(&server.log, "client-cert=", Duration::from_secs(10));
    assert!(line.contains("client-cert=no"), "{line}");
}

#[test]
fn bad_client_raw_key_flags_are_usage_errors() {
    let dir = Scratch::new("rpk-client-flags");
    let d = dir.path();
    keys(d);
    tryst(
        &["client", "127.0.0.1:1", "--client-raw-key", "server.pem"],
        d,
        b"",
    )
    .assert_one_line_error(2, "private key");
    tryst(
        &["client", "127.0.0.1:1", "--client-raw-key", "missing.key"],
        d,
        b"",
    )
    .assert_one_line_error(2, "missing.key");
    let server = |extra: &[&str]| {
        let mut args = vec![
            "server",
            "--listen",
            "127.0.0.1:0",
            "--cert",
            "server.pem",
            "--key",
            "server.key",
        ];
        args.extend_from_slice(extra);
        tryst(&args, d, b"")
    };
    server(&["--client-raw-public-key", "server.pem"])
        .assert_one_line_error(2, "is not a public key tryst can use");
    let o = server(&[
        "--client-raw-public-key",
        "ca.pub.pem",
        "--client-ca",
        "ca.pem",
    ]);
    assert_eq!(o.code, Some(2), "{o:#?}");
    assert!(o.stderr.contains("cannot be used with"), "{o:#?}");
    let o = server(&["--client-raw-optional"]);
    assert_eq!(o.code, Some(2), "{o:#?}");
}

#[test]
fn gnutls_cli_authenticates_to_tryst_server_with_a_raw_key() {
    if !gnutls_or_skip() {
        return;
    }
    let dir = Scratch::new("rpk-client-gnutls-cli");
    let d = dir.path();
    keys(d);
    let server = start_server_pki(
        d,
        &["--raw-public-key", "--client-raw-public-key", "ca.pub.pem"],
    );
    let gnutls = |version: &str, key: &str, public: &str| {
        let priority =
            format!("NORMAL:-VERS-ALL:+VERS-{version}:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK");
        run_program(
            "gnutls-cli",
            &[
                "--port",
                &server.port.to_string(),
                "--priority",
                &priority,
                "--insecure",
                "--rawpkkeyfile",
                key,
                "--rawpkfile",
                public,
                "127.0.0.1",
            ],
            d,
            b"hello\n",
            Duration::from_secs(30),
        )
    };
    for (version, ours) in [("TLS1.3", "TLS 1.3"), ("TLS1.2", "TLS 1.2")] {
        let o = gnutls(version, "ca.key", "ca.pub.pem");
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(all.contains("Handshake was completed"), "{all}");
        assert!(
            all.contains(&format!("({version}-Raw Public Key)")),
            "{all}"
        );
        assert!(o.stdout.contains("hello"), "{all}");
        let line = wait_for_line(&server.log, "client-cert=", Duration::from_secs(10));
        assert!(line.contains("client-cert=raw-key"), "{line}");
        assert!(line.contains(ours), "{line}");
        // Another key: refused by the server with bad_certificate (42), which in TLS 1.3
        // reaches gnutls-cli after its side of the handshake is done.
        let o = gnutls(version, "server.key", "server.pub.pem");
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(all.contains("Received alert [42]"), "{all}");
        assert!(!o.stdout.contains("hello"), "{all}");
        let line = wait_for_line(&server.log, "127.0.0.1", Duration::from_secs(10));
        assert!(
            line.contains("bad_certificate") || line.contains("pinned"),
            "{line}"
        );
    }
}

#[test]
fn tryst_client_authenticates_to_gnutls_serv_with_a_raw_key() {
    if !gnutls_or_skip() {
        return;
    }
    for (version, ours) in [("TLS1.3", "TLS 1.3"), ("TLS1.2", "TLS 1.2")] {
        let dir = Scratch::new(&format!("rpk-client-gnutls-serv-{version}"));
        let d = dir.path();
        keys(d);
        let priority =
            format!("NORMAL:-VERS-ALL:+VERS-{version}:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK");
        let server = start_gnutls_serv(
            d,
            &[
                "--rawpkkeyfile",
                "server.key",
                "--rawpkfile",
                "server.pub.pem",
                "--priority",
                &priority,
                "--require-client-cert",
            ],
        );
        let addr = format!("127.0.0.1:{}", server.port);
        let o = tryst(
            &[
                "client",
                &addr,
                "--raw-public-key",
                "server.pub.pem",
                "--client-raw-key",
                "ca.key",
                "--trace",
            ],
            d,
            b"hi\n",
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
        assert_eq!(o.stdout, "hi\n", "{o:#?}");
        assert!(o.stderr.contains(ours), "{o:#?}");
        // gnutls-serv prints the client's raw key: ours.
        let log = std::fs::read_to_string(d.join("gnutls-serv.log")).unwrap();
        let key = std::fs::read_to_string(d.join("ca.pub.pem")).unwrap();
        assert!(
            log.contains(&format!("({version}-Raw Public Key)")),
            "{log}"
        );
        assert!(log.contains(key.trim()), "{log}");
    }
}
