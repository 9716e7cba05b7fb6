//! Client and server configuration, built with builders. A config is shared (`Arc`) by
//! every connection made from it.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use rustls_pki_types::CertificateDer;
use tryst_cert::TrustAnchors;
use tryst_crypto::{CryptoProvider, Secret, Signer};
use tryst_messages::{ProtocolVersion, SignatureScheme};

use crate::Error;
use crate::keylog::KeyLog;
use crate::psk::ExternalPsk;
use crate::resolve::{
    ResolvesClientCert, ResolvesServerCert, SingleCertResolver, SingleClientCert,
};
use crate::session::ClientSessionStore;
use crate::suites::{
    ALL_CIPHER_SUITES, DEFAULT_CLIENT_GROUPS, DEFAULT_SERVER_GROUPS, SupportedCipherSuite,
    SupportedGroup, TLS12_CIPHER_SUITES, signature_scheme,
};
use crate::ticket::TicketKeys;
use crate::time::Clock;
use crate::verify::{ClientCertVerifier, ServerCertVerifier, WebPkiServerVerifier};

/// Randomness shared by the connections of a config (the crypto provider's by default).
pub use tryst_crypto::SecureRandom;

/// The operating system's generator (getrandom).
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

#[cfg(feature = "std")]
impl SecureRandom for OsRandom {
    fn fill(&self, dest: &mut [u8]) {
        use tryst_crypto::Rng;
        tryst_crypto::OsRng.fill_bytes(dest);
    }
}

/// A deterministic generator (HMAC-SHA256 of a seed and a counter) for tests, fuzzing and
/// simulations. Never use it for real connections: the same seed gives the same keys.
#[derive(Debug)]
pub struct SeededRandom {
    seed: Secret,
    counter: core::sync::atomic::AtomicU64,
}

impl SeededRandom {
    /// A generator from `seed` (any length up to 64 bytes).
    pub fn new(seed: &[u8]) -> Self {
        let seed = Secret::fill_with(seed.len().min(Secret::MAX_LEN), |out| {
            for (o, s) in out.iter_mut().zip(seed) {
                *o = *s;
            }
            Ok(())
        })
        .unwrap_or_else(|_| tryst_crypto::SHA256.hkdf_extract(&[], seed));
        SeededRandom {
            seed,
            counter: core::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl SecureRandom for SeededRandom {
    fn fill(&self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            let n = self
                .counter
                .fetch_add(1, core::sync::atomic::Ordering::SeqCst);
            let block = tryst_crypto::SHA256.hmac(self.seed.expose_secret(), &[&n.to_be_bytes()]);
            for (d, b) in chunk.iter_mut().zip(block.as_bytes()) {
                *d = *b;
            }
        }
    }
}

/// Adapts a shared [`SecureRandom`] to the `CryptoRng` the crypto crate takes.
pub(crate) struct RngRef<'a>(pub(crate) &'a dyn SecureRandom);

impl tryst_crypto::rng::TryRng for RngRef<'_> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

impl tryst_crypto::rng::TryCryptoRng for RngRef<'_> {}

/// A certificate chain and the signer for its end-entity key.
pub struct CertifiedKey {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) signer: Arc<dyn Signer>,
    pub(crate) scheme: SignatureScheme,
    /// The chain compressed per algorithm (RFC 8879), made on first use.
    pub(crate) compressed: crate::compress::Cache,
    /// The OCSP response stapled to the end entity (see `crate::ocsp`).
    pub(crate) ocsp: Option<alloc::vec::Vec<u8>>,
}

impl core::fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("chain_len", &self.chain.len())
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl CertifiedKey {
    /// `chain` (end entity first) with `signer` for the end entity's key. Fails when the
    /// chain is empty, the signer's algorithm has no TLS 1.3 scheme, or the signer's public
    /// key is not the one in the end-entity certificate.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        signer: Arc<dyn Signer>,
    ) -> Result<Self, Error> {
        let scheme = signature_scheme(signer.algorithm()).ok_or(Error::Config(
            "the private key's algorithm cannot sign TLS 1.3 handshakes",
        ))?;
        let leaf = chain
            .first()
            .ok_or(Error::Config("the certificate chain is empty"))?;
        let cert = tryst_cert::Certificate::from_der(leaf.as_ref())?;
        let spki = cert.public_key()?;
        if spki.key != signer.public_key().as_slice() {
            return Err(Error::Config(
                "the private key does not match the certificate",
            ));
        }
        Ok(CertifiedKey {
            chain,
            signer,
            scheme,
            compressed: crate::compress::Cache::default(),
            ocsp: None,
        })
    }

    /// From DER: the chain and a PKCS#8 private key (Ed25519, ECDSA P-256 or P-384, or
    /// RSA of at least 2048 bits, which signs with RSA-PSS), loaded by the default crypto
    /// provider.
    pub fn from_der(chain: Vec<CertificateDer<'static>>, pkcs8_key: &[u8]) -> Result<Self, Error> {
        Self::from_der_with_provider(chain, pkcs8_key, &tryst_crypto::RUSTCRYPTO)
    }

    /// [`CertifiedKey::from_der`] with the key loaded by `provider`'s key loader.
    pub fn from_der_with_provider(
        chain: Vec<CertificateDer<'static>>,
        pkcs8_key: &[u8],
        provider: &CryptoProvider,
    ) -> Result<Self, Error> {
        let signer = provider.key_loader.load_pkcs8_der(pkcs8_key).map_err(|_| {
            Error::Config("the private key is not a PKCS#8 key the crypto provider can load")
        })?;
        Self::new(chain, Arc::from(signer))
    }

    /// The chain, end entity first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The TLS signature scheme the key signs with.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}

