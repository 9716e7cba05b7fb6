//! The codec's error type: which field failed, why, and which alert the RFC asks for.

use core::fmt;

use crate::enums::{AlertDescription, ExtensionType};

/// Why a field failed to decode (or encode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input ended before the field was complete.
    Truncated,
    /// Bytes were left over after the field (a length prefix was not consumed exactly,
    /// or a message had trailing bytes).
    TrailingBytes,
    /// A length (or count) is outside the range the RFC allows for the field.
    LengthOutOfRange {
        /// The length found.
        got: usize,
        /// The smallest allowed length.
        min: usize,
        /// The largest allowed length.
        max: usize,
    },
    /// A vector of fixed-size items has a length that is not a multiple of the item size.
    RaggedList,
    /// The same extension appears twice in one extensions block (RFC 8446 §4.2).
    DuplicateExtension(ExtensionType),
    /// The same item appears twice in a list where the RFC forbids it.
    DuplicateItem,
    /// A list holds more items than this crate accepts (each such cap is a `MAX_*`
    /// constant; the RFC lets a receiver refuse such a peer, see the constant's docs).
    TooManyItems {
        /// The cap.
        max: usize,
    },
    /// `pre_shared_key` is not the last extension of the ClientHello (RFC 8446 §4.2.11).
    PreSharedKeyNotLast,
    /// A value the RFC does not allow in this field.
    IllegalValue,
    /// A mandatory extension is absent (RFC 8446 §4.3.2, §9.2).
    MissingExtension(ExtensionType),
    /// A handshake message of a type this codec does not accept in the TLS version it
    /// parses for (TLS 1.3 for [`crate::HandshakeMessage`], TLS 1.2 for
    /// [`crate::Tls12HandshakeMessage`]).
    UnexpectedMessage,
    /// A handshake message is longer than the reassembler's configured cap.
    MessageTooLarge {
        /// The declared length.
        got: usize,
        /// The configured cap.
        max: usize,
    },
    /// A record's declared length exceeds 2^14 + 256 (RFC 8446 §5.2).
    RecordOverflow {
        /// The declared length.
        got: usize,
    },
    /// While encoding, a field grew too long for its length prefix.
    EncodeOverflow {
        /// The largest length the prefix can express.
        max: usize,
    },
}

/// A decode (or encode) failure: the field that failed and why.
///
/// [`Error::alert`] gives the alert RFC 8446 asks the receiver to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    field: &'static str,
    kind: ErrorKind,
}

impl Error {
    /// An error for `field` (a path such as `"ClientHello.cipher_suites"`).
    pub const fn new(field: &'static str, kind: ErrorKind) -> Self {
        Self { field, kind }
    }

    /// The field that failed, e.g. `"ClientHello.cipher_suites"`.
    pub const fn field(&self) -> &'static str {
        self.field
    }

    /// Why it failed.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The alert RFC 8446 calls for: `decode_error` for malformed encodings,
    /// `illegal_parameter` for well-formed but forbidden values (RFC 8446 §6.2).
    pub const fn alert(&self) -> AlertDescription {
        match self.kind {
            ErrorKind::Truncated
            | ErrorKind::TrailingBytes
            | ErrorKind::LengthOutOfRange { .. }
            | ErrorKind::RaggedList
            | ErrorKind::MessageTooLarge { .. } => AlertDescription::DecodeError,
            ErrorKind::DuplicateExtension(_)
            | ErrorKind::DuplicateItem
            | ErrorKind::TooManyItems { .. }
            | ErrorKind::PreSharedKeyNotLast
            | ErrorKind::IllegalValue => AlertDescription::IllegalParameter,
            ErrorKind::MissingExtension(_) => AlertDescription::MissingExtension,
            ErrorKind::UnexpectedMessage => AlertDescription::UnexpectedMessage,
            ErrorKind::RecordOverflow { .. } => AlertDescription::RecordOverflow,
            ErrorKind::EncodeOverflow { .. } => AlertDescription::InternalError,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("input ends before the field is complete"),
            Self::TrailingBytes => f.write_str("trailing bytes after the field"),
            Self::LengthOutOfRange { got, min, max } => {
                write!(f, "length {got} outside the allowed range {min}..={max}")
            }
            Self::RaggedList => f.write_str("list length is not a multiple of the item size"),
            Self::DuplicateExtension(t) => write!(f, "duplicate extension {t}"),
            Self::DuplicateItem => f.write_str("duplicate item in list"),
            Self::TooManyItems { max } => write!(f, "more than {max} items in the list"),
            Self::PreSharedKeyNotLast => {
                f.write_str("pre_shared_key is not the last extension (RFC 8446 §4.2.11)")
            }
            Self::IllegalValue => f.write_str("value not allowed here"),
            Self::MissingExtension(t) => write!(f, "mandatory extension {t} is missing"),
            Self::UnexpectedMessage => {
                f.write_str("handshake message type not allowed in this TLS version")
            }
            Self::MessageTooLarge { got, max } => {
                write!(
                    f,
                    "handshake message of {got} bytes exceeds the cap of {max}"
                )
            }
            Self::RecordOverflow { got } => {
                write!(f, "record length {got} exceeds 2^14 + 256 (RFC 8446 §5.2)")
            }
            Self::EncodeOverflow { max } => write!(f, "encoded length exceeds {max}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (alert {})", self.field, self.kind, self.alert())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
