//! `tryst-cert`: X.509 certificate parsing and path validation for TLS peers.
//!
//! What it is: a DER reader ([`der`]), zero-copy X.509 v3 parsing ([`Certificate`]), and
//! path validation from a peer's end-entity certificate through the intermediates it sent
//! to a set of [`TrustAnchors`]: signatures (Ed25519, ECDSA P-256/SHA-256 and
//! P-384/SHA-384, RSA PKCS#1 v1.5 and PSS with SHA-256/384/512, RSA keys of at least 2048
//! bits by default), validity at a caller-supplied time, basicConstraints, keyUsage,
//! extendedKeyUsage, DNS and IP name constraints, and the server name against
//! subjectAltName. Path building backtracks across alternative issuers under a
//! [`Budget`]; each exhausted limit is its own error. Every [`Error`] maps to the TLS
//! alert a connection sends ([`Error::alert`]). A small DER writer and
//! [`CertificateBuilder`] issue Ed25519 and ECDSA P-256 certificates for tests and demos.
//!
//! Revocation by CRLs ([`Crl`], [`RevocationOptions`], [`verify_path_with_revocation`]):
//! complete, direct v2 CRLs; delta and indirect CRLs are refused.
//!
//! What it is not: no OCSP, no certificate policies (a critical
//! certificatePolicies extension is refused), no directoryName / email / URI name
//! constraints (a certificate carrying them is refused), no public-suffix list, and no
//! fallback to the subject common name. It never reads a clock: the time is an argument.
//!
//! `no_std` + `alloc` with default features off.
//!
//! ```
//! use rustls_pki_types::{ServerName, UnixTime};
//! use tryst_cert::{CertificateBuilder, Policy, TrustAnchors, verify_server_cert};
//! use tryst_crypto::{Ed25519SigningKey, Secret};
//!
//! let ca_key = Ed25519SigningKey::from_seed(&Secret::from_slice(&[1; 32])?)?;
//! let leaf_key = Ed25519SigningKey::from_seed(&Secret::from_slice(&[2; 32])?)?;
//!
//! // A CA and a server certificate for example.com, valid for 2025.
//! let (start, end) = (1_735_689_600, 1_767_225_599);
//! let ca = CertificateBuilder::new("Example CA", start, end).ca(None).self_signed(&ca_key)?;
//! let leaf = CertificateBuilder::new("example.com", start, end)
//!     .dns_name("example.com")
//!     .server_auth()
//!     .issue(&leaf_key, &ca, &ca_key)?;
//!
//! let anchors = TrustAnchors::from_der([ca.as_slice()])?;
//! let name = ServerName::try_from("example.com").unwrap();
//! let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_750_000_000));
//! let path = verify_server_cert(&leaf, &[], &anchors, &name, now, &Policy::DEFAULT)?;
//!
//! // The TLS layer checks CertificateVerify with the leaf's key.
//! let sig = tryst_crypto::Signer::sign(&leaf_key, b"transcript")?;
//! path.public_key().verify(tryst_crypto::SignatureAlgorithm::Ed25519, b"transcript", &sig, 2048)?;
//!
//! // Wrong name, or a time after expiry: refused, with the alert to send.
//! let other = ServerName::try_from("example.org").unwrap();
//! let err = verify_server_cert(&leaf, &[], &anchors, &other, now, &Policy::DEFAULT).unwrap_err();
//! assert_eq!(
//!     (err.alert(), err.alert_name()),
//!     (tryst_cert::alert::BAD_CERTIFICATE, "bad_certificate")
//! );
//! let later = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_800_000_000));
//! let err = verify_server_cert(&leaf, &[], &anchors, &name, later, &Policy::DEFAULT).unwrap_err();
//! assert_eq!(err, tryst_cert::Error::Expired);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

mod builder;
mod crl;
pub mod der;
mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod names;
mod time;
mod verify;
mod x509;

pub use builder::{CertificateBuilder, CrlBuilder, DerWriter, spki_for};
pub use crl::{
    Crl, ExpiredCrlPolicy, MAX_CRL_ENTRIES, MAX_CRL_LEN, RevocationDepth, RevocationOptions,
    RevocationReason, RevokedCert, UnknownStatusPolicy, crls_from_pem,
};
pub use error::{BudgetLimit, CrlError, Error, alert};
pub use verify::{
    Budget, Policy, TrustAnchors, Usage, VerifiedPath, verify_client_cert, verify_path,
    verify_path_with_revocation, verify_server_cert,
};
pub use x509::{
    BasicConstraints, Certificate, KeyAlgorithm, KeyUsage, MAX_CERT_LEN, PublicKeyInfo,
};

pub use rustls_pki_types;

/// The README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use alloc::vec::Vec;
use rustls_pki_types::CertificateDer;

/// Every `CERTIFICATE` block in a PEM input (other block types are skipped).
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Error::BadTrustAnchor)
}
