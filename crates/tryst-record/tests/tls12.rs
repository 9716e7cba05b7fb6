//! TLS 1.2 protection: seal → open is the identity for every AEAD; any single-bit change
//! is rejected; the 1.2 record shapes (explicit nonce, no inner type), limits,
//! ChangeCipherSpec delivery and alert rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use proptest::prelude::*;
use tryst_crypto::{AES_128_GCM, AES_256_GCM, Aead, AeadKey, CHACHA20_POLY1305, Iv, TAG_LEN};
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ContentType, HandshakeJoiner, MAX_PLAINTEXT_LEN,
};
use tryst_record::{
    Deframer, Error, HEADER_LEN, Message, RecordDecrypter, RecordEncrypter,
    TLS12_EXPLICIT_NONCE_LEN,
};

const AEADS: [&dyn Aead; 3] = [AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305];

fn iv_len(aead: &dyn Aead) -> usize {
    if aead.algorithm() == CHACHA20_POLY1305.algorithm() {
        12
    } else {
        4
    }
}

fn pair12(aead: &dyn Aead, key: &[u8], iv: &[u8]) -> (RecordEncrypter, RecordDecrypter) {
    let k = AeadKey::from_slice(&key[..aead.key_len()]).unwrap();
    let iv = &iv[..iv_len(aead)];
    let mut e = RecordEncrypter::new();
    e.set_key_tls12(aead, &k, Iv::from_slice(iv).unwrap())
        .unwrap();
    let mut d = RecordDecrypter::new();
    d.set_key_tls12(aead, &k, Iv::from_slice(iv).unwrap())
        .unwrap();
    (e, d)
}

fn content_type() -> impl Strategy<Value = ContentType> {
    prop_oneof![
        Just(ContentType::Handshake),
        Just(ContentType::ApplicationData)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn tls12_seal_open_identity(
        which in 0usize..3,
        key in prop::array::uniform32(any::<u8>()),
        iv in prop::array::uniform12(any::<u8>()),
        typ in content_type(),
        len in prop_oneof![1usize..300, 16000usize..40000],
        limit in prop_oneof![Just(None), (64u16..20000).prop_map(Some)],
        offset in any::<u64>(),
        seed in any::<u8>(),
    ) {
        let aead = AEADS[which];
        let (mut e, mut d) = pair12(aead, &key, &iv);
        e.set_tls12_explicit_nonce_offset(offset);
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
            while let Some(m) = f.next_record(&mut d).unwrap() {
                match m {
                    Message::Handshake(b) | Message::ApplicationData(b) => {
                        prop_assert_eq!(m.content_type(), typ);
                        got.extend_from_slice(b);
                    }
                    Message::CloseNotify => got.extend_from_slice(b"<close>"),
                    other => panic!("{other:?}"),
                }
            }
        }
        let mut expected = data.clone();
        expected.extend_from_slice(b"<close>");
        prop_assert_eq!(got, expected);
        prop_assert_eq!(d.sequence_number(), e.sequence_number());
    }

    #[test]
    fn tls12_any_bit_flip_is_rejected(
        which in 0usize..3,
        key in prop::array::uniform32(any::<u8>()),
        iv in prop::array::uniform12(any::<u8>()),
        typ in content_type(),
        len in 1usize..200,
        bit in any::<prop::sample::Index>(),
    ) {
        let (mut e, mut d) = pair12(AEADS[which], &key, &iv);
        let mut rec = Vec::new();
        e.write(typ, &vec![0xa5; len], &mut rec).unwrap();
        let i = bit.index(rec.len() * 8);
        rec[i / 8] ^= 1 << (i % 8);
        prop_assert!(d.open_in_place(&mut rec).is_err());
    }
}

