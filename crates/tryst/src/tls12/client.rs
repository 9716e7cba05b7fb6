//! The TLS 1.2 client handshake (RFC 5246 §7.3, RFC 8422 ECDHE), entered from the TLS 1.3
//! client when the server answers our one ClientHello with TLS 1.2:
//!
//! ```text
//! ServerHello         process_server_hello (suite, EMS, renegotiation_info, ALPN)
//! Certificate         process_certificate (the verifier checks the chain)
//! [CertificateStatus] only after our status_request was acknowledged (crate::ocsp)
//! ServerKeyExchange   process_server_key_exchange (signature, our ECDHE share)
//! [CertificateRequest]
//! ServerHelloDone     send_flight: [Certificate] ClientKeyExchange [CertificateVerify]
//!                     ChangeCipherSpec Finished
//! [NewSessionTicket]  store_ticket
//! ChangeCipherSpec    read key
//! Finished            check, then application data
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tryst_crypto::SharedSecret;
use tryst_messages::{
    AlertDescription, ClientKeyExchange, ExtensionContext, ExtensionType, ProtocolVersion,
    RawHandshake, ServerHello, ServerKeyExchange, SignatureScheme, Tls12Certificate,
    Tls12CertificateRequest, Tls12HandshakeMessage, allowed_in,
};

use super::common::{self, Session, Transcript12, parse, unexpected};
use crate::Error;
use crate::config::{ClientConfig, RngRef};
use crate::conn::{Core, HandshakeKind, Negotiated, Next, State};
use crate::session::Tls12Session;
use crate::suites::{SupportedCipherSuite, TLS12_EXTRA_SCHEMES};
use crate::time::millis;
use crate::verify::{CertificateVerified, SignatureVerified};

/// What the TLS 1.3 client hands over when the server chose TLS 1.2.
pub(crate) struct Hello {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) server_name: ServerName<'static>,
    pub(crate) random: [u8; 32],
    pub(crate) session_id: Vec<u8>,
    /// Extension types of our ClientHello: the server may answer only these.
    pub(crate) sent_extensions: Vec<ExtensionType>,
    /// Our ClientHello, framed: the transcript starts with it.
    pub(crate) client_hello: Vec<u8>,
    /// The TLS 1.2 session we offered to resume, if any.
    pub(crate) offered: Option<Tls12Session>,
}

/// A stored TLS 1.2 session for this server that this config may resume: fresh, of a
/// suite we still offer, with the extended master secret unless we allow sessions
/// without, and whose server this config's verifier would accept now.
pub(crate) fn session_to_offer(
    config: &Arc<ClientConfig>,
    server_name: &ServerName<'static>,
) -> Option<Tls12Session> {
    if !config.common.tls12_enabled() {
        return None;
    }
    let s = config.session_store.as_ref()?.take_tls12(server_name)?;
    let now = config.common.clock().now();
    let usable = s.is_fresh(millis(now))
        && (config.common.tls12_suites.iter()).any(|x| x.suite == s.suite)
        && (s.ems || !config.common.require_ems)
        && session_trusted(config, &s, server_name, now);
    usable.then_some(s)
}

/// As for TLS 1.3 tickets: a session accepted under another verifier is offered only if
/// this config's verifier accepts its chain for this name now.
fn session_trusted(
    config: &ClientConfig,
    s: &Tls12Session,
    server_name: &ServerName<'static>,
    now: core::time::Duration,
) -> bool {
    if Arc::ptr_eq(&s.verified_by, &config.verifier) {
        return true;
    }
    let Some((leaf, rest)) = s.peer_certificates.split_first() else {
        return false;
    };
    (config.verifier)
        .verify_server_cert(leaf, rest, server_name, UnixTime::since_unix_epoch(now))
        .is_ok()
}

/// The signature schemes we offer for TLS 1.2: the verifier's and PKCS#1 v1.5.
pub(crate) fn offered_schemes(config: &ClientConfig) -> Vec<SignatureScheme> {
    let mut schemes = config.signature_schemes.clone();
    for extra in TLS12_EXTRA_SCHEMES {
        if !schemes.contains(&extra) {
            schemes.push(extra);
        }
    }
    schemes
}

