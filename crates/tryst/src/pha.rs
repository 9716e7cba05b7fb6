//! Post-handshake client authentication (RFC 8446 §4.6.2).
//!
//! A client configured with a certificate (or resolver) and
//! [`with_post_handshake_auth`](crate::ClientConfigBuilder::with_post_handshake_auth)
//! sends `post_handshake_auth`. After the handshake, a server that saw it may call
//! [`ServerConnection::request_client_certificate`](crate::ServerConnection::request_client_certificate):
//! a CertificateRequest with a fresh, non-empty context goes out under the application
//! key; the client answers with Certificate, CertificateVerify (when it has a key for one
//! of the schemes) and Finished, each exchange hashed over the handshake's transcript
//! (through the client's Finished) plus its own messages, with the Finished key derived
//! from the current client_application_traffic_secret (§4.4). The server checks the chain
//! with its config's client verifier, and on success replaces the peer certificates.
//!
//! A client that already sent close_notify leaves a request unanswered.
//! The client refuses a CertificateRequest it did not offer post_handshake_auth for
//! (unexpected_message), one with an empty or reused context (illegal_parameter) and more
//! than [`MAX_REQUESTS`] of them.
//!
//! After a successful authentication, a server that issues tickets sends
//! `ticket_count` fresh NewSessionTickets (nonces `p`, batch, index: distinct from the
//! handshake's one-byte nonces) derived from the handshake's resumption_master_secret;
//! they record the chain just verified (`TicketClientAuth::PostHandshake`), so resuming
//! one reports that certificate. Tickets sent before keep what the handshake recorded. A
//! resuming server accepts such a ticket only if its verifiers still accept the chain
//! (`crate::tls13::resumption::ticket_fits`). When the config asks for client OCSP
//! staples (`crate::ocsp`), the CertificateRequest carries status_request and the client
//! staples its response.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};
use tryst_keyschedule::{ResumptionMasterSecret, Transcript};
use tryst_messages::{
    AlertDescription, CertificateRequest, ExtensionContext, ExtensionType, HandshakeMessage,
    ProtocolVersion, RawHandshake, SignatureScheme, allowed_in,
};

use crate::Error;
use crate::config::{ClientConfig, ServerConfig};
use crate::conn::{Core, Event, Side};
use crate::tls13::common;
use crate::tls13::resumption::TicketClientAuth;
use crate::verify::ClientCertVerifier;

/// How many post-handshake CertificateRequests one connection answers (each context is
/// remembered to refuse reuse, so the list needs a bound).
pub const MAX_REQUESTS: usize = 64;

/// Where post-handshake authentication stands on a server connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostHandshakeAuth {
    /// The client did not send post_handshake_auth (or the connection is not TLS 1.3).
    NotOffered,
    /// The client offered it; nothing was requested yet.
    Offered,
    /// A CertificateRequest is out; the client has not finished answering.
    Pending,
    /// The client's certificate was verified; `peer_certificates()` holds it.
    Authenticated,
    /// The client answered with no certificate and the verifier allowed that.
    NoCertificate,
}

/// The client's side: the handshake transcript and the contexts seen so far.
pub(crate) struct ClientPha {
    transcript: Transcript,
    seen: Vec<Vec<u8>>,
}

impl ClientPha {
    /// After our Finished, when we offered post_handshake_auth.
    pub(crate) fn new(transcript: &Transcript) -> Self {
        ClientPha {
            transcript: transcript.fork(),
            seen: Vec::new(),
        }
    }
}

/// Whether the client offers post_handshake_auth: it must have a way to authenticate.
pub(crate) fn client_offers(config: &ClientConfig) -> bool {
    config.post_handshake_auth && config.client_auth.is_some()
}

