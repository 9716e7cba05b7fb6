//! Post-handshake client authentication (RFC 8446 §4.6.2) between tryst client and
//! server, and the attacks on both sides: a CertificateRequest the client did not offer
//! post_handshake_auth for (unexpected_message), an empty or reused context
//! (illegal_parameter), a wrong context in the client's Certificate (illegal_parameter),
//! a bad Finished (decrypt_error), a refused certificate, and no certificate when one is
//! required (certificate_required). Injected records are sealed with the key log's
//! secrets at sequence number 0 (the server sends no tickets, the client no data).
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
use common::tamper::feed;
use common::*;
use tryst::crypto::AES_128_GCM;
use tryst::messages::{
    AlertDescription, CertificateRequest, Codec, ContentType, Extension, HandshakeMessage,
    RawHandshake, SignatureScheme,
};
use tryst::pha::PostHandshakeAuth;
use tryst::pki_types::CertificateDer;
use tryst::suites::TLS13_AES_128_GCM_SHA256;
use tryst::verify::WebPkiClientVerifier;
use tryst::{CertifiedKey, ClientCertResolver, ClientConnection, Error, ServerConnection};
use tryst_record::{Message, RecordDecrypter};

struct Setup {
    c: ClientConnection,
    s: ServerConnection,
    log: Arc<CollectLog>,
}

fn client_key(p: &Pki) -> CertifiedKey {
    CertifiedKey::new(
        vec![CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap()
}

/// A connected pair on TLS_AES_128_GCM_SHA256 with logged secrets and no tickets. The
/// client has `cert` (or an empty resolver) and offers post_handshake_auth when `offer`;
/// the server checks post-handshake certificates with `verifier`.
fn setup(offer: bool, cert: Option<CertifiedKey>, verifier: WebPkiClientVerifier) -> Setup {
    let p = pki();
    let clock = clock();
    let log = Arc::new(CollectLog::default());
    let mut cb = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .with_key_log(log.clone())
        .with_post_handshake_auth(offer);
    cb = match cert {
        Some(k) => cb.with_client_auth_cert(k),
        None => cb.with_client_cert_resolver(Arc::new(ClientCertResolver::new(vec![]))),
    };
    let sb = server_builder(&p, &clock, b"server")
        .with_ticket_count(0)
        .with_post_handshake_client_verifier(Arc::new(verifier));
    let (mut c, mut s) = pair(cb.build().unwrap(), sb.build().unwrap());
    handshake(&mut c, &mut s);
    Setup { c, s, log }
}

fn verifier() -> WebPkiClientVerifier {
    WebPkiClientVerifier::new(anchors(&pki()))
}

fn standard() -> Setup {
    let p = pki();
    setup(true, Some(client_key(&p)), verifier())
}

#[test]
fn the_server_asks_after_the_handshake_and_learns_the_certificate() {
    let Setup { mut c, mut s, .. } = standard();
    assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Offered);
    assert!(
        s.peer_certificates().is_empty(),
        "no certificate in the handshake"
    );
    for round in 0..2 {
        s.request_client_certificate().unwrap();
        assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Pending);
        assert!(
            s.request_client_certificate().is_err(),
            "one request at a time"
        );
        let (ce, se) = transfer(&mut c, &mut s);
        assert!(ce.is_none() && se.is_none(), "round {round}: {ce:?} {se:?}");
        assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
        assert_eq!(
            s.peer_certificates()[0].as_ref(),
            pki().client_der.as_slice()
        );
    }
    // Application data still flows both ways.
    c.send_plaintext(b"after").unwrap();
    s.send_plaintext(b"pha").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"after");
    assert_eq!(read_all(&mut c), b"pha");
}

#[test]
fn the_server_records_an_event() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_client_auth_cert(client_key(&p))
        .with_post_handshake_auth(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_post_handshake_client_verifier(Arc::new(verifier()))
        .build()
        .unwrap();
    let mut c = ClientConnection::new(cc, localhost()).unwrap();
    let mut s = ServerConnection::new_traced(sc, true).unwrap();
    handshake(&mut c, &mut s);
    s.request_client_certificate().unwrap();
    transfer(&mut c, &mut s);
    let events = s.take_events();
    assert!(
        events.contains(&tryst::Event::PostHandshakeAuth {
            authenticated: true
        }),
        "{events:?}"
    );
}

