#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `AeadKeyed::seal_from` (the out-of-place seal, plaintext in two pieces) against the
//! in-place seal, on every AEAD of every backend in this build; the default backend's
//! AES-GCM (src/gcm.rs, `aes` + `ctr` + `ghash` driven directly) also against the
//! independent `aes-gcm` crate. Wycheproof runs its vectors through both seals too
//! (tests/wycheproof.rs).

mod common;

use common::providers;
use proptest::collection::vec;
use proptest::prelude::*;
use tryst_crypto::{AeadAlgorithm, AeadKey, AeadKeyed, Error, Nonce, TAG_LEN};

const ALGS: [AeadAlgorithm; 3] = [
    AeadAlgorithm::Aes128Gcm,
    AeadAlgorithm::Aes256Gcm,
    AeadAlgorithm::ChaCha20Poly1305,
];

/// Every prepared key for `alg` in this build, with its backend's name.
fn keys(alg: AeadAlgorithm, key: &[u8]) -> Vec<(&'static str, Box<dyn AeadKeyed>)> {
    let key = AeadKey::from_slice(&key[..alg.key_len()]).unwrap();
    providers()
        .into_iter()
        .map(|p| (p.name, p.aead(alg).unwrap().new_key(&key).unwrap()))
        .collect()
}

/// `pt` sealed out of place, split at `at`: `pt[..at]` from the caller's slice,
/// `pt[at..]` already in the output; the rest of the output starts as junk.
fn seal_split(k: &dyn AeadKeyed, nonce: &Nonce, aad: &[u8], pt: &[u8], at: usize) -> Vec<u8> {
    let mut out = vec![0x5a; pt.len() + TAG_LEN];
    out[at..pt.len()].copy_from_slice(&pt[at..]);
    k.seal_from(nonce, aad, &pt[..at], &mut out).unwrap();
    out
}

fn seal_in_place(k: &dyn AeadKeyed, nonce: &Nonce, aad: &[u8], pt: &[u8]) -> Vec<u8> {
    let mut out = pt.to_vec();
    out.extend_from_slice(&[0; TAG_LEN]);
    k.seal_in_place(nonce, aad, &mut out).unwrap();
    out
}

/// The independent reference: RustCrypto `aes-gcm` (the default backend's AES-GCM used it
/// before src/gcm.rs).
fn reference(alg: AeadAlgorithm, key: &[u8], nonce: &[u8; 12], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let mut out = pt.to_vec();
    let tag = match alg {
        AeadAlgorithm::Aes128Gcm => aes_gcm::Aes128Gcm::new_from_slice(&key[..16])
            .unwrap()
            .encrypt_inout_detached(nonce.into(), aad, out.as_mut_slice().into()),
        AeadAlgorithm::Aes256Gcm => aes_gcm::Aes256Gcm::new_from_slice(&key[..32])
            .unwrap()
            .encrypt_inout_detached(nonce.into(), aad, out.as_mut_slice().into()),
        _ => unreachable!(),
    }
    .unwrap();
    out.extend_from_slice(&tag);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Small inputs, every split point: out of place == in place, every AEAD and backend,
    /// and both open back to the plaintext.
    #[test]
    fn every_split_matches_in_place(
        key in vec(any::<u8>(), 32),
        nonce in any::<[u8; 12]>(),
        aad in vec(any::<u8>(), 0..40),
        pt in vec(any::<u8>(), 0..80),
    ) {
        let n = Nonce::from_bytes(nonce);
        for alg in ALGS {
            for (name, k) in keys(alg, &key) {
                let want = seal_in_place(&*k, &n, &aad, &pt);
                for at in 0..=pt.len() {
                    let got = seal_split(&*k, &n, &aad, &pt, at);
                    prop_assert_eq!(&got, &want, "{} {:?} split at {}", name, alg, at);
                }
                let mut opened = want.clone();
                prop_assert_eq!(k.open_in_place(&n, &aad, &mut opened), Ok(pt.len()));
                prop_assert_eq!(&opened[..pt.len()], &pt[..]);
            }
        }
    }

    /// Record-sized inputs (chunk boundaries of src/gcm.rs are at multiples of 2 KiB): out
    /// of place at a random split == in place == the `aes-gcm` crate.
    #[test]
    fn large_inputs_match_aes_gcm(
        key in vec(any::<u8>(), 32),
        nonce in any::<[u8; 12]>(),
        aad in vec(any::<u8>(), 0..20),
        len in 0usize..(16 * 1024 + 300),
        split in 0usize..=1000,
        fill in any::<u8>(),
    ) {
        let pt: Vec<u8> = (0..len).map(|i| fill.wrapping_add(u8::try_from(i % 251).unwrap())).collect();
        let at = len * split / 1000;
        let n = Nonce::from_bytes(nonce);
        for alg in ALGS {
            for (name, k) in keys(alg, &key) {
                let want = seal_in_place(&*k, &n, &aad, &pt);
                if alg != AeadAlgorithm::ChaCha20Poly1305 {
                    prop_assert_eq!(&want, &reference(alg, &key, &nonce, &aad, &pt), "{}", name);
                }
                prop_assert_eq!(&seal_split(&*k, &n, &aad, &pt, at), &want, "{} split {}", name, at);
                let mut opened = want.clone();
                prop_assert_eq!(k.open_in_place(&n, &aad, &mut opened), Ok(pt.len()));
                prop_assert_eq!(&opened[..pt.len()], &pt[..]);
                // One flipped bit anywhere: refused, and the buffer holds no plaintext.
                let mut forged = want.clone();
                let bit = (usize::from(fill) * 7919 + len) % (forged.len() * 8);
                forged[bit / 8] ^= 1 << (bit % 8);
                let copy = forged.clone();
                prop_assert_eq!(k.open_in_place(&n, &aad, &mut forged), Err(Error::DecryptFailed));
                let body = copy.len() - TAG_LEN;
                prop_assert!(
                    forged[..body] == copy[..body] || forged[..body].iter().all(|&b| b == 0),
                    "{} released plaintext", name
                );
            }
        }
    }
}

