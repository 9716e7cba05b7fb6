//! Certificates, configs of both stacks, and the in-memory drivers that time each side's
//! calls separately.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, Secret, Signer};
use tryst::suites::{SupportedCipherSuite, X25519_GROUP};

use crate::Res;
use crate::cpu::Meter;

/// Which crypto backend each stack runs on: tryst-crypto's default and rustls's *ring*
/// provider, or graviola under both (tryst-crypto's graviola provider, rustls-graviola).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Default,
    Graviola,
}

impl Backend {
    /// What the metric names of this backend's rows end with.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Backend::Default => "",
            Backend::Graviola => crate::report::GRAVIOLA,
        }
    }

    fn tryst(self) -> Res<Arc<tryst::CryptoProvider>> {
        Ok(Arc::new(match self {
            Backend::Default => tryst::CryptoProvider::rustcrypto(),
            Backend::Graviola => {
                tryst::crypto::graviola::provider().ok_or("graviola does not run on this CPU")?
            }
        }))
    }
}

/// Which AES-GCM suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suite {
    Aes128,
    Aes256,
}

impl Suite {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Suite::Aes128 => "AES-128-GCM",
            Suite::Aes256 => "AES-256-GCM",
        }
    }

    fn tryst(self) -> SupportedCipherSuite {
        match self {
            Suite::Aes128 => tryst::suites::TLS13_AES_128_GCM_SHA256,
            Suite::Aes256 => tryst::suites::TLS13_AES_256_GCM_SHA384,
        }
    }

    fn rustls(self, backend: Backend) -> rustls::SupportedCipherSuite {
        match (self, backend) {
            (Suite::Aes128, Backend::Default) => {
                rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256
            }
            (Suite::Aes256, Backend::Default) => {
                rustls::crypto::ring::cipher_suite::TLS13_AES_256_GCM_SHA384
            }
            (Suite::Aes128, Backend::Graviola) => rustls_graviola::suites::TLS13_AES_128_GCM_SHA256,
            (Suite::Aes256, Backend::Graviola) => rustls_graviola::suites::TLS13_AES_256_GCM_SHA384,
        }
    }
}

pub(crate) fn key(seed: u8) -> Res<Ed25519SigningKey> {
    let s = Secret::from_slice(&[seed; 32]).map_err(|e| format!("seed: {e:?}"))?;
    Ed25519SigningKey::from_seed(&s).map_err(|e| format!("key: {e:?}"))
}

const CA_SEED: u8 = 21;
const LEAF_SEED: u8 = 22;

/// A CA and an Ed25519 leaf for "localhost", valid around the real current time (rustls
/// checks validity against the system clock, so tryst uses the system clock too).
pub(crate) struct Pki {
    pub(crate) ca: Vec<u8>,
    pub(crate) leaf: Vec<u8>,
    pub(crate) ca_key: Ed25519SigningKey,
    pub(crate) leaf_key: Ed25519SigningKey,
}

impl Pki {
    pub(crate) fn new() -> Res<Self> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let now = i64::try_from(now).map_err(|e| e.to_string())?;
        let (nb, na) = (now - 3600, now + 30 * 86_400);
        let ca_key = key(CA_SEED)?;
        let ca = CertificateBuilder::new("tryst-bench CA", nb, na)
            .ca(None)
            .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
            .self_signed(&ca_key)
            .map_err(|e| format!("CA: {e:?}"))?;
        let leaf_key = key(LEAF_SEED)?;
        let leaf = CertificateBuilder::new("localhost", nb, na)
            .dns_name("localhost")
            .server_auth()
            .issue(&leaf_key, &ca, &ca_key)
            .map_err(|e| format!("leaf: {e:?}"))?;
        Ok(Pki {
            ca,
            leaf,
            ca_key,
            leaf_key,
        })
    }
}

pub(crate) fn tryst_client(p: &Pki, suite: Suite, resume: bool) -> Res<Arc<tryst::ClientConfig>> {
    tryst_client_on(p, suite, resume, Backend::Default)
}

