//! Fleet-wide state for tryst servers, kept in Redis.
//!
//! [`RedisAntiReplay`] is a [`tryst::early::AntiReplay`] store: every server of a fleet
//! that shares ticket keys also shares one Redis, and a 0-RTT ticket's first use is claimed
//! there atomically (`SET key 1 NX PX ttl`), so its early data is accepted once across the
//! fleet, not once per server (RFC 8446 §8.1). Keys are a fixed-size hash of the ticket
//! under a short prefix, so a client cannot make them large, and they expire when the
//! ticket does, so Redis holds no more than the tickets still alive.
//!
//! When Redis cannot answer (down, unreachable, slow past the timeout, an unexpected
//! reply), the claim is [`Claim::Unavailable`]: the server refuses the early data and the
//! handshake goes on as 1-RTT. 0-RTT is never accepted without a successful claim. The last
//! failure is kept for logging ([`RedisAntiReplay::last_error`]).
//!
//! [`RedisSessionStore`] is a [`tryst::session::ServerSessionStore`]: stateful tickets
//! whose sessions (still sealed with the fleet's ticket keys) live in Redis and are taken
//! out atomically when resumed, so each ticket resumes at most once across the fleet.
//!
//! What this crate is not: a session cache for TLS 1.2, a connection pool, or an async
//! client. Each store object has one synchronous connection behind a lock: a claim is one
//! round trip, made once per 0-RTT offer (a session look-up once per offered stateful
//! ticket), each bounded by the timeout, but concurrent handshakes queue for the
//! connection, so a slow Redis slows every 0-RTT offer of the process. Give busy servers
//! several store objects (for example one per worker thread).
//!
//! The crate is `std`-only: the `redis` client needs the standard library and sockets. The
//! `std` feature exists (on by default) so that `default-features = false` is accepted; it
//! changes nothing.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! /// A server config whose 0-RTT claims are shared, through Redis, by every server that
//! /// shares `ticket_keys`.
//! fn fleet_config(
//!     cert: tryst::CertifiedKey,
//!     ticket_keys: Arc<tryst::TicketKeys>,
//! ) -> Result<Arc<tryst::ServerConfig>, Box<dyn std::error::Error>> {
//!     let replay = tryst_redis::RedisAntiReplay::new("redis://127.0.0.1:6379/")?
//!         .with_timeout(Duration::from_millis(50));
//!     Ok(tryst::ServerConfig::builder(cert)
//!         .with_ticket_keys(ticket_keys)
//!         .with_max_early_data_size(16 * 1024)
//!         .with_anti_replay(Arc::new(replay))
//!         .build()?)
//! }
//! ```

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

pub use tryst::early::{AntiReplay, Claim};

/// The longest key prefix accepted: keys are the prefix and 64 hex digits.
pub const MAX_PREFIX_LEN: usize = 64;

/// The default prefix of claim keys.
pub const DEFAULT_PREFIX: &str = "tryst:0rtt:";

/// The default time allowed to connect, and for each reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// Why talking to Redis failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL the client understands.
    InvalidUrl(String),
    /// The key prefix is longer than [`MAX_PREFIX_LEN`] bytes.
    PrefixTooLong,
    /// Redis could not be reached or did not answer in time.
    Unreachable(String),
    /// Redis answered something other than what `SET NX PX` answers.
    Protocol(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl(e) => write!(f, "invalid Redis URL: {e}"),
            Error::PrefixTooLong => write!(f, "key prefix longer than {MAX_PREFIX_LEN} bytes"),
            Error::Unreachable(e) => write!(f, "Redis unreachable: {e}"),
            Error::Protocol(e) => write!(f, "unexpected reply from Redis: {e}"),
        }
    }
}

impl std::error::Error for Error {}

/// The Redis client's error, sorted into ours: connection and timeout failures are
/// `Unreachable`, the rest `Protocol`.
fn classify(e: &redis::RedisError) -> Error {
    if e.is_io_error() || e.is_timeout() || e.is_connection_refusal() {
        Error::Unreachable(e.to_string())
    } else {
        Error::Protocol(e.to_string())
    }
}

/// Single-use claims of 0-RTT tickets in Redis (see the crate docs).
pub struct RedisAntiReplay {
    client: redis::Client,
    /// One connection, made on first use and again after a failure.
    conn: Mutex<Option<redis::Connection>>,
    prefix: String,
    timeout: Duration,
    last_error: Mutex<Option<Error>>,
}

