//! A DER reader over `&[u8]` (X.690 §10, the distinguished subset of BER).
//!
//! Every read goes through [`Reader`], which cannot index out of bounds. Only what DER
//! allows is accepted: single-byte tags (tag numbers below 31), definite lengths in the
//! shortest form, and no trailing bytes where a structure must be consumed exactly.
//! Element lengths are capped by [`MAX_ELEMENT_LEN`] and nesting by [`MAX_DEPTH`].

use core::fmt;

/// The largest element the reader accepts (the whole input of a TLS certificate entry is
/// at most 2^24 - 1 bytes; certificates this large are hostile, not useful).
pub const MAX_ELEMENT_LEN: usize = 0xffff * 4;

/// The deepest nesting [`walk`] follows. X.509 certificates nest about 10 deep.
pub const MAX_DEPTH: usize = 32;

/// Tags used by X.509 (universal class unless noted).
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0c;
    /// PrintableString.
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// IA5String.
    pub const IA5_STRING: u8 = 0x16;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
    /// Context-specific, constructed, tag number `n` (`[n] EXPLICIT` or a constructed
    /// IMPLICIT type).
    pub const fn context_constructed(n: u8) -> u8 {
        0xa0 | (n & 0x1f)
    }
    /// Context-specific, primitive, tag number `n` (`[n] IMPLICIT` primitive).
    pub const fn context_primitive(n: u8) -> u8 {
        0x80 | (n & 0x1f)
    }
}

/// Why DER input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerError {
    /// The input ended inside a tag, length or value.
    Truncated,
    /// A multi-byte (high) tag number, which X.509 does not use.
    HighTagNumber,
    /// The indefinite length form (BER only).
    IndefiniteLength,
    /// A length not in its shortest form.
    NonCanonicalLength,
    /// A length above the reader's limit ([`MAX_ELEMENT_LEN`] by default).
    TooLong,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A different tag than the structure requires.
    UnexpectedTag,
    /// Bytes left over after a structure that must be consumed exactly.
    TrailingData,
    /// An INTEGER that is empty, not minimally encoded, negative where it must not be,
    /// or too large for its field.
    BadInteger,
    /// A BOOLEAN that is not one byte of 0x00 or 0xff.
    BadBoolean,
    /// A BIT STRING with a bad unused-bits count or non-zero padding bits.
    BadBitString,
    /// A NULL with contents.
    BadNull,
    /// A UTCTime or GeneralizedTime not in the strict RFC 5280 form.
    BadTime,
    /// An OBJECT IDENTIFIER that is empty or not minimally encoded.
    BadOid,
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DerError::Truncated => "input ends inside a DER element",
            DerError::HighTagNumber => "multi-byte DER tag",
            DerError::IndefiniteLength => "indefinite length (not DER)",
            DerError::NonCanonicalLength => "length not in shortest form (not DER)",
            DerError::TooLong => "DER element longer than the limit",
            DerError::TooDeep => "DER nesting deeper than the limit",
            DerError::UnexpectedTag => "unexpected DER tag",
            DerError::TrailingData => "trailing bytes after a DER structure",
            DerError::BadInteger => "malformed or out-of-range INTEGER",
            DerError::BadBoolean => "BOOLEAN not encoded as 0x00 or 0xff",
            DerError::BadBitString => "malformed BIT STRING",
            DerError::BadNull => "NULL with contents",
            DerError::BadTime => "time not in the strict RFC 5280 form",
            DerError::BadOid => "malformed OBJECT IDENTIFIER",
        })
    }
}

/// One TLV element: its tag, its value, and the whole encoding (tag and length included).
#[derive(Clone, Copy)]
pub struct Element<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The value (contents octets).
    pub value: &'a [u8],
    /// The whole encoding, tag and length included.
    pub raw: &'a [u8],
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Element(tag {:#04x}, {} bytes)",
            self.tag,
            self.value.len()
        )
    }
}

/// A cursor over DER bytes that cannot read out of bounds.
#[derive(Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
    max_len: usize,
}

impl fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reader({} bytes left)", self.rest.len())
    }
}

impl<'a> Reader<'a> {
    /// A reader over `input`, elements capped at [`MAX_ELEMENT_LEN`].
    pub const fn new(input: &'a [u8]) -> Self {
        Reader {
            rest: input,
            max_len: MAX_ELEMENT_LEN,
        }
    }

    /// A reader whose elements may be up to `max_len` bytes (at most 2^24 - 1: longer
    /// lengths are refused whatever the limit), for structures larger than a certificate
    /// such as CRLs. [`Reader::nested`] passes the limit on; [`Reader::read_all`] does not.
    pub const fn with_max_len(input: &'a [u8], max_len: usize) -> Self {
        Reader {
            rest: input,
            max_len,
        }
    }

