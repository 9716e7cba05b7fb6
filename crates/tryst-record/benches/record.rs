//! Seal + open of 16 KiB records through the record layer against the raw `aes-gcm` crate
//! on the same data, for both AES-GCM suites. The record layer should reach at least 0.95
//! of the raw AEAD's throughput.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions,
    missing_docs
)]

use std::hint::black_box;

use aes_gcm::aead::{AeadInOut, KeyInit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tryst_crypto::{AES_128_GCM, AES_256_GCM, Aead, AeadKey, Iv};
use tryst_messages::ContentType;
use tryst_record::{Message, RecordDecrypter, RecordEncrypter};

const LEN: usize = 16 * 1024;

fn record_layer(c: &mut Criterion, name: &str, aead: &dyn Aead, key: &[u8]) {
    let data = vec![0x5au8; LEN];
    let mut g = c.benchmark_group(format!("seal_open_16k/{name}"));
    g.throughput(Throughput::Bytes(LEN as u64));

    let k = AeadKey::from_slice(key).unwrap();
    let mut enc = RecordEncrypter::new();
    enc.set_key(aead, &k, Iv::from_slice(&[7; 12]).unwrap())
        .unwrap();
    let mut dec = RecordDecrypter::new();
    dec.set_key(aead, &k, Iv::from_slice(&[7; 12]).unwrap())
        .unwrap();
    let mut wire = Vec::with_capacity(LEN + 64);
    g.bench_function("tryst-record", |b| {
        b.iter(|| {
            wire.clear();
            enc.write(ContentType::ApplicationData, black_box(&data), &mut wire)
                .unwrap();
            match dec.open_in_place(&mut wire).unwrap() {
                Some(Message::ApplicationData(p)) => black_box(p.len()),
                _ => unreachable!(),
            }
        })
    });

    // The raw AEAD on the same bytes: one record's worth of plaintext sealed under a
    // 5-byte header as associated data, then opened.
    let mut buf = vec![0u8; LEN + 1];
    let header = [23u8, 3, 3, 0x40, 0x11];
    let mut seq = 0u64;
    let mut raw = |key: &[u8], b: &mut criterion::Bencher| {
        macro_rules! run {
            ($cipher:ty) => {{
                let cipher = <$cipher>::new_from_slice(key).unwrap();
                b.iter(|| {
                    buf[..LEN].copy_from_slice(black_box(&data));
                    buf[LEN] = 23;
                    let mut nonce = [7u8; 12];
                    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
                        *n ^= s;
                    }
                    seq += 1;
                    let tag = cipher
                        .encrypt_inout_detached(&nonce.into(), &header, buf.as_mut_slice().into())
                        .unwrap();
                    cipher
                        .decrypt_inout_detached(
                            &nonce.into(),
                            &header,
                            buf.as_mut_slice().into(),
                            &tag,
                        )
                        .unwrap();
                    black_box(buf.len())
                })
            }};
        }
        if key.len() == 16 {
            run!(aes_gcm::Aes128Gcm)
        } else {
            run!(aes_gcm::Aes256Gcm)
        }
    };
    g.bench_function("raw aes-gcm", |b| raw(key, b));
    g.finish();
}

fn benches(c: &mut Criterion) {
    record_layer(c, "AES-128-GCM", AES_128_GCM, &[0x42; 16]);
    record_layer(c, "AES-256-GCM", AES_256_GCM, &[0x42; 32]);
}

criterion_group!(record, benches);
criterion_main!(record);
