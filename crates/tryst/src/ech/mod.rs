//! Encrypted Client Hello (RFC 9849): the client encrypts its real ClientHello (the
//! *inner* one, with the real server name) with HPKE (RFC 9180, `tryst-hpke`) to a key the
//! server published in an `ECHConfigList`, and sends it inside an *outer* ClientHello that
//! names only the server's public name.
//!
//! - `client`: choosing a config, building, compressing, padding and sealing the inner
//!   hello, GREASE, the acceptance check in ServerHello.random and HelloRetryRequest, and
//!   what a rejection returns ([`crate::Error::EchRejected`]).
//! - `server`: the keys ([`EchServerKey`]), trial decryption, rebuilding the inner hello
//!   from `ech_outer_extensions` with the RFC's checks, the acceptance signal, and the
//!   `retry_configs` a rejection sends.
//! - `wire`: the `encrypted_client_hello` and `ech_outer_extensions` extension bodies.
//!
//! The TLS 1.3 state machines (`crate::tls13`) call these at a handful of points; the
//! rules live here.
//!
//! ```
//! use tryst::{EchClientConfig, EchMode, EchServerKey, SeededRandom};
//!
//! // The server makes a key and publishes its config (a DNS HTTPS record's `ech=`).
//! let key = EchServerKey::generate(7, "public.example", &SeededRandom::new(b"doc"))?;
//! let published = EchServerKey::config_list(std::slice::from_ref(&key));
//!
//! // The client picks a config it supports from the list.
//! let config = EchClientConfig::from_config_list(&published)?;
//! assert_eq!(config.public_name(), "public.example");
//! let mode = EchMode::Enabled(config); // for ClientConfigBuilder::with_ech
//! // ... and the server holds the key: ServerConfigBuilder::with_ech_keys(vec![key]).
//! # let _ = (mode, key);
//! # Ok::<(), tryst::Error>(())
//! ```

pub(crate) mod client;
pub(crate) mod server;
pub(crate) mod wire;

use tryst_crypto::subtle::ConstantTimeEq;
use tryst_crypto::{Hash, Secret};

pub use client::{EchClientConfig, EchMode};
pub use server::EchServerKey;

use crate::Error;

/// What ECH did on a connection ([`crate::ClientConnection::ech_status`],
/// [`crate::ServerConnection::ech_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EchStatus {
    /// No `encrypted_client_hello` extension was sent (client) or received (server).
    NotOffered,
    /// The client sent a GREASE extension (client side), so nothing was hidden.
    Grease,
    /// The client offered ECH and does not know the answer yet.
    Offered,
    /// The server decrypted the inner ClientHello and the handshake uses it.
    Accepted,
    /// The server could not (or would not) decrypt it; the handshake used the outer
    /// ClientHello. A client then fails with [`crate::Error::EchRejected`].
    Rejected,
}

/// The bytes of ServerHello.random that carry the acceptance signal (RFC 9849 §7.2):
/// its last eight.
pub(crate) const CONFIRMATION_LEN: usize = 8;

/// Offset of ServerHello.random's last eight bytes in an encoded ServerHello handshake
/// message: 4 (header) + 2 (legacy_version) + 24.
pub(crate) const SH_CONFIRMATION_OFFSET: usize = 4 + 2 + 24;

/// `accept_confirmation = HKDF-Expand-Label(HKDF-Extract(0, ClientHelloInner.random),
/// label, transcript_hash, 8)` (RFC 9849 §7.2, §7.2.1), with `label` "ech accept
/// confirmation" for ServerHello and "hrr ech accept confirmation" for HelloRetryRequest.
pub(crate) fn accept_confirmation(
    hash: &dyn Hash,
    inner_random: &[u8; 32],
    label: &[u8],
    transcript_hash: &[u8],
) -> Result<[u8; CONFIRMATION_LEN], Error> {
    let zeros = [0u8; 64];
    let salt = zeros.get(..hash.output_len()).unwrap_or(&zeros);
    let prk: Secret = hash.hkdf_extract(salt, inner_random);
    let mut out = [0u8; CONFIRMATION_LEN];
    tryst_keyschedule::hkdf_expand_label(hash, &prk, label, transcript_hash, &mut out)?;
    Ok(out)
}

/// Label of the ServerHello acceptance signal.
pub(crate) const LABEL_SH: &[u8] = b"ech accept confirmation";
/// Label of the HelloRetryRequest acceptance signal.
pub(crate) const LABEL_HRR: &[u8] = b"hrr ech accept confirmation";

/// Constant-time comparison of an acceptance signal.
pub(crate) fn confirmation_matches(got: &[u8], want: &[u8; CONFIRMATION_LEN]) -> bool {
    got.len() == CONFIRMATION_LEN && bool::from(got.ct_eq(want.as_slice()))
}

/// A copy of an encoded ServerHello with the last eight bytes of its random zeroed.
pub(crate) fn zero_sh_confirmation(encoded: &[u8]) -> Result<alloc::vec::Vec<u8>, Error> {
    let mut copy = encoded.to_vec();
    let tail = copy
        .get_mut(SH_CONFIRMATION_OFFSET..SH_CONFIRMATION_OFFSET + CONFIRMATION_LEN)
        .ok_or(Error::Internal("ServerHello shorter than its random"))?;
    tail.fill(0);
    Ok(copy)
}
