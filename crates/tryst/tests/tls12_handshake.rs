//! TLS 1.2 between tryst peers in memory: a client offering TLS 1.3 and 1.2 against a
//! server that speaks TLS 1.2 only, every suite and group, data, exporters, close.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use tryst::messages::{NamedGroup, ProtocolVersion};
use tryst::suites::*;

fn tls12_server(p: &Pki, clock: &Arc<tryst::ManualClock>) -> tryst::ServerConfigBuilder {
    server_builder(p, clock, b"server").with_protocol_versions(&[ProtocolVersion::Tls12])
}

#[test]
fn negotiates_tls12_with_a_tls12_only_server() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = tls12_server(&p, &clock).build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    c.send_plaintext(b"early bytes wait for the handshake")
        .unwrap();
    handshake(&mut c, &mut s);
    assert_eq!(c.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(s.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(
        c.negotiated_cipher_suite().unwrap().suite,
        TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.suite
    );
    assert_eq!(c.negotiated_group(), Some(NamedGroup::X25519));
    assert_eq!(c.peer_certificates().len(), 1);
    assert_eq!(read_all(&mut s), b"early bytes wait for the handshake");
    s.send_plaintext(b"pong").unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none());
    assert_eq!(read_all(&mut c), b"pong");
    let (mut a, mut b) = ([0u8; 40], [0u8; 40]);
    c.export_keying_material(&mut a, b"EXPERIMENTAL test", Some(b"ctx"))
        .unwrap();
    s.export_keying_material(&mut b, b"EXPERIMENTAL test", Some(b"ctx"))
        .unwrap();
    assert_eq!(a, b);
    s.export_keying_material(&mut b, b"EXPERIMENTAL test", None)
        .unwrap();
    assert_ne!(a, b, "no context differs from an empty one (RFC 5705 §4)");
    c.send_close_notify();
    let _ = transfer(&mut c, &mut s);
    assert!(s.peer_has_closed());
}

#[test]
fn every_suite_and_group() {
    let p = pki();
    let clock = clock();
    for suite in [
        TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TLS12_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TLS12_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ] {
        for group in [X25519_GROUP, SECP256R1_GROUP, SECP384R1_GROUP] {
            let cc = client_builder(&p, &clock, b"client").build().unwrap();
            let sc = tls12_server(&p, &clock)
                .with_cipher_suites(&[suite])
                .with_groups(&[group])
                .build()
                .unwrap();
            let (mut c, mut s) = pair(cc, sc);
            handshake(&mut c, &mut s);
            assert_eq!(c.negotiated_cipher_suite().unwrap().suite, suite.suite);
            assert_eq!(s.negotiated_group(), Some(group.group));
            let big = vec![7u8; 40_000];
            c.send_plaintext(&big).unwrap();
            let _ = transfer(&mut c, &mut s);
            assert_eq!(read_all(&mut s), big, "{suite:?} {group:?}");
        }
    }
}

struct Lines(Mutex<Vec<String>>);
impl tryst::KeyLog for Lines {
    fn log(&self, label: &str, random: &[u8; 32], secret: &[u8]) {
        self.0.lock().unwrap().push(format!(
            "{label} {} {}",
            hex::encode(random),
            hex::encode(secret)
        ));
    }
}

#[test]
fn key_log_has_one_client_random_line_on_each_side() {
    let p = pki();
    let clock = clock();
    let (cl, sl) = (
        Arc::new(Lines(Mutex::default())),
        Arc::new(Lines(Mutex::default())),
    );
    let cc = client_builder(&p, &clock, b"client")
        .with_key_log(cl.clone())
        .build()
        .unwrap();
    let sc = tls12_server(&p, &clock)
        .with_key_log(sl.clone())
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    let (cl, sl) = (cl.0.lock().unwrap(), sl.0.lock().unwrap());
    assert_eq!(*cl, *sl);
    assert_eq!(cl.len(), 1);
    let parts: Vec<&str> = cl[0].split(' ').collect();
    assert_eq!(parts[0], "CLIENT_RANDOM");
    assert_eq!(parts[2].len(), 96, "a 48-byte master secret");
}

fn client_auth_server(
    p: &Pki,
    clock: &Arc<tryst::ManualClock>,
    mandatory: bool,
) -> Arc<tryst::ServerConfig> {
    let v = tryst::verify::WebPkiClientVerifier::new(anchors(p));
    let v = if mandatory { v } else { v.optional() };
    tls12_server(p, clock)
        .with_client_cert_verifier(Arc::new(v))
        .build()
        .unwrap()
}

fn client_key(p: &Pki) -> tryst::CertifiedKey {
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(key(3));
    tryst::CertifiedKey::new(vec![p.client_der.clone().into()], signer).unwrap()
}

#[test]
fn client_authentication_in_tls12() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_client_auth_cert(client_key(&p))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, client_auth_server(&p, &clock, true));
    handshake(&mut c, &mut s);
    assert_eq!(s.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(s.peer_certificates().len(), 1);
    assert_eq!(s.peer_certificates()[0].as_ref(), p.client_der.as_slice());
}