    /// Run `f` over all of `input`; bytes left over are [`DerError::TrailingData`].
    pub fn read_all<T, E: From<DerError>>(
        input: &'a [u8],
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut r = Reader::new(input);
        let out = f(&mut r)?;
        r.finish()?;
        Ok(out)
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Fails with [`DerError::TrailingData`] unless every byte has been read.
    pub fn finish(&self) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingData)
        }
    }

    /// The next tag, without consuming anything.
    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DerError> {
        if n > self.rest.len() {
            return Err(DerError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, DerError> {
        let (&b, tail) = self.rest.split_first().ok_or(DerError::Truncated)?;
        self.rest = tail;
        Ok(b)
    }

    /// Read one element of any tag.
    pub fn element(&mut self) -> Result<Element<'a>, DerError> {
        let start = self.rest;
        let tag = self.byte()?;
        if tag & 0x1f == 0x1f {
            return Err(DerError::HighTagNumber);
        }
        let first = self.byte()?;
        let len = match first {
            0..=0x7f => usize::from(first),
            0x80 => return Err(DerError::IndefiniteLength),
            0x81 => {
                let l = usize::from(self.byte()?);
                if l < 0x80 {
                    return Err(DerError::NonCanonicalLength);
                }
                l
            }
            0x82 => {
                let hi = usize::from(self.byte()?);
                let lo = usize::from(self.byte()?);
                if hi == 0 {
                    return Err(DerError::NonCanonicalLength);
                }
                (hi << 8) | lo
            }
            0x83 => {
                let a = usize::from(self.byte()?);
                let b = usize::from(self.byte()?);
                let c = usize::from(self.byte()?);
                if a == 0 {
                    return Err(DerError::NonCanonicalLength);
                }
                (a << 16) | (b << 8) | c
            }
            // Four or more length bytes: far above any limit we accept.
            _ => return Err(DerError::TooLong),
        };
        if len > self.max_len {
            return Err(DerError::TooLong);
        }
        let value = self.take(len)?;
        let used = start.len().saturating_sub(self.rest.len());
        let raw = start.get(..used).ok_or(DerError::Truncated)?;
        Ok(Element { tag, value, raw })
    }

    /// Read one element that must have tag `tag`; returns its value.
    pub fn expect(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        Ok(self.expect_element(tag)?.value)
    }

    /// Read one element that must have tag `tag`.
    pub fn expect_element(&mut self, tag: u8) -> Result<Element<'a>, DerError> {
        let e = self.element()?;
        if e.tag != tag {
            return Err(DerError::UnexpectedTag);
        }
        Ok(e)
    }

    /// If the next element has tag `tag`, read it and return its value.
    pub fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Read an element with tag `tag` and run `f` over its value, which `f` must consume
    /// exactly.
    pub fn nested<T, E: From<DerError>>(
        &mut self,
        tag: u8,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, E>,
    ) -> Result<T, E> {
        let value = self.expect(tag)?;
        let mut r = Reader::with_max_len(value, self.max_len);
        let out = f(&mut r)?;
        r.finish()?;
        Ok(out)
    }

    /// A BOOLEAN (DER: 0x00 or 0xff only).
    pub fn boolean(&mut self) -> Result<bool, DerError> {
        match self.expect(tag::BOOLEAN)? {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(DerError::BadBoolean),
        }
    }

    /// A non-negative INTEGER, minimally encoded; returns its magnitude bytes without the
    /// sign byte.
    pub fn unsigned_integer(&mut self) -> Result<&'a [u8], DerError> {
        unsigned_integer_bytes(self.expect(tag::INTEGER)?)
    }

    /// A non-negative INTEGER that fits in a `u64`.
    pub fn small_unsigned(&mut self) -> Result<u64, DerError> {
        let bytes = self.unsigned_integer()?;
        if bytes.len() > 8 {
            return Err(DerError::BadInteger);
        }
        Ok(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// A BIT STRING whose length is a whole number of bytes (unused-bits count 0).
    pub fn bit_string_octets(&mut self) -> Result<&'a [u8], DerError> {
        match self.expect(tag::BIT_STRING)?.split_first() {
            Some((0, rest)) => Ok(rest),
            _ => Err(DerError::BadBitString),
        }
    }

    /// An OBJECT IDENTIFIER; returns its contents octets after checking their form.
    pub fn oid(&mut self) -> Result<&'a [u8], DerError> {
        let v = self.expect(tag::OID)?;
        check_oid(v)?;
        Ok(v)
    }

    /// A NULL.
    pub fn null(&mut self) -> Result<(), DerError> {
        if self.expect(tag::NULL)?.is_empty() {
            Ok(())
        } else {
            Err(DerError::BadNull)
        }
    }
}

