//! RFC 8446 MUSTs about the peer that had no test before issue 13's review (the table in
//! docs/conformance.md, "RFC 8446 requirements on the peer", names every test). Plaintext
//! hellos are tampered with in flight; the encrypted server flight comes from a scripted
//! server built from the lower crates; the encrypted client flight and post-handshake
//! messages are decrypted and resealed with the secrets from the key log.
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
use common::scripted::*;
use common::tamper::*;
use common::*;
use tryst::Error;
use tryst::messages::{
    AlertDescription, CertificateRequest, CertificateVerify, CipherSuite, Codec, ContentType,
    Extension, ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, NamedGroup,
    NewSessionTicket, ProtocolVersion, RawHandshake, SignatureScheme,
};
use tryst::suites::{SECP256R1_GROUP, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384};

/// The client leads with a P-256 share, the server only does X25519: a HelloRetryRequest.
fn hrr_configs(cookie: bool) -> (Arc<tryst::ClientConfig>, Arc<tryst::ServerConfig>) {
    let (cb, sb) = hrr_builders(&pki(), &clock());
    (
        cb.with_cipher_suites(&[TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384])
            .build()
            .unwrap(),
        sb.with_hrr_cookie(cookie).build().unwrap(),
    )
}

fn client_alert_hrr(g: &dyn Fn(&mut Vec<u8>)) -> Option<AlertDescription> {
    let (cc, sc) = hrr_configs(false);
    let (ce, _) = tampered(cc, sc, &none, g);
    alert_of(&ce)
}

/// The client's alert to a HelloRetryRequest that asks for `group`.
fn hrr_asking_for(group: NamedGroup) -> Option<AlertDescription> {
    let ask = |h: &mut tryst::messages::ServerHello<'static>| {
        for e in &mut h.extensions {
            if let Extension::KeyShareHelloRetry(g) = e {
                *g = group;
            }
        }
    };
    client_alert_hrr(&hello_retry(&ask))
}

// ---- client: HelloRetryRequest (RFC 8446 §4.1.4, §4.2.8) ----

#[test]
fn hrr_and_the_tamper_hook_work_untouched() {
    let (cc, sc) = hrr_configs(false);
    let seen = std::cell::Cell::new(0);
    let count = |msg: &mut Vec<u8>| {
        edit(msg, &|h| {
            if matches!(h, HandshakeMessage::HelloRetryRequest(_)) {
                seen.set(seen.get() + 1);
            }
        })
    };
    let (ce, se) = tampered(cc, sc, &none, &count);
    assert_eq!((ce, se), (None, None));
    assert_eq!(seen.get(), 1);
}

