use core::fmt;

use crate::der::DerError;

/// Which part of the path-building work budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BudgetLimit {
    /// Too many signature verifications ([`crate::Budget::signatures`]).
    Signatures,
    /// Too many path-building steps ([`crate::Budget::build_calls`]).
    BuildCalls,
    /// A path longer than [`crate::Budget::max_intermediates`] would be needed.
    Depth,
}

/// Why a certificate revocation list was refused, when it was read or when it was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// Malformed DER or CRL structure (RFC 5280 §5.1).
    Malformed,
    /// A version other than v2 (RFC 5280 §5.1.2.1: v2 whenever extensions are present,
    /// and cRLNumber is mandatory).
    UnsupportedVersion,
    /// The same extension twice in the CRL or in one entry.
    DuplicateExtension,
    /// A critical CRL or entry extension this crate does not process.
    UnknownCriticalExtension,
    /// No cRLNumber extension (RFC 5280 §5.2.3: conforming CRL issuers MUST include it).
    MissingCrlNumber,
    /// A cRLNumber that is critical, negative or longer than 20 octets (RFC 5280 §5.2.3).
    BadCrlNumber,
    /// A delta CRL (deltaCRLIndicator, RFC 5280 §5.2.4): not supported.
    DeltaCrl,
    /// An indirect CRL (indirectCRL, or a certificateIssuer entry extension): not
    /// supported.
    IndirectCrl,
    /// An issuingDistributionPoint scope this crate does not evaluate (onlySomeReasons,
    /// onlyContainsAttributeCerts, nameRelativeToCRLIssuer).
    UnsupportedScope,
    /// More entries or bytes than the limits allow.
    TooLarge,
    /// The CRL's signature algorithm is not supported (or is MD5/SHA-1).
    UnsupportedSignatureAlgorithm,
    /// The signature does not verify with the key of the certificate's issuer.
    BadSignature,
    /// The issuer's keyUsage lacks cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)).
    IssuerNotCrlSigner,
    /// nextUpdate is in the past (only with [`crate::ExpiredCrlPolicy::Enforce`]).
    Expired,
}

impl fmt::Display for CrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrlError::Malformed => "malformed CRL",
            CrlError::UnsupportedVersion => "CRL version is not v2",
            CrlError::DuplicateExtension => "CRL extension appears more than once",
            CrlError::UnknownCriticalExtension => "unprocessed critical CRL extension",
            CrlError::MissingCrlNumber => "CRL has no cRLNumber",
            CrlError::BadCrlNumber => "CRL's cRLNumber is critical or out of range",
            CrlError::DeltaCrl => "delta CRLs are not supported",
            CrlError::IndirectCrl => "indirect CRLs are not supported",
            CrlError::UnsupportedScope => "CRL's issuingDistributionPoint scope is not supported",
            CrlError::TooLarge => "CRL larger than the limits",
            CrlError::UnsupportedSignatureAlgorithm => "CRL signature algorithm not supported",
            CrlError::BadSignature => "CRL signature does not verify with the issuer's key",
            CrlError::IssuerNotCrlSigner => "CRL issuer's keyUsage lacks cRLSign",
            CrlError::Expired => "CRL is past its nextUpdate",
        })
    }
}

