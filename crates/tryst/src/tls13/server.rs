//! The TLS 1.3 server handshake (RFC 8446 §4), one function per step, called in RFC order:
//!
//! ```text
//! ClientHello   check_client_hello → negotiate ─┬─ HelloRetry → send_hello_retry
//!                                               └─ Parameters → send_server_hello
//!               → derive_handshake_keys → send_encrypted_extensions
//!               → [send_certificate_request → send_certificate → send_certificate_verify]
//!               → send_finished
//! [Certificate, CertificateVerify] → Finished → send_tickets
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};
use tryst_crypto::SharedSecret;
use tryst_keyschedule::{TrafficSchedule, Transcript};
use tryst_messages::{
    AlertDescription, CertificateRequest, ClientHello, Codec, EncryptedExtensions, Extension,
    ExtensionContext, ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, HandshakeType,
    HelloVersions, KeyShareEntry, NamedGroup, NewSessionTicket, ProtocolVersion,
    PskKeyExchangeMode, RawHandshake, ServerHello, allowed_in,
};

use super::common::{self, HandshakeKeys, PskVerified, unexpected};
use super::resumption::{Fit, Resumption, TicketClientAuth, TicketState, resume};
use crate::Error;
use crate::config::{RngRef, ServerConfig, SuitePreference};
use crate::conn::{Core, Negotiated, Next, State, Traffic};
use crate::ech::server::ServerEch;
use crate::resolve::{ChosenCertificate, choose_server_certificate};
use crate::suites::{SupportedCipherSuite, SupportedGroup};
use crate::time::millis;
use crate::verify::{CertificateVerified, ClientCertVerifier, SignatureVerified};

/// The first state of a server connection.
pub(crate) fn start(config: Arc<ServerConfig>) -> Box<dyn State> {
    Box::new(ExpectClientHello {
        config,
        retry: None,
        ech: ServerEch::NotOffered,
    })
}

/// What a HelloRetryRequest committed us to.
struct Retry {
    suite: SupportedCipherSuite,
    group: SupportedGroup,
    cookie: Option<Vec<u8>>,
    transcript: Transcript,
    session_id: Vec<u8>,
    sent_ccs: bool,
}

struct ExpectClientHello {
    config: Arc<ServerConfig>,
    retry: Option<Retry>,
    /// Encrypted Client Hello (RFC 9849): what the first hello decided.
    ech: ServerEch,
}

fn missing(what: &'static str) -> Error {
    Error::misbehaved(AlertDescription::MissingExtension, what)
}

impl State for ExpectClientHello {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        if raw.typ == HandshakeType::ClientHello {
            // Version first, with the rules every version shares: the highest version
            // both speak; a hello without TLS 1.3 or 1.2 is protocol_version, whatever
            // TLS 1.3 says about its shape.
            let common = &self.config.common;
            let tls12 = common.tls12_enabled() && self.retry.is_none();
            let v = ClientHello::peek_versions(raw.body)?;
            if check_client_version(&v, tls12, common.tls13)? {
                return crate::tls12::server::client_hello(self.config, core, &raw);
            }
        }
        let HandshakeMessage::ClientHello(ch) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        let mut this = *self;
        let second = this.retry.is_some();
        let keys = &this.config.ech_keys;
        let inner = crate::ech::server::open(keys, &mut this.ech, second, &ch, raw.encoded);
        core.ech_status = this.ech.status();
        let inner = inner?;
        let Some(inner) = inner else {
            return this.client_hello(core, &ch, raw.encoded);
        };
        // From here on the inner hello is the ClientHello (RFC 9849 §7.1).
        let outer_name = ch.server_name().and_then(|n| core::str::from_utf8(n).ok());
        core.outer_server_name = outer_name.map(Into::into);
        let inner_ch = crate::ech::server::parse_inner(&inner)?;
        this.client_hello(core, &inner_ch, &inner)
    }
}

/// The versions a ClientHello of any TLS version offers (RFC 8446 §4.1.2, §4.2.1,
/// Appendix D.2, D.5): true when TLS 1.2 is the highest in common (with `tls12` on).
fn check_client_version(v: &HelloVersions, tls12: bool, tls13: bool) -> Result<bool, Error> {
    if v.legacy_version <= ProtocolVersion::Ssl3 {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "ClientHello.legacy_version is 0x0300 or lower (RFC 8446 Appendix D.5)",
        ));
    }
    if tls13 && v.offers(ProtocolVersion::Tls13) {
        return Ok(false);
    }
    // Without supported_versions, legacy_version is the highest version offered.
    let offers_tls12 = match &v.supported_versions {
        Some(list) => list.contains(&ProtocolVersion::Tls12),
        None => v.legacy_version >= ProtocolVersion::Tls12,
    };
    if tls12 && offers_tls12 {
        return Ok(true);
    }
    Err(Error::misbehaved(
        AlertDescription::ProtocolVersion,
        if tls12 {
            "client offers neither TLS 1.3 nor TLS 1.2"
        } else {
            "client does not offer TLS 1.3 in supported_versions"
        },
    ))
}

/// `supported_groups` as sorted raw values, for membership tests in O(log n): the list
/// comes from an unauthenticated peer and may hold 32767 groups.
fn sorted_groups(groups: &[NamedGroup]) -> Vec<u16> {
    let mut sorted: Vec<u16> = groups.iter().map(|g| g.to_raw()).collect();
    sorted.sort_unstable();
    sorted
}

