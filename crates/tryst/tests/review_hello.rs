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

use common::scripted::{FixedRng, answer, handshake_secrets, protected, scripted_client};
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

/// A server with TLS 1.2 turned off: what finding 14 pinned (a TLS 1.2 hello is
/// protocol_version). With TLS 1.2 on, tests/tls12_*.rs cover the same hellos.
fn server_config_tls13_only() -> Arc<tryst::ServerConfig> {
    let p = pki();
    server_builder(&p, &clock(), b"server")
        .with_protocol_versions(&[ProtocolVersion::Tls13])
        .build()
        .unwrap()
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
    let mut hellos: Vec<(String, ClientHello<'static>)> = [(6300, 15_700), (16, 31_000)]
        .into_iter()
        .map(|(s, g)| (format!("{s} shares, {g} groups"), attack_hello(s, g)))
        .collect();
    // The longest lists of the other kinds, none with what we look for.
    let mut suites = attack_hello(1, 1);
    suites.cipher_suites = (0..31_000)
        .map(|i| CipherSuite::from_raw(0x6000 + i))
        .collect();
    hellos.push(("31000 cipher suites".into(), suites));
    let mut schemes = real_hello_message();
    schemes
        .extensions
        .retain(|e| !matches!(e, Extension::SignatureAlgorithms(_)));
    schemes.extensions.insert(
        0,
        Extension::SignatureAlgorithms(
            (0..31_000)
                .map(|i| SignatureScheme::from_raw(0x6000 + i))
                .collect(),
        ),
    );
    hellos.push(("31000 signature schemes".into(), schemes));
    let mut alpn = real_hello_message();
    alpn.extensions
        .insert(0, Extension::Alpn(vec![Cow::Borrowed(&b"x"[..]); 31_000]));
    hellos.push(("31000 ALPN names".into(), alpn));
    let mut exts = real_hello_message();
    exts.extensions
        .splice(0..0, (0..15_000).map(|i| raw_ext(0x2000 + i, &[])));
    hellos.push(("15000 unknown extensions".into(), exts));
    for (what, hello) in hellos {
        let tls = hello_records(&hello);
        let (alert, _, e) = server_answer(&config, &tls);
        let mut best = Duration::MAX;
        for _ in 0..5 {
            best = best.min(cpu_time(&config, &tls, 3) / 3);
        }
        eprintln!(
            "{what}, {} bytes: {best:?} per ClientHello, {alert:?} ({e:?})",
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
    let mut ch = real_hello_message();
    f(&mut ch);
    hello_records(&ch)
}

/// A real ClientHello from our client.
fn real_hello_message() -> ClientHello<'static> {
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
    ch.into_owned()
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

// ---- finding 14: hellos of older versions get protocol_version ----

/// The first record of `openssl s_client -tls1_2 -connect ... -servername localhost`
/// (OpenSSL 3.0.19): legacy_version 0x0303, no supported_versions.
const OPENSSL_TLS12_HELLO: &str = concat!(
    "16030100c9010000c503030b8fdac9a6f45bcd81e67e9f4c221bc7c02961e975d7faba2c2f429143c9b63d",
    "000038c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c013",
    "0033009d009c003d003c0035002f00ff010000640000000e000c0000096c6f63616c686f7374000b000403",
    "000102000a000c000a001d0017001e00190018002300000016000000170000000d002a0028040305030603",
    "08070808080908",
    "0a080b080408050806040105010601030303010302040205020602",
);

/// The first record of `openssl s_client -tls1 -cipher DEFAULT@SECLEVEL=0 -connect ...`
/// (OpenSSL 3.0.19): record and legacy_version 0x0301.
const OPENSSL_TLS10_HELLO: &str = concat!(
    "16030100630100005f0301e61f0b46e29d9ccacbab6a01cf21fcba511ba814337647202ba88b554f7797",
    "ee000012c00ac0140039c009c01300330035002f00ff01000024000b000403000102000a000c000a001d00",
    "17001e00190018002300000016000000170000",
);

/// A ClientHello in RFC 5246's shape, as one record: `extensions` is the whole
/// extensions block with its length, or nothing at all.
fn legacy_hello(record_version: u16, version: u16, extensions: &[u8]) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[7; 32]);
    body.push(0); // legacy_session_id
    body.extend_from_slice(&[0, 6, 0xc0, 0x2f, 0x00, 0x2f, 0x00, 0xff]);
    body.extend_from_slice(&[1, 0]); // compression methods: null
    body.extend_from_slice(extensions);
    let mut msg = vec![1, 0];
    msg.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    msg.extend_from_slice(&body);
    records(&msg, record_version)
}

#[test]
fn tls12_client_hello_from_openssl_gets_protocol_version() {
    let tls = hex::decode(OPENSSL_TLS12_HELLO).unwrap();
    assert_eq!(tls.len(), 206);
    assert_server_alert(
        &server_config_tls13_only(),
        &tls,
        AlertDescription::ProtocolVersion,
    );
}

#[test]
fn tls12_client_hello_without_extensions_gets_protocol_version() {
    // RFC 5246 §7.4.1.2 lets the extensions block be absent; TLS 1.3's `<8..2^16-1>`
    // made this decode_error.
    for record_version in [0x0301, 0x0303] {
        let tls = legacy_hello(record_version, 0x0303, &[]);
        assert_server_alert(
            &server_config_tls13_only(),
            &tls,
            AlertDescription::ProtocolVersion,
        );
    }
}

#[test]
fn tls12_client_hello_with_short_extensions_gets_protocol_version() {
    // renegotiation_info alone: a 5-byte block, below TLS 1.3's minimum of 8.
    let tls = legacy_hello(0x0301, 0x0303, &[0, 5, 0xff, 0x01, 0, 1, 0]);
    assert_server_alert(
        &server_config_tls13_only(),
        &tls,
        AlertDescription::ProtocolVersion,
    );
    // An empty block.
    let tls = legacy_hello(0x0301, 0x0303, &[0, 0]);
    assert_server_alert(
        &server_config_tls13_only(),
        &tls,
        AlertDescription::ProtocolVersion,
    );
}

#[test]
fn tls10_client_hello_gets_protocol_version() {
    let config = server_config();
    let tls = hex::decode(OPENSSL_TLS10_HELLO).unwrap();
    assert_server_alert(&config, &tls, AlertDescription::ProtocolVersion);
    let tls = legacy_hello(0x0301, 0x0301, &[]);
    assert_server_alert(&config, &tls, AlertDescription::ProtocolVersion);
    let tls = legacy_hello(0x0301, 0x0302, &[0, 5, 0xff, 0x01, 0, 1, 0]);
    assert_server_alert(&config, &tls, AlertDescription::ProtocolVersion);
}

#[test]
fn legacy_version_ssl3_or_lower_gets_protocol_version_even_offering_tls13() {
    // RFC 8446 Appendix D.5: legacy_version 0x0300 is protocol_version, whatever
    // supported_versions says. Before the fix the server answered with a ServerHello.
    let config = server_config();
    for v in [0x0300, 0x0200, 0x0000] {
        let tls = real_hello(&|ch| ch.legacy_version = ProtocolVersion::from_raw(v));
        assert_server_alert(&config, &tls, AlertDescription::ProtocolVersion);
    }
    // 0x0301 and 0x0304 are only wrong, not old: supported_versions decides.
    for v in [0x0301, 0x0304] {
        let tls = real_hello(&|ch| ch.legacy_version = ProtocolVersion::from_raw(v));
        assert_server_answers_hello(&config, &tls);
    }
}

#[test]
fn tls13_rules_still_apply_once_tls13_is_offered() {
    // supported_versions alone is a 7-byte block: TLS 1.3 is offered, so the block's
    // minimum of 8 applies (decode_error), as do the other TLS 1.3 rules.
    let tls = legacy_hello(0x0301, 0x0303, &[0, 7, 0, 43, 0, 3, 2, 3, 4]);
    assert_server_alert(&server_config(), &tls, AlertDescription::DecodeError);
    // A malformed hello is decode_error whatever it offers: here the extensions block
    // claims one byte more than there is.
    let tls = legacy_hello(0x0301, 0x0303, &[0, 6, 0xff, 0x01, 0, 1, 0]);
    assert_server_alert(&server_config(), &tls, AlertDescription::DecodeError);
}

/// What our client says to a server flight `tls` that follows its ClientHello.
fn client_answer(
    tls: &[u8],
) -> (
    Option<AlertDescription>,
    Vec<AlertDescription>,
    Option<Error>,
) {
    // A client with TLS 1.2 off: with it on, a TLS 1.2 ServerHello is answered in TLS 1.2.
    let p = pki();
    let cc = client_builder(&p, &clock(), b"client")
        .with_protocol_versions(&[ProtocolVersion::Tls13])
        .build()
        .unwrap();
    let mut c = tryst::ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().len();
    c.consume_tls(ch);
    let e = feed(&mut c, tls);
    let sent = alerts_in(c.pending_tls());
    (e.as_ref().and_then(Error::alert), sent, e)
}

#[track_caller]
fn assert_client_alert(tls: &[u8], alert: AlertDescription) {
    let (got, sent, e) = client_answer(tls);
    assert_eq!(got, Some(alert), "{e:?}");
    assert_eq!(sent, vec![alert], "alert on the wire ({e:?})");
}

/// A ServerHello in RFC 5246's shape, as one record.
fn legacy_server_hello(version: u16, random: [u8; 32], extensions: &[u8]) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&random);
    body.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
    body.extend_from_slice(extensions);
    let mut msg = vec![2, 0];
    msg.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
    msg.extend_from_slice(&body);
    records(&msg, 0x0303)
}

