//! The graviola backend's Ed25519 verification accepts exactly what the default backend's
//! (ed25519-dalek `verify_strict`) accepts: both verifiers run over the same inputs and
//! every answer, error included, must be the same.
//!
//! Inputs: every Wycheproof Ed25519 vector; every encoding of each small-order point
//! (canonical and not) as the key and as R, with signatures built to satisfy the
//! cofactorless equation (so graviola's own verify, which does not look at the order,
//! accepts the canonical ones: the test checks that too, so the comparison has teeth);
//! keys of mixed order; every encoding with y ≥ p as the key and as R; non-canonical `s`;
//! and a property test over random keys and messages with mutated signatures and keys.
#![cfg(feature = "graviola")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::TestRng;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use proptest::prelude::*;
use sha2::Digest as _;
use tryst_crypto::rng::TryRng as _;
use tryst_crypto::{Error, SignatureAlgorithm};

/// Both backends' answers, asserted equal; the common answer.
fn agree(pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    let d = tryst_crypto::VERIFIER.verify(SignatureAlgorithm::Ed25519, pk, msg, sig);
    let g = tryst_crypto::graviola::VERIFIER.verify(SignatureAlgorithm::Ed25519, pk, msg, sig);
    assert_eq!(
        d,
        g,
        "backends disagree: pk {} msg {} sig {}",
        hex::encode(pk),
        hex::encode(msg),
        hex::encode(sig)
    );
    d
}

/// graviola's own verification, without tryst's checks in front.
fn graviola_raw(pk: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> bool {
    graviola::signing::eddsa::Ed25519VerifyingKey::from_bytes(pk)
        .and_then(|k| k.verify(sig, msg))
        .is_ok()
}

/// The curve order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// p = 2^255 − 19, little-endian.
fn p_plus(v: u8) -> [u8; 32] {
    let mut b = [0xff; 32];
    b[31] = 0x7f;
    b[0] = 0xed + v;
    b
}

fn random_scalar(rng: &mut TestRng) -> Scalar {
    let mut wide = [0u8; 64];
    rng.try_fill_bytes(&mut wide).unwrap();
    Scalar::from_bytes_mod_order_wide(&wide)
}

/// k = SHA-512(R ‖ A ‖ M) mod L over the encodings as given.
fn challenge(r: &[u8; 32], a: &[u8; 32], msg: &[u8]) -> Scalar {
    let h = sha2::Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(msg)
        .finalize();
    let mut wide = [0u8; 64];
    wide.copy_from_slice(&h);
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn sig_of(r: &[u8; 32], s: &[u8; 32]) -> [u8; 64] {
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(r);
    sig[32..].copy_from_slice(s);
    sig
}

/// Adds little-endian 256-bit numbers (wrapping).
fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = v.to_le_bytes()[0];
        carry = v >> 8;
    }
    out
}

/// Every byte string curve25519-dalek decodes to a point of order dividing 8: the
/// canonical encodings of the eight torsion points, with the sign bit set where x = 0,
/// and y + p where that is below 2^255. Computed from dalek's EIGHT_TORSION.
fn small_order_encodings() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for t in EIGHT_TORSION {
        let c = t.compress().to_bytes();
        let mut ys = vec![c];
        // y + p, if it fits in 255 bits: only for y < 19.
        let y_small = c[1..31].iter().all(|b| *b == 0) && c[31] & 0x7f == 0 && c[0] < 19;
        if y_small {
            let mut alt = p_plus(c[0]);
            alt[31] |= c[31] & 0x80;
            ys.push(alt);
        }
        for y in ys {
            for sign in [0u8, 0x80] {
                let mut e = y;
                e[31] = (e[31] & 0x7f) | sign;
                if CompressedEdwardsY(e).decompress() == Some(t) && !out.contains(&e) {
                    out.push(e);
                }
            }
        }
    }
    out
}

/// Every encoding with y ≥ p (y = p + 0 … p + 18), both sign bits.
fn unreduced_encodings() -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for v in 0..19u8 {
        for sign in [0u8, 0x80] {
            let mut e = p_plus(v);
            e[31] |= sign;
            out.push(e);
        }
    }
    out
}

#[test]
fn small_order_encoding_count() {
    let encs = small_order_encodings();
    // 8 canonical, (0, ±1) with the sign bit, y = 0 and y = 1 plus p with either sign.
    assert_eq!(encs.len(), 14);
    for e in &encs {
        assert!(
            CompressedEdwardsY(*e)
                .decompress()
                .unwrap()
                .is_small_order()
        );
    }
}

