//! OCSP stapling in TLS 1.3 (RFC 8446 §4.4.2.1, RFC 6066 §8) between tryst client and
//! server: the staple reaches the verifier hook and the application only when the client
//! asked; a verifier can refuse it (its alert is sent); a staple the client did not ask
//! for is unsupported_extension; compressed certificates carry the staple too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::ocsp::{RESPONSE, ServerRecording, server_recording, stapled_key};
use common::scripted::{Script, scripted};
use common::{clock, key, pair, pki, transfer};
use tryst::messages::{AlertDescription, Extension};
use tryst::pki_types::CertificateDer;
use tryst::{CertifiedKey, ClientConfig, Error, ServerConfig};

fn server(staple: Option<&[u8]>, compress: bool) -> Arc<ServerConfig> {
    let ck = stapled_key(pki().leaf_der, 2, staple);
    let mut b = ServerConfig::builder(ck)
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"server")));
    if compress {
        b = b.with_certificate_compression(tryst::compress::default_compressors());
    }
    b.build().unwrap()
}

fn client(v: &Arc<ServerRecording>, ask: bool, compress: bool) -> Arc<ClientConfig> {
    let mut b = ClientConfig::builder()
        .with_verifier(v.clone())
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .with_ocsp_stapling(ask)
        .with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls13]);
    if compress {
        b = b.with_certificate_compression(tryst::compress::default_compressors());
    }
    b.build().unwrap()
}

#[test]
fn a_stapled_response_reaches_the_verifier_and_the_application() {
    for compress in [false, true] {
        let v = server_recording(false);
        let (mut c, mut s) = pair(client(&v, true, compress), server(Some(RESPONSE), compress));
        common::handshake(&mut c, &mut s);
        assert_eq!(
            c.peer_ocsp_response(),
            Some(RESPONSE),
            "compress={compress}"
        );
        assert_eq!(*v.seen.lock().unwrap(), vec![RESPONSE.to_vec()]);
    }
}

#[test]
fn no_staple_unless_the_client_asks() {
    let v = server_recording(false);
    let (mut c, mut s) = pair(client(&v, false, false), server(Some(RESPONSE), false));
    common::handshake(&mut c, &mut s);
    assert_eq!(c.peer_ocsp_response(), None);
    // The hook still runs, with nothing stapled: a verifier that needs a staple can refuse.
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
}

#[test]
fn a_server_without_a_response_staples_nothing() {
    let v = server_recording(false);
    let (mut c, mut s) = pair(client(&v, true, false), server(None, false));
    common::handshake(&mut c, &mut s);
    assert_eq!(c.peer_ocsp_response(), None);
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
}

/// A hello that offers TLS 1.2 too asks as well (TLS 1.2 stapling: tests/ocsp_tls12.rs).
#[test]
fn a_hello_that_offers_tls12_asks_too() {
    let v = server_recording(false);
    let cc = ClientConfig::builder()
        .with_verifier(v.clone())
        .with_clock(clock())
        .with_ocsp_stapling(true)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, server(Some(RESPONSE), false));
    common::handshake(&mut c, &mut s);
    assert_eq!(c.peer_ocsp_response(), Some(RESPONSE));
    assert_eq!(
        c.protocol_version(),
        Some(tryst::messages::ProtocolVersion::Tls13)
    );
}

#[test]
fn an_empty_response_staples_nothing() {
    let p = pki();
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(key(2));
    let ck = CertifiedKey::new(vec![CertificateDer::from(p.leaf_der)], signer).unwrap();
    assert_eq!(ck.with_ocsp(Vec::new()).ocsp(), None);
}

#[test]
fn a_refused_staple_fails_the_handshake_with_the_verifiers_alert() {
    let v = server_recording(true);
    let (mut c, mut s) = pair(client(&v, true, false), server(Some(RESPONSE), false));
    let (ce, se) = transfer(&mut c, &mut s);
    let ce = ce.expect("the client must refuse");
    assert_eq!(
        ce.alert(),
        Some(AlertDescription::BadCertificateStatusResponse),
        "{ce}"
    );
    assert_eq!(
        se,
        Some(Error::AlertReceived(
            AlertDescription::BadCertificateStatusResponse
        ))
    );
    assert_eq!(c.peer_ocsp_response(), None);
}

#[test]
fn a_staple_the_client_did_not_ask_for_is_unsupported_extension() {
    let (_, r) = scripted(&Script {
        leaf_extensions: vec![Extension::OcspResponse(RESPONSE.into())],
        ..Script::default()
    });
    let e = r.expect_err("the client must refuse");
    assert_eq!(
        e.alert(),
        Some(AlertDescription::UnsupportedExtension),
        "{e}"
    );
    assert!(e.to_string().contains("not requested"), "{e}");
}
