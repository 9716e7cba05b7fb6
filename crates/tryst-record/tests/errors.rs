//! Every receive-side failure maps to the alert RFC 8446 asks for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use tryst_crypto::{AES_128_GCM, AeadKey, Iv, TAG_LEN};
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ContentType, HandshakeJoiner, ProtocolVersion,
};
use tryst_record::{Deframer, Error, MAX_RECORD_LEN, Message, RecordDecrypter, RecordEncrypter};

const KEY: [u8; 16] = [0x11; 16];
const IV: [u8; 12] = [0x22; 12];

fn dec() -> RecordDecrypter {
    let mut d = RecordDecrypter::new();
    d.set_key(
        AES_128_GCM,
        &AeadKey::from_slice(&KEY).unwrap(),
        Iv::from_slice(&IV).unwrap(),
    )
    .unwrap();
    d
}

/// A protected record whose TLSInnerPlaintext is exactly `inner`, sealed at `seq` with the
/// raw AEAD (so it can break every rule the record layer enforces when sending).
fn craft(seq: u64, inner: &[u8]) -> Vec<u8> {
    let len = inner.len() + TAG_LEN;
    let mut rec = vec![23, 3, 3, (len >> 8) as u8, len as u8];
    rec.extend_from_slice(inner);
    rec.extend_from_slice(&[0; TAG_LEN]);
    let (header, body) = rec.split_at_mut(5);
    let k = AES_128_GCM
        .new_key(&AeadKey::from_slice(&KEY).unwrap())
        .unwrap();
    k.seal_in_place(&Iv::from_slice(&IV).unwrap().nonce_for(seq), header, body)
        .unwrap();
    rec
}

fn open_one(d: &mut RecordDecrypter, mut rec: Vec<u8>) -> Result<Option<Vec<u8>>, Error> {
    d.open_in_place(&mut rec).map(|m| {
        m.map(|m| match m {
            Message::Handshake(b) | Message::ApplicationData(b) => b.to_vec(),
            other => format!("{other:?}").into_bytes(),
        })
    })
}

fn expect_alert(r: Result<impl std::fmt::Debug, Error>, alert: AlertDescription) -> Error {
    let e = r.expect_err("expected an error");
    assert_eq!(e.alert(), alert, "{e:?}");
    assert!(!e.to_string().is_empty());
    e
}

#[test]
fn crafted_records_open() {
    let mut d = dec();
    assert_eq!(
        open_one(&mut d, craft(0, b"hi\x17")).unwrap().unwrap(),
        b"hi"
    );
    // Padding is stripped; the last non-zero byte is the type.
    assert_eq!(
        open_one(&mut d, craft(1, b"\0a\0\x16\0\0\0"))
            .unwrap()
            .unwrap(),
        b"\0a\0"
    );
}

#[test]
fn bad_tag_is_bad_record_mac_and_sticks() {
    let mut d = dec();
    let mut rec = craft(0, b"hi\x17");
    *rec.last_mut().unwrap() ^= 1;
    let e = expect_alert(open_one(&mut d, rec), AlertDescription::BadRecordMac);
    assert_eq!(e, Error::BadRecordMac);
    // Wrong sequence number also fails; and every later call returns the first error.
    assert_eq!(
        open_one(&mut d, craft(0, b"hi\x17")),
        Err(Error::BadRecordMac)
    );
    let mut d = dec();
    expect_alert(
        open_one(&mut d, craft(1, b"hi\x17")),
        AlertDescription::BadRecordMac,
    );
    // Shorter than a tag.
    let mut d = dec();
    expect_alert(
        open_one(&mut d, vec![23, 3, 3, 0, 3, 1, 2, 3]),
        AlertDescription::BadRecordMac,
    );
}

