//! 0-RTT early data (RFC 8446 §2.3, §4.2.10, §8) between tryst client and server in memory:
//! acceptance, replay refusal by the single-use store, the freshness window, the budget,
//! ALPN mismatch, HelloRetryRequest, EndOfEarlyData missing or misplaced, and early data
//! that cannot be accepted on a connection that does not resume.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::reseal::{CollectLog, seal};
use common::tamper::{alert_of, feed};
use common::{client_builder, clock, pair, pki, read_all, server_builder, transfer};
use tryst::messages::{AlertDescription, ContentType};
use tryst::session::InMemorySessionStore;
use tryst::{
    ClientConfig, ClientConnection, EarlyDataRejection, EarlyDataStatus, HandshakeKind,
    ManualClock, ServerConfig, ServerConnection,
};

const REQUEST: &[u8] = b"GET /idempotent HTTP/1.1\r\n\r\n";

struct Setup {
    clock: Arc<ManualClock>,
    client: Arc<ClientConfig>,
    server: Arc<ServerConfig>,
    log: Arc<CollectLog>,
}

fn setup(max_early: u32) -> Setup {
    let p = pki();
    let clock = clock();
    let log = Arc::new(CollectLog::default());
    let client = client_builder(&p, &clock, b"client")
        .with_early_data(true)
        .with_key_log(log.clone())
        .build()
        .unwrap();
    let server = server_builder(&p, &clock, b"server")
        .with_max_early_data_size(max_early)
        .build()
        .unwrap();
    Setup {
        clock,
        client,
        server,
        log,
    }
}

/// A first connection that leaves tickets in the client's store.
fn prime(cc: &Arc<ClientConfig>, sc: &Arc<ServerConfig>) {
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    common::handshake(&mut c, &mut s);
}

/// The client's first flight of a resumption with `REQUEST` as early data.
fn early_client(cc: &Arc<ClientConfig>) -> ClientConnection {
    let mut c = ClientConnection::new(cc.clone(), common::localhost()).unwrap();
    assert!(c.early_data_limit() >= REQUEST.len(), "ticket allows 0-RTT");
    assert_eq!(c.write_early_data(REQUEST).unwrap(), REQUEST.len());
    assert_eq!(c.early_data_status(), EarlyDataStatus::Pending);
    c
}

fn read_early(s: &mut ServerConnection) -> Vec<u8> {
    let mut buf = vec![0u8; 1 << 16];
    let n = s.read_early_data(&mut buf);
    buf.truncate(n);
    buf
}

/// The handshake completes in full: the server rejects the early data as not resumable
/// and reads none of it, and the client gets it back to send again.
fn assert_full_handshake_returns_the_early_data(
    c: &mut ClientConnection,
    s: &mut ServerConnection,
) {
    let (ce, se) = transfer(c, s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::NotResumable)
    );
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert!(read_early(s).is_empty());
    assert_eq!(c.take_rejected_early_data(), REQUEST);
}

#[test]
fn early_data_accepted_once_and_kept_apart() {
    let t = setup(4096);
    prime(&t.client, &t.server);
    let mut c = early_client(&t.client);
    let mut s = ServerConnection::new(t.server.clone()).unwrap();
    // The first flight alone: the early data is readable before the handshake is done.
    let mut err = None;
    feed(&mut s, c.pending_tls(), &mut err);
    assert!(err.is_none(), "{err:?}");
    let n = c.pending_tls().len();
    c.consume_tls(n);
    assert!(s.is_handshaking());
    assert_eq!(s.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(read_early(&mut s), REQUEST);
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.early_data_status(), EarlyDataStatus::Accepted);
    assert!(c.take_rejected_early_data().is_empty());
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Resumed));
    // 1-RTT data is separate from early data.
    c.send_plaintext(b"after").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"after");
    assert!(read_early(&mut s).is_empty());
    // The key log has the early secret, once per resumption.
    assert_eq!(t.log.values("CLIENT_EARLY_TRAFFIC_SECRET").len(), 1);
}

