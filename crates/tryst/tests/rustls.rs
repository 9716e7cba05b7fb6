//! Interop in memory with rustls 0.23 (ring provider), both directions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
#[path = "common/rustls_io.rs"]
mod rustls_io;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls_io::{Pki, key, provider, pump, real_time_pki};
use tryst::HandshakeKind;
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, Signer};
use tryst::messages::{CipherSuite, NamedGroup};
use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};

/// Certificates valid around the real current time (rustls checks with the system clock).
fn pki() -> Pki {
    real_time_pki("rustls interop CA", 11, 30 * 86_400)
}

fn roots(p: &Pki) -> rustls::RootCertStore {
    let mut r = rustls::RootCertStore::empty();
    r.add(CertificateDer::from(p.ca.clone())).unwrap();
    r
}

fn pkcs8(k: &Ed25519SigningKey) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(k.to_pkcs8_der().to_vec()))
}

fn tryst_server_config(p: &Pki) -> tryst::ServerConfigBuilder {
    let signer: Arc<dyn Signer> = Arc::new(key(12));
    let ck = tryst::CertifiedKey::new(vec![p.leaf.clone().into()], signer).unwrap();
    let mut rng = tryst::crypto::OsRng;
    tryst::ServerConfig::builder(ck).with_ticket_keys(Arc::new(
        tryst::TicketKeys::generate(&mut rng, std::time::Duration::from_secs(3600)).unwrap(),
    ))
}

#[test]
fn rustls_client_to_tryst_server() {
    let p = pki();
    let _ = &p.leaf_key;
    let server = tryst_server_config(&p).build().unwrap();
    let mut client = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots(&p))
        .with_client_auth_cert(vec![p.client.clone().into()], pkcs8(&p.client_key))
        .unwrap();
    client.alpn_protocols = vec![b"h2".to_vec()];
    let client = Arc::new(client);

    for round in 0..3 {
        let mut rc = rustls::ClientConnection::new(
            client.clone(),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut ts = tryst::ServerConnection::new(server.clone()).unwrap();
        rc.writer().write_all(b"hello from rustls").unwrap();
        pump(&mut rc, &mut ts).unwrap();
        assert!(!ts.is_handshaking() && !rc.is_handshaking());
        let mut got = vec![0u8; 64];
        let n = ts.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"hello from rustls");
        // rustls asks us to update our keys; we answer and keep talking.
        rc.refresh_traffic_keys().unwrap();
        ts.send_plaintext(b"hello from tryst").unwrap();
        pump(&mut rc, &mut ts).unwrap();
        let mut s = String::new();
        let _ = rc.reader().read_to_string(&mut s);
        assert_eq!(s, "hello from tryst");
        let expect = if round == 0 {
            HandshakeKind::Full
        } else {
            HandshakeKind::Resumed
        };
        assert_eq!(ts.handshake_kind(), Some(expect), "round {round}");
        assert_eq!(
            rc.alpn_protocol(),
            None,
            "we configured no ALPN on the server"
        );
        rc.send_close_notify();
        pump(&mut rc, &mut ts).unwrap();
        assert!(ts.peer_has_closed());
    }
}

