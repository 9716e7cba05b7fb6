//! TLS 1.2 interop in memory with rustls 0.23 (ring provider, its `tls12` feature), both
//! directions, every suite we support, ECDSA, RSA and Ed25519 server keys.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/rustls_io.rs"]
mod rustls_io;
mod tls12_util;

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls_io::pump;
use tls12_util::*;
use tryst::messages::{CipherSuite, ProtocolVersion};

fn provider(suite: Option<rustls::SupportedCipherSuite>) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    if let Some(s) = suite {
        p.cipher_suites = vec![s];
    }
    Arc::new(p)
}

fn roots(p: &Pki) -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    r.add(CertificateDer::from(p.ca.clone())).unwrap();
    r
}

fn key_der(k: &[u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(k.to_vec()))
}

fn rustls_suite(s: CipherSuite) -> rustls::SupportedCipherSuite {
    use rustls::crypto::ring::cipher_suite as rs;
    match s {
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256 => {
            rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        }
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384 => {
            rs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        }
        CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256 => {
            rs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256 => rs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TlsEcdheRsaWithAes256GcmSha384 => rs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256 => {
            rs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
        other => panic!("{other:?}"),
    }
}

/// (our suite, the server key kind it needs)
fn cases() -> Vec<(CipherSuite, Kind)> {
    use CipherSuite as C;
    vec![
        (C::TlsEcdheEcdsaWithAes128GcmSha256, Kind::Ecdsa),
        (C::TlsEcdheEcdsaWithAes256GcmSha384, Kind::Ecdsa),
        (C::TlsEcdheEcdsaWithChacha20Poly1305Sha256, Kind::Ecdsa),
        (C::TlsEcdheEcdsaWithAes128GcmSha256, Kind::Ed25519),
        (C::TlsEcdheRsaWithAes128GcmSha256, Kind::Rsa),
        (C::TlsEcdheRsaWithAes256GcmSha384, Kind::Rsa),
        (C::TlsEcdheRsaWithChacha20Poly1305Sha256, Kind::Rsa),
    ]
}

fn rustls_tls12_client(p: &Pki, suite: Option<CipherSuite>) -> Arc<rustls::ClientConfig> {
    let c = rustls::ClientConfig::builder_with_provider(provider(suite.map(rustls_suite)))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_root_certificates(roots(p))
        .with_no_client_auth();
    Arc::new(c)
}

#[test]
fn rustls_tls12_client_to_tryst_server_every_suite() {
    let p = pki();
    for (suite, kind) in cases() {
        let server = server(&p, kind, BOTH).build().unwrap();
        let mut rc = rustls::ClientConnection::new(
            rustls_tls12_client(&p, Some(suite)),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut ts = tryst::ServerConnection::new(server).unwrap();
        rc.writer().write_all(b"hello from rustls").unwrap();
        pump(&mut rc, &mut ts).unwrap_or_else(|e| panic!("{suite:?} {kind:?}: {e}"));
        assert_eq!(ts.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(ts.negotiated_cipher_suite().unwrap().suite, suite);
        assert_eq!(
            u16::from(rc.negotiated_cipher_suite().unwrap().suite()),
            suite.to_raw()
        );
        let mut got = vec![0u8; 64];
        let n = ts.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"hello from rustls");
        ts.send_plaintext(b"hello from tryst").unwrap();
        // Exporters agree (RFC 5705).
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        ts.export_keying_material(&mut a, b"EXPERIMENTAL x", Some(b"c"))
            .unwrap();
        rc.export_keying_material(&mut b, b"EXPERIMENTAL x", Some(b"c"))
            .unwrap();
        assert_eq!(a, b, "{suite:?}");
        rc.send_close_notify();
        pump(&mut rc, &mut ts).unwrap();
        let mut s = String::new();
        let _ = rc.reader().read_to_string(&mut s);
        assert_eq!(s, "hello from tryst");
        assert!(ts.peer_has_closed());
    }
}

#[test]
fn tryst_client_to_rustls_tls12_server_every_suite() {
    let p = pki();
    for (suite, kind) in cases() {
        let (cert, key) = p.server(kind);
        let config =
            rustls::ServerConfig::builder_with_provider(provider(Some(rustls_suite(suite))))
                .with_protocol_versions(&[&rustls::version::TLS12])
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![
                        CertificateDer::from(cert.clone()),
                        CertificateDer::from(p.ca.clone()),
                    ],
                    key_der(key),
                )
                .unwrap();
        let mut rs = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let cc = client(&p).build().unwrap();
        let mut tc = tryst::ClientConnection::new(
            cc,
            tryst::pki_types::ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        tc.send_plaintext(b"hello from tryst").unwrap();
        pump(&mut rs, &mut tc).unwrap_or_else(|e| panic!("{suite:?} {kind:?}: {e}"));
        assert_eq!(tc.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(tc.negotiated_cipher_suite().unwrap().suite, suite);
        let mut s = String::new();
        let _ = rs.reader().read_to_string(&mut s);
        assert_eq!(s, "hello from tryst");
        rs.writer().write_all(b"hello from rustls").unwrap();
        pump(&mut rs, &mut tc).unwrap();
        let mut got = vec![0u8; 64];
        let n = tc.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"hello from rustls");
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        tc.export_keying_material(&mut a, b"EXPERIMENTAL y", None)
            .unwrap();
        rs.export_keying_material(&mut b, b"EXPERIMENTAL y", None)
            .unwrap();
        assert_eq!(a, b, "{suite:?}");
    }
}

#[test]
fn a_tls13_capable_rustls_and_tryst_pick_tls13() {
    // Both sides speak both versions: the highest wins.
    let p = pki();
    let server = server(&p, Kind::Ecdsa, BOTH).build().unwrap();
    let c = rustls::ClientConfig::builder_with_provider(provider(None))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots(&p))
        .with_no_client_auth();
    let mut rc =
        rustls::ClientConnection::new(Arc::new(c), ServerName::try_from("localhost").unwrap())
            .unwrap();
    let mut ts = tryst::ServerConnection::new(server).unwrap();
    pump(&mut rc, &mut ts).unwrap();
    assert_eq!(ts.protocol_version(), Some(ProtocolVersion::Tls13));
}

#[test]
fn rustls_tls12_server_requires_our_tls12_client_without_tls12_refused() {
    // Our client with TLS 1.2 off against a TLS 1.2-only server: rustls answers with
    // protocol_version (it sees no TLS 1.2 offer).
    let p = pki();
    let (cert, key) = p.server(Kind::Ecdsa);
    let config = rustls::ServerConfig::builder_with_provider(provider(None))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert.clone())], key_der(key))
        .unwrap();
    let mut rs = rustls::ServerConnection::new(Arc::new(config)).unwrap();
    let cc = client(&p)
        .with_protocol_versions(&[ProtocolVersion::Tls13])
        .build()
        .unwrap();
    let mut tc = tryst::ClientConnection::new(
        cc,
        tryst::pki_types::ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let e = pump(&mut rs, &mut tc).unwrap_err();
    assert!(e.contains("rustls"), "{e}");
    assert_eq!(tc.protocol_version(), None);
}

