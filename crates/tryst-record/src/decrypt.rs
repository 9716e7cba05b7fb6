//! The receiving half: header checks, opening in place, padding removal, inner content
//! type, change_cipher_spec, alerts and the close_notify state.

use core::ops::Range;

use tryst_crypto::{Aead, AeadKey, Iv, TAG_LEN};
use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ContentType, HandshakeJoiner, MAX_CIPHERTEXT_LEN,
    MAX_PLAINTEXT_LEN, RecordHeader,
};

use crate::encrypt::{DirectionKey, tls12_aad};
use crate::{Error, HEADER_LEN, MAX_INNER_PLAINTEXT_LEN, MIN_RECORD_SIZE_LIMIT};

/// One record's worth of received content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message<'a> {
    /// A handshake fragment (feed it to a handshake reassembler; it may hold part of a
    /// message or several messages).
    Handshake(&'a [u8]),
    /// Application data (never empty: empty records are skipped).
    ApplicationData(&'a [u8]),
    /// A non-fatal alert other than close_notify (in TLS 1.3 only `user_canceled`).
    Alert(Alert),
    /// The peer's close_notify: it will send nothing more (RFC 8446 §6.1).
    CloseNotify,
    /// A TLS 1.2 ChangeCipherSpec (RFC 5246 §7.1), delivered only when armed with
    /// [`RecordDecrypter::expect_change_cipher_spec`]: install the read key next.
    ChangeCipherSpec,
}

impl Message<'_> {
    /// The (inner) content type this message arrived with.
    pub fn content_type(&self) -> ContentType {
        match self {
            Message::Handshake(_) => ContentType::Handshake,
            Message::ApplicationData(_) => ContentType::ApplicationData,
            Message::Alert(_) | Message::CloseNotify => ContentType::Alert,
            Message::ChangeCipherSpec => ContentType::ChangeCipherSpec,
        }
    }
}

/// What opening a record produced, as a range into the record buffer (so callers that
/// loop can drop the borrow).
#[derive(Clone, Debug)]
pub(crate) enum Opened {
    Handshake(Range<usize>),
    ApplicationData(Range<usize>),
    Alert(Alert),
    CloseNotify,
    ChangeCipherSpec,
    /// Nothing for the caller: an ignored change_cipher_spec or an empty application
    /// data record.
    Ignored,
    /// Rejected early data, dropped within the configured budget.
    SkippedEarlyData,
    /// A record after the peer's close_notify, discarded unread (RFC 8446 §6.1).
    AfterCloseNotify,
}

impl Opened {
    pub(crate) fn into_message(self, record: &[u8]) -> Option<Message<'_>> {
        match self {
            Opened::Handshake(r) => record.get(r).map(Message::Handshake),
            Opened::ApplicationData(r) => record.get(r).map(Message::ApplicationData),
            Opened::Alert(a) => Some(Message::Alert(a)),
            Opened::CloseNotify => Some(Message::CloseNotify),
            Opened::ChangeCipherSpec => Some(Message::ChangeCipherSpec),
            Opened::Ignored | Opened::SkippedEarlyData | Opened::AfterCloseNotify => None,
        }
    }
}

/// Default cap on consecutive records that carry nothing (empty application data,
/// ignored change_cipher_spec).
pub const DEFAULT_MAX_EMPTY_RECORDS: u32 = 32;

/// The receiving direction of the record layer: the current key, IV and sequence number,
/// whether change_cipher_spec and application data are currently accepted, the record
/// size limit we advertised, close_notify state, and the first permanent error (after
/// which every call returns it).
pub struct RecordDecrypter {
    key: Option<DirectionKey>,
    max_inner: usize,
    ccs_allowed: bool,
    /// One TLS 1.2 ChangeCipherSpec is expected and will be delivered.
    ccs_expected: bool,
    /// TLS 1.2 rules for alerts (warnings are not fatal).
    tls12: bool,
    app_data_allowed: bool,
    plaintext_alerts_allowed: bool,
    empty_run: u32,
    max_empty_run: u32,
    close_notify: bool,
    /// Bytes of rejected early data still allowed to be skipped (RFC 8446 §4.2.10).
    early_data_skip: Option<usize>,
    error: Option<Error>,
}

