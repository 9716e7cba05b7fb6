//! The buffered send path seals each record straight into the connection's send buffer
//! (reused, initialised memory; the pending bytes tracked by offsets). Whatever the
//! interleaving of `send_plaintext`, partial `consume_tls` drains, KeyUpdates (ours, the
//! peer's answers to requested ones, and the automatic ones of `key_update_after_records`)
//! and the peer's own data, each side receives exactly the stream the other sent, over
//! TLS 1.3 and TLS 1.2 suites and with record_size_limit in force. `pending_tls` is only
//! ever the front of what has not been consumed, and `write_tls` drains the same bytes.
//! With the `graviola` feature either side may run on the graviola provider, whose AEADs
//! seal in place only (the send buffer then gets the content copied in by the default
//! `seal_from`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use proptest::prelude::*;
use std::sync::Arc;
use tryst::messages::ProtocolVersion;
use tryst::suites::*;

use tryst::crypto::CryptoProvider;
use tryst::{ConnectionCommon, Limits};

#[derive(Clone, Debug)]
enum Op {
    /// `side` offers this many bytes to `send_plaintext`.
    Write(bool, usize),
    /// The transport takes this many of `side`'s pending bytes and delivers them.
    Drain(bool, usize),
    /// `side` sends a KeyUpdate, asking the peer for one too or not (TLS 1.3 only).
    KeyUpdate(bool, bool),
    /// `side`'s pending bytes go out through `write_tls` into a writer that takes at
    /// most this many per call.
    WriteTls(bool, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<bool>(), 0usize..40_000).prop_map(|(s, n)| Op::Write(s, n)),
        4 => (any::<bool>(), 0usize..50_000).prop_map(|(s, n)| Op::Drain(s, n)),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(s, r)| Op::KeyUpdate(s, r)),
        1 => (any::<bool>(), 1usize..20_000).prop_map(|(s, n)| Op::WriteTls(s, n)),
    ]
}

const SUITES: [(&SupportedCipherSuite, bool); 6] = [
    (&TLS13_AES_128_GCM_SHA256, false),
    (&TLS13_AES_256_GCM_SHA384, false),
    (&TLS13_CHACHA20_POLY1305_SHA256, false),
    (&TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true),
    (&TLS12_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true),
    (&TLS12_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true),
];

/// The provider of one side: the default, or (with the feature) graviola when `graviola`.
fn provider(graviola: bool) -> Arc<CryptoProvider> {
    #[cfg(feature = "graviola")]
    if graviola {
        return Arc::new(tryst::crypto::graviola::provider().expect("graviola runs on this CPU"));
    }
    let _ = graviola;
    Arc::new(CryptoProvider::rustcrypto())
}

/// One direction: what was accepted for sending and what arrived.
#[derive(Default)]
struct Flow {
    sent: Vec<u8>,
    got: Vec<u8>,
}

fn payload(len: usize, salt: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from((i.wrapping_mul(7) ^ salt) % 251).unwrap())
        .collect()
}

/// Give `bytes` to `to`, processing and reading as it goes (the reader keeps up, so the
/// receiver always takes everything).
fn deliver(to: &mut ConnectionCommon, bytes: &[u8], got: &mut Vec<u8>) {
    let mut buf = vec![0u8; 40_000];
    let mut at = 0;
    while at < bytes.len() {
        let n = to.read_tls_bytes(&bytes[at..]);
        at += n;
        to.process_new_packets().unwrap();
        loop {
            let m = to.read_plaintext(&mut buf);
            if m == 0 {
                break;
            }
            got.extend_from_slice(&buf[..m]);
        }
        assert!(n > 0 || at == bytes.len(), "receiver stuck");
    }
}

/// A writer that takes at most `max` bytes per call.
struct Limited<'a> {
    out: &'a mut Vec<u8>,
    max: usize,
}

