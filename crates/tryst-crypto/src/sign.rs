//! Signing: the [`Signer`] trait (so a private key can live in an HSM or another process),
//! the [`KeyLoader`] that turns a PKCS#8 (or PKCS#1 RSA) private key into a signer, and
//! the default backend's keys: [`Ed25519SigningKey`] (dalek), [`EcdsaP256SigningKey`],
//! [`EcdsaP384SigningKey`] and [`RsaSigningKey`] (RustCrypto).
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

impl SignatureAlgorithm {
    /// `[self]`, as a static slice.
    pub const fn as_slice(self) -> &'static [SignatureAlgorithm] {
        use SignatureAlgorithm as A;
        match self {
            A::Ed25519 => &[A::Ed25519],
            A::EcdsaP256Sha256 => &[A::EcdsaP256Sha256],
            A::EcdsaP384Sha384 => &[A::EcdsaP384Sha384],
            A::RsaPkcs1Sha256 => &[A::RsaPkcs1Sha256],
            A::RsaPkcs1Sha384 => &[A::RsaPkcs1Sha384],
            A::RsaPkcs1Sha512 => &[A::RsaPkcs1Sha512],
            A::RsaPssSha256 => &[A::RsaPssSha256],
            A::RsaPssSha384 => &[A::RsaPssSha384],
            A::RsaPssSha512 => &[A::RsaPssSha512],
        }
    }

    /// Whether this is RSASSA-PKCS1-v1_5, which TLS 1.3 forbids in handshake signatures
    /// (RFC 8446 §4.4.3) and TLS 1.2 allows.
    pub const fn is_rsa_pkcs1(self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::RsaPkcs1Sha256
                | SignatureAlgorithm::RsaPkcs1Sha384
                | SignatureAlgorithm::RsaPkcs1Sha512
        )
    }
}

/// Something that can sign: a private key here, in an HSM, or behind an RPC.
///
/// A key may produce several algorithms (an RSA key: PSS and PKCS#1 v1.5 with three
/// hashes each); [`algorithms`](Self::algorithms) lists them in preference order and
/// [`sign_with`](Self::sign_with) picks one. The TLS layer maps them to
/// SignatureSchemes and filters by version (PKCS#1 v1.5 only in TLS 1.2).
pub trait Signer: Send + Sync {
    /// The algorithm [`sign`](Self::sign) produces: the signer's first choice.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// Every algorithm [`sign_with`](Self::sign_with) can produce, in preference order.
    fn algorithms(&self) -> &[SignatureAlgorithm] {
        self.algorithm().as_slice()
    }

    /// Sign `message` with [`algorithm`](Self::algorithm). A signer that needs
    /// randomness (RSA) fails with [`Error::RngRequired`]: use
    /// [`sign_with`](Self::sign_with).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;

