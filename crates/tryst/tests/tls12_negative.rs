//! Every TLS 1.2 MUST about the peer, broken through the public API: the typed error and
//! the alert on the wire. Between tryst peers in memory (a client offering TLS 1.3 and
//! 1.2, a TLS 1.2-only server unless a test needs TLS 1.3), with the plaintext handshake
//! rewritten in flight and, after the handshake, records sealed with keys from the key log.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, Mutex};

use common::tamper::{alert_of, edit, rewrite_messages};
use common::{client_builder, clock, pair, pki, server_builder};
use tryst::messages::{
    AlertDescription, CipherSuite, ContentType, Extension, HandshakeMessage, ProtocolVersion,
    RawHandshake, Tls12HandshakeMessage,
};
use tryst::{ClientConfig, ConnectionCommon, Error, ServerConfig};

const BOTH: &[ProtocolVersion] = &[ProtocolVersion::Tls13, ProtocolVersion::Tls12];
const TLS12: &[ProtocolVersion] = &[ProtocolVersion::Tls12];

fn configs(
    server_versions: &[ProtocolVersion],
    ems_required: bool,
) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let p = pki();
    let clock = clock();
    (
        client_builder(&p, &clock, b"client")
            .with_extended_master_secret_required(ems_required)
            .build()
            .unwrap(),
        server_builder(&p, &clock, b"server")
            .with_protocol_versions(server_versions)
            .with_extended_master_secret_required(ems_required)
            .build()
            .unwrap(),
    )
}

/// A rewrite of one framed handshake message (or of a whole record, see `Flight`).
type Edit<'a> = &'a dyn Fn(&mut Vec<u8>);

fn keep(_: &mut Vec<u8>) {}

/// Edit a TLS 1.2 message with `m`.
fn edit12(msg: &mut Vec<u8>, m: &dyn Fn(&mut Tls12HandshakeMessage<'static>)) {
    let Ok(Some((raw, _))) = RawHandshake::split(msg, 1 << 20) else {
        return;
    };
    let Ok(parsed) = raw.parse_tls12() else {
        return;
    };
    let mut owned = parsed.into_owned();
    m(&mut owned);
    *msg = tryst::messages::Codec::to_bytes(&owned).unwrap();
}

struct Run {
    client: tryst::ClientConnection,
    server: tryst::ServerConnection,
    ce: Option<Error>,
    se: Option<Error>,
    /// What the client and the server put on the wire, after the rewrites.
    c_wire: Vec<u8>,
    s_wire: Vec<u8>,
}

/// A handshake with `f` rewriting the client's plaintext messages and `g` the server's;
/// `inject_c` / `inject_s` are raw bytes put in front of the client's / server's n-th
/// flight (0-based), for records out of place.
fn run(
    (cc, sc): (Arc<ClientConfig>, Arc<ServerConfig>),
    f: Edit<'_>,
    g: Edit<'_>,
    inject: &dyn Fn(bool, usize) -> Vec<u8>,
) -> Run {
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    let (mut c_wire, mut s_wire) = (Vec::new(), Vec::new());
    for round in 0..16 {
        let mut out = inject(true, round);
        out.extend(rewrite_messages(c.pending_tls(), f));
        let n = c.pending_tls().len();
        c.consume_tls(n);
        c_wire.extend_from_slice(&out);
        let mut moved = !out.is_empty();
        feed(&mut s, &out, &mut se);
        let mut out = inject(false, round);
        out.extend(rewrite_messages(s.pending_tls(), g));
        let n = s.pending_tls().len();
        s.consume_tls(n);
        s_wire.extend_from_slice(&out);
        moved |= !out.is_empty();
        feed(&mut c, &out, &mut ce);
        if !moved {
            break;
        }
    }
    Run {
        client: c,
        server: s,
        ce,
        se,
        c_wire,
        s_wire,
    }
}

fn feed(conn: &mut ConnectionCommon, bytes: &[u8], err: &mut Option<Error>) {
    common::tamper::feed(conn, bytes, err);
}

fn no_inject(_: bool, _: usize) -> Vec<u8> {
    Vec::new()
}

/// The alerts in `wire` (plaintext alert records only: level and description).
fn plain_alerts(wire: &[u8]) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    let mut rest = wire;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if rest[0] == 21 && len == 2 {
            out.push((rest[5], rest[6]));
        }
        rest = &rest[5 + len..];
    }
    out
}

