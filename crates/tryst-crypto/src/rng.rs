//! Randomness. Everything in tryst takes a caller-supplied [`CryptoRng`]; nothing reaches for
//! a global generator. Under the `std` feature, [`OsRng`] is the operating system's.
//! [`SecureRandom`] is the shared, `&self` form a [`crate::CryptoProvider`] carries.

pub use rand_core::{CryptoRng, Rng, TryCryptoRng, TryRng};

/// Randomness shared by every connection of a config (a provider's generator, or one the
/// caller supplies). Implementations must be cryptographically secure and infallible
/// (abort rather than return weak bytes).
pub trait SecureRandom: Send + Sync {
    /// Fill `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]);
}

#[cfg(feature = "std")]
impl SecureRandom for OsRng {
    fn fill(&self, dest: &mut [u8]) {
        OsRng.fill_bytes(dest);
    }
}

/// The operating system's random-number generator (getrandom). Panics only if the OS
/// generator itself fails, which `getrandom` reports as unrecoverable.
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

#[cfg(feature = "std")]
impl TryRng for OsRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    #[allow(clippy::panic)] // an OS without working randomness cannot run TLS safely
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        if let Err(e) = getrandom::fill(dst) {
            panic!("operating-system random-number generator failed: {e}");
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl TryCryptoRng for OsRng {}
