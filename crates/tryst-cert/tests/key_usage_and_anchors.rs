#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Security review (issue 13), items 4 and 16, through the public API: an end entity's
//! keyUsage must allow digitalSignature (server and client), a CA's must allow
//! keyCertSign, extendedKeyUsage purposes, the DER rules of the keyUsage BIT STRING, and
//! exactly which checks a trust anchor gets (as the `TrustAnchors` doc says).

mod common;

use common::{END, NOW, START, TestRng};
use rustls_pki_types::{ServerName, UnixTime};
use tryst_cert::der::DerError;
use tryst_cert::{
    Certificate, CertificateBuilder, Error, KeyUsage, Policy, TrustAnchors, verify_client_cert,
    verify_server_cert,
};
use tryst_crypto::{EcdsaP256SigningKey, Ed25519SigningKey, Secret, Signer};

// Extension OIDs (contents octets) for hand-written extensions.
const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
// SEQUENCE { OID anyExtendedKeyUsage (2.5.29.37.0) }.
const EKU_ANY: &[u8] = &[0x30, 0x06, 0x06, 0x04, 0x55, 0x1d, 0x25, 0x00];
// SEQUENCE { OID id-kp-serverAuth, OID anyExtendedKeyUsage }.
const EKU_SERVER_AND_ANY: &[u8] = &[
    0x30, 0x10, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01, 0x06, 0x04, 0x55, 0x1d,
    0x25, 0x00,
];

fn ed(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW))
}

fn name() -> ServerName<'static> {
    ServerName::try_from("leaf.example").unwrap()
}

/// A root (the anchor) and an intermediate, both Ed25519 with the builder's CA defaults.
struct Pki {
    root: Vec<u8>,
    root_key: Ed25519SigningKey,
    inter: Vec<u8>,
    inter_key: Ed25519SigningKey,
    anchors: TrustAnchors,
}

fn pki() -> Pki {
    let (root_key, inter_key) = (ed(1), ed(2));
    let root = CertificateBuilder::new("Root", START, END)
        .ca(None)
        .self_signed(&root_key)
        .unwrap();
    let inter = CertificateBuilder::new("Inter", START, END)
        .ca(None)
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    Pki {
        root,
        root_key,
        inter,
        inter_key,
        anchors,
    }
}

impl Pki {
    fn leaf(&self, b: CertificateBuilder, key: &dyn Signer) -> Vec<u8> {
        b.issue(key, &self.inter, &self.inter_key).unwrap()
    }

    fn server(&self, b: CertificateBuilder, key: &dyn Signer) -> Result<(), Error> {
        let leaf = self.leaf(b.dns_name("leaf.example"), key);
        verify_server_cert(
            &leaf,
            &[&self.inter],
            &self.anchors,
            &name(),
            now(),
            &Policy::DEFAULT,
        )
        .map(|_| ())
    }

    fn client(&self, b: CertificateBuilder, key: &dyn Signer) -> Result<(), Error> {
        let leaf = self.leaf(b, key);
        verify_client_cert(
            &leaf,
            &[&self.inter],
            &self.anchors,
            now(),
            &Policy::DEFAULT,
        )
        .map(|_| ())
    }
}

fn leaf() -> CertificateBuilder {
    CertificateBuilder::new("leaf", START, END)
}

/// Every keyUsage bit but digitalSignature, alone and all together.
fn non_signing_usages() -> Vec<u16> {
    let others = [
        KeyUsage::CONTENT_COMMITMENT,
        KeyUsage::KEY_ENCIPHERMENT,
        KeyUsage::DATA_ENCIPHERMENT,
        KeyUsage::KEY_AGREEMENT,
        KeyUsage::KEY_AGREEMENT | KeyUsage::ENCIPHER_ONLY,
        KeyUsage::KEY_AGREEMENT | KeyUsage::DECIPHER_ONLY,
        KeyUsage::CRL_SIGN,
    ];
    let all = others.iter().fold(0, |a, b| a | b);
    others.into_iter().chain([all]).collect()
}

