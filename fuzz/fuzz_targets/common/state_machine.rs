//! Shared by the `tryst_client` and `tryst_server` targets and the `state_machine_seeds`
//! generator: the configurations the targets run with (fixed seed, fixed clock, fixed keys,
//! so each run is deterministic), and the loop that feeds peer bytes to a connection.
//!
//! Input layout for both targets: byte 0 picks the configuration (`byte % 5`), byte 1 the
//! piece size the peer bytes are fed in (0 = all at once, else that many bytes), the rest is
//! what the peer sent. Seeds are written by `examples/state_machine_seeds.rs` from real
//! in-memory handshakes built under `cfg(fuzzing)` (docs/fuzzing.md: with the fuzzing-only
//! crypto mode records are plaintext + 16 zero bytes, and Finished, binders and signatures
//! always verify).
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tryst::cert::CertificateBuilder;
use tryst::crypto::{Ed25519SigningKey, Secret, Signer};
use tryst::messages::SignatureScheme;
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::session::{ClientSessionStore, Tls13Ticket};
use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
use tryst::verify::{
    CertificateVerified, ClientCertVerifier, ServerCertVerifier, SignatureVerified,
};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, ConnectionCommon, ManualClock, SeededRandom,
    ServerConfig, ServerConnection, TicketKeys,
};

/// The OCSP response stapled by server configuration 1 and client configuration 2 (tryst
/// passes it on unparsed, so any bytes do).
const OCSP: &[u8] = b"\x30\x03\x0a\x01\x00 fuzz OCSPResponse";

/// 2026-01-01T00:00:00Z, inside the certificates' validity.
pub const NOW: u64 = 1_767_225_600;
/// The name the client connects to (also the server certificate's name).
pub const NAME: &str = "fuzz.example";
/// Number of configurations per side (byte 0 of the input, modulo this).
pub const VARIANTS: u8 = 5;
/// Server targets: byte 0 with this bit set also asks the client for a certificate after
/// the handshake (RFC 8446 §4.6.2), once the handshake is complete, so the rest of the
/// input is the client's answer (Certificate, CertificateVerify, Finished). Only a client
/// that offered post_handshake_auth to a configuration with a client verifier (1, 3) gets
/// the request; otherwise the call fails and nothing is sent.
pub const PHA_FLAG: u8 = 0x80;

fn key(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).expect("seed")).expect("key")
}

fn cert(name: &str, k: &Ed25519SigningKey, client: bool) -> Vec<u8> {
    let nb = i64::try_from(NOW).expect("now") - 86_400;
    let b = CertificateBuilder::new(name, nb, nb + 365 * 86_400).dns_name(name);
    let b = if client {
        b.client_auth()
    } else {
        b.server_auth()
    };
    b.self_signed(k).expect("certificate")
}

struct Keys {
    server_cert: Vec<u8>,
    server_key: Arc<dyn Signer>,
    client_cert: Vec<u8>,
    client_key: Arc<dyn Signer>,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let sk = key(2);
        let ck = key(3);
        Keys {
            server_cert: cert(NAME, &sk, false),
            server_key: Arc::new(sk),
            client_cert: cert("client", &ck, true),
            client_key: Arc::new(ck),
        }
    })
}

/// The client's raw public key (RFC 7250), the key of its certificate.
fn client_raw_key() -> tryst::RawKeyPair {
    tryst::RawKeyPair::from_signer(keys().client_key.clone()).expect("raw key")
}

/// The SubjectPublicKeyInfo of `k`.
fn spki(k: &Arc<dyn Signer>) -> Vec<u8> {
    tryst::cert::spki_for(k.as_ref()).expect("spki")
}

fn certified(der: &[u8], signer: &Arc<dyn Signer>) -> CertifiedKey {
    CertifiedKey::new(vec![CertificateDer::from(der.to_vec())], signer.clone())
        .expect("certified key")
}

/// Accepts any server chain (the chain is still parsed for its key by the default
/// signature check, which the fuzzing crypto mode then lets through).
#[derive(Debug)]
pub struct AcceptAnyServer;

impl ServerCertVerifier for AcceptAnyServer {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _now: UnixTime,
    ) -> Result<CertificateVerified, tryst::Error> {
        Ok(CertificateVerified::assertion())
    }
}

/// Accepts any client chain; `mandatory` decides whether a client must send one.
#[derive(Debug)]
pub struct AcceptAnyClient {
    pub mandatory: bool,
}

