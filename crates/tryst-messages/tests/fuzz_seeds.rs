//! Writes the fuzz seed corpora (`fuzz/corpus/messages_*`) from the RFC 8448 messages.
//! Ignored by default; regenerate with
//! `cargo test -p tryst-messages --test fuzz_seeds -- --ignored`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use serde_json::Value;
use tryst_messages::{HandshakeJoiner, HandshakeType};

const ALL: &str = include_str!("data/rfc8448_all_sections_entries.json");

fn corpus(target: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    std::fs::write(corpus(target).join(name), bytes).unwrap();
}

#[test]
#[ignore = "writes fuzz/corpus; run on purpose"]
fn write_fuzz_seeds() {
    let v: Value = serde_json::from_str(ALL).unwrap();
    let mut seen_messages: Vec<Vec<u8>> = Vec::new();
    for (section, s) in v.as_object().unwrap() {
        for (i, e) in s["entries"].as_array().unwrap().iter().enumerate() {
            let Some(h) = e.get("hex").and_then(Value::as_str) else {
                continue;
            };
            let bytes = hex::decode(h).unwrap();
            let step = e["step"].as_str().unwrap();
            let label = e["label"].as_str().unwrap();
            let name = format!("rfc8448_s{section}_{i:03}");
            if label == "complete record" {
                write("messages_record_header", &name, &bytes);
            }
            if (step.contains("send alert record") || step.contains("change_cipher_spec"))
                && label == "payload"
            {
                write("messages_alert", &name, &bytes);
            }
            if step.contains("send handshake record") && label == "payload" {
                // Joiner seeds: a chunk-size header, then the flight.
                for (k, sizes) in [&[255u8][..], &[1], &[7, 200, 3]].iter().enumerate() {
                    let n = u8::try_from(sizes.len() - 1).unwrap();
                    let mut seed = vec![n];
                    seed.extend_from_slice(sizes);
                    seed.extend_from_slice(&bytes);
                    write("messages_handshake_joiner", &format!("{name}_{k}"), &seed);
                }
                let mut j = HandshakeJoiner::new();
                j.push(&bytes).unwrap();
                while let Some(m) = j.next_message().unwrap() {
                    if !seen_messages.contains(&m.encoded.to_vec()) {
                        seen_messages.push(m.encoded.to_vec());
                    }
                }
            }
            if step.contains("construct a") && step.contains("handshake message") {
                // §4's constructed ClientHello lacks its binders: a good near-miss seed.
                if !seen_messages.contains(&bytes) {
                    seen_messages.push(bytes);
                }
            }
        }
    }
    for (i, m) in seen_messages.iter().enumerate() {
        write("messages_handshake", &format!("rfc8448_{i:02}"), m);
        let body = &m[4..];
        let target = match HandshakeType::from(m[0]) {
            HandshakeType::ClientHello => "messages_client_hello",
            HandshakeType::ServerHello => "messages_server_hello",
            HandshakeType::Certificate => "messages_certificate",
            HandshakeType::CertificateRequest => "messages_certificate_request",
            HandshakeType::EncryptedExtensions => "messages_encrypted_extensions",
            HandshakeType::NewSessionTicket => "messages_new_session_ticket",
            _ => continue,
        };
        write(target, &format!("rfc8448_{i:02}"), body);
    }
}