#[test]
fn server_leaf_key_usage_without_digital_signature_is_refused() {
    let p = pki();
    let (ed_key, ec_key) = (ed(3), EcdsaP256SigningKey::generate(&mut TestRng(3)));
    let keys: [&dyn Signer; 2] = [&ed_key, &ec_key];
    for key in keys {
        for bits in non_signing_usages() {
            for b in [
                leaf().server_auth().key_usage(bits),
                // Not marking keyUsage critical does not make it optional.
                leaf().server_auth().key_usage_non_critical(bits),
                // No extendedKeyUsage at all: keyUsage still applies.
                leaf().key_usage(bits),
            ] {
                let e = p.server(b, key).unwrap_err();
                assert_eq!(e, Error::KeyUsageForbidsSigning, "bits {bits:#x}");
                assert_eq!((e.alert(), e.alert_name()), (43, "unsupported_certificate"));
            }
        }
        // digitalSignature, alone or with others, critical or not, or no keyUsage: fine.
        for b in [
            leaf().server_auth(),
            leaf().server_auth().key_usage(KeyUsage::DIGITAL_SIGNATURE),
            leaf()
                .server_auth()
                .key_usage_non_critical(KeyUsage::DIGITAL_SIGNATURE),
            leaf()
                .server_auth()
                .key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_ENCIPHERMENT),
            leaf().server_auth().key_usage(
                KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT | KeyUsage::DECIPHER_ONLY,
            ),
        ] {
            p.server(b, key).unwrap();
        }
    }
}

#[test]
fn client_leaf_key_usage_without_digital_signature_is_refused() {
    let p = pki();
    let key = ed(4);
    for bits in non_signing_usages() {
        for b in [
            leaf().client_auth().key_usage(bits),
            leaf().client_auth().key_usage_non_critical(bits),
            leaf().key_usage(bits),
        ] {
            assert_eq!(
                p.client(b, &key),
                Err(Error::KeyUsageForbidsSigning),
                "bits {bits:#x}"
            );
        }
    }
    p.client(leaf().client_auth(), &key).unwrap();
    p.client(
        leaf()
            .client_auth()
            .key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT),
        &key,
    )
    .unwrap();
}

