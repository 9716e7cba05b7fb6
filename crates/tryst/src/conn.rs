//! What client and server connections share: the record layer, buffers, the post-handshake
//! protocol (KeyUpdate, close_notify, alerts), timeouts and the sans-IO driving loop.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use rustls_pki_types::CertificateDer;
use tryst_keyschedule::{TrafficKeys, TrafficSchedule};
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, Codec, HandshakeJoiner, HandshakeMessage, HandshakeType,
    KeyUpdate, KeyUpdateRequest, NamedGroup, ProtocolVersion, RawHandshake, SignatureScheme,
};
use tryst_record::{Deframer, Message, RecordDecrypter, RecordEncrypter, SendBuffer};

use crate::Error;
use crate::config::{Common, Limits};
use crate::suites::SupportedCipherSuite;
use crate::time::millis;

/// Which end of the connection we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// How the handshake went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeKind {
    /// A full handshake with certificate authentication.
    Full,
    /// A full handshake after a HelloRetryRequest.
    FullWithHelloRetryRequest,
    /// A resumption: in TLS 1.3 from a ticket (psk_dhe_ke: still fresh (EC)DHE keys); in
    /// TLS 1.2 from a ticket or a session id (the original master secret with new
    /// randoms, no new ECDHE exchange).
    Resumed,
    /// A resumption after a HelloRetryRequest.
    ResumedWithHelloRetryRequest,
    /// Authenticated with an external PSK (psk_dhe_ke), with or without a
    /// HelloRetryRequest.
    ExternalPsk,
}

/// Something that happened on the connection, for tracing (`tryst client --trace`, the
/// demo's sequence chart). Events never carry secret values, only names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// We sent a handshake message; `encrypted` tells whether under handshake/traffic keys.
    Sent {
        /// The message type.
        message: HandshakeType,
        /// Sent under handshake or traffic keys.
        encrypted: bool,
    },
    /// We received a handshake message.
    Received {
        /// The message type.
        message: HandshakeType,
        /// Received under handshake or traffic keys.
        encrypted: bool,
    },
    /// We sent a change_cipher_spec: TLS 1.3's middlebox-compatibility one, or TLS 1.2's,
    /// after which our records are sealed under the new keys.
    SentChangeCipherSpec,
    /// We received TLS 1.2's ChangeCipherSpec: the peer's records are sealed from now on.
    ReceivedChangeCipherSpec,
    /// A secret was derived (its SSLKEYLOGFILE-style name, never its value).
    SecretDerived(&'static str),
    /// We sent a KeyUpdate (`requested`: we asked the peer to update too).
    SentKeyUpdate {
        /// We asked the peer to update too.
        requested: bool,
    },
    /// Server: the client finished answering a post-handshake CertificateRequest
    /// (RFC 8446 §4.6.2); `authenticated` when it sent a certificate that was verified.
    PostHandshakeAuth {
        /// A verified certificate (false: the client sent none and that was allowed).
        authenticated: bool,
    },
    /// We received a KeyUpdate.
    ReceivedKeyUpdate {
        /// The peer asked us to update too.
        requested: bool,
    },
    /// Application data was exchanged (bytes sent or received).
    ApplicationData {
        /// Sent (true) or received (false).
        sent: bool,
        /// Plaintext bytes.
        len: usize,
    },
    /// 0-RTT data was sent or received under client_early_traffic_secret.
    EarlyData {
        /// Sent (true) or received (false).
        sent: bool,
        /// Plaintext bytes.
        len: usize,
    },
    /// An alert was sent or received.
    Alert {
        /// Sent (true) or received (false).
        sent: bool,
        /// Which alert.
        description: AlertDescription,
    },
}

/// What the handshake settled, made once when it completes: nothing in it is filled in
/// later, and before it exists the accessors report nothing.
#[derive(Debug, Clone)]
pub(crate) struct Negotiated {
    pub(crate) version: ProtocolVersion,
    pub(crate) suite: SupportedCipherSuite,
    /// The key-exchange group; none for a TLS 1.2 resumption (no key exchange).
    pub(crate) group: Option<NamedGroup>,
    pub(crate) kind: HandshakeKind,
    pub(crate) alpn: Option<Vec<u8>>,
    /// The scheme of the server's CertificateVerify (None when resumed).
    pub(crate) scheme: Option<SignatureScheme>,
    /// The peer's chain, end entity first (for a resumed session, the original one's).
    pub(crate) peer_certificates: Vec<CertificateDer<'static>>,
}

/// The traffic stage: application keys, KeyUpdate and exporters.
pub(crate) struct Traffic {
    pub(crate) schedule: TrafficSchedule,
    pub(crate) suite: SupportedCipherSuite,
}

impl Traffic {
    /// Move `whose` traffic secret to its next generation (RFC 8446 §7.2) and return it.
    fn update(&mut self, whose: Side) -> Result<tryst_crypto::Secret, Error> {
        let s = &mut self.schedule;
        let updated = match whose {
            Side::Client => s.update_client().map(|()| s.client_traffic_secret()),
            Side::Server => s.update_server().map(|()| s.server_traffic_secret()),
        };
        updated
            .map(tryst_crypto::Secret::duplicate)
            .map_err(|_| Error::Internal("KeyUpdate"))
    }
}

impl Side {
    /// The other end.
    pub(crate) fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }
}

/// The record key and IV for `secret` under `suite` (RFC 8446 §7.3).
fn traffic_keys(
    suite: &SupportedCipherSuite,
    secret: &tryst_crypto::Secret,
) -> Result<TrafficKeys, Error> {
    TrafficKeys::derive(suite.hash, secret, suite.aead.key_len())
        .map_err(|_| Error::Internal("traffic key derivation"))
}

/// The key log and the client random its lines are keyed by.
pub(crate) type KeyLogAndRandom = (alloc::sync::Arc<dyn crate::keylog::KeyLog>, [u8; 32]);

