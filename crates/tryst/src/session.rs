//! Client-side ticket storage for resumption (RFC 8446 §4.6.1, §2.2; TLS 1.2: RFC 5077
//! tickets and RFC 5246 session ids).

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName};
use tryst_crypto::Secret;
use tryst_messages::CipherSuite;

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
}

impl core::fmt::Debug for Tls13Ticket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls13Ticket")
            .field("suite", &self.suite)
            .field("lifetime_secs", &self.lifetime_secs)
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
