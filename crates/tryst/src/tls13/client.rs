//! The TLS 1.3 client handshake (RFC 8446 §4), one state per message and one function per
//! step, read top to bottom in RFC order:
//!
//! ```text
//! start: send_client_hello
//! ServerHello          process_server_hello → derive_handshake_keys
//!   (or HelloRetryRequest → process_hello_retry_request → send_client_hello again)
//! EncryptedExtensions  process_encrypted_extensions
//! [CertificateRequest] process_certificate_request
//! Certificate          process_certificate
//! CertificateVerify    process_certificate_verify
//! Finished             process_finished → [send_client_certificate] → send_finished
//! ```

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{ServerName, UnixTime};
use tryst_crypto::{ActiveKeyExchange, SecureRandom, SharedSecret};
use tryst_keyschedule::{PskKind, ResumptionMasterSecret, TrafficSchedule, Transcript};
use tryst_messages::{
    AlertDescription, Certificate, ClientHello, Codec, EncryptedExtensions, Extension,
    ExtensionContext, ExtensionType, HandshakeMessage, HandshakeType, HelloVersions, KeyShareEntry,
    NamedGroup, NewSessionTicket, OfferedPsks, ProtocolVersion, PskIdentity, PskKeyExchangeMode,
    RawHandshake, ServerHello, SignatureScheme, allowed_in,
};

use super::common::{self, HandshakeKeys, PskVerified, unexpected};
use crate::Error;
use crate::config::{ClientConfig, RngRef};
use crate::conn::{Core, Negotiated, Next, State, Traffic};
use crate::ech::EchStatus;
use crate::ech::client::ClientEch;
use crate::ech::wire::raw_body;
use crate::prefill::Prefilled;
use crate::session::Tls13Ticket;
use crate::suites::SupportedCipherSuite;
use crate::time::millis;
use crate::verify::{CertificateVerified, SignatureVerified};

/// Last 8 bytes of a TLS 1.2 / 1.1 ServerHello.random from a TLS 1.3 server that was
/// downgraded (RFC 8446 §4.1.3).
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// Everything the client states carry from start to finish.
struct Ctx {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    random: [u8; 32],
    session_id: Vec<u8>,
    /// Extension types we sent: the server may answer only these (RFC 8446 §4.2).
    sent_extensions: Vec<ExtensionType>,
    /// The offered PSK, if any: the ticket and its suite.
    psk: Option<(Tls13Ticket, SupportedCipherSuite)>,
    /// The TLS 1.2 session offered (its ticket, or its id as legacy_session_id), if any.
    tls12_session: Option<crate::session::Tls12Session>,
    /// The offered PSK is an external one (RFC 8446 §4.2.11), not a ticket.
    psk_external: bool,
    /// early_data is offered in the (first) ClientHello.
    offer_early: bool,
    sent_ccs: bool,
    /// Encrypted Client Hello (RFC 9849): the offer or GREASE, if any.
    ech: Option<ClientEch>,
}

/// The key shares of our latest ClientHello.
type KeyShares = Vec<(NamedGroup, Box<dyn ActiveKeyExchange>)>;

/// Proof the server is who it claims: the state that checks its Finished holds one, and
/// the traffic state is built from it.
#[derive(Debug)]
enum ServerAuthenticated {
    /// Its chain was verified and its CertificateVerify signature checked.
    Certificate(CertificateVerified, SignatureVerified),
    /// It selected our PSK; its Finished, checked next, proves it holds it.
    Psk(PskVerified),
}

/// The first state of a client connection: send ClientHello and wait for the answer.
pub(crate) fn start(
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    core: &mut Core,
) -> Next {
    // The random, the legacy session id, the key shares and GREASE ECH from one call to
    // the generator (`Prefilled`; each call can be a system call).
    let prefilled = Prefilled::draw(config.common.rng(), first_flight_random_len(&config));
    let rng: &dyn SecureRandom = &prefilled;
    let mut random = [0u8; 32];
    rng.fill(&mut random);
    let tls12_session = crate::tls12::client::session_to_offer(&config, &server_name);
    // A TLS 1.2 session id to resume goes in legacy_session_id; a TLS 1.2 ticket goes
    // with a fresh id the server echoes to accept it (RFC 5077 §3.4).
    let session_id = match &tls12_session {
        Some(s) if !s.has_ticket() => s.session_id.clone(),
        Some(_) => {
            let mut id = vec![0u8; 32];
            rng.fill(&mut id);
            id
        }
        None if config.middlebox_compat => {
            let mut id = vec![0u8; 32];
            rng.fill(&mut id);
            id
        }
        None => Vec::new(),
    };
    let key_shares = initial_key_shares(&config, rng)?;
    let (psk, psk_external) = match super::psk::client_offer(&config) {
        Some(external) => (Some(external), true),
        None => (ticket_to_offer(&config, &server_name), false),
    };
    let offer_early = !psk_external
        && config.early_data
        && psk.as_ref().is_some_and(|(t, _)| t.max_early_data > 0);
    let ech = ClientEch::start(&config.ech, rng, random)?;
    core.ech_status = ech
        .as_ref()
        .map_or(EchStatus::NotOffered, ClientEch::initial_status);
    let mut ctx = Ctx {
        config,
        server_name,
        random,
        session_id,
        sent_extensions: Vec::new(),
        psk,
        tls12_session,
        psk_external,
        offer_early,
        sent_ccs: false,
        ech,
    };
    let hello = ctx.client_hello(&key_shares, None, None)?;
    // RFC 8446 §5.1: the initial ClientHello's record may say 0x0301, as most clients do
    // for old middleboxes; every later record says 0x0303.
    core.records
        .encrypter
        .set_plaintext_record_version(ProtocolVersion::Tls10)?;
    core.send_handshake_bytes(HandshakeType::ClientHello, &hello)?;
    core.records
        .encrypter
        .set_plaintext_record_version(ProtocolVersion::Tls12)?;
    if let (true, Some((ticket, suite))) = (ctx.offer_early, &ctx.psk) {
        let es = common::early_schedule(&ctx.config.common, suite, Some(&ticket.psk), ctx.random);
        let compat = ctx.config.middlebox_compat;
        // With ECH the early data is keyed by the inner hello, which the binder covers.
        let keyed = (ctx.ech.as_ref()).and_then(ClientEch::inner_hello);
        crate::early::client_start(core, &es, suite, ticket, keyed.unwrap_or(&hello), compat)?;
        ctx.sent_ccs = compat;
    }
    Ok(Box::new(ExpectServerHello {
        ctx,
        key_shares,
        transcript: HelloTranscript::Buffered(hello),
    }))
}

