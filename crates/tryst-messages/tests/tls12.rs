//! TLS 1.2 messages: proptest encode → decode → encode round trips for every message and
//! every TLS 1.2 extension shape, no strict prefix parses, and the negative cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use proptest::collection::vec;
use proptest::prelude::*;
use tryst_messages::{
    AlertDescription, Bytes, CertificateStatus, CertificateVerify, CipherSuite,
    ClientCertificateType, ClientHello, ClientKeyExchange, Codec, EcdheServerParams, ErrorKind,
    Extension, ExtensionContext, ExtensionType, Finished, HandshakeJoiner, HandshakeMessage,
    HandshakeType, MAX_TLS12_CERTIFICATES, NamedGroup, ProtocolVersion, RawHandshake, Reader,
    ServerHello, ServerKeyExchange, SignatureScheme, Tls12Certificate, Tls12CertificateRequest,
    Tls12HandshakeMessage, Tls12NewSessionTicket, Writer, allowed_in,
};

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Bytes<'static>> {
    vec(any::<u8>(), min..=max).prop_map(Cow::Owned)
}

fn dedup(exts: Vec<Extension<'static>>) -> Vec<Extension<'static>> {
    let mut out: Vec<Extension<'static>> = Vec::new();
    for e in exts {
        if !out.iter().any(|o| o.ext_type() == e.ext_type()) {
            out.push(e);
        }
    }
    out
}

fn unknown_ext() -> impl Strategy<Value = Extension<'static>> {
    (0x7000u16..0x8000, bytes(0, 20)).prop_map(|(t, data)| Extension::Unknown {
        typ: ExtensionType::from(t),
        data,
    })
}

/// Every shape a TLS 1.2 ServerHello's extensions can take.
fn sh12_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        Just(Extension::ServerNameAck),
        (1u8..=4).prop_map(Extension::MaxFragmentLength),
        Just(Extension::StatusRequestEmpty),
        bytes(1, 12).prop_map(|n| Extension::Alpn(vec![n])),
        bytes(1, 40).prop_map(Extension::SignedCertificateTimestamps),
        Just(Extension::ExtendedMasterSecret),
        Just(Extension::SessionTicket(Cow::Borrowed(&[]))),
        bytes(0, 24).prop_map(|mut f| {
            f.to_mut().push(0);
            Extension::EcPointFormats(f)
        }),
        bytes(0, 64).prop_map(Extension::RenegotiationInfo),
        (64u16..).prop_map(Extension::RecordSizeLimit),
        unknown_ext(),
    ]
}

fn ch12_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        Just(Extension::ExtendedMasterSecret),
        bytes(0, 40).prop_map(Extension::SessionTicket),
        bytes(1, 8).prop_map(Extension::EcPointFormats),
        bytes(0, 64).prop_map(Extension::RenegotiationInfo),
        vec(any::<u16>().prop_map(NamedGroup::from), 1..6).prop_map(Extension::SupportedGroups),
        vec(any::<u16>().prop_map(SignatureScheme::from), 1..6)
            .prop_map(Extension::SignatureAlgorithms),
        unknown_ext(),
    ]
}

fn server_hello12() -> impl Strategy<Value = ServerHello<'static>> {
    (
        any::<[u8; 32]>(),
        bytes(0, 32),
        any::<u16>(),
        vec(sh12_ext(), 0..8),
    )
        .prop_map(|(random, sid, suite, exts)| ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random,
            legacy_session_id_echo: sid,
            cipher_suite: suite.into(),
            legacy_compression_method: 0,
            extensions: dedup(exts),
        })
}

fn client_hello12() -> impl Strategy<Value = ClientHello<'static>> {
    (
        any::<[u8; 32]>(),
        bytes(0, 32),
        vec(any::<u16>().prop_map(CipherSuite::from), 1..10),
        vec(ch12_ext(), 0..8),
    )
        .prop_map(|(random, sid, suites, exts)| ClientHello {
            legacy_version: ProtocolVersion::Tls12,
            random,
            legacy_session_id: sid,
            cipher_suites: suites,
            legacy_compression_methods: Cow::Borrowed(&[0]),
            extensions: dedup(exts),
        })
}

fn signature() -> impl Strategy<Value = CertificateVerify<'static>> {
    (any::<u16>(), bytes(0, 300)).prop_map(|(a, s)| CertificateVerify {
        algorithm: a.into(),
        signature: s,
    })
}

