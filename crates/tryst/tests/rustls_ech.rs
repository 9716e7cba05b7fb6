//! Encrypted Client Hello with rustls 0.23's client (an independent implementation of the
//! client side of RFC 9849) against tryst's server, in memory: accepted (also after a
//! HelloRetryRequest and with resumption), rejected with retry configs, and GREASE.
//!
//! rustls takes its HPKE from a provider; the ring provider has none, so this file gives
//! rustls `tryst-hpke` (X25519, HKDF-SHA256, AES-128-GCM) through rustls's `Hpke` trait.
//! HPKE itself is checked by the RFC 9180 vectors in `tryst-hpke` and by Go
//! (`go_ech.rs`); here rustls builds the inner and outer hellos, compresses, pads and
//! checks the acceptance signal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::{EchConfig, EchGreaseConfig, EchMode, EchStatus as RustlsEchStatus};
use rustls::crypto::hpke::{
    EncapsulatedSecret, Hpke, HpkeOpener, HpkePrivateKey, HpkePublicKey, HpkeSealer, HpkeSuite,
};
use rustls::internal::msgs::enums::{HpkeAead, HpkeKdf, HpkeKem};
use rustls::internal::msgs::handshake::HpkeSymmetricCipherSuite;
use rustls::pki_types::{CertificateDer, EchConfigListBytes, ServerName};
use tryst::cert::{CertificateBuilder, KeyUsage};
use tryst::crypto::{Ed25519SigningKey, OsRng, Secret, Signer};
use tryst::{EchServerKey, EchStatus, HandshakeKind, OsRandom};
use tryst_hpke::{AeadId, Kdf, Kem, Suite};

const SECRET: &str = "secret.example";
const PUBLIC: &str = "public.example";

/// rustls's view of `tryst-hpke`: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.
#[derive(Debug)]
struct TrystHpke;

static TRYST_HPKE: TrystHpke = TrystHpke;

fn suite() -> Suite {
    Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm)
}

fn hpke_err(e: tryst_hpke::Error) -> rustls::Error {
    rustls::Error::General(format!("tryst-hpke: {e:?}"))
}

#[derive(Debug)]
struct Sealer(tryst_hpke::SenderContext);

impl HpkeSealer for Sealer {
    fn seal(&mut self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        self.0.seal(aad, plaintext).map_err(hpke_err)
    }
}

#[derive(Debug)]
struct Opener(tryst_hpke::RecipientContext);

impl HpkeOpener for Opener {
    fn open(&mut self, aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        self.0.open(aad, ciphertext).map_err(hpke_err)
    }
}

impl Hpke for TrystHpke {
    fn seal(
        &self,
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
        pub_key: &HpkePublicKey,
    ) -> Result<(EncapsulatedSecret, Vec<u8>), rustls::Error> {
        let (enc, mut sealer) = self.setup_sealer(info, pub_key)?;
        Ok((enc, sealer.seal(aad, plaintext)?))
    }

    fn setup_sealer(
        &self,
        info: &[u8],
        pub_key: &HpkePublicKey,
    ) -> Result<(EncapsulatedSecret, Box<dyn HpkeSealer + 'static>), rustls::Error> {
        let pk = suite()
            .deserialize_public_key(&pub_key.0)
            .map_err(hpke_err)?;
        let (enc, ctx) =
            tryst_hpke::setup_base_s(&suite(), &pk, info, &mut OsRng).map_err(hpke_err)?;
        Ok((EncapsulatedSecret(enc), Box::new(Sealer(ctx))))
    }

    fn open(
        &self,
        enc: &EncapsulatedSecret,
        info: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        secret_key: &HpkePrivateKey,
    ) -> Result<Vec<u8>, rustls::Error> {
        self.setup_opener(enc, info, secret_key)?
            .open(aad, ciphertext)
    }

