//! `tryst`: TLS 1.3 client and server connections, composed from the tryst crates.
//!
//! What it is: sans-IO state machines for both sides of RFC 8446 — full handshakes with
//! certificate authentication (X25519, Ed25519 / ECDSA / RSA-PSS signatures checked),
//! HelloRetryRequest, client authentication, resumption from stateless tickets (psk_dhe_ke,
//! so every session gets fresh keys), KeyUpdate, exporters, close_notify — with a
//! rustls-like API (`read_tls` / `process_new_packets` / `write_tls`, `reader()` /
//! `writer()`) and a blocking [`Stream`] adapter under `std`.
//!
//! What it is not: it opens no sockets, reads no clock and no global RNG on its own (the
//! config's [`Clock`] and [`SecureRandom`] supply them), and speaks only TLS 1.3.
//!
//! `no_std` + `alloc` with default features off; `std` adds the OS clock and RNG, the
//! in-memory ticket store, SSLKEYLOGFILE, std::io adapters and [`Stream`].
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod client;
pub mod config;
mod conn;
mod error;
pub mod keylog;
mod server;
pub mod session;
#[cfg(feature = "std")]
mod stream;
pub mod suites;
mod ticket;
pub mod time;
pub mod verify;

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
pub use error::Error;
pub use keylog::KeyLog;
#[cfg(feature = "std")]
pub use keylog::KeyLogFile;
pub use server::ServerConnection;
#[cfg(feature = "std")]
pub use stream::Stream;
pub use ticket::TicketKeys;
pub use time::{Clock, ManualClock};

pub use rustls_pki_types as pki_types;
pub use tryst_cert as cert;
pub use tryst_crypto as crypto;
pub use tryst_messages as messages;
