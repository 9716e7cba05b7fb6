//! Stateless session tickets (RFC 8446 §4.6.1).
//!
//! The server keeps no per-session state: everything it needs to resume (suite, resumption
//! PSK, issue time, age_add, ALPN, client certificates) is sealed into the ticket with
//! AES-256-GCM under a key derived from a ticket master secret and the current rotation
//! epoch. Servers that share the master secret share every epoch's key, so they resume each
//! other's sessions without talking to each other, and rotation needs no mutable state: a
//! ticket is accepted under the current epoch's key or the previous one's.

use alloc::vec::Vec;
use core::time::Duration;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{AES_256_GCM, AeadKey, CryptoRng, Nonce, SHA256, Secret, TAG_LEN};

/// The ticket-sealing keys of a server (or a fleet of servers sharing the master secret).
pub struct TicketKeys {
    master: Secret,
    period_secs: u64,
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
        TicketKeys {
            master,
            period_secs: rotation_period.as_secs().max(1),
        }
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

    fn key_for(&self, epoch: u64) -> Option<AeadKey> {
        AeadKey::fill_with(32, |out| {
            SHA256.hkdf_expand(
                &self.master,
                &[b"tryst ticket key ", &epoch.to_be_bytes()],
                out,
            )
        })
        .ok()
    }

    /// Seal `state` into a ticket. Returns `None` only if the AEAD refuses (it cannot for
    /// ticket-sized input).
    pub(crate) fn seal(
        &self,
        now: Duration,
        rng: &mut dyn CryptoRng,
        state: &[u8],
    ) -> Option<Vec<u8>> {
        let epoch = self.epoch(now);
        let key = AES_256_GCM.new_key(&self.key_for(epoch)?).ok()?;
        let mut nonce = [0u8; 12];
        rng.fill_bytes(&mut nonce);
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
        let key = AES_256_GCM.new_key(&self.key_for(epoch_n)?).ok()?;
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
}
