#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every pair of backends in this build agrees: a key exchange started on one completes on
//! the other, a record sealed by one opens on the other, hashes and HKDF give the same
//! bytes, and a key loaded by one signs what the other verifies. Without the `graviola`
//! feature the only pair is the default backend with itself.

mod common;

use common::{TestRng, providers};
use tryst_crypto::subtle::ConstantTimeEq;
use tryst_crypto::{AeadKey, CryptoProvider, Ed25519SigningKey, Iv, Secret, SignatureAlgorithm};

#[test]
fn every_pair_of_backends_agrees() {
    let mut rng = TestRng(7);
    for a in providers() {
        for b in providers() {
            let pair = format!("{} -> {}", a.name, b.name);
            // Key exchange: a is the client, b the server; every group of both.
            for kx in a.kx_groups {
                let other = b.kx_group(kx.algorithm()).unwrap();
                let client = kx.start(&mut rng).unwrap();
                let (share, server_secret) = other.respond(&mut rng, client.public_key()).unwrap();
                let client_secret = client.complete(&share).unwrap();
                assert!(
                    bool::from(client_secret.ct_eq(&server_secret)),
                    "{pair}: {:?}",
                    kx.algorithm()
                );
            }
            // AEAD: sealed by a, opened by b.
            for aead in a.aeads {
                let other = b.aead(aead.algorithm()).unwrap();
                let key = AeadKey::from_slice(&vec![0x42; aead.key_len()]).unwrap();
                let iv = Iv::from_slice(&[9; 12]).unwrap();
                let mut buf =
                    b"a record body, then room for the tag:\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                        .to_vec();
                aead.new_key(&key)
                    .unwrap()
                    .seal_in_place(&iv.nonce_for(3), b"hdr", &mut buf)
                    .unwrap();
                let n = other
                    .new_key(&key)
                    .unwrap()
                    .open_in_place(&iv.nonce_for(3), b"hdr", &mut buf)
                    .unwrap();
                assert_eq!(
                    &buf[..n],
                    b"a record body, then room for the tag:",
                    "{pair}"
                );
            }
            // Hashes, HMAC, HKDF.
            for h in a.hashes {
                let other = b.hash(h.algorithm()).unwrap();
                assert_eq!(h.hash(b"abc"), other.hash(b"abc"), "{pair}");
                let mut ctx = h.start();
                ctx.update(b"ab");
                let fork = ctx.fork();
                ctx.update(b"c");
                assert_eq!(ctx.current(), other.hash(b"abc"), "{pair}");
                assert_eq!(fork.finish(), other.hash(b"ab"), "{pair}");
                assert_eq!(h.hmac(b"k", &[b"m"]), other.hmac(b"k", &[b"m"]), "{pair}");
                let prk = h.hkdf_extract(b"salt", b"ikm");
                let prk2 = other.hkdf_extract(b"salt", b"ikm");
                assert!(bool::from(prk.ct_eq(&prk2)), "{pair}");
                let (mut x, mut y) = ([0u8; 100], [0u8; 100]);
                h.hkdf_expand(&prk, &[b"in", b"fo"], &mut x).unwrap();
                other.hkdf_expand(&prk2, &[b"info"], &mut y).unwrap();
                assert_eq!(x, y, "{pair}");
            }
            // Signing keys loaded by a, verified by b; Ed25519 signatures are the same bytes.
            let reference =
                Ed25519SigningKey::from_seed(&Secret::from_slice(&[5; 32]).unwrap()).unwrap();
            let der = reference.to_pkcs8_der();
            let signer = a.key_loader.load_pkcs8_der(&der).unwrap();
            assert_eq!(signer.algorithm(), SignatureAlgorithm::Ed25519);
            let sig = signer.sign(b"message").unwrap();
            assert_eq!(
                sig,
                tryst_crypto::Signer::sign(&reference, b"message").unwrap(),
                "{pair}"
            );
            b.verifier
                .verify(
                    SignatureAlgorithm::Ed25519,
                    &signer.public_key(),
                    b"message",
                    &sig,
                )
                .unwrap();
            let ecdsa = tryst_crypto::EcdsaP256SigningKey::generate(&mut rng);
            let signer = a
                .key_loader
                .load_pkcs8_der(&ecdsa.to_pkcs8_der().unwrap())
                .unwrap();
            let sig = signer.sign(b"message").unwrap();
            b.verifier
                .verify(
                    SignatureAlgorithm::EcdsaP256Sha256,
                    &signer.public_key(),
                    b"message",
                    &sig,
                )
                .unwrap();
            // Garbage is refused by every loader.
            assert!(a.key_loader.load_pkcs8_der(b"not a key").is_err(), "{pair}");
            // Static keys: the same public key from the same private key.
            let sk = Secret::from_slice(&[0x3c; 32]).unwrap();
            for alg in [
                tryst_crypto::KeyExchangeAlgorithm::X25519,
                tryst_crypto::KeyExchangeAlgorithm::P256,
            ] {
                let (ka, kb) = (a.kx_group(alg).unwrap(), b.kx_group(alg).unwrap());
                assert_eq!(
                    ka.public_key_for(&sk).unwrap(),
                    kb.public_key_for(&sk).unwrap(),
                    "{pair} {alg:?}"
                );
            }
        }
    }
}