#[test]
fn tls12_server_hello_without_extensions_gets_protocol_version() {
    // The client side of the same bug: ServerHello's `<6..2^16-1>` came first.
    assert_client_alert(
        &legacy_server_hello(0x0303, [5; 32], &[]),
        AlertDescription::ProtocolVersion,
    );
    assert_client_alert(
        &legacy_server_hello(0x0301, [5; 32], &[0, 5, 0xff, 0x01, 0, 1, 0]),
        AlertDescription::ProtocolVersion,
    );
}

#[test]
fn downgrade_sentinel_in_a_tls12_server_hello_without_extensions_is_illegal_parameter() {
    // RFC 8446 §4.1.3: a TLS 1.3 client that sees the sentinel MUST abort with
    // illegal_parameter; before the fix the missing extensions block hid it
    // (decode_error).
    for tail in [*b"DOWNGRD\x01", *b"DOWNGRD\x00"] {
        let mut random = [5; 32];
        random[24..].copy_from_slice(&tail);
        assert_client_alert(
            &legacy_server_hello(0x0303, random, &[]),
            AlertDescription::IllegalParameter,
        );
    }
}

#[test]
fn server_hello_legacy_version_ssl3_gets_protocol_version() {
    // RFC 8446 Appendix D.5, the client's side: supported_versions says TLS 1.3 but
    // legacy_version is 0x0300 (before the fix: illegal_parameter).
    let sv = [0, 6, 0, 43, 0, 2, 3, 4];
    assert_client_alert(
        &legacy_server_hello(0x0300, [5; 32], &sv),
        AlertDescription::ProtocolVersion,
    );
    // 0x0301 with TLS 1.3 selected is a TLS 1.3 ServerHello with a wrong field.
    assert_client_alert(
        &legacy_server_hello(0x0301, [5; 32], &sv),
        AlertDescription::IllegalParameter,
    );
}

