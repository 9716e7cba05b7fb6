#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The "crypto floor": the cost of each primitive tryst's handshake and record layer use,
//! through tryst-crypto's own wrappers. Later benchmarks (record layer, full handshakes)
//! are read against these numbers.
//!
//! `cargo bench -p tryst-crypto` (add `-- --warm-up-time 1 --measurement-time 2` for a
//! quick pass).

use core::convert::Infallible;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tryst_crypto::rng::{TryCryptoRng, TryRng};
use tryst_crypto::{
    AES_128_GCM, AES_256_GCM, AeadKey, Ed25519SigningKey, Nonce, SHA256, SHA384,
    SignatureAlgorithm, Signer, TAG_LEN, X25519, verify,
};

/// One TLS record's worth of plaintext (RFC 8446 §5.1: at most 2^14 bytes).
const RECORD: usize = 16 * 1024;

/// Deterministic SplitMix64 so runs are repeatable and the bench needs no `std` feature.
/// Not a cryptographic generator: benchmarks only.
struct BenchRng(u64);

impl TryRng for BenchRng {
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
            chunk.copy_from_slice(v.get(..chunk.len()).unwrap());
        }
        Ok(())
    }
}

// Marker only, so the bench generator can stand in for a CryptoRng.
impl TryCryptoRng for BenchRng {}

fn aead(c: &mut Criterion) {
    let mut g = c.benchmark_group("aead");
    g.throughput(Throughput::Bytes(u64::try_from(RECORD).unwrap()));
    let header = [0x17, 0x03, 0x03, 0x40, 0x11]; // a TLS 1.3 record header as AAD
    for (name, aead, key_len) in [
        ("aes_128_gcm", AES_128_GCM, 16),
        ("aes_256_gcm", AES_256_GCM, 32),
    ] {
        let key = AeadKey::from_slice(&vec![0x42; key_len]).unwrap();
        let keyed = aead.new_key(&key).unwrap();
        let nonce = Nonce::from_bytes([7; 12]);

        let mut buf = vec![0x61u8; RECORD + TAG_LEN];
        g.bench_function(format!("{name}/seal_16KiB"), |b| {
            b.iter(|| {
                keyed
                    .seal_in_place(&nonce, black_box(&header), black_box(&mut buf))
                    .unwrap();
            });
        });

        let mut sealed = vec![0x61u8; RECORD + TAG_LEN];
        keyed.seal_in_place(&nonce, &header, &mut sealed).unwrap();
        g.bench_function(format!("{name}/open_16KiB"), |b| {
            // Opening decrypts in place, so each iteration gets a fresh copy of the
            // ciphertext; the copy is setup and not timed.
            b.iter_batched_ref(
                || sealed.clone(),
                |buf| {
                    keyed
                        .open_in_place(&nonce, black_box(&header), buf)
                        .unwrap()
                },
                BatchSize::SmallInput,
            );
        });
    }
    g.finish();
}

fn x25519(c: &mut Criterion) {
    let mut g = c.benchmark_group("x25519");
    let mut rng = BenchRng(1);
    g.bench_function("keygen", |b| {
        b.iter(|| X25519.start(&mut rng).unwrap());
    });
    let peer = X25519.start(&mut rng).unwrap().public_key().to_vec();
    g.bench_function("agree", |b| {
        // Key generation is setup; only `complete` (scalar multiplication plus the
        // all-zero check) is timed.
        b.iter_batched(
            || X25519.start(&mut rng).unwrap(),
            |ours| ours.complete(black_box(&peer)).unwrap(),
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

fn ed25519(c: &mut Criterion) {
    let mut g = c.benchmark_group("ed25519");
    let key = Ed25519SigningKey::generate(&mut BenchRng(2));
    let public = key.public_key();
    // The size of a TLS 1.3 CertificateVerify input with SHA-256 (RFC 8446 §4.4.3):
    // 64 spaces, a 33-byte context string, a zero byte and a 32-byte transcript hash.
    let message = [0x20u8; 130];
    g.bench_function("sign", |b| {
        b.iter(|| key.sign(black_box(&message)).unwrap());
    });
    let sig = key.sign(&message).unwrap();
    g.bench_function("verify", |b| {
        b.iter(|| {
            verify(
                SignatureAlgorithm::Ed25519,
                &public,
                black_box(&message),
                black_box(&sig),
            )
            .unwrap();
        });
    });
    g.finish();
}

fn hkdf(c: &mut Criterion) {
    let mut g = c.benchmark_group("hkdf_expand_label");
    for (name, hash) in [("sha256", SHA256), ("sha384", SHA384)] {
        let secret = hash.hkdf_extract(&[], &[0x11; 48]);
        g.bench_function(format!("{name}/tls13_key_16"), |b| {
            // HKDF-Expand-Label(secret, "key", "", 16) (RFC 8446 §7.1, §7.3), given as
            // HkdfLabel pieces: no allocation.
            let mut out = [0u8; 16];
            b.iter(|| {
                hash.hkdf_expand(
                    black_box(&secret),
                    &[&[0, 16], &[9], b"tls13 ", b"key", &[0]],
                    &mut out,
                )
                .unwrap();
                black_box(&out);
            });
        });
    }
    g.finish();
}

criterion_group!(crypto_floor, aead, x25519, ed25519, hkdf);
criterion_main!(crypto_floor);
