//! Raw public keys (RFC 7250) for both sides, in TLS 1.3 and TLS 1.2:
//! `server_certificate_type` and `client_certificate_type`.
//!
//! Server keys. A client configured with pinned keys
//! ([`with_server_raw_public_keys`](crate::ClientConfigBuilder::with_server_raw_public_keys))
//! offers `server_certificate_type` with RawPublicKey alone, requires the server to select
//! it (EncryptedExtensions in TLS 1.3, ServerHello in TLS 1.2), accepts exactly one
//! SubjectPublicKeyInfo that is byte for byte one of the pinned keys, and checks
//! CertificateVerify (TLS 1.2: the ServerKeyExchange signature) with that key. A server
//! with [`with_raw_public_key`](crate::ServerConfigBuilder::with_raw_public_key) sends its
//! certificate's SubjectPublicKeyInfo to clients that ask for RawPublicKey; a server that
//! cannot serve any type the client lists refuses with unsupported_certificate.
//!
//! Client keys. A client with a [`RawKeyPair`]
//! ([`with_client_raw_public_key`](crate::ClientConfigBuilder::with_client_raw_public_key))
//! offers `client_certificate_type` with RawPublicKey, then X509 when it also has a
//! certificate. A server with pinned client keys
//! ([`with_client_raw_public_keys`](crate::ServerConfigBuilder::with_client_raw_public_keys),
//! checked by `PinnedClientKeys`, which replaces the X.509 client verifier) selects
//! RawPublicKey for clients that list it and asks for the key; a client that cannot send
//! one is refused with unsupported_certificate when a key is required and is not asked
//! otherwise. The key is checked like the server's (one entry, pinned byte for byte,
//! CertificateVerify), an empty answer to a required request is certificate_required (TLS
//! 1.2: handshake_failure), and the application sees the key through
//! [`peer_raw_public_key`](crate::ConnectionCommon::peer_raw_public_key). A client refuses
//! a `client_certificate_type` it did not offer, one sent with no CertificateRequest, or
//! one in a resumed handshake (illegal_parameter).
//!
//! Tickets: a session authenticated by a raw client key records the key as its client
//! "certificate", and the ticket is bound to the pins (their hash is the verifier's
//! resumption identity): it resumes only under the same pins, after the key is checked
//! against them again, and the resumed session reports the same key. Post-handshake
//! authentication asks for X.509 certificates only: a server whose handshake verifier is
//! a raw-key one needs its own post-handshake verifier (the request fails otherwise).
//!
//! Wire forms: in TLS 1.3 the key is the `cert_data` of one CertificateEntry; in TLS 1.2
//! the Certificate body is `opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>` itself, not a
//! certificate list (RFC 7250 §3); a TLS 1.2 client without a key sends three zero bytes.

use alloc::borrow::Cow;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use tryst_messages::{
    AlertDescription, Certificate, ClientHello, Extension, ExtensionType, SignatureScheme,
};

use tryst_crypto::Signer;

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

/// The client's certificate-type offers: `server_certificate_type` with RawPublicKey
/// only when server keys are pinned; `client_certificate_type` with RawPublicKey when we
/// have a raw key for client authentication, followed by X509 when we also have a
/// certificate (our preference order: the raw key first).
/// Offered whether or not the hello offers TLS 1.2 too (`_tls12`): both versions do
/// RFC 7250.
pub(crate) fn client_offer(config: &ClientConfig, _tls12: bool) -> Vec<Extension<'static>> {
    let mut out = Vec::new();
    if config.server_raw_keys.is_some() {
        out.push(Extension::Unknown {
            typ: ExtensionType::ServerCertificateType,
            data: Cow::Borrowed(&[1, RAW_PUBLIC_KEY]),
        });
    }
    if config.client_raw_key.is_some() {
        let types: &'static [u8] = match config.client_auth {
            Some(_) => &[2, RAW_PUBLIC_KEY, X509],
            None => &[1, RAW_PUBLIC_KEY],
        };
        out.push(Extension::Unknown {
            typ: ExtensionType::ClientCertificateType,
            data: Cow::Borrowed(types),
        });
    }
    out
}