// ---- finding 14 against a real TLS 1.2 client ----

fn have_openssl() -> bool {
    std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Run `openssl s_client <args> -connect` against a tryst server; return what openssl
/// printed (stdout and stderr) and the server's error.
fn openssl_against_tryst(args: &[&str]) -> (String, Option<Error>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = server_config_tls13_only();
    let server = std::thread::spawn(move || {
        use std::io::Write;
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // Driven by hand (no `std` feature needed): read, process, write what is queued.
        let mut conn = tryst::ServerConnection::new(config).unwrap();
        let mut buf = [0u8; 4096];
        loop {
            let n = sock.read(&mut buf).unwrap_or(0);
            let e = if n == 0 {
                None
            } else {
                feed(&mut conn, &buf[..n])
            };
            let out = conn.pending_tls().to_vec();
            sock.write_all(&out).unwrap();
            conn.consume_tls(out.len());
            if n == 0 || e.is_some() {
                return e;
            }
        }
    });
    let mut child = std::process::Command::new("openssl")
        .arg("s_client")
        .args(args)
        .args(["-connect", &format!("127.0.0.1:{port}")])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let server_error = server.join().unwrap();
    let mut out = String::new();
    let _ = child.stdout.take().unwrap().read_to_string(&mut out);
    let _ = child.stderr.take().unwrap().read_to_string(&mut out);
    let _ = child.wait();
    (out, server_error)
}

#[test]
fn openssl_s_client_tls12_gets_a_protocol_version_alert() {
    if !have_openssl() {
        return;
    }
    let (out, e) = openssl_against_tryst(&["-tls1_2", "-servername", "localhost"]);
    assert_eq!(
        e.as_ref().and_then(Error::alert),
        Some(AlertDescription::ProtocolVersion),
        "{e:?}"
    );
    // OpenSSL reports the alert it received: "tlsv1 alert protocol version ... SSL alert
    // number 70".
    assert!(out.contains("alert protocol version"), "{out}");
    assert!(out.contains("alert number 70"), "{out}");

    // TLS 1.0 (OpenSSL 3 needs security level 0 to send it).
    let (out, e) = openssl_against_tryst(&["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]);
    if out.contains("no protocols available") {
        return; // this openssl cannot speak TLS 1.0 at all
    }
    assert_eq!(
        e.as_ref().and_then(Error::alert),
        Some(AlertDescription::ProtocolVersion),
        "{e:?}"
    );
    assert!(out.contains("alert number 70"), "{out}");
}

// ---- finding 8: CertificateEntry extensions, both sides ----

/// A Certificate message: `ders[i]` with the extensions `exts[i]` (none if missing).
fn certificate(ders: &[&[u8]], exts: &[Vec<Extension<'static>>]) -> Vec<u8> {
    HandshakeMessage::Certificate(tryst::messages::Certificate {
        certificate_request_context: Cow::Borrowed(&[]),
        certificate_list: ders
            .iter()
            .enumerate()
            .map(|(i, d)| tryst::messages::CertificateEntry {
                cert_data: Cow::Owned(d.to_vec()),
                extensions: exts.get(i).cloned().unwrap_or_default(),
            })
            .collect(),
    })
    .to_bytes()
    .unwrap()
}

/// Client side: a scripted server answers our client's ClientHello with ServerHello,
/// EncryptedExtensions and a Certificate (leaf, CA) whose entries carry `exts`. Returns
/// the client's error (if any) and whether it still waits for the handshake.
fn client_sees_certificate(exts: &[Vec<Extension<'static>>]) -> (Option<Error>, bool) {
    client_sees(&|p| certificate(&[&p.leaf_der, &p.ca_der], exts))
}

/// Client side: a scripted server answers our client's ClientHello with ServerHello,
/// EncryptedExtensions and what `rest` makes.
fn client_sees(rest: &dyn Fn(&Pki) -> Vec<u8>) -> (Option<Error>, bool) {
    let p = pki();
    let (mut c, ch_record) = scripted_client(&p);
    let answer = answer(&ch_record);
    let mut flight = HandshakeMessage::EncryptedExtensions(Default::default())
        .to_bytes()
        .unwrap();
    flight.extend(rest(&p));
    let mut tls = records(&answer.server_hello, 0x0303);
    tls.extend(protected(&answer.server_hs, &flight));
    let e = feed(&mut c, &tls);
    (e, c.is_handshaking())
}

/// Server side: a scripted client sends a ClientHello, then (under its handshake keys)
/// a Certificate (its certificate, the CA) whose entries carry `exts`, to a server that
/// asks for client certificates. Returns the server's error and whether it still waits.
fn server_sees_certificate(exts: &[Vec<Extension<'static>>]) -> (Option<Error>, bool) {
    let p = pki();
    let config = server_builder(&p, &clock(), b"server")
        .with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(anchors(
            &p,
        ))))
        .build()
        .unwrap();
    let mut s = tryst::ServerConnection::new(config).unwrap();
    let kx = tryst::crypto::X25519.start(&mut FixedRng).unwrap();
    let hello = HandshakeMessage::ClientHello(base_hello(vec![
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
        Extension::SupportedGroups(vec![NamedGroup::X25519]),
        Extension::KeyShareClient(vec![
            KeyShareEntry::new(NamedGroup::X25519, kx.public_key()).into_owned(),
        ]),
        Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]),
    ]))
    .to_bytes()
    .unwrap();
    assert!(feed(&mut s, &records(&hello, 0x0301)).is_none());
    // The ServerHello is the first record the server wrote.
    let out = s.pending_tls().to_vec();
    let len = usize::from(u16::from_be_bytes([out[3], out[4]]));
    let (raw, _) = tryst::messages::RawHandshake::split(&out[5..5 + len], 1 << 16)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ServerHello(sh) = raw.parse().unwrap() else {
        panic!()
    };
    let share = sh
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::KeyShareServer(k) => Some(k.key_exchange.to_vec()),
            _ => None,
        })
        .unwrap();
    let (client_hs, _) = handshake_secrets(kx, &share, &hello, raw.encoded);
    let n = s.pending_tls().len();
    s.consume_tls(n);
    let cert = certificate(&[&p.client_der, &p.ca_der], exts);
    let e = feed(&mut s, &protected(&client_hs, &cert));
    (e, s.is_handshaking())
}