/// Caps that keep a misbehaving peer from making us spin or grow memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest handshake message accepted (default 64 KiB).
    pub max_handshake_message_len: usize,
    /// Consecutive records that carry nothing (empty data, ignored CCS), default 32.
    pub max_empty_records: u32,
    /// Warning alerts (user_canceled) in a row before we give up, default 4.
    pub max_warning_alerts: u32,
    /// KeyUpdates received in a row without application data, default 32.
    pub max_key_updates: u32,
    /// Bytes of received application data buffered before `reader()` drains them; past
    /// this, `process_new_packets` stops taking records (default 64 KiB + one record).
    pub max_received_plaintext: usize,
    /// Bytes `send_plaintext` buffers before they are written out: plaintext queued during
    /// the handshake, or TLS bytes not yet taken by `write_tls`. Past this it takes less
    /// (or nothing: `writer()` then says `WouldBlock`). Default 64 KiB + one record.
    pub max_buffered_send: usize,
    /// Send a KeyUpdate after this many records under one key, before the AEAD's own
    /// limit (RFC 8446 §5.5), which always applies. `None` (default): only that limit.
    pub key_update_after_records: Option<u64>,
    /// Largest certificate a peer's CompressedCertificate may declare (RFC 8879), in
    /// bytes of the Certificate message body; more is bad_certificate before anything is
    /// decompressed (default 64 KiB).
    pub max_decompressed_certificate_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_handshake_message_len: 64 * 1024,
            max_empty_records: 32,
            max_warning_alerts: 4,
            max_key_updates: 32,
            max_received_plaintext: 64 * 1024 + 16 * 1024,
            max_buffered_send: 64 * 1024 + 16 * 1024,
            key_update_after_records: None,
            max_decompressed_certificate_len: 64 * 1024,
        }
    }
}

/// Settings a client and a server share.
#[derive(Clone)]
pub(crate) struct Common {
    /// Where every algorithm comes from.
    pub(crate) provider: Arc<CryptoProvider>,
    /// After `build`: the configured TLS 1.3 suites with the provider's algorithms
    /// (before: every configured suite, of either version).
    pub(crate) suites: Vec<SupportedCipherSuite>,
    /// After `build`: the TLS 1.2 suites, empty when TLS 1.2 is off.
    pub(crate) tls12_suites: Vec<SupportedCipherSuite>,
    /// The protocol versions enabled (TLS 1.3 always; TLS 1.2 by default).
    versions: Vec<ProtocolVersion>,
    /// TLS 1.2 only: refuse a peer without extended_master_secret (RFC 7627), default on.
    pub(crate) require_ems: bool,
    /// After `build`: whether TLS 1.3 is enabled (always on a client).
    pub(crate) tls13: bool,
    /// After `build`: the configured groups with the provider's implementations.
    pub(crate) groups: Vec<SupportedGroup>,
    /// Whether suites / groups were chosen by the caller (then each must be available
    /// from the provider) rather than left at the defaults (then the ones the provider
    /// lacks are dropped).
    suites_chosen: bool,
    groups_chosen: bool,
    pub(crate) alpn: Vec<Vec<u8>>,
    pub(crate) clock: Option<Arc<dyn Clock>>,
    /// The caller's RNG; `None`: the provider's.
    pub(crate) rng: Option<Arc<dyn SecureRandom>>,
    pub(crate) key_log: Option<Arc<dyn KeyLog>>,
    pub(crate) limits: Limits,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_session_lifetime: Option<Duration>,
    /// RFC 8879 algorithms, in preference order: offered for the peer's certificate and
    /// used for ours when the peer offers them.
    pub(crate) cert_compression: Vec<Arc<dyn crate::compress::CertificateCompressor>>,
}

impl Common {
    fn new(groups: &[SupportedGroup], provider: Arc<CryptoProvider>) -> Self {
        #[cfg(feature = "std")]
        let clock: Option<Arc<dyn Clock>> = Some(Arc::new(crate::time::SystemClock));
        #[cfg(not(feature = "std"))]
        let clock = None;
        Common {
            provider,
            suites: ALL_CIPHER_SUITES
                .iter()
                .chain(TLS12_CIPHER_SUITES)
                .copied()
                .collect(),
            tls12_suites: Vec::new(),
            versions: alloc::vec![ProtocolVersion::Tls13, ProtocolVersion::Tls12],
            require_ems: true,
            tls13: true,
            groups: groups.to_vec(),
            suites_chosen: false,
            groups_chosen: false,
            alpn: Vec::new(),
            clock,
            rng: None,
            key_log: None,
            limits: Limits::default(),
            idle_timeout: None,
            max_session_lifetime: None,
            cert_compression: Vec::new(),
        }
    }

    /// Binds the configured suites and groups to the provider's algorithms, then checks.
    fn finish(&mut self) -> Result<(), Error> {
        let provider = Arc::clone(&self.provider);
        // A chosen suite or group the provider can implement (every code point tryst knows)
        // must come from it; one tryst has no mapping for (a caller's own) is kept as given.
        if self.suites_chosen {
            self.suites = self
                .suites
                .iter()
                .map(|s| match s.with_provider(&provider) {
                    Some(bound) => Some(bound),
                    None if crate::suites::is_known_suite(s.suite) => None,
                    None => Some(*s),
                })
                .collect::<Option<_>>()
                .ok_or(Error::Config(
                    "the crypto provider lacks the AEAD or hash of a configured cipher suite",
                ))?;
        } else {
            self.suites = self
                .suites
                .iter()
                .filter_map(|s| s.with_provider(&provider))
                .collect();
        }
        self.split_versions()?;
        if self.groups_chosen {
            self.groups = self
                .groups
                .iter()
                .map(|g| match g.with_provider(&provider) {
                    Some(bound) => Some(bound),
                    None if crate::suites::is_known_group(g.group) => None,
                    None => Some(*g),
                })
                .collect::<Option<_>>()
                .ok_or(Error::Config(
                    "the crypto provider lacks a configured key-exchange group",
                ))?;
        } else {
            self.groups = self
                .groups
                .iter()
                .filter_map(|g| g.with_provider(&provider))
                .collect();
        }
        self.check()
    }

    /// Split the bound suites by version; TLS 1.2 keeps its suites only when enabled.
    fn split_versions(&mut self) -> Result<(), Error> {
        if (self.versions.iter())
            .any(|v| *v != ProtocolVersion::Tls13 && *v != ProtocolVersion::Tls12)
        {
            return Err(Error::Config(
                "only TLS 1.3 and TLS 1.2 are supported (TLS 1.0 and 1.1 are not)",
            ));
        }
        let all = core::mem::take(&mut self.suites);
        let (tls12, tls13): (Vec<_>, Vec<_>) = all.into_iter().partition(|s| s.is_tls12());
        self.tls13 = self.versions.contains(&ProtocolVersion::Tls13);
        self.suites = if self.tls13 { tls13 } else { Vec::new() };
        self.tls12_suites = if self.versions.contains(&ProtocolVersion::Tls12) {
            tls12
        } else {
            Vec::new()
        };
        Ok(())
    }

