//! The TLS 1.2 server handshake (RFC 5246 §7.3, RFC 8422 ECDHE), entered from the TLS 1.3
//! server when the client's hello offers TLS 1.2 but not TLS 1.3:
//!
//! ```text
//! ClientHello  check_client_hello → negotiate → send_server_hello (downgrade sentinel)
//!              → send_certificate [CertificateStatus] → send_server_key_exchange
//!              → [send_certificate_request] → ServerHelloDone
//! [Certificate] ClientKeyExchange [CertificateVerify] ChangeCipherSpec Finished
//!              → ChangeCipherSpec, Finished (send_finished)
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};
use tryst_crypto::ActiveKeyExchange;
use tryst_messages::{
    AlertDescription, CipherSuite, ClientCertificateType, ClientHello, EcdheServerParams,
    Extension, ExtensionContext, ProtocolVersion, RawHandshake, ServerHello, ServerKeyExchange,
    SignatureScheme, Tls12Certificate, Tls12CertificateRequest, Tls12HandshakeMessage,
    Tls12NewSessionTicket, allowed_in,
};

use super::client::chain_of;
use super::common::{self, DOWNGRADE_TLS12, Session, Transcript12, parse, unexpected};
use crate::Error;
use crate::config::{RngRef, ServerConfig, SuitePreference};
use crate::conn::{Core, HandshakeKind, Negotiated, Next, State};
use crate::suites::{
    SupportedCipherSuite, SupportedGroup, TLS12_EXTRA_SCHEMES, Tls12Auth, tls12_scheme_auth,
};
use crate::time::millis;
use crate::tls13::resumption::{Fit, TicketClientAuth, TicketState, ticket_fits};
use crate::verify::{CertificateVerified, ClientCertVerifier, SignatureVerified};

/// What the client's hello asked for besides the parameters we choose.
struct Offer {
    /// renegotiation_info or TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.6).
    secure_renegotiation: bool,
    ems: bool,
    point_formats: bool,
}

/// What `negotiate` settled.
struct Parameters {
    suite: SupportedCipherSuite,
    group: SupportedGroup,
    scheme: SignatureScheme,
    alpn: Option<Vec<u8>>,
    /// The certificate the resolver chose (`crate::resolve`).
    cert: crate::resolve::ChosenCertificate,
}

/// The ClientHello of a TLS 1.2 handshake (the caller chose the version).
pub(crate) fn client_hello(
    config: Arc<ServerConfig>,
    core: &mut Core,
    raw: &RawHandshake<'_>,
) -> Next {
    let ch = ClientHello::decode_tls12(raw.body)?;
    let offer = check_client_hello(&config, &ch)?;
    let p = negotiate(&config, core, &ch)?;
    let resumed = resumable_ticket(&config, core, &ch, &offer, &p);
    let issue_ticket = offer.ems
        && ch.session_ticket().is_some()
        && config.tickets.is_some()
        && config.ticket_count > 0;
    core.tls12 = true;
    core.records.decrypter.set_tls12();
    let mut transcript = Transcript12::new(p.suite.hash);
    transcript.add(raw.encoded);
    let mut server_random = [0u8; 32];
    config.common.rng().fill(&mut server_random);
    // RFC 8446 §4.1.3: a server that supports TLS 1.3 marks a TLS 1.2 ServerHello.
    if config.common.tls13
        && let Some(tail) = server_random.get_mut(24..)
    {
        tail.copy_from_slice(&DOWNGRADE_TLS12);
    }
    let mut hs = Hs {
        negotiated: Negotiated {
            version: ProtocolVersion::Tls12,
            suite: p.suite,
            group: Some(p.group.group),
            kind: HandshakeKind::Full,
            alpn: p.alpn.clone(),
            scheme: Some(p.scheme),
            peer_certificates: Vec::new(),
        },
        config,
        suite: p.suite,
        client_random: ch.random,
        server_random,
        ems: offer.ems,
        issue_ticket,
        transcript,
    };
    hs.send_server_hello(core, &ch, &offer, &p, resumed.is_some())?;
    if let Some(state) = resumed {
        return hs.resume(core, state);
    }
    hs.send_certificate(core, &p, &ch)?;
    let kx = hs.send_server_key_exchange(core, &p)?;
    let request = hs.send_certificate_request(core)?;
    common::send(
        core,
        &mut hs.transcript,
        &Tls12HandshakeMessage::ServerHelloDone,
    )?;
    Ok(match request {
        Some(verifier) => Box::new(ExpectClientCertificate { hs, kx, verifier }),
        None => Box::new(ExpectClientKeyExchange {
            hs,
            kx,
            client: ClientAuth::NotRequested,
        }),
    })
}