/// What the handshake carries from ServerHello on.
struct Hs {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    suite: SupportedCipherSuite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    /// The session id the server gave (empty: none), for session-id resumption.
    server_session_id: Vec<u8>,
    ticket_expected: bool,
    /// The ServerHello acknowledged our status_request: CertificateStatus may follow
    /// Certificate (RFC 6066 §8).
    status_acked: bool,
    got_ticket: bool,
    /// A resumed session's ticket, its lifetime and when we got it: kept for the next
    /// connection if the server does not renew it (RFC 5077 §3.3).
    resumed_ticket: Option<(Vec<u8>, u32, u64)>,
    transcript: Transcript12,
    negotiated: Negotiated,
}

/// ServerHello, TLS 1.2 form (RFC 5246 §7.4.1.3): its version and downgrade sentinel
/// were checked by the caller.
pub(crate) fn process_server_hello(
    mut hello: Hello,
    core: &mut Core,
    raw: &RawHandshake<'_>,
) -> Next {
    let sh = ServerHello::decode_tls12(raw.body)?;
    let (suite, resumed, alpn) = check_server_hello(&mut hello, &sh)?;
    let full = resumed.is_none();
    crate::rpk::tls12_client_server_hello(&hello.config, &mut core.rpk, &sh.extensions, full)?;
    let ems = sh.extended_master_secret();
    core.tls12 = true;
    core.records.decrypter.set_tls12();
    let mut transcript = Transcript12::new(suite.hash);
    transcript.add(&hello.client_hello);
    transcript.add(raw.encoded);
    let hs = Hs {
        server_session_id: sh.legacy_session_id_echo.to_vec(),
        got_ticket: false,
        resumed_ticket: None,
        ticket_expected: sh.session_ticket_ack(),
        status_acked: sh.extension(ExtensionType::StatusRequest).is_some(),
        negotiated: Negotiated {
            version: ProtocolVersion::Tls12,
            suite,
            group: None,
            kind: HandshakeKind::Full,
            alpn,
            scheme: None,
            peer_certificates: Vec::new(),
        },
        config: hello.config,
        server_name: hello.server_name,
        suite,
        client_random: hello.random,
        server_random: sh.random,
        ems,
        transcript,
    };
    match resumed {
        Some(session) => Ok(resume(core, hs, session)),
        None => Ok(Box::new(ExpectCertificate { hs })),
    }
}

/// What `check_server_hello` found: the suite, the session resumed, the ALPN protocol.
type Checked = (SupportedCipherSuite, Option<Tls12Session>, Option<Vec<u8>>);

/// The suite (one we offered), compression, a resumption, extensions, extended master
/// secret, renegotiation_info and ALPN of a TLS 1.2 ServerHello.
fn check_server_hello(hello: &mut Hello, sh: &ServerHello<'_>) -> Result<Checked, Error> {
    let common = &hello.config.common;
    let suite = (common.tls12_suites.iter())
        .find(|s| s.suite == sh.cipher_suite)
        .copied()
        .ok_or(Error::illegal(
            "server selected a cipher suite we did not offer",
        ))?;
    if sh.legacy_compression_method != 0 {
        return Err(Error::illegal("ServerHello compression_method is not 0"));
    }
    let resumed = check_resumption(hello, sh, &suite)?;
    check_extensions(hello, sh)?;
    if !sh.extended_master_secret() && hello.config.common.require_ems {
        return Err(Error::incompatible(
            "server does not use the extended master secret (RFC 7627)",
        ));
    }
    if sh.renegotiation_info().is_some_and(|r| !r.is_empty()) {
        return Err(Error::incompatible(
            "renegotiation_info is not empty in the initial handshake (RFC 5746 §3.4)",
        ));
    }
    let alpn = check_alpn(&hello.config, sh)?;
    Ok((suite, resumed, alpn))
}

/// The server echoed the session id of our ClientHello: it resumes the session we
/// offered (RFC 5246 §7.4.1.3, RFC 5077 §3.4), with its suite and its extended master
/// secret state (RFC 7627 §5.3), or it is lying.
fn check_resumption(
    hello: &mut Hello,
    sh: &ServerHello<'_>,
    suite: &SupportedCipherSuite,
) -> Result<Option<Tls12Session>, Error> {
    let echo = sh.legacy_session_id_echo.as_ref();
    if echo.is_empty() || echo != hello.session_id.as_slice() {
        return Ok(None);
    }
    let Some(s) = hello.offered.take() else {
        return Err(Error::illegal("server resumed a session we did not offer"));
    };
    if s.suite != suite.suite {
        return Err(Error::illegal(
            "server resumed a session with another cipher suite",
        ));
    }
    if s.ems != sh.extended_master_secret() {
        return Err(Error::incompatible(
            "resumption changes the extended master secret state (RFC 7627 §5.3)",
        ));
    }
    Ok(Some(s))
}

