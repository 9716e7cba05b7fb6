//! The second backend, on the [`graviola`](https://crates.io/crates/graviola) crate:
//! assembly from s2n-bignum and stitched AES-GCM for x86_64 and aarch64 (feature
//! `graviola`, which needs `std` and Rust 1.89).
//!
//! What runs on graviola, and what stays on the default backend's code:
//!
//! | primitive | backend | why |
//! |---|---|---|
//! | AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 | graviola | |
//! | SHA-256, SHA-384, their HMAC and HKDF | graviola | HKDF is written here over graviola's HMAC |
//! | X25519, ECDH P-256 / P-384 | graviola | keys come from the caller's RNG, as with the default |
//! | X25519MLKEM768 | default | graviola generates ML-KEM keys and encapsulates only from its own system RNG publicly; tryst takes randomness from the caller |
//! | ECDSA P-256 / P-384 verification | graviola | compressed SEC1 keys (not used in TLS 1.3) go to the default |
//! | RSA PKCS#1 v1.5 / PSS verification | graviola | moduli under 2048 bits (graviola's minimum, allowed only by a lowered [`VerifyPolicy`]) go to the default |
//! | Ed25519 verification | graviola, behind checks | graviola's check is RFC 8032's cofactorless one and refuses non-canonical keys; the default's (dalek `verify_strict`) also refuses small-order keys and R and decodes non-canonical keys. `src/graviola/ed25519.rs` refuses the small-order encodings and non-canonical R first and sends keys graviola cannot decode to the default, so both accept exactly the same signatures |
//! | Ed25519 signing (PKCS#8 keys) | graviola | deterministic, so the same signatures as the default |
//! | ECDSA P-256 signing | default | graviola adds system randomness to RFC 6979 nonces; tryst reads no global RNG below the CLI |
//! | RNG | graviola's system generator (getrandom) | |
//!
//! Both backends pass the same Wycheproof suites through the same test code
//! (`tests/wycheproof.rs`, `tests/wycheproof_sig.rs`).
//!
//! graviola checks at run time that the CPU has the instructions it was built for
//! ([`graviola::util::is_cpu_supported`]); [`provider`] returns `None` on a CPU without
//! them, so a caller can fall back to [`CryptoProvider::rustcrypto`].
//!
//! Zeroization: graviola wipes its own key types (AES round keys, ChaCha20 keys, scalars,
//! shared secrets) on drop; this module wipes the buffers it fills (scalars from the RNG,
//! HKDF blocks). Copies graviola makes on its own stack are outside our reach, as with the
//! default backend.

mod ed25519;

use alloc::boxed::Box;
use alloc::vec::Vec;

use graviola::hashing::HashContext as _;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::aead::split_sealed;
use crate::rng::SecureRandom;
use crate::{
    ActiveKeyExchange, Aead, AeadAlgorithm, AeadKey, AeadKeyed, CryptoProvider, Error, Hash,
    HashAlgorithm, HashContext, KeyExchange, KeyExchangeAlgorithm, KeyLoader, Nonce, Output,
    Secret, SharedSecret, SignatureAlgorithm, Signer, Verifier, VerifyPolicy,
};

/// The graviola provider, or `None` when this CPU lacks the instructions graviola needs.
pub fn provider() -> Option<CryptoProvider> {
    graviola::util::is_cpu_supported().then_some(GRAVIOLA)
}

/// The graviola provider without the CPU check: for a caller that has already checked
/// [`graviola::util::is_cpu_supported`] (graviola panics on a CPU without the instructions).
pub const GRAVIOLA: CryptoProvider = CryptoProvider {
    name: "graviola",
    aeads: &[AES_128_GCM, AES_256_GCM, CHACHA20_POLY1305],
    hashes: &[SHA256, SHA384],
    kx_groups: &[X25519, P256, P384, crate::X25519MLKEM768],
    verifier: VERIFIER,
    key_loader: KEY_LOADER,
    secure_random: Some(&GraviolaRandom),
};

// ---- AEAD

