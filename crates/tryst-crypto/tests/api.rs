#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Integration tests of the public API: secret-type guarantees, nonces, hash forks, HKDF
//! with label pieces, AEAD refusals, Ed25519 keys, and the OS RNG.

mod common;

use common::TestRng;
use tryst_crypto::zeroize::{Zeroize, ZeroizeOnDrop};
use tryst_crypto::{
    AES_128_GCM, AES_256_GCM, AeadKey, EcdsaP256SigningKey, Ed25519SigningKey, Error, Iv, Nonce,
    Output, SHA256, SHA384, Secret, SharedSecret, SignatureAlgorithm, Signer, TAG_LEN, X25519,
    verify, x25519_agree, x25519_public_key,
};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

// RFC 8032 §7.1, TEST 1 (empty message).
const RFC8032_SK: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PK: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const RFC8032_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

fn rfc8032_key() -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&unhex(RFC8032_SK)).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// Secret types: Debug hides bytes; zeroize on drop; no Copy, Clone or PartialEq.
// ---------------------------------------------------------------------------------------

/// Fails if `text` shows any three consecutive bytes of `secret` in hex (either case) or in
/// decimal (as `{:?}` of a slice or array would print them, or run together).
fn assert_hides(text: &str, secret: &[u8]) {
    for w in secret.windows(3) {
        let forms = [
            format!("{:02x}{:02x}{:02x}", w[0], w[1], w[2]),
            format!("{:02X}{:02X}{:02X}", w[0], w[1], w[2]),
            format!("{}, {}, {}", w[0], w[1], w[2]),
            format!("{}{}{}", w[0], w[1], w[2]),
        ];
        for f in forms {
            assert!(
                !text.contains(&f),
                "Debug output {text:?} shows secret bytes {f}"
            );
        }
    }
}

#[test]
fn debug_never_shows_secret_bytes() {
    // Bytes with no repeats, so a leak of any three of them in a row is found.
    let bytes: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(37).wrapping_add(101))
        .collect();

    let s = Secret::from_slice(&bytes).unwrap();
    assert_eq!(format!("{s:?}"), "Secret(..)");
    assert_hides(&format!("{s:?} {s:#?}"), &bytes);

    let k = AeadKey::from_slice(&bytes[..32]).unwrap();
    assert_eq!(format!("{k:?}"), "AeadKey(..)");
    assert_hides(&format!("{k:?} {k:#?}"), &bytes[..32]);

    let iv = Iv::from_slice(&bytes[..12]).unwrap();
    assert_eq!(format!("{iv:?}"), "Iv(..)");
    assert_hides(&format!("{iv:?} {iv:#?}"), &bytes[..12]);

    let n = iv.nonce_for(7);
    let nonce_bytes = *n.expose_secret();
    assert_eq!(format!("{n:?}"), "Nonce(..)");
    assert_hides(&format!("{n:?} {n:#?}"), &nonce_bytes);

    // A real X25519 output.
    let a = Secret::from_slice(&bytes[..32]).unwrap();
    let b = Secret::from_slice(&bytes[32..]).unwrap();
    let shared = x25519_agree(&a, &x25519_public_key(&b).unwrap()).unwrap();
    assert_eq!(format!("{shared:?}"), "SharedSecret(..)");
    assert_hides(&format!("{shared:?} {shared:#?}"), shared.expose_secret());
    let direct = SharedSecret::from_slice(&bytes).unwrap();
    assert_hides(&format!("{direct:?}"), &bytes);

    // The signing key hides its seed (and, for good measure, its expanded public key).
    let sk = rfc8032_key();
    let text = format!("{sk:?} {sk:#?}");
    assert_eq!(format!("{sk:?}"), "Ed25519SigningKey(..)");
    assert_hides(&text, &unhex(RFC8032_SK));
    assert_hides(&text, &unhex(RFC8032_PK));

    // The ECDSA P-256 signing key hides its PKCS#8 encoding (scalar and public point).
    let ec = EcdsaP256SigningKey::generate(&mut TestRng(3));
    let der = ec.to_pkcs8_der().unwrap();
    let text = format!("{ec:?} {ec:#?}");
    assert_eq!(format!("{ec:?}"), "EcdsaP256SigningKey(..)");
    assert_hides(&text, &der);
}