/// The rules a TLS 1.2 ClientHello must meet (RFC 5246 §7.4.1.2, RFC 5746 §3.6,
/// RFC 7627 §5.3, RFC 7507 §3, RFC 8422 §5.1.2).
fn check_client_hello(config: &ServerConfig, ch: &ClientHello<'_>) -> Result<Offer, Error> {
    if !ch.legacy_compression_methods.contains(&0) {
        return Err(Error::illegal(
            "compression_methods does not include null (RFC 5246 §7.4.1.2)",
        ));
    }
    for e in &ch.extensions {
        if !allowed_in(e.ext_type(), ExtensionContext::ClientHello) {
            return Err(Error::illegal("extension not allowed in ClientHello"));
        }
    }
    if config.common.tls13 && ch.cipher_suites.contains(&CipherSuite::TlsFallbackScsv) {
        return Err(Error::misbehaved(
            AlertDescription::InappropriateFallback,
            "TLS_FALLBACK_SCSV while we support TLS 1.3 (RFC 7507)",
        ));
    }
    let reneg = ch.renegotiation_info();
    if reneg.is_some_and(|r| !r.is_empty()) {
        return Err(Error::incompatible(
            "renegotiation_info is not empty in the initial handshake (RFC 5746 §3.6)",
        ));
    }
    let ems = ch.extended_master_secret();
    if !ems && config.common.require_ems {
        return Err(Error::incompatible(
            "client does not offer the extended master secret (RFC 7627)",
        ));
    }
    let point_formats = ch.ec_point_formats();
    if point_formats.is_some_and(|f| !f.contains(&0)) {
        return Err(Error::illegal(
            "ec_point_formats without uncompressed (RFC 8422 §5.1.2)",
        ));
    }
    Ok(Offer {
        secure_renegotiation: reneg.is_some()
            || ch
                .cipher_suites
                .contains(&CipherSuite::TlsEmptyRenegotiationInfoScsv),
        ems,
        point_formats: point_formats.is_some(),
    })
}

/// The suite, group, signature scheme and ALPN protocol (ECDHE only; handshake_failure
/// when nothing fits).
fn negotiate(
    config: &ServerConfig,
    core: &mut Core,
    ch: &ClientHello<'_>,
) -> Result<Parameters, Error> {
    if ch.signature_algorithms().is_none() {
        return Err(Error::incompatible(
            "no signature_algorithms (the TLS 1.2 default, SHA-1, is not supported)",
        ));
    }
    let resolver = (config.cert_resolver.as_deref()).ok_or(Error::incompatible(
        "TLS 1.2 needs a certificate, and this server is PSK-only",
    ))?;
    let usable = hello_for_resolver(config, ch);
    let offered = usable.signature_algorithms().unwrap_or_default();
    let mut cert =
        crate::resolve::choose_server_certificate(resolver, &usable, ProtocolVersion::Tls12)?;
    let scheme = common::signing_scheme(&cert.key, offered).ok_or(Error::incompatible(
        "client accepts no signature scheme our key can make with a suite it offered",
    ))?;
    cert.scheme = scheme;
    let auth = tls12_scheme_auth(scheme).ok_or(Error::Internal("1.2 scheme"))?;
    let suite = choose_suite(config, &ch.cipher_suites, auth)?;
    let groups = ch.supported_groups().unwrap_or_default();
    let group = (config.common.groups.iter())
        .filter(|g| common::tls12_group(g))
        .find(|g| groups.contains(&g.group))
        .copied()
        .ok_or(Error::incompatible("no ECDHE group in common"))?;
    let alpn = crate::tls13::server::choose_alpn(config, ch)?;
    if let Some(name) = ch.server_name() {
        core.server_name = core::str::from_utf8(name).ok().map(Into::into);
    }
    Ok(Parameters {
        suite,
        group,
        scheme,
        alpn,
        cert,
    })
}

