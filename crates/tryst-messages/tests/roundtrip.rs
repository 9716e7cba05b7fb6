//! proptest: encode → decode → encode is the identity for every message and every
//! extension shape, and no strict prefix of an encoding decodes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, Bytes, Certificate, CertificateCompressionAlgorithm,
    CertificateEntry, CertificateRequest, CertificateVerify, CipherSuite, ClientHello, Codec,
    CompressedCertificate, ContentType, EncryptedExtensions, EndOfEarlyData, Extension,
    ExtensionType, Finished, HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, KeyShareEntry,
    KeyUpdate, KeyUpdateRequest, MessageHash, NamedGroup, NewSessionTicket, OcspStatusRequest,
    OfferedPsks, OidFilter, ProtocolVersion, PskIdentity, PskKeyExchangeMode, RecordHeader,
    ServerHello, ServerName, SignatureScheme,
};

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Bytes<'static>> {
    vec(any::<u8>(), min..=max).prop_map(Cow::Owned)
}

fn groups(min: usize) -> impl Strategy<Value = Vec<NamedGroup>> {
    vec(any::<u16>().prop_map(NamedGroup::from), min..8)
}

fn schemes() -> impl Strategy<Value = Vec<SignatureScheme>> {
    vec(any::<u16>().prop_map(SignatureScheme::from), 1..8)
}

fn key_share() -> impl Strategy<Value = KeyShareEntry<'static>> {
    (any::<u16>(), bytes(1, 70)).prop_map(|(g, k)| KeyShareEntry {
        group: NamedGroup::from(g),
        key_exchange: k,
    })
}

/// Extension types this crate has no shape for anywhere.
fn unknown_ext() -> impl Strategy<Value = Extension<'static>> {
    (0x7000u16..0x8000, bytes(0, 20)).prop_map(|(t, data)| Extension::Unknown {
        typ: ExtensionType::from(t),
        data,
    })
}

fn client_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        btree_map(any::<u8>(), bytes(1, 20), 1..3).prop_map(|m| Extension::ServerName(
            m.into_iter()
                .map(|(name_type, name)| ServerName { name_type, name })
                .collect()
        )),
        (1u8..=4).prop_map(Extension::MaxFragmentLength),
        (bytes(0, 10), bytes(0, 10)).prop_map(|(a, b)| Extension::StatusRequest(
            OcspStatusRequest {
                responder_id_list: a,
                request_extensions: b
            }
        )),
        groups(1).prop_map(Extension::SupportedGroups),
        schemes().prop_map(Extension::SignatureAlgorithms),
        schemes().prop_map(Extension::SignatureAlgorithmsCert),
        vec(bytes(1, 12), 1..4).prop_map(Extension::Alpn),
        Just(Extension::SctRequest),
        vec(Just(0u8), 0..30).prop_map(|z| Extension::Padding(z.into())),
        Just(Extension::ExtendedMasterSecret),
        bytes(0, 30).prop_map(Extension::SessionTicket),
        bytes(0, 30).prop_map(Extension::RenegotiationInfo),
        (64u16..).prop_map(Extension::RecordSizeLimit),
        Just(Extension::EarlyData),
        bytes(1, 30).prop_map(Extension::Cookie),
        vec(any::<u8>().prop_map(PskKeyExchangeMode::from), 1..4)
            .prop_map(Extension::PskKeyExchangeModes),
        vec(bytes(1, 30), 1..4).prop_map(Extension::CertificateAuthorities),
        Just(Extension::PostHandshakeAuth),
        compress_certificate(),
        unknown_ext(),
    ]
}

/// `compress_certificate` (RFC 8879): 1 to 127 algorithms, any code points.
fn compress_certificate() -> impl Strategy<Value = Extension<'static>> {
    vec(
        any::<u16>().prop_map(CertificateCompressionAlgorithm::from),
        1..127,
    )
    .prop_map(Extension::CompressCertificate)
}

fn psk_offer() -> impl Strategy<Value = Extension<'static>> {
    vec((bytes(1, 40), any::<u32>(), bytes(32, 64)), 1..4).prop_map(|v| {
        let (identities, binders) = v
            .into_iter()
            .map(|(identity, age, binder)| {
                (
                    PskIdentity {
                        identity,
                        obfuscated_ticket_age: age,
                    },
                    binder,
                )
            })
            .unzip();
        Extension::PreSharedKeyOffer(OfferedPsks {
            identities,
            binders,
        })
    })
}

