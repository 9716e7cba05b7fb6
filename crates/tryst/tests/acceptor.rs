//! Issue 21: the Acceptor reads the ClientHello before the config is chosen. A config
//! picked by SNI and ALPN completes the handshake (also after a HelloRetryRequest and with
//! the hello split into one-byte reads); records after the hello reach the connection;
//! memory stays bounded for a hello that never completes; bad first records are refused
//! with the right alert.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;

use common::{NOW, Pki, clock, key, pki, transfer};
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::Signer;
use tryst::messages::AlertDescription;
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
use tryst::{
    Acceptor, CertifiedKey, ClientConfig, ClientConfigBuilder, ClientConnection, Error,
    ManualClock, ServerConfig, ServerConnection,
};

fn cert_for(p: &Pki, name: &str, seed: u8) -> CertifiedKey {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let k = key(seed);
    let der = CertificateBuilder::new(name, nb, nb + 365 * 86_400)
        .dns_name(name)
        .server_auth()
        .issue(&k, &p.ca_der, &p.ca_key)
        .unwrap();
    let signer: Arc<dyn Signer> = Arc::new(k);
    CertifiedKey::new(vec![CertificateDer::from(der)], signer).unwrap()
}

/// Two configs: a.example speaks h2, b.example http/1.1 and only X25519.
fn configs(p: &Pki, clock: &Arc<ManualClock>) -> (Arc<ServerConfig>, Arc<ServerConfig>) {
    let a = ServerConfig::builder(cert_for(p, "a.example", 60))
        .with_clock(clock.clone())
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .build()
        .unwrap();
    let b = ServerConfig::builder(cert_for(p, "b.example", 61))
        .with_clock(clock.clone())
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .with_groups(&[X25519_GROUP])
        .build()
        .unwrap();
    (a, b)
}

fn client_builder(p: &Pki, clock: &Arc<ManualClock>) -> ClientConfigBuilder {
    ClientConfig::builder()
        .with_clock(clock.clone())
        .with_root_certificates(TrustAnchors::from_der([p.ca_der.as_slice()]).unwrap())
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
}

/// Give the acceptor the client's first flight `step` bytes at a time until it has the
/// whole ClientHello; choose the config by SNI and ALPN as a proxy would.
fn accept(
    client: &mut ClientConnection,
    step: usize,
    a: &Arc<ServerConfig>,
    b: &Arc<ServerConfig>,
) -> ServerConnection {
    let flight = client.pending_tls().to_vec();
    client.consume_tls(flight.len());
    let mut acceptor = Acceptor::new();
    let mut off = 0;
    let accepted = loop {
        let end = (off + step).min(flight.len());
        off += acceptor.read_tls_bytes(&flight[off..end]);
        if let Some(accepted) = acceptor.accept().unwrap() {
            break accepted;
        }
        assert!(
            off < flight.len(),
            "the whole flight did not make a ClientHello"
        );
    };
    assert_eq!(off, flight.len(), "the acceptor stopped early");
    let hello = accepted.client_hello();
    let config = match (
        hello.server_name(),
        hello.alpn_protocols().any(|p| p == b"h2"),
    ) {
        (Some("a.example"), true) => a.clone(),
        (Some("b.example"), _) => b.clone(),
        other => unreachable!("unexpected hello {other:?}"),
    };
    accepted.into_connection(config).unwrap()
}

#[test]
fn the_config_chosen_by_sni_and_alpn_completes_the_handshake() {
    let p = pki();
    let clock = clock();
    let (a, b) = configs(&p, &clock);
    for (name, step, alpn) in [
        ("a.example", 1, &b"h2"[..]),
        ("a.example", 100_000, b"h2"),
        ("b.example", 7, b"http/1.1"),
    ] {
        let cc = client_builder(&p, &clock).build().unwrap();
        let mut c = ClientConnection::new(cc, ServerName::try_from(name).unwrap()).unwrap();
        c.send_plaintext(b"ping").unwrap();
        let mut s = accept(&mut c, step, &a, &b);
        let (ce, se) = transfer(&mut c, &mut s);
        assert!(ce.is_none() && se.is_none(), "{name}: {ce:?} {se:?}");
        assert!(!c.is_handshaking() && !s.is_handshaking());
        assert_eq!(c.alpn_protocol(), Some(alpn));
        assert_eq!(s.server_name(), Some(name));
        let mut buf = [0u8; 4];
        assert_eq!(s.read_plaintext(&mut buf), 4);
        assert_eq!(&buf, b"ping");
    }
}

