//! `tryst-keyschedule`: the TLS 1.3 key schedule (RFC 8446 §7) as typed stages, plus the
//! QUIC (RFC 9001 §5) and TLS 1.2 PRF (RFC 5246, RFC 7627) derivations.
//!
//! What it is: HKDF-Expand-Label and Derive-Secret without allocation ([`hkdf_expand_label`], [`derive_secret`]); a
//! [`Transcript`] hash over framed handshake messages with the HelloRetryRequest rule; the
//! stages [`EarlySchedule`] → [`HandshakeSchedule`] → [`MasterSchedule`] →
//! [`TrafficSchedule`], each transition consuming the previous stage, so application
//! traffic secrets only exist in a schedule that received its (EC)DHE shared secret (or a
//! PSK, for psk_ke); Finished keys and verify_data with a constant-time check; PSK binders;
//! ticket PSKs; KeyUpdate; exporters; traffic key and IV for any AEAD key length; an
//! SSLKEYLOGFILE hook ([`keylog`]). Every derived value is a zeroizing secret type from
//! `tryst-crypto`.
//!
//! What it is not: it parses no messages (it takes handshake messages as framed bytes and
//! transcript hashes as [`Output`] values), it encrypts no records, and it decides nothing
//! about the handshake: the state machine in `tryst` calls it step by step.
//!
//! `no_std` + `alloc` with default features off.
//!
//! # Example: RFC 8448 §3, from the shared secret to the application keys
//!
//! ```
//! use tryst_crypto::{SHA256, SharedSecret, Output};
//! use tryst_keyschedule::{EarlySchedule, TrafficKeys, verify_data};
//! # fn h(s: &str) -> Vec<u8> { hex::decode(s).unwrap() }
//! # fn out(s: &str) -> Output { Output::from_slice(&h(s)).unwrap() }
//!
//! // The X25519 shared secret and the transcript hash of ClientHello..ServerHello.
//! let shared = SharedSecret::from_slice(&h(
//!     "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d"))?;
//! let ch_sh = out("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
//!
//! // No PSK: early stage, then the handshake stage with the shared secret.
//! let hs = EarlySchedule::new(SHA256).into_handshake(&shared)?;
//! let server_hs = hs.server_handshake_traffic_secret(&ch_sh)?;
//! let client_hs = hs.client_handshake_traffic_secret(&ch_sh)?;
//! let keys = TrafficKeys::derive(SHA256, &server_hs, 16)?; // AES-128-GCM
//! assert_eq!(keys.key.expose_secret(), h("3fce516009c21727d0f2e4e86ee403bc"));
//! assert_eq!(keys.iv.expose_secret(), h("5d313eb2671276ee13000b30"));
//!
//! // Master stage; application secrets once the server Finished is in the transcript.
//! let ch_sf = out("9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13");
//! let mut traffic = hs.into_master()?.into_traffic(&ch_sf)?;
//! let server_ap = traffic.server_traffic_keys(16)?;
//! assert_eq!(server_ap.key.expose_secret(), h("9f02283b6c9c07efc26bb9f2ac92e356"));
//! assert_eq!(server_ap.iv.expose_secret(), h("cf782b88dd83549aadf1e984"));
//!
//! // The client Finished covers the same transcript, keyed by the client's
//! // handshake traffic secret.
//! let fin = verify_data(SHA256, &client_hs, &ch_sf)?;
//! assert_eq!(fin.expose_secret(),
//!     h("a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61"));
//! let client_ap = traffic.client_traffic_keys(16)?;
//! assert_eq!(client_ap.key.expose_secret(), h("17422dda596ed5d9acd890e3c63f5051"));
//!
//! // After the client Finished: the resumption master secret and a ticket's PSK.
//! let ch_cf = out("209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d");
//! let psk = traffic.resumption_master_secret(&ch_cf)?.ticket_psk(&[0, 0])?;
//! assert_eq!(psk.expose_secret(),
//!     h("4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3"));
//! # Ok::<(), tryst_keyschedule::Error>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

/// HKDF-Expand-Label(secret, label, "", len) straight into a new secret of type `$ty`
/// (anything with `fill_with`), so the value never sits in a temporary buffer.
macro_rules! expand_label_into {
    ($ty:ty, $hash:expr, $secret:expr, $label:expr, $len:expr) => {{
        let mut result: Result<(), $crate::Error> = Ok(());
        let value = <$ty>::fill_with($len, |out| {
            result = $crate::label::hkdf_expand_label($hash, $secret, $label, &[], out);
            Ok(())
        })
        .map_err(|e| match e {
            tryst_crypto::Error::BadLength => $crate::Error::OutputTooLong,
            e => $crate::Error::Crypto(e),
        });
        match (value, result) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    }};
}

mod empty;
mod error;
pub mod keylog;
mod label;
mod no_psk;
pub mod quic;
mod schedule;
mod secrets;
pub mod tls12;
mod transcript;

pub use error::{Error, alert};
pub use label::{derive_secret, hkdf_expand_label, hkdf_expand_label_secret};
pub use schedule::{EarlySchedule, HandshakeSchedule, MasterSchedule, PskKind, TrafficSchedule};
pub use secrets::{
    ExporterSecret, IV_LEN, ResumptionMasterSecret, TrafficKeys, finished_key, next_traffic_secret,
    psk_binder, verify_data, verify_data_with_key, verify_finished, verify_finished_with_key,
    verify_psk_binder,
};
pub use transcript::{MESSAGE_HASH, Transcript, TranscriptBuffer};

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use tryst_crypto::{
    AeadKey, Hash, HashAlgorithm, Iv, Output, SHA256, SHA384, Secret, SharedSecret,
};
