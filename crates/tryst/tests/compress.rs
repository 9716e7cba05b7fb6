//! RFC 8879 certificate compression between tryst client and server, both directions,
//! with each of brotli, zlib and zstd; the server's cache; and the attacks: a
//! decompression bomb and a length mismatch (bad_certificate), a declared length over the
//! limit (bad_certificate before any work), an algorithm we did not offer
//! (illegal_parameter).
#![cfg(all(feature = "brotli", feature = "zlib", feature = "zstd"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{clock, key, pki, transfer};
use tryst::compress::{
    Brotli, CertificateCompressor, DecompressionFailed, Zlib, Zstd, default_compressors,
};
use tryst::crypto::Signer;
use tryst::messages::{AlertDescription, CertificateCompressionAlgorithm as Alg, HandshakeType};
use tryst::pki_types::CertificateDer;
use tryst::verify::WebPkiClientVerifier;
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, Error, Event, Limits, ServerConfig,
    ServerConnection, SingleCertResolver,
};

/// A server key with a long-ish chain (leaf + CA), so compression has something to do.
fn server_key(p: &common::Pki) -> Arc<CertifiedKey> {
    let signer: Arc<dyn Signer> = Arc::new(key(2));
    Arc::new(
        CertifiedKey::new(
            vec![
                CertificateDer::from(p.leaf_der.clone()),
                CertificateDer::from(p.ca_der.clone()),
            ],
            signer,
        )
        .unwrap(),
    )
}

type Compressors = Vec<Arc<dyn CertificateCompressor>>;

fn server(p: &common::Pki, key: &Arc<CertifiedKey>, c: Compressors) -> Arc<ServerConfig> {
    ServerConfig::builder_with_cert_resolver(Arc::new(SingleCertResolver::new(key.clone())))
        .with_clock(clock())
        .with_certificate_compression(c)
        .with_client_cert_verifier(Arc::new(
            WebPkiClientVerifier::new(common::anchors(p)).optional(),
        ))
        .build()
        .unwrap()
}

fn client(p: &common::Pki, c: Compressors, limits: Limits) -> Arc<ClientConfig> {
    let signer: Arc<dyn Signer> = Arc::new(key(3));
    let client_cert = CertifiedKey::new(
        vec![
            CertificateDer::from(p.client_der.clone()),
            CertificateDer::from(p.ca_der.clone()),
        ],
        signer,
    )
    .unwrap();
    common::client_builder(p, &clock(), b"client")
        .with_session_store(None)
        .with_certificate_compression(c)
        .with_client_auth_cert(client_cert)
        .with_limits(limits)
        .build()
        .unwrap()
}

/// Handshake; the messages each side sent, and the first errors.
fn run(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
) -> (
    Vec<HandshakeType>,
    Vec<HandshakeType>,
    Option<Error>,
    Option<Error>,
) {
    let mut c = ClientConnection::new_traced(cc, common::localhost(), true).unwrap();
    let mut s = ServerConnection::new_traced(sc, true).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    let sent = |events: Vec<Event>| {
        events
            .into_iter()
            .filter_map(|e| match e {
                Event::Sent { message, .. } => Some(message),
                _ => None,
            })
            .collect()
    };
    (sent(c.take_events()), sent(s.take_events()), ce, se)
}

#[test]
fn each_algorithm_compresses_both_certificates() {
    let p = pki();
    let algs: Compressors = vec![Arc::new(Brotli), Arc::new(Zlib), Arc::new(Zstd)];
    for alg in algs {
        let key = server_key(&p);
        let sc = server(&p, &key, default_compressors());
        let cc = client(&p, vec![alg.clone()], Limits::default());
        let mut c = ClientConnection::new(cc.clone(), common::localhost()).unwrap();
        let mut s = ServerConnection::new(sc.clone()).unwrap();
        let (ce, se) = transfer(&mut c, &mut s);
        assert!(
            ce.is_none() && se.is_none(),
            "{:?}: {ce:?} {se:?}",
            alg.algorithm()
        );
        assert_eq!(c.peer_certificates(), key.chain());
        assert_eq!(s.peer_certificates().len(), 2, "client chain arrived");
        let (client_sent, server_sent, _, _) = run(cc, sc);
        assert!(server_sent.contains(&HandshakeType::CompressedCertificate));
        assert!(!server_sent.contains(&HandshakeType::Certificate));
        assert!(client_sent.contains(&HandshakeType::CompressedCertificate));
        // Compressed once, then served from the cache.
        assert_eq!(key.cached_compressions(), 1, "{:?}", alg.algorithm());
    }
}

