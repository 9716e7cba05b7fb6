//! 0-RTT early data (RFC 8446 §2.3, §4.2.10, §8): the server's settings and replay
//! protection, and the per-connection state of early data on either side.
//!
//! A server accepts early data only when every one of these holds: 0-RTT is on in its
//! config; the ClientHello resumes a ticket (not an external PSK) as its first identity and
//! that ticket was issued with `max_early_data_size` > 0; no HelloRetryRequest happened;
//! the ticket fits this connection (same suite, ALPN and SNI: `ticket_fits`); the client's
//! view of the ticket's age is within the freshness window of ours (§8.3); and the
//! anti-replay store records this ticket's first use (§8.1: single-use tickets). Anything
//! else rejects the early data: the handshake goes on as 1-RTT and the early records are
//! skipped within the budget.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use tryst_messages::{AlertDescription, ContentType};
use tryst_record::RecordEncrypter;

use crate::Error;
use crate::psk::ExternalPsk;

/// The largest `max_early_data_size` a server may announce: early data is buffered until
/// the application reads it, so it must stay small.
pub const MAX_EARLY_DATA_SIZE: u32 = 1 << 20;

/// The default freshness window on the ticket age (RFC 8446 §8.3).
pub const DEFAULT_EARLY_DATA_WINDOW: Duration = Duration::from_secs(10);

/// What an anti-replay store answers for a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First use: the early data may be accepted.
    Fresh,
    /// Claimed before: a replay (or a second use of a ticket); reject the early data.
    Replayed,
    /// The store cannot answer (unreachable, full): reject the early data.
    Unavailable,
}

/// Records single-use claims of 0-RTT tickets (RFC 8446 §8.1). Every server that accepts
/// the same tickets must share one store, or a ticket's early data can be accepted once per
/// server.
///
/// `claim` must be atomic: of two concurrent claims of one key, exactly one is
/// [`Claim::Fresh`]. A store that cannot be sure answers [`Claim::Unavailable`]: 0-RTT is
/// then refused, never accepted.
pub trait AntiReplay: Send + Sync {
    /// Claim `key` (a hash of the ticket) at `now`, remembering it until `expires_at`
    /// (times since the Unix epoch); after that the ticket itself is refused.
    fn claim(&self, key: &[u8; 32], now: Duration, expires_at: Duration) -> Claim;
}

/// An in-memory [`AntiReplay`] for one process: at most `capacity` claims; expired claims
/// are dropped when it fills, and when it is full of live claims it answers
/// [`Claim::Unavailable`] (0-RTT refused) rather than forget one.
#[cfg(feature = "std")]
pub struct InMemoryAntiReplay {
    claims: std::sync::Mutex<std::collections::HashMap<[u8; 32], Duration>>,
    capacity: usize,
}

#[cfg(feature = "std")]
impl InMemoryAntiReplay {
    /// The capacity of the default store.
    pub const DEFAULT_CAPACITY: usize = 65_536;

    /// A store for at most `capacity` live claims.
    pub fn new(capacity: usize) -> Self {
        InMemoryAntiReplay {
            claims: std::sync::Mutex::new(std::collections::HashMap::new()),
            capacity: capacity.max(1),
        }
    }
}

#[cfg(feature = "std")]
impl core::fmt::Debug for InMemoryAntiReplay {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InMemoryAntiReplay")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl AntiReplay for InMemoryAntiReplay {
    fn claim(&self, key: &[u8; 32], now: Duration, expires_at: Duration) -> Claim {
        let Ok(mut claims) = self.claims.lock() else {
            return Claim::Unavailable;
        };
        if let Some(until) = claims.get(key)
            && *until > now
        {
            return Claim::Replayed;
        }
        if claims.len() >= self.capacity {
            claims.retain(|_, until| *until > now);
            if claims.len() >= self.capacity {
                return Claim::Unavailable;
            }
        }
        claims.insert(*key, expires_at);
        Claim::Fresh
    }
}

/// A server's 0-RTT settings.
#[derive(Clone)]
pub(crate) struct ServerEarlyData {
    pub(crate) max_early_data_size: u32,
    pub(crate) anti_replay: Option<Arc<dyn AntiReplay>>,
    pub(crate) window: Duration,
}

impl Default for ServerEarlyData {
    fn default() -> Self {
        ServerEarlyData {
            max_early_data_size: 0,
            anti_replay: None,
            window: DEFAULT_EARLY_DATA_WINDOW,
        }
    }
}

