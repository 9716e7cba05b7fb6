//! Steady-state sealing and opening allocate nothing: a counting global allocator watches
//! a seal → deframe → open loop after warm-up. (One test in this binary, so no other test
//! thread allocates while it counts.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

use tryst_crypto::{AES_128_GCM, AES_256_GCM, AeadKey, Iv};
use tryst_messages::ContentType;
use tryst_record::{Deframer, Message, Padding, RecordDecrypter, RecordEncrypter};

// `stats_alloc` wraps the system allocator and counts calls; the workspace forbids
// `unsafe`, so the counting allocator comes from that crate rather than from here.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn no_allocation_per_record_in_steady_state() {
    for aead in [AES_128_GCM, AES_256_GCM] {
        let key = AeadKey::from_slice(&[5; 32][..aead.key_len()]).unwrap();
        let mut e = RecordEncrypter::new();
        e.set_key(aead, &key, Iv::from_slice(&[6; 12]).unwrap())
            .unwrap();
        e.set_padding(Padding::ToMultipleOf(
            core::num::NonZeroU16::new(256).unwrap(),
        ));
        let mut d = RecordDecrypter::new();
        d.set_key(aead, &key, Iv::from_slice(&[6; 12]).unwrap())
            .unwrap();
        let mut f = Deframer::new();
        let data = vec![0x5a; 40_000];
        let mut wire = Vec::with_capacity(64 * 1024);

        let mut round = |e: &mut RecordEncrypter, d: &mut RecordDecrypter, f: &mut Deframer| {
            wire.clear();
            e.write(ContentType::ApplicationData, &data, &mut wire)
                .unwrap();
            let mut total = 0;
            let mut rest = &wire[..];
            while !rest.is_empty() {
                let n = f.push(rest);
                rest = &rest[n..];
                while let Some(m) = f.next_record(d).unwrap() {
                    match m {
                        Message::ApplicationData(b) => total += b.len(),
                        other => panic!("{other:?}"),
                    }
                }
            }
            assert_eq!(total, data.len());
        };
        // Warm-up: buffers reach their steady size.
        round(&mut e, &mut d, &mut f);
        let region = Region::new(GLOBAL);
        for _ in 0..50 {
            round(&mut e, &mut d, &mut f);
        }
        let stats = region.change();
        assert_eq!(
            (stats.allocations, stats.reallocations),
            (0, 0),
            "allocations during 150 sealed and 150 opened records"
        );
        assert_eq!(e.sequence_number(), 51 * 3);
        // Control: the counter does see allocations.
        let region = Region::new(GLOBAL);
        let v = std::hint::black_box(vec![0u8; 10]);
        assert!(region.change().allocations >= 1);
        drop(v);
    }
}