#[test]
fn no_request_unless_the_client_offered() {
    let p = pki();
    // Configured off, or on without a certificate to offer: no post_handshake_auth.
    let mut s1 = setup(false, Some(client_key(&p)), verifier());
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_post_handshake_auth(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_post_handshake_client_verifier(Arc::new(verifier()))
        .build()
        .unwrap();
    let (mut c2, mut s2) = pair(cc, sc);
    handshake(&mut c2, &mut s2);
    for s in [&mut s1.s, &mut s2] {
        assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::NotOffered);
        let e = s.request_client_certificate().unwrap_err();
        assert!(matches!(e, Error::NotReady(_)), "{e}");
        assert!(s.pending_tls().is_empty(), "nothing was sent");
    }
}

#[test]
fn no_request_before_the_handshake_completes() {
    let p = pki();
    let clock = clock();
    let sc = server_builder(&p, &clock, b"server")
        .with_post_handshake_client_verifier(Arc::new(verifier()))
        .build()
        .unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    assert!(matches!(
        s.request_client_certificate(),
        Err(Error::NotReady(_))
    ));
}

/// Seal `msgs` as one handshake record under `label`'s secret (sequence number 0).
fn sealed(log: &CollectLog, label: &str, msgs: &[Vec<u8>]) -> Vec<u8> {
    seal(&log.secret(label), ContentType::Handshake, &msgs.concat())
}

fn request(context: &[u8]) -> Vec<u8> {
    HandshakeMessage::CertificateRequest(CertificateRequest {
        certificate_request_context: Cow::Owned(context.to_vec()),
        extensions: vec![Extension::SignatureAlgorithms(vec![
            SignatureScheme::Ed25519,
        ])],
    })
    .to_bytes()
    .unwrap()
}

/// The client's answer to `msgs` from the "server": its error and the alert it sent.
fn client_refuses(t: &mut Setup, msgs: &[Vec<u8>]) -> Error {
    let rec = sealed(&t.log, "SERVER_TRAFFIC_SECRET_0", msgs);
    let mut ce = None;
    feed(&mut t.c, &rec, &mut ce);
    ce.expect("the client must refuse")
}

#[test]
fn an_unsolicited_certificate_request_is_unexpected_message() {
    let p = pki();
    let mut t = setup(false, Some(client_key(&p)), verifier());
    let e = client_refuses(&mut t, &[request(b"ctx1")]);
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
    assert!(e.to_string().contains("post_handshake_auth"), "{e}");
}

#[test]
fn an_empty_context_is_illegal_parameter() {
    let mut t = standard();
    let e = client_refuses(&mut t, &[request(b"")]);
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn a_reused_context_is_illegal_parameter() {
    let mut t = standard();
    let e = client_refuses(&mut t, &[request(b"same"), request(b"same")]);
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("twice"), "{e}");
}

/// The server asks; the client answers; `f` edits the answer's messages before the
/// server reads them (resealed at sequence number 0). Returns the server's error.
fn server_answer(t: &mut Setup, f: &dyn Fn(&mut Vec<Vec<u8>>)) -> Option<Error> {
    t.s.request_client_certificate().unwrap();
    let cr = t.s.pending_tls().to_vec();
    t.s.consume_tls(cr.len());
    let mut ce = None;
    feed(&mut t.c, &cr, &mut ce);
    assert!(ce.is_none(), "{ce:?}");
    let out = t.c.pending_tls().to_vec();
    t.c.consume_tls(out.len());
    let k = t.log.keys("CLIENT_TRAFFIC_SECRET_0");
    let mut dec = RecordDecrypter::new();
    dec.set_key(AES_128_GCM, &k.key, k.iv).unwrap();
    let mut plain = Vec::new();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        let mut rec = rec.to_vec();
        if let Some(Message::Handshake(b)) = dec.open_in_place(&mut rec).unwrap() {
            plain.extend_from_slice(b);
        }
    }
    let mut msgs = Vec::new();
    let mut rest = plain.as_slice();
    while let Some((raw, tail)) = RawHandshake::split(rest, 1 << 20).unwrap() {
        msgs.push(raw.encoded.to_vec());
        rest = tail;
    }
    f(&mut msgs);
    let mut se = None;
    feed(
        &mut t.s,
        &sealed(&t.log, "CLIENT_TRAFFIC_SECRET_0", &msgs),
        &mut se,
    );
    se
}

