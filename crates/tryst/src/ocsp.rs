//! OCSP stapling (RFC 6066 §8; RFC 8446 §4.4.2.1 for TLS 1.3).
//!
//! The client offers `status_request` (type ocsp, no responder ids, no request
//! extensions) in every hello when its config asks for it
//! ([`with_ocsp_stapling`](crate::ClientConfigBuilder::with_ocsp_stapling)). A server whose
//! certified key carries an OCSP response ([`CertifiedKey::with_ocsp`]) staples it when the
//! client offered the extension:
//!
//! - TLS 1.3: in the end-entity CertificateEntry's `status_request` extension.
//! - TLS 1.2: the ServerHello carries an empty `status_request` and a CertificateStatus
//!   (status_type ocsp) follows Certificate. Without a response the server does not
//!   acknowledge. On resumption nothing is stapled.
//!
//! The client hands the end entity's response to the verifier
//! ([`ServerCertVerifier::verify_ocsp_response`](crate::verify::ServerCertVerifier)) and
//! to the application ([`ClientConnection::peer_ocsp_response`](crate::ClientConnection::peer_ocsp_response)).
//! In TLS 1.2 it accepts CertificateStatus only after asking and seeing the
//! acknowledgement (else unexpected_message; an acknowledgement it did not ask for is
//! unsupported_extension), and, as RFC 6066 §8 allows, a server that acknowledged may
//! still send none (the hook then sees an empty response). tryst does not parse or check
//! OCSP responses itself.
//!
//! Client certificates (TLS 1.3 only; RFC 6066 §8 gives TLS 1.2 clients no way to
//! staple): a server built with
//! [`with_client_ocsp_stapling`](crate::ServerConfigBuilder::with_client_ocsp_stapling)
//! sends an empty `status_request` in its CertificateRequests (in the handshake and after
//! it, `crate::pha`); a client whose certified key has a response staples it to its leaf
//! entry only then; the server shows it to
//! [`ClientCertVerifier::verify_ocsp_response`](crate::verify::ClientCertVerifier::verify_ocsp_response)
//! and keeps it for
//! [`ServerConnection::peer_ocsp_response`](crate::ServerConnection::peer_ocsp_response).
//! A staple the server did not ask for is unsupported_extension.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::UnixTime;
use tryst_messages::{
    Certificate, CertificateEntry, CertificateStatus, ClientHello, Extension, OcspStatusRequest,
    Tls12HandshakeMessage,
};

use crate::config::CertifiedKey;

/// The `status_request` a client offers: OCSP, any responder, no request extensions.
pub(crate) fn client_offer() -> Extension<'static> {
    Extension::StatusRequest(OcspStatusRequest {
        responder_id_list: Cow::Borrowed(&[]),
        request_extensions: Cow::Borrowed(&[]),
    })
}

/// The certificate extensions of a ClientHello (`tls12`: it offers TLS 1.2 too):
/// status_request when stapling is on, post_handshake_auth (`crate::pha`) and
/// server_certificate_type (`crate::rpk`).
pub(crate) fn client_hello_extensions(
    config: &crate::ClientConfig,
    tls12: bool,
) -> Vec<Extension<'static>> {
    let mut exts = Vec::new();
    if config.ocsp_stapling {
        exts.push(client_offer());
    }
    if crate::pha::client_offers(config) {
        exts.push(Extension::PostHandshakeAuth);
    }
    exts.extend(crate::rpk::client_offer(config, tls12));
    exts
}

/// Whether `ch` asked for an OCSP staple (`status_request` with `status_type` ocsp; any
/// other status type parses as an unknown extension and gets nothing).
pub(crate) fn client_offered(ch: &ClientHello<'_>) -> bool {
    ch.extensions
        .iter()
        .any(|e| matches!(e, Extension::StatusRequest(_)))
}

/// The OCSP response to staple for `key` when the client's hello is `ch`.
pub(crate) fn to_staple<'k>(key: &'k CertifiedKey, ch: &ClientHello<'_>) -> Option<&'k [u8]> {
    key.ocsp.as_deref().filter(|_| client_offered(ch))
}

/// A Certificate message carrying `chain`, with `ocsp` in the end entity's entry.
pub(crate) fn certificate<'a>(
    context: &'a [u8],
    chain: &'a [CertificateDer<'static>],
    ocsp: Option<&'a [u8]>,
) -> Certificate<'a> {
    let mut certificate_list: Vec<CertificateEntry<'a>> = chain
        .iter()
        .map(|c| CertificateEntry::new(c.as_ref()))
        .collect();
    if let (Some(leaf), Some(resp)) = (certificate_list.first_mut(), ocsp) {
        leaf.extensions
            .push(Extension::OcspResponse(Cow::Borrowed(resp)));
    }
    Certificate {
        certificate_request_context: Cow::Borrowed(context),
        certificate_list,
    }
}