/// State shared by every handshake state: what a `handle` call may touch.
pub(crate) struct Core {
    pub(crate) side: Side,
    /// The record layer and its buffers.
    pub(crate) records: Records,
    /// Timeouts and the counters that bound a peer's unproductive messages.
    pub(crate) liveness: Liveness,
    /// Who has closed, and whether the transport ended.
    pub(crate) close: CloseState,
    pub(crate) handshake_complete: bool,
    /// What the handshake settled, once it completed.
    pub(crate) negotiated: Option<Negotiated>,
    /// A HelloRetryRequest was sent or received: what `handshake_kind` reports until
    /// the handshake completes. No state reads it back.
    pub(crate) hello_retry_request: bool,
    /// The server_name (SNI) the client asked for (server side), known from its hello.
    pub(crate) server_name: Option<alloc::string::String>,
    /// The certificate a server presented in a full handshake, and why.
    pub(crate) chosen_certificate: Option<crate::resolve::ChosenCertificate>,
    /// What Encrypted Client Hello did (RFC 9849).
    pub(crate) ech_status: crate::ech::EchStatus,
    /// Server side, after accepting ECH: the outer ClientHello's server_name (the public
    /// name an observer saw).
    pub(crate) outer_server_name: Option<alloc::string::String>,
    pub(crate) traffic: Option<Traffic>,
    /// Key log and client random, for secrets derived after the handshake (KeyUpdate).
    pub(crate) key_log: Option<Box<KeyLogAndRandom>>,
    /// TLS 1.2 was negotiated: ChangeCipherSpec is a real message, no KeyUpdate.
    pub(crate) tls12: bool,
    /// TLS 1.2 exporters (RFC 5705), once the handshake completed.
    pub(crate) exporter12: Option<Box<crate::tls12::common::Exporter>>,
    pub(crate) limits: Limits,
    pub(crate) events: Vec<Event>,
    pub(crate) trace: bool,
    /// 0-RTT on this connection (`crate::early`).
    pub(crate) early: crate::early::EarlyState,
    /// Server: early data received, kept apart from 1-RTT data until the application
    /// takes it.
    pub(crate) early_in: Vec<u8>,
    /// The identity of the external PSK this connection was authenticated with.
    pub(crate) psk_identity: Option<Vec<u8>>,
    /// The OCSP response stapled to the peer's end entity (`crate::ocsp`).
    pub(crate) peer_ocsp: Option<Vec<u8>>,
    /// Server: post-handshake authentication, when the client offered it (`crate::pha`).
    pub(crate) pha: Option<alloc::boxed::Box<crate::pha::ServerPha>>,
    /// Raw public keys on this connection (`crate::rpk`).
    pub(crate) rpk: crate::rpk::RpkState,
}

