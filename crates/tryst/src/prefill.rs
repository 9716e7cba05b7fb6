//! The random bytes of one handshake step drawn from the generator in one call.
//!
//! Each `SecureRandom::fill` of the OS generator is a `getrandom` system call. A client's
//! first flight needs its random, its key shares' private keys and the GREASE ECH
//! extension; a server's ServerHello needs its key share and its random. [`Prefilled`]
//! draws what such a step will ask for at once and hands the bytes out in order, each byte
//! at most once; a request it cannot serve whole goes to the generator itself. The buffer
//! is wiped when the step is over (it holds private-key material).

use core::sync::atomic::{AtomicUsize, Ordering};

use alloc::vec::Vec;

use tryst_crypto::SecureRandom;
use tryst_crypto::zeroize::Zeroizing;

/// The most one step draws ahead (random, two key shares' worth, GREASE ECH).
pub(crate) const MAX_PREFILL: usize = 512;

/// Random bytes drawn ahead from `rng`, served in order (see the module docs).
pub(crate) struct Prefilled<'a> {
    rng: &'a dyn SecureRandom,
    /// On the heap, so moving the value leaves no copy of the key bytes behind.
    bytes: Zeroizing<Vec<u8>>,
    next: AtomicUsize,
}

impl<'a> Prefilled<'a> {
    /// `len` bytes (at most [`MAX_PREFILL`]) from `rng` in one call.
    pub(crate) fn draw(rng: &'a dyn SecureRandom, len: usize) -> Self {
        let mut bytes = Zeroizing::new(alloc::vec![0u8; len.min(MAX_PREFILL)]);
        rng.fill(&mut bytes);
        Prefilled {
            rng,
            bytes,
            next: AtomicUsize::new(0),
        }
    }
}

impl SecureRandom for Prefilled<'_> {
    fn fill(&self, dest: &mut [u8]) {
        // Claim dest.len() bytes if that many are left; otherwise claim none.
        let claimed = self
            .next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |at| {
                at.checked_add(dest.len())
                    .filter(|end| *end <= self.bytes.len())
            });
        match claimed
            .ok()
            .and_then(|at| self.bytes.get(at..at.saturating_add(dest.len())))
        {
            Some(src) => dest.copy_from_slice(src),
            None => self.rng.fill(dest),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::AtomicU8;

    /// Counts calls; each byte it gives is one more than the last.
    struct Counter {
        calls: AtomicUsize,
        next: AtomicU8,
    }

    impl SecureRandom for Counter {
        fn fill(&self, dest: &mut [u8]) {
            self.calls.fetch_add(1, Ordering::SeqCst);
            for d in dest {
                *d = self.next.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    fn counter() -> Counter {
        Counter {
            calls: AtomicUsize::new(0),
            next: AtomicU8::new(1),
        }
    }

    /// The bytes come out in the order and with the values of separate calls to the
    /// generator; one call instead of several; no byte is handed out twice.
    #[test]
    fn serves_in_order_once() {
        let plain = counter();
        let mut want = Vec::new();
        for n in [32, 4, 12] {
            let mut b = alloc::vec![0u8; n];
            plain.fill(&mut b);
            want.push(b);
        }
        let rng = counter();
        let pre = Prefilled::draw(&rng, 48);
        let mut got = Vec::new();
        for n in [32, 4, 12] {
            let mut b = alloc::vec![0u8; n];
            pre.fill(&mut b);
            got.push(b);
        }
        assert_eq!(got, want);
        assert_eq!(rng.calls.load(Ordering::SeqCst), 1);
        // Exhausted: the generator serves the rest, with bytes never served before.
        let mut more = [0u8; 8];
        pre.fill(&mut more);
        assert_eq!(rng.calls.load(Ordering::SeqCst), 2);
        assert_eq!(more, [49, 50, 51, 52, 53, 54, 55, 56]);
    }

    /// A request larger than what is left goes whole to the generator; the rest of the
    /// buffer still serves a later request that fits.
    #[test]
    fn too_large_goes_to_the_generator() {
        let rng = counter();
        let pre = Prefilled::draw(&rng, 16);
        let mut big = [0u8; 20];
        pre.fill(&mut big);
        assert_eq!(big[0], 17);
        let mut small = [0u8; 16];
        pre.fill(&mut small);
        assert_eq!(small[0], 1);
        assert_eq!(small[15], 16);
        assert_eq!(rng.calls.load(Ordering::SeqCst), 2);
        // A draw larger than the buffer is capped at it.
        let capped = Prefilled::draw(&rng, MAX_PREFILL + 10);
        assert_eq!(capped.bytes.len(), MAX_PREFILL);
    }
}
