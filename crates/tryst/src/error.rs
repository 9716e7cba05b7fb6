//! Errors of a TLS connection, layered the way a peer can fail us, and each mapped to the
//! alert we send (RFC 8446 §6.2).

use core::fmt;

use tryst_messages::AlertDescription;

/// Why a connection failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that do not decode (a malformed message or record).
    InvalidMessage(tryst_messages::Error),
    /// The peer broke a rule of the protocol. The text names the rule.
    PeerMisbehaved {
        /// The alert this calls for.
        alert: AlertDescription,
        /// The rule that was broken (for example "ServerHello selected a cipher suite we
        /// did not offer").
        rule: &'static str,
    },
    /// The peer offered nothing we support (no common suite, group or signature scheme).
    PeerIncompatible {
        /// The alert this calls for (usually handshake_failure).
        alert: AlertDescription,
        /// What did not match.
        what: &'static str,
    },
    /// The record layer refused a record (bad tag, overflow, ...).
    Record(tryst_record::Error),
    /// The peer's certificate chain was rejected.
    Certificate(tryst_cert::Error),
    /// The peer sent a fatal alert.
    AlertReceived(AlertDescription),
    /// A cryptographic operation failed locally (key generation, signing).
    Crypto(tryst_crypto::Error),
    /// The session outlived its configured maximum lifetime or sat idle too long.
    SessionExpired,
    /// Application data was written or read before the handshake finished, or after close.
    NotReady(&'static str),
    /// A configuration that cannot work (for example no cipher suites).
    Config(&'static str),
    /// A bug or resource failure on our side.
    Internal(&'static str),
    /// The server rejected our Encrypted Client Hello (RFC 9849 §6.1.7): it proved it is
    /// the config's public name, but the real name was never sent. We sent ech_required.
    /// Retry with `retry_configs` (an `ECHConfigList`) if the server sent some, after
    /// checking them like any other config; `None` means the server wants no ECH.
    EchRejected {
        /// The server's `retry_configs`, an `ECHConfigList`.
        retry_configs: Option<alloc::vec::Vec<u8>>,
    },
}

impl Error {
    /// The alert to send the peer for this error, if any. `None` for errors that arrive as
    /// alerts or that are local (a closed connection, a config problem).
    pub fn alert(&self) -> Option<AlertDescription> {
        Some(match self {
            Error::InvalidMessage(e) => e.alert(),
            Error::PeerMisbehaved { alert, .. } | Error::PeerIncompatible { alert, .. } => *alert,
            Error::Record(e) => e.alert(),
            Error::Certificate(e) => AlertDescription::from_raw(e.alert()),
            Error::Crypto(_) | Error::Internal(_) => AlertDescription::InternalError,
            Error::EchRejected { .. } => AlertDescription::EchRequired,
            Error::AlertReceived(_)
            | Error::SessionExpired
            | Error::NotReady(_)
            | Error::Config(_) => return None,
        })
    }

    pub(crate) const fn misbehaved(alert: AlertDescription, rule: &'static str) -> Self {
        Error::PeerMisbehaved { alert, rule }
    }

    pub(crate) const fn illegal(rule: &'static str) -> Self {
        Error::PeerMisbehaved {
            alert: AlertDescription::IllegalParameter,
            rule,
        }
    }

    pub(crate) const fn unexpected(rule: &'static str) -> Self {
        Error::PeerMisbehaved {
            alert: AlertDescription::UnexpectedMessage,
            rule,
        }
    }

    /// A peer's key share that does not work (malformed, off the curve, all-zero
    /// result) is illegal_parameter (RFC 8446 §4.2.8); other failures are ours.
    pub(crate) fn key_share(e: tryst_crypto::Error, rule: &'static str) -> Self {
        match e {
            tryst_crypto::Error::ZeroSharedSecret | tryst_crypto::Error::InvalidPublicKey => {
                Error::illegal(rule)
            }
            other => Error::Crypto(other),
        }
    }

    pub(crate) const fn incompatible(what: &'static str) -> Self {
        Error::PeerIncompatible {
            alert: AlertDescription::HandshakeFailure,
            what,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidMessage(e) => write!(f, "peer sent a malformed message: {e}"),
            Error::PeerMisbehaved { rule, alert } => write!(f, "peer misbehaved: {rule} ({alert})"),
            Error::PeerIncompatible { what, .. } => write!(f, "peer is incompatible: {what}"),
            Error::Record(e) => write!(f, "record layer: {e}"),
            Error::Certificate(e) => write!(f, "certificate rejected: {e}"),
            Error::AlertReceived(a) => write!(f, "peer sent fatal alert {a}"),
            Error::Crypto(e) => write!(f, "cryptographic failure: {e}"),
            Error::SessionExpired => {
                f.write_str("session expired (idle timeout or maximum lifetime)")
            }
            Error::NotReady(what) => write!(f, "not ready: {what}"),
            Error::Config(what) => write!(f, "invalid configuration: {what}"),
            Error::Internal(what) => write!(f, "internal error: {what}"),
            Error::EchRejected { retry_configs } => write!(
                f,
                "the server rejected Encrypted Client Hello ({})",
                if retry_configs.is_some() {
                    "it sent retry configs"
                } else {
                    "no retry configs"
                }
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

impl From<tryst_messages::Error> for Error {
    fn from(e: tryst_messages::Error) -> Self {
        Error::InvalidMessage(e)
    }
}

impl From<tryst_record::Error> for Error {
    fn from(e: tryst_record::Error) -> Self {
        match e {
            tryst_record::Error::AlertReceived(a) => Error::AlertReceived(a.description),
            other => Error::Record(other),
        }
    }
}

impl From<tryst_cert::Error> for Error {
    fn from(e: tryst_cert::Error) -> Self {
        Error::Certificate(e)
    }
}

impl From<tryst_crypto::Error> for Error {
    fn from(e: tryst_crypto::Error) -> Self {
        Error::Crypto(e)
    }
}

impl From<tryst_keyschedule::Error> for Error {
    /// Only a bad Finished or binder and broken handshake framing are the peer's doing;
    /// every other key-schedule failure is a bug on our side (internal_error), named.
    fn from(e: tryst_keyschedule::Error) -> Self {
        use tryst_keyschedule::Error as K;
        match e {
            K::BadFinished => Error::misbehaved(
                AlertDescription::DecryptError,
                "Finished does not verify (RFC 8446 §4.4.4)",
            ),
            K::BadBinder => Error::misbehaved(
                AlertDescription::DecryptError,
                "PSK binder does not verify (RFC 8446 §4.2.11.2)",
            ),
            K::MalformedHandshakeMessage => {
                Error::misbehaved(AlertDescription::DecodeError, "malformed handshake framing")
            }
            K::Crypto(c) => Error::Crypto(c),
            K::NoPsk => Error::Internal("key schedule: PSK step without a PSK"),
            K::BadLabelLength | K::ContextTooLong | K::OutputTooLong => {
                Error::Internal("key schedule: HKDF-Expand-Label input out of range")
            }
            K::HashLengthMismatch => Error::Internal("key schedule: transcript hash length"),
            K::HelloRetryNotAfterClientHello => {
                Error::Internal("key schedule: HelloRetryRequest rule out of place")
            }
            K::SecretAlreadyUsed => Error::Internal("key schedule: one-time secret reused"),
            _ => Error::Internal("key schedule"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tryst_keyschedule::Error as K;

    fn rule(e: &Error) -> Option<&'static str> {
        match e {
            Error::PeerMisbehaved { rule, .. } => Some(rule),
            _ => None,
        }
    }

    #[test]
    fn key_schedule_errors_map_by_variant() {
        let finished = Error::from(K::BadFinished);
        let binder = Error::from(K::BadBinder);
        assert_eq!(finished.alert(), Some(AlertDescription::DecryptError));
        assert_eq!(binder.alert(), Some(AlertDescription::DecryptError));
        assert_ne!(rule(&finished), rule(&binder));
        assert_eq!(
            Error::from(K::MalformedHandshakeMessage).alert(),
            Some(AlertDescription::DecodeError)
        );
        let crypto = tryst_crypto::Error::DecryptFailed;
        assert_eq!(Error::from(K::Crypto(crypto)), Error::Crypto(crypto));
        for local in [
            K::NoPsk,
            K::BadLabelLength,
            K::ContextTooLong,
            K::OutputTooLong,
            K::HashLengthMismatch,
            K::HelloRetryNotAfterClientHello,
            K::SecretAlreadyUsed,
        ] {
            let e = Error::from(local);
            assert!(matches!(e, Error::Internal(_)), "{local:?} -> {e:?}");
            assert_eq!(e.alert(), Some(AlertDescription::InternalError));
        }
        // Each maps to the alert the key schedule itself names.
        for k in [
            K::BadFinished,
            K::BadBinder,
            K::MalformedHandshakeMessage,
            K::NoPsk,
        ] {
            assert_eq!(
                Error::from(k).alert().map(AlertDescription::to_raw),
                Some(k.alert())
            );
        }
    }

    #[test]
    fn certificate_alert_constants_are_the_rfc_8446_codes() {
        use tryst_cert::alert;
        for (code, want) in [
            (alert::BAD_CERTIFICATE, AlertDescription::BadCertificate),
            (
                alert::UNSUPPORTED_CERTIFICATE,
                AlertDescription::UnsupportedCertificate,
            ),
            (
                alert::CERTIFICATE_EXPIRED,
                AlertDescription::CertificateExpired,
            ),
            (
                alert::CERTIFICATE_UNKNOWN,
                AlertDescription::CertificateUnknown,
            ),
            (alert::UNKNOWN_CA, AlertDescription::UnknownCa),
            (alert::DECODE_ERROR, AlertDescription::DecodeError),
        ] {
            assert_eq!(AlertDescription::from_raw(code), want);
        }
    }
}
