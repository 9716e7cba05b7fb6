//! RSA signing (PSS and PKCS#1 v1.5, blinded, randomness from the caller's RNG) and
//! ECDSA P-384 signing: known answers against OpenSSL signatures, sign → verify with
//! our verifier, OpenSSL's `dgst -verify` on our signatures when openssl is installed,
//! and the key loader. Data and commands: tests/data/rsa_sign/README.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tryst_crypto::{
    EcdsaP384SigningKey, Error, KEY_LOADER, MIN_RSA_SIGNING_BITS, OsRng, RsaSigningKey,
    SignatureAlgorithm as A, Signer, verify,
};

const RSA_PK8: &[u8] = include_bytes!("data/rsa_sign/rsa2048.pk8.der");
const RSA_PK1: &[u8] = include_bytes!("data/rsa_sign/rsa2048.pk1.der");
const RSA_1024: &[u8] = include_bytes!("data/rsa_sign/rsa1024.pk8.der");
const P384_PK8: &[u8] = include_bytes!("data/rsa_sign/p384.pk8.der");
const MSG: &[u8] = include_bytes!("data/rsa_sign/msg.txt");

const PSS: [A; 3] = [A::RsaPssSha256, A::RsaPssSha384, A::RsaPssSha512];
const PKCS1: [A; 3] = [A::RsaPkcs1Sha256, A::RsaPkcs1Sha384, A::RsaPkcs1Sha512];

fn rng() -> OsRng {
    OsRng
}

/// RSASSA-PKCS1-v1_5 is deterministic: blinding must not change a byte of what OpenSSL
/// produced for the same key and message.
#[test]
fn pkcs1_known_answers_from_openssl() {
    let key = RsaSigningKey::from_pkcs8_der(RSA_PK8).unwrap();
    let expected: [&[u8]; 3] = [
        include_bytes!("data/rsa_sign/msg.pkcs1.sha256.sig"),
        include_bytes!("data/rsa_sign/msg.pkcs1.sha384.sig"),
        include_bytes!("data/rsa_sign/msg.pkcs1.sha512.sig"),
    ];
    for (alg, sig) in PKCS1.into_iter().zip(expected) {
        let ours = key.sign_with(alg, MSG, &mut rng()).unwrap();
        assert_eq!(ours, sig, "{alg:?}");
        verify(alg, key.public_key_pkcs1_der(), MSG, sig).unwrap();
    }
}

#[test]
fn pkcs8_and_pkcs1_load_the_same_key() {
    let a = RsaSigningKey::from_pkcs8_der(RSA_PK8).unwrap();
    let b = RsaSigningKey::from_pkcs1_der(RSA_PK1).unwrap();
    assert_eq!(a.public_key(), b.public_key());
    assert_eq!(a.bits(), 2048);
    // Each form is refused by the other parser.
    assert!(RsaSigningKey::from_pkcs8_der(RSA_PK1).is_err());
    assert!(RsaSigningKey::from_pkcs1_der(RSA_PK8).is_err());
    // PKCS#8 round trip.
    let der = a.to_pkcs8_der().unwrap();
    let c = RsaSigningKey::from_pkcs8_der(&der).unwrap();
    assert_eq!(c.public_key(), a.public_key());
    // Truncated input is an error, not a panic.
    for n in [0, 1, 10, RSA_PK8.len() - 1] {
        assert!(RsaSigningKey::from_pkcs8_der(&RSA_PK8[..n]).is_err());
        assert!(RsaSigningKey::from_pkcs1_der(&RSA_PK1[..n.min(RSA_PK1.len() - 1)]).is_err());
    }
}

#[test]
fn rsa_sign_verify_round_trips() {
    let key = RsaSigningKey::from_pkcs1_der(RSA_PK1).unwrap();
    let pk = key.public_key();
    for alg in PSS.into_iter().chain(PKCS1) {
        let sig = key.sign_with(alg, MSG, &mut rng()).unwrap();
        assert_eq!(sig.len(), 256);
        verify(alg, &pk, MSG, &sig).unwrap();
        assert_eq!(
            verify(alg, &pk, b"another message", &sig),
            Err(Error::BadSignature)
        );
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert_eq!(verify(alg, &pk, MSG, &bad), Err(Error::BadSignature));
    }
    // PSS is randomized (the salt comes from the RNG); PKCS#1 v1.5 is not.
    let a = key.sign_with(A::RsaPssSha256, MSG, &mut rng()).unwrap();
    let b = key.sign_with(A::RsaPssSha256, MSG, &mut rng()).unwrap();
    assert_ne!(a, b);
    // A PSS signature does not verify as PKCS#1 and vice versa.
    assert!(verify(A::RsaPkcs1Sha256, &pk, MSG, &a).is_err());
}

