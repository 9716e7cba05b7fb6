//! The TLS 1.3 server handshake (RFC 8446 §4): ClientHello → [HelloRetryRequest →
//! ClientHello] → ServerHello, EncryptedExtensions, [CertificateRequest], Certificate,
//! CertificateVerify, Finished → [client Certificate, CertificateVerify] → client Finished
//! → NewSessionTicket(s).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};
use tryst_crypto::Secret;
use tryst_keyschedule::keylog::KeyLogHook;
use tryst_keyschedule::{EarlySchedule, PskKind, Transcript};
use tryst_messages::{
    AlertDescription, Certificate, CertificateEntry, CertificateRequest, CertificateVerify,
    ClientHello, EncryptedExtensions, Extension, ExtensionContext, ExtensionType, Finished,
    HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, HandshakeType, HelloVersions, KeyShareEntry,
    NamedGroup, NewSessionTicket, ProtocolVersion, PskKeyExchangeMode, RawHandshake, Reader,
    ServerHello, Writer, allowed_in,
};

use crate::Error;
use crate::client::unexpected;
use crate::config::{RngRef, ServerConfig, SuitePreference};
use crate::conn::{ConnectionCommon, Core, Event, HandshakeKind, Side, State, Traffic};
use crate::suites::{SupportedCipherSuite, SupportedGroup};
use crate::time::millis;
use crate::verify::{CertificateVerified, SignatureVerified, signed_content};

crate::conn::connection_type!(
    /// A TLS 1.3 server connection (sans-IO).
    ServerConnection
);

impl ServerConnection {
    /// A server connection waiting for a ClientHello.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, Error> {
        Self::new_traced(config, false)
    }

    /// Like [`new`](Self::new), recording [`Event`]s from the first message on.
    pub fn new_traced(config: Arc<ServerConfig>, trace: bool) -> Result<Self, Error> {
        let mut core = Core::new(Side::Server, &config.common);
        core.trace = trace;
        let common = config.common.clone();
        let state = Box::new(ExpectClientHello {
            config,
            retry: None,
        });
        Ok(ServerConnection {
            inner: ConnectionCommon::new(core, state, common),
        })
    }

    /// The server_name (SNI) the client asked for, if any.
    pub fn server_name(&self) -> Option<&str> {
        self.inner.core.negotiated.server_name.as_deref()
    }
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
}

/// What happened to client authentication in the session a ticket resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TicketClientAuth {
    /// The issuing config did not ask for a certificate.
    NotRequested = 0,
    /// A certificate was asked for and the client sent none (optional client auth).
    Anonymous = 1,
    /// The client's chain was verified and its CertificateVerify checked.
    Verified = 2,
}

/// A resumable session decoded from a ticket. Besides the keys it records what the session
/// was issued under (RFC 8446 §4.2.11, §4.6.1): the config's resumption context, the SNI,
/// the ALPN protocol and the client authentication that happened, so a server resumes only
/// sessions that meet its own current requirements.
struct TicketState {
    suite: u16,
    psk: Secret,
    issued_ms: u64,
    lifetime_secs: u32,
    alpn: Option<Vec<u8>>,
    /// `ServerConfig::ticket_context` of the config that issued the ticket.
    context: [u8; 32],
    server_name: Option<Vec<u8>>,
    client_auth: TicketClientAuth,
    client_certs: Vec<Vec<u8>>,
}

/// Version 2 added the context, SNI and client-auth record (version 1 tickets are refused:
/// they do not say what they were issued under).
const TICKET_STATE_VERSION: u8 = 2;

