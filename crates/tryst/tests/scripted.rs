//! MUSTs about the encrypted part of the handshake, checked against a scripted server
//! built from the lower crates (messages, keyschedule, record, crypto). The script can
//! make any message wrong on purpose; the client must answer with the RFC's alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::borrow::Cow;

use common::*;
use tryst::crypto::{SHA256, Signer, X25519};
use tryst::messages::{
    AlertDescription, Certificate, CertificateEntry, CertificateRequest, CertificateVerify,
    CipherSuite, Codec, ContentType, EncryptedExtensions, Extension, Finished, HandshakeMessage,
    KeyShareEntry, ProtocolVersion, RawHandshake, ServerHello, SignatureScheme,
};
use tryst_keyschedule::{EarlySchedule, Transcript};
use tryst_record::RecordEncrypter;

#[derive(Default)]
struct Script {
    ee: Vec<Extension<'static>>,
    cert_request: Option<CertificateRequest<'static>>,
    empty_certificate: bool,
    cv_scheme: Option<SignatureScheme>,
    corrupt_signature: bool,
    corrupt_finished: bool,
    /// Put the first bytes of EncryptedExtensions in the ServerHello's plaintext record.
    split_across_key_change: bool,
}

struct Rng;
impl tryst::crypto::rng::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(4)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(4)
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
        d.fill(0x42);
        Ok(())
    }
}
impl tryst::crypto::rng::TryCryptoRng for Rng {}

/// The server's whole first flight, answering the client's ClientHello record.
fn server_flight(p: &Pki, client_hello_record: &[u8], s: &Script) -> Vec<u8> {
    let (raw, _) = RawHandshake::split(&client_hello_record[5..], 1 << 16)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!()
    };
    let share = ch
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::KeyShareClient(k) => k
                .iter()
                .find(|k| k.group == tryst::messages::NamedGroup::X25519)
                .cloned(),
            _ => None,
        })
        .unwrap();
    let kx = X25519.start(&mut Rng).unwrap();
    let public = kx.public_key().to_vec();
    let shared = kx.complete(&share.key_exchange).unwrap();
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [7; 32],
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: CipherSuite::TlsAes128GcmSha256,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(
                tryst::messages::NamedGroup::X25519,
                &public,
            )),
        ],
    })
    .to_bytes()
    .unwrap();
    let mut t = Transcript::new(SHA256);
    t.add(raw.encoded).unwrap();
    t.add(&sh).unwrap();
    let hs = EarlySchedule::new(SHA256).into_handshake(&shared).unwrap();
    let s_hs = hs.server_handshake_traffic_secret(&t.current()).unwrap();

    let mut out = Vec::new();
    let mut enc = RecordEncrypter::new();
    let mut msgs = Vec::new();
    let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        extensions: s.ee.clone(),
    })
    .to_bytes()
    .unwrap();
    if s.split_across_key_change {
        let mut first = sh.clone();
        first.extend_from_slice(&ee[..2]);
        enc.write(ContentType::Handshake, &first, &mut out).unwrap();
    } else {
        enc.write(ContentType::Handshake, &sh, &mut out).unwrap();
    }
    let keys = tryst_keyschedule::TrafficKeys::derive(SHA256, &s_hs, 16).unwrap();
    enc.set_key(tryst::crypto::AES_128_GCM, &keys.key, keys.iv)
        .unwrap();

    msgs.push(ee);
    if let Some(cr) = &s.cert_request {
        msgs.push(
            HandshakeMessage::CertificateRequest(cr.clone())
                .to_bytes()
                .unwrap(),
        );
    }
    let entries = if s.empty_certificate {
        vec![]
    } else {
        vec![CertificateEntry::new(&p.leaf_der)]
    };
    msgs.push(
        HandshakeMessage::Certificate(Certificate {
            certificate_request_context: Cow::Borrowed(&[]),
            certificate_list: entries,
        })
        .to_bytes()
        .unwrap(),
    );
    for m in &msgs {
        t.add(m).unwrap();
    }
    let mut content = vec![0x20u8; 64];
    content.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
    content.extend_from_slice(t.current().as_bytes());
    let mut sig = p.leaf_key.sign(&content).unwrap();
    if s.corrupt_signature {
        sig[10] ^= 1;
    }
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: s.cv_scheme.unwrap_or(SignatureScheme::Ed25519),
        signature: sig.into(),
    })
    .to_bytes()
    .unwrap();
    t.add(&cv).unwrap();
    msgs.push(cv);
    let mut vd = tryst_keyschedule::verify_data(SHA256, &s_hs, &t.current())
        .unwrap()
        .expose_secret()
        .to_vec();
    if s.corrupt_finished {
        vd[0] ^= 1;
    }
    msgs.push(
        HandshakeMessage::Finished(Finished {
            verify_data: vd.into(),
        })
        .to_bytes()
        .unwrap(),
    );
    let mut flight = msgs.concat();
    if s.split_across_key_change {
        flight.drain(..2);
    }
    enc.write(ContentType::Handshake, &flight, &mut out)
        .unwrap();
    out
}