pub(crate) fn tryst_client_on(
    p: &Pki,
    suite: Suite,
    resume: bool,
    backend: Backend,
) -> Res<Arc<tryst::ClientConfig>> {
    let anchors = TrustAnchors::from_der([p.ca.as_slice()]).map_err(|e| format!("{e:?}"))?;
    // The provider's RNG: the OS generator through getrandom on both backends.
    let mut b = tryst::ClientConfig::builder_with_provider(backend.tryst()?)
        .with_root_certificates(anchors)
        .with_cipher_suites(&[suite.tryst()])
        .with_groups(&[X25519_GROUP])
        .with_clock(Arc::new(tryst::time::SystemClock));
    if !resume {
        b = b.with_session_store(None);
    }
    b.build().map_err(|e| format!("tryst client config: {e}"))
}

pub(crate) fn tryst_server(p: &Pki, suite: Suite) -> Res<Arc<tryst::ServerConfig>> {
    tryst_server_on(p, suite, Backend::Default)
}

pub(crate) fn tryst_server_on(
    p: &Pki,
    suite: Suite,
    backend: Backend,
) -> Res<Arc<tryst::ServerConfig>> {
    let provider = backend.tryst()?;
    let ck = match backend {
        Backend::Default => {
            let signer: Arc<dyn Signer> = Arc::new(key(LEAF_SEED)?);
            tryst::CertifiedKey::new(vec![CertificateDer::from(p.leaf.clone())], signer)
        }
        // The leaf key loaded (and signing) on the provider, as rustls-graviola does.
        Backend::Graviola => tryst::CertifiedKey::from_der_with_provider(
            vec![CertificateDer::from(p.leaf.clone())],
            &p.leaf_key.to_pkcs8_der(),
            &provider,
        ),
    }
    .map_err(|e| format!("certified key: {e}"))?;
    let mut rng = tryst::crypto::OsRng;
    let tickets = tryst::TicketKeys::generate(&mut rng, Duration::from_secs(3600))
        .and_then(|t| t.with_crypto_provider(&provider))
        .map_err(|e| format!("ticket keys: {e:?}"))?;
    tryst::ServerConfig::builder_with_provider(ck, provider)
        .with_cipher_suites(&[suite.tryst()])
        .with_groups(&[X25519_GROUP])
        .with_clock(Arc::new(tryst::time::SystemClock))
        .with_ticket_keys(Arc::new(tickets))
        .with_ticket_count(2)
        .build()
        .map_err(|e| format!("tryst server config: {e}"))
}

fn provider(suite: Suite, backend: Backend) -> Arc<rustls::crypto::CryptoProvider> {
    let mut p = match backend {
        Backend::Default => rustls::crypto::ring::default_provider(),
        Backend::Graviola => rustls_graviola::default_provider(),
    };
    p.cipher_suites = vec![suite.rustls(backend)];
    p.kx_groups = vec![match backend {
        Backend::Default => rustls::crypto::ring::kx_group::X25519,
        Backend::Graviola => &rustls_graviola::kx::X25519,
    }];
    Arc::new(p)
}

pub(crate) fn rustls_client(p: &Pki, suite: Suite, resume: bool) -> Res<Arc<rustls::ClientConfig>> {
    rustls_client_on(p, suite, resume, Backend::Default)
}

pub(crate) fn rustls_client_on(
    p: &Pki,
    suite: Suite,
    resume: bool,
    backend: Backend,
) -> Res<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(p.ca.clone()))
        .map_err(|e| e.to_string())?;
    let mut c = rustls::ClientConfig::builder_with_provider(provider(suite, backend))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    if !resume {
        c.resumption = rustls::client::Resumption::disabled();
    }
    Ok(Arc::new(c))
}

pub(crate) fn rustls_server(p: &Pki, suite: Suite) -> Res<Arc<rustls::ServerConfig>> {
    rustls_server_on(p, suite, Backend::Default)
}