impl core::fmt::Debug for RecordDecrypter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordDecrypter")
            .field("protected", &self.key.is_some())
            .field("sequence_number", &self.sequence_number())
            .field("max_inner", &self.max_inner)
            .field("ccs_allowed", &self.ccs_allowed)
            .field("app_data_allowed", &self.app_data_allowed)
            .field("close_notify", &self.close_notify)
            .field("error", &self.error)
            .finish()
    }
}

impl Default for RecordDecrypter {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordDecrypter {
    /// A receiver with no keys yet: only TLSPlaintext handshake, alert and (if allowed)
    /// change_cipher_spec records are accepted.
    pub fn new() -> Self {
        Self {
            key: None,
            max_inner: MAX_INNER_PLAINTEXT_LEN,
            ccs_allowed: false,
            ccs_expected: false,
            tls12: false,
            app_data_allowed: true,
            plaintext_alerts_allowed: false,
            empty_run: 0,
            max_empty_run: DEFAULT_MAX_EMPTY_RECORDS,
            close_notify: false,
            early_data_skip: None,
            error: None,
        }
    }

    /// Install a new traffic key and IV; the sequence number restarts at 0.
    ///
    /// Contract (RFC 8446 §5.1): call this only at a handshake message boundary, i.e. when
    /// no partial handshake message is buffered. The record layer cannot see handshake
    /// framing; [`set_key_at_boundary`](Self::set_key_at_boundary) checks it against the
    /// caller's [`HandshakeJoiner`]. Records already buffered by the [`Deframer`] but not
    /// yet returned are opened with the new key, as they must be.
    ///
    /// [`Deframer`]: crate::Deframer
    pub fn set_key(&mut self, aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<(), Error> {
        self.check_usable()?;
        self.key = Some(DirectionKey::new(aead, key, iv)?);
        Ok(())
    }

    /// Install a TLS 1.2 read key (after the peer's ChangeCipherSpec); the sequence number
    /// restarts at 0. `iv` is the key block's write IV of the peer: 4 bytes (the salt)
    /// for AES-GCM, 12 for ChaCha20-Poly1305. Implies [`set_tls12`](Self::set_tls12).
    ///
    /// Records are then TLS 1.2 GenericAEADCipher (RFC 5246 §6.2.3.3): the header carries
    /// the real type, AAD = seq_num || type || version || length, AES-GCM records start
    /// with the 8-byte explicit nonce (RFC 5288), ChaCha20-Poly1305 uses IV ⊕ seq
    /// (RFC 7905). A fragment longer than 2^14 plus the nonce and tag is
    /// `record_overflow` before any work (tighter than RFC 5246's 2^14 + 2048; nothing
    /// between the two could decrypt to a legal record).
    pub fn set_key_tls12(&mut self, aead: &dyn Aead, key: &AeadKey, iv: Iv) -> Result<(), Error> {
        self.check_usable()?;
        self.key = Some(DirectionKey::new_tls12(aead, key, iv)?);
        self.tls12 = true;
        Ok(())
    }

    /// [`set_key_tls12`](Self::set_key_tls12), refused with `unexpected_message` when
    /// `joiner` holds a partial handshake message (RFC 5246 §7.1: ChangeCipherSpec comes
    /// between whole messages).
    pub fn set_key_tls12_at_boundary(
        &mut self,
        joiner: &HandshakeJoiner,
        aead: &dyn Aead,
        key: &AeadKey,
        iv: Iv,
    ) -> Result<(), Error> {
        if !joiner.at_message_boundary() {
            return Err(self.fail(Error::KeyChangeInsideMessage));
        }
        self.set_key_tls12(aead, key, iv)
    }

    /// The connection negotiated TLS 1.2: alerts follow RFC 5246 §7.2 (a warning-level
    /// alert other than close_notify is delivered as [`Message::Alert`], not fatal; the
    /// caller caps how many it accepts).
    pub fn set_tls12(&mut self) {
        self.tls12 = true;
    }

    /// Accept exactly one TLS 1.2 ChangeCipherSpec record (the single byte 0x01, before
    /// a read key is installed) and deliver it as [`Message::ChangeCipherSpec`]
    /// (RFC 5246 §7.1). Any other change_cipher_spec record stays `unexpected_message`
    /// (unless the TLS 1.3 compatibility drop is on).
    pub fn expect_change_cipher_spec(&mut self) {
        self.ccs_expected = true;
    }

    /// [`set_key`](Self::set_key), refused with `unexpected_message` when `joiner` holds a
    /// partial handshake message (RFC 8446 §5.1: a message must not span a key change).
    pub fn set_key_at_boundary(
        &mut self,
        joiner: &HandshakeJoiner,
        aead: &dyn Aead,
        key: &AeadKey,
        iv: Iv,
    ) -> Result<(), Error> {
        if !joiner.at_message_boundary() {
            return Err(self.fail(Error::KeyChangeInsideMessage));
        }
        self.set_key(aead, key, iv)
    }

    /// Whether an unprotected change_cipher_spec record (the single byte 0x01) is
    /// currently dropped silently (RFC 8446 §5: after the first ClientHello and before the
    /// peer's Finished). When false, such a record is `unexpected_message`.
    pub fn set_change_cipher_spec_allowed(&mut self, allowed: bool) {
        self.ccs_allowed = allowed;
    }

    /// Whether application data is accepted (the default). A TLS connection turns this
    /// off until the handshake is complete: application data before the peer's Finished
    /// is `unexpected_message` whatever its length (RFC 8446 §5), and an empty record must
    /// not be dropped silently then. With it off, a protected record whose inner type is
    /// application_data is [`Error::UnexpectedContentType`]. (Unprotected application data
    /// is always refused; skipped rejected early data is not affected.)
    pub fn set_application_data_allowed(&mut self, allowed: bool) {
        self.app_data_allowed = allowed;
    }

    /// Whether an unprotected alert record is accepted although keys are installed. A
    /// peer that fails during the handshake may not have our handshake keys yet (OpenSSL's
    /// client, rejecting our certificate, sends its alert in the clear), and its reason
    /// should not be lost; the outer type 21 cannot be confused with a protected record
    /// (always 23). Off by default; a connection turns it on for the handshake only.
    pub fn set_plaintext_alerts_allowed(&mut self, allowed: bool) {
        self.plaintext_alerts_allowed = allowed;
    }

    /// The `record_size_limit` we advertised (RFC 8449): protected records whose
    /// TLSInnerPlaintext is longer are `record_overflow`. Values above 2^14 + 1 are clamped.
    pub fn set_record_size_limit(&mut self, limit: u16) -> Result<(), Error> {
        if limit < MIN_RECORD_SIZE_LIMIT {
            return Err(Error::BadRecordSizeLimit(limit));
        }
        self.max_inner = usize::from(limit).min(MAX_INNER_PLAINTEXT_LEN);
        Ok(())
    }

    /// Cap on consecutive records that carry nothing (default
    /// [`DEFAULT_MAX_EMPTY_RECORDS`]).
    pub fn set_max_empty_records(&mut self, max: u32) {
        self.max_empty_run = max;
    }

    /// Whether records are protected (a key is installed).
    pub fn is_protected(&self) -> bool {
        self.key.is_some()
    }

    /// For a server that rejected 0-RTT (RFC 8446 §4.2.10): silently drop up to
    /// `max_early_data_size` bytes of records that are early data. With a key installed,
    /// those are records that fail to open (trial decryption); without one (after a
    /// HelloRetryRequest), records with outer type application_data. The first record that
    /// opens (or the first handshake record in the clear) ends the skipping; exceeding the
    /// budget is `bad_record_mac` (or `unexpected_message` in the clear).
    pub fn skip_rejected_early_data(&mut self, max_early_data_size: u32) {
        self.early_data_skip = usize::try_from(max_early_data_size).ok();
    }

    /// Charge `len` bytes of skipped early data; false when over budget (or not skipping).
    fn charge_early_data(&mut self, len: usize) -> bool {
        match self.early_data_skip {
            Some(left) if len <= left => {
                self.early_data_skip = Some(left.saturating_sub(len));
                true
            }
            _ => false,
        }
    }

    /// The sequence number the next protected record must carry (0 without a key).
    pub fn sequence_number(&self) -> u64 {
        self.key.as_ref().map_or(0, |k| k.seq)
    }

    /// Whether the peer's close_notify has arrived.
    pub fn received_close_notify(&self) -> bool {
        self.close_notify
    }

    /// The first permanent error, if any.
    pub fn error(&self) -> Option<Error> {
        self.error
    }

    /// What to report when the transport reaches end of input: `Ok` after close_notify
    /// (whatever followed it is ignored, RFC 8446 §6.1), otherwise [`Error::Truncated`].
    /// Bytes buffered that do not form a record do not change the answer.
    pub fn end_of_input(&self) -> Result<(), Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.close_notify {
            Ok(())
        } else {
            Err(Error::Truncated)
        }
    }

