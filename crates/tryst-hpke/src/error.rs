use core::fmt;

/// Everything that can go wrong in `tryst-hpke`.
///
/// Errors carry no secret material; their `Display` text names the rule that failed, with
/// the RFC 9180 error name where the RFC has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A KEM identifier this crate does not implement (RFC 9180 §7.1).
    UnsupportedKem(u16),
    /// A KDF identifier this crate does not implement (RFC 9180 §7.2).
    UnsupportedKdf(u16),
    /// An AEAD identifier this crate does not implement (RFC 9180 §7.3).
    UnsupportedAead(u16),
    /// The crypto provider lacks an algorithm the suite needs.
    MissingAlgorithm,
    /// A key (or `enc`) belongs to another KEM than the suite's.
    KemMismatch,
    /// A serialized public key or `enc` is malformed: wrong length, wrong form, or not a
    /// point on the curve (DeserializeError, §7.1.1 and §7.1.4).
    InvalidPublicKey,
    /// A serialized private key is malformed or not a valid scalar (DeserializeError).
    InvalidPrivateKey,
    /// The Diffie-Hellman output was all zero: the peer's key has small order (§7.1.4
    /// requires the check). EncapError on the sender, DecapError on the recipient.
    ZeroSharedSecret,
    /// DeriveKeyPair found no valid P-256 scalar in 256 candidates (DeriveKeyPairError,
    /// §7.1.3; probability about 2^-8192).
    DeriveKeyPair,
    /// A PSK was given without a PSK ID or the other way round (§5.1, "Inconsistent PSK
    /// inputs").
    InconsistentPsk,
    /// A PSK was given to a mode without one (base, auth) (§5.1, "PSK input provided when
    /// not needed").
    UnexpectedPsk,
    /// A PSK mode (psk, auth_psk) was used without a PSK (§5.1, "Missing required PSK
    /// input").
    MissingPsk,
    /// The ciphertext did not authenticate under this context at this sequence number
    /// (OpenError, §5.2). No plaintext is released and the sequence number does not move.
    OpenError,
    /// The context's sequence number is spent (MessageLimitReachedError, §5.2). This crate
    /// counts messages in 64 bits, so the limit is 2^64 - 1 messages per context.
    MessageLimitReached,
    /// Seal or Open on a context of the export-only AEAD (0xFFFF, §7.3).
    ExportOnly,
    /// An export longer than 255 hash lengths (§5.3).
    ExportTooLong,
    /// A primitive in `tryst-crypto` failed.
    Crypto(tryst_crypto::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnsupportedKem(id) => write!(f, "HPKE KEM 0x{id:04x} is not supported"),
            Error::UnsupportedKdf(id) => write!(f, "HPKE KDF 0x{id:04x} is not supported"),
            Error::UnsupportedAead(id) => write!(f, "HPKE AEAD 0x{id:04x} is not supported"),
            Error::MissingAlgorithm => {
                f.write_str("the crypto provider lacks an algorithm of the suite")
            }
            Error::KemMismatch => f.write_str("key belongs to another KEM than the suite's"),
            Error::InvalidPublicKey => {
                f.write_str("malformed HPKE public key or enc (DeserializeError, RFC 9180 §7.1)")
            }
            Error::InvalidPrivateKey => {
                f.write_str("malformed HPKE private key (DeserializeError, RFC 9180 §7.1)")
            }
            Error::ZeroSharedSecret => f.write_str(
                "Diffie-Hellman output is all zero: small-order public key (RFC 9180 §7.1.4)",
            ),
            Error::DeriveKeyPair => f.write_str("DeriveKeyPairError (RFC 9180 §7.1.3)"),
            Error::InconsistentPsk => {
                f.write_str("PSK and PSK ID must be given together (RFC 9180 §5.1)")
            }
            Error::UnexpectedPsk => {
                f.write_str("PSK input provided when not needed (RFC 9180 §5.1)")
            }
            Error::MissingPsk => f.write_str("missing required PSK input (RFC 9180 §5.1)"),
            Error::OpenError => f.write_str("HPKE ciphertext did not authenticate (OpenError)"),
            Error::MessageLimitReached => {
                f.write_str("HPKE context sequence number exhausted (MessageLimitReachedError)")
            }
            Error::ExportOnly => f.write_str("seal/open on an export-only HPKE context"),
            Error::ExportTooLong => {
                f.write_str("HPKE export longer than 255 hash lengths (RFC 9180 §5.3)")
            }
            Error::Crypto(e) => write!(f, "crypto: {e}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<tryst_crypto::Error> for Error {
    fn from(e: tryst_crypto::Error) -> Self {
        match e {
            tryst_crypto::Error::InvalidPublicKey => Error::InvalidPublicKey,
            tryst_crypto::Error::InvalidPrivateKey => Error::InvalidPrivateKey,
            tryst_crypto::Error::ZeroSharedSecret => Error::ZeroSharedSecret,
            tryst_crypto::Error::DecryptFailed => Error::OpenError,
            other => Error::Crypto(other),
        }
    }
}
