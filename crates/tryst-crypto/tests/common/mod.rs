//! Helpers shared by the integration tests: the backends of this build and a
//! deterministic generator.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use core::convert::Infallible;

use tryst_crypto::CryptoProvider;
use tryst_crypto::rng::{TryCryptoRng, TryRng};

/// Every backend in this build: the default, and graviola under its feature.
pub fn providers() -> Vec<CryptoProvider> {
    #[allow(unused_mut)] // pushed to only under the graviola feature
    let mut v = vec![CryptoProvider::rustcrypto()];
    #[cfg(feature = "graviola")]
    v.push(tryst_crypto::graviola::provider().expect("graviola does not run on this CPU"));
    v
}

/// A deterministic generator for tests that must not depend on the `std` feature
/// (SplitMix64). Not a cryptographic generator: tests only.
pub struct TestRng(pub u64);

impl TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(u32::try_from(self.try_next_u64()? >> 32).unwrap())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

// Marker only: lets the test generator stand in where the API asks for a CryptoRng.
impl TryCryptoRng for TestRng {}