#[test]
fn oversized_ciphertext_is_record_overflow_from_the_header_alone() {
    let len = (1 << 14) + 257;
    let mut d = dec();
    let mut f = Deframer::new();
    f.push(&[23, 3, 3, (len >> 8) as u8, len as u8]);
    let e = expect_alert(f.next_record(&mut d), AlertDescription::RecordOverflow);
    assert!(
        matches!(
            e,
            Error::CiphertextOverflow {
                len: 16641,
                max: 16640
            }
        ),
        "{e:?}"
    );
    // Unprotected records may carry at most 2^14 bytes.
    let mut d = RecordDecrypter::new();
    let mut f = Deframer::new();
    f.push(&[22, 3, 3, 0x40, 0x01]);
    expect_alert(f.next_record(&mut d), AlertDescription::RecordOverflow);
}

#[test]
fn oversized_plaintext_is_record_overflow() {
    let mut inner = vec![b'x'; (1 << 14) + 1];
    inner.push(23);
    let mut d = dec();
    let e = expect_alert(
        open_one(&mut d, craft(0, &inner)),
        AlertDescription::RecordOverflow,
    );
    assert!(matches!(e, Error::PlaintextOverflow { .. }));
    // Exactly 2^14 + 1 with padding is fine.
    let mut inner = vec![b'x'; 1 << 14];
    inner.push(23);
    assert!(open_one(&mut dec(), craft(0, &inner)).is_ok());
    // Our advertised record_size_limit counts type and padding.
    let mut d = dec();
    d.set_record_size_limit(100).unwrap();
    let mut inner = vec![b'x'; 99];
    inner.push(23);
    assert!(open_one(&mut d, craft(0, &inner)).is_ok());
    inner.push(0);
    expect_alert(
        open_one(&mut d, craft(1, &inner)),
        AlertDescription::RecordOverflow,
    );
    assert_eq!(
        dec().set_record_size_limit(10),
        Err(Error::BadRecordSizeLimit(10))
    );
}

#[test]
fn all_zero_inner_plaintext_is_unexpected_message() {
    for inner in [&[0u8; 40][..], &[0], &[]] {
        let e = expect_alert(
            open_one(&mut dec(), craft(0, inner)),
            AlertDescription::UnexpectedMessage,
        );
        assert_eq!(e, Error::MissingContentType);
    }
}

#[test]
fn empty_fragments() {
    // Protected empty handshake, padded or not.
    for inner in [&[22u8][..], &[22, 0, 0]] {
        let e = expect_alert(
            open_one(&mut dec(), craft(0, inner)),
            AlertDescription::UnexpectedMessage,
        );
        assert_eq!(e, Error::EmptyFragment(ContentType::Handshake));
    }
    expect_alert(
        open_one(&mut dec(), craft(0, &[21])),
        AlertDescription::UnexpectedMessage,
    );
    // Unprotected empty handshake and alert records.
    for typ in [22u8, 21] {
        let mut d = RecordDecrypter::new();
        expect_alert(
            open_one(&mut d, vec![typ, 3, 3, 0, 0]),
            AlertDescription::UnexpectedMessage,
        );
    }
    // Empty application data is allowed (and skipped).
    let mut d = dec();
    assert_eq!(open_one(&mut d, craft(0, &[23])), Ok(None));
    assert_eq!(open_one(&mut d, craft(1, &[23, 0, 0, 0])), Ok(None));
}

#[test]
fn malformed_alerts_are_decode_error() {
    expect_alert(
        open_one(&mut dec(), craft(0, &[1, 0, 0, 21])),
        AlertDescription::DecodeError,
    );
    expect_alert(
        open_one(&mut dec(), craft(0, &[1, 21])),
        AlertDescription::DecodeError,
    );
    let mut d = RecordDecrypter::new();
    expect_alert(
        open_one(&mut d, vec![21, 3, 3, 0, 3, 1, 0, 0]),
        AlertDescription::DecodeError,
    );
}

