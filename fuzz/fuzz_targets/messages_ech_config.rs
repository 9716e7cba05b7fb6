//! Fuzz `EchConfigList::decode` and `EchConfig::decode` (RFC 9849 §4): no panic, exact
//! re-encoding, and an owned copy equal to the borrowed one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, EchConfig, EchConfigList};

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = EchConfigList::decode(data) {
        assert_eq!(list.to_bytes().expect("encode"), data);
        assert_eq!(list.clone().into_owned(), list);
    }
    if let Ok(config) = EchConfig::decode(data) {
        assert_eq!(config.to_bytes().expect("encode"), data);
    }
});
