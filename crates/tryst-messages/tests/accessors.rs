//! The typed extension accessors on the messages: each returns what was sent (checked on
//! the parsed message), `None`/`false` when the extension is absent, and the first of two
//! only in a hand-built message, since the parser refuses duplicates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use tryst_messages::{
    CertificateRequest, CipherSuite, ClientHello, Codec, EncryptedExtensions, ErrorKind, Extension,
    ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeMessage, KeyShareEntry, NamedGroup,
    NewSessionTicket, OfferedPsks, ProtocolVersion, PskIdentity, PskKeyExchangeMode, ServerHello,
    ServerName, SignatureScheme,
};

fn b(v: &'static [u8]) -> Cow<'static, [u8]> {
    Cow::Borrowed(v)
}

fn client_hello(extensions: Vec<Extension<'static>>) -> ClientHello<'static> {
    ClientHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [3; 32],
        legacy_session_id: b(&[]),
        cipher_suites: vec![CipherSuite::TlsAes128GcmSha256],
        legacy_compression_methods: b(&[0]),
        extensions,
    }
}

fn server_hello(random: [u8; 32], extensions: Vec<Extension<'static>>) -> ServerHello<'static> {
    ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random,
        legacy_session_id_echo: b(&[]),
        cipher_suite: CipherSuite::TlsAes128GcmSha256,
        legacy_compression_method: 0,
        extensions,
    }
}

/// Encode and parse back, so the accessors are checked on what a peer would see.
fn reparse<'a, T: Codec<'a>>(m: &T, bytes: &'a mut Vec<u8>) -> T {
    *bytes = m.to_bytes().unwrap();
    T::decode(bytes).unwrap()
}

fn psks() -> OfferedPsks<'static> {
    OfferedPsks {
        identities: vec![PskIdentity {
            identity: b(b"ticket"),
            obfuscated_ticket_age: 7,
        }],
        binders: vec![Cow::Owned(vec![0xbb; 32])],
    }
}

#[test]
fn client_hello_accessors_return_what_was_sent() {
    let sent = client_hello(vec![
        // A name of another type first: server_name() is the host_name entry.
        Extension::ServerName(vec![
            ServerName {
                name_type: 7,
                name: b(b"other"),
            },
            ServerName::host_name(b"example.com"),
        ]),
        Extension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup::Secp256r1]),
        Extension::KeyShareClient(vec![KeyShareEntry::new(NamedGroup::X25519, &[1; 32])]),
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13, ProtocolVersion::Tls12]),
        Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]),
        Extension::SignatureAlgorithmsCert(vec![SignatureScheme::EcdsaSecp256r1Sha256]),
        Extension::Alpn(vec![b(b"h2"), b(b"http/1.1")]),
        Extension::Cookie(b(b"cookie")),
        Extension::PskKeyExchangeModes(vec![PskKeyExchangeMode::PskDheKe]),
        Extension::RecordSizeLimit(512),
        Extension::EarlyData,
        Extension::CertificateAuthorities(vec![b(b"CA1"), b(b"CA2")]),
        Extension::PreSharedKeyOffer(psks()),
    ]);
    let mut bytes = Vec::new();
    let ch = reparse(&sent, &mut bytes);
    assert_eq!(ch.server_name(), Some(&b"example.com"[..]));
    assert_eq!(
        ch.supported_groups(),
        Some(&[NamedGroup::X25519, NamedGroup::Secp256r1][..])
    );
    let shares = ch.key_shares().unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].group, NamedGroup::X25519);
    assert_eq!(shares[0].key_exchange.as_ref(), &[1; 32]);
    assert_eq!(
        ch.supported_versions(),
        Some(&[ProtocolVersion::Tls13, ProtocolVersion::Tls12][..])
    );
    assert_eq!(
        ch.signature_algorithms(),
        Some(&[SignatureScheme::Ed25519][..])
    );
    assert_eq!(
        ch.signature_algorithms_cert(),
        Some(&[SignatureScheme::EcdsaSecp256r1Sha256][..])
    );
    assert_eq!(ch.alpn_protocols(), Some(&[b(b"h2"), b(b"http/1.1")][..]));
    assert_eq!(ch.cookie(), Some(&b"cookie"[..]));
    assert_eq!(
        ch.psk_key_exchange_modes(),
        Some(&[PskKeyExchangeMode::PskDheKe][..])
    );
    assert_eq!(ch.record_size_limit(), Some(512));
    assert!(ch.early_data());
    assert_eq!(
        ch.certificate_authorities(),
        Some(&[b(b"CA1"), b(b"CA2")][..])
    );
    assert_eq!(ch.pre_shared_key(), Some(&psks()));
}