impl ClientCertVerifier for AcceptAnyClient {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        // A DER Name: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "fuzz CA" } } }.
        vec![b"\x30\x12\x31\x10\x30\x0e\x06\x03\x55\x04\x03\x0c\x07fuzz CA".to_vec()]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<CertificateVerified, tryst::Error> {
        Ok(CertificateVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, tryst::Error> {
        // The real check (certificate parse, scheme/key match); the crypto mode accepts
        // the signature itself.
        tryst::verify::verify_signature(message, end_entity, scheme, signature, 2048)
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Duration::from_secs(NOW)))
}

fn rng(side: &[u8]) -> Arc<SeededRandom> {
    Arc::new(SeededRandom::new(side))
}

/// The external PSK of server configuration 0 and client configuration 3.
fn external_psk() -> tryst::ExternalPsk {
    tryst::ExternalPsk::new(b"fuzz psk", &[7; 32], tryst::crypto::HashAlgorithm::Sha256)
        .expect("external PSK")
}

fn ticket_keys() -> Arc<TicketKeys> {
    Arc::new(TicketKeys::new(
        Secret::from_slice(&[9; 32]).expect("ticket master"),
        Duration::from_secs(3600),
    ))
}

/// Server configuration `variant` (0..VARIANTS), built fresh so the seeded RNG starts over.
///
/// 0: defaults with session tickets, 0-RTT (1024 bytes) and an external PSK.
/// 1: mandatory client authentication and ALPN; an OCSP response stapled to its
///    certificate (TLS 1.3 CertificateEntry, TLS 1.2 CertificateStatus) and asks for the
///    client's (status_request in CertificateRequest).
/// 2: X25519 only with an HRR cookie (a P-256-first client gets a HelloRetryRequest).
/// 3: optional client authentication, client suite preference, record_size_limit,
///    no middlebox compatibility, one ticket, certificate compression (RFC 8879).
/// 4: raw public keys (RFC 7250): its own for clients that ask, and the client's required
///    (pinned: the client configuration 4 key).
pub fn server_config(variant: u8) -> Arc<ServerConfig> {
    server_builder(variant).build().expect("server config")
}

/// Server configuration `variant` speaking TLS 1.2 only (the `*_tls12` targets): the same
/// variants, so client authentication, ALPN, client suite preference and the
/// X25519-only group list are reachable in TLS 1.2 too.
pub fn server_config_tls12(variant: u8) -> Arc<ServerConfig> {
    server_builder(variant)
        .with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls12])
        .build()
        .expect("server config")
}

fn server_builder(variant: u8) -> tryst::ServerConfigBuilder {
    // The configuration is chosen by the low seven bits; PHA_FLAG is the driver's.
    let variant = variant & !PHA_FLAG;
    let k = keys();
    let mut ck = certified(&k.server_cert, &k.server_key);
    if variant % VARIANTS == 1 {
        ck = ck.with_ocsp(OCSP.to_vec());
    }
    let b = ServerConfig::builder(ck)
        .with_clock(clock())
        .with_rng(rng(b"fuzz server"))
        .with_ticket_keys(ticket_keys());
    let b = match variant % VARIANTS {
        0 => b
            .with_max_early_data_size(1024)
            .with_external_psk(external_psk()),
        1 => b
            .with_client_cert_verifier(Arc::new(AcceptAnyClient { mandatory: true }))
            .with_client_ocsp_stapling(true)
            .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
        2 => b.with_groups(&[X25519_GROUP]).with_hrr_cookie(true),
        4 => b
            .with_raw_public_key(true)
            .with_client_raw_public_keys(vec![spki(&k.client_key)], true),
        _ => b
            .with_client_cert_verifier(Arc::new(AcceptAnyClient { mandatory: false }))
            .with_suite_preference(tryst::SuitePreference::Client)
            .with_record_size_limit(1024)
            .with_middlebox_compat(false)
            .with_ticket_count(1)
            .with_certificate_compression(tryst::compress::default_compressors()),
    };
    b
}

/// Tickets for the resuming client configuration, made by real (fuzzing-mode) handshakes
/// with server configuration 0. Taken from a global pool so a fuzz iteration does not
/// have to run a handshake of its own; tickets a fuzzed server sends are dropped, so runs
/// stay reproducible.
struct TicketPool;

fn pool() -> &'static Mutex<Vec<Tls13Ticket>> {
    static P: OnceLock<Mutex<Vec<Tls13Ticket>>> = OnceLock::new();
    P.get_or_init(|| Mutex::new(Vec::new()))
}

/// A store that collects the tickets a connection receives.
struct Collect(Mutex<Vec<Tls13Ticket>>);

impl ClientSessionStore for Collect {
    fn insert(&self, _server_name: &ServerName<'static>, ticket: Tls13Ticket) {
        self.0.lock().expect("lock").push(ticket);
    }
    fn take(&self, _server_name: &ServerName<'static>) -> Option<Tls13Ticket> {
        None
    }
}

