//! RFC 8448 §3 records: open to the trace's plaintext, seal back to the same bytes, and
//! deframe the same from any split of the byte stream.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

use serde_json::Value;
use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
use tryst_messages::{Alert, AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use tryst_record::{Deframer, Message, RecordDecrypter, RecordEncrypter};

fn vectors() -> Value {
    serde_json::from_str(include_str!("data/rfc8448_section3.json")).unwrap()
}

fn hex(v: &Value, name: &str) -> Vec<u8> {
    hex::decode(v[name].as_str().unwrap_or_else(|| panic!("no {name}"))).unwrap()
}

fn key(v: &Value, which: &str) -> (AeadKey, Iv) {
    (
        AeadKey::from_slice(&hex(v, &format!("{which}_key"))).unwrap(),
        Iv::from_slice(&hex(v, &format!("{which}_iv"))).unwrap(),
    )
}

fn decrypter(v: &Value, which: &str) -> RecordDecrypter {
    let (k, iv) = key(v, which);
    let mut d = RecordDecrypter::new();
    d.set_key(AES_128_GCM, &k, iv).unwrap();
    d
}

fn encrypter(v: &Value, which: &str) -> RecordEncrypter {
    let (k, iv) = key(v, which);
    let mut e = RecordEncrypter::new();
    e.set_key(AES_128_GCM, &k, iv).unwrap();
    e
}

const CLOSE_NOTIFY: Alert = Alert {
    level: AlertLevel::Warning,
    description: AlertDescription::CloseNotify,
};

/// (record name, plaintext name, content type) under one key, in sequence-number order.
type Flight = (
    &'static str,
    &'static [(&'static str, &'static str, ContentType)],
);

const FLIGHTS: &[Flight] = &[
    (
        "server_handshake",
        &[(
            "server_handshake_flight_record",
            "server_handshake_flight_plaintext",
            ContentType::Handshake,
        )],
    ),
    (
        "client_handshake",
        &[(
            "client_finished_record",
            "client_finished",
            ContentType::Handshake,
        )],
    ),
    (
        "server_application",
        &[
            (
                "new_session_ticket_record",
                "new_session_ticket",
                ContentType::Handshake,
            ),
            (
                "server_application_data_record",
                "application_data_plaintext",
                ContentType::ApplicationData,
            ),
            (
                "server_alert_record",
                "alert_close_notify_plaintext",
                ContentType::Alert,
            ),
        ],
    ),
    (
        "client_application",
        &[
            (
                "client_application_data_record",
                "application_data_plaintext",
                ContentType::ApplicationData,
            ),
            (
                "client_alert_record",
                "alert_close_notify_plaintext",
                ContentType::Alert,
            ),
        ],
    ),
];

#[test]
fn records_open_to_the_trace_plaintext() {
    let v = vectors();
    for (which, records) in FLIGHTS {
        let mut d = decrypter(&v, which);
        for (seq, (record, plain, typ)) in records.iter().enumerate() {
            assert_eq!(d.sequence_number(), seq as u64);
            let mut rec = hex(&v, record);
            let expected = hex(&v, plain);
            let msg = d.open_in_place(&mut rec).unwrap().unwrap();
            match (typ, msg) {
                (ContentType::Handshake, Message::Handshake(got))
                | (ContentType::ApplicationData, Message::ApplicationData(got)) => {
                    assert_eq!(got, &expected[..], "{record}")
                }
                (ContentType::Alert, Message::CloseNotify) => assert_eq!(expected, [1, 0]),
                (t, m) => panic!("{record}: expected {t:?}, got {m:?}"),
            }
        }
        assert_eq!(d.sequence_number(), records.len() as u64);
    }
}

#[test]
fn records_seal_to_the_trace_bytes() {
    let v = vectors();
    for (which, records) in FLIGHTS {
        let mut e = encrypter(&v, which);
        for (seq, (record, plain, typ)) in records.iter().enumerate() {
            assert_eq!(e.sequence_number(), seq as u64);
            let mut out = Vec::new();
            if *typ == ContentType::Alert {
                e.write_alert(CLOSE_NOTIFY, &mut out).unwrap();
            } else {
                e.write(*typ, &hex(&v, plain), &mut out).unwrap();
            }
            assert_eq!(hex::encode(&out), hex::encode(hex(&v, record)), "{record}");
        }
    }
}

#[test]
fn plaintext_records_round_trip() {
    let v = vectors();
    // The ClientHello record uses legacy_record_version 0x0301, the ServerHello 0x0303.
    let mut e = RecordEncrypter::new();
    e.set_plaintext_record_version(ProtocolVersion::Tls10)
        .unwrap();
    let mut out = Vec::new();
    e.write(ContentType::Handshake, &hex(&v, "client_hello"), &mut out)
        .unwrap();
    assert_eq!(out, hex(&v, "client_hello_record"));
    let mut e = RecordEncrypter::new();
    out.clear();
    e.write(ContentType::Handshake, &hex(&v, "server_hello"), &mut out)
        .unwrap();
    assert_eq!(out, hex(&v, "server_hello_record"));

    let mut d = RecordDecrypter::new();
    let mut rec = hex(&v, "client_hello_record");
    assert_eq!(
        d.open_in_place(&mut rec).unwrap(),
        Some(Message::Handshake(&hex(&v, "client_hello")[..]))
    );
    // legacy_record_version is ignored on receipt (RFC 8446 §5.1): 0x0301 on a later
    // record too.
    let mut rec = hex(&v, "client_hello_record");
    assert_eq!(
        d.open_in_place(&mut rec).unwrap(),
        Some(Message::Handshake(&hex(&v, "client_hello")[..]))
    );
}

/// What a receiver saw: (content type, bytes), close_notify as an alert `[1, 0]`.
type Received = Vec<(ContentType, Vec<u8>)>;

/// Feed `stream` to a deframer in the given pieces. Keys change after the `n`-th message
/// per `keys` (message count, key name), as a connection would after ServerHello and
/// Finished.
fn receive(v: &Value, stream: &[u8], cuts: &[usize], keys: &[(usize, &str)]) -> Received {
    let mut d = RecordDecrypter::new();
    let mut deframer = Deframer::new();
    let mut got = Received::new();
    let mut pieces = Vec::new();
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&stream.len())) {
        pieces.push(&stream[prev..c]);
        prev = c;
    }
    for piece in pieces {
        let mut rest = piece;
        loop {
            let n = deframer.push(rest);
            rest = &rest[n..];
            while let Some(msg) = deframer.next_record(&mut d).unwrap() {
                let entry = match msg {
                    Message::Handshake(b) => (ContentType::Handshake, b.to_vec()),
                    Message::ApplicationData(b) => (ContentType::ApplicationData, b.to_vec()),
                    Message::CloseNotify => (ContentType::Alert, vec![1, 0]),
                    other => panic!("unexpected {other:?}"),
                };
                got.push(entry);
                if let Some((_, which)) = keys.iter().find(|(n, _)| *n == got.len()) {
                    let (k, iv) = key(v, which);
                    d.set_key(AES_128_GCM, &k, iv).unwrap();
                }
            }
            if rest.is_empty() {
                break;
            }
        }
    }
    deframer.end_of_input(&d).unwrap();
    got
}

