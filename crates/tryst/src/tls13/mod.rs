//! The TLS 1.3 handshake (RFC 8446 §4), one module per side plus the steps both sides
//! take. What every protocol version shares (records, buffers, KeyUpdate, close, limits)
//! is in `crate::conn`; the TLS 1.2 handshake sits beside this module (`crate::tls12`).
//!
//! - [`client`]: ClientHello, then the server's flight (ServerHello, EncryptedExtensions,
//!   CertificateRequest, Certificate, CertificateVerify, Finished), then ours.
//! - [`server`]: the first flight, one function per RFC step (`check_client_hello` →
//!   `negotiate` → `send_server_hello` → … → `send_finished`), then the client's flight.
//! - [`resumption`]: the server's ticket contents and the rules for resuming one.
//! - [`common`]: the steps both sides take: key derivation, Certificate and
//!   CertificateVerify (sent and checked), Finished (sent and checked).

pub(crate) mod client;
pub(crate) mod common;
pub(crate) mod resumption;
pub(crate) mod server;
