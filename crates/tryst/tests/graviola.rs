//! The graviola crypto provider in full handshakes against the default provider, both
//! ways: every TLS 1.3 suite and every group, a resumption from a ticket (sealed with the
//! server's provider), KeyUpdate in both directions, and client authentication. Only with
//! the `graviola` feature (`cargo xtask ci` runs it on x86_64).
#![cfg(feature = "graviola")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tryst::crypto::{CryptoProvider, Secret};
use tryst::messages::{CipherSuite, NamedGroup};
use tryst::pki_types::CertificateDer;
use tryst::suites::{
    SECP256R1_GROUP, SECP384R1_GROUP, TLS13_AES_128_GCM_SHA256, TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256, X25519_GROUP, X25519MLKEM768_GROUP,
};
use tryst::verify::WebPkiClientVerifier;
use tryst::{CertifiedKey, ClientConfig, HandshakeKind, SeededRandom, ServerConfig, TicketKeys};

fn graviola() -> Arc<CryptoProvider> {
    Arc::new(tryst::crypto::graviola::provider().expect("graviola does not run on this CPU"))
}

fn rustcrypto() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider::rustcrypto())
}

fn client(
    p: &Pki,
    clock: &Arc<tryst::ManualClock>,
    provider: Arc<CryptoProvider>,
) -> tryst::ClientConfigBuilder {
    let ck = CertifiedKey::from_der_with_provider(
        vec![CertificateDer::from(p.client_der.clone())],
        &p.client_key.to_pkcs8_der(),
        &provider,
    )
    .unwrap();
    ClientConfig::builder_with_provider(provider)
        .with_root_certificates(anchors(p))
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"client")))
        .with_client_auth_cert(ck)
}

fn server(
    p: &Pki,
    clock: &Arc<tryst::ManualClock>,
    provider: Arc<CryptoProvider>,
) -> tryst::ServerConfigBuilder {
    // The leaf key is loaded (and signs) with the server's provider, and its tickets are
    // sealed with it.
    let ck = CertifiedKey::from_der_with_provider(
        vec![CertificateDer::from(p.leaf_der.clone())],
        &p.leaf_key.to_pkcs8_der(),
        &provider,
    )
    .unwrap();
    let tickets = TicketKeys::new(
        Secret::from_slice(&[9; 32]).unwrap(),
        Duration::from_secs(3600),
    )
    .with_crypto_provider(&provider)
    .unwrap();
    let client_verifier = WebPkiClientVerifier::new(anchors(p))
        .with_policy(tryst::cert::Policy::DEFAULT.with_verifier(provider.verifier));
    ServerConfig::builder_with_provider(ck, provider)
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"server")))
        .with_ticket_keys(Arc::new(tickets))
        .with_client_cert_verifier(Arc::new(client_verifier))
}

/// Full handshake, data, KeyUpdate both ways, then a resumption with fresh data.
fn exercise(client_provider: Arc<CryptoProvider>, server_provider: Arc<CryptoProvider>) {
    let names = format!(
        "{} client, {} server",
        client_provider.name, server_provider.name
    );
    let p = pki();
    let clock = clock();
    let suites = [
        (TLS13_AES_128_GCM_SHA256, CipherSuite::TlsAes128GcmSha256),
        (TLS13_AES_256_GCM_SHA384, CipherSuite::TlsAes256GcmSha384),
        (
            TLS13_CHACHA20_POLY1305_SHA256,
            CipherSuite::TlsChacha20Poly1305Sha256,
        ),
    ];
    let groups = [
        (X25519_GROUP, NamedGroup::X25519),
        (SECP256R1_GROUP, NamedGroup::Secp256r1),
        (SECP384R1_GROUP, NamedGroup::Secp384r1),
        (X25519MLKEM768_GROUP, NamedGroup::X25519MlKem768),
    ];
    for (i, (suite, suite_code)) in suites.iter().enumerate() {
        let (group, group_code) = groups[i % groups.len()];
        let cc = client(&p, &clock, client_provider.clone())
            .with_cipher_suites(&[*suite])
            .with_groups(&[group])
            .build()
            .unwrap();
        let sc = server(&p, &clock, server_provider.clone()).build().unwrap();
        assert_eq!(cc.crypto_provider().name, client_provider.name);
        assert_eq!(sc.crypto_provider().name, server_provider.name);

        let (mut c, mut s) = pair(cc.clone(), sc.clone());
        handshake(&mut c, &mut s);
        assert_eq!(
            c.negotiated_cipher_suite().unwrap().suite,
            *suite_code,
            "{names}"
        );
        assert_eq!(c.negotiated_group(), Some(group_code), "{names}");
        assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
        assert_eq!(
            s.peer_certificates().len(),
            1,
            "{names}: client authenticated"
        );
        c.send_plaintext(b"hello server").unwrap();
        s.send_plaintext(b"hello client").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"hello server", "{names}");
        assert_eq!(read_all(&mut c), b"hello client", "{names}");

        // KeyUpdate: the client asks the server to update too; then the server alone.
        c.refresh_traffic_keys(true).unwrap();
        c.send_plaintext(b"new keys").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut s), b"new keys", "{names}");
        s.refresh_traffic_keys(false).unwrap();
        s.send_plaintext(b"newer keys").unwrap();
        transfer(&mut c, &mut s);
        assert_eq!(read_all(&mut c), b"newer keys", "{names}");
        assert_eq!(c.key_generations(), (1, 2), "{names}");

        // Resumption from the tickets the server sealed with its provider.
        clock.advance(Duration::from_secs(60));
        let (mut c2, mut s2) = pair(cc, sc);
        handshake(&mut c2, &mut s2);
        assert_eq!(c2.handshake_kind(), Some(HandshakeKind::Resumed), "{names}");
        assert_eq!(s2.handshake_kind(), Some(HandshakeKind::Resumed), "{names}");
        c2.send_plaintext(b"again").unwrap();
        transfer(&mut c2, &mut s2);
        assert_eq!(read_all(&mut s2), b"again", "{names}");
    }
}

#[test]
fn graviola_client_default_server() {
    exercise(graviola(), rustcrypto());
}

#[test]
fn default_client_graviola_server() {
    exercise(rustcrypto(), graviola());
}

#[test]
fn graviola_both_sides() {
    exercise(graviola(), graviola());
}