/// The ClientHello as the certificate resolver sees it in TLS 1.2: signature_algorithms
/// cut to the schemes of a key type that some suite both sides have can authenticate
/// (ECDHE_ECDSA: ECDSA and Ed25519; ECDHE_RSA: RSA), so that the certificate chosen always
/// has a suite. A client offering only ECDHE_RSA suites gets an RSA certificate even when
/// its signature_algorithms lists ECDSA first.
fn hello_for_resolver<'a>(config: &ServerConfig, ch: &ClientHello<'a>) -> ClientHello<'a> {
    let auths: Vec<Tls12Auth> = (config.common.tls12_suites.iter())
        .filter(|s| ch.cipher_suites.contains(&s.suite))
        .filter_map(SupportedCipherSuite::tls12_auth)
        .collect();
    let mut usable = ch.clone();
    for e in &mut usable.extensions {
        if let Extension::SignatureAlgorithms(list) = e {
            list.retain(|s| tls12_scheme_auth(*s).is_some_and(|a| auths.contains(&a)));
        }
    }
    usable
}

/// A TLS 1.2 suite both sides have whose authentication fits our key.
fn choose_suite(
    config: &ServerConfig,
    offered: &[CipherSuite],
    auth: Tls12Auth,
) -> Result<SupportedCipherSuite, Error> {
    let ours = (config.common.tls12_suites.iter()).filter(|s| s.tls12_auth() == Some(auth));
    let found = match config.preference {
        SuitePreference::Server => ours.clone().find(|s| offered.contains(&s.suite)),
        SuitePreference::Client => offered
            .iter()
            .find_map(|o| ours.clone().find(|s| s.suite == *o)),
    };
    found
        .copied()
        .ok_or(Error::incompatible("no TLS 1.2 cipher suite in common"))
}

/// A ticket in the ClientHello we can resume (RFC 5077 §3.1): it opens with our ticket
/// keys and fits this config and connection by the same rules as a TLS 1.3 ticket (suite,
/// lifetime, resumption context, SNI, ALPN, client-auth policy and identity). Only
/// sessions with the extended master secret are issued and resumed (RFC 7627 §5.3).
/// Anything else falls back to a full handshake.
fn resumable_ticket(
    config: &ServerConfig,
    core: &Core,
    ch: &ClientHello<'_>,
    offer: &Offer,
    p: &Parameters,
) -> Option<TicketState> {
    let ticket = ch.session_ticket().filter(|t| !t.is_empty())?;
    let keys = config.tickets.as_ref()?;
    if !offer.ems {
        return None;
    }
    let now = config.common.clock().now();
    let state = TicketState::decode(&keys.open(now, ticket)?)?;
    let fit = Fit {
        suite: &p.suite,
        server_name: core.server_name.as_deref(),
        alpn: p.alpn.as_deref(),
    };
    ticket_fits(config, &state, &fit, now).then_some(state)
}

/// The server's handshake from ServerHello on.
struct Hs {
    config: Arc<ServerConfig>,
    suite: SupportedCipherSuite,
    client_random: [u8; 32],
    server_random: [u8; 32],
    ems: bool,
    /// We answered the client's session_ticket: a NewSessionTicket goes before our
    /// ChangeCipherSpec.
    issue_ticket: bool,
    transcript: Transcript12,
    negotiated: Negotiated,
}

