//! Interleaved A/B timing of seal + open of 16 KiB records: the record layer against the
//! raw `aes-gcm` crate on the same data. Alternating short batches and keeping the best
//! batch of each makes the ratio robust on a busy machine, where two separate criterion
//! runs can drift apart. Run with
//! `cargo run --release -p tryst-record --example record_vs_raw`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use std::hint::black_box;
use std::time::Instant;

use aes_gcm::aead::{AeadInOut, KeyInit};
use tryst_crypto::{AES_128_GCM, AES_256_GCM, Aead, AeadKey, Iv};
use tryst_messages::ContentType;
use tryst_record::{Message, RecordDecrypter, RecordEncrypter};

const LEN: usize = 16 * 1024;
const BATCH: u32 = 50;
const ROUNDS: u32 = 300;

/// Seal then open one record's worth of data with the raw AEAD, in place.
fn raw_round<C: AeadInOut<NonceSize = aes_gcm::aead::consts::U12>>(
    c: &C,
    buf: &mut [u8],
    data: &[u8],
    seq: u64,
) {
    buf[..LEN].copy_from_slice(data);
    buf[LEN] = 23; // the content type byte the record layer adds
    let header = [23u8, 3, 3, 0x40, 0x11];
    let mut nonce = [7u8; 12];
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    let tag = c
        .encrypt_inout_detached(&nonce.into(), &header, buf.into())
        .unwrap();
    c.decrypt_inout_detached(&nonce.into(), &header, buf.into(), &tag)
        .unwrap();
}

/// Seal + open of one record with the raw AEAD: (buffer, data, sequence number).
type RawRound<'a> = &'a dyn Fn(&mut [u8], &[u8], u64);

fn compare(name: &str, aead: &dyn Aead, key: &[u8], raw: RawRound<'_>) {
    let data = vec![0x5au8; LEN];
    let k = AeadKey::from_slice(key).unwrap();
    let mut enc = RecordEncrypter::new();
    enc.set_key(aead, &k, Iv::from_slice(&[7; 12]).unwrap())
        .unwrap();
    let mut dec = RecordDecrypter::new();
    dec.set_key(aead, &k, Iv::from_slice(&[7; 12]).unwrap())
        .unwrap();
    let mut wire = Vec::with_capacity(LEN + 64);
    let mut buf = vec![0u8; LEN + 1];
    let (mut best_record, mut best_raw) = (f64::MAX, f64::MAX);
    let mut seq = 0u64;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..BATCH {
            wire.clear();
            enc.write(ContentType::ApplicationData, black_box(&data), &mut wire)
                .unwrap();
            match dec.open_in_place(&mut wire).unwrap() {
                Some(Message::ApplicationData(p)) => black_box(p.len()),
                other => panic!("{other:?}"),
            };
        }
        best_record = best_record.min(t.elapsed().as_secs_f64() / f64::from(BATCH));
        let t = Instant::now();
        for _ in 0..BATCH {
            raw(&mut buf, black_box(&data), seq);
            seq += 1;
            black_box(&buf);
        }
        best_raw = best_raw.min(t.elapsed().as_secs_f64() / f64::from(BATCH));
    }
    let mib = |s: f64| LEN as f64 / s / (1024.0 * 1024.0);
    println!(
        "{name}: tryst-record {:.2} µs ({:.0} MiB/s), raw aes-gcm {:.2} µs ({:.0} MiB/s), ratio {:.3}",
        best_record * 1e6,
        mib(best_record),
        best_raw * 1e6,
        mib(best_raw),
        best_raw / best_record
    );
}

fn main() {
    let c128 = aes_gcm::Aes128Gcm::new_from_slice(&[0x42; 16]).unwrap();
    compare("AES-128-GCM", AES_128_GCM, &[0x42; 16], &|b, d, s| {
        raw_round(&c128, b, d, s)
    });
    let c256 = aes_gcm::Aes256Gcm::new_from_slice(&[0x42; 32]).unwrap();
    compare("AES-256-GCM", AES_256_GCM, &[0x42; 32], &|b, d, s| {
        raw_round(&c256, b, d, s)
    });
}