fn ocsp() -> Extension<'static> {
    Extension::OcspResponse(Cow::Borrowed(b"an OCSP response"))
}

fn sct() -> Extension<'static> {
    Extension::SignedCertificateTimestamps(Cow::Borrowed(b"an SCT list"))
}

/// An extension of type `typ` with `data` as its body, whatever the table says.
fn raw_ext(typ: u16, data: &'static [u8]) -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::from_raw(typ),
        data: Cow::Borrowed(data),
    }
}

#[track_caller]
fn assert_alert(outcome: (Option<Error>, bool), alert: AlertDescription) {
    let (e, _) = outcome;
    assert_eq!(e.as_ref().and_then(Error::alert), Some(alert), "{e:?}");
}

#[test]
fn scripted_certificates_without_extensions_are_accepted_on_both_sides() {
    // The control: the same flights with no extension go on to CertificateVerify.
    let (e, waiting) = client_sees_certificate(&[]);
    assert!(e.is_none() && waiting, "{e:?}");
    let (e, waiting) = server_sees_certificate(&[]);
    assert!(e.is_none() && waiting, "{e:?}");
}

#[test]
fn client_refuses_certificate_entry_extensions_not_allowed_in_certificate() {
    // supported_groups, server_name, key_share and signature_algorithms are in our
    // ClientHello (so the old first-extension check let them through) but RFC 8446 §4.2
    // does not allow them in a Certificate: illegal_parameter.
    let ill = AlertDescription::IllegalParameter;
    assert_alert(
        client_sees_certificate(&[vec![raw_ext(10, &[0, 2, 0, 29])]]),
        ill,
    );
    // In the second entry.
    assert_alert(
        client_sees_certificate(&[vec![], vec![raw_ext(0, &[])]]),
        ill,
    );
    // As the second extension of an entry whose first is fine by the old check.
    assert_alert(
        client_sees_certificate(&[vec![raw_ext(13, &[0, 2, 8, 7]), raw_ext(51, &[])]]),
        ill,
    );
}

