//! The sending half: TLSInnerPlaintext, padding, fragmentation, sealing, sequence numbers
//! and the AEAD usage limit.

use alloc::boxed::Box;
use core::num::NonZeroU16;

use tryst_crypto::{Aead, AeadAlgorithm, AeadKey, AeadKeyed, Iv, Nonce, TAG_LEN};
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ContentType, MAX_PLAINTEXT_LEN, ProtocolVersion,
};

use crate::sendbuf::RecordSink;
use crate::{
    Error, HEADER_LEN, MAX_INNER_PLAINTEXT_LEN, MIN_RECORD_SIZE_LIMIT, TLS12_EXPLICIT_NONCE_LEN,
    TLS12_GCM_SALT_LEN, encode_header,
};

/// How much zero padding to add to each protected record (RFC 8446 §5.4). Padding hides
/// the length of what is sent; it costs bandwidth. Padding is always clamped so the record
/// stays within 2^14 + 1 bytes of TLSInnerPlaintext and the peer's record_size_limit.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub enum Padding {
    /// No padding (the default).
    #[default]
    None,
    /// Pad the TLSInnerPlaintext (content plus the type byte) up to a multiple of this
    /// many bytes.
    ToMultipleOf(NonZeroU16),
    /// Pad every record to the largest size allowed.
    ToMax,
    /// Ask a function: given the content type and the content length, how many padding
    /// bytes? The answer is clamped to what fits. It must be deterministic.
    Custom(fn(ContentType, usize) -> usize),
}

impl Padding {
    /// Padding length for a record of `content_len` bytes, at most `max_pad`.
    fn pad_len(self, typ: ContentType, content_len: usize, max_pad: usize) -> usize {
        let want = match self {
            Padding::None => 0,
            Padding::ToMultipleOf(n) => {
                let n = usize::from(n.get());
                let inner = content_len.saturating_add(1);
                inner
                    .checked_rem(n)
                    .map_or(0, |r| n.saturating_sub(r))
                    .checked_rem(n)
                    .unwrap_or(0)
            }
            Padding::ToMax => max_pad,
            Padding::Custom(f) => f(typ, content_len),
        };
        want.min(max_pad)
    }
}

/// How records are protected under a key: the nonce and additional-data rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protection {
    /// TLS 1.3 (RFC 8446 §5.2, §5.3): nonce = IV ⊕ seq, AAD = the record header,
    /// TLSInnerPlaintext with the real type and padding, outer type application_data.
    Tls13,
    /// TLS 1.2 AES-GCM (RFC 5288 §3): nonce = 4-byte salt || 8-byte explicit nonce sent
    /// at the front of the fragment (we send the sequence number).
    Tls12ExplicitNonce,
    /// TLS 1.2 ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte IV ⊕ seq, nothing sent.
    Tls12XorNonce,
}

impl Protection {
    /// Bytes of explicit nonce before the ciphertext.
    pub(crate) const fn explicit_len(self) -> usize {
        match self {
            Protection::Tls12ExplicitNonce => TLS12_EXPLICIT_NONCE_LEN,
            Protection::Tls13 | Protection::Tls12XorNonce => 0,
        }
    }

    pub(crate) const fn is_tls12(self) -> bool {
        !matches!(self, Protection::Tls13)
    }
}

/// A prepared key for one direction: the AEAD, the IV, the record sequence number and
/// the protection rules.
pub(crate) struct DirectionKey {
    pub(crate) keyed: Box<dyn AeadKeyed>,
    pub(crate) iv: Iv,
    pub(crate) seq: u64,
    pub(crate) mode: Protection,
    /// Added to the sequence number to make the TLS 1.2 AES-GCM explicit nonce.
    pub(crate) explicit_offset: u64,
}

