//! The TLS 1.3 client handshake (RFC 8446 §4), one state per step, read top to bottom in
//! RFC order: ClientHello → ServerHello (or HelloRetryRequest) → EncryptedExtensions →
//! [CertificateRequest] → Certificate → CertificateVerify → Finished → our Finished.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{ServerName, UnixTime};
use tryst_crypto::{ActiveKeyExchange, Secret};
use tryst_keyschedule::keylog::KeyLogHook;
use tryst_keyschedule::{EarlySchedule, HandshakeSchedule, PskKind, Transcript};
use tryst_messages::{
    AlertDescription, Certificate, CertificateEntry, CertificateVerify, ClientHello, Codec,
    Extension, ExtensionContext, ExtensionType, Finished, HandshakeMessage, HandshakeType,
    HelloVersions, KeyShareEntry, NamedGroup, OfferedPsks, ProtocolVersion, PskIdentity,
    PskKeyExchangeMode, RawHandshake, ServerHello, SignatureScheme, allowed_in,
};

use crate::Error;
use crate::config::{ClientConfig, RngRef};
use crate::conn::{ConnectionCommon, Core, Event, HandshakeKind, Side, State, Traffic};
use crate::session::Tls13Ticket;
use crate::suites::SupportedCipherSuite;
use crate::time::millis;
use crate::verify::{CertificateVerified, SignatureVerified, signed_content};

/// Last 8 bytes of a TLS 1.2 / 1.1 ServerHello.random from a TLS 1.3 server that was
/// downgraded (RFC 8446 §4.1.3).
const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

crate::conn::connection_type!(
    /// A TLS 1.3 client connection (sans-IO). Drive it with `read_tls` / `process_new_packets`
    /// / `write_tls`, or wrap it in a [`crate::Stream`].
    ClientConnection
);

impl ClientConnection {
    /// Start a handshake with `server_name` (a DNS name or an IP address). The ClientHello
    /// is queued for `write_tls` at once.
    pub fn new(config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Result<Self, Error> {
        Self::new_traced(config, server_name, false)
    }

    /// Like [`new`](Self::new), recording [`Event`]s from the first message on.
    pub fn new_traced(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        trace: bool,
    ) -> Result<Self, Error> {
        let mut core = Core::new(Side::Client, &config.common);
        core.trace = trace;
        let state = start(config.clone(), server_name, &mut core)?;
        Ok(ClientConnection {
            inner: ConnectionCommon::new(core, state, config.common.clone()),
        })
    }
}

/// Everything the client states carry from start to finish.
struct Ctx {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    random: [u8; 32],
    session_id: Vec<u8>,
    /// Extension types we sent: the server may answer only these (RFC 8446 §4.2).
    sent_extensions: Vec<ExtensionType>,
    /// The offered PSK, if any: the ticket and its early schedule.
    psk: Option<(Tls13Ticket, SupportedCipherSuite)>,
    hello_retry: bool,
    sent_ccs: bool,
}

impl Ctx {
    fn key_log_hook(&self) -> Option<KeyLogHook> {
        self.config
            .common
            .key_log
            .clone()
            .map(|log| KeyLogHook::new(log, self.random))
    }