/// A share for our first group, or for every group if the config says so.
fn initial_key_shares(config: &ClientConfig, rng: &dyn SecureRandom) -> Result<KeyShares, Error> {
    let count = initial_key_share_count(config);
    let mut key_shares = Vec::new();
    for g in config.common.groups.iter().take(count) {
        key_shares.push((g.group, g.kx.start(&mut RngRef(rng))?));
    }
    Ok(key_shares)
}

/// How many key shares the first ClientHello carries.
fn initial_key_share_count(config: &ClientConfig) -> usize {
    if config.key_shares_for_all_groups {
        config.common.groups.len()
    } else {
        1
    }
}

/// The random bytes `start` will ask for, in its order: the random, a middlebox-compatible
/// session id, 32 per key share (what X25519 draws; a group that draws more or less only
/// means a later draw goes to the generator itself) and GREASE ECH.
fn first_flight_random_len(config: &ClientConfig) -> usize {
    let session_id = if config.middlebox_compat { 32 } else { 0 };
    let shares = initial_key_share_count(config).saturating_mul(32);
    let grease = match config.ech {
        crate::ech::EchMode::Grease => crate::ech::client::GREASE_RANDOM_LEN,
        _ => 0,
    };
    32usize
        .saturating_add(session_id)
        .saturating_add(shares)
        .saturating_add(grease)
}

/// A ticket for this server whose suite we still offer, used at most once.
fn ticket_to_offer(
    config: &Arc<ClientConfig>,
    server_name: &ServerName<'static>,
) -> Option<(Tls13Ticket, SupportedCipherSuite)> {
    let now = config.common.clock().now();
    let store = config.session_store.as_ref()?;
    let t = store.take(server_name)?;
    let suite = config.common.suites.iter().find(|s| s.suite == t.suite)?;
    (t.is_fresh(millis(now)) && ticket_trusted(config, &t, server_name, now)).then_some((t, *suite))
}

/// Whether this config would authenticate the server of a ticket's session itself. A
/// session store may be shared by configs with different verifiers: a ticket from a session
/// accepted by another verifier is offered only if this config's verifier accepts the
/// same chain, for this name, now (RFC 8446 §4.6.1: the new SNI must be valid for the
/// original session's certificate).
fn ticket_trusted(
    config: &ClientConfig,
    ticket: &Tls13Ticket,
    server_name: &ServerName<'static>,
    now: core::time::Duration,
) -> bool {
    if Arc::ptr_eq(&ticket.verified_by, &config.verifier) {
        return true;
    }
    let Some((leaf, rest)) = ticket.peer_certificates.split_first() else {
        return false;
    };
    config
        .verifier
        .verify_server_cert(leaf, rest, server_name, UnixTime::since_unix_epoch(now))
        .is_ok()
}

impl Ctx {
    /// Build and encode a ClientHello (with PSK binders when offering a ticket) and record
    /// the extensions it offers. `hrr` is the transcript so far after a HelloRetryRequest,
    /// `cookie` the one it carried.
    fn client_hello(
        &mut self,
        key_shares: &[(NamedGroup, Box<dyn ActiveKeyExchange>)],
        hrr: Option<&Transcript>,
        cookie: Option<&[u8]>,
    ) -> Result<Vec<u8>, Error> {
        let mut ech = self.ech.take();
        let mut exts = self.client_hello_extensions(key_shares, cookie);
        if let Some(e) = &ech {
            // Before pre_shared_key, which stays last.
            let at = (exts
                .iter()
                .position(|e| e.ext_type() == ExtensionType::PreSharedKey))
            .unwrap_or(exts.len());
            exts.insert(at, e.hello_extension());
            e.arrange(&mut exts);
        }
        let sent: Vec<ExtensionType> = exts.iter().map(Extension::ext_type).collect();
        let mut ch = ClientHello {
            legacy_version: ProtocolVersion::Tls12,
            random: self.random,
            legacy_session_id: Cow::Borrowed(&self.session_id),
            cipher_suites: (self.config.common.suites.iter())
                .chain(&self.config.common.tls12_suites)
                .map(|s| s.suite)
                .collect(),
            legacy_compression_methods: Cow::Borrowed(&[0]),
            extensions: exts,
        };
        if self.config.tls12_compat_extensions {
            pad_client_hello(&mut ch)?;
        }
        self.fill_psk_binder(&mut ch, hrr)?;
        // With ECH, `ch` is the inner hello and what goes out is the outer one.
        let bytes = match ech.as_mut().map(|e| e.seal(&ch)).transpose()?.flatten() {
            Some(outer) => outer,
            None => HandshakeMessage::ClientHello(ch).to_bytes()?,
        };
        self.sent_extensions = sent;
        self.ech = ech;
        Ok(bytes)
    }