impl DirectionKey {
    pub(crate) fn new(aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<Self, Error> {
        if iv.len() != tryst_crypto::NONCE_LEN {
            return Err(Error::Crypto(tryst_crypto::Error::BadLength));
        }
        Ok(Self {
            keyed: aead.new_key(key)?,
            iv,
            seq: 0,
            mode: Protection::Tls13,
            explicit_offset: 0,
        })
    }

    /// A TLS 1.2 key: `iv` is the key block's write IV, 4 bytes (the salt) for AES-GCM and
    /// 12 bytes for ChaCha20-Poly1305.
    pub(crate) fn new_tls12(aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<Self, Error> {
        let (mode, iv_len) = match aead.algorithm() {
            AeadAlgorithm::ChaCha20Poly1305 => (Protection::Tls12XorNonce, tryst_crypto::NONCE_LEN),
            _ => (Protection::Tls12ExplicitNonce, TLS12_GCM_SALT_LEN),
        };
        if iv.len() != iv_len {
            return Err(Error::Crypto(tryst_crypto::Error::BadLength));
        }
        Ok(Self {
            keyed: aead.new_key(key)?,
            iv,
            seq: 0,
            mode,
            explicit_offset: 0,
        })
    }

    /// The TLS 1.2 nonce for the current record. AES-GCM: salt || `explicit`;
    /// ChaCha20-Poly1305: IV ⊕ seq (`explicit` is empty).
    pub(crate) fn tls12_nonce(&self, explicit: &[u8]) -> Nonce {
        match self.mode {
            Protection::Tls12ExplicitNonce => {
                let mut n = [0u8; tryst_crypto::NONCE_LEN];
                let salt = self.iv.expose_secret();
                for (i, out) in n.iter_mut().enumerate() {
                    *out = match i.checked_sub(TLS12_GCM_SALT_LEN) {
                        None => salt.get(i).copied().unwrap_or(0),
                        Some(j) => explicit.get(j).copied().unwrap_or(0),
                    };
                }
                let nonce = Nonce::from_bytes(n);
                tryst_crypto::zeroize::Zeroize::zeroize(&mut n);
                nonce
            }
            Protection::Tls13 | Protection::Tls12XorNonce => self.iv.nonce_for(self.seq),
        }
    }
}

/// Where a record's content is when it is sealed.
#[derive(Clone, Copy)]
enum Content<'a> {
    /// Already in the record buffer, this many bytes at the content offset.
    InPlace(usize),
    /// In the caller's slice: the AEAD reads it from there (out-of-place seal).
    From(&'a [u8]),
}

/// TLS 1.2 additional data (RFC 5246 §6.2.3.3): seq_num || type || version || length.
pub(crate) fn tls12_aad(seq: u64, header: &[u8; HEADER_LEN], plaintext_len: usize) -> [u8; 13] {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = seq.to_be_bytes();
    let [t, v0, v1, _, _] = *header;
    let [l0, l1] = u16::try_from(plaintext_len)
        .unwrap_or(u16::MAX)
        .to_be_bytes();
    [s0, s1, s2, s3, s4, s5, s6, s7, t, v0, v1, l0, l1]
}

/// Default share of the AEAD's confidentiality limit after which
/// [`RecordEncrypter::needs_key_update`] turns true, in percent.
pub const DEFAULT_KEY_UPDATE_PERCENT: u8 = 90;

/// The sending direction of the record layer (like Go's `halfConn`): the current key, IV
/// and sequence number, the peer's record size limit, the padding policy, and the first
/// permanent error.
///
/// Before [`set_key`](Self::set_key) records go out unprotected (the first flight);
/// afterwards every record is a TLSCiphertext. Sealing allocates nothing: output is
/// appended to a `Vec` whose capacity the caller reuses, or written into a caller's buffer
/// with [`encrypt_in_place`](Self::encrypt_in_place).
pub struct RecordEncrypter {
    key: Option<DirectionKey>,
    /// Largest TLSInnerPlaintext (content + type + padding) the peer accepts.
    max_inner: usize,
    padding: Padding,
    key_update_percent: u8,
    key_update_after: Option<u64>,
    plaintext_version: ProtocolVersion,
    closed: bool,
    error: Option<Error>,
}

impl core::fmt::Debug for RecordEncrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordEncrypter")
            .field("protected", &self.key.is_some())
            .field("sequence_number", &self.sequence_number())
            .field("max_inner", &self.max_inner)
            .field("padding", &self.padding)
            .field("closed", &self.closed)
            .field("error", &self.error)
            .finish()
    }
}

impl Default for RecordEncrypter {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordEncrypter {
    /// A sender with no keys yet: records go out as TLSPlaintext.
    pub fn new() -> Self {
        Self {
            key: None,
            max_inner: MAX_INNER_PLAINTEXT_LEN,
            padding: Padding::None,
            key_update_percent: DEFAULT_KEY_UPDATE_PERCENT,
            key_update_after: None,
            plaintext_version: ProtocolVersion::Tls12,
            closed: false,
            error: None,
        }
    }