#[track_caller]
fn assert_fails(e: &Option<Error>, alert: AlertDescription) {
    assert_eq!(alert_of(e), Some(alert), "{e:?}");
}

// ---- version negotiation and the downgrade sentinel (RFC 8446 §4.1.3) ----

fn server_random(s_wire: &[u8]) -> [u8; 32] {
    // The first record is the ServerHello's: header 5, handshake header 4, version 2.
    s_wire[11..43].try_into().unwrap()
}

#[test]
fn server_supporting_tls13_marks_a_tls12_server_hello_and_a_tls12_only_one_does_not() {
    // The client's supported_versions loses TLS 1.3 on the way (a downgrade attack).
    let strip13 = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                for e in &mut ch.extensions {
                    if let Extension::SupportedVersions(v) = e {
                        v.retain(|x| *x != ProtocolVersion::Tls13);
                    }
                }
            }
        })
    };
    let r = run(configs(BOTH, true), &strip13, &keep, &no_inject);
    assert_eq!(&server_random(&r.s_wire)[24..], b"DOWNGRD\x01");
    // The client sees the sentinel and refuses: illegal_parameter.
    assert_fails(&r.ce, AlertDescription::IllegalParameter);
    assert_eq!(
        r.se,
        Some(Error::AlertReceived(AlertDescription::IllegalParameter))
    );
    assert!(r.client.protocol_version().is_none());

    // A server that speaks only TLS 1.2 has no sentinel to write.
    let r = run(configs(TLS12, true), &keep, &keep, &no_inject);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_ne!(&server_random(&r.s_wire)[24..], b"DOWNGRD\x01");
    assert_eq!(r.client.protocol_version(), Some(ProtocolVersion::Tls12));
}

#[test]
fn tls12_off_on_the_client_refuses_a_tls12_server_hello() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_protocol_versions(&[ProtocolVersion::Tls13])
        .build()
        .unwrap();
    let (_, sc) = configs(TLS12, true);
    let r = run((cc, sc), &keep, &keep, &no_inject);
    // The server sees no TLS 1.2 offer either (supported_versions says 1.3 only).
    assert_fails(&r.se, AlertDescription::ProtocolVersion);
    assert_eq!(plain_alerts(&r.s_wire), vec![(2, 70)]);
}

#[test]
fn fallback_scsv_while_we_speak_tls13_is_inappropriate_fallback() {
    let f = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                ch.cipher_suites.push(CipherSuite::TlsFallbackScsv);
                for e in &mut ch.extensions {
                    if let Extension::SupportedVersions(v) = e {
                        v.retain(|x| *x != ProtocolVersion::Tls13);
                    }
                }
            }
        })
    };
    let r = run(configs(BOTH, true), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::InappropriateFallback);
    assert_eq!(plain_alerts(&r.s_wire), vec![(2, 86)]);
}

// ---- suites (RFC 5246 §7.4.1.2; ECDHE with an AEAD only) ----

fn with_suites(suites: Vec<CipherSuite>) -> impl Fn(&mut Vec<u8>) {
    move |m: &mut Vec<u8>| {
        let suites = suites.clone();
        edit(m, &move |h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                ch.cipher_suites = suites.clone();
            }
        })
    }
}

#[test]
fn cbc_only_or_unknown_suites_offered_is_handshake_failure() {
    let cbc = vec![
        CipherSuite::from_raw(0xc009), // ECDHE_ECDSA_WITH_AES_128_CBC_SHA
        CipherSuite::from_raw(0xc023), // ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
        CipherSuite::from_raw(0x002f), // RSA_WITH_AES_128_CBC_SHA
    ];
    let unknown = vec![CipherSuite::from_raw(0x1a1a), CipherSuite::from_raw(0xfefe)];
    for suites in [cbc, unknown] {
        let f = with_suites(suites);
        let r = run(configs(TLS12, true), &f, &keep, &no_inject);
        assert_fails(&r.se, AlertDescription::HandshakeFailure);
        assert_eq!(plain_alerts(&r.s_wire), vec![(2, 40)]);
    }
}

#[test]
fn rsa_suites_only_for_an_ecdsa_key_is_handshake_failure() {
    let f = with_suites(vec![CipherSuite::TlsEcdheRsaWithAes128GcmSha256]);
    let r = run(configs(TLS12, true), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::HandshakeFailure);
}