/// The record layer and its buffers: TLS bytes out, plaintext in, and plaintext written
/// before the handshake completed.
pub(crate) struct Records {
    pub(crate) encrypter: RecordEncrypter,
    pub(crate) decrypter: RecordDecrypter,
    /// TLS bytes waiting for `write_tls`. Records are sealed straight into it (its memory
    /// stays initialised between records, so the AEAD writes there without a copy first).
    pub(crate) tls_out: SendBuffer,
    /// Received plaintext waiting for `read_plaintext`.
    pub(crate) plain_in: VecDeque<u8>,
    /// Plaintext queued before the handshake completed.
    pending_out: Vec<u8>,
    /// A receive key set while a message was handled. The driver installs it once the
    /// message is done, through the record layer's boundary check (RFC 8446 §5.1).
    pending_recv_key: Option<Box<(&'static dyn tryst_crypto::Aead, TrafficKeys)>>,
    /// A TLS 1.2 read key, set when the peer's ChangeCipherSpec was handled; installed by
    /// the driver at a handshake message boundary (RFC 5246 §7.1).
    pub(crate) pending_recv_key12: Option<Box<(&'static dyn tryst_crypto::Aead, TrafficKeys)>>,
}

/// Liveness: the idle timeout and the session lifetime, and the counters of messages that
/// make no progress (warning alerts, KeyUpdates in a row).
pub(crate) struct Liveness {
    warning_alerts: u32,
    key_updates_in_row: u32,
    last_activity_ms: u64,
    established_ms: Option<u64>,
    idle_timeout: Option<Duration>,
    max_lifetime: Option<Duration>,
}

impl Liveness {
    /// Application data arrived: the counters of unproductive messages start again.
    fn made_progress(&mut self) {
        self.key_updates_in_row = 0;
        self.warning_alerts = 0;
    }

    /// A warning alert arrived: at most `max` in a row.
    fn warning_alert(&mut self, max: u32) -> Result<(), Error> {
        self.warning_alerts = self.warning_alerts.saturating_add(1);
        if self.warning_alerts > max {
            return Err(Error::unexpected("too many warning alerts"));
        }
        Ok(())
    }

    pub(crate) fn touch(&mut self, now: Duration) {
        self.last_activity_ms = millis(now);
    }

    pub(crate) fn check_timeouts(&self, now: Duration) -> Result<(), Error> {
        let now_ms = millis(now);
        if let Some(idle) = self.idle_timeout
            && now_ms.saturating_sub(self.last_activity_ms) > millis(idle)
        {
            return Err(Error::SessionExpired);
        }
        if let (Some(max), Some(start)) = (self.max_lifetime, self.established_ms)
            && now_ms.saturating_sub(start) > millis(max)
        {
            return Err(Error::SessionExpired);
        }
        Ok(())
    }
}

/// How far the connection has closed.
#[derive(Default)]
pub(crate) struct CloseState {
    /// The peer sent close_notify.
    pub(crate) peer_closed: bool,
    /// We sent close_notify.
    pub(crate) sent_close_notify: bool,
    /// The transport reached end of file.
    eof: bool,
}

impl Core {
    pub(crate) fn new(side: Side, common: &Common) -> Self {
        let mut decrypter = RecordDecrypter::new();
        decrypter.set_max_empty_records(common.limits.max_empty_records);
        // A lone change_cipher_spec may arrive after the first ClientHello and before the
        // peer's Finished (RFC 8446 §5): a client has sent its ClientHello from the start,
        // a server has not received one yet. The driver narrows this before every record.
        decrypter.set_change_cipher_spec_allowed(side == Side::Client);
        // Application data, even an empty record, waits for the handshake (RFC 8446 §5).
        decrypter.set_application_data_allowed(false);
        // A peer failing mid-handshake may send its alert before it has our keys.
        decrypter.set_plaintext_alerts_allowed(true);
        let mut encrypter = RecordEncrypter::new();
        encrypter.set_key_update_after(common.limits.key_update_after_records);
        Core {
            side,
            records: Records {
                encrypter,
                decrypter,
                tls_out: SendBuffer::new(),
                plain_in: VecDeque::new(),
                pending_out: Vec::new(),
                pending_recv_key: None,
                pending_recv_key12: None,
            },
            liveness: Liveness {
                warning_alerts: 0,
                key_updates_in_row: 0,
                last_activity_ms: millis(common.clock().now()),
                established_ms: None,
                idle_timeout: common.idle_timeout,
                max_lifetime: common.max_session_lifetime,
            },
            close: CloseState::default(),
            handshake_complete: false,
            negotiated: None,
            server_name: None,
            chosen_certificate: None,
            ech_status: crate::ech::EchStatus::NotOffered,
            outer_server_name: None,
            hello_retry_request: false,
            traffic: None,
            key_log: None,
            tls12: false,
            exporter12: None,
            limits: common.limits,
            events: Vec::new(),
            trace: false,
            early: crate::early::EarlyState::None,
            early_in: Vec::new(),
            psk_identity: None,
            peer_ocsp: None,
            pha: None,
            rpk: crate::rpk::RpkState::default(),
        }
    }

    pub(crate) fn event(&mut self, e: Event) {
        if self.trace {
            self.events.push(e);
        }
    }

    /// Frame and send a handshake message under the current write key.
    pub(crate) fn send_handshake(&mut self, msg: &HandshakeMessage<'_>) -> Result<Vec<u8>, Error> {
        let bytes = msg.to_bytes()?;
        self.send_handshake_bytes(msg.typ(), &bytes)?;
        Ok(bytes)
    }

    pub(crate) fn send_handshake_bytes(
        &mut self,
        typ: HandshakeType,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let encrypted = self.records.encrypter.is_protected();
        self.records.encrypter.write(
            tryst_messages::ContentType::Handshake,
            bytes,
            &mut self.records.tls_out,
        )?;
        self.event(Event::Sent {
            message: typ,
            encrypted,
        });
        Ok(())
    }

    pub(crate) fn send_ccs(&mut self) -> Result<(), Error> {
        self.records
            .encrypter
            .write_change_cipher_spec(&mut self.records.tls_out)?;
        self.event(Event::SentChangeCipherSpec);
        Ok(())
    }

    /// Switch the send key now.
    pub(crate) fn set_send_key(
        &mut self,
        suite: &SupportedCipherSuite,
        secret: &tryst_crypto::Secret,
    ) -> Result<(), Error> {
        let keys = traffic_keys(suite, secret)?;
        let encrypter = &mut self.records.encrypter;
        encrypter.set_key(suite.aead, &keys.key, keys.iv)?;
        Ok(())
    }

    /// [`set_send_key`](Self::set_send_key) with the key and IV already derived.
    pub(crate) fn set_send_keys(
        &mut self,
        suite: &SupportedCipherSuite,
        keys: TrafficKeys,
    ) -> Result<(), Error> {
        self.records
            .encrypter
            .set_key(suite.aead, &keys.key, keys.iv)?;
        Ok(())
    }

    /// [`set_recv_key`](Self::set_recv_key) with the key and IV already derived.
    pub(crate) fn set_recv_keys(&mut self, suite: &SupportedCipherSuite, keys: TrafficKeys) {
        self.records.pending_recv_key = Some(Box::new((suite.aead, keys)));
    }

    /// Switch the receive key once the message being handled is done (the driver checks
    /// that no further handshake bytes were buffered under the old key).
    pub(crate) fn set_recv_key(
        &mut self,
        suite: &SupportedCipherSuite,
        secret: &tryst_crypto::Secret,
    ) -> Result<(), Error> {
        self.records.pending_recv_key = Some(Box::new((suite.aead, traffic_keys(suite, secret)?)));
        Ok(())
    }

    /// The handshake is over: application data may flow and what was written early goes out.
    pub(crate) fn complete_handshake(
        &mut self,
        now: Duration,
        negotiated: Negotiated,
    ) -> Result<(), Error> {
        self.negotiated = Some(negotiated);
        self.handshake_complete = true;
        self.records.decrypter.set_change_cipher_spec_allowed(false);
        self.records.decrypter.set_application_data_allowed(true);
        self.records.decrypter.set_plaintext_alerts_allowed(false);
        self.liveness.established_ms = Some(millis(now));
        let pending = core::mem::take(&mut self.records.pending_out);
        if !pending.is_empty() {
            self.send_app_data(&pending)?;
        }
        Ok(())
    }

    fn send_app_data(&mut self, data: &[u8]) -> Result<(), Error> {
        // TLS 1.2 has no KeyUpdate: the record layer's usage limit ends the connection.
        if self.records.encrypter.needs_key_update() && !self.tls12 {
            self.send_key_update(false)?;
        }
        self.records.encrypter.write(
            tryst_messages::ContentType::ApplicationData,
            data,
            &mut self.records.tls_out,
        )?;
        self.event(Event::ApplicationData {
            sent: true,
            len: data.len(),
        });
        Ok(())
    }

    /// Send KeyUpdate and switch our sending key (RFC 8446 §4.6.3).
    pub(crate) fn send_key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        let side = self.side;
        let traffic = self
            .traffic
            .as_mut()
            .ok_or(Error::NotReady("KeyUpdate before the handshake completed"))?;
        let request_update = if request_peer {
            KeyUpdateRequest::UpdateRequested
        } else {
            KeyUpdateRequest::UpdateNotRequested
        };
        let msg = HandshakeMessage::KeyUpdate(KeyUpdate { request_update });
        let bytes = msg.to_bytes()?;
        self.records.encrypter.write(
            tryst_messages::ContentType::Handshake,
            &bytes,
            &mut self.records.tls_out,
        )?;
        let suite = traffic.suite;
        let secret = traffic.update(side)?;
        self.set_send_key(&suite, &secret)?;
        self.log_updated_secret(side, &secret);
        self.event(Event::Sent {
            message: HandshakeType::KeyUpdate,
            encrypted: true,
        });
        self.event(Event::SentKeyUpdate {
            requested: request_peer,
        });
        Ok(())
    }

    /// A KeyUpdate from the peer: switch the receiving key, answer if asked.
    pub(crate) fn receive_key_update(&mut self, ku: &KeyUpdate) -> Result<(), Error> {
        self.liveness.key_updates_in_row = self.liveness.key_updates_in_row.saturating_add(1);
        if self.liveness.key_updates_in_row > self.limits.max_key_updates {
            return Err(Error::misbehaved(
                AlertDescription::UnexpectedMessage,
                "too many KeyUpdates without application data",
            ));
        }
        let side = self.side;
        let traffic = self.traffic.as_mut().ok_or(Error::unexpected(
            "KeyUpdate before the handshake completed",
        ))?;
        let suite = traffic.suite;
        let secret = traffic.update(side.peer())?;
        self.set_recv_key(&suite, &secret)?;
        self.log_updated_secret(side.peer(), &secret);
        let requested = ku.request_update == KeyUpdateRequest::UpdateRequested;
        self.event(Event::ReceivedKeyUpdate { requested });
        if requested && !self.close.sent_close_notify {
            self.send_key_update(false)?;
        }
        Ok(())
    }

    /// Report a post-KeyUpdate traffic secret to the key log as
    /// `CLIENT_TRAFFIC_SECRET_<n>` / `SERVER_TRAFFIC_SECRET_<n>` (the NSS names, numbered by
    /// generation; tools that only know `_0` ignore the rest).
    fn log_updated_secret(&self, whose: Side, secret: &tryst_crypto::Secret) {
        let (Some(log_and_random), Some(t)) = (&self.key_log, &self.traffic) else {
            return;
        };
        let (log, random) = &**log_and_random;
        let (prefix, generation) = match whose {
            Side::Client => ("CLIENT_TRAFFIC_SECRET_", t.schedule.client_generation()),
            Side::Server => ("SERVER_TRAFFIC_SECRET_", t.schedule.server_generation()),
        };
        let mut label = alloc::string::String::from(prefix);
        let _ = core::fmt::Write::write_fmt(&mut label, format_args!("{generation}"));
        if log.will_log(&label) {
            log.log(&label, random, secret.expose_secret());
        }
    }

    /// A warning alert that does not end the connection (TLS 1.2's no_renegotiation).
    pub(crate) fn send_warning_alert(
        &mut self,
        description: AlertDescription,
    ) -> Result<(), Error> {
        let body = [AlertLevel::Warning.to_raw(), description.to_raw()];
        self.records.encrypter.write(
            tryst_messages::ContentType::Alert,
            &body,
            &mut self.records.tls_out,
        )?;
        self.event(Event::Alert {
            sent: true,
            description,
        });
        Ok(())
    }

    fn send_alert(&mut self, description: AlertDescription) {
        // no_renegotiation "is always a warning" (RFC 5246 §7.2.2).
        let level = if description == AlertDescription::NoRenegotiation {
            AlertLevel::Warning
        } else {
            AlertLevel::Fatal
        };
        let alert = Alert { level, description };
        // Best effort: the connection is failing anyway.
        if self
            .records
            .encrypter
            .write_alert(alert, &mut self.records.tls_out)
            .is_ok()
        {
            self.event(Event::Alert {
                sent: true,
                description,
            });
        }
    }
}

impl Core {
    /// Application data of `len` bytes arrived (buffered or handed out in place).
    pub(crate) fn accept_app_data(&mut self, len: usize) -> Result<(), Error> {
        if !self.handshake_complete {
            return Err(Error::unexpected(
                "application data before the handshake completed",
            ));
        }
        self.liveness.made_progress();
        self.event(Event::ApplicationData { sent: false, len });
        Ok(())
    }