    /// Install a TLS 1.2 write key (after sending ChangeCipherSpec, RFC 5246 §7.1); the
    /// sequence number restarts at 0. `iv` is the key block's write IV: the 4-byte
    /// implicit salt for AES-GCM (RFC 5288 §3), the 12-byte IV for ChaCha20-Poly1305
    /// (RFC 7905 §2); another length is an error.
    ///
    /// From then on records are TLS 1.2 GenericAEADCipher: the real content type in the
    /// header, no inner type or padding ([`Padding`] is ignored), AAD = seq_num || type
    /// || version || length, and for AES-GCM the 8-byte explicit nonce (the sequence
    /// number) in front of the ciphertext.
    pub fn set_key_tls12(&mut self, aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<(), Error> {
        self.key = Some(DirectionKey::new_tls12(aead, key, iv)?);
        if matches!(
            self.error,
            Some(Error::KeyUsageLimit { .. } | Error::SequenceExhausted)
        ) {
            self.error = None;
        }
        Ok(())
    }

    /// Under a TLS 1.2 AES-GCM key, send `offset + sequence number` (mod 2^64) as the
    /// explicit nonce instead of the sequence number itself (the default, offset 0).
    /// Nonces stay unique under the key either way; a random offset is what OpenSSL
    /// does, and reproducing its records needs it. No effect on other keys; a new key
    /// starts at offset 0 again.
    pub fn set_tls12_explicit_nonce_offset(&mut self, offset: u64) {
        if let Some(k) = self.key.as_mut() {
            k.explicit_offset = offset;
        }
    }

    /// Install a new traffic key and IV; the sequence number restarts at 0 (RFC 8446 §5.3).
    ///
    /// Contract: keys change only at a handshake message boundary (RFC 8446 §5.1). The
    /// sender sees whole messages in [`write`](Self::write), so this holds as long as the
    /// caller does not split one message across calls with a key change in between.
    pub fn set_key(&mut self, aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<(), Error> {
        self.key = Some(DirectionKey::new(aead, key, iv)?);
        // A key update is the cure for the usage limit, so that error does not stick.
        if matches!(
            self.error,
            Some(Error::KeyUsageLimit { .. } | Error::SequenceExhausted)
        ) {
            self.error = None;
        }
        Ok(())
    }

    /// Apply the peer's `record_size_limit` (RFC 8449): the largest TLSInnerPlaintext
    /// (content, type byte and padding) it accepts. Values above 2^14 + 1 are clamped;
    /// values below 64 are an `illegal_parameter` error. Unprotected records are not
    /// subject to it (RFC 8449 §4).
    pub fn set_record_size_limit(&mut self, limit: u16) -> Result<(), Error> {
        if limit < MIN_RECORD_SIZE_LIMIT {
            return Err(Error::BadRecordSizeLimit(limit));
        }
        self.max_inner = usize::from(limit).min(MAX_INNER_PLAINTEXT_LEN);
        Ok(())
    }

    /// Choose the padding policy for protected records.
    pub fn set_padding(&mut self, padding: Padding) {
        self.padding = padding;
    }

    /// Turn [`needs_key_update`](Self::needs_key_update) on once this share (1..=100, in
    /// percent) of the AEAD's confidentiality limit has been used. Values outside the
    /// range are clamped.
    pub fn set_key_update_percent(&mut self, percent: u8) {
        self.key_update_percent = percent.clamp(1, 100);
    }

    /// Also turn [`needs_key_update`](Self::needs_key_update) on after `records` records
    /// under one key (a rekeying policy tighter than the AEAD's limit); `None` removes it.
    pub fn set_key_update_after(&mut self, records: Option<u64>) {
        self.key_update_after = records;
    }

    /// `legacy_record_version` for unprotected records: 0x0303 (the default) or 0x0301,
    /// which RFC 8446 §5.1 allows for the initial ClientHello only.
    pub fn set_plaintext_record_version(&mut self, version: ProtocolVersion) -> Result<(), Error> {
        if version != ProtocolVersion::Tls12 && version != ProtocolVersion::Tls10 {
            return Err(Error::Misuse(
                "plaintext record version must be 0x0301 or 0x0303",
            ));
        }
        self.plaintext_version = version;
        Ok(())
    }

    /// Whether records are protected (a key is installed).
    pub fn is_protected(&self) -> bool {
        self.key.is_some()
    }

    /// The sequence number the next protected record will use (0 without a key).
    pub fn sequence_number(&self) -> u64 {
        self.key.as_ref().map_or(0, |k| k.seq)
    }

    /// True once the configured share of the AEAD's confidentiality limit
    /// (RFC 8446 §5.5) has been used, or the sequence number is close to exhausted: send
    /// KeyUpdate and install the next key before sending much more.
    pub fn needs_key_update(&self) -> bool {
        let Some(k) = &self.key else { return false };
        let limit = k.keyed.algorithm().confidentiality_limit();
        let threshold = (limit / 100 * u64::from(self.key_update_percent))
            .min(self.key_update_after.unwrap_or(u64::MAX));
        k.seq >= threshold || k.seq >= u64::MAX - (1 << 16)
    }

    /// Whether a close_notify (or a fatal alert) has been sent; nothing may follow it.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The most content bytes one record of the current kind carries.
    pub fn max_fragment_len(&self) -> usize {
        match self.key.as_ref().map(|k| k.mode) {
            // RFC 8449 §4: in TLS 1.2 the limit counts the plaintext only.
            Some(m) if m.is_tls12() => self.max_inner.min(MAX_PLAINTEXT_LEN),
            Some(_) => self.max_inner.saturating_sub(1),
            None => MAX_PLAINTEXT_LEN,
        }
    }

    /// Where the content starts in the buffer [`encrypt_in_place`](Self::encrypt_in_place)
    /// takes: after the header and, under a TLS 1.2 AES-GCM key, the explicit nonce.
    pub fn content_offset(&self) -> usize {
        HEADER_LEN.saturating_add(self.key.as_ref().map_or(0, |k| k.mode.explicit_len()))
    }

    /// The size of the record `encrypt_in_place` will produce for `content_len` bytes of
    /// `typ`, padding included.
    pub fn record_len(&self, typ: ContentType, content_len: usize) -> usize {
        if self.key.as_ref().is_some_and(|k| k.mode.is_tls12()) {
            return self
                .content_offset()
                .saturating_add(content_len)
                .saturating_add(TAG_LEN);
        }
        if self.key.is_some() {
            let max_pad = self.max_inner.saturating_sub(1).saturating_sub(content_len);
            let pad = self.padding.pad_len(typ, content_len, max_pad);
            HEADER_LEN + content_len.saturating_add(1 + TAG_LEN).saturating_add(pad)
        } else {
            HEADER_LEN.saturating_add(content_len)
        }
    }

    fn check_usable(&self) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.closed {
            return Err(Error::Misuse("record after close_notify or a fatal alert"));
        }
        Ok(())
    }

    /// Protect one record in place. `buf` starts with [`HEADER_LEN`] bytes of room for the
    /// header (plus the explicit nonce under a TLS 1.2 AES-GCM key: the content starts at
    /// [`content_offset`](Self::content_offset)), then `content_len` bytes of content, then
    /// room for the type byte, padding and tag ([`record_len`](Self::record_len) bytes in
    /// all). Returns the record length: `buf[..len]` is ready to send.
    pub fn encrypt_in_place(
        &mut self,
        typ: ContentType,
        buf: &mut [u8],
        content_len: usize,
    ) -> Result<usize, Error> {
        self.check_usable()?;
        let len = self.record_len(typ, content_len);
        self.seal_exact(
            typ,
            buf.get_mut(..len)
                .ok_or(Error::BufferTooSmall { needed: len })?,
            Content::InPlace(content_len),
        )
    }

    /// Seal into exactly `record` (header, content, type, padding, tag). The content is
    /// either already in `record` or read from the caller's slice by the seal itself.
    fn seal_exact(
        &mut self,
        typ: ContentType,
        record: &mut [u8],
        content: Content<'_>,
    ) -> Result<usize, Error> {
        let (content_len, src) = match content {
            Content::InPlace(len) => (len, &[][..]),
            Content::From(src) => (src.len(), src),
        };
        let record_len = record.len();
        let (header, body) = record
            .split_at_mut_checked(HEADER_LEN)
            .ok_or(Error::BufferTooSmall { needed: HEADER_LEN })?;
        let Some(key) = self.key.as_mut() else {
            Self::plaintext_record(self.plaintext_version, typ, header, body, content)?;
            return Ok(record_len);
        };
        if !matches!(
            typ,
            ContentType::Handshake | ContentType::Alert | ContentType::ApplicationData
        ) {
            return Err(Error::Misuse(
                "only handshake, alert and application data are protected",
            ));
        }
        if key.mode.is_tls12() {
            if content_len > self.max_inner.min(MAX_PLAINTEXT_LEN) {
                return Err(Error::Misuse("fragment longer than the record limit"));
            }
        } else if content_len >= self.max_inner {
            return Err(Error::Misuse("fragment longer than the record limit"));
        }
        if key.seq == u64::MAX {
            self.error = Some(Error::SequenceExhausted);
            return Err(Error::SequenceExhausted);
        }
        let limit = key.keyed.algorithm().confidentiality_limit();
        if key.seq >= limit {
            let e = Error::KeyUsageLimit { limit };
            self.error = Some(e);
            return Err(e);
        }
        if key.mode.is_tls12() {
            return Self::seal_tls12(key, typ, header, body, src, content_len, record_len)
                .inspect_err(|e| {
                    if !matches!(e, Error::Misuse(_) | Error::BufferTooSmall { .. }) {
                        self.error = Some(*e);
                    }
                });
        }
        // TLSInnerPlaintext = content || type || zeros (RFC 8446 §5.2).
        let ciphertext_len = body.len();
        let inner_len = ciphertext_len
            .checked_sub(TAG_LEN)
            .ok_or(Error::BufferTooSmall { needed: TAG_LEN })?;
        if inner_len <= content_len || inner_len > self.max_inner {
            return Err(Error::Misuse("record length does not fit the content"));
        }
        let (type_and_pad, _) = body
            .get_mut(content_len..)
            .and_then(|s| s.split_first_mut())
            .ok_or(Error::BufferTooSmall { needed: record_len })?;
        *type_and_pad = typ.to_raw();
        if let Some(pad) = body.get_mut(content_len.saturating_add(1)..inner_len) {
            pad.fill(0);
        }
        header.copy_from_slice(&encode_header(
            ContentType::ApplicationData,
            ProtocolVersion::Tls12,
            ciphertext_len,
        )?);
        let nonce = key.iv.nonce_for(key.seq);
        // Out of place when the content is the caller's slice: it is read once, by the
        // AEAD, and the type byte and padding already in `body` follow it.
        if let Err(e) = key.keyed.seal_from(&nonce, header, src, body) {
            let e = Error::from(e);
            self.error = Some(e);
            return Err(e);
        }
        key.seq = key.seq.saturating_add(1);
        Ok(record_len)
    }

    /// An unprotected TLSPlaintext record (RFC 8446 §5.1): only the first flight and
    /// alerts before keys.
    fn plaintext_record(
        version: ProtocolVersion,
        typ: ContentType,
        header: &mut [u8],
        body: &mut [u8],
        content: Content<'_>,
    ) -> Result<(), Error> {
        if typ == ContentType::ApplicationData {
            return Err(Error::Misuse("application data before keys are installed"));
        }
        let content_len = match content {
            Content::InPlace(len) => len,
            Content::From(src) => src.len(),
        };
        if content_len > MAX_PLAINTEXT_LEN || body.len() != content_len {
            return Err(Error::Misuse("fragment longer than the record limit"));
        }
        if let Content::From(src) = content {
            body.copy_from_slice(src);
        }
        header.copy_from_slice(&encode_header(typ, version, content_len)?);
        Ok(())
    }

    /// Seal a TLS 1.2 GenericAEADCipher (RFC 5246 §6.2.3.3): `body` is the explicit nonce
    /// room, the content (or room for `src`, when not empty) and the tag room.
    fn seal_tls12(
        key: &mut DirectionKey,
        typ: ContentType,
        header: &mut [u8],
        body: &mut [u8],
        src: &[u8],
        content_len: usize,
        record_len: usize,
    ) -> Result<usize, Error> {
        let explicit_len = key.mode.explicit_len();
        if body.len()
            != explicit_len
                .saturating_add(content_len)
                .saturating_add(TAG_LEN)
        {
            return Err(Error::Misuse("record length does not fit the content"));
        }
        let hdr = encode_header(typ, ProtocolVersion::Tls12, body.len())?;
        header.copy_from_slice(&hdr);
        let aad = tls12_aad(key.seq, &hdr, content_len);
        let (explicit, sealed) = body
            .split_at_mut_checked(explicit_len)
            .ok_or(Error::BufferTooSmall { needed: record_len })?;
        // RFC 5288 §3: the explicit nonce must never repeat under a key; the sequence
        // number (plus a fixed offset, mod 2^64) never does.
        let seq = key.seq.wrapping_add(key.explicit_offset).to_be_bytes();
        explicit.copy_from_slice(seq.get(..explicit_len).unwrap_or_default());
        let nonce = key.tls12_nonce(explicit);
        key.keyed.seal_from(&nonce, &aad, src, sealed)?;
        key.seq = key.seq.saturating_add(1);
        Ok(record_len)
    }

    /// Append records carrying `data` (of content type `typ`) to `out`, fragmenting at
    /// [`max_fragment_len`](Self::max_fragment_len). Empty data sends nothing.
    ///
    /// `out` is a `Vec<u8>` (each record's content is copied in, then sealed in place) or
    /// a [`SendBuffer`](crate::SendBuffer) (each record is sealed straight into it from
    /// `data`). Either only grows when its room is short: reuse one buffer and
    /// steady-state sending allocates nothing. If an error occurs partway, the records
    /// already appended used up sequence numbers and must still be sent.
    pub fn write<S: RecordSink + ?Sized>(
        &mut self,
        typ: ContentType,
        data: &[u8],
        out: &mut S,
    ) -> Result<(), Error> {
        self.check_usable()?;
        if typ == ContentType::ChangeCipherSpec {
            return Err(Error::Misuse("use write_change_cipher_spec"));
        }
        let max = self.max_fragment_len().max(1);
        for chunk in data.chunks(max) {
            self.push_record(typ, chunk, out)?;
        }
        Ok(())
    }

    /// How many bytes [`write_into`](Self::write_into) needs for `data_len` bytes of
    /// `typ`: every record it fragments into, headers, padding and tags included.
    pub fn write_len(&self, typ: ContentType, data_len: usize) -> usize {
        let max = self.max_fragment_len().max(1);
        let full = data_len.checked_div(max).unwrap_or(0);
        let rest = data_len.checked_rem(max).unwrap_or(0);
        let len = full.saturating_mul(self.record_len(typ, max));
        if rest == 0 {
            len
        } else {
            len.saturating_add(self.record_len(typ, rest))
        }
    }

    /// Write records carrying `data` straight into `out` (the zero-copy send path): each
    /// record is sealed from `data` into `out` in one pass (the AEAD reads the content from
    /// `data` and writes the ciphertext, no copy first), header and tag around it. Fragments at
    /// [`max_fragment_len`](Self::max_fragment_len) like [`write`](Self::write); empty
    /// data writes nothing. Returns how many bytes of `out` now hold records.
    ///
    /// An `out` shorter than [`write_len`](Self::write_len) is
    /// [`Error::BufferTooSmall`], checked before anything is written or any sequence
    /// number is used.
    pub fn write_into(
        &mut self,
        typ: ContentType,
        data: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        self.check_usable()?;
        if typ == ContentType::ChangeCipherSpec {
            return Err(Error::Misuse("use write_change_cipher_spec"));
        }
        let needed = self.write_len(typ, data.len());
        if out.len() < needed {
            return Err(Error::BufferTooSmall { needed });
        }
        let max = self.max_fragment_len().max(1);
        let mut written = 0usize;
        for chunk in data.chunks(max) {
            let len = self.record_len(typ, chunk.len());
            let record = out
                .get_mut(written..written.saturating_add(len))
                .ok_or(Error::BufferTooSmall { needed })?;
            written = written.saturating_add(self.seal_exact(typ, record, Content::From(chunk))?);
        }
        Ok(written)
    }

    fn push_record<S: RecordSink + ?Sized>(
        &mut self,
        typ: ContentType,
        chunk: &[u8],
        out: &mut S,
    ) -> Result<(), Error> {
        let len = self.record_len(typ, chunk.len());
        // A `Vec` gets the content copied in and sealed in place; a `SendBuffer` has
        // initialised room, and the seal reads the content from `chunk` (out of place).
        let (record, in_place) = out.start_record(len, self.content_offset(), chunk);
        let content = if in_place {
            Content::InPlace(chunk.len())
        } else {
            Content::From(chunk)
        };
        let result = self.seal_exact(typ, record, content);
        out.finish_record(len, result.is_ok());
        result.map(|_| ())
    }

    /// Append one alert record. Every alert but `user_canceled` closes this direction:
    /// nothing can be written after it.
    pub fn write_alert<S: RecordSink + ?Sized>(
        &mut self,
        alert: Alert,
        out: &mut S,
    ) -> Result<(), Error> {
        self.check_usable()?;
        let body = [alert.level.to_raw(), alert.description.to_raw()];
        self.push_record(ContentType::Alert, &body, out)?;
        if alert.description != AlertDescription::UserCanceled {
            self.closed = true;
        }
        Ok(())
    }

    /// Append a close_notify alert (RFC 8446 §6.1); nothing can be written after it.
    pub fn write_close_notify<S: RecordSink + ?Sized>(&mut self, out: &mut S) -> Result<(), Error> {
        self.write_alert(
            Alert {
                level: AlertLevel::Warning,
                description: AlertDescription::CloseNotify,
            },
            out,
        )
    }

    /// Append the unprotected change_cipher_spec record of middlebox compatibility mode
    /// (RFC 8446 §D.4): `14 03 03 00 01 01`, whatever the key state.
    pub fn write_change_cipher_spec<S: RecordSink + ?Sized>(
        &mut self,
        out: &mut S,
    ) -> Result<(), Error> {
        self.check_usable()?;
        let [h0, h1, h2, h3, h4] =
            encode_header(ContentType::ChangeCipherSpec, ProtocolVersion::Tls12, 1)?;
        out.append(&[h0, h1, h2, h3, h4, 1]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use tryst_crypto::AES_128_GCM;

    fn keyed() -> RecordEncrypter {
        let mut e = RecordEncrypter::new();
        e.set_key(
            AES_128_GCM,
            &AeadKey::from_slice(&[1; 16]).unwrap(),
            Iv::from_slice(&[2; 12]).unwrap(),
        )
        .unwrap();
        e
    }

    #[test]
    fn sequence_never_wraps() {
        let mut e = keyed();
        e.key.as_mut().unwrap().seq = u64::MAX;
        let mut out = Vec::new();
        let err = e
            .write(ContentType::ApplicationData, b"x", &mut out)
            .unwrap_err();
        // Checked before the usage limit, so this holds for every AEAD.
        assert!(matches!(err, Error::SequenceExhausted), "{err:?}");
        assert!(out.is_empty());
        // The error is permanent until a new key arrives.
        assert_eq!(
            e.write(ContentType::ApplicationData, b"x", &mut out),
            Err(Error::SequenceExhausted)
        );
        e.set_key(
            AES_128_GCM,
            &AeadKey::from_slice(&[3; 16]).unwrap(),
            Iv::from_slice(&[4; 12]).unwrap(),
        )
        .unwrap();
        assert_eq!(e.sequence_number(), 0);
        e.write(ContentType::ApplicationData, b"x", &mut out)
            .unwrap();
    }

    #[test]
    fn usage_limit_is_reported_then_enforced() {
        let mut e = keyed();
        let limit = AES_128_GCM.algorithm().confidentiality_limit();
        assert!(!e.needs_key_update());
        e.key.as_mut().unwrap().seq = limit / 100 * 90 - 1;
        assert!(!e.needs_key_update());
        let mut out = Vec::new();
        e.write(ContentType::ApplicationData, b"x", &mut out)
            .unwrap();
        assert!(e.needs_key_update());
        e.set_key_update_percent(50);
        e.key.as_mut().unwrap().seq = limit / 2;
        assert!(e.needs_key_update());
        e.key.as_mut().unwrap().seq = limit;
        assert_eq!(
            e.write(ContentType::ApplicationData, b"x", &mut out),
            Err(Error::KeyUsageLimit { limit })
        );
        assert_eq!(
            Error::KeyUsageLimit { limit }.alert(),
            AlertDescription::InternalError
        );
    }

    #[test]
    fn padding_policies() {
        let n = NonZeroU16::new(16).unwrap();
        assert_eq!(
            Padding::ToMultipleOf(n).pad_len(ContentType::Handshake, 15, 100),
            0
        );
        assert_eq!(
            Padding::ToMultipleOf(n).pad_len(ContentType::Handshake, 16, 100),
            15
        );
        assert_eq!(
            Padding::ToMultipleOf(n).pad_len(ContentType::Handshake, 16, 3),
            3
        );
        assert_eq!(Padding::ToMax.pad_len(ContentType::Handshake, 16, 77), 77);
        assert_eq!(Padding::None.pad_len(ContentType::Handshake, 16, 77), 0);
        assert_eq!(
            Padding::Custom(|_, len| len * 2).pad_len(ContentType::Alert, 2, 77),
            4
        );
    }

    #[test]
    fn record_size_limit_fragments() {
        let mut e = keyed();
        assert_eq!(
            e.set_record_size_limit(63),
            Err(Error::BadRecordSizeLimit(63))
        );
        e.set_record_size_limit(64).unwrap();
        assert_eq!(e.max_fragment_len(), 63);
        e.set_padding(Padding::ToMax);
        let mut out = Vec::new();
        e.write(ContentType::ApplicationData, &[7; 200], &mut out)
            .unwrap();
        // 4 records, each with a 64-byte inner plaintext (RFC 8449: the limit counts the
        // type byte and padding).
        assert_eq!(out.len(), 4 * (HEADER_LEN + 64 + TAG_LEN));
        e.set_record_size_limit(u16::MAX).unwrap();
        assert_eq!(e.max_fragment_len(), MAX_PLAINTEXT_LEN);
    }

    #[test]
    fn plaintext_records() {
        let mut e = RecordEncrypter::new();
        let mut out = Vec::new();
        assert!(
            e.write(ContentType::ApplicationData, b"x", &mut out)
                .is_err()
        );
        e.set_plaintext_record_version(ProtocolVersion::Tls10)
            .unwrap();
        e.write(ContentType::Handshake, &[1, 0, 0, 0], &mut out)
            .unwrap();
        assert_eq!(out, [22, 3, 1, 0, 4, 1, 0, 0, 0]);
        out.clear();
        e.write_change_cipher_spec(&mut out).unwrap();
        assert_eq!(out, [20, 3, 3, 0, 1, 1]);
        out.clear();
        e.write(ContentType::Handshake, &[0; 20000], &mut out)
            .unwrap();
        assert_eq!(out.len(), 20000 + 2 * HEADER_LEN);
        assert!(
            e.set_plaintext_record_version(ProtocolVersion::Tls13)
                .is_err()
        );
    }

    #[test]
    fn write_into_matches_write() {
        for (limit, padding) in [
            (u16::MAX, Padding::None),
            (100, Padding::ToMultipleOf(NonZeroU16::new(32).unwrap())),
            (64, Padding::ToMax),
        ] {
            let (mut a, mut b, mut c) = (keyed(), keyed(), keyed());
            for e in [&mut a, &mut b, &mut c] {
                e.set_record_size_limit(limit).unwrap();
                e.set_padding(padding);
            }
            for len in [0, 1, 62, 63, 64, 99, 1000, 16384, 40000] {
                let data = alloc::vec![0x33; len];
                c.key.as_mut().unwrap().seq = a.sequence_number();
                let mut want = Vec::new();
                a.write(ContentType::ApplicationData, &data, &mut want)
                    .unwrap();
                let needed = b.write_len(ContentType::ApplicationData, len);
                assert_eq!(needed, want.len(), "len {len}");
                let mut out = alloc::vec![0xee; needed + 3];
                if needed > 0 {
                    // Too short: refused before anything is written or sealed.
                    assert_eq!(
                        b.write_into(ContentType::ApplicationData, &data, &mut out[..needed - 1]),
                        Err(Error::BufferTooSmall { needed })
                    );
                    assert!(out.iter().all(|&x| x == 0xee));
                }
                let n = b
                    .write_into(ContentType::ApplicationData, &data, &mut out)
                    .unwrap();
                assert_eq!(&out[..n], &want[..], "len {len}");
                // One record: `encrypt_in_place` (content already in the record) gives
                // the same bytes as `write_into`'s out-of-place seal.
                if (1..=c.max_fragment_len()).contains(&len) {
                    let mut rec = alloc::vec![0u8; c.record_len(ContentType::ApplicationData, len)];
                    rec[HEADER_LEN..HEADER_LEN + len].copy_from_slice(&data);
                    let m = c
                        .encrypt_in_place(ContentType::ApplicationData, &mut rec, len)
                        .unwrap();
                    assert_eq!(&rec[..m], &want[..], "len {len} in place");
                }
                assert_eq!(a.sequence_number(), b.sequence_number());
            }
        }
    }

    #[test]
    fn nothing_after_close_notify() {
        let mut e = keyed();
        let mut out = Vec::new();
        e.write_close_notify(&mut out).unwrap();
        assert!(e.is_closed());
        assert!(matches!(
            e.write(ContentType::ApplicationData, b"x", &mut out),
            Err(Error::Misuse(_))
        ));
    }
}
