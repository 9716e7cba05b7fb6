//! External pre-shared keys (RFC 8446 §4.2.11, §2.2): keys agreed out of band, named by an
//! identity both sides know. A handshake with one authenticates both sides by possession of
//! the key, with no certificate.
//!
//! tryst uses an external PSK with `psk_dhe_ke` only (fresh (EC)DHE keys on top of the PSK,
//! so a later leak of the PSK does not expose recorded sessions). Its binder uses the
//! `ext binder` label, so a key can never be confused with a resumption PSK, and it is
//! bound to one hash: a SHA-256 PSK is only ever used with a SHA-256 cipher suite (RFC 8446
//! §4.2.11: "the server MUST ensure that it selects a compatible PSK ... and cipher suite").
//! 0-RTT is never sent or accepted with an external PSK.

use alloc::vec::Vec;

use tryst_crypto::{HashAlgorithm, Secret};

use crate::Error;

/// The longest PSK identity accepted (RFC 8446 §4.2.11: `opaque identity<1..2^16-1>`;
/// tryst caps it lower, at what any sensible deployment uses).
pub const MAX_PSK_IDENTITY_LEN: usize = 1024;

/// An external PSK: an identity, the key and the hash it is used with.
///
/// The key is zeroized on drop and never printed: `Debug` shows the identity's length and
/// the hash only.
pub struct ExternalPsk {
    identity: Vec<u8>,
    secret: Secret,
    hash: HashAlgorithm,
}

impl core::fmt::Debug for ExternalPsk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExternalPsk")
            .field("identity_len", &self.identity.len())
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

impl ExternalPsk {
    /// A PSK named `identity` (1 to [`MAX_PSK_IDENTITY_LEN`] bytes) with key `secret` (16 to
    /// 64 bytes), used with cipher suites of `hash` (SHA-256 or SHA-384). OpenSSL's `-psk`
    /// keys are SHA-256 PSKs.
    pub fn new(identity: &[u8], secret: &[u8], hash: HashAlgorithm) -> Result<Self, Error> {
        if identity.is_empty() || identity.len() > MAX_PSK_IDENTITY_LEN {
            return Err(Error::Config(
                "PSK identity must be 1 to 1024 bytes (RFC 8446 §4.2.11)",
            ));
        }
        if secret.len() < 16 {
            return Err(Error::Config(
                "PSK key shorter than 16 bytes (128 bits): too weak",
            ));
        }
        let secret = Secret::from_slice(secret)
            .map_err(|_| Error::Config("PSK key longer than 64 bytes"))?;
        Ok(ExternalPsk {
            identity: identity.to_vec(),
            secret,
            hash,
        })
    }

    /// The identity both sides know the key by.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    /// The hash of the cipher suites this PSK may be used with.
    pub fn hash(&self) -> HashAlgorithm {
        self.hash
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }
}

/// The verifier of a client configured with an external PSK and nothing to check
/// certificates with: a server that does not select the PSK and presents a certificate is
/// refused (handshake_failure), never trusted.
pub(crate) struct NoCertificates;

impl crate::verify::ServerCertVerifier for NoCertificates {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls_pki_types::CertificateDer<'_>,
        _intermediates: &[rustls_pki_types::CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _now: rustls_pki_types::UnixTime,
    ) -> Result<crate::verify::CertificateVerified, Error> {
        Err(Error::incompatible(
            "server did not select our external PSK, and this client has no certificate verifier",
        ))
    }
}
