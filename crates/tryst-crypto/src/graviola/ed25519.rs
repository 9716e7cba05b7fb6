//! Ed25519 verification on graviola with exactly the default backend's accept set.
//!
//! The default backend verifies with ed25519-dalek's `verify_strict`. What that accepts,
//! from its source (ed25519-dalek 3.0, curve25519-dalek 5.0):
//! - `s` must be canonical (`s < L`), else refused.
//! - A is decompressed with curve25519-dalek's `decompress`, which reads y modulo p (so
//!   y ≥ p is accepted) and negates x = 0 to itself (so the sign bit on (0, ±1) is
//!   accepted): non-canonical encodings of A decode. A failed decoding is
//!   `Error::InvalidPublicKey`. The hash `k = SHA-512(R ‖ A ‖ M)` uses A's bytes as given.
//! - R must decompress, and neither R nor A may be of small order (`[8]P = O`).
//! - The check is cofactorless: `compress([s]B − [k]A)` must equal R's *bytes*, and
//!   `compress` is canonical, so a non-canonical R never verifies.
//!
//! graviola's `Ed25519VerifyingKey` (0.4) refuses `s ≥ L` too, computes the same
//! cofactorless `[s]B − [k]A` (s2n-bignum's `edwards25519_scalarmuldouble`, output fully
//! reduced) and compares its canonical encoding with R's bytes, hashing A's bytes as given.
//! It differs in two ways, closed here:
//! - its decoding of A refuses every non-canonical encoding (y ≥ p; sign bit on x = 0).
//!   For those keys this module calls the default backend, so they get dalek's answer
//!   (a key error where dalek's decoding fails, its verification otherwise);
//! - it does not refuse small-order A or R. Both are checked here against the fourteen
//!   encodings of the eight small-order points (seven y values, each with either sign
//!   bit), and an R whose y is not below p is refused outright (dalek refuses it too: it
//!   can never equal a canonical encoding).
//!
//! So a key that graviola decodes is canonical, its point is the one dalek decodes, and
//! both sides then compute the same equation over the same bytes. `tests/ed25519_backends.rs`
//! runs both backends over Wycheproof, every small-order and non-canonical encoding as A
//! and as R (with signatures that satisfy the cofactorless equation, so graviola alone
//! would accept them), non-canonical `s`, and mutated random signatures, and asserts the
//! same answer from each.

use crate::{Error, VerifyPolicy};

/// Verify an Ed25519 signature: graviola for canonical keys, the default backend otherwise.
pub(super) fn verify(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
    policy: &VerifyPolicy,
) -> Result<(), Error> {
    let default = || {
        crate::verify_with_policy(
            crate::SignatureAlgorithm::Ed25519,
            public_key,
            message,
            signature,
            policy,
        )
    };
    // Same length checks, in the same order, as the default backend.
    let a: &[u8; 32] = public_key.try_into().map_err(|_| Error::InvalidPublicKey)?;
    let Ok(key) = graviola::signing::eddsa::Ed25519VerifyingKey::from_bytes(a) else {
        // Not canonical or not on the curve: dalek decides (it decodes some of these).
        return default();
    };
    let sig: &[u8; 64] = signature.try_into().map_err(|_| Error::BadSignature)?;
    let (r, _s) = sig.split_at(32);
    let r: &[u8; 32] = r.try_into().map_err(|_| Error::BadSignature)?;
    if is_small_order_encoding(a) || is_small_order_encoding(r) || y_not_reduced(r) {
        return Err(Error::BadSignature);
    }
    key.verify(sig, message).map_err(|_| Error::BadSignature)
}

/// The y coordinates (little-endian, sign bit clear) of the eight points of order
/// dividing 8, and the values y + p below 2^255 that decode to one of them (only y = 0
/// and y = 1 have such). With either sign bit these are the fourteen encodings that
/// curve25519-dalek decodes to a small-order point.
const SMALL_ORDER_Y: [[u8; 32]; 7] = [
    // 0: the two points of order 4, (±√−1, 0)
    [0; 32],
    // 1: the identity (0, 1)
    le_small(1),
    // p − 1: the point of order 2, (0, −1)
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    // the four points of order 8: two y values, each with two x
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // p + 0 and p + 1: non-canonical encodings of y = 0 and y = 1
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

const fn le_small(v: u8) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[0] = v;
    b
}

/// The 255-bit y of an encoding (the sign bit cleared).
fn y_of(encoding: &[u8; 32]) -> [u8; 32] {
    let mut y = *encoding;
    y[31] &= 0x7f;
    y
}

/// Whether `encoding` (either sign bit) decodes, in curve25519-dalek, to a point of
/// order 1, 2, 4 or 8. Public values only: compared in variable time.
fn is_small_order_encoding(encoding: &[u8; 32]) -> bool {
    let y = y_of(encoding);
    SMALL_ORDER_Y.contains(&y)
}

/// Whether the encoded y is p = 2^255 − 19 or more (a non-canonical encoding).
fn y_not_reduced(encoding: &[u8; 32]) -> bool {
    let y = y_of(encoding);
    // y ≥ p  ⇔  y[31] = 0x7f, y[1..31] all 0xff, y[0] ≥ 0xed.
    y[31] == 0x7f && y[1..31].iter().all(|b| *b == 0xff) && y[0] >= 0xed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduced_boundary() {
        let mut p_minus_1 = SMALL_ORDER_Y[2];
        assert!(!y_not_reduced(&p_minus_1));
        p_minus_1[31] |= 0x80;
        assert!(!y_not_reduced(&p_minus_1));
        let p = SMALL_ORDER_Y[5];
        assert!(y_not_reduced(&p));
        assert!(y_not_reduced(&[0xff; 32]));
        assert!(!y_not_reduced(&[0; 32]));
    }
}
