//! The handshake transcript hash (RFC 8446 §4.4.1), readable at any point.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use tryst_crypto::{Hash, HashContext, Output};

use crate::Error;

/// HandshakeType message_hash (RFC 8446 §4): the synthetic message that replaces
/// ClientHello1 after a HelloRetryRequest.
pub const MESSAGE_HASH: u8 = 254;

/// A running Transcript-Hash over already-framed handshake messages
/// (`msg_type`, 24-bit length, body), as they appear in handshake records.
///
/// Reading the hash ([`current`](Transcript::current)) does not disturb it, so the state
/// machine reads it at every point the key schedule needs it. It knows nothing of message
/// contents and does not depend on `tryst-messages`.
pub struct Transcript {
    hash: &'static dyn Hash,
    ctx: Box<dyn HashContext>,
    messages: usize,
}

impl Transcript {
    /// An empty transcript hashed with `hash` (the cipher suite's hash).
    pub fn new(hash: &'static dyn Hash) -> Self {
        Transcript {
            hash,
            ctx: hash.start(),
            messages: 0,
        }
    }

    /// The hash function.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }

    /// Adds one or more whole handshake messages. Each must be a 4-byte header
    /// (type, u24 length) followed by exactly that many body bytes; anything else is
    /// [`Error::MalformedHandshakeMessage`] and leaves the transcript unchanged.
    pub fn add(&mut self, messages: &[u8]) -> Result<(), Error> {
        let count = count_messages(messages)?;
        self.ctx.update(messages);
        self.messages = self.messages.saturating_add(count);
        Ok(())
    }

    /// Transcript-Hash of everything added so far. The transcript stays usable.
    pub fn current(&self) -> Output {
        self.ctx.current()
    }

    /// The hash of the transcript followed by `extra`, which need not be a whole message,
    /// without changing the transcript. This is how a PSK binder is computed: over the
    /// transcript so far plus the ClientHello truncated before its binders list
    /// (RFC 8446 §4.2.11.2).
    pub fn current_with(&self, extra: &[u8]) -> Output {
        let mut ctx = self.ctx.fork();
        ctx.update(extra);
        ctx.finish()
    }

    /// An independent copy (for example to try a binder, or to keep the hash before a
    /// message while adding it).
    pub fn fork(&self) -> Transcript {
        Transcript {
            hash: self.hash,
            ctx: self.ctx.fork(),
            messages: self.messages,
        }
    }

    /// Number of handshake messages added.
    pub fn message_count(&self) -> usize {
        self.messages
    }

    /// Applies the HelloRetryRequest rule (RFC 8446 §4.4.1): the transcript, which must
    /// hold exactly ClientHello1, is replaced by the synthetic message
    /// `message_hash(254) 00 00 Hash.length Hash(ClientHello1)`. Call it when the
    /// HelloRetryRequest arrives, before adding the HelloRetryRequest itself.
    pub fn replace_with_message_hash(&mut self) -> Result<(), Error> {
        if self.messages != 1 {
            return Err(Error::HelloRetryNotAfterClientHello);
        }
        let ch1 = self.ctx.current();
        let len = u8::try_from(ch1.as_bytes().len()).map_err(|_| Error::OutputTooLong)?;
        let mut ctx = self.hash.start();
        ctx.update(&[MESSAGE_HASH, 0, 0, len]);
        ctx.update(ch1.as_bytes());
        self.ctx = ctx;
        Ok(())
    }
}

impl fmt::Debug for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transcript")
            .field("hash", &self.hash.algorithm())
            .field("messages", &self.messages)
            .finish()
    }
}

/// Handshake messages kept as bytes until the hash function is known.
///
/// A client sends its ClientHello before the server picks the cipher suite (and with it
/// the hash), so it keeps the bytes here and calls [`start`](TranscriptBuffer::start)
/// once the ServerHello names the suite.
#[derive(Default)]
pub struct TranscriptBuffer {
    bytes: Vec<u8>,
    messages: usize,
}