fn message12() -> impl Strategy<Value = Tls12HandshakeMessage<'static>> {
    use Tls12HandshakeMessage as M;
    prop_oneof![
        Just(M::HelloRequest),
        client_hello12().prop_map(M::ClientHello),
        server_hello12().prop_map(M::ServerHello),
        (any::<u32>(), bytes(0, 200)).prop_map(|(h, t)| M::NewSessionTicket(
            Tls12NewSessionTicket {
                ticket_lifetime_hint: h,
                ticket: t
            }
        )),
        vec(bytes(1, 120), 0..5).prop_map(|l| M::Certificate(Tls12Certificate {
            certificate_list: l
        })),
        bytes(1, 300).prop_map(|r| M::CertificateStatus(CertificateStatus { ocsp_response: r })),
        (any::<u16>(), bytes(1, 133), signature()).prop_map(|(g, p, s)| M::ServerKeyExchange(
            ServerKeyExchange {
                params: EcdheServerParams {
                    named_group: g.into(),
                    public: p
                },
                signature: s,
            }
        )),
        (
            vec(any::<u8>().prop_map(ClientCertificateType::from), 1..4),
            vec(any::<u16>().prop_map(SignatureScheme::from), 1..10),
            vec(bytes(1, 60), 0..4),
        )
            .prop_map(|(t, s, c)| M::CertificateRequest(Tls12CertificateRequest {
                certificate_types: t,
                supported_signature_algorithms: s,
                certificate_authorities: c,
            })),
        Just(M::ServerHelloDone),
        signature().prop_map(M::CertificateVerify),
        bytes(1, 133).prop_map(|p| M::ClientKeyExchange(ClientKeyExchange { public: p })),
        bytes(12, 12).prop_map(|v| M::Finished(Finished { verify_data: v })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn tls12_messages_round_trip(m in message12()) {
        let bytes = m.to_bytes().unwrap();
        let decoded = Tls12HandshakeMessage::decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &m);
        prop_assert_eq!(decoded.to_bytes().unwrap(), bytes.clone());
        // Through the framing, as a state machine reads it.
        let (raw, rest) = RawHandshake::split(&bytes, 1 << 16).unwrap().unwrap();
        prop_assert!(rest.is_empty());
        prop_assert_eq!(raw.parse_tls12().unwrap(), m.clone());
        // No strict prefix parses (the two empty messages have only the header).
        for n in 0..bytes.len().min(40) {
            prop_assert!(Tls12HandshakeMessage::decode(&bytes[..n]).is_err());
        }
        for n in [bytes.len() / 2, bytes.len() - 1] {
            if n < bytes.len() {
                prop_assert!(Tls12HandshakeMessage::decode(&bytes[..n]).is_err());
            }
        }
        prop_assert_eq!(decoded.clone().into_owned().to_bytes().unwrap(), bytes);
    }

    /// A TLS 1.2 hello's body without the extensions block parses (as no extensions).
    #[test]
    fn hellos_without_extensions(sh in server_hello12(), ch in client_hello12()) {
        let mut sh = sh;
        sh.extensions.clear();
        let body = sh.to_bytes().unwrap();
        let cut = &body[..body.len() - 2];
        prop_assert_eq!(ServerHello::decode_tls12(cut).unwrap(), sh);
        let mut ch = ch;
        ch.extensions.clear();
        let body = ch.to_bytes().unwrap();
        let cut = &body[..body.len() - 2];
        prop_assert_eq!(ClientHello::decode_tls12(cut).unwrap(), ch);
    }

    #[test]
    fn arbitrary_bytes_tls12(data in vec(any::<u8>(), 0..300), t in any::<u8>()) {
        if let Ok(m) = Tls12HandshakeMessage::decode(&data) {
            prop_assert_eq!(m.to_bytes().unwrap(), data.clone());
        }
        if let Ok(m) = Tls12HandshakeMessage::parse_body(t.into(), &data) {
            let enc = m.to_bytes().unwrap()[4..].to_vec();
            // Only a hello without an extensions block re-encodes longer (`00 00`).
            prop_assert!(enc == data || enc == [&data[..], &[0, 0]].concat());
        }
    }
}

fn body(m: &Tls12HandshakeMessage<'_>) -> Vec<u8> {
    m.to_bytes().unwrap()[4..].to_vec()
}

fn parse12(typ: HandshakeType, b: &[u8]) -> tryst_messages::Error {
    Tls12HandshakeMessage::parse_body(typ, b).unwrap_err()
}

