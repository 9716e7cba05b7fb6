use core::fmt;

/// Everything that can go wrong in `tryst-keyschedule`.
///
/// Errors carry no secret material. Each maps to the TLS alert a handshake should send
/// through [`Error::alert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A primitive in `tryst-crypto` failed (bad length, HKDF output too long, ...).
    Crypto(tryst_crypto::Error),
    /// The peer's Finished verify_data did not match (RFC 8446 §4.4.4).
    BadFinished,
    /// A PSK binder did not match (RFC 8446 §4.2.11.2).
    BadBinder,
    /// A binder key or PSK-only handshake was asked of a schedule started without a PSK.
    NoPsk,
    /// An HKDF-Expand-Label label is empty or longer than 249 bytes (`opaque label<7..255>`
    /// holds "tls13 " plus the label).
    BadLabelLength,
    /// An HKDF-Expand-Label context is longer than 255 bytes.
    ContextTooLong,
    /// A requested output is longer than HKDF-Expand-Label can encode (65535 bytes) or
    /// than the output type holds.
    OutputTooLong,
    /// A transcript hash was not as long as the schedule's hash function's output.
    HashLengthMismatch,
    /// Bytes given to the transcript were not whole handshake messages
    /// (type, 24-bit length, body).
    MalformedHandshakeMessage,
    /// The HelloRetryRequest rule (RFC 8446 §4.4.1) was applied to a transcript that does
    /// not hold exactly one message (the first ClientHello).
    HelloRetryNotAfterClientHello,
    /// A one-time secret (the master secret, for the resumption master secret) was
    /// already taken.
    SecretAlreadyUsed,
}

/// TLS alert codes (RFC 8446 §6) that [`Error::alert`] returns.
pub mod alert {
    /// decode_error (50): a message could not be parsed.
    pub const DECODE_ERROR: u8 = 50;
    /// decrypt_error (51): a Finished or PSK binder did not verify.
    pub const DECRYPT_ERROR: u8 = 51;
    /// internal_error (80): a local failure unrelated to the peer.
    pub const INTERNAL_ERROR: u8 = 80;
}

impl Error {
    /// The TLS alert description (RFC 8446 §6.2) a handshake should send for this error:
    /// `decrypt_error` (51) for a bad Finished or binder, `decode_error` (50) for
    /// malformed handshake framing, `internal_error` (80) for everything else, which
    /// points at a local bug rather than at the peer.
    pub fn alert(&self) -> u8 {
        match self {
            Error::BadFinished | Error::BadBinder => alert::DECRYPT_ERROR,
            Error::MalformedHandshakeMessage => alert::DECODE_ERROR,
            _ => alert::INTERNAL_ERROR,
        }
    }
}

impl From<tryst_crypto::Error> for Error {
    fn from(e: tryst_crypto::Error) -> Self {
        Error::Crypto(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Crypto(e) => write!(f, "crypto: {e}"),
            Error::BadFinished => {
                f.write_str("Finished verify_data does not match (RFC 8446 §4.4.4)")
            }
            Error::BadBinder => f.write_str("PSK binder does not match (RFC 8446 §4.2.11.2)"),
            Error::NoPsk => f.write_str("the key schedule was started without a PSK"),
            Error::BadLabelLength => {
                f.write_str("HKDF-Expand-Label label must be 1 to 249 bytes (RFC 8446 §7.1)")
            }
            Error::ContextTooLong => {
                f.write_str("HKDF-Expand-Label context longer than 255 bytes (RFC 8446 §7.1)")
            }
            Error::OutputTooLong => f.write_str("requested output too long"),
            Error::HashLengthMismatch => {
                f.write_str("transcript hash length differs from the schedule's hash")
            }
            Error::MalformedHandshakeMessage => {
                f.write_str("transcript input is not whole handshake messages (RFC 8446 §4)")
            }
            Error::HelloRetryNotAfterClientHello => f.write_str(
                "HelloRetryRequest transcript rule needs exactly ClientHello1 (RFC 8446 §4.4.1)",
            ),
            Error::SecretAlreadyUsed => f.write_str("one-time secret already taken"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Crypto(e) => Some(e),
            _ => None,
        }
    }
}