impl Hs {
    /// The abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1): the ticket's master
    /// secret with the new randoms; our [NewSessionTicket], ChangeCipherSpec and Finished
    /// first, then the client's.
    fn resume(mut self, core: &mut Core, state: TicketState) -> Next {
        self.negotiated.kind = HandshakeKind::Resumed;
        self.negotiated.scheme = None;
        self.negotiated.group = None;
        // `ticket_fits` checked these certificates against this config's verifier.
        self.negotiated.peer_certificates = (state.client_certs.iter())
            .map(|c| CertificateDer::from(c.clone()))
            .collect();
        let has_peer = !self.negotiated.peer_certificates.is_empty();
        crate::rpk::server_note_peer(&self.config, &mut core.rpk, has_peer);
        let session = Session {
            suite: self.suite,
            master: state.psk,
            client_random: self.client_random,
            server_random: self.server_random,
        };
        common::log_master_secret(core, &self.config.common, &session);
        let mut est = Established {
            hs: self,
            session,
            client: ClientAuth::Resumed(state.client_auth),
        };
        est.send_finished_flight(core)?;
        core.records.decrypter.expect_change_cipher_spec();
        Ok(Box::new(ExpectChangeCipherSpec { est, resumed: true }))
    }

    /// ServerHello (RFC 5246 §7.4.1.3) answering only what the client offered.
    fn send_server_hello(
        &mut self,
        core: &mut Core,
        ch: &ClientHello<'_>,
        offer: &Offer,
        p: &Parameters,
        resumed: bool,
    ) -> Result<(), Error> {
        let mut exts = Vec::new();
        if offer.secure_renegotiation {
            exts.push(Extension::RenegotiationInfo(Cow::Borrowed(&[])));
        }
        if offer.ems {
            exts.push(Extension::ExtendedMasterSecret);
        }
        if offer.point_formats {
            exts.push(Extension::EcPointFormats(Cow::Borrowed(&[0])));
        }
        if let Some(a) = &p.alpn {
            exts.push(Extension::Alpn(alloc::vec![Cow::Borrowed(a.as_slice())]));
        }
        if ch.server_name().is_some() && !resumed {
            exts.push(Extension::ServerNameAck);
        }
        if self.issue_ticket {
            exts.push(Extension::SessionTicket(Cow::Borrowed(&[])));
        }
        if !resumed {
            let raw = crate::rpk::tls12_server_hello_extensions(&self.config, ch, &mut core.rpk)?;
            exts.extend(raw);
        }
        if !resumed && !core.rpk.own_raw && crate::ocsp::to_staple(&p.cert.key, ch).is_some() {
            exts.push(Extension::StatusRequestEmpty);
        }
        // Accepting a ticket: echo the client's session id (RFC 5077 §3.4). We keep no
        // session cache, so a full handshake gets an empty one.
        let echo: &[u8] = if resumed { &ch.legacy_session_id } else { &[] };
        let sh = Tls12HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random: self.server_random,
            legacy_session_id_echo: Cow::Borrowed(echo),
            cipher_suite: self.suite.suite,
            legacy_compression_method: 0,
            extensions: exts,
        });
        common::send(core, &mut self.transcript, &sh)
    }

    /// Our chain, TLS 1.2 form (RFC 5246 §7.4.2), and its OCSP response when the
    /// ServerHello acknowledged status_request (RFC 6066 §8).
    fn send_certificate(
        &mut self,
        core: &mut Core,
        p: &Parameters,
        ch: &ClientHello<'_>,
    ) -> Result<(), Error> {
        core.chosen_certificate = Some(p.cert.clone());
        if core.rpk.own_raw {
            // RFC 7250 §3: the SubjectPublicKeyInfo is the Certificate's whole body.
            let spki = crate::rpk::spki_of(&p.cert.key)?;
            let bytes = crate::rpk::tls12_certificate(Some(spki.as_ref()))?;
            core.send_handshake_bytes(tryst_messages::HandshakeType::Certificate, &bytes)?;
            self.transcript.add(&bytes);
            return Ok(());
        }
        let chain = &p.cert.key.chain;
        let cert = Tls12HandshakeMessage::Certificate(Tls12Certificate {
            certificate_list: chain.iter().map(|c| Cow::Borrowed(c.as_ref())).collect(),
        });
        common::send(core, &mut self.transcript, &cert)?;
        match crate::ocsp::to_staple(&p.cert.key, ch) {
            Some(r) => common::send(core, &mut self.transcript, &crate::ocsp::status(r)),
            None => Ok(()),
        }
    }

    /// ServerKeyExchange (RFC 8422 §5.4): a fresh ECDHE key, signed with our key over both
    /// randoms and the parameters.
    fn send_server_key_exchange(
        &mut self,
        core: &mut Core,
        p: &Parameters,
    ) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let common = &self.config.common;
        let kx = p.group.kx.start(&mut RngRef(common.rng()))?;
        let params = EcdheServerParams {
            named_group: p.group.group,
            public: Cow::Borrowed(kx.public_key()),
        };
        let message =
            common::ske_signed_message(&params, &self.client_random, &self.server_random)?;
        let signature = common::sign(&p.cert.key, p.scheme, &message, common)?;
        let ske = Tls12HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
            params,
            signature: tryst_messages::CertificateVerify {
                algorithm: p.scheme,
                signature: Cow::Owned(signature),
            },
        });
        common::send(core, &mut self.transcript, &ske)?;
        Ok(kx)
    }

    /// CertificateRequest, TLS 1.2 form (RFC 5246 §7.4.4), when the config verifies
    /// clients.
    fn send_certificate_request(
        &mut self,
        core: &mut Core,
    ) -> Result<Option<Arc<dyn ClientCertVerifier>>, Error> {
        let Some(v) = self.config.client_verifier.clone() else {
            return Ok(None);
        };
        // A client that cannot send a raw key is not asked (RFC 7250 §4.2).
        if self.config.client_raw_keys && core.rpk.client_type != Some(true) {
            return Ok(None);
        }
        let cr = Tls12HandshakeMessage::CertificateRequest(Tls12CertificateRequest {
            certificate_types: alloc::vec![
                ClientCertificateType::EcdsaSign,
                ClientCertificateType::RsaSign
            ],
            supported_signature_algorithms: accepted_schemes(&*v),
            certificate_authorities: (v.root_hint_subjects().into_iter())
                .map(Cow::Owned)
                .collect(),
        });
        common::send(core, &mut self.transcript, &cr)?;
        Ok(Some(v))
    }
}