/// The abbreviated handshake: the master secret is the session's; the server's
/// [NewSessionTicket], ChangeCipherSpec and Finished come next, then ours.
fn resume(core: &mut Core, mut hs: Hs, s: Tls12Session) -> Box<dyn State> {
    hs.negotiated.kind = HandshakeKind::Resumed;
    hs.negotiated.peer_certificates = s.peer_certificates;
    core.rpk.peer_raw =
        hs.config.server_raw_keys.is_some() && !hs.negotiated.peer_certificates.is_empty();
    if !s.ticket.is_empty() {
        hs.resumed_ticket = Some((s.ticket, s.lifetime_secs, s.received_at_ms));
    }
    let session = Session {
        suite: hs.suite,
        master: s.master,
        client_random: hs.client_random,
        server_random: hs.server_random,
    };
    common::log_master_secret(core, &hs.config.common, &session);
    Established {
        hs,
        session,
        resumed: true,
    }
    .expect_ticket_or_ccs(core)
}

/// Only extensions we offered, each allowed in a TLS 1.2 ServerHello (RFC 5246 §7.4.1.4).
fn check_extensions(hello: &Hello, sh: &ServerHello<'_>) -> Result<(), Error> {
    for e in &sh.extensions {
        let t = e.ext_type();
        if !hello.sent_extensions.contains(&t) {
            return Err(Error::misbehaved(
                AlertDescription::UnsupportedExtension,
                "server sent an extension we did not offer",
            ));
        }
        if !allowed_in(t, ExtensionContext::Tls12ServerHello) {
            return Err(Error::illegal(
                "extension not allowed in a TLS 1.2 ServerHello",
            ));
        }
    }
    Ok(())
}

/// The ALPN answer (RFC 7301 §3.1): one protocol, one we offered.
fn check_alpn(config: &ClientConfig, sh: &ServerHello<'_>) -> Result<Option<Vec<u8>>, Error> {
    let Some(tryst_messages::Extension::Alpn(protocols)) =
        sh.extension(ExtensionType::ApplicationLayerProtocolNegotiation)
    else {
        return Ok(None);
    };
    let [p] = protocols.as_slice() else {
        return Err(Error::illegal("ALPN answer must name exactly one protocol"));
    };
    if !config
        .common
        .alpn
        .iter()
        .any(|o| o.as_slice() == p.as_ref())
    {
        return Err(Error::illegal(
            "server chose an ALPN protocol we did not offer",
        ));
    }
    Ok(Some(p.to_vec()))
}

struct ExpectCertificate {
    hs: Hs,
}

impl State for ExpectCertificate {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        if let Some(pinned) = &self.hs.config.server_raw_keys {
            // RFC 7250: a pinned raw key stands in for the chain and its verification.
            let spki = crate::rpk::tls12_client_server_key(&raw, pinned, &mut core.rpk)?;
            self.hs.transcript.add(raw.encoded);
            self.hs.negotiated.peer_certificates = alloc::vec![spki];
            return Ok(Box::new(ExpectServerKeyExchange {
                hs: self.hs,
                verified: CertificateVerified::assertion(),
            }));
        }
        let Tls12HandshakeMessage::Certificate(c) = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        let chain = chain_of(&c);
        let Some((leaf, intermediates)) = chain.split_first() else {
            return Err(Error::misbehaved(
                AlertDescription::DecodeError,
                "server sent no certificate",
            ));
        };
        let hs = &mut self.hs;
        let now = UnixTime::since_unix_epoch(hs.config.common.clock().now());
        let verified =
            (hs.config.verifier).verify_server_cert(leaf, intermediates, &hs.server_name, now)?;
        if !hs.status_acked {
            // Nothing can be stapled: a verifier that needs a staple refuses here.
            (hs.config.verifier).verify_ocsp_response(leaf, intermediates, &[], now)?;
        }
        hs.transcript.add(raw.encoded);
        hs.negotiated.peer_certificates = chain;
        if self.hs.status_acked {
            return Ok(Box::new(ExpectCertificateStatus {
                hs: self.hs,
                verified,
            }));
        }
        Ok(Box::new(ExpectServerKeyExchange {
            hs: self.hs,
            verified,
        }))
    }
}

/// After Certificate, when the ServerHello acknowledged our status_request.
struct ExpectCertificateStatus {
    hs: Hs,
    verified: CertificateVerified,
}