/// AES-128-GCM (graviola).
pub const AES_128_GCM: &dyn Aead = &GcmAlg(AeadAlgorithm::Aes128Gcm);
/// AES-256-GCM (graviola).
pub const AES_256_GCM: &dyn Aead = &GcmAlg(AeadAlgorithm::Aes256Gcm);
/// ChaCha20-Poly1305 (graviola).
pub const CHACHA20_POLY1305: &dyn Aead = &ChaChaAlg;

struct GcmAlg(AeadAlgorithm);
struct GcmKey(AeadAlgorithm, graviola::aead::AesGcm);
struct ChaChaAlg;
struct ChaChaKey(graviola::aead::ChaCha20Poly1305);

impl Aead for GcmAlg {
    fn algorithm(&self) -> AeadAlgorithm {
        self.0
    }

    fn new_key(&self, key: &AeadKey) -> Result<Box<dyn AeadKeyed>, Error> {
        // graviola panics on a key of another length: check first.
        if key.len() != self.0.key_len() {
            return Err(Error::BadLength);
        }
        Ok(Box::new(GcmKey(
            self.0,
            graviola::aead::AesGcm::new(key.expose_secret()),
        )))
    }
}

impl Aead for ChaChaAlg {
    fn algorithm(&self) -> AeadAlgorithm {
        AeadAlgorithm::ChaCha20Poly1305
    }

    fn new_key(&self, key: &AeadKey) -> Result<Box<dyn AeadKeyed>, Error> {
        let mut k = Zeroizing::new([0u8; 32]);
        if key.len() != k.len() {
            return Err(Error::BadLength);
        }
        k.copy_from_slice(key.expose_secret());
        // graviola takes the key by value (and wipes its copy on drop); ours is wiped here.
        Ok(Box::new(ChaChaKey(graviola::aead::ChaCha20Poly1305::new(
            *k,
        ))))
    }
}

macro_rules! graviola_aead_key {
    ($key:ident, $alg:expr) => {
        impl AeadKeyed for $key {
            fn algorithm(&self) -> AeadAlgorithm {
                $alg(self)
            }

            fn seal_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<(), Error> {
                let (body, tag) = split_sealed(buf, aad, Error::BufferTooShort)?;
                self.inner().encrypt(&nonce.0, aad, body, tag);
                Ok(())
            }

            /// graviola decrypts while it hashes and compares the tag at the end; on a
            /// mismatch it wipes the buffer, so no plaintext is released either way (the
            /// default backend leaves the ciphertext in place instead).
            fn open_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<usize, Error> {
                let (body, tag) = split_sealed(buf, aad, Error::DecryptFailed)?;
                let n = body.len();
                self.inner()
                    .decrypt(&nonce.0, aad, body, &tag[..])
                    .map_err(|_| Error::DecryptFailed)?;
                Ok(n)
            }
        }
    };
}

impl GcmKey {
    fn inner(&self) -> &graviola::aead::AesGcm {
        &self.1
    }
}

impl ChaChaKey {
    fn inner(&self) -> &graviola::aead::ChaCha20Poly1305 {
        &self.0
    }
}

graviola_aead_key!(GcmKey, |k: &GcmKey| k.0);
graviola_aead_key!(ChaChaKey, |_: &ChaChaKey| AeadAlgorithm::ChaCha20Poly1305);

// ---- Hashes, HMAC, HKDF

/// SHA-256 with HMAC-SHA256 and HKDF-SHA256 (graviola).
pub const SHA256: &dyn Hash =
    &HashAlg::<graviola::hashing::Sha256>(HashAlgorithm::Sha256, core::marker::PhantomData);
/// SHA-384 with HMAC-SHA384 and HKDF-SHA384 (graviola).
pub const SHA384: &dyn Hash =
    &HashAlg::<graviola::hashing::Sha384>(HashAlgorithm::Sha384, core::marker::PhantomData);

struct HashAlg<H>(HashAlgorithm, core::marker::PhantomData<fn() -> H>);

struct Ctx<H: graviola::hashing::Hash>(H::Context);