/// The schemes we accept in a client's TLS 1.2 CertificateVerify.
fn accepted_schemes(v: &dyn ClientCertVerifier) -> Vec<SignatureScheme> {
    let mut schemes = v.supported_schemes();
    for extra in TLS12_EXTRA_SCHEMES {
        if !schemes.contains(&extra) {
            schemes.push(extra);
        }
    }
    schemes
}

/// Who the client is.
#[derive(Debug)]
enum ClientAuth {
    /// Resumed from a ticket: what the original session recorded.
    Resumed(TicketClientAuth),
    NotRequested,
    /// We asked; it sent no certificate and our verifier lets it in.
    Anonymous,
    /// Its chain was verified; its CertificateVerify is checked next.
    Chain(CertificateVerified),
    /// Chain and CertificateVerify checked.
    Verified(CertificateVerified, SignatureVerified),
}

struct ExpectClientCertificate {
    hs: Hs,
    kx: Box<dyn ActiveKeyExchange>,
    verifier: Arc<dyn ClientCertVerifier>,
}

impl State for ExpectClientCertificate {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let chain = if core.rpk.client_type == Some(true) {
            crate::rpk::tls12_parse_certificate(&raw)?
        } else {
            let Tls12HandshakeMessage::Certificate(c) = parse(&raw)? else {
                return Err(unexpected(&raw));
            };
            chain_of(&c)
        };
        let client = match chain.split_first() {
            None if self.verifier.client_auth_mandatory() => {
                return Err(Error::incompatible(
                    "client sent no certificate and one is required",
                ));
            }
            None => ClientAuth::Anonymous,
            Some((leaf, rest)) => {
                let now = UnixTime::since_unix_epoch(self.hs.config.common.clock().now());
                let verified = self.verifier.verify_client_cert(leaf, rest, now)?;
                // TLS 1.2 clients cannot staple (RFC 6066 §8): a verifier that needs a
                // staple refuses here, so a downgrade does not bypass it.
                self.verifier.verify_ocsp_response(leaf, rest, &[], now)?;
                crate::rpk::server_note_peer(&self.hs.config, &mut core.rpk, true);
                ClientAuth::Chain(verified)
            }
        };
        self.hs.transcript.add(raw.encoded);
        self.hs.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectClientKeyExchange {
            hs: self.hs,
            kx: self.kx,
            client,
        }))
    }
}

