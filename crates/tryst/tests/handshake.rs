//! In-memory client/server tests for every feature of the connection layer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::reseal::CollectLog;
use common::*;
use tryst::HandshakeKind;
use tryst::messages::{AlertDescription, CipherSuite, NamedGroup, SignatureScheme};

#[test]
fn full_handshake_and_data() {
    let (mut c, mut s) = connected();
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

#[test]
fn resumption_from_ticket_gives_fresh_keys() {
    let p = pki();
    let clock = clock();
    let log = std::sync::Arc::new(CollectLog::default());
    let cc = client_builder(&p, &clock, b"client")
        .with_key_log(log.clone())
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    handshake(&mut c, &mut s);
    assert!(!c.is_resumed());
    // The tickets arrive after the handshake.
    transfer(&mut c, &mut s);

    clock.advance(std::time::Duration::from_secs(60));
    let (mut c2, mut s2) = pair(cc.clone(), sc.clone());
    handshake(&mut c2, &mut s2);
    assert_eq!(c2.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(s2.handshake_kind(), Some(HandshakeKind::Resumed));
    assert_eq!(c2.signature_scheme(), None);
    assert_eq!(
        c2.peer_certificates().len(),
        1,
        "resumed session keeps the original chain"
    );
    c2.send_plaintext(b"again").unwrap();
    transfer(&mut c2, &mut s2);
    assert_eq!(read_all(&mut s2), b"again");

    // Each session's traffic secrets differ (psk_dhe_ke: fresh (EC)DHE every time).
    let secrets = log.values("CLIENT_TRAFFIC_SECRET_0");
    assert_eq!(secrets.len(), 2);
    assert_ne!(secrets[0], secrets[1]);

    // Two tickets were issued and each is used once; a third connection uses the second.
    let (mut c3, mut s3) = pair(cc.clone(), sc.clone());
    handshake(&mut c3, &mut s3);
    assert!(c3.is_resumed());
}

#[test]
fn expired_or_foreign_ticket_falls_back_to_full_handshake() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_ticket_lifetime(std::time::Duration::from_secs(100))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    clock.advance(std::time::Duration::from_secs(101));
    let (mut c2, mut s2) = pair(cc.clone(), sc);
    handshake(&mut c2, &mut s2);
    assert_eq!(c2.handshake_kind(), Some(HandshakeKind::Full));

    // A server with other ticket keys cannot open our tickets: full handshake.
    transfer(&mut c2, &mut s2);
    let other = server_builder(&p, &clock, b"other")
        .with_ticket_keys(std::sync::Arc::new(tryst::TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[7; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )))
        .build()
        .unwrap();
    let (mut c3, mut s3) = pair(cc, other);
    handshake(&mut c3, &mut s3);
    assert_eq!(c3.handshake_kind(), Some(HandshakeKind::Full));
}

#[test]
fn hello_retry_request_when_no_share_fits() {
    // The client guesses P-256; the server only does X25519.
    let (cb, sb) = hrr_builders(&pki(), &clock());
    let cc = cb.with_middlebox_compat(true).build().unwrap();
    let sc = sb.build().unwrap();
    let mut c = tryst::ClientConnection::new_traced(cc.clone(), localhost(), true).unwrap();
    let mut s = tryst::ServerConnection::new(sc.clone()).unwrap();
    handshake(&mut c, &mut s);
    assert_eq!(
        c.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(
        s.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(c.negotiated_group(), Some(NamedGroup::X25519));
    let hellos = c
        .take_events()
        .iter()
        .filter(|e| {
            matches!(
                e,
                tryst::Event::Sent {
                    message: tryst::messages::HandshakeType::ClientHello,
                    ..
                }
            )
        })
        .count();
    assert_eq!(hellos, 2);
    c.send_plaintext(b"after hrr").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"after hrr");

    // Resumption after an HRR handshake also works (and needs another HRR).
    transfer(&mut c, &mut s);
    let (mut c2, mut s2) = pair(cc, sc);
    handshake(&mut c2, &mut s2);
    assert_eq!(
        c2.handshake_kind(),
        Some(HandshakeKind::ResumedWithHelloRetryRequest)
    );
}

#[test]
fn p256_and_aes256() {
    use tryst::suites::{SECP256R1_GROUP, TLS13_AES_256_GCM_SHA384};
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_groups(&[SECP256R1_GROUP])
        .with_cipher_suites(&[TLS13_AES_256_GCM_SHA384])
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(s.negotiated_group(), Some(NamedGroup::Secp256r1));
    assert_eq!(
        s.negotiated_cipher_suite().unwrap().suite,
        CipherSuite::TlsAes256GcmSha384
    );
}

#[test]
fn client_authentication_required_and_optional() {
    use std::sync::Arc;
    use tryst::verify::WebPkiClientVerifier;
    let p = pki();
    let clock = clock();
    let client_key = tryst::CertifiedKey::new(
        vec![tryst::pki_types::CertificateDer::from(p.client_der.clone())],
        Arc::new(key(3)),
    )
    .unwrap();
    let cc = client_builder(&p, &clock, b"client")
        .with_client_auth_cert(client_key)
        .build()
        .unwrap();
    let anon = client_builder(&p, &clock, b"anon").build().unwrap();
    let required = server_builder(&p, &clock, b"server")
        .with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(anchors(&p))))
        .build()
        .unwrap();
    let optional = server_builder(&p, &clock, b"server")
        .with_client_cert_verifier(Arc::new(WebPkiClientVerifier::new(anchors(&p)).optional()))
        .build()
        .unwrap();

    let (mut c, mut s) = pair(cc, required.clone());
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_certificates().len(), 1);

    let (mut c, mut s) = pair(anon.clone(), required);
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(
        matches!(
            se,
            Some(tryst::Error::PeerMisbehaved {
                alert: AlertDescription::CertificateRequired,
                ..
            })
        ),
        "{se:?}"
    );
    assert_eq!(
        ce,
        Some(tryst::Error::AlertReceived(
            AlertDescription::CertificateRequired
        ))
    );

    let (mut c, mut s) = pair(anon, optional);
    handshake(&mut c, &mut s);
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn key_update_both_ways() {
    let (mut c, mut s) = connected();
    transfer(&mut c, &mut s);
    c.refresh_traffic_keys(true).unwrap();
    c.send_plaintext(b"new keys").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"new keys");
    assert_eq!(
        c.key_generations(),
        (1, 1),
        "server answered the requested update"
    );
    assert_eq!(s.key_generations(), (1, 1));
    s.send_plaintext(b"reply").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut c), b"reply");
    for _ in 0..5 {
        s.refresh_traffic_keys(false).unwrap();
    }
    s.send_plaintext(b"x").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(c.key_generations(), (1, 6));
    assert_eq!(read_all(&mut c), b"x");
}

