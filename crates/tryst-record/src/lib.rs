//! `tryst-record`: the TLS 1.3 record layer: fragmentation, deframing, AEAD protection with per-record nonces, padding, sequence numbers and usage limits.
//!
//! **Status:** this crate is a placeholder in the workspace; the record layer lands with its own issue.
//!
//! It builds as `no_std` + `alloc` with default features off; the `std` feature adds
//! conveniences that need the standard library.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