/// What `negotiate` decided: ask for another ClientHello, or go on with these parameters.
// A value on the stack once per ClientHello: boxing the large variant buys nothing.
#[allow(clippy::large_enum_variant)]
enum Negotiation<'m, 'a> {
    /// No key share we can use, but a group in common (RFC 8446 §4.1.4).
    HelloRetry {
        suite: SupportedCipherSuite,
        group: SupportedGroup,
    },
    /// Everything the first flight needs.
    Parameters(Parameters<'m, 'a>),
}

/// The parameters of the connection, fixed by `negotiate`.
struct Parameters<'m, 'a> {
    suite: SupportedCipherSuite,
    group: SupportedGroup,
    /// The client's share for `group`.
    share: &'m KeyShareEntry<'a>,
    alpn: Option<Vec<u8>>,
    /// The ticket being resumed, its index in the client's offer and the binder's proof.
    psk: Option<Resumption>,
    /// A full handshake's certificate (`crate::resolve`).
    cert: Option<ChosenCertificate>,
    /// The transcript so far (after a HelloRetryRequest: message_hash and HRR) and whether
    /// we sent change_cipher_spec with the HelloRetryRequest.
    transcript: Transcript,
    sent_ccs: bool,
    hello_retry: bool,
}

/// The key shares and the supported_groups of a ClientHello (RFC 8446 §4.2.7, §4.2.8).
struct GroupOffer<'m, 'a> {
    shares: &'m [KeyShareEntry<'a>],
    /// supported_groups, sorted (see `sorted_groups`).
    groups: Vec<u16>,
}

impl GroupOffer<'_, '_> {
    fn offers(&self, g: NamedGroup) -> bool {
        self.groups.binary_search(&g.to_raw()).is_ok()
    }
}

impl ExpectClientHello {
    /// The whole first flight: the steps below, in RFC order.
    fn client_hello(mut self, core: &mut Core, ch: &ClientHello<'_>, encoded: &[u8]) -> Next {
        check_client_hello(ch)?;
        let config = self.config.clone();
        let ech = core::mem::take(&mut self.ech);
        let params = match self.negotiate(core, ch, encoded)? {
            Negotiation::HelloRetry { suite, group } => {
                return send_hello_retry(config, core, ch, encoded, suite, group, ech);
            }
            Negotiation::Parameters(p) => p,
        };
        let flight = ServerFlight::new(config, ch, encoded, &params, ech);
        let (shared, resumption, transcript) = flight.send_server_hello(core, encoded, params)?;
        flight.send_rest(core, &shared, resumption, transcript)
    }

    /// Negotiate suite, group, ALPN and resumption (RFC 8446 §4.1.1), in an order that
    /// decides which alert a hello breaking several rules gets: suite, groups, ALPN, SNI,
    /// the second-hello rules, the key share (or a HelloRetryRequest), the PSK, and last
    /// the signature scheme a full handshake needs.
    fn negotiate<'m, 'a>(
        self,
        core: &mut Core,
        ch: &'m ClientHello<'a>,
        encoded: &[u8],
    ) -> Result<Negotiation<'m, 'a>, Error> {
        let suite = match super::psk::external_suite(&self.config, ch) {
            Some(s) if self.retry.is_none() => s,
            _ => self.choose_suite(ch)?,
        };
        let offer = group_offer(ch)?;
        let alpn = choose_alpn(&self.config, ch)?;
        if let Some(name) = ch.server_name() {
            core.server_name = core::str::from_utf8(name).ok().map(Into::into);
        }
        if let Some(r) = &self.retry {
            check_second_client_hello(r, ch, offer.shares)?;
        }
        let Some((group, share)) = self.choose_share(&offer)? else {
            let group = self.choose_retry_group(&offer)?;
            return Ok(Negotiation::HelloRetry { suite, group });
        };
        let (transcript, sent_ccs, hello_retry) = match self.retry {
            Some(r) => (r.transcript, r.sent_ccs, true),
            None => (Transcript::new(suite.hash), false, false),
        };
        let fit = Fit {
            suite: &suite,
            server_name: core.server_name.as_deref(),
            alpn: alpn.as_deref(),
        };
        let psk = check_psk_offer(&self.config, ch, encoded, &fit, &transcript)?;
        let cert = match (&psk, &self.config.cert_resolver) {
            (Some(_), _) => None,
            (None, Some(resolver)) => Some(choose_server_certificate(
                &**resolver,
                ch,
                ProtocolVersion::Tls13,
            )?),
            (None, None) => {
                return Err(Error::incompatible(
                    "no external PSK in common, and this server has no certificate",
                ));
            }
        };
        Ok(Negotiation::Parameters(Parameters {
            suite,
            group,
            share,
            alpn,
            psk,
            cert,
            transcript,
            sent_ccs,
            hello_retry,
        }))
    }

    /// The suite: ours by our preference, or the one a HelloRetryRequest committed to.
    fn choose_suite(&self, ch: &ClientHello<'_>) -> Result<SupportedCipherSuite, Error> {
        let Some(r) = &self.retry else {
            return choose_suite(&self.config, &ch.cipher_suites);
        };
        if !ch.cipher_suites.contains(&r.suite.suite) {
            return Err(Error::illegal(
                "second ClientHello dropped the chosen cipher suite",
            ));
        }
        Ok(r.suite)
    }

