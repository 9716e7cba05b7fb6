//! RFC 8448 known answers: every handshake message of §3 to §7 parses and re-encodes to
//! the same bytes; every strict prefix fails; records, alerts and change_cipher_spec too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ChangeCipherSpec, Codec, ContentType, Extension,
    ExtensionType, HandshakeJoiner, HandshakeMessage, HandshakeType, NamedGroup, RecordHeader,
};

const ALL: &str = include_str!("data/rfc8448_all_sections_entries.json");
const SECTION4: &str = include_str!("data/rfc8448_section4.json");

struct Entry {
    section: String,
    step: String,
    label: String,
    bytes: Vec<u8>,
}

fn entries() -> Vec<Entry> {
    let v: Value = serde_json::from_str(ALL).unwrap();
    let mut out = Vec::new();
    for (section, s) in v.as_object().unwrap() {
        for e in s["entries"].as_array().unwrap() {
            let Some(h) = e.get("hex").and_then(Value::as_str) else {
                continue;
            };
            out.push(Entry {
                section: section.clone(),
                step: e["step"].as_str().unwrap().to_string(),
                label: e["label"].as_str().unwrap().to_string(),
                bytes: hex::decode(h).unwrap(),
            });
        }
    }
    out
}

/// Handshake messages as the RFC constructs them ("construct a ... handshake message").
/// §4's ClientHello is shown there without binders; its full form is the record payload.
fn constructed_messages() -> Vec<Entry> {
    entries()
        .into_iter()
        .filter(|e| e.step.contains("construct a") && e.step.contains("handshake message"))
        .filter(|e| !(e.section == "4" && e.label == "ClientHello"))
        .collect()
}

/// Plaintext payloads of "send handshake record" steps (whole flights).
fn handshake_flights() -> Vec<Entry> {
    entries()
        .into_iter()
        .filter(|e| e.step.contains("send handshake record") && e.label == "payload")
        .collect()
}

fn messages_in(flight: &[u8]) -> Vec<Vec<u8>> {
    let mut j = HandshakeJoiner::new();
    j.push(flight).unwrap();
    let mut out = Vec::new();
    while let Some(m) = j.next_message().unwrap() {
        out.push(m.encoded.to_vec());
    }
    assert!(j.at_message_boundary());
    out
}

/// Every handshake message of §3–§7, deduplicated: constructed ones plus those found in
/// record payloads (which adds the complete §4 ClientHello).
fn all_messages() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for e in constructed_messages() {
        out.push((format!("§{} {} {}", e.section, e.step, e.label), e.bytes));
    }
    for f in handshake_flights() {
        for m in messages_in(&f.bytes) {
            if !out.iter().any(|(_, b)| *b == m) {
                out.push((format!("§{} {} (from record)", f.section, f.step), m));
            }
        }
    }
    out
}

#[test]
fn every_message_round_trips() {
    let msgs = all_messages();
    // §3: 7, §4: 6 (+ full ClientHello), §5: 8, §6: 10, §7: 7.
    assert!(msgs.len() >= 38, "only {} messages", msgs.len());
    let mut types = std::collections::BTreeSet::new();
    for (name, bytes) in &msgs {
        let m = HandshakeMessage::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&m.to_bytes().unwrap(), bytes, "{name}");
        // The owned form round-trips too.
        let owned: HandshakeMessage<'static> = m.clone().into_owned();
        assert_eq!(owned, m);
        assert_eq!(&owned.to_bytes().unwrap(), bytes, "{name}");
        types.insert(format!("{:?}", std::mem::discriminant(&m)));
    }
    // ClientHello, ServerHello, HRR, EE, CR, Certificate, CV, Finished, NST, EOED.
    assert_eq!(types.len(), 10);
}

#[test]
fn constructed_messages_match_record_payloads() {
    for f in handshake_flights() {
        let in_flight = messages_in(&f.bytes);
        assert!(!in_flight.is_empty());
        assert_eq!(in_flight.concat(), f.bytes);
    }
}

#[test]
fn every_strict_prefix_fails() {
    for (name, bytes) in all_messages() {
        for n in 0..bytes.len() {
            assert!(
                HandshakeMessage::decode(&bytes[..n]).is_err(),
                "{name}: prefix of {n} bytes parsed"
            );
        }
        // Bodies are self-delimiting, except Finished (its length comes from the hash).
        let typ = HandshakeType::from(bytes[0]);
        if typ != HandshakeType::Finished {
            let body = &bytes[4..];
            for n in 0..body.len() {
                assert!(
                    HandshakeMessage::parse_body(typ, &body[..n]).is_err(),
                    "{name}: body prefix of {n} bytes parsed"
                );
            }
        }
        // And one byte too many is trailing data.
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(HandshakeMessage::decode(&longer).is_err());
    }
}

#[test]
fn records_parse() {
    let mut seen = 0;
    for e in entries().iter().filter(|e| e.label == "complete record") {
        let (h, rest) = RecordHeader::split(&e.bytes).unwrap();
        assert_eq!(
            usize::from(h.length),
            rest.len(),
            "§{} {}",
            e.section,
            e.step
        );
        assert_eq!(h.to_bytes().unwrap(), e.bytes[..5]);
        match h.content_type {
            ContentType::Handshake => {
                // Plaintext handshake record: fragment is the payload.
                for m in messages_in(rest) {
                    HandshakeMessage::decode(&m).unwrap();
                }
            }
            ContentType::ChangeCipherSpec => {
                ChangeCipherSpec::decode(rest).unwrap();
                assert_eq!(ChangeCipherSpec.to_bytes().unwrap(), rest);
            }
            ContentType::ApplicationData => {}
            other => panic!("unexpected content type {other}"),
        }
        for n in 0..5 {
            assert!(RecordHeader::split(&e.bytes[..n]).is_err());
        }
        seen += 1;
    }
    assert!(seen > 40);
}

