//! Tickets after post-handshake authentication (RFC 8446 §4.6.2, §4.6.1): once a client
//! has authenticated after the handshake, the server sends fresh NewSessionTickets that
//! record that client, and a resumption under one of them reports its certificate.
//! Tickets sent before keep what the handshake recorded (no upgrade). A resuming server
//! re-checks the recorded chain with its post-handshake verifier (and with its handshake
//! verifier when it has one) and falls back to a full handshake when either refuses.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::*;
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::messages::AlertDescription;
use tryst::pha::PostHandshakeAuth;
use tryst::pki_types::{CertificateDer, UnixTime};
use tryst::session::{ClientSessionStore, InMemorySessionStore, Tls13Ticket};
use tryst::verify::{CertificateVerified, ClientCertVerifier, WebPkiClientVerifier};
use tryst::{
    CertifiedKey, ClientConfig, Error, HandshakeKind, ManualClock, ServerConfig,
    ServerConfigBuilder,
};

fn client_key(p: &Pki) -> CertifiedKey {
    CertifiedKey::new(
        vec![CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap()
}

fn client(
    p: &Pki,
    clock: &Arc<ManualClock>,
    store: Arc<InMemorySessionStore>,
) -> Arc<ClientConfig> {
    client_builder(p, clock, b"client")
        .with_client_auth_cert(client_key(p))
        .with_post_handshake_auth(true)
        .with_session_store(Some(store))
        .build()
        .unwrap()
}

fn verifier() -> Arc<dyn ClientCertVerifier> {
    Arc::new(WebPkiClientVerifier::new(anchors(&pki())))
}

/// A verifier whose only anchor is a CA that issued nothing here.
fn stranger() -> Arc<dyn ClientCertVerifier> {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let ca = CertificateBuilder::new("another CA", nb, nb + 365 * 86_400)
        .ca(None)
        .key_usage(tryst::cert::KeyUsage::KEY_CERT_SIGN)
        .self_signed(&key(9))
        .unwrap();
    Arc::new(WebPkiClientVerifier::new(
        TrustAnchors::from_der([ca.as_slice()]).unwrap(),
    ))
}

/// Post-handshake authentication only (no certificate asked for in the handshake).
fn pha_server(p: &Pki, clock: &Arc<ManualClock>) -> ServerConfigBuilder {
    server_builder(p, clock, b"server").with_post_handshake_client_verifier(verifier())
}

/// Take every ticket the store holds for localhost.
fn drain(store: &InMemorySessionStore) -> Vec<Tls13Ticket> {
    std::iter::from_fn(|| store.take(&localhost())).collect()
}

fn store_with(tickets: Vec<Tls13Ticket>) -> Arc<InMemorySessionStore> {
    let s = Arc::new(InMemorySessionStore::new(4));
    for t in tickets {
        s.insert(&localhost(), t);
    }
    s
}

/// A handshake, the tickets sent with it, a post-handshake authentication, the tickets
/// sent after it. Returns (before, after).
fn tickets_around_pha(sc: Arc<ServerConfig>) -> (Vec<Tls13Ticket>, Vec<Tls13Ticket>) {
    let p = pki();
    let clock = clock();
    let store = Arc::new(InMemorySessionStore::new(4));
    let (mut c, mut s) = pair(client(&p, &clock, store.clone()), sc);
    handshake(&mut c, &mut s);
    let before = drain(&store);
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
    let after = drain(&store);
    (before, after)
}

/// Resume with `tickets` against `sc`: (resumed?, the client certificates the server
/// reports).
fn resume(tickets: Vec<Tls13Ticket>, sc: Arc<ServerConfig>) -> (bool, Vec<Vec<u8>>) {
    let p = pki();
    let clock = clock();
    let (mut c, mut s) = pair(client(&p, &clock, store_with(tickets)), sc);
    handshake(&mut c, &mut s);
    let resumed = s.handshake_kind() == Some(HandshakeKind::Resumed);
    assert_eq!(c.handshake_kind(), s.handshake_kind());
    let certs = s
        .peer_certificates()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    (resumed, certs)
}

#[test]
fn fresh_tickets_follow_a_post_handshake_authentication_and_resume_with_its_certificate() {
    let p = pki();
    let sc = pha_server(&p, &clock()).build().unwrap();
    let (before, after) = tickets_around_pha(sc.clone());
    assert_eq!(before.len(), 2, "the handshake's tickets");
    assert_eq!(
        after.len(),
        2,
        "ticket_count fresh tickets after the authentication"
    );
    for t in after {
        let (resumed, certs) = resume(vec![t], sc.clone());
        assert!(resumed);
        assert_eq!(certs, vec![p.client_der.clone()]);
    }
}

#[test]
fn tickets_sent_before_keep_the_handshakes_identity() {
    let p = pki();
    let sc = pha_server(&p, &clock()).build().unwrap();
    let (before, _) = tickets_around_pha(sc.clone());
    for t in before {
        let (resumed, certs) = resume(vec![t], sc.clone());
        assert!(resumed);
        assert!(certs.is_empty(), "no upgrade: {certs:?}");
    }
}

#[test]
fn no_tickets_after_an_authentication_without_a_certificate_or_with_tickets_off() {
    let p = pki();
    let clock = clock();
    // Tickets off: nothing before, nothing after.
    let sc = pha_server(&p, &clock).with_ticket_count(0).build().unwrap();
    let (before, after) = tickets_around_pha(sc);
    assert!(before.is_empty() && after.is_empty());
    // A client that answers with no certificate (allowed by an optional verifier) gets
    // no new tickets: its identity did not change.
    let store = Arc::new(InMemorySessionStore::new(4));
    let cc = client_builder(&p, &clock, b"client")
        .with_client_cert_resolver(Arc::new(tryst::ClientCertResolver::new(vec![])))
        .with_post_handshake_auth(true)
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_post_handshake_client_verifier(Arc::new(
            WebPkiClientVerifier::new(anchors(&p)).optional(),
        ))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(drain(&store).len(), 2);
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::NoCertificate);
    assert!(drain(&store).is_empty());
}

#[test]
fn a_server_whose_post_handshake_verifier_refuses_the_chain_does_a_full_handshake() {
    let p = pki();
    let clock = clock();
    let (_, after) = tickets_around_pha(pha_server(&p, &clock).build().unwrap());
    // Same ticket keys and context (the post-handshake verifier is not part of it), but
    // the verifier no longer accepts the recorded client.
    let other = server_builder(&p, &clock, b"server")
        .with_post_handshake_client_verifier(stranger())
        .build()
        .unwrap();
    let (resumed, certs) = resume(after, other);
    assert!(!resumed);
    assert!(certs.is_empty());
    // A server that cannot authenticate clients at all does not resume them either.
    let (_, after) = tickets_around_pha(pha_server(&p, &clock).build().unwrap());
    let plain = server_builder(&p, &clock, b"server").build().unwrap();
    let (resumed, _) = resume(after, plain);
    assert!(!resumed);
}

#[test]
fn a_client_auth_required_server_resumes_post_handshake_tickets_it_would_accept() {
    let p = pki();
    let clock = clock();
    // Certificate required in the handshake; post-handshake requests use the same
    // verifier.
    let required = || {
        server_builder(&p, &clock, b"server")
            .with_client_cert_verifier(verifier())
            .build()
            .unwrap()
    };
    let (before, after) = tickets_around_pha(required());
    assert_eq!((before.len(), after.len()), (2, 2));
    for t in before.into_iter().chain(after) {
        let (resumed, certs) = resume(vec![t], required());
        assert!(resumed);
        assert_eq!(certs, vec![p.client_der.clone()]);
    }
    // Tickets from the post-handshake-only server carry another resumption context
    // (no handshake client auth): a client-auth-required server does a full handshake
    // and asks for the certificate.
    let (before, after) = tickets_around_pha(pha_server(&p, &clock).build().unwrap());
    for t in before.into_iter().chain(after) {
        let (resumed, certs) = resume(vec![t], required());
        assert!(!resumed);
        assert_eq!(certs, vec![p.client_der.clone()], "from the full handshake");
    }
    // With a separate post-handshake verifier, a ticket resumes when both accept the
    // recorded client ...
    let split = |hs: Arc<dyn ClientCertVerifier>| {
        server_builder(&p, &clock, b"server")
            .with_client_cert_verifier(hs)
            .with_post_handshake_client_verifier(verifier())
            .build()
            .unwrap()
    };
    let (_, after) = tickets_around_pha(split(verifier()));
    let mut after = after.into_iter();
    let (resumed, certs) = resume(vec![after.next().unwrap()], split(verifier()));
    assert!(resumed);
    assert_eq!(certs, vec![p.client_der.clone()]);
    // ... and not when the handshake verifier (same resumption identity, so the same
    // ticket context) now refuses it: the full handshake that follows asks for the
    // certificate, and that verifier refuses it there too.
    let (mut c, mut s) = pair(
        client(&p, &clock, store_with(vec![after.next().unwrap()])),
        split(Arc::new(Refusing(verifier()))),
    );
    let (ce, se) = transfer(&mut c, &mut s);
    let se = se.expect("the full handshake's verifier refuses");
    assert_eq!(se.alert(), Some(AlertDescription::BadCertificate), "{se}");
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

/// Like the verifier it wraps (same resumption identity), but refuses every chain.
struct Refusing(Arc<dyn ClientCertVerifier>);

impl ClientCertVerifier for Refusing {
    fn client_auth_mandatory(&self) -> bool {
        self.0.client_auth_mandatory()
    }

    fn resumption_identity(&self) -> Vec<u8> {
        self.0.resumption_identity()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        Err(Error::PeerMisbehaved {
            alert: AlertDescription::BadCertificate,
            rule: "test verifier refuses every client",
        })
    }
}
