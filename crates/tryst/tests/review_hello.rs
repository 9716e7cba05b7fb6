//! Findings 3, 14 and 8 of the outside security review (issue 13), each performed through
//! the public API with the RFC's outcome asserted:
//!
//! - 3: an unauthenticated ClientHello must cost work linear in its size (caps on the
//!   lists whose items cost work, linear membership checks);
//! - 14: a ClientHello (or ServerHello) of an older version is answered with
//!   `protocol_version` before any TLS 1.3 length rule applies (RFC 8446 §4.1.2,
//!   §4.2.1, Appendix D.2, D.5);
//! - 8: every extension of every CertificateEntry is checked against the table of
//!   RFC 8446 §4.2 and against what the receiver asked for (§4.4.2), on both sides.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use tryst::Error;
use tryst::messages::{
    AlertDescription, CipherSuite, ClientHello, Codec, Extension, ExtensionType, HandshakeMessage,
    KeyShareEntry, NamedGroup, OfferedPsks, ProtocolVersion, PskIdentity, PskKeyExchangeMode,
    SignatureScheme,
};

// ---- plumbing: records in, alerts out ----

/// `msg` (a framed handshake message) as plaintext handshake records of at most 2^14
/// bytes, the first with `first_version` and the others 0x0303 (RFC 8446 §5.1).
fn records(msg: &[u8], first_version: u16) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, chunk) in msg.chunks(1 << 14).enumerate() {
        let v = if i == 0 { first_version } else { 0x0303 };
        out.push(22);
        out.extend_from_slice(&v.to_be_bytes());
        out.extend_from_slice(&u16::try_from(chunk.len()).unwrap().to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// Feed `tls` to `conn` and return its first error.
fn feed(conn: &mut tryst::ConnectionCommon, tls: &[u8]) -> Option<Error> {
    let mut off = 0;
    while off < tls.len() {
        let n = conn.read_tls_bytes(&tls[off..]);
        off += n;
        if let Err(e) = conn.process_new_packets() {
            return Some(e);
        }
        if n == 0 {
            break;
        }
    }
    None
}

/// The fatal alerts in the plaintext records of `tls`.
fn alerts_in(tls: &[u8]) -> Vec<AlertDescription> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        if rec[0] == 21 && len == 2 && rec[5] == 2 {
            out.push(AlertDescription::from_raw(rec[6]));
        }
        rest = tail;
    }
    out
}

fn server_config() -> Arc<tryst::ServerConfig> {
    let p = pki();
    server_builder(&p, &clock(), b"server").build().unwrap()
}

/// What a fresh server says to `tls`: its error's alert, and the alert it put on the wire.
fn server_answer(
    config: &Arc<tryst::ServerConfig>,
    tls: &[u8],
) -> (
    Option<AlertDescription>,
    Vec<AlertDescription>,
    Option<Error>,
) {
    let mut s = tryst::ServerConnection::new(config.clone()).unwrap();
    let e = feed(&mut s, tls);
    let sent = alerts_in(s.pending_tls());
    (e.as_ref().and_then(Error::alert), sent, e)
}

/// Frame a ClientHello and put it in records.
fn hello_records(ch: &ClientHello<'_>) -> Vec<u8> {
    let msg = HandshakeMessage::ClientHello(ch.clone())
        .to_bytes()
        .unwrap();
    records(&msg, 0x0301)
}

fn base_hello(extensions: Vec<Extension<'static>>) -> ClientHello<'static> {
    ClientHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [3; 32],
        legacy_session_id: Cow::Borrowed(&[]),
        cipher_suites: vec![CipherSuite::TlsAes128GcmSha256],
        legacy_compression_methods: Cow::Borrowed(&[0]),
        extensions,
    }
}

// ---- finding 3: the cost of an unauthenticated ClientHello ----

/// The review's attack: one ClientHello of about 63 KB with `shares` key shares and
/// `groups` supported groups, the shares' groups at the end of the group list (the
/// slowest place for a linear scan), none of them ours, so the server ends at "no group
/// in common" without any key exchange.
fn attack_hello(shares: usize, groups: usize) -> ClientHello<'static> {
    let first = 0x4000u16;
    let group_list: Vec<NamedGroup> = (0..groups)
        .map(|i| NamedGroup::from_raw(first + u16::try_from(i).unwrap()))
        .collect();
    let share_list: Vec<KeyShareEntry<'static>> = group_list[groups - shares..]
        .iter()
        .map(|g| KeyShareEntry::new(*g, &[1]).into_owned())
        .collect();
    base_hello(vec![
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
        Extension::SupportedGroups(group_list),
        Extension::KeyShareClient(share_list),
        Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]),
    ])
}

/// This thread's CPU time: time the thread spends preempted by the other processes of a
/// busy machine is not charged to it (as in tryst-bench).
fn cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap(),
        u32::try_from(t.tv_nsec).unwrap(),
    )
}

/// The CPU time `iters` fresh servers take to answer `tls`.
fn cpu_time(config: &Arc<tryst::ServerConfig>, tls: &[u8], iters: u32) -> Duration {
    let start = cpu_now();
    for _ in 0..iters {
        let mut s = tryst::ServerConnection::new(config.clone()).unwrap();
        std::hint::black_box(feed(&mut s, tls));
    }
    cpu_now().saturating_sub(start)
}

