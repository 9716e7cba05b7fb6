//! Fuzz `CompressedCertificate::decode` (RFC 8879 §4; the message body, without the
//! handshake header): no panic on any input, and whatever parses re-encodes to the same
//! bytes. Decompression is not part of the codec; the client's and server's bounded
//! decompression is reached through `tryst_client` / `tryst_server`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, CompressedCertificate};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = CompressedCertificate::decode(data) {
        assert_eq!(m.to_bytes().expect("re-encode"), data);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
    }
});