    /// A record that is not part of a handshake message: application data, an alert,
    /// close_notify.
    pub(crate) fn receive_record(&mut self, msg: Message<'_>) -> Result<(), Error> {
        match msg {
            Message::ApplicationData(data) if self.early.receiving() => {
                // 0-RTT (RFC 8446 §4.2.10): kept apart from 1-RTT data, within the budget.
                self.early.receive(data)?;
                self.early_in.extend_from_slice(data);
                self.event(Event::EarlyData {
                    sent: false,
                    len: data.len(),
                });
            }
            Message::ApplicationData(data) => {
                self.accept_app_data(data.len())?;
                self.records.plain_in.extend(data);
            }
            Message::Alert(alert) => {
                self.event(Event::Alert {
                    sent: false,
                    description: alert.description,
                });
                if alert.level == AlertLevel::Fatal {
                    return Err(Error::AlertReceived(alert.description));
                }
                self.liveness
                    .warning_alert(self.limits.max_warning_alerts)?;
            }
            Message::CloseNotify => {
                self.event(Event::Alert {
                    sent: false,
                    description: AlertDescription::CloseNotify,
                });
                self.close.peer_closed = true;
                if !self.handshake_complete {
                    return Err(Error::AlertReceived(AlertDescription::CloseNotify));
                }
            }
            _ => return Err(Error::Internal("unknown record message")),
        }
        Ok(())
    }
}

/// One handshake (or post-handshake) state. `handle` consumes the state and returns the
/// next, so a state's data exists only while it is valid (DESIGN.md principle 5).
pub(crate) trait State: Send + Sync {
    fn handle(self: Box<Self>, core: &mut Core, msg: RawHandshake<'_>) -> Next;

    /// A TLS 1.2 ChangeCipherSpec (delivered only when the state armed the record layer
    /// for one): the state sets the read key with `pending_recv_key12`.
    fn handle_change_cipher_spec(self: Box<Self>, _core: &mut Core) -> Next {
        Err(Error::unexpected("ChangeCipherSpec not expected here"))
    }
}

/// What a handshake step returns: the next state, or the error that ends the connection.
pub(crate) type Next = Result<Box<dyn State>, Error>;

/// The parts of a connection that do not depend on the side.
pub struct ConnectionCommon {
    pub(crate) core: Core,
    pub(crate) deframer: Deframer,
    pub(crate) joiner: HandshakeJoiner,
    state: Option<Box<dyn State>>,
    pub(crate) error: Option<Error>,
    pub(crate) common: alloc::sync::Arc<Common>,
    /// The handshake's receive buffer was given back (idle connections stay small).
    buffer_released: bool,
    /// A first handshake message (for a server, the first ClientHello) was processed.
    hello_received: bool,
}

/// Handshake messages that can immediately precede a key change, so must end their
/// record (RFC 8446 §5.1; a HelloRetryRequest has the ServerHello's type).
fn ends_record(typ: HandshakeType) -> bool {
    matches!(
        typ,
        HandshakeType::ClientHello
            | HandshakeType::ServerHello
            | HandshakeType::EndOfEarlyData
            | HandshakeType::Finished
            | HandshakeType::KeyUpdate
    )
}

/// A ServerHello without supported_versions: TLS 1.2 (or older), whose record may go on.
fn is_tls12_server_hello(raw: &RawHandshake<'_>) -> bool {
    raw.typ == HandshakeType::ServerHello
        && tryst_messages::ServerHello::peek_versions(raw.body)
            .is_ok_and(|v| v.supported_versions.is_none())
}

fn must_end_record() -> Error {
    Error::unexpected("a message that can precede a key change must end its record (RFC 8446 §5.1)")
}

/// What a caller should do next, returned by `process_new_packets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoState {
    /// Bytes waiting for `write_tls`.
    pub tls_bytes_to_write: usize,
    /// Plaintext waiting for `reader()`.
    pub plaintext_bytes_to_read: usize,
    /// The peer sent close_notify.
    pub peer_has_closed: bool,
}

impl ConnectionCommon {
    pub(crate) fn new(core: Core, state: Box<dyn State>, common: alloc::sync::Arc<Common>) -> Self {
        ConnectionCommon {
            joiner: HandshakeJoiner::with_max_message_len(common.limits.max_handshake_message_len),
            core,
            deframer: Deframer::new(),
            state: Some(state),
            error: None,
            common,
            buffer_released: false,
            hello_received: false,
        }
    }