/// A replayed first flight (same ClientHello, same early records) to a server sharing the
/// ticket keys and the store: the second use is refused as early data, and the genuine
/// connection that comes second still completes as 1-RTT, its client told to resend.
#[test]
fn replayed_client_hello_early_data_refused() {
    let t = setup(4096);
    prime(&t.client, &t.server);
    let mut c = early_client(&t.client);
    let flight = c.pending_tls().to_vec();
    // The attacker's copy reaches a server first: it is the first use.
    let mut first = ServerConnection::new(t.server.clone()).unwrap();
    let mut err = None;
    feed(&mut first, &flight, &mut err);
    assert_eq!(first.early_data_status(), EarlyDataStatus::Accepted);
    // The genuine flight (the same bytes) comes second: refused as early data.
    let mut s = ServerConnection::new(t.server.clone()).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::Replayed)
    );
    assert!(read_early(&mut s).is_empty());
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(matches!(
        c.early_data_status(),
        EarlyDataStatus::Rejected(_)
    ));
    assert_eq!(c.take_rejected_early_data(), REQUEST);
    assert!(c.take_rejected_early_data().is_empty(), "reported once");
    c.send_plaintext(REQUEST).unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), REQUEST);
}

#[test]
fn early_data_over_budget_is_unexpected_message() {
    let t = setup(4096);
    prime(&t.client, &t.server);
    // The ticket says 4096; this server now accepts 16: the budget is the smaller.
    let p = pki();
    let small = server_builder(&p, &t.clock, b"server")
        .with_max_early_data_size(16)
        .build()
        .unwrap();
    let mut c = early_client(&t.client);
    let mut s = ServerConnection::new(small).unwrap();
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::UnexpectedMessage),
        "{se:?}"
    );
}

#[test]
fn early_data_with_another_alpn_is_rejected() {
    let p = pki();
    let clock = clock();
    let store = Arc::new(InMemorySessionStore::new(8));
    let client = |alpn: &[u8]| {
        client_builder(&p, &clock, b"client")
            .with_session_store(Some(store.clone()))
            .with_alpn_protocols(vec![alpn.to_vec()])
            .with_early_data(true)
            .build()
            .unwrap()
    };
    let server = server_builder(&p, &clock, b"server")
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        .with_max_early_data_size(4096)
        .build()
        .unwrap();
    prime(&client(b"h2"), &server);
    let mut c = early_client(&client(b"http/1.1"));
    let mut s = ServerConnection::new(server).unwrap();
    assert_full_handshake_returns_the_early_data(&mut c, &mut s);
}

#[test]
fn early_data_over_hello_retry_request_is_rejected() {
    let p = pki();
    let clock = clock();
    let (cb, sb) = common::hrr_builders(&p, &clock);
    let cc = cb.with_early_data(true).build().unwrap();
    let sc = sb.with_max_early_data_size(4096).build().unwrap();
    prime(&cc, &sc);
    let mut c = early_client(&cc);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::HelloRetryRequest)
    );
    assert_eq!(
        c.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::HelloRetryRequest)
    );
    assert_eq!(
        s.handshake_kind(),
        Some(HandshakeKind::ResumedWithHelloRetryRequest)
    );
    assert!(read_early(&mut s).is_empty());
}

/// The client's clock says the ticket is fresh; the server's says a minute went by: the
/// age is outside the §8.3 window, so the early data is refused (the ticket still resumes).
#[test]
fn ticket_age_outside_window_is_rejected() {
    let p = pki();
    let server_clock = clock();
    let client_clock = clock();
    let cc = client_builder(&p, &client_clock, b"client")
        .with_early_data(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &server_clock, b"server")
        .with_max_early_data_size(4096)
        .build()
        .unwrap();
    prime(&cc, &sc);
    server_clock.advance(Duration::from_secs(60));
    let mut c = early_client(&cc);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::OutsideWindow)
    );
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Resumed));
}

/// A server without 0-RTT announces none in its tickets, so the client has no budget; a
/// server that does not resume (no ticket keys) rejects offered early data and completes.
#[test]
fn no_early_data_without_a_resumable_ticket() {
    let t = setup(0);
    prime(&t.client, &t.server);
    let c = ClientConnection::new(t.client.clone(), common::localhost()).unwrap();
    assert_eq!(c.early_data_limit(), 0);
    assert_eq!(c.early_data_status(), EarlyDataStatus::NotOffered);

    let t = setup(4096);
    prime(&t.client, &t.server);
    let p = pki();
    let no_tickets = tryst::ServerConfig::builder(
        tryst::CertifiedKey::new(
            vec![tryst::pki_types::CertificateDer::from(p.leaf_der.clone())],
            Arc::new(common::key(2)),
        )
        .unwrap(),
    )
    .with_clock(t.clock.clone())
    .with_max_early_data_size(4096)
    .build()
    .unwrap();
    let mut c = early_client(&t.client);
    let mut s = ServerConnection::new(no_tickets).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::NotResumable)
    );
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(c.take_rejected_early_data(), REQUEST);
}

