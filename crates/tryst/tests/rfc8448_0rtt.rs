//! RFC 8448 §4 (Resumed 0-RTT Handshake) end to end for the client: after §3's session
//! (its ticket received from §3's NewSessionTicket record), a client with §4's random and
//! key share, whose clock makes the ticket as old as §4 says, sends §4's ClientHello and
//! early-data record byte for byte, accepts §4's server flight (EncryptedExtensions with
//! early_data: the server's acceptance), and sends §4's EndOfEarlyData and Finished records
//! byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod rfc8448_trace;

use std::sync::Arc;
use std::time::Duration;

use tryst::messages::{Extension, HandshakeMessage, RawHandshake, SignatureScheme};
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::session::InMemorySessionStore;
use tryst::verify::{CertificateVerified, ServerCertVerifier, SignatureVerified};
use tryst::{EarlyDataStatus, HandshakeKind, ManualClock};

use rfc8448_trace::{SECTION, nss_client, s3, s4};

/// Trusts §3's certificate (the verifier of both configs, so the ticket is offered).
struct TrustTraceCertificate;
impl ServerCertVerifier for TrustTraceCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: UnixTime,
    ) -> Result<CertificateVerified, tryst::Error> {
        assert_eq!(
            end_entity.as_ref(),
            include_bytes!("data/rfc8448_server_cert.der")
        );
        Ok(CertificateVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, tryst::Error> {
        tryst::verify::verify_signature(message, end_entity, scheme, signature, 1024)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        [
            0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201,
            0x0402, 0x0502, 0x0602, 0x0202,
        ]
        .into_iter()
        .map(SignatureScheme::from_raw)
        .collect()
    }
}

/// What the traces' client (NSS) offers, with a fresh trace RNG.
fn config(
    clock: &Arc<ManualClock>,
    store: &Arc<InMemorySessionStore>,
    verifier: &Arc<TrustTraceCertificate>,
) -> Arc<tryst::ClientConfig> {
    nss_client(verifier.clone(), clock.clone())
        .with_session_store(Some(store.clone()))
        .with_early_data(true)
        .build()
        .unwrap()
}

/// Take what `c` has queued.
fn take(c: &mut tryst::ClientConnection) -> String {
    let out = hex::encode(c.pending_tls());
    let n = c.pending_tls().len();
    c.consume_tls(n);
    out
}

/// §3 up to its NewSessionTicket: the ticket lands in `store`.
fn section3_ticket(
    clock: &Arc<ManualClock>,
    store: &Arc<InMemorySessionStore>,
    verifier: &Arc<TrustTraceCertificate>,
) {
    SECTION.store(3, std::sync::atomic::Ordering::SeqCst);
    let name = ServerName::try_from("server").unwrap();
    let mut c = tryst::ClientConnection::new(config(clock, store, verifier), name).unwrap();
    assert_eq!(take(&mut c), hex::encode(s3("client_hello_record")));
    c.read_tls_bytes(&s3("server_hello_record"));
    c.read_tls_bytes(&s3("server_handshake_flight_record"));
    c.process_new_packets().unwrap();
    assert_eq!(take(&mut c), hex::encode(s3("client_finished_record")));
    c.read_tls_bytes(&s3("new_session_ticket_record"));
    c.process_new_packets().unwrap();
    assert_eq!(store.count(&ServerName::try_from("server").unwrap()), 1);
}

/// How old §4's client says the ticket is: its obfuscated_ticket_age minus §3's
/// ticket_age_add, in milliseconds.
fn section4_ticket_age() -> u32 {
    let nst = s3("new_session_ticket");
    let Some((raw, _)) = RawHandshake::split(&nst, 1 << 16).unwrap() else {
        panic!("no ticket");
    };
    let HandshakeMessage::NewSessionTicket(t) = raw.parse().unwrap() else {
        panic!("not a ticket");
    };
    let ch = s4("client_hello_with_binders");
    let Some((raw, _)) = RawHandshake::split(&ch, 1 << 16).unwrap() else {
        panic!("no hello");
    };
    let HandshakeMessage::ClientHello(h) = raw.parse().unwrap() else {
        panic!("not a hello");
    };
    let Some(Extension::PreSharedKeyOffer(offer)) = h.extensions.last() else {
        panic!("no PSK offer");
    };
    offer.identities[0]
        .obfuscated_ticket_age
        .wrapping_sub(t.ticket_age_add)
}

#[test]
fn rfc8448_section4_client_0rtt_replay() {
    let clock = Arc::new(ManualClock::new(Duration::from_secs(1_577_836_800)));
    let store = Arc::new(InMemorySessionStore::new(4));
    let verifier = Arc::new(TrustTraceCertificate);
    section3_ticket(&clock, &store, &verifier);
    clock.advance(Duration::from_millis(u64::from(section4_ticket_age())));

    SECTION.store(4, std::sync::atomic::Ordering::SeqCst);
    let name = ServerName::try_from("server").unwrap();
    let mut c = tryst::ClientConnection::new(config(&clock, &store, &verifier), name).unwrap();
    // ClientHello (early_data, pre_shared_key with §4's binder), byte for byte.
    assert_eq!(take(&mut c), hex::encode(s4("client_hello_record")));
    // The early data, under client_early_traffic_secret, byte for byte.
    let early = s4("early_data_plaintext");
    assert_eq!(c.write_early_data(&early).unwrap(), early.len());
    assert_eq!(take(&mut c), hex::encode(s4("early_data_record")));

    // The server's flight, with its acceptance (early_data in EncryptedExtensions).
    c.read_tls_bytes(&s4("server_hello_record"));
    c.read_tls_bytes(&s4("server_handshake_flight_record"));
    c.process_new_packets().unwrap();
    assert!(!c.is_handshaking());
    assert_eq!(c.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Resumed));
    // EndOfEarlyData under the early key, then Finished under the handshake key.
    assert_eq!(
        take(&mut c),
        hex::encode([s4("end_of_early_data_record"), s4("client_finished_record")].concat())
    );
    // Application data both ways, with §4's records.
    c.read_tls_bytes(&s4("server_application_data_record"));
    c.process_new_packets().unwrap();
    let mut buf = [0u8; 128];
    let got = c.read_plaintext(&mut buf);
    assert_eq!(&buf[..got], &s4("application_data_plaintext")[..]);
    c.send_plaintext(&s4("application_data_plaintext")).unwrap();
    assert_eq!(
        take(&mut c),
        hex::encode(s4("client_application_data_record"))
    );
}