impl TicketState {
    fn encode(&self) -> Result<tryst_crypto::zeroize::Zeroizing<Vec<u8>>, Error> {
        let mut w = Writer::new();
        w.u8(TICKET_STATE_VERSION);
        w.u16(self.suite);
        w.u8_prefixed("ticket.psk", |w| w.bytes(self.psk.expose_secret()));
        w.u32(u32::try_from(self.issued_ms >> 32).unwrap_or(0));
        w.u32(u32::try_from(self.issued_ms & 0xffff_ffff).unwrap_or(0));
        w.u32(self.lifetime_secs);
        w.u8_prefixed("ticket.alpn", |w| {
            if let Some(a) = &self.alpn {
                w.bytes(a);
            }
        });
        w.bytes(&self.context);
        w.u8(u8::from(self.server_name.is_some()));
        w.u16_prefixed("ticket.sni", |w| {
            if let Some(n) = &self.server_name {
                w.bytes(n);
            }
        });
        w.u8(match self.client_auth {
            TicketClientAuth::NotRequested => 0,
            TicketClientAuth::Anonymous => 1,
            TicketClientAuth::Verified => 2,
        });
        w.u24_prefixed("ticket.certs", |w| {
            for c in &self.client_certs {
                w.u24_prefixed("ticket.cert", |w| w.bytes(c));
            }
        });
        Ok(tryst_crypto::zeroize::Zeroizing::new(w.finish()?))
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let illegal =
            |what| tryst_messages::Error::new(what, tryst_messages::ErrorKind::IllegalValue);
        Reader::read_all(bytes, "ticket", |r| {
            if r.u8("ticket.version")? != TICKET_STATE_VERSION {
                return Err(illegal("ticket.version"));
            }
            let suite = r.u16("ticket.suite")?;
            let psk = r.bytes_u8("ticket.psk", 1, 64)?;
            let hi = u64::from(r.u32("ticket.issued")?);
            let lo = u64::from(r.u32("ticket.issued")?);
            let lifetime_secs = r.u32("ticket.lifetime")?;
            let alpn = r.bytes_u8("ticket.alpn", 0, 255)?;
            let context = r.array::<32>("ticket.context")?;
            let has_sni = match r.u8("ticket.sni")? {
                0 => false,
                1 => true,
                _ => return Err(illegal("ticket.sni")),
            };
            let sni = r.bytes_u16("ticket.sni", 0, 0xffff)?;
            let client_auth = match r.u8("ticket.client_auth")? {
                0 => TicketClientAuth::NotRequested,
                1 => TicketClientAuth::Anonymous,
                2 => TicketClientAuth::Verified,
                _ => return Err(illegal("ticket.client_auth")),
            };
            let client_certs = r.sub_u24("ticket.certs", 0, 0xff_ffff, |r| {
                r.list(|r| Ok(r.bytes_u24("ticket.cert", 1, 0xff_ffff)?.to_vec()))
            })?;
            // Certificates exactly when they were verified.
            if (client_auth == TicketClientAuth::Verified) == client_certs.is_empty() {
                return Err(illegal("ticket.certs"));
            }
            Ok((
                (suite, psk, (hi << 32) | lo, lifetime_secs, alpn),
                (
                    context,
                    has_sni.then(|| sni.to_vec()),
                    client_auth,
                    client_certs,
                ),
            ))
        })
        .ok()
        .and_then(
            |(
                (suite, psk, issued_ms, lifetime_secs, alpn),
                (context, server_name, client_auth, client_certs),
            )| {
                Some(TicketState {
                    suite,
                    psk: Secret::from_slice(psk).ok()?,
                    issued_ms,
                    lifetime_secs,
                    alpn: (!alpn.is_empty()).then(|| alpn.to_vec()),
                    context,
                    server_name,
                    client_auth,
                    client_certs,
                })
            },
        )
    }
}

fn missing(what: &'static str) -> Error {
    Error::misbehaved(AlertDescription::MissingExtension, what)
}

impl State for ExpectClientHello {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        if raw.typ == HandshakeType::ClientHello {
            // Version first, with the rules every version shares: a TLS 1.2-only hello
            // is protocol_version, whatever TLS 1.3 says about its shape.
            check_client_version(&ClientHello::peek_versions(raw.body)?)?;
        }
        let HandshakeMessage::ClientHello(ch) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        (*self).client_hello(core, &ch, raw.encoded)
    }
}

/// The versions a ClientHello of any TLS version offers (RFC 8446 §4.1.2, §4.2.1,
/// Appendix D.2, D.5). We speak TLS 1.3 only.
fn check_client_version(v: &HelloVersions) -> Result<(), Error> {
    if v.legacy_version <= ProtocolVersion::Ssl3 {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "ClientHello.legacy_version is 0x0300 or lower (RFC 8446 Appendix D.5)",
        ));
    }
    if !v.offers(ProtocolVersion::Tls13) {
        return Err(Error::misbehaved(
            AlertDescription::ProtocolVersion,
            "client does not offer TLS 1.3 in supported_versions",
        ));
    }
    Ok(())
}

