//! The buffered receive path hands out the newest application data record's plaintext
//! straight from the deframer's buffer (no copy into the queue), falling back to the queue
//! when the reader lags. Whatever the interleaving of `read_tls_bytes`,
//! `process_new_packets` and `read_plaintext`, the reader gets every byte once and in
//! order, `max_received_plaintext` still bounds what is buffered, and records after the
//! data (close_notify) are still processed in the same call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::connected;
use proptest::prelude::*;
use tryst::{ClientConnection, Limits};

/// Everything the client sends for `data`, as wire bytes.
fn wire_for(c: &mut ClientConnection, data: &[u8]) -> Vec<u8> {
    let mut wire = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = c.send_plaintext(rest).unwrap();
        rest = &rest[n..];
        wire.extend_from_slice(c.pending_tls());
        let m = c.pending_tls().len();
        c.consume_tls(m);
    }
    wire
}

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap() ^ seed)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random feed sizes, random read sizes (0 = the reader skips a turn): every byte
    /// arrives once, in order.
    #[test]
    fn every_byte_once_in_order(
        lens in prop::collection::vec(1usize..40_000, 1..6),
        feeds in prop::collection::vec(1usize..40_000, 1..16),
        reads in prop::collection::vec(0usize..30_000, 1..16),
        seed in any::<u8>(),
    ) {
        let (mut c, mut s) = connected();
        let mut sent = Vec::new();
        let mut wire = Vec::new();
        for (i, len) in lens.iter().enumerate() {
            let data = payload(*len, seed.wrapping_add(u8::try_from(i).unwrap()));
            wire.extend_from_slice(&wire_for(&mut c, &data));
            sent.extend_from_slice(&data);
        }
        let mut got = Vec::new();
        let mut buf = vec![0u8; 40_000];
        let mut at = 0;
        let mut turn = 0;
        let mut idle = 0;
        while got.len() < sent.len() {
            let feed = feeds[turn % feeds.len()];
            let read = reads[turn % reads.len()];
            turn += 1;
            let end = (at + feed).min(wire.len());
            let n = s.read_tls_bytes(&wire[at..end]);
            at += n;
            let st = s.process_new_packets().unwrap();
            prop_assert!(st.plaintext_bytes_to_read <= 64 * 1024 + 2 * 16 * 1024);
            let m = s.read_plaintext(&mut buf[..read]);
            prop_assert!(m <= read);
            got.extend_from_slice(&buf[..m]);
            idle = if n == 0 && m == 0 { idle + 1 } else { 0 };
            if idle > 3 {
                // The reader must catch up for the connection to take more.
                let m = s.read_plaintext(&mut buf);
                prop_assert!(m > 0, "stuck with nothing to read");
                got.extend_from_slice(&buf[..m]);
            }
        }
        prop_assert_eq!(got.len(), sent.len());
        prop_assert!(got == sent, "plaintext differs");
        prop_assert_eq!(s.process_new_packets().unwrap().plaintext_bytes_to_read, 0);
    }
}

/// A reader that never reads: the connection stops taking records once
/// `max_received_plaintext` is reached, counting the plaintext held in the deframer's
/// buffer, and `wants_read` turns false; reading lets it go on.
#[test]
fn limit_counts_the_held_record() {
    let limit = 40_000;
    let p = common::pki();
    let clock = common::clock();
    let cc = common::client_builder(&p, &clock, b"client")
        .build()
        .unwrap();
    let mut limits = Limits::default();
    limits.max_received_plaintext = limit;
    let sc = common::server_builder(&p, &clock, b"server")
        .with_limits(limits)
        .build()
        .unwrap();
    let (mut c, mut s) = common::pair(cc, sc);
    common::handshake(&mut c, &mut s);
    let data = payload(200_000, 7);
    let wire = wire_for(&mut c, &data);
    let mut at = 0;
    loop {
        let n = s.read_tls_bytes(&wire[at..]);
        at += n;
        let st = s.process_new_packets().unwrap();
        assert!(
            st.plaintext_bytes_to_read < limit + 16 * 1024,
            "{} buffered",
            st.plaintext_bytes_to_read
        );
        if n == 0 {
            assert!(st.plaintext_bytes_to_read >= limit);
            assert!(!s.wants_read());
            break;
        }
    }
    assert!(at < wire.len());
    // Reading everything out lets the rest in.
    let mut got = common::read_all(&mut s);
    assert!(s.wants_read());
    while at < wire.len() {
        let n = s.read_tls_bytes(&wire[at..]);
        at += n;
        s.process_new_packets().unwrap();
        got.extend_from_slice(&common::read_all(&mut s));
    }
    assert!(got == data);
}

/// Data then close_notify in one delivery: both are processed by one
/// `process_new_packets` (the held record moves to the queue when another record is
/// ready), and the reader gets the data, then end of stream.
#[test]
fn close_notify_after_held_data() {
    let (mut c, mut s) = connected();
    let data = payload(5000, 3);
    let mut wire = wire_for(&mut c, &data);
    c.send_close_notify();
    wire.extend_from_slice(c.pending_tls());
    assert_eq!(s.read_tls_bytes(&wire), wire.len());
    let st = s.process_new_packets().unwrap();
    assert!(st.peer_has_closed);
    assert_eq!(st.plaintext_bytes_to_read, data.len());
    assert!(common::read_all(&mut s) == data);
    let mut buf = [0u8; 10];
    assert_eq!(
        std::io::Read::read(&mut s.reader(), &mut buf).unwrap(),
        0,
        "end of stream after close_notify"
    );
}

/// A record held for the reader, then more bytes before the reader took it: the held
/// plaintext goes to the queue first and nothing is lost or reordered.
#[test]
fn bytes_arriving_before_the_reader_took_the_held_record() {
    let (mut c, mut s) = connected();
    let a = payload(16_384, 1);
    let b = payload(9_000, 2);
    let wa = wire_for(&mut c, &a);
    let wb = wire_for(&mut c, &b);
    assert_eq!(s.read_tls_bytes(&wa), wa.len());
    assert_eq!(
        s.process_new_packets().unwrap().plaintext_bytes_to_read,
        a.len()
    );
    // Take part of it, then more input arrives.
    let mut first = vec![0u8; 100];
    assert_eq!(s.read_plaintext(&mut first), 100);
    assert_eq!(s.read_tls_bytes(&wb), wb.len());
    let st = s.process_new_packets().unwrap();
    assert_eq!(st.plaintext_bytes_to_read, a.len() - 100 + b.len());
    let mut got = first;
    got.extend_from_slice(&common::read_all(&mut s));
    let mut want = a.clone();
    want.extend_from_slice(&b);
    assert!(got == want);
}
