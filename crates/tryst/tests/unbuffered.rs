//! The zero-copy API (`encrypt_into` / `process_in_place`) against the buffered API of the
//! other side: every record size, records split across reads, tampering, KeyUpdate,
//! close_notify and misuse.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

mod common;

use common::*;
use tryst::messages::AlertDescription;
use tryst::{ClientConnection, EncryptError, Error, ServerConnection};

fn established() -> (ClientConnection, ServerConnection) {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    (c, s)
}

/// `data` sealed by `from` through `encrypt_into`.
fn seal(from: &mut tryst::ConnectionCommon, data: &[u8]) -> Vec<u8> {
    let needed = match from.encrypt_into(data, &mut []) {
        Ok(0) => return Vec::new(),
        Ok(n) => panic!("{n} bytes written into an empty buffer"),
        Err(EncryptError::InsufficientSize { needed }) => needed,
        Err(e) => panic!("{e}"),
    };
    let mut out = vec![0u8; needed + 7];
    let n = from.encrypt_into(data, &mut out).unwrap();
    assert_eq!(n, needed);
    out.truncate(n);
    out
}

/// Everything `to` hands out from `wire` through `process_in_place`.
fn open(to: &mut tryst::ConnectionCommon, wire: &mut [u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let mut at = 0;
    while at < wire.len() {
        let r = to.process_in_place(&mut wire[at..]).unwrap();
        assert!(r.consumed > 0, "a whole record was not taken");
        if let Some(p) = r.plaintext {
            got.extend_from_slice(p);
        }
        at += r.consumed;
    }
    got
}

/// `data` sent by `from` through the buffered API, as TLS bytes.
fn buffered_wire(from: &mut tryst::ConnectionCommon, data: &[u8]) -> Vec<u8> {
    assert_eq!(from.send_plaintext(data).unwrap(), data.len());
    let wire = from.pending_tls().to_vec();
    from.consume_tls(wire.len());
    wire
}

fn buffered_read(to: &mut tryst::ConnectionCommon, wire: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let mut rest = wire;
    let mut buf = vec![0u8; 1 << 16];
    while !rest.is_empty() {
        let n = to.read_tls_bytes(rest);
        rest = &rest[n..];
        to.process_new_packets().unwrap();
        loop {
            let m = to.read_plaintext(&mut buf);
            if m == 0 {
                break;
            }
            got.extend_from_slice(&buf[..m]);
        }
    }
    got
}

const SIZES: [usize; 11] = [0, 1, 2, 15, 16, 255, 1000, 16383, 16384, 16385, 40000];

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + len) % 251) as u8).collect()
}

#[test]
fn unbuffered_send_to_buffered_receive_every_size() {
    let (mut c, mut s) = established();
    for len in SIZES {
        let data = pattern(len);
        let wire = seal(&mut c, &data);
        // One record per 2^14 bytes: header, content, type byte, tag.
        let records = len.div_ceil(16384);
        assert_eq!(wire.len(), len + records * (5 + 1 + 16), "len {len}");
        assert_eq!(buffered_read(&mut s, &wire), data, "len {len}");
    }
}

#[test]
fn buffered_send_to_unbuffered_receive_every_size() {
    let (mut c, mut s) = established();
    for len in SIZES {
        let data = pattern(len);
        let mut wire = buffered_wire(&mut s, &data);
        assert_eq!(open(&mut c, &mut wire), data, "len {len}");
    }
}

#[test]
fn unbuffered_both_ways() {
    let (mut c, mut s) = established();
    for len in SIZES {
        let data = pattern(len);
        let mut wire = seal(&mut c, &data);
        assert_eq!(open(&mut s, &mut wire), data);
        let mut wire = seal(&mut s, &data);
        assert_eq!(open(&mut c, &mut wire), data);
    }
}

#[test]
fn record_split_across_two_buffers() {
    let (mut c, mut s) = established();
    let data = pattern(16384);
    let record_len = 5 + 16384 + 1 + 16;
    for split in [1, 4, 5, 6, 100, record_len - 1] {
        let wire = buffered_wire(&mut s, &data);
        // The first read holds only part of the record: nothing is taken.
        let mut first = wire[..split].to_vec();
        let r = c.process_in_place(&mut first).unwrap();
        assert_eq!((r.consumed, r.plaintext), (0, None), "split at {split}");
        // The caller keeps those bytes and appends the rest.
        first.extend_from_slice(&wire[split..]);
        let r = c.process_in_place(&mut first).unwrap();
        assert_eq!(r.consumed, wire.len());
        assert_eq!(r.plaintext, Some(&data[..]));
    }
}