impl State for ExpectCertificateStatus {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let staple = match parse(&raw)? {
            Tls12HandshakeMessage::CertificateStatus(cs) => Some(cs.ocsp_response.to_vec()),
            // RFC 6066 §8: a server that acknowledged status_request MAY still send no
            // CertificateStatus.
            Tls12HandshakeMessage::ServerKeyExchange(_) => None,
            _ => return Err(unexpected(&raw)),
        };
        let mut hs = self.hs;
        crate::ocsp::check_tls12_staple(
            &*hs.config.verifier,
            &hs.negotiated.peer_certificates,
            staple.as_deref(),
            hs.config.common.clock().now(),
        )?;
        let Some(staple) = staple else {
            let next = Box::new(ExpectServerKeyExchange {
                hs,
                verified: self.verified,
            });
            return next.handle(core, raw);
        };
        hs.transcript.add(raw.encoded);
        core.peer_ocsp = Some(staple);
        Ok(Box::new(ExpectServerKeyExchange {
            hs,
            verified: self.verified,
        }))
    }
}

/// The chain of a TLS 1.2 Certificate message, end entity first, owned.
pub(crate) fn chain_of(c: &Tls12Certificate<'_>) -> Vec<CertificateDer<'static>> {
    (c.certificate_list.iter())
        .map(|d| CertificateDer::from(d.to_vec()))
        .collect()
}

struct ExpectServerKeyExchange {
    hs: Hs,
    verified: CertificateVerified,
}

impl State for ExpectServerKeyExchange {
    fn handle(mut self: Box<Self>, _core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Tls12HandshakeMessage::ServerKeyExchange(ske) = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        let (signature, premaster, our_public) = self.hs.process_server_key_exchange(&ske)?;
        self.hs.transcript.add(raw.encoded);
        Ok(Box::new(ExpectServerHelloDone {
            hs: self.hs,
            kx: KeyExchanged {
                premaster,
                our_public,
            },
            request: None,
            _server: (self.verified, signature),
        }))
    }
}

/// Our half of the ECDHE exchange, done when the ServerKeyExchange arrived.
struct KeyExchanged {
    premaster: SharedSecret,
    our_public: Vec<u8>,
}

impl Hs {
    /// ServerKeyExchange (RFC 8422 §5.4): a group we offered, a scheme we offered that
    /// fits the suite, a good signature over both randoms and the parameters; then our
    /// share and the premaster secret.
    fn process_server_key_exchange(
        &mut self,
        ske: &ServerKeyExchange<'_>,
    ) -> Result<(SignatureVerified, SharedSecret, Vec<u8>), Error> {
        let config = &self.config;
        let group = (config.common.groups.iter())
            .filter(|g| common::tls12_group(g))
            .find(|g| g.group == ske.params.named_group)
            .copied()
            .ok_or(Error::illegal(
                "ServerKeyExchange uses a group we did not offer",
            ))?;
        let scheme = ske.signature.algorithm;
        let auth = self
            .suite
            .tls12_auth()
            .ok_or(Error::Internal("1.2 suite"))?;
        if !offered_schemes(config).contains(&scheme) || !common::scheme_fits(scheme, auth) {
            return Err(Error::illegal(
                "ServerKeyExchange signed with a scheme we did not offer for this suite",
            ));
        }
        let message =
            common::ske_signed_message(&ske.params, &self.client_random, &self.server_random)?;
        let leaf = (self.negotiated.peer_certificates.first()).ok_or(Error::Internal("no leaf"))?;
        let sig = &ske.signature.signature;
        let verified = match config.server_raw_keys {
            Some(_) => crate::rpk::tls12_verify_signature(&message, leaf, scheme, sig, config)?,
            None => (config.verifier).verify_tls12_signature(&message, leaf, scheme, sig)?,
        };
        let kx = group.kx.start(&mut RngRef(config.common.rng()))?;
        let our_public = kx.public_key().to_vec();
        let premaster = kx
            .complete(&ske.params.public)
            .map_err(|e| Error::key_share(e, "server ECDHE public key is invalid"))?;
        self.negotiated.group = Some(group.group);
        self.negotiated.scheme = Some(scheme);
        Ok((verified, premaster, our_public))
    }
}

struct ExpectServerHelloDone {
    hs: Hs,
    kx: KeyExchanged,
    request: Option<Tls12CertificateRequest<'static>>,
    /// The server's chain and key-exchange signature were checked.
    _server: (CertificateVerified, SignatureVerified),
}

impl State for ExpectServerHelloDone {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match parse(&raw)? {
            Tls12HandshakeMessage::CertificateRequest(cr) if self.request.is_none() => {
                self.hs.transcript.add(raw.encoded);
                self.request = Some(cr.into_owned());
                Ok(self)
            }
            Tls12HandshakeMessage::ServerHelloDone => {
                if self.request.is_none() {
                    crate::rpk::client_check_unrequested(&core.rpk)?;
                }
                self.hs.transcript.add(raw.encoded);
                let this = *self;
                let session = send_flight(core, this.hs, this.kx, this.request.as_ref())?;
                Ok(session.expect_ticket_or_ccs(core))
            }
            _ => Err(unexpected(&raw)),
        }
    }
}

