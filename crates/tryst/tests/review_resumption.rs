//! Review finding 1 (issue 13): resumption must not skip authentication. Servers that share
//! `TicketKeys` resume only tickets issued under what they would require now (RFC 8446
//! §4.2.11, §4.6.1): the same resumption context and client-auth policy, the same SNI and
//! ALPN, and a client certificate this verifier still accepts. Clients likewise offer a
//! ticket only when their own verifier accepts the session's server chain.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::Signer;
use tryst::messages::AlertDescription;
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::session::{ClientSessionStore, InMemorySessionStore, Tls13Ticket};
use tryst::verify::{
    CertificateVerified, ClientCertVerifier, ServerCertVerifier, WebPkiClientVerifier,
};
use tryst::{CertifiedKey, ClientConfig, Error, HandshakeKind, ServerConfig};

fn client_cert(p: &Pki) -> CertifiedKey {
    CertifiedKey::new(
        vec![CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap()
}

fn required(p: &Pki) -> Arc<WebPkiClientVerifier> {
    Arc::new(WebPkiClientVerifier::new(anchors(p)))
}

/// A server that requires a client certificate under the test CA.
fn strict_server(p: &Pki, clock: &Arc<tryst::ManualClock>, seed: &[u8]) -> Arc<ServerConfig> {
    server_builder(p, clock, seed)
        .with_client_cert_verifier(required(p))
        .build()
        .unwrap()
}

/// A client that has the test client certificate.
fn client_with_cert(p: &Pki, clock: &Arc<tryst::ManualClock>, seed: &[u8]) -> Arc<ClientConfig> {
    client_builder(p, clock, seed)
        .with_client_auth_cert(client_cert(p))
        .build()
        .unwrap()
}

#[track_caller]
fn assert_no_error(ce: &Option<Error>, se: &Option<Error>) {
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
}

/// Full handshake with `sc1`, then collect its tickets.
fn first_session(cc: &Arc<ClientConfig>, sc1: &Arc<ServerConfig>) {
    let (mut c, mut s) = pair(cc.clone(), sc1.clone());
    handshake(&mut c, &mut s);
    assert!(!c.is_resumed());
    transfer(&mut c, &mut s); // the NewSessionTickets
}

/// A second connection to `sc2`; returns it with each side's first error.
fn second_session(
    cc: &Arc<ClientConfig>,
    sc2: &Arc<ServerConfig>,
) -> (
    tryst::ClientConnection,
    tryst::ServerConnection,
    Option<Error>,
    Option<Error>,
) {
    let (mut c, mut s) = pair(cc.clone(), sc2.clone());
    let (ce, se) = transfer(&mut c, &mut s);
    (c, s, ce, se)
}

#[test]
fn ticket_from_a_server_without_client_auth_does_not_resume_where_it_is_required() {
    let p = pki();
    let clock = clock();
    // Same ticket keys (server_builder shares them), different client-auth policy.
    let open = server_builder(&p, &clock, b"open").build().unwrap();
    let strict = strict_server(&p, &clock, b"strict");

    // An anonymous client: the ticket from `open` must not get it into `strict`.
    let anon = client_builder(&p, &clock, b"anon").build().unwrap();
    first_session(&anon, &open);
    let (c, s, ce, se) = second_session(&anon, &strict);
    assert!(!s.is_resumed() && !c.is_resumed());
    assert!(
        matches!(
            se,
            Some(Error::PeerMisbehaved {
                alert: AlertDescription::CertificateRequired,
                ..
            })
        ),
        "{se:?}"
    );
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::CertificateRequired))
    );
    assert!(s.peer_certificates().is_empty());

    // A client that has a certificate: a full handshake in which it is checked.
    let with_cert = client_with_cert(&p, &clock, b"with cert");
    first_session(&with_cert, &open);
    let (_c, s, ce, se) = second_session(&with_cert, &strict);
    assert_no_error(&ce, &se);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(s.peer_certificates().len(), 1);
}