#[test]
fn wycheproof_vectors() {
    let text = include_str!("data/ed25519_test.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut n = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let pk = hex::decode(group["publicKey"]["pk"].as_str().unwrap()).unwrap();
        for t in group["tests"].as_array().unwrap() {
            let msg = hex::decode(t["msg"].as_str().unwrap()).unwrap();
            let sig = hex::decode(t["sig"].as_str().unwrap()).unwrap();
            let got = agree(&pk, &msg, &sig);
            let valid = t["result"].as_str().unwrap() == "valid";
            assert_eq!(got.is_ok(), valid, "tcId {}", t["tcId"]);
            n += 1;
        }
    }
    assert!(n > 100, "only {n} vectors");
}

/// Small-order keys, every encoding: signatures that satisfy [s]B − [k]A = R (k·T = O).
#[test]
fn small_order_keys() {
    let mut rng = TestRng(1);
    let mut raw_accepted = 0;
    for a in small_order_encodings() {
        let t = CompressedEdwardsY(a).decompress().unwrap();
        for _ in 0..4 {
            let (msg, sig) = loop {
                let r = random_scalar(&mut rng);
                let r_enc = EdwardsPoint::mul_base(&r).compress().to_bytes();
                let msg = rng.try_next_u64().unwrap().to_le_bytes();
                if (challenge(&r_enc, &a, &msg) * t).is_identity() {
                    break (msg, sig_of(&r_enc, &r.to_bytes()));
                }
            };
            assert_eq!(agree(&a, &msg, &sig), Err(Error::BadSignature));
            if graviola_raw(&a, &msg, &sig) {
                raw_accepted += 1;
            }
        }
    }
    // graviola alone accepts these for the canonical encodings (it decodes no others):
    // the checks in front are what refuses them.
    assert_eq!(raw_accepted, 8 * 4);
}

/// Small-order R, every encoding, with a mixed-order key A = aB + T8 and s = k·a, so that
/// [s]B − [k]A = −k·T8 = R.
#[test]
fn small_order_r() {
    let mut rng = TestRng(2);
    let t8 = EIGHT_TORSION[1];
    let mut raw_accepted = 0;
    for r_enc in small_order_encodings() {
        let target = CompressedEdwardsY(r_enc).decompress().unwrap();
        for _ in 0..4 {
            let a = random_scalar(&mut rng);
            let a_enc = (EdwardsPoint::mul_base(&a) + t8).compress().to_bytes();
            let (msg, s) = loop {
                let msg = rng.try_next_u64().unwrap().to_le_bytes();
                let k = challenge(&r_enc, &a_enc, &msg);
                if -(k * t8) == target {
                    break (msg, k * a);
                }
            };
            let sig = sig_of(&r_enc, &s.to_bytes());
            assert_eq!(agree(&a_enc, &msg, &sig), Err(Error::BadSignature));
            if graviola_raw(&a_enc, &msg, &sig) {
                raw_accepted += 1;
            }
        }
    }
    // graviola alone accepts the canonical encodings of R (it compares canonical bytes).
    assert_eq!(raw_accepted, 8 * 4);
}

/// Mixed-order keys A = aB + T: cofactorless verification accepts exactly when k·T = O,
/// in both backends.
#[test]
fn mixed_order_keys() {
    let mut rng = TestRng(3);
    let (mut ok, mut bad) = (0, 0);
    for t in EIGHT_TORSION.iter().skip(1) {
        for _ in 0..32 {
            let a = random_scalar(&mut rng);
            let a_enc = (EdwardsPoint::mul_base(&a) + t).compress().to_bytes();
            let r = random_scalar(&mut rng);
            let r_enc = EdwardsPoint::mul_base(&r).compress().to_bytes();
            let msg = rng.try_next_u64().unwrap().to_le_bytes();
            let k = challenge(&r_enc, &a_enc, &msg);
            let sig = sig_of(&r_enc, &(r + k * a).to_bytes());
            let expect_ok = (k * t).is_identity();
            assert_eq!(agree(&a_enc, &msg, &sig).is_ok(), expect_ok);
            if expect_ok { ok += 1 } else { bad += 1 }
        }
    }
    assert!(ok > 0 && bad > 0, "ok {ok} bad {bad}");
}

/// Keys and R with y ≥ p: dalek decodes some of these keys (graviola decodes none), and
/// a non-canonical R never verifies.
#[test]
fn unreduced_encodings_as_key_and_r() {
    let mut rng = TestRng(4);
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let pk = signer.verifying_key().to_bytes();
    for e in unreduced_encodings() {
        let msg = rng.try_next_u64().unwrap().to_le_bytes();
        let sig = ed25519_dalek::Signer::sign(&signer, &msg).to_bytes();
        // As the key: a valid signature under another key; and, where the key decodes to
        // a small-order point T, one that satisfies the equation (R = rB, s = r, k·T = O).
        let _ = agree(&e, &msg, &sig);
        if let Some(t) = CompressedEdwardsY(e)
            .decompress()
            .filter(|t| t.is_small_order())
        {
            let (msg, sig) = loop {
                let r = random_scalar(&mut rng);
                let r_enc = EdwardsPoint::mul_base(&r).compress().to_bytes();
                let msg = rng.try_next_u64().unwrap().to_le_bytes();
                if (challenge(&r_enc, &e, &msg) * t).is_identity() {
                    break (msg, sig_of(&r_enc, &r.to_bytes()));
                }
            };
            assert_eq!(agree(&e, &msg, &sig), Err(Error::BadSignature));
        }
        // As R, in an otherwise valid signature.
        let mut forged = sig;
        forged[..32].copy_from_slice(&e);
        assert_eq!(agree(&pk, &msg, &forged), Err(Error::BadSignature));
    }
}