    fn early_schedule(&self, suite: &SupportedCipherSuite, psk: Option<&Secret>) -> EarlySchedule {
        let es = match psk {
            Some(p) => EarlySchedule::with_psk(suite.hash, p),
            None => EarlySchedule::new(suite.hash),
        };
        match self.key_log_hook() {
            Some(h) => es.with_key_log(h),
            None => es,
        }
    }
}

fn start(
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    core: &mut Core,
) -> Result<Box<dyn State>, Error> {
    let rng = config.common.rng();
    let mut random = [0u8; 32];
    rng.fill(&mut random);
    let session_id = if config.middlebox_compat {
        let mut id = vec![0u8; 32];
        rng.fill(&mut id);
        id
    } else {
        Vec::new()
    };

    let groups: Vec<_> = if config.key_shares_for_all_groups {
        config.common.groups.clone()
    } else {
        config.common.groups.iter().take(1).copied().collect()
    };
    let mut key_shares = Vec::new();
    for g in groups {
        key_shares.push((g.group, g.kx.start(&mut RngRef(rng))?));
    }

    // A ticket for this server whose suite we still offer, used at most once.
    let now = config.common.clock().now();
    let psk = config.session_store.as_ref().and_then(|store| {
        let t = store.take(&server_name)?;
        let suite = config.common.suites.iter().find(|s| s.suite == t.suite)?;
        (t.is_fresh(millis(now)) && ticket_trusted(&config, &t, &server_name, now))
            .then_some((t, *suite))
    });

    let mut ctx = Ctx {
        config,
        server_name,
        random,
        session_id,
        sent_extensions: Vec::new(),
        psk,
        hello_retry: false,
        sent_ccs: false,
    };
    let (hello, sent_extensions) = build_client_hello(&ctx, &key_shares, None, None)?;
    ctx.sent_extensions = sent_extensions;
    // RFC 8446 §5.1: the initial ClientHello's record may say 0x0301, as most clients do
    // for old middleboxes; every later record says 0x0303.
    core.encrypter
        .set_plaintext_record_version(ProtocolVersion::Tls10)?;
    core.send_handshake_bytes(HandshakeType::ClientHello, &hello)?;
    core.encrypter
        .set_plaintext_record_version(ProtocolVersion::Tls12)?;
    Ok(Box::new(ExpectServerHello {
        ctx,
        key_shares,
        transcript: HelloTranscript::Buffered(hello),
    }))
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

/// Builds and encodes a ClientHello (with PSK binders when offering a ticket). `hrr` is
/// the transcript so far after a HelloRetryRequest, `cookie` the one it carried.
fn build_client_hello(
    ctx: &Ctx,
    key_shares: &[(NamedGroup, Box<dyn ActiveKeyExchange>)],
    hrr: Option<&Transcript>,
    cookie: Option<&[u8]>,
) -> Result<(Vec<u8>, Vec<ExtensionType>), Error> {
    let config = &ctx.config;
    // The order follows NSS (and so RFC 8448's traces); pre_shared_key must be last.
    let mut exts = Vec::new();
    if let (ServerName::DnsName(name), true) = (&ctx.server_name, config.enable_sni) {
        exts.push(Extension::ServerName(vec![
            tryst_messages::ServerName::host_name(name.as_ref().as_bytes()),
        ]));
    }
    if config.tls12_compat_extensions {
        exts.push(Extension::RenegotiationInfo(Cow::Borrowed(&[])));
    }
    exts.push(Extension::SupportedGroups(
        config.common.groups.iter().map(|g| g.group).collect(),
    ));
    if config.tls12_compat_extensions {
        exts.push(Extension::SessionTicket(Cow::Borrowed(&[])));
    }
    exts.push(Extension::KeyShareClient(
        key_shares
            .iter()
            .map(|(g, kx)| KeyShareEntry::new(*g, kx.public_key()))
            .collect(),
    ));
    exts.push(Extension::SupportedVersions(vec![ProtocolVersion::Tls13]));
    exts.push(Extension::SignatureAlgorithms(
        config.signature_schemes.clone(),
    ));
    if !config.common.alpn.is_empty() {
        exts.push(Extension::Alpn(
            config
                .common
                .alpn
                .iter()
                .map(|p| Cow::Borrowed(p.as_slice()))
                .collect(),
        ));
    }
    if let Some(c) = cookie {
        exts.push(Extension::Cookie(Cow::Borrowed(c)));
    }
    if config.session_store.is_some() {
        exts.push(Extension::PskKeyExchangeModes(vec![
            PskKeyExchangeMode::PskDheKe,
        ]));
    }
    if let Some(limit) = config.record_size_limit {
        exts.push(Extension::RecordSizeLimit(limit));
    }
    let now_ms = millis(config.common.clock().now());
    if let Some((ticket, suite)) = &ctx.psk {
        let age = u32::try_from(now_ms.saturating_sub(ticket.received_at_ms)).unwrap_or(u32::MAX);
        exts.push(Extension::PreSharedKeyOffer(OfferedPsks {
            identities: vec![PskIdentity {
                identity: Cow::Borrowed(&ticket.ticket),
                obfuscated_ticket_age: age.wrapping_add(ticket.age_add),
            }],
            binders: vec![Cow::Owned(vec![0u8; suite.hash.output_len()])],
        }));
    }
    let sent: Vec<ExtensionType> = exts.iter().map(Extension::ext_type).collect();
    let mut ch = ClientHello {
        legacy_version: ProtocolVersion::Tls12,
        random: ctx.random,
        legacy_session_id: Cow::Borrowed(&ctx.session_id),
        cipher_suites: config.common.suites.iter().map(|s| s.suite).collect(),
        legacy_compression_methods: Cow::Borrowed(&[0]),
        extensions: exts,
    };
    if let Some((ticket, suite)) = &ctx.psk {
        // RFC 8446 §4.2.11.2: the binder covers the transcript up to this ClientHello
        // truncated just before the binders list.
        let prefix = ch
            .truncated_for_binders()?
            .ok_or(Error::Internal("PSK offer without binders"))?;
        let h = match hrr {
            Some(t) => t.current_with(&prefix),
            None => suite.hash.hash(&prefix),
        };
        let es = ctx.early_schedule(suite, Some(&ticket.psk));
        let binder = es.psk_binder(PskKind::Resumption, &h)?;
        if let Some(Extension::PreSharedKeyOffer(offer)) = ch.extensions.last_mut() {
            offer.binders = vec![Cow::Owned(binder.expose_secret().to_vec())];
        }
    }
    Ok((HandshakeMessage::ClientHello(ch).to_bytes()?, sent))
}

/// Before the ServerHello names the suite the ClientHello can only be kept as bytes.
enum HelloTranscript {
    Buffered(Vec<u8>),
    Hashing(Transcript),
}

struct ExpectServerHello {
    ctx: Ctx,
    key_shares: Vec<(NamedGroup, Box<dyn ActiveKeyExchange>)>,
    transcript: HelloTranscript,
}

pub(crate) fn unexpected(raw: &RawHandshake<'_>) -> Error {
    Error::PeerMisbehaved {
        alert: AlertDescription::UnexpectedMessage,
        rule: match raw.typ.name() {
            Some(_) => "handshake message not expected in this state",
            None => "unknown handshake message type",
        },
    }
}

impl State for ExpectServerHello {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        if raw.typ == HandshakeType::ServerHello {
            // Version first, with the rules every version shares: a TLS 1.2 answer is
            // protocol_version (or a downgrade), whatever TLS 1.3 says about its shape.
            check_server_version(&ServerHello::peek_versions(raw.body)?)?;
        }
        match raw.parse()? {
            HandshakeMessage::HelloRetryRequest(hrr) => self.handle_hrr(core, &hrr, raw.encoded),
            HandshakeMessage::ServerHello(sh) => self.handle_sh(core, &sh, raw.encoded),
            _ => Err(unexpected(&raw)),
        }
    }
}

/// The version a ServerHello or HelloRetryRequest of any TLS version selects
/// (RFC 8446 §4.1.3, §4.2.1, Appendix D.5).
fn check_server_version(v: &HelloVersions) -> Result<(), Error> {
    if v.legacy_version <= ProtocolVersion::Ssl3 {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "ServerHello.legacy_version is 0x0300 or lower (RFC 8446 Appendix D.5)",
        ));
    }
    match v.supported_versions.as_deref() {
        Some([ProtocolVersion::Tls13]) => Ok(()),
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
            Err(Error::misbehaved(
                AlertDescription::ProtocolVersion,
                "server does not speak TLS 1.3 (no supported_versions)",
            ))
        }
    }
}