    /// The ClientHello's extensions. The order follows NSS (and so RFC 8448's traces);
    /// pre_shared_key must be last.
    fn client_hello_extensions<'a>(
        &'a self,
        key_shares: &'a [(NamedGroup, Box<dyn ActiveKeyExchange>)],
        cookie: Option<&'a [u8]>,
    ) -> Vec<Extension<'a>> {
        let config = &self.config;
        // A hello carrying 0-RTT data offers TLS 1.3 alone: the data is already on its
        // way, encrypted under the ticket, and only a TLS 1.3 server can skip or read it.
        let tls12 = config.common.tls12_enabled() && !self.offer_early;
        let mut exts = Vec::new();
        if let (ServerName::DnsName(name), true) = (&self.server_name, config.enable_sni) {
            exts.push(Extension::ServerName(vec![
                tryst_messages::ServerName::host_name(name.as_ref().as_bytes()),
            ]));
        }
        if config.tls12_compat_extensions || tls12 {
            exts.push(Extension::RenegotiationInfo(Cow::Borrowed(&[])));
        }
        exts.push(Extension::SupportedGroups(
            config.common.groups.iter().map(|g| g.group).collect(),
        ));
        if tls12 {
            // RFC 8422 §5.1.2: uncompressed points only; RFC 7627: the extended master secret.
            exts.push(Extension::EcPointFormats(Cow::Borrowed(&[0])));
            exts.push(Extension::ExtendedMasterSecret);
        }
        if tls12 && config.session_store.is_some() {
            // RFC 5077 §3.2: our ticket, or empty to ask for one.
            let ticket = self.tls12_session.as_ref().map(|s| s.ticket.as_slice());
            exts.push(Extension::SessionTicket(Cow::Borrowed(
                ticket.unwrap_or_default(),
            )));
        } else if config.tls12_compat_extensions && self.psk.is_none() {
            // (NSS leaves the TLS 1.2 ticket extension out when it offers a TLS 1.3 ticket.)
            exts.push(Extension::SessionTicket(Cow::Borrowed(&[])));
        }
        exts.push(Extension::KeyShareClient(
            key_shares
                .iter()
                .map(|(g, kx)| KeyShareEntry::new(*g, kx.public_key()))
                .collect(),
        ));
        if self.offer_early {
            exts.push(Extension::EarlyData);
        }
        if tls12 {
            exts.push(Extension::SupportedVersions(vec![
                ProtocolVersion::Tls13,
                ProtocolVersion::Tls12,
            ]));
            // TLS 1.2 servers sign with PKCS#1 v1.5 too; a TLS 1.3 server never may.
            exts.push(Extension::SignatureAlgorithms(
                crate::tls12::client::offered_schemes(config),
            ));
        } else {
            exts.push(Extension::SupportedVersions(vec![ProtocolVersion::Tls13]));
            exts.push(Extension::SignatureAlgorithms(
                config.signature_schemes.clone(),
            ));
        }
        if !config.common.alpn.is_empty() {
            let protocols = config.common.alpn.iter();
            exts.push(Extension::Alpn(
                protocols.map(|p| Cow::Borrowed(p.as_slice())).collect(),
            ));
        }
        if let Some(c) = cookie {
            exts.push(Extension::Cookie(Cow::Borrowed(c)));
        }
        exts.extend(crate::ocsp::client_hello_extensions(config, tls12));
        if config.session_store.is_some() || config.external_psk.is_some() {
            exts.push(Extension::PskKeyExchangeModes(vec![
                PskKeyExchangeMode::PskDheKe,
            ]));
        }
        if let Some(limit) = config.record_size_limit {
            exts.push(Extension::RecordSizeLimit(limit));
        }
        let compression = &config.common.cert_compression;
        if !compression.is_empty() {
            let algorithms = compression.iter().map(|c| c.algorithm()).collect();
            exts.push(Extension::CompressCertificate(algorithms));
        }
        if let Some(offer) = self.psk_offer() {
            exts.push(Extension::PreSharedKeyOffer(offer));
        }
        exts
    }

    /// The pre_shared_key offer for our ticket, with a zero binder to fill in later.
    fn psk_offer(&self) -> Option<OfferedPsks<'_>> {
        let now_ms = millis(self.config.common.clock().now());
        let (ticket, suite) = self.psk.as_ref()?;
        let age = u32::try_from(now_ms.saturating_sub(ticket.received_at_ms)).unwrap_or(u32::MAX);
        Some(OfferedPsks {
            identities: vec![PskIdentity {
                identity: Cow::Borrowed(&ticket.ticket),
                obfuscated_ticket_age: age.wrapping_add(ticket.age_add),
            }],
            binders: vec![Cow::Owned(vec![0u8; suite.hash.output_len()])],
        })
    }

    /// RFC 8446 §4.2.11.2: the binder covers the transcript up to this ClientHello
    /// truncated just before the binders list.
    fn fill_psk_binder(
        &self,
        ch: &mut ClientHello<'_>,
        hrr: Option<&Transcript>,
    ) -> Result<(), Error> {
        let Some((ticket, suite)) = &self.psk else {
            return Ok(());
        };
        let prefix = ch
            .truncated_for_binders()?
            .ok_or(Error::Internal("PSK offer without binders"))?;
        let h = match hrr {
            Some(t) => t.current_with(&prefix),
            None => suite.hash.hash(&prefix),
        };
        let es = common::early_schedule(&self.config.common, suite, Some(&ticket.psk), self.random);
        let kind = match self.psk_external {
            true => PskKind::External,
            false => PskKind::Resumption,
        };
        let binder = es.psk_binder(kind, &h)?;
        if let Some(Extension::PreSharedKeyOffer(offer)) = ch.extensions.last_mut() {
            offer.binders = vec![Cow::Owned(binder.expose_secret().to_vec())];
        }
        Ok(())
    }
}

/// RFC 7685 padding, as browsers send it: a ClientHello of 256 to 511 bytes (some
/// middleboxes mishandle those) is padded to 512, before pre_shared_key (which stays last).
fn pad_client_hello(ch: &mut ClientHello<'_>) -> Result<(), Error> {
    let len = HandshakeMessage::ClientHello(ch.clone()).to_bytes()?.len();
    if !(256..512).contains(&len) {
        return Ok(());
    }
    // The extension's own header is 4 bytes; at least one byte of padding.
    let body = 512usize.saturating_sub(len).saturating_sub(4).max(1);
    let at = match ch.extensions.last() {
        Some(Extension::PreSharedKeyOffer(_)) => ch.extensions.len().saturating_sub(1),
        _ => ch.extensions.len(),
    };
    ch.extensions
        .insert(at, Extension::Padding(Cow::Owned(vec![0u8; body])));
    Ok(())
}

/// The transcript before ServerHello. Until a suite is named the first ClientHello can
/// only be kept as bytes; a HelloRetryRequest names one, and there is at most one.
enum HelloTranscript {
    /// No HelloRetryRequest yet: the first ClientHello.
    Buffered(Vec<u8>),
    /// After the HelloRetryRequest: the transcript so far and the suite it chose.
    AfterRetry(Transcript, SupportedCipherSuite),
}

impl HelloTranscript {
    /// The transcript up to and including the ServerHello, under the chosen suite's hash.
    fn with_server_hello(
        self,
        suite: &SupportedCipherSuite,
        encoded: &[u8],
    ) -> Result<Transcript, Error> {
        let mut transcript = match self {
            HelloTranscript::Buffered(ch) => {
                let mut t = Transcript::new(suite.hash);
                t.add(&ch)?;
                t
            }
            HelloTranscript::AfterRetry(t, _) => t,
        };
        transcript.add(encoded)?;
        Ok(transcript)
    }
}

struct ExpectServerHello {
    ctx: Ctx,
    key_shares: KeyShares,
    transcript: HelloTranscript,
}

