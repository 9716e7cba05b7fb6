//! Stateless session tickets (RFC 8446 §4.6.1).
//!
//! The server keeps no per-session state: everything it needs to resume (suite, resumption
//! PSK, issue time, age_add, ALPN, client certificates) is sealed into the ticket with
//! AES-256-GCM under a key derived from a ticket master secret and the current rotation
//! epoch. Servers that share the master secret share every epoch's key, so they resume each
//! other's sessions without talking to each other, and rotation needs no mutable state: a
//! ticket is accepted under the current epoch's key or the previous one's.
//!
//! Under `std` the prepared AEAD keys of the last two epochs used are cached, so a busy
//! server derives (HKDF) and expands (AES key schedule) one key per epoch instead of one
//! per ticket. The cache holds no time of its own: the epoch comes from the `now` the
//! connection passes in, and only epochs a ticket may carry (the current one and the one
//! before) ever reach it, so forged tickets cannot churn it.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{
    Aead, AeadAlgorithm, AeadKey, AeadKeyed, CryptoProvider, CryptoRng, Hash, HashAlgorithm, Nonce,
    Secret, TAG_LEN,
};

/// A prepared key and the epoch it belongs to.
#[cfg(feature = "std")]
type EpochKey = (u64, Arc<dyn AeadKeyed>);

/// The ticket-sealing keys of a server (or a fleet of servers sharing the master secret).
pub struct TicketKeys {
    master: Secret,
    period_secs: u64,
    /// AES-256-GCM and HKDF-SHA256, from a crypto provider.
    aead: &'static dyn Aead,
    hash: &'static dyn Hash,
    /// The prepared keys of the two most recently used epochs.
    #[cfg(feature = "std")]
    cache: std::sync::Mutex<[Option<EpochKey>; 2]>,
}

impl core::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TicketKeys")
            .field("period_secs", &self.period_secs)
            .finish_non_exhaustive()
    }
}

/// Epoch (8) + nonce (12) in front of the sealed state, tag (16) after it.
const TICKET_OVERHEAD: usize = 8 + 12 + TAG_LEN;

impl TicketKeys {
    /// Keys derived from `master` (32 random bytes shared by every server that should accept
    /// the same tickets), rotating every `rotation_period` (at least one second).
    pub fn new(master: Secret, rotation_period: Duration) -> Self {
        Self::with_algorithms(
            master,
            rotation_period,
            tryst_crypto::AES_256_GCM,
            tryst_crypto::SHA256,
        )
    }

    fn with_algorithms(
        master: Secret,
        rotation_period: Duration,
        aead: &'static dyn Aead,
        hash: &'static dyn Hash,
    ) -> Self {
        TicketKeys {
            master,
            period_secs: rotation_period.as_secs().max(1),
            aead,
            hash,
            #[cfg(feature = "std")]
            cache: std::sync::Mutex::new([None, None]),
        }
    }

    /// These keys with `provider`'s AES-256-GCM and HKDF-SHA256 (by default, the default
    /// provider's). The tickets are the same bytes whichever provider seals them, so
    /// servers with different providers still resume each other's sessions.
    pub fn with_crypto_provider(
        self,
        provider: &CryptoProvider,
    ) -> Result<Self, tryst_crypto::Error> {
        let aead = provider
            .aead(AeadAlgorithm::Aes256Gcm)
            .ok_or(tryst_crypto::Error::UnsupportedAlgorithm)?;
        let hash = provider
            .hash(HashAlgorithm::Sha256)
            .ok_or(tryst_crypto::Error::UnsupportedAlgorithm)?;
        let TicketKeys {
            master,
            period_secs,
            ..
        } = self;
        Ok(Self::with_algorithms(
            master,
            Duration::from_secs(period_secs),
            aead,
            hash,
        ))
    }

    /// Fresh keys with a random master secret, for a single server.
    pub fn generate(
        rng: &mut dyn CryptoRng,
        rotation_period: Duration,
    ) -> Result<Self, tryst_crypto::Error> {
        let master = Secret::fill_with(32, |out| {
            rng.fill_bytes(out);
            Ok(())
        })?;
        Ok(Self::new(master, rotation_period))
    }

    fn epoch(&self, now: Duration) -> u64 {
        now.as_secs() / self.period_secs
    }

    /// Derives and prepares the key of `epoch`.
    fn derive(&self, epoch: u64) -> Option<Box<dyn AeadKeyed>> {
        let key = AeadKey::fill_with(32, |out| {
            self.hash.hkdf_expand(
                &self.master,
                &[b"tryst ticket key ", &epoch.to_be_bytes()],
                out,
            )
        })
        .ok()?;
        self.aead.new_key(&key).ok()
    }