/// `supported_groups` as sorted raw values, for membership tests in O(log n): the list
/// comes from an unauthenticated peer and may hold 32767 groups.
fn sorted_groups(groups: &[NamedGroup]) -> Vec<u16> {
    let mut sorted: Vec<u16> = groups.iter().map(|g| g.to_raw()).collect();
    sorted.sort_unstable();
    sorted
}

impl ExpectClientHello {
    fn client_hello(
        self,
        core: &mut Core,
        ch: &ClientHello<'_>,
        encoded: &[u8],
    ) -> Result<Box<dyn State>, Error> {
        let config = self.config;
        // RFC 8446 §4.1.2 and §4.2.1: TLS 1.3 is negotiated through supported_versions only.
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

        // Cipher suite.
        let suite = match &self.retry {
            Some(r) => {
                if !ch.cipher_suites.contains(&r.suite.suite) {
                    return Err(Error::illegal(
                        "second ClientHello dropped the chosen cipher suite",
                    ));
                }
                r.suite
            }
            None => choose_suite(&config, &ch.cipher_suites)?,
        };

        // Key exchange (RFC 8446 §4.2.7, §4.2.8, §9.2).
        let groups = ch.supported_groups();
        let shares = ch.key_shares();
        let (Some(groups), Some(shares)) = (groups, shares) else {
            return Err(missing(
                "ClientHello needs supported_groups and key_share (psk_dhe_ke only)",
            ));
        };
        // (The codec refused two shares for one group and more than MAX_KEY_SHARES.)
        let offered_groups = sorted_groups(groups);
        let offered = |g: NamedGroup| offered_groups.binary_search(&g.to_raw()).is_ok();
        if !shares.iter().all(|s| offered(s.group)) {
            return Err(Error::illegal(
                "key_share for a group not in supported_groups",
            ));
        }

        // ALPN (RFC 7301 §3.2).
        let alpn = match ch.alpn_protocols() {
            Some(offered) if !config.common.alpn.is_empty() => Some(
                config
                    .common
                    .alpn
                    .iter()
                    .find(|ours| offered.iter().any(|p| p.as_ref() == ours.as_slice()))
                    .cloned()
                    .ok_or(Error::misbehaved(
                        AlertDescription::NoApplicationProtocol,
                        "no ALPN protocol in common",
                    ))?,
            ),
            _ => None,
        };

        let schemes = ch.signature_algorithms();

        if let Some(name) = ch.server_name() {
            core.negotiated.server_name = core::str::from_utf8(name).ok().map(Into::into);
        }

        // Second ClientHello: the cookie and the one key share we asked for.
        if let Some(r) = &self.retry {
            // RFC 8446 §4.1.2: early data is not permitted after a HelloRetryRequest.
            if ch.early_data() {
                return Err(Error::illegal(
                    "second ClientHello offers early_data after HelloRetryRequest",
                ));
            }
            let cookie = ch.cookie();
            if cookie != r.cookie.as_deref() {
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
        }

        let chosen_share = config
            .common
            .groups
            .iter()
            .find_map(|g| shares.iter().find(|s| s.group == g.group).map(|s| (*g, s)));

        let Some((group, share)) = chosen_share else {
            if self.retry.is_some() {
                return Err(Error::illegal(
                    "no usable key share after HelloRetryRequest",
                ));
            }
            let group = config
                .common
                .groups
                .iter()
                .find(|g| offered(g.group))
                .copied()
                .ok_or(Error::incompatible("no key-exchange group in common"))?;
            return send_hello_retry(config, core, ch, encoded, suite, group);
        };

        // Resumption: a ticket we can open, for a suite of the same hash, with a good binder.
        let transcript = match self.retry {
            Some(r) => (r.transcript, r.sent_ccs),
            None => (Transcript::new(suite.hash), false),
        };
        let psk = match ch.pre_shared_key() {
            None => None,
            Some(offer) => {
                let modes = ch.psk_key_exchange_modes().ok_or(missing(
                    "pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9)",
                ))?;
                if offer.identities.len() != offer.binders.len() {
                    return Err(Error::illegal(
                        "PSK identities and binders differ in number",
                    ));
                }
                if modes.contains(&PskKeyExchangeMode::PskDheKe) {
                    let fit = Fit {
                        suite: &suite,
                        server_name: core.negotiated.server_name.as_deref(),
                        alpn: alpn.as_deref(),
                    };
                    resume(&config, offer, &fit, &transcript.0, ch, encoded)?
                } else {
                    None
                }
            }
        };
        if psk.is_none() && schemes.is_none() {
            return Err(missing("ClientHello without signature_algorithms"));
        }
        let scheme = config.cert.scheme;
        if psk.is_none() && !schemes.is_some_and(|s| s.contains(&scheme)) {
            return Err(Error::incompatible(
                "client does not accept our certificate's signature scheme",
            ));
        }

        // Our share and the shared secret.
        let rng = config.common.rng();
        let (our_public, shared) = group
            .kx
            .respond(&mut RngRef(rng), &share.key_exchange)
            .map_err(|e| Error::key_share(e, "client key share is invalid"))?;

        let mut random = [0u8; 32];
        rng.fill(&mut random);
        let mut sh_exts = vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(group.group, &our_public)),
        ];
        if let Some((index, _)) = &psk {
            sh_exts.push(Extension::PreSharedKeySelected(*index));
        }
        let sh = HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random,
            legacy_session_id_echo: Cow::Borrowed(&ch.legacy_session_id),
            cipher_suite: suite.suite,
            legacy_compression_method: 0,
            extensions: sh_exts,
        });
        let (mut transcript, sent_ccs) = transcript;
        transcript.add(encoded)?;
        let sh_bytes = core.send_handshake(&sh)?;
        transcript.add(&sh_bytes)?;
        if config.middlebox_compat && !ch.legacy_session_id.is_empty() && !sent_ccs {
            core.send_ccs()?;
        }

        let hook = config
            .common
            .key_log
            .clone()
            .map(|log| KeyLogHook::new(log, ch.random));
        let (early, ticket) = match psk {
            Some((_, t)) => (EarlySchedule::with_psk(suite.hash, &t.psk), Some(t)),
            None => (EarlySchedule::new(suite.hash), None),
        };
        let early = match hook {
            Some(h) => early.with_key_log(h),
            None => early,
        };
        let hs = early.into_handshake(&shared)?;
        let h = transcript.current();
        let client_hs = hs.client_handshake_traffic_secret(&h)?;
        let server_hs = hs.server_handshake_traffic_secret(&h)?;
        core.event(Event::SecretDerived("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
        core.event(Event::SecretDerived("SERVER_HANDSHAKE_TRAFFIC_SECRET"));
        core.set_send_key(&suite, &server_hs)?;
        core.set_recv_key(&suite, &client_hs)?;
        if ch.early_data() {
            // We never accept 0-RTT: the client's early records are under a key we do not
            // have, so they fail to open; skip them within the budget (RFC 8446 §4.2.10).
            core.decrypter
                .skip_rejected_early_data(config.max_rejected_early_data);
        }

        let hello_retry = self_retry_flag(&core.negotiated.kind);
        core.negotiated.version = Some(ProtocolVersion::Tls13);
        core.negotiated.suite = Some(suite);
        core.negotiated.group = Some(group.group);
        core.negotiated.alpn = alpn.clone();
        core.negotiated.kind = Some(match (ticket.is_some(), hello_retry) {
            (false, false) => HandshakeKind::Full,
            (false, true) => HandshakeKind::FullWithHelloRetryRequest,
            (true, false) => HandshakeKind::Resumed,
            (true, true) => HandshakeKind::ResumedWithHelloRetryRequest,
        });

        // EncryptedExtensions.
        let mut ee = Vec::new();
        if let Some(theirs) = ch.record_size_limit() {
            if theirs < 64 {
                return Err(Error::illegal("record_size_limit below 64"));
            }
            core.encrypter.set_record_size_limit(theirs)?;
            ee.push(Extension::RecordSizeLimit(config.record_size_limit));
        }
        if let Some(a) = &alpn {
            ee.push(Extension::Alpn(vec![Cow::Borrowed(a.as_slice())]));
        }
        if core.negotiated.server_name.is_some() && ticket.is_none() {
            ee.push(Extension::ServerNameAck);
        }
        let ee_bytes = core.send_handshake(&HandshakeMessage::EncryptedExtensions(
            EncryptedExtensions { extensions: ee },
        ))?;
        transcript.add(&ee_bytes)?;
        if ch.record_size_limit().is_some() {
            core.decrypter
                .set_record_size_limit(config.record_size_limit)?;
        }

        let mut client_auth = None;
        if let Some(t) = &ticket {
            // `ticket_fits` checked these certificates against this config's verifier.
            core.negotiated.peer_certificates = t
                .client_certs
                .iter()
                .map(|c| CertificateDer::from(c.clone()))
                .collect();
            core.negotiated.client_authenticated = t.client_auth == TicketClientAuth::Verified;
        } else {
            if let Some(v) = &config.client_verifier {
                let mut exts = vec![Extension::SignatureAlgorithms(v.supported_schemes())];
                let hints = v.root_hint_subjects();
                if !hints.is_empty() {
                    exts.push(Extension::CertificateAuthorities(
                        hints.into_iter().map(Cow::Owned).collect(),
                    ));
                }
                let requested: Vec<ExtensionType> = exts.iter().map(Extension::ext_type).collect();
                let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
                    certificate_request_context: Cow::Borrowed(&[]),
                    extensions: exts,
                });
                let bytes = core.send_handshake(&cr)?;
                transcript.add(&bytes)?;
                client_auth = Some((v.clone(), requested));
            }
            let cert = HandshakeMessage::Certificate(Certificate {
                certificate_request_context: Cow::Borrowed(&[]),
                certificate_list: config
                    .cert
                    .chain
                    .iter()
                    .map(|c| CertificateEntry::new(c.as_ref()))
                    .collect(),
            });
            let bytes = core.send_handshake(&cert)?;
            transcript.add(&bytes)?;
            let message = signed_content(true, transcript.current().as_bytes());
            let signature = config.cert.signer.sign(&message)?;
            let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
                algorithm: scheme,
                signature: Cow::Owned(signature),
            });
            let bytes = core.send_handshake(&cv)?;
            transcript.add(&bytes)?;
            core.negotiated.scheme = Some(scheme);
        }

        let verify_data =
            tryst_keyschedule::verify_data(suite.hash, &server_hs, &transcript.current())?;
        let fin = core.send_handshake(&HandshakeMessage::Finished(Finished {
            verify_data: Cow::Borrowed(verify_data.expose_secret()),
        }))?;
        transcript.add(&fin)?;
        let traffic = hs.into_master()?.into_traffic(&transcript.current())?;
        core.event(Event::SecretDerived("CLIENT_TRAFFIC_SECRET_0"));
        core.event(Event::SecretDerived("SERVER_TRAFFIC_SECRET_0"));
        core.event(Event::SecretDerived("EXPORTER_SECRET"));
        core.set_send_key(&suite, traffic.server_traffic_secret())?;

        core.key_log = config.common.key_log.clone().map(|l| (l, ch.random));
        let hs = Handshake {
            config,
            suite,
            transcript,
            client_hs,
            traffic,
            alpn,
        };
        match client_auth {
            Some((verifier, requested)) => Ok(Box::new(ExpectClientCertificate {
                hs,
                verifier,
                requested,
            })),
            None => Ok(Box::new(ExpectClientFinished { hs })),
        }
    }
}