#[test]
fn server_choosing_a_suite_we_did_not_offer_is_illegal_parameter() {
    for suite in [
        CipherSuite::from_raw(0xc009),   // CBC, never offered
        CipherSuite::TlsAes128GcmSha256, // a TLS 1.3 suite in a TLS 1.2 hello
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
    ] {
        let g = move |m: &mut Vec<u8>| {
            edit12(m, &|h| {
                if let Tls12HandshakeMessage::ServerHello(sh) = h {
                    sh.cipher_suite = suite;
                }
            })
        };
        let p = pki();
        let clock = clock();
        let cc = client_builder(&p, &clock, b"client")
            .with_cipher_suites(&[
                tryst::suites::TLS13_AES_128_GCM_SHA256,
                tryst::suites::TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            ])
            .build()
            .unwrap();
        let (_, sc) = configs(TLS12, true);
        let r = run((cc, sc), &keep, &g, &no_inject);
        assert_fails(&r.ce, AlertDescription::IllegalParameter);
    }
}

// ---- extended master secret (RFC 7627 §5.2, §5.3) ----

fn strip_ems_from_client_hello(m: &mut Vec<u8>) {
    edit(m, &|h| {
        if let HandshakeMessage::ClientHello(ch) = h {
            ch.extensions
                .retain(|e| !matches!(e, Extension::ExtendedMasterSecret));
        }
    })
}

fn strip_ems_from_server_hello(m: &mut Vec<u8>) {
    edit12(m, &|h| {
        if let Tls12HandshakeMessage::ServerHello(sh) = h {
            sh.extensions
                .retain(|e| !matches!(e, Extension::ExtendedMasterSecret));
        }
    })
}

#[test]
fn missing_ems_is_handshake_failure_on_each_side() {
    let r = run(
        configs(TLS12, true),
        &strip_ems_from_client_hello,
        &keep,
        &no_inject,
    );
    assert_fails(&r.se, AlertDescription::HandshakeFailure);
    assert_eq!(plain_alerts(&r.s_wire), vec![(2, 40)]);

    let r = run(
        configs(TLS12, true),
        &keep,
        &strip_ems_from_server_hello,
        &no_inject,
    );
    assert_fails(&r.ce, AlertDescription::HandshakeFailure);
    assert_eq!(plain_alerts(&r.c_wire), vec![(2, 40)]);
}

#[test]
fn ems_answer_removed_when_not_required_gives_the_sides_different_keys() {
    // With EMS not required the client accepts a ServerHello without it and uses the
    // RFC 5246 master secret; the server (which saw the offer) used EMS. The keys
    // differ, so the attack is caught at the first sealed record, not missed.
    // (tests/tls12_gnutls.rs has a real legacy session, with gnutls's %NO_SESSION_HASH.)
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_extended_master_secret_required(false)
        .build()
        .unwrap();
    let (_, sc) = configs(TLS12, false);
    let r = run((cc, sc), &keep, &strip_ems_from_server_hello, &no_inject);
    assert_fails(&r.se, AlertDescription::BadRecordMac);
}

// ---- renegotiation_info (RFC 5746 §3.4, §3.6) ----

#[test]
fn non_empty_renegotiation_info_is_handshake_failure_on_each_side() {
    let f = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                for e in &mut ch.extensions {
                    if let Extension::RenegotiationInfo(r) = e {
                        *r = vec![1; 12].into();
                    }
                }
            }
        })
    };
    let r = run(configs(TLS12, true), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::HandshakeFailure);

    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerHello(sh) = h {
                for e in &mut sh.extensions {
                    if let Extension::RenegotiationInfo(r) = e {
                        *r = vec![2; 24].into();
                    }
                }
            }
        })
    };
    let r = run(configs(TLS12, true), &keep, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::HandshakeFailure);
}

#[test]
fn ec_point_formats_without_uncompressed_is_illegal_parameter() {
    let f = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                for e in &mut ch.extensions {
                    if let Extension::EcPointFormats(r) = e {
                        *r = vec![1, 2].into();
                    }
                }
            }
        })
    };
    let r = run(configs(TLS12, true), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::IllegalParameter);
}

#[test]
fn server_extension_we_did_not_offer_is_unsupported_extension() {
    let p = pki();
    let clock = clock();
    // Without a session store the client does not offer session_ticket.
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(None)
        .build()
        .unwrap();
    let (_, sc) = configs(TLS12, true);
    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerHello(sh) = h {
                sh.extensions.push(Extension::SessionTicket(vec![].into()));
            }
        })
    };
    let r = run((cc, sc), &keep, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::UnsupportedExtension);
}