fn output(h: &graviola::hashing::HashOutput) -> Output {
    // Both outputs fit (at most 48 bytes); an empty output would match no authenticator.
    Output::from_slice(h.as_ref()).unwrap_or_else(|_| Output::empty())
}

impl<H> HashContext for Ctx<H>
where
    H: graviola::hashing::Hash + 'static,
    H::Context: Send + Sync,
{
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn fork(&self) -> Box<dyn HashContext> {
        Box::new(Ctx::<H>(self.0.clone()))
    }
    fn current(&self) -> Output {
        output(&self.0.clone().finish())
    }
    fn finish(self: Box<Self>) -> Output {
        output(&self.0.finish())
    }
}

impl<H> HashAlg<H>
where
    H: graviola::hashing::Hash,
{
    fn hmac_into(key: &[u8], parts: &[&[u8]]) -> graviola::hashing::HashOutput {
        let mut mac = graviola::hashing::hmac::Hmac::<H>::new(key);
        for p in parts {
            mac.update(p);
        }
        mac.finish()
    }
}

impl<H> Hash for HashAlg<H>
where
    H: graviola::hashing::Hash + Clone + 'static,
    H::Context: Send + Sync,
{
    fn algorithm(&self) -> HashAlgorithm {
        self.0
    }

    fn start(&self) -> Box<dyn HashContext> {
        Box::new(Ctx::<H>(H::new()))
    }

    fn hash(&self, data: &[u8]) -> Output {
        output(&H::hash(data))
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> Output {
        let mut t = Self::hmac_into(key, parts);
        let out = output(&t);
        wipe(t.as_mut());
        out
    }

    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8]) -> Secret {
        // RFC 5869 §2.2: PRK = HMAC(salt, IKM); an empty salt is HashLen zeros, which HMAC
        // pads to the same block as the empty key.
        let mut prk = Self::hmac_into(salt, &[ikm]);
        let secret = Secret::from_prefix(prk.as_ref());
        wipe(prk.as_mut());
        secret
    }

    fn hkdf_expand(&self, prk: &Secret, info: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
        let hash_len = self.0.output_len();
        if prk.len() < hash_len {
            return Err(Error::BadLength);
        }
        if out.len() > hash_len.saturating_mul(255) {
            return Err(Error::OutputTooLong);
        }
        let keyed = graviola::hashing::hmac::Hmac::<H>::new(prk.expose_secret());
        Self::expand_with(&keyed, hash_len, info, out);
        Ok(())
    }

    fn hkdf_expand_pair(
        &self,
        prk: &Secret,
        (info_a, out_a): (&[&[u8]], &mut [u8]),
        (info_b, out_b): (&[&[u8]], &mut [u8]),
    ) -> Result<(), Error> {
        let hash_len = self.0.output_len();
        if prk.len() < hash_len {
            return Err(Error::BadLength);
        }
        if out_a.len().max(out_b.len()) > hash_len.saturating_mul(255) {
            return Err(Error::OutputTooLong);
        }
        // Keyed once for both (graviola's HMAC state wipes itself on drop).
        let keyed = graviola::hashing::hmac::Hmac::<H>::new(prk.expose_secret());
        Self::expand_with(&keyed, hash_len, info_a, out_a);
        Self::expand_with(&keyed, hash_len, info_b, out_b);
        Ok(())
    }

    fn hkdf_expand_many(
        &self,
        prk: &Secret,
        jobs: &mut [crate::hash::ExpandJob<'_>],
    ) -> Result<(), Error> {
        let hash_len = self.0.output_len();
        if prk.len() < hash_len {
            return Err(Error::BadLength);
        }
        let longest = jobs.iter().map(|(_, out)| out.len()).max().unwrap_or(0);
        if longest > hash_len.saturating_mul(255) {
            return Err(Error::OutputTooLong);
        }
        // Keyed once for all (graviola's HMAC state wipes itself on drop).
        let keyed = graviola::hashing::hmac::Hmac::<H>::new(prk.expose_secret());
        for (info, out) in jobs.iter_mut() {
            Self::expand_with(&keyed, hash_len, info, out);
        }
        Ok(())
    }
}