#[test]
fn without_a_common_algorithm_certificates_go_uncompressed() {
    let p = pki();
    let key = server_key(&p);
    // The client offers nothing; the server offers zstd only, the client has zlib only.
    let (zlib, zstd): (Compressors, Compressors) = (vec![Arc::new(Zlib)], vec![Arc::new(Zstd)]);
    for (client_algs, server_algs) in [(vec![], default_compressors()), (zlib, zstd)] {
        let (client_sent, server_sent, ce, se) = run(
            client(&p, client_algs, Limits::default()),
            server(&p, &key, server_algs),
        );
        assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
        assert!(server_sent.contains(&HandshakeType::Certificate));
        assert!(client_sent.contains(&HandshakeType::Certificate));
    }
    assert_eq!(key.cached_compressions(), 0);
}

/// Counts compressions, and can lie about its output: `extra` bytes appended to what it
/// compresses, or `cut` bytes removed, or another algorithm named after the first call.
struct Rigged {
    inner: Arc<dyn CertificateCompressor>,
    calls: AtomicUsize,
    extra: usize,
    cut: usize,
    switch_to: Option<Alg>,
}

impl Rigged {
    fn new(inner: Arc<dyn CertificateCompressor>) -> Self {
        Rigged {
            inner,
            calls: AtomicUsize::new(0),
            extra: 0,
            cut: 0,
            switch_to: None,
        }
    }
}

impl CertificateCompressor for Rigged {
    fn algorithm(&self) -> Alg {
        match self.switch_to {
            Some(other) if self.calls.load(Ordering::SeqCst) > 0 => other,
            _ => self.inner.algorithm(),
        }
    }

    fn compress(&self, input: &[u8]) -> Option<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut body = input[..input.len() - self.cut].to_vec();
        body.resize(body.len() + self.extra, 0);
        self.inner.compress(&body)
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<(), DecompressionFailed> {
        self.inner.decompress(input, out)
    }
}

/// A server whose compressor is `rigged`; the client's error and alert.
fn against_rigged(rigged: Rigged, limits: Limits) -> (Option<Error>, Option<Error>) {
    let p = pki();
    let key = server_key(&p);
    let sc = server(&p, &key, vec![Arc::new(rigged)]);
    let cc = client(&p, vec![Arc::new(Zlib), Arc::new(Brotli)], limits);
    let (_, _, ce, se) = run(cc, sc);
    (ce, se)
}

#[test]
fn a_decompression_bomb_is_bad_certificate() {
    // The stream inflates to 10 MB of zeros while the message declares the real size:
    // decompression stops one byte past the declared length.
    let mut r = Rigged::new(Arc::new(Zlib));
    r.extra = 10 << 20;
    let (ce, se) = against_rigged(r, Limits::default());
    let ce = ce.unwrap();
    assert_eq!(ce.alert(), Some(AlertDescription::BadCertificate), "{ce}");
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
    // The same with brotli.
    let mut r = Rigged::new(Arc::new(Brotli));
    r.extra = 10 << 20;
    let (ce, _) = against_rigged(r, Limits::default());
    assert_eq!(ce.unwrap().alert(), Some(AlertDescription::BadCertificate));
}

#[test]
fn a_stream_shorter_than_declared_is_bad_certificate() {
    let mut r = Rigged::new(Arc::new(Zlib));
    r.cut = 10;
    let (ce, se) = against_rigged(r, Limits::default());
    let ce = ce.unwrap();
    assert_eq!(ce.alert(), Some(AlertDescription::BadCertificate), "{ce}");
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::BadCertificate))
    );
}

#[test]
fn a_declared_length_over_the_limit_is_bad_certificate() {
    let mut limits = Limits::default();
    limits.max_decompressed_certificate_len = 64;
    let (ce, _) = against_rigged(Rigged::new(Arc::new(Zlib)), limits);
    let ce = ce.unwrap();
    assert_eq!(ce.alert(), Some(AlertDescription::BadCertificate), "{ce}");
    assert!(ce.to_string().contains("maximum"), "{ce}");
}

#[test]
fn an_algorithm_we_did_not_offer_is_illegal_parameter() {
    // Chosen as zlib (which the client offered), sent as zstd (which it did not).
    let mut r = Rigged::new(Arc::new(Zlib));
    r.switch_to = Some(Alg::Zstd);
    let (ce, se) = against_rigged(r, Limits::default());
    let ce = ce.unwrap();
    assert_eq!(ce.alert(), Some(AlertDescription::IllegalParameter), "{ce}");
    assert_eq!(
        se,
        Some(Error::AlertReceived(AlertDescription::IllegalParameter))
    );
}

