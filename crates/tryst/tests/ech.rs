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
    assert_eq!(s.ech_status(), EchStatus::Rejected);
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