impl<H> HashAlg<H>
where
    H: graviola::hashing::Hash + Clone + 'static,
{
    /// T(i) = HMAC(PRK, T(i-1) | info | i) from the keyed state `keyed` (cloned per block);
    /// `out` is at most 255 hash lengths (checked by the callers).
    fn expand_with(
        keyed: &graviola::hashing::hmac::Hmac<H>,
        hash_len: usize,
        info: &[&[u8]],
        out: &mut [u8],
    ) {
        let mut previous: Option<graviola::hashing::HashOutput> = None;
        for (counter, chunk) in (1u8..=255).zip(out.chunks_mut(hash_len)) {
            let mut mac = keyed.clone();
            if let Some(t) = &previous {
                mac.update(t.as_ref());
            }
            for part in info {
                mac.update(part);
            }
            mac.update([counter]);
            let t = mac.finish();
            for (dst, src) in chunk.iter_mut().zip(t.as_ref().iter()) {
                *dst = *src;
            }
            if let Some(mut old) = previous.replace(t) {
                wipe(old.as_mut());
            }
        }
        if let Some(mut last) = previous {
            wipe(last.as_mut());
        }
    }
}

/// graviola's `HashOutput` is a plain array: wipe HMAC outputs (keys, PRKs) ourselves.
fn wipe(bytes: &mut [u8]) {
    zeroize::Zeroize::zeroize(bytes);
}

// ---- Key exchange

/// X25519 (graviola).
pub const X25519: &dyn KeyExchange = &X25519Alg;
/// ECDH on P-256 (graviola).
pub const P256: &dyn KeyExchange = &P256Alg;
/// ECDH on P-384 (graviola).
pub const P384: &dyn KeyExchange = &P384Alg;

struct X25519Alg;

struct X25519Active {
    secret: graviola::key_agreement::x25519::StaticPrivateKey,
    public: [u8; 32],
}

fn x25519_complete(
    secret: &graviola::key_agreement::x25519::StaticPrivateKey,
    peer: &[u8],
) -> Result<SharedSecret, Error> {
    use graviola::key_agreement::x25519::PublicKey;
    let peer = PublicKey::try_from_slice(peer).map_err(|_| Error::InvalidPublicKey)?;
    // graviola refuses the all-zero output (small-order peer point), which RFC 8446
    // §7.4.2 requires us to refuse; that is its only failure.
    let shared = secret
        .diffie_hellman(&peer)
        .map_err(|_| Error::ZeroSharedSecret)?;
    SharedSecret::from_slice(&shared.0)
}

impl KeyExchange for X25519Alg {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }

    fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        // The scalar comes from the caller's RNG (graviola clamps it, RFC 7748 §5).
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        let secret = graviola::key_agreement::x25519::StaticPrivateKey::from_array(&bytes);
        let public = secret.public_key().as_bytes();
        Ok(Box::new(X25519Active { secret, public }))
    }

    fn agree(&self, private_key: &Secret, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
        let secret = graviola::key_agreement::x25519::StaticPrivateKey::try_from_slice(
            private_key.expose_secret(),
        )
        .map_err(|_| Error::BadLength)?;
        x25519_complete(&secret, peer_public_key)
    }

    fn public_key_for(&self, private_key: &Secret) -> Result<alloc::vec::Vec<u8>, Error> {
        let secret = graviola::key_agreement::x25519::StaticPrivateKey::try_from_slice(
            private_key.expose_secret(),
        )
        .map_err(|_| Error::BadLength)?;
        Ok(secret.public_key().as_bytes().to_vec())
    }
}

impl ActiveKeyExchange for X25519Active {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn complete(self: Box<Self>, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
        // Through `&self`: the key is wiped (graviola's Drop) where it lives, in the box.
        x25519_complete(&self.secret, peer_public_key)
    }
}

