#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! CRLs (RFC 5280 §5) and revocation checking: each parsing rule broken once, each option,
//! and the alert each refusal maps to.

use rustls_pki_types::UnixTime;
use tryst_cert::{
    Certificate, CertificateBuilder, Crl, CrlBuilder, CrlError, Error, ExpiredCrlPolicy, KeyUsage,
    Policy, RevocationDepth, RevocationOptions, RevocationReason, TrustAnchors,
    UnknownStatusPolicy, Usage, alert, crls_from_pem, verify_path_with_revocation,
};
use tryst_crypto::{Ed25519SigningKey, Secret};

const START: i64 = 1_735_689_600;
const END: i64 = 1_767_225_599;
const NOW: i64 = 1_750_000_000;

fn key(n: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[n; 32]).unwrap()).unwrap()
}

struct Pki {
    root: Vec<u8>,
    inter: Vec<u8>,
    leaf: Vec<u8>,
}

fn pki() -> Pki {
    let root = CertificateBuilder::new("Root", START, END)
        .ca(None)
        .self_signed(&key(1))
        .unwrap();
    let inter = CertificateBuilder::new("Inter", START, END)
        .ca(Some(0))
        .serial(&[0x10])
        .issue(&key(2), &root, &key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", START, END)
        .dns_name("example.com")
        .serial(&[0x20])
        .issue(&key(3), &inter, &key(2))
        .unwrap();
    Pki { root, inter, leaf }
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(core::time::Duration::from_secs(u64::try_from(NOW).unwrap()))
}

fn check(p: &Pki, rev: &RevocationOptions) -> Result<(), Error> {
    let anchors = TrustAnchors::from_der([p.root.as_slice()]).unwrap();
    verify_path_with_revocation(
        &p.leaf,
        &[&p.inter],
        &anchors,
        Usage::ServerAuth,
        now(),
        &Policy::DEFAULT,
        rev,
    )
    .map(|_| ())
}

fn opts(crls: &[&[u8]]) -> RevocationOptions {
    RevocationOptions::from_der(crls.iter().copied()).unwrap()
}

/// The root's CRL (covering the intermediate) and the intermediate's (covering the leaf).
fn crls(p: &Pki, root_revokes: &[&[u8]], inter_revokes: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
    let mut r = CrlBuilder::new(START, Some(END));
    for s in root_revokes {
        r = r.revoke(s, START + 10, Some(1));
    }
    let mut i = CrlBuilder::new(START, Some(END));
    for s in inter_revokes {
        i = i.revoke(s, START + 10, None);
    }
    (
        r.sign(&p.root, &key(1)).unwrap(),
        i.sign(&p.inter, &key(2)).unwrap(),
    )
}

#[test]
fn revoked_end_entity_is_refused_with_certificate_revoked() {
    let p = pki();
    let (root_crl, inter_crl) = crls(&p, &[], &[&[0x20]]);
    let e = check(&p, &opts(&[&root_crl, &inter_crl])).unwrap_err();
    assert_eq!(e, Error::Revoked);
    assert_eq!(
        (e.alert(), e.alert_name()),
        (alert::CERTIFICATE_REVOKED, "certificate_revoked")
    );
    // Another serial on the list: not revoked.
    let (root_crl, inter_crl) = crls(&p, &[], &[&[0x21], &[0x20, 0x00]]);
    check(&p, &opts(&[&root_crl, &inter_crl])).unwrap();
}

#[test]
fn revoked_intermediate_is_refused_only_when_the_chain_is_checked() {
    let p = pki();
    let (root_crl, inter_crl) = crls(&p, &[&[0x10]], &[]);
    assert_eq!(
        check(&p, &opts(&[&root_crl, &inter_crl])),
        Err(Error::Revoked)
    );
    let ee_only = opts(&[&inter_crl]).with_depth(RevocationDepth::EndEntityOnly);
    check(&p, &ee_only).unwrap();
    let ee_only = opts(&[&root_crl, &inter_crl]).with_depth(RevocationDepth::EndEntityOnly);
    check(&p, &ee_only).unwrap();
}

#[test]
fn unknown_status_follows_the_policy() {
    let p = pki();
    let (root_crl, inter_crl) = crls(&p, &[], &[]);
    // Deny (the default): the intermediate's status is unknown without the root's CRL.
    let e = check(&p, &opts(&[&inter_crl])).unwrap_err();
    assert_eq!(e, Error::UnknownRevocationStatus);
    assert_eq!(e.alert(), alert::CERTIFICATE_UNKNOWN);
    assert_eq!(check(&p, &opts(&[])), Err(Error::UnknownRevocationStatus));
    check(
        &p,
        &opts(&[&inter_crl]).with_unknown_status(UnknownStatusPolicy::Allow),
    )
    .unwrap();
    check(
        &p,
        &opts(&[]).with_unknown_status(UnknownStatusPolicy::Allow),
    )
    .unwrap();
    check(&p, &opts(&[&root_crl, &inter_crl])).unwrap();
}

#[test]
fn crl_must_verify_with_the_issuers_key_and_allow_crl_sign() {
    let p = pki();
    // Same issuer name, signed by another key: cannot be used.
    let forged = CrlBuilder::new(START, Some(END))
        .sign(&p.inter, &key(9))
        .unwrap();
    let o = opts(&[&forged]).with_depth(RevocationDepth::EndEntityOnly);
    assert_eq!(check(&p, &o), Err(Error::BadCrl(CrlError::BadSignature)));
    // Even when unknown status is allowed: a CRL that claims the certificate must verify.
    let o = o.with_unknown_status(UnknownStatusPolicy::Allow);
    assert_eq!(check(&p, &o), Err(Error::BadCrl(CrlError::BadSignature)));

    // An issuer whose keyUsage lacks cRLSign.
    let inter = CertificateBuilder::new("Inter", START, END)
        .ca(Some(0))
        .key_usage(KeyUsage::KEY_CERT_SIGN)
        .issue(&key(2), &p.root, &key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", START, END)
        .serial(&[0x20])
        .issue(&key(3), &inter, &key(2))
        .unwrap();
    let crl = CrlBuilder::new(START, Some(END))
        .sign(&inter, &key(2))
        .unwrap();
    let q = Pki {
        root: p.root.clone(),
        inter,
        leaf,
    };
    let o = opts(&[&crl]).with_depth(RevocationDepth::EndEntityOnly);
    let e = check(&q, &o).unwrap_err();
    assert_eq!(e, Error::BadCrl(CrlError::IssuerNotCrlSigner));
    assert_eq!(e.alert(), alert::CERTIFICATE_UNKNOWN);
}

#[test]
fn expired_crls_are_used_unless_enforced() {
    let p = pki();
    let stale = CrlBuilder::new(START, Some(NOW - 1))
        .revoke(&[0x20], START, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    let o = opts(&[&stale]).with_depth(RevocationDepth::EndEntityOnly);
    assert_eq!(check(&p, &o), Err(Error::Revoked));
    let o = o.with_expired_crl(ExpiredCrlPolicy::Enforce);
    assert_eq!(check(&p, &o), Err(Error::BadCrl(CrlError::Expired)));
    // No nextUpdate: never expired.
    let open = CrlBuilder::new(START, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    let o = opts(&[&open])
        .with_depth(RevocationDepth::EndEntityOnly)
        .with_expired_crl(ExpiredCrlPolicy::Enforce);
    check(&p, &o).unwrap();
}

#[test]
fn issuing_distribution_point_scope() {
    let p = pki();
    let ee_only = |crl: &[u8]| opts(&[crl]).with_depth(RevocationDepth::EndEntityOnly);
    let only_ca = CrlBuilder::new(START, Some(END))
        .issuing_distribution_point(false, true, None)
        .revoke(&[0x20], START, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    assert_eq!(
        check(&p, &ee_only(&only_ca)),
        Err(Error::UnknownRevocationStatus)
    );
    let only_user = CrlBuilder::new(START, Some(END))
        .issuing_distribution_point(true, false, None)
        .revoke(&[0x20], START, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    assert_eq!(check(&p, &ee_only(&only_user)), Err(Error::Revoked));

    // Distribution points: a URI in common, or the CRL does not cover the certificate.
    let leaf = CertificateBuilder::new("leaf", START, END)
        .serial(&[0x20])
        .crl_distribution_point("http://crl.example/a.crl")
        .issue(&key(3), &p.inter, &key(2))
        .unwrap();
    let q = Pki {
        root: p.root.clone(),
        inter: p.inter.clone(),
        leaf,
    };
    for (uri, want) in [
        ("http://crl.example/a.crl", Err(Error::Revoked)),
        (
            "http://crl.example/b.crl",
            Err(Error::UnknownRevocationStatus),
        ),
    ] {
        let crl = CrlBuilder::new(START, Some(END))
            .issuing_distribution_point(false, false, Some(uri))
            .revoke(&[0x20], START, None)
            .sign(&p.inter, &key(2))
            .unwrap();
        assert_eq!(check(&q, &ee_only(&crl)), want, "{uri}");
        assert_eq!(
            Crl::from_der(&crl)
                .unwrap()
                .covers(&Certificate::from_der(&q.leaf).unwrap()),
            want.is_err() && want != Err(Error::UnknownRevocationStatus)
        );
    }
    // A CRL without issuingDistributionPoint covers every certificate of its issuer.
    let plain = CrlBuilder::new(START, Some(END))
        .revoke(&[0x20], START, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    assert_eq!(check(&q, &ee_only(&plain)), Err(Error::Revoked));
}

#[test]
fn parsing_reads_every_field() {
    let p = pki();
    let der = CrlBuilder::new(START, Some(END))
        .number(Some((&[0x05, 0x39], false)))
        .revoke(&[0x20], START + 1, Some(1))
        .revoke(&[0x21], START + 2, Some(6))
        .revoke(&[0x80], START + 3, None)
        .sign(&p.inter, &key(2))
        .unwrap();
    let crl = Crl::from_der(&der).unwrap();
    assert_eq!(crl.der(), der.as_slice());
    assert_eq!(
        crl.issuer_der(),
        Certificate::from_der(&p.inter).unwrap().subject_der()
    );
    assert_eq!((crl.this_update(), crl.next_update()), (START, Some(END)));
    assert_eq!(crl.crl_number(), [0x05, 0x39]);
    assert_eq!(crl.len(), 3);
    let e = crl.find(&[0x21]).unwrap();
    assert_eq!(
        (e.revocation_date, e.reason),
        (START + 2, Some(RevocationReason::CertificateHold))
    );
    assert_eq!(crl.find(&[0x80]).unwrap().reason, None);
    assert!(crl.find(&[0x22]).is_none());
    assert_eq!(crl.revoked().count(), 3);
    // No strict prefix parses, and trailing bytes are refused.
    for n in 0..der.len() {
        assert!(Crl::from_der(&der[..n]).is_err(), "prefix {n}");
    }
    let mut long = der.clone();
    long.push(0);
    assert!(Crl::from_der(&long).is_err());
    // PEM.
    let pem = format!(
        "junk\n-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
        b64(&der)
    );
    let crls = crls_from_pem(pem.as_bytes()).unwrap();
    assert_eq!(crls.len(), 1);
    assert_eq!(crls[0].as_ref(), der.as_slice());
}

#[test]
fn each_refused_form_is_refused_with_its_reason() {
    let p = pki();
    let sign = |b: CrlBuilder| Crl::from_der(&b.sign(&p.inter, &key(2)).unwrap()).map(|_| ());
    let base = || CrlBuilder::new(START, Some(END));
    let refused = |b: CrlBuilder, why: CrlError| {
        assert_eq!(sign(b), Err(Error::BadCrl(why)), "{why:?}");
    };
    refused(base().number(None), CrlError::MissingCrlNumber);
    refused(base().number(Some((&[1], true))), CrlError::BadCrlNumber);
    refused(
        base().number(Some((&[1; 21], false))),
        CrlError::BadCrlNumber,
    );
    // deltaCRLIndicator (2.5.29.27), critical as RFC 5280 §5.2.4 requires.
    refused(
        base().extension(&[0x55, 0x1d, 0x1b], true, &[0x02, 0x01, 0x01]),
        CrlError::DeltaCrl,
    );
    // An unknown critical CRL extension; an unknown non-critical one is ignored.
    refused(
        base().extension(&[0x2a, 0x03], true, &[0x05, 0x00]),
        CrlError::UnknownCriticalExtension,
    );
    sign(base().extension(&[0x2a, 0x03], false, &[0x05, 0x00])).unwrap();
    // Duplicate cRLNumber.
    refused(
        base().extension(&[0x55, 0x1d, 0x14], false, &[0x02, 0x01, 0x02]),
        CrlError::DuplicateExtension,
    );
    // issuingDistributionPoint: indirectCRL, onlySomeReasons, onlyContainsAttributeCerts,
    // both "only" flags.
    let idp = |body: &[u8]| {
        let mut v = vec![0x30, u8::try_from(body.len()).unwrap()];
        v.extend_from_slice(body);
        base().extension(&[0x55, 0x1d, 0x1c], true, &v)
    };
    refused(idp(&[0x84, 0x01, 0xff]), CrlError::IndirectCrl);
    refused(idp(&[0x83, 0x02, 0x07, 0x80]), CrlError::UnsupportedScope);
    refused(idp(&[0x85, 0x01, 0xff]), CrlError::UnsupportedScope);
    refused(
        idp(&[0x81, 0x01, 0xff, 0x82, 0x01, 0xff]),
        CrlError::Malformed,
    );
    refused(idp(&[0x81, 0x01, 0x00]), CrlError::Malformed);
    refused(idp(&[]), CrlError::Malformed);
    // removeFromCRL (8) belongs in delta CRLs; 7 is unassigned.
    refused(base().revoke(&[1], START, Some(8)), CrlError::Malformed);
    refused(base().revoke(&[1], START, Some(7)), CrlError::Malformed);
    sign(base().revoke(&[1], START, Some(10))).unwrap();
}

#[test]
fn entry_extensions_are_checked() {
    // Entry extensions are not reachable through the builder: write the entry by hand
    // with the builder's DER writer and sign it.
    use tryst_cert::DerWriter;
    let p = pki();
    let inter = Certificate::from_der(&p.inter).unwrap();
    let make = |entry_exts: &[u8]| -> Vec<u8> {
        let alg = [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
        let mut tbs = DerWriter::new();
        tbs.nested(0x30, |w| {
            w.unsigned_integer(&[1]);
            w.raw(&alg);
            w.raw(inter.subject_der());
            w.element(0x17, b"250101000000Z");
            w.nested(0x30, |w| {
                w.nested(0x30, |w| {
                    w.unsigned_integer(&[0x20]);
                    w.element(0x17, b"250101000000Z");
                    w.element(0x30, entry_exts);
                });
            });
            w.nested(0xa0, |w| {
                w.nested(0x30, |w| {
                    w.nested(0x30, |w| {
                        w.oid(&[0x55, 0x1d, 0x14]);
                        w.element(0x04, &[0x02, 0x01, 0x01]);
                    });
                });
            });
        });
        let tbs = tbs.finish();
        let sig = tryst_crypto::Signer::sign(&key(2), &tbs).unwrap();
        let mut out = DerWriter::new();
        out.nested(0x30, |w| {
            w.raw(&tbs);
            w.raw(&alg);
            w.bit_string(&sig);
        });
        out.finish()
    };
    let ext = |oid: &[u8], critical: bool, value: &[u8]| -> Vec<u8> {
        let mut w = DerWriter::new();
        w.nested(0x30, |w| {
            w.oid(oid);
            if critical {
                w.boolean(true);
            }
            w.element(0x04, value);
        });
        w.finish()
    };
    // invalidityDate (GeneralizedTime) is read.
    let good = make(&ext(&[0x55, 0x1d, 0x18], false, b"\x18\x0f20250101000000Z"));
    let crl = Crl::from_der(&good).unwrap();
    assert_eq!(crl.find(&[0x20]).unwrap().invalidity_date, Some(START));
    // An unknown critical entry extension refuses the whole CRL.
    let bad = make(&ext(&[0x2a, 0x03], true, &[0x05, 0x00]));
    assert_eq!(
        Crl::from_der(&bad).unwrap_err(),
        Error::BadCrl(CrlError::UnknownCriticalExtension)
    );
    // certificateIssuer: an indirect CRL.
    let bad = make(&ext(&[0x55, 0x1d, 0x1d], true, &[0x30, 0x00]));
    assert_eq!(
        Crl::from_der(&bad).unwrap_err(),
        Error::BadCrl(CrlError::IndirectCrl)
    );
    // Two reasonCodes.
    let mut two = ext(&[0x55, 0x1d, 0x15], false, &[0x0a, 0x01, 0x01]);
    two.extend(ext(&[0x55, 0x1d, 0x15], false, &[0x0a, 0x01, 0x02]));
    assert_eq!(
        Crl::from_der(&make(&two)).unwrap_err(),
        Error::BadCrl(CrlError::DuplicateExtension)
    );
    // An empty crlEntryExtensions SEQUENCE.
    assert_eq!(
        Crl::from_der(&make(&[])).unwrap_err(),
        Error::BadCrl(CrlError::Malformed)
    );
}

#[test]
fn a_revoked_intermediate_is_routed_around() {
    // Two intermediates with the same name and key (a reissue); the root revokes one.
    let p = pki();
    let reissued = CertificateBuilder::new("Inter", START, END)
        .ca(Some(0))
        .serial(&[0x11])
        .issue(&key(2), &p.root, &key(1))
        .unwrap();
    let (root_crl, inter_crl) = crls(&p, &[&[0x10]], &[]);
    let anchors = TrustAnchors::from_der([p.root.as_slice()]).unwrap();
    let rev = opts(&[&root_crl, &inter_crl]);
    let path = verify_path_with_revocation(
        &p.leaf,
        &[&p.inter, &reissued],
        &anchors,
        Usage::ServerAuth,
        now(),
        &Policy::DEFAULT,
        &rev,
    )
    .unwrap();
    assert_eq!(path.intermediates(), [reissued.as_slice()]);
}

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(
                    A[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}
