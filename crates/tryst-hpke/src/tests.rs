//! Unit tests: every suite and mode round-trips, and each misuse gets its error.

use alloc::format;
use alloc::vec::Vec;

use super::*;

/// SplitMix64, for tests only.
pub(crate) struct TestRng(pub u64);

impl tryst_crypto::rng::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()?.to_le_bytes()[0].into())
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl tryst_crypto::rng::TryCryptoRng for TestRng {}

const KEMS: [Kem; 2] = [Kem::DhX25519HkdfSha256, Kem::DhP256HkdfSha256];
const KDFS: [Kdf; 2] = [Kdf::HkdfSha256, Kdf::HkdfSha384];
const AEADS: [AeadId; 4] = [
    AeadId::Aes128Gcm,
    AeadId::Aes256Gcm,
    AeadId::ChaCha20Poly1305,
    AeadId::ExportOnly,
];

fn suites() -> impl Iterator<Item = Suite> {
    KEMS.into_iter().flat_map(|kem| {
        KDFS.into_iter().flat_map(move |kdf| {
            AEADS
                .into_iter()
                .map(move |aead| Suite::new(kem, kdf, aead))
        })
    })
}

#[test]
fn every_suite_and_mode_round_trips() {
    let mut rng = TestRng(1);
    for suite in suites() {
        let (sk_r, pk_r) = suite.generate_key_pair(&mut rng).unwrap();
        let (sk_s, pk_s) = suite.generate_key_pair(&mut rng).unwrap();
        let (psk, id) = (&[7u8; 32][..], &b"psk id"[..]);
        let pairs: [(SenderContext, RecipientContext); 4] = [
            {
                let (enc, s) = setup_base_s(&suite, &pk_r, b"info", &mut rng).unwrap();
                (s, setup_base_r(&suite, &enc, &sk_r, b"info").unwrap())
            },
            {
                let (enc, s) = setup_psk_s(&suite, &pk_r, b"info", psk, id, &mut rng).unwrap();
                (
                    s,
                    setup_psk_r(&suite, &enc, &sk_r, b"info", psk, id).unwrap(),
                )
            },
            {
                let (enc, s) = setup_auth_s(&suite, &pk_r, b"info", &sk_s, &mut rng).unwrap();
                (
                    s,
                    setup_auth_r(&suite, &enc, &sk_r, b"info", &pk_s).unwrap(),
                )
            },
            {
                let (enc, s) =
                    setup_auth_psk_s(&suite, &pk_r, b"info", psk, id, &sk_s, &mut rng).unwrap();
                let r = setup_auth_psk_r(&suite, &enc, &sk_r, b"info", psk, id, &pk_s).unwrap();
                (s, r)
            },
        ];
        for (mut s, mut r) in pairs {
            let name = format!("{suite:?}");
            assert_eq!(
                *s.export(b"x", 40).unwrap(),
                *r.export(b"x", 40).unwrap(),
                "{name}"
            );
            if suite.aead() == AeadId::ExportOnly {
                assert_eq!(s.seal(b"", b"m").unwrap_err(), Error::ExportOnly);
                assert_eq!(r.open(b"", b"m").unwrap_err(), Error::ExportOnly);
                continue;
            }
            for i in 0..3u8 {
                let ct = s.seal(&[i], &[i; 20]).unwrap();
                assert_eq!(ct.len(), 20 + 16);
                assert_eq!(r.open(&[i], &ct).unwrap(), [i; 20], "{name}");
            }
            assert_eq!(s.sequence_number(), 3);
        }
    }
}