    /// Whether TLS 1.2 can be negotiated (enabled, with at least one suite).
    pub(crate) fn tls12_enabled(&self) -> bool {
        !self.tls12_suites.is_empty()
    }

    fn check(&self) -> Result<(), Error> {
        if self.tls13 && self.suites.is_empty() {
            return Err(Error::Config("no TLS 1.3 cipher suites"));
        }
        if !self.tls13 && !self.tls12_enabled() {
            return Err(Error::Config("no protocol version with a cipher suite"));
        }
        if self.groups.is_empty() {
            return Err(Error::Config("no key-exchange groups"));
        }
        if self.clock.is_none() {
            return Err(Error::Config(
                "no clock (set one with with_clock; std provides the system clock)",
            ));
        }
        if self.rng.is_none() && self.provider.secure_random.is_none() {
            return Err(Error::Config(
                "no random-number generator (the crypto provider has none: set one with with_rng)",
            ));
        }
        if self.alpn.iter().any(|p| p.is_empty() || p.len() > 255) {
            return Err(Error::Config("ALPN protocol names must be 1 to 255 bytes"));
        }
        Ok(())
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        // `check` made sure both are set before a config could be built.
        match &self.clock {
            Some(c) => &**c,
            None => &NO_CLOCK,
        }
    }

    pub(crate) fn rng(&self) -> &dyn SecureRandom {
        match (&self.rng, self.provider.secure_random) {
            (Some(r), _) => &**r,
            (None, Some(r)) => r,
            (None, None) => &NO_RNG,
        }
    }
}

struct Unset;
static NO_CLOCK: Unset = Unset;
static NO_RNG: Unset = Unset;
impl Clock for Unset {
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}
impl SecureRandom for Unset {
    fn fill(&self, dest: &mut [u8]) {
        // Unreachable: configs without an RNG are refused by `build`. Fail closed anyway
        // with output that a peer would notice rather than silently weak keys.
        dest.fill(0);
    }
}

macro_rules! common_setters {
    () => {
        /// Cipher suites, in preference order, TLS 1.3 and TLS 1.2 ones in one list (each
        /// version uses its own; with no TLS 1.2 suite in the list, TLS 1.2 is off). Each
        /// names a suite; its AEAD and hash come from the config's crypto provider (`build`
        /// fails if the provider lacks one).
        pub fn with_cipher_suites(mut self, suites: &[SupportedCipherSuite]) -> Self {
            self.common.suites = suites.to_vec();
            self.common.suites_chosen = true;
            self
        }

        /// Key-exchange groups, in preference order. A client sends a key share for the
        /// first one. Each names a group; its implementation comes from the config's crypto
        /// provider (`build` fails if the provider lacks one).
        pub fn with_groups(mut self, groups: &[SupportedGroup]) -> Self {
            self.common.groups = groups.to_vec();
            self.common.groups_chosen = true;
            self
        }

        /// Take every algorithm from `provider` (default: `CryptoProvider::rustcrypto()`),
        /// and its RNG unless [`with_rng`](Self::with_rng) sets another.
        pub fn with_crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
            self.common.provider = provider;
            self
        }

        /// The protocol versions to speak (default: TLS 1.3 and TLS 1.2);
        /// `&[ProtocolVersion::Tls13]` turns TLS 1.2 off. A client always speaks TLS 1.3;
        /// a server may speak TLS 1.2 alone (for tests and demos). Anything else (TLS 1.0,
        /// 1.1) makes `build` fail.
        pub fn with_protocol_versions(
            mut self,
            versions: &[tryst_messages::ProtocolVersion],
        ) -> Self {
            self.common.versions = versions.to_vec();
            self
        }

        /// TLS 1.2 only: whether a peer must use the extended master secret (RFC 7627;
        /// default true). Without it a TLS 1.2 session's keys are not bound to its
        /// handshake (the triple-handshake attack); turn this off only for old peers.
        pub fn with_extended_master_secret_required(mut self, required: bool) -> Self {
            self.common.require_ems = required;
            self
        }

        /// ALPN protocols (RFC 7301), in preference order.
        pub fn with_alpn_protocols(mut self, protocols: Vec<Vec<u8>>) -> Self {
            self.common.alpn = protocols;
            self
        }

        /// The clock that drives validity checks, ticket ages and timeouts.
        pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
            self.common.clock = Some(clock);
            self
        }

        /// The random-number generator (default: the crypto provider's).
        pub fn with_rng(mut self, rng: Arc<dyn SecureRandom>) -> Self {
            self.common.rng = Some(rng);
            self
        }

        /// Certificate compression (RFC 8879) with `algorithms`, in preference order
        /// (`tryst::compress::default_compressors()` has those of the enabled features):
        /// they are offered for the peer's certificate, and ours is sent compressed with
        /// the first the peer offers. Off by default.
        pub fn with_certificate_compression(
            mut self,
            algorithms: Vec<Arc<dyn crate::compress::CertificateCompressor>>,
        ) -> Self {
            self.common.cert_compression = algorithms;
            self
        }

        /// Log secrets (SSLKEYLOGFILE format) to `key_log`. Off by default.
        pub fn with_key_log(mut self, key_log: Arc<dyn KeyLog>) -> Self {
            self.common.key_log = Some(key_log);
            self
        }

        /// Resource limits.
        pub fn with_limits(mut self, limits: Limits) -> Self {
            self.common.limits = limits;
            self
        }

        /// Close a session that sees no traffic for `timeout` (checked against the clock
        /// whenever the connection is used; see `check_timeouts`).
        pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
            self.common.idle_timeout = Some(timeout);
            self
        }

        /// End a session `lifetime` after its handshake, whatever the traffic; the next one
        /// resumes or starts over, with new keys.
        pub fn with_max_session_lifetime(mut self, lifetime: Duration) -> Self {
            self.common.max_session_lifetime = Some(lifetime);
            self
        }
    };
}