    /// Sign `message` with `algorithm` (one of [`algorithms`](Self::algorithms)), taking
    /// any randomness from `rng` (RSA-PSS salt, RSA blinding), never from a global source.
    /// Another algorithm is [`Error::UnsupportedAlgorithm`].
    fn sign_with(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        let _ = rng;
        if algorithm == self.algorithm() {
            self.sign(message)
        } else {
            Err(Error::UnsupportedAlgorithm)
        }
    }

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

/// An ECDSA signing key type over one curve of the RustCrypto `ecdsa` family: RFC 6979
/// deterministic nonces, DER signatures, zeroized on drop by the `ecdsa` crate, `Debug`
/// prints only the type name. P-256 and P-384 differ only in the crate and the algorithm.
macro_rules! ecdsa_signing_key {
    ($(#[$doc:meta])* $name:ident, $krate:ident, $alg:ident, $point_len:literal) => {
        $(#[$doc])*
        pub struct $name($krate::ecdsa::SigningKey);

        assert_zeroize_on_drop!($krate::ecdsa::SigningKey, $krate::SecretKey);
        // Its only field wipes itself on drop (asserted above).
        impl zeroize::ZeroizeOnDrop for $name {}

        impl $name {
            /// A fresh key from `rng`.
            pub fn generate(rng: &mut dyn CryptoRng) -> Self {
                use $krate::elliptic_curve::Generate as _;
                $name($krate::ecdsa::SigningKey::generate_from_rng(rng))
            }

            /// From a PKCS#8 DER private key (what `openssl genpkey -algorithm EC` writes
            /// for this curve, after PEM decoding).
            pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
                use $krate::pkcs8::DecodePrivateKey as _;
                $krate::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map($name)
                    .map_err(|_| Error::InvalidPrivateKey)
            }

            /// The key as PKCS#8 DER, in a buffer that zeroizes on drop.
            pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
                use $krate::pkcs8::EncodePrivateKey as _;
                let doc = self
                    .0
                    .to_pkcs8_der()
                    .map_err(|_| Error::InvalidPrivateKey)?;
                Ok(zeroize::Zeroizing::new(doc.as_bytes().to_vec()))
            }

            #[doc = concat!("The public key as an uncompressed SEC1 point (", $point_len, " bytes: `04 || x || y`).")]
            pub fn public_key_sec1(&self) -> Vec<u8> {
                self.0
                    .verifying_key()
                    .to_sec1_point(false)
                    .as_bytes()
                    .to_vec()
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }

        impl Signer for $name {
            fn algorithm(&self) -> SignatureAlgorithm {
                SignatureAlgorithm::$alg
            }

            fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
                use $krate::ecdsa::signature::Signer as _;
                let sig: $krate::ecdsa::DerSignature = self
                    .0
                    .try_sign(message)
                    .map_err(|_| Error::InvalidPrivateKey)?;
                Ok(sig.as_bytes().to_vec())
            }

            fn public_key(&self) -> Vec<u8> {
                self.public_key_sec1()
            }
        }
    };
}

ecdsa_signing_key!(
    /// An ECDSA P-256 private key that signs with SHA-256 (`ecdsa_secp256r1_sha256`):
    /// RFC 6979 deterministic nonces, DER signatures. Zeroized on drop by the `ecdsa`
    /// crate; `Debug` prints only the type name.
    EcdsaP256SigningKey,
    p256,
    EcdsaP256Sha256,
    "65"
);

ecdsa_signing_key!(
    /// An ECDSA P-384 private key that signs with SHA-384 (`ecdsa_secp384r1_sha384`):
    /// RFC 6979 deterministic nonces, DER signatures. Zeroized on drop by the `ecdsa`
    /// crate; `Debug` prints only the type name.
    EcdsaP384SigningKey,
    p384,
    EcdsaP384Sha384,
    "97"
);

/// The smallest RSA key [`RsaSigningKey`] loads or generates, in bits.
pub const MIN_RSA_SIGNING_BITS: usize = 2048;

/// An RSA private key (RustCrypto `rsa`, zeroized on drop; `Debug` prints only the type
/// name). It signs RSASSA-PSS with SHA-256/384/512 (MGF1 with the same hash, salt as
/// long as the hash: `rsa_pss_rsae_*`) and RSASSA-PKCS1-v1_5 with SHA-256/384/512
/// (`rsa_pkcs1_*`, TLS 1.2 only). Every private operation is blinded, with randomness
/// from the caller's RNG ([`Signer::sign_with`]).
pub struct RsaSigningKey {
    key: rsa::PrivateKey,
    public_der: Vec<u8>,
}

assert_zeroize_on_drop!(rsa::PrivateKey);
// The key (exponent, primes, CRT values) wipes itself on drop (asserted above); the
// other field is public.
impl zeroize::ZeroizeOnDrop for RsaSigningKey {}

/// What an RSA key signs, in preference order: PSS first (TLS 1.3 and 1.2), then
/// PKCS#1 v1.5 (TLS 1.2 only).
const RSA_ALGORITHMS: [SignatureAlgorithm; 6] = [
    SignatureAlgorithm::RsaPssSha256,
    SignatureAlgorithm::RsaPssSha384,
    SignatureAlgorithm::RsaPssSha512,
    SignatureAlgorithm::RsaPkcs1Sha256,
    SignatureAlgorithm::RsaPkcs1Sha384,
    SignatureAlgorithm::RsaPkcs1Sha512,
];

impl RsaSigningKey {
    fn new(key: rsa::PrivateKey) -> Result<Self, Error> {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        use rsa::traits::PublicKeyParts as _;
        let bits =
            usize::try_from(key.n().bit_width_vartime()).map_err(|_| Error::InvalidPrivateKey)?;
        if bits < MIN_RSA_SIGNING_BITS {
            return Err(Error::KeyTooSmall);
        }
        if bits > crate::MAX_RSA_BITS {
            return Err(Error::InvalidPrivateKey);
        }
        let public_der = key
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|_| Error::InvalidPrivateKey)?
            .into_vec();
        Ok(Self { key, public_der })
    }

