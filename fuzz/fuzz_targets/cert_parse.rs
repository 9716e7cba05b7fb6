//! Fuzz X.509 parsing: `Certificate::from_der` never panics, and every accessor of a
//! certificate it accepts works.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_cert::Certificate;

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = Certificate::from_der(data) else {
        return;
    };
    assert_eq!(cert.der(), data);
    assert!(data.len() > cert.tbs_der().len());
    let _ = cert.signature_algorithm();
    let _ = (cert.serial(), cert.issuer_der(), cert.subject_der(), cert.not_before(), cert.not_after());
    let _ = (cert.basic_constraints(), cert.key_usage(), cert.is_ca(), cert.subject_is_empty());
    for n in cert.dns_names() {
        assert!(!n.is_empty());
    }
    for ip in cert.ip_addresses() {
        assert!(ip.len() == 4 || ip.len() == 16);
    }
    if let Ok(key) = cert.public_key() {
        let _ = key.check(2048);
        let _ = key.check(0);
    }
});