    /// The first of our groups the client sent a share for (RFC 8446 §4.2.8), if any.
    #[allow(clippy::type_complexity)]
    fn choose_share<'m, 'a>(
        &self,
        offer: &GroupOffer<'m, 'a>,
    ) -> Result<Option<(SupportedGroup, &'m KeyShareEntry<'a>)>, Error> {
        let chosen = self.config.common.groups.iter().find_map(|g| {
            offer
                .shares
                .iter()
                .find(|s| s.group == g.group)
                .map(|s| (*g, s))
        });
        if chosen.is_none() && self.retry.is_some() {
            return Err(Error::illegal(
                "no usable key share after HelloRetryRequest",
            ));
        }
        Ok(chosen)
    }

    /// The group a HelloRetryRequest asks for: our first that the client supports.
    fn choose_retry_group(&self, offer: &GroupOffer<'_, '_>) -> Result<SupportedGroup, Error> {
        self.config
            .common
            .groups
            .iter()
            .find(|g| offer.offers(g.group))
            .copied()
            .ok_or(Error::incompatible("no key-exchange group in common"))
    }
}

/// The rules a TLS 1.3 ClientHello must meet before anything is negotiated (RFC 8446
/// §4.1.2, §4.2): TLS 1.3 in supported_versions, no compression, and only extensions that
/// may appear in a ClientHello.
fn check_client_hello(ch: &ClientHello<'_>) -> Result<(), Error> {
    let versions = ch.supported_versions();
    if !versions.is_some_and(|v| v.contains(&ProtocolVersion::Tls13)) {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "client does not offer TLS 1.3 in supported_versions",
        ));
    }
    if ch.legacy_compression_methods.as_ref() != [0] {
        return Err(Error::illegal(
            "legacy_compression_methods must be exactly [0]",
        ));
    }
    for e in &ch.extensions {
        if !allowed_in(e.ext_type(), ExtensionContext::ClientHello) {
            return Err(Error::illegal("extension not allowed in ClientHello"));
        }
    }
    Ok(())
}

/// supported_groups and key_share, both required (we do psk_dhe_ke only), with every
/// share for a supported group (RFC 8446 §4.2.8, §9.2).
fn group_offer<'m, 'a>(ch: &'m ClientHello<'a>) -> Result<GroupOffer<'m, 'a>, Error> {
    let (Some(groups), Some(shares)) = (ch.supported_groups(), ch.key_shares()) else {
        return Err(missing(
            "ClientHello needs supported_groups and key_share (psk_dhe_ke only)",
        ));
    };
    // (The codec refused two shares for one group and more than MAX_KEY_SHARES.)
    let offer = GroupOffer {
        shares,
        groups: sorted_groups(groups),
    };
    if !shares.iter().all(|s| offer.offers(s.group)) {
        return Err(Error::illegal(
            "key_share for a group not in supported_groups",
        ));
    }
    Ok(offer)
}

/// ALPN (RFC 7301 §3.2): our first protocol the client offers; none in common is fatal.
pub(crate) fn choose_alpn(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
) -> Result<Option<Vec<u8>>, Error> {
    match ch.alpn_protocols() {
        Some(offered) if !config.common.alpn.is_empty() => config
            .common
            .alpn
            .iter()
            .find(|ours| offered.iter().any(|p| p.as_ref() == ours.as_slice()))
            .cloned()
            .map(Some)
            .ok_or(Error::misbehaved(
                AlertDescription::NoApplicationProtocol,
                "no ALPN protocol in common",
            )),
        _ => Ok(None),
    }
}

