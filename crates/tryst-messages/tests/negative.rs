//! Inputs the RFC forbids are rejected with the right error and alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use tryst_messages::{
    AlertDescription, CertificateRequest, CipherSuite, ClientHello, Codec, EncryptedExtensions,
    Error, ErrorKind, Extension, ExtensionType, Finished, HandshakeJoiner, HandshakeMessage,
    HandshakeType, KeyShareEntry, NamedGroup, OfferedPsks, ProtocolVersion, PskIdentity,
    RecordHeader, ServerHello, SignatureScheme, Writer,
};

const DECODE: AlertDescription = AlertDescription::DecodeError;
const ILLEGAL: AlertDescription = AlertDescription::IllegalParameter;

fn ch(extensions: Vec<Extension<'static>>) -> ClientHello<'static> {
    ClientHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [9; 32],
        legacy_session_id: Cow::Borrowed(&[]),
        cipher_suites: vec![CipherSuite::TlsAes128GcmSha256],
        legacy_compression_methods: Cow::Borrowed(&[0]),
        extensions,
    }
}

fn base_exts() -> Vec<Extension<'static>> {
    vec![
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
        Extension::KeyShareClient(vec![KeyShareEntry::new(NamedGroup::X25519, &[1; 32])]),
    ]
}

fn ch_with(extra: Vec<Extension<'static>>) -> Vec<u8> {
    let mut e = base_exts();
    e.extend(extra);
    HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap()
}

fn decode_err(bytes: &[u8]) -> Error {
    HandshakeMessage::decode(bytes).expect_err("must not parse")
}

fn psk(n_binders: usize, binder_len: usize) -> Extension<'static> {
    psk_n(1, n_binders, binder_len)
}

fn psk_n(n_identities: usize, n_binders: usize, binder_len: usize) -> Extension<'static> {
    Extension::PreSharedKeyOffer(OfferedPsks {
        identities: vec![
            PskIdentity {
                identity: Cow::Borrowed(b"ticket"),
                obfuscated_ticket_age: 7,
            };
            n_identities
        ],
        binders: vec![Cow::Owned(vec![0; binder_len]); n_binders],
    })
}

#[test]
fn valid_baseline_parses() {
    HandshakeMessage::decode(&ch_with(vec![])).unwrap();
    HandshakeMessage::decode(&ch_with(vec![psk(1, 32)])).unwrap();
}

#[test]
fn duplicate_extension() {
    let bytes = ch_with(vec![
        Extension::PostHandshakeAuth,
        Extension::PostHandshakeAuth,
    ]);
    let e = decode_err(&bytes);
    assert_eq!(
        e.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::PostHandshakeAuth)
    );
    assert_eq!(e.alert(), ILLEGAL);
    assert_eq!(e.field(), "ClientHello.extensions");

    // Duplicates of unknown types too, and in other messages.
    let unknown = Extension::Unknown {
        typ: ExtensionType::from(0x7777),
        data: Cow::Borrowed(b"x"),
    };
    let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        extensions: vec![unknown.clone(), Extension::EarlyData, unknown],
    });
    let e = decode_err(&ee.to_bytes().unwrap());
    assert_eq!(e.kind(), ErrorKind::DuplicateExtension(0x7777.into()));
    assert_eq!(e.alert(), ILLEGAL);
}

#[test]
fn pre_shared_key_not_last() {
    let mut e = base_exts();
    e.insert(0, psk(1, 32));
    let bytes = HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap();
    let err = decode_err(&bytes);
    assert_eq!(err.kind(), ErrorKind::PreSharedKeyNotLast);
    assert_eq!(err.alert(), ILLEGAL);
}

#[test]
fn psk_binder_rules() {
    // Binder shorter than 32 bytes.
    let err = decode_err(&ch_with(vec![psk_n(2, 2, 31)]));
    assert_eq!(err.field(), "PskBinderEntry");
    assert_eq!(err.alert(), DECODE);
    // Binder count differs from identity count.
    let err = decode_err(&ch_with(vec![psk(2, 32)]));
    assert_eq!(err.kind(), ErrorKind::IllegalValue);
    assert_eq!(err.alert(), ILLEGAL);
}