#[test]
fn unknown_and_misplaced_content_types() {
    // Unknown outer type, protected or not.
    for outer in [0u8, 24, 0x99] {
        let e = expect_alert(
            open_one(&mut dec(), vec![outer, 3, 3, 0, 1, 0]),
            AlertDescription::UnexpectedMessage,
        );
        assert!(matches!(e, Error::UnexpectedContentType(_)));
        let mut d = RecordDecrypter::new();
        expect_alert(
            open_one(&mut d, vec![outer, 3, 3, 0, 1, 0]),
            AlertDescription::UnexpectedMessage,
        );
    }
    // Inner types other than handshake / alert / application data.
    for inner in [20u8, 24, 0x99] {
        expect_alert(
            open_one(&mut dec(), craft(0, &[1, inner])),
            AlertDescription::UnexpectedMessage,
        );
    }
    // Plaintext handshake or alert once keys are installed; application data before.
    expect_alert(
        open_one(&mut dec(), vec![22, 3, 3, 0, 1, 1]),
        AlertDescription::UnexpectedMessage,
    );
    expect_alert(
        open_one(&mut dec(), vec![21, 3, 3, 0, 2, 2, 40]),
        AlertDescription::UnexpectedMessage,
    );
    let mut d = RecordDecrypter::new();
    expect_alert(
        open_one(&mut d, vec![23, 3, 3, 0, 1, 1]),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn change_cipher_spec_rules() {
    let ccs = || vec![20, 3, 3, 0, 1, 1];
    // Not allowed: unexpected_message, with or without keys.
    expect_alert(
        open_one(&mut dec(), ccs()),
        AlertDescription::UnexpectedMessage,
    );
    expect_alert(
        open_one(&mut RecordDecrypter::new(), ccs()),
        AlertDescription::UnexpectedMessage,
    );
    // Allowed: the single byte 0x01 is dropped, protected or not.
    for mut d in [dec(), RecordDecrypter::new()] {
        d.set_change_cipher_spec_allowed(true);
        assert_eq!(open_one(&mut d, ccs()), Ok(None));
    }
    // Anything else in that content type is unexpected_message.
    for bad in [
        vec![20, 3, 3, 0, 1, 2],
        vec![20, 3, 3, 0, 2, 1, 1],
        vec![20, 3, 3, 0, 0],
    ] {
        let mut d = dec();
        d.set_change_cipher_spec_allowed(true);
        let e = expect_alert(open_one(&mut d, bad), AlertDescription::UnexpectedMessage);
        assert_eq!(e, Error::UnexpectedChangeCipherSpec);
    }
    // Through the deframer, an allowed CCS is skipped and the next record is returned.
    let mut d = dec();
    d.set_change_cipher_spec_allowed(true);
    let mut f = Deframer::new();
    f.push(&ccs());
    f.push(&craft(0, b"fin\x16"));
    assert_eq!(
        f.next_record(&mut d).unwrap(),
        Some(Message::Handshake(b"fin"))
    );
}

#[test]
fn legacy_record_version_is_ignored() {
    // RFC 8446 §5.1: "MUST be ignored for all purposes", on every record, before keys or
    // after (where it is still part of the associated data).
    let mut d = RecordDecrypter::new();
    for version in [
        [3u8, 1],
        [3, 0],
        [3, 2],
        [3, 3],
        [3, 4],
        [0, 0],
        [0xff, 0xff],
    ] {
        let rec = vec![22, version[0], version[1], 0, 1, 1];
        assert_eq!(open_one(&mut d, rec).unwrap().unwrap(), [1]);
    }
    let mut d = dec();
    let mut rec = craft(0, b"hi\x17");
    rec[1..3].copy_from_slice(&[3, 1]);
    // The header is the AEAD's associated data: a changed version fails the tag.
    expect_alert(open_one(&mut d, rec), AlertDescription::BadRecordMac);
}

#[test]
fn application_data_can_be_refused_whatever_its_length() {
    for inner in [&b"data\x17"[..], &[23], &[23, 0, 0]] {
        let mut d = dec();
        d.set_application_data_allowed(false);
        let e = expect_alert(
            open_one(&mut d, craft(0, inner)),
            AlertDescription::UnexpectedMessage,
        );
        assert_eq!(
            e,
            Error::UnexpectedContentType(ContentType::ApplicationData)
        );
    }
    // Handshake records still open; allowed again, application data flows.
    let mut d = dec();
    d.set_application_data_allowed(false);
    assert_eq!(
        open_one(&mut d, craft(0, b"hs\x16")).unwrap().unwrap(),
        b"hs"
    );
    d.set_application_data_allowed(true);
    assert_eq!(open_one(&mut d, craft(1, &[23])), Ok(None));
    assert_eq!(open_one(&mut d, craft(2, b"x\x17")).unwrap().unwrap(), b"x");
}

#[test]
fn runs_of_empty_records_are_capped() {
    let mut d = dec();
    d.set_max_empty_records(4);
    let mut f = Deframer::new();
    for seq in 0..4 {
        f.push(&craft(seq, &[23]));
    }
    f.push(&craft(4, b"x\x17"));
    assert_eq!(
        f.next_record(&mut d).unwrap(),
        Some(Message::ApplicationData(b"x"))
    );
    for seq in 5..10 {
        f.push(&craft(seq, &[23, 0]));
    }
    let e = expect_alert(f.next_record(&mut d), AlertDescription::UnexpectedMessage);
    assert_eq!(e, Error::TooManyEmptyRecords { max: 4 });
}

#[test]
fn records_after_close_notify_are_ignored() {
    // RFC 8446 §6.1: "any data received after a closure alert has been received MUST be
    // ignored": well-formed, forged, unknown or partial, nothing is an error.
    let mut d = dec();
    let mut f = Deframer::new();
    f.push(&craft(0, &[1, 0, 21]));
    f.push(&craft(1, b"late\x17"));
    f.push(&[23, 3, 3, 0, 17]);
    f.push(&[0x55; 17]);
    f.push(&[0x99, 0, 0, 0xff, 0xff, 1, 2]);
    assert_eq!(f.next_record(&mut d).unwrap(), Some(Message::CloseNotify));
    assert!(d.received_close_notify());
    assert_eq!(f.next_record(&mut d), Ok(None));
    assert_eq!(f.buffered_len(), 0, "discarded");
    assert_eq!(f.end_of_input(&d), Ok(()));
    // More input later, whole records or a partial header.
    f.push(&craft(2, b"later\x17"));
    f.push(&[23, 3]);
    assert_eq!(f.next_record(&mut d), Ok(None));
    assert_eq!(f.end_of_input(&d), Ok(()));
    assert_eq!(d.error(), None);

    // Opened one by one, too.
    let mut d = dec();
    assert_eq!(
        open_one(&mut d, craft(0, &[1, 0, 21])).unwrap().unwrap(),
        b"CloseNotify"
    );
    assert_eq!(open_one(&mut d, craft(1, b"late\x17")), Ok(None));
    assert_eq!(open_one(&mut d, vec![22, 3, 3, 0, 0]), Ok(None));
    assert_eq!(d.check_header(&[0x99, 0, 0, 0xff, 0xff]), Ok(0xffff));

    // A clean close.
    let mut d = dec();
    let mut f = Deframer::new();
    f.push(&craft(0, &[1, 0, 21]));
    assert_eq!(f.next_record(&mut d).unwrap(), Some(Message::CloseNotify));
    assert_eq!(f.next_record(&mut d).unwrap(), None);
    assert_eq!(f.end_of_input(&d), Ok(()));
}

#[test]
fn truncation_is_distinct() {
    let mut d = dec();
    let mut f = Deframer::new();
    let rec = craft(0, b"data\x17");
    f.push(&rec[..rec.len() - 1]);
    assert_eq!(f.next_record(&mut d).unwrap(), None);
    let e = f.end_of_input(&d).unwrap_err();
    assert_eq!(e, Error::Truncated);
    assert!(!e.should_send_alert());
    // Nothing at all received: still truncated (no close_notify).
    assert_eq!(
        Deframer::new().end_of_input(&RecordDecrypter::new()),
        Err(Error::Truncated)
    );
}

#[test]
fn received_alerts() {
    // user_canceled is a warning; every other alert is fatal whatever its level.
    let mut d = dec();
    assert_eq!(
        open_one(&mut d, craft(0, &[1, 90, 21])).unwrap().unwrap(),
        b"Alert(Alert { level: warning, description: user_canceled })"
    );
    let e = open_one(&mut d, craft(1, &[1, 42, 21])).unwrap_err();
    assert_eq!(
        e,
        Error::AlertReceived(Alert {
            level: AlertLevel::Warning,
            description: AlertDescription::BadCertificate
        })
    );
    assert_eq!(e.alert(), AlertDescription::BadCertificate);
    assert!(!e.should_send_alert());
    // A plaintext fatal alert before keys.
    let mut d = RecordDecrypter::new();
    let e = open_one(&mut d, vec![21, 3, 3, 0, 2, 2, 40]).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::HandshakeFailure);
}

#[test]
fn key_change_inside_a_handshake_message_is_refused() {
    let mut joiner = HandshakeJoiner::new();
    // A Finished header announcing 32 bytes, with only 3 of them here.
    joiner.push(&[20, 0, 0, 32, 1, 2, 3]).unwrap();
    let mut d = RecordDecrypter::new();
    let key = AeadKey::from_slice(&KEY).unwrap();
    let e = d
        .set_key_at_boundary(&joiner, AES_128_GCM, &key, Iv::from_slice(&IV).unwrap())
        .unwrap_err();
    assert_eq!(e, Error::KeyChangeInsideMessage);
    assert_eq!(e.alert(), AlertDescription::UnexpectedMessage);
    let joiner = HandshakeJoiner::new();
    let mut d = RecordDecrypter::new();
    d.set_key_at_boundary(&joiner, AES_128_GCM, &key, Iv::from_slice(&IV).unwrap())
        .unwrap();
    assert!(d.is_protected());
}

#[test]
fn deframer_buffers_at_most_one_record() {
    let mut f = Deframer::new();
    let big = vec![0u8; 3 * MAX_RECORD_LEN];
    let n = f.push(&big);
    assert_eq!(n, MAX_RECORD_LEN);
    assert_eq!(f.push(&big), 0);
    assert_eq!(f.buffered_len(), MAX_RECORD_LEN);
}

#[test]
fn sender_misuse_is_internal_error() {
    let mut e = RecordEncrypter::new();
    let mut out = Vec::new();
    let err = e
        .write(ContentType::ApplicationData, b"x", &mut out)
        .unwrap_err();
    assert_eq!(err.alert(), AlertDescription::InternalError);
    assert!(
        e.set_plaintext_record_version(ProtocolVersion::Tls13)
            .is_err()
    );
    e.write_alert(
        Alert {
            level: AlertLevel::Fatal,
            description: AlertDescription::HandshakeFailure,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(out, [21, 3, 3, 0, 2, 2, 40]);
    assert!(e.is_closed());
    assert!(e.write(ContentType::Handshake, b"x", &mut out).is_err());
    let mut buf = [0u8; 10];
    let mut e = RecordEncrypter::new();
    e.set_key(
        AES_128_GCM,
        &AeadKey::from_slice(&KEY).unwrap(),
        Iv::from_slice(&IV).unwrap(),
    )
    .unwrap();
    assert_eq!(
        e.encrypt_in_place(ContentType::ApplicationData, &mut buf, 3),
        Err(Error::BufferTooSmall {
            needed: 5 + 3 + 1 + 16
        })
    );
}

#[test]
fn rejected_early_data_is_skipped_within_budget() {
    // Early data under a key the server rejected, then the client's Finished under the
    // handshake key (RFC 8446 §4.2.10, trial decryption).
    let mut early = RecordEncrypter::new();
    early
        .set_key(
            AES_128_GCM,
            &AeadKey::from_slice(&[0x99; 16]).unwrap(),
            Iv::from_slice(&IV).unwrap(),
        )
        .unwrap();
    let mut wire = Vec::new();
    early
        .write(ContentType::ApplicationData, &[1; 100], &mut wire)
        .unwrap();
    early
        .write(ContentType::ApplicationData, &[2; 100], &mut wire)
        .unwrap();
    wire.extend_from_slice(&craft(0, b"finished\x16"));
    wire.extend_from_slice(&craft(1, b"app\x17"));

    let mut d = dec();
    d.skip_rejected_early_data(202); // two records of 100 bytes + type byte
    let mut f = Deframer::new();
    f.push(&wire);
    assert_eq!(
        f.next_record(&mut d).unwrap(),
        Some(Message::Handshake(b"finished"))
    );
    assert_eq!(
        f.next_record(&mut d).unwrap(),
        Some(Message::ApplicationData(b"app"))
    );

    // Over budget: bad_record_mac.
    let mut d = dec();
    d.skip_rejected_early_data(150);
    let mut f = Deframer::new();
    f.push(&wire);
    expect_alert(f.next_record(&mut d), AlertDescription::BadRecordMac);

    // Skipping ends once a record opens: a later forgery is bad_record_mac.
    let mut d = dec();
    d.skip_rejected_early_data(10_000);
    assert!(open_one(&mut d, craft(0, b"x\x16")).unwrap().is_some());
    let mut bad = craft(1, b"y\x17");
    bad[7] ^= 1;
    expect_alert(open_one(&mut d, bad), AlertDescription::BadRecordMac);
}

#[test]
fn early_data_after_hello_retry_request_is_skipped_in_the_clear() {
    let mut early = RecordEncrypter::new();
    early
        .set_key(
            AES_128_GCM,
            &AeadKey::from_slice(&[0x99; 16]).unwrap(),
            Iv::from_slice(&IV).unwrap(),
        )
        .unwrap();
    let mut wire = Vec::new();
    early
        .write(ContentType::ApplicationData, &[1; 50], &mut wire)
        .unwrap();
    wire.extend_from_slice(&[22, 3, 3, 0, 4, 1, 0, 0, 0]); // the second ClientHello
    let mut d = RecordDecrypter::new();
    d.skip_rejected_early_data(100);
    let mut f = Deframer::new();
    f.push(&wire);
    assert_eq!(
        f.next_record(&mut d).unwrap(),
        Some(Message::Handshake(&[1, 0, 0, 0][..]))
    );
    // After the ClientHello, application data in the clear is an error again.
    let mut rec = Vec::new();
    early
        .write(ContentType::ApplicationData, &[1; 5], &mut rec)
        .unwrap();
    expect_alert(open_one(&mut d, rec), AlertDescription::UnexpectedMessage);
}

#[test]
fn plaintext_alert_under_keys_only_when_allowed() {
    use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
    let mut d = tryst_record::RecordDecrypter::new();
    d.set_key(
        AES_128_GCM,
        &AeadKey::from_slice(&[1; 16]).unwrap(),
        Iv::from_slice(&[2; 12]).unwrap(),
    )
    .unwrap();
    let mut rec = [21u8, 3, 3, 0, 2, 2, 48];
    assert!(matches!(
        d.open_in_place(&mut rec),
        Err(tryst_record::Error::UnexpectedContentType(_))
    ));

    let mut d = tryst_record::RecordDecrypter::new();
    d.set_key(
        AES_128_GCM,
        &AeadKey::from_slice(&[1; 16]).unwrap(),
        Iv::from_slice(&[2; 12]).unwrap(),
    )
    .unwrap();
    d.set_plaintext_alerts_allowed(true);
    let mut rec = [21u8, 3, 3, 0, 2, 2, 48];
    match d.open_in_place(&mut rec) {
        Err(tryst_record::Error::AlertReceived(a)) => {
            assert_eq!(a.description, tryst_messages::AlertDescription::UnknownCa);
        }
        other => panic!("{other:?}"),
    }
}