#[test]
fn every_tls12_extension_shape_covered() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeSet;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    for _ in 0..2000 {
        let sh = server_hello12().new_tree(&mut runner).unwrap().current();
        for e in sh.extensions {
            assert!(allowed_in(e.ext_type(), ExtensionContext::Tls12ServerHello));
            let d = format!("{e:?}");
            seen.insert(d.split(['(', ' ', '{']).next().unwrap().to_string());
        }
    }
    assert_eq!(seen.len(), 11, "{seen:?}");
}

#[test]
fn cipher_suite_code_points() {
    for (s, v) in [
        (CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256, 0xc02b),
        (CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384, 0xc02c),
        (CipherSuite::TlsEcdheRsaWithAes128GcmSha256, 0xc02f),
        (CipherSuite::TlsEcdheRsaWithAes256GcmSha384, 0xc030),
        (CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256, 0xcca8),
        (CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256, 0xcca9),
    ] {
        assert_eq!(s.to_raw(), v);
        assert!(s.name().unwrap().starts_with("TLS_ECDHE_"));
    }
}

/// RFC 8422 §5.4: only named curves; explicit curve types are illegal_parameter.
#[test]
fn server_key_exchange_rejects_explicit_curves() {
    let ske = Tls12HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
        params: EcdheServerParams {
            named_group: NamedGroup::X25519,
            public: Cow::Owned(vec![9; 32]),
        },
        signature: CertificateVerify {
            algorithm: SignatureScheme::RsaPkcs1Sha256,
            signature: Cow::Owned(vec![1; 256]),
        },
    });
    let mut b = body(&ske);
    assert!(Tls12HandshakeMessage::parse_body(HandshakeType::ServerKeyExchange, &b).is_ok());
    for ct in [0u8, 1, 2, 4, 255] {
        b[0] = ct;
        let e = parse12(HandshakeType::ServerKeyExchange, &b);
        assert_eq!(e.kind(), ErrorKind::IllegalValue);
        assert_eq!(e.field(), "ServerECDHParams.curve_type");
        assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    }
    // An empty point: decode_error.
    let e = parse12(
        HandshakeType::ServerKeyExchange,
        &[3, 0, 0x1d, 0, 4, 1, 0, 0],
    );
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    assert_eq!(e.field(), "ServerECDHParams.point");
}

#[test]
fn server_key_exchange_signed_message() {
    let params = EcdheServerParams {
        named_group: NamedGroup::Secp256r1,
        public: Cow::Owned(vec![4; 65]),
    };
    let m = ServerKeyExchange::signed_message(&params, &[1; 32], &[2; 32]).unwrap();
    assert_eq!(m.len(), 64 + 4 + 65);
    assert_eq!(&m[..32], &[1; 32]);
    assert_eq!(&m[32..64], &[2; 32]);
    assert_eq!(&m[64..68], &[3, 0, 0x17, 65]);
}

#[test]
fn client_key_exchange_limits() {
    let e = parse12(HandshakeType::ClientKeyExchange, &[0]);
    assert_eq!(e.field(), "ClientKeyExchange.ecdh_Yc");
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    let e = parse12(HandshakeType::ClientKeyExchange, &[2, 1, 2, 3]);
    assert_eq!(e.kind(), ErrorKind::TrailingBytes);
}

/// RFC 5246 §7.4.9: verify_data is 12 bytes.
#[test]
fn finished_is_twelve_bytes() {
    assert!(Tls12HandshakeMessage::parse_body(HandshakeType::Finished, &[0; 12]).is_ok());
    for n in [0, 1, 11, 13, 32, 48] {
        let e = parse12(HandshakeType::Finished, &vec![0; n]);
        assert_eq!(e.alert(), AlertDescription::DecodeError, "{n}");
    }
}

#[test]
fn empty_messages_must_be_empty() {
    for t in [HandshakeType::HelloRequest, HandshakeType::ServerHelloDone] {
        assert!(Tls12HandshakeMessage::parse_body(t, &[]).is_ok());
        assert_eq!(parse12(t, &[0]).kind(), ErrorKind::TrailingBytes);
    }
}

/// Types with no TLS 1.2 meaning here are unexpected_message; the 1.3 path is unchanged.
/// (certificate_status, 22, is TLS 1.2's since RFC 6066 §8: see `certificate_status_forms`.)
#[test]
fn tls13_only_types_are_unexpected() {
    for t in [5u8, 8, 24, 254, 3, 23, 25, 99] {
        let e = parse12(t.into(), &[]);
        assert_eq!(e.alert(), AlertDescription::UnexpectedMessage, "{t}");
    }
    for t in [0u8, 12, 14, 16] {
        let e = HandshakeMessage::parse_body(t.into(), &[]).unwrap_err();
        assert_eq!(e.alert(), AlertDescription::UnexpectedMessage, "{t}");
    }
}

