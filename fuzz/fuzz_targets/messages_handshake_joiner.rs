//! Fuzz `HandshakeJoiner` with the input split arbitrarily: the first byte says how many
//! of the following bytes are chunk sizes; the rest is the handshake stream, pushed in
//! chunks of those sizes (cycling). Checks: no panic; the messages that come out are
//! exactly the stream's prefix, in order; each one that parses re-encodes to its bytes;
//! the boundary flag matches what is buffered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, HandshakeJoiner};

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 8) + 1;
    if rest.len() < n {
        return;
    }
    let (sizes, stream) = rest.split_at(n);
    // A small cap so the size limits are exercised too.
    let mut joiner = HandshakeJoiner::with_max_message_len(4096);
    let mut out: Vec<u8> = Vec::new();
    let mut pos = 0;
    let mut i = 0;
    while pos < stream.len() {
        let len = usize::from(sizes[i % sizes.len()])
            .max(1)
            .min(stream.len() - pos);
        i += 1;
        if joiner.push(&stream[pos..pos + len]).is_err() {
            return;
        }
        pos += len;
        loop {
            match joiner.next_message() {
                Ok(Some(m)) => {
                    assert_eq!(m.encoded.len(), m.body.len() + 4);
                    assert_eq!(m.encoded[0], u8::from(m.typ));
                    if let Ok(parsed) = m.parse() {
                        assert_eq!(parsed.to_bytes().expect("re-encode"), m.encoded);
                    }
                    out.extend_from_slice(m.encoded);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert_eq!(out.len() + joiner.buffered_len(), pos);
        assert_eq!(joiner.at_message_boundary(), joiner.buffered_len() == 0);
    }
    assert_eq!(out, stream[..out.len()]);
});
