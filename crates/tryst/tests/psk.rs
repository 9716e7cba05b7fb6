//! External PSKs (RFC 8446 §4.2.11) between tryst client and server in memory: the happy
//! paths (PSK-only server, client without a verifier, SHA-256 and SHA-384 PSKs) and the
//! attacks (wrong binder, unknown identity, psk_ke only, a PSK of another hash, a bad
//! selected index, a tampered binder list).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::tamper::{alert_of, client_hello, none, server_hello, tampered};
use common::{client_builder, clock, handshake, pair, pki, read_all, server_builder, transfer};
use tryst::crypto::HashAlgorithm;
use tryst::messages::{AlertDescription, CipherSuite, Extension, PskKeyExchangeMode};
use tryst::{
    ClientConfig, Error, ExternalPsk, HandshakeKind, ManualClock, SeededRandom, ServerConfig,
};

const KEY: [u8; 32] = [0x42; 32];

fn psk(id: &[u8], key: &[u8], hash: HashAlgorithm) -> ExternalPsk {
    ExternalPsk::new(id, key, hash).unwrap()
}

fn psk_client(clock: &Arc<ManualClock>, p: ExternalPsk) -> Arc<ClientConfig> {
    ClientConfig::builder()
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"psk client")))
        .with_external_psk(p)
        .build()
        .unwrap()
}

fn psk_server(clock: &Arc<ManualClock>, psks: Vec<ExternalPsk>) -> Arc<ServerConfig> {
    let mut b = ServerConfig::psk_only_builder()
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"psk server")));
    for p in psks {
        b = b.with_external_psk(p);
    }
    b.build().unwrap()
}

#[test]
fn psk_only_server_and_client_without_verifier() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"device-7", &KEY, HashAlgorithm::Sha256));
    let sc = psk_server(
        &clock,
        vec![
            psk(b"device-1", &[1; 32], HashAlgorithm::Sha256),
            psk(b"device-7", &KEY, HashAlgorithm::Sha256),
        ],
    );
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::ExternalPsk));
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::ExternalPsk));
    assert_eq!(s.psk_identity(), Some(&b"device-7"[..]));
    assert!(c.peer_certificates().is_empty());
    assert_eq!(c.signature_scheme(), None);
    assert_eq!(
        c.negotiated_cipher_suite().unwrap().suite,
        CipherSuite::TlsAes128GcmSha256
    );
    c.send_plaintext(b"ping").unwrap();
    transfer(&mut c, &mut s);
    assert_eq!(read_all(&mut s), b"ping");
}

#[test]
fn sha384_psk_selects_a_sha384_suite() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"big", &[7; 48], HashAlgorithm::Sha384));
    let sc = psk_server(&clock, vec![psk(b"big", &[7; 48], HashAlgorithm::Sha384)]);
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(
        s.negotiated_cipher_suite().unwrap().suite,
        CipherSuite::TlsAes256GcmSha384
    );
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::ExternalPsk));
}

#[test]
fn wrong_key_is_decrypt_error() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"device-7", &[0x43; 32], HashAlgorithm::Sha256));
    let sc = psk_server(&clock, vec![psk(b"device-7", &KEY, HashAlgorithm::Sha256)]);
    let (mut c, mut s) = pair(cc, sc);
    let (ce, se) = transfer(&mut c, &mut s);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::DecryptError))
    );
}

#[test]
fn unknown_identity_falls_back_to_certificates_or_fails() {
    let clock = clock();
    let p = pki();
    // A server with a certificate: a full handshake, checked with the client's roots.
    let cc = client_builder(&p, &clock, b"c")
        .with_external_psk(psk(b"nobody", &KEY, HashAlgorithm::Sha256))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"s")
        .with_external_psk(psk(b"device-7", &KEY, HashAlgorithm::Sha256))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc.clone());
    handshake(&mut c, &mut s);
    assert_eq!(c.handshake_kind(), Some(HandshakeKind::Full));
    assert_eq!(s.psk_identity(), None);
    // The same without roots: the client refuses the certificate it cannot check.
    let cc = psk_client(&clock, psk(b"nobody", &KEY, HashAlgorithm::Sha256));
    let (mut c, mut s) = pair(cc.clone(), sc);
    let (ce, _) = transfer(&mut c, &mut s);
    assert_eq!(alert_of(&ce), Some(AlertDescription::HandshakeFailure));
    // A PSK-only server: handshake_failure.
    let sc = psk_server(&clock, vec![psk(b"device-7", &KEY, HashAlgorithm::Sha256)]);
    let (mut c, mut s) = pair(cc, sc);
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::HandshakeFailure),
        "{se:?}"
    );
}

