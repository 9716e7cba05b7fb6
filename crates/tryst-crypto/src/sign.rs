//! Signing: the [`Signer`] trait (so a private key can live in an HSM or another process),
//! the [`KeyLoader`] that turns a PKCS#8 private key into a signer, and the default
//! backend's keys: [`Ed25519SigningKey`] (dalek) and [`EcdsaP256SigningKey`] (RustCrypto).
//! Verification lives in `verify.rs`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::Error;
use rand_core::CryptoRng;

/// A signature algorithm, named by what it computes (TLS code points live in
/// `tryst-messages`; the mapping lives in the crates that need both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// Ed25519 (RFC 8032), pure, with strict verification.
    Ed25519,
    /// ECDSA over P-256 with SHA-256 (DER signature, SEC1 public key).
    EcdsaP256Sha256,
    /// ECDSA over P-384 with SHA-384 (DER signature, SEC1 public key).
    EcdsaP384Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (PKCS#1 `RSAPublicKey` DER public key).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt.
    RsaPssSha512,
}

/// Something that can sign: a private key here, in an HSM, or behind an RPC.
pub trait Signer: Send + Sync {
    /// The algorithm this signer produces.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Sign `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// The public key in the form [`crate::verify`] takes (for Ed25519, the 32-byte key; for
    /// ECDSA, the uncompressed SEC1 point).
    fn public_key(&self) -> Vec<u8>;
}

/// An Ed25519 private key (zeroized on drop by `ed25519-dalek`; `Debug` prints only the
/// type name).
pub struct Ed25519SigningKey(ed25519_dalek::SigningKey);

assert_zeroize_on_drop!(ed25519_dalek::SigningKey);
// Its only field wipes itself on drop (asserted above).
impl zeroize::ZeroizeOnDrop for Ed25519SigningKey {}

/// DER prefix of a PKCS#8 v1 Ed25519 private key (RFC 8410 §7): SEQUENCE { INTEGER 0,
/// AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING (32 bytes) } }.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

impl Ed25519SigningKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &mut dyn CryptoRng) -> Self {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *seed);
        Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// From the 32-byte seed (the RFC 8032 private key).
    pub fn from_seed(seed: &crate::Secret) -> Result<Self, Error> {
        let seed: &[u8; 32] = seed
            .expose_secret()
            .try_into()
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(
            seed,
        )))
    }

    /// From a PKCS#8 v1 DER private key (what `openssl genpkey -algorithm ed25519` writes).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let seed = der
            .strip_prefix(&PKCS8_ED25519_PREFIX[..])
            .ok_or(Error::InvalidPrivateKey)?;
        let seed = crate::Secret::from_slice(seed).map_err(|_| Error::InvalidPrivateKey)?;
        Self::from_seed(&seed)
    }

    /// The key as PKCS#8 v1 DER, in a buffer that zeroizes on drop.
    pub fn to_pkcs8_der(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(48));
        out.extend_from_slice(&PKCS8_ED25519_PREFIX);
        out.extend_from_slice(self.0.as_bytes());
        out
    }

    /// The 32-byte public key.
    pub fn public_key_bytes(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
}

impl core::fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Ed25519SigningKey(..)")
    }
}

impl Signer for Ed25519SigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::Ed25519
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use ed25519_dalek::Signer as _;
        Ok(self.0.sign(message).to_bytes().to_vec())
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_key_bytes().to_vec()
    }
}

/// An ECDSA P-256 private key that signs with SHA-256 and RFC 6979 deterministic nonces,
/// producing DER signatures (`ecdsa_secp256r1_sha256` in TLS 1.3). Zeroized on drop by
/// the `ecdsa` crate; `Debug` prints only the type name.
pub struct EcdsaP256SigningKey(p256::ecdsa::SigningKey);

assert_zeroize_on_drop!(p256::ecdsa::SigningKey, p256::SecretKey);
// Its only field wipes itself on drop (asserted above).
impl zeroize::ZeroizeOnDrop for EcdsaP256SigningKey {}

impl EcdsaP256SigningKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &mut dyn CryptoRng) -> Self {
        use p256::elliptic_curve::Generate as _;
        EcdsaP256SigningKey(p256::ecdsa::SigningKey::generate_from_rng(rng))
    }

    /// From a PKCS#8 DER private key (what `openssl genpkey -algorithm EC
    /// -pkeyopt ec_paramgen_curve:P-256` writes, after PEM decoding).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        use p256::pkcs8::DecodePrivateKey as _;
        p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(EcdsaP256SigningKey)
            .map_err(|_| Error::InvalidPrivateKey)
    }

    /// The key as PKCS#8 DER, in a buffer that zeroizes on drop.
    pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        use p256::pkcs8::EncodePrivateKey as _;
        let doc = self
            .0
            .to_pkcs8_der()
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(zeroize::Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The public key as an uncompressed SEC1 point (65 bytes: `04 || x || y`).
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.0
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }
}

impl core::fmt::Debug for EcdsaP256SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EcdsaP256SigningKey(..)")
    }
}

impl Signer for EcdsaP256SigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::DerSignature = self
            .0
            .try_sign(message)
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(sig.as_bytes().to_vec())
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_key_sec1()
    }
}

/// Turns a private key file into a [`Signer`]: the part of a crypto provider that loads
/// the keys servers (and authenticating clients) sign with.
pub trait KeyLoader: Send + Sync {
    /// A signer for a PKCS#8 DER private key (after PEM decoding). A key of a kind this
    /// loader does not know is [`Error::InvalidPrivateKey`].
    fn load_pkcs8_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error>;
}

struct RustCryptoKeyLoader;

impl KeyLoader for RustCryptoKeyLoader {
    fn load_pkcs8_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error> {
        if let Ok(k) = Ed25519SigningKey::from_pkcs8_der(der) {
            return Ok(Box::new(k));
        }
        let key = EcdsaP256SigningKey::from_pkcs8_der(der)?;
        Ok(Box::new(key))
    }
}

/// The default backend's key loader: Ed25519 (dalek) and ECDSA P-256 (RustCrypto) PKCS#8
/// keys.
pub const KEY_LOADER: &dyn KeyLoader = &RustCryptoKeyLoader;

#[cfg(test)]
mod tests {
    use super::*;

    struct CountRng(u8);
    impl rand_core::TryRng for CountRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(7);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for CountRng {}

    #[test]
    fn sign_verify_pkcs8_round_trip() {
        let key = EcdsaP256SigningKey::generate(&mut CountRng(1));
        let sig = key.sign(b"hello").unwrap();
        let pk = key.public_key();
        assert_eq!(pk.len(), 65);
        crate::verify(SignatureAlgorithm::EcdsaP256Sha256, &pk, b"hello", &sig).unwrap();
        assert!(crate::verify(SignatureAlgorithm::EcdsaP256Sha256, &pk, b"hellO", &sig).is_err());
        let der = key.to_pkcs8_der().unwrap();
        let again = EcdsaP256SigningKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(again.public_key(), pk);
        assert!(EcdsaP256SigningKey::from_pkcs8_der(&der[1..]).is_err());
    }
}
