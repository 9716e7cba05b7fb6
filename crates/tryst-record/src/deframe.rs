//! The deframer: turns a byte stream split anywhere into whole records, buffering at most
//! one maximum-size record.

use alloc::vec::Vec;

use crate::decrypt::{Message, Opened, RecordDecrypter};
use crate::{Error, HEADER_LEN, MAX_RECORD_LEN};

/// Reassembles records from transport bytes.
///
/// [`push`](Self::push) copies in as much input as fits in a buffer of at most one
/// maximum-size record ([`MAX_RECORD_LEN`] bytes) and says how much it took. The buffer
/// grows on demand, in powers of two, so an idle connection that only ever saw small
/// records holds little memory; once it has grown, steady-state traffic allocates nothing. [`next_record`](Self::next_record) checks each header as soon as its five bytes
/// are present, then opens whole records in place with a [`RecordDecrypter`]. Input may
/// be split anywhere, down to one byte at a time.
pub struct Deframer {
    buf: Vec<u8>,
    /// Start of bytes not yet handed out.
    start: usize,
    /// End of buffered bytes.
    end: usize,
    /// Length of the record last returned by `next_record`, released on the next call.
    returned: usize,
    /// Where the last returned application data sits, for [`hold`](Self::hold): offsets
    /// from `start` (the record's first byte), so compaction does not change them; `u16`
    /// because a record is shorter than 2^16 bytes (an idle connection stays small).
    last_data: (u16, u16),
    /// Plaintext kept for the reader ([`hold`](Self::hold)), offsets from `start` like
    /// `last_data`; empty when none.
    held: (u16, u16),
}

/// The smallest buffer the deframer allocates (room for alerts, tickets, small records).
const MIN_BUFFER: usize = 512;

impl core::fmt::Debug for Deframer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Deframer")
            .field("buffered", &self.buffered_len())
            .finish()
    }
}

impl Default for Deframer {
    fn default() -> Self {
        Self::new()
    }
}