impl ServerEarlyData {
    /// With 0-RTT on and no store given, the in-memory one (under `std`; without it 0-RTT
    /// stays refused until a store is set).
    pub(crate) fn finish(&mut self) {
        #[cfg(feature = "std")]
        if self.max_early_data_size > 0 && self.anti_replay.is_none() {
            self.anti_replay = Some(Arc::new(InMemoryAntiReplay::new(
                InMemoryAntiReplay::DEFAULT_CAPACITY,
            )));
        }
    }

    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.max_early_data_size > MAX_EARLY_DATA_SIZE {
            return Err(Error::Config("max_early_data_size over 1 MiB"));
        }
        Ok(())
    }
}

/// A server needs a certificate or at least one external PSK, and PSK identities must be
/// unique.
pub(crate) fn check_server_psks(has_cert: bool, psks: &[Arc<ExternalPsk>]) -> Result<(), Error> {
    if !has_cert && psks.is_empty() {
        return Err(Error::Config(
            "a server without a certificate needs an external PSK",
        ));
    }
    for (i, p) in psks.iter().enumerate() {
        if psks
            .iter()
            .skip(i.saturating_add(1))
            .any(|q| q.identity() == p.identity())
        {
            return Err(Error::Config("two external PSKs with the same identity"));
        }
    }
    Ok(())
}

/// What became of 0-RTT on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EarlyDataStatus {
    /// The client did not offer early data (or has not yet: nothing was decided).
    NotOffered,
    /// Offered, and the server has not answered yet (client side, before EncryptedExtensions).
    Pending,
    /// Accepted: the early data is part of this connection.
    Accepted,
    /// Rejected: the early data was dropped by the server; a client should send it again
    /// as ordinary data if it still wants to.
    Rejected(EarlyDataRejection),
}

/// Why a server rejected early data (on a client, only `ByServer` or `HelloRetryRequest`
/// is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EarlyDataRejection {
    /// The server's config does not accept 0-RTT.
    Disabled,
    /// The connection does not resume a ticket that allows 0-RTT as its first PSK.
    NotResumable,
    /// The server asked for another ClientHello.
    HelloRetryRequest,
    /// The client's ticket age is outside the freshness window (RFC 8446 §8.3).
    OutsideWindow,
    /// The anti-replay store has seen this ticket before.
    Replayed,
    /// The anti-replay store could not answer.
    StoreUnavailable,
    /// The server did not accept it (what a client sees).
    ByServer,
}

/// The early-data state of a connection.
pub(crate) enum EarlyState {
    /// Nothing offered (or not yet decided).
    None,
    /// Server: accepted, receiving until EndOfEarlyData; `left` bytes may still come.
    Receiving { left: u32 },
    /// Client: offered; the early records go out under their own key and sequence numbers.
    Sending(Box<ClientEarly>),
    /// Decided.
    Done(EarlyDataStatus),
}

/// A client's 0-RTT: the encrypter under client_early_traffic_secret and what was sent.
pub(crate) struct ClientEarly {
    pub(crate) encrypter: RecordEncrypter,
    pub(crate) max: u32,
    /// The ALPN protocol of the ticket's session.
    pub(crate) alpn: Option<Vec<u8>>,
    pub(crate) sent: Vec<u8>,
    /// ServerHello arrived: no more early data may be written.
    pub(crate) closed: bool,
    /// Accepted or rejected, once known.
    pub(crate) outcome: Option<EarlyDataStatus>,
}

impl EarlyState {
    pub(crate) fn status(&self) -> EarlyDataStatus {
        match self {
            EarlyState::None => EarlyDataStatus::NotOffered,
            EarlyState::Receiving { .. } => EarlyDataStatus::Accepted,
            EarlyState::Sending(c) => c.outcome.unwrap_or(EarlyDataStatus::Pending),
            EarlyState::Done(s) => *s,
        }
    }

    /// Whether application data now is early data (server, accepted, before EndOfEarlyData).
    pub(crate) fn receiving(&self) -> bool {
        matches!(self, EarlyState::Receiving { .. })
    }

    /// Early data arrived (server): over `max_early_data_size` is unexpected_message
    /// (RFC 8446 §4.2.10).
    pub(crate) fn receive(&mut self, data: &[u8]) -> Result<(), Error> {
        let EarlyState::Receiving { left } = self else {
            return Err(Error::unexpected("early data when none was accepted"));
        };
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        if len > *left {
            return Err(Error::misbehaved(
                AlertDescription::UnexpectedMessage,
                "early data beyond max_early_data_size (RFC 8446 §4.2.10)",
            ));
        }
        *left = left.saturating_sub(len);
        Ok(())
    }

    /// Client: the early data sent, if the server rejected it (once).
    pub(crate) fn take_rejected(&mut self) -> Vec<u8> {
        match self {
            EarlyState::Sending(c) if matches!(c.outcome, Some(EarlyDataStatus::Rejected(_))) => {
                core::mem::take(&mut c.sent)
            }
            _ => Vec::new(),
        }
    }