fn self_retry_flag(kind: &Option<HandshakeKind>) -> bool {
    matches!(kind, Some(HandshakeKind::FullWithHelloRetryRequest))
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
) -> Result<Box<dyn State>, Error> {
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
    let hrr = HandshakeMessage::HelloRetryRequest(ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random: HELLO_RETRY_REQUEST_RANDOM,
        legacy_session_id_echo: Cow::Borrowed(&ch.legacy_session_id),
        cipher_suite: suite.suite,
        legacy_compression_method: 0,
        extensions: exts,
    });
    let mut transcript = Transcript::new(suite.hash);
    transcript.add(encoded)?;
    transcript.replace_with_message_hash()?;
    let bytes = core.send_handshake(&hrr)?;
    transcript.add(&bytes)?;
    let sent_ccs = config.middlebox_compat && !ch.legacy_session_id.is_empty();
    if sent_ccs {
        core.send_ccs()?;
    }
    core.negotiated.kind = Some(HandshakeKind::FullWithHelloRetryRequest);
    if ch.early_data() {
        // After a HelloRetryRequest the client's 0-RTT records arrive before its second
        // ClientHello, as application_data in the clear to us: skip them (§4.2.10).
        core.decrypter
            .skip_rejected_early_data(config.max_rejected_early_data);
    }
    Ok(Box::new(ExpectClientHello {
        config,
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

/// What the connection being negotiated would be, for matching a ticket against it.
struct Fit<'a> {
    suite: &'a SupportedCipherSuite,
    server_name: Option<&'a str>,
    alpn: Option<&'a [u8]>,
}

/// Look for a ticket we can resume; check its binder (a bad binder is fatal,
/// RFC 8446 §4.2.11: decrypt_error). A ticket that does not fit this config or this
/// connection is skipped, so the handshake falls back to a full one.
fn resume(
    config: &ServerConfig,
    offer: &tryst_messages::OfferedPsks<'_>,
    fit: &Fit<'_>,
    transcript: &Transcript,
    ch: &ClientHello<'_>,
    encoded: &[u8],
) -> Result<Option<(u16, TicketState)>, Error> {
    let Some(keys) = &config.tickets else {
        return Ok(None);
    };
    let now = config.common.clock().now();
    for (i, (identity, binder)) in offer.identities.iter().zip(&offer.binders).enumerate() {
        let Some(plain) = keys.open(now, &identity.identity) else {
            continue;
        };
        let Some(state) = TicketState::decode(&plain) else {
            continue;
        };
        if !ticket_fits(config, &state, fit, now) {
            continue;
        }
        let prefix = ch
            .binders_prefix(encoded)
            .ok_or(Error::Internal("binder offset"))?;
        let h = transcript.current_with(prefix);
        let es = EarlySchedule::with_psk(fit.suite.hash, &state.psk);
        es.verify_psk_binder(PskKind::Resumption, &h, binder)?;
        let index = u16::try_from(i).map_err(|_| Error::illegal("too many PSK identities"))?;
        return Ok(Some((index, state)));
    }
    Ok(None)
}

/// Whether a ticket meets this server's current requirements (RFC 8446 §4.2.11: the
/// server MUST select a compatible PSK; §4.6.1). The session it resumes must have been
/// issued under the same resumption context and client-auth policy, for the same SNI and
/// ALPN protocol, with the same suite, be within its lifetime, and a client certificate it
/// carries must still pass this config's verifier now.
fn ticket_fits(
    config: &ServerConfig,
    state: &TicketState,
    fit: &Fit<'_>,
    now: core::time::Duration,
) -> bool {
    // Same suite (so the same hash) and still alive.
    if state.suite != fit.suite.suite.to_raw() {
        return false;
    }
    let age_ms = millis(now).saturating_sub(state.issued_ms);
    if age_ms > u64::from(state.lifetime_secs).saturating_mul(1000) {
        return false;
    }
    if state.context != config.ticket_context {
        return false;
    }
    let same_name = match (state.server_name.as_deref(), fit.server_name) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b.as_bytes()),
        _ => false,
    };
    if !same_name || state.alpn.as_deref() != fit.alpn {
        return false;
    }
    match (&config.client_verifier, state.client_auth) {
        (None, TicketClientAuth::NotRequested) => true,
        // Issued under a client-auth policy this config does not have.
        (None, _) | (Some(_), TicketClientAuth::NotRequested) => false,
        (Some(v), TicketClientAuth::Anonymous) => !v.client_auth_mandatory(),
        (Some(v), TicketClientAuth::Verified) => {
            // The certificate was accepted when the ticket was issued; it must still be
            // acceptable to this verifier now (expiry, anchors, policy).
            let chain: Vec<CertificateDer<'_>> = state
                .client_certs
                .iter()
                .map(|c| CertificateDer::from(c.as_slice()))
                .collect();
            let Some((leaf, rest)) = chain.split_first() else {
                return false;
            };
            v.verify_client_cert(leaf, rest, UnixTime::since_unix_epoch(now))
                .is_ok()
        }
    }
}