// ---- ServerKeyExchange signature (RFC 5246 §7.4.3) ----

#[test]
fn bad_server_key_exchange_signature_is_decrypt_error() {
    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerKeyExchange(ske) = h {
                let mut sig = ske.signature.signature.to_vec();
                sig[10] ^= 1;
                ske.signature.signature = sig.into();
            }
        })
    };
    let r = run(configs(TLS12, true), &keep, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::DecryptError);
    assert_eq!(plain_alerts(&r.c_wire), vec![(2, 51)]);
    // The ephemeral key is what the signature protects: changing it fails the same way.
    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerKeyExchange(ske) = h {
                let mut public = ske.params.public.to_vec();
                public[0] ^= 0x40;
                ske.params.public = public.into();
            }
        })
    };
    let r = run(configs(TLS12, true), &keep, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::DecryptError);
}

#[test]
fn server_key_exchange_scheme_not_offered_or_not_for_the_suite_is_illegal_parameter() {
    for scheme in [
        tryst::messages::SignatureScheme::from_raw(0x0201), // rsa_pkcs1_sha1
        tryst::messages::SignatureScheme::RsaPkcs1Sha256,   // offered, but not for ECDSA
    ] {
        let g = move |m: &mut Vec<u8>| {
            edit12(m, &|h| {
                if let Tls12HandshakeMessage::ServerKeyExchange(ske) = h {
                    ske.signature.algorithm = scheme;
                }
            })
        };
        let r = run(configs(TLS12, true), &keep, &g, &no_inject);
        assert_fails(&r.ce, AlertDescription::IllegalParameter);
    }
}

#[test]
fn server_key_exchange_group_not_offered_is_illegal_parameter() {
    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerKeyExchange(ske) = h {
                ske.params.named_group = tryst::messages::NamedGroup::from_raw(0x0019);
            }
        })
    };
    let r = run(configs(TLS12, true), &keep, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::IllegalParameter);
}

#[test]
fn invalid_client_key_exchange_point_is_illegal_parameter() {
    let f = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ClientKeyExchange(cke) = h {
                cke.public = vec![0u8; 32].into(); // an all-zero X25519 result
            }
        })
    };
    let r = run(configs(TLS12, true), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::IllegalParameter);
}

// ---- ChangeCipherSpec in the wrong place (RFC 5246 §7.1) ----

const CCS: [u8; 6] = [20, 3, 3, 0, 1, 1];

#[test]
fn change_cipher_spec_inside_the_server_flight_is_unexpected_message() {
    // Before a ServerHello a client drops a lone CCS (RFC 8446 §5, it may be TLS 1.3's);
    // once the ServerHello said TLS 1.2, a CCS before ServerHelloDone is out of place.
    let (cc, sc) = configs(TLS12, true);
    let (mut c, mut s) = pair(cc, sc);
    let hello = c.pending_tls().to_vec();
    c.consume_tls(hello.len());
    s.read_tls_bytes(&hello);
    s.process_new_packets().unwrap();
    let flight = s.pending_tls().to_vec();
    // One record: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    let body = &flight[5..];
    let (sh, _) = RawHandshake::split(body, 1 << 20).unwrap().unwrap();
    let cut = sh.encoded.len();
    let mut forged = Vec::new();
    for (i, part) in [&body[..cut], &body[cut..]].into_iter().enumerate() {
        if i == 1 {
            forged.extend_from_slice(&CCS);
        }
        forged.extend_from_slice(&[22, 3, 3]);
        forged.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
        forged.extend_from_slice(part);
    }
    let mut err = None;
    feed(&mut c, &forged, &mut err);
    assert_fails(&err, AlertDescription::UnexpectedMessage);
    // A lone CCS before the ServerHello is dropped, as TLS 1.3 requires.
    let r = run(configs(TLS12, true), &keep, &keep, &|client, round| {
        if !client && round == 0 {
            CCS.to_vec()
        } else {
            Vec::new()
        }
    });
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
}

#[test]
fn change_cipher_spec_before_client_key_exchange_is_unexpected_message() {
    let inject = |client: bool, round: usize| {
        if client && round == 1 {
            CCS.to_vec()
        } else {
            Vec::new()
        }
    };
    let r = run(configs(TLS12, true), &keep, &keep, &inject);
    assert_fails(&r.se, AlertDescription::UnexpectedMessage);
    assert_eq!(plain_alerts(&r.s_wire), vec![(2, 10)]);
}

