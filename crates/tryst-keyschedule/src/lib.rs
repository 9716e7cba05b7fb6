//! `tryst-keyschedule`: the RFC 8446 §7 key schedule as typed stages (early, handshake, master, traffic), Finished keys, KeyUpdate, PSK binders, exporters, plus the QUIC (RFC 9001) and TLS 1.2 PRF helpers.
//!
//! **Status:** this crate is a placeholder in the workspace; the key schedule lands with its own issue.
//!
//! It builds as `no_std` + `alloc` with default features off; the `std` feature adds
//! conveniences that need the standard library.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
