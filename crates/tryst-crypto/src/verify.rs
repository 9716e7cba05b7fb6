//! Signature verification for ECDSA (P-256, P-384) and RSA (PKCS#1 v1.5, PSS), and the
//! [`VerifyPolicy`] that says how small an RSA key may be.
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

use crate::Error;

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

pub(crate) fn ecdsa_p256_sha256(public_key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    use p256::ecdsa::signature::Verifier as _;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidPublicKey)?;
    let sig = p256::ecdsa::DerSignature::from_bytes(sig).map_err(|_| Error::BadSignature)?;
    key.verify(msg, &sig).map_err(|_| Error::BadSignature)
}

pub(crate) fn ecdsa_p384_sha384(public_key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    use p384::ecdsa::signature::Verifier as _;
    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidPublicKey)?;
    let sig = p384::ecdsa::DerSignature::from_bytes(sig).map_err(|_| Error::BadSignature)?;
    key.verify(msg, &sig).map_err(|_| Error::BadSignature)
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

pub(crate) fn rsa_pkcs1<D>(
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

pub(crate) fn rsa_pss<D>(
    public_key: &[u8],
    msg: &[u8],
    sig: &[u8],
    policy: &VerifyPolicy,
) -> Result<(), Error>
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
