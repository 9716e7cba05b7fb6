//! `tryst-hpke`: Hybrid Public Key Encryption (RFC 9180) on `tryst-crypto`'s traits, for
//! TLS Encrypted Client Hello and usable on its own.
//!
//! What it is: the four modes (base, psk, auth, auth_psk) with the KEMs
//! DHKEM(X25519, HKDF-SHA256) and DHKEM(P-256, HKDF-SHA256), the KDFs HKDF-SHA256 and
//! HKDF-SHA384, and the AEADs AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 and export-only,
//! chosen by code point in a [`Suite`] and run by a `tryst-crypto` [`CryptoProvider`]
//! (RustCrypto by default). The API follows the RFC's names: [`setup_base_s`] /
//! [`setup_base_r`] (and the psk, auth and auth_psk variants) give a [`SenderContext`] /
//! [`RecipientContext`] with `seal`, `open` and `export`; [`seal_base`] / [`open_base`] are
//! the single-shot forms; [`Suite::generate_key_pair`], [`Suite::derive_key_pair`] and the
//! (de)serialization of keys complete the KEM interface.
//!
//! Secrets are types: private keys, shared secrets, the key schedule's secrets, AEAD keys,
//! nonces and exports are wiped on drop, and their `Debug` prints only a name. Randomness
//! comes from the caller ([`CryptoRng`]); nothing reads a global generator.
//!
//! What it is not: no KEMs beyond the two DHKEMs (no P-384/P-521/X448, no post-quantum
//! KEM), no HKDF-SHA512, and no ECH logic (the ECHConfig wire format lives in
//! `tryst-messages`; ECH itself in `tryst`).
//!
//! `no_std` + `alloc` with default features off.
//!
//! ```
//! use tryst_hpke::{AeadId, Kdf, Kem, Suite, setup_base_r, setup_base_s};
//! # struct Rng(u8);
//! # impl tryst_crypto::rng::TryRng for Rng {
//! #     type Error = core::convert::Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(0) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(0) }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
//! #         for b in d { self.0 = self.0.wrapping_mul(13).wrapping_add(7); *b = self.0 } Ok(())
//! #     }
//! # }
//! # impl tryst_crypto::rng::TryCryptoRng for Rng {}
//! # let mut rng = Rng(1); // use tryst_crypto::OsRng under `std`
//! let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
//! let (sk_r, pk_r) = suite.generate_key_pair(&mut rng)?;
//!
//! // Sender: encapsulate to the recipient's key, then seal messages in order.
//! let (enc, mut sender) = setup_base_s(&suite, &pk_r, b"app info", &mut rng)?;
//! let ct = sender.seal(b"aad", b"hello")?;
//!
//! // Recipient: decapsulate `enc`, then open in the same order.
//! let mut recipient = setup_base_r(&suite, &enc, &sk_r, b"app info")?;
//! assert_eq!(recipient.open(b"aad", &ct)?, b"hello");
//! assert!(recipient.open(b"aad", &ct).is_err()); // the next nonce differs
//!
//! // Both ends export the same secrets.
//! assert_eq!(*sender.export(b"ctx", 32)?, *recipient.export(b"ctx", 32)?);
//! # Ok::<(), tryst_hpke::Error>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod context;
mod error;
mod kem;
mod suite;

use alloc::vec::Vec;

#[cfg(feature = "expose-intermediate-secrets")]
pub use context::Intermediates;
pub use context::{Mode, RecipientContext, SenderContext};
pub use error::Error;
pub use kem::{PrivateKey, PublicKey};
pub use suite::{AeadId, Kdf, Kem, Suite};
pub use tryst_crypto::{CryptoProvider, CryptoRng};

/// SetupBaseS(pkR, info) (§5.1.1): encapsulates to `pk_r`; returns `enc` (for the
/// recipient) and the sender's context.
pub fn setup_base_s(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, SenderContext), Error> {
    let (shared, enc) = suite.encap(pk_r, None, rng)?;
    Ok((
        enc,
        SenderContext::new(suite, Mode::Base, shared, info, b"", b"")?,
    ))
}

/// SetupBaseR(enc, skR, info) (§5.1.1): decapsulates `enc`; returns the recipient's context.
pub fn setup_base_r(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
) -> Result<RecipientContext, Error> {
    let shared = suite.decap(enc, sk_r, None)?;
    RecipientContext::new(suite, Mode::Base, shared, info, b"", b"")
}

