//! tryst-crypto computes X25519 through the Edwards form of Curve25519 when the peer's
//! u-coordinate has an Edwards point, and through the Montgomery ladder otherwise
//! (src/kx.rs). These tests compare every kind of input with curve25519-dalek's ladder
//! (`MontgomeryPoint::mul_clamped`, what RFC 7748 §5 specifies): points on the curve and
//! on the twist, every small-order point, u = -1, non-canonical encodings (u ≥ p, the top
//! bit set), and random inputs. The all-zero result must be refused, as RFC 8446 §7.4.2
//! requires, exactly when the ladder gives zero.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use curve25519_dalek::constants::X25519_BASEPOINT;
use curve25519_dalek::montgomery::MontgomeryPoint;
use proptest::prelude::*;
use tryst_crypto::{Error, Secret, x25519_agree};

/// The ladder's answer, and what tryst-crypto returns, for one input.
fn check(scalar: [u8; 32], u: [u8; 32]) {
    let ladder = MontgomeryPoint(u).mul_clamped(scalar).to_bytes();
    let got = x25519_agree(&Secret::from_slice(&scalar).unwrap(), &u);
    if ladder == [0; 32] {
        assert_eq!(
            got.err(),
            Some(Error::ZeroSharedSecret),
            "u = {u:02x?}: all-zero result must be refused"
        );
    } else {
        let got = got.unwrap_or_else(|e| panic!("u = {u:02x?}: {e:?}"));
        assert_eq!(got.expose_secret(), &ladder, "u = {u:02x?}");
    }
}

/// Little-endian 32 bytes of a small number.
fn le(n: u64) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&n.to_le_bytes());
    b
}

/// p = 2^255 - 19, little-endian.
fn p() -> [u8; 32] {
    let mut b = [0xff; 32];
    b[0] = 0xed;
    b[31] = 0x7f;
    b
}

/// `a + k` for small `k` (little-endian, wrapping within 256 bits).
fn add(mut a: [u8; 32], k: u8) -> [u8; 32] {
    let mut carry = u16::from(k);
    for byte in &mut a {
        let s = u16::from(*byte) + carry;
        *byte = s.to_le_bytes()[0];
        carry = s >> 8;
    }
    a
}

/// `a - k` for small `k`, a ≥ k.
fn sub(mut a: [u8; 32], k: u8) -> [u8; 32] {
    let mut borrow = i16::from(k);
    for byte in &mut a {
        let d = i16::from(*byte) - borrow;
        if d < 0 {
            *byte = u8::try_from(d + 256).unwrap();
            borrow = 1;
        } else {
            *byte = u8::try_from(d).unwrap();
            borrow = 0;
        }
    }
    a
}

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// The u-coordinates of Curve25519's points of order 1, 2, 4 and 8 (0 is the point of
/// order 2 and the image of the identity; 1 and -1 have order 4; the two others order 8),
/// as curve25519-dalek and the X25519 literature list them, plus their encodings with
/// u + p and with the top bit set.
fn small_order() -> Vec<[u8; 32]> {
    let base = [
        le(0),
        le(1),
        sub(p(), 1),
        hex32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        hex32("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    ];
    let mut all = Vec::new();
    for u in base {
        all.push(u);
        let mut top = u;
        top[31] |= 0x80;
        all.push(top);
        // u + p is below 2^255 only for u < 19.
        if u[1..].iter().all(|&b| b == 0) && u[0] < 19 {
            all.push(add(p(), u[0]));
        }
    }
    all
}

const SCALARS: [[u8; 32]; 3] = [[0x11; 32], [0xfe; 32], [0x00; 32]];

#[test]
fn small_order_points_give_zero_and_are_refused() {
    for u in small_order() {
        for s in SCALARS {
            assert_eq!(
                MontgomeryPoint(u).mul_clamped(s).to_bytes(),
                [0; 32],
                "{u:02x?} is of small order"
            );
            check(s, u);
        }
    }
}

#[test]
fn edge_encodings_match_the_ladder() {
    let p = p();
    let mut inputs = vec![
        le(2),
        le(9),
        sub(p, 2),
        p,
        add(p, 1),
        add(p, 9),
        [0xff; 32],
        [0x7f; 32],
    ];
    // u = -1 (no Edwards point): the ladder's path.
    inputs.push(sub(p, 1));
    for mut u in inputs.clone() {
        u[31] ^= 0x80;
        inputs.push(u);
    }
    for u in inputs {
        for s in SCALARS {
            check(s, u);
        }
    }
}

#[test]
fn curve_and_twist_points_both_occur_and_match() {
    // About half of all u-coordinates are on the twist. Count both kinds so the test
    // shows each path ran.
    let (mut curve, mut twist) = (0, 0);
    let mut u = X25519_BASEPOINT.to_bytes();
    for i in 0..200u8 {
        u[0] = u[0].wrapping_add(i);
        u[7] ^= i;
        if MontgomeryPoint(u).to_edwards(0).is_some() {
            curve += 1;
        } else {
            twist += 1;
        }
        check([i; 32], u);
    }
    assert!(curve > 50 && twist > 50, "curve {curve}, twist {twist}");
}

#[test]
fn public_keys_from_key_generation_agree_both_ways() {
    // Two static keys: each side's agreement with the other's public key.
    let a = Secret::from_slice(&[0x42; 32]).unwrap();
    let b = Secret::from_slice(&[0x24; 32]).unwrap();
    let pa = tryst_crypto::x25519_public_key(&a).unwrap();
    let pb = tryst_crypto::x25519_public_key(&b).unwrap();
    assert_eq!(pa, MontgomeryPoint::mul_base_clamped([0x42; 32]).to_bytes());
    let ab = x25519_agree(&a, &pb).unwrap();
    let ba = x25519_agree(&b, &pa).unwrap();
    assert_eq!(ab.expose_secret(), ba.expose_secret());
    check([0x42; 32], pb);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_inputs_match_the_ladder(scalar in any::<[u8; 32]>(), u in any::<[u8; 32]>()) {
        check(scalar, u);
    }
}