impl Deframer {
    /// An empty deframer (it allocates only when input arrives).
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            end: 0,
            returned: 0,
            last_data: (0, 0),
            held: (0, 0),
        }
    }

    fn release(&mut self) {
        // Held plaintext pins its record: nothing moves until the reader has taken it.
        if self.is_holding() {
            return;
        }
        self.last_data = (0, 0);
        self.start = self.start.saturating_add(self.returned).min(self.end);
        self.returned = 0;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Copy as much of `input` as fits and return how many bytes were taken; offer the rest
    /// again after [`next_record`](Self::next_record) has returned what is buffered. A
    /// return of 0 with non-empty input means a whole record is waiting.
    pub fn push(&mut self, input: &[u8]) -> usize {
        let free = self.make_room(input.len());
        let n = free.len().min(input.len());
        if let (Some(dst), Some(src)) = (free.get_mut(..n), input.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.commit(n);
        n
    }

    /// The free space after the buffered bytes, with room for at least `len` more (within
    /// one record's worth): compacts, and grows the buffer in powers of two, as needed.
    fn make_room(&mut self, len: usize) -> &mut [u8] {
        self.release();
        self.last_data = (0, 0);
        if self.buf.len().saturating_sub(self.end) < len && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end = self.end.saturating_sub(self.start);
            self.start = 0;
        }
        let want = self.end.saturating_add(len).min(MAX_RECORD_LEN);
        if want > self.buf.len() {
            let new_len = want.next_power_of_two().clamp(MIN_BUFFER, MAX_RECORD_LEN);
            self.buf
                .reserve_exact(new_len.saturating_sub(self.buf.len()));
            self.buf.resize(new_len, 0);
        }
        let end = self.end.min(self.buf.len());
        self.buf.get_mut(end..).unwrap_or_default()
    }

    /// Space to read transport bytes into directly, saving [`push`](Self::push)'s copy
    /// from the caller's buffer: everything free after the buffered bytes, with room at
    /// least for the rest of the record whose header is buffered (or a small read when
    /// none is), so the buffer grows only as records need. Empty when a whole record is
    /// waiting for [`next_record`](Self::next_record). Report what was written with
    /// [`commit`](Self::commit).
    pub fn unfilled(&mut self) -> &mut [u8] {
        self.release();
        // After the held record, if any (`returned` is 0 otherwise).
        let avail = self
            .buf
            .get(self.start.saturating_add(self.returned)..self.end)
            .unwrap_or_default();
        let want = match avail.get(3..5) {
            Some(&[hi, lo]) => HEADER_LEN
                .saturating_add(usize::from(u16::from_be_bytes([hi, lo])))
                .saturating_sub(avail.len()),
            _ => MIN_BUFFER,
        };
        if self.end.saturating_sub(self.start) >= MAX_RECORD_LEN {
            return &mut [];
        }
        self.make_room(want)
    }

    /// Count `n` bytes written at the front of [`unfilled`](Self::unfilled) as received.
    pub fn commit(&mut self, n: usize) {
        self.end = self.end.saturating_add(n).min(self.buf.len());
    }

    /// How many bytes are buffered and not yet returned as records.
    pub fn buffered_len(&self) -> usize {
        self.end
            .saturating_sub(self.start)
            .saturating_sub(self.returned)
    }

    /// How many bytes [`push`](Self::push) would take right now.
    pub fn free_space(&self) -> usize {
        let used = if !self.is_holding() {
            self.buffered_len()
        } else {
            // The held record still takes its room.
            self.end.saturating_sub(self.start)
        };
        MAX_RECORD_LEN.saturating_sub(used)
    }

    /// Give the buffer's memory back if nothing is buffered (for example once a handshake,
    /// with its large certificate records, is over and the connection may sit idle).
    pub fn release_if_empty(&mut self) {
        self.release();
        if self.start == self.end {
            self.buf = Vec::new();
        }
    }

    /// The next record's content, opened in place, or `None` when more input is needed.
    /// Records that carry nothing (an allowed change_cipher_spec, empty application data)
    /// are skipped. After the peer's close_notify every buffered byte is discarded and the
    /// answer is always `None` (RFC 8446 §6.1). The returned slice lives until the next
    /// call on this deframer.
    pub fn next_record(
        &mut self,
        decrypter: &mut RecordDecrypter,
    ) -> Result<Option<Message<'_>>, Error> {
        if self.is_holding() {
            return Err(Error::Misuse(
                "held plaintext must be taken before the next record",
            ));
        }
        self.release();
        loop {
            if decrypter.received_close_notify() && decrypter.error().is_none() {
                // RFC 8446 §6.1: whatever follows close_notify is ignored, not an error.
                self.start = 0;
                self.end = 0;
                return Ok(None);
            }
            let avail = self.buf.get(self.start..self.end).unwrap_or_default();
            let Some(header) = avail.get(..HEADER_LEN) else {
                return Ok(None);
            };
            let len = decrypter.check_header(header)?;
            let rec_len = HEADER_LEN.saturating_add(len);
            if avail.len() < rec_len {
                return Ok(None);
            }
            let rec_end = self.start.saturating_add(rec_len);
            let record = self
                .buf
                .get_mut(self.start..rec_end)
                .ok_or(Error::Misuse("deframer bounds"))?;
            let opened = decrypter.open_range(record)?;
            if matches!(
                opened,
                Opened::Ignored | Opened::SkippedEarlyData | Opened::AfterCloseNotify
            ) {
                self.start = rec_end;
                continue;
            }
            self.returned = rec_len;
            if let Opened::ApplicationData(r) = &opened {
                // Relative to the record's start; records are under 2^16 bytes.
                if let (Ok(from), Ok(to)) = (u16::try_from(r.start), u16::try_from(r.end)) {
                    self.last_data = (from, to);
                }
            }
            let record = self.buf.get(self.start..rec_end).unwrap_or_default();
            return Ok(opened.into_message(record));
        }
    }

    /// Keep the application data [`next_record`](Self::next_record) just returned in the
    /// buffer for the reader instead of having it copied out: it stays readable through
    /// [`held`](Self::held) until [`take_held`](Self::take_held) has taken all of it.
    /// Meanwhile its record is not released: [`push`](Self::push) and
    /// [`unfilled`](Self::unfilled) only use the space after it, and `next_record` refuses
    /// to run ([`Error::Misuse`]). Returns how many bytes are held (0 when the last call
    /// was not `next_record` returning application data).
    pub fn hold(&mut self) -> usize {
        if self.returned > 0 && !self.is_holding() {
            self.held = self.last_data;
        }
        self.held().len()
    }

    /// Whether a whole record (or at least a header announcing more than one record can
    /// hold, which [`next_record`](Self::next_record) will refuse) is buffered after the
    /// record last returned: whether `next_record` has work to do.
    pub fn record_ready(&self) -> bool {
        let avail = self
            .buf
            .get(self.start.saturating_add(self.returned)..self.end)
            .unwrap_or_default();
        match avail.get(3..5) {
            Some(&[hi, lo]) => {
                let rec_len = HEADER_LEN.saturating_add(usize::from(u16::from_be_bytes([hi, lo])));
                avail.len() >= rec_len || rec_len > MAX_RECORD_LEN
            }
            _ => false,
        }
    }

    fn is_holding(&self) -> bool {
        self.held.0 < self.held.1
    }

    /// The held plaintext not taken yet (empty when none).
    pub fn held(&self) -> &[u8] {
        let (from, to) = self.held;
        self.buf
            .get(self.start.saturating_add(from.into())..self.start.saturating_add(to.into()))
            .unwrap_or_default()
    }

    /// Mark the first `n` bytes of [`held`](Self::held) as taken; once all are, the
    /// record is released like any other.
    pub fn take_held(&mut self, n: usize) {
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        self.held.0 = self.held.0.saturating_add(n).min(self.held.1);
        if !self.is_holding() {
            self.held = (0, 0);
        }
    }

    /// Report the end of the transport: `Ok` after the peer's close_notify (whatever
    /// followed it is ignored); otherwise [`Error::Truncated`] (RFC 8446 §6.1), distinct
    /// from a clean close.
    pub fn end_of_input(&self, decrypter: &RecordDecrypter) -> Result<(), Error> {
        decrypter.end_of_input()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// `unfilled` + `commit` take records read straight into the buffer, split anywhere,
    /// and size the buffer by the record being read.
    #[test]
    fn read_straight_into_the_buffer() {
        let mut wire = vec![23, 3, 3, 0x10, 0x00];
        wire.resize(HEADER_LEN + 0x1000, 0xab);
        let mut f = Deframer::new();
        let mut at = 0;
        let mut reads = 0;
        while at < wire.len() {
            let space = f.unfilled();
            assert!(!space.is_empty());
            // Before the header is in, a small read; after it, room for the record.
            assert!(space.len() <= 0x2000);
            let n = space.len().min(wire.len() - at).min(700);
            space[..n].copy_from_slice(&wire[at..at + n]);
            f.commit(n);
            at += n;
            reads += 1;
        }
        assert_eq!(f.buffered_len(), wire.len());
        assert_eq!(f.buf[..wire.len()], wire[..]);
        assert!(reads > 2);
        assert_eq!(f.buf.len(), 0x2000);
    }
}