    /// Client: how many more bytes of early data may be written now.
    pub(crate) fn writable(&self) -> usize {
        match self {
            EarlyState::Sending(c) if !c.closed => usize::try_from(c.max)
                .unwrap_or(usize::MAX)
                .saturating_sub(c.sent.len()),
            _ => 0,
        }
    }

    /// Client: encrypt `data` (at most `writable()` of it) as early data into `out`.
    pub(crate) fn write(
        &mut self,
        data: &[u8],
        out: &mut tryst_record::SendBuffer,
    ) -> Result<usize, Error> {
        let n = data.len().min(self.writable());
        let (EarlyState::Sending(c), Some(chunk)) = (self, data.get(..n)) else {
            return Ok(0);
        };
        if n == 0 {
            return Ok(0);
        }
        c.encrypter
            .write(ContentType::ApplicationData, chunk, out)?;
        c.sent.extend_from_slice(chunk);
        Ok(n)
    }
}

/// The anti-replay key of a ticket: a hash of its bytes (fixed size whatever the ticket).
pub(crate) fn replay_key(ticket: &[u8]) -> [u8; 32] {
    let mut h = tryst_crypto::SHA256.start();
    h.update(b"tryst 0-RTT ticket\0");
    h.update(ticket);
    let out = h.finish();
    let mut key = [0u8; 32];
    for (d, s) in key.iter_mut().zip(out.as_bytes()) {
        *d = *s;
    }
    key
}

/// The server's decision on offered early data (see the module docs for the rules, in the
/// order checked). Returns the budget in bytes when accepted.
pub(crate) fn server_decide(
    config: &crate::config::ServerConfig,
    psk: Option<&crate::tls13::resumption::Resumption>,
    hello_retry: bool,
) -> Result<u32, EarlyDataRejection> {
    let settings = &config.early;
    if settings.max_early_data_size == 0 {
        return Err(EarlyDataRejection::Disabled);
    }
    if hello_retry {
        return Err(EarlyDataRejection::HelloRetryRequest);
    }
    // RFC 8446 §4.2.10: only with the first PSK offered; never with an external PSK here.
    let r = psk
        .filter(|r| r.index == 0 && r.external.is_none() && r.state.max_early_data > 0)
        .ok_or(EarlyDataRejection::NotResumable)?;
    let now = config.common.clock().now();
    // §8.3: the client's view of the ticket's age against ours.
    let client_age = u64::from(r.obfuscated_age.wrapping_sub(r.state.age_add));
    let server_age = crate::time::millis(now).saturating_sub(r.state.issued_ms);
    if client_age.abs_diff(server_age) > crate::time::millis(settings.window) {
        return Err(EarlyDataRejection::OutsideWindow);
    }
    let store = settings
        .anti_replay
        .as_ref()
        .ok_or(EarlyDataRejection::StoreUnavailable)?;
    let expires = Duration::from_millis(r.state.issued_ms)
        .saturating_add(Duration::from_secs(u64::from(r.state.lifetime_secs)));
    match store.claim(&r.replay_key, now, expires) {
        Claim::Fresh => Ok(r.state.max_early_data.min(settings.max_early_data_size)),
        Claim::Replayed => Err(EarlyDataRejection::Replayed),
        Claim::Unavailable => Err(EarlyDataRejection::StoreUnavailable),
    }
}

/// The client offered early data (server): decide, record the outcome on the connection,
/// and return client_early_traffic_secret (over the ClientHello, `ch_hash`) when accepted.
pub(crate) fn server_offered(
    config: &crate::config::ServerConfig,
    core: &mut crate::conn::Core,
    (psk, hello_retry): (Option<&crate::tls13::resumption::Resumption>, bool),
    schedule: &tryst_keyschedule::EarlySchedule,
    ch_hash: tryst_crypto::Output,
) -> Result<Option<tryst_crypto::Secret>, Error> {
    match server_decide(config, psk, hello_retry) {
        Ok(budget) => {
            let secret = schedule.client_early_traffic_secret(&ch_hash)?;
            core.event(crate::Event::SecretDerived("CLIENT_EARLY_TRAFFIC_SECRET"));
            core.early = EarlyState::Receiving { left: budget };
            Ok(Some(secret))
        }
        Err(why) => {
            core.early = EarlyState::Done(EarlyDataStatus::Rejected(why));
            Ok(None)
        }
    }
}

/// Early data was offered in a ClientHello answered with a HelloRetryRequest (server).
pub(crate) fn rejected_by_hello_retry(core: &mut crate::conn::Core) {
    core.early = EarlyState::Done(EarlyDataStatus::Rejected(
        EarlyDataRejection::HelloRetryRequest,
    ));
}

