//! Raw public keys for the server (RFC 7250) in TLS 1.3: `server_certificate_type`.
//!
//! A client configured with pinned keys
//! ([`with_server_raw_public_keys`](crate::ClientConfigBuilder::with_server_raw_public_keys))
//! offers `server_certificate_type` with RawPublicKey alone (in hellos that offer TLS 1.3
//! alone), requires the server to select it in EncryptedExtensions, accepts exactly one
//! CertificateEntry holding a SubjectPublicKeyInfo that is byte-for-byte one of the
//! pinned keys, and checks CertificateVerify with that key. A server with
//! [`with_raw_public_key`](crate::ServerConfigBuilder::with_raw_public_key) sends its
//! certificate's SubjectPublicKeyInfo to clients that ask for RawPublicKey; a server that
//! cannot serve any type the client lists refuses with unsupported_certificate.
//!
//! Not done: `client_certificate_type` (raw keys for client authentication) and TLS 1.2.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use tryst_messages::{
    AlertDescription, Certificate, ClientHello, Extension, ExtensionType, SignatureScheme,
};

use crate::Error;
use crate::config::{CertifiedKey, ClientConfig, ServerConfig};
use crate::verify::SignatureVerified;

/// CertificateType X509 (RFC 7250 §3, the TLS certificate-type registry).
const X509: u8 = 0;
/// CertificateType RawPublicKey.
const RAW_PUBLIC_KEY: u8 = 2;

/// Pinned server keys: SubjectPublicKeyInfo DER, compared byte for byte.
pub(crate) type PinnedKeys = Vec<Vec<u8>>;

fn unsupported(rule: &'static str) -> Error {
    Error::misbehaved(AlertDescription::UnsupportedCertificate, rule)
}

/// The client's `server_certificate_type` offer: RawPublicKey only.
pub(crate) fn client_offer(config: &ClientConfig, tls12: bool) -> Option<Extension<'static>> {
    (config.server_raw_keys.is_some() && !tls12).then_some(Extension::Unknown {
        typ: ExtensionType::ServerCertificateType,
        data: Cow::Borrowed(&[1, RAW_PUBLIC_KEY]),
    })
}

fn raw_body<'m>(exts: &'m [Extension<'_>]) -> Option<&'m [u8]> {
    exts.iter().find_map(|e| match e {
        Extension::Unknown { typ, data } if *typ == ExtensionType::ServerCertificateType => {
            Some(data.as_ref())
        }
        _ => None,
    })
}

/// EncryptedExtensions on a client that asked for a raw key: in a `full` handshake the
/// server must have chosen RawPublicKey (RFC 7250 §4.2; it may not pick a type we did not
/// list); a resumed one authenticates by the PSK and carries no certificate.
pub(crate) fn client_check_ee(
    config: &ClientConfig,
    ee: &[Extension<'_>],
    full: bool,
) -> Result<(), Error> {
    if config.server_raw_keys.is_none() || (!full && raw_body(ee).is_none()) {
        return Ok(());
    }
    match raw_body(ee) {
        Some([RAW_PUBLIC_KEY]) => Ok(()),
        Some(_) => Err(Error::illegal(
            "server_certificate_type is not the one type we offered (RawPublicKey)",
        )),
        None => Err(unsupported(
            "server did not select RawPublicKey, the only server_certificate_type we offered",
        )),
    }
}

/// The server's Certificate under RawPublicKey: one entry, a SubjectPublicKeyInfo we
/// pinned. Returns it as the peer "certificate".
pub(crate) fn client_certificate(
    c: &Certificate<'_>,
    requested: &[ExtensionType],
    pinned: &PinnedKeys,
) -> Result<CertificateDer<'static>, Error> {
    let chain = crate::tls13::common::check_certificate(
        c,
        requested,
        "server Certificate has a certificate_request_context",
    )?;
    let [spki] = chain.as_slice() else {
        return Err(Error::misbehaved(
            AlertDescription::DecodeError,
            "a raw public key Certificate must hold exactly one entry (RFC 7250 §3)",
        ));
    };
    tryst_cert::PublicKeyInfo::from_der(spki.as_ref()).map_err(|_| {
        Error::misbehaved(
            AlertDescription::BadCertificate,
            "the raw public key is not a SubjectPublicKeyInfo we can use",
        )
    })?;
    if !pinned.iter().any(|k| k.as_slice() == spki.as_ref()) {
        return Err(Error::misbehaved(
            AlertDescription::BadCertificate,
            "the server's raw public key is not one we pinned",
        ));
    }
    Ok(spki.clone())
}

/// Check CertificateVerify with a raw key (RFC 8446 §4.4.3 with RFC 7250 §3).
pub(crate) fn verify_signature(
    message: &[u8],
    spki: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    config: &ClientConfig,
) -> Result<SignatureVerified, Error> {
    let alg = crate::suites::signature_algorithm(scheme).ok_or(Error::illegal(
        "CertificateVerify uses a signature scheme that is not allowed in TLS 1.3",
    ))?;
    let key = tryst_cert::PublicKeyInfo::from_der(spki.as_ref())?;
    let policy = tryst_cert::Policy::DEFAULT;
    key.verify_with(
        config.common.provider.verifier,
        alg,
        message,
        signature,
        policy.min_rsa_bits,
    )
    .map_err(|e| match e {
        tryst_cert::Error::BadSignature => Error::misbehaved(
            AlertDescription::DecryptError,
            "CertificateVerify does not verify with the raw public key",
        ),
        tryst_cert::Error::SignatureAlgorithmMismatch => {
            Error::illegal("CertificateVerify scheme does not match the raw public key")
        }
        other => Error::Certificate(other),
    })?;
    Ok(SignatureVerified::assertion())
}

/// What the server answers to the client's `server_certificate_type`: `Some(true)` for
/// RawPublicKey, `Some(false)` for X.509 (listed, or the extension absent), an error when
/// it can serve none of the listed types (RFC 7250 §4.2).
pub(crate) fn server_choice(config: &ServerConfig, ch: &ClientHello<'_>) -> Result<bool, Error> {
    let Some(body) = raw_body(&ch.extensions) else {
        return Ok(false);
    };
    let types = match body.split_first() {
        Some((&len, rest)) if usize::from(len) == rest.len() && !rest.is_empty() => rest,
        _ => {
            return Err(Error::misbehaved(
                AlertDescription::DecodeError,
                "malformed server_certificate_type",
            ));
        }
    };
    if config.raw_public_key && types.contains(&RAW_PUBLIC_KEY) {
        return Ok(true);
    }
    if types.contains(&X509) {
        return Ok(false);
    }
    Err(unsupported(
        "the client lists no server_certificate_type we can serve",
    ))
}

/// The EncryptedExtensions entry for a RawPublicKey choice.
pub(crate) fn server_ee() -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::ServerCertificateType,
        data: Cow::Borrowed(&[RAW_PUBLIC_KEY]),
    }
}

/// The SubjectPublicKeyInfo of `key`'s end entity, sent instead of its chain.
pub(crate) fn spki_of(key: &CertifiedKey) -> Result<CertificateDer<'static>, Error> {
    let leaf = key.chain.first().ok_or(Error::Internal("empty chain"))?;
    let cert = tryst_cert::Certificate::from_der(leaf.as_ref())?;
    Ok(CertificateDer::from(cert.public_key()?.spki_der.to_vec()))
}