#[test]
fn idle_timeout_and_session_lifetime_expire() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_idle_timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_max_session_lifetime(std::time::Duration::from_secs(3600))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    clock.advance(std::time::Duration::from_secs(31));
    assert_eq!(c.check_timeouts(), Err(tryst::Error::SessionExpired));
    assert!(c.send_plaintext(b"late").is_err());
    // The expired side closes cleanly.
    transfer(&mut c, &mut s);
    assert!(s.peer_has_closed());

    clock.advance(std::time::Duration::from_secs(3600));
    assert_eq!(s.check_timeouts(), Err(tryst::Error::SessionExpired));
}

#[test]
fn chacha20_poly1305_suite() {
    use tryst::suites::TLS13_CHACHA20_POLY1305_SHA256;
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_CHACHA20_POLY1305_SHA256])
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(
        s.negotiated_cipher_suite().unwrap().suite,
        CipherSuite::TlsChacha20Poly1305Sha256
    );
    c.send_plaintext(&[7u8; 40_000]).unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), vec![7u8; 40_000]);
}

#[test]
fn record_size_limit_is_honoured_both_ways() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_record_size_limit(Some(256))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_record_size_limit(512)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    s.send_plaintext(&[1u8; 5000]).unwrap();
    c.send_plaintext(&[2u8; 5000]).unwrap();
    // Every protected record respects the receiver's limit (+ 16-byte tag, 5-byte header).
    let check = |tls: &[u8], limit: usize| {
        let mut rest = tls;
        let mut n = 0;
        while rest.len() >= 5 {
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            assert!(
                len <= limit + 16,
                "record of {len} bytes over limit {limit}"
            );
            rest = &rest[5 + len..];
            n += 1;
        }
        assert!(n >= 5000 / limit);
    };
    check(s.pending_tls(), 256);
    check(c.pending_tls(), 512);
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut c), vec![1u8; 5000]);
    assert_eq!(read_all(&mut s), vec![2u8; 5000]);
}

