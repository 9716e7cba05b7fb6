#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Chains generated here (Ed25519 and ECDSA P-256 with `CertificateBuilder`) and with
//! OpenSSL (RSA, `tests/data/rsa`, see the README there), for what x509-limbo does not
//! cover: IP names, wildcards, an expired intermediate, a cross-signed anchor, long
//! chains, each budget limit, and error-to-alert mapping.

mod common;

use common::{END, NOW, START, TestRng};
use rustls_pki_types::{ServerName, UnixTime};
use tryst_cert::{
    Budget, BudgetLimit, Certificate, CertificateBuilder, Error, KeyAlgorithm, KeyUsage, Policy,
    TrustAnchors, Usage, verify_client_cert, verify_path, verify_server_cert,
};
use tryst_crypto::{EcdsaP256SigningKey, Ed25519SigningKey, SignatureAlgorithm, Signer};

fn ed(seed: u64) -> Ed25519SigningKey {
    Ed25519SigningKey::generate(&mut TestRng(seed * 1000))
}

fn ec(seed: u64) -> EcdsaP256SigningKey {
    EcdsaP256SigningKey::generate(&mut TestRng(seed * 1000 + 7))
}

fn now() -> UnixTime {
    at(NOW)
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
}

fn dns(name: &str) -> ServerName<'static> {
    ServerName::try_from(name.to_owned()).unwrap()
}

fn ip(addr: &str) -> ServerName<'static> {
    ServerName::IpAddress(rustls_pki_types::IpAddr::try_from(addr).unwrap())
}

/// Root -> intermediate -> leaf, all Ed25519 unless changed.
struct Chain {
    root: Vec<u8>,
    inter: Vec<u8>,
    leaf: Vec<u8>,
    anchors: TrustAnchors,
}