    /// Record [`Event`]s from now on (off by default).
    pub fn set_trace(&mut self, on: bool) {
        self.core.trace = on;
    }

    /// Take the events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.core.events)
    }

    /// Give the connection TLS bytes received from the peer; returns how many were taken
    /// (fewer than offered when its one-record buffer is full: call
    /// `process_new_packets` and offer the rest again).
    pub fn read_tls_bytes(&mut self, input: &[u8]) -> usize {
        if input.is_empty() {
            self.core.close.eof = true;
            return 0;
        }
        if self.core.close.peer_closed {
            // RFC 8446 §6.1: whatever follows close_notify is ignored.
            return input.len();
        }
        // Bytes arrive before the reader took the held plaintext: queue it, so the whole
        // buffer is free for records as before.
        self.spill_held();
        self.deframer.push(input)
    }

    /// Report that the transport reached end of file.
    pub fn read_tls_eof(&mut self) {
        self.core.close.eof = true;
    }

    /// TLS bytes waiting to be sent.
    pub fn pending_tls(&self) -> &[u8] {
        self.core.records.tls_out.pending()
    }

    /// Mark `n` bytes of [`pending_tls`](Self::pending_tls) as sent.
    pub fn consume_tls(&mut self, n: usize) {
        self.core.records.tls_out.consume(n);
    }