fn server_refuses(t: &mut Setup, f: &dyn Fn(&mut Vec<Vec<u8>>)) -> Error {
    server_answer(t, f).expect("the server must refuse")
}

#[test]
fn the_untampered_answer_is_accepted() {
    // The resealing itself changes nothing: the server accepts an unedited answer.
    let mut t = standard();
    let se = server_answer(&mut t, &|m| {
        assert_eq!(m.len(), 3, "Certificate, CertificateVerify, Finished")
    });
    assert!(se.is_none(), "{se:?}");
    assert_eq!(t.s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
}

#[test]
fn a_wrong_context_in_the_certificate_is_illegal_parameter() {
    let mut t = standard();
    let e = server_refuses(&mut t, &|m| {
        // Certificate: type, 3-byte length, context length, context...
        let last = 4 + 1;
        m[0][last] ^= 0xff;
    });
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    assert!(e.to_string().contains("certificate_request_context"), "{e}");
}

#[test]
fn a_bad_finished_is_decrypt_error() {
    let mut t = standard();
    let e = server_refuses(&mut t, &|m| {
        let fin = m.last_mut().unwrap();
        let n = fin.len();
        fin[n - 1] ^= 1;
    });
    assert_eq!(e.alert(), Some(AlertDescription::DecryptError), "{e}");
    assert_ne!(t.s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
}

#[test]
fn a_certificate_from_another_ca_is_refused_with_its_alert() {
    let p = pki();
    let other_ca = tryst::cert::CertificateBuilder::new("other CA", 0, i64::MAX / 2)
        .ca(None)
        .self_signed(&key(40))
        .unwrap();
    let strict = WebPkiClientVerifier::new(
        tryst::cert::TrustAnchors::from_der([other_ca.as_slice()]).unwrap(),
    );
    let mut t = setup(true, Some(client_key(&p)), strict);
    t.s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut t.c, &mut t.s);
    let se = se.expect("the server must refuse");
    let alert = se.alert().expect("an alert");
    assert_eq!(ce, Some(Error::AlertReceived(alert)), "{se}");
    assert_eq!(alert, AlertDescription::UnknownCa, "{se}");
    assert!(t.s.peer_certificates().is_empty());
}

#[test]
fn no_certificate_when_one_is_required_is_certificate_required() {
    let mut t = setup(true, None, verifier());
    t.s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut t.c, &mut t.s);
    let se = se.expect("the server must refuse");
    assert_eq!(
        se.alert(),
        Some(AlertDescription::CertificateRequired),
        "{se}"
    );
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::CertificateRequired))
    );
}

#[test]
fn no_certificate_is_accepted_when_optional() {
    let mut t = setup(true, None, verifier().optional());
    t.s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut t.c, &mut t.s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(t.s.post_handshake_auth(), PostHandshakeAuth::NoCertificate);
    assert!(t.s.peer_certificates().is_empty());
}

#[test]
fn a_client_that_closed_leaves_the_request_unanswered() {
    let Setup { mut c, mut s, .. } = standard();
    c.send_close_notify();
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert!(s.peer_has_closed());
    assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Pending);
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn an_unrequested_client_finished_is_unexpected_message() {
    let mut t = standard();
    let fin = HandshakeMessage::Finished(tryst::messages::Finished {
        verify_data: vec![0u8; 32].into(),
    })
    .to_bytes()
    .unwrap();
    let mut se = None;
    feed(
        &mut t.s,
        &sealed(&t.log, "CLIENT_TRAFFIC_SECRET_0", &[fin]),
        &mut se,
    );
    let e = se.expect("the server must refuse");
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
}

#[test]
fn the_answer_uses_the_current_traffic_secret_after_key_updates() {
    let Setup { mut c, mut s, .. } = standard();
    c.refresh_traffic_keys(true).unwrap();
    transfer(&mut c, &mut s);
    s.refresh_traffic_keys(false).unwrap();
    transfer(&mut c, &mut s);
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
}
