//! The codec's part of findings 3 and 14 of the outside security review (issue 13):
//! caps on the lists whose items cost a receiver work, work linear in the input, and a
//! version probe that reads a hello of any TLS version.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;
use std::time::Duration;

use tryst_messages::{
    AlertDescription, CipherSuite, ClientHello, Codec, ErrorKind, Extension, ExtensionType,
    HELLO_RETRY_REQUEST_RANDOM, HandshakeJoiner, HandshakeMessage, KeyShareEntry, MAX_KEY_SHARES,
    MAX_PSK_IDENTITIES, NamedGroup, OfferedPsks, ProtocolVersion, PskIdentity, ServerHello,
};

fn hello(extensions: Vec<Extension<'static>>) -> ClientHello<'static> {
    ClientHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [9; 32],
        legacy_session_id: Cow::Borrowed(&[]),
        cipher_suites: vec![CipherSuite::TlsAes128GcmSha256],
        legacy_compression_methods: Cow::Borrowed(&[0]),
        extensions,
    }
}

fn shares(n: usize) -> Extension<'static> {
    Extension::KeyShareClient(
        (0..n)
            .map(|i| {
                KeyShareEntry::new(
                    NamedGroup::from_raw(0x4000 + u16::try_from(i).unwrap()),
                    &[1],
                )
                .into_owned()
            })
            .collect(),
    )
}

fn psk(identities: usize, binders: usize) -> Extension<'static> {
    Extension::PreSharedKeyOffer(OfferedPsks {
        identities: (0..identities)
            .map(|_| PskIdentity {
                identity: Cow::Borrowed(b"ticket"),
                obfuscated_ticket_age: 0,
            })
            .collect(),
        binders: vec![Cow::Borrowed(&[0u8; 32][..]); binders],
    })
}

fn body(ch: &ClientHello<'_>) -> Vec<u8> {
    ch.to_bytes().unwrap()
}

#[test]
fn key_shares_are_capped() {
    let v = vec![Extension::SupportedVersions(vec![ProtocolVersion::Tls13])];
    let mut at = v.clone();
    at.push(shares(MAX_KEY_SHARES));
    ClientHello::decode(&body(&hello(at))).unwrap();
    let mut over = v;
    over.push(shares(MAX_KEY_SHARES + 1));
    let e = ClientHello::decode(&body(&hello(over))).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::TooManyItems {
            max: MAX_KEY_SHARES
        }
    );
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    assert_eq!(e.field(), "key_share");
}

#[test]
fn psk_identities_and_binders_are_capped() {
    let ok = hello(vec![psk(MAX_PSK_IDENTITIES, MAX_PSK_IDENTITIES)]);
    ClientHello::decode(&body(&ok)).unwrap();
    for (ids, binders, field) in [
        (
            MAX_PSK_IDENTITIES + 1,
            MAX_PSK_IDENTITIES + 1,
            "OfferedPsks.identities",
        ),
        (1, MAX_PSK_IDENTITIES + 1, "OfferedPsks.binders"),
    ] {
        let e = ClientHello::decode(&body(&hello(vec![psk(ids, binders)]))).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::TooManyItems {
                max: MAX_PSK_IDENTITIES
            }
        );
        assert_eq!(e.alert(), AlertDescription::IllegalParameter);
        assert_eq!(e.field(), field);
    }
}

#[test]
fn many_extensions_are_tolerated_and_a_late_duplicate_is_found() {
    // Extension counts are not capped (tlsfuzzer's test-large-number-of-extensions sends
    // up to 16383); duplicate detection sorts the types, O(n log n).
    let many: Vec<Extension<'static>> = (0..16_000u16)
        .map(|i| Extension::Unknown {
            typ: ExtensionType::from_raw(0x1000 + i),
            data: Cow::Borrowed(&[]),
        })
        .collect();
    ClientHello::decode(&body(&hello(many.clone()))).unwrap();
    let mut dup = many;
    dup.push(Extension::Unknown {
        typ: ExtensionType::from_raw(0x1000),
        data: Cow::Borrowed(&[]),
    });
    let e = ClientHello::decode(&body(&hello(dup))).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::from_raw(0x1000))
    );
}

// ---- the version probe (finding 14) ----

/// A ClientHello body in RFC 5246's shape: `extensions` is the whole extensions block
/// with its length, or nothing.
fn legacy_client_hello(version: u16, extensions: &[u8]) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend_from_slice(&[7; 32]);
    b.push(0); // legacy_session_id
    b.extend_from_slice(&[0, 4, 0xc0, 0x2f, 0x00, 0x2f]); // two TLS 1.2 suites
    b.extend_from_slice(&[1, 0]); // compression: null
    b.extend_from_slice(extensions);
    b
}