// Compile-time: every secret type zeroizes on drop. (Nonce and the signing keys have only
// the drop-time wipe, not a public `Zeroize`.) `Output` carries HMAC results too, so it is
// wiped as well.
const _: () = {
    const fn zeroize_on_drop<T: ZeroizeOnDrop>() {}
    const fn zeroize<T: Zeroize + ZeroizeOnDrop>() {}
    zeroize::<Secret>();
    zeroize::<AeadKey>();
    zeroize::<Iv>();
    zeroize::<SharedSecret>();
    zeroize::<Output>();
    zeroize_on_drop::<Nonce>();
    zeroize_on_drop::<Ed25519SigningKey>();
    zeroize_on_drop::<EcdsaP256SigningKey>();
};

/// Compile-time "does NOT implement": `$t` must implement none of the traits, or the
/// `_` below is ambiguous and the file does not compile (two impls of `Probe<_>` apply).
macro_rules! assert_not_impl {
    ($t:ty: $($tr:path),+) => {$(
        const _: fn() = || {
            trait Probe<A> {
                fn probe() {}
            }
            impl<T: ?Sized> Probe<()> for T {}
            struct Hit;
            impl<T: ?Sized + $tr> Probe<Hit> for T {}
            let _ = <$t as Probe<_>>::probe;
        };
    )+};
}

assert_not_impl!(Secret: Copy, Clone, PartialEq);
assert_not_impl!(AeadKey: Copy, Clone, PartialEq);
assert_not_impl!(Iv: Copy, Clone, PartialEq);
assert_not_impl!(Nonce: Copy, Clone, PartialEq);
assert_not_impl!(SharedSecret: Copy, Clone, PartialEq);
assert_not_impl!(Ed25519SigningKey: Copy, Clone, PartialEq);
assert_not_impl!(EcdsaP256SigningKey: Copy, Clone, PartialEq);

#[test]
fn zeroize_empties_the_secret() {
    let mut s = Secret::from_slice(&[0x42; 48]).unwrap();
    s.zeroize();
    assert!(s.is_empty());
    assert!(s.expose_secret().is_empty());
    let mut k = AeadKey::from_slice(&[0x42; 16]).unwrap();
    k.zeroize();
    assert!(k.is_empty());
    // A wiped key is no longer usable as an AES key.
    assert!(matches!(AES_128_GCM.new_key(&k), Err(Error::BadLength)));
}

#[test]
fn constant_time_eq_instead_of_partial_eq() {
    use tryst_crypto::subtle::ConstantTimeEq;
    let a = Secret::from_slice(b"same").unwrap();
    assert!(bool::from(a.ct_eq(&a.duplicate())));
    assert!(!bool::from(a.ct_eq(&Secret::from_slice(b"sane").unwrap())));
}

// ---------------------------------------------------------------------------------------
// Nonces (RFC 8446 §5.3).
// ---------------------------------------------------------------------------------------

#[test]
fn nonce_for_xors_the_padded_sequence_number() {
    let iv_bytes: [u8; 12] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    ];
    let iv = Iv::from_slice(&iv_bytes).unwrap();
    // Record 0 uses the IV itself.
    assert_eq!(iv.nonce_for(0).expose_secret(), &iv_bytes);
    // The sequence number is big-endian, right-aligned; the first 4 bytes never change.
    for seq in [1u64, 0xff, 0x0100, 0xdead_beef, u64::MAX] {
        let n = iv.nonce_for(seq);
        let mut want = iv_bytes;
        for (w, s) in want[4..].iter_mut().zip(seq.to_be_bytes()) {
            *w ^= s;
        }
        assert_eq!(n.expose_secret(), &want, "seq {seq:#x}");
        assert_eq!(n.expose_secret()[..4], iv_bytes[..4]);
    }
    // Distinct sequence numbers give distinct nonces.
    assert_ne!(
        iv.nonce_for(1).expose_secret(),
        iv.nonce_for(2).expose_secret()
    );
}

// ---------------------------------------------------------------------------------------
// Hash contexts: fork and current.
// ---------------------------------------------------------------------------------------