#[test]
fn wrong_keys_and_inputs_do_not_open() {
    let mut rng = TestRng(2);
    let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let (sk_r, pk_r) = suite.generate_key_pair(&mut rng).unwrap();
    let (other, _) = suite.generate_key_pair(&mut rng).unwrap();
    let (sk_s, pk_s) = suite.generate_key_pair(&mut rng).unwrap();
    let (enc, ct) = seal_base(&suite, &pk_r, b"info", b"aad", b"pt", &mut rng).unwrap();
    assert_eq!(
        open_base(&suite, &enc, &sk_r, b"info", b"aad", &ct).unwrap(),
        b"pt"
    );
    // Another key, info, aad, or a flipped bit: OpenError, nothing released.
    let e = Error::OpenError;
    assert_eq!(
        open_base(&suite, &enc, &other, b"info", b"aad", &ct),
        Err(e)
    );
    assert_eq!(open_base(&suite, &enc, &sk_r, b"inf0", b"aad", &ct), Err(e));
    assert_eq!(open_base(&suite, &enc, &sk_r, b"info", b"aaD", &ct), Err(e));
    let mut bad = ct.clone();
    bad[0] ^= 1;
    assert_eq!(
        open_base(&suite, &enc, &sk_r, b"info", b"aad", &bad),
        Err(e)
    );
    // A failed open does not advance the recipient.
    let mut r = setup_base_r(&suite, &enc, &sk_r, b"info").unwrap();
    assert_eq!(r.open(b"aad", &bad), Err(e));
    assert_eq!(r.sequence_number(), 0);
    assert_eq!(r.open(b"aad", &ct).unwrap(), b"pt");
    // Auth mode: a recipient expecting another sender opens nothing.
    let (enc, mut s) = setup_auth_s(&suite, &pk_r, b"", &sk_s, &mut rng).unwrap();
    let ct = s.seal(b"", b"m").unwrap();
    let mut r = setup_auth_r(&suite, &enc, &sk_r, b"", other.public_key()).unwrap();
    assert_eq!(r.open(b"", &ct), Err(e));
    let mut r = setup_auth_r(&suite, &enc, &sk_r, b"", &pk_s).unwrap();
    assert_eq!(r.open(b"", &ct).unwrap(), b"m");
}

#[test]
fn psk_inputs_are_checked() {
    let mut rng = TestRng(3);
    let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let (_, pk_r) = suite.generate_key_pair(&mut rng).unwrap();
    let err = |r: Result<(Vec<u8>, SenderContext), Error>| r.map(|_| ()).unwrap_err();
    assert_eq!(
        err(setup_psk_s(&suite, &pk_r, b"", b"psk", b"", &mut rng)),
        Error::InconsistentPsk
    );
    assert_eq!(
        err(setup_psk_s(&suite, &pk_r, b"", b"", b"id", &mut rng)),
        Error::InconsistentPsk
    );
    assert_eq!(
        err(setup_psk_s(&suite, &pk_r, b"", b"", b"", &mut rng)),
        Error::MissingPsk
    );
    // The key schedule refuses a PSK in a mode without one.
    let shared = tryst_crypto::SharedSecret::from_slice(&[1; 32]).unwrap();
    assert_eq!(
        SenderContext::new(&suite, Mode::Base, shared, b"", b"psk", b"id").unwrap_err(),
        Error::UnexpectedPsk
    );
}

#[test]
fn sequence_number_overflow_is_message_limit_reached() {
    let mut rng = TestRng(4);
    let suite = Suite::new(
        Kem::DhX25519HkdfSha256,
        Kdf::HkdfSha256,
        AeadId::ChaCha20Poly1305,
    );
    let (sk_r, pk_r) = suite.generate_key_pair(&mut rng).unwrap();
    let (enc, mut s) = setup_base_s(&suite, &pk_r, b"", &mut rng).unwrap();
    let mut r = setup_base_r(&suite, &enc, &sk_r, b"").unwrap();
    s.set_sequence_number(u64::MAX - 1);
    r.set_sequence_number(u64::MAX - 1);
    let ct = s.seal(b"", b"last").unwrap();
    assert_eq!(r.open(b"", &ct).unwrap(), b"last");
    assert_eq!(s.seal(b"", b"one more"), Err(Error::MessageLimitReached));
    assert_eq!(r.open(b"", &ct), Err(Error::MessageLimitReached));
    assert_eq!(s.sequence_number(), u64::MAX);
}

#[test]
fn export_length_limit() {
    let mut rng = TestRng(5);
    for (kdf, nh) in [(Kdf::HkdfSha256, 32), (Kdf::HkdfSha384, 48)] {
        let suite = Suite::new(Kem::DhX25519HkdfSha256, kdf, AeadId::ExportOnly);
        let (_, pk_r) = suite.generate_key_pair(&mut rng).unwrap();
        let (_, s) = setup_base_s(&suite, &pk_r, b"", &mut rng).unwrap();
        assert_eq!(s.export(b"", 255 * nh).unwrap().len(), 255 * nh);
        assert_eq!(
            s.export(b"", 255 * nh + 1).unwrap_err(),
            Error::ExportTooLong
        );
        let mut buf = [0u8; 1];
        s.export_into(b"", &mut buf).unwrap();
        assert_eq!(s.export(b"", 0).unwrap().len(), 0);
    }
}

