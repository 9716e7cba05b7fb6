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
use std::sync::{Arc, Mutex};

use common::*;
use tryst::Error;
use tryst::crypto::{AES_128_GCM, SHA256, Secret, Signer, X25519};
use tryst::messages::{
    AlertDescription, Certificate, CertificateEntry, CertificateRequest, CertificateVerify,
    CipherSuite, Codec, ContentType, EncryptedExtensions, Extension, ExtensionType, Finished,
    HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, KeyShareEntry, NamedGroup, NewSessionTicket,
    ProtocolVersion, RawHandshake, ServerHello, SignatureScheme,
};
use tryst::suites::{
    SECP256R1_GROUP, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384, X25519_GROUP,
};
use tryst_keyschedule::{EarlySchedule, TrafficKeys, Transcript};
use tryst_record::{Message, RecordDecrypter, RecordEncrypter};

// ---- tampering with plaintext hellos (helpers as in must.rs) ----

fn alert_of(e: &Option<Error>) -> Option<AlertDescription> {
    e.as_ref().and_then(Error::alert)
}

/// Run a handshake where `f` may rewrite each plaintext handshake message the client sends
/// and `g` each plaintext one the server sends.
fn tampered(
    cc: Arc<tryst::ClientConfig>,
    sc: Arc<tryst::ServerConfig>,
    f: &dyn Fn(&mut Vec<u8>),
    g: &dyn Fn(&mut Vec<u8>),
) -> (Option<Error>, Option<Error>) {
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    for _ in 0..16 {
        let out = rewrite(c.pending_tls(), f);
        let n = c.pending_tls().len();
        c.consume_tls(n);
        let mut moved = !out.is_empty();
        feed(&mut s, &out, &mut se);
        let out = rewrite(s.pending_tls(), g);
        let n = s.pending_tls().len();
        s.consume_tls(n);
        moved |= !out.is_empty();
        feed(&mut c, &out, &mut ce);
        if !moved {
            break;
        }
    }
    (ce, se)
}

fn feed(conn: &mut tryst::ConnectionCommon, bytes: &[u8], err: &mut Option<Error>) {
    let mut off = 0;
    while off < bytes.len() {
        off += conn.read_tls_bytes(&bytes[off..]);
        if let Err(e) = conn.process_new_packets() {
            err.get_or_insert(e);
            return;
        }
    }
}

/// Apply `f` to the body of every plaintext handshake record in `tls`.
fn rewrite(tls: &[u8], f: &dyn Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] == 22 {
            let mut msg = rec[5..].to_vec();
            f(&mut msg);
            out.extend_from_slice(&[22, rec[1], rec[2]]);
            out.extend_from_slice(&u16::try_from(msg.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&msg);
        } else {
            out.extend_from_slice(rec);
        }
    }
    out
}

/// Parse a framed handshake message, change it with `m`, re-encode.
fn edit(msg: &mut Vec<u8>, m: &dyn Fn(&mut HandshakeMessage<'static>)) {
    let Ok(Some((raw, _))) = RawHandshake::split(msg, 1 << 20) else {
        return;
    };
    let Ok(parsed) = raw.parse() else { return };
    let mut owned = parsed.into_owned();
    m(&mut owned);
    *msg = owned.to_bytes().unwrap();
}

fn none(_: &mut Vec<u8>) {}

fn server_hello(m: &dyn Fn(&mut ServerHello<'static>)) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::ServerHello(sh) = h {
                m(sh);
            }
        })
    }
}

fn hello_retry(m: &dyn Fn(&mut ServerHello<'static>)) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::HelloRetryRequest(hrr) = h {
                m(hrr);
            }
        })
    }
}

fn client_hello(
    m: &dyn Fn(&mut tryst::messages::ClientHello<'static>),
) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                m(ch);
            }
        })
    }
}

fn configs() -> (Arc<tryst::ClientConfig>, Arc<tryst::ServerConfig>) {
    let p = pki();
    let clock = clock();
    (
        client_builder(&p, &clock, b"client").build().unwrap(),
        server_builder(&p, &clock, b"server").build().unwrap(),
    )
}