/// The client's flight (RFC 5246 §7.3): [Certificate] ClientKeyExchange
/// [CertificateVerify] ChangeCipherSpec Finished.
fn send_flight(
    core: &mut Core,
    mut hs: Hs,
    kx: KeyExchanged,
    request: Option<&Tls12CertificateRequest<'_>>,
) -> Result<Established, Error> {
    let raw_key = request.and_then(|r| {
        let schemes = &r.supported_signature_algorithms;
        crate::rpk::tls12_client_own_key(&core.rpk, &hs.config, schemes)
    });
    let key = match raw_key.clone() {
        Some(k) => k,
        None => request.and_then(|r| client_key_for(&hs.config, r)),
    };
    if raw_key.is_some() {
        // RFC 7250 §3: the SubjectPublicKeyInfo is the Certificate's whole body.
        let spki = key.as_ref().and_then(|(k, _)| k.chain.first());
        let bytes = crate::rpk::tls12_certificate(spki.map(|c| c.as_ref()))?;
        core.send_handshake_bytes(tryst_messages::HandshakeType::Certificate, &bytes)?;
        hs.transcript.add(&bytes);
    } else if request.is_some() {
        let chain = key
            .as_ref()
            .map(|(k, _)| k.chain.as_slice())
            .unwrap_or_default();
        let cert = Tls12HandshakeMessage::Certificate(Tls12Certificate {
            certificate_list: chain.iter().map(|c| Cow::Borrowed(c.as_ref())).collect(),
        });
        common::send(core, &mut hs.transcript, &cert)?;
    }
    let cke = Tls12HandshakeMessage::ClientKeyExchange(ClientKeyExchange {
        public: Cow::Borrowed(&kx.our_public),
    });
    common::send(core, &mut hs.transcript, &cke)?;
    let randoms = (&hs.client_random, &hs.server_random);
    let master = common::master_secret(&hs.suite, &kx.premaster, hs.ems, &hs.transcript, randoms)?;
    if let Some((k, scheme)) = key {
        common::send_certificate_verify(core, &mut hs.transcript, &k, scheme, &hs.config.common)?;
    }
    let session = Session {
        suite: hs.suite,
        master,
        client_random: hs.client_random,
        server_random: hs.server_random,
    };
    common::log_master_secret(core, &hs.config.common, &session);
    common::send_change_cipher_spec(core, &session)?;
    common::send_finished(core, &session, &mut hs.transcript)?;
    Ok(Established {
        hs,
        session,
        resumed: false,
    })
}

/// Our certificate and the scheme to sign with, if we have one the server accepts
/// (RFC 5246 §7.4.6; else we send an empty Certificate).
fn client_key_for(
    config: &ClientConfig,
    req: &Tls12CertificateRequest<'_>,
) -> Option<(Arc<crate::CertifiedKey>, SignatureScheme)> {
    let schemes = &req.supported_signature_algorithms;
    let view = crate::resolve::CertificateRequest::new(
        schemes,
        &req.certificate_authorities,
        ProtocolVersion::Tls12,
    );
    let key = config.client_auth.as_ref()?.resolve(&view)?;
    let scheme = common::signing_scheme(&key, schemes)?;
    Some((key, scheme))
}

/// After our Finished: the server's [NewSessionTicket], ChangeCipherSpec and Finished.
struct Established {
    hs: Hs,
    session: Session,
    /// An abbreviated handshake: our ChangeCipherSpec and Finished follow the server's.
    resumed: bool,
}

/// Longest a stored TLS 1.2 session is kept: the ticket's hint, else two hours, at most
/// seven days (as TLS 1.3 tickets).
fn session_lifetime(hint: u32) -> u32 {
    let max = crate::tls13::common::max_ticket_lifetime_secs();
    match hint {
        0 => 7200,
        h => h.min(max),
    }
}