#[test]
fn a_hello_retry_after_the_acceptor_keeps_the_transcript() {
    let p = pki();
    let clock = clock();
    let (a, b) = configs(&p, &clock);
    // The client leads with P-256; b.example's config does X25519 only.
    let cc = client_builder(&p, &clock)
        .with_groups(&[SECP256R1_GROUP, X25519_GROUP])
        .build()
        .unwrap();
    let mut c = ClientConnection::new(cc, ServerName::try_from("b.example").unwrap()).unwrap();
    let mut s = accept(&mut c, 3, &a, &b);
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(
        s.handshake_kind(),
        Some(tryst::HandshakeKind::FullWithHelloRetryRequest)
    );
    assert!(!c.is_handshaking());
}

/// The client's first flight, one ClientHello record.
fn client_hello_record(p: &Pki, clock: &Arc<ManualClock>) -> (ClientConnection, Vec<u8>) {
    let cc = client_builder(p, clock).build().unwrap();
    let mut c = ClientConnection::new(cc, ServerName::try_from("a.example").unwrap()).unwrap();
    let flight = c.pending_tls().to_vec();
    c.consume_tls(flight.len());
    (c, flight)
}

#[test]
fn records_after_the_hello_reach_the_connection() {
    let p = pki();
    let clock = clock();
    let (a, _) = configs(&p, &clock);
    let (_, mut flight) = client_hello_record(&p, &clock);
    // A fatal alert right behind the ClientHello, in the same read.
    flight.extend_from_slice(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    let mut acceptor = Acceptor::new();
    assert_eq!(acceptor.read_tls_bytes(&flight), flight.len());
    let accepted = acceptor.accept().unwrap().expect("a whole ClientHello");
    let rejected = accepted.into_connection(a).unwrap_err();
    assert_eq!(
        rejected.error,
        Error::AlertReceived(AlertDescription::HandshakeFailure)
    );
}

#[test]
fn a_config_that_cannot_serve_the_hello_rejects_it_with_its_alert() {
    let p = pki();
    let clock = clock();
    let (a, _) = configs(&p, &clock);
    let cc = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_root_certificates(TrustAnchors::from_der([p.ca_der.as_slice()]).unwrap())
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let mut c = ClientConnection::new(cc, ServerName::try_from("a.example").unwrap()).unwrap();
    let flight = c.pending_tls().to_vec();
    c.consume_tls(flight.len());
    let mut acceptor = Acceptor::new();
    acceptor.read_tls_bytes(&flight);
    let rejected = acceptor
        .accept()
        .unwrap()
        .unwrap()
        .into_connection(a)
        .unwrap_err();
    assert_eq!(
        rejected.error.alert(),
        Some(AlertDescription::NoApplicationProtocol)
    );
    c.read_tls_bytes(&rejected.alert);
    assert_eq!(
        c.process_new_packets().unwrap_err(),
        Error::AlertReceived(AlertDescription::NoApplicationProtocol)
    );
}

#[test]
fn an_application_can_refuse_a_hello_with_unrecognized_name() {
    let p = pki();
    let clock = clock();
    let (mut c, flight) = client_hello_record(&p, &clock);
    let mut acceptor = Acceptor::new();
    acceptor.read_tls_bytes(&flight);
    let accepted = acceptor.accept().unwrap().unwrap();
    let bytes = accepted.refuse(AlertDescription::UnrecognizedName);
    c.read_tls_bytes(&bytes);
    assert_eq!(
        c.process_new_packets().unwrap_err(),
        Error::AlertReceived(AlertDescription::UnrecognizedName)
    );
}

/// A handshake record holding `body`.
fn record(body: &[u8]) -> Vec<u8> {
    let mut r = vec![0x16, 0x03, 0x01];
    r.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// What the acceptor sent back: the alert description of its plaintext alert record.
fn sent_alert(acceptor: &Acceptor) -> Option<u8> {
    match acceptor.pending_tls() {
        [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, d] => Some(*d),
        _ => None,
    }
}

#[test]
fn a_hello_that_never_completes_holds_bounded_memory() {
    let max = 4096;
    let mut acceptor = Acceptor::with_max_client_hello_len(max);
    // A ClientHello header declaring `max` bytes, then 100-byte records that never finish
    // it: nothing grows past the declared message.
    let mut header = vec![0x01, 0x00];
    header.extend_from_slice(&u16::try_from(max).unwrap().to_be_bytes());
    acceptor.read_tls_bytes(&record(&header));
    assert!(acceptor.accept().unwrap().is_none());
    for _ in 0..(max / 100) {
        assert_eq!(acceptor.read_tls_bytes(&record(&[0x42; 100])), 105);
        assert!(acceptor.accept().unwrap().is_none());
        assert!(acceptor.buffered_len() <= max + 4);
    }
    // One more record completes the message with bytes to spare: the ClientHello must
    // end its record (RFC 8446 §5.1), so this is unexpected_message, not growth.
    let mut last = vec![0x42; max - 100 * (max / 100)];
    last.extend_from_slice(&[0x01, 0x00, 0x00, 0x10]); // the start of another message
    acceptor.read_tls_bytes(&record(&last));
    let e = acceptor.accept().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
    assert_eq!(sent_alert(&acceptor), Some(10));
    // Failed for good.
    assert_eq!(acceptor.read_tls_bytes(&[0x16]), 0);
    assert_eq!(acceptor.accept().unwrap_err(), e);
}

#[test]
fn a_hello_declared_longer_than_the_limit_is_refused_at_its_header() {
    let mut acceptor = Acceptor::with_max_client_hello_len(1024);
    acceptor.read_tls_bytes(&record(&[0x01, 0x00, 0x04, 0x01]));
    let e = acceptor.accept().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{e}");
    assert_eq!(sent_alert(&acceptor), Some(50));
    assert!(acceptor.buffered_len() <= 1024);
}

#[test]
fn only_a_client_hello_may_come_first() {
    let cases: [(Vec<u8>, u8); 4] = [
        // A ServerHello-typed message.
        (record(&[0x02, 0x00, 0x00, 0x00]), 10),
        // change_cipher_spec before any ClientHello.
        (vec![0x14, 0x03, 0x03, 0x00, 0x01, 0x01], 10),
        // Application data.
        (vec![0x17, 0x03, 0x03, 0x00, 0x01, 0x00], 10),
        // A ClientHello that does not parse.
        (record(&[0x01, 0x00, 0x00, 0x02, 0x03, 0x03]), 50),
    ];
    for (bytes, alert) in cases {
        let mut acceptor = Acceptor::new();
        acceptor.read_tls_bytes(&bytes);
        let e = acceptor.accept().unwrap_err();
        assert_eq!(
            e.alert().map(AlertDescription::to_raw),
            Some(alert),
            "{bytes:02x?}: {e}"
        );
        assert_eq!(sent_alert(&acceptor), Some(alert), "{bytes:02x?}");
    }
    // An alert from the client ends it without an answer.
    let mut acceptor = Acceptor::new();
    acceptor.read_tls_bytes(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    assert_eq!(
        acceptor.accept().unwrap_err(),
        Error::AlertReceived(AlertDescription::HandshakeFailure)
    );
    assert!(acceptor.pending_tls().is_empty());
}