#[test]
fn change_cipher_spec_twice_or_after_the_handshake_is_unexpected_message() {
    // A second CCS right behind the client's flight: the server has its read key and
    // no second one is allowed.
    let r = run(configs(TLS12, true), &keep, &keep, &|client, round| {
        if client && round == 2 {
            CCS.to_vec()
        } else {
            Vec::new()
        }
    });
    assert_fails(&r.se, AlertDescription::UnexpectedMessage);
}

/// Drop every ChangeCipherSpec record the client sends.
fn drop_client_ccs(r: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = r;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        if rest[0] != 20 {
            out.extend_from_slice(&rest[..5 + len]);
        }
        rest = &rest[5 + len..];
    }
    out
}

#[test]
fn finished_without_change_cipher_spec_is_refused() {
    let (cc, sc) = configs(TLS12, true);
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    for _ in 0..8 {
        let out = c.pending_tls().to_vec();
        c.consume_tls(out.len());
        let out = drop_client_ccs(&out);
        feed(&mut s, &out, &mut se);
        let out = s.pending_tls().to_vec();
        s.consume_tls(out.len());
        feed(&mut c, &out, &mut ce);
    }
    // The sealed Finished arrives where a plaintext message is read: it does not parse.
    let alert = alert_of(&se).expect("server must refuse");
    assert!(
        matches!(
            alert,
            AlertDescription::UnexpectedMessage | AlertDescription::DecodeError
        ),
        "{se:?}"
    );
    assert!(s.is_handshaking());
}

// ---- Finished (RFC 5246 §7.4.9) and records after a fatal alert ----

#[test]
fn wrong_finished_is_decrypt_error_and_nothing_follows_the_alert() {
    // EMS is removed from the ClientHello on the way and neither side requires it: the
    // keys agree (no EMS: randoms and premaster only) but the client's transcript has
    // the original hello, the server's the changed one, so the Finished cannot match.
    let (cc, sc) = configs(TLS12, false);
    let (mut c, mut s) = pair(cc, sc);
    let mut err = (None, None);
    let mut s_out = Vec::new();
    for _ in 0..8 {
        let out = rewrite_messages(c.pending_tls(), &strip_ems_from_client_hello);
        let n = c.pending_tls().len();
        c.consume_tls(n);
        feed(&mut s, &out, &mut err.1);
        let out = s.pending_tls().to_vec();
        s.consume_tls(out.len());
        s_out.extend_from_slice(&out);
        feed(&mut c, &out, &mut err.0);
    }
    assert_fails(&err.1, AlertDescription::DecryptError);
    assert_eq!(plain_alerts(&s_out).last(), Some(&(2, 51)));
    // The server never sent its Finished, so the client is still handshaking and got
    // the alert.
    assert_eq!(
        err.0,
        Some(Error::AlertReceived(AlertDescription::DecryptError))
    );
    // Records after the fatal alert: the error sticks, nothing more is sent.
    let before = s.pending_tls().len();
    s.read_tls_bytes(&[23, 3, 3, 0, 3, 1, 2, 3]);
    assert_eq!(s.process_new_packets().unwrap_err(), err.1.clone().unwrap());
    assert_eq!(s.pending_tls().len(), before);
    assert_eq!(s.send_plaintext(b"x").unwrap_err(), err.1.unwrap());
}

// ---- after the handshake: renegotiation (RFC 5746 §4) ----

/// Keys of a finished TLS 1.2 session, from the key log and the ServerHello.
struct Keys {
    suite: tryst::suites::SupportedCipherSuite,
    master: Vec<u8>,
    client_random: [u8; 32],
    server_random: [u8; 32],
}

/// (label, client random, secret)
type Line = (String, [u8; 32], Vec<u8>);
struct Log(Mutex<Vec<Line>>);
impl tryst::KeyLog for Log {
    fn log(&self, label: &str, random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.into(), *random, secret.to_vec()));
    }
}

