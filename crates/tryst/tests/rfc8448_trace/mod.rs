//! What the RFC 8448 replays share: the traces (§3 and §4, from `tests/data`), an RNG and an
//! X25519 key share that give the trace's client random and key, and a client config that
//! offers what the traces' client (NSS) offers.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use tryst::crypto::{
    ActiveKeyExchange, CryptoProvider, Error as CryptoError, KeyExchange, KeyExchangeAlgorithm,
    Secret, SharedSecret,
};
use tryst::messages::NamedGroup;
use tryst::suites::{
    SECP256R1_GROUP, SupportedGroup, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
};
use tryst::verify::ServerCertVerifier;

pub fn s3(name: &str) -> Vec<u8> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../data/rfc8448_section3.json")).unwrap();
    hex::decode(json[name].as_str().unwrap_or_else(|| panic!("no {name}"))).unwrap()
}

pub fn s4(name: &str) -> Vec<u8> {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../data/rfc8448_section4.json")).unwrap();
    hex::decode(json[name].as_str().unwrap_or_else(|| panic!("no {name}"))).unwrap()
}

/// Which section's random and key share the trace primitives give.
pub static SECTION: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(3);

pub fn trace(name: &str) -> Vec<u8> {
    match SECTION.load(std::sync::atomic::Ordering::SeqCst) {
        3 => s3(name),
        _ => s4(name),
    }
}

/// The section's client random first (the first 32 bytes of the first call: the client
/// draws its random and its key share's bytes in one call), then anything.
pub struct TraceRandom(pub std::sync::atomic::AtomicBool);
impl tryst::SecureRandom for TraceRandom {
    fn fill(&self, dest: &mut [u8]) {
        dest.fill(0x5a);
        if !self.0.swap(true, std::sync::atomic::Ordering::SeqCst) && dest.len() >= 32 {
            let hello = match SECTION.load(std::sync::atomic::Ordering::SeqCst) {
                3 => s3("client_hello"),
                _ => s4("client_hello_with_binders"),
            };
            dest[..32].copy_from_slice(&hello[6..38]);
        }
    }
}

/// X25519 with the section's private key.
pub struct TraceX25519;
pub struct TraceShare(Secret, Vec<u8>);
impl KeyExchange for TraceX25519 {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }
    fn start(
        &self,
        _: &mut dyn tryst::crypto::CryptoRng,
    ) -> Result<Box<dyn ActiveKeyExchange>, CryptoError> {
        Ok(Box::new(TraceShare(
            Secret::from_slice(&trace("client_x25519_private"))?,
            trace("client_x25519_public"),
        )))
    }
}
impl ActiveKeyExchange for TraceShare {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }
    fn public_key(&self) -> &[u8] {
        &self.1
    }
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, CryptoError> {
        tryst::crypto::x25519_agree(&self.0, peer)
    }
}

/// Groups the traces advertise that this build does not implement: listed, never used.
pub struct AdvertiseOnly;
impl KeyExchange for AdvertiseOnly {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }
    fn start(
        &self,
        _: &mut dyn tryst::crypto::CryptoRng,
    ) -> Result<Box<dyn ActiveKeyExchange>, CryptoError> {
        Err(CryptoError::UnsupportedAlgorithm)
    }
}

pub static TRACE_X25519: TraceX25519 = TraceX25519;
pub static TRACE_GROUPS: [&dyn KeyExchange; 3] =
    [&TRACE_X25519, tryst::crypto::P256, tryst::crypto::P384];
pub static ADVERTISE_ONLY: AdvertiseOnly = AdvertiseOnly;

/// A client config builder offering what the traces' client offers (suites, groups in its
/// order with the trace's X25519 share, record_size_limit, the TLS 1.2 compatibility
/// extensions, no ECH: the traces predate it), with a fresh trace RNG.
pub fn nss_client(
    verifier: Arc<dyn ServerCertVerifier>,
    clock: Arc<tryst::ManualClock>,
) -> tryst::ClientConfigBuilder {
    let g = |group: u16, kx: &'static dyn KeyExchange| SupportedGroup {
        group: NamedGroup::from_raw(group),
        kx,
    };
    let mut groups = vec![g(0x001d, &TRACE_X25519), SECP256R1_GROUP];
    groups.extend(
        (0x0018..=0x0019)
            .chain(0x0100..=0x0104)
            .map(|c| g(c, &ADVERTISE_ONLY)),
    );
    let provider = CryptoProvider {
        kx_groups: &TRACE_GROUPS,
        ..CryptoProvider::rustcrypto()
    };
    tryst::ClientConfig::builder_with_provider(Arc::new(provider))
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_cipher_suites(&[
            TLS13_AES_128_GCM_SHA256,
            TLS13_CHACHA20_POLY1305_SHA256,
            TLS13_AES_256_GCM_SHA384,
        ])
        .with_groups(&groups)
        .with_tls12_compat_extensions(true)
        .with_record_size_limit(Some(0x4001))
        .with_ech(tryst::EchMode::Disabled)
        .with_rng(Arc::new(TraceRandom(Default::default())))
        .with_clock(clock)
}