#[test]
fn certificate_request_limits() {
    let good = Tls12CertificateRequest {
        certificate_types: vec![ClientCertificateType::EcdsaSign],
        supported_signature_algorithms: vec![SignatureScheme::EcdsaSecp256r1Sha256],
        certificate_authorities: vec![],
    };
    let b = good.to_bytes().unwrap();
    assert_eq!(b, [1, 64, 0, 2, 4, 3, 0, 0]);
    assert_eq!(Tls12CertificateRequest::decode(&b).unwrap(), good);
    // No certificate types.
    let e = parse12(HandshakeType::CertificateRequest, &[0, 0, 2, 4, 3, 0, 0]);
    assert_eq!(e.field(), "CertificateRequest.certificate_types");
    // No signature algorithms, or an odd length.
    let e = parse12(HandshakeType::CertificateRequest, &[1, 64, 0, 0, 0, 0]);
    assert_eq!(
        e.field(),
        "CertificateRequest.supported_signature_algorithms"
    );
    let e = parse12(
        HandshakeType::CertificateRequest,
        &[1, 64, 0, 3, 4, 3, 1, 0, 0],
    );
    assert_eq!(e.kind(), ErrorKind::RaggedList);
    // An empty distinguished name.
    let e = parse12(
        HandshakeType::CertificateRequest,
        &[1, 64, 0, 2, 4, 3, 0, 2, 0, 0],
    );
    assert_eq!(e.field(), "DistinguishedName");
    // Too many distinguished names.
    let mut w = Writer::new();
    w.bytes(&[1, 64, 0, 2, 4, 3]);
    w.u16_prefixed("cas", |w| {
        for _ in 0..=tryst_messages::MAX_CERTIFICATE_AUTHORITIES {
            w.bytes(&[0, 1, 0x30]);
        }
    });
    let b = w.finish().unwrap();
    let e = parse12(HandshakeType::CertificateRequest, &b);
    assert!(matches!(e.kind(), ErrorKind::TooManyItems { .. }));
}

#[test]
fn certificate_limits() {
    // An empty list is a client without a certificate.
    let m = Tls12HandshakeMessage::parse_body(HandshakeType::Certificate, &[0, 0, 0]).unwrap();
    assert_eq!(
        m,
        Tls12HandshakeMessage::Certificate(Tls12Certificate {
            certificate_list: vec![]
        })
    );
    // An empty certificate.
    let e = parse12(HandshakeType::Certificate, &[0, 0, 3, 0, 0, 0]);
    assert_eq!(e.field(), "ASN.1Cert");
    // The 1.3 form (context byte, entry extensions) does not parse as 1.2.
    let e = parse12(
        HandshakeType::Certificate,
        &[0, 0, 0, 6, 0, 0, 1, 0x30, 0, 0],
    );
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    // Too many certificates.
    let many = Tls12Certificate {
        certificate_list: vec![Cow::Borrowed(&[0x30][..]); MAX_TLS12_CERTIFICATES + 1],
    };
    let e = Tls12Certificate::decode(&many.to_bytes().unwrap()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::TooManyItems { .. }));
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);
}

#[test]
fn new_session_ticket_forms() {
    let empty = Tls12NewSessionTicket {
        ticket_lifetime_hint: 0,
        ticket: Cow::Borrowed(&[]),
    };
    assert_eq!(empty.to_bytes().unwrap(), [0, 0, 0, 0, 0, 0]);
    assert_eq!(Tls12NewSessionTicket::decode(&[0; 6]).unwrap(), empty);
    assert!(Tls12NewSessionTicket::decode(&[0, 0, 0, 1, 0, 2, 7]).is_err());
    // The TLS 1.3 form does not parse as TLS 1.2 (and vice versa).
    let e = parse12(
        HandshakeType::NewSessionTicket,
        &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 9, 0, 0],
    );
    assert_eq!(e.alert(), AlertDescription::DecodeError);
}

fn sh12_with(ext: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.u16(0x0303);
    w.bytes(&[7; 32]);
    w.u8(0);
    w.u16(0xc02f);
    w.u8(0);
    w.u16_prefixed("exts", |w| w.bytes(ext));
    w.finish().unwrap()
}