#[test]
fn change_cipher_spec_in_section_7() {
    let ccs: Vec<_> = entries()
        .into_iter()
        .filter(|e| e.step.contains("change_cipher_spec") && e.label == "payload")
        .collect();
    assert_eq!(ccs.len(), 2);
    for e in ccs {
        assert_eq!(e.section, "7");
        ChangeCipherSpec::decode(&e.bytes).unwrap();
    }
    assert!(ChangeCipherSpec::decode(&[]).is_err());
    let err = ChangeCipherSpec::decode(&[2]).unwrap_err();
    assert_eq!(err.alert(), AlertDescription::UnexpectedMessage);
}

#[test]
fn alerts_parse() {
    for e in entries()
        .iter()
        .filter(|e| e.step.contains("send alert record") && e.label == "payload")
    {
        let a = Alert::decode(&e.bytes).unwrap();
        assert_eq!(a.level, AlertLevel::Warning);
        assert_eq!(a.description, AlertDescription::CloseNotify);
        assert_eq!(a.to_bytes().unwrap(), e.bytes);
        assert!(Alert::decode(&e.bytes[..1]).is_err());
    }
}

#[test]
fn section4_binders() {
    let s4: Value = serde_json::from_str(SECTION4).unwrap();
    let full = hex::decode(s4["client_hello_with_binders"].as_str().unwrap()).unwrap();
    let prefix = hex::decode(s4["client_hello_prefix_for_binder"].as_str().unwrap()).unwrap();
    let binder = hex::decode(s4["binder"].as_str().unwrap()).unwrap();
    let HandshakeMessage::ClientHello(ch) = HandshakeMessage::decode(&full).unwrap() else {
        panic!("not a ClientHello");
    };
    assert_eq!(ch.psk_binders_offset().unwrap(), Some(prefix.len()));
    assert_eq!(&full[..prefix.len()], &prefix[..]);
    assert_eq!(ch.truncated_for_binders().unwrap().unwrap(), prefix);
    let Some(Extension::PreSharedKeyOffer(offer)) = ch.extensions.last() else {
        panic!("pre_shared_key is not last");
    };
    assert_eq!(offer.binders.len(), 1);
    assert_eq!(&offer.binders[0][..], &binder[..]);
    // The RFC's prefix alone is not a ClientHello (binders missing).
    assert!(HandshakeMessage::decode(&prefix).is_err());

    // An encoder with zeroed binders produces the same prefix.
    let mut zeroed = ch.clone();
    if let Some(Extension::PreSharedKeyOffer(o)) = zeroed.extensions.last_mut() {
        o.binders = vec![vec![0u8; 32].into()];
    }
    assert_eq!(zeroed.truncated_for_binders().unwrap().unwrap(), prefix);
}

#[test]
fn section5_hello_retry_request() {
    let hrr = entries()
        .into_iter()
        .find(|e| e.section == "5" && e.label == "ServerHello")
        .unwrap();
    let HandshakeMessage::HelloRetryRequest(sh) = HandshakeMessage::decode(&hrr.bytes).unwrap()
    else {
        panic!("§5's first ServerHello is a HelloRetryRequest");
    };
    assert!(sh.is_hello_retry_request());
    assert_eq!(
        sh.extension(ExtensionType::KeyShare),
        Some(&Extension::KeyShareHelloRetry(NamedGroup::Secp256r1))
    );
    assert!(matches!(
        sh.extension(ExtensionType::Cookie),
        Some(Extension::Cookie(_))
    ));
}

#[test]
fn section3_shapes() {
    let s3 = all_messages();
    let (_, ch) = s3
        .iter()
        .find(|(n, _)| n.starts_with("§3") && n.contains("ClientHello"))
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = HandshakeMessage::decode(ch).unwrap() else {
        panic!()
    };
    assert!(matches!(
        ch.extension(ExtensionType::ServerName),
        Some(Extension::ServerName(names)) if &names[0].name[..] == b"server"
    ));
    assert!(matches!(
        ch.extension(ExtensionType::KeyShare),
        Some(Extension::KeyShareClient(s)) if s.len() == 1 && s[0].group == NamedGroup::X25519
    ));
    assert_eq!(ch.psk_binders_offset().unwrap(), None);
    // Everything RFC 8448 sends has a typed shape: nothing falls back to Unknown.
    for (name, bytes) in &s3 {
        let text = format!("{:?}", HandshakeMessage::decode(bytes).unwrap());
        assert!(!text.contains("Unknown"), "{name}: {text}");
    }
}

#[test]
fn joiner_any_split() {
    for f in handshake_flights() {
        let want = messages_in(&f.bytes);
        // Every two-way split, and byte-by-byte.
        for cut in 0..=f.bytes.len() {
            let mut j = HandshakeJoiner::new();
            let mut got = Vec::new();
            for part in [&f.bytes[..cut], &f.bytes[cut..]] {
                j.push(part).unwrap();
                while let Some(m) = j.next_message().unwrap() {
                    m.parse().unwrap();
                    got.push(m.encoded.to_vec());
                }
            }
            assert!(j.at_message_boundary());
            assert_eq!(got, want);
        }
        let mut j = HandshakeJoiner::new();
        let mut got = Vec::new();
        let mut boundaries = 0;
        for b in &f.bytes {
            j.push(std::slice::from_ref(b)).unwrap();
            while let Some(m) = j.next_message().unwrap() {
                got.push(m.encoded.to_vec());
            }
            if j.at_message_boundary() {
                boundaries += 1;
            }
        }
        assert_eq!(got, want);
        assert_eq!(boundaries, want.len());
    }
}