impl fmt::Debug for RedisAntiReplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisAntiReplay")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisAntiReplay {
    /// A store on the Redis at `url` (`redis://host:port/db`). Nothing is connected yet:
    /// the first claim connects, and an unreachable Redis makes claims `Unavailable`.
    pub fn new(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| Error::InvalidUrl(e.to_string()))?;
        Ok(RedisAntiReplay {
            client,
            conn: Mutex::new(None),
            prefix: DEFAULT_PREFIX.to_string(),
            timeout: DEFAULT_TIMEOUT,
            last_error: Mutex::new(None),
        })
    }

    /// Keys start with `prefix` (default [`DEFAULT_PREFIX`]); give fleets that must not
    /// share claims different prefixes.
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, Error> {
        if prefix.len() > MAX_PREFIX_LEN {
            return Err(Error::PrefixTooLong);
        }
        self.prefix = prefix.to_string();
        Ok(self)
    }

    /// Time allowed to connect and for each reply (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The last failure to talk to Redis, if any (cleared by the next success).
    pub fn last_error(&self) -> Option<Error> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The Redis key of a claim: the prefix and the key in hex (bounded size).
    fn redis_key(&self, key: &[u8; 32]) -> String {
        let mut k = String::with_capacity(self.prefix.len() + 64);
        k.push_str(&self.prefix);
        for b in key {
            k.push_str(&format!("{b:02x}"));
        }
        k
    }

    /// Claim `key` for `ttl`: `Ok(true)` the first time, `Ok(false)` if it was claimed and
    /// has not expired.
    pub fn try_claim(&self, key: &[u8; 32], ttl: Duration) -> Result<bool, Error> {
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Option<String> = self.query(
            redis::cmd("SET")
                .arg(self.redis_key(key))
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms),
        )?;
        match reply.as_deref() {
            Some("OK") => Ok(true),
            None => Ok(false),
            Some(other) => Err(Error::Protocol(other.to_string())),
        }
    }

    /// Run `cmd` on the connection (made if needed; dropped after a failure).
    fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Error> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            *guard = Some(self.connect()?);
        }
        let Some(conn) = guard.as_mut() else {
            return Err(Error::Unreachable("no connection".into()));
        };
        cmd.query(conn).map_err(|e| {
            // Whatever state the connection is in, start again next time.
            *guard = None;
            classify(&e)
        })
    }

    fn connect(&self) -> Result<redis::Connection, Error> {
        let conn = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|e| classify(&e))?;
        conn.set_read_timeout(Some(self.timeout))
            .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
            .map_err(|e| classify(&e))?;
        Ok(conn)
    }

    fn record(&self, e: Option<Error>) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = e;
    }
}

impl AntiReplay for RedisAntiReplay {
    fn claim(&self, key: &[u8; 32], now: Duration, expires_at: Duration) -> Claim {
        let ttl = expires_at.saturating_sub(now);
        match self.try_claim(key, ttl) {
            Ok(true) => {
                self.record(None);
                Claim::Fresh
            }
            Ok(false) => {
                self.record(None);
                Claim::Replayed
            }
            Err(e) => {
                self.record(Some(e));
                Claim::Unavailable
            }
        }
    }
}

/// The default prefix of session keys.
pub const DEFAULT_SESSION_PREFIX: &str = "tryst:session:";

/// Server-side sessions in Redis for stateful tickets (a [`tryst::session::ServerSessionStore`]):
/// tickets are 32-byte names, the sessions (sealed with the servers' ticket keys, so Redis
/// never holds a usable PSK) are kept under them with the ticket's expiry (`SET PX`) and
/// taken out atomically on resumption (`GETDEL`, Redis 6.2 or later), so each ticket
/// resumes at most once across the fleet. Redis unreachable: no ticket is issued, and
/// resumption falls back to a full handshake.
pub struct RedisSessionStore {
    inner: RedisAntiReplay,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.inner.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisSessionStore {
    /// A store on the Redis at `url`; nothing is connected until first use.
    pub fn new(url: &str) -> Result<Self, Error> {
        Ok(RedisSessionStore {
            inner: RedisAntiReplay::new(url)?.with_prefix(DEFAULT_SESSION_PREFIX)?,
        })
    }

    /// Keys start with `prefix` (default [`DEFAULT_SESSION_PREFIX`]).
    pub fn with_prefix(self, prefix: &str) -> Result<Self, Error> {
        Ok(RedisSessionStore {
            inner: self.inner.with_prefix(prefix)?,
        })
    }

    /// Time allowed to connect and for each reply (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        RedisSessionStore {
            inner: self.inner.with_timeout(timeout),
        }
    }

    /// The last failure to talk to Redis, if any (cleared by the next success).
    pub fn last_error(&self) -> Option<Error> {
        self.inner.last_error()
    }

    /// Keep `value` under `key` for `ttl`.
    pub fn try_put(&self, key: &[u8; 32], value: &[u8], ttl: Duration) -> Result<(), Error> {
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Option<String> = self.inner.query(
            redis::cmd("SET")
                .arg(self.inner.redis_key(key))
                .arg(value)
                .arg("PX")
                .arg(ttl_ms),
        )?;
        match reply.as_deref() {
            Some("OK") => Ok(()),
            other => Err(Error::Protocol(format!("{other:?}"))),
        }
    }

    /// Take the value under `key` out (`None` if there is none).
    pub fn try_take(&self, key: &[u8; 32]) -> Result<Option<Vec<u8>>, Error> {
        self.inner
            .query(redis::cmd("GETDEL").arg(self.inner.redis_key(key)))
    }
}

impl tryst::session::ServerSessionStore for RedisSessionStore {
    fn put(&self, key: &[u8; 32], value: &[u8], now: Duration, expires_at: Duration) -> bool {
        let r = self.try_put(key, value, expires_at.saturating_sub(now));
        let ok = r.is_ok();
        self.inner.record(r.err());
        ok
    }

    fn take(
        &self,
        key: &[u8; 32],
        _now: Duration,
    ) -> Option<tryst::crypto::zeroize::Zeroizing<Vec<u8>>> {
        match self.try_take(key) {
            Ok(v) => {
                self.inner.record(None);
                v.map(tryst::crypto::zeroize::Zeroizing::new)
            }
            Err(e) => {
                self.inner.record(Some(e));
                None
            }
        }
    }
}

/// The README's example compiles as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
