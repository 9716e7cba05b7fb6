//! `Reader` (a panic-free cursor over untrusted bytes), `Writer` (a builder whose length
//! prefixes are filled in by a scope) and the `Codec` trait every wire type implements.

use alloc::vec::Vec;

use crate::error::{Error, ErrorKind};

/// A cursor over untrusted input. It never indexes out of bounds and never panics.
///
/// Each length prefix opens a sub-reader that must be consumed exactly
/// ([`Reader::read_all`], [`Reader::sub_u16`] ...), so trailing bytes are always an error.
#[derive(Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl core::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Input bytes are untrusted and possibly secret-bearing: show only the size.
        f.debug_struct("Reader")
            .field("remaining", &self.rest.len())
            .finish()
    }
}

impl<'a> Reader<'a> {
    /// A reader over `input`.
    pub const fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    /// Parse all of `input` with `f`; bytes left over are a `TrailingBytes` error on `field`.
    pub fn read_all<T>(
        input: &'a [u8],
        field: &'static str,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut r = Reader::new(input);
        let v = f(&mut r)?;
        r.expect_empty(field)?;
        Ok(v)
    }

    /// Bytes not read yet.
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether everything has been read.
    pub const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// A `TrailingBytes` error on `field` unless everything has been read.
    pub fn expect_empty(&self, field: &'static str) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::new(field, ErrorKind::TrailingBytes))
        }
    }

    /// Take everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Take exactly `n` bytes.
    pub fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], Error> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or(Error::new(field, ErrorKind::Truncated))?;
        self.rest = tail;
        Ok(head)
    }

    /// Take a fixed-size array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], Error> {
        let bytes = self.take(N, field)?;
        <[u8; N]>::try_from(bytes).map_err(|_| Error::new(field, ErrorKind::Truncated))
    }

    /// A `u8`.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, Error> {
        let [b] = self.array::<1>(field)?;
        Ok(b)
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    /// A big-endian 24-bit integer.
    pub fn u24(&mut self, field: &'static str) -> Result<u32, Error> {
        let [a, b, c] = self.array(field)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    fn prefixed(
        &mut self,
        len: usize,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], Error> {
        if len < min || len > max {
            return Err(Error::new(
                field,
                ErrorKind::LengthOutOfRange { got: len, min, max },
            ));
        }
        self.take(len, field)
    }

    /// `opaque field<min..max>` with a one-byte length.
    pub fn bytes_u8(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], Error> {
        let len = usize::from(self.u8(field)?);
        self.prefixed(len, field, min, max)
    }

    /// `opaque field<min..max>` with a two-byte length.
    pub fn bytes_u16(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], Error> {
        let len = usize::from(self.u16(field)?);
        self.prefixed(len, field, min, max)
    }

    /// `opaque field<min..max>` with a three-byte length.
    pub fn bytes_u24(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
    ) -> Result<&'a [u8], Error> {
        let len = usize::try_from(self.u24(field)?)
            .map_err(|_| Error::new(field, ErrorKind::Truncated))?;
        self.prefixed(len, field, min, max)
    }

    /// Run `f` over a one-byte-length-prefixed sub-reader that `f` must consume exactly.
    pub fn sub_u8<T>(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let body = self.bytes_u8(field, min, max)?;
        Reader::read_all(body, field, f)
    }

    /// Run `f` over a two-byte-length-prefixed sub-reader that `f` must consume exactly.
    pub fn sub_u16<T>(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let body = self.bytes_u16(field, min, max)?;
        Reader::read_all(body, field, f)
    }

    /// Run `f` over a three-byte-length-prefixed sub-reader that `f` must consume exactly.
    pub fn sub_u24<T>(
        &mut self,
        field: &'static str,
        min: usize,
        max: usize,
        f: impl FnOnce(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let body = self.bytes_u24(field, min, max)?;
        Reader::read_all(body, field, f)
    }

    /// Read items with `f` until the reader is empty.
    pub fn list<T>(
        &mut self,
        mut f: impl FnMut(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(f(self)?);
        }
        Ok(out)
    }

    /// Read items with `f` until the reader is empty, failing with `TooManyItems` on
    /// `field` as soon as there would be more than `max`.
    pub fn list_capped<T>(
        &mut self,
        field: &'static str,
        max: usize,
        mut f: impl FnMut(&mut Reader<'a>) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        while !self.is_empty() {
            if out.len() >= max {
                return Err(Error::new(field, ErrorKind::TooManyItems { max }));
            }
            out.push(f(self)?);
        }
        Ok(out)
    }
}

/// An output buffer whose length prefixes are written by scopes
/// ([`Writer::u16_prefixed`] ...), never computed by hand.
///
/// A scope whose content is too long for its prefix records an error that
/// [`Writer::finish`] returns; encoding itself never panics.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    error: Option<Error>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded bytes, or the first length overflow met while encoding.
    pub fn finish(self) -> Result<Vec<u8>, Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.buf),
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Append a `u8`.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Append a big-endian `u16`.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Append a big-endian 24-bit integer (the top byte of `v` must be zero).
    pub fn u24(&mut self, field: &'static str, v: u32) {
        let [top, a, b, c] = v.to_be_bytes();
        if top != 0 {
            self.fail(field, 0x00ff_ffff);
        }
        self.buf.extend_from_slice(&[a, b, c]);
    }

    /// Append a big-endian `u32`.
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Append raw bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.buf.extend_from_slice(v);
    }

    fn fail(&mut self, field: &'static str, max: usize) {
        if self.error.is_none() {
            self.error = Some(Error::new(field, ErrorKind::EncodeOverflow { max }));
        }
    }

    fn prefixed<const N: usize>(&mut self, field: &'static str, f: impl FnOnce(&mut Writer)) {
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0u8; N]);
        f(self);
        let len = self.buf.len().saturating_sub(start).saturating_sub(N);
        let be = u64::try_from(len).unwrap_or(u64::MAX).to_be_bytes();
        let (high, low) = be.split_at(be.len().saturating_sub(N));
        if high.iter().any(|&b| b != 0) {
            let max = usize::try_from((1u64 << (8 * N)).saturating_sub(1)).unwrap_or(usize::MAX);
            self.fail(field, max);
        }
        if let Some(slot) = self.buf.get_mut(start..start.saturating_add(N)) {
            slot.copy_from_slice(low);
        }
    }

    /// Write what `f` writes behind a one-byte length prefix.
    pub fn u8_prefixed(&mut self, field: &'static str, f: impl FnOnce(&mut Writer)) {
        self.prefixed::<1>(field, f);
    }

    /// Write what `f` writes behind a two-byte length prefix.
    pub fn u16_prefixed(&mut self, field: &'static str, f: impl FnOnce(&mut Writer)) {
        self.prefixed::<2>(field, f);
    }

    /// Write what `f` writes behind a three-byte length prefix.
    pub fn u24_prefixed(&mut self, field: &'static str, f: impl FnOnce(&mut Writer)) {
        self.prefixed::<3>(field, f);
    }
}

/// A wire type: `encode` into a [`Writer`], `read` from a [`Reader`].
pub trait Codec<'a>: Sized {
    /// Append the encoding of `self`.
    fn encode(&self, w: &mut Writer);

    /// Read one value, leaving the reader just after it.
    fn read(r: &mut Reader<'a>) -> Result<Self, Error>;

    /// Decode `bytes`, which must hold exactly one value (trailing bytes are an error).
    fn decode(bytes: &'a [u8]) -> Result<Self, Error> {
        Reader::read_all(bytes, core::any::type_name::<Self>(), Self::read)
    }

    /// The encoding of `self` as a new vector.
    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.finish()
    }
}
