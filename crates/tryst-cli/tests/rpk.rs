//! Raw public keys (RFC 7250) through the binary, TLS 1.3: `gnutls-cli` asking for a raw
//! key gets `tryst server --raw-public-key`'s; `tryst client --raw-public-key` pins
//! `gnutls-serv --rawpkfile`'s key and `tryst server`'s, and refuses another key
//! (bad_certificate, exit 1); an unusable key file is exit 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::{Command, Stdio};
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

fn gnutls_or_skip() -> bool {
    let have = Command::new("gnutls-cli")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "gnutls-cli and gnutls-serv are required in CI (apt-get install gnutls-bin)"
        );
        eprintln!("skipped: gnutls-cli is not installed");
    }
    have
}

#[test]
fn tryst_client_pins_tryst_servers_raw_key() {
    let dir = Scratch::new("rpk-tryst");
    let d = dir.path();
    keys(d);
    let server = start_server(
        d,
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--raw-public-key",
        ],
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(
        &[
            "client",
            &addr,
            "--raw-public-key",
            "server.pub.pem",
            "--trace",
        ],
        d,
        b"raw",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "raw");
    assert!(o.stderr.contains("raw public key"), "{o:#?}");
    let o = tryst(
        &["client", &addr, "--raw-public-key", "ca.pub.pem"],
        d,
        b"raw",
    );
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(
        o.stderr.contains("bad_certificate") || o.stderr.contains("pinned"),
        "{o:#?}"
    );
    // Not a key: a usage error.
    tryst(&["client", &addr, "--raw-public-key", "server.pem"], d, b"")
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
    let server = start_server(
        d,
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--raw-public-key",
        ],
    );
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
    for _ in 0..5 {
        let port = free_port();
        let child = Command::new("gnutls-serv")
            .args([
                "--port",
                &port.to_string(),
                "--rawpkkeyfile",
                "server.key",
                "--rawpkfile",
                "server.pub.pem",
                "--priority",
                "NORMAL:+CTYPE-SRV-RAWPK",
            ])
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut guard = Guard {
            child,
            name: "gnutls-serv".into(),
        };
        // Ready once it accepts a connection; gone if the port was taken.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut ready = false;
        while std::time::Instant::now() < deadline && guard.child.try_wait().unwrap().is_none() {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                ready = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !ready {
            continue;
        }
        let addr = format!("127.0.0.1:{port}");
        let o = tryst(
            &[
                "client",
                &addr,
                "--raw-public-key",
                "server.pub.pem",
                "--trace",
            ],
            d,
            b"hi\n",
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
        assert!(o.stderr.contains("TLS 1.3"), "{o:#?}");
        assert!(o.stderr.contains("raw public key"), "{o:#?}");
        let o = tryst(
            &["client", &addr, "--raw-public-key", "ca.pub.pem"],
            d,
            b"hi\n",
        );
        assert_eq!(o.code, Some(1), "{o:#?}");
        return;
    }
    panic!("could not start gnutls-serv");
}