    fn check_usable(&self) -> Result<(), Error> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Record `e` as the permanent error and return it.
    fn fail(&mut self, e: Error) -> Error {
        if self.error.is_none() {
            self.error = Some(e);
        }
        e
    }

    /// Check a record header as soon as it arrives, before its body is buffered: content
    /// type and length (RFC 8446 §5.1, §5.2). `legacy_record_version` is not checked: it
    /// "MUST be ignored for all purposes" (§5.1). After close_notify nothing is checked
    /// (the record will be discarded, §6.1): the declared length is returned.
    pub fn check_header(&mut self, header: &[u8]) -> Result<usize, Error> {
        self.check_usable()?;
        self.check_header_inner(header).map_err(|e| self.fail(e))
    }

    fn check_header_inner(&self, header: &[u8]) -> Result<usize, Error> {
        if self.close_notify {
            return match header.get(3..5) {
                Some(&[hi, lo]) => Ok(usize::from(u16::from_be_bytes([hi, lo]))),
                _ => Err(Error::Misuse("record header shorter than five bytes")),
            };
        }
        let (h, _) = RecordHeader::split(header).map_err(|e| {
            if e.alert() == AlertDescription::RecordOverflow {
                Error::CiphertextOverflow {
                    len: header
                        .get(3..5)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0, |b| usize::from(u16::from_be_bytes(b))),
                    max: MAX_CIPHERTEXT_LEN,
                }
            } else {
                Error::Misuse("record header shorter than five bytes")
            }
        })?;
        let typ = h.content_type;
        let len = usize::from(h.length);
        if let Some(mode) = self.key.as_ref().map(|k| k.mode).filter(|m| m.is_tls12()) {
            let max = match typ {
                ContentType::Handshake | ContentType::Alert | ContentType::ApplicationData => {
                    MAX_PLAINTEXT_LEN
                        .saturating_add(mode.explicit_len())
                        .saturating_add(TAG_LEN)
                }
                ContentType::ChangeCipherSpec => MAX_PLAINTEXT_LEN,
                other => return Err(Error::UnexpectedContentType(other)),
            };
            if len > max {
                return Err(Error::CiphertextOverflow { len, max });
            }
            return Ok(len);
        }
        let max = match (typ, self.key.is_some()) {
            (ContentType::ApplicationData, true) => MAX_CIPHERTEXT_LEN,
            (ContentType::ApplicationData, false) if self.early_data_skip.is_some() => {
                MAX_CIPHERTEXT_LEN
            }
            (ContentType::ChangeCipherSpec, _) => MAX_PLAINTEXT_LEN,
            (ContentType::Handshake | ContentType::Alert, false) => MAX_PLAINTEXT_LEN,
            (ContentType::Alert, true) if self.plaintext_alerts_allowed => MAX_PLAINTEXT_LEN,
            (other, _) => return Err(Error::UnexpectedContentType(other)),
        };
        if len > max {
            return Err(Error::CiphertextOverflow { len, max });
        }
        Ok(len)
    }

