//! Encrypted Client Hello (RFC 9849) between tryst's client and server, in memory: the
//! accepted, rejected and GREASE paths, HelloRetryRequest, key rotation, and the attacks
//! on each rule (malformed extensions, wrong config ids, bad ech_outer_extensions, inner
//! hellos that break the rules, acceptance signals that do not match), each asserting the
//! typed error and the alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::tamper::{alert_of, client_hello, hello_retry, none, server_hello, tampered};
use common::{NOW, anchors, clock, key, pki, transfer};
use tryst::cert::CertificateBuilder;
use tryst::crypto::Signer;
use tryst::messages::{AlertDescription, ClientHello, Extension, ExtensionType};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, EchClientConfig, EchMode, EchServerKey,
    EchStatus, Error, SeededRandom, ServerConfig, ServerConnection,
};

const SECRET: &str = "secret.example";
const PUBLIC: &str = "public.example";

/// A server certificate for `names`, from the common test CA.
fn cert_for(names: &[&str]) -> CertifiedKey {
    let p = pki();
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let mut b = CertificateBuilder::new(names[0], nb, nb + 365 * 86_400).server_auth();
    for n in names {
        b = b.dns_name(n);
    }
    let der = b.issue(&key(2), &p.ca_der, &p.ca_key).unwrap();
    let signer: Arc<dyn Signer> = Arc::new(key(2));
    CertifiedKey::new(vec![CertificateDer::from(der)], signer).unwrap()
}

fn ech_key(id: u8, seed: &[u8]) -> EchServerKey {
    EchServerKey::generate(id, PUBLIC, &SeededRandom::new(seed)).unwrap()
}

fn client(mode: EchMode) -> Arc<ClientConfig> {
    client_with(mode, |b| b)
}

fn client_with(
    mode: EchMode,
    f: impl FnOnce(tryst::ClientConfigBuilder) -> tryst::ClientConfigBuilder,
) -> Arc<ClientConfig> {
    let b = ClientConfig::builder()
        .with_root_certificates(anchors(&pki()))
        .with_clock(clock())
        .with_rng(Arc::new(SeededRandom::new(b"ech client")))
        .with_ech(mode);
    f(b).build().unwrap()
}

fn server(keys: Vec<EchServerKey>, names: &[&str]) -> Arc<ServerConfig> {
    server_with(keys, names, |b| b)
}

fn server_with(
    keys: Vec<EchServerKey>,
    names: &[&str],
    f: impl FnOnce(tryst::ServerConfigBuilder) -> tryst::ServerConfigBuilder,
) -> Arc<ServerConfig> {
    let b = ServerConfig::builder(cert_for(names))
        .with_clock(clock())
        .with_rng(Arc::new(SeededRandom::new(b"ech server")))
        .with_ech_keys(keys);
    f(b).build().unwrap()
}

fn enabled(key: &EchServerKey) -> EchMode {
    let list = EchServerKey::config_list(std::slice::from_ref(key));
    EchMode::Enabled(EchClientConfig::from_config_list(&list).unwrap())
}

fn connect(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
) -> (
    ClientConnection,
    ServerConnection,
    Option<Error>,
    Option<Error>,
) {
    let mut c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    (c, s, ce, se)
}

fn both_names() -> [&'static str; 2] {
    [SECRET, PUBLIC]
}

#[test]
fn accepted_hides_the_name_and_the_server_sees_it() {
    let k = ech_key(7, b"k");
    let mode = enabled(&k);
    let (mut c, mut s, ce, se) = connect(client(mode), server(vec![k], &both_names()));
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
    assert_eq!(s.ech_status(), EchStatus::Accepted);
    assert_eq!(s.server_name(), Some(SECRET));
    assert_eq!(s.outer_server_name(), Some(PUBLIC));
    c.send_plaintext(b"over ech").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(common::read_all(&mut s), b"over ech");
}

#[test]
fn the_wire_carries_only_the_public_name() {
    let k = ech_key(7, b"k");
    let c =
        ClientConnection::new(client(enabled(&k)), ServerName::try_from(SECRET).unwrap()).unwrap();
    let wire = c.pending_tls();
    let found = |n: &str| wire.windows(n.len()).any(|w| w == n.as_bytes());
    assert!(found(PUBLIC));
    assert!(!found(SECRET));
    // The encoded inner hello is padded to a multiple of 32 (plus the 16-byte tag).
}

#[test]
fn accepted_after_hello_retry_request() {
    use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
    let k = ech_key(7, b"k");
    let cc = client_with(enabled(&k), |b| {
        b.with_groups(&[SECP256R1_GROUP, X25519_GROUP])
    });
    let sc = server_with(vec![k], &both_names(), |b| b.with_groups(&[X25519_GROUP]));
    let (c, s, ce, se) = connect(cc, sc);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
    assert_eq!(
        c.handshake_kind(),
        Some(tryst::HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(s.server_name(), Some(SECRET));
}

#[test]
fn rotation_any_configured_key_decrypts() {
    let (old, new) = (ech_key(1, b"old"), ech_key(2, b"new"));
    let mode = enabled(&old);
    let (c, s, ce, se) = connect(client(mode), server(vec![new, old], &both_names()));
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
    assert_eq!(s.server_name(), Some(SECRET));
}

#[test]
fn rejected_returns_retry_configs_after_authenticating_the_public_name() {
    let stale = ech_key(7, b"stale");
    let current = ech_key(7, b"current");
    let want = EchServerKey::config_list(std::slice::from_ref(&current));
    let (c, s, ce, se) = connect(
        client(enabled(&stale)),
        server(vec![current], &both_names()),
    );
    let Some(Error::EchRejected { retry_configs }) = &ce else {
        panic!("{ce:?}")
    };
    assert_eq!(retry_configs.as_deref(), Some(want.as_slice()));
    assert_eq!(alert_of(&ce), Some(AlertDescription::EchRequired));
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::EchRequired))
    );
    assert_eq!(c.ech_status(), EchStatus::Rejected);
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert_eq!(s.server_name(), Some(PUBLIC));
    // The retry configs work.
    let retry = EchClientConfig::from_config_list(retry_configs.as_ref().unwrap()).unwrap();
    let (c, _, ce, _) = connect(
        client(EchMode::Enabled(retry)),
        server(vec![ech_key(7, b"current")], &both_names()),
    );
    assert!(ce.is_none(), "{ce:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
}

