//! Raw public keys (RFC 7250) in TLS 1.2, tryst client and server: both certificate
//! types, the Certificate message in its TLS 1.2 raw-key form (RFC 7250 §3: the
//! SubjectPublicKeyInfo is the whole body), resumption by ticket keeping the keys; and
//! the attacks on the plaintext TLS 1.2 flights, each with its typed error and alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::*;
use tryst::crypto::Signer;
use tryst::messages::{
    AlertDescription, Extension, ExtensionType, ProtocolVersion, RawHandshake,
    Tls12HandshakeMessage,
};
use tryst::{ClientConfig, Error, HandshakeKind, RawKeyPair, ServerConfig};

const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

fn ed25519_spki(k: &dyn Signer) -> Vec<u8> {
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend(k.public_key());
    spki
}

fn leaf_spki() -> Vec<u8> {
    let p = pki();
    let c = tryst::cert::Certificate::from_der(&p.leaf_der).unwrap();
    c.public_key().unwrap().spki_der.to_vec()
}

/// A TLS 1.2-only server: raw server key when `server_raw`, raw client keys pinned to
/// `pins` (required) unless empty.
fn server(server_raw: bool, pins: &[u8]) -> Arc<ServerConfig> {
    let mut b = server_builder(&pki(), &clock(), b"server")
        .with_protocol_versions(TLS12)
        .with_raw_public_key(server_raw);
    if !pins.is_empty() {
        let pins = pins.iter().map(|s| ed25519_spki(&key(*s))).collect();
        b = b.with_client_raw_public_keys(pins, true);
    }
    b.build().unwrap()
}

/// A client pinning the server's key when `pin_server`, with raw client key `seed`.
fn client(pin_server: bool, seed: Option<u8>) -> Arc<ClientConfig> {
    let mut b = client_builder(&pki(), &clock(), b"client");
    if pin_server {
        b = b.with_server_raw_public_keys(vec![leaf_spki()]);
    }
    if let Some(s) = seed {
        let k = key(s);
        b = b.with_client_raw_public_key(RawKeyPair::new(ed25519_spki(&k), Arc::new(k)).unwrap());
    }
    b.build().unwrap()
}

#[test]
fn raw_keys_both_ways_and_resumption_keeps_them() {
    let (cc, sc) = (client(true, Some(5)), server(true, &[5]));
    for kind in [HandshakeKind::Full, HandshakeKind::Resumed] {
        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        assert_eq!(c.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(s.handshake_kind(), Some(kind));
        assert_eq!(c.peer_raw_public_key(), Some(leaf_spki().as_slice()));
        assert_eq!(
            s.peer_raw_public_key(),
            Some(ed25519_spki(&key(5)).as_slice())
        );
        c.send_plaintext(b"raw 1.2").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"raw 1.2");
    }
}

#[test]
fn each_type_alone() {
    // The server's raw key, no client authentication.
    let (mut c, mut s) = pair(client(true, None), server(true, &[]));
    handshake(&mut c, &mut s);
    assert_eq!(c.peer_raw_public_key(), Some(leaf_spki().as_slice()));
    // The client's raw key, the server's certificate.
    let (mut c, mut s) = pair(client(false, Some(5)), server(false, &[5]));
    handshake(&mut c, &mut s);
    assert_eq!(c.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(c.peer_certificates()[0].as_ref(), pki().leaf_der.as_slice());
    assert_eq!(
        s.peer_raw_public_key(),
        Some(ed25519_spki(&key(5)).as_slice())
    );
}

// ---- attacks on the plaintext flights ----

/// A handshake with `f` rewriting the client's plaintext messages and `g` the server's.
fn run(
    (cc, sc): (Arc<ClientConfig>, Arc<ServerConfig>),
    f: &dyn Fn(&mut Vec<u8>),
    g: &dyn Fn(&mut Vec<u8>),
) -> (Option<Error>, Option<Error>) {
    common::tamper::tampered_with(&common::tamper::rewrite_messages, cc, sc, f, g)
}

fn keep(_: &mut Vec<u8>) {}

/// A framed Certificate message (type 11) with `body`.
fn certificate_message(body: &[u8]) -> Vec<u8> {
    let n = u32::try_from(body.len()).unwrap().to_be_bytes();
    let mut m = vec![11, n[1], n[2], n[3]];
    m.extend_from_slice(body);
    m
}

fn u24(bytes: &[u8]) -> Vec<u8> {
    let n = u32::try_from(bytes.len()).unwrap().to_be_bytes();
    let mut v = vec![n[1], n[2], n[3]];
    v.extend_from_slice(bytes);
    v
}

/// Replace the Certificate message by one whose body is `body`.
fn certificate_body(body: Vec<u8>) -> impl Fn(&mut Vec<u8>) {
    move |m| {
        if m.first() == Some(&11) {
            *m = certificate_message(&body);
        }
    }
}

/// Add `ext` to the ServerHello.
fn server_hello_with(ext: Extension<'static>) -> impl Fn(&mut Vec<u8>) {
    move |m| {
        let Ok(Some((raw, _))) = RawHandshake::split(m, 1 << 20) else {
            return;
        };
        let Ok(Tls12HandshakeMessage::ServerHello(sh)) = raw.parse_tls12() else {
            return;
        };
        let mut sh = sh.into_owned();
        sh.extensions.push(ext.clone());
        *m = tryst::messages::Codec::to_bytes(&Tls12HandshakeMessage::ServerHello(sh)).unwrap();
    }
}

fn cert_type(typ: ExtensionType, body: &[u8]) -> Extension<'static> {
    Extension::Unknown {
        typ,
        data: body.to_vec().into(),
    }
}

