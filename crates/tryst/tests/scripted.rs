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

use common::scripted::*;
use tryst::messages::{
    AlertDescription, CertificateRequest, Extension, KeyShareEntry, SignatureScheme,
};

fn client_alert(s: Script) -> (Option<AlertDescription>, tryst::Error) {
    let (_, r) = scripted(&s);
    let e = r.expect_err("the client must refuse");
    (e.alert(), e)
}

#[test]
fn the_script_is_right_when_nothing_is_wrong() {
    let (c, r) = scripted(&Script::default());
    r.unwrap();
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