fn raw_body<'m>(exts: &'m [Extension<'_>]) -> Option<&'m [u8]> {
    body_of(exts, ExtensionType::ServerCertificateType)
}

fn body_of<'m>(exts: &'m [Extension<'_>], want: ExtensionType) -> Option<&'m [u8]> {
    exts.iter().find_map(|e| match e {
        Extension::Unknown { typ, data } if *typ == want => Some(data.as_ref()),
        _ => None,
    })
}

/// The types of a ClientHello's certificate-type list (`CertificateType
/// types<1..2^8-1>`), or decode_error.
fn offered_types<'m>(
    ch: &'m ClientHello<'_>,
    want: ExtensionType,
) -> Result<Option<&'m [u8]>, Error> {
    let Some(body) = body_of(&ch.extensions, want) else {
        return Ok(None);
    };
    match body.split_first() {
        Some((&len, rest)) if usize::from(len) == rest.len() && !rest.is_empty() => Ok(Some(rest)),
        _ => Err(Error::misbehaved(
            AlertDescription::DecodeError,
            "malformed certificate type list in ClientHello",
        )),
    }
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
    check_pinned(&chain, pinned)
}

/// The server's raw key: one entry, a usable SubjectPublicKeyInfo, one of the pins.
fn check_pinned(
    chain: &[CertificateDer<'static>],
    pinned: &PinnedKeys,
) -> Result<CertificateDer<'static>, Error> {
    let one = match chain {
        [spki] => Some(spki),
        _ => None,
    };
    check_raw_key(one, pinned, RawKeyOf::Server).cloned()
}

/// Whose raw key [`check_raw_key`] checks (its error texts name the peer).
#[derive(Clone, Copy)]
enum RawKeyOf {
    Server,
    Client,
}

/// A peer's raw key (RFC 7250 §3): `one` is the Certificate message's only entry (`None`
/// when it held another number: decode_error); it must be a SubjectPublicKeyInfo we can
/// use and byte for byte one of `pinned` (otherwise bad_certificate). Returns it.
fn check_raw_key<'c, 'a>(
    one: Option<&'c CertificateDer<'a>>,
    pinned: &PinnedKeys,
    of: RawKeyOf,
) -> Result<&'c CertificateDer<'a>, Error> {
    let Some(spki) = one else {
        return Err(Error::misbehaved(
            AlertDescription::DecodeError,
            "a raw public key Certificate must hold exactly one entry (RFC 7250 §3)",
        ));
    };
    tryst_cert::PublicKeyInfo::from_der(spki.as_ref()).map_err(|_| {
        Error::misbehaved(
            AlertDescription::BadCertificate,
            match of {
                RawKeyOf::Server => "the raw public key is not a SubjectPublicKeyInfo we can use",
                RawKeyOf::Client => {
                    "the client's raw public key is not a SubjectPublicKeyInfo we can use"
                }
            },
        )
    })?;
    if !pinned.iter().any(|k| k.as_slice() == spki.as_ref()) {
        return Err(Error::misbehaved(
            AlertDescription::BadCertificate,
            match of {
                RawKeyOf::Server => "the server's raw public key is not one we pinned",
                RawKeyOf::Client => "the client's raw public key is not one we pinned",
            },
        ));
    }
    Ok(spki)
}

/// Check CertificateVerify with a raw key (RFC 8446 §4.4.3 with RFC 7250 §3).
pub(crate) fn verify_signature(
    message: &[u8],
    spki: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    config: &ClientConfig,
) -> Result<SignatureVerified, Error> {
    let verifier = config.common.provider.verifier;
    check_signature(verifier, message, spki, (scheme, false), signature)
}

