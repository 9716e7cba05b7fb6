//! `--crl` through the binary: `tryst cert verify --crl FILE...` with CRLs from tryst-cert's
//! builder and from `openssl ca -gencrl`, and `tryst server --client-ca CA --crl FILE`
//! refusing a revoked client certificate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::*;
use tryst::cert::{Certificate, CertificateBuilder, CrlBuilder};
use tryst::crypto::{Ed25519SigningKey, Secret};

fn key(n: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[n; 32]).unwrap()).unwrap()
}

fn verify(dir: &Scratch, leaf: &str, extra: &[&str]) -> Output {
    let mut args = vec!["cert", "verify", "--roots", "root.pem", "--leaf", leaf];
    args.extend_from_slice(extra);
    tryst(&args, dir.path(), b"")
}

#[test]
fn cert_verify_with_builder_made_crls() {
    let dir = Scratch::new("crl-builder");
    let d = dir.path();
    let now = unix_now();
    let (start, end) = (now - 3600, now + 86_400);
    let root = CertificateBuilder::new("CRL Root", start, end)
        .ca(None)
        .self_signed(&key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", start, end)
        .dns_name("example.com")
        .serial(&[0x20])
        .issue(&key(2), &root, &key(1))
        .unwrap();
    let other = CertificateBuilder::new("other", start, end)
        .dns_name("example.com")
        .serial(&[0x21])
        .issue(&key(3), &root, &key(1))
        .unwrap();
    let crl = CrlBuilder::new(start, Some(end))
        .revoke(&[0x20], start, Some(1))
        .sign(&root, &key(1))
        .unwrap();
    let delta = CrlBuilder::new(start, Some(end))
        .extension(&[0x55, 0x1d, 0x1b], true, &[0x02, 0x01, 0x01])
        .sign(&root, &key(1))
        .unwrap();
    let write = |name: &str, data: &[u8]| std::fs::write(d.join(name), data).unwrap();
    write("root.pem", pem_block("CERTIFICATE", &root).as_bytes());
    write("leaf.pem", pem_block("CERTIFICATE", &leaf).as_bytes());
    write("other.pem", pem_block("CERTIFICATE", &other).as_bytes());
    write("crl.der", &crl);
    write("crl.pem", pem_block("X509 CRL", &crl).as_bytes());
    write("delta.pem", pem_block("X509 CRL", &delta).as_bytes());
    write("junk.pem", b"-----BEGIN X509 CRL-----\nnot base64 !!\n");
    write("nocrl.pem", pem_block("CERTIFICATE", &root).as_bytes());

    // Revoked, whether the CRL is DER or PEM.
    for f in ["crl.der", "crl.pem"] {
        verify(&dir, "leaf.pem", &["--crl", f])
            .assert_one_line_error(1, "invalid: certificate revoked (certificate_revoked)");
    }
    // Not on the list.
    let o = verify(
        &dir,
        "other.pem",
        &["--crl", "crl.pem", "--name", "example.com"],
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    // Without --crl nothing is checked.
    assert_eq!(verify(&dir, "leaf.pem", &[]).code, Some(0));
    // Unusable CRL input is exit 2.
    verify(&dir, "leaf.pem", &["--crl", "delta.pem"])
        .assert_one_line_error(2, "delta CRLs are not supported");
    verify(&dir, "leaf.pem", &["--crl", "junk.pem"]).assert_one_line_error(2, "junk.pem");
    verify(&dir, "leaf.pem", &["--crl", "nocrl.pem"])
        .assert_one_line_error(2, "no '-----BEGIN X509 CRL-----' block");
    verify(&dir, "leaf.pem", &["--crl", "missing.crl"]).assert_one_line_error(2, "missing.crl");
    verify(&dir, "leaf.pem", &["--crl-unknown", "allow"])
        .assert_one_line_error(2, "required arguments were not provided");
}

#[test]
fn unknown_status_is_denied_unless_allowed() {
    let dir = Scratch::new("crl-unknown");
    let d = dir.path();
    let now = unix_now();
    let (start, end) = (now - 3600, now + 86_400);
    let root = CertificateBuilder::new("Root", start, end)
        .ca(None)
        .self_signed(&key(1))
        .unwrap();
    let inter = CertificateBuilder::new("Inter", start, end)
        .ca(None)
        .issue(&key(2), &root, &key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", start, end)
        .issue(&key(3), &inter, &key(2))
        .unwrap();
    // Only the intermediate's CRL: the intermediate itself is not covered.
    let crl = CrlBuilder::new(start, Some(end))
        .sign(&inter, &key(2))
        .unwrap();
    std::fs::write(d.join("root.pem"), pem_block("CERTIFICATE", &root)).unwrap();
    let chain = pem_block("CERTIFICATE", &leaf) + &pem_block("CERTIFICATE", &inter);
    std::fs::write(d.join("leaf.pem"), chain).unwrap();
    std::fs::write(d.join("inter.crl"), &crl).unwrap();
    verify(&dir, "leaf.pem", &["--crl", "inter.crl"])
        .assert_one_line_error(1, "revocation status unknown");
    for extra in [["--crl-depth", "end-entity"], ["--crl-unknown", "allow"]] {
        let mut args = vec!["--crl", "inter.crl"];
        args.extend_from_slice(&extra);
        let o = verify(&dir, "leaf.pem", &args);
        assert_eq!(o.code, Some(0), "{extra:?}: {o:#?}");
    }
}

/// An `openssl ca` setup around the CA that `tryst cert new-ca` made (ca.pem, ca.key).
fn openssl_ca(d: &std::path::Path) {
    std::fs::write(
        d.join("ca.cnf"),
        "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = index.txt\n\
         crlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n\
         certificate = ca.pem\nprivate_key = ca.key\nnew_certs_dir = .\nserial = serial\n\
         policy = policy_any\n[ policy_any ]\ncommonName = optional\n",
    )
    .unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("crlnumber"), "1000\n").unwrap();
    std::fs::write(d.join("serial"), "01\n").unwrap();
}

fn openssl(d: &std::path::Path, args: &[&str]) {
    let o = run_program("openssl", args, d, b"", TIMEOUT);
    assert_eq!(o.code, Some(0), "openssl {args:?}: {o:#?}");
}

#[test]
fn openssl_made_crls_in_cert_verify_and_the_server() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("crl-openssl");
    let d = dir.path();
    make_pki(d, Key::Default);
    for (name, file) in [("alice.example", "alice"), ("bob.example", "bob")] {
        let o = tryst(
            &[
                "cert",
                "new-leaf",
                "--ca",
                "ca.pem",
                "--ca-key",
                "ca.key",
                "--name",
                name,
                "--client",
                "--out-cert",
                &format!("{file}.pem"),
                "--out-key",
                &format!("{file}.key"),
            ],
            d,
            b"",
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
    }
    openssl_ca(d);
    openssl(
        d,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            "alice.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    openssl(
        d,
        &["ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"],
    );
    openssl(
        d,
        &[
            "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der",
        ],
    );
    // The serial openssl listed is alice's.
    let alice = std::fs::read(d.join("alice.pem")).unwrap();
    let alice = tryst::pki_types::pem::PemObject::from_pem_slice(&alice)
        .map(|c: tryst::pki_types::CertificateDer<'static>| c.as_ref().to_vec())
        .unwrap();
    let crl = std::fs::read(d.join("crl.der")).unwrap();
    let parsed = tryst::cert::Crl::from_der(&crl).unwrap();
    assert!(
        parsed
            .find(Certificate::from_der(&alice).unwrap().serial())
            .is_some()
    );

    for crl in ["crl.pem", "crl.der"] {
        tryst(
            &[
                "cert",
                "verify",
                "--roots",
                "ca.pem",
                "--leaf",
                "alice.pem",
                "--client",
                "--crl",
                crl,
            ],
            d,
            b"",
        )
        .assert_one_line_error(1, "certificate_revoked");
        let o = tryst(
            &[
                "cert", "verify", "--roots", "ca.pem", "--leaf", "bob.pem", "--client", "--crl",
                crl,
            ],
            d,
            b"",
        );
        assert_eq!(o.code, Some(0), "{o:#?}");
    }

    // The server refuses alice (revoked) and lets bob in.
    let server = start_server(
        d,
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--client-ca",
            "ca.pem",
            "--crl",
            "crl.pem",
        ],
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let client = |who: &str| {
        tryst(
            &[
                "client",
                &addr,
                "--ca",
                "ca.pem",
                "--cert",
                &format!("{who}.pem"),
                "--key",
                &format!("{who}.key"),
            ],
            d,
            b"ping",
        )
    };
    let o = client("alice");
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(o.stderr.contains("certificate_revoked"), "{o:#?}");
    let line = wait_for_line(&server.log, "handshake failed", Duration::from_secs(10));
    assert!(line.contains("revoked"), "{line}");
    let o = client("bob");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "ping");

    // --crl without --client-ca is a usage error.
    tryst(
        &[
            "server",
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--crl",
            "crl.pem",
        ],
        d,
        b"",
    )
    .assert_one_line_error(2, "required arguments were not provided");
}

/// `tryst client --crl`: a server whose certificate the CA revoked is refused with
/// certificate_revoked (exit 1); the same server passes with a CRL that does not list it,
/// and a CRL file that is not a CRL is a usage error (exit 2).
#[test]
fn the_client_refuses_a_revoked_server_certificate() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("crl-client");
    let d = dir.path();
    make_pki(d, Key::Default);
    openssl_ca(d);
    openssl(
        d,
        &["ca", "-config", "ca.cnf", "-gencrl", "-out", "empty.pem"],
    );
    openssl(d, &["ca", "-config", "ca.cnf", "-revoke", "server.pem"]);
    openssl(
        d,
        &["ca", "-config", "ca.cnf", "-gencrl", "-out", "revoked.pem"],
    );
    let server = start_server(d, &["--cert", "server.pem", "--key", "server.key"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let client = |crl: &str| {
        tryst(
            &["client", &addr, "--ca", "ca.pem", "--crl", crl],
            d,
            b"ping",
        )
    };
    let o = client("revoked.pem");
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert!(o.stderr.contains("certificate_revoked"), "{o:#?}");
    let o = client("empty.pem");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "ping");
    client("ca.pem").assert_one_line_error(2, "CRL");
}