/// The record's shape: real type and 0x0303 in the header, explicit nonce = sequence
/// number for AES-GCM, nothing extra for ChaCha20-Poly1305, no inner type or padding.
#[test]
fn tls12_record_layout() {
    for aead in AEADS {
        let (mut e, _) = pair12(aead, &[1; 32], &[2; 12]);
        let explicit = if iv_len(aead) == 4 {
            TLS12_EXPLICIT_NONCE_LEN
        } else {
            0
        };
        assert_eq!(e.content_offset(), HEADER_LEN + explicit);
        assert_eq!(
            e.record_len(ContentType::Handshake, 16),
            HEADER_LEN + explicit + 16 + TAG_LEN
        );
        assert_eq!(e.max_fragment_len(), MAX_PLAINTEXT_LEN);
        for seq in 0u64..3 {
            let mut out = Vec::new();
            e.write(ContentType::Handshake, &[9; 16], &mut out).unwrap();
            assert_eq!(out.len(), HEADER_LEN + explicit + 16 + TAG_LEN);
            let len = u16::try_from(explicit + 16 + TAG_LEN).unwrap();
            assert_eq!(out[..5], [22, 3, 3, (len >> 8) as u8, len as u8]);
            if explicit > 0 {
                assert_eq!(out[5..13], seq.to_be_bytes());
            }
        }
        // A full 2^14 fragment fits one record (no inner type byte in TLS 1.2).
        let mut out = Vec::new();
        e.write(
            ContentType::ApplicationData,
            &[0; MAX_PLAINTEXT_LEN],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out.len(),
            HEADER_LEN + explicit + MAX_PLAINTEXT_LEN + TAG_LEN
        );
    }
}

/// Each direction must use its own sequence numbers: a record replayed, reordered or
/// opened under the TLS 1.3 rules fails.
#[test]
fn tls12_sequence_and_mode_bind_the_record() {
    for aead in AEADS {
        let (mut e, mut d) = pair12(aead, &[5; 32], &[6; 12]);
        let mut r0 = Vec::new();
        e.write(ContentType::ApplicationData, b"first", &mut r0)
            .unwrap();
        let mut r1 = Vec::new();
        e.write(ContentType::ApplicationData, b"second", &mut r1)
            .unwrap();
        // Reordered: the second record under sequence number 0.
        assert_eq!(d.open_in_place(&mut r1.clone()), Err(Error::BadRecordMac));
        let (_, mut d) = pair12(aead, &[5; 32], &[6; 12]);
        assert!(d.open_in_place(&mut r0.clone()).is_ok());
        assert_eq!(d.open_in_place(&mut r0), Err(Error::BadRecordMac));
        // Retyped in the header: the AAD covers the type.
        let (_, mut d) = pair12(aead, &[5; 32], &[6; 12]);
        let mut retyped = r1.clone();
        retyped[0] = 22;
        let mut first = Vec::new();
        pair12(aead, &[5; 32], &[6; 12])
            .0
            .write(ContentType::ApplicationData, b"first", &mut first)
            .unwrap();
        d.open_in_place(&mut first).unwrap();
        assert_eq!(d.open_in_place(&mut retyped), Err(Error::BadRecordMac));
    }
}

#[test]
fn tls12_wrong_iv_length_is_refused() {
    let key = AeadKey::from_slice(&[0; 16]).unwrap();
    let mut e = RecordEncrypter::new();
    assert!(
        e.set_key_tls12(AES_128_GCM, &key, Iv::from_slice(&[0; 12]).unwrap())
            .is_err()
    );
    let key = AeadKey::from_slice(&[0; 32]).unwrap();
    let mut d = RecordDecrypter::new();
    assert!(
        d.set_key_tls12(CHACHA20_POLY1305, &key, Iv::from_slice(&[0; 4]).unwrap())
            .is_err()
    );
}