#[test]
fn client_refuses_certificate_entry_extensions_it_did_not_request() {
    // status_request and signed_certificate_timestamp may appear in a Certificate, but
    // only if our ClientHello asked (RFC 8446 §4.4.2); ours does not.
    let unsupported = AlertDescription::UnsupportedExtension;
    assert_alert(client_sees_certificate(&[vec![ocsp()]]), unsupported);
    assert_alert(client_sees_certificate(&[vec![], vec![sct()]]), unsupported);
    // An extension type nobody registered was not requested either.
    assert_alert(
        client_sees_certificate(&[vec![raw_ext(0x7a7a, b"x")]]),
        unsupported,
    );
    // Two of one type in one entry: illegal_parameter, as in every extensions block.
    assert_alert(
        client_sees_certificate(&[vec![sct(), sct()]]),
        AlertDescription::IllegalParameter,
    );
}

#[test]
fn server_refuses_certificate_entry_extensions_not_allowed_in_certificate() {
    // signature_algorithms is in our CertificateRequest, but not allowed in a
    // Certificate. Before the fix the server checked no entry extension at all.
    let ill = AlertDescription::IllegalParameter;
    assert_alert(
        server_sees_certificate(&[vec![raw_ext(13, &[0, 2, 8, 7])]]),
        ill,
    );
    assert_alert(
        server_sees_certificate(&[vec![], vec![raw_ext(51, &[0, 0])]]),
        ill,
    );
    assert_alert(server_sees_certificate(&[vec![sct(), sct()]]), ill);
}

#[test]
fn server_refuses_certificate_entry_extensions_it_did_not_request() {
    // Our CertificateRequest asks for neither OCSP nor SCTs (RFC 8446 §4.4.2: the
    // client's extensions MUST correspond to ones in the CertificateRequest).
    let unsupported = AlertDescription::UnsupportedExtension;
    assert_alert(server_sees_certificate(&[vec![ocsp()]]), unsupported);
    assert_alert(server_sees_certificate(&[vec![], vec![sct()]]), unsupported);
    assert_alert(
        server_sees_certificate(&[vec![raw_ext(0x7a7a, b"x")]]),
        unsupported,
    );
}