fn refill() {
    let collect = Arc::new(Collect(Mutex::new(Vec::new())));
    for _ in 0..32 {
        let cc = client_builder(0)
            .with_session_store(Some(collect.clone()))
            .build()
            .expect("client config");
        let sc = ServerConfig::builder(certified(&keys().server_cert, &keys().server_key))
            .with_clock(clock())
            .with_rng(rng(b"fuzz ticket pool"))
            .with_ticket_keys(ticket_keys())
            .with_ticket_count(8)
            .with_max_early_data_size(1024)
            .build()
            .expect("server config");
        let mut c = ClientConnection::new(cc, name()).expect("client");
        let mut s = ServerConnection::new(sc).expect("server");
        let _ = transfer(&mut c, &mut s, &mut Vec::new(), &mut Vec::new());
    }
    let mut got = collect.0.lock().expect("lock");
    pool().lock().expect("lock").append(&mut got);
}

impl ClientSessionStore for TicketPool {
    fn insert(&self, _server_name: &ServerName<'static>, _ticket: Tls13Ticket) {}
    fn take(&self, _server_name: &ServerName<'static>) -> Option<Tls13Ticket> {
        if let Some(t) = pool().lock().expect("lock").pop() {
            return Some(t);
        }
        refill();
        pool().lock().expect("lock").pop()
    }
}

/// The server name the client uses.
pub fn name() -> ServerName<'static> {
    ServerName::try_from(NAME).expect("name")
}

fn client_builder(variant: u8) -> tryst::ClientConfigBuilder {
    let b = ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyServer))
        .with_clock(clock())
        .with_rng(rng(b"fuzz client"))
        .with_session_store(None);
    match variant % VARIANTS {
        0 | 1 => b,
        2 => {
            let k = keys();
            b.with_client_auth_cert(
                certified(&k.client_cert, &k.client_key).with_ocsp(OCSP.to_vec()),
            )
            .with_ocsp_stapling(true)
            .with_post_handshake_auth(true)
            .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
            .with_record_size_limit(Some(1024))
            .with_certificate_compression(tryst::compress::default_compressors())
        }
        4 => {
            let k = keys();
            b.with_server_raw_public_keys(vec![spki(&k.server_key)])
                .with_client_raw_public_key(client_raw_key())
                .with_client_auth_cert(certified(&k.client_cert, &k.client_key))
        }
        _ => b
            .with_groups(&[SECP256R1_GROUP, X25519_GROUP])
            .with_middlebox_compat(true)
            .with_tls12_compat_extensions(true)
            .with_external_psk(external_psk()),
    }
}

/// Client configuration `variant` (0..VARIANTS), built fresh so the seeded RNG starts over.
///
/// 0: defaults, no session store. 1: offers a ticket (PSK resumption) from the pool, with
/// 0-RTT (the tickets allow it).
/// 2: has a client certificate (with an OCSP response, stapled when asked), offers ALPN,
///    record_size_limit 1024, certificate compression (RFC 8879: the server's
///    CompressedCertificate is decompressed), post_handshake_auth (a later
///    CertificateRequest is answered), asks for the server's OCSP staple.
/// 3: P-256 key share first (an X25519-only server answers HelloRetryRequest), middlebox
///    compatibility, TLS 1.2 compatibility extensions, an external PSK.
/// 4: raw public keys (RFC 7250): pins the server's key, offers its own key for client
///    authentication (RawPublicKey first, then X509 with its certificate).
pub fn client_config(variant: u8) -> Arc<ClientConfig> {
    let b = client_builder(variant);
    let b = if variant % VARIANTS == 1 {
        b.with_session_store(Some(Arc::new(TicketPool)))
            .with_early_data(true)
    } else {
        b
    };
    b.build().expect("client config")
}

/// Send what `from` has queued to `to`, appending it to `log`. `None` when `to` failed;
/// otherwise whether anything moved.
fn pump(from: &mut ConnectionCommon, to: &mut ConnectionCommon, log: &mut Vec<u8>) -> Option<bool> {
    let out = from.pending_tls().to_vec();
    if out.is_empty() {
        return Some(false);
    }
    log.extend_from_slice(&out);
    from.consume_tls(out.len());
    let mut rest = out.as_slice();
    let mut sink = vec![0u8; 1 << 17];
    while !rest.is_empty() {
        let n = to.read_tls_bytes(rest);
        to.process_new_packets().ok()?;
        while to.read_plaintext(&mut sink) > 0 {}
        if n == 0 {
            return None;
        }
        rest = rest.get(n..).unwrap_or_default();
    }
    Some(true)
}