impl ExpectServerHello {
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

    fn handle_hrr(
        mut self: Box<Self>,
        core: &mut Core,
        hrr: &ServerHello<'_>,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        if self.ctx.hello_retry {
            return Err(Error::unexpected("a second HelloRetryRequest"));
        }
        let suite = self.check_common(hrr)?;
        let group = hrr.hello_retry_group();
        let cookie = hrr.cookie().map(<[u8]>::to_vec);
        if group.is_none() && cookie.is_none() {
            return Err(Error::illegal(
                "HelloRetryRequest that would change nothing",
            ));
        }
        let mut key_shares = core::mem::take(&mut self.key_shares);
        if let Some(g) = group {
            if key_shares.iter().any(|(sent, _)| *sent == g) {
                return Err(Error::illegal(
                    "HelloRetryRequest asks for a group we already sent",
                ));
            }
            let supported = self
                .ctx
                .config
                .common
                .groups
                .iter()
                .find(|s| s.group == g)
                .ok_or(Error::illegal(
                    "HelloRetryRequest asks for a group we did not offer",
                ))?;
            let rng = self.ctx.config.common.rng();
            key_shares = vec![(g, supported.kx.start(&mut RngRef(rng))?)];
        }
        // Transcript: message_hash(ClientHello1) || HelloRetryRequest (RFC 8446 §4.4.1).
        let mut transcript = Transcript::new(suite.hash);
        match &self.transcript {
            HelloTranscript::Buffered(ch1) => transcript.add(ch1)?,
            HelloTranscript::Hashing(_) => return Err(Error::Internal("transcript state")),
        }
        transcript.replace_with_message_hash()?;
        transcript.add(encoded)?;
        // A ticket whose hash differs from the suite chosen cannot be offered again.
        if self
            .ctx
            .psk
            .as_ref()
            .is_some_and(|(_, s)| s.hash.algorithm() != suite.hash.algorithm())
        {
            self.ctx.psk = None;
        }
        self.ctx.hello_retry = true;
        core.negotiated.suite = Some(suite);
        if self.ctx.config.middlebox_compat && !self.ctx.sent_ccs {
            core.send_ccs()?;
            self.ctx.sent_ccs = true;
        }
        let (hello, sent) =
            build_client_hello(&self.ctx, &key_shares, Some(&transcript), cookie.as_deref())?;
        self.ctx.sent_extensions = sent;
        transcript.add(&hello)?;
        core.send_handshake_bytes(HandshakeType::ClientHello, &hello)?;
        Ok(Box::new(ExpectServerHello {
            ctx: self.ctx,
            key_shares,
            transcript: HelloTranscript::Hashing(transcript),
        }))
    }

    fn handle_sh(
        mut self: Box<Self>,
        core: &mut Core,
        sh: &ServerHello<'_>,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        let suite = self.check_common(sh)?;
        if let Some(prev) = core.negotiated.suite
            && prev != suite
        {
            return Err(Error::illegal(
                "ServerHello suite differs from the HelloRetryRequest's",
            ));
        }
        let selected_psk = sh.selected_psk();
        let share = sh.key_share().ok_or(match selected_psk {
            // RFC 8446 §4.2.11: a PSK answer without the key_share our
            // psk_key_exchange_modes (psk_dhe_ke only) require is illegal_parameter.
            Some(_) => Error::illegal("ServerHello selects a PSK without key_share"),
            None => Error::misbehaved(
                AlertDescription::MissingExtension,
                "ServerHello without key_share (we offer only psk_dhe_ke)",
            ),
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

        let psk = match (selected_psk, self.ctx.psk.take()) {
            (None, _) => None,
            (Some(0), Some((ticket, psk_suite))) => {
                if psk_suite.hash.algorithm() != suite.hash.algorithm() {
                    return Err(Error::illegal(
                        "server resumed with a suite of another hash",
                    ));
                }
                Some(ticket)
            }
            (Some(_), _) => return Err(Error::illegal("server selected a PSK we did not offer")),
        };

        let mut transcript = match self.transcript {
            HelloTranscript::Buffered(ch) => {
                let mut t = Transcript::new(suite.hash);
                t.add(&ch)?;
                t
            }
            HelloTranscript::Hashing(t) => t,
        };
        transcript.add(encoded)?;

        let early = self
            .ctx
            .early_schedule(&suite, psk.as_ref().map(|t| &t.psk));
        let hs = early.into_handshake(&shared)?;
        let h = transcript.current();
        let client_hs = hs.client_handshake_traffic_secret(&h)?;
        let server_hs = hs.server_handshake_traffic_secret(&h)?;
        core.event(Event::SecretDerived("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
        core.event(Event::SecretDerived("SERVER_HANDSHAKE_TRAFFIC_SECRET"));
        core.set_recv_key(&suite, &server_hs)?;
        core.set_send_key(&suite, &client_hs)?;

        core.negotiated.version = Some(ProtocolVersion::Tls13);
        core.negotiated.suite = Some(suite);
        core.negotiated.group = Some(group);
        let resumed = psk.is_some();
        core.negotiated.kind = Some(match (resumed, self.ctx.hello_retry) {
            (false, false) => HandshakeKind::Full,
            (false, true) => HandshakeKind::FullWithHelloRetryRequest,
            (true, false) => HandshakeKind::Resumed,
            (true, true) => HandshakeKind::ResumedWithHelloRetryRequest,
        });
        if let Some(t) = &psk {
            core.negotiated.peer_certificates = t.peer_certificates.clone();
        }
        Ok(Box::new(ExpectEncryptedExtensions {
            hs: Handshake {
                ctx: self.ctx,
                suite,
                transcript,
                schedule: hs,
                client_hs,
                server_hs,
            },
            resumed,
        }))
    }
}

/// The handshake-key stage: what the encrypted part of the handshake needs.
struct Handshake {
    ctx: Ctx,
    suite: SupportedCipherSuite,
    transcript: Transcript,
    schedule: HandshakeSchedule,
    client_hs: Secret,
    server_hs: Secret,
}

struct ExpectEncryptedExtensions {
    hs: Handshake,
    /// The server accepted our ticket: no Certificate or CertificateVerify follows.
    resumed: bool,
}

impl State for ExpectEncryptedExtensions {
    fn handle(
        mut self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::EncryptedExtensions(ee) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        for e in &ee.extensions {
            let t = e.ext_type();
            if !allowed_in(t, ExtensionContext::EncryptedExtensions) {
                return Err(Error::illegal(
                    "extension not allowed in EncryptedExtensions",
                ));
            }
            if !self.hs.ctx.sent_extensions.contains(&t) {
                return Err(Error::misbehaved(
                    AlertDescription::UnsupportedExtension,
                    "server sent an extension we did not offer",
                ));
            }
            if let Extension::Alpn(protocols) = e {
                let [p] = protocols.as_slice() else {
                    return Err(Error::illegal("ALPN answer must name exactly one protocol"));
                };
                if !self
                    .hs
                    .ctx
                    .config
                    .common
                    .alpn
                    .iter()
                    .any(|ours| ours.as_slice() == p.as_ref())
                {
                    return Err(Error::illegal(
                        "server chose an ALPN protocol we did not offer",
                    ));
                }
                core.negotiated.alpn = Some(p.to_vec());
            }
            if let Extension::RecordSizeLimit(theirs) = e {
                // RFC 8449 §4: below 64 is illegal_parameter; we send them at most this.
                if *theirs < 64 {
                    return Err(Error::illegal("record_size_limit below 64"));
                }
                core.encrypter.set_record_size_limit(*theirs)?;
                if let Some(ours) = self.hs.ctx.config.record_size_limit {
                    core.decrypter.set_record_size_limit(ours)?;
                }
            }
        }
        self.hs.transcript.add(raw.encoded)?;
        if self.resumed {
            Ok(Box::new(ExpectFinished {
                hs: self.hs,
                client_auth: None,
            }))
        } else {
            Ok(Box::new(ExpectCertificateOrRequest { hs: self.hs }))
        }
    }
}

/// What the server asked for in CertificateRequest.
struct ClientAuthRequest {
    context: Vec<u8>,
    schemes: Vec<SignatureScheme>,
}

struct ExpectCertificateOrRequest {
    hs: Handshake,
}

impl State for ExpectCertificateOrRequest {
    fn handle(
        mut self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        match raw.parse()? {
            HandshakeMessage::CertificateRequest(cr) => {
                // RFC 8446 §4.2: a known extension that has no place in this message is
                // illegal_parameter; unknown ones are ignored (§4.3.2).
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
                self.hs.transcript.add(raw.encoded)?;
                Ok(Box::new(ExpectCertificate {
                    hs: self.hs,
                    client_auth: Some(ClientAuthRequest {
                        context: Vec::new(),
                        schemes,
                    }),
                }))
            }
            HandshakeMessage::Certificate(c) => ExpectCertificate {
                hs: self.hs,
                client_auth: None,
            }
            .certificate(core, &c, raw.encoded),
            _ => Err(unexpected(&raw)),
        }
    }
}

struct ExpectCertificate {
    hs: Handshake,
    client_auth: Option<ClientAuthRequest>,
}

impl State for ExpectCertificate {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::Certificate(c) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        (*self).certificate(core, &c, raw.encoded)
    }
}

impl ExpectCertificate {
    fn certificate(
        mut self,
        core: &mut Core,
        c: &Certificate<'_>,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        if !c.certificate_request_context.is_empty() {
            return Err(Error::illegal(
                "server Certificate has a certificate_request_context",
            ));
        }
        if c.certificate_list.is_empty() {
            return Err(Error::misbehaved(
                AlertDescription::DecodeError,
                "server sent no certificate",
            ));
        }
        crate::verify::check_certificate_extensions(c, &self.hs.ctx.sent_extensions)?;
        let chain = crate::verify::chain_of(c);
        let (leaf, intermediates) = chain.split_first().ok_or(Error::Internal("empty chain"))?;
        let now = self.hs.ctx.config.common.clock().now();
        let verified = self.hs.ctx.config.verifier.verify_server_cert(
            leaf,
            intermediates,
            &self.hs.ctx.server_name,
            UnixTime::since_unix_epoch(now),
        )?;
        self.hs.transcript.add(encoded)?;
        core.negotiated.peer_certificates = chain;
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
    fn handle(
        mut self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::CertificateVerify(cv) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        if !self.hs.ctx.config.signature_schemes.contains(&cv.algorithm) {
            return Err(Error::illegal(
                "CertificateVerify uses a scheme we did not offer",
            ));
        }
        let h = self.hs.transcript.current();
        let message = signed_content(true, h.as_bytes());
        let leaf = core
            .negotiated
            .peer_certificates
            .first()
            .ok_or(Error::Internal("no leaf"))?;
        let _: SignatureVerified = self.hs.ctx.config.verifier.verify_tls13_signature(
            &message,
            leaf,
            cv.algorithm,
            &cv.signature,
        )?;
        let _ = self.verified;
        core.negotiated.scheme = Some(cv.algorithm);
        self.hs.transcript.add(raw.encoded)?;
        Ok(Box::new(ExpectFinished {
            hs: self.hs,
            client_auth: self.client_auth,
        }))
    }
}

struct ExpectFinished {
    hs: Handshake,
    client_auth: Option<ClientAuthRequest>,
}

impl State for ExpectFinished {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::Finished(fin) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        let ExpectFinished { hs, client_auth } = *self;
        let Handshake {
            ctx,
            suite,
            mut transcript,
            schedule,
            client_hs,
            server_hs,
        } = hs;
        let hash = suite.hash;
        fin.check_hash_len(hash.output_len())?;
        tryst_keyschedule::verify_finished(
            hash,
            &server_hs,
            &transcript.current(),
            &fin.verify_data,
        )?;
        transcript.add(raw.encoded)?;
        let h_server_finished = transcript.current();

        let mut traffic = schedule.into_master()?.into_traffic(&h_server_finished)?;
        core.event(Event::SecretDerived("CLIENT_TRAFFIC_SECRET_0"));
        core.event(Event::SecretDerived("SERVER_TRAFFIC_SECRET_0"));
        core.event(Event::SecretDerived("EXPORTER_SECRET"));
        core.set_recv_key(&suite, traffic.server_traffic_secret())?;

        // Our second flight (RFC 8446 §4.4): [CCS] [Certificate, CertificateVerify] Finished.
        let mut ctx = ctx;
        if ctx.config.middlebox_compat && !ctx.sent_ccs {
            core.send_ccs()?;
            ctx.sent_ccs = true;
        }
        if let Some(req) = client_auth {
            send_client_certificate(&ctx, core, &mut transcript, &req)?;
        }
        let verify_data = tryst_keyschedule::verify_data(hash, &client_hs, &transcript.current())?;
        let fin = HandshakeMessage::Finished(Finished {
            verify_data: Cow::Borrowed(verify_data.expose_secret()),
        });
        let bytes = core.send_handshake(&fin)?;
        transcript.add(&bytes)?;
        core.set_send_key(&suite, traffic.client_traffic_secret())?;
        let resumption = traffic.resumption_master_secret(&transcript.current())?;
        core.traffic = Some(Traffic {
            schedule: traffic,
            suite,
        });
        core.key_log = ctx.config.common.key_log.clone().map(|l| (l, ctx.random));
        let now = ctx.config.common.clock().now();
        core.complete_handshake(now)?;
        Ok(Box::new(ClientTraffic {
            ctx,
            suite,
            resumption,
        }))
    }
}

fn send_client_certificate(
    ctx: &Ctx,
    core: &mut Core,
    transcript: &mut Transcript,
    req: &ClientAuthRequest,
) -> Result<(), Error> {
    let key = ctx
        .config
        .client_auth
        .as_ref()
        .filter(|k| req.schemes.contains(&k.scheme));
    let entries: Vec<CertificateEntry<'_>> = match key {
        Some(k) => k
            .chain
            .iter()
            .map(|c| CertificateEntry::new(c.as_ref()))
            .collect(),
        None => Vec::new(),
    };
    let cert = HandshakeMessage::Certificate(Certificate {
        certificate_request_context: Cow::Borrowed(&req.context),
        certificate_list: entries,
    });
    let bytes = core.send_handshake(&cert)?;
    transcript.add(&bytes)?;
    if let Some(k) = key {
        let message = signed_content(false, transcript.current().as_bytes());
        let signature = k.signer.sign(&message)?;
        let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
            algorithm: k.scheme,
            signature: Cow::Owned(signature),
        });
        let bytes = core.send_handshake(&cv)?;
        transcript.add(&bytes)?;
        core.negotiated.client_authenticated = true;
    }
    Ok(())
}

