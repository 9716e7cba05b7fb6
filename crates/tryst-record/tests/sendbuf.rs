//! `SendBuffer` (records sealed straight into reused, initialised memory, out of place)
//! against the `Vec<u8>` sink (content copied in, sealed in place): for any sequence of
//! writes, alerts, change_cipher_spec records, key changes and partial drains, the bytes
//! that leave a `SendBuffer` are exactly the bytes the `Vec` path produces, and a receiver
//! gets exactly the stream. TLS 1.3 (with padding and record_size_limit) and TLS 1.2
//! (AES-GCM explicit nonce, ChaCha20-Poly1305), and unprotected records before a key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use core::num::NonZeroU16;

use proptest::prelude::*;
use tryst_crypto::{AES_128_GCM, AES_256_GCM, Aead, AeadKey, CHACHA20_POLY1305, Iv};
use tryst_messages::{Alert, AlertDescription, AlertLevel, ContentType};
use tryst_record::{
    Deframer, Message, Padding, RecordDecrypter, RecordEncrypter, SendBuffer, TLS12_GCM_SALT_LEN,
};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Version {
    Tls13,
    Tls12,
}

#[derive(Clone, Debug)]
enum Op {
    /// Application data (or a handshake message) of this many bytes.
    Write(ContentType, usize),
    /// The transport takes this many bytes (clamped to what is waiting).
    Drain(usize),
    /// A new key in both directions (a KeyUpdate, or a TLS 1.2 renegotiation-free rekey).
    Rekey(u8),
    /// A user_canceled warning alert (does not close).
    Alert,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..40_000).prop_map(|n| Op::Write(ContentType::ApplicationData, n)),
        1 => (1usize..600).prop_map(|n| Op::Write(ContentType::Handshake, n)),
        4 => (0usize..50_000).prop_map(Op::Drain),
        1 => any::<u8>().prop_map(Op::Rekey),
        1 => Just(Op::Alert),
    ]
}

fn padding() -> impl Strategy<Value = Padding> {
    prop_oneof![
        Just(Padding::None),
        Just(Padding::ToMax),
        (1u16..2000).prop_map(|n| Padding::ToMultipleOf(NonZeroU16::new(n).unwrap())),
    ]
}

/// The TLS 1.2 write IV: the 4-byte salt for AES-GCM, 12 bytes for ChaCha20-Poly1305.
fn tls12_iv_len(aead: &dyn Aead) -> usize {
    if aead.algorithm() == CHACHA20_POLY1305.algorithm() {
        12
    } else {
        TLS12_GCM_SALT_LEN
    }
}

fn set_key(e: &mut RecordEncrypter, v: Version, aead: &dyn Aead, seed: u8) {
    let k = AeadKey::from_slice(&[seed; 32][..aead.key_len()]).unwrap();
    match v {
        Version::Tls13 => e.set_key(aead, &k, Iv::from_slice(&[seed ^ 0x5a; 12]).unwrap()),
        Version::Tls12 => {
            let iv_len = tls12_iv_len(aead);
            e.set_key_tls12(
                aead,
                &k,
                Iv::from_slice(&[seed ^ 0x5a; 12][..iv_len]).unwrap(),
            )
        }
    }
    .unwrap();
}

fn set_recv_key(d: &mut RecordDecrypter, v: Version, aead: &dyn Aead, seed: u8) {
    let k = AeadKey::from_slice(&[seed; 32][..aead.key_len()]).unwrap();
    match v {
        Version::Tls13 => d.set_key(aead, &k, Iv::from_slice(&[seed ^ 0x5a; 12]).unwrap()),
        Version::Tls12 => {
            let iv_len = tls12_iv_len(aead);
            d.set_key_tls12(
                aead,
                &k,
                Iv::from_slice(&[seed ^ 0x5a; 12][..iv_len]).unwrap(),
            )
        }
    }
    .unwrap();
}

/// What the receiver should see: the stream of each kind, and key changes at the points
/// where they happened (by record count).
struct Reference {
    wire: Vec<u8>,
    stream: Vec<u8>,
}