    /// Process the TLS bytes received so far: run the handshake, decrypt records, answer
    /// KeyUpdates. On error the matching alert is queued for `write_tls` and the error is
    /// returned now and from every later call.
    pub fn process_new_packets(&mut self) -> Result<IoState, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let now = self.common.clock().now();
        let result = self
            .core
            .liveness
            .check_timeouts(now)
            .and_then(|()| self.process(now));
        match result {
            Ok(()) => Ok(self.io_state()),
            Err(e) => Err(self.fail(e)),
        }
    }

    pub(crate) fn fail(&mut self, e: Error) -> Error {
        if matches!(e, Error::SessionExpired) && !self.core.close.sent_close_notify {
            // Expiry is an orderly end, not an attack: close cleanly.
            let _ = self
                .core
                .records
                .encrypter
                .write_close_notify(&mut self.core.records.tls_out);
            self.core.close.sent_close_notify = true;
        } else if let Some(alert) = e.alert() {
            self.core.send_alert(alert);
        }
        self.state = None;
        self.error = Some(e.clone());
        e
    }

    fn process(&mut self, now: Duration) -> Result<(), Error> {
        let mut progressed = false;
        // A post-handshake message (NewSessionTicket, KeyUpdate) was handled.
        let mut post_handshake = false;
        while self.plaintext_len() < self.core.limits.max_received_plaintext {
            if !self.deframer.held().is_empty() {
                // The last application data record's plaintext waits in the deframer's
                // buffer. It stays there while no other record is ready; otherwise the
                // reader lags and it moves to the queue first.
                if !self.deframer.record_ready() {
                    break;
                }
                self.spill_held();
            }
            let ccs_allowed = self.ccs_allowed();
            let records = &mut self.core.records;
            records
                .decrypter
                .set_change_cipher_spec_allowed(ccs_allowed);
            let Some(msg) = self.deframer.next_record(&mut records.decrypter)? else {
                break;
            };
            progressed = true;
            if !matches!(msg, Message::Handshake(_)) && !self.joiner.at_message_boundary() {
                return Err(Error::unexpected(
                    "a handshake message is interleaved with another record type (RFC 8446 §5.1)",
                ));
            }
            if let Message::Handshake(fragment) = msg {
                post_handshake |= self.core.handshake_complete;
                self.joiner.push(fragment)?;
                self.handle_messages()?;
            } else if msg == Message::ChangeCipherSpec {
                self.handle_change_cipher_spec()?;
            } else if let (Message::ApplicationData(data), false) =
                (&msg, self.core.early.receiving())
            {
                // 1-RTT application data stays where it was opened until the reader takes
                // it (`read_plaintext`): no copy into the queue.
                self.core.accept_app_data(data.len())?;
                self.deframer.hold();
            } else {
                self.core.receive_record(msg)?;
            }
        }
        if progressed {
            self.core.liveness.touch(now);
        }
        // Idle connections stay small: the receive buffers grown for the handshake, and
        // again for tickets or a KeyUpdate (rare; bulk data never frees them), are given
        // back once they are empty.
        if self.core.handshake_complete
            && (!self.buffer_released || post_handshake)
            && self.deframer.buffered_len() == 0
            && self.deframer.held().is_empty()
        {
            self.deframer.release_if_empty();
            self.release_joiner_if_empty();
            if !self.buffer_released {
                self.core.records.tls_out.shrink_to_fit();
            }
            self.buffer_released = true;
        }
        Ok(())
    }

    /// Received plaintext waiting for `read_plaintext`: the queue, then the plaintext held
    /// in the deframer's buffer (always the newest).
    fn plaintext_len(&self) -> usize {
        self.core
            .records
            .plain_in
            .len()
            .saturating_add(self.deframer.held().len())
    }

    /// Move the plaintext held in the deframer's buffer to the end of the queue (the
    /// reader lags behind the records), so the deframer can move on.
    fn spill_held(&mut self) {
        let held = self.deframer.held();
        let n = held.len();
        self.core.records.plain_in.extend(held);
        self.deframer.take_held(n);
    }

    /// Give the handshake reassembly buffer's memory back if no partial message is in it.
    pub(crate) fn release_joiner_if_empty(&mut self) {
        if self.joiner.at_message_boundary() {
            self.joiner = HandshakeJoiner::with_max_message_len(self.joiner.max_message_len());
        }
    }

    /// RFC 8446 §5: a lone change_cipher_spec is dropped only after the first ClientHello
    /// and before the peer's Finished, and never inside a fragmented handshake message
    /// (§5.1: no other record type may come between its parts).
    pub(crate) fn ccs_allowed(&self) -> bool {
        !self.core.handshake_complete
            && !self.core.tls12
            && self.joiner.at_message_boundary()
            && (self.core.side == Side::Client || self.hello_received)
    }

    /// Hand each complete handshake message to the current state. A message that can
    /// precede a key change must end its record, and a new receive key is installed only
    /// at a message boundary (RFC 8446 §5.1).
    pub(crate) fn handle_messages(&mut self) -> Result<(), Error> {
        loop {
            let buffered = self.joiner.buffered_len();
            let Some(raw) = self.joiner.next_message()? else {
                return Ok(());
            };
            // TLS 1.2 changes keys at ChangeCipherSpec, not after a message: a TLS 1.2
            // server sends its whole first flight in one record.
            let must_end = ends_record(raw.typ)
                && buffered > raw.encoded.len()
                && !self.core.tls12
                && !is_tls12_server_hello(&raw);
            if must_end {
                return Err(must_end_record());
            }
            let encrypted = self.core.records.decrypter.is_protected();
            self.core.event(Event::Received {
                message: raw.typ,
                encrypted,
            });
            let state = self.state.take().ok_or(Error::Internal("no state"))?;
            self.state = Some(state.handle(&mut self.core, raw)?);
            self.hello_received = true;
            if let Some(pending) = self.core.records.pending_recv_key.take() {
                let (aead, keys) = *pending;
                // Refused while the joiner holds the start of another message.
                self.core.records.decrypter.set_key_at_boundary(
                    &self.joiner,
                    aead,
                    &keys.key,
                    keys.iv,
                )?;
            }
        }
    }

    /// A TLS 1.2 ChangeCipherSpec: the state handles it, then its read key is installed
    /// (refused inside a fragmented handshake message, RFC 5246 §7.1).
    pub(crate) fn handle_change_cipher_spec(&mut self) -> Result<(), Error> {
        self.core.event(Event::ReceivedChangeCipherSpec);
        let state = self.state.take().ok_or(Error::Internal("no state"))?;
        self.state = Some(state.handle_change_cipher_spec(&mut self.core)?);
        let (aead, keys) = *(self.core.records.pending_recv_key12.take())
            .ok_or(Error::Internal("ChangeCipherSpec without a read key"))?;
        self.core.records.decrypter.set_key_tls12_at_boundary(
            &self.joiner,
            aead,
            &keys.key,
            keys.iv,
        )?;
        Ok(())
    }

    fn io_state(&self) -> IoState {
        IoState {
            tls_bytes_to_write: self.core.records.tls_out.len(),
            plaintext_bytes_to_read: self.plaintext_len(),
            peer_has_closed: self.core.close.peer_closed,
        }
    }

    /// Check the idle timeout and maximum session lifetime against the clock. An expired
    /// session queues close_notify and fails with [`Error::SessionExpired`].
    pub fn check_timeouts(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let now = self.common.clock().now();
        self.core
            .liveness
            .check_timeouts(now)
            .map_err(|e| self.fail(e))
    }

    /// Queue application data. Before the handshake completes it is buffered (and sent
    /// right after). Returns how much was taken: less than offered (possibly 0) when
    /// [`Limits::max_buffered_send`](crate::Limits) bytes are already waiting.
    pub fn send_plaintext(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.core.close.sent_close_notify {
            return Err(Error::NotReady(
                "close_notify was sent; nothing more can be written",
            ));
        }
        let now = self.common.clock().now();
        self.core
            .liveness
            .check_timeouts(now)
            .map_err(|e| self.fail(e))?;
        // Bounded buffering: take only what fits under the limit.
        let buffered = if self.core.handshake_complete {
            self.core.records.tls_out.len()
        } else {
            self.core.records.pending_out.len()
        };
        let room = self.core.limits.max_buffered_send.saturating_sub(buffered);
        let data = data.get(..data.len().min(room)).unwrap_or_default();
        if data.is_empty() {
            return Ok(0);
        }
        if !self.core.handshake_complete {
            self.core.records.pending_out.extend_from_slice(data);
            return Ok(data.len());
        }
        self.core.liveness.touch(now);
        self.core.send_app_data(data).map_err(|e| self.fail(e))?;
        Ok(data.len())
    }

    /// Take received application data into `out`; returns how many bytes were copied.
    pub fn read_plaintext(&mut self, out: &mut [u8]) -> usize {
        // Copy the deque's (at most two) contiguous runs with memcpy, then drop them.
        let (front, back) = self.core.records.plain_in.as_slices();
        let mut n = 0;
        for run in [front, back] {
            let Some(dst) = out.get_mut(n..) else { break };
            let take = dst.len().min(run.len());
            if let (Some(d), Some(s)) = (dst.get_mut(..take), run.get(..take)) {
                d.copy_from_slice(s);
            }
            n += take;
        }
        self.core.records.plain_in.drain(..n);
        // Then the newest record's plaintext, still in the deframer's buffer.
        if let Some(dst) = out.get_mut(n..) {
            let held = self.deframer.held();
            let take = dst.len().min(held.len());
            if let (Some(d), Some(s)) = (dst.get_mut(..take), held.get(..take)) {
                d.copy_from_slice(s);
            }
            self.deframer.take_held(take);
            n += take;
        }
        n
    }

    /// Send close_notify: we will send nothing more (RFC 8446 §6.1).
    pub fn send_close_notify(&mut self) {
        if self.core.close.sent_close_notify || self.error.is_some() {
            return;
        }
        if self
            .core
            .records
            .encrypter
            .write_close_notify(&mut self.core.records.tls_out)
            .is_ok()
        {
            self.core.event(Event::Alert {
                sent: true,
                description: AlertDescription::CloseNotify,
            });
        }
        self.core.close.sent_close_notify = true;
    }

    /// Send a KeyUpdate now, optionally asking the peer to update its keys too.
    pub fn refresh_traffic_keys(&mut self, request_peer: bool) -> Result<(), Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if !self.core.handshake_complete {
            return Err(Error::NotReady("KeyUpdate before the handshake completed"));
        }
        if self.core.tls12 {
            return Err(Error::NotReady("TLS 1.2 has no KeyUpdate"));
        }
        self.core
            .send_key_update(request_peer)
            .map_err(|e| self.fail(e))
    }

    /// RFC 8446 §7.5 exporter (RFC 5705 for a TLS 1.2 session): `out.len()` bytes for
    /// `label` and `context`.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        if let Some(e) = self.core.exporter12.as_ref() {
            return e.export(out, label, context);
        }
        let traffic = self
            .core
            .traffic
            .as_ref()
            .filter(|_| self.core.handshake_complete)
            .ok_or(Error::NotReady("exporters need a completed handshake"))?;
        traffic
            .schedule
            .exporter()
            .export(label, context.unwrap_or(&[]), out)
            .map_err(|_| Error::Config("exporter output too long"))
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        !self.core.handshake_complete
    }

    /// Whether there are TLS bytes to send.
    pub fn wants_write(&self) -> bool {
        !self.core.records.tls_out.is_empty()
    }

    /// Whether the connection wants TLS bytes from the peer.
    pub fn wants_read(&self) -> bool {
        self.error.is_none()
            && !self.core.close.peer_closed
            && !self.core.close.eof
            && self.plaintext_len() < self.core.limits.max_received_plaintext
    }

    /// What the handshake settled: nothing until it completes (the accessors below then
    /// answer None or empty).
    fn negotiated(&self) -> Option<&Negotiated> {
        self.core.negotiated.as_ref()
    }

    /// The negotiated protocol version (TLS 1.3 or TLS 1.2) once the handshake completed.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.negotiated().map(|n| n.version)
    }

    /// The negotiated cipher suite.
    pub fn negotiated_cipher_suite(&self) -> Option<SupportedCipherSuite> {
        self.negotiated().map(|n| n.suite)
    }

    /// The key-exchange group of this session (none for a resumed TLS 1.2 session: it
    /// had no key exchange of its own).
    pub fn negotiated_group(&self) -> Option<NamedGroup> {
        self.negotiated().and_then(|n| n.group)
    }

    /// The signature scheme of the server's CertificateVerify (none when resumed).
    pub fn signature_scheme(&self) -> Option<SignatureScheme> {
        self.negotiated().and_then(|n| n.scheme)
    }

    /// The ALPN protocol agreed on.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.negotiated().and_then(|n| n.alpn.as_deref())
    }

    /// The peer's certificate chain, end entity first (empty for an anonymous client;
    /// for a resumed session, the chain of the original session).
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        self.negotiated().map_or(&[], |n| &n.peer_certificates)
    }

    /// The peer's raw public key (RFC 7250; DER SubjectPublicKeyInfo) when it authenticated
    /// with one, once the handshake is done (for a resumed session, the original one's).
    /// `peer_certificates` then holds this key as its only entry.
    pub fn peer_raw_public_key(&self) -> Option<&[u8]> {
        let n = self.negotiated().filter(|_| self.core.rpk.peer_raw)?;
        n.peer_certificates.first().map(|c| c.as_ref())
    }

    /// How the handshake went, once it is done; `FullWithHelloRetryRequest` from the
    /// moment a HelloRetryRequest was sent or received.
    pub fn handshake_kind(&self) -> Option<HandshakeKind> {
        match self.negotiated() {
            Some(n) => Some(n.kind),
            None if self.core.hello_retry_request => Some(HandshakeKind::FullWithHelloRetryRequest),
            None => None,
        }
    }

    /// Whether the session was resumed (from a ticket; in TLS 1.2 also by session id).
    pub fn is_resumed(&self) -> bool {
        matches!(
            self.handshake_kind(),
            Some(HandshakeKind::Resumed | HandshakeKind::ResumedWithHelloRetryRequest)
        )
    }

    /// Whether the peer sent close_notify.
    pub fn peer_has_closed(&self) -> bool {
        self.core.close.peer_closed
    }

    /// The first error, if the connection has failed.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// How many KeyUpdates have changed each direction's key: (ours, the peer's).
    pub fn key_generations(&self) -> (u64, u64) {
        match (&self.core.traffic, self.core.side) {
            (Some(t), Side::Client) => (
                t.schedule.client_generation(),
                t.schedule.server_generation(),
            ),
            (Some(t), Side::Server) => (
                t.schedule.server_generation(),
                t.schedule.client_generation(),
            ),
            (None, _) => (0, 0),
        }
    }

    /// Unread end of file: the transport closed; was it after close_notify?
    #[cfg(feature = "std")]
    pub(crate) fn eof_state(&self) -> (bool, bool) {
        (self.core.close.eof, self.core.close.peer_closed)
    }
}