#[test]
fn providers_look_up_by_algorithm() {
    for p in providers() {
        assert_eq!(p.aeads.len(), 3, "{}", p.name);
        assert_eq!(p.hashes.len(), 2, "{}", p.name);
        assert_eq!(p.kx_groups.len(), 4, "{}", p.name);
        #[cfg(feature = "std")]
        {
            let rng = p.secure_random.unwrap();
            let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
            rng.fill(&mut x);
            rng.fill(&mut y);
            assert_ne!(x, y);
        }
        assert!(format!("{p:?}").contains(p.name));
    }
    assert_eq!(CryptoProvider::default().name, "rustcrypto");
}

/// `hkdf_expand_pair` gives exactly two `hkdf_expand`s (multi-block outputs and empty ones
/// included) and the same errors, on every backend, for both hashes.
#[test]
fn hkdf_expand_pair_is_two_expands() {
    use tryst_crypto::Error;
    for p in providers() {
        for hash in p.hashes {
            let n = hash.output_len();
            let prk = Secret::from_slice(&[0x5a; 48][..n]).unwrap();
            for (la, lb) in [(16, 12), (32, 12), (0, 7), (n * 3 + 5, 1), (100, n)] {
                let (ia, ib): (&[&[u8]], &[&[u8]]) = (&[b"a", b"key"], &[b"iv"]);
                let (mut a1, mut b1) = (vec![0u8; la], vec![0u8; lb]);
                hash.hkdf_expand(&prk, ia, &mut a1).unwrap();
                hash.hkdf_expand(&prk, ib, &mut b1).unwrap();
                let (mut a2, mut b2) = (vec![0u8; la], vec![0u8; lb]);
                hash.hkdf_expand_pair(&prk, (ia, &mut a2), (ib, &mut b2))
                    .unwrap();
                assert_eq!(
                    (a1, b1),
                    (a2, b2),
                    "{} {:?} {la}/{lb}",
                    p.name,
                    hash.algorithm()
                );
            }
            let short = Secret::from_slice(&[1; 16]).unwrap();
            let (mut a, mut b) = ([0u8; 16], [0u8; 12]);
            let got = hash.hkdf_expand_pair(&short, (&[], &mut a), (&[], &mut b));
            assert_eq!(got, Err(Error::BadLength), "{}", p.name);
            let mut long = vec![0u8; n * 255 + 1];
            let got = hash.hkdf_expand_pair(&prk, (&[], &mut a), (&[], &mut long));
            assert_eq!(got, Err(Error::OutputTooLong), "{}", p.name);
        }
    }
}

/// `hkdf_expand_many` gives exactly one `hkdf_expand` per job, in order (multi-block,
/// empty and single jobs, no jobs at all), and the same errors, on every backend, for both
/// hashes.
#[test]
fn hkdf_expand_many_is_one_expand_per_job() {
    use tryst_crypto::{Error, ExpandJob};
    for p in providers() {
        for hash in p.hashes {
            let n = hash.output_len();
            let prk = Secret::from_slice(&[0xa5; 48][..n]).unwrap();
            let infos: [&[&[u8]]; 4] = [&[b"c ap", b"ctx"], &[b"s ap"], &[], &[b"exp", b"x"]];
            for lens in [vec![n, n, n], vec![16, 0, n * 3 + 5, 12], vec![7], vec![]] {
                let mut plain: Vec<Vec<u8>> = lens.iter().map(|l| vec![0u8; *l]).collect();
                for (out, info) in plain.iter_mut().zip(infos) {
                    hash.hkdf_expand(&prk, info, out).unwrap();
                }
                let mut many: Vec<Vec<u8>> = lens.iter().map(|l| vec![0u8; *l]).collect();
                let mut jobs: Vec<ExpandJob<'_>> = many
                    .iter_mut()
                    .zip(infos)
                    .map(|(out, info)| (info, out.as_mut_slice()))
                    .collect();
                hash.hkdf_expand_many(&prk, &mut jobs).unwrap();
                drop(jobs);
                assert_eq!(plain, many, "{} {:?} {lens:?}", p.name, hash.algorithm());
            }
            let short = Secret::from_slice(&[1; 16]).unwrap();
            let mut a = [0u8; 16];
            let got = hash.hkdf_expand_many(&short, &mut [(&[], &mut a)]);
            assert_eq!(got, Err(Error::BadLength), "{}", p.name);
            let mut long = vec![0u8; n * 255 + 1];
            let got = hash.hkdf_expand_many(&prk, &mut [(&[], &mut a), (&[], &mut long)]);
            assert_eq!(got, Err(Error::OutputTooLong), "{}", p.name);
        }
    }
}