#[test]
fn rsa_signer_reports_what_it_signs() {
    let key = KEY_LOADER.load_pkcs8_der(RSA_PK8).unwrap();
    assert_eq!(key.algorithm(), A::RsaPssSha256);
    assert_eq!(
        key.algorithms(),
        &[
            A::RsaPssSha256,
            A::RsaPssSha384,
            A::RsaPssSha512,
            A::RsaPkcs1Sha256,
            A::RsaPkcs1Sha384,
            A::RsaPkcs1Sha512
        ]
    );
    assert_eq!(
        key.algorithms().iter().filter(|a| a.is_rsa_pkcs1()).count(),
        3
    );
    // No RNG, no RSA signature.
    assert_eq!(key.sign(MSG), Err(Error::RngRequired));
    assert_eq!(
        key.sign_with(A::EcdsaP256Sha256, MSG, &mut rng()),
        Err(Error::UnsupportedAlgorithm)
    );
    let sig = key.sign_with(A::RsaPssSha384, MSG, &mut rng()).unwrap();
    verify(A::RsaPssSha384, &key.public_key(), MSG, &sig).unwrap();

    let key = KEY_LOADER.load_pkcs1_der(RSA_PK1).unwrap();
    assert_eq!(key.algorithms().len(), 6);
    assert!(KEY_LOADER.load_pkcs1_der(P384_PK8).is_err());
}

#[test]
fn small_rsa_keys_are_refused() {
    assert_eq!(
        RsaSigningKey::from_pkcs8_der(RSA_1024).unwrap_err(),
        Error::KeyTooSmall
    );
    assert_eq!(
        KEY_LOADER.load_pkcs8_der(RSA_1024).err(),
        Some(Error::KeyTooSmall)
    );
    assert_eq!(
        KEY_LOADER
            .load_pkcs1_der(include_bytes!("data/rsa_sign/rsa1024.pk1.der"))
            .err(),
        Some(Error::KeyTooSmall)
    );
    assert_eq!(
        RsaSigningKey::generate(&mut rng(), MIN_RSA_SIGNING_BITS - 8).unwrap_err(),
        Error::KeyTooSmall
    );
}

#[test]
fn p384_signing() {
    let key = EcdsaP384SigningKey::from_pkcs8_der(P384_PK8).unwrap();
    let pk = key.public_key();
    assert_eq!(pk.len(), 97);
    let sig = key.sign(MSG).unwrap();
    verify(A::EcdsaP384Sha384, &pk, MSG, &sig).unwrap();
    assert!(verify(A::EcdsaP384Sha384, &pk, b"x", &sig).is_err());
    // RFC 6979: deterministic.
    assert_eq!(key.sign(MSG).unwrap(), sig);
    assert_eq!(
        key.sign_with(A::EcdsaP384Sha384, MSG, &mut rng()).unwrap(),
        sig
    );
    assert_eq!(key.algorithms(), &[A::EcdsaP384Sha384]);
    // Through the loader, and a fresh key's PKCS#8 round trip.
    let loaded = KEY_LOADER.load_pkcs8_der(P384_PK8).unwrap();
    assert_eq!(loaded.algorithm(), A::EcdsaP384Sha384);
    assert_eq!(loaded.public_key(), pk);
    let fresh = EcdsaP384SigningKey::generate(&mut rng());
    let again = EcdsaP384SigningKey::from_pkcs8_der(&fresh.to_pkcs8_der().unwrap()).unwrap();
    assert_eq!(again.public_key(), fresh.public_key());
}

/// OpenSSL verifies what we sign (skipped when no `openssl` binary is installed).
#[test]
fn openssl_verifies_our_signatures() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("skipped: no openssl");
        return;
    }
    let dir = std::env::temp_dir().join(format!("tryst-rsa-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rsa_sign");
    let msg = data.join("msg.txt");
    let rsa = RsaSigningKey::from_pkcs8_der(RSA_PK8).unwrap();
    let p384 = EcdsaP384SigningKey::from_pkcs8_der(P384_PK8).unwrap();
    let cases: [(A, &str, &[&str]); 7] = [
        (
            A::RsaPssSha256,
            "sha256",
            &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
        ),
        (
            A::RsaPssSha384,
            "sha384",
            &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
        ),
        (
            A::RsaPssSha512,
            "sha512",
            &["rsa_padding_mode:pss", "rsa_pss_saltlen:digest"],
        ),
        (A::RsaPkcs1Sha256, "sha256", &[]),
        (A::RsaPkcs1Sha384, "sha384", &[]),
        (A::RsaPkcs1Sha512, "sha512", &[]),
        (A::EcdsaP384Sha384, "sha384", &[]),
    ];
    for (alg, digest, opts) in cases {
        let (sig, pubkey) = if alg == A::EcdsaP384Sha384 {
            (p384.sign(MSG).unwrap(), data.join("p384.pub.pem"))
        } else {
            (
                rsa.sign_with(alg, MSG, &mut rng()).unwrap(),
                data.join("rsa2048.pub.pem"),
            )
        };
        let sig_path = dir.join(format!("{alg:?}.sig"));
        std::fs::write(&sig_path, &sig).unwrap();
        let mut cmd = std::process::Command::new("openssl");
        cmd.arg("dgst").arg(format!("-{digest}"));
        for o in opts {
            cmd.args(["-sigopt", o]);
        }
        cmd.arg("-verify")
            .arg(&pubkey)
            .arg("-signature")
            .arg(&sig_path)
            .arg(&msg);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{alg:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        // And a corrupted signature fails there too.
        let mut bad = sig.clone();
        bad[20] ^= 0x10;
        std::fs::write(&sig_path, &bad).unwrap();
        assert!(!cmd.output().unwrap().status.success(), "{alg:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