#[test]
fn key_usage_bit_string_must_be_der() {
    let p = pki();
    let key = ed(5);
    let raw = |critical: bool, value: &[u8]| {
        p.server(
            leaf().server_auth().extension(KEY_USAGE, critical, value),
            &key,
        )
    };
    // BIT STRING contents that break a DER or RFC 5280 rule, critical or not.
    for contents in [
        &[][..],                   // no unused-bits byte
        &[0x00],                   // no bits: an empty keyUsage
        &[0x07],                   // an unused-bits count with no byte to hold them
        &[0x08, 0x80],             // unused-bits count above 7
        &[0x00, 0x80],             // trailing zero bits kept (not the shortest form)
        &[0x01, 0x80],             // the same, with a count that is too small
        &[0x07, 0x00],             // no bit set
        &[0x07, 0x81],             // a padding bit set
        &[0x06, 0x80, 0x40],       // bit 9, past decipherOnly
        &[0x00, 0x80, 0xff],       // bits 9 to 15
        &[0x07, 0x80, 0x80, 0x80], // three bytes
    ] {
        let mut value = vec![0x03, u8::try_from(contents.len()).unwrap()];
        value.extend_from_slice(contents);
        for critical in [true, false] {
            assert_eq!(
                raw(critical, &value),
                Err(Error::BadExtension),
                "{contents:02x?}"
            );
        }
    }
    // Framing errors in the extension value.
    assert_eq!(
        raw(true, &[0x23, 0x02, 0x07, 0x80]), // constructed BIT STRING (BER only)
        Err(Error::BadDer(DerError::UnexpectedTag))
    );
    assert_eq!(
        raw(true, &[0x04, 0x02, 0x07, 0x80]), // not a BIT STRING
        Err(Error::BadDer(DerError::UnexpectedTag))
    );
    assert_eq!(
        raw(true, &[0x03, 0x02, 0x07, 0x80, 0x00]), // trailing byte
        Err(Error::BadDer(DerError::TrailingData))
    );
    assert_eq!(raw(true, &[]), Err(Error::BadDer(DerError::Truncated)));
    // keyUsage twice.
    assert_eq!(
        p.server(
            leaf().key_usage(KeyUsage::DIGITAL_SIGNATURE).extension(
                KEY_USAGE,
                true,
                &[0x03, 0x02, 0x07, 0x80]
            ),
            &key
        ),
        Err(Error::DuplicateExtension)
    );
    // Well-formed hand-written encodings: digitalSignature alone, with decipherOnly in a
    // second byte, and with three more bits.
    raw(true, &[0x03, 0x02, 0x07, 0x80]).unwrap();
    raw(false, &[0x03, 0x03, 0x07, 0x80, 0x80]).unwrap();
    raw(true, &[0x03, 0x02, 0x03, 0xb8]).unwrap(); // DS, KE, DE, KA
    // Without digitalSignature, well-formed: refused for its meaning, not its form.
    assert_eq!(
        raw(true, &[0x03, 0x02, 0x05, 0x20]), // keyEncipherment
        Err(Error::KeyUsageForbidsSigning)
    );
    assert_eq!(
        raw(false, &[0x03, 0x03, 0x07, 0x00, 0x80]), // decipherOnly alone
        Err(Error::KeyUsageForbidsSigning)
    );
    // keyCertSign outside a CA certificate is refused when parsed (RFC 5280 §4.2.1.3).
    let leaf_der = p.leaf(
        leaf().key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_CERT_SIGN),
        &key,
    );
    assert_eq!(
        Certificate::from_der(&leaf_der).unwrap_err(),
        Error::BadExtension
    );
}

#[test]
fn ca_key_usage_must_allow_key_cert_sign() {
    let p = pki();
    let (mid_key, leaf_key) = (ed(6), ed(7));
    let leaf_under = |ca: &[u8], ca_key: &Ed25519SigningKey, anchors: &TrustAnchors| {
        let leaf = leaf()
            .server_auth()
            .dns_name("leaf.example")
            .issue(&leaf_key, ca, ca_key)
            .unwrap();
        verify_server_cert(&leaf, &[ca], anchors, &name(), now(), &Policy::DEFAULT).map(|_| ())
    };
    // An intermediate whose keyUsage lacks keyCertSign, critical or not.
    for b in [
        CertificateBuilder::new("Mid", START, END)
            .ca(None)
            .key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::CRL_SIGN),
        CertificateBuilder::new("Mid", START, END)
            .ca(None)
            .key_usage_non_critical(KeyUsage::CRL_SIGN),
    ] {
        let mid = b.issue(&mid_key, &p.root, &p.root_key).unwrap();
        let e = leaf_under(&mid, &mid_key, &p.anchors).unwrap_err();
        assert_eq!((e, e.alert()), (Error::NotCa, 42));
    }
    // With keyCertSign, or with no keyUsage at all: fine.
    for b in [
        CertificateBuilder::new("Mid", START, END)
            .ca(None)
            .key_usage(KeyUsage::KEY_CERT_SIGN),
        CertificateBuilder::new("Mid", START, END)
            .ca(None)
            .key_usage(0),
    ] {
        let mid = b.issue(&mid_key, &p.root, &p.root_key).unwrap();
        leaf_under(&mid, &mid_key, &p.anchors).unwrap();
    }
    // The same rule on a v3 trust anchor.
    let root = CertificateBuilder::new("Root2", START, END)
        .ca(None)
        .key_usage(KeyUsage::CRL_SIGN)
        .self_signed(&mid_key)
        .unwrap();
    let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
    let leaf = leaf()
        .server_auth()
        .dns_name("leaf.example")
        .issue(&leaf_key, &root, &mid_key)
        .unwrap();
    assert_eq!(
        verify_server_cert(&leaf, &[], &anchors, &name(), now(), &Policy::DEFAULT).unwrap_err(),
        Error::NotCa
    );
}