impl TranscriptBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds whole handshake messages, checked as in [`Transcript::add`].
    pub fn add(&mut self, messages: &[u8]) -> Result<(), Error> {
        let count = count_messages(messages)?;
        self.bytes.extend_from_slice(messages);
        self.messages = self.messages.saturating_add(count);
        Ok(())
    }

    /// The buffered bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Hashes the buffered messages with `hash` and continues as a [`Transcript`].
    pub fn start(self, hash: &'static dyn Hash) -> Transcript {
        let mut t = Transcript::new(hash);
        t.ctx.update(&self.bytes);
        t.messages = self.messages;
        t
    }
}

impl fmt::Debug for TranscriptBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TranscriptBuffer")
            .field("bytes", &self.bytes.len())
            .field("messages", &self.messages)
            .finish()
    }
}

/// Counts the handshake messages in `bytes`, refusing anything that is not a sequence of
/// whole messages.
fn count_messages(mut bytes: &[u8]) -> Result<usize, Error> {
    let mut count = 0usize;
    if bytes.is_empty() {
        return Err(Error::MalformedHandshakeMessage);
    }
    while !bytes.is_empty() {
        let (header, rest) = bytes
            .split_at_checked(4)
            .ok_or(Error::MalformedHandshakeMessage)?;
        let len = match header {
            [_, a, b, c] => u32::from_be_bytes([0, *a, *b, *c]),
            _ => return Err(Error::MalformedHandshakeMessage),
        };
        let len = usize::try_from(len).map_err(|_| Error::MalformedHandshakeMessage)?;
        let (_, rest) = rest
            .split_at_checked(len)
            .ok_or(Error::MalformedHandshakeMessage)?;
        bytes = rest;
        count = count.saturating_add(1);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tryst_crypto::SHA256;

    #[test]
    fn framing_is_checked() {
        let mut t = Transcript::new(SHA256);
        assert_eq!(t.add(&[]), Err(Error::MalformedHandshakeMessage));
        assert_eq!(t.add(&[1, 0, 0]), Err(Error::MalformedHandshakeMessage));
        assert_eq!(
            t.add(&[1, 0, 0, 2, 9]),
            Err(Error::MalformedHandshakeMessage)
        );
        assert_eq!(
            t.add(&[1, 0, 0, 1, 9, 2]),
            Err(Error::MalformedHandshakeMessage)
        );
        assert_eq!(t.message_count(), 0);
        assert_eq!(t.current(), SHA256.hash(&[]));
        t.add(&[1, 0, 0, 1, 9, 2, 0, 0, 0]).unwrap();
        assert_eq!(t.message_count(), 2);
        assert_eq!(t.current(), SHA256.hash(&[1, 0, 0, 1, 9, 2, 0, 0, 0]));
    }

    #[test]
    fn hello_retry_rule_needs_exactly_one_message() {
        let mut t = Transcript::new(SHA256);
        assert_eq!(
            t.replace_with_message_hash(),
            Err(Error::HelloRetryNotAfterClientHello)
        );
        t.add(&[1, 0, 0, 1, 7]).unwrap();
        let mut two = t.fork();
        two.add(&[2, 0, 0, 0]).unwrap();
        assert_eq!(
            two.replace_with_message_hash(),
            Err(Error::HelloRetryNotAfterClientHello)
        );
        t.replace_with_message_hash().unwrap();
        let mut expect = alloc::vec![254, 0, 0, 32];
        expect.extend_from_slice(SHA256.hash(&[1, 0, 0, 1, 7]).as_bytes());
        assert_eq!(t.current(), SHA256.hash(&expect));
    }

    #[test]
    fn buffer_then_hash() {
        let mut b = TranscriptBuffer::new();
        b.add(&[1, 0, 0, 1, 7]).unwrap();
        let t = b.start(SHA256);
        assert_eq!(t.message_count(), 1);
        assert_eq!(t.current(), SHA256.hash(&[1, 0, 0, 1, 7]));
        assert_eq!(t.current_with(&[5]), SHA256.hash(&[1, 0, 0, 1, 7, 5]));
    }
}