pub(crate) fn rustls_server_on(
    p: &Pki,
    suite: Suite,
    backend: Backend,
) -> Res<Arc<rustls::ServerConfig>> {
    let pkcs8 = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(p.leaf_key.to_pkcs8_der().to_vec()));
    let mut s = rustls::ServerConfig::builder_with_provider(provider(suite, backend))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(p.leaf.clone())], pkcs8)
        .map_err(|e| e.to_string())?;
    // Stateless tickets, as tryst issues (psk_dhe_ke on resumption is rustls's default).
    s.ticketer = match backend {
        Backend::Default => rustls::crypto::ring::Ticketer::new(),
        Backend::Graviola => rustls_graviola::Ticketer::new(),
    }
    .map_err(|e| e.to_string())?;
    s.send_tls13_tickets = 2;
    Ok(Arc::new(s))
}

/// CPU time spent in each side's calls.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Sides {
    pub(crate) client: Duration,
    pub(crate) server: Duration,
}

fn server_name() -> rustls::pki_types::ServerName<'static> {
    rustls::pki_types::ServerName::DnsName(
        rustls::pki_types::DnsName::try_from("localhost").unwrap_or_else(|_| unreachable!()),
    )
}

/// Give `data` to a tryst connection and process it.
pub(crate) fn tryst_feed(conn: &mut tryst::ConnectionCommon, mut data: &[u8]) -> Res<()> {
    let mut stuck = 0;
    while !data.is_empty() {
        let n = conn.read_tls_bytes(data);
        data = &data[n..];
        conn.process_new_packets()
            .map_err(|e| format!("tryst: {e}"))?;
        stuck = if n == 0 { stuck + 1 } else { 0 };
        if stuck > 2 {
            return Err("tryst: receive buffer stuck".into());
        }
    }
    Ok(())
}

/// Move everything `from` has queued into `buf` (cleared first).
pub(crate) fn tryst_drain(from: &mut tryst::ConnectionCommon, buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend_from_slice(from.pending_tls());
    from.consume_tls(buf.len());
}

/// Runs one client-side call of a handshake. Never inlined, so a profiler can count each
/// side apart: `valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='*client_side*'` counts only the client's calls.
#[inline(never)]
pub(crate) fn client_side<R>(f: impl FnOnce() -> R) -> R {
    // A side-specific body, so the compiler does not merge it with `server_side`'s.
    std::hint::black_box(b'c');
    f()
}

/// Runs one server-side call of a handshake (see [`client_side`]).
#[inline(never)]
pub(crate) fn server_side<R>(f: impl FnOnce() -> R) -> R {
    std::hint::black_box(b's');
    f()
}

/// A tryst handshake (plus the tickets that follow it), each side's calls timed apart.
pub(crate) fn tryst_handshake(
    cc: &Arc<tryst::ClientConfig>,
    sc: &Arc<tryst::ServerConfig>,
    t: &mut Sides,
    buf: &mut Vec<u8>,
) -> Res<(tryst::ClientConnection, tryst::ServerConnection)> {
    let t0 = Meter::start();
    let mut c = client_side(|| tryst::ClientConnection::new(cc.clone(), server_name()))
        .map_err(|e| format!("tryst client: {e}"))?;
    t.client += t0.elapsed();
    let t0 = Meter::start();
    let mut s = server_side(|| tryst::ServerConnection::new(sc.clone()))
        .map_err(|e| format!("tryst server: {e}"))?;
    t.server += t0.elapsed();
    for _ in 0..32 {
        let mut moved = false;
        if !c.pending_tls().is_empty() {
            moved = true;
            let t0 = Meter::start();
            client_side(|| tryst_drain(&mut c, buf));
            t.client += t0.elapsed();
            let t0 = Meter::start();
            server_side(|| tryst_feed(&mut s, buf))?;
            t.server += t0.elapsed();
        }
        if !s.pending_tls().is_empty() {
            moved = true;
            let t0 = Meter::start();
            server_side(|| tryst_drain(&mut s, buf));
            t.server += t0.elapsed();
            let t0 = Meter::start();
            client_side(|| tryst_feed(&mut c, buf))?;
            t.client += t0.elapsed();
        }
        if !moved {
            break;
        }
    }
    if c.is_handshaking() || s.is_handshaking() {
        return Err("tryst handshake did not complete".into());
    }
    Ok((c, s))
}