/// The second ClientHello (RFC 8446 §4.1.2): no early data, the cookie echoed, one share
/// for the group we asked for, the same legacy_session_id.
fn check_second_client_hello(
    r: &Retry,
    ch: &ClientHello<'_>,
    shares: &[KeyShareEntry<'_>],
) -> Result<(), Error> {
    if ch.early_data() {
        return Err(Error::illegal(
            "second ClientHello offers early_data after HelloRetryRequest",
        ));
    }
    if ch.cookie() != r.cookie.as_deref() {
        return Err(Error::illegal(
            "second ClientHello does not echo the cookie",
        ));
    }
    if shares.len() != 1 || shares.first().map(|s| s.group) != Some(r.group.group) {
        return Err(Error::illegal(
            "second ClientHello must carry one share for the group we asked for",
        ));
    }
    if ch.legacy_session_id.as_ref() != r.session_id.as_slice() {
        return Err(Error::illegal(
            "second ClientHello changed legacy_session_id",
        ));
    }
    Ok(())
}

/// pre_shared_key (RFC 8446 §4.2.9, §4.2.11): with psk_key_exchange_modes, as many
/// binders as identities, and psk_dhe_ke offered, the first ticket that fits and whose
/// binder is good.
fn check_psk_offer(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
    encoded: &[u8],
    fit: &Fit<'_>,
    transcript: &Transcript,
) -> Result<Option<Resumption>, Error> {
    let Some(offer) = ch.pre_shared_key() else {
        return Ok(None);
    };
    let modes = ch.psk_key_exchange_modes().ok_or(missing(
        "pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9)",
    ))?;
    if offer.identities.len() != offer.binders.len() {
        return Err(Error::illegal(
            "PSK identities and binders differ in number",
        ));
    }
    if !modes.contains(&PskKeyExchangeMode::PskDheKe) {
        return Ok(None);
    }
    resume(config, offer, fit, transcript, ch, encoded)
}

fn choose_suite(
    config: &ServerConfig,
    offered: &[tryst_messages::CipherSuite],
) -> Result<SupportedCipherSuite, Error> {
    let ours = &config.common.suites;
    let found = match config.preference {
        SuitePreference::Server => ours.iter().find(|s| offered.contains(&s.suite)).copied(),
        SuitePreference::Client => offered
            .iter()
            .find_map(|o| ours.iter().find(|s| s.suite == *o))
            .copied(),
    };
    found.ok_or(Error::incompatible("no cipher suite in common"))
}

fn send_hello_retry(
    config: Arc<ServerConfig>,
    core: &mut Core,
    ch: &ClientHello<'_>,
    encoded: &[u8],
    suite: SupportedCipherSuite,
    group: SupportedGroup,
    ech: ServerEch,
) -> Next {
    let cookie = config.send_hrr_cookie.then(|| {
        let mut c = vec![0u8; 32];
        config.common.rng().fill(&mut c);
        c
    });
    let mut exts = vec![
        Extension::SelectedVersion(ProtocolVersion::Tls13),
        Extension::KeyShareHelloRetry(group.group),
    ];
    if let Some(c) = &cookie {
        exts.push(Extension::Cookie(Cow::Borrowed(c)));
    }
    let hrr = |extensions| {
        HandshakeMessage::HelloRetryRequest(ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random: HELLO_RETRY_REQUEST_RANDOM,
            legacy_session_id_echo: Cow::Borrowed(&ch.legacy_session_id),
            cipher_suite: suite.suite,
            legacy_compression_method: 0,
            extensions,
        })
    };
    let mut transcript = Transcript::new(suite.hash);
    transcript.add(encoded)?;
    transcript.replace_with_message_hash()?;
    let signal = ech.hrr_extension(suite.hash, &transcript, |zeroed| {
        let mut with = exts.clone();
        with.push(zeroed);
        Ok(hrr(with).to_bytes()?)
    })?;
    exts.extend(signal);
    let bytes = core.send_handshake(&hrr(exts))?;
    transcript.add(&bytes)?;
    let sent_ccs = config.middlebox_compat && !ch.legacy_session_id.is_empty();
    if sent_ccs {
        core.send_ccs()?;
    }
    core.hello_retry_request = true;
    if ch.early_data() {
        crate::early::rejected_by_hello_retry(core);
        // After a HelloRetryRequest the client's 0-RTT records arrive before its second
        // ClientHello, as application_data in the clear to us: skip them (§4.2.10).
        core.records
            .decrypter
            .skip_rejected_early_data(config.max_rejected_early_data);
    }
    Ok(Box::new(ExpectClientHello {
        config,
        ech,
        retry: Some(Retry {
            suite,
            group,
            cookie,
            transcript,
            session_id: ch.legacy_session_id.to_vec(),
            sent_ccs,
        }),
    }))
}

/// The server's first flight after negotiation: what each step needs from the ClientHello
/// and the negotiated parameters.
struct ServerFlight<'m, 'a> {
    config: Arc<ServerConfig>,
    ch: &'m ClientHello<'a>,
    /// The ClientHello as received (its hash keys 0-RTT).
    encoded: &'m [u8],
    suite: SupportedCipherSuite,
    group: SupportedGroup,
    alpn: Option<Vec<u8>>,
    hello_retry: bool,
    cert: Option<ChosenCertificate>,
    /// Encrypted Client Hello: the acceptance signal or the retry configs to send.
    ech: ServerEch,
}

impl<'m, 'a> ServerFlight<'m, 'a> {
    fn new(
        config: Arc<ServerConfig>,
        ch: &'m ClientHello<'a>,
        encoded: &'m [u8],
        p: &Parameters<'_, '_>,
        ech: ServerEch,
    ) -> Self {
        ServerFlight {
            ech,
            config,
            ch,
            encoded,
            suite: p.suite,
            group: p.group,
            alpn: p.alpn.clone(),
            hello_retry: p.hello_retry,
            cert: p.cert.clone(),
        }
    }