impl State for ExpectServerHello {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        if raw.typ == HandshakeType::ServerHello {
            // Version first, with the rules every version shares: a TLS 1.2 answer goes
            // to the TLS 1.2 handshake (if we offered it; else protocol_version), a
            // downgrade is refused, whatever TLS 1.3 says about its shape.
            let tls12 = self.ctx.config.common.tls12_enabled() && !self.ctx.offer_early;
            if check_server_version(&ServerHello::peek_versions(raw.body)?, tls12)? {
                return self.into_tls12(core, &raw);
            }
        }
        match raw.parse()? {
            HandshakeMessage::HelloRetryRequest(hrr) => {
                self.process_hello_retry_request(core, &hrr, raw.encoded)
            }
            HandshakeMessage::ServerHello(sh) => self.process_server_hello(core, &sh, raw.encoded),
            _ => Err(unexpected(&raw)),
        }
    }
}

/// The version a ServerHello or HelloRetryRequest of any TLS version selects
/// (RFC 8446 §4.1.3, §4.2.1, Appendix D.5): true for TLS 1.2 (when `tls12` is on).
fn check_server_version(v: &HelloVersions, tls12: bool) -> Result<bool, Error> {
    if v.legacy_version <= ProtocolVersion::Ssl3 {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "ServerHello.legacy_version is 0x0300 or lower (RFC 8446 Appendix D.5)",
        ));
    }
    match v.supported_versions.as_deref() {
        Some([ProtocolVersion::Tls13]) => Ok(false),
        Some(_) => Err(Error::illegal(
            "supported_versions selected a version we did not offer",
        )),
        None => {
            // A TLS 1.2-or-older answer. A TLS 1.3 server that was made to downgrade
            // marks its random; that is an attack (RFC 8446 §4.1.3).
            let tail = v.random.get(24..).unwrap_or_default();
            if tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11 {
                return Err(Error::illegal("downgrade sentinel in ServerHello.random"));
            }
            if tls12 && v.legacy_version == ProtocolVersion::Tls12 {
                return Ok(true);
            }
            Err(Error::misbehaved(
                AlertDescription::ProtocolVersion,
                if tls12 {
                    "server chose TLS 1.1 or older"
                } else {
                    "server does not speak TLS 1.3 (no supported_versions)"
                },
            ))
        }
    }
}

impl ExpectServerHello {
    /// The server chose TLS 1.2 (RFC 5246): its handshake takes over, from our one
    /// ClientHello. After a HelloRetryRequest the server is committed to TLS 1.3.
    fn into_tls12(self: Box<Self>, core: &mut Core, raw: &RawHandshake<'_>) -> Next {
        let HelloTranscript::Buffered(client_hello) = self.transcript else {
            return Err(Error::illegal(
                "TLS 1.2 ServerHello after a HelloRetryRequest",
            ));
        };
        let ctx = self.ctx;
        let hello = crate::tls12::client::Hello {
            config: ctx.config,
            server_name: ctx.server_name,
            random: ctx.random,
            session_id: ctx.session_id,
            sent_extensions: ctx.sent_extensions,
            client_hello,
            offered: ctx.tls12_session,
        };
        crate::tls12::client::process_server_hello(hello, core, raw)
    }

    /// The checks a ServerHello and a HelloRetryRequest share (RFC 8446 §4.1.3, §4.1.4);
    /// the version was checked before the message was decoded.
    fn check_common(&self, sh: &ServerHello<'_>) -> Result<SupportedCipherSuite, Error> {
        if sh.legacy_version != ProtocolVersion::Tls12 {
            return Err(Error::illegal("ServerHello.legacy_version is not 0x0303"));
        }
        if sh.legacy_session_id_echo.as_ref() != self.ctx.session_id.as_slice() {
            return Err(Error::illegal(
                "ServerHello.legacy_session_id_echo differs from ours",
            ));
        }
        if sh.legacy_compression_method != 0 {
            return Err(Error::illegal(
                "ServerHello.legacy_compression_method is not 0",
            ));
        }
        let suite = self
            .ctx
            .config
            .common
            .suites
            .iter()
            .find(|s| s.suite == sh.cipher_suite)
            .copied()
            .ok_or(Error::illegal(
                "server selected a cipher suite we did not offer",
            ))?;
        let ctx = if sh.is_hello_retry_request() {
            ExtensionContext::HelloRetryRequest
        } else {
            ExtensionContext::ServerHello
        };
        for e in &sh.extensions {
            let t = e.ext_type();
            if !self.ctx.sent_extensions.contains(&t) && t != ExtensionType::Cookie {
                return Err(Error::misbehaved(
                    AlertDescription::UnsupportedExtension,
                    "server sent an extension we did not offer",
                ));
            }
            if !allowed_in(t, ctx) {
                return Err(Error::illegal("extension not allowed in ServerHello"));
            }
        }
        Ok(suite)
    }

    /// HelloRetryRequest (RFC 8446 §4.1.4): a new share if asked, the cookie echoed, the
    /// transcript restarted as message_hash(ClientHello1) || HelloRetryRequest (§4.4.1).
    fn process_hello_retry_request(
        mut self: Box<Self>,
        core: &mut Core,
        hrr: &ServerHello<'_>,
        encoded: &[u8],
    ) -> Next {
        let HelloTranscript::Buffered(ch1) = &self.transcript else {
            return Err(Error::unexpected("a second HelloRetryRequest"));
        };
        let suite = self.check_common(hrr)?;
        let group = hrr.hello_retry_group();
        let cookie = hrr.cookie().map(<[u8]>::to_vec);
        if group.is_none() && cookie.is_none() {
            return Err(Error::illegal(
                "HelloRetryRequest that would change nothing",
            ));
        }
        let key_shares = match group {
            Some(g) => self.retry_key_share(g)?,
            None => core::mem::take(&mut self.key_shares),
        };
        let mut transcript = Transcript::new(suite.hash);
        transcript.add(ch1)?;
        transcript.replace_with_message_hash()?;
        transcript.add(encoded)?;
        let inner_transcript = match self.ctx.ech.as_mut() {
            Some(e) => {
                let t = e.on_hello_retry_request(suite.hash, hrr, encoded)?;
                core.ech_status = e.status();
                t
            }
            None => None,
        };
        // A ticket whose hash differs from the suite chosen cannot be offered again.
        if (self.ctx.psk.as_ref())
            .is_some_and(|(_, s)| s.hash.algorithm() != suite.hash.algorithm())
        {
            self.ctx.psk = None;
        }
        core.hello_retry_request = true;
        // RFC 8446 §4.2.10: no early data in the second ClientHello.
        self.ctx.offer_early = false;
        crate::early::client_rejected_by_hello_retry(core);
        if self.ctx.config.middlebox_compat && !self.ctx.sent_ccs {
            core.send_ccs()?;
            self.ctx.sent_ccs = true;
        }
        let binder_transcript = inner_transcript.as_ref().unwrap_or(&transcript);
        let hello =
            (self.ctx).client_hello(&key_shares, Some(binder_transcript), cookie.as_deref())?;
        transcript.add(&hello)?;
        if let (Some(t), Some(e)) = (inner_transcript, self.ctx.ech.as_mut()) {
            e.keep_inner_transcript(t)?;
        }
        core.send_handshake_bytes(HandshakeType::ClientHello, &hello)?;
        Ok(Box::new(ExpectServerHello {
            ctx: self.ctx,
            key_shares,
            transcript: HelloTranscript::AfterRetry(transcript, suite),
        }))
    }

