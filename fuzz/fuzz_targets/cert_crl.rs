//! Fuzz CRL parsing: `Crl::from_der` never panics, every accessor of a CRL it accepts
//! works, and a CRL it accepts can be checked against the fixture anchor without panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_cert::{Certificate, Crl, Policy};

fuzz_target!(|data: &[u8]| {
    let Ok(crl) = Crl::from_der(data) else {
        return;
    };
    assert_eq!(crl.der(), data);
    let _ = (
        crl.issuer_der(),
        crl.this_update(),
        crl.next_update(),
        crl.crl_number(),
    );
    let _ = (
        crl.authority_key_id(),
        crl.signature_algorithm(),
        crl.is_empty(),
    );
    let mut n = 0usize;
    for e in crl.revoked() {
        n += 1;
        assert_eq!(crl.find(e.serial).map(|f| f.serial), Some(e.serial));
    }
    assert_eq!(n, crl.len());
    if let Ok(anchor) = tryst_cert::fuzzing::anchor()
        && let Ok(cert) = Certificate::from_der(&anchor)
    {
        let _ = crl.covers(&cert);
        let _ = crl.verify_signature(&cert, &Policy::DEFAULT);
    }
});