#[test]
fn fork_and_current_read_the_hash_so_far() {
    // FIPS 180-2 examples for "abc".
    let abc = [
        (
            SHA256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            SHA384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7",
        ),
    ];
    for (hash, abc_hex) in abc {
        let mut ctx = hash.start();
        ctx.update(b"a");
        ctx.update(b"bc");
        // "Hash so far" equals the one-shot hash of the prefix...
        assert_eq!(ctx.current().as_bytes(), unhex(abc_hex).as_slice());
        assert_eq!(ctx.current(), hash.hash(b"abc"));
        // ...and reading it does not disturb the running state.
        let mut fork = ctx.fork();
        ctx.update(b"def");
        assert_eq!(ctx.current(), hash.hash(b"abcdef"));
        // The fork kept the state it was taken at and goes on independently.
        assert_eq!(fork.current(), hash.hash(b"abc"));
        fork.update(b"xyz");
        assert_eq!(fork.current(), hash.hash(b"abcxyz"));
        assert_eq!(fork.finish(), hash.hash(b"abcxyz"));
        ctx.update(b"g");
        assert_eq!(ctx.finish(), hash.hash(b"abcdefg"));
        // An untouched context is the hash of nothing.
        assert_eq!(hash.start().current(), hash.hash(b""));
        assert_eq!(hash.hash(b"").as_bytes().len(), hash.output_len());
    }
}

// ---------------------------------------------------------------------------------------
// HKDF-Expand with the info in pieces.
// ---------------------------------------------------------------------------------------

/// RFC 8446 §7.1 HkdfLabel, concatenated by hand.
fn hkdf_label(len: u16, label: &[u8], context: &[u8]) -> Vec<u8> {
    let mut v = len.to_be_bytes().to_vec();
    v.push(u8::try_from(6 + label.len()).unwrap());
    v.extend_from_slice(b"tls13 ");
    v.extend_from_slice(label);
    v.push(u8::try_from(context.len()).unwrap());
    v.extend_from_slice(context);
    v
}

#[test]
fn hkdf_expand_with_label_pieces_equals_concatenated_info() {
    for hash in [SHA256, SHA384] {
        let prk = hash.hkdf_extract(b"salt", b"input keying material");
        let transcript = hash.hash(b"ClientHello...ServerHello");
        for (label, context, len) in [
            (&b"key"[..], &[][..], 16u16),
            (b"iv", &[], 12),
            (b"c hs traffic", transcript.as_bytes(), 48),
            (b"finished", &[], 32),
            (b"derived", transcript.as_bytes(), 1000),
        ] {
            let info = hkdf_label(len, label, context);
            let mut whole = vec![0u8; usize::from(len)];
            hash.hkdf_expand(&prk, &[&info], &mut whole).unwrap();

            let len_bytes = len.to_be_bytes();
            let label_len = [u8::try_from(6 + label.len()).unwrap()];
            let context_len = [u8::try_from(context.len()).unwrap()];
            let pieces: [&[u8]; 6] = [
                &len_bytes,
                &label_len,
                b"tls13 ",
                label,
                &context_len,
                context,
            ];
            let mut split = vec![0u8; usize::from(len)];
            hash.hkdf_expand(&prk, &pieces, &mut split).unwrap();
            assert_eq!(split, whole, "{:?} label {label:?}", hash.algorithm());

            // Empty pieces change nothing.
            let mut padded = vec![0u8; usize::from(len)];
            hash.hkdf_expand(&prk, &[&[], &info, &[]], &mut padded)
                .unwrap();
            assert_eq!(padded, whole);
        }
        // More than 255 hash lengths is refused; exactly 255 is the most allowed.
        let mut too_long = vec![0u8; 255 * hash.output_len() + 1];
        assert_eq!(
            hash.hkdf_expand(&prk, &[b"x"], &mut too_long),
            Err(Error::OutputTooLong)
        );
        let mut longest = vec![0u8; 255 * hash.output_len()];
        hash.hkdf_expand(&prk, &[b"x"], &mut longest).unwrap();
        // Each block depends on the one before: no two blocks repeat.
        let blocks: std::collections::BTreeSet<&[u8]> = longest.chunks(hash.output_len()).collect();
        assert_eq!(blocks.len(), 255);
        // A PRK shorter than the hash output is not a PRK (RFC 5869 §2.3).
        let short = Secret::from_slice(&[7; 16]).unwrap();
        assert_eq!(
            hash.hkdf_expand(&short, &[b"x"], &mut [0u8; 16]),
            Err(Error::BadLength)
        );
    }
}