/// The handshake-key stage on the server, after our Finished.
struct Handshake {
    config: Arc<ServerConfig>,
    suite: SupportedCipherSuite,
    transcript: Transcript,
    client_hs: Secret,
    traffic: tryst_keyschedule::TrafficSchedule,
    alpn: Option<Vec<u8>>,
}

struct ExpectClientCertificate {
    hs: Handshake,
    verifier: Arc<dyn crate::verify::ClientCertVerifier>,
    /// The extension types of our CertificateRequest: the only ones a CertificateEntry
    /// may carry (RFC 8446 §4.4.2).
    requested: Vec<ExtensionType>,
}

impl State for ExpectClientCertificate {
    fn handle(
        mut self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::Certificate(c) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        if !c.certificate_request_context.is_empty() {
            return Err(Error::illegal(
                "client Certificate has the wrong certificate_request_context",
            ));
        }
        crate::verify::check_certificate_extensions(&c, &self.requested)?;
        self.hs.transcript.add(raw.encoded)?;
        if c.certificate_list.is_empty() {
            if self.verifier.client_auth_mandatory() {
                return Err(Error::misbehaved(
                    AlertDescription::CertificateRequired,
                    "client sent no certificate and one is required",
                ));
            }
            return Ok(Box::new(ExpectClientFinished { hs: self.hs }));
        }
        let chain = crate::verify::chain_of(&c);
        let (leaf, rest) = chain.split_first().ok_or(Error::Internal("empty chain"))?;
        let now = self.hs.config.common.clock().now();
        let verified =
            self.verifier
                .verify_client_cert(leaf, rest, UnixTime::since_unix_epoch(now))?;
        core.negotiated.peer_certificates = chain;
        Ok(Box::new(ExpectClientCertificateVerify {
            hs: self.hs,
            verifier: self.verifier,
            verified,
        }))
    }
}