    /// A share for the group a HelloRetryRequest asks for: one we offered but sent no share
    /// for (RFC 8446 §4.2.8).
    fn retry_key_share(&self, g: NamedGroup) -> Result<KeyShares, Error> {
        if self.key_shares.iter().any(|(sent, _)| *sent == g) {
            return Err(Error::illegal(
                "HelloRetryRequest asks for a group we already sent",
            ));
        }
        let common = &self.ctx.config.common;
        let supported = common
            .groups
            .iter()
            .find(|s| s.group == g)
            .ok_or(Error::illegal(
                "HelloRetryRequest asks for a group we did not offer",
            ))?;
        Ok(vec![(g, supported.kx.start(&mut RngRef(common.rng()))?)])
    }

    /// ServerHello (RFC 8446 §4.1.3): the suite (the HelloRetryRequest's, if one came),
    /// the key share, the PSK selected; then the handshake keys.
    fn process_server_hello(
        mut self: Box<Self>,
        core: &mut Core,
        sh: &ServerHello<'_>,
        encoded: &[u8],
    ) -> Next {
        let suite = self.check_common(sh)?;
        let hello_retry = match &self.transcript {
            HelloTranscript::AfterRetry(_, prev) if *prev != suite => {
                return Err(Error::illegal(
                    "ServerHello suite differs from the HelloRetryRequest's",
                ));
            }
            t => matches!(t, HelloTranscript::AfterRetry(..)),
        };
        let inner_transcript = self.ech_server_hello(core, &suite, encoded)?;
        let selected_psk = sh.selected_psk();
        let (group, shared) = self.complete_key_exchange(sh, selected_psk.is_some())?;
        let psk = self.selected_psk(selected_psk, &suite)?;
        let transcript = match inner_transcript {
            Some(t) => t,
            None => self.transcript.with_server_hello(&suite, encoded)?,
        };
        let ctx = self.ctx;
        let early = common::early_schedule(
            &ctx.config.common,
            &suite,
            psk.as_ref().map(|(t, _)| &t.psk),
            ctx.random,
        );
        let keys = common::derive_handshake_keys(core, suite, early, &shared, &transcript)?;
        crate::early::client_server_hello(
            core,
            psk.as_ref().map(|(t, _)| t.suite) == Some(suite.suite),
        );
        let kind = match (ctx.psk_external, &psk) {
            (true, Some(_)) => crate::conn::HandshakeKind::ExternalPsk,
            _ => common::handshake_kind(psk.is_some(), hello_retry),
        };
        let mut negotiated = Negotiated {
            version: ProtocolVersion::Tls13,
            suite,
            group: Some(group),
            kind,
            alpn: None,
            scheme: None,
            peer_certificates: Vec::new(),
        };
        let resumed = psk.map(|(t, proof)| {
            negotiated.peer_certificates = t.peer_certificates;
            proof
        });
        core.rpk.peer_raw = resumed.is_some()
            && ctx.config.server_raw_keys.is_some()
            && !negotiated.peer_certificates.is_empty();
        let hs = Handshake {
            ctx,
            keys,
            transcript,
            negotiated,
        };
        Ok(Box::new(ExpectEncryptedExtensions { hs, resumed }))
    }

    /// ECH's answer in ServerHello (RFC 9849 §6.1.4): the inner transcript if accepted;
    /// after a rejection the outer hello's random and no PSK (the outer hello offers none).
    fn ech_server_hello(
        &mut self,
        core: &mut Core,
        suite: &SupportedCipherSuite,
        encoded: &[u8],
    ) -> Result<Option<Transcript>, Error> {
        let Some(ech) = self.ctx.ech.as_mut() else {
            return Ok(None);
        };
        let inner = ech.on_server_hello(suite.hash, encoded)?;
        core.ech_status = ech.status();
        if let Some(outer_random) = ech.rejected_outer_random() {
            self.ctx.psk = None;
            self.ctx.random = outer_random;
        }
        Ok(inner)
    }

    /// The server's key_share, for a group we sent a share for, and the shared secret.
    fn complete_key_exchange(
        &mut self,
        sh: &ServerHello<'_>,
        psk_selected: bool,
    ) -> Result<(NamedGroup, SharedSecret), Error> {
        let share = sh.key_share().ok_or(if psk_selected {
            // RFC 8446 §4.2.11: a PSK answer without the key_share our
            // psk_key_exchange_modes (psk_dhe_ke only) require is illegal_parameter.
            Error::illegal("ServerHello selects a PSK without key_share")
        } else {
            Error::misbehaved(
                AlertDescription::MissingExtension,
                "ServerHello without key_share (we offer only psk_dhe_ke)",
            )
        })?;
        let pos = self
            .key_shares
            .iter()
            .position(|(g, _)| *g == share.group)
            .ok_or(Error::illegal(
                "ServerHello key_share group is not one we sent a share for",
            ))?;
        let (group, kx) = self.key_shares.swap_remove(pos);
        let shared = kx
            .complete(&share.key_exchange)
            .map_err(|e| Error::key_share(e, "server key share is invalid"))?;
        Ok((group, shared))
    }

    /// The PSK the server selected: only the one we offered, for a suite of its hash.
    fn selected_psk(
        &mut self,
        selected: Option<u16>,
        suite: &SupportedCipherSuite,
    ) -> Result<Option<(Tls13Ticket, PskVerified)>, Error> {
        match (selected, self.ctx.psk.take()) {
            (None, _) => Ok(None),
            (Some(0), Some((ticket, psk_suite))) => {
                if psk_suite.hash.algorithm() != suite.hash.algorithm() {
                    return Err(Error::illegal(
                        "server resumed with a suite of another hash",
                    ));
                }
                Ok(Some((ticket, PskVerified::checked())))
            }
            (Some(_), _) => Err(Error::illegal("server selected a PSK we did not offer")),
        }
    }
}

