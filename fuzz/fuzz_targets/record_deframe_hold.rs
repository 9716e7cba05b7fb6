//! Fuzz `Deframer::hold` (the buffered receive path's held plaintext): application data
//! records sealed from the input are fed in pieces; each opened record is either held in
//! the deframer's buffer and taken in reads of a chosen size, or copied out at once, and
//! input keeps arriving while plaintext is held. Checks: held plaintext never changes
//! while held, the next record is refused until it is taken, and the reader gets the
//! stream exactly once, in order.
//!
//! Input: byte 0 picks the piece size, byte 1 the read size and which records are held
//! (bit i of the record number's rotation), byte 2 the record content size. The rest is
//! the application data stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
use tryst_messages::ContentType;
use tryst_record::{Deframer, Error, Message, RecordDecrypter, RecordEncrypter};

fuzz_target!(|data: &[u8]| {
    let [piece, read, size, stream @ ..] = data else {
        return;
    };
    let key = AeadKey::from_slice(&[7; 16]).expect("key");
    let iv = || Iv::from_slice(&[9; 12]).expect("iv");
    let mut enc = RecordEncrypter::new();
    enc.set_key(AES_128_GCM, &key, iv()).expect("key");
    let mut dec = RecordDecrypter::new();
    dec.set_key(AES_128_GCM, &key, iv()).expect("key");
    dec.set_application_data_allowed(true);
    let mut wire = Vec::new();
    for chunk in stream.chunks(usize::from(*size) * 67 + 1) {
        enc.write(ContentType::ApplicationData, chunk, &mut wire)
            .expect("seal");
    }
    let piece = usize::from(*piece) * 131 + 1;
    let read_len = usize::from(*read & 0x3f) * 257 + 1;
    let mut f = Deframer::new();
    let mut got = Vec::new();
    let mut records = 0u32;
    let mut at = 0;
    let mut idle = 0;
    while got.len() < stream.len() {
        // Input arrives, held plaintext or not; what is held must not move.
        let before = f.held().to_vec();
        let end = (at + piece).min(wire.len());
        let n = f.push(&wire[at..end]);
        at += n;
        assert!(f.held() == &before[..], "held plaintext changed");
        // The reader takes one read's worth.
        let take = f.held().len().min(read_len);
        got.extend_from_slice(&f.held()[..take]);
        f.take_held(take);
        if !f.held().is_empty() {
            assert!(matches!(f.next_record(&mut dec), Err(Error::Misuse(_))));
            if !f.record_ready() && n > 0 {
                continue;
            }
            // The reader lags: the rest goes out (the connection's queue).
            got.extend_from_slice(f.held());
            let all = f.held().len();
            f.take_held(all);
        }
        let mut progressed = n > 0 || take > 0;
        loop {
            let hold = (read >> 6) & 1 << (records % 2) != 0;
            match f.next_record(&mut dec).expect("open") {
                Some(Message::ApplicationData(b)) => {
                    records += 1;
                    progressed = true;
                    if !hold {
                        got.extend_from_slice(b);
                        continue;
                    }
                    let len = b.len();
                    assert_eq!(f.hold(), len);
                    break;
                }
                Some(other) => panic!("{other:?}"),
                None => break,
            }
        }
        idle = if progressed { 0 } else { idle + 1 };
        assert!(idle < 3, "stuck: {} of {} bytes", got.len(), stream.len());
    }
    assert!(got == stream, "plaintext differs");
});
