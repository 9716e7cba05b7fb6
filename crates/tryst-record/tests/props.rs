//! Properties: seal → open is the identity for any content type, length and padding; any
//! single-bit change to a protected record is rejected; deframing does not depend on how
//! the input is split.
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
use tryst_messages::ContentType;
use tryst_record::{Deframer, Error, Message, Padding, RecordDecrypter, RecordEncrypter};

fn pair(aead: &dyn Aead, key: &[u8], iv: [u8; 12]) -> (RecordEncrypter, RecordDecrypter) {
    let k = AeadKey::from_slice(&key[..aead.key_len()]).unwrap();
    let mut e = RecordEncrypter::new();
    e.set_key(aead, &k, Iv::from_slice(&iv).unwrap()).unwrap();
    let mut d = RecordDecrypter::new();
    d.set_key(aead, &k, Iv::from_slice(&iv).unwrap()).unwrap();
    (e, d)
}

fn padding() -> impl Strategy<Value = Padding> {
    prop_oneof![
        Just(Padding::None),
        Just(Padding::ToMax),
        (1u16..2000).prop_map(|n| Padding::ToMultipleOf(NonZeroU16::new(n).unwrap())),
        Just(Padding::Custom(|_, len| len % 97)),
    ]
}

fn content_type() -> impl Strategy<Value = ContentType> {
    prop_oneof![
        Just(ContentType::Handshake),
        Just(ContentType::ApplicationData)
    ]
}

/// Everything the deframer hands out, concatenated per message kind.
fn drain(f: &mut Deframer, d: &mut RecordDecrypter, out: &mut Vec<u8>) -> Result<(), Error> {
    while let Some(m) = f.next_record(d)? {
        match m {
            Message::Handshake(b) | Message::ApplicationData(b) => out.extend_from_slice(b),
            Message::CloseNotify => out.extend_from_slice(b"<close>"),
            other => panic!("{other:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn seal_open_identity(
        which in 0usize..3,
        key in prop::array::uniform32(any::<u8>()),
        iv in prop::array::uniform12(any::<u8>()),
        typ in content_type(),
        len in prop_oneof![1usize..300, 16000usize..40000],
        pad in padding(),
        limit in prop_oneof![Just(None), (64u16..20000).prop_map(Some)],
        seed in any::<u8>(),
    ) {
        let aead = [AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305][which];
        let (mut e, mut d) = pair(aead, &key, iv);
        e.set_padding(pad);
        if let Some(l) = limit {
            e.set_record_size_limit(l).unwrap();
            d.set_record_size_limit(l).unwrap();
        }
        let data: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
        let mut wire = Vec::new();
        e.write(typ, &data, &mut wire).unwrap();
        e.write_close_notify(&mut wire).unwrap();
        let mut f = Deframer::new();
        let mut got = Vec::new();
        let mut rest = &wire[..];
        while !rest.is_empty() {
            let n = f.push(rest);
            rest = &rest[n..];
            drain(&mut f, &mut d, &mut got).unwrap();
        }
        let mut expected = data.clone();
        expected.extend_from_slice(b"<close>");
        prop_assert_eq!(got, expected);
        prop_assert_eq!(d.sequence_number(), e.sequence_number());
        prop_assert!(f.end_of_input(&d).is_ok());
    }

    #[test]
    fn any_bit_flip_is_rejected(
        key in prop::array::uniform32(any::<u8>()),
        iv in prop::array::uniform12(any::<u8>()),
        typ in content_type(),
        len in 1usize..200,
        pad in padding(),
        bit in any::<prop::sample::Index>(),
    ) {
        let (mut e, mut d) = pair(AES_128_GCM, &key, iv);
        e.set_padding(pad);
        let mut rec = Vec::new();
        e.write(typ, &vec![0xa5; len], &mut rec).unwrap();
        let i = bit.index(rec.len() * 8);
        rec[i / 8] ^= 1 << (i % 8);
        prop_assert!(d.open_in_place(&mut rec).is_err());
    }

    #[test]
    fn split_anywhere_same_result(
        len in 1usize..3000,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let (mut e, mut d) = pair(AES_128_GCM, &[7; 32], [9; 12]);
        e.set_record_size_limit(500).unwrap();
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut wire = Vec::new();
        e.write(ContentType::ApplicationData, &data, &mut wire).unwrap();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(wire.len());
        let mut f = Deframer::new();
        let mut got = Vec::new();
        let mut prev = 0;
        for c in cuts {
            let mut rest = &wire[prev..c];
            prev = c;
            while !rest.is_empty() {
                let n = f.push(rest);
                rest = &rest[n..];
                drain(&mut f, &mut d, &mut got).unwrap();
            }
        }
        prop_assert_eq!(got, data);
    }
}

#[test]
fn every_bit_flip_of_an_rfc_sized_record_is_rejected() {
    let (mut e, _) = pair(AES_128_GCM, &[3; 32], [4; 12]);
    let mut rec = Vec::new();
    e.write(ContentType::Handshake, b"exhaustive", &mut rec)
        .unwrap();
    for i in 0..rec.len() * 8 {
        let (_, mut d) = pair(AES_128_GCM, &[3; 32], [4; 12]);
        let mut bad = rec.clone();
        bad[i / 8] ^= 1 << (i % 8);
        assert!(d.open_in_place(&mut bad).is_err(), "bit {i}");
    }
}
