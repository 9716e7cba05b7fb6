//! RFC 8446 MUSTs, each with the alert the RFC names. The peer's plaintext messages are
//! tampered with in flight (ClientHello, ServerHello); encrypted ones are produced by
//! a scripted server built from the lower crates, so any message can be wrong on purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::tamper::*;
use common::*;
use tryst::Error;
use tryst::messages::{AlertDescription, Codec, Extension, HandshakeMessage, ProtocolVersion};

// ---- client-side checks of the ServerHello (RFC 8446 §4.1.3, §4.2) ----

#[test]
fn server_hello_suite_not_offered() {
    let f = server_hello(&|sh| sh.cipher_suite = tryst::messages::CipherSuite::from_raw(0x1304));
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_session_id_not_echoed() {
    let f = server_hello(&|sh| sh.legacy_session_id_echo = vec![1, 2, 3].into());
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_compression_not_zero() {
    let f = server_hello(&|sh| sh.legacy_compression_method = 1);
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_without_supported_versions_is_tls12() {
    // With TLS 1.2 on (the default), a ServerHello without supported_versions is a TLS 1.2
    // one: choosing a TLS 1.3 suite there is illegal_parameter. As TLS 1.1 it is
    // protocol_version (tests/tls12_negative.rs has the TLS 1.3-only client).
    let f = server_hello(&|sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::SelectedVersion(_)))
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
    let f = server_hello(&|sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::SelectedVersion(_)));
        sh.legacy_version = tryst::messages::ProtocolVersion::Tls11;
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::ProtocolVersion));
}

#[test]
fn downgrade_sentinel_is_illegal_parameter() {
    let f = server_hello(&|sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::SelectedVersion(_)));
        sh.random[24..].copy_from_slice(b"DOWNGRD\x01");
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_selects_tls12_in_supported_versions() {
    let f = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::SelectedVersion(v) = e {
                *v = ProtocolVersion::Tls12;
            }
        }
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_key_share_for_group_not_sent() {
    let f = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::KeyShareServer(k) = e {
                k.group = tryst::messages::NamedGroup::Secp256r1;
            }
        }
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn server_hello_without_key_share() {
    let f = server_hello(&|sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::KeyShareServer(_)))
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn server_hello_unsolicited_extension() {
    let f = server_hello(&|sh| sh.extensions.push(Extension::Cookie(vec![1].into())));
    // cookie is not allowed in ServerHello at all (only in HelloRetryRequest).
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
    let f = server_hello(&|sh| sh.extensions.push(Extension::EarlyData));
    assert_eq!(
        client_alert(&f),
        Some(AlertDescription::UnsupportedExtension)
    );
}

#[test]
fn server_hello_selects_psk_not_offered() {
    let f = server_hello(&|sh| sh.extensions.push(Extension::PreSharedKeySelected(0)));
    let a = client_alert(&f);
    // pre_shared_key was not offered (no ticket yet): unsupported_extension.
    assert_eq!(a, Some(AlertDescription::UnsupportedExtension));
}

#[test]
fn invalid_server_key_share_is_illegal_parameter() {
    let f = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::KeyShareServer(k) = e {
                k.key_exchange = vec![0u8; 32].into(); // small-order point: all-zero secret
            }
        }
    });
    assert_eq!(client_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn tampered_server_hello_random_breaks_the_keys() {
    // A changed random changes the transcript: the server's first encrypted record fails.
    let f = server_hello(&|sh| sh.random[0] ^= 1);
    assert_eq!(client_alert(&f), Some(AlertDescription::BadRecordMac));
}

// ---- server-side checks of the ClientHello (RFC 8446 §4.1.2, §4.2, §9.2) ----

#[test]
fn client_hello_without_tls13_or_tls12() {
    // Without supported_versions, legacy_version names the highest version: TLS 1.1 here.
    let f = client_hello(&|ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::SupportedVersions(_)));
        ch.legacy_version = tryst::messages::ProtocolVersion::Tls11;
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::ProtocolVersion));
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::SupportedVersions(v) = e {
                *v = vec![
                    tryst::messages::ProtocolVersion::Tls11,
                    tryst::messages::ProtocolVersion::Tls10,
                ];
            }
        }
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::ProtocolVersion));
}

