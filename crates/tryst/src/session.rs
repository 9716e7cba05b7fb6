//! Client-side ticket storage for resumption (RFC 8446 §4.6.1, §2.2; TLS 1.2: RFC 5077
//! tickets and RFC 5246 session ids).

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName};
use tryst_crypto::Secret;
use tryst_crypto::zeroize::Zeroizing;
use tryst_messages::{CipherSuite, Reader, Writer};

/// A ticket the client received, with the PSK it stands for. Each is used at most once.
pub struct Tls13Ticket {
    pub(crate) suite: CipherSuite,
    pub(crate) ticket: Vec<u8>,
    pub(crate) psk: Secret,
    pub(crate) age_add: u32,
    pub(crate) lifetime_secs: u32,
    pub(crate) received_at_ms: u64,
    pub(crate) peer_certificates: Vec<CertificateDer<'static>>,
    /// The verifier that accepted `peer_certificates`: a config with another verifier
    /// checks them again before it offers the ticket, so a session accepted under a lax
    /// verifier is never reported as authenticated under a strict one.
    pub(crate) verified_by: alloc::sync::Arc<dyn crate::verify::ServerCertVerifier>,
    /// The server's max_early_data_size for this ticket (0: no 0-RTT).
    pub(crate) max_early_data: u32,
    /// The ALPN protocol of the session: an accepted 0-RTT must have the same
    /// (RFC 8446 §4.2.10).
    pub(crate) alpn: Option<Vec<u8>>,
}

impl core::fmt::Debug for Tls13Ticket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls13Ticket")
            .field("suite", &self.suite)
            .field("lifetime_secs", &self.lifetime_secs)
            .field("max_early_data", &self.max_early_data)
            .finish_non_exhaustive()
    }
}

impl Tls13Ticket {
    /// Whether the ticket is still within its lifetime at `now_ms`.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        let age = now_ms.saturating_sub(self.received_at_ms);
        age < u64::from(self.lifetime_secs).saturating_mul(1000)
    }

    /// The cipher suite of the session the ticket resumes.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// How many bytes of 0-RTT data the server accepts with this ticket (0: none).
    pub fn max_early_data_size(&self) -> u32 {
        self.max_early_data
    }

    /// The ticket as bytes, to keep it across runs (`tryst client --session`). They hold
    /// the resumption PSK: store them like a private key (readable by the owner only).
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, crate::Error> {
        let mut w = Writer::new();
        w.u8(TICKET_FILE_VERSION);
        w.u16(self.suite.to_raw());
        w.u16_prefixed("ticket", |w| w.bytes(&self.ticket));
        w.u8_prefixed("ticket.psk", |w| w.bytes(self.psk.expose_secret()));
        w.u32(self.age_add);
        w.u32(self.lifetime_secs);
        w.u32(u32::try_from(self.received_at_ms >> 32).unwrap_or(0));
        w.u32(u32::try_from(self.received_at_ms & 0xffff_ffff).unwrap_or(0));
        w.u32(self.max_early_data);
        w.u24_prefixed("ticket.certs", |w| {
            for c in &self.peer_certificates {
                w.u24_prefixed("ticket.cert", |w| w.bytes(c.as_ref()));
            }
        });
        w.u8_prefixed("ticket.alpn", |w| {
            w.bytes(self.alpn.as_deref().unwrap_or_default())
        });
        Ok(Zeroizing::new(w.finish()?))
    }

    /// A ticket from [`to_bytes`](Self::to_bytes). Its server certificates were checked by
    /// the program that saved it: a config checks them again with its own verifier before
    /// it offers the ticket.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        let parsed = Reader::read_all(bytes, "saved ticket", |r| {
            if r.u8("ticket.version")? != TICKET_FILE_VERSION {
                return Err(tryst_messages::Error::new(
                    "ticket.version",
                    tryst_messages::ErrorKind::IllegalValue,
                ));
            }
            let suite = CipherSuite::from_raw(r.u16("ticket.suite")?);
            let ticket = r.bytes_u16("ticket", 1, 0xffff)?.to_vec();
            let psk = Secret::from_slice(r.bytes_u8("ticket.psk", 1, 64)?).map_err(|_| {
                tryst_messages::Error::new("ticket.psk", tryst_messages::ErrorKind::IllegalValue)
            })?;
            let (age_add, lifetime_secs) = (r.u32("ticket.age_add")?, r.u32("ticket.lifetime")?);
            let hi = u64::from(r.u32("ticket.received")?);
            let lo = u64::from(r.u32("ticket.received")?);
            let max_early_data = r.u32("ticket.max_early_data")?;
            let certs = r.sub_u24("ticket.certs", 0, 0xff_ffff, |r| {
                r.list(|r| {
                    Ok(CertificateDer::from(
                        r.bytes_u24("ticket.cert", 1, 0xff_ffff)?.to_vec(),
                    ))
                })
            })?;
            let alpn = r.bytes_u8("ticket.alpn", 0, 255)?;
            Ok(Tls13Ticket {
                suite,
                ticket,
                psk,
                age_add,
                lifetime_secs,
                received_at_ms: (hi << 32) | lo,
                peer_certificates: certs,
                verified_by: alloc::sync::Arc::new(crate::psk::NoCertificates),
                max_early_data,
                alpn: (!alpn.is_empty()).then(|| alpn.to_vec()),
            })
        });
        parsed.map_err(crate::Error::InvalidMessage)
    }
}