#[test]
fn tryst_client_to_rustls_server() {
    let p = pki();
    let mut server = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![p.leaf.clone().into()], pkcs8(&p.leaf_key))
        .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let server = Arc::new(server);
    let anchors = TrustAnchors::from_der([p.ca.as_slice()]).unwrap();
    let client = tryst::ClientConfig::builder()
        .with_root_certificates(anchors)
        .with_groups(&[SECP256R1_GROUP, X25519_GROUP])
        .with_alpn_protocols(vec![b"http/1.1".to_vec()])
        .build()
        .unwrap();
    for round in 0..3 {
        let mut tc = tryst::ClientConnection::new(
            client.clone(),
            tryst::pki_types::ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut rs = rustls::ServerConnection::new(server.clone()).unwrap();
        pump(&mut rs, &mut tc).unwrap();
        assert!(!tc.is_handshaking());
        tc.refresh_traffic_keys(true).unwrap();
        tc.send_plaintext(b"ping").unwrap();
        pump(&mut rs, &mut tc).unwrap();
        let mut buf = [0u8; 4];
        rs.reader().read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
        rs.writer().write_all(b"pong").unwrap();
        pump(&mut rs, &mut tc).unwrap();
        let mut got = [0u8; 8];
        let n = tc.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"pong");
        assert_eq!(
            tc.key_generations(),
            (1, 1),
            "rustls answered update_requested"
        );
        assert_eq!(tc.alpn_protocol(), Some(&b"http/1.1"[..]));
        // rustls prefers X25519 but we led with a P-256 share: no retry needed, since it
        // accepts any share of a group it supports.
        assert!(matches!(
            tc.negotiated_group(),
            Some(NamedGroup::Secp256r1 | NamedGroup::X25519)
        ));
        assert_eq!(
            tc.negotiated_cipher_suite().unwrap().suite,
            CipherSuite::TlsAes128GcmSha256
        );
        let expect_resumed = round > 0;
        assert_eq!(tc.is_resumed(), expect_resumed, "round {round}");
    }
}

/// Review finding 13 (issue 13): a client that holds a 0-RTT-capable ticket from another
/// server (here a rustls server) sends early data; tryst declines 0-RTT, skips the early
/// records and completes a 1-RTT handshake (RFC 8446 §4.2.10), up to a byte budget.
mod rejected_early_data {
    use super::*;

    fn early_client(p: &Pki) -> Arc<rustls::ClientConfig> {
        let mut c = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots(p))
            .with_no_client_auth();
        c.enable_early_data = true;
        Arc::new(c)
    }

    /// A rustls server whose tickets allow 64 KiB of early data; one full handshake with
    /// it leaves the client holding such tickets for "localhost".
    fn get_foreign_ticket(p: &Pki, client: &Arc<rustls::ClientConfig>) {
        let mut server = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![p.leaf.clone().into()], pkcs8(&p.leaf_key))
            .unwrap();
        server.max_early_data_size = 64 * 1024;
        let mut rs = rustls::ServerConnection::new(Arc::new(server)).unwrap();
        let mut rc = rustls::ClientConnection::new(client.clone(), localhost()).unwrap();
        for _ in 0..16 {
            let mut buf = Vec::new();
            while rc.wants_write() {
                rc.write_tls(&mut buf).unwrap();
            }
            rs.read_tls(&mut &buf[..]).unwrap();
            rs.process_new_packets().unwrap();
            let mut buf = Vec::new();
            while rs.wants_write() {
                rs.write_tls(&mut buf).unwrap();
            }
            let mut rd = &buf[..];
            while !rd.is_empty() {
                rc.read_tls(&mut rd).unwrap();
                rc.process_new_packets().unwrap();
            }
        }
        assert!(!rc.is_handshaking());
    }

    fn localhost() -> ServerName<'static> {
        ServerName::try_from("localhost").unwrap()
    }

    /// Connect to `server` sending `early` as 0-RTT; returns both sides and the result.
    fn connect(
        client: &Arc<rustls::ClientConfig>,
        server: Arc<tryst::ServerConfig>,
        early: &[u8],
    ) -> (
        rustls::ClientConnection,
        tryst::ServerConnection,
        Result<(), String>,
    ) {
        let mut rc = rustls::ClientConnection::new(client.clone(), localhost()).unwrap();
        rc.early_data()
            .expect("the ticket allows 0-RTT")
            .write_all(early)
            .unwrap();
        rc.writer().write_all(b"one round trip later").unwrap();
        let mut ts = tryst::ServerConnection::new(server).unwrap();
        let r = pump(&mut rc, &mut ts);
        (rc, ts, r)
    }

    #[test]
    fn early_data_under_a_foreign_ticket_is_skipped() {
        let p = pki();
        let client = early_client(&p);
        get_foreign_ticket(&p, &client);
        let server = tryst_server_config(&p).build().unwrap();
        let (rc, mut ts, r) = connect(&client, server, &[b'e'; 3000]);
        r.unwrap();
        assert!(!rc.is_handshaking() && !ts.is_handshaking());
        assert!(!rc.is_early_data_accepted());
        assert_eq!(ts.handshake_kind(), Some(HandshakeKind::Full));
        let mut got = vec![0u8; 8192];
        let n = ts.read_plaintext(&mut got);
        assert_eq!(
            &got[..n],
            b"one round trip later",
            "early data never reaches us"
        );
    }

    #[test]
    fn early_data_after_hello_retry_request_is_skipped() {
        // rustls leads with an X25519 share; this server only does P-256, so it asks again
        // and the early records arrive in the clear before the second ClientHello.
        let p = pki();
        let client = early_client(&p);
        get_foreign_ticket(&p, &client);
        let server = tryst_server_config(&p)
            .with_groups(&[SECP256R1_GROUP])
            .build()
            .unwrap();
        let (rc, mut ts, r) = connect(&client, server, &[b'e'; 3000]);
        r.unwrap();
        assert!(!rc.is_early_data_accepted());
        assert_eq!(
            ts.handshake_kind(),
            Some(HandshakeKind::FullWithHelloRetryRequest)
        );
        let mut got = vec![0u8; 8192];
        let n = ts.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"one round trip later");
    }

    #[test]
    fn early_data_past_the_budget_fails_the_handshake() {
        let p = pki();
        let client = early_client(&p);
        get_foreign_ticket(&p, &client);
        let server = tryst_server_config(&p)
            .with_max_rejected_early_data(1000)
            .build()
            .unwrap();
        let (_rc, ts, r) = connect(&client, server, &[b'e'; 3000]);
        assert!(r.is_err());
        let e = ts.error().expect("server failed");
        assert_eq!(
            e.alert(),
            Some(tryst::messages::AlertDescription::BadRecordMac),
            "{e:?}"
        );
    }
}

