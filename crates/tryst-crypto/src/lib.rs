//! `tryst-crypto`: the cryptographic primitives of the tryst TLS 1.3 stack.
//!
//! What it is: small traits for each kind of algorithm a TLS 1.3 handshake and record layer
//! need — [`Aead`], [`Hash`] (with its HMAC and HKDF), [`KeyExchange`], [`Signer`],
//! [`KeyLoader`], [`Verifier`] and [`SecureRandom`] — gathered in a [`CryptoProvider`]
//! value, with RustCrypto and dalek implementations as the default backend
//! ([`CryptoProvider::rustcrypto`]: [`AES_128_GCM`], [`AES_256_GCM`], [`SHA256`],
//! [`SHA384`], [`X25519`], [`Ed25519SigningKey`], [`EcdsaP256SigningKey`], [`VERIFIER`] for
//! Ed25519, ECDSA P-256/P-384 and RSA PKCS#1 v1.5 / PSS) and, under the `graviola` feature,
//! a second backend on the `graviola` crate's assembly (`graviola::provider`),
//! and secret newtypes ([`Secret`], [`AeadKey`], [`Iv`], [`SharedSecret`]) that zeroize on
//! drop, are not `Copy`, have no `PartialEq` (they implement [`subtle::ConstantTimeEq`]) and
//! print only their name in `Debug`.
//!
//! What it is not: it knows no TLS code points or wire formats (those live in
//! `tryst-messages`), and it never reaches for a global RNG: randomness is a
//! [`CryptoRng`] the caller passes in ([`OsRng`] under the `std` feature).
//!
//! `no_std` + `alloc` with default features off.
//!
//! ```
//! use tryst_crypto::{AeadKey, Iv, AES_128_GCM, TAG_LEN, SHA256};
//!
//! // HKDF-Expand-Label-style expansion with the label given in pieces: no allocation.
//! let prk = SHA256.hkdf_extract(&[], b"input keying material");
//! let mut key = [0u8; 16];
//! SHA256.hkdf_expand(&prk, &[&[0, 16, 9], b"tls13 ", b"key", &[0]], &mut key)?;
//! let key = AeadKey::from_slice(&key)?;
//! let iv = Iv::from_slice(&[7; 12])?;
//!
//! // Seal a record in place: plaintext followed by room for the tag.
//! let sealer = AES_128_GCM.new_key(&key)?;
//! let mut record = *b"hello, world\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
//! sealer.seal_in_place(&iv.nonce_for(0), b"header", &mut record)?;
//! assert_eq!(record.len(), 12 + TAG_LEN);
//!
//! // Open it: the tag is checked before any plaintext is released.
//! let n = sealer.open_in_place(&iv.nonce_for(0), b"header", &mut record)?;
//! assert_eq!(&record[..n], b"hello, world");
//!
//! // Any change to the ciphertext, nonce or header is refused.
//! sealer.seal_in_place(&iv.nonce_for(1), b"header", &mut record)?;
//! assert!(sealer.open_in_place(&iv.nonce_for(2), b"header", &mut record).is_err());
//! # Ok::<(), tryst_crypto::Error>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// Fails the build unless every listed type wipes itself on drop ([`zeroize::ZeroizeOnDrop`]),
/// so that a struct holding only these (and public data) can claim `ZeroizeOnDrop` too. An
/// upstream `zeroize` feature turned off (curve25519-dalek, ml-kem, sha2, hmac ...) stops the
/// build here instead of leaving keys behind in freed memory.
macro_rules! assert_zeroize_on_drop {
    ($($t:ty),+ $(,)?) => {
        const _: () = {
            const fn wipes_on_drop<T: zeroize::ZeroizeOnDrop + ?Sized>() {}
            $(wipes_on_drop::<$t>();)+
        };
    };
}

mod aead;
mod error;
mod gcm;
#[cfg(feature = "graviola")]
pub mod graviola;
mod hash;
mod kx;
mod provider;
pub mod rng;
mod secret;
mod sign;
mod verify;

pub use aead::{
    AES_128_GCM, AES_256_GCM, Aead, AeadAlgorithm, AeadKeyed, CHACHA20_POLY1305, NONCE_LEN,
    TAG_LEN, aead_for,
};
pub use error::Error;
pub use hash::{
    ExpandJob, Hash, HashAlgorithm, HashContext, Output, SHA256, SHA384, hash_for,
    hkdf_expand_secret,
};
pub use kx::{
    ActiveKeyExchange, KeyExchange, KeyExchangeAlgorithm, P256, P384, X25519, X25519MLKEM768,
    ecdh_agree, x25519_agree, x25519_public_key,
};
pub use provider::{CryptoProvider, RUSTCRYPTO};
#[cfg(feature = "std")]
pub use rng::OsRng;
pub use rng::{CryptoRng, Rng, SecureRandom};
pub use secret::{AeadKey, Iv, Nonce, Secret, SharedSecret};
pub use sign::{
    EcdsaP256SigningKey, EcdsaP384SigningKey, Ed25519SigningKey, KEY_LOADER, KeyLoader,
    MIN_RSA_SIGNING_BITS, RsaSigningKey, SignatureAlgorithm, Signer,
};
pub use verify::{MAX_RSA_BITS, VERIFIER, Verifier, VerifyPolicy, verify, verify_with_policy};

pub use subtle;
pub use zeroize;
