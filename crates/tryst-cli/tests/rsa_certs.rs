//! Issue 17 step 4: `tryst cert new-ca --rsa` and `new-leaf --rsa` make RSA certificates
//! (rsaEncryption keys, sha256WithRSAEncryption signatures) that `tryst cert verify`
//! accepts, that `tryst server` serves (CertificateVerify in RSA-PSS) and that OpenSSL
//! parses. Two RSA-2048 generations in all (slow in debug builds).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

#[test]
fn rsa_ca_and_leaf_verify_serve_and_parse() {
    let dir = Scratch::new("rsa");
    let d = dir.path();
    make_pki(d, Key::Rsa);
    for pem in ["ca.key", "server.key"] {
        let text = std::fs::read_to_string(d.join(pem)).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(d.join(pem)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{pem}");
        }
    }

    let o = tryst(
        &[
            "cert",
            "verify",
            "--roots",
            "ca.pem",
            "--leaf",
            "server.pem",
            "--name",
            "localhost",
        ],
        d,
        b"",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.starts_with("valid: "), "{}", o.stdout);

    let server = start_server(d, &["--cert", "server.pem", "--key", "server.key"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(&["client", &addr, "--ca", "ca.pem", "--trace"], d, b"rsa\n");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "rsa\n");
    assert!(o.stderr.contains("rsa_pss_rsae_sha256"), "{}", o.stderr);
    drop(server.guard);

    if !have_openssl() {
        eprintln!("skipped the openssl check: openssl is not installed");
        return;
    }
    for pem in ["ca.pem", "server.pem"] {
        let o = run_program(
            "openssl",
            &["x509", "-noout", "-text", "-in", pem],
            d,
            b"",
            std::time::Duration::from_secs(30),
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
        assert!(
            o.stdout.contains("Public Key Algorithm: rsaEncryption"),
            "{}",
            o.stdout
        );
        assert!(o.stdout.contains("Public-Key: (2048 bit)"), "{}", o.stdout);
        assert!(
            o.stdout
                .contains("Signature Algorithm: sha256WithRSAEncryption"),
            "{}",
            o.stdout
        );
    }
    let o = run_program(
        "openssl",
        &["verify", "-CAfile", "ca.pem", "server.pem"],
        d,
        b"",
        std::time::Duration::from_secs(30),
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
}

#[test]
fn rsa_flag_errors_are_one_line() {
    let dir = Scratch::new("rsa-flags");
    let d = dir.path();
    let new_ca = |flags: &[&str]| {
        let mut args = vec![
            "cert",
            "new-ca",
            "--out-cert",
            "ca.pem",
            "--out-key",
            "ca.key",
        ];
        args.extend_from_slice(flags);
        tryst(&args, d, b"")
    };
    new_ca(&["--rsa", "--ed25519"]).assert_one_line_error(2, "--ed25519");
    new_ca(&["--ed25519", "--rsa"]).assert_one_line_error(2, "--rsa");
    new_ca(&["--rsa", "--rsa-bits", "1024"]).assert_one_line_error(2, "--rsa-bits");
    new_ca(&["--rsa", "--rsa-bits", "8192"]).assert_one_line_error(2, "--rsa-bits");
    new_ca(&["--rsa-bits", "3072"]).assert_one_line_error(2, "--rsa-bits needs --rsa");
    assert!(!d.join("ca.key").exists() && !d.join("ca.pem").exists());
}