/// Keep the first extension of each type (duplicates are a decode error).
fn dedup(exts: Vec<Extension<'static>>) -> Vec<Extension<'static>> {
    let mut out: Vec<Extension<'static>> = Vec::new();
    for e in exts {
        if !out.iter().any(|o| o.ext_type() == e.ext_type()) {
            out.push(e);
        }
    }
    out
}

fn client_hello() -> impl Strategy<Value = ClientHello<'static>> {
    (
        any::<[u8; 32]>(),
        bytes(0, 32),
        vec(any::<u16>().prop_map(CipherSuite::from), 1..10),
        bytes(1, 3),
        vec(any::<u16>().prop_map(ProtocolVersion::from), 1..5),
        btree_map(any::<u16>(), bytes(1, 70), 0..3),
        vec(client_ext(), 0..8),
        proptest::option::of(psk_offer()),
    )
        .prop_map(|(random, sid, suites, comp, versions, shares, exts, psk)| {
            let mut extensions = vec![
                Extension::SupportedVersions(versions),
                Extension::KeyShareClient(
                    shares
                        .into_iter()
                        .map(|(g, k)| KeyShareEntry {
                            group: NamedGroup::from(g),
                            key_exchange: k,
                        })
                        .collect(),
                ),
            ];
            extensions.extend(exts);
            let mut extensions = dedup(extensions);
            extensions.extend(psk);
            ClientHello {
                legacy_version: ProtocolVersion::Tls12,
                random,
                legacy_session_id: sid,
                cipher_suites: suites,
                legacy_compression_methods: comp,
                extensions,
            }
        })
}

fn server_hello() -> impl Strategy<Value = ServerHello<'static>> {
    (
        any::<[u8; 32]>(),
        bytes(0, 32),
        any::<u16>(),
        any::<u8>(),
        any::<u16>(),
        proptest::option::of(key_share()),
        proptest::option::of(any::<u16>()),
        vec(unknown_ext(), 0..3),
    )
        .prop_filter("not the HRR random", |t| t.0 != HELLO_RETRY_REQUEST_RANDOM)
        .prop_map(|(random, sid, suite, comp, version, share, psk, unknown)| {
            let mut extensions = vec![Extension::SelectedVersion(version.into())];
            extensions.extend(share.map(Extension::KeyShareServer));
            extensions.extend(psk.map(Extension::PreSharedKeySelected));
            extensions.extend(unknown);
            ServerHello {
                legacy_version: ProtocolVersion::Tls12,
                random,
                legacy_session_id_echo: sid,
                cipher_suite: suite.into(),
                legacy_compression_method: comp,
                extensions: dedup(extensions),
            }
        })
}

fn hello_retry_request() -> impl Strategy<Value = ServerHello<'static>> {
    (
        bytes(0, 32),
        any::<u16>(),
        any::<u16>(),
        proptest::option::of(bytes(1, 40)),
        vec(unknown_ext(), 0..3),
    )
        .prop_map(|(sid, suite, group, cookie, unknown)| {
            let mut extensions = vec![
                Extension::SelectedVersion(ProtocolVersion::Tls13),
                Extension::KeyShareHelloRetry(group.into()),
            ];
            extensions.extend(cookie.map(Extension::Cookie));
            extensions.extend(unknown);
            ServerHello {
                legacy_version: ProtocolVersion::Tls12,
                random: HELLO_RETRY_REQUEST_RANDOM,
                legacy_session_id_echo: sid,
                cipher_suite: suite.into(),
                legacy_compression_method: 0,
                extensions: dedup(extensions),
            }
        })
}

fn ee_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        Just(Extension::ServerNameAck),
        (1u8..=4).prop_map(Extension::MaxFragmentLength),
        groups(1).prop_map(Extension::SupportedGroups),
        bytes(1, 20).prop_map(|n| Extension::Alpn(vec![n])),
        Just(Extension::EarlyData),
        (64u16..).prop_map(Extension::RecordSizeLimit),
        unknown_ext(),
    ]
}