impl Established {
    /// Keep this session in the config's store for resumption: with `ticket` (RFC 5077),
    /// or by the server's session id when `ticket` is empty.
    fn store_session(&mut self, hint: u32, ticket: &[u8]) {
        if ticket.is_empty() && self.hs.server_session_id.is_empty() {
            return; // an empty ticket: the server decided not to issue one after all
        }
        self.hs.got_ticket |= !ticket.is_empty();
        let now = millis(self.hs.config.common.clock().now());
        self.store(ticket, session_lifetime(hint), now);
    }

    fn store(&self, ticket: &[u8], lifetime_secs: u32, received_at_ms: u64) {
        let hs = &self.hs;
        let Some(store) = &hs.config.session_store else {
            return;
        };
        store.insert_tls12(
            &hs.server_name,
            Tls12Session {
                suite: hs.suite.suite,
                session_id: hs.server_session_id.clone(),
                ticket: ticket.to_vec(),
                master: self.session.master.duplicate(),
                ems: hs.ems,
                lifetime_secs,
                received_at_ms,
                peer_certificates: hs.negotiated.peer_certificates.clone(),
                verified_by: hs.config.verifier.clone(),
            },
        );
    }

    fn expect_ticket_or_ccs(self, core: &mut Core) -> Box<dyn State> {
        if self.hs.ticket_expected {
            Box::new(ExpectNewSessionTicket { est: self })
        } else {
            core.records.decrypter.expect_change_cipher_spec();
            Box::new(ExpectChangeCipherSpec { est: self })
        }
    }
}

struct ExpectNewSessionTicket {
    est: Established,
}

impl State for ExpectNewSessionTicket {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Tls12HandshakeMessage::NewSessionTicket(nst) = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        self.est
            .store_session(nst.ticket_lifetime_hint, &nst.ticket);
        self.est.hs.transcript.add(raw.encoded);
        core.records.decrypter.expect_change_cipher_spec();
        Ok(Box::new(ExpectChangeCipherSpec { est: self.est }))
    }
}

struct ExpectChangeCipherSpec {
    est: Established,
}

impl State for ExpectChangeCipherSpec {
    fn handle(self: Box<Self>, _core: &mut Core, raw: RawHandshake<'_>) -> Next {
        Err(Error::unexpected(match raw.typ {
            tryst_messages::HandshakeType::Finished => {
                "Finished before ChangeCipherSpec (RFC 5246 §7.1)"
            }
            _ => "handshake message where ChangeCipherSpec was expected",
        }))
    }

    fn handle_change_cipher_spec(self: Box<Self>, core: &mut Core) -> Next {
        common::receive_change_cipher_spec(core, &self.est.session)?;
        Ok(Box::new(ExpectFinished { est: self.est }))
    }
}

struct ExpectFinished {
    est: Established,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let mut est = self.est;
        common::check_finished(core, &est.session, &mut est.hs.transcript, &raw)?;
        if est.resumed {
            common::send_change_cipher_spec(core, &est.session)?;
            common::send_finished(core, &est.session, &mut est.hs.transcript)?;
        }
        if !est.hs.got_ticket {
            match est.hs.resumed_ticket.take() {
                // Resumed by a ticket the server did not renew: it may serve again.
                Some((ticket, lifetime, at)) => est.store(&ticket, lifetime, at),
                // A session id: resumable by id (RFC 5246 §7.3), again after a resumption
                // by id.
                None if !est.hs.server_session_id.is_empty() => {
                    est.store_session(0, &[]);
                }
                None => {}
            }
        }
        let Established { hs, session, .. } = est;
        common::finish_session(core, &session);
        let now = hs.config.common.clock().now();
        core.complete_handshake(now, hs.negotiated)?;
        Ok(Box::new(ClientTraffic12 { hello_requests: 0 }))
    }
}

/// After the handshake. Renegotiation is not supported: a HelloRequest is answered with
/// a no_renegotiation warning (RFC 5746 §4.2, as rustls does) and the connection goes on;
/// more than a few in a row end it.
struct ClientTraffic12 {
    hello_requests: u32,
}

/// HelloRequests answered before the connection fails.
const MAX_HELLO_REQUESTS: u32 = 4;

impl State for ClientTraffic12 {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Tls12HandshakeMessage::HelloRequest = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        self.hello_requests = self.hello_requests.saturating_add(1);
        if self.hello_requests > MAX_HELLO_REQUESTS {
            return Err(Error::unexpected("too many HelloRequests"));
        }
        core.send_warning_alert(AlertDescription::NoRenegotiation)?;
        Ok(self)
    }
}
