//! Raw public keys for the server (RFC 7250) in TLS 1.3, tryst client and server: the
//! pinned SubjectPublicKeyInfo authenticates the server (and resumption still works); a
//! key that is not pinned is bad_certificate; a server that cannot serve the only type
//! the client lists refuses with unsupported_certificate; clients that do not ask get
//! the certificate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::tamper::assert_server_refused;
use common::*;
use tryst::messages::{AlertDescription, ProtocolVersion};
use tryst::{ClientConfig, Error, HandshakeKind, ServerConfig};

fn leaf_spki(p: &Pki) -> Vec<u8> {
    let cert = tryst::cert::Certificate::from_der(&p.leaf_der).unwrap();
    cert.public_key().unwrap().spki_der.to_vec()
}

fn server(rpk: bool) -> Arc<ServerConfig> {
    server_builder(&pki(), &clock(), b"server")
        .with_raw_public_key(rpk)
        .build()
        .unwrap()
}

fn client(pinned: Vec<Vec<u8>>) -> Arc<ClientConfig> {
    ClientConfig::builder()
        .with_server_raw_public_keys(pinned)
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .build()
        .unwrap()
}

#[test]
fn a_pinned_raw_key_authenticates_the_server_and_resumption_works() {
    let p = pki();
    let cc = client(vec![b"\x30\x00 another pinned key".to_vec(), leaf_spki(&p)]);
    let sc = server(true);
    for kind in [HandshakeKind::Full, HandshakeKind::Resumed] {
        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        assert_eq!(c.handshake_kind(), Some(kind));
        assert_eq!(c.peer_certificates()[0].as_ref(), leaf_spki(&p).as_slice());
        assert_eq!(c.protocol_version(), Some(ProtocolVersion::Tls13));
        c.send_plaintext(b"raw").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"raw");
    }
}

#[test]
fn a_key_that_is_not_pinned_is_bad_certificate() {
    let other = tryst::cert::Certificate::from_der(&pki().client_der)
        .unwrap()
        .public_key()
        .unwrap()
        .spki_der
        .to_vec();
    let (mut c, mut s) = pair(client(vec![other]), server(true));
    let (ce, se) = transfer(&mut c, &mut s);
    let ce = ce.expect("the client must refuse");
    assert_eq!(ce.alert(), Some(AlertDescription::BadCertificate), "{ce}");
    assert!(ce.to_string().contains("pinned"), "{ce}");
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

#[test]
fn a_server_without_raw_keys_refuses_a_raw_key_only_client() {
    let p = pki();
    let (mut c, mut s) = pair(client(vec![leaf_spki(&p)]), server(false));
    let (ce, se) = transfer(&mut c, &mut s);
    assert_server_refused(ce, se, AlertDescription::UnsupportedCertificate);
}

#[test]
fn clients_that_do_not_ask_get_the_certificate() {
    let p = pki();
    let cc = client_builder(&p, &clock(), b"client").build().unwrap();
    let (mut c, mut s) = pair(cc, server(true));
    handshake(&mut c, &mut s);
    assert_eq!(c.peer_certificates()[0].as_ref(), p.leaf_der.as_slice());
}

/// An RPK client against the scripted server's flight `s` (which sends the X.509 leaf).
fn scripted_rpk(s: &common::scripted::Script) -> Error {
    let p = pki();
    let cc = ClientConfig::builder()
        .with_server_raw_public_keys(vec![leaf_spki(&p)])
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .with_ech(tryst::EchMode::Disabled)
        .build()
        .unwrap();
    let mut c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    c.read_tls_bytes(&common::scripted::server_flight(&p, &ch, s));
    c.process_new_packets().expect_err("the client must refuse")
}

fn server_certificate_type(types: &[u8]) -> tryst::messages::Extension<'static> {
    tryst::messages::Extension::Unknown {
        typ: tryst::messages::ExtensionType::ServerCertificateType,
        data: types.to_vec().into(),
    }
}

#[test]
fn a_server_that_does_not_select_raw_keys_is_unsupported_certificate() {
    let e = scripted_rpk(&common::scripted::Script::default());
    assert_eq!(
        e.alert(),
        Some(AlertDescription::UnsupportedCertificate),
        "{e}"
    );
}

#[test]
fn a_server_that_selects_another_type_is_illegal_parameter() {
    let e = scripted_rpk(&common::scripted::Script {
        ee: vec![server_certificate_type(&[0])],
        ..Default::default()
    });
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
}

#[test]
fn a_certificate_where_a_raw_key_belongs_is_bad_certificate() {
    let e = scripted_rpk(&common::scripted::Script {
        ee: vec![server_certificate_type(&[2])],
        ..Default::default()
    });
    assert_eq!(e.alert(), Some(AlertDescription::BadCertificate), "{e}");
    assert!(e.to_string().contains("SubjectPublicKeyInfo"), "{e}");
}