struct ExpectClientCertificateVerify {
    hs: Handshake,
    verifier: Arc<dyn crate::verify::ClientCertVerifier>,
    /// Proof the chain was checked.
    verified: CertificateVerified,
}

impl State for ExpectClientCertificateVerify {
    fn handle(
        mut self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::CertificateVerify(cv) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        if !self.verifier.supported_schemes().contains(&cv.algorithm) {
            return Err(Error::illegal(
                "client CertificateVerify uses a scheme we did not offer",
            ));
        }
        let message = signed_content(false, self.hs.transcript.current().as_bytes());
        let leaf = core
            .negotiated
            .peer_certificates
            .first()
            .ok_or(Error::Internal("no leaf"))?;
        let _: SignatureVerified =
            self.verifier
                .verify_tls13_signature(&message, leaf, cv.algorithm, &cv.signature)?;
        let _ = self.verified;
        core.negotiated.client_authenticated = true;
        self.hs.transcript.add(raw.encoded)?;
        Ok(Box::new(ExpectClientFinished { hs: self.hs }))
    }
}

struct ExpectClientFinished {
    hs: Handshake,
}

impl State for ExpectClientFinished {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        let HandshakeMessage::Finished(fin) = raw.parse()? else {
            return Err(unexpected(&raw));
        };
        let Handshake {
            config,
            suite,
            mut transcript,
            client_hs,
            mut traffic,
            alpn,
        } = self.hs;
        fin.check_hash_len(suite.hash.output_len())?;
        tryst_keyschedule::verify_finished(
            suite.hash,
            &client_hs,
            &transcript.current(),
            &fin.verify_data,
        )?;
        transcript.add(raw.encoded)?;
        core.set_recv_key(&suite, traffic.client_traffic_secret())?;
        let resumption = traffic.resumption_master_secret(&transcript.current())?;
        core.traffic = Some(Traffic {
            schedule: traffic,
            suite,
        });
        let now = config.common.clock().now();
        send_tickets(&config, core, &suite, &resumption, alpn)?;
        core.complete_handshake(now)?;
        Ok(Box::new(ServerTraffic))
    }
}