#[test]
fn client_hello_compression_methods() {
    let f = client_hello(&|ch| ch.legacy_compression_methods = vec![1, 0].into());
    assert_eq!(server_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_key_share_without_supported_groups() {
    let f = client_hello(&|ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::SupportedGroups(_)))
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn client_hello_without_signature_algorithms() {
    let f = client_hello(&|ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::SignatureAlgorithms(_)))
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn client_hello_no_common_suite() {
    let f =
        client_hello(&|ch| ch.cipher_suites = vec![tryst::messages::CipherSuite::from_raw(0x1304)]);
    assert_eq!(server_alert(&f), Some(AlertDescription::HandshakeFailure));
}

#[test]
fn client_hello_key_share_for_group_not_in_supported_groups() {
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::SupportedGroups(g) = e {
                g.retain(|g| *g != tryst::messages::NamedGroup::X25519);
            }
        }
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_duplicate_extension() {
    let f = client_hello(&|ch| {
        let dup = ch.extensions[1].clone();
        ch.extensions.insert(1, dup);
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_with_psk_but_no_modes() {
    let f = client_hello(&|ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::PskKeyExchangeModes(_)));
        ch.extensions
            .push(Extension::PreSharedKeyOffer(tryst::messages::OfferedPsks {
                identities: vec![tryst::messages::PskIdentity {
                    identity: vec![1; 16].into(),
                    obfuscated_ticket_age: 0,
                }],
                binders: vec![vec![0; 32].into()],
            }));
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn resumption_with_a_bad_binder_is_decrypt_error() {
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    // Flip the last byte of the ClientHello: the last byte of the binder.
    let flip = |msg: &mut Vec<u8>| {
        if msg[0] == 1 {
            *msg.last_mut().unwrap() ^= 1;
        }
    };
    let (_, se) = tampered(cc, sc, &flip, &none);
    assert_eq!(alert_of(&se), Some(AlertDescription::DecryptError));
}

#[test]
fn tampered_client_hello_fails_finished_or_record() {
    // The server accepts the changed hello but the transcripts now differ.
    let f = client_hello(&|ch| ch.random[5] ^= 0x80);
    let (cc, sc) = configs();
    let (ce, se) = tampered(cc, sc, &f, &none);
    let a = alert_of(&ce).or(alert_of(&se));
    assert!(
        matches!(
            a,
            Some(AlertDescription::BadRecordMac | AlertDescription::DecryptError)
        ),
        "{ce:?} {se:?}"
    );
}

#[test]
fn out_of_order_message_is_unexpected_message() {
    // Server receives a Finished where a ClientHello belongs.
    let f = |msg: &mut Vec<u8>| {
        *msg = HandshakeMessage::Finished(tryst::messages::Finished {
            verify_data: vec![0; 32].into(),
        })
        .to_bytes()
        .unwrap();
    };
    assert_eq!(server_alert(&f), Some(AlertDescription::UnexpectedMessage));
    // Client receives a ClientHello where a ServerHello belongs.
    let (cc, sc) = configs();
    let (mut c, _) = pair(cc.clone(), sc);
    let ch = c.pending_tls().to_vec();
    let (mut c2, _) = pair(cc, configs().1);
    c2.read_tls_bytes(&ch);
    let e = c2.process_new_packets().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage));
    let _ = &mut c;
}

#[test]
fn application_data_before_handshake_is_unexpected() {
    let (cc, sc) = configs();
    let (_, mut s) = pair(cc, sc);
    s.read_tls_bytes(&[
        23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ]);
    let e = s.process_new_packets().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage));
}

#[test]
fn oversized_handshake_message_is_refused_without_buffering_it() {
    let p = pki();
    let clock = clock();
    let mut limits = tryst::Limits::default();
    limits.max_handshake_message_len = 1024;
    let sc = server_builder(&p, &clock, b"server")
        .with_limits(limits)
        .build()
        .unwrap();
    let mut s = tryst::ServerConnection::new(sc).unwrap();
    // A ClientHello header claiming 100 000 bytes.
    let mut rec = vec![22, 3, 1, 0, 4, 1, 0x01, 0x86, 0xa0];
    rec[4] = 4;
    s.read_tls_bytes(&rec);
    let e = s.process_new_packets().unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{e}");
}

#[test]
fn errors_are_sticky_and_alert_is_sent_once() {
    let (cc, sc) = configs();
    let (_, mut s) = pair(cc, sc);
    s.read_tls_bytes(&[21, 3, 3, 0, 2, 2, 40]);
    let e1 = s.process_new_packets().unwrap_err();
    let e2 = s.process_new_packets().unwrap_err();
    assert_eq!(e1, e2);
    assert_eq!(e1, Error::AlertReceived(AlertDescription::HandshakeFailure));
}

// ---- early data (RFC 8446 §4.1.2, §4.2.10) ----

#[test]
fn second_client_hello_with_early_data_is_illegal_parameter() {
    // The client leads with P-256, the server only does X25519: a HelloRetryRequest.
    let (cb, sb) = hrr_builders(&pki(), &clock());
    let (cc, sc) = (cb.build().unwrap(), sb.build().unwrap());
    let (seen, se) = second_client_hello(cc, sc, &|ch| ch.extensions.push(Extension::EarlyData));
    assert_eq!(seen, 2, "there was a second ClientHello");
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}