#[test]
fn rejected_by_a_server_without_ech_has_no_retry_configs() {
    let k = ech_key(7, b"k");
    let (_, s, ce, _) = connect(client(enabled(&k)), server(vec![], &both_names()));
    assert!(
        matches!(
            ce,
            Some(Error::EchRejected {
                retry_configs: None
            })
        ),
        "{ce:?}"
    );
    assert_eq!(alert_of(&ce), Some(AlertDescription::EchRequired));
    assert_eq!(s.ech_status(), EchStatus::NotOffered, "it does not do ECH");
}

#[test]
fn rejected_needs_a_certificate_for_the_public_name() {
    let stale = ech_key(7, b"stale");
    let (_, _, ce, _) = connect(
        client(enabled(&stale)),
        server(vec![ech_key(7, b"current")], &[SECRET]),
    );
    assert!(matches!(ce, Some(Error::Certificate(_))), "{ce:?}");
}

#[test]
fn grease_is_on_by_default_and_ignored_by_servers() {
    let cc = ClientConfig::builder()
        .with_root_certificates(anchors(&pki()))
        .with_clock(clock())
        .build()
        .unwrap();
    let c = ClientConnection::new(cc.clone(), ServerName::try_from(SECRET).unwrap()).unwrap();
    assert_eq!(c.ech_status(), EchStatus::Grease);
    for keys in [vec![], vec![ech_key(7, b"k")]] {
        let (c, s, ce, se) = connect(cc.clone(), server(keys, &both_names()));
        assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
        assert_eq!(c.ech_status(), EchStatus::Grease);
        assert_eq!(s.server_name(), Some(SECRET));
        assert_ne!(s.ech_status(), EchStatus::Accepted);
    }
}

#[test]
fn disabled_sends_no_extension() {
    let sent = std::cell::Cell::new(None);
    let see = |ch: &mut ClientHello<'static>| {
        sent.set(Some(
            ch.extension(ExtensionType::EncryptedClientHello).is_some(),
        ));
    };
    let f = client_hello(&see);
    let (ce, se) = tampered(
        client(EchMode::Disabled),
        server(vec![], &["localhost"]),
        &f,
        &none,
    );
    assert!(ce.is_none() && se.is_none());
    assert_eq!(sent.get(), Some(false));
}

// ---------------------------------------------------------------------------------------
// Attacks on the server: hand-made outer hellos whose inner hello is sealed to the
// server's key, so each RFC 9849 rule about the inner hello can be broken on purpose.

use std::borrow::Cow;

use common::tamper::feed;
use tryst::messages::{Codec, EchConfig, HandshakeMessage, RawHandshake, Reader};
use tryst_hpke::{AeadId, Kdf, Kem, Suite};

const ECH: ExtensionType = ExtensionType::EncryptedClientHello;

/// The first ClientHello of a client without ECH, naming `name`.
fn plain_hello(name: &str) -> ClientHello<'static> {
    // TLS 1.3 only, as an inner hello must be (RFC 9849 §7.1).
    let tls13 = |b: tryst::ClientConfigBuilder| {
        b.with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls13])
    };
    let c = ClientConnection::new(
        client_with(EchMode::Disabled, tls13),
        ServerName::try_from(name).unwrap().to_owned(),
    )
    .unwrap();
    let (raw, _) = RawHandshake::split(&c.pending_tls()[5..], 1 << 20)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap().into_owned() else {
        panic!()
    };
    ch
}

/// A valid inner hello: the plain hello for SECRET with the inner ECH marker.
fn inner_hello() -> ClientHello<'static> {
    let mut ch = plain_hello(SECRET);
    ch.extensions.push(Extension::Unknown {
        typ: ECH,
        data: Cow::Borrowed(&[1]),
    });
    ch
}

/// EncodedClientHelloInner of `ch` (legacy_session_id emptied) followed by `padding`.
fn encode_inner(ch: &ClientHello<'static>, padding: &[u8]) -> Vec<u8> {
    let mut ch = ch.clone();
    ch.legacy_session_id = Cow::Borrowed(&[]);
    let mut b = HandshakeMessage::ClientHello(ch).to_bytes().unwrap()[4..].to_vec();
    b.extend_from_slice(padding);
    b
}

fn ech_body(config_id: u8, enc: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 1, 0, 1, config_id];
    b.extend_from_slice(&u16::try_from(enc.len()).unwrap().to_be_bytes());
    b.extend_from_slice(enc);
    b.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
    b.extend_from_slice(payload);
    b
}

/// A ClientHello record: the plain hello for PUBLIC carrying `encoded_inner` sealed
/// to `k` under `config_id` (HKDF-SHA256, AES-128-GCM).
fn sealed_hello(k: &EchServerKey, config_id: u8, encoded_inner: &[u8]) -> Vec<u8> {
    let EchConfig::Fe0d(c) = Reader::read_all(k.config(), "", EchConfig::read).unwrap() else {
        panic!()
    };
    let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let pk = suite
        .deserialize_public_key(&c.key_config.public_key)
        .unwrap();
    let info = [b"tls ech\0".as_slice(), k.config()].concat();
    let (enc, mut ctx) =
        tryst_hpke::setup_base_s(&suite, &pk, &info, &mut tryst::crypto::OsRng).unwrap();
    let mut outer = plain_hello(PUBLIC);
    let zeros = vec![0u8; encoded_inner.len() + 16];
    outer.extensions.push(Extension::Unknown {
        typ: ECH,
        data: Cow::Owned(ech_body(config_id, &enc, &zeros)),
    });
    let aad = HandshakeMessage::ClientHello(outer.clone())
        .to_bytes()
        .unwrap();
    let payload = ctx.seal(&aad[4..], encoded_inner).unwrap();
    *outer.extensions.last_mut().unwrap() = Extension::Unknown {
        typ: ECH,
        data: Cow::Owned(ech_body(config_id, &enc, &payload)),
    };
    record(&HandshakeMessage::ClientHello(outer).to_bytes().unwrap())
}