/// Prints what the review's attack costs (run with `--ignored --nocapture`, in release
/// for the numbers quoted in docs/security.md).
#[test]
#[ignore = "measurement, prints numbers"]
fn print_attack_client_hello_cost() {
    let config = server_config();
    for (shares, groups) in [(6300, 15_700), (16, 31_000)] {
        let tls = hello_records(&attack_hello(shares, groups));
        let (alert, _, e) = server_answer(&config, &tls);
        let mut best = Duration::MAX;
        for _ in 0..5 {
            best = best.min(cpu_time(&config, &tls, 3) / 3);
        }
        eprintln!(
            "{shares} shares, {groups} groups, {} bytes: {best:?} per ClientHello, {alert:?} ({e:?})",
            tls.len()
        );
    }
}

/// The server's answer to `tls` must be `alert`, both as its error and on the wire.
#[track_caller]
fn assert_server_alert(config: &Arc<tryst::ServerConfig>, tls: &[u8], alert: AlertDescription) {
    let (got, sent, e) = server_answer(config, tls);
    assert_eq!(got, Some(alert), "{e:?}");
    assert_eq!(sent, vec![alert], "alert on the wire ({e:?})");
}

#[test]
fn attack_client_hello_with_thousands_of_key_shares_is_refused_before_any_pairing() {
    // The review's 63 KB ClientHello: 6300 key shares, 15700 groups. The codec stops at
    // share MAX_KEY_SHARES + 1; nothing pairs shares with groups.
    let tls = hello_records(&attack_hello(6300, 15_700));
    assert!(tls.len() > 60_000);
    let (got, sent, e) = server_answer(&server_config(), &tls);
    assert_eq!(got, Some(AlertDescription::IllegalParameter), "{e:?}");
    assert_eq!(sent, vec![AlertDescription::IllegalParameter]);
    let Some(Error::InvalidMessage(m)) = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        m.kind(),
        tryst::messages::ErrorKind::TooManyItems {
            max: tryst::messages::MAX_KEY_SHARES
        }
    );
}

/// A real ClientHello from our client, changed by `f`, as records.
fn real_hello(f: &dyn Fn(&mut ClientHello<'static>)) -> Vec<u8> {
    let p = pki();
    let cc = client_builder(&p, &clock(), b"client").build().unwrap();
    let c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let rec = c.pending_tls();
    let (raw, _) = tryst::messages::RawHandshake::split(&rec[5..], 1 << 16)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!()
    };
    let mut ch = ch.into_owned();
    f(&mut ch);
    hello_records(&ch)
}

/// Add `n` key shares (and their groups, in the same order) for groups we do not know.
fn add_shares(ch: &mut ClientHello<'static>, n: usize) {
    let extra: Vec<NamedGroup> = (0..n)
        .map(|i| NamedGroup::from_raw(0x4000 + u16::try_from(i).unwrap()))
        .collect();
    for e in &mut ch.extensions {
        match e {
            Extension::SupportedGroups(g) => g.extend(&extra),
            Extension::KeyShareClient(k) => {
                k.extend(
                    extra
                        .iter()
                        .map(|g| KeyShareEntry::new(*g, &[1]).into_owned()),
                );
            }
            _ => {}
        }
    }
}

#[track_caller]
fn assert_server_answers_hello(config: &Arc<tryst::ServerConfig>, tls: &[u8]) {
    let mut s = tryst::ServerConnection::new(config.clone()).unwrap();
    assert!(feed(&mut s, tls).is_none(), "the server refused the hello");
    assert!(!s.pending_tls().is_empty(), "no ServerHello");
}

#[test]
fn key_shares_up_to_the_cap_are_served_and_one_more_is_illegal_parameter() {
    let config = server_config();
    let max = tryst::messages::MAX_KEY_SHARES;
    // Our client sends one share (X25519): fill up to the cap, then one over.
    let at_cap = real_hello(&|ch| add_shares(ch, max - 1));
    assert_server_answers_hello(&config, &at_cap);
    let over = real_hello(&|ch| add_shares(ch, max));
    assert_server_alert(&config, &over, AlertDescription::IllegalParameter);
}

/// Our client's hello with a `pre_shared_key` of `n` identities nobody can open.
fn hello_with_psk_identities(n: usize) -> Vec<u8> {
    real_hello(&|ch| {
        ch.extensions.retain(|e| {
            !matches!(
                e,
                Extension::PskKeyExchangeModes(_) | Extension::PreSharedKeyOffer(_)
            )
        });
        ch.extensions.push(Extension::PskKeyExchangeModes(vec![
            PskKeyExchangeMode::PskDheKe,
        ]));
        ch.extensions
            .push(Extension::PreSharedKeyOffer(OfferedPsks {
                identities: (0..n)
                    .map(|i| PskIdentity {
                        identity: Cow::Owned(vec![u8::try_from(i).unwrap(); 40]),
                        obfuscated_ticket_age: 1,
                    })
                    .collect(),
                binders: vec![Cow::Owned(vec![0; 32]); n],
            }));
    })
}