/// RFC 5246 §6.2.3: a fragment longer than 2^14 + the AEAD's expansion is record_overflow
/// from the header alone; a short one (no room for nonce and tag) is bad_record_mac.
#[test]
fn tls12_length_limits() {
    for aead in AEADS {
        let (_, mut d) = pair12(aead, &[1; 32], &[2; 12]);
        let explicit = if iv_len(aead) == 4 { 8 } else { 0 };
        let max = MAX_PLAINTEXT_LEN + explicit + TAG_LEN;
        let [hi, lo] = u16::try_from(max + 1).unwrap().to_be_bytes();
        let err = d.check_header(&[23, 3, 3, hi, lo]).unwrap_err();
        assert_eq!(err, Error::CiphertextOverflow { len: max + 1, max });
        assert_eq!(err.alert(), AlertDescription::RecordOverflow);
        let (_, mut d) = pair12(aead, &[1; 32], &[2; 12]);
        let [hi, lo] = u16::try_from(max).unwrap().to_be_bytes();
        assert_eq!(d.check_header(&[23, 3, 3, hi, lo]), Ok(max));
        let n = explicit + TAG_LEN - 1;
        let mut short = vec![23, 3, 3, 0, u8::try_from(n).unwrap()];
        short.resize(5 + n, 0);
        assert_eq!(d.open_in_place(&mut short), Err(Error::BadRecordMac));
    }
    // RFC 8449 in TLS 1.2: the limit counts the plaintext only.
    let (mut e, mut d) = pair12(AES_128_GCM, &[1; 32], &[2; 12]);
    e.set_record_size_limit(100).unwrap();
    assert_eq!(e.max_fragment_len(), 100);
    d.set_record_size_limit(99).unwrap();
    let mut out = Vec::new();
    e.write(ContentType::ApplicationData, &[1; 100], &mut out)
        .unwrap();
    assert_eq!(
        d.open_in_place(&mut out),
        Err(Error::PlaintextOverflow { len: 100, max: 99 })
    );
}

/// RFC 5246 §7.1: ChangeCipherSpec is a real message, delivered once when expected, in
/// the clear, before the read key; then the key goes in at a message boundary.
#[test]
fn tls12_change_cipher_spec() {
    let key = AeadKey::from_slice(&[4; 16]).unwrap();
    let mut d = RecordDecrypter::new();
    d.set_tls12();
    let ccs = [20u8, 3, 3, 0, 1, 1];
    // Not expected: unexpected_message.
    assert_eq!(
        d.open_in_place(&mut ccs.clone()),
        Err(Error::UnexpectedChangeCipherSpec)
    );
    let mut d = RecordDecrypter::new();
    d.expect_change_cipher_spec();
    // Not the single byte 1.
    assert_eq!(
        d.open_in_place(&mut [20, 3, 3, 0, 1, 2]),
        Err(Error::UnexpectedChangeCipherSpec)
    );
    let mut d = RecordDecrypter::new();
    d.expect_change_cipher_spec();
    assert_eq!(
        d.open_in_place(&mut ccs.clone()),
        Ok(Some(Message::ChangeCipherSpec))
    );
    // Only once.
    assert_eq!(
        d.open_in_place(&mut ccs.clone()),
        Err(Error::UnexpectedChangeCipherSpec)
    );
    // A key change with half a handshake message buffered is refused.
    let mut joiner = HandshakeJoiner::new();
    joiner.push(&[20, 0, 0, 12, 1]).unwrap();
    let mut d = RecordDecrypter::new();
    assert_eq!(
        d.set_key_tls12_at_boundary(&joiner, AES_128_GCM, &key, Iv::from_slice(&[0; 4]).unwrap()),
        Err(Error::KeyChangeInsideMessage)
    );
    // The encrypter writes it in the clear.
    let mut e = RecordEncrypter::new();
    let mut out = Vec::new();
    e.write_change_cipher_spec(&mut out).unwrap();
    assert_eq!(out, ccs);
}

/// RFC 5246 §7.2: warning alerts are not fatal in TLS 1.2; fatal ones are, as is every
/// alert but close_notify and user_canceled under TLS 1.3 rules.
#[test]
fn tls12_alert_rules() {
    let warning = Alert {
        level: AlertLevel::Warning,
        description: AlertDescription::UnrecognizedName,
    };
    let fatal = Alert {
        level: AlertLevel::Fatal,
        description: AlertDescription::HandshakeFailure,
    };
    let (mut e, mut d) = pair12(CHACHA20_POLY1305, &[8; 32], &[9; 12]);
    let mut out = Vec::new();
    e.write(ContentType::Alert, &[1, 112], &mut out).unwrap();
    assert_eq!(d.open_in_place(&mut out), Ok(Some(Message::Alert(warning))));
    let mut out = Vec::new();
    e.write_alert(fatal, &mut out).unwrap();
    assert_eq!(d.open_in_place(&mut out), Err(Error::AlertReceived(fatal)));
    // In the clear, before keys: the same rule once the version is known.
    let mut d = RecordDecrypter::new();
    d.set_tls12();
    assert_eq!(
        d.open_in_place(&mut [21, 3, 3, 0, 2, 1, 112]),
        Ok(Some(Message::Alert(warning)))
    );
    let mut d = RecordDecrypter::new();
    assert_eq!(
        d.open_in_place(&mut [21, 3, 3, 0, 2, 1, 112]),
        Err(Error::AlertReceived(warning))
    );
}