#[test]
fn hrr_asking_for_a_group_the_client_already_sent() {
    assert_eq!(
        hrr_asking_for(NamedGroup::Secp256r1),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn hrr_asking_for_a_group_not_in_supported_groups() {
    assert_eq!(
        hrr_asking_for(NamedGroup::Secp384r1),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn hrr_that_would_change_nothing() {
    let g = hello_retry(&|h| {
        h.extensions
            .retain(|e| matches!(e, Extension::SelectedVersion(_)))
    });
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn hrr_with_a_suite_not_offered() {
    let g = hello_retry(&|h| h.cipher_suite = CipherSuite::from_raw(0x1304));
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn hrr_with_an_extension_not_offered() {
    let g = hello_retry(&|h| h.extensions.push(Extension::EarlyData));
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::UnsupportedExtension)
    );
}

#[test]
fn hrr_with_an_extension_not_allowed_in_hrr() {
    // server_name was offered (SNI), but has no place in a HelloRetryRequest.
    let g = hello_retry(&|h| h.extensions.push(Extension::ServerNameAck));
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn second_hrr_is_unexpected_message() {
    // Turn the ServerHello that answers the second ClientHello into another HRR.
    let g = server_hello(&|sh| {
        sh.random = HELLO_RETRY_REQUEST_RANDOM;
        sh.extensions = vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareHelloRetry(NamedGroup::Secp256r1),
        ];
    });
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::UnexpectedMessage)
    );
}

#[test]
fn server_hello_suite_differs_from_hrr() {
    let g = server_hello(&|sh| {
        sh.cipher_suite = if sh.cipher_suite == CipherSuite::TlsAes128GcmSha256 {
            CipherSuite::TlsAes256GcmSha384
        } else {
            CipherSuite::TlsAes128GcmSha256
        };
    });
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn server_hello_group_differs_from_hrr() {
    // The HRR asked for X25519; the ServerHello answers with the group of the first share.
    let g = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::KeyShareServer(k) = e {
                k.group = NamedGroup::Secp256r1;
            }
        }
    });
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn server_hello_legacy_version_not_tls12() {
    let (cc, sc) = configs();
    let g = server_hello(&|sh| sh.legacy_version = ProtocolVersion::from_raw(0x0302));
    let (ce, _) = tampered(cc, sc, &none, &g);
    assert_eq!(alert_of(&ce), Some(AlertDescription::IllegalParameter));
}

// ---- client: the server's choice of PSK (RFC 8446 §4.2.11, §4.2.9) ----

/// A first full handshake (so the client holds a ticket), then a second one where the
/// server's plaintext messages pass through `g`.
fn resumed_client_alert(
    cc: Arc<tryst::ClientConfig>,
    sc: Arc<tryst::ServerConfig>,
    g: &dyn Fn(&mut Vec<u8>),
) -> Option<AlertDescription> {
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    let (ce, _) = tampered(cc, sc, &none, g);
    alert_of(&ce)
}

#[test]
fn resumption_untouched_resumes() {
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc.clone(), sc.clone());
    handshake(&mut c, &mut s);
    transfer(&mut c, &mut s);
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert!(c.is_resumed());
}

#[test]
fn resumed_server_hello_without_key_share_is_illegal_parameter() {
    // The client offers psk_dhe_ke only: a PSK answer without key_share is inconsistent.
    let (cc, sc) = configs();
    let g = server_hello(&|sh| {
        sh.extensions
            .retain(|e| !matches!(e, Extension::KeyShareServer(_)))
    });
    assert_eq!(
        resumed_client_alert(cc, sc, &g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn resumed_server_hello_selects_identity_out_of_range() {
    let (cc, sc) = configs();
    let g = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::PreSharedKeySelected(i) = e {
                *i = 1;
            }
        }
    });
    assert_eq!(
        resumed_client_alert(cc, sc, &g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn resumed_with_a_suite_of_another_hash() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384])
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .build()
        .unwrap();
    // The ticket is for a SHA-256 suite; the ServerHello picks SHA-384 and the PSK.
    let g = server_hello(&|sh| sh.cipher_suite = CipherSuite::TlsAes256GcmSha384);
    assert_eq!(
        resumed_client_alert(cc, sc, &g),
        Some(AlertDescription::IllegalParameter)
    );
}

// ---- client: key shares (RFC 8446 §4.2.8.2) ----

/// An uncompressed P-256 point that is not on the curve.
fn off_curve_point() -> Vec<u8> {
    let mut v = vec![4u8];
    v.extend_from_slice(&[1u8; 64]);
    v
}

/// A client that only offers P-256, and the default server.
fn p256_configs() -> (Arc<tryst::ClientConfig>, Arc<tryst::ServerConfig>) {
    let p = pki();
    let clock = clock();
    (
        client_builder(&p, &clock, b"client")
            .with_groups(&[SECP256R1_GROUP])
            .build()
            .unwrap(),
        server_builder(&p, &clock, b"server").build().unwrap(),
    )
}