#[test]
fn output_too_small_is_refused_untouched() {
    let n = Nonce::from_bytes([7; 12]);
    for alg in ALGS {
        for (name, k) in keys(alg, &[9; 32]) {
            let content = [1u8; 40];
            // Shorter than content + tag, and shorter than the tag alone.
            for len in [
                0,
                TAG_LEN - 1,
                TAG_LEN,
                content.len(),
                content.len() + TAG_LEN - 1,
            ] {
                let mut out = vec![0xee; len];
                assert_eq!(
                    k.seal_from(&n, b"", &content, &mut out),
                    Err(Error::BufferTooShort),
                    "{name} {alg:?} out {len}"
                );
                assert!(
                    out.iter().all(|&b| b == 0xee),
                    "{name} {alg:?}: wrote into out"
                );
            }
            // Exactly content + tag works; an empty content with only tag room seals an
            // empty plaintext, like seal_in_place on TAG_LEN bytes.
            let mut out = vec![0; content.len() + TAG_LEN];
            k.seal_from(&n, b"", &content, &mut out).unwrap();
            let mut empty = [0u8; TAG_LEN];
            k.seal_from(&n, b"a", &[], &mut empty).unwrap();
            let mut want = [0u8; TAG_LEN];
            k.seal_in_place(&n, b"a", &mut want).unwrap();
            assert_eq!(empty, want, "{name} {alg:?}");
        }
    }
}

/// A content longer than the output's plaintext room is refused (not truncated). The
/// other limit, SP 800-38D's 2^36 - 32 bytes of plaintext (`Error::InputTooLong`), needs a
/// 64 GiB slice to reach and is not exercised here.
#[test]
fn content_longer_than_output_is_refused() {
    let n = Nonce::from_bytes([1; 12]);
    for alg in ALGS {
        for (name, k) in keys(alg, &[3; 32]) {
            let content = vec![0u8; 1000];
            let mut out = vec![0u8; 999 + TAG_LEN];
            assert_eq!(
                k.seal_from(&n, b"", &content, &mut out),
                Err(Error::BufferTooShort),
                "{name} {alg:?}"
            );
        }
    }
}

/// Sealing leaves bytes past `content.len()` in the output to be the plaintext's second
/// piece: a record layer writes the TLS 1.3 inner type byte and zero padding there first.
#[test]
fn second_piece_is_read_from_the_output() {
    let n = Nonce::from_bytes([2; 12]);
    let content = [0x41u8; 100];
    for alg in ALGS {
        for (name, k) in keys(alg, &[5; 32]) {
            // content || 0x17 || 30 zero bytes of padding.
            let mut pt = content.to_vec();
            pt.push(0x17);
            pt.extend_from_slice(&[0; 30]);
            let want = seal_in_place(&*k, &n, b"hdr", &pt);
            let mut out = vec![0u8; pt.len() + TAG_LEN];
            out[100] = 0x17;
            k.seal_from(&n, b"hdr", &content, &mut out).unwrap();
            assert_eq!(out, want, "{name} {alg:?}");
            let mut opened = out.clone();
            assert_eq!(k.open_in_place(&n, b"hdr", &mut opened), Ok(pt.len()));
            assert_eq!(&opened[..pt.len()], &pt[..]);
        }
    }
}