/// The handshake-key stage: what the encrypted part of the handshake needs.
struct Handshake {
    ctx: Ctx,
    keys: HandshakeKeys,
    transcript: Transcript,
    /// What was negotiated: ALPN, the server's chain and scheme are added as they arrive.
    negotiated: Negotiated,
}

struct ExpectEncryptedExtensions {
    hs: Handshake,
    /// Some(..) when resuming: the proof that the server selected our PSK, so no
    /// Certificate or CertificateVerify follows.
    resumed: Option<PskVerified>,
}

impl State for ExpectEncryptedExtensions {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let HandshakeMessage::EncryptedExtensions(ee) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        self.hs.process_encrypted_extensions(core, &ee)?;
        let alpn = self.hs.negotiated.alpn.as_deref();
        crate::early::client_encrypted_extensions(core, ee.early_data(), alpn)?;
        self.hs.transcript.add(raw.encoded)?;
        match self.resumed {
            Some(proof) => Ok(Box::new(ExpectFinished {
                hs: self.hs,
                client_auth: None,
                server: ServerAuthenticated::Psk(proof),
            })),
            None => Ok(Box::new(ExpectCertificateOrRequest { hs: self.hs })),
        }
    }
}

impl Handshake {
    /// EncryptedExtensions (RFC 8446 §4.3.1): only extensions we offered and that belong
    /// there; the ALPN answer; the server's record_size_limit.
    fn process_encrypted_extensions(
        &mut self,
        core: &mut Core,
        ee: &EncryptedExtensions<'_>,
    ) -> Result<(), Error> {
        for e in &ee.extensions {
            let t = e.ext_type();
            if !allowed_in(t, ExtensionContext::EncryptedExtensions) {
                return Err(Error::illegal(
                    "extension not allowed in EncryptedExtensions",
                ));
            }
            if !self.ctx.sent_extensions.contains(&t) {
                return Err(Error::misbehaved(
                    AlertDescription::UnsupportedExtension,
                    "server sent an extension we did not offer",
                ));
            }
            if let Extension::Alpn(protocols) = e {
                self.negotiated.alpn = Some(self.check_alpn(protocols)?);
            }
            if let Extension::RecordSizeLimit(theirs) = e {
                // We send them at most this; we accept at most ours.
                let theirs = common::check_record_size_limit(*theirs)?;
                core.records.encrypter.set_record_size_limit(theirs)?;
                if let Some(ours) = self.ctx.config.record_size_limit {
                    core.records.decrypter.set_record_size_limit(ours)?;
                }
            }
        }
        if let Some(ech) = self.ctx.ech.as_mut() {
            let retry = raw_body(&ee.extensions, ExtensionType::EncryptedClientHello);
            ech.on_encrypted_extensions(retry)?;
        }
        let full = matches!(
            self.negotiated.kind,
            crate::HandshakeKind::Full | crate::HandshakeKind::FullWithHelloRetryRequest
        );
        core.rpk.client_type =
            crate::rpk::client_check_ee_client_type(&self.ctx.config, &ee.extensions, full)?;
        crate::rpk::client_check_ee(&self.ctx.config, &ee.extensions, full)
    }

    /// The ALPN answer (RFC 7301 §3.1): exactly one protocol, one we offered.
    fn check_alpn(&self, protocols: &[Cow<'_, [u8]>]) -> Result<Vec<u8>, Error> {
        let [p] = protocols else {
            return Err(Error::illegal("ALPN answer must name exactly one protocol"));
        };
        let ours = &self.ctx.config.common.alpn;
        if !ours.iter().any(|o| o.as_slice() == p.as_ref()) {
            return Err(Error::illegal(
                "server chose an ALPN protocol we did not offer",
            ));
        }
        Ok(p.to_vec())
    }
}

/// What the server asked for in CertificateRequest.
struct ClientAuthRequest {
    context: Vec<u8>,
    schemes: Vec<SignatureScheme>,
    /// certificate_authorities (DER names), empty if the server sent none.
    authorities: Vec<Cow<'static, [u8]>>,
    /// compress_certificate: the algorithms the server can decompress (RFC 8879).
    compression: Vec<tryst_messages::CertificateCompressionAlgorithm>,
    /// status_request: the server wants our OCSP staple (`crate::ocsp`).
    ocsp: bool,
}

struct ExpectCertificateOrRequest {
    hs: Handshake,
}

impl State for ExpectCertificateOrRequest {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match raw.parse()? {
            HandshakeMessage::CertificateRequest(cr) => {
                let request = process_certificate_request(&cr)?;
                self.hs.transcript.add(raw.encoded)?;
                Ok(Box::new(ExpectCertificate {
                    hs: self.hs,
                    client_auth: Some(request),
                }))
            }
            HandshakeMessage::Certificate(c) => {
                crate::rpk::client_check_unrequested(&core.rpk)?;
                ExpectCertificate {
                    hs: self.hs,
                    client_auth: None,
                }
                .process_certificate(core, &c, raw.encoded)
            }
            HandshakeMessage::CompressedCertificate(cc) => {
                crate::rpk::client_check_unrequested(&core.rpk)?;
                ExpectCertificate {
                    hs: self.hs,
                    client_auth: None,
                }
                .process_compressed_certificate(core, &cc, raw.encoded)
            }
            _ => Err(unexpected(&raw)),
        }
    }
}

/// CertificateRequest (RFC 8446 §4.3.2): an empty context, signature_algorithms, and no
/// known extension that has no place there (unknown ones are ignored).
fn process_certificate_request(
    cr: &tryst_messages::CertificateRequest<'_>,
) -> Result<ClientAuthRequest, Error> {
    if cr
        .extensions
        .iter()
        .any(|e| !allowed_in(e.ext_type(), ExtensionContext::CertificateRequest))
    {
        return Err(Error::illegal(
            "extension not allowed in CertificateRequest",
        ));
    }
    if !cr.certificate_request_context.is_empty() {
        return Err(Error::illegal(
            "certificate_request_context must be empty in the handshake",
        ));
    }
    let schemes = cr
        .signature_algorithms()
        .map(<[SignatureScheme]>::to_vec)
        .ok_or(Error::misbehaved(
            AlertDescription::MissingExtension,
            "CertificateRequest without signature_algorithms",
        ))?;
    let authorities = (cr.certificate_authorities().unwrap_or_default().iter())
        .map(|a| Cow::Owned(a.to_vec()))
        .collect();
    Ok(ClientAuthRequest {
        context: Vec::new(),
        schemes,
        authorities,
        compression: cr.compress_certificate().unwrap_or_default().to_vec(),
        ocsp: crate::ocsp::staple_requested(cr),
    })
}