impl std::io::Write for Limited<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.max);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Move `n` of `from`'s pending bytes to `to` (by `consume_tls`, or by `write_tls`
/// with at most `n` per call when `via_write_tls`).
fn drain(
    from: &mut ConnectionCommon,
    to: &mut ConnectionCommon,
    n: usize,
    via_write_tls: bool,
    flow: &mut Flow,
) {
    let pending = from.pending_tls().to_vec();
    let mut moved = Vec::new();
    if via_write_tls {
        while !from.pending_tls().is_empty() {
            let before = from.pending_tls().len();
            let k = from
                .write_tls(&mut Limited {
                    out: &mut moved,
                    max: n,
                })
                .unwrap();
            assert_eq!(k, before.min(n));
            assert_eq!(from.pending_tls(), &pending[moved.len()..]);
        }
    } else {
        let k = n.min(pending.len());
        moved.extend_from_slice(&pending[..k]);
        from.consume_tls(n);
        assert_eq!(from.pending_tls(), &pending[k..]);
    }
    deliver(to, &moved, &mut flow.got);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn each_side_receives_exactly_the_stream(
        suite in 0usize..SUITES.len(),
        client_limit in prop_oneof![Just(None), (64u16..=16385).prop_map(Some)],
        server_limit in 64u16..=16385,
        auto_key_update in prop_oneof![Just(None), (1u64..6).prop_map(Some)],
        ops in prop::collection::vec(op(), 1..40),
        graviola in (any::<bool>(), any::<bool>()),
    ) {
        let (suite, tls12) = SUITES[suite];
        let p = common::pki();
        let clock = common::clock();
        let mut limits = Limits::default();
        limits.key_update_after_records = auto_key_update;
        // A client needs a TLS 1.3 suite; the TLS 1.2-only server picks `suite`.
        let cc = common::client_builder(&p, &clock, b"client")
            .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256, *suite])
            .with_record_size_limit(client_limit)
            .with_limits(limits)
            .with_crypto_provider(provider(graviola.0))
            .build()
            .unwrap();
        let versions: &[ProtocolVersion] = if tls12 {
            &[ProtocolVersion::Tls12]
        } else {
            &[ProtocolVersion::Tls13]
        };
        let sc = common::server_builder(&p, &clock, b"server")
            .with_protocol_versions(versions)
            .with_cipher_suites(&[*suite])
            .with_record_size_limit(server_limit)
            .with_limits(limits)
            .with_crypto_provider(provider(graviola.1))
            .build()
            .unwrap();
        let (mut c, mut s) = common::pair(cc, sc);
        common::handshake(&mut c, &mut s);
        prop_assert_eq!(c.negotiated_cipher_suite().unwrap().suite, suite.suite);
        // Flows: [client to server, server to client].
        let mut flows = [Flow::default(), Flow::default()];
        for (i, op) in ops.into_iter().enumerate() {
            let (from, to, flow): (&mut ConnectionCommon, &mut ConnectionCommon, &mut Flow) =
                match op {
                    Op::Write(true, _) | Op::Drain(true, _) | Op::KeyUpdate(true, _)
                    | Op::WriteTls(true, _) => (&mut *c, &mut *s, &mut flows[0]),
                    _ => (&mut *s, &mut *c, &mut flows[1]),
                };
            match op {
                Op::Write(_, n) => {
                    let data = payload(n, i);
                    let before = from.pending_tls().to_vec();
                    let k = from.send_plaintext(&data).unwrap();
                    prop_assert!(k <= n);
                    // Bounded: nothing is taken past max_buffered_send.
                    prop_assert!(k == 0 || before.len() < limits.max_buffered_send);
                    // What was pending is still the front, unchanged.
                    prop_assert_eq!(&from.pending_tls()[..before.len()], &before[..]);
                    flow.sent.extend_from_slice(&data[..k]);
                }
                Op::Drain(_, n) => drain(from, to, n, false, flow),
                Op::WriteTls(_, n) => drain(from, to, n, true, flow),
                Op::KeyUpdate(_, request) => {
                    let r = from.refresh_traffic_keys(request);
                    prop_assert_eq!(r.is_err(), tls12, "{:?}", r);
                }
            }
        }
        // Everything left goes out, both ways, until nothing moves (answers to requested
        // KeyUpdates included).
        for _ in 0..4 {
            drain(&mut c, &mut s, usize::MAX, false, &mut flows[0]);
            drain(&mut s, &mut c, usize::MAX, false, &mut flows[1]);
        }
        prop_assert!(c.pending_tls().is_empty() && s.pending_tls().is_empty());
        for flow in &flows {
            prop_assert_eq!(flow.got.len(), flow.sent.len());
            prop_assert!(flow.got == flow.sent, "stream differs");
        }
        // And the connection closes cleanly on top of it.
        c.send_close_notify();
        drain(&mut c, &mut s, usize::MAX, false, &mut flows[0]);
        prop_assert!(s.peer_has_closed());
    }
}