/// Move bytes both ways until neither side has more to say, appending what each side sent
/// to `c2s` / `s2c`. Returns whether both sides are still error-free.
pub fn transfer(
    client: &mut ConnectionCommon,
    server: &mut ConnectionCommon,
    c2s: &mut Vec<u8>,
    s2c: &mut Vec<u8>,
) -> bool {
    for _ in 0..64 {
        let Some(a) = pump(client, server, c2s) else {
            return false;
        };
        let Some(b) = pump(server, client, s2c) else {
            return false;
        };
        if !a && !b {
            return true;
        }
    }
    true
}

/// Feed `peer` to `conn` in pieces of `piece` bytes (0 = all at once), the way an
/// application would: offer bytes, process, read plaintext, flush. Afterwards exercise the
/// application-side calls. Checks: no panic (libFuzzer), a first error is permanent, and
/// nothing is taken or produced after it.
pub fn drive(conn: &mut ConnectionCommon, peer: &[u8], piece: usize) {
    drive_with(&mut Plain(conn), peer, piece, false, &mut |_| {});
}

/// How many bytes of `rest` the next record takes (all of `rest` if it is shorter or
/// has no whole header).
pub fn next_record(rest: &[u8]) -> usize {
    match rest {
        [_, _, _, hi, lo, ..] => (5 + usize::from(u16::from_be_bytes([*hi, *lo]))).min(rest.len()),
        _ => rest.len(),
    }
}

/// A bare `ConnectionCommon` for `drive_with`.
struct Plain<'a>(&'a mut ConnectionCommon);

impl std::ops::Deref for Plain<'_> {
    type Target = ConnectionCommon;
    fn deref(&self) -> &ConnectionCommon {
        self.0
    }
}

impl std::ops::DerefMut for Plain<'_> {
    fn deref_mut(&mut self) -> &mut ConnectionCommon {
        self.0
    }
}

/// `drive` for a server; with `pha`, it asks for a client certificate as soon as the
/// handshake is complete (see [`PHA_FLAG`]).
pub fn drive_server(conn: &mut ServerConnection, peer: &[u8], piece: usize, pha: bool) {
    let mut asked = !pha;
    // One record at a time, so that the request goes out right after the record that
    // completes the handshake, as in the seed's run.
    drive_with(conn, peer, piece, pha, &mut |s: &mut ServerConnection| {
        if !asked && !s.is_handshaking() {
            asked = true;
            let _ = s.request_client_certificate();
        }
    });
}

/// `drive`, calling `after` after each processing step (before the output is flushed);
/// with `per_record`, the connection is offered one record at a time.
fn drive_with<C: std::ops::DerefMut<Target = ConnectionCommon>>(
    conn: &mut C,
    peer: &[u8],
    piece: usize,
    per_record: bool,
    after: &mut dyn FnMut(&mut C),
) {
    let piece = if piece == 0 { peer.len().max(1) } else { piece };
    let mut sink = vec![0u8; 1 << 17];
    let mut failed = false;
    'outer: for chunk in peer.chunks(piece) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let offer = if per_record {
                rest.get(..next_record(rest)).unwrap_or(rest)
            } else {
                rest
            };
            let n = conn.read_tls_bytes(offer);
            let r = conn.process_new_packets();
            while conn.read_plaintext(&mut sink) > 0 {}
            if r.is_ok() {
                after(conn);
            }
            let pending = conn.pending_tls().len();
            conn.consume_tls(pending);
            if r.is_err() {
                failed = true;
                break 'outer;
            }
            if n == 0 {
                // The one-record buffer is full and processing freed nothing although the
                // plaintext was drained: the application could never make progress.
                assert!(
                    conn.peer_has_closed(),
                    "connection stopped taking bytes without an error"
                );
                break 'outer;
            }
            rest = rest.get(n..).unwrap_or_default();
        }
    }
    if failed {
        // RFC 8446 §6: after a fatal error nothing more is processed or sent.
        assert!(conn.process_new_packets().is_err(), "error did not stick");
        assert!(
            conn.send_plaintext(b"x").is_err(),
            "wrote after a fatal error"
        );
        return;
    }
    if !conn.is_handshaking() {
        let _ = conn.send_plaintext(b"ping");
        let _ = conn.refresh_traffic_keys(true);
        let _ = conn.export_keying_material(&mut [0u8; 32], b"EXPORTER-fuzz", Some(b"ctx"));
    }
    conn.read_tls_eof();
    let _ = conn.process_new_packets();
    conn.send_close_notify();
    let pending = conn.pending_tls().len();
    conn.consume_tls(pending);
}
