//! Fuzz the record layer's receive path: the `Deframer` plus `RecordDecrypter` under a
//! fixed key (or none: the plaintext path), on arbitrary bytes split into arbitrary
//! pieces; then seal → open of the same bytes must be the identity.
//!
//! Input: byte 0 picks the key (bits 0-1: none, RFC 8448 §3 server handshake, server
//! application, client application), whether change_cipher_spec is tolerated (bit 2) and
//! the piece size (bits 3-7); byte 1 picks the padding, the record size limit (bit 7) and
//! whether rejected early data is skipped (bit 6). The rest is the transport stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
use tryst_messages::{ContentType, MAX_PLAINTEXT_LEN};
use tryst_record::{
    Deframer, MAX_RECORD_LEN, Message, Padding, RecordDecrypter, RecordEncrypter,
};

/// RFC 8448 §3 traffic keys and IVs, so the seed records open.
const KEYS: [([u8; 16], [u8; 12]); 3] = [
    (
        *b"\x3f\xce\x51\x60\x09\xc2\x17\x27\xd0\xf2\xe4\xe8\x6e\xe4\x03\xbc",
        *b"\x5d\x31\x3e\xb2\x67\x12\x76\xee\x13\x00\x0b\x30",
    ),
    (
        *b"\x9f\x02\x28\x3b\x6c\x9c\x07\xef\xc2\x6b\xb9\xf2\xac\x92\xe3\x56",
        *b"\xcf\x78\x2b\x88\xdd\x83\x54\x9a\xad\xf1\xe9\x84",
    ),
    (
        *b"\x17\x42\x2d\xda\x59\x6e\xd5\xd9\xac\xd8\x90\xe3\xc6\x3f\x50\x51",
        *b"\x5b\x78\x92\x3d\xee\x08\x57\x90\x33\xe5\x23\xd9",
    ),
];

fn key(sel: u8) -> Option<(AeadKey, Iv)> {
    let (k, iv) = KEYS.get(usize::from(sel & 3).checked_sub(1)?)?;
    Some((AeadKey::from_slice(k).ok()?, Iv::from_slice(iv).ok()?))
}

fuzz_target!(|data: &[u8]| {
    let [mode, pad, stream @ ..] = data else {
        return;
    };
    let mut dec = RecordDecrypter::new();
    if let Some((k, iv)) = key(*mode) {
        dec.set_key(AES_128_GCM, &k, iv).expect("key");
    }
    dec.set_change_cipher_spec_allowed(mode & 4 != 0);
    if pad & 0x40 != 0 {
        // A server that rejected 0-RTT: undecryptable records are skipped up to a budget.
        dec.skip_rejected_early_data(u32::from(*pad) * 64);
    }
    let piece = usize::from(mode >> 3) * 97 + 1;

    let mut deframer = Deframer::new();
    let mut failed = None;
    'feed: for chunk in stream.chunks(piece) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let n = deframer.push(rest);
            rest = &rest[n..];
            assert!(deframer.buffered_len() <= MAX_RECORD_LEN);
            loop {
                match deframer.next_record(&mut dec) {
                    Ok(Some(Message::Handshake(b) | Message::ApplicationData(b))) => {
                        assert!(!b.is_empty() && b.len() <= MAX_PLAINTEXT_LEN);
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        // The first error is permanent.
                        assert_eq!(deframer.next_record(&mut dec).err(), Some(e));
                        let _ = (e.alert(), e.to_string());
                        failed = Some(e);
                        break 'feed;
                    }
                }
            }
            if n == 0 {
                break 'feed;
            }
        }
    }
    let eof = deframer.end_of_input(&dec);
    if failed.is_none() && !dec.received_close_notify() {
        assert!(eof.is_err());
    }

    // Seal → open identity on the same bytes.
    let Some((k, iv)) = key(*mode | 1) else {
        return;
    };
    let (k2, iv2) = (k.duplicate(), iv.duplicate());
    let mut enc = RecordEncrypter::new();
    enc.set_key(AES_128_GCM, &k, iv).expect("key");
    enc.set_padding(match pad % 4 {
        0 => Padding::None,
        1 => Padding::ToMax,
        2 => {
            Padding::ToMultipleOf(core::num::NonZeroU16::new(u16::from(*pad) + 1).expect("nonzero"))
        }
        _ => Padding::Custom(|_, len| len / 3),
    });
    if pad & 0x80 != 0 {
        enc.set_record_size_limit(64 + u16::from(*pad))
            .expect("limit");
    }
    let typ = if mode & 4 != 0 {
        ContentType::Handshake
    } else {
        ContentType::ApplicationData
    };
    let mut wire = Vec::new();
    enc.write(typ, stream, &mut wire).expect("seal");
    let mut dec = RecordDecrypter::new();
    dec.set_key(AES_128_GCM, &k2, iv2).expect("key");
    let mut deframer = Deframer::new();
    let mut got = Vec::new();
    let mut rest = &wire[..];
    while !rest.is_empty() {
        let n = deframer.push(rest);
        rest = &rest[n..];
        while let Some(m) = deframer.next_record(&mut dec).expect("open") {
            match m {
                Message::Handshake(b) | Message::ApplicationData(b) => got.extend_from_slice(b),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(got, stream);
    assert_eq!(dec.sequence_number(), enc.sequence_number());
});