/// Split TLS bytes into records.
fn records(tls: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = 5 + usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

/// Run a 0-RTT resumption up to the client's second flight; returns the pair with the
/// server waiting for EndOfEarlyData and the client's second flight (not yet delivered).
fn up_to_second_flight(t: &Setup) -> (ClientConnection, ServerConnection, Vec<u8>) {
    prime(&t.client, &t.server);
    let mut c = early_client(&t.client);
    let mut s = ServerConnection::new(t.server.clone()).unwrap();
    let (mut ce, mut se) = (None, None);
    feed(&mut s, c.pending_tls(), &mut se);
    let n = c.pending_tls().len();
    c.consume_tls(n);
    feed(&mut c, s.pending_tls(), &mut ce);
    let n = s.pending_tls().len();
    s.consume_tls(n);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.early_data_status(), EarlyDataStatus::Accepted);
    let second = c.pending_tls().to_vec();
    (c, s, second)
}

#[test]
fn end_of_early_data_missing_is_refused() {
    let t = setup(4096);
    let (_c, mut s, second) = up_to_second_flight(&t);
    // Drop the EndOfEarlyData record: the Finished is under a key the server does not
    // expect yet.
    let recs = records(&second);
    let rest: Vec<u8> = recs[1..].concat();
    let mut se = None;
    feed(&mut s, &rest, &mut se);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::BadRecordMac),
        "{se:?}"
    );
}

#[test]
fn end_of_early_data_misplaced_is_unexpected_message() {
    // Another handshake message (a Finished-shaped one) under the early key where
    // EndOfEarlyData must come.
    let t = setup(4096);
    let (_c, mut s, _) = up_to_second_flight(&t);
    let early = t.log.secret("CLIENT_EARLY_TRAFFIC_SECRET");
    let mut finished = vec![20, 0, 0, 32];
    finished.extend_from_slice(&[0u8; 32]);
    // Sequence number 1: the early data record was 0.
    let mut enc = tryst_record::RecordEncrypter::new();
    let k = tryst_keyschedule::TrafficKeys::derive(tryst::crypto::SHA256, &early, 16).unwrap();
    enc.set_key(tryst::crypto::AES_128_GCM, &k.key, k.iv)
        .unwrap();
    let mut out = Vec::new();
    enc.write(ContentType::ApplicationData, REQUEST, &mut out)
        .unwrap();
    out.clear();
    enc.write(ContentType::Handshake, &finished, &mut out)
        .unwrap();
    let mut se = None;
    feed(&mut s, &out, &mut se);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::UnexpectedMessage),
        "{se:?}"
    );

    // EndOfEarlyData when no early data was accepted (a full handshake): under the
    // client's handshake key, where Finished must come.
    let p = pki();
    let clock = clock();
    let log = Arc::new(CollectLog::default());
    let cc = client_builder(&p, &clock, b"c")
        .with_key_log(log.clone())
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"s").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    feed(&mut s, c.pending_tls(), &mut se);
    feed(&mut c, s.pending_tls(), &mut ce);
    let eoed = seal(
        &log.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
        ContentType::Handshake,
        &[5, 0, 0, 0],
    );
    feed(&mut s, &eoed, &mut se);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::UnexpectedMessage),
        "{se:?}"
    );
}

#[test]
fn anti_replay_store_is_bounded_and_fails_closed() {
    use tryst::early::{AntiReplay, Claim, InMemoryAntiReplay};
    let store = InMemoryAntiReplay::new(2);
    let t0 = Duration::from_secs(1000);
    let later = t0 + Duration::from_secs(10);
    assert_eq!(store.claim(&[1; 32], t0, later), Claim::Fresh);
    assert_eq!(store.claim(&[1; 32], t0, later), Claim::Replayed);
    assert_eq!(store.claim(&[2; 32], t0, later), Claim::Fresh);
    // Full of live claims: refuse rather than forget one.
    assert_eq!(store.claim(&[3; 32], t0, later), Claim::Unavailable);
    // Once they expire, room again (and an expired claim no longer counts).
    let after = later + Duration::from_secs(1);
    assert_eq!(
        store.claim(&[3; 32], after, after + Duration::from_secs(5)),
        Claim::Fresh
    );
    assert_eq!(
        store.claim(&[1; 32], after, after + Duration::from_secs(5)),
        Claim::Fresh
    );
}