#[cfg(feature = "std")]
mod io {
    use super::ConnectionCommon;
    use std::io;

    impl ConnectionCommon {
        /// Read TLS bytes from `rd` (one read call). Returns the count, 0 at end of file.
        pub fn read_tls(&mut self, rd: &mut dyn io::Read) -> io::Result<usize> {
            if self.core.close.peer_closed {
                // RFC 8446 §6.1: whatever follows close_notify is read and ignored.
                let mut discard = [0u8; 1024];
                let n = rd.read(&mut discard)?;
                if n == 0 {
                    self.core.close.eof = true;
                }
                return Ok(n);
            }
            // Straight into the deframer's buffer: no intermediate copy (the held
            // plaintext, if the reader has not taken it, moves to the queue first).
            self.spill_held();
            let space = self.deframer.unfilled();
            if space.is_empty() {
                return Err(io::Error::other(
                    "TLS receive buffer full: call process_new_packets",
                ));
            }
            let n = rd.read(space)?.min(space.len());
            if n == 0 {
                self.core.close.eof = true;
                return Ok(0);
            }
            self.deframer.commit(n);
            Ok(n)
        }

        /// Write pending TLS bytes to `wr` (one write call). Returns the count.
        pub fn write_tls(&mut self, wr: &mut dyn io::Write) -> io::Result<usize> {
            if self.core.records.tls_out.is_empty() {
                return Ok(0);
            }
            let n = wr.write(self.core.records.tls_out.pending())?;
            self.consume_tls(n);
            Ok(n)
        }