/// The client leads with a P-256 share, the server only does X25519: a HelloRetryRequest.
fn hrr_configs(cookie: bool) -> (Arc<tryst::ClientConfig>, Arc<tryst::ServerConfig>) {
    let p = pki();
    let clock = clock();
    (
        client_builder(&p, &clock, b"client")
            .with_groups(&[SECP256R1_GROUP, X25519_GROUP])
            .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384])
            .build()
            .unwrap(),
        server_builder(&p, &clock, b"server")
            .with_groups(&[X25519_GROUP])
            .with_hrr_cookie(cookie)
            .build()
            .unwrap(),
    )
}

fn client_alert_hrr(g: &dyn Fn(&mut Vec<u8>)) -> Option<AlertDescription> {
    let (cc, sc) = hrr_configs(false);
    let (ce, _) = tampered(cc, sc, &none, g);
    alert_of(&ce)
}

fn server_alert(f: &dyn Fn(&mut Vec<u8>)) -> Option<AlertDescription> {
    let (cc, sc) = configs();
    let (_, se) = tampered(cc, sc, f, &none);
    alert_of(&se)
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
    let g = hello_retry(&|h| {
        for e in &mut h.extensions {
            if let Extension::KeyShareHelloRetry(g) = e {
                *g = NamedGroup::Secp256r1;
            }
        }
    });
    assert_eq!(
        client_alert_hrr(&g),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn hrr_asking_for_a_group_not_in_supported_groups() {
    let g = hello_retry(&|h| {
        for e in &mut h.extensions {
            if let Extension::KeyShareHelloRetry(g) = e {
                *g = NamedGroup::Secp384r1;
            }
        }
    });
    assert_eq!(
        client_alert_hrr(&g),
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

#[test]
fn server_p256_share_off_the_curve_is_illegal_parameter() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_groups(&[SECP256R1_GROUP])
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
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
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_groups(&[SECP256R1_GROUP])
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
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
    let seen = std::cell::Cell::new(0);
    let change = |ch: &mut tryst::messages::ClientHello<'static>| {
        seen.set(seen.get() + 1);
        if seen.get() == 2 {
            for e in &mut ch.extensions {
                if let Extension::KeyShareClient(ks) = e {
                    for k in ks {
                        k.group = NamedGroup::Secp256r1;
                    }
                }
            }
        }
    };
    let f = client_hello(&change);
    let (_, se) = tampered(cc, sc, &f, &none);
    assert_eq!(seen.get(), 2);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn second_client_hello_without_the_cookie() {
    let (cc, sc) = hrr_configs(true);
    let seen = std::cell::Cell::new(0);
    let change = |ch: &mut tryst::messages::ClientHello<'static>| {
        seen.set(seen.get() + 1);
        if seen.get() == 2 {
            assert!(
                ch.extensions
                    .iter()
                    .any(|e| matches!(e, Extension::Cookie(_)))
            );
            ch.extensions.retain(|e| !matches!(e, Extension::Cookie(_)));
        }
    };
    let f = client_hello(&change);
    let (_, se) = tampered(cc, sc, &f, &none);
    assert_eq!(seen.get(), 2);
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

// ---- client: the encrypted server flight, from a scripted server (as in scripted.rs) ----

#[derive(Default)]
struct Script {
    ee: Vec<Extension<'static>>,
    cert_request: Option<CertificateRequest<'static>>,
    cert_context: Vec<u8>,
    /// A handshake message sent right after EncryptedExtensions.
    extra: Option<Vec<u8>>,
}

struct Rng;
impl tryst::crypto::rng::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(4)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(4)
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
        d.fill(0x42);
        Ok(())
    }
}
impl tryst::crypto::rng::TryCryptoRng for Rng {}

/// The server's whole first flight (TLS_AES_128_GCM_SHA256, X25519, Ed25519).
fn server_flight(p: &Pki, client_hello_record: &[u8], s: &Script) -> Vec<u8> {
    let (raw, _) = RawHandshake::split(&client_hello_record[5..], 1 << 16)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!()
    };
    let share = ch
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::KeyShareClient(k) => {
                k.iter().find(|k| k.group == NamedGroup::X25519).cloned()
            }
            _ => None,
        })
        .unwrap();
    let kx = X25519.start(&mut Rng).unwrap();
    let public = kx.public_key().to_vec();
    let shared = kx.complete(&share.key_exchange).unwrap();
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [7; 32],
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: CipherSuite::TlsAes128GcmSha256,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(NamedGroup::X25519, &public)),
        ],
    })
    .to_bytes()
    .unwrap();
    let mut t = Transcript::new(SHA256);
    t.add(raw.encoded).unwrap();
    t.add(&sh).unwrap();
    let hs = EarlySchedule::new(SHA256).into_handshake(&shared).unwrap();
    let s_hs = hs.server_handshake_traffic_secret(&t.current()).unwrap();

    let mut out = Vec::new();
    let mut enc = RecordEncrypter::new();
    enc.write(ContentType::Handshake, &sh, &mut out).unwrap();
    let keys = TrafficKeys::derive(SHA256, &s_hs, 16).unwrap();
    enc.set_key(AES_128_GCM, &keys.key, keys.iv).unwrap();

    let mut msgs = vec![
        HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
            extensions: s.ee.clone(),
        })
        .to_bytes()
        .unwrap(),
    ];
    if let Some(extra) = &s.extra {
        msgs.push(extra.clone());
    }
    if let Some(cr) = &s.cert_request {
        msgs.push(
            HandshakeMessage::CertificateRequest(cr.clone())
                .to_bytes()
                .unwrap(),
        );
    }
    msgs.push(
        HandshakeMessage::Certificate(Certificate {
            certificate_request_context: Cow::Owned(s.cert_context.clone()),
            certificate_list: vec![CertificateEntry::new(&p.leaf_der)],
        })
        .to_bytes()
        .unwrap(),
    );
    for m in &msgs {
        t.add(m).unwrap();
    }
    let mut content = vec![0x20u8; 64];
    content.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
    content.extend_from_slice(t.current().as_bytes());
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: SignatureScheme::Ed25519,
        signature: p.leaf_key.sign(&content).unwrap().into(),
    })
    .to_bytes()
    .unwrap();
    t.add(&cv).unwrap();
    msgs.push(cv);
    let vd = tryst_keyschedule::verify_data(SHA256, &s_hs, &t.current())
        .unwrap()
        .expose_secret()
        .to_vec();
    msgs.push(
        HandshakeMessage::Finished(Finished {
            verify_data: vd.into(),
        })
        .to_bytes()
        .unwrap(),
    );
    enc.write(ContentType::Handshake, &msgs.concat(), &mut out)
        .unwrap();
    out
}

