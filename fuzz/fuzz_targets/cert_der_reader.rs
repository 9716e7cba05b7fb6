//! Fuzz the tryst-cert DER reader: walking any input never panics, every element's
//! encoding is its tag, a canonical length and its value, and the typed readers agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_cert::der::{Reader, walk};

fuzz_target!(|data: &[u8]| {
    let _ = walk(data);
    let mut r = Reader::new(data);
    while let Ok(e) = r.element() {
        assert!(e.raw.len() >= e.value.len() + 2);
        assert_eq!(e.raw.first(), Some(&e.tag));
        assert!(e.raw.ends_with(e.value));
        // Re-reading the element's own encoding gives the same element and no rest.
        let mut again = Reader::new(e.raw);
        let e2 = again.element().expect("re-read");
        assert!(again.is_empty());
        assert_eq!((e2.tag, e2.value), (e.tag, e.value));
        let mut typed = Reader::new(e.raw);
        let _ = typed.boolean();
        let mut typed = Reader::new(e.raw);
        let _ = typed.unsigned_integer();
        let mut typed = Reader::new(e.raw);
        let _ = typed.oid();
        let mut typed = Reader::new(e.raw);
        let _ = typed.bit_string_octets();
    }
});