fn assert_alert(e: &Option<Error>, alert: AlertDescription, peer: &Option<Error>) {
    let got = e.as_ref().expect("must fail");
    assert_eq!(got.alert(), Some(alert), "{got}");
    assert_eq!(peer, &Some(Error::AlertReceived(alert)), "{peer:?}");
}

#[test]
fn the_x509_form_where_a_raw_key_was_negotiated_is_bad_certificate() {
    // The client's Certificate as an X.509 list (of its key's certificate).
    let x509 = u24(&u24(&pki().client_der));
    let (ce, se) = run(
        (client(false, Some(5)), server(false, &[5])),
        &certificate_body(x509.clone()),
        &keep,
    );
    assert_alert(&se, AlertDescription::BadCertificate, &ce);
    // The server's, likewise (the list form of its certificate).
    let x509 = u24(&u24(&pki().leaf_der));
    let (ce, se) = run(
        (client(true, None), server(true, &[])),
        &keep,
        &certificate_body(x509),
    );
    assert_alert(&ce, AlertDescription::BadCertificate, &se);
}

#[test]
fn a_raw_key_where_x509_was_negotiated_is_refused() {
    // A server that did not select RawPublicKey sends its SPKI as if it had.
    let (ce, se) = run(
        (client(false, None), server(false, &[])),
        &keep,
        &certificate_body(u24(&leaf_spki())),
    );
    let e = ce.as_ref().expect("must fail");
    assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{e}");
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::DecodeError))
    );
}

#[test]
fn a_key_that_is_not_pinned_is_bad_certificate() {
    let (ce, se) = run((client(false, Some(7)), server(false, &[5])), &keep, &keep);
    assert_alert(&se, AlertDescription::BadCertificate, &ce);
    assert!(se.unwrap().to_string().contains("pinned"));
    let other = client_builder(&pki(), &clock(), b"client")
        .with_server_raw_public_keys(vec![ed25519_spki(&key(9))])
        .build()
        .unwrap();
    let (ce, se) = run((other, server(true, &[])), &keep, &keep);
    assert_alert(&ce, AlertDescription::BadCertificate, &se);
}

#[test]
fn an_spki_that_does_not_parse_is_bad_certificate() {
    let (ce, se) = run(
        (client(false, Some(5)), server(false, &[5])),
        &certificate_body(u24(b"\x30\x03not a key")),
        &keep,
    );
    assert_alert(&se, AlertDescription::BadCertificate, &ce);
}

#[test]
fn a_malformed_raw_certificate_is_decode_error() {
    let mut trailing = u24(&ed25519_spki(&key(5)));
    trailing.push(0);
    let (ce, se) = run(
        (client(false, Some(5)), server(false, &[5])),
        &certificate_body(trailing),
        &keep,
    );
    assert_alert(&se, AlertDescription::DecodeError, &ce);
}