/// A TLS 1.2 session the client can resume: by its RFC 5077 ticket, or (when the server
/// gave no ticket but a session id) by that id (RFC 5246 §7.3). Each is used at most once.
pub struct Tls12Session {
    pub(crate) suite: CipherSuite,
    /// The server's session id (empty when it gave none).
    pub(crate) session_id: Vec<u8>,
    /// The RFC 5077 ticket (empty when the server issued none).
    pub(crate) ticket: Vec<u8>,
    pub(crate) master: Secret,
    /// The session used the extended master secret (RFC 7627 §5.3 binds resumption to it).
    pub(crate) ems: bool,
    pub(crate) lifetime_secs: u32,
    pub(crate) received_at_ms: u64,
    pub(crate) peer_certificates: Vec<CertificateDer<'static>>,
    /// The verifier that accepted `peer_certificates` (see [`Tls13Ticket`]).
    pub(crate) verified_by: alloc::sync::Arc<dyn crate::verify::ServerCertVerifier>,
}

impl core::fmt::Debug for Tls12Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls12Session")
            .field("suite", &self.suite)
            .field("has_ticket", &!self.ticket.is_empty())
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl Tls12Session {
    /// Whether the session is still within its lifetime at `now_ms`.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        let age = now_ms.saturating_sub(self.received_at_ms);
        age < u64::from(self.lifetime_secs).saturating_mul(1000)
    }

    /// The cipher suite of the session.
    pub fn suite(&self) -> CipherSuite {
        self.suite
    }

    /// Whether the server issued a ticket for it (else it is resumed by session id).
    pub fn has_ticket(&self) -> bool {
        !self.ticket.is_empty()
    }
}
/// The format of [`Tls13Ticket::to_bytes`].
const TICKET_FILE_VERSION: u8 = 1;

