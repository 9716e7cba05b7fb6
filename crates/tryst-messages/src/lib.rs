//! `tryst-messages`: the TLS 1.3 wire codec (record headers, alerts, every handshake message and extension), with a panic-free `Reader` and a length-safe `Writer`. It does no cryptography.
//!
//! **Status:** this crate is a placeholder in the workspace; the codec lands with its own issue.
//!
//! It builds as `no_std` + `alloc` with default features off; the `std` feature adds
//! conveniences that need the standard library.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
