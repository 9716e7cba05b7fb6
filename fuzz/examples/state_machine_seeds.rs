//! Writes the seed corpora of `tryst_client` and `tryst_server` from real in-memory
//! handshakes. Run it under the fuzzing-only crypto mode so the records are plaintext + 16
//! zero bytes, as the targets expect (docs/fuzzing.md):
//!
//! ```text
//! cd fuzz && RUSTFLAGS="--cfg fuzzing" RUSTC_BOOTSTRAP=1 \
//!     cargo run --example state_machine_seeds -- corpus
//! ```
//!
//! For each scenario (client configuration, server configuration) it runs a handshake,
//! application data both ways, a KeyUpdate from each side (TLS 1.3) and close_notify,
//! recording each direction; the TLS 1.2 scenarios (a TLS 1.2-only server) write the seeds
//! of `tryst_client_tls12` and `tryst_server_tls12`. The client's seed is the server's bytes and the server's seed the client's,
//! each behind the two-byte header the targets read (configuration, piece size).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../fuzz_targets/common/state_machine.rs"]
mod state_machine;

use std::path::PathBuf;

use state_machine::{
    PHA_FLAG, client_config, name, next_record, server_config, server_config_tls12, transfer,
};
use tryst::{ClientConnection, ConnectionCommon, ServerConnection};

fn replay<C: std::ops::DerefMut<Target = ConnectionCommon>>(
    conn: &mut C,
    peer: &[u8],
    what: &str,
    after: &mut dyn FnMut(&mut C),
) {
    let mut rest = peer;
    while !rest.is_empty() {
        // One record at a time, as `drive_server` does with PHA_FLAG.
        let n = conn.read_tls_bytes(&rest[..next_record(rest)]);
        if let Err(e) = conn.process_new_packets() {
            panic!("{what}: replay failed: {e:?}");
        }
        after(conn);
        let out = conn.pending_tls().len();
        conn.consume_tls(out);
        let mut sink = vec![0u8; 1 << 17];
        while conn.read_plaintext(&mut sink) > 0 {}
        assert!(n > 0, "{what}: replay stalled");
        rest = &rest[n..];
    }
    assert!(
        !conn.is_handshaking(),
        "{what}: replay did not finish the handshake"
    );
    assert!(
        conn.peer_has_closed(),
        "{what}: replay did not reach close_notify"
    );
}

/// TLS 1.2 scenarios (a TLS 1.2-only server): the seeds of the `*_tls12` targets.
const TLS12_SCENARIOS: &[(u8, u8, &str)] = &[
    (0, 0, "tls12-full"),
    (2, 1, "tls12-client-auth-alpn"),
    (3, 2, "tls12-p256-x25519"),
    (0, 3, "tls12-optional-auth-no-cert"),
    (4, 4, "tls12-raw-keys"),
];

/// (client configuration, server configuration, what it covers).
const SCENARIOS: &[(u8, u8, &str)] = &[
    (0, 0, "full"),
    (1, 0, "resumed"),
    (2, 1, "client-auth-alpn"),
    (3, 2, "hrr-cookie"),
    (0, 3, "optional-auth-no-cert"),
    (2, 3, "optional-auth-cert"),
    (1, 0, "resumed-0rtt"),
    (3, 0, "external-psk"),
    (4, 4, "raw-keys"),
    // The server asks for a client certificate after the handshake (PHA_FLAG): the
    // client's Certificate, CertificateVerify and Finished are in the server's seed.
    (2, 1 | PHA_FLAG, "post-handshake-auth"),
    (2, 3 | PHA_FLAG, "post-handshake-auth-optional"),
];

fn main() {
    #[cfg(not(fuzzing))]
    panic!("build with RUSTFLAGS=\"--cfg fuzzing\": the seeds must use the fuzzing crypto mode");
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    for &(cv, sv, what) in SCENARIOS {
        scenario(&out, cv, sv, what, false);
    }
    for &(cv, sv, what) in TLS12_SCENARIOS {
        scenario(&out, cv, sv, what, true);
    }
}

/// One handshake, data, (TLS 1.3: KeyUpdates) and close_notify; each direction replayed
/// against a fresh connection and written as a seed.
fn scenario(out: &std::path::Path, cv: u8, sv: u8, what: &str, tls12: bool) {
    let server = |v| {
        if tls12 {
            server_config_tls12(v)
        } else {
            server_config(v)
        }
    };
    let mut c = ClientConnection::new(client_config(cv), name()).expect("client");
    if what.ends_with("0rtt") {
        assert_eq!(c.write_early_data(b"GET /early").unwrap(), 10, "{what}");
    }
    let mut s = ServerConnection::new(server(sv)).expect("server");
    let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
    assert!(
        transfer(&mut c, &mut s, &mut c2s, &mut s2c),
        "{what}: handshake failed"
    );
    assert!(
        !c.is_handshaking() && !s.is_handshaking(),
        "{what}: incomplete"
    );
    let pha = sv & PHA_FLAG != 0;
    if pha {
        s.request_client_certificate().unwrap();
        assert!(transfer(&mut c, &mut s, &mut c2s, &mut s2c), "{what}: pha");
        assert_eq!(
            s.post_handshake_auth(),
            tryst::pha::PostHandshakeAuth::Authenticated,
            "{what}"
        );
    }
    c.send_plaintext(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    s.send_plaintext(b"HTTP/1.0 200 OK\r\n\r\nhello").unwrap();
    if !tls12 {
        c.refresh_traffic_keys(true).unwrap();
    }
    assert!(transfer(&mut c, &mut s, &mut c2s, &mut s2c), "{what}: data");
    if !tls12 {
        s.refresh_traffic_keys(false).unwrap();
    }
    s.send_plaintext(b"after key update").unwrap();
    assert!(
        transfer(&mut c, &mut s, &mut c2s, &mut s2c),
        "{what}: key update"
    );
    c.send_close_notify();
    s.send_close_notify();
    assert!(
        transfer(&mut c, &mut s, &mut c2s, &mut s2c),
        "{what}: close"
    );
    // Replay each direction against a fresh connection, as the targets do: the seed
    // must take it through the whole handshake without an error.
    let mut rc = ClientConnection::new(client_config(cv), name()).expect("client");
    let n = rc.pending_tls().len();
    rc.consume_tls(n);
    replay(&mut rc, &s2c, what, &mut |_| {});
    let mut rs = ServerConnection::new(server(sv)).expect("server");
    let mut asked = !pha;
    replay(&mut rs, &c2s, what, &mut |s: &mut ServerConnection| {
        if !asked && !s.is_handshaking() {
            asked = true;
            s.request_client_certificate().unwrap();
        }
    });
    if pha {
        assert_eq!(
            rs.post_handshake_auth(),
            tryst::pha::PostHandshakeAuth::Authenticated,
            "{what}: replay"
        );
    }
    let suffix = if tls12 { "_tls12" } else { "" };
    for (dir, v, bytes) in [("tryst_client", cv, &s2c), ("tryst_server", sv, &c2s)] {
        let d = out.join(format!("{dir}{suffix}"));
        std::fs::create_dir_all(&d).unwrap();
        for piece in [0u8, 7] {
            let mut seed = vec![v, piece];
            seed.extend_from_slice(bytes);
            let file = d.join(format!("seed-c{cv}-s{sv}-{what}-p{piece}"));
            std::fs::write(&file, &seed).unwrap();
            println!("{} ({} bytes)", file.display(), seed.len());
        }
    }
}