/// rustls 0.23 (features `brotli`, `zlib`) in memory: certificates valid around the real
/// time, since rustls checks them with the system clock.
mod rustls_interop {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::time::{SystemTime, UNIX_EPOCH};

    use super::common::rustls_io::pump;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
    use tryst::Event;
    use tryst::cert::{CertificateBuilder, TrustAnchors};
    use tryst::compress::{Brotli, Zlib, default_compressors};
    use tryst::crypto::{Ed25519SigningKey, Signer};
    use tryst::messages::HandshakeType;

    struct Pki {
        ca: Vec<u8>,
        leaf: Vec<u8>,
        leaf_key: Ed25519SigningKey,
    }

    fn pki() -> Pki {
        let now = i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let ca_key = super::key(31);
        let ca = CertificateBuilder::new("compression CA", now - 3600, now + 86_400)
            .ca(None)
            .self_signed(&ca_key)
            .unwrap();
        let leaf_key = super::key(32);
        let leaf = CertificateBuilder::new("localhost", now - 3600, now + 86_400)
            .dns_name("localhost")
            .server_auth()
            .issue(&leaf_key, &ca, &ca_key)
            .unwrap();
        Pki { ca, leaf, leaf_key }
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    fn messages(events: Vec<Event>, sent: bool) -> Vec<HandshakeType> {
        events
            .into_iter()
            .filter_map(|e| match e {
                Event::Sent { message, .. } if sent => Some(message),
                Event::Received { message, .. } if !sent => Some(message),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn rustls_client_gets_a_compressed_certificate_from_tryst() {
        let p = pki();
        let signer: Arc<dyn Signer> = Arc::new(p.leaf_key);
        let key = tryst::CertifiedKey::new(vec![p.leaf.clone().into()], signer).unwrap();
        let server = tryst::ServerConfig::builder(key)
            .with_certificate_compression(default_compressors())
            .build()
            .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(p.ca.clone())).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13])
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut rc = rustls::ClientConnection::new(
            Arc::new(client),
            ServerName::try_from("localhost").unwrap(),
        )
        .unwrap();
        let mut ts = tryst::ServerConnection::new_traced(server, true).unwrap();
        rc.writer().write_all(b"compressed").unwrap();
        pump(&mut rc, &mut ts).unwrap();
        assert!(!rc.is_handshaking() && !ts.is_handshaking());
        assert_eq!(
            rc.peer_certificates().unwrap()[0].as_ref(),
            p.leaf.as_slice()
        );
        let sent = messages(ts.take_events(), true);
        assert!(
            sent.contains(&HandshakeType::CompressedCertificate),
            "{sent:?}"
        );
        let mut got = [0u8; 10];
        assert_eq!(ts.read_plaintext(&mut got), 10);
    }

    #[test]
    fn tryst_client_decompresses_rustls_brotli_and_zlib() {
        let p = pki();
        let algs: super::Compressors = vec![Arc::new(Brotli), Arc::new(Zlib)];
        for alg in algs {
            let server = rustls::ServerConfig::builder_with_provider(provider())
                .with_protocol_versions(&[&rustls::version::TLS13])
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![CertificateDer::from(p.leaf.clone())],
                    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                        p.leaf_key.to_pkcs8_der().to_vec(),
                    )),
                )
                .unwrap();
            let client = tryst::ClientConfig::builder()
                .with_root_certificates(TrustAnchors::from_der([p.ca.as_slice()]).unwrap())
                .with_certificate_compression(vec![alg.clone()])
                .build()
                .unwrap();
            let mut rs = rustls::ServerConnection::new(Arc::new(server)).unwrap();
            let mut tc = tryst::ClientConnection::new_traced(
                client,
                tryst::pki_types::ServerName::try_from("localhost").unwrap(),
                true,
            )
            .unwrap();
            tc.send_plaintext(b"hi").unwrap();
            pump(&mut rs, &mut tc).unwrap();
            assert!(
                !rs.is_handshaking() && !tc.is_handshaking(),
                "{:?}",
                alg.algorithm()
            );
            let received = messages(tc.take_events(), false);
            assert!(
                received.contains(&HandshakeType::CompressedCertificate),
                "{:?}: {received:?}",
                alg.algorithm()
            );
            let mut s = String::new();
            let _ = rs.reader().read_to_string(&mut s);
            assert_eq!(s, "hi");
        }
    }
}
