//! Fuzz `ClientHello::decode_tls12` (the TLS 1.2 ClientHello body): no panic on any input, and
//! whatever parses re-encodes to the same bytes (an absent extensions block as `00 00`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, ClientHello};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = ClientHello::decode_tls12(data) {
        // A hello without an extensions block re-encodes with an empty one.
        let enc = m.to_bytes().expect("re-encode");
        assert!(enc == data || enc == [data, &[0, 0][..]].concat());
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
    }
});
