//! Algorithm identifiers (RFC 9180 §7) and the [`Suite`] that ties them to a crypto
//! provider; the labeled HKDF of §4.

use alloc::vec::Vec;
use core::fmt;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{
    AeadAlgorithm, CryptoProvider, Hash, HashAlgorithm, KeyExchange, KeyExchangeAlgorithm,
    RUSTCRYPTO, Secret,
};

use crate::Error;

/// A KEM (RFC 9180 §7.1): the two DHKEMs on curves tryst-crypto implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kem {
    /// DHKEM(P-256, HKDF-SHA256), 0x0010.
    DhP256HkdfSha256,
    /// DHKEM(X25519, HKDF-SHA256), 0x0020.
    DhX25519HkdfSha256,
}

impl Kem {
    /// The code point.
    pub const fn id(self) -> u16 {
        match self {
            Kem::DhP256HkdfSha256 => 0x0010,
            Kem::DhX25519HkdfSha256 => 0x0020,
        }
    }

    /// The KEM for a code point, if supported.
    pub fn from_id(id: u16) -> Result<Self, Error> {
        match id {
            0x0010 => Ok(Kem::DhP256HkdfSha256),
            0x0020 => Ok(Kem::DhX25519HkdfSha256),
            other => Err(Error::UnsupportedKem(other)),
        }
    }

    /// `Nsecret`: length of the KEM shared secret.
    pub const fn n_secret(self) -> usize {
        32
    }

    /// `Nenc`: length of an encapsulated key.
    pub const fn n_enc(self) -> usize {
        self.n_pk()
    }

    /// `Npk`: length of a serialized public key (P-256: uncompressed SEC1 point).
    pub const fn n_pk(self) -> usize {
        match self {
            Kem::DhP256HkdfSha256 => 65,
            Kem::DhX25519HkdfSha256 => 32,
        }
    }

    /// `Nsk`: length of a serialized private key.
    pub const fn n_sk(self) -> usize {
        32
    }

    pub(crate) const fn group(self) -> KeyExchangeAlgorithm {
        match self {
            Kem::DhP256HkdfSha256 => KeyExchangeAlgorithm::P256,
            Kem::DhX25519HkdfSha256 => KeyExchangeAlgorithm::X25519,
        }
    }

    /// `suite_id` of the KEM's own KDF calls: "KEM" || I2OSP(kem_id, 2) (§4.1).
    pub(crate) fn suite_id(self) -> [u8; 5] {
        let [a, b] = self.id().to_be_bytes();
        [b'K', b'E', b'M', a, b]
    }
}

/// A KDF (RFC 9180 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kdf {
    /// HKDF-SHA256, 0x0001.
    HkdfSha256,
    /// HKDF-SHA384, 0x0002.
    HkdfSha384,
}

impl Kdf {
    /// The code point.
    pub const fn id(self) -> u16 {
        match self {
            Kdf::HkdfSha256 => 0x0001,
            Kdf::HkdfSha384 => 0x0002,
        }
    }

    /// The KDF for a code point, if supported.
    pub fn from_id(id: u16) -> Result<Self, Error> {
        match id {
            0x0001 => Ok(Kdf::HkdfSha256),
            0x0002 => Ok(Kdf::HkdfSha384),
            other => Err(Error::UnsupportedKdf(other)),
        }
    }

    /// `Nh`: the hash output length.
    pub const fn n_h(self) -> usize {
        self.hash().output_len()
    }

    pub(crate) const fn hash(self) -> HashAlgorithm {
        match self {
            Kdf::HkdfSha256 => HashAlgorithm::Sha256,
            Kdf::HkdfSha384 => HashAlgorithm::Sha384,
        }
    }
}

/// An AEAD (RFC 9180 §7.3), or export-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadId {
    /// AES-128-GCM, 0x0001.
    Aes128Gcm,
    /// AES-256-GCM, 0x0002.
    Aes256Gcm,
    /// ChaCha20-Poly1305, 0x0003.
    ChaCha20Poly1305,
    /// Export-only, 0xFFFF: the context only exports secrets; Seal and Open fail.
    ExportOnly,
}

impl AeadId {
    /// The code point.
    pub const fn id(self) -> u16 {
        match self {
            AeadId::Aes128Gcm => 0x0001,
            AeadId::Aes256Gcm => 0x0002,
            AeadId::ChaCha20Poly1305 => 0x0003,
            AeadId::ExportOnly => 0xffff,
        }
    }

    /// The AEAD for a code point, if supported.
    pub fn from_id(id: u16) -> Result<Self, Error> {
        match id {
            0x0001 => Ok(AeadId::Aes128Gcm),
            0x0002 => Ok(AeadId::Aes256Gcm),
            0x0003 => Ok(AeadId::ChaCha20Poly1305),
            0xffff => Ok(AeadId::ExportOnly),
            other => Err(Error::UnsupportedAead(other)),
        }
    }

    /// `Nk`: key length (0 for export-only).
    pub const fn n_k(self) -> usize {
        match self.algorithm() {
            Some(a) => a.key_len(),
            None => 0,
        }
    }

    /// `Nn`: nonce length (0 for export-only).
    pub const fn n_n(self) -> usize {
        match self {
            AeadId::ExportOnly => 0,
            _ => tryst_crypto::NONCE_LEN,
        }
    }

    /// `Nt`: tag length (0 for export-only).
    pub const fn n_t(self) -> usize {
        match self {
            AeadId::ExportOnly => 0,
            _ => tryst_crypto::TAG_LEN,
        }
    }