/// After the handshake: tickets and KeyUpdates.
struct ClientTraffic {
    ctx: Ctx,
    suite: SupportedCipherSuite,
    resumption: tryst_keyschedule::ResumptionMasterSecret,
}

impl State for ClientTraffic {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        match raw.parse()? {
            HandshakeMessage::NewSessionTicket(nst) => {
                if nst.ticket_lifetime > 604_800 {
                    return Err(Error::illegal(
                        "ticket_lifetime over 7 days (RFC 8446 §4.6.1)",
                    ));
                }
                for e in &nst.extensions {
                    if !allowed_in(e.ext_type(), ExtensionContext::NewSessionTicket) {
                        return Err(Error::illegal("extension not allowed in NewSessionTicket"));
                    }
                }
                if let (Some(store), true) =
                    (&self.ctx.config.session_store, nst.ticket_lifetime > 0)
                {
                    let psk = self.resumption.ticket_psk(&nst.ticket_nonce)?;
                    let now = self.ctx.config.common.clock().now();
                    store.insert(
                        &self.ctx.server_name,
                        Tls13Ticket {
                            suite: self.suite.suite,
                            ticket: nst.ticket.to_vec(),
                            psk,
                            age_add: nst.ticket_age_add,
                            lifetime_secs: nst.ticket_lifetime,
                            received_at_ms: millis(now),
                            peer_certificates: core.negotiated.peer_certificates.clone(),
                            verified_by: self.ctx.config.verifier.clone(),
                        },
                    );
                }
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