/// SetupPSKS(pkR, info, psk, psk_id) (§5.1.2): as [`setup_base_s`], also bound to a
/// pre-shared key (`psk` and `psk_id` both non-empty).
pub fn setup_psk_s(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    psk: &[u8],
    psk_id: &[u8],
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, SenderContext), Error> {
    let (shared, enc) = suite.encap(pk_r, None, rng)?;
    Ok((
        enc,
        SenderContext::new(suite, Mode::Psk, shared, info, psk, psk_id)?,
    ))
}

/// SetupPSKR(enc, skR, info, psk, psk_id) (§5.1.2).
pub fn setup_psk_r(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
    psk: &[u8],
    psk_id: &[u8],
) -> Result<RecipientContext, Error> {
    let shared = suite.decap(enc, sk_r, None)?;
    RecipientContext::new(suite, Mode::Psk, shared, info, psk, psk_id)
}

/// SetupAuthS(pkR, info, skS) (§5.1.3): as [`setup_base_s`], authenticated by the sender's
/// KEM key `sk_s`.
pub fn setup_auth_s(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    sk_s: &PrivateKey,
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, SenderContext), Error> {
    let (shared, enc) = suite.encap(pk_r, Some(sk_s), rng)?;
    Ok((
        enc,
        SenderContext::new(suite, Mode::Auth, shared, info, b"", b"")?,
    ))
}

/// SetupAuthR(enc, skR, info, pkS) (§5.1.3): fails to open anything unless the sender held
/// the private key of `pk_s`.
pub fn setup_auth_r(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
    pk_s: &PublicKey,
) -> Result<RecipientContext, Error> {
    let shared = suite.decap(enc, sk_r, Some(pk_s))?;
    RecipientContext::new(suite, Mode::Auth, shared, info, b"", b"")
}

/// SetupAuthPSKS(pkR, info, psk, psk_id, skS) (§5.1.4).
pub fn setup_auth_psk_s(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    psk: &[u8],
    psk_id: &[u8],
    sk_s: &PrivateKey,
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, SenderContext), Error> {
    let (shared, enc) = suite.encap(pk_r, Some(sk_s), rng)?;
    Ok((
        enc,
        SenderContext::new(suite, Mode::AuthPsk, shared, info, psk, psk_id)?,
    ))
}

/// SetupAuthPSKR(enc, skR, info, psk, psk_id, pkS) (§5.1.4).
pub fn setup_auth_psk_r(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
    psk: &[u8],
    psk_id: &[u8],
    pk_s: &PublicKey,
) -> Result<RecipientContext, Error> {
    let shared = suite.decap(enc, sk_r, Some(pk_s))?;
    RecipientContext::new(suite, Mode::AuthPsk, shared, info, psk, psk_id)
}

/// Single-shot SealBase(pkR, info, aad, pt) (§6.1): returns `enc` and the ciphertext.
pub fn seal_base(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    aad: &[u8],
    pt: &[u8],
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let (enc, mut ctx) = setup_base_s(suite, pk_r, info, rng)?;
    Ok((enc, ctx.seal(aad, pt)?))
}

/// Single-shot OpenBase(enc, skR, info, aad, ct) (§6.1).
pub fn open_base(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
    aad: &[u8],
    ct: &[u8],
) -> Result<Vec<u8>, Error> {
    setup_base_r(suite, enc, sk_r, info)?.open(aad, ct)
}

/// Single-shot SendExportBase(pkR, info, exporter_context, L) (§6.2): returns `enc` and the
/// exported secret.
pub fn send_export_base(
    suite: &Suite,
    pk_r: &PublicKey,
    info: &[u8],
    exporter_context: &[u8],
    len: usize,
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, tryst_crypto::zeroize::Zeroizing<Vec<u8>>), Error> {
    let (enc, ctx) = setup_base_s(suite, pk_r, info, rng)?;
    Ok((enc, ctx.export(exporter_context, len)?))
}

/// Single-shot ReceiveExportBase(enc, skR, info, exporter_context, L) (§6.2).
pub fn receive_export_base(
    suite: &Suite,
    enc: &[u8],
    sk_r: &PrivateKey,
    info: &[u8],
    exporter_context: &[u8],
    len: usize,
) -> Result<tryst_crypto::zeroize::Zeroizing<Vec<u8>>, Error> {
    setup_base_r(suite, enc, sk_r, info)?.export(exporter_context, len)
}

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests;
