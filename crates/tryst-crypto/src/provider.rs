//! The [`CryptoProvider`]: every algorithm the layers above use, gathered in one value.
//!
//! A TLS config takes a provider and reaches every primitive through it: the AEADs and
//! hashes of its cipher suites, its key-exchange groups, signature verification, loading
//! signing keys, and (when the provider has one) the random-number generator. The layers
//! above never name a backend. Each entry is a `&'static dyn` trait object chosen once per
//! connection (an AEAD key is prepared at key installation, then each record is one call),
//! so a provider costs no dispatch per record beyond that of the traits themselves.
//!
//! [`CryptoProvider::rustcrypto`] (also [`Default`] and [`RUSTCRYPTO`]) is the portable
//! `no_std` reference: RustCrypto and dalek. Under the `graviola` feature,
//! `CryptoProvider::graviola()` is the assembly backend for x86_64 and aarch64, falling back
//! to the default's code where graviola has no suitable primitive.

use core::fmt;

use crate::rng::SecureRandom;
use crate::{
    Aead, AeadAlgorithm, Hash, HashAlgorithm, KeyExchange, KeyExchangeAlgorithm, KeyLoader,
    Verifier,
};

/// Every algorithm a TLS stack takes from `tryst-crypto`, as trait objects.
///
/// Build a custom provider from another one with struct update syntax, replacing what you
/// want to replace:
///
/// ```
/// use tryst_crypto::{AES_128_GCM, Aead, CryptoProvider};
///
/// static ONLY_AES_128: &[&dyn Aead] = &[AES_128_GCM];
/// let provider = CryptoProvider {
///     name: "aes-128 only",
///     aeads: ONLY_AES_128,
///     ..CryptoProvider::rustcrypto()
/// };
/// assert!(provider.aead(tryst_crypto::AeadAlgorithm::Aes256Gcm).is_none());
/// ```
#[derive(Clone, Copy)]
pub struct CryptoProvider {
    /// A short name for logs and `Debug` (`"rustcrypto"`, `"graviola"`).
    pub name: &'static str,
    /// The AEADs of the cipher suites (one per [`AeadAlgorithm`]).
    pub aeads: &'static [&'static dyn Aead],
    /// The hashes, with their HMAC and HKDF (one per [`HashAlgorithm`]).
    pub hashes: &'static [&'static dyn Hash],
    /// The key-exchange groups (one per [`KeyExchangeAlgorithm`]).
    pub kx_groups: &'static [&'static dyn KeyExchange],
    /// Signature verification (certificate chains and CertificateVerify).
    pub verifier: &'static dyn Verifier,
    /// Loads PKCS#8 private keys into signers.
    pub key_loader: &'static dyn KeyLoader,
    /// The random-number generator, if the provider has one (`None` for the `no_std`
    /// default: a config then needs one from the caller).
    pub secure_random: Option<&'static dyn SecureRandom>,
}

const RUSTCRYPTO_AEADS: &[&dyn Aead] = &[
    crate::AES_128_GCM,
    crate::AES_256_GCM,
    crate::CHACHA20_POLY1305,
];
const RUSTCRYPTO_HASHES: &[&dyn Hash] = &[crate::SHA256, crate::SHA384];
const RUSTCRYPTO_KX: &[&dyn KeyExchange] = &[
    crate::X25519,
    crate::P256,
    crate::P384,
    crate::X25519MLKEM768,
];

#[cfg(feature = "std")]
const RUSTCRYPTO_RANDOM: Option<&dyn SecureRandom> = Some(&crate::OsRng);
#[cfg(not(feature = "std"))]
const RUSTCRYPTO_RANDOM: Option<&dyn SecureRandom> = None;

/// The default provider ([`CryptoProvider::rustcrypto`]) as a static.
pub static RUSTCRYPTO: CryptoProvider = CryptoProvider::rustcrypto();

impl CryptoProvider {
    /// The default backend: RustCrypto (`aes` + `ghash`, `chacha20poly1305`, `sha2`, `hmac`,
    /// `p256`, `p384`, `rsa`, `ml-kem`) and dalek (X25519, Ed25519). Portable and `no_std`;
    /// the reference every other backend is tested against. Its RNG is the operating
    /// system's under `std`, none without.
    pub const fn rustcrypto() -> Self {
        CryptoProvider {
            name: "rustcrypto",
            aeads: RUSTCRYPTO_AEADS,
            hashes: RUSTCRYPTO_HASHES,
            kx_groups: RUSTCRYPTO_KX,
            verifier: crate::VERIFIER,
            key_loader: crate::KEY_LOADER,
            secure_random: RUSTCRYPTO_RANDOM,
        }
    }

    /// The provider's implementation of `alg`, if it has one.
    pub fn aead(&self, alg: AeadAlgorithm) -> Option<&'static dyn Aead> {
        self.aeads.iter().copied().find(|a| a.algorithm() == alg)
    }

    /// The provider's implementation of `alg`, if it has one.
    pub fn hash(&self, alg: HashAlgorithm) -> Option<&'static dyn Hash> {
        self.hashes.iter().copied().find(|h| h.algorithm() == alg)
    }

    /// The provider's implementation of the group `alg`, if it has one.
    pub fn kx_group(&self, alg: KeyExchangeAlgorithm) -> Option<&'static dyn KeyExchange> {
        self.kx_groups
            .iter()
            .copied()
            .find(|k| k.algorithm() == alg)
    }
}

impl Default for CryptoProvider {
    fn default() -> Self {
        Self::rustcrypto()
    }
}

impl fmt::Debug for CryptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoProvider")
            .field("name", &self.name)
            .field(
                "aeads",
                &self
                    .aeads
                    .iter()
                    .map(|a| a.algorithm())
                    .collect::<alloc::vec::Vec<_>>(),
            )
            .field(
                "hashes",
                &self
                    .hashes
                    .iter()
                    .map(|h| h.algorithm())
                    .collect::<alloc::vec::Vec<_>>(),
            )
            .field(
                "kx_groups",
                &self
                    .kx_groups
                    .iter()
                    .map(|k| k.algorithm())
                    .collect::<alloc::vec::Vec<_>>(),
            )
            .field("secure_random", &self.secure_random.is_some())
            .finish_non_exhaustive()
    }
}