/// NewSessionTicket (RFC 8446 §4.6.1): stateless tickets sealed with the ticket keys.
fn send_tickets(
    config: &ServerConfig,
    core: &mut Core,
    suite: &SupportedCipherSuite,
    resumption: &tryst_keyschedule::ResumptionMasterSecret,
    alpn: Option<Vec<u8>>,
) -> Result<(), Error> {
    let Some(keys) = &config.tickets else {
        return Ok(());
    };
    let now = config.common.clock().now();
    let rng = config.common.rng();
    let lifetime_secs = u32::try_from(config.ticket_lifetime.as_secs()).unwrap_or(604_800);
    // What this session's client authentication was, for the server that resumes it.
    let (client_auth, client_certs) = match (
        &config.client_verifier,
        core.negotiated.client_authenticated,
    ) {
        (None, _) => (TicketClientAuth::NotRequested, Vec::new()),
        (Some(_), false) => (TicketClientAuth::Anonymous, Vec::new()),
        (Some(_), true) => (
            TicketClientAuth::Verified,
            core.negotiated
                .peer_certificates
                .iter()
                .map(|c| c.as_ref().to_vec())
                .collect(),
        ),
    };
    let server_name = core
        .negotiated
        .server_name
        .as_ref()
        .map(|n| n.as_bytes().to_vec());
    for i in 0..config.ticket_count {
        let nonce = [i];
        let psk = resumption.ticket_psk(&nonce)?;
        let state = TicketState {
            suite: suite.suite.to_raw(),
            psk,
            issued_ms: millis(now),
            lifetime_secs,
            alpn: alpn.clone(),
            context: config.ticket_context,
            server_name: server_name.clone(),
            client_auth,
            client_certs: client_certs.clone(),
        };
        let plain = state.encode()?;
        let ticket = keys
            .seal(now, &mut RngRef(rng), &plain)
            .ok_or(Error::Internal("ticket sealing"))?;
        let mut age_add = [0u8; 4];
        rng.fill(&mut age_add);
        let nst = HandshakeMessage::NewSessionTicket(NewSessionTicket {
            ticket_lifetime: lifetime_secs,
            ticket_age_add: u32::from_be_bytes(age_add),
            ticket_nonce: Cow::Borrowed(&nonce),
            ticket: Cow::Owned(ticket),
            extensions: Vec::new(),
        });
        core.send_handshake(&nst)?;
    }
    Ok(())
}