/// Check a post-handshake CertificateRequest and remember its context.
fn check_request(
    pha: Option<&mut ClientPha>,
    cr: &CertificateRequest<'_>,
) -> Result<Vec<SignatureScheme>, Error> {
    let Some(pha) = pha else {
        return Err(Error::unexpected(
            "CertificateRequest after the handshake, but we did not offer post_handshake_auth (RFC 8446 §4.6.2)",
        ));
    };
    if (cr.extensions.iter())
        .any(|e| !allowed_in(e.ext_type(), ExtensionContext::CertificateRequest))
    {
        return Err(Error::illegal(
            "extension not allowed in CertificateRequest",
        ));
    }
    let context = cr.certificate_request_context.as_ref();
    if context.is_empty() {
        return Err(Error::illegal(
            "post-handshake CertificateRequest with an empty certificate_request_context (the handshake's)",
        ));
    }
    if pha.seen.iter().any(|c| c.as_slice() == context) {
        return Err(Error::illegal(
            "certificate_request_context used twice in one connection (RFC 8446 §4.3.2)",
        ));
    }
    if pha.seen.len() >= MAX_REQUESTS {
        return Err(Error::misbehaved(
            AlertDescription::UnexpectedMessage,
            "too many post-handshake CertificateRequests",
        ));
    }
    pha.seen.push(context.to_vec());
    cr.signature_algorithms()
        .map(<[SignatureScheme]>::to_vec)
        .ok_or(Error::misbehaved(
            AlertDescription::MissingExtension,
            "CertificateRequest without signature_algorithms",
        ))
}

/// Answer a post-handshake CertificateRequest (RFC 8446 §4.6.2): Certificate with our
/// chain (empty if no key fits), CertificateVerify if we have a key, Finished.
pub(crate) fn client_answer(
    core: &mut Core,
    config: &ClientConfig,
    pha: Option<&mut ClientPha>,
    raw: &RawHandshake<'_>,
    cr: &CertificateRequest<'_>,
) -> Result<(), Error> {
    let base = pha.as_ref().map(|p| p.transcript.fork());
    let schemes = check_request(pha, cr)?;
    if core.close.sent_close_notify {
        // Our side is closed (RFC 8446 §6.1): nothing more can be sent, not even an
        // answer; the server sees our close_notify instead.
        return Ok(());
    }
    let mut t = base.ok_or(Error::Internal("no transcript"))?;
    t.add(raw.encoded)?;
    let authorities: Vec<Cow<'static, [u8]>> =
        (cr.certificate_authorities().unwrap_or_default().iter())
            .map(|a| Cow::Owned(a.to_vec()))
            .collect();
    let version = ProtocolVersion::Tls13;
    let view = crate::resolve::CertificateRequest::new(&schemes, &authorities, version);
    let key = (config.client_auth.as_ref())
        .and_then(|r| r.resolve(&view))
        .and_then(|k| k.choose_scheme(&schemes, version).map(|s| (k, s)));
    let context = cr.certificate_request_context.as_ref();
    match &key {
        Some((k, scheme)) => {
            let staple = crate::ocsp::client_staple(k, crate::ocsp::staple_requested(cr));
            common::send_certificate(core, &mut t, context, &k.chain, staple)?;
            common::send_certificate_verify(core, &mut t, k, *scheme, &config.common)?;
        }
        None => common::send_certificate(core, &mut t, context, &[], None)?,
    }
    let traffic = core
        .traffic
        .as_ref()
        .ok_or(Error::Internal("no traffic keys"))?;
    let (suite, secret) = (
        traffic.suite,
        traffic.schedule.client_traffic_secret().duplicate(),
    );
    common::send_finished(core, &suite, &secret, &mut t)
}

/// The server's side, kept in the connection's core.
pub(crate) struct ServerPha {
    config: Arc<ServerConfig>,
    /// The handshake transcript through the client's Finished (set when it arrives).
    transcript: Option<Transcript>,
    sent: usize,
    pending: Option<Pending>,
    status: PostHandshakeAuth,
    /// The handshake's resumption_master_secret, kept when the config issues tickets:
    /// each successful authentication is followed by fresh tickets that record it.
    resumption: Option<ResumptionMasterSecret>,
    /// Post-handshake ticket batches sent (part of their nonces).
    ticket_batches: u8,
}

/// One outstanding request.
struct Pending {
    context: Vec<u8>,
    /// The CertificateEntry extensions our request allows (status_request, `crate::ocsp`).
    requested: Vec<ExtensionType>,
    transcript: Transcript,
    verifier: Arc<dyn ClientCertVerifier>,
    stage: Stage,
}

