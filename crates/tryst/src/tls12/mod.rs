//! The TLS 1.2 handshake (RFC 5246, ECDHE per RFC 8422, the extended master secret of
//! RFC 7627), beside `crate::tls13` and sharing its records, buffers, certificates,
//! verifiers and key log. Both sides send one hello that offers TLS 1.3 and 1.2 (or
//! answer one); the TLS 1.3 states hand over here when TLS 1.2 is what was negotiated.
//!
//! - [`client`]: from the server's TLS 1.2 ServerHello to its Finished.
//! - [`server`]: from a ClientHello that offers TLS 1.2 but not 1.3 to the client's
//!   Finished.
//! - [`common`]: transcript, master secret, key block, ChangeCipherSpec, Finished,
//!   signature rules, exporters and the key log line.

pub(crate) mod client;
pub(crate) mod common;
pub(crate) mod server;