    /// ServerHello (RFC 8446 §4.1.3) with our key share and the selected PSK, then the
    /// middlebox-compatibility change_cipher_spec if the HelloRetryRequest did not send it.
    fn send_server_hello(
        &self,
        core: &mut Core,
        encoded: &[u8],
        p: Parameters<'_, '_>,
    ) -> Result<(SharedSecret, Option<Resumption>, Transcript), Error> {
        // The key share (32 bytes for X25519) and the random from one call to the generator
        // (`Prefilled`); a group that draws more only sends the random to the generator.
        let prefilled = crate::prefill::Prefilled::draw(self.config.common.rng(), 32 + 32);
        let rng: &dyn tryst_crypto::SecureRandom = &prefilled;
        let (our_public, shared) = self
            .group
            .kx
            .respond(&mut RngRef(rng), &p.share.key_exchange)
            .map_err(|e| Error::key_share(e, "client key share is invalid"))?;
        let mut random = [0u8; 32];
        rng.fill(&mut random);
        let mut exts = vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(self.group.group, &our_public)),
        ];
        if let Some(r) = &p.psk {
            exts.push(Extension::PreSharedKeySelected(r.index));
        }
        let sh = |random| {
            HandshakeMessage::ServerHello(ServerHello {
                legacy_version: ProtocolVersion::Tls12,
                random,
                legacy_session_id_echo: Cow::Borrowed(&self.ch.legacy_session_id),
                cipher_suite: self.suite.suite,
                legacy_compression_method: 0,
                extensions: exts.clone(),
            })
        };
        let mut transcript = p.transcript;
        transcript.add(encoded)?;
        let hash = self.suite.hash;
        (self.ech)
            .server_hello_random(hash, &transcript, &mut random, |r| Ok(sh(*r).to_bytes()?))?;
        let sh_bytes = core.send_handshake(&sh(random))?;
        transcript.add(&sh_bytes)?;
        if self.config.middlebox_compat && !self.ch.legacy_session_id.is_empty() && !p.sent_ccs {
            core.send_ccs()?;
        }
        Ok((shared, p.psk, transcript))
    }

    /// Everything after ServerHello, in RFC order.
    fn send_rest(
        self,
        core: &mut Core,
        shared: &SharedSecret,
        resumption: Option<Resumption>,
        mut transcript: Transcript,
    ) -> Next {
        let ticket = resumption.as_ref().map(|r| &r.state);
        if (self.ch.extensions.iter()).any(|e| matches!(e, Extension::PostHandshakeAuth)) {
            core.pha = Some(crate::pha::ServerPha::offered(&self.config));
        }
        let keys = self.derive_handshake_keys(core, shared, resumption.as_ref(), &transcript)?;
        self.send_encrypted_extensions(core, &mut transcript, ticket.is_some())?;
        let mut negotiated = self.negotiated(ticket.is_some());
        if let Some(id) = resumption.as_ref().and_then(|r| r.external.clone()) {
            negotiated.kind = crate::conn::HandshakeKind::ExternalPsk;
            core.psk_identity = Some(id);
        }
        let next = match resumption {
            Some(r) => {
                let client = adopt_ticket_client_auth(&mut negotiated, r);
                let has_peer = !negotiated.peer_certificates.is_empty();
                crate::rpk::server_note_peer(&self.config, &mut core.rpk, has_peer);
                AwaitClient::Finished(client)
            }
            None => {
                let mut cert =
                    (self.cert.clone()).ok_or(Error::Internal("no certificate chosen"))?;
                let requested = self.send_certificate_request(core, &mut transcript)?;
                let compressor = crate::compress::choose(
                    &self.config.common.cert_compression,
                    self.ch.compress_certificate(),
                );
                let c = compressor.as_deref();
                let staple = crate::ocsp::to_staple(&cert.key, self.ch);
                let key = (&*cert.key, staple);
                if crate::rpk::server_choice(&self.config, self.ch)? {
                    let spki = [crate::rpk::spki_of(&cert.key)?];
                    common::send_certificate(core, &mut transcript, &[], &spki, None)?;
                } else {
                    cert.compression =
                        crate::compress::send_certificate(core, &mut transcript, &[], key, c)?;
                }
                let common = &self.config.common;
                common::send_certificate_verify(
                    core,
                    &mut transcript,
                    &cert.key,
                    cert.scheme,
                    common,
                )?;
                core.chosen_certificate = Some(cert);
                match requested {
                    Some(request) => AwaitClient::Certificate(request),
                    None => AwaitClient::Finished(ClientAuthenticated::NotRequested),
                }
            }
        };
        self.send_finished(core, keys, transcript, (next, negotiated))
    }

    /// What this handshake settles: a full one signs with our certificate's scheme.
    fn negotiated(&self, resumed: bool) -> Negotiated {
        Negotiated {
            version: ProtocolVersion::Tls13,
            suite: self.suite,
            group: Some(self.group.group),
            kind: common::handshake_kind(resumed, self.hello_retry),
            alpn: self.alpn.clone(),
            scheme: self.cert.as_ref().filter(|_| !resumed).map(|c| c.scheme),
            peer_certificates: Vec::new(),
        }
    }

    /// The handshake secrets (RFC 8446 §7.1) and what was negotiated; 0-RTT we never
    /// accept is skipped from now on.
    fn derive_handshake_keys(
        &self,
        core: &mut Core,
        shared: &SharedSecret,
        resumption: Option<&Resumption>,
        transcript: &Transcript,
    ) -> Result<HandshakeKeys, Error> {
        let early = common::early_schedule(
            &self.config.common,
            &self.suite,
            resumption.map(|r| &r.state.psk),
            self.ch.random,
        );
        let early_key = match self.ch.early_data() {
            true => crate::early::server_offered(
                &self.config,
                core,
                (resumption, self.hello_retry),
                &early,
                self.suite.hash.hash(self.encoded),
            )?,
            false => None,
        };
        let keys = common::derive_handshake_keys(core, self.suite, early, shared, transcript)?;
        match early_key {
            // Accepted: the client's next records are under client_early_traffic_secret,
            // up to its EndOfEarlyData (RFC 8446 §4.2.10).
            Some(key) => {
                core.set_recv_key(&self.suite, &key)?;
                core.records.decrypter.set_application_data_allowed(true);
            }
            // Rejected: the early records are under a key we do not use, so they fail to
            // open; skip them within the budget (RFC 8446 §4.2.10).
            None if self.ch.early_data() => core
                .records
                .decrypter
                .skip_rejected_early_data(self.config.max_rejected_early_data),
            None => {}
        }
        Ok(keys)
    }

    /// EncryptedExtensions (RFC 8446 §4.3.1): record_size_limit, ALPN, the SNI ack.
    fn send_encrypted_extensions(
        &self,
        core: &mut Core,
        transcript: &mut Transcript,
        resumed: bool,
    ) -> Result<(), Error> {
        let mut ee = Vec::new();
        let limit = match self.ch.record_size_limit() {
            Some(theirs) => Some(common::check_record_size_limit(theirs)?),
            None => None,
        };
        if let Some(theirs) = limit {
            core.records.encrypter.set_record_size_limit(theirs)?;
            ee.push(Extension::RecordSizeLimit(self.config.record_size_limit));
        }
        if let Some(a) = &self.alpn {
            ee.push(Extension::Alpn(vec![Cow::Borrowed(a.as_slice())]));
        }
        if core.server_name.is_some() && !resumed {
            ee.push(Extension::ServerNameAck);
        }
        ee.extend(self.ech.retry_configs(&self.config.ech_retry_configs));
        if !resumed && crate::rpk::server_choice(&self.config, self.ch)? {
            ee.push(crate::rpk::server_ee());
        }
        if !resumed && crate::rpk::server_requests_raw(&self.config, self.ch)? {
            ee.push(crate::rpk::server_ee_client_type());
        }
        if core.early.receiving() {
            ee.push(Extension::EarlyData);
        }
        let ee_bytes = core.send_handshake(&HandshakeMessage::EncryptedExtensions(
            EncryptedExtensions { extensions: ee },
        ))?;
        transcript.add(&ee_bytes)?;
        if limit.is_some() {
            core.records
                .decrypter
                .set_record_size_limit(self.config.record_size_limit)?;
        }
        Ok(())
    }

    /// CertificateRequest (RFC 8446 §4.3.2) when the config verifies clients: returns
    /// the verifier and the extension types the client's entries may carry.
    fn send_certificate_request(
        &self,
        core: &mut Core,
        transcript: &mut Transcript,
    ) -> Result<Option<ClientAuthRequest>, Error> {
        let Some(v) = &self.config.client_verifier else {
            return Ok(None);
        };
        // A client that cannot send a raw key is not asked (RFC 7250 §4.2).
        if self.config.client_raw_keys && !crate::rpk::server_requests_raw(&self.config, self.ch)? {
            return Ok(None);
        }
        let mut exts = vec![Extension::SignatureAlgorithms(v.supported_schemes())];
        let compression = &self.config.common.cert_compression;
        if !compression.is_empty() {
            exts.push(Extension::CompressCertificate(
                compression.iter().map(|c| c.algorithm()).collect(),
            ));
        }
        let hints = v.root_hint_subjects();
        if !hints.is_empty() {
            exts.push(Extension::CertificateAuthorities(
                hints.into_iter().map(Cow::Owned).collect(),
            ));
        }
        exts.extend(crate::ocsp::certificate_request_extension(&self.config));
        let requested: Vec<ExtensionType> = exts.iter().map(Extension::ext_type).collect();
        let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
            certificate_request_context: Cow::Borrowed(&[]),
            extensions: exts,
        });
        let bytes = core.send_handshake(&cr)?;
        transcript.add(&bytes)?;
        Ok(Some(ClientAuthRequest {
            verifier: v.clone(),
            requested,
        }))
    }

    /// Our Finished (RFC 8446 §4.4.4), then the application traffic secrets; the next
    /// state waits for the client's flight.
    fn send_finished(
        self,
        core: &mut Core,
        keys: HandshakeKeys,
        mut transcript: Transcript,
        (next, negotiated): (AwaitClient, Negotiated),
    ) -> Next {
        common::send_finished_with_key(core, &keys.suite, &keys.server_finished, &mut transcript)?;
        let HandshakeKeys {
            suite,
            schedule,
            client_hs,
            client_finished,
            ..
        } = keys;
        let traffic = common::derive_traffic_keys(core, &suite, schedule, &transcript)?;
        core.key_log = self
            .config
            .common
            .key_log
            .clone()
            .map(|l| Box::new((l, self.ch.random)));
        let hs = Handshake {
            config: self.config,
            transcript,
            client_hs,
            client_finished,
            traffic,
            negotiated,
        };
        match next {
            AwaitClient::Certificate(request) => {
                Ok(Box::new(ExpectClientCertificate { hs, request }))
            }
            AwaitClient::Finished(client) if core.early.receiving() => {
                Ok(Box::new(ExpectEndOfEarlyData { hs, client }))
            }
            AwaitClient::Finished(client) => Ok(Box::new(ExpectClientFinished { hs, client })),
        }
    }
}