    /// The prepared key of `epoch`: from the cache, or derived and cached in place of the
    /// older of the two entries (or an empty one).
    #[cfg(feature = "std")]
    fn key_for(&self, epoch: u64) -> Option<Arc<dyn AeadKeyed>> {
        // A panic elsewhere while the lock was held cannot leave a wrong key behind: each
        // slot is written whole.
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, key)) = cache.iter().flatten().find(|(e, _)| *e == epoch) {
            return Some(Arc::clone(key));
        }
        let key: Arc<dyn AeadKeyed> = Arc::from(self.derive(epoch)?);
        // `None` orders before every `Some`: an empty slot is filled first.
        if let Some(slot) = cache.iter_mut().min_by_key(|s| s.as_ref().map(|(e, _)| *e)) {
            *slot = Some((epoch, Arc::clone(&key)));
        }
        Some(key)
    }

    /// Without `std` (no lock to share a cache between connections), each ticket derives
    /// its key.
    #[cfg(not(feature = "std"))]
    fn key_for(&self, epoch: u64) -> Option<Arc<dyn AeadKeyed>> {
        self.derive(epoch).map(Arc::from)
    }

    /// Seal `state` into a ticket. Returns `None` only if the AEAD refuses (it cannot for
    /// ticket-sized input).
    pub(crate) fn seal(
        &self,
        now: Duration,
        rng: &mut dyn CryptoRng,
        state: &[u8],
    ) -> Option<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
        self.seal_with_nonce(now, nonce, state)
    }

    /// [`seal`](Self::seal) with a nonce the caller drew from its RNG (so one RNG call can
    /// serve a whole NewSessionTicket: `issue_tickets` draws its age_add and this nonce
    /// together). The nonce must be fresh random bytes: AES-256-GCM under a key that seals
    /// many tickets.
    pub(crate) fn seal_with_nonce(
        &self,
        now: Duration,
        nonce: [u8; 12],
        state: &[u8],
    ) -> Option<Vec<u8>> {
        let epoch = self.epoch(now);
        let key = self.key_for(epoch)?;
        let mut out = Vec::with_capacity(state.len() + TICKET_OVERHEAD);
        out.extend_from_slice(&epoch.to_be_bytes());
        out.extend_from_slice(&nonce);
        let body_start = out.len();
        out.extend_from_slice(state);
        out.extend_from_slice(&[0u8; TAG_LEN]);
        let (aad, body) = out.split_at_mut(body_start);
        let aad: &[u8] = aad;
        key.seal_in_place(&Nonce::from_bytes(nonce), aad, body)
            .ok()?;
        Some(out)
    }

    /// Open a ticket sealed in the current or the previous epoch. Anything else (forged,
    /// from another server, too old) is `None`: the server falls back to a full handshake.
    pub(crate) fn open(&self, now: Duration, ticket: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (epoch, rest) = ticket.split_first_chunk::<8>()?;
        let (nonce, sealed) = rest.split_first_chunk::<12>()?;
        let epoch_n = u64::from_be_bytes(*epoch);
        let current = self.epoch(now);
        if epoch_n != current && Some(epoch_n) != current.checked_sub(1) {
            return None;
        }
        let key = self.key_for(epoch_n)?;
        let mut buf = Zeroizing::new(sealed.to_vec());
        let aad_len = 8 + 12;
        let aad = ticket.get(..aad_len)?;
        let n = key
            .open_in_place(&Nonce::from_bytes(*nonce), aad, &mut buf)
            .ok()?;
        buf.truncate(n);
        Some(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct CountingRng(u8);
    impl tryst_crypto::rng::TryRng for CountingRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl tryst_crypto::rng::TryCryptoRng for CountingRng {}

    #[test]
    fn seal_open_and_rotation() {
        let mut rng = CountingRng(0);
        let keys = TicketKeys::generate(&mut rng, Duration::from_secs(3600)).unwrap();
        let t0 = Duration::from_secs(1_000_000 * 3600);
        let ticket = keys.seal(t0, &mut rng, b"state").unwrap();
        assert_eq!(&keys.open(t0, &ticket).unwrap()[..], b"state");
        // Still good one epoch later, not two.
        assert!(keys.open(t0 + Duration::from_secs(3600), &ticket).is_some());
        assert!(keys.open(t0 + Duration::from_secs(7200), &ticket).is_none());
        // A server with the same master accepts it; another does not.
        let shared = TicketKeys::new(keys.master.duplicate(), Duration::from_secs(3600));
        assert!(shared.open(t0, &ticket).is_some());
        let other = TicketKeys::generate(&mut rng, Duration::from_secs(3600)).unwrap();
        assert!(other.open(t0, &ticket).is_none());
        // Any bit flip is refused.
        for i in 0..ticket.len() {
            let mut t = ticket.clone();
            t[i] ^= 1;
            assert!(keys.open(t0, &t).is_none(), "bit flip at {i} accepted");
        }
        assert!(keys.open(t0, &ticket[..10]).is_none());
    }

    /// The cache gives the same keys as deriving them: tickets sealed across many epochs
    /// (cache hits, misses and evictions) open with fresh keys, and the other way round.
    #[test]
    fn cached_keys_match_derived_keys() {
        let mut rng = CountingRng(9);
        let hour = Duration::from_secs(3600);
        let keys = TicketKeys::generate(&mut rng, hour).unwrap();
        let t0 = Duration::from_secs(500 * 3600);
        for step in 0..6u64 {
            let now = t0 + hour * u32::try_from(step).unwrap();
            let a = keys.seal(now, &mut rng, b"one").unwrap();
            let b = keys.seal(now, &mut rng, b"two").unwrap();
            // A fresh TicketKeys (empty cache) with the same master opens both, and the
            // cached one opens a ticket the fresh one sealed.
            let fresh = TicketKeys::new(keys.master.duplicate(), hour);
            assert_eq!(&fresh.open(now, &a).unwrap()[..], b"one");
            assert_eq!(&keys.open(now, &b).unwrap()[..], b"two");
            let c = fresh.seal(now, &mut rng, b"three").unwrap();
            assert_eq!(&keys.open(now, &c).unwrap()[..], b"three");
            // Previous epoch's ticket still opens after the rotation; two back does not.
            assert!(keys.open(now + hour, &a).is_some());
            assert!(keys.open(now + hour * 2, &a).is_none());
        }
        // Another provider's AES-256-GCM and HKDF give the same tickets.
        let other = TicketKeys::new(keys.master.duplicate(), hour)
            .with_crypto_provider(&CryptoProvider::rustcrypto())
            .unwrap();
        let t = keys.seal(t0, &mut rng, b"x").unwrap();
        assert_eq!(&other.open(t0, &t).unwrap()[..], b"x");
    }
}
