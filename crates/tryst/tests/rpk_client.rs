//! Raw public keys for client authentication (RFC 7250 `client_certificate_type`) in
//! TLS 1.3, tryst client and server: a pinned client key authenticates (and a resumed
//! session keeps it; a server under other pins does not resume it); the attacks a client
//! can try (an X.509 certificate where a raw key was negotiated, a key not pinned, two
//! entries, an SPKI that does not parse, a CertificateVerify from another key, no key at
//! all) and those a server can try (a type never offered, a type with no
//! CertificateRequest, the extension in the wrong message) each get their alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::borrow::Cow;
use std::sync::Arc;

use common::reseal::*;
use common::scripted::*;
use common::tamper::*;
use common::*;
use tryst::crypto::Signer;
use tryst::messages::{
    AlertDescription, CertificateEntry, CertificateRequest, Extension, ExtensionType,
    HandshakeMessage, SignatureScheme,
};
use tryst::pki_types::CertificateDer;
use tryst::suites::TLS13_AES_128_GCM_SHA256;
use tryst::{
    ClientConfig, ClientConfigBuilder, Error, HandshakeKind, RawKeyPair, ServerConfig,
    ServerConfigBuilder,
};

/// The DER SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 §4).
fn ed25519_spki(k: &dyn Signer) -> Vec<u8> {
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend(k.public_key());
    spki
}

fn raw_key(seed: u8) -> RawKeyPair {
    let k = key(seed);
    RawKeyPair::new(ed25519_spki(&k), Arc::new(k)).unwrap()
}

fn client_cert(p: &Pki) -> tryst::CertifiedKey {
    tryst::CertifiedKey::new(
        vec![CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap()
}

fn rpk_server(pins: &[u8], mandatory: bool) -> ServerConfigBuilder {
    let p = pki();
    let pins = pins.iter().map(|s| ed25519_spki(&key(*s))).collect();
    server_builder(&p, &clock(), b"server").with_client_raw_public_keys(pins, mandatory)
}

fn rpk_client(seed: u8) -> ClientConfigBuilder {
    client_builder(&pki(), &clock(), b"client").with_client_raw_public_key(raw_key(seed))
}

fn refused(cc: Arc<ClientConfig>, sc: Arc<ServerConfig>) -> (Option<Error>, Option<Error>) {
    let (mut c, mut s) = pair(cc, sc);
    transfer(&mut c, &mut s)
}

#[test]
fn a_pinned_client_key_authenticates_and_resumption_keeps_it() {
    let cc = rpk_client(5).build().unwrap();
    let sc = rpk_server(&[6, 5], true).build().unwrap();
    for kind in [HandshakeKind::Full, HandshakeKind::Resumed] {
        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        assert_eq!(s.handshake_kind(), Some(kind));
        let spki = ed25519_spki(&key(5));
        assert_eq!(s.peer_raw_public_key(), Some(spki.as_slice()));
        assert_eq!(s.peer_certificates().len(), 1);
        // The server authenticated with its certificate.
        assert_eq!(c.peer_raw_public_key(), None);
        assert_eq!(c.peer_certificates()[0].as_ref(), pki().leaf_der.as_slice());
        c.send_plaintext(b"raw client").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"raw client");
    }
}

#[test]
fn raw_keys_on_both_sides() {
    let p = pki();
    let leaf = tryst::cert::Certificate::from_der(&p.leaf_der).unwrap();
    let server_spki = leaf.public_key().unwrap().spki_der.to_vec();
    let cc = ClientConfig::builder()
        .with_server_raw_public_keys(vec![server_spki.clone()])
        .with_client_raw_public_key(raw_key(5))
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .build()
        .unwrap();
    let sc = rpk_server(&[5], true)
        .with_raw_public_key(true)
        .build()
        .unwrap();
    for kind in [HandshakeKind::Full, HandshakeKind::Resumed] {
        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        assert_eq!(c.handshake_kind(), Some(kind));
        assert_eq!(c.peer_raw_public_key(), Some(server_spki.as_slice()));
        assert_eq!(
            s.peer_raw_public_key(),
            Some(ed25519_spki(&key(5)).as_slice())
        );
    }
}

#[test]
fn a_ticket_from_other_pins_is_not_resumed() {
    let cc = rpk_client(5).build().unwrap();
    let (mut c, mut s) = pair(cc.clone(), rpk_server(&[5], true).build().unwrap());
    handshake(&mut c, &mut s);
    // Same ticket keys, other pins (both still accept key 5): a full handshake again.
    let other = rpk_server(&[5, 7], true).build().unwrap();
    let (mut c, mut s) = pair(cc, other);
    handshake(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(
        s.peer_raw_public_key(),
        Some(ed25519_spki(&key(5)).as_slice())
    );
}

#[test]
fn a_key_that_is_not_pinned_is_bad_certificate() {
    let (ce, se) = refused(
        rpk_client(7).build().unwrap(),
        rpk_server(&[5], true).build().unwrap(),
    );
    let se = se.expect("the server must refuse");
    assert_eq!(se.alert(), Some(AlertDescription::BadCertificate), "{se}");
    assert!(se.to_string().contains("pinned"), "{se}");
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

#[test]
fn a_client_that_cannot_send_a_raw_key_is_refused_when_one_is_required() {
    let p = pki();
    let cc = client_builder(&p, &clock(), b"client")
        .with_client_auth_cert(client_cert(&p))
        .build()
        .unwrap();
    let (ce, se) = refused(cc, rpk_server(&[5], true).build().unwrap());
    assert_server_refused(ce, se, AlertDescription::UnsupportedCertificate);
}

#[test]
fn an_optional_raw_key_lets_other_clients_in_unauthenticated() {
    let p = pki();
    let cc = client_builder(&p, &clock(), b"client").build().unwrap();
    let (mut c, mut s) = pair(cc, rpk_server(&[5], false).build().unwrap());
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_raw_public_key(), None);
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn an_x509_server_gets_the_certificate_of_a_client_that_offers_both() {
    let p = pki();
    let cc = rpk_client(5)
        .with_client_auth_cert(client_cert(&p))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock(), b"server")
        .with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(anchors(
            &p,
        ))))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_raw_public_key(), None);
    assert_eq!(s.peer_certificates()[0].as_ref(), p.client_der.as_slice());
}