/// A resumed session keeps the client authentication of the original one.
fn adopt_ticket_client_auth(negotiated: &mut Negotiated, r: Resumption) -> ClientAuthenticated {
    // `ticket_fits` checked these certificates against this config's verifier.
    negotiated.peer_certificates = r
        .state
        .client_certs
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    ClientAuthenticated::Resumed(r.binder, r.state.client_auth)
}

/// What the client's flight starts with.
enum AwaitClient {
    /// We sent CertificateRequest: its Certificate.
    Certificate(ClientAuthRequest),
    /// Its Finished, from a client that is who this says.
    Finished(ClientAuthenticated),
}

/// Proof of who the client is. The state that checks its Finished holds one, the traffic
/// state is built from it, and the tickets record it.
#[derive(Debug)]
enum ClientAuthenticated {
    /// We did not ask for a certificate.
    NotRequested,
    /// We asked; the client sent none, and our verifier lets it go without.
    Anonymous,
    /// Its chain was verified and its CertificateVerify signature checked.
    Certificate(CertificateVerified, SignatureVerified),
    /// It holds a ticket's PSK (binder checked); the session keeps the client
    /// authentication the ticket records.
    Resumed(PskVerified, TicketClientAuth),
}

impl ClientAuthenticated {
    /// What a ticket of this session records.
    fn for_ticket(&self) -> TicketClientAuth {
        match self {
            ClientAuthenticated::NotRequested => TicketClientAuth::NotRequested,
            ClientAuthenticated::Anonymous => TicketClientAuth::Anonymous,
            ClientAuthenticated::Certificate(..) => TicketClientAuth::Verified,
            ClientAuthenticated::Resumed(_, recorded) => *recorded,
        }
    }
}