macro_rules! graviola_ecdh {
    ($alg:ident, $active:ident, $curve:ident, $name:expr, $scalar_len:expr, $point_len:expr) => {
        struct $alg;

        struct $active {
            secret: graviola::key_agreement::$curve::StaticPrivateKey,
            public: [u8; $point_len],
        }

        impl $active {
            fn complete_with(
                secret: &graviola::key_agreement::$curve::StaticPrivateKey,
                peer: &[u8],
            ) -> Result<SharedSecret, Error> {
                // Only the uncompressed form (RFC 8446 §4.2.8.2); graviola checks the point
                // is on the curve.
                if peer.len() != $point_len || peer.first() != Some(&4) {
                    return Err(Error::InvalidPublicKey);
                }
                let peer = graviola::key_agreement::$curve::PublicKey::from_x962_uncompressed(peer)
                    .map_err(|_| Error::InvalidPublicKey)?;
                let shared = secret
                    .diffie_hellman(&peer)
                    .map_err(|_| Error::InvalidPublicKey)?;
                // The shared secret is the x-coordinate (RFC 8446 §7.4.2).
                SharedSecret::from_slice(&shared.0)
            }
        }

        impl KeyExchange for $alg {
            fn algorithm(&self) -> KeyExchangeAlgorithm {
                $name
            }

            fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
                // Rejection sampling from the caller's RNG: a candidate of the scalar's
                // length is a valid key unless it is zero or not below the group order
                // (probability about 2^-32 for P-256, 2^-190 for P-384).
                let mut bytes = Zeroizing::new([0u8; $scalar_len]);
                for _ in 0..64 {
                    rng.fill_bytes(&mut *bytes);
                    if let Ok(secret) =
                        graviola::key_agreement::$curve::StaticPrivateKey::from_bytes(&*bytes)
                    {
                        let public = secret.public_key_uncompressed();
                        return Ok(Box::new($active { secret, public }));
                    }
                }
                Err(Error::Rng)
            }

            fn agree(
                &self,
                private_key: &Secret,
                peer_public_key: &[u8],
            ) -> Result<SharedSecret, Error> {
                // Big-endian scalar; graviola allows extra leading zeros and shorter input,
                // and refuses zero and values not below the order.
                let secret = graviola::key_agreement::$curve::StaticPrivateKey::from_bytes(
                    private_key.expose_secret(),
                )
                .map_err(|_| Error::InvalidPrivateKey)?;
                $active::complete_with(&secret, peer_public_key)
            }

            fn public_key_for(&self, private_key: &Secret) -> Result<alloc::vec::Vec<u8>, Error> {
                let secret = graviola::key_agreement::$curve::StaticPrivateKey::from_bytes(
                    private_key.expose_secret(),
                )
                .map_err(|_| Error::InvalidPrivateKey)?;
                Ok(secret.public_key_uncompressed().to_vec())
            }
        }

        impl ActiveKeyExchange for $active {
            fn algorithm(&self) -> KeyExchangeAlgorithm {
                $name
            }

            fn public_key(&self) -> &[u8] {
                &self.public
            }

            fn complete(self: Box<Self>, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
                $active::complete_with(&self.secret, peer_public_key)
            }
        }
    };
}

graviola_ecdh!(
    P256Alg,
    P256Active,
    p256,
    KeyExchangeAlgorithm::P256,
    32,
    65
);
graviola_ecdh!(
    P384Alg,
    P384Active,
    p384,
    KeyExchangeAlgorithm::P384,
    48,
    97
);

// ---- Signatures

/// Verification on graviola where it applies (see the module table), the default's
/// otherwise.
pub const VERIFIER: &dyn Verifier = &GraviolaVerifier;

struct GraviolaVerifier;