/// A finished TLS 1.2 pair and its keys.
fn session() -> (tryst::ClientConnection, tryst::ServerConnection, Keys) {
    let p = pki();
    let clock = clock();
    let log = Arc::new(Log(Mutex::default()));
    let cc = client_builder(&p, &clock, b"client")
        .with_key_log(log.clone())
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_protocol_versions(TLS12)
        .build()
        .unwrap();
    let r = run((cc, sc), &keep, &keep, &no_inject);
    assert!(r.ce.is_none() && r.se.is_none());
    let (label, client_random, master) = log.0.lock().unwrap()[0].clone();
    assert_eq!(label, "CLIENT_RANDOM");
    let keys = Keys {
        suite: r.client.negotiated_cipher_suite().unwrap(),
        master,
        client_random,
        server_random: server_random(&r.s_wire),
    };
    (r.client, r.server, keys)
}

/// Seal `payload` as record number `seq` of `from`'s direction.
fn forge(k: &Keys, from_client: bool, seq: u64, typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let key_len = k.suite.aead.key_len();
    let iv_len = if k.suite.aead.algorithm() == tryst::crypto::AeadAlgorithm::ChaCha20Poly1305 {
        12
    } else {
        4
    };
    let block = tryst_keyschedule::tls12::key_block(
        k.suite.hash,
        &tryst::crypto::Secret::from_slice(&k.master).unwrap(),
        &k.client_random,
        &k.server_random,
        2 * (key_len + iv_len),
    )
    .unwrap();
    let (key, iv) = if from_client {
        (&block[..key_len], &block[2 * key_len..2 * key_len + iv_len])
    } else {
        (&block[key_len..2 * key_len], &block[2 * key_len + iv_len..])
    };
    let mut e = tryst_record::RecordEncrypter::new();
    e.set_key_tls12(
        k.suite.aead,
        &tryst::crypto::AeadKey::from_slice(key).unwrap(),
        tryst::crypto::Iv::from_slice(iv).unwrap(),
    )
    .unwrap();
    let mut scratch = Vec::new();
    for _ in 0..seq {
        e.write(ContentType::ApplicationData, b"-", &mut scratch)
            .unwrap();
    }
    let mut out = Vec::new();
    e.write(typ, payload, &mut out).unwrap();
    out
}

#[test]
fn hello_request_gets_a_no_renegotiation_warning_and_the_session_goes_on() {
    let (mut c, mut s, k) = session();
    // The server's next record is number 1 (its Finished was 0).
    let hello_request = [0u8, 0, 0, 0];
    c.read_tls_bytes(&forge(&k, false, 1, ContentType::Handshake, &hello_request));
    c.process_new_packets().unwrap();
    // One sealed warning alert went out; the server reads it as no_renegotiation.
    let out = c.pending_tls().to_vec();
    c.consume_tls(out.len());
    assert_eq!(out[0], 21, "an alert record");
    s.set_trace(true);
    s.read_tls_bytes(&out);
    s.process_new_packets().unwrap();
    assert!(s.take_events().contains(&tryst::Event::Alert {
        sent: false,
        description: AlertDescription::NoRenegotiation
    }));
    // Data still flows both ways... from the client (the server's sequence is ahead of
    // the forged record, so only the client's direction is checked here).
    c.send_plaintext(b"still here").unwrap();
    let out = c.pending_tls().to_vec();
    c.consume_tls(out.len());
    s.read_tls_bytes(&out);
    s.process_new_packets().unwrap();
    assert_eq!(common::read_all(&mut s), b"still here");
}

#[test]
fn many_hello_requests_end_the_connection() {
    let (mut c, _s, k) = session();
    let mut err = None;
    for seq in 1..=6 {
        let rec = forge(&k, false, seq, ContentType::Handshake, &[0, 0, 0, 0]);
        c.read_tls_bytes(&rec);
        if let Err(e) = c.process_new_packets() {
            err = Some(e);
            break;
        }
    }
    assert_fails(&err, AlertDescription::UnexpectedMessage);
}

#[test]
fn renegotiating_client_hello_is_refused_with_no_renegotiation() {
    let (_c, mut s, k) = session();
    // Any ClientHello after the handshake (here a minimal TLS 1.2 one).
    let mut body = vec![3, 3];
    body.extend_from_slice(&[9; 32]);
    body.extend_from_slice(&[0, 0, 2, 0xc0, 0x2b, 1, 0]);
    let mut msg = vec![1, 0];
    msg.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    msg.extend_from_slice(&body);
    s.read_tls_bytes(&forge(&k, true, 1, ContentType::Handshake, &msg));
    let e = s.process_new_packets().unwrap_err();
    assert_eq!(
        e,
        Error::PeerMisbehaved {
            alert: AlertDescription::NoRenegotiation,
            rule: "renegotiation is not supported"
        }
    );
    // The alert went out at warning level (RFC 5246 §7.2.2), sealed: 2 bytes of alert
    // plus the 8-byte nonce and 16-byte tag.
    let out = s.pending_tls();
    assert_eq!(&out[..5], &[21, 3, 3, 0, 26]);
}

