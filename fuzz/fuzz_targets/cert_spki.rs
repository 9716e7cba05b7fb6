//! Fuzz SubjectPublicKeyInfo parsing (RFC 7250 raw public keys): `PublicKeyInfo::from_der`
//! never panics, keeps the whole input as `spki_der`, and a key it accepts can be checked
//! against the size policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_cert::PublicKeyInfo;

fuzz_target!(|data: &[u8]| {
    let Ok(key) = PublicKeyInfo::from_der(data) else {
        return;
    };
    assert_eq!(key.spki_der, data);
    assert!(key.key.len() < data.len());
    let _ = key.check(2048);
    let _ = key.check(0);
});