#[test]
fn peek_reads_hellos_of_every_version() {
    // No extensions at all (RFC 5246 §7.4.1.2): the TLS 1.3 decoder says decode_error,
    // the probe says "no supported_versions".
    let bare = legacy_client_hello(0x0303, &[]);
    assert_eq!(
        ClientHello::decode(&bare).unwrap_err().alert(),
        AlertDescription::DecodeError
    );
    let v = ClientHello::peek_versions(&bare).unwrap();
    assert_eq!(v.legacy_version, ProtocolVersion::Tls12);
    assert_eq!(v.supported_versions, None);
    assert!(!v.offers(ProtocolVersion::Tls13));

    // A block shorter than TLS 1.3's minimum of 8: renegotiation_info alone.
    let short = legacy_client_hello(0x0301, &[0, 5, 0xff, 0x01, 0, 1, 0]);
    assert_eq!(
        ClientHello::decode(&short).unwrap_err().alert(),
        AlertDescription::DecodeError
    );
    let v = ClientHello::peek_versions(&short).unwrap();
    assert_eq!(v.legacy_version, ProtocolVersion::Tls10);
    assert_eq!(v.supported_versions, None);

    // supported_versions alone is 7 bytes: the probe sees TLS 1.3, the decoder still
    // applies TLS 1.3's minimum.
    let seven = legacy_client_hello(0x0303, &[0, 7, 0, 43, 0, 3, 2, 3, 4]);
    let v = ClientHello::peek_versions(&seven).unwrap();
    assert!(v.offers(ProtocolVersion::Tls13));
    assert_eq!(
        ClientHello::decode(&seven).unwrap_err().alert(),
        AlertDescription::DecodeError
    );

    // A real TLS 1.3 ClientHello: the probe and the decoder agree.
    let mut ch = hello(vec![
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13, ProtocolVersion::Tls12]),
        shares(1),
    ]);
    ch.legacy_version = ProtocolVersion::Ssl3;
    let v = ClientHello::peek_versions(&body(&ch)).unwrap();
    assert_eq!(v.legacy_version, ProtocolVersion::Ssl3);
    assert_eq!(
        v.supported_versions,
        Some(vec![ProtocolVersion::Tls13, ProtocolVersion::Tls12])
    );
    assert_eq!(v.random, [9; 32]);
}

#[test]
fn peek_still_refuses_what_no_version_allows() {
    let good = legacy_client_hello(0x0303, &[0, 4, 0xff, 0x01, 0, 0]);
    ClientHello::peek_versions(&good).unwrap();
    // Every strict prefix but the one that ends with the compression methods (a hello
    // without extensions) and a trailing byte are decode_error.
    let without_extensions = legacy_client_hello(0x0303, &[]).len();
    for cut in (0..good.len()).filter(|&c| c != without_extensions) {
        let e = ClientHello::peek_versions(&good[..cut]).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::DecodeError, "prefix {cut}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(
        ClientHello::peek_versions(&longer).unwrap_err().alert(),
        AlertDescription::DecodeError
    );
    // Two supported_versions: illegal_parameter, as in the decoder.
    let two = legacy_client_hello(0x0303, &[0, 14, 0, 43, 0, 3, 2, 3, 4, 0, 43, 0, 3, 2, 3, 3]);
    let e = ClientHello::peek_versions(&two).unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::SupportedVersions)
    );
    // A ragged version list: decode_error.
    let ragged = legacy_client_hello(0x0303, &[0, 6, 0, 43, 0, 2, 1, 3]);
    assert_eq!(
        ClientHello::peek_versions(&ragged).unwrap_err().alert(),
        AlertDescription::DecodeError
    );
}

#[test]
fn peek_reads_server_hellos_of_every_version() {
    // A TLS 1.2 ServerHello without extensions.
    let mut b = vec![3, 3];
    b.extend_from_slice(&[5; 32]);
    b.extend_from_slice(&[0, 0xc0, 0x2f, 0]);
    assert_eq!(
        ServerHello::decode(&b).unwrap_err().alert(),
        AlertDescription::DecodeError
    );
    let v = ServerHello::peek_versions(&b).unwrap();
    assert_eq!(v.legacy_version, ProtocolVersion::Tls12);
    assert_eq!(v.supported_versions, None);
    assert_eq!(v.random, [5; 32]);

    // TLS 1.3 ServerHello and HelloRetryRequest: the selected version as a list of one.
    for random in [[5; 32], HELLO_RETRY_REQUEST_RANDOM] {
        let sh = ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random,
            legacy_session_id_echo: Cow::Borrowed(&[]),
            cipher_suite: CipherSuite::TlsAes128GcmSha256,
            legacy_compression_method: 0,
            extensions: vec![
                Extension::SelectedVersion(ProtocolVersion::Tls13),
                Extension::Unknown {
                    typ: ExtensionType::from_raw(0x1234),
                    data: Cow::Borrowed(&[]),
                },
            ],
        };
        let v = ServerHello::peek_versions(&sh.to_bytes().unwrap()).unwrap();
        assert_eq!(v.supported_versions, Some(vec![ProtocolVersion::Tls13]));
    }
}

