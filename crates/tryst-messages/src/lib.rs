//! `tryst-messages`: the TLS 1.3 wire codec.
//!
//! It is the layer that turns bytes into messages and back: record headers, alerts,
//! change_cipher_spec, the handshake framing and a reassembler for it, every TLS 1.3
//! handshake message (RFC 8446 §4) and the extensions they carry, and the code points
//! (cipher suites, groups, signature schemes ...) as open enums; and the ECH
//! configuration ([`EchConfigList`], RFC 9849 §4) that DNS records and `retry_configs` carry.
//!
//! It is **not** a TLS implementation: it does no cryptography, keeps no state between
//! messages, and does not decide whether a message is acceptable at this point of the
//! handshake; the state machine in the `tryst` crate does. It does enforce everything
//! that can be checked on one message alone: lengths and their ranges, trailing bytes,
//! duplicate extensions, `pre_shared_key` last, values the RFC forbids, and caps on the
//! lists whose items cost a receiver work ([`MAX_KEY_SHARES`], [`MAX_PSK_IDENTITIES`]).
//! A hello of an older TLS version is read with [`ClientHello::peek_versions`] /
//! [`ServerHello::peek_versions`], so version negotiation can come first. Once TLS 1.2
//! is negotiated, [`RawHandshake::parse_tls12`] / [`Tls12HandshakeMessage`] read each
//! message with its TLS 1.2 meaning (ECDHE key exchange, the 1.2 Certificate,
//! CertificateRequest and NewSessionTicket, 12-byte Finished).
//!
//! Design:
//!
//! - **Zero-copy.** Parsed messages borrow byte fields from the input (`Cow::Borrowed`);
//!   `into_owned()` turns any message into a `'static` one to store.
//! - **One [`Reader`].** All input goes through a cursor that cannot index out of bounds;
//!   each length prefix opens a sub-reader that must be consumed exactly; public entry
//!   points ([`Codec::decode`]) reject trailing bytes. Nothing panics on any input.
//! - **Lengths by scope.** [`Writer`] writes length prefixes around closures, so an
//!   encoder cannot get a length wrong; overflow is an error from [`Writer::finish`].
//! - **Errors name the field** and carry the alert to send ([`Error::alert`]):
//!   `decode_error` for malformed input, `illegal_parameter` for forbidden values.
//! - `no_std` + `alloc`; the `std` feature adds `std::error::Error` for [`Error`].
//!
//! ```
//! use tryst_messages::{
//!     CipherSuite, ClientHello, Codec, Extension, HandshakeJoiner, HandshakeMessage,
//!     KeyShareEntry, NamedGroup, ProtocolVersion,
//! };
//!
//! let key = [7u8; 32];
//! let hello = HandshakeMessage::ClientHello(ClientHello {
//!     legacy_version: ProtocolVersion::Tls12,
//!     random: [1; 32],
//!     legacy_session_id: (&[][..]).into(),
//!     cipher_suites: vec![CipherSuite::TlsAes128GcmSha256],
//!     legacy_compression_methods: (&[0u8][..]).into(),
//!     extensions: vec![
//!         Extension::SupportedVersions(vec![ProtocolVersion::Tls13]),
//!         Extension::SupportedGroups(vec![NamedGroup::X25519]),
//!         Extension::KeyShareClient(vec![KeyShareEntry::new(NamedGroup::X25519, &key)]),
//!     ],
//! });
//! let bytes = hello.to_bytes()?;
//!
//! // The message arrives split over two records.
//! let (first, second) = bytes.split_at(10);
//! let mut joiner = HandshakeJoiner::new();
//! joiner.push(first)?;
//! assert!(joiner.next_message()?.is_none());
//! joiner.push(second)?;
//! let raw = joiner.next_message()?.expect("a whole message");
//! let parsed = raw.parse()?;
//! assert_eq!(parsed, hello);
//! assert_eq!(parsed.to_bytes()?, raw.encoded);
//! assert!(joiner.at_message_boundary());
//!
//! // Truncated input is a decode_error naming the field.
//! let err = HandshakeMessage::decode(&bytes[..bytes.len() - 1]).unwrap_err();
//! assert_eq!(err.alert(), tryst_messages::AlertDescription::DecodeError);
//! # Ok::<(), tryst_messages::Error>(())
//! ```
#![no_std]
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

mod codec;
mod ech;
mod enums;
mod error;
mod extensions;
mod handshake;
mod messages;
mod record;
mod tls12;

pub use codec::{Codec, Reader, Writer};
pub use ech::{
    ECH_VERSION, EchConfig, EchConfigContents, EchConfigExtension, EchConfigList, HpkeKeyConfig,
    HpkeSymmetricCipherSuite, MAX_ECH_CIPHER_SUITES, MAX_ECH_CONFIG_EXTENSIONS, MAX_ECH_CONFIGS,
};
pub use enums::{
    AlertDescription, AlertLevel, CertificateCompressionAlgorithm, CipherSuite,
    ClientCertificateType, ContentType, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme,
};
pub use error::{Error, ErrorKind};
pub use extensions::{
    Bytes, Extension, ExtensionContext, KeyShareEntry, MAX_KEY_SHARES, MAX_PSK_IDENTITIES,
    OcspStatusRequest, OfferedPsks, OidFilter, PskIdentity, ServerName, allowed_in,
    encode_extensions, read_extensions,
};
pub use handshake::{HANDSHAKE_HEADER_LEN, HandshakeJoiner, HandshakeMessage, RawHandshake};
pub use messages::{
    Certificate, CertificateEntry, CertificateRequest, CertificateVerify, ClientHello,
    CompressedCertificate, EncryptedExtensions, EndOfEarlyData, Finished,
    HELLO_RETRY_REQUEST_RANDOM, HelloVersions, KeyUpdate, KeyUpdateRequest, MAX_HASH_LEN,
    MessageHash, NewSessionTicket, ServerHello,
};
/// The README's example, run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use record::{Alert, ChangeCipherSpec, MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, RecordHeader};
pub use tls12::{
    CertificateStatus, ClientKeyExchange, EcdheServerParams, MAX_CERTIFICATE_AUTHORITIES,
    MAX_TLS12_CERTIFICATES, ServerKeyExchange, TLS12_VERIFY_DATA_LEN, Tls12Certificate,
    Tls12CertificateRequest, Tls12HandshakeMessage, Tls12NewSessionTicket,
};