#[test]
fn client_refuses_certificate_request_extensions_not_allowed_there() {
    // The sibling in CertificateRequest (RFC 8446 §4.2): key_share is known and not
    // allowed there, so illegal_parameter; before the fix the client ignored it.
    let cr = |exts: Vec<Extension<'static>>| {
        move |p: &Pki| {
            let mut m = HandshakeMessage::CertificateRequest(tryst::messages::CertificateRequest {
                certificate_request_context: Cow::Borrowed(&[]),
                extensions: exts.clone(),
            })
            .to_bytes()
            .unwrap();
            m.extend(certificate(&[&p.leaf_der, &p.ca_der], &[]));
            m
        }
    };
    let sig = Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]);
    let (e, waiting) = client_sees(&cr(vec![sig.clone()]));
    assert!(e.is_none() && waiting, "{e:?}");
    // An unknown type is ignored (RFC 8446 §4.3.2: clients MUST ignore unrecognized
    // extensions in a CertificateRequest).
    let (e, waiting) = client_sees(&cr(vec![sig.clone(), raw_ext(0x7a7a, b"x")]));
    assert!(e.is_none() && waiting, "{e:?}");
    assert_alert(
        client_sees(&cr(vec![sig, raw_ext(51, &[0, 29])])),
        AlertDescription::IllegalParameter,
    );
}

// ---- siblings in the hello area that had no test ----

#[test]
fn client_hello_without_a_common_group_is_handshake_failure() {
    // RFC 8446 §4.1.1: no overlap between supported_groups and ours is
    // handshake_failure (or insufficient_security), before any key exchange.
    let tls = hello_records(&attack_hello(1, 4));
    assert_server_alert(&server_config(), &tls, AlertDescription::HandshakeFailure);
}

#[test]
fn client_hello_with_an_extension_not_allowed_in_client_hello_is_illegal_parameter() {
    // RFC 8446 §4.2: oid_filters (48) is a CertificateRequest extension.
    let tls = real_hello(&|ch| ch.extensions.insert(0, raw_ext(48, &[0, 0])));
    assert_server_alert(&server_config(), &tls, AlertDescription::IllegalParameter);
    let (_, _, e) = server_answer(&server_config(), &tls);
    assert!(
        format!("{e:?}").contains("not allowed in ClientHello"),
        "{e:?}"
    );
}

#[test]
fn server_hello_with_an_extension_not_allowed_in_server_hello_is_illegal_parameter() {
    // RFC 8446 §4.2: supported_groups was in our ClientHello (so it is not unsolicited)
    // but has no place in a ServerHello. The session id echoed is the one our client
    // (same seed as in `client_answer`) sends in middlebox compatibility mode.
    let session_id = real_hello_message().legacy_session_id.into_owned();
    let sh = HandshakeMessage::ServerHello(tryst::messages::ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [5; 32],
        legacy_session_id_echo: Cow::Owned(session_id),
        cipher_suite: CipherSuite::TlsAes128GcmSha256,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(NamedGroup::X25519, &[9; 32])),
            raw_ext(10, &[0, 2, 0, 29]),
        ],
    });
    let tls = records(&sh.to_bytes().unwrap(), 0x0303);
    assert_client_alert(&tls, AlertDescription::IllegalParameter);
    let (_, _, e) = client_answer(&tls);
    assert!(
        format!("{e:?}").contains("not allowed in ServerHello"),
        "{e:?}"
    );
}

#[test]
fn invalid_client_key_share_is_illegal_parameter() {
    // RFC 8446 §4.2.8.2, §7.4.2: a share of the wrong size, or one that gives the
    // all-zero X25519 secret, is illegal_parameter (the client side was tested, the
    // server side not).
    let config = server_config();
    for bad in [vec![9u8; 31], vec![0u8; 32]] {
        let tls = real_hello(&|ch| {
            for e in &mut ch.extensions {
                if let Extension::KeyShareClient(k) = e {
                    k[0].key_exchange = Cow::Owned(bad.clone());
                }
            }
        });
        assert_server_alert(&config, &tls, AlertDescription::IllegalParameter);
    }
}

#[test]
fn two_host_names_in_server_name_are_illegal_parameter() {
    // RFC 6066 §3: the list MUST NOT hold two names of the same type.
    let tls = real_hello(&|ch| {
        for e in &mut ch.extensions {
            if let Extension::ServerName(names) = e {
                names.push(tryst::messages::ServerName::host_name(b"other").into_owned());
            }
        }
    });
    assert_server_alert(&server_config(), &tls, AlertDescription::IllegalParameter);
}
