//! Fuzz the client state machine: a `tryst::ClientConnection` (one of five configurations,
//! deterministic RNG and clock) fed arbitrary server bytes in pieces the input chooses.
//! Input: byte 0 = configuration, byte 1 = piece size (0 = all at once), rest = what the
//! server sent. Needs the fuzzing-only crypto mode (`cfg(fuzzing)`, docs/fuzzing.md) to get
//! past the record AEAD, Finished and CertificateVerify: "encrypted" records are plaintext +
//! 16 zero bytes. Checks: no panic, no hang, bounded memory, a fatal error is permanent.
#![no_main]

#[path = "common/state_machine.rs"]
mod state_machine;

use libfuzzer_sys::fuzz_target;
use tryst::ClientConnection;

fuzz_target!(|data: &[u8]| {
    let [variant, piece, peer @ ..] = data else {
        return;
    };
    let config = state_machine::client_config(*variant);
    let Ok(mut conn) = ClientConnection::new(config, state_machine::name()) else {
        return;
    };
    // 0-RTT when the configuration resumes a ticket that allows it (configuration 1).
    let _ = conn.write_early_data(b"GET /early");
    // The ClientHello is out before any server byte arrives.
    let first = conn.pending_tls().len();
    assert!(first > 0, "no ClientHello");
    conn.consume_tls(first);
    state_machine::drive(&mut conn, peer, usize::from(*piece));
});
