//! Revocation with CRLs end to end: the WebPki verifiers with `with_revocation`. A revoked
//! client certificate is refused with certificate_revoked, an unrevoked one passes, and a
//! certificate no CRL covers is refused under `UnknownStatusPolicy::Deny`; the same for a
//! server certificate checked by the client. The CRLs are part of the client verifier's
//! resumption identity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::*;
use tryst::cert::{
    Certificate, CertificateBuilder, CrlBuilder, RevocationDepth, RevocationOptions,
    UnknownStatusPolicy,
};
use tryst::messages::AlertDescription;
use tryst::pki_types::CertificateDer;
use tryst::verify::{ClientCertVerifier, WebPkiClientVerifier, WebPkiServerVerifier};
use tryst::{CertifiedKey, ClientConfig, ServerConfig};

fn now() -> i64 {
    i64::try_from(NOW).unwrap()
}

/// A CRL from the test CA revoking `serials`.
fn crl(p: &Pki, serials: &[&[u8]]) -> Vec<u8> {
    let mut b = CrlBuilder::new(now() - 3600, Some(now() + 86_400));
    for s in serials {
        b = b.revoke(s, now() - 60, Some(1));
    }
    b.sign(&p.ca_der, &p.ca_key).unwrap()
}

fn serial(der: &[u8]) -> Vec<u8> {
    Certificate::from_der(der).unwrap().serial().to_vec()
}

fn server_with(p: &Pki, rev: RevocationOptions) -> Arc<ServerConfig> {
    let verifier = WebPkiClientVerifier::new(anchors(p)).with_revocation(rev);
    server_builder(p, &clock(), b"server")
        .with_client_cert_verifier(Arc::new(verifier))
        .build()
        .unwrap()
}

fn client(p: &Pki) -> Arc<ClientConfig> {
    let ck = CertifiedKey::new(
        vec![CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap();
    client_builder(p, &clock(), b"client")
        .with_client_auth_cert(ck)
        .build()
        .unwrap()
}

/// Handshake; returns the server's error and the client's.
fn run(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
) -> (Option<tryst::Error>, Option<tryst::Error>) {
    let (mut c, mut s) = pair(cc, sc);
    let (ce, se) = transfer(&mut c, &mut s);
    if ce.is_none() && se.is_none() {
        assert!(!c.is_handshaking() && !s.is_handshaking());
        assert_eq!(s.peer_certificates().len(), 1);
    }
    (se, ce)
}

#[test]
fn revoked_client_certificate_is_refused_with_certificate_revoked() {
    let p = pki();
    let rev = RevocationOptions::from_der([crl(&p, &[&serial(&p.client_der)]).as_slice()]).unwrap();
    let (se, ce) = run(client(&p), server_with(&p, rev));
    assert_eq!(
        se,
        Some(tryst::Error::Certificate(tryst::cert::Error::Revoked))
    );
    assert_eq!(
        ce,
        Some(tryst::Error::AlertReceived(
            AlertDescription::CertificateRevoked
        ))
    );
}

#[test]
fn unrevoked_client_certificate_passes() {
    let p = pki();
    // The CRL revokes the server's certificate, not the client's.
    let rev = RevocationOptions::from_der([crl(&p, &[&serial(&p.leaf_der)]).as_slice()]).unwrap();
    let (se, ce) = run(client(&p), server_with(&p, rev));
    assert_eq!((se, ce), (None, None));
}

#[test]
fn unknown_status_is_refused_under_deny_and_accepted_under_allow() {
    let p = pki();
    // A CRL of another CA (another name) covers nothing here.
    let other_key = key(7);
    let (nb, na) = (now() - 86_400, now() + 86_400);
    let other = CertificateBuilder::new("other CA", nb, na)
        .ca(None)
        .self_signed(&other_key)
        .unwrap();
    let other_crl = CrlBuilder::new(nb, Some(na))
        .revoke(&serial(&p.client_der), nb, None)
        .sign(&other, &other_key)
        .unwrap();
    let deny = RevocationOptions::from_der([other_crl.as_slice()]).unwrap();
    let (se, ce) = run(client(&p), server_with(&p, deny.clone()));
    assert_eq!(
        se,
        Some(tryst::Error::Certificate(
            tryst::cert::Error::UnknownRevocationStatus
        ))
    );
    assert_eq!(
        ce,
        Some(tryst::Error::AlertReceived(
            AlertDescription::CertificateUnknown
        ))
    );
    let allow = deny
        .with_unknown_status(UnknownStatusPolicy::Allow)
        .with_depth(RevocationDepth::EndEntityOnly);
    let (se, ce) = run(client(&p), server_with(&p, allow));
    assert_eq!((se, ce), (None, None));
}

#[test]
fn revoked_server_certificate_is_refused_by_the_client() {
    let p = pki();
    let rev = RevocationOptions::from_der([crl(&p, &[&serial(&p.leaf_der)]).as_slice()]).unwrap();
    let verifier = WebPkiServerVerifier::new(anchors(&p)).with_revocation(rev);
    let cc = ClientConfig::builder()
        .with_verifier(Arc::new(verifier))
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock(), b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    let (ce, se) = transfer(&mut c, &mut s);
    assert_eq!(
        ce,
        Some(tryst::Error::Certificate(tryst::cert::Error::Revoked))
    );
    assert_eq!(
        se,
        Some(tryst::Error::AlertReceived(
            AlertDescription::CertificateRevoked
        ))
    );
}

#[test]
fn crls_are_part_of_the_resumption_identity() {
    let p = pki();
    let plain = WebPkiClientVerifier::new(anchors(&p));
    let one = RevocationOptions::from_der([crl(&p, &[]).as_slice()]).unwrap();
    let two = RevocationOptions::from_der([crl(&p, &[&[0x42]]).as_slice()]).unwrap();
    let ids = [
        plain.resumption_identity(),
        plain
            .clone()
            .with_revocation(one.clone())
            .resumption_identity(),
        plain.clone().with_revocation(two).resumption_identity(),
        plain
            .clone()
            .with_revocation(one.clone().with_unknown_status(UnknownStatusPolicy::Allow))
            .resumption_identity(),
        plain
            .clone()
            .with_revocation(one.clone().with_depth(RevocationDepth::EndEntityOnly))
            .resumption_identity(),
    ];
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(
        plain
            .clone()
            .with_revocation(one.clone())
            .resumption_identity(),
        plain.with_revocation(one).resumption_identity()
    );
}