#[test]
fn malformed_and_small_order_keys_are_refused() {
    let mut rng = TestRng(6);
    let x = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let p = Suite::new(Kem::DhP256HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let (sk_x, pk_x) = x.generate_key_pair(&mut rng).unwrap();
    let (sk_p, pk_p) = p.generate_key_pair(&mut rng).unwrap();
    // Wrong lengths.
    assert_eq!(
        x.deserialize_public_key(&[9; 31]),
        Err(Error::InvalidPublicKey)
    );
    assert_eq!(
        p.deserialize_public_key(&[4; 64]),
        Err(Error::InvalidPublicKey)
    );
    assert_eq!(
        x.deserialize_private_key(&[1; 33]).unwrap_err(),
        Error::InvalidPrivateKey
    );
    // P-256: compressed form, off-curve point, zero and out-of-range scalars.
    let mut off = pk_p.as_bytes().to_vec();
    off[64] ^= 1;
    assert_eq!(p.deserialize_public_key(&off), Err(Error::InvalidPublicKey));
    let mut compressed = pk_p.as_bytes().to_vec();
    compressed[0] = 2;
    assert_eq!(
        p.deserialize_public_key(&compressed),
        Err(Error::InvalidPublicKey)
    );
    assert_eq!(
        p.deserialize_private_key(&[0; 32]).unwrap_err(),
        Error::InvalidPrivateKey
    );
    assert_eq!(
        p.deserialize_private_key(&[0xff; 32]).unwrap_err(),
        Error::InvalidPrivateKey
    );
    assert_eq!(
        setup_base_r(&p, &off, &sk_p, b"").unwrap_err(),
        Error::InvalidPublicKey
    );
    assert_eq!(
        setup_base_r(&p, &off[..64], &sk_p, b"").unwrap_err(),
        Error::InvalidPublicKey
    );
    // X25519: a small-order enc (here the point 0) gives the all-zero DH output (§7.1.4).
    assert_eq!(
        setup_base_r(&x, &[0; 32], &sk_x, b"").unwrap_err(),
        Error::ZeroSharedSecret
    );
    let zero = x.deserialize_public_key(&[0; 32]).unwrap();
    assert_eq!(
        setup_base_s(&x, &zero, b"", &mut rng)
            .map(|_| ())
            .unwrap_err(),
        Error::ZeroSharedSecret
    );
    // Keys of another KEM.
    assert_eq!(
        setup_base_s(&x, &pk_p, b"", &mut rng)
            .map(|_| ())
            .unwrap_err(),
        Error::KemMismatch
    );
    assert_eq!(
        setup_base_r(&p, &[0; 65], &sk_x, b"").unwrap_err(),
        Error::KemMismatch
    );
    // Keys round-trip through their serialized forms.
    let again = x.deserialize_private_key(sk_x.expose_secret()).unwrap();
    assert_eq!(again.public_key(), &pk_x);
    let again = p.deserialize_private_key(sk_p.expose_secret()).unwrap();
    assert_eq!(again.public_key(), &pk_p);
    assert_eq!(p.deserialize_public_key(pk_p.as_bytes()).unwrap(), pk_p);
}

#[test]
fn code_points() {
    for suite in suites() {
        let again = Suite::from_ids(suite.kem().id(), suite.kdf().id(), suite.aead().id()).unwrap();
        assert_eq!(again, suite);
    }
    assert_eq!(
        Suite::from_ids(0x0011, 1, 1),
        Err(Error::UnsupportedKem(0x0011))
    );
    assert_eq!(Suite::from_ids(0x0020, 3, 1), Err(Error::UnsupportedKdf(3)));
    assert_eq!(
        Suite::from_ids(0x0020, 1, 4),
        Err(Error::UnsupportedAead(4))
    );
    assert_eq!(AeadId::ExportOnly.n_k(), 0);
    assert_eq!(Kem::DhP256HkdfSha256.n_enc(), 65);
    assert_eq!(Kdf::HkdfSha384.n_h(), 48);
}

#[test]
fn debug_prints_names_only() {
    let mut rng = TestRng(7);
    let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
    let (sk, pk) = suite.derive_key_pair(&[0xab; 32]).unwrap();
    assert_eq!(format!("{sk:?}"), "PrivateKey(..)");
    let (_, ctx) = setup_base_s(&suite, &pk, b"", &mut rng).unwrap();
    let text = format!("{ctx:?}");
    assert!(text.starts_with("SenderContext { suite: Suite {"), "{text}");
    assert!(!text.contains("exporter"), "{text}");
    fn wipes_on_drop<T: tryst_crypto::zeroize::ZeroizeOnDrop>() {}
    wipes_on_drop::<PrivateKey>();
    wipes_on_drop::<SenderContext>();
    wipes_on_drop::<RecipientContext>();
}
