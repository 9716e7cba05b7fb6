//! The queue of records waiting for the transport ([`SendBuffer`]) and what record writers
//! append to ([`RecordSink`]).
//!
//! A `Vec<u8>` sink gets each record's content copied in and sealed in place. A
//! [`SendBuffer`] keeps every byte of its memory initialised from one use to the next
//! (sent bytes are not dropped from the `Vec`, only marked sent), so each record is sealed
//! straight into it, out of place from the caller's slice (`AeadKeyed::seal_from`): no
//! copy before the seal and no zero-fill of the record's room. Memory is zero-filled only
//! when the buffer grows past its largest size so far (once per size, in steady traffic
//! never).

use alloc::vec::Vec;

/// Where [`RecordEncrypter`](crate::RecordEncrypter) appends records: a `Vec<u8>` or a
/// [`SendBuffer`]. Sealed: no other implementations.
pub trait RecordSink: sealed::Sealed {}

impl RecordSink for Vec<u8> {}
impl RecordSink for SendBuffer {}

pub(crate) mod sealed {
    /// The operations a record writer needs from its output.
    pub trait Sealed {
        /// Room for one record of `len` bytes at the end. Returns it and whether the
        /// record's content (`content`, at `content_offset` in the record) is already in
        /// it (`false`: the seal reads it from `content`).
        fn start_record(
            &mut self,
            len: usize,
            content_offset: usize,
            content: &[u8],
        ) -> (&mut [u8], bool);

        /// The record begun by `start_record` was sealed (`ok`) and is queued, or failed
        /// and is forgotten.
        fn finish_record(&mut self, len: usize, ok: bool);

        /// Queue `bytes` as they are.
        fn append(&mut self, bytes: &[u8]);
    }
}

impl sealed::Sealed for Vec<u8> {
    fn start_record(
        &mut self,
        len: usize,
        content_offset: usize,
        content: &[u8],
    ) -> (&mut [u8], bool) {
        let start = self.len();
        // Header room, the content, then zeros for type, padding and tag: the content is
        // copied once, never zero-filled first, and sealed in place (a `Vec`'s spare
        // capacity cannot be handed to the AEAD without initialising it).
        self.reserve(len);
        self.resize(start.saturating_add(content_offset), 0);
        self.extend_from_slice(content);
        self.resize(start.saturating_add(len), 0);
        (self.get_mut(start..).unwrap_or_default(), true)
    }

    fn finish_record(&mut self, len: usize, ok: bool) {
        if !ok {
            self.truncate(self.len().saturating_sub(len));
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// TLS bytes waiting for the transport: records are appended at the end (by
/// [`RecordEncrypter`](crate::RecordEncrypter)'s `write`, `write_alert`, ... given
/// `&mut SendBuffer`), the transport takes them from the front ([`pending`](Self::pending),
/// [`consume`](Self::consume)).
///
/// Unlike a `Vec<u8>` sink, each record is sealed straight into the buffer from the
/// caller's data (one pass, no copy first): the buffer's memory stays initialised while
/// it is reused, so the AEAD can write into it without unsafe code or a zero-fill per
/// record. Steady-state sending allocates nothing once the buffer has reached the size of
/// the largest burst; [`shrink_to_fit`](Self::shrink_to_fit) gives the memory back.
#[derive(Default)]
pub struct SendBuffer {
    /// Every byte is initialised; `buf.len()` is the largest size reached since the last
    /// `shrink_to_fit`, not the number of bytes queued.
    buf: Vec<u8>,
    /// The queued bytes are `buf[start..end]`.
    start: usize,
    end: usize,
}

impl core::fmt::Debug for SendBuffer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SendBuffer")
            .field("queued", &self.len())
            .field("size", &self.buf.len())
            .finish()
    }
}

impl SendBuffer {
    /// An empty buffer; allocates nothing until the first record.
    pub const fn new() -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            end: 0,
        }
    }

    /// The bytes waiting to be sent, oldest first.
    pub fn pending(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// How many bytes are waiting.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Mark the first `n` waiting bytes as sent (all of them if `n` is larger).
    pub fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.end);
        if self.start == self.end {
            self.clear();
        }
    }

    /// Drop everything waiting; the memory is kept for the next records.
    pub fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Bytes of memory held (queued or not).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Give back the memory that the waiting bytes do not use (after a handshake, so idle
    /// connections stay small). The next burst grows the buffer again, zero-filling the
    /// new part once.
    pub fn shrink_to_fit(&mut self) {
        self.compact();
        self.buf.truncate(self.end);
        self.buf.shrink_to_fit();
    }

    /// Move the waiting bytes to the front.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end = self.len();
            self.start = 0;
        }
    }

    /// `n` initialised bytes right after the waiting ones (not queued until `commit`).
    /// The waiting bytes move to the front first if the room would not fit otherwise;
    /// the buffer grows (zero-filled) only past its largest size so far.
    fn room(&mut self, n: usize) -> &mut [u8] {
        if self.end.saturating_add(n) > self.buf.len() {
            self.compact();
        }
        let need = self.end.saturating_add(n);
        if need > self.buf.len() {
            self.buf.resize(need, 0);
        }
        self.buf.get_mut(self.end..need).unwrap_or_default()
    }

    /// Queue the `n` bytes after the waiting ones (written through `room`).
    fn commit(&mut self, n: usize) {
        self.end = self.end.saturating_add(n).min(self.buf.len());
    }
}

