//! Signature verification: the [`Verifier`] trait, the default backend's implementation
//! ([`VERIFIER`], [`verify`], [`verify_with_policy`]: Ed25519 with dalek, ECDSA P-256 /
//! P-384 and RSA PKCS#1 v1.5 / PSS with RustCrypto) and the [`VerifyPolicy`] that says how
//! small an RSA key may be.
//!
//! Key and signature formats are the ones X.509 and TLS carry, so callers pass bytes
//! straight from a certificate or a CertificateVerify message:
//! - ECDSA: the public key is the SEC1 point (the contents of the SubjectPublicKeyInfo BIT
//!   STRING, normally `04 || x || y`); the signature is the DER `Ecdsa-Sig-Value`
//!   (RFC 5480 §2.2, RFC 8446 §4.2.3).
//! - RSA: the public key is the PKCS#1 `RSAPublicKey` DER (RFC 8017 §A.1.1); the signature
//!   is the big-endian integer, exactly as long as the modulus.
//! - RSA-PSS uses MGF1 with the same hash and a salt as long as the hash (RFC 8446 §4.2.3
//!   requires this for TLS 1.3; certificates with other parameters are refused above us).

use crate::{Error, SignatureAlgorithm};

/// Largest RSA modulus accepted, in bits: bounds the work a peer can make us do.
pub const MAX_RSA_BITS: usize = 8192;

/// What a verification accepts beyond the algorithm itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyPolicy {
    /// Smallest RSA modulus accepted, in bits. 2048 by default; lower it only for test
    /// vectors such as RFC 8448's RSA-1024 certificate.
    pub min_rsa_bits: usize,
}

impl VerifyPolicy {
    /// The default: RSA keys of at least 2048 bits.
    pub const DEFAULT: VerifyPolicy = VerifyPolicy { min_rsa_bits: 2048 };

    /// The default policy with another RSA minimum (in bits).
    pub const fn with_min_rsa_bits(min_rsa_bits: usize) -> Self {
        VerifyPolicy { min_rsa_bits }
    }
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy::DEFAULT
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
        A::EcdsaP256Sha256 => ecdsa_p256_sha256(public_key, message, signature),
        A::EcdsaP384Sha384 => ecdsa_p384_sha384(public_key, message, signature),
        A::RsaPkcs1Sha256 => rsa_pkcs1::<sha2::Sha256>(public_key, message, signature, policy),
        A::RsaPkcs1Sha384 => rsa_pkcs1::<sha2::Sha384>(public_key, message, signature, policy),
        A::RsaPkcs1Sha512 => rsa_pkcs1::<sha2::Sha512>(public_key, message, signature, policy),
        A::RsaPssSha256 => rsa_pss::<sha2::Sha256>(public_key, message, signature, policy),
        A::RsaPssSha384 => rsa_pss::<sha2::Sha384>(public_key, message, signature, policy),
        A::RsaPssSha512 => rsa_pss::<sha2::Sha512>(public_key, message, signature, policy),
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
pub const VERIFIER: &dyn Verifier = &RustCryptoVerifier;

fn ecdsa_p256_sha256(public_key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    use p256::ecdsa::signature::Verifier as _;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidPublicKey)?;
    let sig = p256::ecdsa::DerSignature::from_bytes(sig).map_err(|_| Error::BadSignature)?;
    key.verify(msg, &sig).map_err(|_| Error::BadSignature)
}

fn ecdsa_p384_sha384(public_key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    use p384::ecdsa::signature::Verifier as _;
    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidPublicKey)?;
    let sig = p384::ecdsa::DerSignature::from_bytes(sig).map_err(|_| Error::BadSignature)?;
    key.verify(msg, &sig).map_err(|_| Error::BadSignature)
}

/// The size in bits of a PKCS#1 `RSAPublicKey`'s modulus (for backends that check the
/// policy before handing the key to their own parser).
#[cfg_attr(not(feature = "graviola"), allow(dead_code))]
pub(crate) fn rsa_modulus_bits(der: &[u8]) -> Result<usize, Error> {
    use rsa::pkcs1::der::Decode as _;
    let parsed = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(|_| Error::InvalidPublicKey)?;
    let n = parsed.modulus.as_bytes();
    let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
    let n = n.get(first..).unwrap_or_default();
    let lead = n.first().map_or(8, |b| b.leading_zeros());
    let lead = usize::try_from(lead).map_err(|_| Error::InvalidPublicKey)?;
    Ok(n.len().saturating_mul(8).saturating_sub(lead))
}

/// Parse a PKCS#1 `RSAPublicKey` and check its size against `policy`.
fn rsa_public_key(der: &[u8], policy: &VerifyPolicy) -> Result<rsa::PublicKey, Error> {
    use rsa::pkcs1::der::Decode as _;
    let parsed = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(|_| Error::InvalidPublicKey)?;
    let n = parsed.modulus.as_bytes();
    let e = parsed.public_exponent.as_bytes();
    let bits = |b: &[u8]| -> Result<u32, Error> {
        u32::try_from(b.len())
            .ok()
            .and_then(|l| l.checked_mul(8))
            .ok_or(Error::InvalidPublicKey)
    };
    let n = rsa::BoxedUint::from_be_slice(n, bits(n)?).map_err(|_| Error::InvalidPublicKey)?;
    let e = rsa::BoxedUint::from_be_slice(e, bits(e)?).map_err(|_| Error::InvalidPublicKey)?;
    // Cheap size check before the library's (which would report a generic error).
    let width = usize::try_from(n.bit_width_vartime()).map_err(|_| Error::InvalidPublicKey)?;
    if width < policy.min_rsa_bits {
        return Err(Error::KeyTooSmall);
    }
    if width > MAX_RSA_BITS {
        return Err(Error::InvalidPublicKey);
    }
    rsa::PublicKey::new_with_size_limits(n, e, policy.min_rsa_bits..=MAX_RSA_BITS)
        .map_err(|_| Error::InvalidPublicKey)
}

fn rsa_pkcs1<D>(
    public_key: &[u8],
    msg: &[u8],
    sig: &[u8],
    policy: &VerifyPolicy,
) -> Result<(), Error>
where
    D: rsa::sha2::Digest + rsa::pkcs1::der::oid::AssociatedOid,
{
    use rsa::signature::Verifier as _;
    let key = rsa_public_key(public_key, policy)?;
    let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(|_| Error::BadSignature)?;
    rsa::pkcs1v15::VerifyingKey::<D>::new(key)
        .verify(msg, &sig)
        .map_err(|_| Error::BadSignature)
}

fn rsa_pss<D>(public_key: &[u8], msg: &[u8], sig: &[u8], policy: &VerifyPolicy) -> Result<(), Error>
where
    D: rsa::sha2::Digest + rsa::sha2::digest::FixedOutputReset,
{
    use rsa::signature::Verifier as _;
    let key = rsa_public_key(public_key, policy)?;
    let sig = rsa::pss::Signature::try_from(sig).map_err(|_| Error::BadSignature)?;
    // `new` fixes the salt length to the digest length (RFC 8446 §4.2.3).
    rsa::pss::VerifyingKey::<D>::new(key)
        .verify(msg, &sig)
        .map_err(|_| Error::BadSignature)
}