#[test]
fn client_hello_accessors_without_the_extensions() {
    // The parser needs 8 bytes of extensions; an unknown one carries nothing the
    // accessors know.
    let sent = client_hello(vec![Extension::Unknown {
        typ: ExtensionType::from(0x7777),
        data: b(&[0; 4]),
    }]);
    let mut bytes = Vec::new();
    let ch = reparse(&sent, &mut bytes);
    assert_eq!(ch.supported_versions(), None);
    assert_eq!(ch.key_shares(), None);
    assert_eq!(ch.supported_groups(), None);
    assert_eq!(ch.signature_algorithms(), None);
    assert_eq!(ch.signature_algorithms_cert(), None);
    assert_eq!(ch.server_name(), None);
    assert_eq!(ch.alpn_protocols(), None);
    assert_eq!(ch.psk_key_exchange_modes(), None);
    assert_eq!(ch.pre_shared_key(), None);
    assert_eq!(ch.cookie(), None);
    assert_eq!(ch.record_size_limit(), None);
    assert!(!ch.early_data());
    assert_eq!(ch.certificate_authorities(), None);
    assert_eq!(ch.binders_prefix(&[0; 64]), None);
    assert_eq!(ch.truncated_for_binders().unwrap(), None);
}

#[test]
fn server_name_without_a_host_name_entry_is_none() {
    let sent = client_hello(vec![
        Extension::ServerName(vec![ServerName {
            name_type: 7,
            name: b(b"other"),
        }]),
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
    ]);
    let mut bytes = Vec::new();
    assert_eq!(reparse(&sent, &mut bytes).server_name(), None);
}

#[test]
fn binders_prefix_of_the_received_bytes_matches_the_encoded_truncation() {
    let sent = client_hello(vec![
        Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
        Extension::PreSharedKeyOffer(psks()),
    ]);
    let encoded = HandshakeMessage::ClientHello(sent.clone())
        .to_bytes()
        .unwrap();
    let prefix = sent.binders_prefix(&encoded).unwrap();
    // Two bytes of list length, then one length byte and 32 bytes per binder.
    assert_eq!(prefix, &encoded[..encoded.len() - (2 + 1 + 32)]);
    assert_eq!(sent.truncated_for_binders().unwrap().unwrap(), prefix);
    assert_eq!(sent.binders_prefix(&encoded[..10]), None);
}

#[test]
fn server_hello_accessors() {
    let sent = server_hello(
        [5; 32],
        vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(NamedGroup::X25519, &[2; 32])),
            Extension::PreSharedKeySelected(0),
        ],
    );
    let mut bytes = Vec::new();
    let sh = reparse(&sent, &mut bytes);
    assert_eq!(sh.selected_version(), Some(ProtocolVersion::Tls13));
    let share = sh.key_share().unwrap();
    assert_eq!(share.group, NamedGroup::X25519);
    assert_eq!(share.key_exchange.as_ref(), &[2; 32]);
    assert_eq!(sh.selected_psk(), Some(0));
    // Only a HelloRetryRequest has these shapes.
    assert_eq!(sh.cookie(), None);
    assert_eq!(sh.hello_retry_group(), None);

    // The parser needs 6 bytes of extensions.
    let empty = server_hello(
        [5; 32],
        vec![Extension::Unknown {
            typ: ExtensionType::from(0x7777),
            data: b(&[0; 2]),
        }],
    );
    let sh = reparse(&empty, &mut bytes);
    assert_eq!(sh.selected_version(), None);
    assert_eq!(sh.key_share(), None);
    assert_eq!(sh.selected_psk(), None);
}