// ---- linear work ----

/// This thread's CPU time: time the thread spends preempted by the other processes of a
/// busy machine is not charged to it (as in tryst-bench).
fn cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap(),
        u32::try_from(t.tv_nsec).unwrap(),
    )
}

/// The least CPU time, over interleaved batches, to run `small` and `large`.
fn least_times(small: &dyn Fn(), large: &dyn Fn()) -> (Duration, Duration) {
    let time = |f: &dyn Fn(), iters: u32| {
        let start = cpu_now();
        for _ in 0..iters {
            f();
        }
        cpu_now().saturating_sub(start)
    };
    let one = time(large, 1).max(Duration::from_micros(1));
    let iters = u32::try_from((Duration::from_millis(20).as_nanos() / one.as_nanos()).max(1))
        .unwrap_or(u32::MAX);
    let (mut s, mut l) = (Duration::MAX, Duration::MAX);
    for _ in 0..9 {
        s = s.min(time(small, iters));
        l = l.min(time(large, iters));
    }
    (s, l)
}

/// Push `stream` in one piece and take every message out.
fn drain(stream: &[u8]) -> usize {
    let mut j = HandshakeJoiner::with_max_message_len(1 << 17);
    j.push(stream).unwrap();
    let mut n = 0;
    while let Some(m) = j.next_message().unwrap() {
        n += std::hint::black_box(m.encoded.len());
    }
    n
}

#[test]
fn joiner_cost_grows_linearly_with_the_number_of_messages() {
    // Many empty-bodied messages in one push: compacting the buffer after each message
    // would cost O(messages × bytes), 16 times more for 4 times the messages.
    let msg = HandshakeMessage::EndOfEarlyData(tryst_messages::EndOfEarlyData)
        .to_bytes()
        .unwrap();
    let small = msg.repeat(5_000);
    let large = msg.repeat(20_000);
    assert_eq!(drain(&large), large.len());
    let (t1, t4) = least_times(
        &|| {
            drain(&small);
        },
        &|| {
            drain(&large);
        },
    );
    let ratio = t4.as_secs_f64() / t1.as_secs_f64();
    eprintln!("joiner: {t1:?} for 5000 messages, {t4:?} for 20000; ratio {ratio:.2}");
    assert!(
        ratio < 8.0,
        "cost of 4n messages is {ratio:.2} times that of n"
    );
}

#[test]
fn client_hello_decode_cost_grows_linearly() {
    // Every list at n and 4n entries (key shares up to their cap).
    let build = |k: u16, shares_n: usize| {
        let mut exts = vec![
            Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
            Extension::SupportedGroups((0..k).map(|i| NamedGroup::from_raw(0x4000 + i)).collect()),
            shares(shares_n),
            Extension::SignatureAlgorithms(
                (0..k)
                    .map(|i| tryst_messages::SignatureScheme::from_raw(0x7000 + i))
                    .collect(),
            ),
            Extension::Alpn(vec![Cow::Borrowed(&b"x"[..]); usize::from(k)]),
        ];
        exts.extend((0..k / 2).map(|i| Extension::Unknown {
            typ: ExtensionType::from_raw(0x2000 + i),
            data: Cow::Borrowed(&[]),
        }));
        let mut ch = hello(exts);
        ch.cipher_suites = (0..k).map(|i| CipherSuite::from_raw(0x6000 + i)).collect();
        body(&ch)
    };
    // Small enough that both stay in a core's cache: what is measured is work, not
    // memory bandwidth (counted with valgrind, 4n costs 4.2 times the instructions of n).
    let small = build(500, MAX_KEY_SHARES / 4);
    let large = build(2000, MAX_KEY_SHARES);
    let (t1, t4) = least_times(
        &|| {
            std::hint::black_box(ClientHello::decode(&small).unwrap());
        },
        &|| {
            std::hint::black_box(ClientHello::decode(&large).unwrap());
        },
    );
    let ratio = t4.as_secs_f64() / t1.as_secs_f64();
    eprintln!(
        "ClientHello::decode: {t1:?} for {} bytes, {t4:?} for {}; ratio {ratio:.2}",
        small.len(),
        large.len()
    );
    assert!(
        ratio < 8.0,
        "cost of 4n entries is {ratio:.2} times that of n"
    );
}