/// The signature over `message` by the raw key `spki`; `tls12` allows the TLS 1.2
/// schemes (RSASSA-PKCS1-v1_5).
fn check_signature(
    verifier: &dyn tryst_crypto::Verifier,
    message: &[u8],
    spki: &CertificateDer<'_>,
    (scheme, tls12): (SignatureScheme, bool),
    signature: &[u8],
) -> Result<SignatureVerified, Error> {
    let alg = match tls12 {
        true => crate::suites::tls12_signature_algorithm(scheme),
        false => crate::suites::signature_algorithm(scheme),
    }
    .ok_or(Error::illegal(
        "handshake signature uses a scheme that is not allowed in this version",
    ))?;
    let key = tryst_cert::PublicKeyInfo::from_der(spki.as_ref())?;
    let policy = tryst_cert::Policy::DEFAULT;
    key.verify_with(verifier, alg, message, signature, policy.min_rsa_bits)
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
    let Some(types) = offered_types(ch, ExtensionType::ServerCertificateType)? else {
        return Ok(false);
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

// ---- Client authentication with raw public keys (`client_certificate_type`) ----

/// A private key and its SubjectPublicKeyInfo: what a client authenticates with when the
/// server accepts raw public keys (RFC 7250 `client_certificate_type`). No certificate
/// is needed.
pub struct RawKeyPair {
    /// Held as a one-entry "chain" (the SPKI) so the Certificate and CertificateVerify
    /// code paths are the certificate ones.
    pub(crate) key: Arc<CertifiedKey>,
}

impl core::fmt::Debug for RawKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawKeyPair")
            .field("scheme", &self.key.scheme)
            .finish_non_exhaustive()
    }
}

impl RawKeyPair {
    /// `spki_der` (a DER SubjectPublicKeyInfo) with `signer` for its key. Fails when the
    /// SPKI does not parse, the signer cannot sign TLS 1.3 handshakes, or its public key
    /// is not the one in `spki_der`.
    pub fn new(spki_der: Vec<u8>, signer: Arc<dyn Signer>) -> Result<Self, Error> {
        let scheme = crate::suites::signature_scheme(signer.algorithm()).ok_or(Error::Config(
            "the private key's algorithm cannot sign TLS 1.3 handshakes",
        ))?;
        let info = tryst_cert::PublicKeyInfo::from_der(&spki_der)
            .map_err(|_| Error::Config("the public key is not a SubjectPublicKeyInfo"))?;
        if info.key != signer.public_key().as_slice() {
            return Err(Error::Config(
                "the private key does not match the public key",
            ));
        }
        Ok(RawKeyPair {
            key: Arc::new(CertifiedKey {
                chain: alloc::vec![CertificateDer::from(spki_der)],
                signer,
                scheme,
                compressed: crate::compress::Cache::default(),
                ocsp: None,
            }),
        })
    }

    /// `signer` with the SubjectPublicKeyInfo made from its public key.
    pub fn from_signer(signer: Arc<dyn Signer>) -> Result<Self, Error> {
        let spki = tryst_cert::spki_for(signer.as_ref())?;
        Self::new(spki, signer)
    }

    /// From a PKCS#8 private key (DER) loaded by `provider`'s key loader, with the
    /// SubjectPublicKeyInfo made from its public key.
    pub fn from_pkcs8(
        pkcs8_key: &[u8],
        provider: &tryst_crypto::CryptoProvider,
    ) -> Result<Self, Error> {
        let signer = provider.key_loader.load_pkcs8_der(pkcs8_key).map_err(|_| {
            Error::Config("the private key is not a PKCS#8 key the crypto provider can load")
        })?;
        Self::from_signer(Arc::from(signer))
    }

    /// From DER: the SubjectPublicKeyInfo and a PKCS#8 private key, loaded by the default
    /// crypto provider.
    pub fn from_der(spki_der: Vec<u8>, pkcs8_key: &[u8]) -> Result<Self, Error> {
        Self::from_der_with_provider(spki_der, pkcs8_key, &tryst_crypto::RUSTCRYPTO)
    }