#[test]
fn extended_key_usage_purposes() {
    let p = pki();
    let key = ed(8);
    // anyExtendedKeyUsage alone does not make a TLS certificate, for either side.
    let any = || leaf().extension(EXT_KEY_USAGE, false, EKU_ANY);
    assert_eq!(p.server(any(), &key), Err(Error::InvalidPurpose));
    assert_eq!(p.client(any(), &key), Err(Error::InvalidPurpose));
    // Listed beside serverAuth it does no harm; critical extendedKeyUsage is processed.
    p.server(
        leaf().extension(EXT_KEY_USAGE, false, EKU_SERVER_AND_ANY),
        &key,
    )
    .unwrap();
    p.server(
        leaf().extension(EXT_KEY_USAGE, true, EKU_SERVER_AND_ANY),
        &key,
    )
    .unwrap();
    // The other purpose only.
    assert_eq!(
        p.server(leaf().client_auth(), &key),
        Err(Error::InvalidPurpose)
    );
    assert_eq!(
        p.client(leaf().server_auth(), &key),
        Err(Error::InvalidPurpose)
    );
    p.client(leaf().server_auth().client_auth(), &key).unwrap();
    // An empty extendedKeyUsage is malformed (SEQUENCE SIZE (1..MAX)).
    assert_eq!(
        p.server(leaf().extension(EXT_KEY_USAGE, false, &[0x30, 0x00]), &key),
        Err(Error::BadExtension)
    );
    // An intermediate's extendedKeyUsage constrains the leaves below it.
    let mid_key = ed(9);
    let client_only_ca = CertificateBuilder::new("Mid", START, END)
        .ca(None)
        .client_auth()
        .issue(&mid_key, &p.root, &p.root_key)
        .unwrap();
    let leaf_der = leaf()
        .server_auth()
        .dns_name("leaf.example")
        .issue(&key, &client_only_ca, &mid_key)
        .unwrap();
    assert_eq!(
        verify_server_cert(
            &leaf_der,
            &[&client_only_ca],
            &p.anchors,
            &name(),
            now(),
            &Policy::DEFAULT
        )
        .unwrap_err(),
        Error::InvalidPurpose
    );
}