/// EndOfEarlyData arrived (server): no more early data; what was received stays readable.
pub(crate) fn end_of_early_data(core: &mut crate::conn::Core) {
    core.early = EarlyState::Done(EarlyDataStatus::Accepted);
    core.records.decrypter.set_application_data_allowed(false);
}

/// The client offered early data in its first ClientHello (`hello`): the middlebox
/// change_cipher_spec goes right after it (RFC 8446 §D.4), then early records under
/// client_early_traffic_secret, with their own encrypter.
pub(crate) fn client_start(
    core: &mut crate::conn::Core,
    schedule: &tryst_keyschedule::EarlySchedule,
    suite: &crate::suites::SupportedCipherSuite,
    ticket: &crate::session::Tls13Ticket,
    hello: &[u8],
    middlebox_compat: bool,
) -> Result<(), Error> {
    if middlebox_compat {
        core.send_ccs()?;
    }
    let secret = schedule.client_early_traffic_secret(&suite.hash.hash(hello))?;
    core.event(crate::Event::SecretDerived("CLIENT_EARLY_TRAFFIC_SECRET"));
    let keys = tryst_keyschedule::TrafficKeys::derive(suite.hash, &secret, suite.aead.key_len())
        .map_err(|_| Error::Internal("early traffic key derivation"))?;
    let mut encrypter = RecordEncrypter::new();
    encrypter.set_key(suite.aead, &keys.key, keys.iv)?;
    core.early = EarlyState::Sending(Box::new(ClientEarly {
        encrypter,
        max: ticket.max_early_data,
        alpn: ticket.alpn.clone(),
        sent: Vec::new(),
        closed: false,
        outcome: None,
    }));
    Ok(())
}

/// A HelloRetryRequest came (client): the early data is rejected.
pub(crate) fn client_rejected_by_hello_retry(core: &mut crate::conn::Core) {
    if let EarlyState::Sending(c) = &mut core.early {
        c.closed = true;
        c.outcome = Some(EarlyDataStatus::Rejected(
            EarlyDataRejection::HelloRetryRequest,
        ));
    }
}

/// ServerHello came (client): no more early data may be written. `same_suite`: the server
/// resumed our ticket with its suite (the only case in which it may accept).
pub(crate) fn client_server_hello(core: &mut crate::conn::Core, same_suite: bool) {
    if let EarlyState::Sending(c) = &mut core.early {
        c.closed = true;
        if !same_suite {
            c.outcome = Some(EarlyDataStatus::Rejected(EarlyDataRejection::ByServer));
        }
    }
}

/// EncryptedExtensions came (client): `accepted` is its early_data, `alpn` the protocol
/// it selected. The server may accept only what we offered, and only when it resumed our
/// ticket with the ticket's suite and ALPN protocol (RFC 8446 §4.2.10: illegal_parameter
/// otherwise).
pub(crate) fn client_encrypted_extensions(
    core: &mut crate::conn::Core,
    accepted: bool,
    alpn: Option<&[u8]>,
) -> Result<(), Error> {
    let EarlyState::Sending(c) = &mut core.early else {
        return Ok(());
    };
    if accepted && c.alpn.as_deref() != alpn {
        return Err(Error::illegal(
            "server accepted early data with an ALPN protocol other than the ticket's",
        ));
    }
    match (accepted, c.outcome) {
        (true, Some(_)) => Err(Error::illegal(
            "server accepted early data without resuming our ticket with its suite",
        )),
        (true, None) => {
            c.outcome = Some(EarlyDataStatus::Accepted);
            // Delivered: the copy kept for a resend is not needed.
            c.sent = Vec::new();
            Ok(())
        }
        (false, _) => {
            c.outcome
                .get_or_insert(EarlyDataStatus::Rejected(EarlyDataRejection::ByServer));
            Ok(())
        }
    }
}

/// Before our second flight (client): EndOfEarlyData under the early key when the server
/// accepted early data (RFC 8446 §4.5).
pub(crate) fn client_end_of_early_data(
    core: &mut crate::conn::Core,
    transcript: &mut tryst_keyschedule::Transcript,
) -> Result<(), Error> {
    let EarlyState::Sending(c) = &mut core.early else {
        return Ok(());
    };
    if c.outcome != Some(EarlyDataStatus::Accepted) {
        return Ok(());
    }
    let msg = tryst_messages::HandshakeMessage::EndOfEarlyData(tryst_messages::EndOfEarlyData);
    let bytes = tryst_messages::Codec::to_bytes(&msg)?;
    c.encrypter
        .write(ContentType::Handshake, &bytes, &mut core.records.tls_out)?;
    transcript.add(&bytes)?;
    core.event(crate::Event::Sent {
        message: tryst_messages::HandshakeType::EndOfEarlyData,
        encrypted: true,
    });
    Ok(())
}
