#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Issue 17 step 4: the builder puts an RSA key in a certificate (rsaEncryption SPKI) and
//! signs with an RSA issuer key (sha256WithRSAEncryption) through the `*_with_rng`
//! methods; the plain methods, which have no randomness, refuse an RSA issuer.

mod common;

use common::{END, NOW, START, TestRng};
use rustls_pki_types::{ServerName, UnixTime};
use tryst_cert::{
    Certificate, CertificateBuilder, Error, KeyAlgorithm, Policy, TrustAnchors, verify_server_cert,
};
use tryst_crypto::{Ed25519SigningKey, RsaSigningKey, Secret, SignatureAlgorithm, Signer};

#[test]
fn rsa_ca_and_leaf_verify() {
    let mut rng = TestRng(17);
    // One generation (slow in debug builds): the key serves the CA and the leaf.
    let rsa = RsaSigningKey::generate(&mut rng, 2048).unwrap();
    let ca = CertificateBuilder::new("RSA CA", START, END)
        .ca(None)
        .self_signed_with_rng(&rsa, &mut rng)
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", START, END)
        .dns_name("leaf.example")
        .server_auth()
        .issue_with_rng(&rsa, &ca, &rsa, &mut rng)
        .unwrap();
    for der in [&ca, &leaf] {
        let c = Certificate::from_der(der).unwrap();
        assert_eq!(
            c.signature_algorithm().unwrap(),
            SignatureAlgorithm::RsaPkcs1Sha256
        );
        let spki = c.public_key().unwrap();
        assert_eq!(spki.algorithm, KeyAlgorithm::Rsa);
        assert_eq!(spki.key, rsa.public_key().as_slice());
    }
    let anchors = TrustAnchors::from_der([ca.as_slice()]).unwrap();
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));
    let name = ServerName::try_from("leaf.example").unwrap();
    verify_server_cert(&leaf, &[], &anchors, &name, now, &Policy::DEFAULT).unwrap();

    // An Ed25519 leaf under the RSA CA, and an RSA leaf under an Ed25519 CA.
    let ed = Ed25519SigningKey::from_seed(&Secret::from_slice(&[3; 32]).unwrap()).unwrap();
    let b = CertificateBuilder::new("ed", START, END).dns_name("leaf.example");
    let ed_leaf = b.issue_with_rng(&ed, &ca, &rsa, &mut rng).unwrap();
    verify_server_cert(&ed_leaf, &[], &anchors, &name, now, &Policy::DEFAULT).unwrap();
    let ed_ca = CertificateBuilder::new("Ed CA", START, END)
        .ca(None)
        .self_signed(&ed)
        .unwrap();
    let rsa_leaf = b.issue(&rsa, &ed_ca, &ed).unwrap();
    let ed_anchors = TrustAnchors::from_der([ed_ca.as_slice()]).unwrap();
    verify_server_cert(&rsa_leaf, &[], &ed_anchors, &name, now, &Policy::DEFAULT).unwrap();

    // Without an RNG an RSA issuer cannot sign.
    assert_eq!(b.issue(&ed, &ca, &rsa), Err(Error::BadSignature));
    assert_eq!(
        CertificateBuilder::new("x", START, END).self_signed(&rsa),
        Err(Error::BadSignature)
    );
}

#[test]
fn an_rsa_ca_signs_crls_with_rng() {
    use tryst_cert::{
        Crl, CrlBuilder, CrlError, RevocationOptions, Usage, verify_path_with_revocation,
    };
    let mut rng = TestRng(18);
    let rsa = RsaSigningKey::generate(&mut rng, 2048).unwrap();
    let ca = CertificateBuilder::new("RSA CA", START, END)
        .ca(None)
        .self_signed_with_rng(&rsa, &mut rng)
        .unwrap();
    let ed = Ed25519SigningKey::from_seed(&Secret::from_slice(&[4; 32]).unwrap()).unwrap();
    let leaf = CertificateBuilder::new("leaf", START, END)
        .dns_name("leaf.example")
        .serial(&[0x42])
        .issue_with_rng(&ed, &ca, &rsa, &mut rng)
        .unwrap();
    let anchors = TrustAnchors::from_der([ca.as_slice()]).unwrap();
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));
    let check = |crl: &[u8]| {
        let rev = RevocationOptions::from_der([crl]).unwrap();
        verify_path_with_revocation(
            &leaf,
            &[],
            &anchors,
            Usage::ServerAuth,
            now,
            &Policy::DEFAULT,
            &rev,
        )
        .map(|_| ())
    };

    let listed = CrlBuilder::new(START, Some(END)).revoke(&[0x42], START + 10, None);
    let crl = listed.sign_with_rng(&ca, &rsa, &mut rng).unwrap();
    assert_eq!(
        Crl::from_der(&crl).unwrap().signature_algorithm(),
        SignatureAlgorithm::RsaPkcs1Sha256
    );
    assert_eq!(check(&crl), Err(Error::Revoked));
    let clean = CrlBuilder::new(START, Some(END))
        .sign_with_rng(&ca, &rsa, &mut rng)
        .unwrap();
    check(&clean).unwrap();

    // A flipped bit in the signature: the CRL cannot be used.
    let mut bad = crl.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert_eq!(check(&bad), Err(Error::BadCrl(CrlError::BadSignature)));
    // Without randomness an RSA issuer cannot sign a CRL either.
    assert_eq!(listed.sign(&ca, &rsa), Err(Error::BadSignature));
}