#[test]
fn tampered_record_is_bad_record_mac() {
    let (mut c, mut s) = established();
    let mut wire = buffered_wire(&mut s, b"attack at dawn");
    let last = wire.len() - 1;
    wire[last] ^= 1;
    let err = c.process_in_place(&mut wire).unwrap_err();
    assert_eq!(err.alert(), Some(AlertDescription::BadRecordMac));
    assert!(matches!(err, Error::Record(_)), "{err:?}");
    // The alert is queued for the peer and the error is permanent.
    assert!(c.wants_write());
    let mut again = buffered_wire(&mut s, b"x");
    assert_eq!(c.process_in_place(&mut again).unwrap_err(), err);
    assert!(matches!(
        c.encrypt_into(b"x", &mut [0; 64]),
        Err(EncryptError::Connection(_))
    ));
    // The peer sees bad_record_mac.
    let alert = c.pending_tls().to_vec();
    s.read_tls_bytes(&alert);
    assert_eq!(
        s.process_new_packets().unwrap_err(),
        Error::AlertReceived(AlertDescription::BadRecordMac)
    );
}

#[test]
fn key_update_mid_stream() {
    let (mut c, mut s) = established();
    let mut wire = seal(&mut c, b"before");
    assert_eq!(buffered_read(&mut s, &wire), b"before");
    wire.clear();

    // The server updates its key and asks the client to update too; the client reads it
    // all in place.
    s.refresh_traffic_keys(true).unwrap();
    let mut wire = buffered_wire(&mut s, b"after the server's update");
    assert_eq!(open(&mut c, &mut wire), b"after the server's update");
    // The client answered with its own KeyUpdate and switched its send key; the answer
    // is queued, and encrypt_into sends it first, ahead of the data under the new key.
    assert_eq!(c.key_generations(), (1, 1));
    assert!(c.wants_write());
    let answer_len = c.pending_tls().len();
    let wire = seal(&mut c, b"after the client's update");
    assert!(!c.wants_write());
    assert!(wire.len() > answer_len);
    assert_eq!(c.key_generations(), (1, 1));
    assert_eq!(buffered_read(&mut s, &wire), b"after the client's update");
    assert_eq!(s.key_generations(), (1, 1));

    // A KeyUpdate the client starts itself, through the unbuffered API both ways.
    c.refresh_traffic_keys(false).unwrap();
    let mut wire = seal(&mut c, &pattern(20000));
    assert_eq!(open(&mut s, &mut wire), pattern(20000));
    assert_eq!((c.key_generations(), s.key_generations()), ((2, 1), (1, 2)));
    let mut wire = seal(&mut s, b"still fine");
    assert_eq!(open(&mut c, &mut wire), b"still fine");
}

#[test]
fn insufficient_size_writes_nothing() {
    let (mut c, mut s) = established();
    let mut out = vec![0u8; 100];
    let err = c.encrypt_into(&[1; 100], &mut out).unwrap_err();
    assert_eq!(err, EncryptError::InsufficientSize { needed: 122 });
    assert!(out.iter().all(|&b| b == 0));
    // No sequence number was used: the next record opens at the peer.
    let mut out = vec![0u8; 122];
    assert_eq!(c.encrypt_into(&[1; 100], &mut out).unwrap(), 122);
    assert_eq!(buffered_read(&mut s, &out), [1; 100]);
}

#[test]
fn refused_before_the_handshake_and_after_close() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let sc = server_builder(&p, &clock, b"server").build().unwrap();
    let (mut c, mut s) = pair(cc, sc);
    assert!(matches!(
        c.encrypt_into(b"early", &mut [0; 100]),
        Err(EncryptError::Connection(Error::NotReady(_)))
    ));
    handshake(&mut c, &mut s);
    c.send_close_notify();
    assert!(matches!(
        c.encrypt_into(b"late", &mut [0; 100]),
        Err(EncryptError::Connection(Error::NotReady(_)))
    ));
}

#[test]
fn close_notify_in_place() {
    let (mut c, mut s) = established();
    let mut wire = buffered_wire(&mut s, b"last words");
    s.send_close_notify();
    wire.extend_from_slice(s.pending_tls());
    wire.extend_from_slice(b"ignored garbage after close_notify");
    assert_eq!(open(&mut c, &mut wire), b"last words");
    assert!(c.peer_has_closed());
}

#[test]
fn bytes_buffered_by_read_tls_come_first() {
    let (mut c, mut s) = established();
    let wire = buffered_wire(&mut s, b"hello");
    c.read_tls_bytes(&wire[..3]);
    let mut rest = wire[3..].to_vec();
    assert!(matches!(
        c.process_in_place(&mut rest),
        Err(Error::NotReady(_))
    ));
    // Not fatal: finish through the buffered API.
    assert_eq!(buffered_read(&mut c, &rest), b"hello");
    let mut wire = buffered_wire(&mut s, b"then in place");
    assert_eq!(open(&mut c, &mut wire), b"then in place");
}