#[test]
fn server_p256_share_off_the_curve_is_illegal_parameter() {
    let (cc, sc) = p256_configs();
    let g = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::KeyShareServer(k) = e {
                k.key_exchange = off_curve_point().into();
            }
        }
    });
    let (ce, _) = tampered(cc, sc, &none, &g);
    assert_eq!(alert_of(&ce), Some(AlertDescription::IllegalParameter));
}

// ---- server: the ClientHello (RFC 8446 §4.1.2, §4.2.8, §9.2, §9.3) ----

#[test]
fn client_hello_supported_groups_without_key_share() {
    let f = client_hello(&|ch| {
        ch.extensions
            .retain(|e| !matches!(e, Extension::KeyShareClient(_)))
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn client_hello_without_supported_groups_or_key_share() {
    let f = client_hello(&|ch| {
        ch.extensions.retain(|e| {
            !matches!(
                e,
                Extension::KeyShareClient(_) | Extension::SupportedGroups(_)
            )
        })
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::MissingExtension));
}

#[test]
fn client_hello_all_zero_x25519_share_is_illegal_parameter() {
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClient(ks) = e {
                for k in ks {
                    k.key_exchange = vec![0u8; 32].into();
                }
            }
        }
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_p256_share_off_the_curve_is_illegal_parameter() {
    let (cc, sc) = p256_configs();
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClient(ks) = e {
                for k in ks {
                    k.key_exchange = off_curve_point().into();
                }
            }
        }
    });
    let (_, se) = tampered(cc, sc, &f, &none);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_with_an_extension_not_allowed_there() {
    // oid_filters belongs in CertificateRequest only (RFC 8446 §4.2).
    let f = client_hello(&|ch| ch.extensions.insert(0, Extension::OidFilters(vec![])));
    assert_eq!(server_alert(&f), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_hello_without_common_group_or_signature_scheme() {
    // RFC 8446 §4.1.1: no acceptable parameters is handshake_failure.
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            match e {
                Extension::SupportedGroups(g) => *g = vec![NamedGroup::from_raw(0x1a1a)],
                Extension::KeyShareClient(k) => k.clear(),
                _ => {}
            }
        }
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::HandshakeFailure));
    let f = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::SignatureAlgorithms(s) = e {
                *s = vec![SignatureScheme::EcdsaSecp384r1Sha384];
            }
        }
    });
    assert_eq!(server_alert(&f), Some(AlertDescription::HandshakeFailure));
}

#[test]
fn server_ignores_unknown_suites_extensions_groups_schemes_and_versions() {
    // GREASE-style values (RFC 8701) everywhere a ClientHello lists things.
    let (cc, sc) = configs();
    let (c, mut s) = pair(cc, sc);
    let f = client_hello(&|ch| {
        ch.cipher_suites.insert(0, CipherSuite::from_raw(0x0a0a));
        for e in &mut ch.extensions {
            match e {
                Extension::SupportedGroups(g) => g.insert(0, NamedGroup::from_raw(0x1a1a)),
                Extension::SignatureAlgorithms(s) => s.insert(0, SignatureScheme::from_raw(0x2a2a)),
                Extension::SupportedVersions(v) => v.insert(0, ProtocolVersion::from_raw(0x3a3a)),
                _ => {}
            }
        }
        ch.extensions.insert(
            0,
            Extension::Unknown {
                typ: ExtensionType::from(0x4a4a),
                data: Cow::Owned(vec![0]),
            },
        );
    });
    let ch = rewrite(c.pending_tls(), &f);
    s.read_tls_bytes(&ch);
    s.process_new_packets().unwrap();
    let out = s.pending_tls();
    assert_eq!(out[0], 22, "the server answers with a handshake record");
    let (raw, _) = RawHandshake::split(&out[5..], 1 << 16).unwrap().unwrap();
    let HandshakeMessage::ServerHello(sh) = raw.parse().unwrap() else {
        panic!("not a ServerHello")
    };
    assert_ne!(sh.cipher_suite, CipherSuite::from_raw(0x0a0a));
    assert!(
        sh.extensions
            .contains(&Extension::SelectedVersion(ProtocolVersion::Tls13))
    );
}