    pub(crate) const fn algorithm(self) -> Option<AeadAlgorithm> {
        match self {
            AeadId::Aes128Gcm => Some(AeadAlgorithm::Aes128Gcm),
            AeadId::Aes256Gcm => Some(AeadAlgorithm::Aes256Gcm),
            AeadId::ChaCha20Poly1305 => Some(AeadAlgorithm::ChaCha20Poly1305),
            AeadId::ExportOnly => None,
        }
    }
}

/// An HPKE ciphersuite: KEM, KDF and AEAD, with the crypto provider that runs them.
///
/// ```
/// use tryst_hpke::{AeadId, Kdf, Kem, Suite};
/// let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
/// assert_eq!(Suite::from_ids(0x0020, 0x0001, 0x0001)?, suite);
/// assert!(Suite::from_ids(0x0021, 0x0001, 0x0001).is_err()); // X448: not supported
/// # Ok::<(), tryst_hpke::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Suite {
    kem: Kem,
    kdf: Kdf,
    aead: AeadId,
    provider: &'static CryptoProvider,
}

impl Suite {
    /// A suite on the default (RustCrypto) provider.
    pub const fn new(kem: Kem, kdf: Kdf, aead: AeadId) -> Self {
        Suite {
            kem,
            kdf,
            aead,
            provider: &RUSTCRYPTO,
        }
    }

    /// A suite from its three code points (as an ECHConfig's `kem_id` and
    /// HpkeSymmetricCipherSuite carry them).
    pub fn from_ids(kem_id: u16, kdf_id: u16, aead_id: u16) -> Result<Self, Error> {
        Ok(Suite::new(
            Kem::from_id(kem_id)?,
            Kdf::from_id(kdf_id)?,
            AeadId::from_id(aead_id)?,
        ))
    }

    /// The same suite on another crypto provider (e.g. graviola's).
    pub const fn with_provider(self, provider: &'static CryptoProvider) -> Self {
        Suite { provider, ..self }
    }

    /// The KEM.
    pub const fn kem(&self) -> Kem {
        self.kem
    }

    /// The KDF.
    pub const fn kdf(&self) -> Kdf {
        self.kdf
    }

    /// The AEAD.
    pub const fn aead(&self) -> AeadId {
        self.aead
    }

    /// `suite_id` of the key schedule: "HPKE" || kem_id || kdf_id || aead_id (§5.1).
    pub(crate) fn suite_id(&self) -> [u8; 10] {
        let [k0, k1] = self.kem.id().to_be_bytes();
        let [d0, d1] = self.kdf.id().to_be_bytes();
        let [a0, a1] = self.aead.id().to_be_bytes();
        [b'H', b'P', b'K', b'E', k0, k1, d0, d1, a0, a1]
    }

    pub(crate) fn group(&self) -> Result<&'static dyn KeyExchange, Error> {
        self.provider
            .kx_group(self.kem.group())
            .ok_or(Error::MissingAlgorithm)
    }

    /// The KEM's KDF: HKDF-SHA256 for both DHKEMs.
    pub(crate) fn kem_hash(&self) -> Result<&'static dyn Hash, Error> {
        self.provider
            .hash(HashAlgorithm::Sha256)
            .ok_or(Error::MissingAlgorithm)
    }

    pub(crate) fn hash(&self) -> Result<&'static dyn Hash, Error> {
        self.provider
            .hash(self.kdf.hash())
            .ok_or(Error::MissingAlgorithm)
    }

    pub(crate) fn aead_impl(&self) -> Result<Option<&'static dyn tryst_crypto::Aead>, Error> {
        match self.aead.algorithm() {
            None => Ok(None),
            Some(alg) => {
                let aead = self.provider.aead(alg).ok_or(Error::MissingAlgorithm)?;
                debug_assert_eq!(aead.key_len(), self.aead.n_k());
                Ok(Some(aead))
            }
        }
    }
}

impl PartialEq for Suite {
    /// Same algorithms, whatever the provider.
    fn eq(&self, other: &Self) -> bool {
        (self.kem, self.kdf, self.aead) == (other.kem, other.kdf, other.aead)
    }
}

impl Eq for Suite {}

impl fmt::Debug for Suite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suite")
            .field("kem", &self.kem)
            .field("kdf", &self.kdf)
            .field("aead", &self.aead)
            .field("provider", &self.provider.name)
            .finish()
    }
}

const VERSION_LABEL: &[u8] = b"HPKE-v1";

/// LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm)
/// (§4). The labeled input may hold secrets (a DH output, a PSK): it is built in a buffer
/// that is wiped on drop.
pub(crate) fn labeled_extract(
    hash: &dyn Hash,
    suite_id: &[u8],
    salt: &[u8],
    label: &[u8],
    ikm: &[u8],
) -> Secret {
    let mut labeled = Zeroizing::new(Vec::with_capacity(
        VERSION_LABEL.len() + suite_id.len() + label.len() + ikm.len(),
    ));
    labeled.extend_from_slice(VERSION_LABEL);
    labeled.extend_from_slice(suite_id);
    labeled.extend_from_slice(label);
    labeled.extend_from_slice(ikm);
    hash.hkdf_extract(salt, &labeled)
}

/// LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id ||
/// label || info, L) (§4), into `out` (L = its length).
pub(crate) fn labeled_expand(
    hash: &dyn Hash,
    suite_id: &[u8],
    prk: &Secret,
    label: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let len = u16::try_from(out.len()).map_err(|_| Error::ExportTooLong)?;
    hash.hkdf_expand(
        prk,
        &[&len.to_be_bytes(), VERSION_LABEL, suite_id, label, info],
        out,
    )
    .map_err(|e| match e {
        tryst_crypto::Error::OutputTooLong => Error::ExportTooLong,
        other => Error::Crypto(other),
    })
}