/// RFC 5869 Appendix A.1 and A.2 (SHA-256), through extract and the in-crate expand.
#[test]
fn hkdf_rfc5869_vectors() {
    let prk = SHA256.hkdf_extract(
        &unhex("000102030405060708090a0b0c"),
        &unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
    );
    let mut okm = [0u8; 42];
    SHA256
        .hkdf_expand(&prk, &[&unhex("f0f1f2f3f4f5f6f7f8f9")], &mut okm)
        .unwrap();
    assert_eq!(
        okm.to_vec(),
        unhex(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
             34007208d5b887185865"
        )
    );
    let ikm: Vec<u8> = (0x00..=0x4f).collect();
    let salt: Vec<u8> = (0x60..=0xaf).collect();
    let info: Vec<u8> = (0xb0..=0xff).collect();
    let prk = SHA256.hkdf_extract(&salt, &ikm);
    let mut okm = [0u8; 82];
    SHA256.hkdf_expand(&prk, &[&info], &mut okm).unwrap();
    assert_eq!(
        okm.to_vec(),
        unhex(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c\
             59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71\
             cc30c58179ec3e87c14c01d5c1f3434f1d87"
        )
    );
}

/// `Output` also carries HMAC results (secret until sent), so it is wiped on drop; its
/// `Zeroize` is the same wipe, observable.
#[test]
fn hmac_output_is_wiped() {
    let mut mac = SHA256.hmac(
        b"key",
        &[b"The quick brown fox ", b"jumps over the lazy dog"],
    );
    assert_eq!(
        mac.as_bytes().to_vec(),
        unhex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    );
    mac.zeroize();
    assert!(mac.as_bytes().is_empty());
}

// ---------------------------------------------------------------------------------------
// AEAD refusals.
// ---------------------------------------------------------------------------------------

#[test]
fn aead_refuses_short_buffers_and_wrong_aad() {
    for (aead, key_len) in [(AES_128_GCM, 16), (AES_256_GCM, 32)] {
        let key = AeadKey::from_slice(&vec![0x24; key_len]).unwrap();
        let sealer = aead.new_key(&key).unwrap();
        let nonce = || Nonce::from_bytes([9; 12]);

        // Shorter than a tag: no room to seal, nothing to open.
        for len in 0..TAG_LEN {
            let mut buf = vec![0u8; len];
            assert_eq!(
                sealer.seal_in_place(&nonce(), b"", &mut buf),
                Err(Error::BufferTooShort)
            );
            assert_eq!(
                sealer.open_in_place(&nonce(), b"", &mut buf),
                Err(Error::DecryptFailed)
            );
        }
        // Exactly a tag: an empty plaintext round-trips.
        let mut empty = [0u8; TAG_LEN];
        sealer.seal_in_place(&nonce(), b"hdr", &mut empty).unwrap();
        assert_eq!(sealer.open_in_place(&nonce(), b"hdr", &mut empty), Ok(0));

        // Wrong associated data: refused, and the buffer is left as ciphertext.
        let mut buf = b"attack at dawn".to_vec();
        buf.extend_from_slice(&[0; TAG_LEN]);
        sealer
            .seal_in_place(&nonce(), b"header A", &mut buf)
            .unwrap();
        let sealed = buf.clone();
        for aad in [&b"header B"[..], b"header", b"", b"header A\0"] {
            assert_eq!(
                sealer.open_in_place(&nonce(), aad, &mut buf),
                Err(Error::DecryptFailed)
            );
            assert_eq!(buf, sealed, "no plaintext released");
        }
        // Wrong nonce, flipped bit: refused.
        assert!(
            sealer
                .open_in_place(&Nonce::from_bytes([8; 12]), b"header A", &mut buf)
                .is_err()
        );
        let mut flipped = sealed.clone();
        flipped[3] ^= 0x01;
        assert!(
            sealer
                .open_in_place(&nonce(), b"header A", &mut flipped)
                .is_err()
        );
        // The right AAD opens it.
        let n = sealer
            .open_in_place(&nonce(), b"header A", &mut buf)
            .unwrap();
        assert_eq!(&buf[..n], b"attack at dawn");

        // A key of the other size is refused.
        let other = AeadKey::from_slice(&vec![0x24; 48 - key_len]).unwrap();
        assert!(matches!(aead.new_key(&other), Err(Error::BadLength)));
    }
}

// ---------------------------------------------------------------------------------------
// Ed25519.
// ---------------------------------------------------------------------------------------

