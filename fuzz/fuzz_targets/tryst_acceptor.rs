//! Fuzz the server's ClientHello acceptor (`tryst::Acceptor`) and the hand-over to the
//! connection: arbitrary client bytes in pieces the input chooses go to an acceptor until
//! it has a ClientHello or fails; the config is then chosen from what the hello says (as a
//! proxy would: by SNI and ALPN) and the rest of the bytes drive the connection. Same input
//! format and fuzzing-only crypto as `tryst_server`: byte 0 = configuration, byte 1 = piece
//! size (0 = all at once), rest = what the client sent (its seeds fit both targets).
//! Checks: no panic, no hang, the acceptor holds at most one record plus the ClientHello
//! limit, a failure is permanent.
#![no_main]

#[path = "common/state_machine.rs"]
mod state_machine;

use libfuzzer_sys::fuzz_target;
use tryst::Acceptor;

/// A small limit, so the fuzzer reaches it.
const MAX_HELLO: usize = 2048;
/// One record (header, 16 KiB plaintext, the most expansion) plus the ClientHello's
/// header and body.
const BOUND: usize = 5 + 16_384 + 256 + 4 + MAX_HELLO;

fuzz_target!(|data: &[u8]| {
    let [variant, piece, peer @ ..] = data else {
        return;
    };
    let piece = if *piece == 0 { peer.len().max(1) } else { usize::from(*piece) };
    let mut acceptor = Acceptor::with_max_client_hello_len(MAX_HELLO);
    let mut off: usize = 0;
    let accepted = loop {
        let end = off.saturating_add(piece).min(peer.len());
        let chunk = peer.get(off..end).unwrap_or_default();
        off += acceptor.read_tls_bytes(chunk);
        assert!(acceptor.buffered_len() <= BOUND, "acceptor grew past its bound");
        match acceptor.accept() {
            Ok(Some(a)) => break a,
            // `accept` opens every whole record, so nothing is left to wait for.
            Ok(None) if off >= peer.len() => return,
            Ok(None) => {}
            Err(e) => {
                assert_eq!(acceptor.accept().err(), Some(e), "failure not permanent");
                return;
            }
        }
    };
    // Choose the config from the hello, as a proxy would (the seeds all send SNI).
    let hello = accepted.client_hello();
    let variant = match hello.server_name() {
        Some(_) => *variant,
        None => variant.wrapping_add(1),
    };
    let config = state_machine::server_config(variant);
    let Ok(mut conn) = accepted.into_connection(config) else {
        return;
    };
    state_machine::drive(&mut conn, peer.get(off..).unwrap_or_default(), piece);
});