#[test]
fn config_mistakes_are_refused() {
    let p = pki();
    let both = rpk_server(&[5], true)
        .with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(anchors(
            &p,
        ))))
        .build();
    assert!(matches!(both, Err(Error::Config(_))), "{both:?}");
    let bad_pin = server_builder(&p, &clock(), b"s")
        .with_client_raw_public_keys(vec![b"not a key".to_vec()], true)
        .build();
    assert!(matches!(bad_pin, Err(Error::Config(_))), "{bad_pin:?}");
    let mismatch = RawKeyPair::new(ed25519_spki(&key(5)), Arc::new(key(6)));
    assert!(matches!(mismatch, Err(Error::Config(_))), "{mismatch:?}");
    let from_cert = RawKeyPair::from_certified_key(&client_cert(&p)).unwrap();
    assert_eq!(from_cert.spki(), ed25519_spki(&key(3)).as_slice());
}

#[test]
fn post_handshake_auth_needs_an_x509_verifier() {
    let p = pki();
    let cc = rpk_client(5)
        .with_client_auth_cert(client_cert(&p))
        .with_post_handshake_auth(true)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, rpk_server(&[5], false).build().unwrap());
    handshake(&mut c, &mut s);
    let e = s.request_client_certificate().unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
}

#[test]
fn post_handshake_auth_with_its_own_verifier_replaces_the_raw_key() {
    let p = pki();
    let cc = rpk_client(5)
        .with_client_auth_cert(client_cert(&p))
        .with_post_handshake_auth(true)
        .build()
        .unwrap();
    let sc = rpk_server(&[5], true)
        .with_post_handshake_client_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(
            anchors(&p),
        )))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(
        s.peer_raw_public_key(),
        Some(ed25519_spki(&key(5)).as_slice())
    );
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.post_handshake_auth(),
        tryst::pha::PostHandshakeAuth::Authenticated
    );
    // The peer is now known by its certificate, not by the raw key.
    assert_eq!(s.peer_raw_public_key(), None);
    assert_eq!(s.peer_certificates()[0].as_ref(), p.client_der.as_slice());
}

// ---- a client that misbehaves: its flight decrypted, edited and resealed ----

/// Run a raw-key handshake (client key 5, `mandatory` server pinning keys 5 and 6) up to
/// the client's second flight, let `f` edit its handshake messages, reseal them and return
/// the server's error.
fn edited_client_flight(mandatory: bool, f: &dyn Fn(&mut Vec<Vec<u8>>)) -> Option<Error> {
    let log = Arc::new(CollectLog::default());
    let cc = rpk_client(5)
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .with_key_log(log.clone())
        .build()
        .unwrap();
    let sc = rpk_server(&[5, 6], mandatory)
        .with_ticket_count(0)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    edit_client_second_flight(&mut c, &mut s, &log, f)
}

/// The client's Certificate entries replaced by `entries`.
fn with_entries(entries: Vec<Vec<u8>>) -> impl Fn(&mut Vec<Vec<u8>>) {
    move |msgs| {
        for m in msgs.iter_mut() {
            edit(m, &|h| {
                if let HandshakeMessage::Certificate(c) = h {
                    c.certificate_list = entries
                        .iter()
                        .map(|e| CertificateEntry::new(e).into_owned())
                        .collect();
                }
            });
        }
    }
}

#[test]
fn the_resealed_flight_untouched_completes() {
    let se = edited_client_flight(true, &|msgs| assert_eq!(msgs.len(), 3));
    assert!(se.is_none(), "{se:?}");
}

#[test]
fn an_x509_certificate_where_a_raw_key_was_negotiated_is_bad_certificate() {
    let se = edited_client_flight(true, &with_entries(vec![pki().client_der]));
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::BadCertificate),
        "{se:?}"
    );
    assert!(se.unwrap().to_string().contains("SubjectPublicKeyInfo"));
}