#[test]
fn ed25519_rfc8032_test1() {
    let sk = rfc8032_key();
    assert_eq!(
        sk.public_key_bytes().as_slice(),
        unhex(RFC8032_PK).as_slice()
    );
    assert_eq!(sk.public_key(), unhex(RFC8032_PK));
    assert_eq!(sk.algorithm(), SignatureAlgorithm::Ed25519);
    let sig = sk.sign(b"").unwrap();
    assert_eq!(sig, unhex(RFC8032_SIG));
    verify(SignatureAlgorithm::Ed25519, &unhex(RFC8032_PK), b"", &sig).unwrap();
    // Any other message, or a changed signature, fails.
    assert_eq!(
        verify(SignatureAlgorithm::Ed25519, &unhex(RFC8032_PK), b"x", &sig),
        Err(Error::BadSignature)
    );
    let mut bad = sig.clone();
    bad[0] ^= 1;
    assert!(verify(SignatureAlgorithm::Ed25519, &unhex(RFC8032_PK), b"", &bad).is_err());
    // Wrong-length keys and signatures are errors, not panics.
    assert!(verify(SignatureAlgorithm::Ed25519, &[0; 31], b"", &sig).is_err());
    assert!(
        verify(
            SignatureAlgorithm::Ed25519,
            &unhex(RFC8032_PK),
            b"",
            &sig[..63]
        )
        .is_err()
    );
}

#[test]
fn ed25519_pkcs8_round_trip() {
    let sk = rfc8032_key();
    let der = sk.to_pkcs8_der();
    assert_eq!(der.len(), 48);
    let back = Ed25519SigningKey::from_pkcs8_der(&der).unwrap();
    assert_eq!(back.public_key_bytes(), sk.public_key_bytes());
    // Ed25519 is deterministic: the same key gives the same signature.
    assert_eq!(back.sign(b"msg").unwrap(), sk.sign(b"msg").unwrap());
    assert_eq!(back.to_pkcs8_der().as_slice(), der.as_slice());

    // A generated key round-trips too.
    let fresh = Ed25519SigningKey::generate(&mut TestRng(1));
    let again = Ed25519SigningKey::from_pkcs8_der(&fresh.to_pkcs8_der()).unwrap();
    assert_eq!(again.public_key_bytes(), fresh.public_key_bytes());

    // Truncated, extended or mislabelled DER is refused.
    assert!(Ed25519SigningKey::from_pkcs8_der(&der[..47]).is_err());
    let mut longer = der.to_vec();
    longer.push(0);
    assert!(Ed25519SigningKey::from_pkcs8_der(&longer).is_err());
    let mut wrong_oid = der.to_vec();
    wrong_oid[10] ^= 1;
    assert!(Ed25519SigningKey::from_pkcs8_der(&wrong_oid).is_err());
    assert!(Ed25519SigningKey::from_pkcs8_der(&[]).is_err());
}

// ---------------------------------------------------------------------------------------
// X25519 through the trait, and randomness.
// ---------------------------------------------------------------------------------------

#[test]
fn x25519_ephemeral_exchange_agrees() {
    let mut rng = TestRng(42);
    let a = X25519.start(&mut rng).unwrap();
    let b = X25519.start(&mut rng).unwrap();
    assert_eq!(a.public_key().len(), 32);
    let (pa, pb) = (a.public_key().to_vec(), b.public_key().to_vec());
    assert_ne!(pa, pb);
    let sa = a.complete(&pb).unwrap();
    let sb = b.complete(&pa).unwrap();
    use tryst_crypto::subtle::ConstantTimeEq;
    assert!(bool::from(sa.ct_eq(&sb)));
    // A small-order peer key (the all-zero u-coordinate) is refused, and so are wrong lengths.
    let c = X25519.start(&mut rng).unwrap();
    assert!(matches!(c.complete(&[0; 32]), Err(Error::ZeroSharedSecret)));
    let d = X25519.start(&mut rng).unwrap();
    assert!(matches!(d.complete(&[9; 31]), Err(Error::InvalidPublicKey)));
}

#[cfg(feature = "std")]
#[test]
fn os_rng_output_is_not_constant() {
    use tryst_crypto::{OsRng, Rng};
    let mut rng = OsRng;
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    rng.fill_bytes(&mut a);
    rng.fill_bytes(&mut b);
    assert_ne!(a, b, "two 256-bit draws collided");
    assert!(a.iter().any(|&x| x != a[0]), "a draw is one repeated byte");
    let words: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    assert!(words.windows(2).any(|w| w[0] != w[1]));
    // And it drives the key generators.
    let k1 = X25519.start(&mut OsRng).unwrap();
    let k2 = X25519.start(&mut OsRng).unwrap();
    assert_ne!(k1.public_key(), k2.public_key());
    let s1 = Ed25519SigningKey::generate(&mut OsRng);
    let s2 = Ed25519SigningKey::generate(&mut OsRng);
    assert_ne!(s1.public_key_bytes(), s2.public_key_bytes());
}