/// After the handshake: KeyUpdates only.
struct ServerTraffic;

impl State for ServerTraffic {
    fn handle(
        self: Box<Self>,
        core: &mut Core,
        raw: RawHandshake<'_>,
    ) -> Result<Box<dyn State>, Error> {
        match raw.parse()? {
            HandshakeMessage::KeyUpdate(ku) => {
                core.receive_key_update(&ku)?;
                Ok(self)
            }
            _ => Err(unexpected(&raw)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(alpn: Option<&[u8]>, sni: Option<&[u8]>, certs: &[&[u8]]) -> TicketState {
        TicketState {
            suite: 0x1302,
            psk: Secret::from_slice(&[7; 48]).unwrap(),
            issued_ms: 0x0123_4567_89ab_cdef,
            lifetime_secs: 7200,
            alpn: alpn.map(<[u8]>::to_vec),
            context: [0x5a; 32],
            server_name: sni.map(<[u8]>::to_vec),
            client_auth: if certs.is_empty() {
                TicketClientAuth::Anonymous
            } else {
                TicketClientAuth::Verified
            },
            client_certs: certs.iter().map(|c| c.to_vec()).collect(),
        }
    }

    #[test]
    fn ticket_state_round_trips_and_no_prefix_decodes() {
        for s in [
            state(None, None, &[]),
            state(Some(b"h2"), Some(b""), &[]),
            state(
                Some(b"http/1.1"),
                Some(b"example.com"),
                &[b"leaf", b"intermediate"],
            ),
        ] {
            let bytes = s.encode().unwrap();
            let back = TicketState::decode(&bytes).unwrap();
            assert_eq!(back.suite, s.suite);
            assert_eq!(back.psk.expose_secret(), s.psk.expose_secret());
            assert_eq!(back.issued_ms, s.issued_ms);
            assert_eq!(back.lifetime_secs, s.lifetime_secs);
            assert_eq!(back.alpn, s.alpn);
            assert_eq!(back.context, s.context);
            assert_eq!(back.server_name, s.server_name);
            assert_eq!(back.client_auth, s.client_auth);
            assert_eq!(back.client_certs, s.client_certs);
            assert_eq!(&back.encode().unwrap()[..], &bytes[..]);
            for cut in 0..bytes.len() {
                assert!(
                    TicketState::decode(&bytes[..cut]).is_none(),
                    "prefix {cut} decoded"
                );
            }
            let mut longer = bytes.to_vec();
            longer.push(0);
            assert!(
                TicketState::decode(&longer).is_none(),
                "trailing byte accepted"
            );
        }
        // Another version is refused (version 1 did not record what it was issued under).
        let mut bytes = state(None, None, &[]).encode().unwrap().to_vec();
        bytes[0] = 1;
        assert!(TicketState::decode(&bytes).is_none());
        // A "verified" record without certificates, or certificates without one, is refused.
        let mut s = state(None, None, &[]);
        s.client_auth = TicketClientAuth::Verified;
        assert!(TicketState::decode(&s.encode().unwrap()).is_none());
        let mut s = state(None, None, &[b"leaf"]);
        s.client_auth = TicketClientAuth::NotRequested;
        assert!(TicketState::decode(&s.encode().unwrap()).is_none());
    }
}