#[test]
fn key_update_flood_is_refused() {
    let (mut c, mut s) = connected();
    transfer(&mut c, &mut s);
    // The default cap is 32 KeyUpdates in a row without application data.
    for _ in 0..40 {
        s.refresh_traffic_keys(false).unwrap();
    }
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(
        ce.and_then(|e| e.alert()),
        Some(AlertDescription::UnexpectedMessage)
    );
}

#[test]
fn application_data_resets_the_key_update_count() {
    let (mut c, mut s) = connected();
    transfer(&mut c, &mut s);
    for _ in 0..4 {
        for _ in 0..20 {
            s.refresh_traffic_keys(false).unwrap();
        }
        s.send_plaintext(b"x").unwrap();
    }
    let (ce, _) = transfer(&mut c, &mut s);
    assert!(ce.is_none(), "{ce:?}");
    assert_eq!(c.key_generations().1, 80);
}

#[test]
fn post_quantum_hybrid_x25519mlkem768() {
    use tryst::suites::{X25519_GROUP, X25519MLKEM768_GROUP};
    let p = pki();
    let clock = clock();
    // Both shares sent: a hybrid-capable server (the default) picks the hybrid.
    let cc = client_builder(&p, &clock, b"client")
        .with_groups(&[X25519MLKEM768_GROUP, X25519_GROUP])
        .with_key_shares_for_all_groups(true)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc.clone(), sc);
    handshake(&mut c, &mut s);
    assert_eq!(c.negotiated_group(), Some(NamedGroup::X25519MlKem768));
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Full));
    c.send_plaintext(b"pq").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"pq");

    // A server without the hybrid takes the X25519 share: no retry.
    let classic = server_builder(&p, &clock, b"server")
        .with_groups(&[X25519_GROUP])
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, classic.clone());
    handshake(&mut c, &mut s);
    assert_eq!(c.negotiated_group(), Some(NamedGroup::X25519));
    // (It resumes from the first session's ticket: same ticket keys.)
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Resumed));

    // A hybrid-only first share against that server costs a HelloRetryRequest.
    let hybrid_first = client_builder(&p, &clock, b"client2")
        .with_groups(&[X25519MLKEM768_GROUP, X25519_GROUP])
        .build()
        .unwrap();
    let (mut c, mut s) = pair(hybrid_first, classic);
    handshake(&mut c, &mut s);
    assert_eq!(
        c.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
}

#[test]
fn send_buffering_is_bounded() {
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, sc);
    let limit = tryst::Limits::default().max_buffered_send;
    // Before the handshake: at most `limit` bytes are queued.
    let big = vec![3u8; 3 * limit];
    let taken = c.send_plaintext(&big).unwrap();
    assert_eq!(taken, limit);
    assert_eq!(c.send_plaintext(b"more").unwrap(), 0);
    handshake(&mut c, &mut s);
    // After it: at most `limit` bytes of TLS wait for write_tls. Move bytes by hand,
    // draining the server's plaintext as we go (it stops reading when its buffer is full).
    let mut got = Vec::new();
    let mut sent = 0;
    let mut buf = vec![0u8; 1 << 16];
    for _ in 0..10_000 {
        if sent < big.len() {
            sent += c.send_plaintext(&big[sent..]).unwrap();
            assert!(c.pending_tls().len() <= limit + 17 * 1024);
        }
        let out = c.pending_tls().to_vec();
        let took = s.read_tls_bytes(&out);
        c.consume_tls(took);
        s.process_new_packets().unwrap();
        let n = s.read_plaintext(&mut buf);
        got.extend_from_slice(&buf[..n]);
        if got.len() == limit + big.len() {
            break;
        }
    }
    assert_eq!(got.len(), limit + big.len());
}

#[test]
fn key_update_is_sent_automatically_before_the_usage_limit() {
    let p = pki();
    let clock = clock();
    let mut limits = tryst::Limits::default();
    limits.key_update_after_records = Some(10);
    let cc = client_builder(&p, &clock, b"client")
        .with_limits(limits)
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    for i in 0..35u8 {
        c.send_plaintext(&[i]).unwrap();
        transfer(&mut c, &mut s);
    }
    let got = read_all(&mut s);
    assert_eq!(got, (0..35u8).collect::<Vec<_>>());
    // Every 10 records under one key (the client Finished counts under the handshake key,
    // not here): at least 3 updates for 35 data records, each adding one record.
    assert!(c.key_generations().0 >= 3, "{:?}", c.key_generations());
    assert_eq!(s.key_generations().1, c.key_generations().0);
}