#[test]
fn key_update_does_not_exist_in_tls12() {
    let (mut c, _s, _) = session();
    assert!(matches!(
        c.refresh_traffic_keys(true),
        Err(Error::NotReady(_))
    ));
}

// ---- client authentication (RFC 5246 §7.4.8) ----

fn client_auth_configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let p = pki();
    let clock = clock();
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(common::key(3));
    let ck = tryst::CertifiedKey::new(vec![p.client_der.clone().into()], signer).unwrap();
    let verifier = tryst::verify::WebPkiClientVerifier::new(common::anchors(&p));
    (
        client_builder(&p, &clock, b"client")
            .with_client_auth_cert(ck)
            .build()
            .unwrap(),
        server_builder(&p, &clock, b"server")
            .with_protocol_versions(TLS12)
            .with_client_cert_verifier(Arc::new(verifier))
            .build()
            .unwrap(),
    )
}

#[test]
fn bad_client_certificate_verify_is_decrypt_error() {
    let f = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::CertificateVerify(cv) = h {
                let mut sig = cv.signature.to_vec();
                sig[3] ^= 0x80;
                cv.signature = sig.into();
            }
        })
    };
    let r = run(client_auth_configs(), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::DecryptError);
    assert_eq!(plain_alerts(&r.s_wire), vec![(2, 51)]);
}

#[test]
fn client_certificate_verify_scheme_not_offered_is_illegal_parameter() {
    let f = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::CertificateVerify(cv) = h {
                cv.algorithm = tryst::messages::SignatureScheme::from_raw(0x0203); // ecdsa_sha1
            }
        })
    };
    let r = run(client_auth_configs(), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::IllegalParameter);
}

#[test]
fn client_key_exchange_without_the_requested_certificate_is_unexpected_message() {
    // The client's Certificate (even an empty one) must come first (RFC 5246 §7.4.6).
    let f = |m: &mut Vec<u8>| {
        if m.first() == Some(&11) {
            m.clear();
        }
    };
    let r = run(client_auth_configs(), &f, &keep, &no_inject);
    assert_fails(&r.se, AlertDescription::UnexpectedMessage);
}

// ---- resumption (RFC 5077 §3.4, RFC 7627 §5.3) ----

#[test]
fn resumption_changing_the_suite_or_the_ems_state_is_refused() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server")
        .with_protocol_versions(TLS12)
        .build()
        .unwrap();
    let g_suite = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerHello(sh) = h {
                sh.cipher_suite = CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384;
            }
        })
    };
    let cases: [(Edit<'_>, AlertDescription); 2] = [
        (&g_suite, AlertDescription::IllegalParameter),
        (
            &strip_ems_from_server_hello,
            AlertDescription::HandshakeFailure,
        ),
    ];
    for (g, alert) in cases {
        // A first session gives the client a ticket; the resumed ServerHello is changed.
        let r = run((cc.clone(), sc.clone()), &keep, &keep, &no_inject);
        assert!(r.ce.is_none() && r.se.is_none());
        let r = run((cc.clone(), sc.clone()), &keep, g, &no_inject);
        assert_fails(&r.ce, alert);
    }
}

#[test]
fn server_echoing_a_session_id_we_did_not_offer_is_illegal_parameter() {
    // Middlebox compatibility gives the hello a random session id; a TLS 1.2 server that
    // echoes it claims a resumption we never offered.
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_middlebox_compat(true)
        .with_session_store(None)
        .build()
        .unwrap();
    let (_, sc) = configs(TLS12, true);
    let echo = std::sync::Mutex::new(Vec::new());
    let f = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                *echo.lock().unwrap() = ch.legacy_session_id.to_vec();
            }
        })
    };
    let g = |m: &mut Vec<u8>| {
        edit12(m, &|h| {
            if let Tls12HandshakeMessage::ServerHello(sh) = h {
                sh.legacy_session_id_echo = echo.lock().unwrap().clone().into();
            }
        })
    };
    let r = run((cc, sc), &f, &g, &no_inject);
    assert_fails(&r.ce, AlertDescription::IllegalParameter);
}
