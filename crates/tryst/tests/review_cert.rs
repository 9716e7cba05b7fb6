//! Security review (issue 13), item 4, end to end: a peer whose certificate's keyUsage is
//! present but lacks digitalSignature cannot authenticate, as a server or as a client.
//! The verifying side refuses the chain and sends unsupported_certificate, which is what
//! `tryst_cert::Error::KeyUsageForbidsSigning` maps to.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::*;
use tryst::cert::{CertificateBuilder, KeyUsage};
use tryst::messages::AlertDescription;
use tryst::pki_types::CertificateDer;
use tryst::verify::WebPkiClientVerifier;
use tryst::{CertifiedKey, ServerConfig, TicketKeys};

/// keyUsage values without digitalSignature that a real CA might issue: RSA key
/// transport (TLS 1.2 only), key agreement, and non-repudiation.
const NON_SIGNING: [u16; 3] = [
    KeyUsage::KEY_ENCIPHERMENT,
    KeyUsage::KEY_AGREEMENT,
    KeyUsage::CONTENT_COMMITMENT | KeyUsage::KEY_ENCIPHERMENT,
];

fn validity() -> (i64, i64) {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    (nb, nb + 365 * 86_400)
}

/// A server certificate for localhost, issued by the test CA, with keyUsage `bits`.
fn server_leaf(p: &Pki, bits: u16) -> Vec<u8> {
    let (nb, na) = validity();
    CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .server_auth()
        .key_usage(bits)
        .issue(&p.leaf_key, &p.ca_der, &p.ca_key)
        .unwrap()
}

/// A client certificate issued by the test CA, with keyUsage `bits`.
fn client_leaf(p: &Pki, bits: u16) -> Vec<u8> {
    let (nb, na) = validity();
    CertificateBuilder::new("client", nb, na)
        .client_auth()
        .key_usage(bits)
        .issue(&p.client_key, &p.ca_der, &p.ca_key)
        .unwrap()
}

/// A server presenting `leaf` (the test leaf key), asking for a client certificate
/// when `client_auth`.
fn server_config(p: &Pki, leaf: Vec<u8>, client_auth: bool) -> Arc<ServerConfig> {
    let ck = CertifiedKey::new(vec![CertificateDer::from(leaf)], Arc::new(key(2))).unwrap();
    let b = ServerConfig::builder(ck)
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"server")))
        .with_ticket_keys(Arc::new(TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )));
    if client_auth {
        b.with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(anchors(p))))
    } else {
        b
    }
    .build()
    .unwrap()
}

#[test]
fn server_certificate_without_digital_signature_is_refused_by_the_client() {
    let p = pki();
    let clock = clock();
    for bits in NON_SIGNING {
        let cc = client_builder(&p, &clock, b"client").build().unwrap();
        let sc = server_config(&p, server_leaf(&p, bits), false);
        let (mut c, mut s) = pair(cc, sc);
        let (ce, se) = transfer(&mut c, &mut s);
        let ce = ce.expect("the client must refuse the server's certificate");
        assert_eq!(
            ce,
            tryst::Error::Certificate(tryst::cert::Error::KeyUsageForbidsSigning),
            "keyUsage {bits:#x}"
        );
        assert_eq!(
            se,
            Some(tryst::Error::AlertReceived(
                AlertDescription::UnsupportedCertificate
            ))
        );
        assert!(c.is_handshaking() && s.is_handshaking());
    }
    // The same leaf with digitalSignature added is accepted: only the bit differs.
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let bits = KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_ENCIPHERMENT;
    let sc = server_config(&p, server_leaf(&p, bits), false);
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
}

#[test]
fn client_certificate_without_digital_signature_is_refused_by_the_server() {
    let p = pki();
    let clock = clock();
    let client_with = |bits: u16| {
        let ck = CertifiedKey::new(
            vec![CertificateDer::from(client_leaf(&p, bits))],
            Arc::new(key(3)),
        )
        .unwrap();
        client_builder(&p, &clock, b"client")
            .with_client_auth_cert(ck)
            .build()
            .unwrap()
    };
    for bits in NON_SIGNING {
        let sc = server_config(&p, p.leaf_der.clone(), true);
        let (mut c, mut s) = pair(client_with(bits), sc);
        let (ce, se) = transfer(&mut c, &mut s);
        let se = se.expect("the server must refuse the client's certificate");
        assert_eq!(
            se,
            tryst::Error::Certificate(tryst::cert::Error::KeyUsageForbidsSigning),
            "keyUsage {bits:#x}"
        );
        assert_eq!(
            ce,
            Some(tryst::Error::AlertReceived(
                AlertDescription::UnsupportedCertificate
            ))
        );
        assert!(s.is_handshaking());
    }
    let sc = server_config(&p, p.leaf_der.clone(), true);
    let (mut c, mut s) = pair(client_with(KeyUsage::DIGITAL_SIGNATURE), sc);
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_certificates().len(), 1);
}

/// Accepts any chain, as a careless custom verifier might; signatures are still checked
/// by the default `verify_tls13_signature`.
struct AnyChain;

impl tryst::verify::ServerCertVerifier for AnyChain {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &tryst::pki_types::ServerName<'_>,
        _: tryst::pki_types::UnixTime,
    ) -> Result<tryst::verify::CertificateVerified, tryst::Error> {
        Ok(tryst::verify::CertificateVerified::assertion())
    }
}

#[test]
fn key_usage_is_checked_with_the_signature_even_under_a_custom_verifier() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyChain))
        .build()
        .unwrap();
    let sc = server_config(&p, server_leaf(&p, KeyUsage::KEY_ENCIPHERMENT), false);
    let (mut c, mut s) = pair(cc, sc);
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(
        ce,
        Some(tryst::Error::Certificate(
            tryst::cert::Error::KeyUsageForbidsSigning
        ))
    );
}
