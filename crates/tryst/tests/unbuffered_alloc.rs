//! Steady-state application data allocates nothing, through the zero-copy API and through
//! the buffered one: a counting global allocator watches records flow after warm-up. (One
//! test in this binary, so no other test thread allocates while it counts.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

use common::*;

// `stats_alloc` wraps the system allocator and counts calls; the workspace forbids
// `unsafe`, so the counting allocator comes from that crate rather than from here.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn no_allocation_per_record() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    let data = vec![0x5a; 40_000];
    let mut wire = vec![0u8; 64 * 1024];
    let mut plain = vec![0u8; 16 * 1024];

    // Client to server through encrypt_into / process_in_place; server to client through
    // send_plaintext / read_tls_bytes / read_plaintext.
    let mut round = |c: &mut tryst::ClientConnection, s: &mut tryst::ServerConnection| {
        let n = c.encrypt_into(&data, &mut wire).unwrap();
        let (mut at, mut got) = (0, 0);
        while at < n {
            let r = s.process_in_place(&mut wire[at..n]).unwrap();
            got += r.plaintext.map_or(0, <[u8]>::len);
            at += r.consumed;
        }
        assert_eq!(got, data.len());

        assert_eq!(s.send_plaintext(&data).unwrap(), data.len());
        let mut got = 0;
        while s.wants_write() {
            let out = s.pending_tls();
            let taken = c.read_tls_bytes(out);
            s.consume_tls(taken);
            c.process_new_packets().unwrap();
            loop {
                let m = c.read_plaintext(&mut plain);
                if m == 0 {
                    break;
                }
                got += m;
            }
        }
        assert_eq!(got, data.len());
    };
    // Warm-up: buffers reach their steady size.
    round(&mut c, &mut s);
    let region = Region::new(GLOBAL);
    for _ in 0..20 {
        round(&mut c, &mut s);
    }
    let stats = region.change();
    assert_eq!(
        (stats.allocations, stats.reallocations),
        (0, 0),
        "allocations during 60 records each way"
    );
    // Control: the counter does see allocations.
    let region = Region::new(GLOBAL);
    let v = std::hint::black_box(vec![0u8; 10]);
    assert!(region.change().allocations >= 1);
    drop(v);
}