#[test]
fn server_hello12_extension_rules() {
    // A typical OpenSSL answer: renegotiation_info, ec_point_formats, session_ticket, EMS.
    let b = sh12_with(&[
        0xff, 0x01, 0, 1, 0, 0, 0x0b, 0, 4, 3, 0, 1, 2, 0, 0x23, 0, 0, 0, 0x17, 0, 0,
    ]);
    let sh = ServerHello::decode_tls12(&b).unwrap();
    assert_eq!(sh.renegotiation_info(), Some(&[][..]));
    assert_eq!(sh.ec_point_formats(), Some(&[0, 1, 2][..]));
    assert!(sh.session_ticket_ack());
    assert!(sh.extended_master_secret());
    assert_eq!(sh.cipher_suite, CipherSuite::TlsEcdheRsaWithAes128GcmSha256);
    assert_eq!(sh.to_bytes().unwrap(), b);
    // The 1.3 reader refuses it (no supported_versions shapes, too short a block).
    assert!(ServerHello::decode(&sh12_with(&[0, 0x17, 0, 0])).is_err());

    // ec_point_formats without uncompressed: illegal_parameter (RFC 8422 §5.1.2).
    let e = ServerHello::decode_tls12(&sh12_with(&[0, 0x0b, 0, 2, 1, 1])).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    assert_eq!(e.field(), "ec_point_formats");
    // A non-empty session_ticket or EMS: decode_error (RFC 5077 §3.2, RFC 7627 §5.1).
    let e = ServerHello::decode_tls12(&sh12_with(&[0, 0x23, 0, 1, 0])).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    let e = ServerHello::decode_tls12(&sh12_with(&[0, 0x17, 0, 1, 0])).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    // renegotiation_info whose inner length disagrees.
    let e = ServerHello::decode_tls12(&sh12_with(&[0xff, 0x01, 0, 1, 5])).unwrap_err();
    assert_eq!(e.alert(), AlertDescription::DecodeError);
    // Two ALPN names.
    let e = ServerHello::decode_tls12(&sh12_with(&[0, 0x10, 0, 6, 0, 4, 1, b'a', 1, b'b']))
        .unwrap_err();
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    // Duplicates.
    let e = ServerHello::decode_tls12(&sh12_with(&[0, 0x17, 0, 0, 0, 0x17, 0, 0])).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::DuplicateExtension(_)));
    // An extension with no 1.2 ServerHello shape is kept raw for the state machine.
    let b = sh12_with(&[0, 0x2b, 0, 2, 3, 3]);
    let sh = ServerHello::decode_tls12(&b).unwrap();
    assert!(matches!(sh.extensions[0], Extension::Unknown { .. }));
    assert!(!allowed_in(
        ExtensionType::SupportedVersions,
        ExtensionContext::Tls12ServerHello
    ));
    // No extensions block at all.
    let b = sh12_with(&[]);
    let sh = ServerHello::decode_tls12(&b[..b.len() - 2]).unwrap();
    assert!(sh.extensions.is_empty());
    assert!(!sh.extended_master_secret());
}

#[test]
fn client_hello12_accessors() {
    let mut w = Writer::new();
    w.u16(0x0303);
    w.bytes(&[1; 32]);
    w.u8(0);
    w.u16_prefixed("suites", |w| {
        w.u16(0xc02b);
        w.u16(0x00ff);
    });
    w.bytes(&[1, 0]);
    w.u16_prefixed("exts", |w| {
        w.bytes(&[0, 0x17, 0, 0]);
    });
    let b = w.finish().unwrap();
    // Four bytes of extensions: below TLS 1.3's minimum, fine for TLS 1.2.
    assert!(ClientHello::decode(&b).is_err());
    let ch = ClientHello::decode_tls12(&b).unwrap();
    assert!(ch.extended_master_secret());
    assert_eq!(ch.renegotiation_info(), None);
    assert_eq!(ch.session_ticket(), None);
    assert_eq!(ch.to_bytes().unwrap(), b);
    // ec_point_formats: shape only in a ClientHello (an empty list is still an error).
    let ext = Extension::read(
        &mut Reader::new(&[0, 0x0b, 0, 2, 1, 1]),
        ExtensionContext::ClientHello,
    )
    .unwrap();
    assert_eq!(ext, Extension::EcPointFormats(Cow::Borrowed(&[1])));
    assert!(
        Extension::read(
            &mut Reader::new(&[0, 0x0b, 0, 1, 0]),
            ExtensionContext::ClientHello
        )
        .is_err()
    );
}