fn record(msg: &[u8]) -> Vec<u8> {
    let mut r = vec![22, 3, 1];
    r.extend_from_slice(&u16::try_from(msg.len()).unwrap().to_be_bytes());
    r.extend_from_slice(msg);
    r
}

/// Feed a hand-made first flight to a server holding `k`.
fn serve(k: EchServerKey, record: &[u8]) -> (ServerConnection, Option<Error>) {
    let mut s = ServerConnection::new(server(vec![k], &both_names())).unwrap();
    let mut err = None;
    feed(&mut s, record, &mut err);
    (s, err)
}

/// The server's error (and its alert) for an inner hello.
fn inner_alert(encoded_inner: &[u8]) -> Option<AlertDescription> {
    let k = ech_key(7, b"k");
    let rec = sealed_hello(&k, 7, encoded_inner);
    let (s, err) = serve(k, &rec);
    assert!(matches!(err, Some(Error::PeerMisbehaved { .. })), "{err:?}");
    assert_eq!(
        s.ech_status(),
        EchStatus::Rejected,
        "decrypted, then refused"
    );
    alert_of(&err)
}

/// An ech_outer_extensions body naming `types`.
fn outer_refs(types: &[u16]) -> Extension<'static> {
    let mut b = vec![u8::try_from(types.len() * 2).unwrap()];
    for t in types {
        b.extend_from_slice(&t.to_be_bytes());
    }
    Extension::Unknown {
        typ: ExtensionType::EchOuterExtensions,
        data: Cow::Owned(b),
    }
}

/// The inner hello with `types` (present in the outer hello, in this order) replaced by
/// one ech_outer_extensions that names `refs`.
fn compressed(types: &[ExtensionType], refs: &[u16]) -> Vec<u8> {
    let mut ch = inner_hello();
    ch.extensions.retain(|e| !types.contains(&e.ext_type()));
    ch.extensions.insert(0, outer_refs(refs));
    encode_inner(&ch, &[0; 7])
}

#[test]
fn hand_made_inner_hello_is_accepted() {
    // The control for the attacks below: the same construction, every rule kept.
    let k = ech_key(7, b"k");
    let refs = [ExtensionType::SupportedGroups, ExtensionType::KeyShare];
    let raw: Vec<u16> = refs.iter().map(|t| t.to_raw()).collect();
    let rec = sealed_hello(&k, 7, &compressed(&refs, &raw));
    let (s, err) = serve(k, &rec);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(s.ech_status(), EchStatus::Accepted);
    assert_eq!(s.server_name(), Some(SECRET));
    assert_eq!(s.outer_server_name(), Some(PUBLIC));
}