#[test]
fn client_without_a_certificate_in_tls12() {
    let p = pki();
    let clock = clock();
    // Optional: the client goes in anonymous.
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let (mut c, mut s) = pair(cc.clone(), client_auth_server(&p, &clock, false));
    handshake(&mut c, &mut s);
    assert!(s.peer_certificates().is_empty());
    // Mandatory: handshake_failure (TLS 1.2 has no certificate_required).
    let (mut c, mut s) = pair(cc, client_auth_server(&p, &clock, true));
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(
        se.as_ref().and_then(tryst::Error::alert),
        Some(tryst::messages::AlertDescription::HandshakeFailure)
    );
}

#[test]
fn client_certificate_from_another_ca_is_refused_in_tls12() {
    let p = pki();
    let clock = clock();
    let other = tryst::cert::CertificateBuilder::new(
        "stranger",
        1_767_225_600 - 100,
        1_767_225_600 + 86_400,
    )
    .client_auth()
    .self_signed(&key(3))
    .unwrap();
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(key(3));
    let ck = tryst::CertifiedKey::new(vec![other.into()], signer).unwrap();
    let cc = client_builder(&p, &clock, b"client")
        .with_client_auth_cert(ck)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, client_auth_server(&p, &clock, true));
    let (_, se) = transfer(&mut c, &mut s);
    assert!(matches!(se, Some(tryst::Error::Certificate(_))), "{se:?}");
    assert!(c.is_handshaking());
}

#[test]
fn ticket_resumption_in_tls12() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = tls12_server(&p, &clock).build().unwrap();
    let mut masters = Vec::new();
    for round in 0..3 {
        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        let expect = if round == 0 {
            tryst::HandshakeKind::Full
        } else {
            tryst::HandshakeKind::Resumed
        };
        assert_eq!(c.handshake_kind(), Some(expect), "round {round}");
        assert_eq!(s.handshake_kind(), Some(expect), "round {round}");
        assert_eq!(
            c.peer_certificates().len(),
            1,
            "kept from the first session"
        );
        // A TLS 1.2 resumption has no key exchange of its own.
        let group = (round == 0).then_some(NamedGroup::X25519);
        assert_eq!(c.negotiated_group(), group, "round {round}");
        assert_eq!(s.negotiated_group(), group, "round {round}");
        c.send_plaintext(b"resumed data").unwrap();
        let _ = transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"resumed data");
        let mut e = [0u8; 16];
        c.export_keying_material(&mut e, b"EXPERIMENTAL r", None)
            .unwrap();
        masters.push(e);
    }
    // New randoms each time: the exporters (so the keys) differ.
    assert_ne!(masters[1], masters[2]);
}

#[test]
fn tls12_ticket_does_not_cross_alpn_or_client_auth_policy() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let keys = Arc::new(tryst::TicketKeys::new(
        tryst::crypto::Secret::from_slice(&[4; 32]).unwrap(),
        std::time::Duration::from_secs(3600),
    ));
    let h2 = tls12_server(&p, &clock)
        .with_ticket_keys(keys.clone())
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .build()
        .unwrap();
    let h1 = tls12_server(&p, &clock)
        .with_ticket_keys(keys.clone())
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc.clone(), h2.clone());
    handshake(&mut c, &mut s);
    // Another ALPN protocol: the ticket is not resumed (full handshake).
    let (mut c, mut s) = pair(cc.clone(), h1);
    handshake(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(tryst::HandshakeKind::Full));
    assert_eq!(c.alpn_protocol(), Some(&b"http/1.1"[..]));
    // Same keys, a config that now requires client certificates: full handshake too.
    let strict = tls12_server(&p, &clock)
        .with_ticket_keys(keys)
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .with_client_cert_verifier(Arc::new(
            tryst::verify::WebPkiClientVerifier::new(anchors(&p)).optional(),
        ))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, strict);
    handshake(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(tryst::HandshakeKind::Full));
}

#[test]
fn tls12_through_the_zero_copy_api() {
    // The client reads everything with process_in_place (ChangeCipherSpec included) and
    // writes with encrypt_into.
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let (mut c, mut s) = pair(cc, tls12_server(&p, &clock).build().unwrap());
    let mut plain = Vec::new();
    for _ in 0..8 {
        let out = c.pending_tls().to_vec();
        c.consume_tls(out.len());
        s.read_tls_bytes(&out);
        s.process_new_packets().unwrap();
        let mut buf = s.pending_tls().to_vec();
        s.consume_tls(buf.len());
        let mut off = 0;
        while off < buf.len() {
            let r = c.process_in_place(&mut buf[off..]).unwrap();
            if let Some(data) = r.plaintext {
                plain.extend_from_slice(data);
            }
            assert!(r.consumed > 0);
            off += r.consumed;
        }
        if !c.is_handshaking() && !s.is_handshaking() && c.pending_tls().is_empty() {
            break;
        }
    }
    assert_eq!(c.protocol_version(), Some(ProtocolVersion::Tls12));
    let mut out = vec![0u8; 256];
    let n = c.encrypt_into(b"zero-copy in TLS 1.2", &mut out).unwrap();
    s.read_tls_bytes(&out[..n]);
    s.process_new_packets().unwrap();
    assert_eq!(read_all(&mut s), b"zero-copy in TLS 1.2");
    s.send_plaintext(b"back").unwrap();
    let mut buf = s.pending_tls().to_vec();
    let r = c.process_in_place(&mut buf).unwrap();
    assert_eq!(r.plaintext, Some(&b"back"[..]));
    assert!(plain.is_empty());
}