/// Client settings.
pub struct ClientConfig {
    /// Shared with every connection made from this config (an `Arc`, so a connection
    /// holds a pointer, not a copy of the suite, group and ALPN lists).
    pub(crate) common: Arc<Common>,
    pub(crate) verifier: Arc<dyn ServerCertVerifier>,
    pub(crate) client_auth: Option<Arc<dyn ResolvesClientCert>>,
    pub(crate) session_store: Option<Arc<dyn ClientSessionStore>>,
    pub(crate) middlebox_compat: bool,
    pub(crate) enable_sni: bool,
    pub(crate) signature_schemes: Vec<SignatureScheme>,
    /// Offer a key share for every configured group instead of only the first.
    pub(crate) key_shares_for_all_groups: bool,
    pub(crate) record_size_limit: Option<u16>,
    pub(crate) tls12_compat_extensions: bool,
    pub(crate) ech: crate::ech::EchMode,
    /// The external PSK offered in every ClientHello (RFC 8446 §4.2.11).
    pub(crate) external_psk: Option<Arc<ExternalPsk>>,
    /// Send 0-RTT data on resumed connections whose ticket allows it.
    pub(crate) early_data: bool,
    /// Ask for a stapled OCSP response (`status_request`, see `crate::ocsp`).
    pub(crate) ocsp_stapling: bool,
    /// Offer post_handshake_auth (`crate::pha`) when a client certificate is configured.
    pub(crate) post_handshake_auth: bool,
    /// Pinned server raw public keys (`crate::rpk`): ask for RawPublicKey only.
    pub(crate) server_raw_keys: Option<crate::rpk::PinnedKeys>,
    /// Our raw public key for client authentication (`crate::rpk`).
    pub(crate) client_raw_key: Option<crate::rpk::RawKeyPair>,
}

impl core::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("suites", &self.common.suites)
            .field("groups", &self.common.groups)
            .field("middlebox_compat", &self.middlebox_compat)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Start building a client config with the default crypto provider.
    pub fn builder() -> ClientConfigBuilder {
        Self::builder_with_provider(Arc::new(CryptoProvider::default()))
    }

    /// Start building a client config whose algorithms all come from `provider`.
    pub fn builder_with_provider(provider: Arc<CryptoProvider>) -> ClientConfigBuilder {
        ClientConfigBuilder {
            common: Common::new(DEFAULT_CLIENT_GROUPS, provider),
            roots: None,
            verifier: None,
            client_auth: None,
            #[cfg(feature = "std")]
            session_store: Some(Arc::new(crate::session::InMemorySessionStore::new(256))),
            #[cfg(not(feature = "std"))]
            session_store: None,
            middlebox_compat: false,
            enable_sni: true,
            key_shares_for_all_groups: false,
            record_size_limit: None,
            tls12_compat_extensions: false,
            ech: crate::ech::EchMode::default(),
            external_psk: None,
            early_data: false,
            ocsp_stapling: false,
            post_handshake_auth: false,
            server_raw_keys: None,
            client_raw_key: None,
        }
    }
}

impl ClientConfig {
    /// The crypto provider every algorithm of this config comes from.
    pub fn crypto_provider(&self) -> &Arc<CryptoProvider> {
        &self.common.provider
    }
}

/// Builds a [`ClientConfig`].
pub struct ClientConfigBuilder {
    common: Common,
    /// Trust anchors for the standard verifier, made at `build` with the provider's
    /// signature verifier.
    roots: Option<TrustAnchors>,
    verifier: Option<Arc<dyn ServerCertVerifier>>,
    client_auth: Option<Arc<dyn ResolvesClientCert>>,
    session_store: Option<Arc<dyn ClientSessionStore>>,
    middlebox_compat: bool,
    enable_sni: bool,
    key_shares_for_all_groups: bool,
    record_size_limit: Option<u16>,
    tls12_compat_extensions: bool,
    ech: crate::ech::EchMode,
    external_psk: Option<Arc<ExternalPsk>>,
    early_data: bool,
    ocsp_stapling: bool,
    post_handshake_auth: bool,
    server_raw_keys: Option<crate::rpk::PinnedKeys>,
    client_raw_key: Option<crate::rpk::RawKeyPair>,
}

impl ClientConfigBuilder {
    common_setters!();

    /// Offer `psk` in every ClientHello (RFC 8446 §4.2.11), with `psk_dhe_ke`, instead of a
    /// ticket (tickets received are stored but not offered while a PSK is configured; no
    /// 0-RTT is sent with it). A server that knows it authenticates with it and sends no
    /// certificate. Without a verifier or root
    /// certificates, a server that does not select the PSK is refused (certificate
    /// authentication needs one of them).
    pub fn with_external_psk(mut self, psk: ExternalPsk) -> Self {
        self.external_psk = Some(Arc::new(psk));
        self
    }

    /// Send 0-RTT data (RFC 8446 §2.3) on resumed connections whose ticket allows it, through
    /// [`ClientConnection::write_early_data`](crate::ClientConnection::write_early_data).
    /// Off by default. Early data can be replayed by an attacker: send only requests that
    /// are safe to repeat (see docs/security.md).
    pub fn with_early_data(mut self, on: bool) -> Self {
        self.early_data = on;
        self
    }

    /// Ask the server to staple an OCSP response (RFC 8446 §4.4.2.1: `status_request` in
    /// a ClientHello that offers TLS 1.3 alone). The response goes to the verifier's
    /// `verify_ocsp_response` and to
    /// [`ClientConnection::peer_ocsp_response`](crate::ClientConnection::peer_ocsp_response).
    /// Off by default.
    pub fn with_ocsp_stapling(mut self, on: bool) -> Self {
        self.ocsp_stapling = on;
        self
    }

    /// Authenticate the server by a raw public key (RFC 7250) instead of a certificate: its
    /// SubjectPublicKeyInfo (DER) must be one of `keys`. The client asks for RawPublicKey
    /// only, in TLS 1.3 and TLS 1.2; a server that does not select it is refused
    /// (unsupported_certificate). No certificate verifier is needed.
    pub fn with_server_raw_public_keys(mut self, keys: Vec<Vec<u8>>) -> Self {
        self.server_raw_keys = Some(keys);
        self
    }

    /// Authenticate with this raw public key (RFC 7250 `client_certificate_type`) when
    /// the server accepts raw keys: the client lists RawPublicKey first, then X509 if a
    /// client certificate is configured too (that one answers servers that choose X509
    /// or send no client_certificate_type). TLS 1.3 and TLS 1.2.
    pub fn with_client_raw_public_key(mut self, key: crate::rpk::RawKeyPair) -> Self {
        self.client_raw_key = Some(key);
        self
    }