struct ExpectCertificate {
    hs: Handshake,
    client_auth: Option<ClientAuthRequest>,
}

impl State for ExpectCertificate {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match raw.parse()? {
            HandshakeMessage::Certificate(c) => (*self).process_certificate(core, &c, raw.encoded),
            HandshakeMessage::CompressedCertificate(cc) => {
                (*self).process_compressed_certificate(core, &cc, raw.encoded)
            }
            _ => Err(unexpected(&raw)),
        }
    }
}

impl ExpectCertificate {
    /// The server's CompressedCertificate (RFC 8879 §4), if we offered compress_certificate:
    /// decompressed within our limit, then checked as its Certificate; the transcript
    /// takes the compressed message as received.
    fn process_compressed_certificate(
        self,
        core: &mut Core,
        cc: &tryst_messages::CompressedCertificate<'_>,
        encoded: &[u8],
    ) -> Next {
        let body = crate::compress::received_certificate(cc, &self.hs.ctx.config.common)?;
        let c = crate::compress::parse_certificate(&body)?;
        self.process_certificate(core, &c, encoded)
    }

    /// The server's Certificate (RFC 8446 §4.4.2): at least one, checked by the verifier
    /// for our server name.
    fn process_certificate(mut self, core: &mut Core, c: &Certificate<'_>, encoded: &[u8]) -> Next {
        let ctx = &self.hs.ctx;
        if let Some(pinned) = &ctx.config.server_raw_keys {
            // RFC 7250: a pinned raw key stands in for the chain and its verification.
            let spki = crate::rpk::client_certificate(c, &ctx.sent_extensions, pinned)?;
            self.hs.transcript.add(encoded)?;
            self.hs.negotiated.peer_certificates = vec![spki];
            core.rpk.peer_raw = true;
            return Ok(Box::new(ExpectCertificateVerify {
                hs: self.hs,
                client_auth: self.client_auth,
                verified: CertificateVerified::assertion(),
            }));
        }
        let chain = common::check_certificate(
            c,
            &ctx.sent_extensions,
            "server Certificate has a certificate_request_context",
        )?;
        let Some((leaf, intermediates)) = chain.split_first() else {
            return Err(Error::misbehaved(
                AlertDescription::DecodeError,
                "server sent no certificate",
            ));
        };
        let now = UnixTime::since_unix_epoch(ctx.config.common.clock().now());
        // After an ECH rejection the server must prove it is the public name (RFC 9849
        // §6.1.7).
        let public_name = ctx.ech.as_ref().and_then(ClientEch::rejected_public_name);
        let name = public_name.as_ref().unwrap_or(&ctx.server_name);
        let verified = (ctx.config.verifier).verify_server_cert(leaf, intermediates, name, now)?;
        let ocsp = crate::ocsp::stapled(c);
        let staple = ocsp.as_deref().unwrap_or_default();
        (ctx.config.verifier).verify_ocsp_response(leaf, intermediates, staple, now)?;
        core.peer_ocsp = ocsp;
        self.hs.transcript.add(encoded)?;
        self.hs.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectCertificateVerify {
            hs: self.hs,
            client_auth: self.client_auth,
            verified,
        }))
    }
}

struct ExpectCertificateVerify {
    hs: Handshake,
    client_auth: Option<ClientAuthRequest>,
    /// Proof the chain was checked: this state cannot exist without it.
    verified: CertificateVerified,
}

impl State for ExpectCertificateVerify {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let hs = &mut self.hs;
        let config = &hs.ctx.config;
        let leaf = (hs.negotiated.peer_certificates.first()).ok_or(Error::Internal("no leaf"))?;
        let (scheme, signature) = common::check_certificate_verify(
            core.side,
            &mut hs.transcript,
            &raw,
            &config.signature_schemes,
            leaf,
            &|m, leaf, scheme, sig| match config.server_raw_keys {
                Some(_) => crate::rpk::verify_signature(m, leaf, scheme, sig, config),
                None => config.verifier.verify_tls13_signature(m, leaf, scheme, sig),
            },
        )?;
        hs.negotiated.scheme = Some(scheme);
        Ok(Box::new(ExpectFinished {
            hs: self.hs,
            client_auth: self.client_auth,
            server: ServerAuthenticated::Certificate(self.verified, signature),
        }))
    }
}

struct ExpectFinished {
    hs: Handshake,
    client_auth: Option<ClientAuthRequest>,
    /// Proof the server authenticated itself: certificate and signature, or our PSK.
    server: ServerAuthenticated,
}

impl State for ExpectFinished {
    fn handle(self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        let this = *self;
        let mut flight = this.hs.process_finished(core, &raw)?;
        crate::early::client_end_of_early_data(core, &mut flight.transcript)?;
        flight.send_client_certificate(core, this.client_auth.as_ref())?;
        flight.send_finished(core, this.server)
    }
}

impl Handshake {
    /// The server's Finished (RFC 8446 §4.4.4), then the application traffic secrets.
    fn process_finished(
        self,
        core: &mut Core,
        raw: &RawHandshake<'_>,
    ) -> Result<ClientFlight, Error> {
        let Handshake {
            mut ctx,
            keys,
            mut transcript,
            negotiated,
        } = self;
        common::check_finished_with_key(&keys.suite, &keys.server_finished, &mut transcript, raw)?;
        // The public name authenticated; a rejected ECH ends here (RFC 9849 §6.1.7).
        if let Some(rejected) = ctx.ech.as_mut().and_then(ClientEch::rejection) {
            return Err(rejected);
        }
        let traffic = common::derive_traffic_keys(core, &keys.suite, keys.schedule, &transcript)?;
        Ok(ClientFlight {
            ctx,
            suite: keys.suite,
            client_finished: keys.client_finished,
            transcript,
            traffic,
            negotiated,
        })
    }
}

/// Our second flight (RFC 8446 §4.4): [change_cipher_spec] [Certificate,
/// CertificateVerify] Finished.
struct ClientFlight {
    ctx: Ctx,
    suite: SupportedCipherSuite,
    /// The finished key of our handshake traffic secret.
    client_finished: tryst_crypto::Secret,
    transcript: Transcript,
    traffic: TrafficSchedule,
    negotiated: Negotiated,
}

