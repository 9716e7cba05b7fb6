//! Fuzz `Tls12NewSessionTicket::decode` (the RFC 5077 NewSessionTicket body): no panic on any input, and
//! whatever parses re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, Tls12NewSessionTicket};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Tls12NewSessionTicket::decode(data) {
        assert_eq!(m.to_bytes().expect("re-encode"), data);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
    }
});
