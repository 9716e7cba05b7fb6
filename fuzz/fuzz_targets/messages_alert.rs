//! Fuzz `Alert::decode` and `ChangeCipherSpec::decode`: no panic, exact re-encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Alert, ChangeCipherSpec, Codec};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = Alert::decode(data) {
        assert_eq!(a.to_bytes().expect("encode"), data);
    }
    if let Ok(c) = ChangeCipherSpec::decode(data) {
        assert_eq!(c.to_bytes().expect("encode"), data);
    }
});