/// Issue 21: a rustls client asking for each of two names served by one tryst server
/// (an Ed25519 and an ECDSA certificate for a.example, an RSA one for b.example) gets
/// that name's chain; the ECDSA one only when it is listed before the Ed25519 one.
#[test]
fn rustls_client_gets_each_names_certificate_from_one_tryst_server() {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let p = pki();
    let leaf = |name: &str, pk8: &[u8]| {
        let signer = tryst::crypto::RUSTCRYPTO
            .key_loader
            .load_pkcs8_der(pk8)
            .unwrap();
        let der = CertificateBuilder::new(name, now - 3600, now + 86_400)
            .dns_name(name)
            .server_auth()
            .issue(&*signer, &p.ca, &key(11))
            .unwrap();
        Arc::new(tryst::CertifiedKey::from_der(vec![der.into()], pk8).unwrap())
    };
    let ec_pk8 = tryst::crypto::EcdsaP256SigningKey::generate(&mut tryst::crypto::OsRng)
        .to_pkcs8_der()
        .unwrap();
    let a_ed = leaf("a.example", &key(21).to_pkcs8_der());
    let a_ec = leaf("a.example", &ec_pk8);
    let b_rsa = leaf("b.example", include_bytes!("data/rsa2048.pk8.der"));
    let client = Arc::new(
        rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots(&p))
            .with_no_client_auth(),
    );
    for (order, name, want) in [
        ([&a_ed, &a_ec, &b_rsa], "a.example", &a_ed),
        ([&a_ec, &a_ed, &b_rsa], "a.example", &a_ec),
        ([&a_ed, &a_ec, &b_rsa], "b.example", &b_rsa),
    ] {
        let mut resolver = tryst::SniCertResolver::new();
        for k in order {
            resolver = resolver.with_cert(Arc::clone(k)).unwrap();
        }
        let server = tryst::ServerConfig::builder_with_cert_resolver(Arc::new(resolver))
            .build()
            .unwrap();
        let mut rc =
            rustls::ClientConnection::new(client.clone(), ServerName::try_from(name).unwrap())
                .unwrap();
        let mut ts = tryst::ServerConnection::new(server).unwrap();
        pump(&mut rc, &mut ts).unwrap();
        assert!(!ts.is_handshaking() && !rc.is_handshaking());
        assert_eq!(rc.peer_certificates().unwrap(), want.chain(), "{name}");
        assert_eq!(ts.server_name(), Some(name));
    }
}

