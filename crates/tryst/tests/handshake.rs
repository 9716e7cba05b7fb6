//! In-memory client/server tests for every feature of the connection layer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use tryst::HandshakeKind;
use tryst::messages::{AlertDescription, CipherSuite, NamedGroup, SignatureScheme};

#[test]
fn full_handshake_and_data() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(
        c.negotiated_cipher_suite().unwrap().suite,
        CipherSuite::TlsAes128GcmSha256
    );
    assert_eq!(c.negotiated_group(), Some(NamedGroup::X25519));
    assert_eq!(c.signature_scheme(), Some(SignatureScheme::Ed25519));
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(c.peer_certificates().len(), 1);
    assert_eq!(s.server_name(), Some("localhost"));

    c.send_plaintext(b"hello server").unwrap();
    s.send_plaintext(b"hello client").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"hello server");
    assert_eq!(read_all(&mut c), b"hello client");

    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    c.export_keying_material(&mut a, b"EXPORTER-test", Some(b"ctx"))
        .unwrap();
    s.export_keying_material(&mut b, b"EXPORTER-test", Some(b"ctx"))
        .unwrap();
    assert_eq!(a, b);

    c.send_close_notify();
    transfer(&mut c, &mut s);
    assert!(s.peer_has_closed());
}

#[test]
fn bad_hostname_is_rejected_with_alert() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let mut c = tryst::ClientConnection::new(
        cc,
        tryst::pki_types::ServerName::try_from("example.com").unwrap(),
    )
    .unwrap();
    let mut s = tryst::ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    let ce = ce.expect("client must fail");
    assert!(matches!(ce, tryst::Error::Certificate(_)), "{ce:?}");
    assert!(matches!(se, Some(tryst::Error::AlertReceived(_))), "{se:?}");
    let _ = AlertDescription::BadCertificate;
}