fn scripted(s: &Script) -> (tryst::ClientConnection, Result<(), Error>) {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let mut c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    c.read_tls_bytes(&server_flight(&p, &ch, s));
    let r = c.process_new_packets().map(|_| ());
    (c, r)
}

fn scripted_alert(s: &Script) -> Option<AlertDescription> {
    let (_, r) = scripted(s);
    r.expect_err("the client must refuse").alert()
}

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
    let nst = HandshakeMessage::NewSessionTicket(NewSessionTicket {
        ticket_lifetime: 60,
        ticket_age_add: 0,
        ticket_nonce: Cow::Owned(vec![0]),
        ticket: Cow::Owned(vec![1; 16]),
        extensions: vec![],
    })
    .to_bytes()
    .unwrap();
    let a = scripted_alert(&Script {
        extra: Some(nst),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnexpectedMessage));
}

// ---- encrypted client messages and post-handshake messages, resealed with logged keys ----

#[derive(Default)]
struct CollectLog(Mutex<Vec<(String, Vec<u8>)>>);

impl tryst::KeyLog for CollectLog {
    fn log(&self, label: &str, _client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_string(), secret.to_vec()));
    }
}

impl CollectLog {
    fn secret(&self, label: &str) -> Secret {
        let log = self.0.lock().unwrap();
        let (_, v) = log.iter().find(|(l, _)| l == label).unwrap();
        Secret::from_slice(v).unwrap()
    }
}

