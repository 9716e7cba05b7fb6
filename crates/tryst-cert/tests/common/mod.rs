//! Helpers shared by the integration tests: the validity window and a deterministic
//! generator for test keys.
#![allow(dead_code, clippy::indexing_slicing)]

use tryst_crypto::SHA256;
use tryst_crypto::rng::{TryCryptoRng, TryRng};

pub const START: i64 = 1_735_689_600; // 2025-01-01
pub const END: i64 = 2_051_222_400; // 2035-01-01
pub const NOW: u64 = 1_750_000_000; // 2025-06-15

/// A deterministic RNG (SHA-256 in counter mode) so every run builds the same keys.
pub struct TestRng(pub u64);

impl TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(32) {
            self.0 += 1;
            let h = SHA256.hash(&self.0.to_be_bytes());
            chunk.copy_from_slice(&h.as_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}
impl TryCryptoRng for TestRng {}