impl sealed::Sealed for SendBuffer {
    fn start_record(
        &mut self,
        len: usize,
        _content_offset: usize,
        _content: &[u8],
    ) -> (&mut [u8], bool) {
        (self.room(len), false)
    }

    fn finish_record(&mut self, len: usize, ok: bool) {
        if ok {
            self.commit(len);
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = self.room(bytes.len());
        if room.len() == bytes.len() {
            room.copy_from_slice(bytes);
            self.commit(bytes.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed;
    use super::*;
    use alloc::collections::VecDeque;

    #[test]
    fn queue_matches_a_deque() {
        // Appends and partial consumes in a fixed pseudo-random order: the waiting bytes
        // are always what a plain deque holds, and the memory stays bounded.
        let mut b = SendBuffer::new();
        let mut want: VecDeque<u8> = VecDeque::new();
        let mut x: u32 = 7;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            usize::try_from(x % 3000).unwrap_or(0)
        };
        let mut byte = 0u8;
        let mut high = 0;
        for _ in 0..2000 {
            let n = next();
            let bound = want.len() + n;
            let chunk: Vec<u8> = (0..n)
                .map(|_| {
                    byte = byte.wrapping_add(1);
                    byte
                })
                .collect();
            b.append(&chunk);
            want.extend(&chunk);
            let c = next() * 2;
            b.consume(c);
            want.drain(..c.min(want.len()));
            assert_eq!(b.pending(), want.iter().copied().collect::<Vec<_>>());
            assert_eq!(b.len(), want.len());
            // It grows only when the waiting bytes and the new ones do not fit.
            assert!(b.buf.len() <= bound.max(high), "grew to {}", b.buf.len());
            high = high.max(b.buf.len());
        }
        b.consume(usize::MAX);
        assert!(b.is_empty());
        b.shrink_to_fit();
        assert_eq!(b.capacity(), 0);
    }

    #[test]
    fn shrink_keeps_waiting_bytes() {
        let mut b = SendBuffer::new();
        b.append(&[1; 1000]);
        b.append(&[2, 3, 4]);
        b.consume(999);
        b.shrink_to_fit();
        assert_eq!(b.pending(), [1, 2, 3, 4]);
        assert!(b.capacity() < 1000);
        // A failed record is not queued; its room is reused.
        let (room, in_place) = b.start_record(10, 5, b"x");
        assert!(!in_place);
        room.fill(9);
        b.finish_record(10, false);
        assert_eq!(b.pending(), [1, 2, 3, 4]);
        assert_eq!(b.buf.len(), 14);
    }
}