#[test]
fn empty_supported_versions() {
    let mut e = base_exts();
    e[0] = Extension::SupportedVersions(vec![]);
    let err = decode_err(&HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap());
    assert_eq!(err.field(), "supported_versions");
    assert!(matches!(
        err.kind(),
        ErrorKind::LengthOutOfRange { got: 0, .. }
    ));
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn empty_cipher_suites() {
    let mut c = ch(base_exts());
    c.cipher_suites.clear();
    let err = decode_err(&HandshakeMessage::ClientHello(c).to_bytes().unwrap());
    assert_eq!(err.field(), "ClientHello.cipher_suites");
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn odd_cipher_suites_length() {
    let mut bytes = HandshakeMessage::ClientHello(ch(base_exts()))
        .to_bytes()
        .unwrap();
    // header(4) + version(2) + random(32) + sid len(1) = 39: cipher_suites length.
    assert_eq!(&bytes[39..41], &[0, 2]);
    bytes[40] = 3;
    let err = decode_err(&bytes);
    assert_eq!(err.kind(), ErrorKind::RaggedList);
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn empty_compression_methods() {
    let mut c = ch(base_exts());
    c.legacy_compression_methods = Cow::Borrowed(&[]);
    let err = decode_err(&HandshakeMessage::ClientHello(c).to_bytes().unwrap());
    assert_eq!(err.field(), "ClientHello.legacy_compression_methods");
}

#[test]
fn session_id_too_long() {
    let mut c = ch(base_exts());
    c.legacy_session_id = Cow::Owned(vec![1; 33]);
    let err = decode_err(&HandshakeMessage::ClientHello(c).to_bytes().unwrap());
    assert_eq!(
        err.kind(),
        ErrorKind::LengthOutOfRange {
            got: 33,
            min: 0,
            max: 32
        }
    );
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn alpn_rules() {
    let err = decode_err(&ch_with(vec![Extension::Alpn(vec![
        Cow::Borrowed(b"h2"),
        Cow::Borrowed(b""),
    ])]));
    assert_eq!(err.field(), "ProtocolName");
    assert_eq!(err.alert(), DECODE);
    let err = decode_err(&ch_with(vec![Extension::Alpn(vec![])]));
    assert_eq!(err.alert(), DECODE);
    // The server selects exactly one.
    let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        extensions: vec![Extension::Alpn(vec![
            Cow::Borrowed(b"h2"),
            Cow::Borrowed(b"http/1.1"),
        ])],
    });
    let err = decode_err(&ee.to_bytes().unwrap());
    assert_eq!(err.alert(), ILLEGAL);
}

#[test]
fn key_share_rules() {
    let mut e = base_exts();
    e[1] = Extension::KeyShareClient(vec![KeyShareEntry::new(NamedGroup::X25519, &[])]);
    let err = decode_err(&HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap());
    assert_eq!(err.field(), "KeyShareEntry.key_exchange");
    assert_eq!(err.alert(), DECODE);

    let mut e = base_exts();
    e[1] = Extension::KeyShareClient(vec![
        KeyShareEntry::new(NamedGroup::X25519, &[1]),
        KeyShareEntry::new(NamedGroup::X25519, &[2]),
    ]);
    let err = decode_err(&HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap());
    assert_eq!(err.kind(), ErrorKind::DuplicateItem);
    assert_eq!(err.alert(), ILLEGAL);

    // An empty client_shares list is allowed (RFC 8446 §4.2.8: the client may ask for HRR).
    let mut e = base_exts();
    e[1] = Extension::KeyShareClient(vec![]);
    HandshakeMessage::decode(&HandshakeMessage::ClientHello(ch(e)).to_bytes().unwrap()).unwrap();
}

#[test]
fn forbidden_values() {
    for (ext, field) in [
        (Extension::RecordSizeLimit(63), "record_size_limit"),
        (Extension::MaxFragmentLength(5), "max_fragment_length"),
        (Extension::MaxFragmentLength(0), "max_fragment_length"),
    ] {
        let err = decode_err(&ch_with(vec![ext]));
        assert_eq!(err.field(), field);
        assert_eq!(err.kind(), ErrorKind::IllegalValue);
        assert_eq!(err.alert(), ILLEGAL);
    }
    let err = HandshakeMessage::decode(&[24, 0, 0, 1, 2]).unwrap_err();
    assert_eq!(err.field(), "KeyUpdate.request_update");
    assert_eq!(err.alert(), ILLEGAL);
}

#[test]
fn empty_extension_with_data() {
    // post_handshake_auth must be empty.
    let bytes = ch_with(vec![Extension::Unknown {
        typ: ExtensionType::PostHandshakeAuth,
        data: Cow::Borrowed(&[0]),
    }]);
    let err = decode_err(&bytes);
    assert_eq!(err.kind(), ErrorKind::TrailingBytes);
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn extension_length_beyond_block() {
    let mut bytes = ch_with(vec![Extension::PostHandshakeAuth]);
    // Last extension: type 00 31, length 00 00. Claim one byte of data that is not there.
    let n = bytes.len();
    assert_eq!(&bytes[n - 4..], &[0x00, 0x31, 0x00, 0x00]);
    bytes[n - 1] = 1;
    let err = decode_err(&bytes);
    assert_eq!(err.kind(), ErrorKind::Truncated);
    assert_eq!(err.alert(), DECODE);
}

#[test]
fn certificate_request_needs_signature_algorithms() {
    let cr = HandshakeMessage::CertificateRequest(CertificateRequest {
        certificate_request_context: Cow::Borrowed(&[]),
        extensions: vec![Extension::SignatureAlgorithmsCert(vec![
            SignatureScheme::Ed25519,
        ])],
    });
    let err = decode_err(&cr.to_bytes().unwrap());
    assert_eq!(
        err.kind(),
        ErrorKind::MissingExtension(ExtensionType::SignatureAlgorithms)
    );
    assert_eq!(err.alert(), AlertDescription::MissingExtension);
}

#[test]
fn server_hello_extension_rules() {
    let sh = |extensions| {
        HandshakeMessage::ServerHello(ServerHello {
            legacy_version: ProtocolVersion::Tls12,
            random: [3; 32],
            legacy_session_id_echo: Cow::Borrowed(&[]),
            cipher_suite: CipherSuite::TlsAes128GcmSha256,
            legacy_compression_method: 0,
            extensions,
        })
        .to_bytes()
        .unwrap()
    };
    let err = decode_err(&sh(vec![]));
    assert_eq!(err.field(), "ServerHello.extensions");
    let err = decode_err(&sh(vec![
        Extension::SelectedVersion(ProtocolVersion::Tls13),
        Extension::SelectedVersion(ProtocolVersion::Tls13),
    ]));
    assert_eq!(err.alert(), ILLEGAL);
}

#[test]
fn unexpected_handshake_types() {
    // (25, compressed_certificate, is a message since RFC 8879: tests/compressed_certificate.rs.)
    for t in [0u8, 3, 6, 12, 14, 16, 21, 22, 23, 200] {
        let err = HandshakeMessage::decode(&[t, 0, 0, 0]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedMessage, "type {t}");
        assert_eq!(err.alert(), AlertDescription::UnexpectedMessage);
    }
}

#[test]
fn finished_length() {
    assert_eq!(
        HandshakeMessage::decode(&[20, 0, 0, 0])
            .unwrap_err()
            .alert(),
        DECODE
    );
    let mut long = vec![20, 0, 0, 65];
    long.extend([0; 65]);
    assert_eq!(HandshakeMessage::decode(&long).unwrap_err().alert(), DECODE);
    let f = Finished::decode(&[1; 32]).unwrap();
    f.check_hash_len(32).unwrap();
    assert_eq!(f.check_hash_len(48).unwrap_err().alert(), DECODE);
    let mut r = tryst_messages::Reader::new(&[1; 48]);
    assert!(Finished::read_with_hash_len(&mut r, 48).is_ok());
    assert!(r.is_empty());
    let mut r = tryst_messages::Reader::new(&[1; 31]);
    assert!(Finished::read_with_hash_len(&mut r, 32).is_err());
}

#[test]
fn record_overflow() {
    RecordHeader::decode(&[23, 3, 3, 0x41, 0x00]).unwrap();
    let err = RecordHeader::decode(&[23, 3, 3, 0x41, 0x01]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RecordOverflow { got: 16641 });
    assert_eq!(err.alert(), AlertDescription::RecordOverflow);
}

#[test]
fn joiner_caps() {
    // Default cap: 64 KiB bodies.
    let mut j = HandshakeJoiner::new();
    j.push(&[11, 0x01, 0x00, 0x00]).unwrap();
    let mut j = HandshakeJoiner::new();
    let err = j.push(&[11, 0x01, 0x00, 0x01]).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::MessageTooLarge { got: 65537, .. }
    ));
    assert_eq!(err.alert(), DECODE);

    // A configured cap, detected from the header alone, even mid-record.
    let mut j = HandshakeJoiner::with_max_message_len(100);
    assert_eq!(j.max_message_len(), 100);
    let mut two = vec![20, 0, 0, 32];
    two.extend([0; 32]);
    two.extend([11, 0, 0, 101]);
    assert!(j.push(&two).is_err());

    // Pushing without draining is bounded.
    let mut j = HandshakeJoiner::with_max_message_len(16);
    let mut err = None;
    for _ in 0..10_000 {
        if let Err(e) = j.push(&[5, 0, 0, 0]) {
            err = Some(e);
            break;
        }
    }
    assert!(err.is_some());
    assert!(j.buffered_len() <= 16 + 4 + tryst_messages::MAX_CIPHERTEXT_LEN);
}

#[test]
fn joiner_boundary_and_batching() {
    let mut j = HandshakeJoiner::new();
    assert!(j.at_message_boundary());
    // Two messages and half of a third in one record.
    let mut rec = vec![5, 0, 0, 0, 24, 0, 0, 1, 0, 20, 0];
    j.push(&rec).unwrap();
    assert_eq!(
        j.next_message().unwrap().unwrap().typ,
        HandshakeType::EndOfEarlyData
    );
    assert_eq!(
        j.next_message().unwrap().unwrap().typ,
        HandshakeType::KeyUpdate
    );
    assert!(j.next_message().unwrap().is_none());
    assert!(!j.at_message_boundary());
    rec = vec![0, 2, 0xaa, 0xbb];
    j.push(&rec).unwrap();
    let m = j.next_message().unwrap().unwrap();
    assert_eq!(m.encoded, &[20, 0, 0, 2, 0xaa, 0xbb]);
    assert!(matches!(m.parse().unwrap(), HandshakeMessage::Finished(_)));
    assert!(j.at_message_boundary());
}

#[test]
fn encoder_overflow_is_an_error() {
    let name = vec![b'a'; 256];
    let c = ch(vec![Extension::Alpn(vec![Cow::Owned(name)])]);
    let err = HandshakeMessage::ClientHello(c).to_bytes().unwrap_err();
    assert_eq!(err.field(), "ProtocolName");
    assert_eq!(err.kind(), ErrorKind::EncodeOverflow { max: 255 });
    let mut w = Writer::new();
    w.u24("x", 1 << 24);
    assert!(w.finish().is_err());
}

#[test]
fn errors_display_field_and_alert() {
    let err = decode_err(&ch_with(vec![psk_n(2, 2, 31)]));
    let s = err.to_string();
    assert!(s.contains("PskBinderEntry"), "{s}");
    assert!(s.contains("decode_error"), "{s}");
}

#[test]
fn unknown_code_points_survive() {
    let mut c = ch(base_exts());
    c.cipher_suites = vec![CipherSuite::from(0x0a0a), CipherSuite::TlsAes256GcmSha384];
    c.extensions.push(Extension::Unknown {
        typ: ExtensionType::from(0x1a1a),
        data: Cow::Borrowed(&[]),
    });
    let bytes = HandshakeMessage::ClientHello(c.clone()).to_bytes().unwrap();
    let HandshakeMessage::ClientHello(back) = HandshakeMessage::decode(&bytes).unwrap() else {
        panic!()
    };
    assert_eq!(back, c);
    assert_eq!(back.cipher_suites[0], CipherSuite::Unknown(0x0a0a));
    assert_eq!(format!("{:?}", back.cipher_suites[0]), "CipherSuite(0xa0a)");
    assert_eq!(NamedGroup::X25519MlKem768.to_raw(), 0x11ec);
    assert_eq!(NamedGroup::from(0x11ec), NamedGroup::X25519MlKem768);
    assert_eq!(AlertDescription::ALL.len(), 35); // with ech_required (RFC 9849)
}

#[test]
fn known_extension_in_wrong_message_is_kept_raw() {
    // key_share has no shape in EncryptedExtensions; the codec keeps it for the state
    // machine, which answers illegal_parameter (RFC 8446 §4.2) using `allowed_in`.
    let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        extensions: vec![Extension::Unknown {
            typ: ExtensionType::KeyShare,
            data: Cow::Borrowed(&[0, 0x1d, 0, 1, 5]),
        }],
    });
    let bytes = ee.to_bytes().unwrap();
    assert_eq!(HandshakeMessage::decode(&bytes).unwrap(), ee);
    assert!(!tryst_messages::allowed_in(
        ExtensionType::KeyShare,
        tryst_messages::ExtensionContext::EncryptedExtensions
    ));
}