/// Each claim of the `TrustAnchors` doc, in order.
#[test]
fn trust_anchor_checks_match_the_doc() {
    let (root_key, leaf_key) = (ed(10), ed(11));
    let verify = |anchor: &[u8], inters: &[&[u8]], leaf_der: &[u8]| {
        let anchors = TrustAnchors::from_der([anchor]).unwrap();
        verify_server_cert(leaf_der, inters, &anchors, &name(), now(), &Policy::DEFAULT).map(|_| ())
    };
    let leaf_of = |anchor: &[u8]| {
        leaf()
            .server_auth()
            .dns_name("leaf.example")
            .issue(&leaf_key, anchor, &root_key)
            .unwrap()
    };
    let root = |b: CertificateBuilder| b.self_signed(&root_key).unwrap();
    let good = root(CertificateBuilder::new("Root", START, END).ca(None));
    verify(&good, &[], &leaf_of(&good)).unwrap();

    // Adding: the certificate must parse and its key must be supported.
    assert!(TrustAnchors::from_der([&good[1..]]).is_err());
    assert!(TrustAnchors::from_der([&b"not DER"[..]]).is_err());

    // Validity period: expired and not-yet-valid anchors are refused, with that reason.
    let expired = root(CertificateBuilder::new("Root", START - 1000, START + 1000).ca(None));
    let e = verify(&expired, &[], &leaf_of(&expired)).unwrap_err();
    assert_eq!((e, e.alert_name()), (Error::Expired, "certificate_expired"));
    let future =
        root(CertificateBuilder::new("Root", i64::try_from(NOW).unwrap() + 10, END).ca(None));
    assert_eq!(
        verify(&future, &[], &leaf_of(&future)),
        Err(Error::NotYetValid)
    );

    // basicConstraints: absent, not critical, or cA false on a v3 anchor: not a CA.
    let no_bc = root(CertificateBuilder::new("Root", START, END));
    assert_eq!(verify(&no_bc, &[], &leaf_of(&no_bc)), Err(Error::NotCa));
    let bc_ca_true = [0x30, 0x03, 0x01, 0x01, 0xff];
    let non_critical_bc = root(CertificateBuilder::new("Root", START, END).extension(
        BASIC_CONSTRAINTS,
        false,
        &bc_ca_true,
    ));
    assert_eq!(
        verify(&non_critical_bc, &[], &leaf_of(&non_critical_bc)),
        Err(Error::NotCa)
    );
    let bc_ca_false = root(CertificateBuilder::new("Root", START, END).extension(
        BASIC_CONSTRAINTS,
        true,
        &[0x30, 0x00],
    ));
    assert_eq!(
        verify(&bc_ca_false, &[], &leaf_of(&bc_ca_false)),
        Err(Error::NotCa)
    );
    // keyUsage without keyCertSign (tested in ca_key_usage_must_allow_key_cert_sign too).
    let no_certsign = root(
        CertificateBuilder::new("Root", START, END)
            .ca(None)
            .key_usage(KeyUsage::CRL_SIGN),
    );
    assert_eq!(
        verify(&no_certsign, &[], &leaf_of(&no_certsign)),
        Err(Error::NotCa)
    );

    // An anchor that fails is skipped: a good anchor for the same name and key still
    // builds the path.
    let anchors = TrustAnchors::from_der([expired.as_slice(), good.as_slice()]).unwrap();
    verify_server_cert(
        &leaf_of(&good),
        &[],
        &anchors,
        &name(),
        now(),
        &Policy::DEFAULT,
    )
    .unwrap();

    // Name constraints on the anchor apply below it.
    let constrained = root(
        CertificateBuilder::new("Root", START, END)
            .ca(None)
            .permitted_dns("other.example"),
    );
    assert_eq!(
        verify(&constrained, &[], &leaf_of(&constrained)),
        Err(Error::NameConstraintViolation)
    );

    // Not checked: the anchor's own signature (here made by another key, so it does not
    // verify), its pathLenConstraint, its extendedKeyUsage and its serial number.
    let other_key = ed(12);
    let badly_signed = CertificateBuilder::new("Root", START, END)
        .ca(None)
        .issue(&root_key, &good, &other_key)
        .unwrap();
    verify(&badly_signed, &[], &leaf_of(&badly_signed)).unwrap();
    let path_len_0 = root(CertificateBuilder::new("Root", START, END).ca(Some(0)));
    let (mid_key, low_key) = (ed(13), ed(14));
    let mid = CertificateBuilder::new("Mid", START, END)
        .ca(None)
        .issue(&mid_key, &path_len_0, &root_key)
        .unwrap();
    let low = CertificateBuilder::new("Low", START, END)
        .ca(None)
        .issue(&low_key, &mid, &mid_key)
        .unwrap();
    let deep_leaf = leaf()
        .server_auth()
        .dns_name("leaf.example")
        .issue(&leaf_key, &low, &low_key)
        .unwrap();
    verify(&path_len_0, &[&low, &mid], &deep_leaf).unwrap();
    let client_only = root(
        CertificateBuilder::new("Root", START, END)
            .ca(None)
            .client_auth(),
    );
    verify(&client_only, &[], &leaf_of(&client_only)).unwrap();
    let zero_serial = root(
        CertificateBuilder::new("Root", START, END)
            .ca(None)
            .serial(&[0]),
    );
    verify(&zero_serial, &[], &leaf_of(&zero_serial)).unwrap();
}
