//! `tryst cert verify` on files as they come in practice: a roots or intermediates file
//! that holds, besides the certificates a chain needs, some that do not parse or cannot be
//! used. Those are skipped with one warning line each and the chain is judged on what
//! remains; exit 2 only when a file cannot be used at all; a leaf that is not a valid
//! certificate is an invalid chain (exit 1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use tryst::cert::{CertificateBuilder, KeyUsage};
use tryst::crypto::{Ed25519SigningKey, Secret};

fn key(n: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[n; 32]).unwrap()).unwrap()
}

/// Roots and intermediates files with unusable certificates next to the good ones.
struct Files {
    dir: Scratch,
}

fn files(name: &str) -> Files {
    let dir = Scratch::new(name);
    let now = unix_now();
    let (start, end) = (now - 3600, now + 86_400);
    let root = CertificateBuilder::new("Good Root", start, end)
        .ca(None)
        .self_signed(&key(1))
        .unwrap();
    let inter = CertificateBuilder::new("Good Intermediate", start, end)
        .ca(Some(0))
        .issue(&key(2), &root, &key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", start, end)
        .dns_name("example.com")
        .server_auth()
        .issue(&key(3), &inter, &key(2))
        .unwrap();
    // An unknown critical extension (RFC 5280 §4.2: must be refused).
    let critical = CertificateBuilder::new("Critical Root", start, end)
        .ca(None)
        .extension(&[0x2a, 0x03, 0x04], true, &[0x05, 0x00])
        .self_signed(&key(4))
        .unwrap();
    // keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.3).
    let no_bc = CertificateBuilder::new("No BC", start, end)
        .key_usage(KeyUsage::KEY_CERT_SIGN)
        .self_signed(&key(5))
        .unwrap();
    // Not a certificate at all.
    let garbage = [0x30, 0x03, 0x02, 0x01, 0x01];
    // A leaf with a malformed subjectAltName (a dNSName that is not a DNS name).
    let bad_leaf = CertificateBuilder::new("bad leaf", start, end)
        .dns_name("not a name!")
        .server_auth()
        .issue(&key(6), &inter, &key(2))
        .unwrap();
    let d = dir.path();
    let cat =
        |certs: &[&[u8]]| -> String { certs.iter().map(|c| pem_block("CERTIFICATE", c)).collect() };
    std::fs::write(
        d.join("roots.pem"),
        cat(&[&critical, &no_bc, &garbage, &root]),
    )
    .unwrap();
    std::fs::write(d.join("bad-roots.pem"), cat(&[&critical, &garbage])).unwrap();
    std::fs::write(d.join("root.pem"), cat(&[&root])).unwrap();
    std::fs::write(d.join("inters.pem"), cat(&[&garbage, &no_bc, &inter])).unwrap();
    std::fs::write(d.join("inter.pem"), cat(&[&inter])).unwrap();
    std::fs::write(d.join("only-bad-inters.pem"), cat(&[&garbage])).unwrap();
    std::fs::write(d.join("leaf.pem"), cat(&[&leaf])).unwrap();
    std::fs::write(d.join("leaf-chain.pem"), cat(&[&leaf, &critical, &inter])).unwrap();
    std::fs::write(d.join("bad-leaf.pem"), cat(&[&bad_leaf])).unwrap();
    std::fs::write(d.join("garbage-leaf.pem"), cat(&[&garbage])).unwrap();
    Files { dir }
}

fn verify(f: &Files, roots: &str, leaf: &str, inters: Option<&str>) -> Output {
    let mut args = vec![
        "cert",
        "verify",
        "--roots",
        roots,
        "--leaf",
        leaf,
        "--name",
        "example.com",
    ];
    if let Some(i) = inters {
        args.extend(["--intermediates", i]);
    }
    tryst(&args, f.dir.path(), b"")
}

fn warnings(o: &Output) -> Vec<&str> {
    o.stderr
        .lines()
        .filter(|l| l.starts_with("tryst: warning: skipping certificate "))
        .collect()
}

#[test]
fn unusable_roots_and_intermediates_are_skipped_with_a_warning_each() {
    let f = files("files-skip");
    let o = verify(&f, "roots.pem", "leaf.pem", Some("inters.pem"));
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.starts_with("valid: "), "{o:#?}");
    let w = warnings(&o);
    assert_eq!(
        w.len(),
        5,
        "three roots and two intermediates skipped: {o:#?}"
    );
    assert_eq!(o.stderr.lines().count(), 5, "{o:#?}");
    assert!(w[0].contains("certificate 1 of the roots file"), "{w:?}");
    assert!(w[0].contains("unprocessed critical extension"), "{w:?}");
    assert!(w[1].contains("certificate 2 of the roots file"), "{w:?}");
    assert!(w[1].contains("malformed extension contents"), "{w:?}");
    assert!(w[2].contains("certificate 3 of the roots file"), "{w:?}");
    assert!(w[2].contains("malformed DER"), "{w:?}");
    assert!(
        w[3].contains("certificate 1 of the intermediates file"),
        "{w:?}"
    );
    assert!(
        w[4].contains("certificate 2 of the intermediates file"),
        "{w:?}"
    );

    // Intermediates that follow the leaf in its file are treated the same way.
    let o = verify(&f, "root.pem", "leaf-chain.pem", None);
    assert_eq!(o.code, Some(0), "{o:#?}");
    let w = warnings(&o);
    assert_eq!(w.len(), 1, "{o:#?}");
    assert!(
        w[0].contains("certificate 2 of the leaf certificate file"),
        "{w:?}"
    );

    // An intermediates file with nothing usable: the chain lacks its issuer (exit 1).
    let o = verify(&f, "root.pem", "leaf.pem", Some("only-bad-inters.pem"));
    assert_eq!(o.code, Some(1), "{o:#?}");
    assert_eq!(warnings(&o).len(), 1, "{o:#?}");
    assert!(o.stderr.contains("unknown_ca"), "{o:#?}");
}

#[test]
fn a_roots_file_with_nothing_usable_is_bad_input() {
    let f = files("files-bad-roots");
    let o = verify(&f, "bad-roots.pem", "leaf.pem", Some("inters.pem"));
    assert_eq!(o.code, Some(2), "{o:#?}");
    let last = o.stderr.lines().last().unwrap();
    assert!(
        last.contains("holds no usable certificate (2 skipped)"),
        "{o:#?}"
    );
}

#[test]
fn a_leaf_that_is_not_a_valid_certificate_is_an_invalid_chain() {
    let f = files("files-bad-leaf");
    verify(&f, "root.pem", "bad-leaf.pem", Some("inter.pem"))
        .assert_one_line_error(1, "invalid: malformed extension contents (bad_certificate)");
    verify(&f, "root.pem", "garbage-leaf.pem", Some("inter.pem"))
        .assert_one_line_error(1, "invalid: malformed DER");
}