#[test]
fn hello_retry_request_accessors() {
    let sent = server_hello(
        HELLO_RETRY_REQUEST_RANDOM,
        vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareHelloRetry(NamedGroup::Secp256r1),
            Extension::Cookie(b(b"state")),
        ],
    );
    let mut bytes = Vec::new();
    let hrr = reparse(&sent, &mut bytes);
    assert!(hrr.is_hello_retry_request());
    assert_eq!(hrr.selected_version(), Some(ProtocolVersion::Tls13));
    assert_eq!(hrr.hello_retry_group(), Some(NamedGroup::Secp256r1));
    assert_eq!(hrr.cookie(), Some(&b"state"[..]));
    // The ServerHello shapes are absent in a HelloRetryRequest.
    assert_eq!(hrr.key_share(), None);
    assert_eq!(hrr.selected_psk(), None);

    let bare = server_hello(
        HELLO_RETRY_REQUEST_RANDOM,
        vec![Extension::SelectedVersion(ProtocolVersion::Tls13)],
    );
    let hrr = reparse(&bare, &mut bytes);
    assert_eq!(hrr.hello_retry_group(), None);
    assert_eq!(hrr.cookie(), None);
}

#[test]
fn encrypted_extensions_accessors() {
    let sent = EncryptedExtensions {
        extensions: vec![
            Extension::ServerNameAck,
            Extension::Alpn(vec![b(b"h2")]),
            Extension::RecordSizeLimit(1024),
            Extension::EarlyData,
        ],
    };
    let mut bytes = Vec::new();
    let ee = reparse(&sent, &mut bytes);
    assert!(ee.server_name_ack());
    assert_eq!(ee.alpn(), Some(&[b(b"h2")][..]));
    assert_eq!(ee.record_size_limit(), Some(1024));
    assert!(ee.early_data());

    let ee = reparse(&EncryptedExtensions::default(), &mut bytes);
    assert!(!ee.server_name_ack());
    assert_eq!(ee.alpn(), None);
    assert_eq!(ee.record_size_limit(), None);
    assert!(!ee.early_data());
}

#[test]
fn certificate_request_accessors() {
    let sent = CertificateRequest {
        certificate_request_context: b(&[]),
        extensions: vec![
            Extension::SignatureAlgorithms(vec![SignatureScheme::Ed25519]),
            Extension::CertificateAuthorities(vec![b(b"CA")]),
        ],
    };
    let mut bytes = Vec::new();
    let cr = reparse(&sent, &mut bytes);
    assert_eq!(
        cr.signature_algorithms(),
        Some(&[SignatureScheme::Ed25519][..])
    );
    assert_eq!(cr.certificate_authorities(), Some(&[b(b"CA")][..]));

    // signature_algorithms is mandatory, so only a hand-built message lacks it.
    let bare = CertificateRequest {
        certificate_request_context: b(&[]),
        extensions: Vec::new(),
    };
    assert_eq!(bare.signature_algorithms(), None);
    assert_eq!(bare.certificate_authorities(), None);
}

#[test]
fn new_session_ticket_accessor() {
    let nst = |extensions| NewSessionTicket {
        ticket_lifetime: 60,
        ticket_age_add: 1,
        ticket_nonce: b(&[0]),
        ticket: b(b"t"),
        extensions,
    };
    let mut bytes = Vec::new();
    let with = reparse(&nst(vec![Extension::MaxEarlyDataSize(16384)]), &mut bytes);
    assert_eq!(with.max_early_data_size(), Some(16384));
    let without = reparse(&nst(Vec::new()), &mut bytes);
    assert_eq!(without.max_early_data_size(), None);
}

#[test]
fn duplicates_exist_only_in_hand_built_messages_and_the_first_wins() {
    let dup = client_hello(vec![
        Extension::Cookie(b(b"first")),
        Extension::RecordSizeLimit(100),
        Extension::Cookie(b(b"second")),
    ]);
    assert_eq!(dup.cookie(), Some(&b"first"[..]));
    assert_eq!(dup.record_size_limit(), Some(100));
    // The parser refuses them, so a received message never has two.
    let bytes = dup.to_bytes().unwrap();
    let err = ClientHello::decode(&bytes).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::Cookie)
    );

    let dup = server_hello(
        [5; 32],
        vec![
            Extension::PreSharedKeySelected(1),
            Extension::PreSharedKeySelected(2),
        ],
    );
    assert_eq!(dup.selected_psk(), Some(1));
    let bytes = dup.to_bytes().unwrap();
    let err = ServerHello::decode(&bytes).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::PreSharedKey)
    );

    let dup = EncryptedExtensions {
        extensions: vec![Extension::EarlyData, Extension::EarlyData],
    };
    assert!(dup.early_data());
    let bytes = dup.to_bytes().unwrap();
    let err = EncryptedExtensions::decode(&bytes).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::DuplicateExtension(ExtensionType::EarlyData)
    );
}