/// A store that cannot answer makes the server refuse 0-RTT, never accept it.
#[test]
fn unavailable_store_refuses_early_data() {
    struct Down;
    impl tryst::early::AntiReplay for Down {
        fn claim(&self, _: &[u8; 32], _: Duration, _: Duration) -> tryst::early::Claim {
            tryst::early::Claim::Unavailable
        }
    }
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_early_data(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_max_early_data_size(4096)
        .with_anti_replay(Arc::new(Down))
        .build()
        .unwrap();
    prime(&cc, &sc);
    let mut c = early_client(&cc);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::StoreUnavailable)
    );
    assert!(read_early(&mut s).is_empty());
}

/// A ticket saved as bytes and loaded by another client config (as `tryst client
/// --session` does across runs) resumes, with 0-RTT; its server certificate is checked
/// again by the loading config's verifier. Damaged bytes are refused.
#[test]
fn saved_ticket_resumes_in_another_config() {
    use tryst::session::{ClientSessionStore, Tls13Ticket};
    let p = pki();
    let clock = clock();
    let first = Arc::new(InMemorySessionStore::new(4));
    let cc = client_builder(&p, &clock, b"c1")
        .with_session_store(Some(first.clone()))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_max_early_data_size(1024)
        .build()
        .unwrap();
    prime(&cc, &sc);
    let ticket = first.take(&common::localhost()).unwrap();
    let bytes = ticket.to_bytes().unwrap();
    for cut in 0..bytes.len() {
        assert!(
            Tls13Ticket::from_bytes(&bytes[..cut]).is_err(),
            "prefix {cut}"
        );
    }
    let loaded = Tls13Ticket::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.max_early_data_size(), 1024);
    assert_eq!(&loaded.to_bytes().unwrap()[..], &bytes[..]);
    let second = Arc::new(InMemorySessionStore::new(4));
    second.insert(&common::localhost(), loaded);
    let cc2 = client_builder(&p, &clock, b"c2")
        .with_session_store(Some(second))
        .with_early_data(true)
        .build()
        .unwrap();
    let mut c = early_client(&cc2);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(s.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(read_early(&mut s), REQUEST);
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Resumed));
    // A config whose verifier does not accept the saved chain does not offer the ticket.
    let other = Arc::new(InMemorySessionStore::new(4));
    other.insert(
        &common::localhost(),
        Tls13Ticket::from_bytes(&bytes).unwrap(),
    );
    let stranger = tryst::cert::CertificateBuilder::new("other CA", 0, i64::MAX / 2)
        .ca(None)
        .self_signed(&common::key(40))
        .unwrap();
    let cc3 = tryst::ClientConfig::builder()
        .with_root_certificates(tryst::cert::TrustAnchors::from_der([stranger.as_slice()]).unwrap())
        .with_clock(clock.clone())
        .with_session_store(Some(other))
        .with_early_data(true)
        .build()
        .unwrap();
    let c = ClientConnection::new(cc3, common::localhost()).unwrap();
    assert_eq!(c.early_data_limit(), 0, "ticket not offered");
}