impl Verifier for GraviolaVerifier {
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        self.verify_with_policy(
            algorithm,
            public_key,
            message,
            signature,
            &VerifyPolicy::DEFAULT,
        )
    }

    fn verify_with_policy(
        &self,
        algorithm: SignatureAlgorithm,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
        policy: &VerifyPolicy,
    ) -> Result<(), Error> {
        use SignatureAlgorithm as A;
        use graviola::hashing::{Sha256, Sha384};
        use graviola::signing::ecdsa::{P256, P384, VerifyingKey};
        let default =
            || crate::verify_with_policy(algorithm, public_key, message, signature, policy);
        let uncompressed = public_key.first() == Some(&4);
        let bad = |_| Error::BadSignature;
        match algorithm {
            A::EcdsaP256Sha256 if uncompressed => {
                VerifyingKey::<P256>::from_x962_uncompressed(public_key)
                    .map_err(|_| Error::InvalidPublicKey)?
                    .verify_asn1::<Sha256>(&[message], signature)
                    .map_err(bad)
            }
            A::EcdsaP384Sha384 if uncompressed => {
                VerifyingKey::<P384>::from_x962_uncompressed(public_key)
                    .map_err(|_| Error::InvalidPublicKey)?
                    .verify_asn1::<Sha384>(&[message], signature)
                    .map_err(bad)
            }
            A::RsaPkcs1Sha256
            | A::RsaPkcs1Sha384
            | A::RsaPkcs1Sha512
            | A::RsaPssSha256
            | A::RsaPssSha384
            | A::RsaPssSha512 => {
                // The size policy first, with the same answers as the default backend.
                let bits = crate::verify::rsa_modulus_bits(public_key)?;
                if bits < policy.min_rsa_bits {
                    return Err(Error::KeyTooSmall);
                }
                if bits > crate::MAX_RSA_BITS {
                    return Err(Error::InvalidPublicKey);
                }
                if bits < GRAVIOLA_MIN_RSA_BITS {
                    return default();
                }
                let key = graviola::signing::rsa::VerifyingKey::from_pkcs1_der(public_key)
                    .map_err(|_| Error::InvalidPublicKey)?;
                match algorithm {
                    A::RsaPkcs1Sha256 => key.verify_pkcs1_sha256(signature, message),
                    A::RsaPkcs1Sha384 => key.verify_pkcs1_sha384(signature, message),
                    A::RsaPkcs1Sha512 => key.verify_pkcs1_sha512(signature, message),
                    A::RsaPssSha256 => key.verify_pss_sha256(signature, message),
                    A::RsaPssSha384 => key.verify_pss_sha384(signature, message),
                    _ => key.verify_pss_sha512(signature, message),
                }
                .map_err(bad)
            }
            A::Ed25519 => ed25519::verify(public_key, message, signature, policy),
            // Compressed ECDSA keys: the default's code.
            _ => default(),
        }
    }
}

/// Smallest RSA modulus graviola's verifier accepts.
const GRAVIOLA_MIN_RSA_BITS: usize = 2048;

/// Ed25519 signing keys on graviola, ECDSA P-256 on the default backend (see the module
/// table).
pub const KEY_LOADER: &dyn KeyLoader = &GraviolaKeyLoader;

struct GraviolaKeyLoader;

impl KeyLoader for GraviolaKeyLoader {
    fn load_pkcs8_der(&self, der: &[u8]) -> Result<Box<dyn Signer>, Error> {
        match graviola::signing::eddsa::Ed25519SigningKey::from_pkcs8_der(der) {
            Ok(key) => {
                let public = key.public_key().as_bytes();
                Ok(Box::new(Ed25519Signer { key, public }))
            }
            Err(_) => crate::KEY_LOADER.load_pkcs8_der(der),
        }
    }
}

/// An Ed25519 key on graviola (which wipes it on drop).
struct Ed25519Signer {
    key: graviola::signing::eddsa::Ed25519SigningKey,
    public: [u8; 32],
}

impl Signer for Ed25519Signer {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::Ed25519
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self.key.sign(message).to_vec())
    }

    fn public_key(&self) -> Vec<u8> {
        self.public.to_vec()
    }
}

// ---- RNG

/// The operating system's generator, through graviola (getrandom).
struct GraviolaRandom;

impl SecureRandom for GraviolaRandom {
    #[allow(clippy::panic)] // an OS without working randomness cannot run TLS safely
    fn fill(&self, dest: &mut [u8]) {
        if let Err(e) = graviola::random::fill(dest) {
            panic!("operating-system random-number generator failed: {e}");
        }
    }
}