#[test]
fn psk_identities_up_to_the_cap_are_tried_and_one_more_is_illegal_parameter() {
    let config = server_config();
    let max = tryst::messages::MAX_PSK_IDENTITIES;
    // None opens, so no binder is checked: a full handshake.
    assert_server_answers_hello(&config, &hello_with_psk_identities(max));
    assert_server_alert(
        &config,
        &hello_with_psk_identities(max + 1),
        AlertDescription::IllegalParameter,
    );
}

/// A ClientHello scaled by `k`: `k` cipher suites, groups, signature schemes, ALPN names
/// and `k / 2` unknown extensions, each list with the one entry the server looks for
/// last; `shares` key shares for groups we do not know. X25519 is offered without a
/// share, so the server ends with a HelloRetryRequest: every check of the first
/// ClientHello runs, and no key exchange.
fn scaled_hello(k: usize, shares: usize) -> Vec<u8> {
    let k16 = u16::try_from(k).unwrap();
    let mut suites: Vec<CipherSuite> = (0..k16)
        .map(|i| CipherSuite::from_raw(0x6000 + i))
        .collect();
    suites.push(CipherSuite::TlsAes128GcmSha256);
    let mut groups: Vec<NamedGroup> = (0..k16).map(|i| NamedGroup::from_raw(0x4000 + i)).collect();
    let share_list: Vec<KeyShareEntry<'static>> = groups[k - shares..]
        .iter()
        .map(|g| KeyShareEntry::new(*g, &[1]).into_owned())
        .collect();
    groups.push(NamedGroup::X25519);
    let mut schemes: Vec<SignatureScheme> = (0..k16)
        .map(|i| SignatureScheme::from_raw(0x7000 + i))
        .collect();
    schemes.push(SignatureScheme::Ed25519);
    let mut alpn: Vec<Cow<'static, [u8]>> = vec![Cow::Borrowed(b"x"); k];
    alpn.push(Cow::Borrowed(b"h2"));
    let mut exts = vec![
        Extension::ServerName(vec![
            tryst::messages::ServerName::host_name(b"localhost").into_owned(),
        ]),
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
        Extension::SupportedGroups(groups),
        Extension::KeyShareClient(share_list),
        Extension::SignatureAlgorithms(schemes),
        Extension::Alpn(alpn),
    ];
    exts.extend((0..k16 / 2).map(|i| Extension::Unknown {
        typ: ExtensionType::from_raw(0x2000 + i),
        data: Cow::Borrowed(&[]),
    }));
    let mut ch = base_hello(exts);
    ch.cipher_suites = suites;
    hello_records(&ch)
}

/// The least CPU time, over several batches, that fresh servers take for `small` and for
/// `large`, the batches interleaved so that both see the same machine.
fn least_times(
    config: &Arc<tryst::ServerConfig>,
    small: &[u8],
    large: &[u8],
) -> (Duration, Duration) {
    // Batches long enough (about 20 ms) that the clock's resolution does not matter.
    let one = cpu_time(config, large, 1).max(Duration::from_micros(1));
    let iters = u32::try_from((Duration::from_millis(20).as_nanos() / one.as_nanos()).max(1))
        .unwrap_or(u32::MAX);
    let (mut s, mut l) = (Duration::MAX, Duration::MAX);
    for _ in 0..9 {
        s = s.min(cpu_time(config, small, iters));
        l = l.min(cpu_time(config, large, iters));
    }
    (s, l)
}

#[test]
fn client_hello_cost_grows_linearly_with_its_lists() {
    // n and 4n entries in every list a peer controls (key shares up to the cap). Linear
    // work gives a ratio of at most 4 (less, with the fixed cost of a connection);
    // quadratic work gives 16. The lists are small enough to stay in a core's cache, the
    // clock is this thread's CPU time and the minimum of interleaved batches filters out
    // the rest of a shared machine's load; 8 leaves room for what remains.
    let config = {
        let p = pki();
        server_builder(&p, &clock(), b"server")
            .with_alpn_protocols(vec![b"h2".to_vec()])
            .build()
            .unwrap()
    };
    let small = scaled_hello(500, tryst::messages::MAX_KEY_SHARES / 4);
    let large = scaled_hello(2000, tryst::messages::MAX_KEY_SHARES);
    for tls in [&small, &large] {
        let mut s = tryst::ServerConnection::new(config.clone()).unwrap();
        assert!(feed(&mut s, tls).is_none());
        assert_eq!(
            s.handshake_kind(),
            Some(tryst::HandshakeKind::FullWithHelloRetryRequest),
            "the hello must reach the HelloRetryRequest"
        );
    }
    let (t1, t4) = least_times(&config, &small, &large);
    let ratio = t4.as_secs_f64() / t1.as_secs_f64();
    eprintln!(
        "ClientHello of {} bytes: {t1:?}; of {} bytes: {t4:?}; ratio {ratio:.2}",
        small.len(),
        large.len()
    );
    assert!(
        ratio < 8.0,
        "cost of 4n entries is {ratio:.2} times that of n"
    );
}
