//! Handshake framing (RFC 8446 §4): `msg_type` + 24-bit length + body, the dispatcher over
//! every TLS 1.3 message, and [`HandshakeJoiner`], which reassembles messages from records.

use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};
use crate::enums::HandshakeType;
use crate::error::{Error, ErrorKind};
use crate::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, CompressedCertificate,
    EncryptedExtensions, EndOfEarlyData, Finished, KeyUpdate, MessageHash, NewSessionTicket,
    ServerHello,
};
use crate::tls12::Tls12HandshakeMessage;

/// Size of the handshake header (`msg_type` + `uint24 length`).
pub const HANDSHAKE_HEADER_LEN: usize = 4;

pub(crate) fn encode_framed(w: &mut Writer, typ: HandshakeType, body: impl FnOnce(&mut Writer)) {
    typ.encode(w);
    w.u24_prefixed("Handshake.length", body);
}

/// One framed handshake message, body not parsed yet.
///
/// ```text
/// struct {
///     HandshakeType msg_type;
///     uint24 length;
///     select (Handshake.msg_type) { ... };
/// } Handshake;
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawHandshake<'a> {
    /// `msg_type`.
    pub typ: HandshakeType,
    /// The body (without the header).
    pub body: &'a [u8],
    /// The whole message, header included: what goes into the transcript hash.
    pub encoded: &'a [u8],
}

impl core::fmt::Debug for RawHandshake<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawHandshake")
            .field("typ", &self.typ)
            .field("len", &self.body.len())
            .finish()
    }
}

impl<'a> RawHandshake<'a> {
    /// Split one framed message off the front of `input`: `Ok(None)` if `input` does not
    /// hold a whole message yet, an error if the declared length exceeds `max_len`.
    pub fn split(input: &'a [u8], max_len: usize) -> Result<Option<(Self, &'a [u8])>, Error> {
        let mut r = Reader::new(input);
        let (Ok(typ), Ok(len)) = (HandshakeType::read(&mut r), r.u24("Handshake.length")) else {
            return Ok(None);
        };
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > max_len {
            return Err(Error::new(
                "Handshake.length",
                ErrorKind::MessageTooLarge {
                    got: len,
                    max: max_len,
                },
            ));
        }
        let Some((encoded, rest)) =
            input.split_at_checked(len.saturating_add(HANDSHAKE_HEADER_LEN))
        else {
            return Ok(None);
        };
        let body = encoded.get(HANDSHAKE_HEADER_LEN..).unwrap_or_default();
        Ok(Some((Self { typ, body, encoded }, rest)))
    }

    /// Parse the body according to `typ`, as a TLS 1.3 message.
    pub fn parse(&self) -> Result<HandshakeMessage<'a>, Error> {
        HandshakeMessage::parse_body(self.typ, self.body)
    }

    /// Parse the body according to `typ`, as a TLS 1.2 message (for a connection that
    /// negotiated TLS 1.2; see [`Tls12HandshakeMessage`]).
    pub fn parse_tls12(&self) -> Result<Tls12HandshakeMessage<'a>, Error> {
        Tls12HandshakeMessage::parse_body(self.typ, self.body)
    }
}

