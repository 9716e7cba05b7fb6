//! Signatures: Ed25519 and ECDSA P-256 signing through the [`Signer`] trait (so a private key
//! can live in an HSM or another process) and verification of every supported algorithm
//! through [`verify`] / [`verify_with_policy`].

use alloc::vec::Vec;

use crate::Error;
use crate::verify::{self as imp, VerifyPolicy};
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

    /// The public key in the form [`verify`] takes (for Ed25519, the 32-byte key; for
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

/// Verify `signature` over `message` with `public_key` under the default [`VerifyPolicy`]
/// (RSA keys of at least 2048 bits).
///
/// Public-key formats: Ed25519 takes the 32-byte key; ECDSA the SEC1 point; RSA the PKCS#1
/// `RSAPublicKey` DER (both are the contents of an X.509 SubjectPublicKeyInfo BIT STRING).
/// ECDSA signatures are DER. Ed25519 verification is strict (RFC 8032 §5.1.7 plus
/// rejection of small-order keys and non-canonical encodings).
pub fn verify(
    algorithm: SignatureAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    verify_with_policy(
        algorithm,
        public_key,
        message,
        signature,
        &VerifyPolicy::DEFAULT,
    )
}

/// [`verify`] with an explicit [`VerifyPolicy`]. An RSA key below
/// `policy.min_rsa_bits` is [`Error::KeyTooSmall`].
// The fuzzing hook below makes the rest unreachable in that build only.
#[cfg_attr(fuzzing, allow(unreachable_code, unused_variables))]
pub fn verify_with_policy(
    algorithm: SignatureAlgorithm,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
    policy: &VerifyPolicy,
) -> Result<(), Error> {
    // Fuzzing-only crypto mode (docs/fuzzing.md): exists only under `cfg(fuzzing)`, which
    // cargo-fuzz sets and a normal build cannot. Every signature verifies.
    #[cfg(fuzzing)]
    return Ok(());
    use SignatureAlgorithm as A;
    match algorithm {
        A::Ed25519 => {
            let pk: &[u8; 32] = public_key.try_into().map_err(|_| Error::InvalidPublicKey)?;
            let pk =
                ed25519_dalek::VerifyingKey::from_bytes(pk).map_err(|_| Error::InvalidPublicKey)?;
            let sig =
                ed25519_dalek::Signature::from_slice(signature).map_err(|_| Error::BadSignature)?;
            pk.verify_strict(message, &sig)
                .map_err(|_| Error::BadSignature)
        }
        A::EcdsaP256Sha256 => imp::ecdsa_p256_sha256(public_key, message, signature),
        A::EcdsaP384Sha384 => imp::ecdsa_p384_sha384(public_key, message, signature),
        A::RsaPkcs1Sha256 => imp::rsa_pkcs1::<sha2::Sha256>(public_key, message, signature, policy),
        A::RsaPkcs1Sha384 => imp::rsa_pkcs1::<sha2::Sha384>(public_key, message, signature, policy),
        A::RsaPkcs1Sha512 => imp::rsa_pkcs1::<sha2::Sha512>(public_key, message, signature, policy),
        A::RsaPssSha256 => imp::rsa_pss::<sha2::Sha256>(public_key, message, signature, policy),
        A::RsaPssSha384 => imp::rsa_pss::<sha2::Sha384>(public_key, message, signature, policy),
        A::RsaPssSha512 => imp::rsa_pss::<sha2::Sha512>(public_key, message, signature, policy),
    }
}

/// Verification behind a trait, so a caller can plug in another implementation
/// (hardware, a FIPS module) without touching the layers above.
pub trait Verifier: Send + Sync {
    /// Verify `signature` over `message` with `public_key` (formats as for [`verify`]).
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error>;

    /// [`Verifier::verify`] under an explicit [`VerifyPolicy`]. The default method ignores
    /// the policy only when it is the default one, and otherwise refuses.
    fn verify_with_policy(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
        policy: &VerifyPolicy,
    ) -> Result<(), Error> {
        if *policy == VerifyPolicy::DEFAULT {
            self.verify(algorithm, public_key, message, signature)
        } else {
            Err(Error::UnsupportedAlgorithm)
        }
    }
}

struct RustCryptoVerifier;

impl Verifier for RustCryptoVerifier {
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        verify(algorithm, public_key, message, signature)
    }

    fn verify_with_policy(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
        policy: &VerifyPolicy,
    ) -> Result<(), Error> {
        verify_with_policy(algorithm, public_key, message, signature, policy)
    }
}

/// The RustCrypto verifier ([`verify`]).
pub static VERIFIER: &dyn Verifier = &RustCryptoVerifier;
