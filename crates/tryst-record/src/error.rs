//! The record layer's error type. Every variant names the rule that was broken and maps to
//! the alert RFC 8446 asks for ([`Error::alert`]).

use core::fmt;

use tryst_messages::{Alert, AlertDescription, ContentType};

/// Everything that can go wrong in the record layer.
///
/// Errors caused by the peer map to the alert RFC 8446 §5 and §6 ask the receiver to send;
/// local misuse maps to `internal_error`. [`Error::should_send_alert`] says whether an
/// alert should go out at all (not after the peer's own fatal alert, not after a
/// transport EOF).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The AEAD tag did not verify (RFC 8446 §5.2): `bad_record_mac`. No plaintext was
    /// released.
    BadRecordMac,
    /// A record's declared length is above 2^14 + 256 (protected) or 2^14 (plaintext)
    /// (RFC 8446 §5.1, §5.2): `record_overflow`.
    CiphertextOverflow {
        /// The declared length.
        len: usize,
        /// The largest length allowed for this record.
        max: usize,
    },
    /// The decrypted TLSInnerPlaintext is longer than 2^14 + 1 or than the record size
    /// limit we advertised (RFC 8446 §5.4, RFC 8449 §4): `record_overflow`.
    PlaintextOverflow {
        /// The inner plaintext length (content, type and padding).
        len: usize,
        /// The largest length allowed.
        max: usize,
    },
    /// The decrypted TLSInnerPlaintext is all zeros: there is no content type
    /// (RFC 8446 §5.4): `unexpected_message`.
    MissingContentType,
    /// A record carries a content type that is not allowed here (unknown, or not one of
    /// handshake / alert / application_data inside protection, or application data before
    /// protection) (RFC 8446 §5): `unexpected_message`.
    UnexpectedContentType(ContentType),
    /// A zero-length fragment of a type other than application data (RFC 8446 §5.1,
    /// §5.4): `unexpected_message`.
    EmptyFragment(ContentType),
    /// An alert record whose body is not exactly two bytes (alerts are never fragmented or
    /// coalesced, RFC 8446 §5.1): `decode_error`.
    MalformedAlert,
    /// A change_cipher_spec record that is not the single byte 0x01, or one received when
    /// it is not allowed (RFC 8446 §5): `unexpected_message`.
    UnexpectedChangeCipherSpec,
    /// Too many records in a row carried nothing (empty application data, ignored
    /// change_cipher_spec): a cheap denial of service (RFC 8446 §5.1 allows them, but not
    /// without bound): `unexpected_message`.
    TooManyEmptyRecords {
        /// The cap on consecutive empty records.
        max: u32,
    },
    /// The transport ended without a close_notify, possibly in the middle of a record
    /// (RFC 8446 §6.1): the data may have been truncated by an attacker. No alert can be
    /// sent.
    Truncated,
    /// The peer sent a fatal alert (every alert but close_notify and user_canceled is
    /// fatal in TLS 1.3, RFC 8446 §6). No alert is sent in reply.
    AlertReceived(Alert),
    /// Keys changed while a handshake message was only partly received (RFC 8446 §5.1):
    /// `unexpected_message`.
    KeyChangeInsideMessage,
    /// The 64-bit sequence number is exhausted; it never wraps (RFC 8446 §5.3):
    /// `internal_error`. Send KeyUpdate long before this.
    SequenceExhausted,
    /// The key has protected as many records as its AEAD allows (RFC 8446 §5.5):
    /// `internal_error`. Update the key first ([`needs_key_update`]).
    ///
    /// [`needs_key_update`]: crate::RecordEncrypter::needs_key_update
    KeyUsageLimit {
        /// The confidentiality limit of the AEAD, in records.
        limit: u64,
    },
    /// The caller asked to send something the protocol forbids at this point (application
    /// data without keys, a record after our close_notify, a fragment above the
    /// limit): `internal_error`.
    Misuse(&'static str),
    /// A record-size-limit value outside the range RFC 8449 §4 allows (64 ..= 2^14 + 1 for
    /// TLS 1.3): `illegal_parameter`.
    BadRecordSizeLimit(u16),
    /// The output buffer is too small for the record: `internal_error`.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
    /// The AEAD refused the key or the input: `internal_error`.
    Crypto(tryst_crypto::Error),
}