    /// Offer post-handshake client authentication (RFC 8446 §4.6.2, `post_handshake_auth`)
    /// when a client certificate or resolver is configured: the server may then ask for
    /// the certificate after the handshake, and the client answers from the same
    /// resolver. Off by default.
    pub fn with_post_handshake_auth(mut self, on: bool) -> Self {
        self.post_handshake_auth = on;
        self
    }

    /// Trust these anchors (path validation with `tryst-cert`, signatures checked by the
    /// crypto provider's verifier).
    pub fn with_root_certificates(mut self, anchors: TrustAnchors) -> Self {
        self.roots = Some(anchors);
        self.verifier = None;
        self
    }

    /// Use `verifier` for the server's certificate (for example `WebPkiServerVerifier`
    /// with a custom policy).
    pub fn with_verifier(mut self, verifier: Arc<dyn ServerCertVerifier>) -> Self {
        self.verifier = Some(verifier);
        self.roots = None;
        self
    }

    /// Dangerous settings: ones that can turn off authentication.
    pub fn dangerous(self) -> DangerousClientConfig {
        DangerousClientConfig(self)
    }

    /// Authenticate with this certificate when the server asks (and accepts its scheme).
    pub fn with_client_auth_cert(mut self, key: CertifiedKey) -> Self {
        self.client_auth = Some(Arc::new(SingleClientCert::new(Arc::new(key))));
        self
    }

    /// Choose the client certificate per CertificateRequest with `resolver` (for example
    /// [`ClientCertResolver`](crate::ClientCertResolver) over several keys).
    pub fn with_client_cert_resolver(mut self, resolver: Arc<dyn ResolvesClientCert>) -> Self {
        self.client_auth = Some(resolver);
        self
    }

    /// Where tickets are kept between connections; `None` turns resumption off.
    pub fn with_session_store(mut self, store: Option<Arc<dyn ClientSessionStore>>) -> Self {
        self.session_store = store;
        self
    }

    /// Middlebox compatibility mode (RFC 8446 §D.4): a legacy_session_id and a
    /// change_cipher_spec before the second flight.
    pub fn with_middlebox_compat(mut self, on: bool) -> Self {
        self.middlebox_compat = on;
        self
    }

    /// Send server_name (SNI) for DNS names (on by default; never sent for IP addresses).
    pub fn with_sni(mut self, on: bool) -> Self {
        self.enable_sni = on;
        self
    }

    /// Send a key share for every configured group in the first ClientHello, avoiding a
    /// HelloRetryRequest at the cost of extra key generation.
    pub fn with_key_shares_for_all_groups(mut self, on: bool) -> Self {
        self.key_shares_for_all_groups = on;
        self
    }

    /// Offer record_size_limit (RFC 8449): the largest record plaintext, content type and
    /// padding included, we accept (64 to 16385). Off by default.
    pub fn with_record_size_limit(mut self, limit: Option<u16>) -> Self {
        self.record_size_limit = limit;
        self
    }

    /// Also send the empty renegotiation_info and session_ticket extensions that TLS 1.2
    /// servers and middleboxes expect from browsers (as NSS does). Off by default: TLS 1.3
    /// needs neither.
    pub fn with_tls12_compat_extensions(mut self, on: bool) -> Self {
        self.tls12_compat_extensions = on;
        self
    }

    /// Encrypted Client Hello (RFC 9849): [`EchMode::Enabled`](crate::ech::EchMode) with
    /// a config from the server's `ECHConfigList` hides the server name and the rest of
    /// the ClientHello; the default, [`EchMode::Grease`](crate::ech::EchMode), sends a
    /// decoy extension; [`EchMode::Disabled`](crate::ech::EchMode) sends none.
    pub fn with_ech(mut self, mode: crate::ech::EchMode) -> Self {
        self.ech = mode;
        self
    }

    /// Finish. Fails when no verifier was set or a setting cannot work.
    pub fn build(mut self) -> Result<Arc<ClientConfig>, Error> {
        self.common.finish()?;
        if !self.common.tls13 {
            return Err(Error::Config(
                "a client cannot turn TLS 1.3 off (protocol versions must include it)",
            ));
        }
        check_record_size_limit(self.record_size_limit)?;
        // RFC 9849 §6.1.6: a server that negotiates TLS 1.2 has rejected ECH, and the
        // client would have to abort anyway; offering only TLS 1.3 keeps a downgrade from
        // producing a connection that the caller believes hides the name.
        if matches!(self.ech, crate::ech::EchMode::Enabled(_)) {
            self.common.tls12_suites.clear();
        }
        let provider_verifier = self.common.provider.verifier;
        let from_roots = self.roots.map(|anchors| -> Arc<dyn ServerCertVerifier> {
            Arc::new(
                WebPkiServerVerifier::new(anchors)
                    .with_policy(tryst_cert::Policy::DEFAULT.with_verifier(provider_verifier)),
            )
        });
        let psk_only = (self.external_psk.is_some() || self.server_raw_keys.is_some())
            .then(|| -> Arc<dyn ServerCertVerifier> { Arc::new(crate::psk::NoCertificates) });
        let verifier = self
            .verifier
            .or(from_roots)
            .or(psk_only)
            .ok_or(Error::Config(
                "no way to check the server: set root certificates, a verifier or an external PSK",
            ))?;
        let signature_schemes = verifier.supported_schemes();
        Ok(Arc::new(ClientConfig {
            common: Arc::new(self.common),
            verifier,
            client_auth: self.client_auth,
            session_store: self.session_store,
            middlebox_compat: self.middlebox_compat,
            enable_sni: self.enable_sni,
            signature_schemes,
            key_shares_for_all_groups: self.key_shares_for_all_groups,
            record_size_limit: self.record_size_limit,
            tls12_compat_extensions: self.tls12_compat_extensions,
            ech: self.ech,
            external_psk: self.external_psk,
            early_data: self.early_data,
            ocsp_stapling: self.ocsp_stapling,
            post_handshake_auth: self.post_handshake_auth,
            server_raw_keys: self.server_raw_keys,
            client_raw_key: self.client_raw_key,
        }))
    }
}

fn check_record_size_limit(limit: Option<u16>) -> Result<(), Error> {
    match limit {
        Some(l) if !(64..=16385).contains(&l) => Err(Error::Config(
            "record_size_limit must be between 64 and 16385 (RFC 8449)",
        )),
        _ => Ok(()),
    }
}

/// Settings that can turn off authentication. Named so they stand out in review.
pub struct DangerousClientConfig(ClientConfigBuilder);