struct ExpectClientKeyExchange {
    hs: Hs,
    kx: Box<dyn ActiveKeyExchange>,
    client: ClientAuth,
}

impl State for ExpectClientKeyExchange {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Tls12HandshakeMessage::ClientKeyExchange(cke) = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        let ExpectClientKeyExchange { mut hs, kx, client } = *self;
        let premaster = kx
            .complete(&cke.public)
            .map_err(|e| Error::key_share(e, "client ECDHE public key is invalid"))?;
        hs.transcript.add(raw.encoded);
        let randoms = (&hs.client_random, &hs.server_random);
        let master = common::master_secret(&hs.suite, &premaster, hs.ems, &hs.transcript, randoms)?;
        let session = Session {
            suite: hs.suite,
            master,
            client_random: hs.client_random,
            server_random: hs.server_random,
        };
        common::log_master_secret(core, &hs.config.common, &session);
        let est = Established {
            hs,
            session,
            client,
        };
        if let ClientAuth::Chain(_) = est.client {
            return Ok(Box::new(ExpectClientCertificateVerify { est }));
        }
        core.records.decrypter.expect_change_cipher_spec();
        Ok(Box::new(ExpectChangeCipherSpec {
            est,
            resumed: false,
        }))
    }
}

/// The master secret is known; the client's Finished comes next.
struct Established {
    hs: Hs,
    session: Session,
    client: ClientAuth,
}

struct ExpectClientCertificateVerify {
    est: Established,
}

impl State for ExpectClientCertificateVerify {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Tls12HandshakeMessage::CertificateVerify(cv) = parse(&raw)? else {
            return Err(unexpected(&raw));
        };
        let mut est = self.est;
        let verifier =
            (est.hs.config.client_verifier.clone()).ok_or(Error::Internal("client verifier"))?;
        if !accepted_schemes(&*verifier).contains(&cv.algorithm) {
            return Err(Error::illegal(
                "client CertificateVerify uses a scheme we did not offer",
            ));
        }
        let leaf = (est.hs.negotiated.peer_certificates.first()).ok_or(Error::Internal("leaf"))?;
        let signature = verifier.verify_tls12_signature(
            est.hs.transcript.bytes(),
            leaf,
            cv.algorithm,
            &cv.signature,
        )?;
        est.hs.transcript.add(raw.encoded);
        let ClientAuth::Chain(chain) = est.client else {
            return Err(Error::Internal("CertificateVerify without a chain"));
        };
        est.client = ClientAuth::Verified(chain, signature);
        core.records.decrypter.expect_change_cipher_spec();
        Ok(Box::new(ExpectChangeCipherSpec {
            est,
            resumed: false,
        }))
    }
}

struct ExpectChangeCipherSpec {
    est: Established,
    /// Abbreviated handshake: our Finished went first.
    resumed: bool,
}

impl State for ExpectChangeCipherSpec {
    fn handle(self: Box<Self>, _core: &mut Core, _raw: RawHandshake<'_>) -> Next {
        Err(Error::unexpected(
            "handshake message where ChangeCipherSpec was expected (RFC 5246 §7.1)",
        ))
    }