/// The joiner and `parse_tls12` together, as a TLS 1.2 client reads a server flight.
#[test]
fn server_flight_through_the_joiner() {
    let flight = [
        Tls12HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random: [3; 32],
            legacy_session_id_echo: Cow::Borrowed(&[]),
            cipher_suite: CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
            legacy_compression_method: 0,
            extensions: vec![Extension::ExtendedMasterSecret],
        }),
        Tls12HandshakeMessage::Certificate(Tls12Certificate {
            certificate_list: vec![Cow::Borrowed(&[0x30, 0])],
        }),
        Tls12HandshakeMessage::ServerKeyExchange(ServerKeyExchange {
            params: EcdheServerParams {
                named_group: NamedGroup::X25519,
                public: Cow::Borrowed(&[5; 32]),
            },
            signature: CertificateVerify {
                algorithm: SignatureScheme::EcdsaSecp256r1Sha256,
                signature: Cow::Borrowed(&[6; 70]),
            },
        }),
        Tls12HandshakeMessage::ServerHelloDone,
    ];
    let bytes: Vec<u8> = flight.iter().flat_map(|m| m.to_bytes().unwrap()).collect();
    let mut j = HandshakeJoiner::new();
    let mut got = Vec::new();
    for chunk in bytes.chunks(17) {
        j.push(chunk).unwrap();
        while let Some(raw) = j.next_message().unwrap() {
            got.push(raw.parse_tls12().unwrap().into_owned());
        }
    }
    assert_eq!(got, flight);
    assert!(j.at_message_boundary());
}

/// Writes seed corpora for the TLS 1.2 fuzz targets from generated messages.
/// Regenerate with `cargo test -p tryst-messages --test tls12 -- --ignored`.
#[test]
#[ignore = "writes fuzz/corpus; run on purpose"]
fn write_tls12_fuzz_seeds() {
    use proptest::strategy::ValueTree;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let write = |target: &str, name: &str, b: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), b).unwrap();
    };
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for i in 0..60 {
        let m = message12().new_tree(&mut runner).unwrap().current();
        let framed = m.to_bytes().unwrap();
        let name = format!("gen_{i:03}");
        write("messages_tls12_handshake", &name, &framed);
        let target = match m {
            Tls12HandshakeMessage::ServerHello(_) => "messages_tls12_server_hello",
            Tls12HandshakeMessage::ClientHello(_) => "messages_tls12_client_hello",
            Tls12HandshakeMessage::ServerKeyExchange(_) => "messages_server_key_exchange",
            Tls12HandshakeMessage::ClientKeyExchange(_) => "messages_client_key_exchange",
            Tls12HandshakeMessage::CertificateRequest(_) => "messages_tls12_certificate_request",
            Tls12HandshakeMessage::Certificate(_) => "messages_tls12_certificate",
            Tls12HandshakeMessage::NewSessionTicket(_) => "messages_tls12_new_session_ticket",
            _ => continue,
        };
        write(target, &name, &framed[4..]);
    }
}

#[test]
fn certificate_status_forms() {
    // RFC 6066 §8: status_type ocsp (1), then OCSPResponse<1..2^24-1>.
    let cs = CertificateStatus {
        ocsp_response: Cow::Borrowed(&[0x30, 0x03, 0x0a, 0x01, 0x00]),
    };
    let body = [1, 0, 0, 5, 0x30, 0x03, 0x0a, 0x01, 0x00];
    assert_eq!(cs.to_bytes().unwrap(), body);
    assert_eq!(
        Tls12HandshakeMessage::parse_body(HandshakeType::CertificateStatus, &body).unwrap(),
        Tls12HandshakeMessage::CertificateStatus(cs)
    );
    // Another status type (ocsp_multi, RFC 6961) was never asked for.
    let e = parse12(HandshakeType::CertificateStatus, &[2, 0, 0, 1, 0x30]);
    assert_eq!(e.alert(), AlertDescription::IllegalParameter);
    // An empty response, a short one, a missing one, a trailing byte.
    for bad in [
        &[1, 0, 0, 0][..],
        &[1, 0, 0, 5, 0x30, 0x03],
        &[1],
        &[],
        &[1, 0, 0, 1, 0x30, 0],
    ] {
        let e = parse12(HandshakeType::CertificateStatus, bad);
        assert_eq!(e.alert(), AlertDescription::DecodeError, "{bad:?}");
    }
}