/// The in-place (unbuffered) receive path keeps 0-RTT data apart too: it is never handed
/// out as a plaintext record, and `read_early_data` has it.
#[test]
fn early_data_through_process_in_place() {
    let t = setup(4096);
    prime(&t.client, &t.server);
    let mut c = early_client(&t.client);
    let mut s = ServerConnection::new(t.server.clone()).unwrap();
    let mut wire = c.pending_tls().to_vec();
    let n = wire.len();
    c.consume_tls(n);
    let mut at = 0;
    while at < wire.len() {
        let r = s.process_in_place(&mut wire[at..]).unwrap();
        assert!(r.consumed > 0);
        assert!(r.plaintext.is_none(), "early data is not 1-RTT plaintext");
        at += r.consumed;
    }
    assert_eq!(s.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(read_early(&mut s), REQUEST);
}

/// A client store that hands out its tickets whatever the name (a confused or hostile
/// client): the server still binds the ticket to its SNI.
struct AnyName(InMemorySessionStore);

impl tryst::session::ClientSessionStore for AnyName {
    fn insert(&self, _: &tryst::pki_types::ServerName<'static>, t: tryst::session::Tls13Ticket) {
        self.0.insert(&common::localhost(), t);
    }
    fn take(
        &self,
        _: &tryst::pki_types::ServerName<'static>,
    ) -> Option<tryst::session::Tls13Ticket> {
        self.0.take(&common::localhost())
    }
}

/// A ticket issued for SNI "localhost" offered with early data on a connection without
/// that SNI (to 127.0.0.1): not resumed, early data rejected, a full handshake.
#[test]
fn early_data_with_another_sni_is_rejected() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(Some(Arc::new(AnyName(InMemorySessionStore::new(4)))))
        .with_early_data(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_max_early_data_size(4096)
        .build()
        .unwrap();
    prime(&cc, &sc);
    let ip = tryst::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut c = ClientConnection::new(cc, ip).unwrap();
    assert_eq!(c.write_early_data(REQUEST).unwrap(), REQUEST.len());
    let mut s = ServerConnection::new(sc).unwrap();
    assert_full_handshake_returns_the_early_data(&mut c, &mut s);
}

/// RFC 8446 §4.2.10: a client whose early data was accepted checks that the ALPN protocol
/// is the ticket's. A ticket edited (in its saved form) to say "h3" is accepted by the
/// server (its own sealed record says h2): the client refuses with illegal_parameter.
#[test]
fn accepted_early_data_with_another_alpn_is_illegal_parameter() {
    use tryst::session::{ClientSessionStore, Tls13Ticket};
    let p = pki();
    let clock = clock();
    let store = Arc::new(InMemorySessionStore::new(4));
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(Some(store.clone()))
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .with_early_data(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .with_max_early_data_size(4096)
        .build()
        .unwrap();
    prime(&cc, &sc);
    let mut bytes = store
        .take(&common::localhost())
        .unwrap()
        .to_bytes()
        .unwrap()
        .to_vec();
    assert_eq!(
        &bytes[bytes.len() - 3..],
        b"\x02h2",
        "ALPN is the last field"
    );
    let n = bytes.len();
    bytes[n - 1] = b'3';
    while store.take(&common::localhost()).is_some() {}
    store.insert(
        &common::localhost(),
        Tls13Ticket::from_bytes(&bytes).unwrap(),
    );
    let mut c = early_client(&cc);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(s.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(
        alert_of(&ce),
        Some(AlertDescription::IllegalParameter),
        "{ce:?}"
    );
}

/// RFC 8446 §4.2.10: a server that did not resume our ticket (a full handshake) cannot
/// accept our early data; a scripted server that says it does gets illegal_parameter.
#[test]
fn early_data_accepted_without_our_ticket_is_illegal_parameter() {
    use common::scripted::{Script, server_flight};
    use tryst::messages::Extension;
    let t = setup(4096);
    prime(&t.client, &t.server);
    let mut c = early_client(&t.client);
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    let script = Script {
        ee: vec![Extension::EarlyData],
        ..Default::default()
    };
    c.read_tls_bytes(&server_flight(&pki(), &ch, &script));
    let e = c.process_new_packets().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e:?}");
    assert!(
        matches!(&e, tryst::Error::PeerMisbehaved { rule, .. } if rule.contains("early data")),
        "{e:?}"
    );
}

/// A ClientHello carrying 0-RTT data offers TLS 1.3 alone, although the config speaks 1.2
/// too: the early records are already on the wire, and a server that answered in TLS 1.2
/// could neither skip nor read them. A server that now speaks only 1.2 (same name, same
/// ticket keys) refuses with protocol_version and never sees the early data as data.
#[test]
fn a_hello_with_early_data_offers_tls13_alone() {
    use tryst::messages::{HandshakeMessage, ProtocolVersion, RawHandshake};
    let t = setup(4096);
    prime(&t.client, &t.server);
    let c = early_client(&t.client);
    let record = c.pending_tls();
    let (raw, _) = RawHandshake::split(&record[5..], 1 << 20).unwrap().unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!("the first record is the ClientHello")
    };
    assert_eq!(ch.supported_versions(), Some(&[ProtocolVersion::Tls13][..]));
    let p = pki();
    let tls12_only = server_builder(&p, &t.clock, b"server")
        .with_protocol_versions(&[ProtocolVersion::Tls12])
        .build()
        .unwrap();
    let mut s = ServerConnection::new(tls12_only).unwrap();
    let mut c = c;
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(alert_of(&se), Some(AlertDescription::ProtocolVersion));
    assert!(read_early(&mut s).is_empty());
    // Without early data the same client offers both versions.
    let plain = ClientConnection::new(
        client_builder(&p, &t.clock, b"fresh").build().unwrap(),
        common::localhost(),
    )
    .unwrap();
    let (raw, _) = RawHandshake::split(&plain.pending_tls()[5..], 1 << 20)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!("the first record is the ClientHello")
    };
    assert!(
        ch.supported_versions()
            .unwrap()
            .contains(&ProtocolVersion::Tls12)
    );
}