#[test]
fn an_spki_that_does_not_parse_is_bad_certificate() {
    let mut broken = ed25519_spki(&key(5));
    broken.truncate(20);
    let se = edited_client_flight(true, &with_entries(vec![broken]));
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::BadCertificate),
        "{se:?}"
    );
}

#[test]
fn two_entries_are_decode_error() {
    let k = ed25519_spki(&key(5));
    let se = edited_client_flight(true, &with_entries(vec![k.clone(), k]));
    assert_eq!(alert_of(&se), Some(AlertDescription::DecodeError), "{se:?}");
    assert!(se.unwrap().to_string().contains("exactly one entry"));
}

#[test]
fn a_certificate_verify_from_another_key_is_decrypt_error() {
    // Key 6 is pinned too, but the CertificateVerify was made with key 5.
    let se = edited_client_flight(true, &with_entries(vec![ed25519_spki(&key(6))]));
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
    assert!(se.unwrap().to_string().contains("raw public key"));
}

#[test]
fn no_key_when_one_is_required_is_certificate_required() {
    let drop_key = |msgs: &mut Vec<Vec<u8>>| {
        with_entries(vec![])(msgs);
        msgs.remove(1); // CertificateVerify
    };
    let se = edited_client_flight(true, &drop_key);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::CertificateRequired),
        "{se:?}"
    );
}

// ---- a server that misbehaves: a scripted flight ----

fn client_certificate_type(body: &[u8]) -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::ClientCertificateType,
        data: body.to_vec().into(),
    }
}

fn cert_request(extra: Vec<Extension<'static>>) -> CertificateRequest<'static> {
    let mut extensions = vec![Extension::SignatureAlgorithms(vec![
        SignatureScheme::Ed25519,
    ])];
    extensions.extend(extra);
    CertificateRequest {
        certificate_request_context: Cow::Borrowed(&[]),
        extensions,
    }
}

/// A client with raw key 5 (and a certificate when `x509`) against the scripted flight.
fn scripted_rpk(x509: bool, s: &Script) -> Result<(), Error> {
    let p = pki();
    let mut cb = rpk_client(5).with_ech(tryst::EchMode::Disabled);
    if x509 {
        cb = cb.with_client_auth_cert(client_cert(&p));
    }
    let mut c = tryst::ClientConnection::new(cb.build().unwrap(), localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    c.read_tls_bytes(&server_flight(&p, &ch, s));
    c.process_new_packets().map(|_| ())
}

/// A scripted server flight with client_certificate_type `body` in EncryptedExtensions
/// and a CertificateRequest.
fn asks_for_type(body: &[u8]) -> Script {
    Script {
        ee: vec![client_certificate_type(body)],
        cert_request: Some(cert_request(vec![])),
        ..Default::default()
    }
}

#[test]
fn the_scripted_server_choosing_raw_keys_is_answered() {
    let r = scripted_rpk(false, &asks_for_type(&[2]));
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn a_type_the_client_never_offered_is_illegal_parameter() {
    // X509 (0) was not offered: the client has no certificate.
    for body in [&[0u8][..], &[1]] {
        let e = scripted_rpk(false, &asks_for_type(body)).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
        assert!(e.to_string().contains("did not offer"), "{e}");
    }
    // With a certificate, X509 was offered and is accepted.
    let r = scripted_rpk(true, &asks_for_type(&[0]));
    assert!(r.is_ok(), "{r:?}");
}

#[test]
fn a_list_where_one_type_belongs_is_decode_error() {
    let e = scripted_rpk(true, &asks_for_type(&[2, 2, 0])).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{e}");
}

#[test]
fn a_type_chosen_without_a_certificate_request_is_illegal_parameter() {
    let e = scripted_rpk(
        false,
        &Script {
            ee: vec![client_certificate_type(&[2])],
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("no CertificateRequest"), "{e}");
}

#[test]
fn the_extension_in_a_certificate_request_is_illegal_parameter() {
    let e = scripted_rpk(
        false,
        &Script {
            ee: vec![client_certificate_type(&[2])],
            cert_request: Some(cert_request(vec![client_certificate_type(&[2])])),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
}

#[test]
fn the_extension_in_a_server_hello_is_refused() {
    // To a client that offered it (it belongs in EncryptedExtensions) and to one that
    // did not.
    let add = server_hello(&|sh| sh.extensions.push(client_certificate_type(&[2])));
    let sc = rpk_server(&[5], true).build().unwrap();
    let (ce, se) = tampered(rpk_client(5).build().unwrap(), sc, &none, &add);
    assert_eq!(
        alert_of(&ce),
        Some(AlertDescription::IllegalParameter),
        "{ce:?}"
    );
    assert!(ce.unwrap().to_string().contains("ServerHello"));
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::IllegalParameter))
    );
    assert_eq!(
        client_alert(&add),
        Some(AlertDescription::UnsupportedExtension)
    );
}

#[test]
fn a_client_that_did_not_offer_it_refuses_the_extension() {
    let (_, r) = scripted(&asks_for_type(&[2]));
    let e = r.unwrap_err();
    assert_eq!(
        e.alert(),
        Some(AlertDescription::UnsupportedExtension),
        "{e}"
    );
}