impl DangerousClientConfig {
    /// Replace certificate checking with `verifier`. Whatever it accepts, the client trusts.
    pub fn with_custom_certificate_verifier(
        mut self,
        verifier: Arc<dyn ServerCertVerifier>,
    ) -> ClientConfigBuilder {
        self.0.verifier = Some(verifier);
        self.0.roots = None;
        self.0
    }
}

/// Which side's preference picks the cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuitePreference {
    /// The server's order decides (default).
    Server,
    /// The client's order decides.
    Client,
}

/// Server settings.
pub struct ServerConfig {
    /// Shared with every connection made from this config (an `Arc`, so a connection
    /// holds a pointer, not a copy of the suite, group and ALPN lists).
    pub(crate) common: Arc<Common>,
    /// How the certificate is chosen; None: a PSK-only server (it refuses handshakes that
    /// select no PSK).
    pub(crate) cert_resolver: Option<Arc<dyn ResolvesServerCert>>,
    pub(crate) client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// Checks certificates asked for after the handshake (`crate::pha`).
    pub(crate) pha_verifier: Option<Arc<dyn ClientCertVerifier>>,
    /// Ask clients to staple an OCSP response to their certificate (`crate::ocsp`).
    pub(crate) client_ocsp: bool,
    /// Serve the certificate's raw public key to clients that ask (`crate::rpk`).
    pub(crate) raw_public_key: bool,
    /// `client_verifier` checks raw public keys (`crate::rpk`).
    pub(crate) client_raw_keys: bool,
    pub(crate) preference: SuitePreference,
    pub(crate) tickets: Option<Arc<TicketKeys>>,
    pub(crate) ticket_count: u8,
    pub(crate) ticket_lifetime: Duration,
    pub(crate) send_hrr_cookie: bool,
    pub(crate) middlebox_compat: bool,
    pub(crate) record_size_limit: u16,
    /// What tickets are bound to: a hash of the resumption context and the client-auth
    /// policy. A ticket issued under another context is never resumed here.
    pub(crate) ticket_context: [u8; 32],
    pub(crate) max_rejected_early_data: u32,
    /// ECH keys (RFC 9849), tried in order for a client's config_id.
    pub(crate) ech_keys: Vec<crate::ech::EchServerKey>,
    /// The `ECHConfigList` sent as retry_configs when ECH is rejected (empty: none).
    pub(crate) ech_retry_configs: Vec<u8>,
    /// External PSKs the server knows, by identity (RFC 8446 §4.2.11).
    pub(crate) external_psks: Vec<Arc<ExternalPsk>>,
    /// 0-RTT settings (off unless `max_early_data_size` > 0).
    pub(crate) early: crate::early::ServerEarlyData,
    /// Where sessions are kept when tickets are stateful (None: stateless tickets).
    pub(crate) session_store: Option<Arc<dyn crate::session::ServerSessionStore>>,
}