fn client_alert(s: Script) -> (Option<AlertDescription>, tryst::Error) {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let mut c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    let n = ch.len();
    c.consume_tls(n);
    let flight = server_flight(&p, &ch, &s);
    c.read_tls_bytes(&flight);
    let e = c.process_new_packets().expect_err("the client must refuse");
    (e.alert(), e)
}

#[test]
fn the_script_is_right_when_nothing_is_wrong() {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client").build().unwrap();
    let mut c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    c.read_tls_bytes(&server_flight(&p, &ch, &Script::default()));
    c.process_new_packets().unwrap();
    assert!(
        !c.is_handshaking(),
        "a correct scripted flight completes the handshake"
    );
}

#[test]
fn finished_mismatch_is_decrypt_error() {
    let (a, _) = client_alert(Script {
        corrupt_finished: true,
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::DecryptError));
}

#[test]
fn bad_certificate_verify_is_decrypt_error() {
    let (a, _) = client_alert(Script {
        corrupt_signature: true,
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::DecryptError));
}

#[test]
fn certificate_verify_with_pkcs1_is_illegal_parameter() {
    let (a, _) = client_alert(Script {
        cv_scheme: Some(SignatureScheme::RsaPkcs1Sha256),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::IllegalParameter));
}

#[test]
fn certificate_verify_scheme_not_matching_key() {
    let (a, _) = client_alert(Script {
        cv_scheme: Some(SignatureScheme::EcdsaSecp256r1Sha256),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::IllegalParameter));
}

#[test]
fn empty_server_certificate_is_decode_error() {
    let (a, _) = client_alert(Script {
        empty_certificate: true,
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::DecodeError));
}

#[test]
fn encrypted_extensions_with_forbidden_extension() {
    let ks = Extension::KeyShareServer(
        KeyShareEntry::new(tryst::messages::NamedGroup::X25519, &[1; 32]).into_owned(),
    );
    let (a, _) = client_alert(Script {
        ee: vec![ks],
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::IllegalParameter));
}

#[test]
fn encrypted_extensions_with_unrequested_alpn() {
    let (a, _) = client_alert(Script {
        ee: vec![Extension::Alpn(vec![Cow::Owned(b"h2".to_vec())])],
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnsupportedExtension));
}

#[test]
fn certificate_request_without_signature_algorithms() {
    // (An empty extensions block is a decode_error: the RFC gives it a minimum length of 2.)
    let cr = CertificateRequest {
        certificate_request_context: Cow::Owned(vec![]),
        extensions: vec![Extension::SignatureAlgorithmsCert(vec![
            SignatureScheme::Ed25519,
        ])],
    };
    let (a, _) = client_alert(Script {
        cert_request: Some(cr),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::MissingExtension));
}

#[test]
fn certificate_request_with_context_in_handshake() {
    let cr = CertificateRequest {
        certificate_request_context: Cow::Owned(vec![1, 2]),
        extensions: vec![Extension::SignatureAlgorithms(vec![
            SignatureScheme::Ed25519,
        ])],
    };
    let (a, _) = client_alert(Script {
        cert_request: Some(cr),
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::IllegalParameter));
}

#[test]
fn handshake_message_spanning_a_key_change() {
    let (a, e) = client_alert(Script {
        split_across_key_change: true,
        ..Default::default()
    });
    assert_eq!(a, Some(AlertDescription::UnexpectedMessage), "{e}");
}