        /// Plaintext received from the peer.
        pub fn reader(&mut self) -> Reader<'_> {
            Reader { conn: self }
        }

        /// Plaintext to send to the peer.
        pub fn writer(&mut self) -> Writer<'_> {
            Writer { conn: self }
        }
    }

    /// `std::io::Read` over received plaintext. `WouldBlock` when nothing is buffered yet;
    /// `Ok(0)` after the peer's close_notify; `UnexpectedEof` if the transport ended
    /// without close_notify (a truncation attack or a crashed peer).
    pub struct Reader<'a> {
        conn: &'a mut ConnectionCommon,
    }

    impl io::Read for Reader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.conn.read_plaintext(buf);
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            let (eof, closed) = self.conn.eof_state();
            if closed {
                Ok(0)
            } else if eof {
                Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "peer closed the connection without close_notify (possible truncation)",
                ))
            } else if let Some(e) = self.conn.error() {
                Err(io::Error::other(e.clone()))
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        }
    }

    /// `std::io::Write` that queues plaintext for the peer.
    pub struct Writer<'a> {
        conn: &'a mut ConnectionCommon,
    }

    impl io::Write for Writer<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.conn.send_plaintext(buf).map_err(io::Error::other)? {
                0 if !buf.is_empty() => Err(io::ErrorKind::WouldBlock.into()),
                n => Ok(n),
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(feature = "std")]
pub use io::{Reader, Writer};

/// The side-specific connection types: a `ConnectionCommon` with a name.
macro_rules! connection_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        pub struct $name {
            inner: crate::conn::ConnectionCommon,
        }

        impl core::ops::Deref for $name {
            type Target = crate::conn::ConnectionCommon;
            fn deref(&self) -> &crate::conn::ConnectionCommon {
                &self.inner
            }
        }

        impl core::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut crate::conn::ConnectionCommon {
                &mut self.inner
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("handshaking", &self.is_handshaking())
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use connection_type;