fn cr_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        Just(Extension::StatusRequestEmpty),
        Just(Extension::SctRequest),
        vec(bytes(1, 30), 1..4).prop_map(Extension::CertificateAuthorities),
        schemes().prop_map(Extension::SignatureAlgorithmsCert),
        compress_certificate(),
        vec((bytes(1, 12), bytes(0, 20)), 0..3).prop_map(|v| Extension::OidFilters(
            v.into_iter()
                .map(|(o, vals)| OidFilter {
                    certificate_extension_oid: o,
                    certificate_extension_values: vals,
                })
                .collect()
        )),
        unknown_ext(),
    ]
}

fn cert_ext() -> impl Strategy<Value = Extension<'static>> {
    prop_oneof![
        bytes(1, 50).prop_map(Extension::OcspResponse),
        bytes(1, 50).prop_map(Extension::SignedCertificateTimestamps),
        unknown_ext(),
    ]
}

fn message() -> impl Strategy<Value = HandshakeMessage<'static>> {
    prop_oneof![
        client_hello().prop_map(HandshakeMessage::ClientHello),
        server_hello().prop_map(HandshakeMessage::ServerHello),
        hello_retry_request().prop_map(HandshakeMessage::HelloRetryRequest),
        vec(ee_ext(), 0..6).prop_map(|e| HandshakeMessage::EncryptedExtensions(
            EncryptedExtensions {
                extensions: dedup(e)
            }
        )),
        (bytes(0, 10), schemes(), vec(cr_ext(), 0..5)).prop_map(|(ctx, s, e)| {
            let mut extensions = vec![Extension::SignatureAlgorithms(s)];
            extensions.extend(e);
            HandshakeMessage::CertificateRequest(CertificateRequest {
                certificate_request_context: ctx,
                extensions: dedup(extensions),
            })
        }),
        (
            bytes(0, 10),
            vec((bytes(1, 100), vec(cert_ext(), 0..3)), 0..4)
        )
            .prop_map(|(ctx, entries)| HandshakeMessage::Certificate(Certificate {
                certificate_request_context: ctx,
                certificate_list: entries
                    .into_iter()
                    .map(|(cert_data, e)| CertificateEntry {
                        cert_data,
                        extensions: dedup(e),
                    })
                    .collect(),
            })),
        (any::<u16>(), bytes(0, 100)).prop_map(|(a, s)| HandshakeMessage::CertificateVerify(
            CertificateVerify {
                algorithm: a.into(),
                signature: s
            }
        )),
        bytes(1, 64).prop_map(|v| HandshakeMessage::Finished(Finished { verify_data: v })),
        (
            any::<u32>(),
            any::<u32>(),
            bytes(0, 8),
            bytes(1, 100),
            proptest::option::of(any::<u32>()),
            vec(unknown_ext(), 0..3)
        )
            .prop_map(|(l, a, n, t, ed, unknown)| {
                let mut extensions: Vec<_> =
                    ed.map(Extension::MaxEarlyDataSize).into_iter().collect();
                extensions.extend(unknown);
                HandshakeMessage::NewSessionTicket(NewSessionTicket {
                    ticket_lifetime: l,
                    ticket_age_add: a,
                    ticket_nonce: n,
                    ticket: t,
                    extensions: dedup(extensions),
                })
            }),
        Just(HandshakeMessage::EndOfEarlyData(EndOfEarlyData)),
        prop_oneof![
            Just(KeyUpdateRequest::UpdateNotRequested),
            Just(KeyUpdateRequest::UpdateRequested)
        ]
        .prop_map(|r| HandshakeMessage::KeyUpdate(KeyUpdate { request_update: r })),
        bytes(1, 64).prop_map(|h| HandshakeMessage::MessageHash(MessageHash { hash: h })),
        (any::<u16>(), 0u32..=0x00ff_ffff, bytes(1, 200)).prop_map(|(a, len, body)| {
            HandshakeMessage::CompressedCertificate(CompressedCertificate {
                algorithm: a.into(),
                uncompressed_length: len,
                compressed_certificate_message: body,
            })
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn handshake_messages_round_trip(m in message()) {
        let bytes = m.to_bytes().unwrap();
        let decoded = HandshakeMessage::decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &m);
        prop_assert_eq!(decoded.to_bytes().unwrap(), bytes.clone());
        // Go's habit: no strict prefix of an encoding parses.
        for n in [0, 1, 3, 4, bytes.len() / 2, bytes.len() - 1] {
            if n < bytes.len() {
                prop_assert!(HandshakeMessage::decode(&bytes[..n]).is_err());
            }
        }
        // Owned form is equal and encodes the same.
        prop_assert_eq!(decoded.clone().into_owned().to_bytes().unwrap(), bytes);
    }

    #[test]
    fn client_hello_binder_offset(ch in client_hello()) {
        let bytes = HandshakeMessage::ClientHello(ch.clone()).to_bytes().unwrap();
        match ch.psk_binders_len() {
            Some(len) => {
                let off = ch.psk_binders_offset().unwrap().unwrap();
                prop_assert_eq!(off + len, bytes.len());
                prop_assert_eq!(ch.truncated_for_binders().unwrap().unwrap(), bytes[..off].to_vec());
            }
            None => prop_assert_eq!(ch.psk_binders_offset().unwrap(), None),
        }
    }

    #[test]
    fn record_header_round_trip(t in any::<u8>(), v in any::<u16>(), len in 0u16..=16640) {
        let h = RecordHeader {
            content_type: ContentType::from(t),
            legacy_record_version: ProtocolVersion::from(v),
            length: len,
        };
        let b = h.to_bytes().unwrap();
        prop_assert_eq!(b.len(), 5);
        prop_assert_eq!(RecordHeader::decode(&b).unwrap(), h);
    }

    #[test]
    fn alert_round_trip(l in any::<u8>(), d in any::<u8>()) {
        let a = Alert { level: AlertLevel::from(l), description: AlertDescription::from(d) };
        let b = a.to_bytes().unwrap();
        prop_assert_eq!(Alert::decode(&b).unwrap(), a);
        prop_assert_eq!(b, vec![l, d]);
    }

    #[test]
    fn code_points_round_trip(v in any::<u16>()) {
        prop_assert_eq!(u16::from(CipherSuite::from(v)), v);
        prop_assert_eq!(u16::from(NamedGroup::from(v)), v);
        prop_assert_eq!(u16::from(SignatureScheme::from(v)), v);
        prop_assert_eq!(u16::from(ExtensionType::from(v)), v);
        prop_assert_eq!(u16::from(ProtocolVersion::from(v)), v);
        prop_assert_eq!(NamedGroup::Unknown(v), NamedGroup::from(v));
    }

    /// Arbitrary bytes never panic any entry point, and what parses re-encodes exactly.
    #[test]
    fn arbitrary_bytes(data in vec(any::<u8>(), 0..300)) {
        if let Ok(m) = HandshakeMessage::decode(&data) {
            prop_assert_eq!(m.to_bytes().unwrap(), data.clone());
        }
        for t in [1u8, 2, 4, 8, 11, 13, 15, 20, 24] {
            if let Ok(m) = HandshakeMessage::parse_body(t.into(), &data) {
                prop_assert_eq!(m.to_bytes().unwrap()[4..].to_vec(), data.clone());
            }
        }
        let _ = RecordHeader::decode(&data);
        let _ = Alert::decode(&data);
    }
}

/// Every shape of every extension, in the context that gives it that shape.
#[test]
fn every_extension_shape_covered() {
    use std::collections::BTreeSet;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = BTreeSet::new();
    for _ in 0..3000 {
        let m = message().new_tree(&mut runner).unwrap().current();
        let exts: Vec<Extension<'_>> = match &m {
            HandshakeMessage::ClientHello(c) => c.extensions.clone(),
            HandshakeMessage::ServerHello(s) | HandshakeMessage::HelloRetryRequest(s) => {
                s.extensions.clone()
            }
            HandshakeMessage::EncryptedExtensions(e) => e.extensions.clone(),
            HandshakeMessage::CertificateRequest(c) => c.extensions.clone(),
            HandshakeMessage::Certificate(c) => c
                .certificate_list
                .iter()
                .flat_map(|e| e.extensions.clone())
                .collect(),
            HandshakeMessage::NewSessionTicket(n) => n.extensions.clone(),
            _ => vec![],
        };
        for e in exts {
            let d = format!("{e:?}");
            seen.insert(d.split(['(', ' ', '{']).next().unwrap().to_string());
        }
    }
    // 33 shapes: 32 typed ones plus Unknown.
    assert_eq!(seen.len(), 33, "{seen:?}");
}