#[test]
fn second_client_hello_with_a_share_for_another_group() {
    let (cc, sc) = hrr_configs(false);
    let (seen, se) = second_client_hello(cc, sc, &|ch| {
        for e in &mut ch.extensions {
            if let Extension::KeyShareClient(ks) = e {
                for k in ks {
                    k.group = NamedGroup::Secp256r1;
                }
            }
        }
    });
    assert_eq!(seen, 2);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn second_client_hello_without_the_cookie() {
    let (cc, sc) = hrr_configs(true);
    let (seen, se) = second_client_hello(cc, sc, &|ch| {
        assert!(
            ch.extensions
                .iter()
                .any(|e| matches!(e, Extension::Cookie(_)))
        );
        ch.extensions.retain(|e| !matches!(e, Extension::Cookie(_)));
    });
    assert_eq!(seen, 2);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

// ---- client: the encrypted server flight, from a scripted server (as in scripted.rs) ----

fn cert_request(extra: Vec<Extension<'static>>) -> CertificateRequest<'static> {
    let mut extensions = vec![Extension::SignatureAlgorithms(vec![
        SignatureScheme::Ed25519,
    ])];
    extensions.extend(extra);
    CertificateRequest {
        certificate_request_context: Cow::Owned(vec![]),
        extensions,
    }
}

#[test]
fn certificate_request_with_an_unknown_extension_is_accepted() {
    let unknown = Extension::Unknown {
        typ: ExtensionType::from(0x7777),
        data: Cow::Owned(b"x".to_vec()),
    };
    let (c, r) = scripted(&Script {
        cert_request: Some(cert_request(vec![unknown])),
        ..Default::default()
    });
    r.unwrap();
    assert!(!c.is_handshaking());
}

#[test]
fn certificate_request_with_an_extension_not_allowed_there() {
    let (c, r) = scripted(&Script {
        cert_request: Some(cert_request(vec![Extension::ServerNameAck])),
        ..Default::default()
    });
    assert_eq!(
        r.unwrap_err().alert(),
        Some(AlertDescription::IllegalParameter)
    );
    drop(c);
}

#[test]
fn encrypted_extensions_with_early_data_not_offered() {
    let a = scripted_alert(&Script {
        ee: vec![Extension::EarlyData],
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnsupportedExtension));
}

#[test]
fn server_certificate_with_a_request_context() {
    let a = scripted_alert(&Script {
        cert_context: vec![1],
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::IllegalParameter));
}

#[test]
fn key_update_before_finished_is_unexpected_message() {
    let a = scripted_alert(&Script {
        extra: Some(vec![24, 0, 0, 1, 0]),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnexpectedMessage));
}

#[test]
fn new_session_ticket_before_finished_is_unexpected_message() {
    let a = scripted_alert(&Script {
        extra: Some(ticket(60, vec![])),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnexpectedMessage));
}

// ---- encrypted client messages and post-handshake messages, resealed with logged keys ----

/// One record of `typ` carrying `payload`, sealed at sequence number 0 under `label`'s keys.
fn sealed(log: &CollectLog, label: &str, typ: ContentType, payload: &[u8]) -> Vec<u8> {
    seal(&log.secret(label), typ, payload)
}

struct Setup {
    c: tryst::ClientConnection,
    s: tryst::ServerConnection,
    log: Arc<CollectLog>,
}

/// A pair on TLS_AES_128_GCM_SHA256 whose secrets are logged; the server sends no tickets
/// (so its first application-key record is number 0) and, with `client_auth`, requires a
/// client certificate.
fn setup(client_auth: bool) -> Setup {
    let p = pki();
    let clock = clock();
    let log = Arc::new(CollectLog::default());
    let mut cb = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .with_key_log(log.clone());
    if client_auth {
        cb = cb.with_client_auth_cert(
            tryst::CertifiedKey::new(
                vec![tryst::pki_types::CertificateDer::from(p.client_der.clone())],
                Arc::new(key(3)),
            )
            .unwrap(),
        );
    }
    let mut sb = server_builder(&p, &clock, b"server").with_ticket_count(0);
    if client_auth {
        sb = sb.with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(
            anchors(&p),
        )));
    }
    let (c, s) = pair(cb.build().unwrap(), sb.build().unwrap());
    Setup { c, s, log }
}

/// Run the handshake up to the client's second flight, let `f` edit its handshake
/// messages (decrypted, one `Vec` per message), reseal them and return the server's error.
fn edited_client_flight(client_auth: bool, f: &dyn Fn(&mut Vec<Vec<u8>>)) -> Option<Error> {
    let Setup { mut c, mut s, log } = setup(client_auth);
    edit_client_second_flight(&mut c, &mut s, &log, f)
}

/// Apply `m` to the one message of the flight that parses as what `m` wants.
fn each(msgs: &mut [Vec<u8>], m: &dyn Fn(&mut HandshakeMessage<'static>)) {
    for msg in msgs {
        edit(msg, m);
    }
}

/// The client flight with client authentication, its CertificateVerify changed by `m`.
fn edited_certificate_verify(m: &dyn Fn(&mut CertificateVerify<'static>)) -> Option<Error> {
    edited_client_flight(true, &|msgs| {
        each(msgs, &|h| {
            if let HandshakeMessage::CertificateVerify(cv) = h {
                m(cv);
            }
        })
    })
}

#[test]
fn resealed_client_flight_untouched_completes() {
    for auth in [false, true] {
        let se = edited_client_flight(auth, &|msgs| {
            assert_eq!(msgs.len(), if auth { 3 } else { 1 });
        });
        assert!(se.is_none(), "{se:?}");
    }
}

#[test]
fn client_finished_mismatch_is_decrypt_error() {
    let se = edited_client_flight(false, &|msgs| {
        *msgs.last_mut().unwrap().last_mut().unwrap() ^= 1;
    });
    assert_eq!(alert_of(&se), Some(AlertDescription::DecryptError));
}

#[test]
fn client_certificate_verify_bad_signature_is_decrypt_error() {
    let se = edited_certificate_verify(&|cv| cv.signature.to_mut()[10] ^= 1);
    assert_eq!(alert_of(&se), Some(AlertDescription::DecryptError));
}

#[test]
fn client_certificate_verify_with_pkcs1_is_illegal_parameter() {
    let se = edited_certificate_verify(&|cv| cv.algorithm = SignatureScheme::RsaPkcs1Sha256);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_certificate_verify_scheme_not_matching_key() {
    let se = edited_certificate_verify(&|cv| cv.algorithm = SignatureScheme::EcdsaSecp256r1Sha256);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_certificate_with_another_request_context() {
    let se = edited_client_flight(true, &|msgs| {
        each(msgs, &|h| {
            if let HandshakeMessage::Certificate(c) = h {
                c.certificate_request_context = Cow::Owned(vec![7]);
            }
        })
    });
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_certificate_verify_missing_is_unexpected_message() {
    // A certificate, then straight to Finished: the proof of possession is skipped.
    let se = edited_client_flight(true, &|msgs| {
        msgs.remove(1);
    });
    assert_eq!(alert_of(&se), Some(AlertDescription::UnexpectedMessage));
}

fn established() -> Setup {
    let mut st = setup(false);
    handshake(&mut st.c, &mut st.s);
    st
}

/// Feed the server one record from the client's application keys; its error.
fn to_server(typ: ContentType, payload: &[u8]) -> Error {
    let mut st = established();
    let rec = sealed(&st.log, "CLIENT_TRAFFIC_SECRET_0", typ, payload);
    st.s.read_tls_bytes(&rec);
    st.s.process_new_packets()
        .expect_err("the server must refuse")
}

/// Feed the client one record from the server's application keys; its result.
fn to_client(typ: ContentType, payload: &[u8]) -> Result<(), Error> {
    let mut st = established();
    let rec = sealed(&st.log, "SERVER_TRAFFIC_SECRET_0", typ, payload);
    st.c.read_tls_bytes(&rec);
    st.c.process_new_packets().map(|_| ())
}

#[test]
fn resealed_application_data_is_accepted_both_ways() {
    to_client(ContentType::ApplicationData, b"hello").unwrap();
    let mut st = established();
    let rec = sealed(
        &st.log,
        "CLIENT_TRAFFIC_SECRET_0",
        ContentType::ApplicationData,
        b"hello",
    );
    st.s.read_tls_bytes(&rec);
    st.s.process_new_packets().unwrap();
    assert_eq!(read_all(&mut st.s), b"hello");
}

#[test]
fn client_hello_after_the_handshake_is_unexpected_message() {
    let (c, _) = pair(configs().0, configs().1);
    let ch = c.pending_tls()[5..].to_vec();
    let e = to_server(ContentType::Handshake, &ch);
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
}

fn ticket(lifetime: u32, extensions: Vec<Extension<'static>>) -> Vec<u8> {
    HandshakeMessage::NewSessionTicket(NewSessionTicket {
        ticket_lifetime: lifetime,
        ticket_age_add: 0,
        ticket_nonce: Cow::Owned(vec![0]),
        ticket: Cow::Owned(vec![1; 16]),
        extensions,
    })
    .to_bytes()
    .unwrap()
}

#[test]
fn new_session_ticket_from_the_client_is_unexpected_message() {
    let e = to_server(ContentType::Handshake, &ticket(60, vec![]));
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
}

#[test]
fn post_handshake_certificate_request_without_post_handshake_auth() {
    let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
        certificate_request_context: Cow::Owned(vec![1]),
        extensions: vec![Extension::SignatureAlgorithms(vec![
            SignatureScheme::Ed25519,
        ])],
    })
    .to_bytes()
    .unwrap();
    let e = to_client(ContentType::Handshake, &cr).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
}

#[test]
fn ticket_lifetime_over_seven_days() {
    to_client(ContentType::Handshake, &ticket(604_800, vec![])).unwrap();
    let e = to_client(ContentType::Handshake, &ticket(604_801, vec![])).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
}

#[test]
fn new_session_ticket_extensions() {
    // Unknown ones are ignored; a known one that has no place there is illegal_parameter.
    let unknown = Extension::Unknown {
        typ: ExtensionType::from(0x7777),
        data: Cow::Owned(b"x".to_vec()),
    };
    to_client(ContentType::Handshake, &ticket(60, vec![unknown])).unwrap();
    let e = to_client(
        ContentType::Handshake,
        &ticket(60, vec![Extension::ServerNameAck]),
    )
    .unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
}

#[test]
fn key_update_with_an_unknown_request_is_illegal_parameter() {
    let e = to_server(ContentType::Handshake, &[24, 0, 0, 1, 2]);
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
    let e = to_client(ContentType::Handshake, &[24, 0, 0, 1, 2]).unwrap_err();
    assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter), "{e}");
}

#[test]
fn unknown_or_warning_alerts_end_the_connection() {
    // RFC 8446 §6: unknown alert types, and any alert of §6.2 whatever its level, are errors.
    for alert in [[1u8, 0xfe], [2, 0xfe], [1, 40]] {
        let e = to_client(ContentType::Alert, &alert).unwrap_err();
        assert!(matches!(e, Error::AlertReceived(_)), "{alert:?}: {e}");
        let e = to_server(ContentType::Alert, &alert);
        assert!(matches!(e, Error::AlertReceived(_)), "{alert:?}: {e}");
    }
}