#[test]
fn outer_extensions_naming_a_missing_extension_is_illegal_parameter() {
    let refs = [ExtensionType::KeyShare];
    let inner = compressed(&refs, &[ExtensionType::KeyShare.to_raw(), 0x1234]);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn outer_extensions_out_of_order_is_illegal_parameter() {
    // The outer hello has supported_groups before key_share.
    let refs = [ExtensionType::SupportedGroups, ExtensionType::KeyShare];
    let raw = [
        ExtensionType::KeyShare.to_raw(),
        ExtensionType::SupportedGroups.to_raw(),
    ];
    let inner = compressed(&refs, &raw);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn outer_extensions_naming_ech_is_illegal_parameter() {
    for ech in [ECH.to_raw(), ExtensionType::EchOuterExtensions.to_raw()] {
        let inner = compressed(&[], &[ech]);
        assert_eq!(
            inner_alert(&inner),
            Some(AlertDescription::IllegalParameter)
        );
    }
}

#[test]
fn two_outer_extensions_lists_are_illegal_parameter() {
    let mut ch = inner_hello();
    ch.extensions
        .retain(|e| e.ext_type() != ExtensionType::KeyShare);
    ch.extensions
        .insert(0, outer_refs(&[ExtensionType::KeyShare.to_raw()]));
    ch.extensions
        .insert(0, outer_refs(&[ExtensionType::KeyShare.to_raw()]));
    let inner = encode_inner(&ch, &[]);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn inner_hello_offering_tls12_is_illegal_parameter() {
    use tryst::messages::ProtocolVersion;
    let mut ch = inner_hello();
    for e in &mut ch.extensions {
        if let Extension::SupportedVersions(v) = e {
            *v = vec![ProtocolVersion::Tls13, ProtocolVersion::Tls12];
        }
    }
    let inner = encode_inner(&ch, &[]);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn inner_hello_without_the_inner_marker_is_illegal_parameter() {
    let mut ch = inner_hello();
    ch.extensions.retain(|e| e.ext_type() != ECH);
    assert_eq!(
        inner_alert(&encode_inner(&ch, &[])),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn nonzero_padding_is_illegal_parameter() {
    let inner = encode_inner(&inner_hello(), &[0, 0, 1]);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn encoded_inner_with_a_session_id_is_illegal_parameter() {
    let mut inner = encode_inner(&inner_hello(), &[]);
    // legacy_session_id follows version and random: make it one byte long.
    inner.splice(34..35, [1u8, 0xaa]);
    assert_eq!(
        inner_alert(&inner),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn garbage_inner_hello_is_illegal_parameter() {
    assert_eq!(
        inner_alert(&[0x03, 0x03, 1, 2, 3]),
        Some(AlertDescription::IllegalParameter)
    );
}

#[test]
fn unknown_config_id_falls_back_to_the_outer_hello() {
    let k = ech_key(7, b"k");
    let rec = sealed_hello(&k, 8, &encode_inner(&inner_hello(), &[]));
    let (s, err) = serve(k, &rec);
    assert!(err.is_none(), "rejection is not an error: {err:?}");
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert_eq!(s.server_name(), Some(PUBLIC));
}

#[test]
fn undecryptable_payload_falls_back_to_the_outer_hello() {
    let k = ech_key(7, b"k");
    let other = ech_key(7, b"other");
    let rec = sealed_hello(&other, 7, &encode_inner(&inner_hello(), &[]));
    let (s, err) = serve(k, &rec);
    assert!(err.is_none(), "rejection is not an error: {err:?}");
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert!(!s.pending_tls().is_empty(), "the handshake goes on");
}

#[test]
fn malformed_ech_extension_is_decode_error_and_unknown_type_illegal_parameter() {
    for (body, want) in [
        (vec![0, 0, 1, 0, 1, 7, 0], AlertDescription::DecodeError),
        (
            vec![0, 0, 1, 0, 1, 7, 0, 0, 0, 0],
            AlertDescription::DecodeError,
        ),
        (vec![1, 0], AlertDescription::DecodeError),
        (vec![], AlertDescription::DecodeError),
        (vec![2], AlertDescription::IllegalParameter),
    ] {
        let mut ch = plain_hello(PUBLIC);
        ch.extensions.push(Extension::Unknown {
            typ: ECH,
            data: Cow::Owned(body.clone()),
        });
        let rec = record(&HandshakeMessage::ClientHello(ch).to_bytes().unwrap());
        let (_, err) = serve(ech_key(7, b"k"), &rec);
        assert_eq!(alert_of(&err), Some(want), "{body:?}: {err:?}");
    }
}

#[test]
fn outer_hello_carrying_ech_outer_extensions_is_illegal_parameter() {
    let mut ch = plain_hello(PUBLIC);
    ch.extensions
        .insert(0, outer_refs(&[ExtensionType::KeyShare.to_raw()]));
    let rec = record(&HandshakeMessage::ClientHello(ch).to_bytes().unwrap());
    let (_, err) = serve(ech_key(7, b"k"), &rec);
    assert_eq!(alert_of(&err), Some(AlertDescription::IllegalParameter));
}

// ---------------------------------------------------------------------------------------
// Attacks through a tampering network between tryst's client and server.

fn hrr_pair(k: EchServerKey) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
    let cc = client_with(enabled(&k), |b| {
        b.with_groups(&[SECP256R1_GROUP, X25519_GROUP])
    });
    let sc = server_with(vec![k], &both_names(), |b| b.with_groups(&[X25519_GROUP]));
    (cc, sc)
}

/// `tampered` for the SECRET name: the client and server, and their first errors.
fn tampered_ech(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    f: &dyn Fn(&mut Vec<u8>),
    g: &dyn Fn(&mut Vec<u8>),
) -> (ClientConnection, Option<Error>, Option<Error>) {
    let mut c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    let (mut ce, mut se) = (None, None);
    for _ in 0..16 {
        let out = common::tamper::rewrite(c.pending_tls(), f);
        let n = c.pending_tls().len();
        c.consume_tls(n);
        feed(&mut s, &out, &mut se);
        let back = common::tamper::rewrite(s.pending_tls(), g);
        let n = s.pending_tls().len();
        s.consume_tls(n);
        feed(&mut c, &back, &mut ce);
        if out.is_empty() && back.is_empty() {
            break;
        }
    }
    (c, ce, se)
}

fn flip_confirmation(sh: &mut tryst::messages::ServerHello<'static>) {
    sh.random[31] ^= 1;
}

#[test]
fn server_hello_with_ech_extension_is_illegal_parameter() {
    let k = ech_key(7, b"k");
    let add = |sh: &mut tryst::messages::ServerHello<'static>| {
        sh.extensions.push(Extension::Unknown {
            typ: ECH,
            data: Cow::Owned(vec![0; 8]),
        });
    };
    let g = server_hello(&add);
    let (_, ce, _) = tampered_ech(
        client(enabled(&k)),
        server(vec![k], &both_names()),
        &none,
        &g,
    );
    assert_eq!(alert_of(&ce), Some(AlertDescription::IllegalParameter));
}

#[test]
fn wrong_acceptance_signal_means_rejection_never_acceptance() {
    // The server accepted, but the signal the client sees is wrong: the client goes on
    // as rejected (outer transcript), so the server's keys do not match its own.
    let k = ech_key(7, b"k");
    let g = server_hello(&flip_confirmation);
    let (c, ce, _) = tampered_ech(
        client(enabled(&k)),
        server(vec![k], &both_names()),
        &none,
        &g,
    );
    assert_eq!(c.ech_status(), EchStatus::Rejected);
    assert_eq!(
        alert_of(&ce),
        Some(AlertDescription::BadRecordMac),
        "{ce:?}"
    );
}

#[test]
fn accepted_in_hello_retry_request_but_not_in_server_hello_is_illegal_parameter() {
    let (cc, sc) = hrr_pair(ech_key(7, b"k"));
    let g = server_hello(&flip_confirmation);
    let (c, ce, _) = tampered_ech(cc, sc, &none, &g);
    assert!(matches!(ce, Some(Error::PeerMisbehaved { .. })), "{ce:?}");
    assert_eq!(alert_of(&ce), Some(AlertDescription::IllegalParameter));
    assert_ne!(c.ech_status(), EchStatus::Accepted);
}

#[test]
fn hello_retry_request_without_ech_rejects_and_the_server_refuses_the_second_hello() {
    // The server accepted the first hello; the network strips the signal from its
    // HelloRetryRequest (or breaks it). The client must take that as a rejection and
    // send a second outer hello without a new encapsulation; the server, which accepted,
    // refuses it.
    let strip = |h: &mut tryst::messages::ServerHello<'static>| {
        h.extensions.retain(|e| e.ext_type() != ECH);
    };
    let flip = |h: &mut tryst::messages::ServerHello<'static>| {
        for e in &mut h.extensions {
            if let Extension::Unknown { typ, data } = e
                && *typ == ECH
            {
                data.to_mut()[0] ^= 1;
            }
        }
    };
    let changes: [&dyn Fn(&mut tryst::messages::ServerHello<'static>); 2] = [&strip, &flip];
    for change in changes {
        let (cc, sc) = hrr_pair(ech_key(7, b"k"));
        let g = hello_retry(change);
        let (c, _, se) = tampered_ech(cc, sc, &none, &g);
        assert_eq!(c.ech_status(), EchStatus::Rejected);
        assert_eq!(
            alert_of(&se),
            Some(AlertDescription::IllegalParameter),
            "{se:?}"
        );
    }
}

/// A change to a ClientHello's extensions.
type ExtsChange = dyn Fn(&mut Vec<Extension<'static>>);

/// Change the ECH extension body of the second ClientHello only.
fn second_hello_ech(m: &dyn Fn(&mut Vec<Extension<'static>>)) -> Option<Error> {
    let (cc, sc) = hrr_pair(ech_key(7, b"k"));
    let (n, se) = common::tamper::second_client_hello(cc, sc, &|ch| m(&mut ch.extensions));
    assert_eq!(n, 2);
    se
}

fn ech_data<'e>(exts: &'e mut [Extension<'static>]) -> &'e mut Vec<u8> {
    exts.iter_mut()
        .find_map(|e| match e {
            Extension::Unknown { typ, data } if *typ == ECH => Some(data.to_mut()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn second_hello_without_ech_after_acceptance_is_missing_extension() {
    let se = second_hello_ech(&|exts| exts.retain(|e| e.ext_type() != ECH));
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::MissingExtension),
        "{se:?}"
    );
}

#[test]
fn second_hello_with_a_new_enc_or_config_is_illegal_parameter() {
    let with_enc = |exts: &mut Vec<Extension<'static>>| {
        let d = ech_data(exts);
        assert_eq!(&d[6..8], [0, 0], "the second hello sends no enc");
        d.splice(6..8, [0, 1, 0x42]);
    };
    let other_id = |exts: &mut Vec<Extension<'static>>| ech_data(exts)[5] ^= 1;
    let changes: [&ExtsChange; 2] = [&with_enc, &other_id];
    for m in changes {
        let se = second_hello_ech(m);
        assert_eq!(
            alert_of(&se),
            Some(AlertDescription::IllegalParameter),
            "{se:?}"
        );
    }
}

#[test]
fn second_hello_that_does_not_decrypt_is_decrypt_error() {
    let se = second_hello_ech(&|exts| *ech_data(exts).last_mut().unwrap() ^= 1);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
}

#[test]
#[ignore = "writes the seeds of fuzz/corpus/tryst_ech_server"]
fn write_fuzz_seeds() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/tryst_ech_server");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("seed-inner-plain"),
        encode_inner(&inner_hello(), &[0; 5]),
    )
    .unwrap();
    let refs = [ExtensionType::SupportedGroups, ExtensionType::KeyShare];
    let raw: Vec<u16> = refs.iter().map(|t| t.to_raw()).collect();
    std::fs::write(dir.join("seed-inner-compressed"), compressed(&refs, &raw)).unwrap();
}

// ---------------------------------------------------------------------------------------
// ECH with resumption and HelloRetryRequest together.

#[test]
fn resumption_inside_ech_also_after_hello_retry_request() {
    use tryst::HandshakeKind::{FullWithHelloRetryRequest, Resumed, ResumedWithHelloRetryRequest};
    use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
    for hrr in [false, true] {
        let k = ech_key(7, b"k");
        let groups: &[_] = if hrr {
            &[SECP256R1_GROUP, X25519_GROUP]
        } else {
            &[X25519_GROUP]
        };
        let cc = client_with(enabled(&k), |b| b.with_groups(groups));
        let sc = server_with(vec![k], &both_names(), |b| {
            b.with_groups(&[X25519_GROUP])
                .with_ticket_keys(Arc::new(tryst::TicketKeys::new(
                    tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
                    std::time::Duration::from_secs(3600),
                )))
        });
        let (c, _, ce, se) = connect(cc.clone(), sc.clone());
        assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
        let first = c.handshake_kind().unwrap();
        assert!(matches!(
            first,
            tryst::HandshakeKind::Full | FullWithHelloRetryRequest
        ));
        let (c, s, ce, se) = connect(cc, sc);
        assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
        let want = if hrr {
            ResumedWithHelloRetryRequest
        } else {
            Resumed
        };
        assert_eq!(c.handshake_kind(), Some(want));
        assert_eq!(c.ech_status(), EchStatus::Accepted);
        assert_eq!(s.server_name(), Some(SECRET));
    }
}

#[test]
fn rejected_after_hello_retry_request() {
    let (cc, _) = hrr_pair(ech_key(7, b"stale"));
    let (_, sc) = hrr_pair(ech_key(7, b"served"));
    let (c, s, ce, se) = connect(cc, sc);
    assert!(
        matches!(
            ce,
            Some(Error::EchRejected {
                retry_configs: Some(_)
            })
        ),
        "{ce:?}"
    );
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::EchRequired))
    );
    assert_eq!(c.ech_status(), EchStatus::Rejected);
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert_eq!(s.server_name(), Some(PUBLIC));
}

#[test]
fn the_outer_hello_offers_no_ticket_and_the_real_name_stays_inside() {
    // A client that holds a ticket for the real name: the ticket's identity must not
    // appear in the outer hello (it would link the connection to the real name).
    let k = ech_key(7, b"k");
    let cc = client(enabled(&k));
    let sc = server_with(vec![ech_key(7, b"k")], &both_names(), |b| {
        b.with_ticket_keys(Arc::new(tryst::TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )))
    });
    let (_, _, ce, _) = connect(cc.clone(), sc);
    assert!(ce.is_none(), "{ce:?}");
    let c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    let (raw, _) = RawHandshake::split(&c.pending_tls()[5..], 1 << 20)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(outer) = raw.parse().unwrap() else {
        panic!()
    };
    assert!(outer.pre_shared_key().is_none());
    assert_eq!(outer.server_name(), Some(PUBLIC.as_bytes()));
    let wire = c.pending_tls();
    assert!(!wire.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
}

// ---------------------------------------------------------------------------------------
// A man in the middle with the server's key log: EncryptedExtensions rewritten and
// resealed under the server's handshake key.

#[derive(Default)]
struct Tap(std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>);

impl tryst::KeyLog for Tap {
    fn log(&self, label: &str, _client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .insert(label.to_string(), secret.to_vec());
    }
}

/// The server's first flight with `f` applied to its EncryptedExtensions (the first
/// message of its first protected record), resealed; returns the client's error.
fn with_encrypted_extensions(
    mode: EchMode,
    keys: Vec<EchServerKey>,
    f: &dyn Fn(&mut Vec<Extension<'static>>),
) -> Option<Error> {
    use tryst::crypto::{AES_128_GCM, SHA256, Secret, TAG_LEN};
    use tryst::suites::TLS13_AES_128_GCM_SHA256;
    let tap = Arc::new(Tap::default());
    let log = tap.clone();
    let sc = server_with(keys, &both_names(), |b| {
        b.with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
            .with_key_log(log)
    });
    let mut c = ClientConnection::new(client(mode), ServerName::try_from(SECRET).unwrap()).unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    let mut err = None;
    feed(&mut s, c.pending_tls(), &mut err);
    assert!(err.is_none(), "{err:?}");
    let flight = s.pending_tls().to_vec();
    let sh_len = 5 + usize::from(u16::from_be_bytes([flight[3], flight[4]]));
    let (sh, protected) = flight.split_at(sh_len);
    let rec_len = 5 + usize::from(u16::from_be_bytes([protected[3], protected[4]]));
    let (rec, rest) = protected.split_at(rec_len);
    let secret = tap.0.lock().unwrap()["SERVER_HANDSHAKE_TRAFFIC_SECRET"].clone();
    let keys =
        tryst_keyschedule::TrafficKeys::derive(SHA256, &Secret::from_slice(&secret).unwrap(), 16)
            .unwrap();
    let key = AES_128_GCM.new_key(&keys.key).unwrap();
    let (header, body) = rec.split_at(5);
    let mut body = body.to_vec();
    let n = key
        .open_in_place(&keys.iv.nonce_for(0), header, &mut body)
        .unwrap();
    body.truncate(n);
    assert_eq!(body.pop(), Some(22), "a handshake record");
    let (raw, tail) = RawHandshake::split(&body, 1 << 20).unwrap().unwrap();
    let HandshakeMessage::EncryptedExtensions(mut ee) = raw.parse().unwrap().into_owned() else {
        panic!("EncryptedExtensions first")
    };
    f(&mut ee.extensions);
    let mut inner = HandshakeMessage::EncryptedExtensions(ee)
        .to_bytes()
        .unwrap();
    inner.extend_from_slice(tail);
    inner.push(22);
    let mut out = vec![23, 3, 3];
    out.extend_from_slice(&u16::try_from(inner.len() + TAG_LEN).unwrap().to_be_bytes());
    out.extend_from_slice(&inner);
    out.extend_from_slice(&[0; TAG_LEN]);
    let (header, body) = out.split_at_mut(5);
    key.seal_in_place(&keys.iv.nonce_for(0), header, body)
        .unwrap();
    let mut ce = None;
    feed(&mut c, &[sh, &out, rest].concat(), &mut ce);
    ce
}

fn retry_extension(list: Vec<u8>) -> Extension<'static> {
    Extension::Unknown {
        typ: ECH,
        data: Cow::Owned(list),
    }
}

#[test]
fn retry_configs_after_acceptance_are_unsupported_extension() {
    let k = ech_key(7, b"k");
    let list = EchServerKey::config_list(std::slice::from_ref(&k));
    let add = move |exts: &mut Vec<Extension<'static>>| exts.push(retry_extension(list.clone()));
    let ce = with_encrypted_extensions(enabled(&k), vec![k], &add);
    assert!(matches!(ce, Some(Error::PeerMisbehaved { .. })), "{ce:?}");
    assert_eq!(alert_of(&ce), Some(AlertDescription::UnsupportedExtension));
}

#[test]
fn malformed_retry_configs_after_rejection_are_decode_error() {
    let stale = ech_key(7, b"stale");
    let garble = |exts: &mut Vec<Extension<'static>>| {
        for e in exts.iter_mut() {
            if e.ext_type() == ECH {
                *e = retry_extension(vec![0, 9, 1]);
            }
        }
    };
    let ce = with_encrypted_extensions(enabled(&stale), vec![ech_key(7, b"served")], &garble);
    assert_eq!(alert_of(&ce), Some(AlertDescription::DecodeError), "{ce:?}");
}

#[test]
fn the_resealing_tap_itself_changes_nothing() {
    // Control: the same man in the middle, leaving EncryptedExtensions as it is.
    let k = ech_key(7, b"k");
    let ce = with_encrypted_extensions(enabled(&k), vec![k], &|_| {});
    assert!(ce.is_none(), "{ce:?}");
}

#[test]
fn configs_a_client_cannot_use_are_skipped() {
    use tryst::messages::{EchConfigList, HpkeSymmetricCipherSuite};
    let k = ech_key(7, b"k");
    let EchConfig::Fe0d(good) = Reader::read_all(k.config(), "", EchConfig::read).unwrap() else {
        panic!()
    };
    let with = |f: &dyn Fn(&mut tryst::messages::EchConfigContents<'static>)| {
        let mut c = good.clone().into_owned();
        f(&mut c);
        EchConfigList {
            configs: vec![EchConfig::Fe0d(c)],
        }
        .to_bytes()
        .unwrap()
    };
    let unusable: [&dyn Fn(&mut tryst::messages::EchConfigContents<'static>); 5] = [
        &|c| c.public_name = Cow::Borrowed(b"192.0.2.1"),
        &|c| c.public_name = Cow::Borrowed(b"not a name"),
        &|c| c.key_config.kem_id = 0x0021, // X448
        &|c| {
            c.key_config.cipher_suites = vec![HpkeSymmetricCipherSuite {
                kdf_id: 1,
                aead_id: 0xffff, // export-only
            }]
        },
        &|c| {
            c.extensions.push(tryst::messages::EchConfigExtension {
                extension_type: 0x8001, // mandatory and unknown
                data: Cow::Borrowed(&[]),
            })
        },
    ];
    for f in unusable {
        let list = with(f);
        assert!(
            matches!(
                EchClientConfig::from_config_list(&list),
                Err(Error::Config(_))
            ),
            "{list:?}"
        );
        // Next to a usable config, the usable one is chosen.
        let mut both = EchConfigList::decode(&list).unwrap().into_owned();
        both.configs
            .push(EchConfig::Fe0d(good.clone().into_owned()));
        let cfg = EchClientConfig::from_config_list(&both.to_bytes().unwrap()).unwrap();
        assert_eq!(cfg.public_name(), PUBLIC);
    }
    assert!(EchClientConfig::from_config_list(&[0, 4, 1, 2]).is_err());
}

#[test]
fn a_client_with_ech_offers_only_tls13_and_a_tls12_only_server_is_refused() {
    // RFC 9849 §6.1.6: a server negotiating TLS 1.2 has not accepted ECH. A client with an
    // ECH config offers TLS 1.3 alone, so a TLS 1.2-only server (or an attacker posing
    // as one) cannot produce a connection the caller would believe hides the name.
    let key = ech_key(7, b"ech 1.2");
    let mode = enabled(&key);
    let sc = server_with(vec![key], &both_names(), |b| {
        b.with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls12])
    });
    let seen = std::sync::Mutex::new(Vec::new());
    let (ce, se) = tampered(
        client(mode),
        sc,
        &client_hello(&|ch| {
            seen.lock()
                .unwrap()
                .push(ch.supported_versions().unwrap().to_vec())
        }),
        &none,
    );
    let offered = seen.lock().unwrap().clone();
    assert!(!offered.is_empty());
    for versions in offered {
        assert_eq!(versions, vec![tryst::messages::ProtocolVersion::Tls13]);
    }
    assert!(ce.is_some(), "the handshake must fail");
    assert_eq!(alert_of(&se), Some(AlertDescription::ProtocolVersion));
}

// ---------------------------------------------------------------------------------------
// Split mode: tryst as the backend server behind a client-facing server (§7.2).

/// The acceptance signal for `client_hello` and `server_hello` (handshake messages),
/// computed here from the RFC's formula: HKDF-Expand-Label(HKDF-Extract(0,
/// ClientHelloInner.random), "ech accept confirmation", Hash(ClientHelloInner ||
/// ServerHello with the last 8 bytes of its random zeroed), 8).
fn expected_signal(client_hello: &[u8], random: &[u8; 32], server_hello: &[u8]) -> [u8; 8] {
    use tryst::crypto::{Hash, SHA256, SHA384};
    let HandshakeMessage::ServerHello(sh) = RawHandshake::split(server_hello, 1 << 16)
        .unwrap()
        .unwrap()
        .0
        .parse()
        .unwrap()
    else {
        panic!()
    };
    let hash: &dyn Hash = if sh.cipher_suite.to_raw() == 0x1302 {
        SHA384
    } else {
        SHA256
    };
    let prk = hash.hkdf_extract(&vec![0; hash.output_len()], random);
    let mut zeroed = server_hello.to_vec();
    zeroed[30..38].fill(0);
    let th = hash.hash(&[client_hello, &zeroed].concat());
    let mut out = [0u8; 8];
    tryst_keyschedule::hkdf_expand_label(
        hash,
        &prk,
        b"ech accept confirmation",
        th.as_bytes(),
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn backend_in_split_mode_confirms_acceptance_of_an_inner_hello() {
    let inner = inner_hello();
    let msg = HandshakeMessage::ClientHello(inner.clone())
        .to_bytes()
        .unwrap();
    for keys in [vec![], vec![ech_key(7, b"k")]] {
        let mut s = ServerConnection::new(server(keys, &both_names())).unwrap();
        let mut err = None;
        feed(&mut s, &record(&msg), &mut err);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(s.ech_status(), EchStatus::Accepted);
        assert_eq!(s.server_name(), Some(SECRET));
        let out = s.pending_tls();
        let len = usize::from(u16::from_be_bytes([out[3], out[4]]));
        let sh = &out[5..5 + len];
        assert_eq!(sh[30..38], expected_signal(&msg, &inner.random, sh));
    }
    // Control: the same hello without the marker gets no signal.
    let plain = plain_hello(SECRET);
    let msg = HandshakeMessage::ClientHello(plain.clone())
        .to_bytes()
        .unwrap();
    let mut s = ServerConnection::new(server(vec![], &both_names())).unwrap();
    let mut err = None;
    feed(&mut s, &record(&msg), &mut err);
    assert_eq!(s.ech_status(), EchStatus::NotOffered);
    let out = s.pending_tls();
    let len = usize::from(u16::from_be_bytes([out[3], out[4]]));
    let sh = &out[5..5 + len];
    assert_ne!(sh[30..38], expected_signal(&msg, &plain.random, sh));
}

#[test]
fn a_certificate_resolver_serves_the_public_name_its_own_certificate() {
    // The rejection path answers the outer hello, so a resolver choosing by SNI sees the
    // public name there and the real name once ECH is accepted: each name can have its own
    // certificate, neither covering the other.
    let sc = || {
        ServerConfig::builder_with_cert_resolver(Arc::new(
            tryst::SniCertResolver::new()
                .with_cert(cert_for(&[SECRET]))
                .unwrap()
                .with_cert(cert_for(&[PUBLIC]))
                .unwrap(),
        ))
        .with_clock(clock())
        .with_ech_keys(vec![ech_key(7, b"served")])
        .build()
        .unwrap()
    };
    let names = |c: &ClientConnection| {
        let leaf = tryst::cert::Certificate::from_der(c.peer_certificates()[0].as_ref()).unwrap();
        leaf.dns_names().map(<[u8]>::to_vec).collect::<Vec<_>>()
    };
    let (c, s, ce, _) = connect(client(enabled(&ech_key(7, b"served"))), sc());
    assert!(ce.is_none(), "{ce:?}");
    assert_eq!(s.ech_status(), EchStatus::Accepted);
    assert_eq!(names(&c), [SECRET.as_bytes()]);
    // Rejected: the client checks the certificate for the public name, and the only one
    // naming it is the public name's own; anything else would be a certificate error.
    let (c, s, ce, _) = connect(client(enabled(&ech_key(7, b"stale"))), sc());
    assert!(
        matches!(
            ce,
            Some(Error::EchRejected {
                retry_configs: Some(_)
            })
        ),
        "{ce:?}"
    );
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert_eq!(c.ech_status(), EchStatus::Rejected);
}

#[test]
fn an_acceptor_sees_the_public_name_and_the_connection_the_real_one() {
    // An application that picks its config from the ClientHello (`Acceptor`) reads the
    // outer hello: the public name is all it can see before the keys decrypt the inner
    // one, which happens in the connection it starts.
    let k = ech_key(7, b"k");
    let mut c =
        ClientConnection::new(client(enabled(&k)), ServerName::try_from(SECRET).unwrap()).unwrap();
    let mut acceptor = tryst::Acceptor::new();
    let hello = c.pending_tls().to_vec();
    let n = c.pending_tls().len();
    c.consume_tls(n);
    assert_eq!(acceptor.read_tls_bytes(&hello), hello.len());
    let accepted = acceptor.accept().unwrap().unwrap();
    assert_eq!(accepted.client_hello().server_name(), Some(PUBLIC));
    let mut s = accepted
        .into_connection(server(vec![k], &both_names()))
        .unwrap_or_else(|r| panic!("{:?}", r.error));
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
    assert_eq!(s.server_name(), Some(SECRET));
    assert_eq!(s.outer_server_name(), Some(PUBLIC));
}

#[test]
fn backend_second_hello_keeps_the_inner_marker() {
    use tryst::messages::{KeyShareEntry, NamedGroup};
    use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
    // The P-256 base point: a valid share for the second hello.
    let g = hex::decode(
        "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296\
         4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    )
    .unwrap();
    let first = {
        let cc = client_with(EchMode::Disabled, |b| {
            b.with_groups(&[X25519_GROUP, SECP256R1_GROUP])
        });
        let c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
        let (raw, _) = RawHandshake::split(&c.pending_tls()[5..], 1 << 20)
            .unwrap()
            .unwrap();
        let HandshakeMessage::ClientHello(mut ch) = raw.parse().unwrap().into_owned() else {
            panic!()
        };
        ch.extensions.insert(
            0,
            Extension::Unknown {
                typ: ECH,
                data: Cow::Borrowed(&[1]),
            },
        );
        ch
    };
    let second = |marker: Option<Vec<u8>>| {
        let mut ch = first.clone();
        ch.extensions.retain(|e| e.ext_type() != ECH);
        if let Some(m) = marker {
            ch.extensions.insert(
                0,
                Extension::Unknown {
                    typ: ECH,
                    data: Cow::Owned(m),
                },
            );
        }
        for e in &mut ch.extensions {
            if let Extension::KeyShareClient(shares) = e {
                *shares = vec![KeyShareEntry::new(NamedGroup::Secp256r1, &g).into_owned()];
            }
        }
        record(&HandshakeMessage::ClientHello(ch).to_bytes().unwrap())
    };
    let run = |marker: Option<Vec<u8>>| {
        let sc = server_with(vec![], &both_names(), |b| {
            b.with_groups(&[SECP256R1_GROUP])
                .with_hrr_cookie(false)
                .with_middlebox_compat(false)
        });
        let mut s = ServerConnection::new(sc).unwrap();
        let mut err = None;
        feed(
            &mut s,
            &record(
                &HandshakeMessage::ClientHello(first.clone())
                    .to_bytes()
                    .unwrap(),
            ),
            &mut err,
        );
        assert!(err.is_none(), "{err:?}");
        assert_eq!(
            s.handshake_kind(),
            Some(tryst::HandshakeKind::FullWithHelloRetryRequest)
        );
        // The HelloRetryRequest confirms acceptance with its ECH extension.
        let out = s.pending_tls().to_vec();
        let n = out.len();
        s.consume_tls(n);
        let hrr = &out[5..];
        assert!(
            hrr.windows(4).any(|w| w == [0xfe, 0x0d, 0, 8]),
            "no ECH signal in the HRR"
        );
        feed(&mut s, &second(marker), &mut err);
        (s, err)
    };
    let (s, err) = run(Some(vec![1]));
    assert!(err.is_none(), "{err:?}");
    assert_eq!(s.ech_status(), EchStatus::Accepted);
    let (_, err) = run(None);
    assert_eq!(
        alert_of(&err),
        Some(AlertDescription::MissingExtension),
        "{err:?}"
    );
    let outer = ech_body(7, &[], &[0; 32]);
    let (_, err) = run(Some(outer));
    assert_eq!(
        alert_of(&err),
        Some(AlertDescription::IllegalParameter),
        "{err:?}"
    );
}

#[test]
fn early_data_inside_ech() {
    // 0-RTT on a resumption inside ECH: the early data is keyed by the inner hello (the
    // one the ticket's binder covers) and reaches the server as early data.
    let k = ech_key(7, b"k");
    let cc = client_with(enabled(&k), |b| b.with_early_data(true));
    let sc = server_with(vec![k], &both_names(), |b| {
        b.with_max_early_data_size(1024)
            .with_ticket_keys(Arc::new(tryst::TicketKeys::new(
                tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
                std::time::Duration::from_secs(3600),
            )))
    });
    let (_, _, ce, se) = connect(cc.clone(), sc.clone());
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    let mut c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    assert!(c.early_data_limit() >= 5, "the ticket allows 0-RTT");
    assert_eq!(c.write_early_data(b"early").unwrap(), 5);
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_eq!(c.ech_status(), EchStatus::Accepted);
    assert_eq!(s.server_name(), Some(SECRET));
    assert_eq!(c.early_data_status(), tryst::EarlyDataStatus::Accepted);
    let mut buf = [0u8; 16];
    let n = s.read_early_data(&mut buf);
    assert_eq!(&buf[..n], b"early");
}

#[test]
fn early_data_with_rejected_ech_is_never_accepted() {
    // The server rotated its ECH key: it answers the outer hello, which offers no ticket
    // (§6.1.1), so the 0-RTT data the client sent under the inner hello's keys is skipped
    // (RFC 8446 §4.2.10), never read, and the client fails with the retry configs.
    let tickets = Arc::new(tryst::TicketKeys::new(
        tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
        std::time::Duration::from_secs(3600),
    ));
    let old = ech_key(7, b"old");
    let cc = client_with(enabled(&old), |b| b.with_early_data(true));
    let server = |k| {
        let t = tickets.clone();
        server_with(vec![k], &both_names(), move |b| {
            b.with_max_early_data_size(1024).with_ticket_keys(t)
        })
    };
    let (_, _, ce, se) = connect(cc.clone(), server(old));
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    let mut c = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    assert_eq!(c.write_early_data(b"early").unwrap(), 5);
    let mut s = ServerConnection::new(server(ech_key(8, b"new"))).unwrap();
    let (ce, _) = transfer(&mut c, &mut s);
    assert!(matches!(ce, Some(Error::EchRejected { .. })), "{ce:?}");
    assert_eq!(s.ech_status(), EchStatus::Rejected);
    assert_ne!(s.early_data_status(), tryst::EarlyDataStatus::Accepted);
    assert_eq!(s.read_early_data(&mut [0u8; 16]), 0);
}
