//! The ECH extension bodies (RFC 9849 §5):
//!
//! ```text
//! enum { outer(0), inner(1) } ECHClientHelloType;
//! struct {
//!    ECHClientHelloType type;
//!    select (ECHClientHello.type) {
//!        case outer:
//!            HpkeSymmetricCipherSuite cipher_suite;
//!            uint8 config_id;
//!            opaque enc<0..2^16-1>;
//!            opaque payload<1..2^16-1>;
//!        case inner:
//!            Empty;
//!    };
//! } ECHClientHello;
//!
//! ExtensionType OuterExtensions<2..254>;
//! ```

use alloc::borrow::Cow;
use alloc::vec::Vec;

use tryst_messages::{
    AlertDescription, Codec, Extension, ExtensionType, HpkeSymmetricCipherSuite, Reader, Writer,
};

use crate::Error;

/// `ECHClientHello` of type outer, borrowed from the extension body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OuterEch<'a> {
    pub(crate) suite: HpkeSymmetricCipherSuite,
    pub(crate) config_id: u8,
    pub(crate) enc: &'a [u8],
    pub(crate) payload: &'a [u8],
}

/// An `encrypted_client_hello` extension in a ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EchClientHello<'a> {
    Outer(OuterEch<'a>),
    Inner,
}

const OUTER: u8 = 0;
const INNER: u8 = 1;

/// A malformed ECH extension: decode_error (RFC 9849 §7).
fn malformed(rule: &'static str) -> Error {
    Error::misbehaved(AlertDescription::DecodeError, rule)
}

impl<'a> EchClientHello<'a> {
    /// Decode an `encrypted_client_hello` body from a ClientHello. An unknown type is
    /// illegal_parameter, a malformed body decode_error.
    pub(crate) fn decode(body: &'a [u8]) -> Result<Self, Error> {
        const BAD: &str = "malformed encrypted_client_hello extension";
        let (&typ, rest) = body.split_first().ok_or(malformed(BAD))?;
        match typ {
            OUTER => Reader::read_all(rest, "ECHClientHello", |r| {
                Ok(EchClientHello::Outer(OuterEch {
                    suite: HpkeSymmetricCipherSuite::read(r)?,
                    config_id: r.u8("ECHClientHello.config_id")?,
                    enc: r.bytes_u16("ECHClientHello.enc", 0, 0xffff)?,
                    payload: r.bytes_u16("ECHClientHello.payload", 1, 0xffff)?,
                }))
            })
            .map_err(|_| malformed(BAD)),
            INNER if rest.is_empty() => Ok(EchClientHello::Inner),
            INNER => Err(malformed(BAD)),
            _ => Err(Error::illegal("unknown ECHClientHelloType (RFC 9849 §5)")),
        }
    }
}

impl OuterEch<'_> {
    /// The encoded extension body.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u8(OUTER);
        self.suite.encode(&mut w);
        w.u8(self.config_id);
        w.u16_prefixed("ECHClientHello.enc", |w| w.bytes(self.enc));
        w.u16_prefixed("ECHClientHello.payload", |w| w.bytes(self.payload));
        w.finish().unwrap_or_default()
    }
}

/// The inner hello's marker extension: `encrypted_client_hello` of type inner.
pub(crate) fn inner_marker() -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::EncryptedClientHello,
        data: Cow::Borrowed(&[INNER]),
    }
}

/// An `encrypted_client_hello` extension with `body`.
pub(crate) fn ech_extension(body: Vec<u8>) -> Extension<'static> {
    Extension::Unknown {
        typ: ExtensionType::EncryptedClientHello,
        data: Cow::Owned(body),
    }
}

/// The raw body of an extension of type `typ`, if it is kept raw (as the ECH ones are).
pub(crate) fn raw_body<'m>(exts: &'m [Extension<'_>], typ: ExtensionType) -> Option<&'m [u8]> {
    exts.iter().find_map(|e| match e {
        Extension::Unknown { typ: t, data } if *t == typ => Some(data.as_ref()),
        _ => None,
    })
}

/// `ech_outer_extensions` naming `types`.
pub(crate) fn outer_extensions(types: &[ExtensionType]) -> Extension<'static> {
    let mut w = Writer::new();
    w.u8_prefixed("OuterExtensions", |w| {
        for t in types {
            w.u16(t.to_raw());
        }
    });
    Extension::Unknown {
        typ: ExtensionType::EchOuterExtensions,
        data: Cow::Owned(w.finish().unwrap_or_default()),
    }
}

/// Decode an `ech_outer_extensions` body: 1 to 127 types.
pub(crate) fn decode_outer_extensions(body: &[u8]) -> Result<Vec<u16>, Error> {
    let field = "OuterExtensions";
    let bad = || Error::illegal("malformed ech_outer_extensions (RFC 9849 §5.1)");
    let list = Reader::read_all(body, field, |r| r.bytes_u8(field, 2, 254)).map_err(|_| bad())?;
    if !list.len().is_multiple_of(2) {
        return Err(bad());
    }
    Reader::read_all(list, field, |r| r.list(|r| r.u16(field))).map_err(|_| bad())
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_round_trips_and_types_are_checked() {
        let o = OuterEch {
            suite: HpkeSymmetricCipherSuite {
                kdf_id: 1,
                aead_id: 1,
            },
            config_id: 7,
            enc: &[1, 2, 3],
            payload: &[9; 20],
        };
        let body = o.encode();
        assert_eq!(
            EchClientHello::decode(&body).unwrap(),
            EchClientHello::Outer(o)
        );
        assert_eq!(EchClientHello::decode(&[1]).unwrap(), EchClientHello::Inner);
        let e = EchClientHello::decode(&[2]).unwrap_err();
        assert_eq!(e.alert(), Some(AlertDescription::IllegalParameter));
        for bad in [&[][..], &[1, 0], &body[..body.len() - 1]] {
            let e = EchClientHello::decode(bad).unwrap_err();
            assert_eq!(e.alert(), Some(AlertDescription::DecodeError), "{bad:?}");
        }
    }

    #[test]
    fn outer_extensions_round_trip() {
        let Extension::Unknown { data, .. } =
            outer_extensions(&[ExtensionType::KeyShare, ExtensionType::SupportedGroups])
        else {
            panic!()
        };
        assert_eq!(decode_outer_extensions(&data).unwrap(), [51, 10]);
        assert!(decode_outer_extensions(&[0]).is_err());
        assert!(decode_outer_extensions(&[3, 0, 1, 0]).is_err());
    }
}