/// Why a certificate or path was refused. Each reason maps to the TLS alert a connection
/// sends ([`Error::alert`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The DER framing is malformed (which rule: the [`DerError`]).
    BadDer(DerError),
    /// The certificate's structure is wrong beyond DER framing (for example a TBS
    /// signature algorithm different from the outer one).
    MalformedCertificate,
    /// A known extension has malformed contents.
    BadExtension,
    /// The same extension appears twice (RFC 5280 §4.2).
    DuplicateExtension,
    /// A critical extension this crate does not process (RFC 5280 §4.2).
    UnknownCriticalExtension,
    /// A certificate version other than v3 (or v1 for a trust anchor).
    UnsupportedVersion,
    /// The signature algorithm is not one this crate verifies.
    UnsupportedSignatureAlgorithm,
    /// A signature on the path would have to be checked with MD2, MD5 or SHA-1 (RFC 8446
    /// §4.4.2.4: bad_certificate). A trust anchor's own signature is never checked, so an
    /// anchor self-signed with SHA-1 is still usable.
    WeakSignatureAlgorithm,
    /// The signature algorithm does not fit the issuer's key type or curve.
    SignatureAlgorithmMismatch,
    /// The subject public key algorithm (or curve) is not supported.
    UnsupportedPublicKey,
    /// The public key is malformed.
    InvalidPublicKey,
    /// An RSA key below the policy's minimum size, or whose size is not a whole number of
    /// bytes.
    WeakKey,
    /// A signature on the path did not verify.
    BadSignature,
    /// The certificate is expired at the validation time.
    Expired,
    /// The certificate is not yet valid at the validation time.
    NotYetValid,
    /// No chain to a trust anchor: no issuer was found.
    UnknownIssuer,
    /// A CA certificate (basicConstraints cA) presented as the end entity.
    CaUsedAsEndEntity,
    /// A certificate used as an issuer is not a CA (no basicConstraints cA, or its
    /// keyUsage lacks keyCertSign).
    NotCa,
    /// A CA's pathLenConstraint is exceeded.
    PathLenExceeded,
    /// extendedKeyUsage does not list the purpose (id-kp-serverAuth or id-kp-clientAuth;
    /// anyExtendedKeyUsage alone is not enough), on the end entity or on an intermediate.
    InvalidPurpose,
    /// The end entity's keyUsage is present but lacks digitalSignature, so its key may not
    /// sign a TLS 1.3 CertificateVerify (RFC 5280 §4.2.1.3, RFC 8446 §4.4.2.2).
    KeyUsageForbidsSigning,
    /// The certificate is not valid for the expected server name (subjectAltName only;
    /// the subject common name is never used).
    NameMismatch,
    /// A name on the path violates a CA's name constraints.
    NameConstraintViolation,
    /// A name constraint of a form this crate cannot evaluate.
    UnsupportedNameConstraint,
    /// The work budget ran out (which limit: the [`BudgetLimit`]).
    BudgetExhausted(BudgetLimit),
    /// A trust anchor or PEM input could not be read.
    BadTrustAnchor,
    /// A certificate on the path is revoked by a CRL (certificate_revoked).
    Revoked,
    /// No CRL covers a certificate whose revocation status must be known
    /// ([`crate::UnknownStatusPolicy::Deny`]).
    UnknownRevocationStatus,
    /// A CRL that covers a certificate on the path cannot be used (which rule: the
    /// [`CrlError`]), or a CRL could not be read.
    BadCrl(CrlError),
}

/// The TLS alert description codes (RFC 8446 §6) that [`Error::alert`] returns, by their
/// RFC 8446 names.
pub mod alert {
    /// bad_certificate (42): a certificate was corrupt or its signatures did not verify.
    pub const BAD_CERTIFICATE: u8 = 42;
    /// unsupported_certificate (43): a certificate was of an unsupported type.
    pub const UNSUPPORTED_CERTIFICATE: u8 = 43;
    /// certificate_revoked (44): a certificate was revoked by its signer.
    pub const CERTIFICATE_REVOKED: u8 = 44;
    /// certificate_expired (45): a certificate has expired or is not yet valid.
    pub const CERTIFICATE_EXPIRED: u8 = 45;
    /// certificate_unknown (46): some other issue arose in processing the certificate.
    pub const CERTIFICATE_UNKNOWN: u8 = 46;
    /// unknown_ca (48): the chain could not be built to a trusted anchor.
    pub const UNKNOWN_CA: u8 = 48;
    /// decode_error (50): a certificate could not be decoded.
    pub const DECODE_ERROR: u8 = 50;
}

