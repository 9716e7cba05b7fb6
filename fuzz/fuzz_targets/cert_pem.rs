//! Fuzz PEM input: `tryst::cert::certs_from_pem` and `TrustAnchors::from_pem` over
//! arbitrary bytes. Checks: no panic; the two agree (anchors from PEM succeed only when the
//! certificates parse, and hold one anchor per certificate); every certificate read
//! re-encodes as PEM (base64, 64-column lines) and reads back as the same DER.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst::cert::{TrustAnchors, certs_from_pem};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(mut data: &[u8], out: &mut Vec<u8>) {
    let mut line = 0;
    while !data.is_empty() {
        let n = data.len().min(3);
        let mut b = [0u8; 3];
        b[..n].copy_from_slice(&data[..n]);
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= n {
                out.push(B64[((v >> (18 - 6 * i)) & 63) as usize]);
            } else {
                out.push(b'=');
            }
        }
        data = &data[n..];
        line += 4;
        if line == 64 || data.is_empty() {
            out.push(b'\n');
            line = 0;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let certs = certs_from_pem(data);
    let anchors = TrustAnchors::from_pem(data);
    if certs.is_err() {
        assert!(anchors.is_err(), "anchors from PEM that does not read");
    }
    let Ok(certs) = certs else {
        return;
    };
    let mut lenient = TrustAnchors::new();
    let skipped = lenient.add_der_skipping_unusable(certs.iter().map(|c| c.as_ref()));
    assert_eq!(lenient.len() + skipped, certs.len());
    if let Ok(a) = &anchors {
        assert_eq!(a.len(), certs.len(), "one anchor per certificate");
        assert_eq!(
            skipped, 0,
            "strict loading accepted what lenient loading skipped"
        );
    }
    let mut pem = Vec::new();
    for c in &certs {
        pem.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        b64(c.as_ref(), &mut pem);
        pem.extend_from_slice(b"-----END CERTIFICATE-----\n");
    }
    let again = certs_from_pem(&pem).expect("re-encoded PEM reads");
    assert_eq!(again.len(), certs.len());
    for (a, b) in again.iter().zip(&certs) {
        assert_eq!(a.as_ref(), b.as_ref(), "PEM round trip changed the DER");
    }
});
