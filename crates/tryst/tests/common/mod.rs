//! An in-memory client/server pair with a fake clock (quinn's tests/util.rs idea): no
//! sockets, deterministic randomness, time set by hand.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod ocsp;
pub mod peer;
pub mod reseal;
pub mod rustls_io;
pub mod scripted;
pub mod tamper;

use std::sync::Arc;
use std::time::Duration;

use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, Secret, Signer};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, ClientConnection, ConnectionCommon,
    ManualClock, SeededRandom, ServerConfig, ServerConfigBuilder, ServerConnection, TicketKeys,
};

/// 2026-01-01T00:00:00Z.
pub const NOW: u64 = 1_767_225_600;

pub fn key(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

pub struct Pki {
    pub ca_der: Vec<u8>,
    pub ca_key: Ed25519SigningKey,
    pub leaf_der: Vec<u8>,
    pub leaf_key: Ed25519SigningKey,
    pub client_der: Vec<u8>,
    pub client_key: Ed25519SigningKey,
}

pub fn pki() -> Pki {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let na = nb + 365 * 86_400;
    let ca_key = key(1);
    let ca_der = CertificateBuilder::new("tryst test CA", nb, na)
        .ca(None)
        .key_usage(tryst::cert::KeyUsage::KEY_CERT_SIGN | tryst::cert::KeyUsage::CRL_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf_key = key(2);
    let leaf_der = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .ip_address(&[127, 0, 0, 1])
        .server_auth()
        .issue(&leaf_key, &ca_der, &ca_key)
        .unwrap();
    let client_key = key(3);
    let client_der = CertificateBuilder::new("client", nb, na)
        .client_auth()
        .issue(&client_key, &ca_der, &ca_key)
        .unwrap();
    Pki {
        ca_der,
        ca_key,
        leaf_der,
        leaf_key,
        client_der,
        client_key,
    }
}

pub fn anchors(p: &Pki) -> TrustAnchors {
    TrustAnchors::from_der([p.ca_der.as_slice()]).unwrap()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Duration::from_secs(NOW)))
}

pub fn client_builder(p: &Pki, clock: &Arc<ManualClock>, seed: &[u8]) -> ClientConfigBuilder {
    ClientConfig::builder()
        .with_root_certificates(anchors(p))
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(seed)))
}

pub fn server_builder(p: &Pki, clock: &Arc<ManualClock>, seed: &[u8]) -> ServerConfigBuilder {
    let signer: Arc<dyn Signer> = Arc::new(key(2));
    let ck = CertifiedKey::new(vec![CertificateDer::from(p.leaf_der.clone())], signer).unwrap();
    ServerConfig::builder(ck)
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(seed)))
        .with_ticket_keys(Arc::new(TicketKeys::new(
            Secret::from_slice(&[9; 32]).unwrap(),
            Duration::from_secs(3600),
        )))
}

/// The default client and server configurations (seeds "client" and "server").
pub fn configs() -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let p = pki();
    let clock = clock();
    (
        client_builder(&p, &clock, b"client").build().unwrap(),
        server_builder(&p, &clock, b"server").build().unwrap(),
    )
}

/// The client leads with a P-256 share, the server only does X25519: a HelloRetryRequest.
pub fn hrr_builders(
    p: &Pki,
    clock: &Arc<ManualClock>,
) -> (ClientConfigBuilder, ServerConfigBuilder) {
    use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
    (
        client_builder(p, clock, b"client").with_groups(&[SECP256R1_GROUP, X25519_GROUP]),
        server_builder(p, clock, b"server").with_groups(&[X25519_GROUP]),
    )
}

pub fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

/// Move bytes both ways until neither side has anything to say. Returns the first error
/// of each side.
pub fn transfer(
    client: &mut ConnectionCommon,
    server: &mut ConnectionCommon,
) -> (Option<tryst::Error>, Option<tryst::Error>) {
    let (mut ce, mut se) = (None, None);
    for _ in 0..64 {
        let mut moved = pump(client, server, &mut se);
        moved |= pump(server, client, &mut ce);
        if !moved {
            break;
        }
    }
    (ce, se)
}

/// Move what `from` has queued into `to`, keeping `to`'s first error in `err`. Returns
/// whether there was anything to move.
fn pump(
    from: &mut ConnectionCommon,
    to: &mut ConnectionCommon,
    err: &mut Option<tryst::Error>,
) -> bool {
    let out = from.pending_tls().to_vec();
    if out.is_empty() {
        return false;
    }
    let mut off = 0;
    while off < out.len() {
        let n = to.read_tls_bytes(&out[off..]);
        off += n;
        if let Err(e) = to.process_new_packets() {
            err.get_or_insert(e);
            break;
        }
        if n == 0 {
            break; // the receiver's buffers are full: the rest waits
        }
    }
    from.consume_tls(off.max(if err.is_some() { out.len() } else { 0 }));
    true
}

pub fn pair(cc: Arc<ClientConfig>, sc: Arc<ServerConfig>) -> (ClientConnection, ServerConnection) {
    let client = ClientConnection::new(cc, localhost()).unwrap();
    let server = ServerConnection::new(sc).unwrap();
    (client, server)
}

pub fn handshake(client: &mut ClientConnection, server: &mut ServerConnection) {
    let (ce, se) = transfer(client, server);
    assert!(ce.is_none(), "client error: {ce:?}");
    assert!(se.is_none(), "server error: {se:?}");
    assert!(!client.is_handshaking(), "client still handshaking");
    assert!(!server.is_handshaking(), "server still handshaking");
}

/// A pair of the default configurations, handshake done.
pub fn connected() -> (ClientConnection, ServerConnection) {
    let (cc, sc) = configs();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    (c, s)
}

pub fn read_all(c: &mut ConnectionCommon) -> Vec<u8> {
    let mut out = vec![0u8; 1 << 20];
    let n = c.read_plaintext(&mut out);
    out.truncate(n);
    out
}