fn chain_with(leaf: CertificateBuilder, leaf_key: &dyn Signer) -> Chain {
    let (root_key, inter_key) = (ed(1), ed(2));
    let root = CertificateBuilder::new("Test Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let inter = CertificateBuilder::new("Test Intermediate", START, END)
        .ca(Some(0))
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let leaf = leaf.issue(leaf_key, &inter, &inter_key).unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    Chain {
        root,
        inter,
        leaf,
        anchors,
    }
}

fn server_leaf(cn: &str) -> CertificateBuilder {
    CertificateBuilder::new(cn, START, END)
        .key_usage(KeyUsage::DIGITAL_SIGNATURE)
        .server_auth()
}

fn check(c: &Chain, name: &ServerName<'_>) -> Result<(), Error> {
    verify_server_cert(
        &c.leaf,
        &[&c.inter],
        &c.anchors,
        name,
        now(),
        &Policy::DEFAULT,
    )
    .map(|_| ())
}

#[test]
fn ed25519_chain_and_certificate_verify_key() {
    let leaf_key = ed(3);
    let c = chain_with(
        server_leaf("example.com").dns_name("example.com"),
        &leaf_key,
    );
    let path = verify_server_cert(
        &c.leaf,
        &[&c.inter],
        &c.anchors,
        &dns("example.com"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    assert_eq!(path.intermediates(), &[c.inter.as_slice()]);
    assert_eq!(path.anchor(), c.root.as_slice());
    let key = path.public_key();
    assert_eq!(key.algorithm, KeyAlgorithm::Ed25519);
    let sig = leaf_key.sign(b"transcript hash").unwrap();
    key.verify(SignatureAlgorithm::Ed25519, b"transcript hash", &sig, 2048)
        .unwrap();
    assert_eq!(
        key.verify(
            SignatureAlgorithm::EcdsaP256Sha256,
            b"transcript hash",
            &sig,
            2048
        ),
        Err(Error::SignatureAlgorithmMismatch)
    );
    assert_eq!(
        key.verify(SignatureAlgorithm::Ed25519, b"other", &sig, 2048),
        Err(Error::BadSignature)
    );
    // Case-insensitive, trailing dot in the reference allowed.
    check(&c, &dns("EXAMPLE.com.")).unwrap();
    let e = check(&c, &dns("example.org")).unwrap_err();
    assert_eq!(
        (e, e.alert(), e.alert_name()),
        (Error::NameMismatch, 42, "bad_certificate")
    );
    // Without the intermediate there is no path.
    let e = verify_server_cert(
        &c.leaf,
        &[],
        &c.anchors,
        &dns("example.com"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(
        (e, e.alert(), e.alert_name()),
        (Error::UnknownIssuer, 48, "unknown_ca")
    );
}

#[test]
fn ecdsa_chain() {
    let (root_key, inter_key, leaf_key) = (ec(1), ec(2), ec(3));
    let root = CertificateBuilder::new("EC Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let inter = CertificateBuilder::new("EC Intermediate", START, END)
        .ca(None)
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let leaf = server_leaf("ec.example.com")
        .dns_name("ec.example.com")
        .issue(&leaf_key, &inter, &inter_key)
        .unwrap();
    assert_eq!(
        Certificate::from_der(&leaf).unwrap().signature_algorithm(),
        Ok(SignatureAlgorithm::EcdsaP256Sha256)
    );
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let path = verify_server_cert(
        &leaf,
        &[&inter],
        &anchors,
        &dns("ec.example.com"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    let key = path.public_key();
    assert_eq!(key.algorithm, KeyAlgorithm::EcdsaP256);
    let sig = leaf_key.sign(b"cv").unwrap();
    key.verify(SignatureAlgorithm::EcdsaP256Sha256, b"cv", &sig, 2048)
        .unwrap();

    // A flipped bit in the intermediate's signature.
    let mut bad = inter.clone();
    *bad.last_mut().unwrap() ^= 1;
    let e = verify_server_cert(
        &leaf,
        &[&bad],
        &anchors,
        &dns("ec.example.com"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(e, Error::BadSignature);

    // Mixed: an Ed25519 root issuing an ECDSA intermediate.
    let ed_root_key = ed(9);
    let ed_root = CertificateBuilder::new("Ed Root", START, END)
        .ca(None)
        .self_signed(&ed_root_key)
        .unwrap();
    let inter2 = CertificateBuilder::new("EC Intermediate", START, END)
        .ca(None)
        .issue(&inter_key, &ed_root, &ed_root_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([ed_root.as_slice()]).unwrap();
    verify_server_cert(
        &leaf,
        &[&inter2],
        &anchors,
        &dns("ec.example.com"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
}

#[test]
fn rsa_chain_from_openssl() {
    let root = include_bytes!("data/rsa/rsa-root.der");
    let inter = include_bytes!("data/rsa/rsa-inter.der");
    let leaf = include_bytes!("data/rsa/rsa-leaf.der");
    let weak = include_bytes!("data/rsa/rsa-weak-leaf.der");
    let inter_cert = Certificate::from_der(inter).unwrap();
    assert_eq!(
        inter_cert.signature_algorithm(),
        Ok(SignatureAlgorithm::RsaPssSha256)
    );
    let leaf_cert = Certificate::from_der(leaf).unwrap();
    assert_eq!(
        leaf_cert.signature_algorithm(),
        Ok(SignatureAlgorithm::RsaPkcs1Sha384)
    );
    let when = at(u64::try_from(leaf_cert.not_before()).unwrap() + 86_400);
    let anchors = TrustAnchors::from_der([&root[..]]).unwrap();
    let name = dns("rsa.example.com");
    let path = verify_server_cert(leaf, &[inter], &anchors, &name, when, &Policy::DEFAULT).unwrap();
    assert_eq!(path.public_key().algorithm, KeyAlgorithm::Rsa);
    // A 1024-bit leaf key is refused by default, accepted with an explicit policy.
    let e =
        verify_server_cert(weak, &[inter], &anchors, &name, when, &Policy::DEFAULT).unwrap_err();
    assert_eq!((e, e.alert()), (Error::WeakKey, 43));
    let small = Policy::DEFAULT.with_min_rsa_bits(1024);
    verify_server_cert(weak, &[inter], &anchors, &name, when, &small).unwrap();
    // PEM input through rustls-pki-types.
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64(root)
    );
    assert_eq!(TrustAnchors::from_pem(pem.as_bytes()).unwrap().len(), 1);
}

/// RFC 8446 §4.4.2.4: a certificate whose signature would be checked with MD5 is
/// bad_certificate (and SHA-1, as recommended); the SHA-1 self-signature of the anchor
/// itself is never checked, so the same root still anchors a SHA-256 leaf.
#[test]
fn md5_and_sha1_signatures_are_bad_certificate() {
    let root = include_bytes!("data/weak-hash/root.der");
    let anchors = TrustAnchors::from_der([&root[..]]).unwrap();
    let good = include_bytes!("data/weak-hash/leaf-sha256.der");
    let when =
        at(u64::try_from(Certificate::from_der(good).unwrap().not_before()).unwrap() + 86_400);
    let name = dns("localhost");
    verify_server_cert(good, &[], &anchors, &name, when, &Policy::DEFAULT).unwrap();
    for leaf in [
        &include_bytes!("data/weak-hash/leaf-md5.der")[..],
        &include_bytes!("data/weak-hash/leaf-sha1.der")[..],
    ] {
        let e = verify_server_cert(leaf, &[], &anchors, &name, when, &Policy::DEFAULT).unwrap_err();
        assert_eq!(e, Error::WeakSignatureAlgorithm);
        assert_eq!(e.alert_name(), "bad_certificate");
    }
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in data.chunks(3).enumerate() {
        if i > 0 && i % 16 == 0 {
            out.push('\n');
        }
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(
                    T[usize::try_from((n >> (18 - 6 * k)) & 63).unwrap()],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn ip_names() {
    let c = chain_with(
        server_leaf("ip")
            .ip_address(&[192, 0, 2, 7])
            .ip_address(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
            .dns_name("host.example"),
        &ed(3),
    );
    check(&c, &ip("192.0.2.7")).unwrap();
    check(&c, &ip("2001:db8::1")).unwrap();
    check(&c, &dns("host.example")).unwrap();
    assert_eq!(check(&c, &ip("192.0.2.8")), Err(Error::NameMismatch));
    assert_eq!(check(&c, &ip("2001:db8::2")), Err(Error::NameMismatch));
    // An IP in text form is not a DNS name match, and a DNS SAN never matches an IP.
    let d = chain_with(server_leaf("d").dns_name("192.0.2.7"), &ed(3));
    assert_eq!(check(&d, &ip("192.0.2.7")), Err(Error::NameMismatch));
    // IPv4-mapped IPv6 does not match the IPv4 SAN.
    assert_eq!(check(&c, &ip("::ffff:192.0.2.7")), Err(Error::NameMismatch));
}

#[test]
fn wildcards() {
    let c = chain_with(server_leaf("w").dns_name("*.example.com"), &ed(3));
    check(&c, &dns("a.example.com")).unwrap();
    check(&c, &dns("A.Example.COM")).unwrap();
    assert_eq!(check(&c, &dns("example.com")), Err(Error::NameMismatch));
    assert_eq!(check(&c, &dns("a.b.example.com")), Err(Error::NameMismatch));
    // `*.com` matches nothing.
    let tld = chain_with(server_leaf("t").dns_name("*.com"), &ed(3));
    assert_eq!(check(&tld, &dns("example.com")), Err(Error::NameMismatch));
    // Partial-label and non-left-most wildcards make the SAN malformed.
    for bad in [
        "f*.example.com",
        "a.*.example.com",
        "*oo.example.com",
        "**.example.com",
    ] {
        let r = server_leaf("p")
            .dns_name(bad)
            .issue(&ed(3), &c.inter, &ed(2));
        let leaf = r.unwrap();
        let e = verify_server_cert(
            &leaf,
            &[&c.inter],
            &c.anchors,
            &dns("foo.example.com"),
            now(),
            &Policy::DEFAULT,
        )
        .unwrap_err();
        assert_eq!(e, Error::BadExtension, "{bad}");
    }
    // No fallback to the common name.
    let cn_only = chain_with(server_leaf("example.com"), &ed(3));
    assert_eq!(
        check(&cn_only, &dns("example.com")),
        Err(Error::NameMismatch)
    );
}

#[test]
fn validity_and_expired_intermediate() {
    let (root_key, inter_key, leaf_key) = (ed(1), ed(2), ed(3));
    let root = CertificateBuilder::new("Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let old_inter = CertificateBuilder::new("Inter", START - 1000, START + 1000)
        .ca(None)
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let leaf = server_leaf("v")
        .dns_name("v.example")
        .issue(&leaf_key, &old_inter, &inter_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let e = verify_server_cert(
        &leaf,
        &[&old_inter],
        &anchors,
        &dns("v.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(
        (e, e.alert(), e.alert_name()),
        (Error::Expired, 45, "certificate_expired")
    );
    // A renewed intermediate (same name and key) offered too: path building backtracks.
    let new_inter = CertificateBuilder::new("Inter", START, END)
        .ca(None)
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let path = verify_server_cert(
        &leaf,
        &[&old_inter, &new_inter],
        &anchors,
        &dns("v.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    assert_eq!(path.intermediates(), &[new_inter.as_slice()]);
    // Validity bounds are inclusive; before notBefore is NotYetValid.
    let exact = |t: i64| {
        verify_server_cert(
            &leaf,
            &[&new_inter],
            &anchors,
            &dns("v.example"),
            at(u64::try_from(t).unwrap()),
            &Policy::DEFAULT,
        )
    };
    exact(START).unwrap();
    exact(END).unwrap();
    assert_eq!(exact(START - 1).unwrap_err(), Error::NotYetValid);
    assert_eq!(exact(END + 1).unwrap_err(), Error::Expired);
    // Dates from 2050 on are GeneralizedTime.
    let late = CertificateBuilder::new("late", START, 2_600_000_000)
        .dns_name("v.example")
        .issue(&leaf_key, &new_inter, &inter_key)
        .unwrap();
    assert_eq!(
        Certificate::from_der(&late).unwrap().not_after(),
        2_600_000_000
    );
}

#[test]
fn cross_signed_anchor() {
    // Old root R1 (not trusted), new root R2 (trusted). R2 cross-signs R1; the server
    // sends [I, R1-cross]. The path is leaf -> I -> R1-cross -> R2.
    let (r1_key, r2_key, i_key, leaf_key) = (ed(11), ed(12), ed(13), ed(14));
    let r1 = CertificateBuilder::new("Root One", START, END)
        .ca(None)
        .self_signed(&r1_key)
        .unwrap();
    let r2 = CertificateBuilder::new("Root Two", START, END)
        .ca(None)
        .self_signed(&r2_key)
        .unwrap();
    let r1_cross = CertificateBuilder::new("Root One", START, END)
        .ca(None)
        .issue(&r1_key, &r2, &r2_key)
        .unwrap();
    let i = CertificateBuilder::new("Issuing CA", START, END)
        .ca(Some(0))
        .issue(&i_key, &r1, &r1_key)
        .unwrap();
    let leaf = server_leaf("x")
        .dns_name("x.example")
        .issue(&leaf_key, &i, &i_key)
        .unwrap();
    let only_r2 = TrustAnchors::from_der([r2.as_slice()]).unwrap();
    let path = verify_server_cert(
        &leaf,
        &[&i, &r1_cross],
        &only_r2,
        &dns("x.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    assert_eq!(path.intermediates(), &[i.as_slice(), r1_cross.as_slice()]);
    assert_eq!(path.anchor(), r2.as_slice());
    // With R1 trusted as well, the shorter path to R1 is found first.
    let both = TrustAnchors::from_der([r1.as_slice(), r2.as_slice()]).unwrap();
    let path = verify_server_cert(
        &leaf,
        &[&i, &r1_cross],
        &both,
        &dns("x.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    assert_eq!(path.anchor(), r1.as_slice());
    // I's pathLen 0 allows no intermediate below it; the cross-signed root above it is
    // fine. Untrusted: no path.
    let none = TrustAnchors::new();
    assert_eq!(
        verify_server_cert(
            &leaf,
            &[&i, &r1_cross],
            &none,
            &dns("x.example"),
            now(),
            &Policy::DEFAULT
        )
        .unwrap_err(),
        Error::UnknownIssuer
    );
}

/// Root -> n intermediates -> leaf; returns (leaf, intermediates leaf-side first, anchors).
fn long_chain(n: u64) -> (Vec<u8>, Vec<Vec<u8>>, TrustAnchors) {
    let root_key = ed(100);
    let root = CertificateBuilder::new("Deep Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let mut issuer = (root.clone(), root_key);
    let mut inters = Vec::new();
    for k in 0..n {
        let key = ed(101 + k);
        let cert = CertificateBuilder::new(&format!("Deep CA {k}"), START, END)
            .ca(None)
            .issue(&key, &issuer.0, &issuer.1)
            .unwrap();
        inters.push(cert.clone());
        issuer = (cert, key);
    }
    let leaf = server_leaf("deep")
        .dns_name("deep.example")
        .issue(&ed(99), &issuer.0, &issuer.1)
        .unwrap();
    inters.reverse();
    (
        leaf,
        inters,
        TrustAnchors::from_der([root.as_slice()]).unwrap(),
    )
}

#[test]
fn long_chains_and_depth_budget() {
    let (leaf, inters, anchors) = long_chain(6);
    let refs: Vec<&[u8]> = inters.iter().map(Vec::as_slice).collect();
    let path = verify_server_cert(
        &leaf,
        &refs,
        &anchors,
        &dns("deep.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    assert_eq!(path.intermediates().len(), 6);
    let (leaf, inters, anchors) = long_chain(7);
    let refs: Vec<&[u8]> = inters.iter().map(Vec::as_slice).collect();
    let e = verify_server_cert(
        &leaf,
        &refs,
        &anchors,
        &dns("deep.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap_err();
    assert_eq!(
        (e, e.alert()),
        (Error::BudgetExhausted(BudgetLimit::Depth), 46)
    );
    let deeper = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_max_intermediates(7));
    verify_server_cert(&leaf, &refs, &anchors, &dns("deep.example"), now(), &deeper).unwrap();
}

#[test]
fn signature_and_build_call_budgets() {
    let (leaf, inters, anchors) = long_chain(3);
    let refs: Vec<&[u8]> = inters.iter().map(Vec::as_slice).collect();
    let name = dns("deep.example");
    // Four signatures are needed (three intermediates and the anchor's).
    let p = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_signatures(3));
    assert_eq!(
        verify_server_cert(&leaf, &refs, &anchors, &name, now(), &p).unwrap_err(),
        Error::BudgetExhausted(BudgetLimit::Signatures)
    );
    let p = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_signatures(4));
    verify_server_cert(&leaf, &refs, &anchors, &name, now(), &p).unwrap();
    // Four build steps are needed (one per certificate whose issuer is sought).
    let p = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_build_calls(3));
    assert_eq!(
        verify_server_cert(&leaf, &refs, &anchors, &name, now(), &p).unwrap_err(),
        Error::BudgetExhausted(BudgetLimit::BuildCalls)
    );
    let p = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_build_calls(4));
    verify_server_cert(&leaf, &refs, &anchors, &name, now(), &p).unwrap();
}

/// Many CAs that all share one name and cross-certify each other, none reaching the
/// anchor: an exponential search space, cut off by the default budget.
#[test]
fn pathological_mesh_hits_a_budget() {
    let root_key = ed(200);
    let root = CertificateBuilder::new("Mesh Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let keys: Vec<Ed25519SigningKey> = (0..8).map(|k| ed(201 + k)).collect();
    // A self-signed certificate per key only to name the issuer "Mesh CA".
    let name_holder = CertificateBuilder::new("Mesh CA", START, END)
        .ca(None)
        .self_signed(&keys[0])
        .unwrap();
    let mut mesh = Vec::new();
    for subject in &keys {
        for issuer in &keys {
            mesh.push(
                CertificateBuilder::new("Mesh CA", START, END)
                    .ca(None)
                    .issue(subject, &name_holder, issuer)
                    .unwrap(),
            );
        }
    }
    let leaf = server_leaf("m")
        .dns_name("m.example")
        .issue(&ed(250), &name_holder, &keys[0])
        .unwrap();
    let refs: Vec<&[u8]> = mesh.iter().map(Vec::as_slice).collect();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let e = verify_server_cert(
        &leaf,
        &refs,
        &anchors,
        &dns("m.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap_err();
    assert!(matches!(e, Error::BudgetExhausted(_)), "{e:?}");
}

#[test]
fn constraints_purposes_and_extensions() {
    let (root_key, inter_key, leaf_key) = (ed(1), ed(2), ed(3));
    let root = CertificateBuilder::new("Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let issue_inter = |b: CertificateBuilder| b.issue(&inter_key, &root, &root_key).unwrap();
    let verify = |inter: &[u8], leaf: CertificateBuilder, name: &str| {
        let leaf = leaf.issue(&leaf_key, inter, &inter_key).unwrap();
        verify_server_cert(
            &leaf,
            &[inter],
            &anchors,
            &dns(name),
            now(),
            &Policy::DEFAULT,
        )
        .map(|_| ())
    };

    // Not a CA: no basicConstraints.
    let not_ca = issue_inter(CertificateBuilder::new("Inter", START, END));
    assert_eq!(
        verify(&not_ca, server_leaf("a").dns_name("a.example"), "a.example"),
        Err(Error::NotCa)
    );
    // keyUsage without keyCertSign.
    let no_certsign = issue_inter(
        CertificateBuilder::new("Inter", START, END)
            .ca(None)
            .key_usage(KeyUsage::CRL_SIGN),
    );
    assert_eq!(
        verify(
            &no_certsign,
            server_leaf("a").dns_name("a.example"),
            "a.example"
        ),
        Err(Error::NotCa)
    );

    // pathLenConstraint: root with pathLen 0 cannot have an intermediate below it.
    let strict_root = CertificateBuilder::new("Strict Root", START, END)
        .ca(Some(0))
        .self_signed(&root_key);
    let strict_root = strict_root.unwrap();
    let mid_key = ed(40);
    let mid = CertificateBuilder::new("Mid", START, END)
        .ca(None)
        .issue(&mid_key, &strict_root, &root_key)
        .unwrap();
    let low = CertificateBuilder::new("Low", START, END)
        .ca(None)
        .issue(&inter_key, &mid, &mid_key)
        .unwrap();
    let leaf = server_leaf("p")
        .dns_name("p.example")
        .issue(&leaf_key, &low, &inter_key)
        .unwrap();
    let strict_anchor = TrustAnchors::from_der([strict_root.as_slice()]).unwrap();
    // The anchor's own pathLen is not applied (anchors are name + key), but Mid is a
    // CA below it; with pathLen on Mid, Low violates nothing, so constrain Mid instead.
    verify_server_cert(
        &leaf,
        &[&low, &mid],
        &strict_anchor,
        &dns("p.example"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    let mid0 = CertificateBuilder::new("Mid", START, END)
        .ca(Some(0))
        .issue(&mid_key, &strict_root, &root_key)
        .unwrap();
    assert_eq!(
        verify_server_cert(
            &leaf,
            &[&low, &mid0],
            &strict_anchor,
            &dns("p.example"),
            now(),
            &Policy::DEFAULT
        )
        .unwrap_err(),
        Error::PathLenExceeded
    );

    // extendedKeyUsage.
    let inter = issue_inter(CertificateBuilder::new("Inter", START, END).ca(None));
    let client_only = CertificateBuilder::new("c", START, END)
        .dns_name("c.example")
        .client_auth();
    let e = verify(&inter, client_only.clone(), "c.example").unwrap_err();
    assert_eq!((e, e.alert()), (Error::InvalidPurpose, 43));
    let leaf = client_only.issue(&leaf_key, &inter, &inter_key).unwrap();
    verify_client_cert(&leaf, &[&inter], &anchors, now(), &Policy::DEFAULT).unwrap();
    let server_only = server_leaf("s")
        .dns_name("s.example")
        .issue(&leaf_key, &inter, &inter_key)
        .unwrap();
    assert_eq!(
        verify_client_cert(&server_only, &[&inter], &anchors, now(), &Policy::DEFAULT).unwrap_err(),
        Error::InvalidPurpose
    );
    verify_path(
        &server_only,
        &[&inter],
        &anchors,
        Usage::ServerAuth,
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    // A CA certificate as the end entity.
    let ca_leaf = CertificateBuilder::new("ca", START, END)
        .ca(None)
        .dns_name("ca.example");
    assert_eq!(
        verify(&inter, ca_leaf, "ca.example"),
        Err(Error::CaUsedAsEndEntity)
    );

    // Unknown critical and duplicate extensions.
    let unknown =
        server_leaf("u")
            .dns_name("u.example")
            .extension(&[0x2a, 0x03, 0x04], true, &[0x05, 0x00]);
    let e = verify(&inter, unknown, "u.example").unwrap_err();
    assert_eq!((e, e.alert()), (Error::UnknownCriticalExtension, 43));
    let unknown_ok =
        server_leaf("u")
            .dns_name("u.example")
            .extension(&[0x2a, 0x03, 0x04], false, &[0x05, 0x00]);
    verify(&inter, unknown_ok, "u.example").unwrap();
    let dup = server_leaf("d").dns_name("d.example").extension(
        &[0x55, 0x1d, 0x11],
        false,
        &[0x30, 0x03, 0x82, 0x01, 0x78],
    );
    assert_eq!(
        verify(&inter, dup, "d.example"),
        Err(Error::DuplicateExtension)
    );

    // Name constraints: DNS and IP subtrees on the intermediate.
    let nc = issue_inter(
        CertificateBuilder::new("Constrained", START, END)
            .ca(None)
            .permitted_dns("example.com")
            .excluded_dns("bad.example.com")
            .permitted_ip(&[10, 0, 0, 0, 255, 0, 0, 0]),
    );
    verify(
        &nc,
        server_leaf("n").dns_name("a.example.com"),
        "a.example.com",
    )
    .unwrap();
    verify(
        &nc,
        server_leaf("n").dns_name("*.ok.example.com"),
        "a.ok.example.com",
    )
    .unwrap();
    assert_eq!(
        verify(
            &nc,
            server_leaf("n").dns_name("a.example.org"),
            "a.example.org"
        ),
        Err(Error::NameConstraintViolation)
    );
    assert_eq!(
        verify(
            &nc,
            server_leaf("n").dns_name("x.bad.example.com"),
            "x.bad.example.com"
        ),
        Err(Error::NameConstraintViolation)
    );
    // A wildcard that could stand for an excluded name.
    assert_eq!(
        verify(
            &nc,
            server_leaf("n")
                .dns_name("*.example.com")
                .dns_name("ok.example.com"),
            "ok.example.com"
        ),
        Err(Error::NameConstraintViolation)
    );
    let leaf = server_leaf("n")
        .ip_address(&[10, 1, 2, 3])
        .issue(&leaf_key, &nc, &inter_key)
        .unwrap();
    verify_server_cert(
        &leaf,
        &[&nc],
        &anchors,
        &ip("10.1.2.3"),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();
    let leaf = server_leaf("n")
        .ip_address(&[11, 1, 2, 3])
        .issue(&leaf_key, &nc, &inter_key)
        .unwrap();
    assert_eq!(
        verify_server_cert(
            &leaf,
            &[&nc],
            &anchors,
            &ip("11.1.2.3"),
            now(),
            &Policy::DEFAULT
        )
        .unwrap_err(),
        Error::NameConstraintViolation
    );
}

#[test]
fn malformed_inputs_map_to_decode_error() {
    let anchors = TrustAnchors::new();
    for input in [
        &[][..],
        &[0x30, 0x80, 0, 0],
        &[0x30, 0x81, 0x01, 0x00],
        &[0x30, 0x00, 0x00],
    ] {
        let e = verify_server_cert(
            input,
            &[],
            &anchors,
            &dns("a.example"),
            now(),
            &Policy::DEFAULT,
        )
        .unwrap_err();
        assert_eq!(e.alert_name(), "decode_error", "{input:?}: {e:?}");
    }
    assert!(TrustAnchors::from_der([&[0x30, 0x00][..]]).is_err());
    assert!(TrustAnchors::from_pem(b"no pem here").unwrap().is_empty());
}

/// Key rollover: self-issued CAs ("Roll CA" signing "Roll CA" with a new key) do not count
/// toward the intermediate limit, but the whole path is capped at twice the limit plus one.
#[test]
fn self_issued_chain_is_capped() {
    let root_key = ed(300);
    let root = CertificateBuilder::new("Roll Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let build = |n: u64| {
        let mut prev_key = ed(301);
        let mut prev = CertificateBuilder::new("Roll CA", START, END)
            .ca(None)
            .issue(&prev_key, &root, &root_key)
            .unwrap();
        let mut certs = vec![prev.clone()];
        for k in 0..n {
            let key = ed(302 + k);
            let cert = CertificateBuilder::new("Roll CA", START, END)
                .ca(None)
                .issue(&key, &prev, &prev_key)
                .unwrap();
            certs.push(cert.clone());
            (prev, prev_key) = (cert, key);
        }
        let leaf = server_leaf("r")
            .dns_name("r.example")
            .issue(&ed(299), &prev, &prev_key)
            .unwrap();
        certs.reverse(); // the right issuer first at every step
        (leaf, certs)
    };
    let policy = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_signatures(10_000));
    // One logical intermediate plus 10 self-issued ones: within the default limit of 6.
    let (leaf, certs) = build(10);
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let path =
        verify_server_cert(&leaf, &refs, &anchors, &dns("r.example"), now(), &policy).unwrap();
    assert_eq!(path.intermediates().len(), 11);
    // Twenty self-issued ones: over the hard cap of 13.
    let (leaf, certs) = build(20);
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    assert_eq!(
        verify_server_cert(&leaf, &refs, &anchors, &dns("r.example"), now(), &policy).unwrap_err(),
        Error::BudgetExhausted(BudgetLimit::Depth)
    );
}