/// The magnitude of a non-negative, minimally encoded INTEGER's contents.
pub fn unsigned_integer_bytes(v: &[u8]) -> Result<&[u8], DerError> {
    match v {
        [] => Err(DerError::BadInteger),
        [0] => Ok(v),
        [0, next, ..] if *next < 0x80 => Err(DerError::BadInteger),
        [0, rest @ ..] => Ok(rest),
        [first, ..] if *first >= 0x80 => Err(DerError::BadInteger),
        _ => Ok(v),
    }
}

/// Whether `v` is a well-formed OID body: non-empty, each arc minimally encoded, the last
/// byte ends an arc.
pub fn check_oid(v: &[u8]) -> Result<(), DerError> {
    let last = v.last().ok_or(DerError::BadOid)?;
    if last & 0x80 != 0 {
        return Err(DerError::BadOid);
    }
    let mut at_arc_start = true;
    for &b in v {
        if at_arc_start && b == 0x80 {
            return Err(DerError::BadOid);
        }
        at_arc_start = b & 0x80 == 0;
    }
    Ok(())
}

/// Walk every element of `input` recursively (constructed tags are descended into), with
/// the depth limit; returns the number of elements. Used to fuzz the reader and to check
/// that arbitrary input is well-formed DER framing.
pub fn walk(input: &[u8]) -> Result<usize, DerError> {
    fn go(input: &[u8], depth: usize) -> Result<usize, DerError> {
        if depth > MAX_DEPTH {
            return Err(DerError::TooDeep);
        }
        let mut r = Reader::new(input);
        let mut n = 0usize;
        while !r.is_empty() {
            let e = r.element()?;
            n = n.saturating_add(1);
            if e.tag & 0x20 != 0 {
                n = n.saturating_add(go(e.value, depth.saturating_add(1))?);
            }
        }
        Ok(n)
    }
    go(input, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(
            Reader::new(&[0x04, 0x01, 0xaa]).element().unwrap().value,
            &[0xaa]
        );
        assert_eq!(
            Reader::new(&[0x04, 0x81, 0x01, 0xaa])
                .element()
                .unwrap_err(),
            DerError::NonCanonicalLength
        );
        assert_eq!(
            Reader::new(&[0x04, 0x82, 0x00, 0x81])
                .element()
                .unwrap_err(),
            DerError::NonCanonicalLength
        );
        assert_eq!(
            Reader::new(&[0x30, 0x80, 0, 0]).element().unwrap_err(),
            DerError::IndefiniteLength
        );
        assert_eq!(
            Reader::new(&[0x04, 0x02, 0xaa]).element().unwrap_err(),
            DerError::Truncated
        );
        assert_eq!(
            Reader::new(&[0x1f, 0x01, 0x00]).element().unwrap_err(),
            DerError::HighTagNumber
        );
        assert_eq!(
            Reader::new(&[0x04, 0x84, 0, 0, 0, 1, 0])
                .element()
                .unwrap_err(),
            DerError::TooLong
        );
        let mut long = alloc::vec![0x04, 0x81, 0x80];
        long.extend_from_slice(&[0; 0x80]);
        let e = Reader::new(&long).element().unwrap();
        assert_eq!(e.value.len(), 0x80);
        assert_eq!(e.raw.len(), 0x83);
    }

    #[test]
    fn integers_and_booleans() {
        assert_eq!(unsigned_integer_bytes(&[0x00, 0x80]).unwrap(), &[0x80]);
        assert!(unsigned_integer_bytes(&[0x00, 0x7f]).is_err());
        assert!(unsigned_integer_bytes(&[0x80]).is_err());
        assert!(unsigned_integer_bytes(&[]).is_err());
        assert_eq!(unsigned_integer_bytes(&[0x00]).unwrap(), &[0x00]);
        assert!(Reader::new(&[0x01, 0x01, 0x01]).boolean().is_err());
        assert!(Reader::new(&[0x01, 0x01, 0xff]).boolean().unwrap());
    }

    #[test]
    fn trailing_and_depth() {
        let r: Result<(), DerError> = Reader::read_all(&[0x05, 0x00, 0x00], |r| r.null());
        assert_eq!(r, Err(DerError::TrailingData));
        let mut deep = alloc::vec::Vec::new();
        for _ in 0..40 {
            let mut outer = alloc::vec![0x30, u8::try_from(deep.len()).unwrap()];
            outer.extend_from_slice(&deep);
            deep = outer;
        }
        assert_eq!(walk(&deep), Err(DerError::TooDeep));
        assert!(check_oid(&[0x2b, 0x65, 0x70]).is_ok());
        assert!(check_oid(&[0x80, 0x01]).is_err());
        assert!(check_oid(&[0x2b, 0x85]).is_err());
    }
}