impl Error {
    /// The alert this error calls for (RFC 8446 §6.2).
    pub const fn alert(&self) -> AlertDescription {
        match self {
            Error::BadRecordMac => AlertDescription::BadRecordMac,
            Error::CiphertextOverflow { .. } | Error::PlaintextOverflow { .. } => {
                AlertDescription::RecordOverflow
            }
            Error::MissingContentType
            | Error::UnexpectedContentType(_)
            | Error::EmptyFragment(_)
            | Error::UnexpectedChangeCipherSpec
            | Error::TooManyEmptyRecords { .. }
            | Error::KeyChangeInsideMessage => AlertDescription::UnexpectedMessage,
            Error::MalformedAlert | Error::Truncated => AlertDescription::DecodeError,
            Error::AlertReceived(a) => a.description,
            Error::BadRecordSizeLimit(_) => AlertDescription::IllegalParameter,
            Error::SequenceExhausted
            | Error::KeyUsageLimit { .. }
            | Error::Misuse(_)
            | Error::BufferTooSmall { .. }
            | Error::Crypto(_) => AlertDescription::InternalError,
        }
    }

    /// Whether to send [`alert`](Self::alert) to the peer: false when the peer already
    /// closed the connection with its own fatal alert, or the transport is gone
    /// ([`Error::Truncated`]).
    pub const fn should_send_alert(&self) -> bool {
        !matches!(self, Error::AlertReceived(_) | Error::Truncated)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadRecordMac => f.write_str("record failed authentication (bad_record_mac)"),
            Error::CiphertextOverflow { len, max } => {
                write!(
                    f,
                    "record length {len} exceeds the limit of {max} (RFC 8446 §5.2)"
                )
            }
            Error::PlaintextOverflow { len, max } => write!(
                f,
                "inner plaintext length {len} exceeds the limit of {max} (RFC 8446 §5.4, RFC 8449)"
            ),
            Error::MissingContentType => {
                f.write_str("decrypted record is all zeros: no content type (RFC 8446 §5.4)")
            }
            Error::UnexpectedContentType(t) => {
                write!(f, "content type {t} not allowed here (RFC 8446 §5)")
            }
            Error::EmptyFragment(t) => {
                write!(f, "zero-length {t} fragment (RFC 8446 §5.1)")
            }
            Error::MalformedAlert => {
                f.write_str("alert record is not exactly two bytes (RFC 8446 §5.1)")
            }
            Error::UnexpectedChangeCipherSpec => f.write_str(
                "change_cipher_spec record not allowed or not the single byte 0x01 (RFC 8446 §5)",
            ),
            Error::TooManyEmptyRecords { max } => {
                write!(f, "more than {max} empty records in a row")
            }
            Error::Truncated => f.write_str(
                "connection ended without close_notify: data may be truncated (RFC 8446 §6.1)",
            ),
            Error::AlertReceived(a) => write!(f, "peer sent fatal alert {}", a.description),
            Error::KeyChangeInsideMessage => f.write_str(
                "key change while a handshake message is partly received (RFC 8446 §5.1)",
            ),
            Error::SequenceExhausted => {
                f.write_str("record sequence number exhausted (RFC 8446 §5.3)")
            }
            Error::KeyUsageLimit { limit } => write!(
                f,
                "key has protected {limit} records, its AEAD limit (RFC 8446 §5.5); update keys first"
            ),
            Error::Misuse(what) => write!(f, "record layer misuse: {what}"),
            Error::BadRecordSizeLimit(v) => {
                write!(f, "record_size_limit {v} outside 64..=16385 (RFC 8449 §4)")
            }
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Error::Crypto(e) => write!(f, "AEAD failure: {e}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<tryst_crypto::Error> for Error {
    fn from(e: tryst_crypto::Error) -> Self {
        match e {
            tryst_crypto::Error::DecryptFailed => Error::BadRecordMac,
            other => Error::Crypto(other),
        }
    }
}
