//! `tryst-cert`: X.509 DER parsing and path validation for TLS peers: chain building to trust anchors, signatures, validity, constraints and name checks.
//!
//! **Status:** this crate is a placeholder in the workspace; certificate validation lands with its own issue.
//!
//! It builds as `no_std` + `alloc` with default features off; the `std` feature adds
//! conveniences that need the standard library.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