fn keys(log: &CollectLog, label: &str) -> TrafficKeys {
    TrafficKeys::derive(SHA256, &log.secret(label), 16).unwrap()
}

/// One record of `typ` carrying `payload`, sealed at sequence number 0 under `label`'s keys.
fn seal(log: &CollectLog, label: &str, typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let k = keys(log, label);
    let mut enc = RecordEncrypter::new();
    enc.set_key(AES_128_GCM, &k.key, k.iv).unwrap();
    let mut out = Vec::new();
    enc.write(typ, payload, &mut out).unwrap();
    out
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
    let mut se = None;
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    feed(&mut s, &ch, &mut se);
    let flight = s.pending_tls().to_vec();
    s.consume_tls(flight.len());
    let mut ce = None;
    feed(&mut c, &flight, &mut ce);
    assert!(ce.is_none(), "{ce:?}");
    let out = c.pending_tls().to_vec();
    c.consume_tls(out.len());

    let k = keys(&log, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    let mut dec = RecordDecrypter::new();
    dec.set_key(AES_128_GCM, &k.key, k.iv).unwrap();
    let mut plain = Vec::new();
    let mut resealed = Vec::new();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] == 23 {
            let mut rec = rec.to_vec();
            if let Some(Message::Handshake(b)) = dec.open_in_place(&mut rec).unwrap() {
                plain.extend_from_slice(b);
            }
        } else {
            resealed.extend_from_slice(rec); // change_cipher_spec
        }
    }
    let mut msgs = Vec::new();
    let mut rest = plain.as_slice();
    while let Some((raw, tail)) = RawHandshake::split(rest, 1 << 20).unwrap() {
        msgs.push(raw.encoded.to_vec());
        rest = tail;
    }
    f(&mut msgs);
    resealed.extend(seal(
        &log,
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        ContentType::Handshake,
        &msgs.concat(),
    ));
    feed(&mut s, &resealed, &mut se);
    se
}

/// Apply `m` to the one message of the flight that parses as what `m` wants.
fn each(msgs: &mut [Vec<u8>], m: &dyn Fn(&mut HandshakeMessage<'static>)) {
    for msg in msgs {
        edit(msg, m);
    }
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
    let se = edited_client_flight(true, &|msgs| {
        each(msgs, &|h| {
            if let HandshakeMessage::CertificateVerify(cv) = h {
                cv.signature.to_mut()[10] ^= 1;
            }
        })
    });
    assert_eq!(alert_of(&se), Some(AlertDescription::DecryptError));
}

#[test]
fn client_certificate_verify_with_pkcs1_is_illegal_parameter() {
    let se = edited_client_flight(true, &|msgs| {
        each(msgs, &|h| {
            if let HandshakeMessage::CertificateVerify(cv) = h {
                cv.algorithm = SignatureScheme::RsaPkcs1Sha256;
            }
        })
    });
    assert_eq!(alert_of(&se), Some(AlertDescription::IllegalParameter));
}

#[test]
fn client_certificate_verify_scheme_not_matching_key() {
    let se = edited_client_flight(true, &|msgs| {
        each(msgs, &|h| {
            if let HandshakeMessage::CertificateVerify(cv) = h {
                cv.algorithm = SignatureScheme::EcdsaSecp256r1Sha256;
            }
        })
    });
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
    let rec = seal(&st.log, "CLIENT_TRAFFIC_SECRET_0", typ, payload);
    st.s.read_tls_bytes(&rec);
    st.s.process_new_packets()
        .expect_err("the server must refuse")
}

/// Feed the client one record from the server's application keys; its result.
fn to_client(typ: ContentType, payload: &[u8]) -> Result<(), Error> {
    let mut st = established();
    let rec = seal(&st.log, "SERVER_TRAFFIC_SECRET_0", typ, payload);
    st.c.read_tls_bytes(&rec);
    st.c.process_new_packets().map(|_| ())
}

#[test]
fn resealed_application_data_is_accepted_both_ways() {
    to_client(ContentType::ApplicationData, b"hello").unwrap();
    let mut st = established();
    let rec = seal(
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