impl core::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("suites", &self.common.suites)
            .field("groups", &self.common.groups)
            .field("tickets", &self.ticket_count)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// Start building a server config that presents `cert`, with the default crypto
    /// provider.
    pub fn builder(cert: CertifiedKey) -> ServerConfigBuilder {
        Self::builder_with_provider(cert, Arc::new(CryptoProvider::default()))
    }

    /// Start building a server config that presents `cert`, whose algorithms all come from
    /// `provider` (load the key with [`CertifiedKey::from_der_with_provider`] to sign with
    /// it too).
    pub fn builder_with_provider(
        cert: CertifiedKey,
        provider: Arc<CryptoProvider>,
    ) -> ServerConfigBuilder {
        let resolver = Arc::new(SingleCertResolver::new(Arc::new(cert)));
        Self::builder_with_cert_resolver(resolver).with_crypto_provider(provider)
    }

    /// Start building a server config that chooses its certificate per connection with
    /// `resolver` (for example [`SniCertResolver`](crate::SniCertResolver) over certificates
    /// for several names and key types), with the default crypto provider.
    pub fn builder_with_cert_resolver(
        resolver: Arc<dyn ResolvesServerCert>,
    ) -> ServerConfigBuilder {
        ServerConfigBuilder {
            common: Common::new(DEFAULT_SERVER_GROUPS, Arc::new(CryptoProvider::default())),
            cert_resolver: Some(resolver),
            client_verifier: None,
            pha_verifier: None,
            client_ocsp: false,
            raw_public_key: false,
            client_raw_keys: None,
            preference: SuitePreference::Server,
            tickets: None,
            ticket_count: 2,
            ticket_lifetime: Duration::from_secs(2 * 3600),
            send_hrr_cookie: true,
            middlebox_compat: true,
            record_size_limit: 16385,
            resumption_context: Vec::new(),
            max_rejected_early_data: DEFAULT_MAX_REJECTED_EARLY_DATA,
            ech_keys: Vec::new(),
            external_psks: Vec::new(),
            early: crate::early::ServerEarlyData::default(),
            session_store: None,
        }
    }

    /// Start building a server config with no certificate: it completes only handshakes
    /// that select one of its external PSKs (add them with
    /// [`ServerConfigBuilder::with_external_psk`]); any other is refused with
    /// handshake_failure.
    pub fn psk_only_builder() -> ServerConfigBuilder {
        Self::psk_only_builder_with_provider(Arc::new(CryptoProvider::default()))
    }

    /// [`ServerConfig::psk_only_builder`] with every algorithm from `provider`.
    pub fn psk_only_builder_with_provider(provider: Arc<CryptoProvider>) -> ServerConfigBuilder {
        ServerConfigBuilder {
            common: Common::new(DEFAULT_SERVER_GROUPS, provider),
            cert_resolver: None,
            client_verifier: None,
            pha_verifier: None,
            client_ocsp: false,
            raw_public_key: false,
            client_raw_keys: None,
            preference: SuitePreference::Server,
            tickets: None,
            ticket_count: 2,
            ticket_lifetime: Duration::from_secs(2 * 3600),
            send_hrr_cookie: true,
            middlebox_compat: true,
            record_size_limit: 16385,
            resumption_context: Vec::new(),
            max_rejected_early_data: DEFAULT_MAX_REJECTED_EARLY_DATA,
            external_psks: Vec::new(),
            early: crate::early::ServerEarlyData::default(),
            session_store: None,
            ech_keys: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// The crypto provider every algorithm of this config comes from.
    pub fn crypto_provider(&self) -> &Arc<CryptoProvider> {
        &self.common.provider
    }
}

/// Bytes of early data a server skips when it declines 0-RTT (RFC 8446 §4.2.10), by
/// default: one full record, which is what clients send in practice.
pub const DEFAULT_MAX_REJECTED_EARLY_DATA: u32 = 16 * 1024;

/// Builds a [`ServerConfig`].
pub struct ServerConfigBuilder {
    common: Common,
    cert_resolver: Option<Arc<dyn ResolvesServerCert>>,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    pha_verifier: Option<Arc<dyn ClientCertVerifier>>,
    client_ocsp: bool,
    raw_public_key: bool,
    /// Pinned client keys and whether one is required (`crate::rpk`).
    client_raw_keys: Option<(crate::rpk::PinnedKeys, bool)>,
    preference: SuitePreference,
    tickets: Option<Arc<TicketKeys>>,
    ticket_count: u8,
    ticket_lifetime: Duration,
    send_hrr_cookie: bool,
    middlebox_compat: bool,
    record_size_limit: u16,
    resumption_context: Vec<u8>,
    max_rejected_early_data: u32,
    ech_keys: Vec<crate::ech::EchServerKey>,
    external_psks: Vec<Arc<ExternalPsk>>,
    early: crate::early::ServerEarlyData,
    session_store: Option<Arc<dyn crate::session::ServerSessionStore>>,
}

/// Longest ticket lifetime TLS 1.3 allows (RFC 8446 §4.6.1): seven days.
pub const MAX_TICKET_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

impl ServerConfigBuilder {
    common_setters!();

    /// Ask clients for a certificate and check it with `verifier`.
    pub fn with_client_cert_verifier(mut self, verifier: Arc<dyn ClientCertVerifier>) -> Self {
        self.client_verifier = Some(verifier);
        self
    }

    /// Check certificates asked for after the handshake
    /// ([`ServerConnection::request_client_certificate`](crate::ServerConnection::request_client_certificate),
    /// RFC 8446 §4.6.2) with `verifier`, without asking for one in the handshake. Without
    /// it, post-handshake requests use the [`with_client_cert_verifier`](Self::with_client_cert_verifier) one.
    pub fn with_post_handshake_client_verifier(
        mut self,
        verifier: Arc<dyn ClientCertVerifier>,
    ) -> Self {
        self.pha_verifier = Some(verifier);
        self
    }

    /// Ask clients to staple an OCSP response to their certificate: `status_request` in
    /// every TLS 1.3 CertificateRequest, in the handshake and after it (RFC 8446
    /// §4.4.2.1). The response goes to the client verifier's
    /// [`verify_ocsp_response`](crate::verify::ClientCertVerifier::verify_ocsp_response)
    /// and to [`ServerConnection::peer_ocsp_response`](crate::ServerConnection::peer_ocsp_response).
    /// Off by default; a staple the server did not ask for is refused
    /// (unsupported_extension).
    pub fn with_client_ocsp_stapling(mut self, on: bool) -> Self {
        self.client_ocsp = on;
        self
    }

    /// Send the chosen certificate's SubjectPublicKeyInfo instead of the certificate to
    /// clients that ask for a RawPublicKey server_certificate_type (RFC 7250; TLS 1.3 and
    /// TLS 1.2). Off by default.
    pub fn with_raw_public_key(mut self, on: bool) -> Self {
        self.raw_public_key = on;
        self
    }

    /// Authenticate clients by raw public key (RFC 7250 `client_certificate_type`): a
    /// TLS 1.3 client that lists RawPublicKey is asked for its key, which must be byte for
    /// byte one of `keys` (DER SubjectPublicKeyInfo) and sign CertificateVerify. With
    /// `mandatory`, a client that sends no key, or cannot send one, is refused
    /// (certificate_required, unsupported_certificate); without it, such a client goes on
    /// unauthenticated. Replaces X.509 client authentication (`build` fails if a client
    /// certificate verifier is set too). The server then speaks TLS 1.3 only.
    pub fn with_client_raw_public_keys(mut self, keys: Vec<Vec<u8>>, mandatory: bool) -> Self {
        self.client_raw_keys = Some((keys, mandatory));
        self
    }

    /// Whose cipher-suite order wins.
    pub fn with_suite_preference(mut self, preference: SuitePreference) -> Self {
        self.preference = preference;
        self
    }

    /// Issue stateless tickets sealed with `keys` (share the keys between servers to let
    /// them resume each other's sessions), in TLS 1.3 and (RFC 5077) in TLS 1.2. Without
    /// keys no tickets are issued.
    pub fn with_ticket_keys(mut self, keys: Arc<TicketKeys>) -> Self {
        self.tickets = Some(keys);
        self
    }

    /// How many tickets to send after each TLS 1.3 handshake (default 2; 0 sends none,
    /// and turns TLS 1.2 tickets off too: a TLS 1.2 handshake issues at most one).
    pub fn with_ticket_count(mut self, n: u8) -> Self {
        self.ticket_count = n;
        self
    }

    /// Ticket lifetime (default 2 hours; at most 7 days).
    pub fn with_ticket_lifetime(mut self, lifetime: Duration) -> Self {
        self.ticket_lifetime = lifetime;
        self
    }

    /// Put a cookie in HelloRetryRequest and require it back (default on).
    pub fn with_hrr_cookie(mut self, on: bool) -> Self {
        self.send_hrr_cookie = on;
        self
    }

    /// Answer a client in middlebox-compatibility mode with a change_cipher_spec (default on).
    pub fn with_middlebox_compat(mut self, on: bool) -> Self {
        self.middlebox_compat = on;
        self
    }

    /// The record_size_limit (RFC 8449) we announce to clients that offer the extension
    /// (default 16385, i.e. full-size records). Clients' own limits are always honoured.
    pub fn with_record_size_limit(mut self, limit: u16) -> Self {
        self.record_size_limit = limit;
        self
    }

    /// Bind this config's tickets to `context` (default empty), like OpenSSL's session id
    /// context: servers that share [`TicketKeys`] resume each other's sessions only when
    /// their contexts are equal. Give configs that serve different applications (or
    /// different trust decisions) different contexts. Whatever the context, a ticket is also
    /// bound to the client-authentication policy, the SNI and the ALPN protocol of the
    /// session that issued it.
    pub fn with_resumption_context(mut self, context: &[u8]) -> Self {
        self.resumption_context = context.to_vec();
        self
    }

    /// Early data skipped, in bytes, when a client sends 0-RTT that this server declines
    /// (RFC 8446 §4.2.10; default [`DEFAULT_MAX_REJECTED_EARLY_DATA`]). Past this budget
    /// the connection fails. When 0-RTT is on, the budget is at least
    /// `max_early_data_size`.
    pub fn with_max_rejected_early_data(mut self, bytes: u32) -> Self {
        self.max_rejected_early_data = bytes;
        self
    }

    /// Accept Encrypted Client Hello (RFC 9849) with these keys (several for rotation:
    /// a client names one by config_id). A client whose ECH cannot be decrypted gets the
    /// handshake of its outer ClientHello, which names the config's public name, and the
    /// configs marked for retry: the certificate chosen for that hello must be valid for
    /// the public name. Either one certificate covers the real names and the public name,
    /// or a certificate resolver (such as [`SniCertResolver`](crate::SniCertResolver))
    /// holds one for the public name: it sees the outer hello's SNI on rejection and the
    /// inner one on acceptance.
    pub fn with_ech_keys(mut self, keys: Vec<crate::ech::EchServerKey>) -> Self {
        self.ech_keys = keys;
        self
    }

    /// Accept `psk` (RFC 8446 §4.2.11): a client that offers its identity with a good binder
    /// is authenticated by it, with `psk_dhe_ke`, and no certificate is sent. Identities must
    /// be unique (`build` fails otherwise).
    pub fn with_external_psk(mut self, psk: ExternalPsk) -> Self {
        self.external_psks.push(Arc::new(psk));
        self
    }

    /// Accept up to `bytes` of 0-RTT data (RFC 8446 §4.2.10) on resumed connections whose
    /// ticket allows it; announced in the tickets this config issues. 0 (the default) turns
    /// 0-RTT off. Early data can be replayed: see docs/security.md and
    /// [`with_anti_replay`](Self::with_anti_replay).
    pub fn with_max_early_data_size(mut self, bytes: u32) -> Self {
        self.early.max_early_data_size = bytes;
        self
    }

    /// Where single-use claims of 0-RTT tickets are recorded (default: an in-memory store of
    /// [`InMemoryAntiReplay::DEFAULT_CAPACITY`](crate::early::InMemoryAntiReplay) entries,
    /// which protects one process only; fleets need a shared store such as `tryst-redis`).
    pub fn with_anti_replay(mut self, store: Arc<dyn crate::early::AntiReplay>) -> Self {
        self.early.anti_replay = Some(store);
        self
    }

    /// Keep sessions in `store` and send clients only their 32-byte names (stateful
    /// tickets): each ticket resumes at most once, across every server sharing the store.
    /// The sessions stay sealed with the ticket keys (set them with
    /// [`with_ticket_keys`](Self::with_ticket_keys); without them no tickets are issued).
    pub fn with_session_store(
        mut self,
        store: Arc<dyn crate::session::ServerSessionStore>,
    ) -> Self {
        self.session_store = Some(store);
        self
    }

    /// How far the client's view of a ticket's age may differ from ours for its 0-RTT data
    /// to be accepted (RFC 8446 §8.3; default 10 seconds).
    pub fn with_early_data_window(mut self, window: Duration) -> Self {
        self.early.window = window;
        self
    }

    /// Finish.
    pub fn build(mut self) -> Result<Arc<ServerConfig>, Error> {
        self.common.finish()?;
        crate::early::check_server_psks(self.cert_resolver.is_some(), &self.external_psks)?;
        self.early.check()?;
        self.early.finish();
        check_record_size_limit(Some(self.record_size_limit))?;
        let client_raw_keys = self.client_raw_keys.is_some();
        if let Some((pins, mandatory)) = self.client_raw_keys.take() {
            if self.client_verifier.is_some() {
                return Err(Error::Config(
                    "client authentication is by X.509 certificate or by raw public key, not both",
                ));
            }
            let v =
                crate::rpk::PinnedClientKeys::new(pins, mandatory, self.common.provider.verifier)?;
            self.client_verifier = Some(Arc::new(v));
        }
        let ticket_context =
            ticket_context(&self.resumption_context, self.client_verifier.as_deref());
        if self.ticket_lifetime > MAX_TICKET_LIFETIME {
            return Err(Error::Config(
                "ticket lifetime over 7 days (RFC 8446 §4.6.1)",
            ));
        }
        Ok(Arc::new(ServerConfig {
            common: Arc::new(self.common),
            cert_resolver: self.cert_resolver,
            client_verifier: self.client_verifier,
            pha_verifier: self.pha_verifier,
            client_ocsp: self.client_ocsp,
            raw_public_key: self.raw_public_key,
            client_raw_keys,
            preference: self.preference,
            tickets: self.tickets,
            ticket_count: self.ticket_count,
            ticket_lifetime: self.ticket_lifetime,
            send_hrr_cookie: self.send_hrr_cookie,
            middlebox_compat: self.middlebox_compat,
            record_size_limit: self.record_size_limit,
            ticket_context,
            ech_retry_configs: match self.ech_keys.is_empty() {
                true => Vec::new(),
                false => crate::ech::EchServerKey::config_list(&self.ech_keys),
            },
            ech_keys: self.ech_keys,
            max_rejected_early_data: self
                .max_rejected_early_data
                .max(self.early.max_early_data_size),
            external_psks: self.external_psks,
            early: self.early,
            session_store: self.session_store,
        }))
    }
}

/// SHA-256 over the user's resumption context and the client-auth policy: whether client
/// certificates are asked for, required, and the verifier's own identity.
fn ticket_context(context: &[u8], verifier: Option<&dyn ClientCertVerifier>) -> [u8; 32] {
    let mut h = tryst_crypto::SHA256.start();
    let mut part = |bytes: &[u8]| {
        h.update(&u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
        h.update(bytes);
    };
    part(b"tryst ticket context v1");
    part(context);
    match verifier {
        None => part(&[0]),
        Some(v) => {
            part(&[if v.client_auth_mandatory() { 2 } else { 1 }]);
            part(&v.resumption_identity());
        }
    }
    let out = h.finish();
    let mut ctx = [0u8; 32];
    for (d, s) in ctx.iter_mut().zip(out.as_bytes()) {
        *d = *s;
    }
    ctx
}