/// 0-RTT from a rustls client: accepted by the tryst server on resumption, handed out as
/// early data, never as 1-RTT data.
#[test]
fn rustls_client_early_data_to_tryst_server() {
    let p = pki();
    let server = tryst_server_config(&p)
        .with_max_early_data_size(4096)
        .build()
        .unwrap();
    let mut client = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots(&p))
        .with_no_client_auth();
    client.enable_early_data = true;
    let client = Arc::new(client);
    for round in 0..2 {
        let mut rc = rustls::ClientConnection::new(
            client.clone(),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut ts = tryst::ServerConnection::new(server.clone()).unwrap();
        if round == 1 {
            let mut ed = rc.early_data().expect("the ticket allows 0-RTT");
            ed.write_all(b"rustls early").unwrap();
        }
        rc.writer().write_all(b"rustls 1-RTT").unwrap();
        pump(&mut rc, &mut ts).unwrap();
        assert!(!ts.is_handshaking() && !rc.is_handshaking());
        let mut early = vec![0u8; 64];
        let n = ts.read_early_data(&mut early);
        let mut late = vec![0u8; 64];
        let m = ts.read_plaintext(&mut late);
        assert_eq!(&late[..m], b"rustls 1-RTT");
        if round == 1 {
            assert_eq!(&early[..n], b"rustls early");
            assert!(rc.is_early_data_accepted());
            assert_eq!(ts.early_data_status(), tryst::EarlyDataStatus::Accepted);
        } else {
            assert_eq!(n, 0);
        }
    }
}

/// 0-RTT from the tryst client to a rustls server with max_early_data_size.
#[test]
fn tryst_client_early_data_to_rustls_server() {
    let p = pki();
    let mut server = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![p.leaf.clone().into()], pkcs8(&p.leaf_key))
        .unwrap();
    server.max_early_data_size = 4096;
    let server = Arc::new(server);
    let anchors = TrustAnchors::from_der([p.ca.as_slice()]).unwrap();
    let client = tryst::ClientConfig::builder()
        .with_root_certificates(anchors)
        .with_early_data(true)
        .build()
        .unwrap();
    for round in 0..2 {
        let mut tc = tryst::ClientConnection::new(
            client.clone(),
            tryst::pki_types::ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        if round == 1 {
            assert!(tc.early_data_limit() > 0, "rustls's ticket allows 0-RTT");
            assert_eq!(tc.write_early_data(b"tryst early").unwrap(), 11);
        }
        let mut rs = rustls::ServerConnection::new(server.clone()).unwrap();
        pump(&mut rs, &mut tc).unwrap();
        assert!(!tc.is_handshaking() && !rs.is_handshaking());
        if round == 1 {
            let mut got = Vec::new();
            rs.early_data()
                .expect("rustls accepted early data")
                .read_to_end(&mut got)
                .unwrap();
            assert_eq!(got, b"tryst early");
            assert_eq!(tc.early_data_status(), tryst::EarlyDataStatus::Accepted);
        }
        tc.send_plaintext(b"ping").unwrap();
        pump(&mut rs, &mut tc).unwrap();
        let mut buf = [0u8; 4];
        rs.reader().read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"ping");
    }
}