/// What our CertificateRequest asked for.
struct ClientAuthRequest {
    verifier: Arc<dyn ClientCertVerifier>,
    /// The extension types of our CertificateRequest: the only ones a CertificateEntry
    /// may carry (RFC 8446 §4.4.2).
    requested: Vec<ExtensionType>,
}

/// The handshake-key stage on the server, after our Finished.
struct Handshake {
    config: Arc<ServerConfig>,
    transcript: Transcript,
    client_hs: tryst_crypto::Secret,
    /// The finished key of the client's handshake traffic secret.
    client_finished: tryst_crypto::Secret,
    traffic: TrafficSchedule,
    /// What was negotiated; the client's certificates are added when they arrive.
    negotiated: Negotiated,
}

struct ExpectClientCertificate {
    hs: Handshake,
    request: ClientAuthRequest,
}

impl State for ExpectClientCertificate {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let decompressed;
        let c = match raw.parse()? {
            HandshakeMessage::Certificate(c) => c,
            // Only if our CertificateRequest offered compress_certificate (RFC 8879 §4).
            HandshakeMessage::CompressedCertificate(cc) => {
                decompressed = crate::compress::received_certificate(&cc, &self.hs.config.common)?;
                crate::compress::parse_certificate(&decompressed)?
            }
            _ => return Err(unexpected(&raw)),
        };
        let chain = common::check_certificate(
            &c,
            &self.request.requested,
            "client Certificate has the wrong certificate_request_context",
        )?;
        self.hs.transcript.add(raw.encoded)?;
        let verifier = self.request.verifier;
        let Some((leaf, rest)) = chain.split_first() else {
            if verifier.client_auth_mandatory() {
                return Err(Error::misbehaved(
                    AlertDescription::CertificateRequired,
                    "client sent no certificate and one is required",
                ));
            }
            return Ok(Box::new(ExpectClientFinished {
                hs: self.hs,
                client: ClientAuthenticated::Anonymous,
            }));
        };
        let now = self.hs.config.common.clock().now();
        let verified = verifier.verify_client_cert(leaf, rest, UnixTime::since_unix_epoch(now))?;
        crate::ocsp::check_client_staple(core, &*verifier, &c, &chain, now)?;
        crate::rpk::server_note_peer(&self.hs.config, &mut core.rpk, true);
        self.hs.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectClientCertificateVerify {
            hs: self.hs,
            verifier,
            verified,
        }))
    }
}

struct ExpectClientCertificateVerify {
    hs: Handshake,
    verifier: Arc<dyn ClientCertVerifier>,
    /// Proof the chain was checked.
    verified: CertificateVerified,
}

impl State for ExpectClientCertificateVerify {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let this = &mut *self;
        let leaf =
            (this.hs.negotiated.peer_certificates.first()).ok_or(Error::Internal("no leaf"))?;
        let verifier = &this.verifier;
        let (_, signature) = common::check_certificate_verify(
            core.side,
            &mut this.hs.transcript,
            &raw,
            &verifier.supported_schemes(),
            leaf,
            &|m, leaf, scheme, sig| verifier.verify_tls13_signature(m, leaf, scheme, sig),
        )?;
        Ok(Box::new(ExpectClientFinished {
            hs: self.hs,
            client: ClientAuthenticated::Certificate(self.verified, signature),
        }))
    }
}

/// 0-RTT was accepted: early data until EndOfEarlyData (RFC 8446 §4.5), under
/// client_early_traffic_secret; then the client's handshake key.
struct ExpectEndOfEarlyData {
    hs: Handshake,
    client: ClientAuthenticated,
}

impl State for ExpectEndOfEarlyData {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let HandshakeMessage::EndOfEarlyData(_) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        self.hs.transcript.add(raw.encoded)?;
        crate::early::end_of_early_data(core);
        core.set_recv_key(&self.hs.negotiated.suite, &self.hs.client_hs)?;
        Ok(Box::new(ExpectClientFinished {
            hs: self.hs,
            client: self.client,
        }))
    }
}

struct ExpectClientFinished {
    hs: Handshake,
    /// Proof of who the client is: the traffic state is built from it.
    client: ClientAuthenticated,
}

impl State for ExpectClientFinished {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let Handshake {
            config,
            mut transcript,
            client_finished,
            traffic,
            negotiated,
            ..
        } = self.hs;
        let (client, suite) = (self.client, negotiated.suite);
        common::check_finished_with_key(&suite, &client_finished, &mut transcript, &raw)?;
        if let Some(pha) = core.pha.as_mut() {
            pha.handshake_done(&transcript);
        }
        core.set_recv_key(&suite, traffic.client_traffic_secret())?;
        let mut traffic = traffic;
        let resumption = traffic.resumption_master_secret(&transcript.current())?;
        crate::pha::keep_resumption(core, &suite, &resumption);
        core.traffic = Some(Traffic {
            schedule: traffic,
            suite,
        });
        let now = config.common.clock().now();
        send_tickets(&config, core, &resumption, &negotiated, &client)?;
        core.complete_handshake(now, negotiated)?;
        Ok(Box::new(ServerTraffic { _client: client }))
    }
}