/// The OCSP response stapled to the end entity of `c`, if any. Entries may only carry
/// `status_request` if we offered it (checked with the other CertificateEntry
/// extensions). A response on an intermediate is allowed by RFC 8446 §4.4.2.1 ("the
/// CertificateEntry containing the associated certificate") but is not passed on.
pub(crate) fn stapled(c: &Certificate<'_>) -> Option<Vec<u8>> {
    c.certificate_list.first().and_then(|leaf| {
        leaf.extensions.iter().find_map(|e| match e {
            Extension::OcspResponse(r) => Some(r.to_vec()),
            _ => None,
        })
    })
}

/// TLS 1.2's CertificateStatus carrying `response` (RFC 6066 §8).
pub(crate) fn status(response: &[u8]) -> Tls12HandshakeMessage<'_> {
    Tls12HandshakeMessage::CertificateStatus(CertificateStatus {
        ocsp_response: Cow::Borrowed(response),
    })
}

/// TLS 1.2 client: show the verifier what was stapled for the end entity of `chain`
/// (None: the server acknowledged status_request but sent no CertificateStatus).
pub(crate) fn check_tls12_staple(
    verifier: &dyn crate::verify::ServerCertVerifier,
    chain: &[CertificateDer<'static>],
    staple: Option<&[u8]>,
    now: core::time::Duration,
) -> Result<(), crate::Error> {
    let (leaf, rest) = chain
        .split_first()
        .ok_or(crate::Error::Internal("no leaf"))?;
    let now = UnixTime::since_unix_epoch(now);
    verifier.verify_ocsp_response(leaf, rest, staple.unwrap_or_default(), now)
}

/// TLS 1.3 server: the `status_request` of our CertificateRequests, when the config wants
/// client staples.
pub(crate) fn certificate_request_extension(
    config: &crate::ServerConfig,
) -> Option<Extension<'static>> {
    config.client_ocsp.then_some(Extension::StatusRequestEmpty)
}

/// TLS 1.3 client: whether a CertificateRequest asks for our staple.
pub(crate) fn staple_requested(cr: &tryst_messages::CertificateRequest<'_>) -> bool {
    (cr.extensions.iter()).any(|e| matches!(e, Extension::StatusRequestEmpty))
}

/// TLS 1.3 client: what to staple to our certificate: `key`'s response, only when asked.
pub(crate) fn client_staple(key: &CertifiedKey, asked: bool) -> Option<&[u8]> {
    key.ocsp.as_deref().filter(|_| asked)
}

/// TLS 1.3 server: show the client verifier what the client stapled to the end entity of
/// `chain` (already verified; empty when nothing was), and keep it for the application.
/// A staple we did not ask for never gets here: the CertificateEntry extension check
/// refuses it (unsupported_extension).
pub(crate) fn check_client_staple(
    core: &mut crate::conn::Core,
    verifier: &dyn crate::verify::ClientCertVerifier,
    c: &Certificate<'_>,
    chain: &[CertificateDer<'static>],
    now: core::time::Duration,
) -> Result<(), crate::Error> {
    let (leaf, rest) = chain
        .split_first()
        .ok_or(crate::Error::Internal("no leaf"))?;
    let staple = stapled(c);
    let now = UnixTime::since_unix_epoch(now);
    verifier.verify_ocsp_response(leaf, rest, staple.as_deref().unwrap_or_default(), now)?;
    core.peer_ocsp = staple;
    Ok(())
}

impl CertifiedKey {
    /// Staple `response` (a DER OCSPResponse, RFC 6960) to this chain's end entity: as a
    /// server for clients that send `status_request` (TLS 1.3 and 1.2), as a TLS 1.3
    /// client for servers whose CertificateRequest carries it. An empty response staples
    /// nothing.
    /// tryst sends it as given: keep it fresh by building a new `CertifiedKey`.
    #[must_use]
    pub fn with_ocsp(mut self, response: Vec<u8>) -> Self {
        self.ocsp = (!response.is_empty()).then_some(response);
        self
    }

    /// The OCSP response stapled to this chain, if any.
    pub fn ocsp(&self) -> Option<&[u8]> {
        self.ocsp.as_deref()
    }
}
