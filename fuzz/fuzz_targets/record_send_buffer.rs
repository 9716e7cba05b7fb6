//! Fuzz `SendBuffer` (the buffered send path: records sealed straight into reused,
//! initialised memory, pending bytes tracked by offsets) against the `Vec<u8>` sink
//! (content copied in, sealed in place): any sequence of writes, alerts, key changes and
//! partial drains gives exactly the same bytes, and `pending` is always the unsent tail.
//!
//! Input: byte 0 picks the mode (bit 0: TLS 1.2 AES-GCM with its explicit nonce instead of
//! TLS 1.3; bits 1-2: padding; bits 3-7: record_size_limit, 0 = none). Then ops of three
//! bytes: the op (low two bits: write, drain, rekey, alert / handshake message) and a
//! 16-bit length.
#![no_main]

use core::num::NonZeroU16;

use libfuzzer_sys::fuzz_target;
use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
use tryst_messages::{Alert, AlertDescription, AlertLevel, ContentType};
use tryst_record::{Padding, RecordEncrypter, SendBuffer};

fn set_key(e: &mut RecordEncrypter, tls12: bool, seed: u8) {
    let key = AeadKey::from_slice(&[seed; 16]).expect("key");
    if tls12 {
        e.set_key_tls12(AES_128_GCM, &key, Iv::from_slice(&[seed; 4]).expect("iv"))
            .expect("key");
    } else {
        e.set_key(AES_128_GCM, &key, Iv::from_slice(&[seed; 12]).expect("iv"))
            .expect("key");
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, ops @ ..] = data else {
        return;
    };
    let tls12 = mode & 1 == 1;
    let padding = match (mode >> 1) & 3 {
        0 => Padding::None,
        1 => Padding::ToMax,
        2 => Padding::ToMultipleOf(NonZeroU16::new(u16::from(*mode) + 1).expect("non-zero")),
        _ => Padding::Custom(|_, len| len % 31),
    };
    let limit = u16::from(mode >> 3) * 530;
    let (mut a, mut b) = (RecordEncrypter::new(), RecordEncrypter::new());
    let mut reference = Vec::new();
    let mut buf = SendBuffer::new();
    let mut sent = Vec::new();
    // The first flight is unprotected.
    a.write(ContentType::Handshake, &[1; 300], &mut reference).expect("plaintext");
    b.write(ContentType::Handshake, &[1; 300], &mut buf).expect("plaintext");
    for e in [&mut a, &mut b] {
        set_key(e, tls12, 1);
        e.set_padding(padding);
        if limit >= 64 {
            e.set_record_size_limit(limit).expect("limit");
        }
    }
    for (i, op) in ops.chunks_exact(3).enumerate() {
        let len = usize::from(u16::from_be_bytes([op[1], op[2]]));
        match op[0] & 3 {
            0 => {
                let content: Vec<u8> = (0..len).map(|j| (i ^ j) as u8).collect();
                let ra = a.write(ContentType::ApplicationData, &content, &mut reference);
                let rb = b.write(ContentType::ApplicationData, &content, &mut buf);
                assert_eq!(ra, rb);
            }
            1 => {
                let n = len.min(buf.len());
                sent.extend_from_slice(&buf.pending()[..n]);
                buf.consume(n);
            }
            2 => {
                set_key(&mut a, tls12, op[1]);
                set_key(&mut b, tls12, op[1]);
                if op[2] & 1 == 1 {
                    buf.shrink_to_fit();
                }
            }
            _ if op[1] & 1 == 1 => {
                let alert = Alert {
                    level: AlertLevel::Warning,
                    description: AlertDescription::UserCanceled,
                };
                assert_eq!(
                    a.write_alert(alert, &mut reference),
                    b.write_alert(alert, &mut buf)
                );
            }
            _ => {
                let msg = vec![op[2]; len % 2000 + 1];
                assert_eq!(
                    a.write(ContentType::Handshake, &msg, &mut reference),
                    b.write(ContentType::Handshake, &msg, &mut buf)
                );
            }
        }
        assert_eq!(sent.len() + buf.len(), reference.len());
        assert!(buf.pending() == &reference[sent.len()..], "pending bytes differ");
    }
    sent.extend_from_slice(buf.pending());
    buf.consume(usize::MAX);
    assert!(buf.is_empty());
    assert!(sent == reference, "stream differs");
});
