//! Fuzz the dispatcher over every handshake type: `HandshakeMessage::decode` of a framed
//! message. No panic; whatever parses re-encodes to the same bytes, owned or borrowed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, HandshakeMessage};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = HandshakeMessage::decode(data) {
        assert_eq!(m.to_bytes().expect("re-encode"), data);
        assert_eq!(u8::from(m.typ()), data[0]);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
        assert_eq!(owned.to_bytes().expect("re-encode owned"), data);
    }
});