/// Where a client keeps tickets between connections, per server name.
pub trait ClientSessionStore: Send + Sync {
    /// Keep `ticket` for `server_name`.
    fn insert(&self, server_name: &ServerName<'static>, ticket: Tls13Ticket);
    /// Remove and return a ticket for `server_name` (each ticket is used once).
    fn take(&self, server_name: &ServerName<'static>) -> Option<Tls13Ticket>;
    /// Keep a TLS 1.2 session for `server_name` (the default keeps nothing).
    fn insert_tls12(&self, server_name: &ServerName<'static>, session: Tls12Session) {
        let _ = (server_name, session);
    }
    /// Remove and return the TLS 1.2 session for `server_name` (the default has none).
    fn take_tls12(&self, server_name: &ServerName<'static>) -> Option<Tls12Session> {
        let _ = server_name;
        None
    }
}

/// An in-memory [`ClientSessionStore`]: a few tickets per server, oldest servers evicted.
#[cfg(feature = "std")]
pub struct InMemorySessionStore {
    inner: std::sync::Mutex<std::collections::VecDeque<(ServerName<'static>, Vec<Tls13Ticket>)>>,
    /// One TLS 1.2 session per server, oldest servers evicted.
    tls12: std::sync::Mutex<std::collections::VecDeque<(ServerName<'static>, Tls12Session)>>,
    max_servers: usize,
}

/// Tickets kept per server; servers typically send two per connection.
#[cfg(feature = "std")]
const TICKETS_PER_SERVER: usize = 8;

#[cfg(feature = "std")]
impl InMemorySessionStore {
    /// A store for up to `max_servers` servers.
    pub fn new(max_servers: usize) -> Self {
        InMemorySessionStore {
            inner: std::sync::Mutex::new(std::collections::VecDeque::new()),
            tls12: std::sync::Mutex::new(std::collections::VecDeque::new()),
            max_servers: max_servers.max(1),
        }
    }

    /// How many tickets are stored for `server_name`.
    pub fn count(&self, server_name: &ServerName<'static>) -> usize {
        self.inner.lock().map_or(0, |g| {
            g.iter()
                .find(|(n, _)| n == server_name)
                .map_or(0, |(_, t)| t.len())
        })
    }
}

#[cfg(feature = "std")]
impl core::fmt::Debug for InMemorySessionStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("InMemorySessionStore(..)")
    }
}

#[cfg(feature = "std")]
impl ClientSessionStore for InMemorySessionStore {
    fn insert(&self, server_name: &ServerName<'static>, ticket: Tls13Ticket) {
        let Ok(mut g) = self.inner.lock() else { return };
        if let Some((_, list)) = g.iter_mut().find(|(n, _)| n == server_name) {
            if list.len() >= TICKETS_PER_SERVER {
                list.remove(0);
            }
            list.push(ticket);
            return;
        }
        if g.len() >= self.max_servers {
            g.pop_front();
        }
        g.push_back((server_name.clone(), alloc::vec![ticket]));
    }

    fn take(&self, server_name: &ServerName<'static>) -> Option<Tls13Ticket> {
        let mut g = self.inner.lock().ok()?;
        let (_, list) = g.iter_mut().find(|(n, _)| n == server_name)?;
        // Newest first: it has the longest life left.
        list.pop()
    }

    fn insert_tls12(&self, server_name: &ServerName<'static>, session: Tls12Session) {
        let Ok(mut g) = self.tls12.lock() else { return };
        g.retain(|(n, _)| n != server_name);
        if g.len() >= self.max_servers {
            g.pop_front();
        }
        g.push_back((server_name.clone(), session));
    }

    fn take_tls12(&self, server_name: &ServerName<'static>) -> Option<Tls12Session> {
        let mut g = self.tls12.lock().ok()?;
        let pos = g.iter().position(|(n, _)| n == server_name)?;
        g.remove(pos).map(|(_, s)| s)
    }
}

/// Server-side storage of resumable sessions (stateful tickets, RFC 8446 §4.6.1). With a
/// store, a server's NewSessionTicket carries only a random 32-byte name; the session,
/// still sealed with the config's `TicketKeys` (so the store never holds a usable PSK), is
/// kept in the store under that name and taken out when a client resumes it: every ticket
/// resumes at most once, and a fleet sharing the store (and the ticket keys) resumes each
/// other's sessions. `tryst-redis` has a Redis implementation.
pub trait ServerSessionStore: Send + Sync {
    /// Keep `value` under `key` until `expires_at` (times since the Unix epoch). False if
    /// it could not (then no ticket is sent).
    fn put(
        &self,
        key: &[u8; 32],
        value: &[u8],
        now: core::time::Duration,
        expires_at: core::time::Duration,
    ) -> bool;
    /// Remove and return the value under `key`, if it is there and has not expired.
    fn take(&self, key: &[u8; 32], now: core::time::Duration) -> Option<Zeroizing<Vec<u8>>>;
}

/// The sessions kept with a session name and an expiry.
#[cfg(feature = "std")]
type StoredSessions = std::collections::HashMap<[u8; 32], (core::time::Duration, Vec<u8>)>;

/// An in-memory [`ServerSessionStore`] for one process: at most `capacity` live sessions
/// (when full of live ones, no new ticket is issued until some expire or are used).
#[cfg(feature = "std")]
pub struct InMemoryServerSessionStore {
    sessions: std::sync::Mutex<StoredSessions>,
    capacity: usize,
}

#[cfg(feature = "std")]
impl InMemoryServerSessionStore {
    /// A store for at most `capacity` live sessions.
    pub fn new(capacity: usize) -> Self {
        InMemoryServerSessionStore {
            sessions: std::sync::Mutex::new(std::collections::HashMap::new()),
            capacity: capacity.max(1),
        }
    }
}

#[cfg(feature = "std")]
impl core::fmt::Debug for InMemoryServerSessionStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InMemoryServerSessionStore")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
impl ServerSessionStore for InMemoryServerSessionStore {
    fn put(
        &self,
        key: &[u8; 32],
        value: &[u8],
        now: core::time::Duration,
        expires_at: core::time::Duration,
    ) -> bool {
        let Ok(mut s) = self.sessions.lock() else {
            return false;
        };
        if s.len() >= self.capacity {
            s.retain(|_, (until, _)| *until > now);
            if s.len() >= self.capacity {
                return false;
            }
        }
        s.insert(*key, (expires_at, value.to_vec()));
        true
    }

    fn take(&self, key: &[u8; 32], now: core::time::Duration) -> Option<Zeroizing<Vec<u8>>> {
        let (until, value) = self.sessions.lock().ok()?.remove(key)?;
        (until > now).then(|| Zeroizing::new(value))
    }
}