    fn handle_change_cipher_spec(self: Box<Self>, core: &mut Core) -> Next {
        common::receive_change_cipher_spec(core, &self.est.session)?;
        Ok(Box::new(ExpectFinished {
            est: self.est,
            resumed: self.resumed,
        }))
    }
}

struct ExpectFinished {
    est: Established,
    resumed: bool,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let mut est = self.est;
        common::check_finished(core, &est.session, &mut est.hs.transcript, &raw)?;
        if !self.resumed {
            est.send_finished_flight(core)?;
        }
        let Established {
            hs,
            session,
            client,
        } = est;
        common::finish_session(core, &session);
        let now = hs.config.common.clock().now();
        core.complete_handshake(now, hs.negotiated)?;
        Ok(Box::new(ServerTraffic12 { _client: client }))
    }
}

impl Established {
    /// [NewSessionTicket] ChangeCipherSpec Finished.
    fn send_finished_flight(&mut self, core: &mut Core) -> Result<(), Error> {
        if self.hs.issue_ticket {
            self.send_ticket(core)?;
        }
        common::send_change_cipher_spec(core, &self.session)?;
        common::send_finished(core, &self.session, &mut self.hs.transcript)
    }

    /// NewSessionTicket (RFC 5077 §3.3): the session sealed with the ticket keys that
    /// TLS 1.3 uses, recording what a TLS 1.3 ticket records.
    fn send_ticket(&mut self, core: &mut Core) -> Result<(), Error> {
        let config = &self.hs.config;
        let Some(keys) = &config.tickets else {
            return Ok(());
        };
        let now = config.common.clock().now();
        let lifetime_secs = u32::try_from(config.ticket_lifetime.as_secs()).unwrap_or(0);
        let client_auth = self.client.for_ticket();
        let client_certs = match client_auth.has_certificates() {
            true => (self.hs.negotiated.peer_certificates.iter())
                .map(|c| c.as_ref().to_vec())
                .collect(),
            false => Vec::new(),
        };
        let state = TicketState {
            suite: self.session.suite.suite.to_raw(),
            psk: self.session.master.duplicate(),
            issued_ms: millis(now),
            lifetime_secs,
            alpn: self.hs.negotiated.alpn.clone(),
            context: config.ticket_context,
            server_name: core.server_name.as_ref().map(|s| s.as_bytes().to_vec()),
            client_auth,
            client_certs,
            // TLS 1.2 has no ticket age obfuscation and no early data.
            age_add: 0,
            max_early_data: 0,
        };
        let ticket = keys
            .seal(now, &mut RngRef(config.common.rng()), &state.encode()?)
            .ok_or(Error::Internal("ticket sealing"))?;
        let nst = Tls12HandshakeMessage::NewSessionTicket(Tls12NewSessionTicket {
            ticket_lifetime_hint: lifetime_secs,
            ticket: Cow::Owned(ticket),
        });
        common::send(core, &mut self.hs.transcript, &nst)
    }
}

impl ClientAuth {
    /// What a ticket of this session records.
    fn for_ticket(&self) -> TicketClientAuth {
        match self {
            ClientAuth::NotRequested => TicketClientAuth::NotRequested,
            ClientAuth::Anonymous => TicketClientAuth::Anonymous,
            ClientAuth::Chain(_) | ClientAuth::Verified(..) => TicketClientAuth::Verified,
            ClientAuth::Resumed(recorded) => *recorded,
        }
    }
}

/// After the handshake. A ClientHello (renegotiation) is refused with a no_renegotiation
/// warning and the connection ends (RFC 5746 §4.4 lets a server that does not renegotiate
/// decline; like Go, we then close).
struct ServerTraffic12 {
    _client: ClientAuth,
}

impl State for ServerTraffic12 {
    fn handle(self: Box<Self>, _core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match raw.typ {
            tryst_messages::HandshakeType::ClientHello => Err(Error::misbehaved(
                AlertDescription::NoRenegotiation,
                "renegotiation is not supported",
            )),
            _ => Err(unexpected(&raw)),
        }
    }
}
