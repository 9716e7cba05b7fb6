//! `tryst-record`: the TLS 1.3 record layer (RFC 8446 §5).
//!
//! What it is: the part of TLS where the session keys do their work. One small struct per
//! direction (like Go's `halfConn`):
//!
//! - [`RecordEncrypter`] fragments outgoing content into records of at most 2^14 bytes (or
//!   the peer's `record_size_limit`, RFC 8449), builds TLSInnerPlaintext with a
//!   [`Padding`] policy, seals it under nonce = IV ⊕ sequence number with the record
//!   header as associated data, refuses to wrap the sequence number and reports when the
//!   AEAD usage limit is near ([`RecordEncrypter::needs_key_update`]). Records go into a
//!   `Vec<u8>` (content copied in, sealed in place), a [`SendBuffer`] (sealed straight in
//!   from the caller's data, in reused memory) or a caller's slice
//!   ([`RecordEncrypter::write_into`]).
//! - [`RecordDecrypter`] checks headers, opens records in place (the tag is checked before
//!   any plaintext is released), strips padding, recovers the inner content type, drops
//!   the middlebox-compatibility change_cipher_spec, skips rejected 0-RTT data within a
//!   budget, tracks close_notify and maps every failure to its alert ([`Error::alert`]).
//! - [`Deframer`] turns transport bytes split anywhere into whole records, buffering at
//!   most one maximum-size record.
//!
//! TLS 1.2 (RFC 5246 §6.2.3.3) is a mode chosen when a key is installed
//! ([`RecordEncrypter::set_key_tls12`], [`RecordDecrypter::set_key_tls12`]): explicit
//! 8-byte nonce for AES-GCM (RFC 5288), IV ⊕ seq for ChaCha20-Poly1305 (RFC 7905), the
//! 1.2 additional data, no inner content type, and ChangeCipherSpec delivered as
//! [`Message::ChangeCipherSpec`] when expected.
//!
//! What it is not: it does not parse handshake messages (that is `tryst-messages`), derive
//! keys (`tryst-keyschedule`) or decide what is acceptable when (the state machine in
//! `tryst`). It does no I/O: bytes come in through [`Deframer::push`] and go out in
//! caller-provided buffers. Once running, sealing and opening allocate nothing.
//!
//! `no_std` + `alloc` with default features off.
//!
//! ```
//! use tryst_crypto::{AeadKey, Iv, AES_128_GCM};
//! use tryst_messages::ContentType;
//! use tryst_record::{Deframer, Message, RecordDecrypter, RecordEncrypter};
//!
//! let key = AeadKey::from_slice(&[0x42; 16])?;
//! let iv = [0x24; 12];
//!
//! let mut send = RecordEncrypter::new();
//! send.set_key(AES_128_GCM, &key, Iv::from_slice(&iv)?)?;
//! let mut wire = Vec::new();
//! send.write(ContentType::ApplicationData, b"hello, record layer", &mut wire)?;
//! send.write_close_notify(&mut wire)?;
//!
//! let mut recv = RecordDecrypter::new();
//! recv.set_key(AES_128_GCM, &key, Iv::from_slice(&iv)?)?;
//! let mut deframer = Deframer::new();
//! let mut got = Vec::new();
//! // Feed the bytes in small pieces, as a transport might deliver them.
//! for piece in wire.chunks(7) {
//!     let mut rest = piece;
//!     while !rest.is_empty() {
//!         let taken = deframer.push(rest);
//!         rest = &rest[taken..];
//!         while let Some(msg) = deframer.next_record(&mut recv)? {
//!             match msg {
//!                 Message::ApplicationData(data) => got.extend_from_slice(data),
//!                 Message::CloseNotify => got.extend_from_slice(b" [closed]"),
//!                 other => panic!("unexpected {other:?}"),
//!             }
//!         }
//!     }
//! }
//! assert_eq!(got, b"hello, record layer [closed]");
//! // The peer closed cleanly, so end of input is not a truncation.
//! deframer.end_of_input(&recv)?;
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
#![no_std]
// Functions stay short enough to read (issue 14); the threshold is in clippy.toml.
#![warn(clippy::too_many_lines)]

#[cfg(feature = "std")]
extern crate std;

extern crate alloc;

mod decrypt;
mod deframe;
mod encrypt;
mod error;
mod sendbuf;

pub use decrypt::{DEFAULT_MAX_EMPTY_RECORDS, Message, RecordDecrypter};
pub use deframe::Deframer;
pub use encrypt::{DEFAULT_KEY_UPDATE_PERCENT, Padding, RecordEncrypter};
pub use error::Error;
pub use sendbuf::{RecordSink, SendBuffer};

use tryst_messages::{ContentType, MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, ProtocolVersion};

/// Length of a record header (RFC 8446 §5.1).
pub const HEADER_LEN: usize = 5;

/// Largest TLSInnerPlaintext: 2^14 bytes of content plus the content type byte
/// (RFC 8446 §5.4; padding counts against it too).
pub const MAX_INNER_PLAINTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 1;

/// Largest record on the wire: header plus 2^14 + 256 bytes (RFC 8446 §5.2). The
/// [`Deframer`] never buffers more than this.
pub const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_CIPHERTEXT_LEN;

/// Length of the explicit nonce in front of a TLS 1.2 AES-GCM record (RFC 5288 §3).
pub const TLS12_EXPLICIT_NONCE_LEN: usize = 8;

/// Length of the implicit salt (the key block's write IV) of TLS 1.2 AES-GCM
/// (RFC 5288 §3). ChaCha20-Poly1305 takes a 12-byte IV instead (RFC 7905 §2).
pub const TLS12_GCM_SALT_LEN: usize = 4;

/// Smallest `record_size_limit` RFC 8449 §4 allows.
pub const MIN_RECORD_SIZE_LIMIT: u16 = 64;

/// The five header bytes of a record (the wire form of `tryst_messages::RecordHeader`,
/// written without allocating because it is the AEAD's associated data on every record).
fn encode_header(
    typ: ContentType,
    version: ProtocolVersion,
    len: usize,
) -> Result<[u8; HEADER_LEN], Error> {
    let len = u16::try_from(len).map_err(|_| Error::Misuse("record length above 65535"))?;
    let [v0, v1] = version.to_raw().to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    Ok([typ.to_raw(), v0, v1, l0, l1])
}

/// The README's example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;
    use tryst_messages::{Codec, RecordHeader, Writer};

    #[test]
    fn header_matches_messages_codec() {
        let h = RecordHeader {
            content_type: ContentType::ApplicationData,
            legacy_record_version: ProtocolVersion::Tls12,
            length: 0x1234,
        };
        let mut w = Writer::new();
        h.encode(&mut w);
        let expected = w.finish().unwrap();
        let got =
            encode_header(ContentType::ApplicationData, ProtocolVersion::Tls12, 0x1234).unwrap();
        assert_eq!(&got[..], &expected[..]);
    }
}