    fn setup_opener(
        &self,
        enc: &EncapsulatedSecret,
        info: &[u8],
        secret_key: &HpkePrivateKey,
    ) -> Result<Box<dyn HpkeOpener + 'static>, rustls::Error> {
        let sk = suite()
            .deserialize_private_key(secret_key.secret_bytes())
            .map_err(hpke_err)?;
        let ctx = tryst_hpke::setup_base_r(&suite(), &enc.0, &sk, info).map_err(hpke_err)?;
        Ok(Box::new(Opener(ctx)))
    }

    fn generate_key_pair(&self) -> Result<(HpkePublicKey, HpkePrivateKey), rustls::Error> {
        let (sk, pk) = suite().generate_key_pair(&mut OsRng).map_err(hpke_err)?;
        Ok((
            HpkePublicKey(pk.as_bytes().to_vec()),
            HpkePrivateKey::from(sk.expose_secret().to_vec()),
        ))
    }

    fn suite(&self) -> HpkeSuite {
        HpkeSuite {
            kem: HpkeKem::DHKEM_X25519_HKDF_SHA256,
            sym: HpkeSymmetricCipherSuite {
                kdf_id: HpkeKdf::HKDF_SHA256,
                aead_id: HpkeAead::AES_128_GCM,
            },
        }
    }
}