    /// A fresh key of `bits` bits (at least [`MIN_RSA_SIGNING_BITS`]) with exponent
    /// 65537, from `rng`. Slow (seconds for 3072 bits and up in debug builds).
    pub fn generate(rng: &mut dyn CryptoRng, bits: usize) -> Result<Self, Error> {
        if bits < MIN_RSA_SIGNING_BITS {
            return Err(Error::KeyTooSmall);
        }
        if bits > crate::MAX_RSA_BITS {
            return Err(Error::InvalidPrivateKey);
        }
        let key = rsa::PrivateKey::new(rng, bits).map_err(|_| Error::Rng)?;
        Self::new(key)
    }

    /// From a PKCS#8 DER private key (`-----BEGIN PRIVATE KEY-----`, rsaEncryption).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::pkcs8::der::Decode as _;
        let info =
            rsa::pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| Error::InvalidPrivateKey)?;
        let inner = rsa::pkcs1::RsaPrivateKeyRef::try_from(info.private_key)
            .map_err(|_| Error::InvalidPrivateKey)?;
        check_rsa_size(&inner)?;
        Self::new(rsa::PrivateKey::from_pkcs8_der(der).map_err(|_| Error::InvalidPrivateKey)?)
    }

    /// From a PKCS#1 `RSAPrivateKey` DER (`-----BEGIN RSA PRIVATE KEY-----`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        use rsa::pkcs1::DecodeRsaPrivateKey as _;
        use rsa::pkcs1::der::Decode as _;
        let inner =
            rsa::pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| Error::InvalidPrivateKey)?;
        check_rsa_size(&inner)?;
        Self::new(rsa::PrivateKey::from_pkcs1_der(der).map_err(|_| Error::InvalidPrivateKey)?)
    }

    /// The key as PKCS#8 DER, in a buffer that zeroizes on drop.
    pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        use rsa::pkcs8::EncodePrivateKey as _;
        let doc = self
            .key
            .to_pkcs8_der()
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(zeroize::Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The public key as a PKCS#1 `RSAPublicKey` DER (what [`crate::verify`] takes).
    pub fn public_key_pkcs1_der(&self) -> &[u8] {
        &self.public_der
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        use rsa::traits::PublicKeyParts as _;
        usize::try_from(self.key.n().bit_width_vartime()).unwrap_or(0)
    }
}

/// `KeyTooSmall` below [`MIN_RSA_SIGNING_BITS`] (the `rsa` crate would refuse such a key
/// with a generic error), before the key is parsed for use.
fn check_rsa_size(key: &rsa::pkcs1::RsaPrivateKeyRef<'_>) -> Result<(), Error> {
    let n = key.modulus.as_bytes();
    let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
    let n = n.get(first..).unwrap_or_default();
    let lead = usize::try_from(n.first().map_or(8, |b| b.leading_zeros()))
        .map_err(|_| Error::InvalidPrivateKey)?;
    let bits = n.len().saturating_mul(8).saturating_sub(lead);
    if bits < MIN_RSA_SIGNING_BITS {
        return Err(Error::KeyTooSmall);
    }
    if bits > crate::MAX_RSA_BITS {
        return Err(Error::InvalidPrivateKey);
    }
    Ok(())
}