    /// Open one whole record (`record` is the header and exactly its fragment) in place.
    /// Returns `None` for records that carry nothing for the caller (an allowed
    /// change_cipher_spec, an empty application data record) and for every record after
    /// the peer's close_notify, which is discarded unread (RFC 8446 §6.1).
    ///
    /// The first error is permanent: the connection must send [`Error::alert`] and close.
    pub fn open_in_place<'a>(
        &mut self,
        record: &'a mut [u8],
    ) -> Result<Option<Message<'a>>, Error> {
        let opened = self.open_range(record)?;
        Ok(opened.into_message(record))
    }

    pub(crate) fn open_range(&mut self, record: &mut [u8]) -> Result<Opened, Error> {
        self.check_usable()?;
        if self.close_notify {
            // RFC 8446 §6.1: whatever follows close_notify is ignored, not an error.
            return Ok(Opened::AfterCloseNotify);
        }
        let r = self.open_inner(record);
        let r = r.map_err(|e| self.fail(e))?;
        if matches!(r, Opened::CloseNotify) {
            self.close_notify = true;
        }
        if matches!(r, Opened::Ignored) {
            self.empty_run = self.empty_run.saturating_add(1);
            if self.empty_run > self.max_empty_run {
                return Err(self.fail(Error::TooManyEmptyRecords {
                    max: self.max_empty_run,
                }));
            }
        } else {
            self.empty_run = 0;
        }
        Ok(r)
    }

    fn open_inner(&mut self, record: &mut [u8]) -> Result<Opened, Error> {
        let len = self.check_header_inner(record.get(..HEADER_LEN).unwrap_or(record))?;
        if record.len() != HEADER_LEN.saturating_add(len) {
            return Err(Error::Misuse("record buffer is not exactly one record"));
        }
        let typ = record
            .first()
            .map_or(ContentType::Invalid, |b| ContentType::from_raw(*b));
        let body_range = HEADER_LEN..record.len();
        if typ == ContentType::ChangeCipherSpec {
            return self.open_change_cipher_spec(record.get(body_range) == Some(&[1u8][..]));
        }
        let tls12 = self.tls12;
        if typ == ContentType::Alert && self.key.is_some() && self.plaintext_alerts_allowed {
            return classify(typ, record, body_range, tls12);
        }
        let Some(key) = self.key.as_mut() else {
            return self.open_unprotected(typ, record, body_range);
        };
        if key.seq == u64::MAX {
            return Err(Error::SequenceExhausted);
        }
        if key.mode.is_tls12() {
            let max = self.max_inner.min(MAX_PLAINTEXT_LEN);
            let content = open_tls12(key, record, max)?;
            if typ == ContentType::ApplicationData && !self.app_data_allowed {
                return Err(Error::UnexpectedContentType(typ));
            }
            return classify(typ, record, content, true);
        }
        self.open_tls13(record)
    }

    /// A change_cipher_spec record; `is_one` says whether its body is the single byte 0x01.
    fn open_change_cipher_spec(&mut self, is_one: bool) -> Result<Opened, Error> {
        // RFC 5246 §7.1: the TLS 1.2 ChangeCipherSpec, once, before the read key.
        if self.ccs_expected && self.key.is_none() && is_one {
            self.ccs_expected = false;
            return Ok(Opened::ChangeCipherSpec);
        }
        // RFC 8446 §5: drop it if it is the single byte 0x01 and we are in the
        // handshake; anything else is unexpected_message.
        if self.ccs_allowed && is_one {
            Ok(Opened::Ignored)
        } else {
            Err(Error::UnexpectedChangeCipherSpec)
        }
    }

    /// A record before any read key is installed: in the clear, or rejected early data
    /// arriving as application_data after a HelloRetryRequest (RFC 8446 §4.2.10).
    fn open_unprotected(
        &mut self,
        typ: ContentType,
        record: &[u8],
        body_range: Range<usize>,
    ) -> Result<Opened, Error> {
        if typ == ContentType::ApplicationData && self.early_data_skip.is_some() {
            return if self.charge_early_data(body_range.len()) {
                Ok(Opened::SkippedEarlyData)
            } else {
                Err(Error::UnexpectedContentType(typ))
            };
        }
        self.early_data_skip = None;
        classify(typ, record, body_range, self.tls12)
    }

    /// TLSCiphertext to TLSInnerPlaintext under the TLS 1.3 read key (RFC 8446 §5.2), then
    /// the real content type after the zero padding (§5.4).
    fn open_tls13(&mut self, record: &mut [u8]) -> Result<Opened, Error> {
        let Some(key) = self.key.as_mut() else {
            return Err(Error::Misuse("no read key"));
        };
        let (header, body) = record
            .split_at_mut_checked(HEADER_LEN)
            .ok_or(Error::BadRecordMac)?;
        if body.len() < TAG_LEN {
            return Err(Error::BadRecordMac);
        }
        let nonce = key.iv.nonce_for(key.seq);
        let inner_len = match key.keyed.open_in_place(&nonce, header, body) {
            Ok(n) => n,
            Err(tryst_crypto::Error::DecryptFailed) if self.early_data_skip.is_some() => {
                // Early data under the 0-RTT key we rejected: the sequence number does
                // not advance (RFC 8446 §4.2.10).
                let len = body.len().saturating_sub(TAG_LEN);
                return if self.charge_early_data(len) {
                    Ok(Opened::SkippedEarlyData)
                } else {
                    Err(Error::BadRecordMac)
                };
            }
            Err(e) => return Err(e.into()),
        };
        key.seq = key.seq.saturating_add(1);
        self.early_data_skip = None;
        if inner_len > self.max_inner {
            return Err(Error::PlaintextOverflow {
                len: inner_len,
                max: self.max_inner,
            });
        }
        // Strip the zero padding; the last non-zero byte is the real content type.
        let inner = body.get(..inner_len).unwrap_or_default();
        let type_at = inner
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(Error::MissingContentType)?;
        let inner_type = inner
            .get(type_at)
            .map_or(ContentType::Invalid, |b| ContentType::from_raw(*b));
        if !matches!(
            inner_type,
            ContentType::Handshake | ContentType::Alert | ContentType::ApplicationData
        ) || (inner_type == ContentType::ApplicationData && !self.app_data_allowed)
        {
            return Err(Error::UnexpectedContentType(inner_type));
        }
        classify(
            inner_type,
            record,
            HEADER_LEN..HEADER_LEN.saturating_add(type_at),
            false,
        )
    }
}