fn key(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

/// A CA and a leaf for both names, valid around the real clock (rustls checks with it).
fn pki() -> (Vec<u8>, Vec<u8>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let nb = i64::try_from(now).unwrap() - 3600;
    let ca_key = key(21);
    let ca = CertificateBuilder::new("rustls ECH interop CA", nb, nb + 7 * 86_400)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf = CertificateBuilder::new(SECRET, nb, nb + 7 * 86_400)
        .dns_name(SECRET)
        .dns_name(PUBLIC)
        .server_auth()
        .issue(&key(22), &ca, &ca_key)
        .unwrap();
    (ca, leaf)
}

fn tryst_server(
    leaf: &[u8],
    keys: Vec<EchServerKey>,
    groups: &[tryst::suites::SupportedGroup],
) -> Arc<tryst::ServerConfig> {
    let signer: Arc<dyn Signer> = Arc::new(key(22));
    let ck = tryst::CertifiedKey::new(vec![leaf.to_vec().into()], signer).unwrap();
    tryst::ServerConfig::builder(ck)
        .with_groups(groups)
        .with_ech_keys(keys)
        .with_ticket_keys(Arc::new(
            tryst::TicketKeys::generate(&mut OsRng, std::time::Duration::from_secs(3600)).unwrap(),
        ))
        .build()
        .unwrap()
}

fn rustls_client(
    ca: &[u8],
    mode: EchMode,
    groups: Vec<&'static dyn rustls::crypto::SupportedKxGroup>,
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ca.to_vec())).unwrap();
    let provider = rustls::crypto::CryptoProvider {
        kx_groups: groups,
        ..rustls::crypto::ring::default_provider()
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_ech(mode)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

fn enabled(k: &EchServerKey) -> EchMode {
    let list = EchServerKey::config_list(std::slice::from_ref(k));
    EchMode::Enable(EchConfig::new(EchConfigListBytes::from(list), &[&TRYST_HPKE]).unwrap())
}

/// The first error of either side.
#[derive(Debug)]
enum Failed {
    Rustls(rustls::Error),
    // Shown by Debug when a test fails.
    Tryst(#[allow(dead_code)] tryst::Error),
}

/// Shuttle bytes until quiet.
fn pump(rc: &mut rustls::ClientConnection, ts: &mut tryst::ServerConnection) -> Result<(), Failed> {
    for _ in 0..64 {
        let mut buf = Vec::new();
        while rc.wants_write() {
            rc.write_tls(&mut buf).unwrap();
        }
        let mut off = 0;
        while off < buf.len() {
            off += ts.read_tls_bytes(&buf[off..]);
            ts.process_new_packets().map_err(Failed::Tryst)?;
        }
        let out = ts.pending_tls().to_vec();
        ts.consume_tls(out.len());
        let mut rd = &out[..];
        while !rd.is_empty() {
            rc.read_tls(&mut rd).unwrap();
            rc.process_new_packets().map_err(Failed::Rustls)?;
        }
        if buf.is_empty() && out.is_empty() {
            return Ok(());
        }
    }
    panic!("no progress")
}

fn connect(
    client: &Arc<rustls::ClientConfig>,
    server: &Arc<tryst::ServerConfig>,
) -> (
    rustls::ClientConnection,
    tryst::ServerConnection,
    Result<(), Failed>,
) {
    let mut rc =
        rustls::ClientConnection::new(client.clone(), ServerName::try_from(SECRET).unwrap())
            .unwrap();
    let mut ts = tryst::ServerConnection::new(server.clone()).unwrap();
    rc.writer().write_all(b"hello over ech").unwrap();
    let r = pump(&mut rc, &mut ts);
    (rc, ts, r)
}

#[test]
fn rustls_client_tryst_server_accepted_then_resumed() {
    let (ca, leaf) = pki();
    let k = EchServerKey::generate(9, PUBLIC, &OsRandom).unwrap();
    let mode = enabled(&k);
    let server = tryst_server(&leaf, vec![k], &[tryst::suites::X25519_GROUP]);
    let client = rustls_client(&ca, mode, vec![rustls::crypto::ring::kx_group::X25519]);
    for (round, kind) in [HandshakeKind::Full, HandshakeKind::Resumed]
        .into_iter()
        .enumerate()
    {
        let (rc, mut ts, r) = connect(&client, &server);
        r.unwrap();
        assert_eq!(rc.ech_status(), RustlsEchStatus::Accepted, "round {round}");
        assert_eq!(ts.ech_status(), EchStatus::Accepted);
        assert_eq!(ts.server_name(), Some(SECRET));
        assert_eq!(ts.outer_server_name(), Some(PUBLIC));
        assert_eq!(ts.handshake_kind(), Some(kind), "round {round}");
        let mut got = vec![0u8; 64];
        let n = ts.read_plaintext(&mut got);
        assert_eq!(&got[..n], b"hello over ech");
    }
}

#[test]
fn rustls_client_tryst_server_accepted_after_hello_retry_request() {
    let (ca, leaf) = pki();
    let k = EchServerKey::generate(9, PUBLIC, &OsRandom).unwrap();
    let mode = enabled(&k);
    let server = tryst_server(&leaf, vec![k], &[tryst::suites::X25519_GROUP]);
    let groups = vec![
        rustls::crypto::ring::kx_group::SECP256R1,
        rustls::crypto::ring::kx_group::X25519,
    ];
    let client = rustls_client(&ca, mode, groups);
    let (rc, ts, r) = connect(&client, &server);
    r.unwrap();
    assert_eq!(rc.ech_status(), RustlsEchStatus::Accepted);
    assert_eq!(
        ts.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(ts.server_name(), Some(SECRET));
}

#[test]
fn rustls_client_tryst_server_rejected_with_retry_configs() {
    let (ca, leaf) = pki();
    let stale = EchServerKey::generate(9, PUBLIC, &OsRandom).unwrap();
    let served = EchServerKey::generate(9, PUBLIC, &OsRandom).unwrap();
    let want = EchServerKey::config_list(std::slice::from_ref(&served));
    let server = tryst_server(&leaf, vec![served], &[tryst::suites::X25519_GROUP]);
    let client = rustls_client(
        &ca,
        enabled(&stale),
        vec![rustls::crypto::ring::kx_group::X25519],
    );
    let (rc, ts, r) = connect(&client, &server);
    let Err(Failed::Rustls(rustls::Error::PeerIncompatible(
        rustls::PeerIncompatible::ServerRejectedEncryptedClientHello(Some(configs)),
    ))) = r
    else {
        panic!("{r:?}")
    };
    // What rustls received (after authenticating the public name) is what tryst sent.
    use rustls::internal::msgs::codec::Codec;
    assert_eq!(configs.get_encoding(), want);
    assert_eq!(rc.ech_status(), RustlsEchStatus::Rejected);
    assert_eq!(ts.ech_status(), EchStatus::Rejected);
    assert_eq!(ts.server_name(), Some(PUBLIC));
}

#[test]
fn rustls_grease_tryst_server() {
    let (ca, leaf) = pki();
    let k = EchServerKey::generate(9, PUBLIC, &OsRandom).unwrap();
    let server = tryst_server(&leaf, vec![k], &[tryst::suites::X25519_GROUP]);
    let (placeholder, _) = TRYST_HPKE.generate_key_pair().unwrap();
    let mode = EchMode::Grease(EchGreaseConfig::new(&TRYST_HPKE, placeholder));
    let client = rustls_client(&ca, mode, vec![rustls::crypto::ring::kx_group::X25519]);
    let (rc, ts, r) = connect(&client, &server);
    r.unwrap();
    assert_eq!(rc.ech_status(), RustlsEchStatus::Grease);
    assert_eq!(ts.server_name(), Some(SECRET));
    assert_eq!(
        ts.ech_status(),
        EchStatus::Rejected,
        "a decoy does not decrypt"
    );
}
