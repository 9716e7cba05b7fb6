//! Fuzz the server state machine: a `tryst::ServerConnection` (one of five configurations,
//! deterministic RNG and clock, session tickets on so resumption and ticket decoding are
//! reachable) fed arbitrary client bytes in pieces the input chooses. Input: byte 0 =
//! configuration (bit 7: ask for a client certificate after the handshake, so the client's
//! post-handshake authentication answer is fuzzed), byte 1 = piece size (0 = all at once),
//! rest = what the client sent.
//! Needs the fuzzing-only crypto mode (`cfg(fuzzing)`, docs/fuzzing.md): records are
//! plaintext + 16 zero bytes, Finished, PSK binders and signatures always verify, and
//! session tickets are sealed in the clear, so the fuzzer edits the ticket state directly.
//! Checks: no panic, no hang, bounded memory, a fatal error is permanent.
#![no_main]

#[path = "common/state_machine.rs"]
mod state_machine;

use libfuzzer_sys::fuzz_target;
use tryst::ServerConnection;

fuzz_target!(|data: &[u8]| {
    let [variant, piece, peer @ ..] = data else {
        return;
    };
    let config = state_machine::server_config(*variant);
    let Ok(mut conn) = ServerConnection::new(config) else {
        return;
    };
    assert!(conn.pending_tls().is_empty(), "server spoke first");
    let pha = variant & state_machine::PHA_FLAG != 0;
    state_machine::drive_server(&mut conn, peer, usize::from(*piece), pha);
});