/// Open a TLS 1.2 GenericAEADCipher record in place (RFC 5246 §6.2.3.3, RFC 5288 §3,
/// RFC 7905 §2) and return where the plaintext is; it may be at most `max` bytes.
fn open_tls12(
    key: &mut DirectionKey,
    record: &mut [u8],
    max: usize,
) -> Result<Range<usize>, Error> {
    let explicit_len = key.mode.explicit_len();
    let (header, body) = record
        .split_at_mut_checked(HEADER_LEN)
        .ok_or(Error::BadRecordMac)?;
    let header: &[u8; HEADER_LEN] = (&*header).try_into().map_err(|_| Error::BadRecordMac)?;
    let plaintext_len = body
        .len()
        .checked_sub(explicit_len.saturating_add(TAG_LEN))
        .ok_or(Error::BadRecordMac)?;
    let (explicit, sealed) = body
        .split_at_mut_checked(explicit_len)
        .ok_or(Error::BadRecordMac)?;
    let nonce = key.tls12_nonce(explicit);
    let aad = tls12_aad(key.seq, header, plaintext_len);
    let n = key.keyed.open_in_place(&nonce, &aad, sealed)?;
    key.seq = key.seq.saturating_add(1);
    if n > max {
        return Err(Error::PlaintextOverflow { len: n, max });
    }
    let start = HEADER_LEN.saturating_add(explicit_len);
    Ok(start..start.saturating_add(n))
}

