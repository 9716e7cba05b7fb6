//! `tryst`: TLS 1.3 and TLS 1.2 client and server connections, composed from the tryst
//! crates.
//!
//! What it is: sans-IO state machines for both sides of RFC 8446 — full handshakes with
//! certificate authentication (X25519, Ed25519 / ECDSA / RSA-PSS signatures checked),
//! HelloRetryRequest, client authentication, resumption from stateless tickets (psk_dhe_ke,
//! so every session gets fresh keys), 0-RTT early data with replay protection
//! ([`early`]), external PSKs ([`psk`]), KeyUpdate, exporters, close_notify — with a
//! rustls-like API (`read_tls` / `process_new_packets` / `write_tls`, `reader()` /
//! `writer()`), a zero-copy API for application data in the spirit of rustls's unbuffered
//! one ([`ConnectionCommon::encrypt_into`] seals into the caller's buffer,
//! [`ConnectionCommon::process_in_place`] opens records inside it) and a blocking
//! [`Stream`] adapter under `std`.
//!
//! TLS 1.2 (RFC 5246) is spoken too, on by default: one ClientHello offers both versions and
//! the server picks the highest (RFC 8446 §4.1.3 downgrade protection both ways); ECDHE with
//! AEAD suites only, the extended master secret required, no renegotiation, tickets and
//! session ids for resumption ([`ClientConfigBuilder::with_protocol_versions`] turns it off).
//! Certificates can be chosen per connection: [`SniCertResolver`] serves several names and
//! key types from one config (or implement [`ResolvesServerCert`]), an [`Acceptor`] reads
//! the ClientHello before the config is picked, and [`ClientCertResolver`] picks a client
//! certificate by the server's CertificateRequest ([`resolve`]). Certificate compression
//! (RFC 8879, features `brotli` / `zlib` / `zstd`) is in [`compress`].
//!
//! What it is not: it opens no sockets, reads no clock and no global RNG on its own (the
//! config's [`Clock`] and [`SecureRandom`] supply them), and speaks neither TLS 1.0 nor 1.1.
//!
//! `no_std` + `alloc` with default features off; `std` adds the OS clock and RNG, the
//! in-memory ticket store, SSLKEYLOGFILE, std::io adapters and [`Stream`].
//!
//! A client and a server in memory, with a throwaway Ed25519 CA:
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use std::sync::Arc;
//! use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
//! use tryst::crypto::{Ed25519SigningKey, OsRng, Signer};
//! use tryst::pki_types::{CertificateDer, ServerName};
//! use tryst::{CertifiedKey, ClientConfig, ClientConnection, ServerConfig, ServerConnection};
//!
//! let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
//! let (from, to) = (now.as_secs() as i64 - 60, now.as_secs() as i64 + 3600);
//! let ca_key = Ed25519SigningKey::generate(&mut OsRng);
//! let ca = CertificateBuilder::new("demo CA", from, to)
//!     .ca(None)
//!     .key_usage(KeyUsage::KEY_CERT_SIGN)
//!     .self_signed(&ca_key)?;
//! let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
//! let leaf = CertificateBuilder::new("localhost", from, to)
//!     .dns_name("localhost")
//!     .server_auth()
//!     .issue(&leaf_key, &ca, &ca_key)?;
//!
//! let signer: Arc<dyn Signer> = Arc::new(leaf_key);
//! let server_cfg =
//!     ServerConfig::builder(CertifiedKey::new(vec![CertificateDer::from(leaf)], signer)?).build()?;
//! let client_cfg = ClientConfig::builder()
//!     .with_root_certificates(TrustAnchors::from_der([ca.as_slice()])?)
//!     .build()?;
//!
//! let mut client = ClientConnection::new(client_cfg, ServerName::try_from("localhost")?)?;
//! let mut server = ServerConnection::new(server_cfg)?;
//! client.send_plaintext(b"hello")?; // queued until the handshake completes
//!
//! // Shuttle bytes until both sides are quiet (a socket would sit in between).
//! while client.wants_write() || server.wants_write() {
//!     let c2s = client.pending_tls().to_vec();
//!     client.consume_tls(c2s.len());
//!     server.read_tls_bytes(&c2s);
//!     server.process_new_packets()?;
//!     let s2c = server.pending_tls().to_vec();
//!     server.consume_tls(s2c.len());
//!     client.read_tls_bytes(&s2c);
//!     client.process_new_packets()?;
//! }
//! let mut buf = [0u8; 5];
//! assert_eq!(server.read_plaintext(&mut buf), 5);
//! assert_eq!(&buf, b"hello");
//! assert!(!client.is_handshaking());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod acceptor;
mod client;
pub mod compress;
pub mod config;
mod conn;
pub mod early;
pub mod ech;
mod error;
pub mod keylog;
mod ocsp;
pub mod pha;
mod prefill;
pub mod psk;
pub mod resolve;
mod rpk;
mod server;
pub mod session;
#[cfg(feature = "std")]
mod stream;
pub mod suites;
mod ticket;
pub mod time;
mod tls12;
mod tls13;
mod unbuffered;
pub mod verify;

pub use acceptor::{Accepted, Acceptor, DEFAULT_MAX_CLIENT_HELLO_LEN, Rejected};
pub use client::ClientConnection;
#[cfg(feature = "std")]
pub use config::OsRandom;
pub use config::{
    CertifiedKey, ClientConfig, ClientConfigBuilder, Limits, SecureRandom, SeededRandom,
    ServerConfig, ServerConfigBuilder, SuitePreference,
};
pub use conn::{ConnectionCommon, Event, HandshakeKind, IoState, Side};
#[cfg(feature = "std")]
pub use conn::{Reader, Writer};
pub use early::{EarlyDataRejection, EarlyDataStatus};
pub use ech::{EchClientConfig, EchMode, EchServerKey, EchStatus};
pub use error::Error;
pub use keylog::KeyLog;
#[cfg(feature = "std")]
pub use keylog::KeyLogFile;
pub use psk::ExternalPsk;
pub use resolve::{
    ClientCertResolver, ResolvesClientCert, ResolvesServerCert, SingleCertResolver, SniCertResolver,
};
pub use rpk::RawKeyPair;
pub use server::ServerConnection;
#[cfg(feature = "std")]
pub use stream::Stream;
pub use ticket::TicketKeys;
pub use time::{Clock, ManualClock};
pub use tryst_crypto::CryptoProvider;
pub use unbuffered::{EncryptError, InPlaceRecord};

pub use rustls_pki_types as pki_types;
pub use tryst_cert as cert;
pub use tryst_crypto as crypto;
pub use tryst_messages as messages;

/// The README's example runs as a doctest so it cannot go stale.
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
