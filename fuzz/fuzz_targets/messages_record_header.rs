//! Fuzz `RecordHeader::split`: no panic, and a parsed header re-encodes to its 5 bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, MAX_CIPHERTEXT_LEN, RecordHeader};

fuzz_target!(|data: &[u8]| {
    if let Ok((h, rest)) = RecordHeader::split(data) {
        assert_eq!(h.to_bytes().expect("encode"), data[..RecordHeader::LEN]);
        assert_eq!(rest.len() + RecordHeader::LEN, data.len());
        assert!(usize::from(h.length) <= MAX_CIPHERTEXT_LEN);
    }
});