#[test]
fn a_certificate_verify_from_another_key_is_decrypt_error() {
    let sc = server_builder(&pki(), &clock(), b"server")
        .with_protocol_versions(TLS12)
        .with_client_raw_public_keys(vec![ed25519_spki(&key(5)), ed25519_spki(&key(6))], true)
        .build()
        .unwrap();
    let (ce, se) = run(
        (client(false, Some(5)), sc),
        &certificate_body(u24(&ed25519_spki(&key(6)))),
        &keep,
    );
    assert_alert(&se, AlertDescription::DecryptError, &ce);
}

#[test]
fn no_key_when_one_is_required_is_handshake_failure() {
    let drop_key = |m: &mut Vec<u8>| {
        match m.first() {
            Some(11) => *m = certificate_message(&[0, 0, 0]),
            Some(15) => m.clear(), // CertificateVerify
            _ => {}
        }
    };
    let (ce, se) = run(
        (client(false, Some(5)), server(false, &[5])),
        &drop_key,
        &keep,
    );
    assert_alert(&se, AlertDescription::HandshakeFailure, &ce);
    assert!(se.unwrap().to_string().contains("required"));
}

#[test]
fn a_client_type_the_client_never_offered_is_illegal_parameter() {
    // X509 was not offered (no client certificate).
    let g = server_hello_with(cert_type(ExtensionType::ClientCertificateType, &[0]));
    let (ce, se) = run((client(false, Some(5)), server(false, &[])), &keep, &g);
    assert_alert(&ce, AlertDescription::IllegalParameter, &se);
    assert!(ce.unwrap().to_string().contains("did not offer"));
}

#[test]
fn a_server_type_the_client_never_offered_is_illegal_parameter() {
    // The client asked for RawPublicKey alone; this server would send its certificate.
    // A server without raw keys refuses a RawPublicKey-only client itself: take one with
    // raw keys and make its answer name X509.
    let (ce, _) = run((client(true, None), server(true, &[])), &keep, &|m| {
        if let Ok(Some((raw, _))) = RawHandshake::split(m, 1 << 20)
            && let Ok(Tls12HandshakeMessage::ServerHello(sh)) = raw.parse_tls12()
        {
            let mut sh = sh.into_owned();
            for e in &mut sh.extensions {
                if e.ext_type() == ExtensionType::ServerCertificateType {
                    *e = cert_type(ExtensionType::ServerCertificateType, &[0]);
                }
            }
            *m = tryst::messages::Codec::to_bytes(&Tls12HandshakeMessage::ServerHello(sh)).unwrap();
        }
    });
    let e = ce.expect("must fail");
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("not the one type we offered"), "{e}");
}

#[test]
fn a_server_that_ignores_the_server_type_is_unsupported_certificate() {
    // As a TLS 1.2 server without RFC 7250 would: no server_certificate_type in its
    // ServerHello (it sends its certificate).
    let strip = |m: &mut Vec<u8>| {
        if let Ok(Some((raw, _))) = RawHandshake::split(m, 1 << 20)
            && let Ok(Tls12HandshakeMessage::ServerHello(sh)) = raw.parse_tls12()
        {
            let mut sh = sh.into_owned();
            sh.extensions
                .retain(|e| e.ext_type() != ExtensionType::ServerCertificateType);
            *m = tryst::messages::Codec::to_bytes(&Tls12HandshakeMessage::ServerHello(sh)).unwrap();
        }
    };
    let (ce, se) = run((client(true, None), server(true, &[])), &keep, &strip);
    assert_alert(&ce, AlertDescription::UnsupportedCertificate, &se);
}

#[test]
fn a_client_type_without_a_certificate_request_is_illegal_parameter() {
    let g = server_hello_with(cert_type(ExtensionType::ClientCertificateType, &[2]));
    // This server does not authenticate clients, so it sends no CertificateRequest.
    let (ce, se) = run((client(false, Some(5)), server(false, &[])), &keep, &g);
    assert_alert(&ce, AlertDescription::IllegalParameter, &se);
    assert!(ce.unwrap().to_string().contains("no CertificateRequest"));
}

#[test]
fn a_server_type_from_a_client_that_did_not_ask_is_unsupported_extension() {
    let g = server_hello_with(cert_type(ExtensionType::ServerCertificateType, &[2]));
    let (ce, se) = run((client(false, None), server(false, &[])), &keep, &g);
    assert_alert(&ce, AlertDescription::UnsupportedExtension, &se);
}
