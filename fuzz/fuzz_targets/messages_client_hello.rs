//! Fuzz `ClientHello::decode` (the message body, without the handshake header): no panic on any
//! input, and whatever parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{ClientHello, Codec};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = ClientHello::decode(data) {
        assert_eq!(m.to_bytes().expect("re-encode"), data);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
        if let Some(off) = m.psk_binders_offset().expect("offset") {
            // Offsets are into the framed message: 4-byte header + body.
            assert_eq!(off + m.psk_binders_len().expect("binders"), data.len() + 4);
            let prefix = m.truncated_for_binders().expect("encode").expect("psk");
            assert_eq!(&prefix[4..], &data[..off - 4]);
        }
    }
});
