//! `tryst`: sans-IO TLS 1.3 client and server connections composed from the tryst crates, with configs, resumption, key logging and std::io adapters.
//!
//! **Status:** this crate is a placeholder in the workspace; the state machines land with their own issue.
//!
//! It builds as `no_std` + `alloc` with default features off; the `std` feature adds
//! conveniences that need the standard library.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;