/// Interpret the content `record[content]` of type `typ` (handshake, alert or
/// application data; anything else is `unexpected_message`).
///
/// With `tls12`, a warning-level alert other than close_notify is not fatal
/// (RFC 5246 §7.2); in TLS 1.3 only user_canceled is (RFC 8446 §6).
fn classify(
    typ: ContentType,
    record: &[u8],
    content: Range<usize>,
    tls12: bool,
) -> Result<Opened, Error> {
    let body = record.get(content.clone()).unwrap_or_default();
    match typ {
        ContentType::ApplicationData if body.is_empty() => Ok(Opened::Ignored),
        ContentType::ApplicationData => Ok(Opened::ApplicationData(content)),
        ContentType::Handshake if body.is_empty() => Err(Error::EmptyFragment(typ)),
        ContentType::Handshake => Ok(Opened::Handshake(content)),
        ContentType::Alert => {
            let [level, description] = body else {
                return Err(if body.is_empty() {
                    Error::EmptyFragment(typ)
                } else {
                    Error::MalformedAlert
                });
            };
            let alert = Alert {
                level: AlertLevel::from_raw(*level),
                description: AlertDescription::from_raw(*description),
            };
            // RFC 8446 §6: all alerts but close_notify and user_canceled are fatal,
            // whatever their level says.
            match alert.description {
                AlertDescription::CloseNotify => Ok(Opened::CloseNotify),
                AlertDescription::UserCanceled => Ok(Opened::Alert(alert)),
                _ if tls12 && alert.level == AlertLevel::Warning => Ok(Opened::Alert(alert)),
                _ => Err(Error::AlertReceived(alert)),
            }
        }
        other => Err(Error::UnexpectedContentType(other)),
    }
}