impl core::fmt::Debug for RsaSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaSigningKey(..)")
    }
}

fn rsa_pss<D>(key: &rsa::PrivateKey, msg: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>, Error>
where
    D: rsa::sha2::Digest + rsa::sha2::digest::FixedOutputReset + rsa::sha2::digest::Update,
{
    use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
    // `new` sets the salt length to the digest length (RFC 8446 §4.2.3); signing is
    // blinded with `rng`.
    rsa::pss::SigningKey::<D>::new(key.clone())
        .try_sign_with_rng(rng, msg)
        .map(|s| s.to_vec())
        .map_err(|_| Error::Rng)
}

fn rsa_pkcs1<D>(
    key: &rsa::PrivateKey,
    msg: &[u8],
    rng: &mut dyn CryptoRng,
) -> Result<Vec<u8>, Error>
where
    D: rsa::sha2::Digest + rsa::pkcs1::der::oid::AssociatedOid,
{
    use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
    rsa::pkcs1v15::SigningKey::<D>::new(key.clone())
        .try_sign_with_rng(rng, msg)
        .map(|s| s.to_vec())
        .map_err(|_| Error::Rng)
}

impl Signer for RsaSigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPssSha256
    }

    fn algorithms(&self) -> &[SignatureAlgorithm] {
        &RSA_ALGORITHMS
    }

    fn sign(&self, _message: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::RngRequired)
    }

    fn sign_with(
        &self,
        algorithm: SignatureAlgorithm,
        message: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        use SignatureAlgorithm as A;
        let k = &self.key;
        match algorithm {
            A::RsaPssSha256 => rsa_pss::<sha2::Sha256>(k, message, rng),
            A::RsaPssSha384 => rsa_pss::<sha2::Sha384>(k, message, rng),
            A::RsaPssSha512 => rsa_pss::<sha2::Sha512>(k, message, rng),
            A::RsaPkcs1Sha256 => rsa_pkcs1::<sha2::Sha256>(k, message, rng),
            A::RsaPkcs1Sha384 => rsa_pkcs1::<sha2::Sha384>(k, message, rng),
            A::RsaPkcs1Sha512 => rsa_pkcs1::<sha2::Sha512>(k, message, rng),
            _ => Err(Error::UnsupportedAlgorithm),
        }
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_der.clone()
    }
}

/// Turns a private key file into a [`Signer`]: the part of a crypto provider that loads
/// the keys servers (and authenticating clients) sign with.
pub trait KeyLoader: Send + Sync {
    /// A signer for a PKCS#8 DER private key (after PEM decoding). A key of a kind this
    /// loader does not know is [`Error::InvalidPrivateKey`].
    fn load_pkcs8_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error>;

    /// A signer for a PKCS#1 `RSAPrivateKey` DER (`-----BEGIN RSA PRIVATE KEY-----`,
    /// after PEM decoding). The default uses [`RsaSigningKey`].
    fn load_pkcs1_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error> {
        Ok(Box::new(RsaSigningKey::from_pkcs1_der(der)?))
    }
}

struct RustCryptoKeyLoader;

impl KeyLoader for RustCryptoKeyLoader {
    fn load_pkcs8_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error> {
        if let Ok(k) = Ed25519SigningKey::from_pkcs8_der(der) {
            return Ok(Box::new(k));
        }
        if let Ok(k) = EcdsaP256SigningKey::from_pkcs8_der(der) {
            return Ok(Box::new(k));
        }
        if let Ok(k) = EcdsaP384SigningKey::from_pkcs8_der(der) {
            return Ok(Box::new(k));
        }
        // Keep the RSA error: a 1024-bit key is `KeyTooSmall`, not "unknown".
        Ok(Box::new(RsaSigningKey::from_pkcs8_der(der)?))
    }
}

/// The default backend's key loader: Ed25519 (dalek), ECDSA P-256 and P-384, and RSA
/// (RustCrypto) PKCS#8 keys, and PKCS#1 RSA keys.
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