#[test]
fn ticket_with_a_client_certificate_does_not_resume_without_client_auth() {
    // The other direction: a session authenticated under `strict` resumed at a config that
    // never asks for certificates would report a client identity it never checked.
    let p = pki();
    let clock = clock();
    let strict = strict_server(&p, &clock, b"strict");
    let open = server_builder(&p, &clock, b"open").build().unwrap();
    let cc = client_with_cert(&p, &clock, b"client");
    first_session(&cc, &strict);
    let (_c, s, ce, se) = second_session(&cc, &open);
    assert_no_error(&ce, &se);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn same_policy_resumes_and_keeps_the_client_identity() {
    let p = pki();
    let clock = clock();
    let a = strict_server(&p, &clock, b"a");
    // Another server of the fleet: its own verifier value over the same anchors.
    let b = strict_server(&p, &clock, b"b");
    let cc = client_with_cert(&p, &clock, b"client");
    first_session(&cc, &a);
    let (c, s, ce, se) = second_session(&cc, &b);
    assert_no_error(&ce, &se);
    assert!(c.is_resumed() && s.is_resumed());
    assert_eq!(
        s.peer_certificates(),
        [CertificateDer::from(p.client_der.clone())]
    );

    // Optional client auth: an anonymous session resumes anonymously.
    let opt = server_builder(&p, &clock, b"opt")
        .with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(anchors(&p)).optional()))
        .build()
        .unwrap();
    let anon = client_builder(&p, &clock, b"anon").build().unwrap();
    first_session(&anon, &opt);
    let (_c, s, ce, se) = second_session(&anon, &opt);
    assert_no_error(&ce, &se);
    assert!(s.is_resumed());
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn certificate_accepted_under_one_verifier_is_not_authenticated_under_another() {
    // Two client CAs; each server trusts one. Their WebPki verifiers have different
    // identities, so the tickets do not cross.
    let p = pki();
    let clock = clock();
    let other_ca_key = key(40);
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let other_ca = CertificateBuilder::new("other client CA", nb, nb + 365 * 86_400)
        .ca(None)
        .key_usage(tryst::cert::KeyUsage::KEY_CERT_SIGN)
        .self_signed(&other_ca_key)
        .unwrap();
    let other_anchors = TrustAnchors::from_der([other_ca.as_slice()]).unwrap();
    let a = strict_server(&p, &clock, b"a");
    let b = server_builder(&p, &clock, b"b")
        .with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(other_anchors.clone())))
        .build()
        .unwrap();
    let cc = client_with_cert(&p, &clock, b"client");
    first_session(&cc, &a);
    let (c, s, _ce, se) = second_session(&cc, &b);
    assert!(!c.is_resumed() && !s.is_resumed());
    // The full handshake checks the certificate under b's anchors and refuses it.
    assert!(matches!(se, Some(Error::Certificate(_))), "{se:?}");
    assert!(!s.is_handshaking() || s.error().is_some());

    // Verifiers that cannot tell themselves apart (the default, empty identity) and the
    // same resumption context: the ticket's certificate is checked again, and refused.
    let a = server_builder(&p, &clock, b"a")
        .with_client_cert_verifier(Arc::new(Anonymous(WebPkiClientVerifier::new(anchors(&p)))))
        .build()
        .unwrap();
    let b = server_builder(&p, &clock, b"b")
        .with_client_cert_verifier(Arc::new(Anonymous(WebPkiClientVerifier::new(
            other_anchors,
        ))))
        .build()
        .unwrap();
    first_session(&cc, &a);
    let (c, s, _ce, se) = second_session(&cc, &b);
    assert!(!c.is_resumed() && !s.is_resumed());
    assert!(matches!(se, Some(Error::Certificate(_))), "{se:?}");
}

/// A verifier that does not override `resumption_identity`.
struct Anonymous(WebPkiClientVerifier);

impl ClientCertVerifier for Anonymous {
    fn client_auth_mandatory(&self) -> bool {
        true
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        self.0.verify_client_cert(end_entity, intermediates, now)
    }
}

#[test]
fn client_certificate_that_expired_since_the_ticket_does_not_resume() {
    let p = pki();
    let clock = clock();
    // A client certificate valid for one more hour; tickets live two.
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let short =
        CertificateBuilder::new("short-lived client", nb, i64::try_from(NOW).unwrap() + 3600)
            .client_auth()
            .issue(&key(3), &p.ca_der, &p.ca_key)
            .unwrap();
    let ck = CertifiedKey::new(vec![CertificateDer::from(short)], Arc::new(key(3))).unwrap();
    let cc = client_builder(&p, &clock, b"client")
        .with_client_auth_cert(ck)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_client_cert_verifier(required(&p))
        .with_ticket_lifetime(Duration::from_secs(7200))
        .build()
        .unwrap();
    first_session(&cc, &sc);
    // Within the certificate's life the ticket resumes.
    clock.advance(Duration::from_secs(1800));
    let (_c, s, ce, se) = second_session(&cc, &sc);
    assert_no_error(&ce, &se);
    assert!(s.is_resumed());
    // After it expired, the remaining ticket is refused and the full handshake fails.
    clock.advance(Duration::from_secs(3600));
    let (_c, s, _ce, se) = second_session(&cc, &sc);
    assert!(!s.is_resumed());
    assert!(matches!(se, Some(Error::Certificate(_))), "{se:?}");
}

#[test]
fn resumption_context_separates_configs() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let app1 = server_builder(&p, &clock, b"1")
        .with_resumption_context(b"app one")
        .build()
        .unwrap();
    let app2 = server_builder(&p, &clock, b"2")
        .with_resumption_context(b"app two")
        .build()
        .unwrap();
    first_session(&cc, &app1);
    let (_c, s, ce, se) = second_session(&cc, &app2);
    assert_no_error(&ce, &se);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    // Another server of the same application (same context) resumes.
    let app1_again = server_builder(&p, &clock, b"1 again")
        .with_resumption_context(b"app one")
        .build()
        .unwrap();
    let cc = client_builder(&p, &clock, b"client 2").build().unwrap();
    first_session(&cc, &app1);
    let (_c, s, ce, se) = second_session(&cc, &app1_again);
    assert_no_error(&ce, &se);
    assert!(s.is_resumed());
}