fn data(len: usize, salt: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(131) ^ salt) as u8)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn send_buffer_equals_vec_sink(
        tls12 in any::<bool>(),
        which in 0usize..3,
        pad in padding(),
        limit in prop_oneof![Just(None), (64u16..20000).prop_map(Some)],
        plaintext_first in 0usize..3,
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let v = if tls12 { Version::Tls12 } else { Version::Tls13 };
        let aead = [AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305][which];
        let (mut a, mut b) = (RecordEncrypter::new(), RecordEncrypter::new());
        let mut reference = Reference { wire: Vec::new(), stream: Vec::new() };
        let mut buf = SendBuffer::new();
        let mut transport = Vec::new();
        // A few unprotected handshake records and a change_cipher_spec first.
        for i in 0..plaintext_first {
            let msg = data(300 * i + 17_000 * (i % 2), i);
            a.write(ContentType::Handshake, &msg, &mut reference.wire).unwrap();
            b.write(ContentType::Handshake, &msg, &mut buf).unwrap();
        }
        a.write_change_cipher_spec(&mut reference.wire).unwrap();
        b.write_change_cipher_spec(&mut buf).unwrap();
        for e in [&mut a, &mut b] {
            set_key(e, v, aead, 1);
            e.set_padding(pad);
            if let Some(l) = limit {
                e.set_record_size_limit(l).unwrap();
            }
        }
        // The receiver replays the key changes at the same points of the wire.
        let mut key_at = vec![(reference.wire.len(), 1u8)];
        for (i, op) in ops.iter().enumerate() {
            match *op {
                Op::Write(typ, n) => {
                    let msg = data(n, i);
                    a.write(typ, &msg, &mut reference.wire).unwrap();
                    b.write(typ, &msg, &mut buf).unwrap();
                    if typ == ContentType::ApplicationData {
                        reference.stream.extend_from_slice(&msg);
                    }
                }
                Op::Drain(n) => {
                    let n = n.min(buf.len());
                    transport.extend_from_slice(&buf.pending()[..n]);
                    buf.consume(n);
                }
                Op::Rekey(seed) => {
                    let seed = seed | 2;
                    // Padding and the record size limit stay across key changes.
                    set_key(&mut a, v, aead, seed);
                    set_key(&mut b, v, aead, seed);
                    key_at.push((reference.wire.len(), seed));
                }
                Op::Alert => {
                    let alert = Alert {
                        level: AlertLevel::Warning,
                        description: AlertDescription::UserCanceled,
                    };
                    a.write_alert(alert, &mut reference.wire).unwrap();
                    b.write_alert(alert, &mut buf).unwrap();
                }
            }
            prop_assert_eq!(transport.len() + buf.len(), reference.wire.len());
            prop_assert_eq!(buf.pending(), &reference.wire[transport.len()..]);
        }
        a.write_close_notify(&mut reference.wire).unwrap();
        b.write_close_notify(&mut buf).unwrap();
        transport.extend_from_slice(buf.pending());
        buf.consume(usize::MAX);
        prop_assert!(buf.is_empty());
        prop_assert_eq!(&transport, &reference.wire);
        prop_assert_eq!(a.sequence_number(), b.sequence_number());

        // The receiver gets exactly the application data stream.
        let mut d = RecordDecrypter::new();
        d.set_change_cipher_spec_allowed(!tls12);
        if let Some(l) = limit {
            d.set_record_size_limit(l).unwrap();
        }
        let mut f = Deframer::new();
        let mut got = Vec::new();
        let mut at = 0;
        let mut keys = key_at.into_iter().peekable();
        let mut closed = false;
        while at < transport.len() {
            while let Some(&(pos, seed)) = keys.peek()
                && pos == at
            {
                set_recv_key(&mut d, v, aead, seed);
                keys.next();
            }
            // One record at a time, so a key change lands on its record boundary.
            let len = 5 + usize::from(u16::from_be_bytes([transport[at + 3], transport[at + 4]]));
            prop_assert_eq!(f.push(&transport[at..at + len]), len);
            at += len;
            if tls12 && transport[at - len] == 20 {
                d.expect_change_cipher_spec();
            }
            // (A TLS 1.3 change_cipher_spec is dropped: no message.)
            match f.next_record(&mut d).unwrap() {
                Some(Message::ApplicationData(b)) => got.extend_from_slice(b),
                Some(Message::CloseNotify) => closed = true,
                _ => {}
            }
        }
        prop_assert!(closed);
        prop_assert_eq!(got, reference.stream);
    }
}