#[test]
fn resumption_with_rustls_tickets_and_session_ids() {
    let p = pki();
    // rustls client (tickets) against our server.
    let server = server(&p, Kind::Ecdsa, BOTH)
        .with_ticket_keys(Arc::new(
            tryst::TicketKeys::generate(
                &mut tryst::crypto::OsRng,
                std::time::Duration::from_secs(600),
            )
            .unwrap(),
        ))
        .build()
        .unwrap();
    let rcfg = rustls_tls12_client(&p, None);
    for round in 0..3 {
        let mut rc =
            rustls::ClientConnection::new(rcfg.clone(), ServerName::try_from("localhost").unwrap())
                .unwrap();
        let mut ts = tryst::ServerConnection::new(server.clone()).unwrap();
        pump(&mut rc, &mut ts).unwrap();
        let kind = if round == 0 {
            tryst::HandshakeKind::Full
        } else {
            tryst::HandshakeKind::Resumed
        };
        assert_eq!(ts.handshake_kind(), Some(kind), "round {round}");
        assert_eq!(
            rc.handshake_kind(),
            Some(if round == 0 {
                rustls::HandshakeKind::Full
            } else {
                rustls::HandshakeKind::Resumed
            })
        );
    }
    // Our client against a rustls server: its default keeps a session cache and gives
    // session ids (resumption by id); with a ticketer, tickets.
    let (cert, key) = p.server(Kind::Rsa);
    for tickets in [false, true] {
        let mut config = rustls::ServerConfig::builder_with_provider(provider(None))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(cert.clone())], key_der(key))
            .unwrap();
        if tickets {
            config.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
        }
        let config = Arc::new(config);
        let cc = client(&p).build().unwrap();
        for round in 0..3 {
            let mut rs = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tc = tryst::ClientConnection::new(
                cc.clone(),
                tryst::pki_types::ServerName::try_from("localhost").unwrap(),
            )
            .unwrap();
            tc.send_plaintext(b"again").unwrap();
            pump(&mut rs, &mut tc).unwrap();
            let kind = if round == 0 {
                tryst::HandshakeKind::Full
            } else {
                tryst::HandshakeKind::Resumed
            };
            assert_eq!(
                tc.handshake_kind(),
                Some(kind),
                "tickets {tickets} round {round}"
            );
            assert_eq!(tc.peer_certificates().len(), 1);
            let mut s = String::new();
            let _ = rs.reader().read_to_string(&mut s);
            assert_eq!(s, "again");
        }
    }
}

#[test]
fn a_sni_resolver_picks_the_certificate_a_tls12_clients_suites_can_use() {
    // One name, an ECDSA and an RSA certificate (ECDSA listed first). rustls lists ECDSA
    // schemes in signature_algorithms whatever suites it offers, so a TLS 1.2 client that
    // offers only ECDHE_RSA suites must still get the RSA certificate: the key type is
    // chosen among those some offered suite can authenticate.
    let p = pki();
    let mut resolver = tryst::SniCertResolver::new();
    for kind in [Kind::Ecdsa, Kind::Rsa] {
        resolver = resolver.with_cert(Arc::new(p.certified(kind))).unwrap();
    }
    let server = tryst::ServerConfig::builder_with_cert_resolver(Arc::new(resolver))
        .build()
        .unwrap();
    for (suite, kind) in [
        (CipherSuite::TlsEcdheRsaWithAes128GcmSha256, Kind::Rsa),
        (CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256, Kind::Ecdsa),
    ] {
        let mut rc = rustls::ClientConnection::new(
            rustls_tls12_client(&p, Some(suite)),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut ts = tryst::ServerConnection::new(server.clone()).unwrap();
        pump(&mut rc, &mut ts).unwrap_or_else(|e| panic!("{suite:?}: {e}"));
        assert_eq!(ts.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(ts.negotiated_cipher_suite().unwrap().suite, suite);
        let leaf = &rc.peer_certificates().unwrap()[0];
        assert_eq!(leaf.as_ref(), p.server(kind).0.as_slice(), "{suite:?}");
        let chosen = ts.chosen_certificate().expect("a full handshake chose one");
        assert_eq!(chosen.key.chain()[0].as_ref(), p.server(kind).0.as_slice());
    }
}