/// The same identity and key known with another hash is never used with that hash: the
/// server negotiates a suite of its PSK's hash, and the client's binder (made with the
/// other hash) does not verify: decrypt_error, never a handshake under a confused key.
#[test]
fn psk_of_another_hash_is_not_used() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"dual", &[9; 32], HashAlgorithm::Sha384));
    let sc = psk_server(&clock, vec![psk(b"dual", &[9; 32], HashAlgorithm::Sha256)]);
    let (mut c, mut s) = pair(cc, sc);
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
    // A server that prefers suites of the other hash does not resume it either.
    let cc = psk_client(&clock, psk(b"dual", &[9; 32], HashAlgorithm::Sha384));
    let sc = ServerConfig::psk_only_builder()
        .with_clock(clock.clone())
        .with_cipher_suites(&[tryst::suites::TLS13_AES_128_GCM_SHA256])
        .with_external_psk(psk(b"dual", &[9; 32], HashAlgorithm::Sha256))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
    // And a client whose suites have no SHA-384 cannot offer a SHA-384 PSK at all.
    let cc = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_cipher_suites(&[tryst::suites::TLS13_AES_128_GCM_SHA256])
        .with_external_psk(psk(b"dual", &[9; 32], HashAlgorithm::Sha384))
        .build()
        .unwrap();
    let sc = psk_server(&clock, vec![psk(b"dual", &[9; 32], HashAlgorithm::Sha384)]);
    let (mut c, mut s) = pair(cc, sc);
    let (_, se) = transfer(&mut c, &mut s);
    assert_eq!(alert_of(&se), Some(AlertDescription::HandshakeFailure));
}

/// psk_ke (no (EC)DHE) is never used: a ClientHello that offers only psk_ke gets no PSK.
#[test]
fn psk_ke_only_is_refused() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"device-7", &KEY, HashAlgorithm::Sha256));
    let sc = psk_server(&clock, vec![psk(b"device-7", &KEY, HashAlgorithm::Sha256)]);
    let only_psk_ke = client_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::PskKeyExchangeModes(m) = e {
                *m = vec![PskKeyExchangeMode::PskKe];
            }
        }
    });
    let (_, se) = tampered(cc, sc, &only_psk_ke, &none);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::HandshakeFailure),
        "{se:?}"
    );
}

/// A binder changed in flight is decrypt_error; a binder list shorter than the identity list
/// is illegal_parameter; a server selecting an index we did not offer is illegal_parameter.
#[test]
fn tampered_binders_and_selected_index() {
    let clock = clock();
    let cc = psk_client(&clock, psk(b"device-7", &KEY, HashAlgorithm::Sha256));
    let sc = psk_server(&clock, vec![psk(b"device-7", &KEY, HashAlgorithm::Sha256)]);
    let flip = client_hello(&|ch| {
        if let Some(Extension::PreSharedKeyOffer(o)) = ch.extensions.last_mut() {
            o.binders[0].to_mut()[0] ^= 1;
        }
    });
    let (_, se) = tampered(cc.clone(), sc.clone(), &flip, &none);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::DecryptError),
        "{se:?}"
    );
    let extra_identity = client_hello(&|ch| {
        if let Some(Extension::PreSharedKeyOffer(o)) = ch.extensions.last_mut() {
            let first = o.identities[0].clone();
            o.identities.push(first);
        }
    });
    let (_, se) = tampered(cc.clone(), sc.clone(), &extra_identity, &none);
    assert_eq!(
        alert_of(&se),
        Some(AlertDescription::IllegalParameter),
        "{se:?}"
    );
    let index_one = server_hello(&|sh| {
        for e in &mut sh.extensions {
            if let Extension::PreSharedKeySelected(i) = e {
                *i = 1;
            }
        }
    });
    let (ce, _) = tampered(cc, sc, &none, &index_one);
    assert_eq!(
        alert_of(&ce),
        Some(AlertDescription::IllegalParameter),
        "{ce:?}"
    );
}

#[test]
fn config_rules() {
    assert!(ExternalPsk::new(b"", &KEY, HashAlgorithm::Sha256).is_err());
    assert!(ExternalPsk::new(b"id", &[1; 8], HashAlgorithm::Sha256).is_err());
    assert!(ExternalPsk::new(b"id", &[1; 65], HashAlgorithm::Sha256).is_err());
    assert!(ExternalPsk::new(&[b'a'; 1025], &KEY, HashAlgorithm::Sha256).is_err());
    // The key never shows in Debug.
    let p = psk(b"device-7", &KEY, HashAlgorithm::Sha256);
    let dbg = format!("{p:?}");
    assert!(!dbg.contains("42") && !dbg.contains("66"), "{dbg}");
    // A server needs a certificate or a PSK; identities are unique.
    assert!(ServerConfig::psk_only_builder().build().is_err());
    let dup = ServerConfig::psk_only_builder()
        .with_external_psk(psk(b"a", &KEY, HashAlgorithm::Sha256))
        .with_external_psk(psk(b"a", &[1; 32], HashAlgorithm::Sha384))
        .build();
    assert!(dup.is_err());
    // A client needs a verifier, roots or a PSK.
    assert!(ClientConfig::builder().build().is_err());
}