/// What the drivers need from a rustls connection of either side.
pub(crate) trait RustlsConn {
    fn wants_write(&self) -> bool;
    fn write_tls(&mut self, w: &mut dyn Write) -> std::io::Result<usize>;
    fn read_tls(&mut self, r: &mut dyn Read) -> std::io::Result<usize>;
    fn process(&mut self) -> Result<(), rustls::Error>;
    fn is_handshaking(&self) -> bool;
}

macro_rules! rustls_conn {
    ($t:ty) => {
        impl RustlsConn for $t {
            fn wants_write(&self) -> bool {
                (**self).wants_write()
            }
            fn write_tls(&mut self, w: &mut dyn Write) -> std::io::Result<usize> {
                (**self).write_tls(w)
            }
            fn read_tls(&mut self, r: &mut dyn Read) -> std::io::Result<usize> {
                (**self).read_tls(r)
            }
            fn process(&mut self) -> Result<(), rustls::Error> {
                self.process_new_packets().map(|_| ())
            }
            fn is_handshaking(&self) -> bool {
                (**self).is_handshaking()
            }
        }
    };
}
rustls_conn!(rustls::ClientConnection);
rustls_conn!(rustls::ServerConnection);

/// Give `data` to a rustls connection and process it.
pub(crate) fn rustls_feed(conn: &mut dyn RustlsConn, mut data: &[u8]) -> Res<()> {
    while !data.is_empty() {
        conn.read_tls(&mut data)
            .map_err(|e| format!("rustls: {e}"))?;
        conn.process().map_err(|e| format!("rustls: {e}"))?;
    }
    Ok(())
}

/// Move everything `from` has queued into `buf` (cleared first).
pub(crate) fn rustls_drain(from: &mut dyn RustlsConn, buf: &mut Vec<u8>) -> Res<()> {
    buf.clear();
    while from.wants_write() {
        from.write_tls(buf).map_err(|e| format!("rustls: {e}"))?;
    }
    Ok(())
}

/// A rustls handshake (plus the tickets that follow it), each side's calls timed apart.
pub(crate) fn rustls_handshake(
    cc: &Arc<rustls::ClientConfig>,
    sc: &Arc<rustls::ServerConfig>,
    t: &mut Sides,
    buf: &mut Vec<u8>,
) -> Res<(rustls::ClientConnection, rustls::ServerConnection)> {
    let t0 = Meter::start();
    let mut c = client_side(|| rustls::ClientConnection::new(cc.clone(), server_name()))
        .map_err(|e| format!("rustls client: {e}"))?;
    t.client += t0.elapsed();
    let t0 = Meter::start();
    let mut s = server_side(|| rustls::ServerConnection::new(sc.clone()))
        .map_err(|e| format!("rustls server: {e}"))?;
    t.server += t0.elapsed();
    for _ in 0..32 {
        let mut moved = false;
        if c.wants_write() {
            moved = true;
            let t0 = Meter::start();
            client_side(|| rustls_drain(&mut c, buf))?;
            t.client += t0.elapsed();
            let t0 = Meter::start();
            server_side(|| rustls_feed(&mut s, buf))?;
            t.server += t0.elapsed();
        }
        if s.wants_write() {
            moved = true;
            let t0 = Meter::start();
            server_side(|| rustls_drain(&mut s, buf))?;
            t.server += t0.elapsed();
            let t0 = Meter::start();
            client_side(|| rustls_feed(&mut c, buf))?;
            t.client += t0.elapsed();
        }
        if !moved {
            break;
        }
    }
    if RustlsConn::is_handshaking(&c) || RustlsConn::is_handshaking(&s) {
        return Err("rustls handshake did not complete".into());
    }
    Ok((c, s))
}