struct Stream {
    bytes: Vec<u8>,
    keys: Vec<(usize, &'static str)>,
    expected: Received,
}

fn server_stream(v: &Value) -> Stream {
    let names = [
        "server_hello_record",
        "server_handshake_flight_record",
        "new_session_ticket_record",
        "server_application_data_record",
        "server_alert_record",
    ];
    Stream {
        bytes: names.iter().flat_map(|n| hex(v, n)).collect(),
        keys: vec![(1, "server_handshake"), (2, "server_application")],
        expected: vec![
            (ContentType::Handshake, hex(v, "server_hello")),
            (
                ContentType::Handshake,
                hex(v, "server_handshake_flight_plaintext"),
            ),
            (ContentType::Handshake, hex(v, "new_session_ticket")),
            (
                ContentType::ApplicationData,
                hex(v, "application_data_plaintext"),
            ),
            (ContentType::Alert, vec![1, 0]),
        ],
    }
}

fn client_stream(v: &Value) -> Stream {
    let names = [
        "client_hello_record",
        "client_finished_record",
        "client_application_data_record",
        "client_alert_record",
    ];
    Stream {
        bytes: names.iter().flat_map(|n| hex(v, n)).collect(),
        keys: vec![(1, "client_handshake"), (2, "client_application")],
        expected: vec![
            (ContentType::Handshake, hex(v, "client_hello")),
            (ContentType::Handshake, hex(v, "client_finished")),
            (
                ContentType::ApplicationData,
                hex(v, "application_data_plaintext"),
            ),
            (ContentType::Alert, vec![1, 0]),
        ],
    }
}

#[test]
fn deframing_split_at_every_position() {
    let v = vectors();
    for s in [server_stream(&v), client_stream(&v)] {
        assert_eq!(receive(&v, &s.bytes, &[], &s.keys), s.expected);
        for cut in 0..=s.bytes.len() {
            assert_eq!(
                receive(&v, &s.bytes, &[cut], &s.keys),
                s.expected,
                "cut {cut}"
            );
        }
    }
}

#[test]
fn deframing_one_byte_at_a_time() {
    let v = vectors();
    for s in [server_stream(&v), client_stream(&v)] {
        let cuts: Vec<usize> = (1..s.bytes.len()).collect();
        assert_eq!(receive(&v, &s.bytes, &cuts, &s.keys), s.expected);
    }
}

#[test]
fn stream_without_close_notify_is_truncated() {
    let v = vectors();
    let s = server_stream(&v);
    let alert_len = hex(&v, "server_alert_record").len();
    for cut in [s.bytes.len() - alert_len, s.bytes.len() - 1] {
        let mut d = RecordDecrypter::new();
        let mut deframer = Deframer::new();
        let mut seen = 0;
        let mut rest = &s.bytes[..cut];
        while !rest.is_empty() {
            let n = deframer.push(rest);
            rest = &rest[n..];
            while deframer.next_record(&mut d).unwrap().is_some() {
                seen += 1;
                if let Some((_, which)) = s.keys.iter().find(|(n, _)| *n == seen) {
                    let (k, iv) = key(&v, which);
                    d.set_key(AES_128_GCM, &k, iv).unwrap();
                }
            }
        }
        assert_eq!(seen, 4);
        let err = deframer.end_of_input(&d).unwrap_err();
        assert_eq!(err, tryst_record::Error::Truncated);
        assert!(!err.should_send_alert());
    }
}