#[test]
fn ticket_for_another_alpn_protocol_does_not_resume() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let h2 = server_builder(&p, &clock, b"h2")
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .build()
        .unwrap();
    let h1 = server_builder(&p, &clock, b"h1")
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .build()
        .unwrap();
    first_session(&cc, &h2);
    let (c, s, ce, se) = second_session(&cc, &h1);
    assert_no_error(&ce, &se);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(c.alpn_protocol(), Some(&b"http/1.1"[..]));
    // The same protocol resumes.
    let cc = client_builder(&p, &clock, b"client 2")
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        .build()
        .unwrap();
    first_session(&cc, &h2);
    let (c, s, ce, se) = second_session(&cc, &h2);
    assert_no_error(&ce, &se);
    assert!(s.is_resumed());
    assert_eq!(c.alpn_protocol(), Some(&b"h2"[..]));
}

/// A store that hands any server's ticket to any name, as a careless shared cache might.
#[derive(Default)]
struct AnyNameStore(Mutex<Vec<Tls13Ticket>>);

impl ClientSessionStore for AnyNameStore {
    fn insert(&self, _: &ServerName<'static>, ticket: Tls13Ticket) {
        self.0.lock().unwrap().push(ticket);
    }
    fn take(&self, _: &ServerName<'static>) -> Option<Tls13Ticket> {
        self.0.lock().unwrap().pop()
    }
}

#[test]
fn ticket_for_another_server_name_does_not_resume() {
    let p = pki();
    let clock = clock();
    let store = Arc::new(AnyNameStore::default());
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    first_session(&cc, &sc);
    assert_eq!(store.0.lock().unwrap().len(), 2);
    // The leaf is also valid for 127.0.0.1, for which no SNI is sent: the ticket issued
    // for "localhost" is offered by the careless store, and the server refuses it.
    let ip = ServerName::try_from("127.0.0.1").unwrap();
    let mut c = tryst::ClientConnection::new(cc.clone(), ip).unwrap();
    // The same ticket keys, but no new tickets: the store's count shows what was taken.
    let quiet = server_builder(&p, &clock, b"server")
        .with_ticket_count(0)
        .build()
        .unwrap();
    let mut s = tryst::ServerConnection::new(quiet).unwrap();
    handshake(&mut c, &mut s);
    assert_eq!(s.server_name(), None);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(store.0.lock().unwrap().len(), 1, "the ticket was offered");
}

/// Accepts any server certificate: what `dangerous()` is for.
struct AcceptAnything;

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        Ok(CertificateVerified::assertion())
    }
}

#[test]
fn client_does_not_resume_a_session_its_own_verifier_would_refuse() {
    // The client-side sibling: a session store shared by a lax config and a strict one.
    let p = pki();
    let clock = clock();
    let store: Arc<dyn ClientSessionStore> = Arc::new(InMemorySessionStore::new(8));
    let lax = client_builder(&p, &clock, b"lax")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnything))
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    // A server whose certificate no configured anchor vouches for.
    let rogue_key = key(50);
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let rogue_ca = CertificateBuilder::new("rogue CA", nb, nb + 365 * 86_400)
        .ca(None)
        .self_signed(&rogue_key)
        .unwrap();
    let rogue_leaf = CertificateBuilder::new("localhost", nb, nb + 365 * 86_400)
        .dns_name("localhost")
        .server_auth()
        .issue(&key(51), &rogue_ca, &rogue_key)
        .unwrap();
    let signer: Arc<dyn Signer> = Arc::new(key(51));
    let rogue = ServerConfig::builder(
        CertifiedKey::new(vec![CertificateDer::from(rogue_leaf)], signer).unwrap(),
    )
    .with_clock(clock.clone())
    .with_rng(Arc::new(tryst::SeededRandom::new(b"rogue")))
    .with_ticket_keys(Arc::new(tryst::TicketKeys::new(
        tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
        Duration::from_secs(3600),
    )))
    .build()
    .unwrap();
    first_session(&lax, &rogue);

    // The strict config, sharing the store, must not treat that session as authenticated.
    let strict = client_builder(&p, &clock, b"strict")
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    let (c, _s, ce, _se) = second_session(&strict, &rogue);
    assert!(!c.is_resumed());
    assert!(matches!(ce, Some(Error::Certificate(_))), "{ce:?}");

    // A config with its own verifier over the same anchors as the issuing one does resume:
    // it checks the stored chain itself.
    let honest = server_builder(&p, &clock, b"honest").build().unwrap();
    let first = client_builder(&p, &clock, b"first")
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    first_session(&first, &honest);
    let again = client_builder(&p, &clock, b"again")
        .with_session_store(Some(store))
        .build()
        .unwrap();
    let (c, _s, ce, se) = second_session(&again, &honest);
    assert_no_error(&ce, &se);
    assert!(c.is_resumed());
}