/// s ≥ L: s + L, s + 2L, s + 3L, L itself and the top bits set are refused by both.
#[test]
fn non_canonical_s() {
    let signer = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let pk = signer.verifying_key().to_bytes();
    for i in 0..16u8 {
        let msg = [i; 5];
        let sig = ed25519_dalek::Signer::sign(&signer, &msg).to_bytes();
        assert_eq!(agree(&pk, &msg, &sig), Ok(()));
        let r: [u8; 32] = sig[..32].try_into().unwrap();
        let s: [u8; 32] = sig[32..].try_into().unwrap();
        let mut bigger = s;
        for _ in 0..3 {
            bigger = add_le(&bigger, &L);
            assert_eq!(
                agree(&pk, &msg, &sig_of(&r, &bigger)),
                Err(Error::BadSignature)
            );
        }
        let mut top = s;
        top[31] |= 0xe0;
        assert_eq!(
            agree(&pk, &msg, &sig_of(&r, &top)),
            Err(Error::BadSignature)
        );
        assert_eq!(agree(&pk, &msg, &sig_of(&r, &L)), Err(Error::BadSignature));
        assert_eq!(
            agree(&pk, &msg, &sig_of(&r, &[0xff; 32])),
            Err(Error::BadSignature)
        );
    }
}

/// Length errors come back the same (key first, then signature).
#[test]
fn lengths() {
    let signer = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let pk = signer.verifying_key().to_bytes();
    let sig = ed25519_dalek::Signer::sign(&signer, b"m").to_bytes();
    assert_eq!(agree(&pk[..31], b"m", &sig), Err(Error::InvalidPublicKey));
    assert_eq!(agree(&pk, b"m", &sig[..63]), Err(Error::BadSignature));
    assert_eq!(
        agree(&[0u8; 33], b"m", &[0u8; 65]),
        Err(Error::InvalidPublicKey)
    );
    // A key that does not decode at all, in both.
    let mut off_curve = [0u8; 32];
    off_curve[0] = 2;
    assert_eq!(
        CompressedEdwardsY(off_curve).decompress().is_none(),
        agree(&off_curve, b"m", &sig) == Err(Error::InvalidPublicKey)
    );
}

#[derive(Debug, Clone)]
enum Mutation {
    None,
    FlipSigBit(usize),
    FlipKeyBit(usize),
    SmallOrderR(usize),
    SmallOrderKey(usize),
    UnreducedR(usize),
    AddLToS,
    FlipMsgBit(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::None),
        (0usize..512).prop_map(Mutation::FlipSigBit),
        (0usize..256).prop_map(Mutation::FlipKeyBit),
        (0usize..14).prop_map(Mutation::SmallOrderR),
        (0usize..14).prop_map(Mutation::SmallOrderKey),
        (0usize..38).prop_map(Mutation::UnreducedR),
        Just(Mutation::AddLToS),
        (0usize..64).prop_map(Mutation::FlipMsgBit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_keys_and_mutations(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 1..64),
        m in mutation(),
    ) {
        let signer = ed25519_dalek::SigningKey::from_bytes(&seed);
        let mut pk = signer.verifying_key().to_bytes();
        let mut sig = ed25519_dalek::Signer::sign(&signer, &msg).to_bytes();
        let mut msg = msg;
        match m {
            Mutation::None => {}
            Mutation::FlipSigBit(i) => sig[i / 8] ^= 1 << (i % 8),
            Mutation::FlipKeyBit(i) => pk[i / 8] ^= 1 << (i % 8),
            Mutation::SmallOrderR(i) => sig[..32].copy_from_slice(&small_order_encodings()[i]),
            Mutation::SmallOrderKey(i) => pk = small_order_encodings()[i],
            Mutation::UnreducedR(i) => sig[..32].copy_from_slice(&unreduced_encodings()[i]),
            Mutation::AddLToS => {
                let s: [u8; 32] = sig[32..].try_into().unwrap();
                sig[32..].copy_from_slice(&add_le(&s, &L));
            }
            Mutation::FlipMsgBit(i) => {
                let n = msg.len();
                msg[(i / 8) % n] ^= 1 << (i % 8);
            }
        }
        let got = agree(&pk, &msg, &sig);
        if matches!(m, Mutation::None) {
            prop_assert_eq!(got, Ok(()));
        } else {
            prop_assert!(got.is_err());
        }
    }
}