/// NewSessionTicket (RFC 8446 §4.6.1): stateless tickets sealed with the ticket keys.
fn send_tickets(
    config: &ServerConfig,
    core: &mut Core,
    resumption: &tryst_keyschedule::ResumptionMasterSecret,
    negotiated: &Negotiated,
    client: &ClientAuthenticated,
) -> Result<(), Error> {
    let client_auth = client.for_ticket();
    let client_certs: Vec<Vec<u8>> = match client_auth.has_certificates() {
        true => (negotiated.peer_certificates.iter())
            .map(|c| c.as_ref().to_vec())
            .collect(),
        false => Vec::new(),
    };
    let tickets = Tickets {
        resumption,
        client_auth,
        client_certs,
        nonce: &|i| alloc::vec![i],
    };
    issue_tickets(config, core, negotiated, &tickets)
}

/// What a batch of tickets records, and the nonce of the i-th (unique within the
/// connection, RFC 8446 §4.6.1).
pub(crate) struct Tickets<'a> {
    pub(crate) resumption: &'a tryst_keyschedule::ResumptionMasterSecret,
    pub(crate) client_auth: TicketClientAuth,
    pub(crate) client_certs: Vec<Vec<u8>>,
    pub(crate) nonce: &'a dyn Fn(u8) -> Vec<u8>,
}

/// `config.ticket_count` NewSessionTickets for the session `negotiated` describes
/// (after the handshake, and again after post-handshake authentication, `crate::pha`).
pub(crate) fn issue_tickets(
    config: &ServerConfig,
    core: &mut Core,
    negotiated: &Negotiated,
    t: &Tickets<'_>,
) -> Result<(), Error> {
    let Some(keys) = &config.tickets else {
        return Ok(());
    };
    let now = config.common.clock().now();
    let lifetime_secs = u32::try_from(config.ticket_lifetime.as_secs())
        .unwrap_or(common::max_ticket_lifetime_secs());
    // What the server that resumes the session checks it against (`ticket_fits`).
    let server_name = core.server_name.as_ref().map(|s| s.as_bytes().to_vec());
    let max_early_data = config.early.max_early_data_size;
    // One call to the generator for every ticket's age_add and seal nonce (`Prefilled`).
    let prefilled = crate::prefill::Prefilled::draw(
        config.common.rng(),
        16usize.saturating_mul(usize::from(config.ticket_count)),
    );
    for i in 0..config.ticket_count {
        let nonce = (t.nonce)(i);
        let mut random = [0u8; 16];
        tryst_crypto::SecureRandom::fill(&prefilled, &mut random);
        let [a0, a1, a2, a3, seal_nonce @ ..] = random;
        let age_add = u32::from_be_bytes([a0, a1, a2, a3]);
        let state = TicketState {
            suite: negotiated.suite.suite.to_raw(),
            psk: t.resumption.ticket_psk(&nonce)?,
            issued_ms: millis(now),
            lifetime_secs,
            alpn: negotiated.alpn.clone(),
            context: config.ticket_context,
            server_name: server_name.clone(),
            client_auth: t.client_auth,
            client_certs: t.client_certs.clone(),
            age_add,
            max_early_data,
        };
        let sealed = keys
            .seal_with_nonce(now, seal_nonce, &state.encode()?)
            .ok_or(Error::Internal("ticket sealing"))?;
        let expires = now.saturating_add(core::time::Duration::from_secs(lifetime_secs.into()));
        let Some(ticket) = super::resumption::stateful_ticket(config, sealed, now, expires) else {
            continue;
        };
        send_ticket(
            core,
            &nonce,
            (lifetime_secs, age_add, max_early_data),
            ticket,
        )?;
    }
    Ok(())
}

/// One NewSessionTicket, with early_data when 0-RTT is on (RFC 8446 §4.6.1).
fn send_ticket(
    core: &mut Core,
    nonce: &[u8],
    (lifetime_secs, age_add, max_early_data): (u32, u32, u32),
    ticket: Vec<u8>,
) -> Result<(), Error> {
    let mut extensions = Vec::new();
    if max_early_data > 0 {
        extensions.push(Extension::MaxEarlyDataSize(max_early_data));
    }
    let nst = HandshakeMessage::NewSessionTicket(NewSessionTicket {
        ticket_lifetime: lifetime_secs,
        ticket_age_add: age_add,
        ticket_nonce: Cow::Borrowed(nonce),
        ticket: Cow::Owned(ticket),
        extensions,
    });
    core.send_handshake(&nst)?;
    Ok(())
}

/// After the handshake: KeyUpdates only.
struct ServerTraffic {
    /// Who the client is: there is no traffic state without this proof.
    _client: ClientAuthenticated,
}

impl State for ServerTraffic {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match raw.parse()? {
            HandshakeMessage::KeyUpdate(ku) => {
                core.receive_key_update(&ku)?;
                Ok(self)
            }
            // Answers to a post-handshake CertificateRequest (RFC 8446 §4.6.2).
            HandshakeMessage::Certificate(_)
            | HandshakeMessage::CertificateVerify(_)
            | HandshakeMessage::Finished(_) => {
                crate::pha::server_receive(core, &raw)?;
                Ok(self)
            }
            _ => Err(unexpected(&raw)),
        }
    }
}