    /// [`RawKeyPair::from_der`] with the key loaded by `provider`'s key loader.
    pub fn from_der_with_provider(
        spki_der: Vec<u8>,
        pkcs8_key: &[u8],
        provider: &tryst_crypto::CryptoProvider,
    ) -> Result<Self, Error> {
        let signer = provider.key_loader.load_pkcs8_der(pkcs8_key).map_err(|_| {
            Error::Config("the private key is not a PKCS#8 key the crypto provider can load")
        })?;
        Self::new(spki_der, Arc::from(signer))
    }

    /// The key of `cert`'s end entity, without the certificate.
    pub fn from_certified_key(cert: &CertifiedKey) -> Result<Self, Error> {
        Self::new(spki_of(cert)?.as_ref().to_vec(), Arc::clone(&cert.signer))
    }

    /// The SubjectPublicKeyInfo (DER) the server sees.
    pub fn spki(&self) -> &[u8] {
        self.key.chain.first().map_or(&[], |c| c.as_ref())
    }
}

/// What raw public keys did on one connection.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RpkState {
    /// Client: the server's client_certificate_type choice (None: it sent none, so
    /// X.509); `Some(true)` for RawPublicKey.
    pub(crate) client_type: Option<bool>,
    /// The peer authenticated with a raw public key (its "certificate" is the SPKI).
    pub(crate) peer_raw: bool,
    /// Server, TLS 1.2: we send our raw key instead of the certificate.
    pub(crate) own_raw: bool,
}

/// EncryptedExtensions on the client: the `client_certificate_type` the server chose, if
/// any (RFC 7250 §4.2). It must be one we offered, as a single type, and only in a full
/// handshake (a server that resumes asks for no certificate).
pub(crate) fn client_check_ee_client_type(
    config: &ClientConfig,
    ee: &[Extension<'_>],
    full: bool,
) -> Result<Option<bool>, Error> {
    let Some(body) = body_of(ee, ExtensionType::ClientCertificateType) else {
        return Ok(None);
    };
    if !full {
        return Err(Error::illegal(
            "client_certificate_type in a resumed handshake, which has no CertificateRequest",
        ));
    }
    match body {
        [RAW_PUBLIC_KEY] if config.client_raw_key.is_some() => Ok(Some(true)),
        [X509] if config.client_auth.is_some() => Ok(Some(false)),
        [_] => Err(Error::illegal(
            "server chose a client_certificate_type we did not offer",
        )),
        _ => Err(Error::misbehaved(
            AlertDescription::DecodeError,
            "client_certificate_type in EncryptedExtensions must be one type",
        )),
    }
}

/// The server's Certificate came with no CertificateRequest before it: it must not have
/// chosen a client_certificate_type (RFC 7250 §4.2: only a server that requests a
/// certificate sends one).
pub(crate) fn client_check_unrequested(state: &RpkState) -> Result<(), Error> {
    match state.client_type {
        Some(_) => Err(Error::illegal(
            "server chose a client_certificate_type but sent no CertificateRequest",
        )),
        None => Ok(()),
    }
}

/// A key to authenticate with and the scheme it signs with, if any.
pub(crate) type OwnKey = Option<(Arc<CertifiedKey>, SignatureScheme)>;

/// The raw key to answer a CertificateRequest with, when the server chose RawPublicKey
/// (`Some`, possibly with no key usable for its schemes: then an empty Certificate);
/// `None` when the certificate resolver decides.
pub(crate) fn client_own_key(
    state: &RpkState,
    config: &ClientConfig,
    schemes: &[SignatureScheme],
) -> Option<OwnKey> {
    if state.client_type != Some(true) {
        return None;
    }
    Some(config.client_raw_key.as_ref().and_then(|k| {
        k.key
            .choose_scheme(schemes, tryst_messages::ProtocolVersion::Tls13)
            .map(|s| (Arc::clone(&k.key), s))
    }))
}

/// Whether a server that accepts raw client keys asks this client for one: when the
/// client lists RawPublicKey in `client_certificate_type`. A client that cannot send one
/// is refused with unsupported_certificate when a key is required, and is not asked
/// otherwise. Always false for servers that do not accept raw client keys.
pub(crate) fn server_requests_raw(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
) -> Result<bool, Error> {
    if !config.client_raw_keys {
        return Ok(false);
    }
    let types = offered_types(ch, ExtensionType::ClientCertificateType)?;
    if types.is_some_and(|t| t.contains(&RAW_PUBLIC_KEY)) {
        return Ok(true);
    }
    let mandatory = (config.client_verifier.as_ref()).is_some_and(|v| v.client_auth_mandatory());
    if mandatory {
        return Err(unsupported(
            "the client cannot authenticate with a raw public key, and one is required",
        ));
    }
    Ok(false)
}

/// The EncryptedExtensions entry for a RawPublicKey client_certificate_type.
pub(crate) fn server_ee_client_type() -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::ClientCertificateType,
        data: Cow::Borrowed(&[RAW_PUBLIC_KEY]),
    }
}