impl Error {
    /// The TLS alert description code (RFC 8446 §6) a connection sends for this error:
    /// one of the [`alert`](mod@alert) constants.
    pub const fn alert(&self) -> u8 {
        match self {
            Error::BadDer(_) => alert::DECODE_ERROR,
            Error::MalformedCertificate
            | Error::BadExtension
            | Error::DuplicateExtension
            | Error::InvalidPublicKey
            | Error::BadSignature
            | Error::WeakSignatureAlgorithm
            | Error::NotCa
            | Error::CaUsedAsEndEntity
            | Error::PathLenExceeded
            | Error::NameMismatch
            | Error::NameConstraintViolation => alert::BAD_CERTIFICATE,
            Error::UnknownCriticalExtension
            | Error::UnsupportedVersion
            | Error::UnsupportedSignatureAlgorithm
            | Error::SignatureAlgorithmMismatch
            | Error::UnsupportedPublicKey
            | Error::WeakKey
            | Error::InvalidPurpose
            | Error::KeyUsageForbidsSigning
            | Error::UnsupportedNameConstraint => alert::UNSUPPORTED_CERTIFICATE,
            Error::Expired | Error::NotYetValid => alert::CERTIFICATE_EXPIRED,
            Error::BudgetExhausted(_)
            | Error::BadTrustAnchor
            | Error::UnknownRevocationStatus
            | Error::BadCrl(_) => alert::CERTIFICATE_UNKNOWN,
            Error::Revoked => alert::CERTIFICATE_REVOKED,
            Error::UnknownIssuer => alert::UNKNOWN_CA,
        }
    }

    /// The RFC 8446 name of [`Error::alert`].
    pub const fn alert_name(&self) -> &'static str {
        match self.alert() {
            alert::BAD_CERTIFICATE => "bad_certificate",
            alert::UNSUPPORTED_CERTIFICATE => "unsupported_certificate",
            alert::CERTIFICATE_REVOKED => "certificate_revoked",
            alert::CERTIFICATE_EXPIRED => "certificate_expired",
            alert::CERTIFICATE_UNKNOWN => "certificate_unknown",
            alert::UNKNOWN_CA => "unknown_ca",
            _ => "decode_error",
        }
    }
}

impl From<DerError> for Error {
    fn from(e: DerError) -> Self {
        Error::BadDer(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadDer(e) => write!(f, "malformed DER: {e}"),
            Error::BadCrl(e) => write!(f, "unusable CRL: {e}"),
            Error::BudgetExhausted(l) => write!(
                f,
                "path-building budget exhausted: {}",
                match l {
                    BudgetLimit::Signatures => "too many signature checks",
                    BudgetLimit::BuildCalls => "too many path-building steps",
                    BudgetLimit::Depth => "path longer than the maximum depth",
                }
            ),
            other => f.write_str(match other {
                Error::MalformedCertificate => "malformed certificate structure",
                Error::BadExtension => "malformed extension contents",
                Error::DuplicateExtension => "extension appears more than once",
                Error::UnknownCriticalExtension => "unprocessed critical extension",
                Error::UnsupportedVersion => "unsupported certificate version",
                Error::UnsupportedSignatureAlgorithm => "unsupported signature algorithm",
                Error::WeakSignatureAlgorithm => "signed with MD5 or SHA-1, which TLS 1.3 refuses",
                Error::SignatureAlgorithmMismatch => {
                    "signature algorithm does not match the issuer's key"
                }
                Error::UnsupportedPublicKey => "unsupported public key algorithm",
                Error::InvalidPublicKey => "malformed public key",
                Error::WeakKey => "public key smaller than the policy allows",
                Error::BadSignature => "certificate signature is invalid",
                Error::Expired => "certificate expired",
                Error::NotYetValid => "certificate not yet valid",
                Error::UnknownIssuer => "no path to a trust anchor (unknown issuer)",
                Error::NotCa => "issuer is not a CA",
                Error::CaUsedAsEndEntity => "CA certificate used as end entity",
                Error::PathLenExceeded => "pathLenConstraint exceeded",
                Error::InvalidPurpose => "extended key usage does not allow this use",
                Error::KeyUsageForbidsSigning => {
                    "key usage lacks digitalSignature: the key may not sign the handshake"
                }
                Error::NameMismatch => "certificate not valid for the server name",
                Error::NameConstraintViolation => "name violates a CA's name constraints",
                Error::UnsupportedNameConstraint => "name constraint form not supported",
                Error::BadTrustAnchor => "trust anchor or PEM input unreadable",
                Error::Revoked => "certificate revoked",
                Error::UnknownRevocationStatus => {
                    "no CRL covers the certificate (revocation status unknown)"
                }
                _ => "certificate error",
            }),
        }
    }
}

impl core::error::Error for Error {}