/// Any TLS 1.3 handshake message, framed (header included).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeMessage<'a> {
    /// `client_hello` (1).
    ClientHello(ClientHello<'a>),
    /// `server_hello` (2) with an ordinary random.
    ServerHello(ServerHello<'a>),
    /// `server_hello` (2) with the HelloRetryRequest random (RFC 8446 §4.1.3).
    HelloRetryRequest(ServerHello<'a>),
    /// `new_session_ticket` (4).
    NewSessionTicket(NewSessionTicket<'a>),
    /// `end_of_early_data` (5).
    EndOfEarlyData(EndOfEarlyData),
    /// `encrypted_extensions` (8).
    EncryptedExtensions(EncryptedExtensions<'a>),
    /// `certificate` (11).
    Certificate(Certificate<'a>),
    /// `certificate_request` (13).
    CertificateRequest(CertificateRequest<'a>),
    /// `certificate_verify` (15).
    CertificateVerify(CertificateVerify<'a>),
    /// `finished` (20).
    Finished(Finished<'a>),
    /// `key_update` (24).
    KeyUpdate(KeyUpdate),
    /// `compressed_certificate` (25, RFC 8879).
    CompressedCertificate(CompressedCertificate<'a>),
    /// The synthetic `message_hash` (254); never valid on the wire, but decodable so a
    /// transcript can be re-read.
    MessageHash(MessageHash<'a>),
}

impl<'a> HandshakeMessage<'a> {
    /// The `msg_type` this message is framed with.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) | Self::HelloRetryRequest(_) => HandshakeType::ServerHello,
            Self::NewSessionTicket(_) => HandshakeType::NewSessionTicket,
            Self::EndOfEarlyData(_) => HandshakeType::EndOfEarlyData,
            Self::EncryptedExtensions(_) => HandshakeType::EncryptedExtensions,
            Self::Certificate(_) => HandshakeType::Certificate,
            Self::CertificateRequest(_) => HandshakeType::CertificateRequest,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::Finished(_) => HandshakeType::Finished,
            Self::KeyUpdate(_) => HandshakeType::KeyUpdate,
            Self::CompressedCertificate(_) => HandshakeType::CompressedCertificate,
            Self::MessageHash(_) => HandshakeType::MessageHash,
        }
    }

    /// Parse a body of type `typ`; the body must be consumed exactly. Types that
    /// do not exist in TLS 1.3 are `unexpected_message`.
    pub fn parse_body(typ: HandshakeType, body: &'a [u8]) -> Result<Self, Error> {
        let field = typ.name().unwrap_or("Handshake.msg_type");
        Reader::read_all(body, field, |r| {
            Ok(match typ {
                HandshakeType::ClientHello => Self::ClientHello(ClientHello::read(r)?),
                HandshakeType::ServerHello => {
                    let sh = ServerHello::read(r)?;
                    if sh.is_hello_retry_request() {
                        Self::HelloRetryRequest(sh)
                    } else {
                        Self::ServerHello(sh)
                    }
                }
                HandshakeType::NewSessionTicket => {
                    Self::NewSessionTicket(NewSessionTicket::read(r)?)
                }
                HandshakeType::EndOfEarlyData => Self::EndOfEarlyData(EndOfEarlyData::read(r)?),
                HandshakeType::EncryptedExtensions => {
                    Self::EncryptedExtensions(EncryptedExtensions::read(r)?)
                }
                HandshakeType::Certificate => Self::Certificate(Certificate::read(r)?),
                HandshakeType::CertificateRequest => {
                    Self::CertificateRequest(CertificateRequest::read(r)?)
                }
                HandshakeType::CertificateVerify => {
                    Self::CertificateVerify(CertificateVerify::read(r)?)
                }
                HandshakeType::Finished => Self::Finished(Finished::read(r)?),
                HandshakeType::KeyUpdate => Self::KeyUpdate(KeyUpdate::read(r)?),
                HandshakeType::CompressedCertificate => {
                    Self::CompressedCertificate(CompressedCertificate::read(r)?)
                }
                HandshakeType::MessageHash => Self::MessageHash(MessageHash::read(r)?),
                _ => {
                    return Err(Error::new(
                        "Handshake.msg_type",
                        ErrorKind::UnexpectedMessage,
                    ));
                }
            })
        })
    }

    /// An owned copy.
    pub fn into_owned(self) -> HandshakeMessage<'static> {
        match self {
            Self::ClientHello(m) => HandshakeMessage::ClientHello(m.into_owned()),
            Self::ServerHello(m) => HandshakeMessage::ServerHello(m.into_owned()),
            Self::HelloRetryRequest(m) => HandshakeMessage::HelloRetryRequest(m.into_owned()),
            Self::NewSessionTicket(m) => HandshakeMessage::NewSessionTicket(m.into_owned()),
            Self::EndOfEarlyData(m) => HandshakeMessage::EndOfEarlyData(m),
            Self::EncryptedExtensions(m) => HandshakeMessage::EncryptedExtensions(m.into_owned()),
            Self::Certificate(m) => HandshakeMessage::Certificate(m.into_owned()),
            Self::CertificateRequest(m) => HandshakeMessage::CertificateRequest(m.into_owned()),
            Self::CertificateVerify(m) => HandshakeMessage::CertificateVerify(m.into_owned()),
            Self::Finished(m) => HandshakeMessage::Finished(m.into_owned()),
            Self::KeyUpdate(m) => HandshakeMessage::KeyUpdate(m),
            Self::CompressedCertificate(m) => {
                HandshakeMessage::CompressedCertificate(m.into_owned())
            }
            Self::MessageHash(m) => HandshakeMessage::MessageHash(m.into_owned()),
        }
    }
}

impl<'a> Codec<'a> for HandshakeMessage<'a> {
    fn encode(&self, w: &mut Writer) {
        encode_framed(w, self.typ(), |w| match self {
            Self::ClientHello(m) => m.encode(w),
            Self::ServerHello(m) | Self::HelloRetryRequest(m) => m.encode(w),
            Self::NewSessionTicket(m) => m.encode(w),
            Self::EndOfEarlyData(m) => m.encode(w),
            Self::EncryptedExtensions(m) => m.encode(w),
            Self::Certificate(m) => m.encode(w),
            Self::CertificateRequest(m) => m.encode(w),
            Self::CertificateVerify(m) => m.encode(w),
            Self::Finished(m) => m.encode(w),
            Self::KeyUpdate(m) => m.encode(w),
            Self::CompressedCertificate(m) => m.encode(w),
            Self::MessageHash(m) => m.encode(w),
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let typ = HandshakeType::read(r)?;
        let body = r.bytes_u24("Handshake.length", 0, 0x00ff_ffff)?;
        Self::parse_body(typ, body)
    }

    fn decode(bytes: &'a [u8]) -> Result<Self, Error> {
        Reader::read_all(bytes, "Handshake", Self::read)
    }
}

/// Reassembles handshake messages from record fragments: one message may span several
/// records and one record may hold several messages (RFC 8446 §5.1).
///
/// Memory is bounded: a message whose declared length exceeds the cap
/// ([`HandshakeJoiner::DEFAULT_MAX_MESSAGE_LEN`] unless configured) is rejected as soon
/// as its header arrives, and [`push`](Self::push) refuses to buffer more than one
/// maximal message plus one maximal record. Push one record, then call
/// [`next_message`](Self::next_message) until it returns `None`.
#[derive(Debug)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    /// Bytes at the front of `buf` already handed out by `next_message`.
    consumed: usize,
    max_message_len: usize,
}

impl Default for HandshakeJoiner {
    fn default() -> Self {
        Self::new()
    }
}

impl HandshakeJoiner {
    /// The default cap on one handshake message's body: 64 KiB.
    pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 16;

    /// A joiner with the default cap.
    pub fn new() -> Self {
        Self::with_max_message_len(Self::DEFAULT_MAX_MESSAGE_LEN)
    }

    /// A joiner that rejects messages whose body is longer than `max_message_len`.
    pub fn with_max_message_len(max_message_len: usize) -> Self {
        Self {
            buf: Vec::new(),
            consumed: 0,
            max_message_len,
        }
    }

    /// The configured cap.
    pub fn max_message_len(&self) -> usize {
        self.max_message_len
    }

    fn compact(&mut self) {
        if self.consumed > 0 {
            self.buf.drain(..self.consumed.min(self.buf.len()));
            self.consumed = 0;
        }
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.consumed..).unwrap_or_default()
    }

    /// Append the plaintext of one handshake record.
    ///
    /// Fails (`decode_error`) if a buffered header declares a message longer than the cap,
    /// or if the buffered bytes would exceed one maximal message plus one maximal record.
    pub fn push(&mut self, fragment: &[u8]) -> Result<(), Error> {
        self.compact();
        let limit = self
            .max_message_len
            .saturating_add(HANDSHAKE_HEADER_LEN)
            .saturating_add(crate::record::MAX_CIPHERTEXT_LEN);
        let total = self.buf.len().saturating_add(fragment.len());
        if total > limit {
            return Err(Error::new(
                "HandshakeJoiner",
                ErrorKind::MessageTooLarge {
                    got: total,
                    max: limit,
                },
            ));
        }
        self.buf.extend_from_slice(fragment);
        // Check every header now complete, so an oversized message fails early.
        let mut rest = self.pending();
        while let Some((_, tail)) = RawHandshake::split(rest, self.max_message_len)? {
            rest = tail;
        }
        Ok(())
    }

    /// The next complete message, if one is buffered. The returned view borrows the
    /// joiner; its bytes are dropped from the buffer on the next call to `push`.
    pub fn next_message(&mut self) -> Result<Option<RawHandshake<'_>>, Error> {
        // No compaction here: moving the rest of the buffer once per message would cost
        // O(messages × bytes) for a record full of small messages. `push` compacts once.
        let max = self.max_message_len;
        let start = self.consumed.min(self.buf.len());
        let pending = self.buf.get(start..).unwrap_or_default();
        match RawHandshake::split(pending, max)? {
            Some((m, _)) => {
                self.consumed = start.saturating_add(m.encoded.len());
                Ok(Some(m))
            }
            None => Ok(None),
        }
    }

    /// Whether no partial message is buffered: a key change (RFC 8446 §5.1) is only
    /// allowed here. Messages returned by `next_message` count as consumed.
    pub fn at_message_boundary(&self) -> bool {
        self.pending().is_empty()
    }

    /// Bytes buffered and not yet returned.
    pub fn buffered_len(&self) -> usize {
        self.pending().len()
    }
}
