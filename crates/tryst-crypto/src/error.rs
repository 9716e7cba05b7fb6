use core::fmt;

/// Everything that can go wrong in `tryst-crypto`.
///
/// Errors carry no secret material; their `Display` text names the rule that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// AEAD authentication failed: the tag did not match. No plaintext was released.
    DecryptFailed,
    /// The input (plaintext, ciphertext or associated data) is longer than the algorithm allows.
    InputTooLong,
    /// A buffer was too short to hold the result (for example no room for the AEAD tag).
    BufferTooShort,
    /// A key, IV, nonce or secret had the wrong length for the algorithm.
    BadLength,
    /// HKDF-Expand was asked for more than 255 × hash-length bytes.
    OutputTooLong,
    /// The peer's public key is malformed (wrong length or not a valid point).
    InvalidPublicKey,
    /// X25519 produced the all-zero shared secret (RFC 8446 §7.4.2): the peer sent a
    /// small-order point.
    ZeroSharedSecret,
    /// A signature did not verify, or was malformed.
    BadSignature,
    /// A private key could not be parsed or does not fit the algorithm.
    InvalidPrivateKey,
    /// A public key is smaller than the policy allows (an RSA modulus under
    /// `VerifyPolicy::min_rsa_bits`).
    KeyTooSmall,
    /// The algorithm is not implemented by this provider.
    UnsupportedAlgorithm,
    /// The random-number generator failed.
    Rng,
    /// This signer needs randomness from the caller (RSA: the PSS salt and blinding);
    /// use [`crate::Signer::sign_with`].
    RngRequired,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::DecryptFailed => "AEAD tag check failed (ciphertext or associated data altered)",
            Error::InputTooLong => "input longer than the algorithm permits",
            Error::BufferTooShort => "buffer too short for the output",
            Error::BadLength => "key, IV, nonce or secret has the wrong length",
            Error::OutputTooLong => "HKDF-Expand output longer than 255 hash lengths",
            Error::InvalidPublicKey => "peer public key is malformed",
            Error::ZeroSharedSecret => {
                "key exchange gave the all-zero shared secret (small-order peer key, RFC 8446 §7.4.2)"
            }
            Error::BadSignature => "signature is invalid",
            Error::InvalidPrivateKey => "private key is malformed or of the wrong type",
            Error::KeyTooSmall => "public key smaller than the policy allows",
            Error::UnsupportedAlgorithm => "algorithm not supported by this provider",
            Error::Rng => "random-number generator failed",
            Error::RngRequired => "this signer needs the caller's RNG (use Signer::sign_with)",
        })
    }
}

impl core::error::Error for Error {}