/// TLS 1.3-only content is refused under a TLS 1.2 key: an unknown outer type, and
/// application data before it is allowed.
#[test]
fn tls12_content_types() {
    let (mut e, mut d) = pair12(AES_256_GCM, &[1; 32], &[1; 12]);
    assert_eq!(
        d.check_header(&[24, 3, 3, 0, 30]),
        Err(Error::UnexpectedContentType(ContentType::Heartbeat))
    );
    let (_, mut d) = pair12(AES_256_GCM, &[1; 32], &[1; 12]);
    d.set_application_data_allowed(false);
    let mut out = Vec::new();
    e.write(ContentType::ApplicationData, b"early", &mut out)
        .unwrap();
    assert_eq!(
        d.open_in_place(&mut out),
        Err(Error::UnexpectedContentType(ContentType::ApplicationData))
    );
    // An empty handshake fragment is unexpected_message (RFC 5246 §6.2.1).
    let (mut e, mut d) = pair12(AES_256_GCM, &[1; 32], &[1; 12]);
    let mut rec = vec![0u8; e.record_len(ContentType::Handshake, 0)];
    let n = e
        .encrypt_in_place(ContentType::Handshake, &mut rec, 0)
        .unwrap();
    assert_eq!(
        d.open_in_place(&mut rec[..n]),
        Err(Error::EmptyFragment(ContentType::Handshake))
    );
}

#[test]
fn tls12_write_into_equals_write() {
    // The zero-copy path puts the content after the explicit nonce too (it used to write
    // it right after the header under an AES-GCM key, so 8 bytes were lost).
    for aead in AEADS {
        for len in [1usize, 20, 300, 16_384, 40_000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let (mut a, _) = pair12(aead, &[7; 32], &[9; 12]);
            let (mut b, mut d) = pair12(aead, &[7; 32], &[9; 12]);
            let mut via_write = Vec::new();
            a.write(ContentType::ApplicationData, &data, &mut via_write)
                .unwrap();
            let mut out = vec![0u8; b.write_len(ContentType::ApplicationData, len)];
            let n = b
                .write_into(ContentType::ApplicationData, &data, &mut out)
                .unwrap();
            assert_eq!(n, out.len());
            assert_eq!(out, via_write, "{:?} {len}", aead.algorithm());
            // `write_into` seals out of place from `data`; the in-place path (content
            // copied into the record first, `encrypt_in_place`) must give the same bytes.
            if len <= MAX_PLAINTEXT_LEN {
                let (mut c, _) = pair12(aead, &[7; 32], &[9; 12]);
                let mut rec = vec![0u8; c.record_len(ContentType::ApplicationData, len)];
                let at = c.content_offset();
                rec[at..at + len].copy_from_slice(&data);
                let m = c
                    .encrypt_in_place(ContentType::ApplicationData, &mut rec, len)
                    .unwrap();
                assert_eq!(rec[..m], out[..], "{:?} {len} in place", aead.algorithm());
            }
            let mut deframer = Deframer::new();
            let mut got = Vec::new();
            let mut rest = &out[..];
            while !rest.is_empty() || deframer.buffered_len() > 0 {
                let k = deframer.push(rest);
                rest = &rest[k..];
                while let Some(m) = deframer.next_record(&mut d).unwrap() {
                    if let Message::ApplicationData(p) = m {
                        got.extend_from_slice(p);
                    }
                }
                if k == 0 && deframer.buffered_len() == 0 {
                    break;
                }
            }
            assert_eq!(got, data);
        }
    }
}
