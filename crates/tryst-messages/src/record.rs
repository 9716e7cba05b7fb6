//! Record header, alert and change_cipher_spec (RFC 8446 §5, §6, §5 middlebox mode).

use crate::codec::{Codec, Reader, Writer};
use crate::enums::{AlertDescription, AlertLevel, ContentType, ProtocolVersion};
use crate::error::{Error, ErrorKind};

/// The largest record fragment RFC 8446 §5.2 allows on the wire (2^14 + 256).
pub const MAX_CIPHERTEXT_LEN: usize = (1 << 14) + 256;

/// The largest plaintext fragment (2^14, RFC 8446 §5.1).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;

/// The five-byte record header.
///
/// ```text
/// struct {
///     ContentType type;
///     ProtocolVersion legacy_record_version;
///     uint16 length;
/// } (header of TLSPlaintext / TLSCiphertext)
/// ```
///
/// Decoding rejects a `length` above 2^14 + 256 with `record_overflow`
/// (RFC 8446 §5.2); the record layer applies the tighter per-type limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// The record's content type.
    pub content_type: ContentType,
    /// `legacy_record_version`: 0x0301 or 0x0303 in practice, otherwise ignored.
    pub legacy_record_version: ProtocolVersion,
    /// Length of the fragment that follows.
    pub length: u16,
}

impl RecordHeader {
    /// Encoded size of a record header.
    pub const LEN: usize = 5;

    /// Decode the header at the start of `input` (which may hold more bytes: the
    /// fragment). Returns the header and the bytes after it.
    pub fn split(input: &[u8]) -> Result<(Self, &[u8]), Error> {
        let mut r = Reader::new(input);
        let h = Self::read(&mut r)?;
        Ok((h, r.rest()))
    }
}

impl<'a> Codec<'a> for RecordHeader {
    fn encode(&self, w: &mut Writer) {
        self.content_type.encode(w);
        self.legacy_record_version.encode(w);
        w.u16(self.length);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let content_type = ContentType::read(r)?;
        let legacy_record_version = ProtocolVersion::read(r)?;
        let length = r.u16("RecordHeader.length")?;
        if usize::from(length) > MAX_CIPHERTEXT_LEN {
            return Err(Error::new(
                "RecordHeader.length",
                ErrorKind::RecordOverflow {
                    got: usize::from(length),
                },
            ));
        }
        Ok(Self {
            content_type,
            legacy_record_version,
            length,
        })
    }
}

/// An alert message (RFC 8446 §6).
///
/// ```text
/// struct {
///     AlertLevel level;
///     AlertDescription description;
/// } Alert;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// `warning` or `fatal` (ignored by TLS 1.3 receivers except for close_notify and
    /// user_canceled).
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert.
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// The alert an error calls for, at fatal level.
    pub const fn for_error(e: &Error) -> Self {
        Self::fatal(e.alert())
    }
}

impl<'a> Codec<'a> for Alert {
    fn encode(&self, w: &mut Writer) {
        self.level.encode(w);
        self.description.encode(w);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            level: AlertLevel::read(r)?,
            description: AlertDescription::read(r)?,
        })
    }
}

/// The change_cipher_spec record body, only ever the single byte 0x01
/// (RFC 8446 §5: any other value is `unexpected_message`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ChangeCipherSpec;

impl<'a> Codec<'a> for ChangeCipherSpec {
    fn encode(&self, w: &mut Writer) {
        w.u8(1);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        match r.u8("ChangeCipherSpec")? {
            1 => Ok(Self),
            _ => Err(Error::new("ChangeCipherSpec", ErrorKind::UnexpectedMessage)),
        }
    }
}