impl ClientFlight {
    /// The middlebox-compatibility change_cipher_spec if not sent yet, then our Certificate
    /// (RFC 8446 §4.4.2) if asked for, with our chain if we have a key for a scheme the
    /// server accepts (else empty), and our CertificateVerify.
    fn send_client_certificate(
        &mut self,
        core: &mut Core,
        req: Option<&ClientAuthRequest>,
    ) -> Result<(), Error> {
        let config = &self.ctx.config;
        if config.middlebox_compat && !self.ctx.sent_ccs {
            core.send_ccs()?;
            self.ctx.sent_ccs = true;
        }
        let Some(req) = req else {
            return Ok(());
        };
        let version = ProtocolVersion::Tls13;
        let view = crate::resolve::CertificateRequest::new(&req.schemes, &req.authorities, version);
        // Our raw key if the server chose RawPublicKey (RFC 7250), else the resolver's
        // key, with the scheme it signs that the server accepts.
        let key =
            crate::rpk::client_own_key(&core.rpk, config, &req.schemes).unwrap_or_else(|| {
                (config.client_auth.as_ref())
                    .and_then(|r| r.resolve(&view))
                    .and_then(|k| k.choose_scheme(&req.schemes, version).map(|s| (k, s)))
            });
        let Some((k, scheme)) = &key else {
            return common::send_certificate(core, &mut self.transcript, &req.context, &[], None);
        };
        let compressor =
            crate::compress::choose(&config.common.cert_compression, Some(&req.compression));
        let (t, c) = (&mut self.transcript, compressor.as_deref());
        let staple = crate::ocsp::client_staple(k, req.ocsp);
        let _ = crate::compress::send_certificate(core, t, &req.context, (k, staple), c)?;
        common::send_certificate_verify(core, &mut self.transcript, k, *scheme, &config.common)
    }

    /// Our Finished (RFC 8446 §4.4.4); then application data flows both ways.
    fn send_finished(mut self, core: &mut Core, server: ServerAuthenticated) -> Next {
        let suite = self.suite;
        common::send_finished_with_key(core, &suite, &self.client_finished, &mut self.transcript)?;
        core.set_send_key(&suite, self.traffic.client_traffic_secret())?;
        // Only a client that keeps tickets needs the resumption secret (one HKDF step
        // and a transcript hash saved per handshake otherwise).
        let resumption = match self.ctx.config.session_store {
            Some(_) => Some(
                self.traffic
                    .resumption_master_secret(&self.transcript.current())?,
            ),
            None => None,
        };
        core.traffic = Some(Traffic {
            schedule: self.traffic,
            suite,
        });
        let ctx = self.ctx;
        let pha = (ctx
            .sent_extensions
            .contains(&ExtensionType::PostHandshakeAuth))
        .then(|| crate::pha::ClientPha::new(&self.transcript));
        core.key_log = ctx
            .config
            .common
            .key_log
            .clone()
            .map(|l| Box::new((l, ctx.random)));
        let now = ctx.config.common.clock().now();
        core.complete_handshake(now, self.negotiated)?;
        Ok(Box::new(ClientTraffic {
            config: ctx.config,
            server_name: ctx.server_name,
            suite,
            resumption,
            pha,
            _server: server,
        }))
    }
}

/// After the handshake: tickets and KeyUpdates.
struct ClientTraffic {
    /// Only what tickets need from the handshake's context (the rest of `Ctx`, such as
    /// the offered ticket and the extensions we sent, would only hold memory for as long
    /// as the connection lives).
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    suite: SupportedCipherSuite,
    /// None when the config has no session store (tickets are then checked and dropped).
    resumption: Option<ResumptionMasterSecret>,
    /// Post-handshake authentication, when we offered it.
    pha: Option<crate::pha::ClientPha>,
    /// How the server was authenticated: there is no traffic state without it.
    _server: ServerAuthenticated,
}

impl State for ClientTraffic {
    fn handle(mut self: Box<Self>, core: &mut Core, raw: RawHandshake<'_>) -> Next {
        match raw.parse()? {
            HandshakeMessage::CertificateRequest(cr) => {
                let pha = self.pha.as_mut();
                crate::pha::client_answer(core, &self.config, pha, &raw, &cr)?;
                Ok(self)
            }
            HandshakeMessage::NewSessionTicket(nst) => {
                self.process_new_session_ticket(core, &nst)?;
                Ok(self)
            }
            HandshakeMessage::KeyUpdate(ku) => {
                core.receive_key_update(&ku)?;
                Ok(self)
            }
            _ => Err(unexpected(&raw)),
        }
    }
}

impl ClientTraffic {
    /// NewSessionTicket (RFC 8446 §4.6.1): at most seven days, only the extensions that
    /// belong there; stored for resumption when the config has a session store.
    fn process_new_session_ticket(
        &self,
        core: &mut Core,
        nst: &NewSessionTicket<'_>,
    ) -> Result<(), Error> {
        if nst.ticket_lifetime > common::max_ticket_lifetime_secs() {
            return Err(Error::illegal(
                "ticket_lifetime over 7 days (RFC 8446 §4.6.1)",
            ));
        }
        for e in &nst.extensions {
            if !allowed_in(e.ext_type(), ExtensionContext::NewSessionTicket) {
                return Err(Error::illegal("extension not allowed in NewSessionTicket"));
            }
        }
        let config = &self.config;
        let (Some(store), Some(resumption), true) = (
            &config.session_store,
            &self.resumption,
            nst.ticket_lifetime > 0,
        ) else {
            return Ok(());
        };
        let negotiated = (core.negotiated.as_ref()).ok_or(Error::Internal("no Negotiated"))?;
        let psk = resumption.ticket_psk(&nst.ticket_nonce)?;
        let now = config.common.clock().now();
        let ticket = Tls13Ticket {
            suite: self.suite.suite,
            ticket: nst.ticket.to_vec(),
            psk,
            age_add: nst.ticket_age_add,
            lifetime_secs: nst.ticket_lifetime,
            received_at_ms: millis(now),
            peer_certificates: negotiated.peer_certificates.clone(),
            verified_by: config.verifier.clone(),
            max_early_data: nst.max_early_data_size().unwrap_or(0),
            alpn: negotiated.alpn.clone(),
        };
        store.insert(&self.server_name, ticket);
        Ok(())
    }
}