enum Stage {
    Certificate,
    CertificateVerify(Vec<CertificateDer<'static>>),
    /// The chain (empty: no certificate) after its CertificateVerify.
    Finished(Vec<CertificateDer<'static>>),
}

impl ServerPha {
    /// The client offered post_handshake_auth.
    pub(crate) fn offered(config: &Arc<ServerConfig>) -> Box<Self> {
        Box::new(ServerPha {
            config: config.clone(),
            transcript: None,
            sent: 0,
            pending: None,
            status: PostHandshakeAuth::Offered,
            resumption: None,
            ticket_batches: 0,
        })
    }

    /// The handshake is over: keep its transcript for later requests.
    pub(crate) fn handshake_done(&mut self, transcript: &Transcript) {
        self.transcript = Some(transcript.fork());
    }
}

/// After the handshake: keep the resumption_master_secret for tickets issued after a
/// post-handshake authentication (only when the client offered it and tickets are on).
pub(crate) fn keep_resumption(
    core: &mut Core,
    suite: &crate::suites::SupportedCipherSuite,
    resumption: &ResumptionMasterSecret,
) {
    if let Some(pha) = core.pha.as_mut()
        && pha.config.tickets.is_some()
        && pha.config.ticket_count > 0
    {
        let secret = resumption.secret().duplicate();
        pha.resumption = Some(ResumptionMasterSecret::from_secret(suite.hash, secret));
    }
}

/// After a successful post-handshake authentication: `ticket_count` fresh tickets that
/// record the client's new identity (`TicketClientAuth::PostHandshake`), so a resumption
/// under one of them reports that certificate. Tickets sent before are not changed: they
/// resume with what the handshake recorded. Nonces `p`, batch, index: unique within the
/// connection (the handshake's are one byte).
fn issue_tickets(core: &mut Core, chain: &[CertificateDer<'static>]) -> Result<(), Error> {
    let Some(pha) = core.pha.as_mut() else {
        return Ok(());
    };
    let Some(resumption) = pha.resumption.take() else {
        return Ok(());
    };
    pha.ticket_batches = pha.ticket_batches.saturating_add(1);
    let (config, batch) = (pha.config.clone(), pha.ticket_batches);
    let negotiated = core
        .negotiated
        .take()
        .ok_or(Error::Internal("negotiated"))?;
    let tickets = crate::tls13::server::Tickets {
        resumption: &resumption,
        client_auth: TicketClientAuth::PostHandshake,
        client_certs: chain.iter().map(|c| c.as_ref().to_vec()).collect(),
        nonce: &|i| alloc::vec![b'p', batch, i],
    };
    let sent = crate::tls13::server::issue_tickets(&config, core, &negotiated, &tickets);
    core.negotiated = Some(negotiated);
    if let Some(pha) = core.pha.as_mut() {
        pha.resumption = Some(resumption);
    }
    sent
}

/// Where post-handshake authentication stands on `core`'s connection.
pub(crate) fn status(core: &Core) -> PostHandshakeAuth {
    core.pha
        .as_ref()
        .map_or(PostHandshakeAuth::NotOffered, |p| p.status)
}

/// Send a CertificateRequest with a fresh context under the application key.
pub(crate) fn request(core: &mut Core) -> Result<(), Error> {
    if !core.handshake_complete || core.tls12 {
        return Err(Error::NotReady(
            "post-handshake authentication needs a completed TLS 1.3 handshake",
        ));
    }
    let pha = core.pha.as_mut().ok_or(Error::NotReady(
        "the client did not offer post_handshake_auth",
    ))?;
    if pha.pending.is_some() {
        return Err(Error::NotReady(
            "a client certificate request is already pending",
        ));
    }
    if pha.sent >= MAX_REQUESTS {
        return Err(Error::NotReady(
            "too many client certificate requests on this connection",
        ));
    }
    crate::rpk::check_pha_verifier(&pha.config)?;
    let configured = pha
        .config
        .pha_verifier
        .as_ref()
        .or(pha.config.client_verifier.as_ref());
    let verifier = configured.cloned().ok_or(Error::Config(
        "requesting a client certificate needs a client verifier in the server config",
    ))?;
    let mut t = (pha.transcript.as_ref())
        .ok_or(Error::Internal("no transcript"))?
        .fork();
    // Fresh and unique within the connection (RFC 8446 §4.3.2): a counter and randomness.
    let mut context = [0u8; 16];
    pha.config.common.rng().fill(&mut context[4..]);
    context[..4].copy_from_slice(
        &u32::try_from(pha.sent + 1)
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    let mut exts = alloc::vec![tryst_messages::Extension::SignatureAlgorithms(
        verifier.supported_schemes()
    )];
    let hints = verifier.root_hint_subjects();
    if !hints.is_empty() {
        exts.push(tryst_messages::Extension::CertificateAuthorities(
            hints.into_iter().map(Cow::Owned).collect(),
        ));
    }
    let ocsp = crate::ocsp::certificate_request_extension(&pha.config);
    let requested: Vec<ExtensionType> = ocsp.iter().map(|e| e.ext_type()).collect();
    exts.extend(ocsp);
    let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
        certificate_request_context: Cow::Borrowed(&context),
        extensions: exts,
    });
    t.add(&core.send_handshake(&cr)?)?;
    let pha = core.pha.as_mut().ok_or(Error::Internal("pha"))?;
    pha.sent += 1;
    pha.status = PostHandshakeAuth::Pending;
    pha.pending = Some(Pending {
        context: context.to_vec(),
        requested,
        transcript: t,
        verifier,
        stage: Stage::Certificate,
    });
    Ok(())
}

/// A client message after the handshake that belongs to post-handshake authentication.
pub(crate) fn server_receive(core: &mut Core, raw: &RawHandshake<'_>) -> Result<(), Error> {
    let mut pending = (core.pha.as_mut().and_then(|p| p.pending.take()))
        .ok_or_else(|| Error::unexpected("client authentication message that was not asked for"))?;
    let stage = core::mem::replace(&mut pending.stage, Stage::Certificate);
    pending.stage = match stage {
        Stage::Certificate => receive_certificate(core, &mut pending, raw)?,
        Stage::CertificateVerify(chain) => {
            let leaf = chain.first().ok_or(Error::Internal("no leaf"))?;
            let v = &pending.verifier;
            common::check_certificate_verify(
                Side::Server,
                &mut pending.transcript,
                raw,
                &v.supported_schemes(),
                leaf,
                &|m, leaf, scheme, sig| v.verify_tls13_signature(m, leaf, scheme, sig),
            )?;
            Stage::Finished(chain)
        }
        Stage::Finished(chain) => return receive_finished(core, pending, chain, raw),
    };
    if let Some(pha) = core.pha.as_mut() {
        pha.pending = Some(pending);
    }
    Ok(())
}

/// The client's Certificate: our context, verified by the config's client verifier.
fn receive_certificate(
    core: &mut Core,
    pending: &mut Pending,
    raw: &RawHandshake<'_>,
) -> Result<Stage, Error> {
    let HandshakeMessage::Certificate(c) = raw.parse()? else {
        return Err(common::unexpected(raw));
    };
    if c.certificate_request_context.as_ref() != pending.context.as_slice() {
        return Err(Error::illegal(
            "client Certificate has the wrong certificate_request_context",
        ));
    }
    crate::verify::check_certificate_extensions(&c, &pending.requested)?;
    let chain = crate::verify::chain_of(&c);
    pending.transcript.add(raw.encoded)?;
    let Some((leaf, rest)) = chain.split_first() else {
        if pending.verifier.client_auth_mandatory() {
            return Err(Error::misbehaved(
                AlertDescription::CertificateRequired,
                "client sent no certificate and one is required",
            ));
        }
        return Ok(Stage::Finished(chain));
    };
    let pha = core.pha.as_ref().ok_or(Error::Internal("pha"))?;
    let now = pha.config.common.clock().now();
    (pending.verifier).verify_client_cert(leaf, rest, UnixTime::since_unix_epoch(now))?;
    crate::ocsp::check_client_staple(core, &*pending.verifier, &c, &chain, now)?;
    Ok(Stage::CertificateVerify(chain))
}

/// The client's Finished under client_application_traffic_secret_N (RFC 8446 §4.4).
fn receive_finished(
    core: &mut Core,
    mut pending: Pending,
    chain: Vec<CertificateDer<'static>>,
    raw: &RawHandshake<'_>,
) -> Result<(), Error> {
    let traffic = core
        .traffic
        .as_ref()
        .ok_or(Error::Internal("no traffic keys"))?;
    let (suite, secret) = (
        traffic.suite,
        traffic.schedule.client_traffic_secret().duplicate(),
    );
    common::check_finished(&suite, &secret, &mut pending.transcript, raw)?;
    let authenticated = !chain.is_empty();
    if authenticated {
        issue_tickets(core, &chain)?;
    }
    if let (true, Some(n)) = (authenticated, core.negotiated.as_mut()) {
        n.peer_certificates = chain;
        // An X.509 chain now: no longer the handshake's raw key (`crate::rpk`).
        core.rpk.peer_raw = false;
    }
    if let Some(pha) = core.pha.as_mut() {
        pha.status = match authenticated {
            true => PostHandshakeAuth::Authenticated,
            false => PostHandshakeAuth::NoCertificate,
        };
    }
    core.event(Event::PostHandshakeAuth { authenticated });
    Ok(())
}