/// Checks a client's raw public key: exactly one entry, a SubjectPublicKeyInfo that is
/// byte for byte one of the pinned keys; its CertificateVerify with that key.
pub(crate) struct PinnedClientKeys {
    pins: PinnedKeys,
    mandatory: bool,
    verifier: &'static dyn tryst_crypto::Verifier,
}

impl PinnedClientKeys {
    pub(crate) fn new(
        pins: PinnedKeys,
        mandatory: bool,
        verifier: &'static dyn tryst_crypto::Verifier,
    ) -> Result<Self, Error> {
        if pins.is_empty() {
            return Err(Error::Config("no client raw public keys to accept"));
        }
        if (pins.iter()).any(|p| tryst_cert::PublicKeyInfo::from_der(p).is_err()) {
            return Err(Error::Config(
                "a pinned client key is not a SubjectPublicKeyInfo",
            ));
        }
        Ok(PinnedClientKeys {
            pins,
            mandatory,
            verifier,
        })
    }
}

impl crate::verify::ClientCertVerifier for PinnedClientKeys {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    /// SHA-256 over the pinned keys (in order) and whether one is required: a ticket
    /// from a session under other pins is never resumed here.
    fn resumption_identity(&self) -> Vec<u8> {
        let mut h = tryst_crypto::SHA256.start();
        h.update(b"tryst PinnedClientKeys v1");
        for p in &self.pins {
            h.update(&u64::try_from(p.len()).unwrap_or(u64::MAX).to_be_bytes());
            h.update(p);
        }
        h.update(&[u8::from(self.mandatory)]);
        h.finish().as_bytes().to_vec()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<crate::verify::CertificateVerified, Error> {
        let one = intermediates.is_empty().then_some(end_entity);
        check_raw_key(one, &self.pins, RawKeyOf::Client)?;
        Ok(crate::verify::CertificateVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        check_signature(
            self.verifier,
            message,
            end_entity,
            (scheme, false),
            signature,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        check_signature(
            self.verifier,
            message,
            end_entity,
            (scheme, true),
            signature,
        )
    }
}

/// Server: record for `peer_raw_public_key` that the client's key (`has_peer`) is a raw
/// one, which it is whenever the config pins raw client keys (`PinnedClientKeys` accepts
/// nothing else, and a resumed ticket's key was checked by it again).
pub(crate) fn server_note_peer(config: &ServerConfig, state: &mut RpkState, has_peer: bool) {
    state.peer_raw = config.client_raw_keys && has_peer;
}

/// Post-handshake authentication asks for X.509 certificates: a server whose handshake
/// verifier takes raw keys needs its own post-handshake verifier.
pub(crate) fn check_pha_verifier(config: &ServerConfig) -> Result<(), Error> {
    match config.client_raw_keys && config.pha_verifier.is_none() {
        true => Err(Error::Config(
            "raw public keys are negotiated in the handshake only: post-handshake authentication needs with_post_handshake_client_verifier",
        )),
        false => Ok(()),
    }
}

// ---- TLS 1.2 (RFC 7250 §3: the Certificate message holds the SPKI itself) ----

/// A TLS 1.2 Certificate message under RawPublicKey, framed: `opaque
/// ASN.1_subjectPublicKeyInfo<1..2^24-1>` as the whole body, not a list of certificates
/// (RFC 7250 §3). `None` sends the empty certificate list of a client without a key.
pub(crate) fn tls12_certificate(spki: Option<&[u8]>) -> Result<Vec<u8>, Error> {
    let mut w = tryst_messages::Writer::new();
    w.u8(11);
    w.u24_prefixed("Certificate", |w| {
        w.u24_prefixed("ASN.1_subjectPublicKeyInfo", |w| {
            w.bytes(spki.unwrap_or_default())
        });
    });
    Ok(w.finish()?)
}

/// A TLS 1.2 Certificate message under RawPublicKey: the SPKI, or nothing for the empty
/// list a client without a key sends (the form is the same: three zero bytes).
pub(crate) fn tls12_parse_certificate(
    raw: &tryst_messages::RawHandshake<'_>,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    if raw.typ != tryst_messages::HandshakeType::Certificate {
        return Err(crate::tls13::common::unexpected(raw));
    }
    let field = "ASN.1_subjectPublicKeyInfo";
    let spki = tryst_messages::Reader::read_all(raw.body, field, |r| {
        r.sub_u24(field, 0, 0xff_ffff, |r| Ok(r.rest()))
    })
    .map_err(|_| {
        Error::misbehaved(
            AlertDescription::DecodeError,
            "malformed raw public key Certificate (RFC 7250 §3)",
        )
    })?;
    Ok(match spki.is_empty() {
        true => Vec::new(),
        false => alloc::vec![CertificateDer::from(spki.to_vec())],
    })
}

/// Client, TLS 1.2 ServerHello: the certificate types the server chose (the TLS 1.3
/// rules, read from the ServerHello); the CertificateRequest check comes with
/// ServerHelloDone.
pub(crate) fn tls12_client_server_hello(
    config: &ClientConfig,
    state: &mut RpkState,
    exts: &[Extension<'_>],
    full: bool,
) -> Result<(), Error> {
    state.client_type = client_check_ee_client_type(config, exts, full)?;
    client_check_ee(config, exts, full)
}

/// Client, TLS 1.2: the server's Certificate under RawPublicKey, checked against the pins.
pub(crate) fn tls12_client_server_key(
    raw: &tryst_messages::RawHandshake<'_>,
    pinned: &PinnedKeys,
    state: &mut RpkState,
) -> Result<CertificateDer<'static>, Error> {
    let spki = check_pinned(&tls12_parse_certificate(raw)?, pinned)?;
    state.peer_raw = true;
    Ok(spki)
}

/// Client, TLS 1.2: the ServerKeyExchange signature by the server's raw key.
pub(crate) fn tls12_verify_signature(
    message: &[u8],
    spki: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    config: &ClientConfig,
) -> Result<SignatureVerified, Error> {
    let verifier = config.common.provider.verifier;
    check_signature(verifier, message, spki, (scheme, true), signature)
}

/// Client, TLS 1.2: our raw key and its TLS 1.2 scheme when the server chose
/// RawPublicKey (`Some(None)`: no key for its schemes, an empty Certificate).
pub(crate) fn tls12_client_own_key(
    state: &RpkState,
    config: &ClientConfig,
    schemes: &[SignatureScheme],
) -> Option<OwnKey> {
    if state.client_type != Some(true) {
        return None;
    }
    Some(config.client_raw_key.as_ref().and_then(|k| {
        crate::tls12::common::signing_scheme(&k.key, schemes).map(|s| (Arc::clone(&k.key), s))
    }))
}

/// Server, TLS 1.2: the ServerHello's certificate-type answers (full handshakes only),
/// recording what this connection sends and expects.
pub(crate) fn tls12_server_hello_extensions(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    state: &mut RpkState,
) -> Result<Vec<Extension<'static>>, Error> {
    let mut exts = Vec::new();
    if server_choice(config, ch)? {
        state.own_raw = true;
        exts.push(server_ee());
    }
    if server_requests_raw(config, ch)? {
        state.client_type = Some(true);
        exts.push(server_ee_client_type());
    }
    Ok(exts)
}
