//! Authenticated encryption (AES-128-GCM, AES-256-GCM) behind the [`Aead`] trait.
//!
//! A cipher is chosen once per connection ([`Aead::new_key`] returns a prepared key object);
//! each record is then one call, with no allocation and no dispatch beyond that one virtual
//! call. Sealing and opening work in place; sealing can also read the plaintext from the
//! caller's slice ([`AeadKeyed::seal_from`]).

use alloc::boxed::Box;

use crate::gcm::GcmKey;
use crate::{AeadKey, Error, Nonce};
use chacha20poly1305::aead::{AeadInOut, KeyInit};

/// Length of every TLS 1.3 AEAD tag.
pub const TAG_LEN: usize = 16;
/// Length of every TLS 1.3 AEAD nonce.
pub const NONCE_LEN: usize = 12;

/// Which AEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgorithm {
    /// AES-128-GCM (16-byte key).
    Aes128Gcm,
    /// AES-256-GCM (32-byte key).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439, 32-byte key).
    ChaCha20Poly1305,
}

impl AeadAlgorithm {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlgorithm::Aes128Gcm => 16,
            AeadAlgorithm::Aes256Gcm | AeadAlgorithm::ChaCha20Poly1305 => 32,
        }
    }

    /// RFC 8446 §5.5 limit: the number of records one key may protect. For AES-GCM this is
    /// 2^24.5 full-size records; we use 2^24 to stay on the safe side of the bound.
    pub const fn confidentiality_limit(self) -> u64 {
        match self {
            AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm => 1 << 24,
            // RFC 8446 §5.5: ChaCha20-Poly1305's limit exceeds 2^64 records; the sequence
            // number runs out first.
            AeadAlgorithm::ChaCha20Poly1305 => u64::MAX,
        }
    }
}

/// An AEAD algorithm: makes prepared keys.
pub trait Aead: Send + Sync {
    /// Which algorithm this is.
    fn algorithm(&self) -> AeadAlgorithm;

    /// Key length in bytes.
    fn key_len(&self) -> usize {
        self.algorithm().key_len()
    }

    /// Prepare a key (runs the key schedule once). Fails with [`Error::BadLength`] when the
    /// key has the wrong length.
    fn new_key(&self, key: &AeadKey) -> Result<Box<dyn AeadKeyed>, Error>;
}

/// A prepared AEAD key.
pub trait AeadKeyed: Send + Sync {
    /// Which algorithm this is.
    fn algorithm(&self) -> AeadAlgorithm;

    /// Encrypt `buf[..buf.len() - TAG_LEN]` in place and write the tag into the last
    /// [`TAG_LEN`] bytes of `buf`.
    fn seal_in_place(&self, nonce: &Nonce, aad: &[u8], buf: &mut [u8]) -> Result<(), Error>;

    /// Seal a plaintext given in two pieces into `out`, out of place: the first piece is
    /// `content` (the caller's slice, read once, never copied first), the second is already
    /// in `out` right after room for the content, i.e. the plaintext is
    /// `content || out[content.len()..out.len() - TAG_LEN]` (in TLS 1.3 the record content,
    /// then the inner content type byte and the zero padding, RFC 8446 §5.2). `out` then
    /// holds the ciphertext followed by the tag in its last [`TAG_LEN`] bytes: the same
    /// bytes [`seal_in_place`](Self::seal_in_place) gives for that plaintext.
    ///
    /// [`Error::BufferTooShort`] when `out` is shorter than `content.len() + TAG_LEN`,
    /// [`Error::InputTooLong`] past the algorithm's length limits.
    ///
    /// The default copies `content` into `out` and seals in place; the default backend's
    /// AES-GCM does it in one pass.
    fn seal_from(
        &self,
        nonce: &Nonce,
        aad: &[u8],
        content: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        seal_from_body_len(out.len(), content.len(), aad.len())?;
        out.get_mut(..content.len())
            .ok_or(Error::BufferTooShort)?
            .copy_from_slice(content);
        self.seal_in_place(nonce, aad, out)
    }

    /// Check the tag in the last [`TAG_LEN`] bytes of `buf` and, only if it matches, decrypt
    /// the rest in place, returning the plaintext length. On failure the buffer holds no
    /// plaintext.
    fn open_in_place(&self, nonce: &Nonce, aad: &[u8], buf: &mut [u8]) -> Result<usize, Error>;
}

/// Largest plaintext AES-GCM can protect under one nonce (NIST SP 800-38D): 2^36 - 32 bytes.
const GCM_P_MAX: u64 = (1 << 36) - 32;
/// Largest associated data AES-GCM accepts: 2^61 - 1 bytes.
const GCM_A_MAX: u64 = (1 << 61) - 1;

pub(crate) fn too_long(data_len: usize, aad_len: usize) -> bool {
    u64::try_from(data_len).map_or(true, |n| n > GCM_P_MAX)
        || u64::try_from(aad_len).map_or(true, |n| n > GCM_A_MAX)
}

/// Splits a sealed `buf` into body and tag, after the length checks every backend makes:
/// `short` when there is no room for the tag, [`Error::InputTooLong`] past GCM's limits.
pub(crate) fn split_sealed<'a>(
    buf: &'a mut [u8],
    aad: &[u8],
    short: Error,
) -> Result<(&'a mut [u8], &'a mut [u8; TAG_LEN]), Error> {
    let body_len = buf.len().checked_sub(TAG_LEN).ok_or(short)?;
    if too_long(body_len, aad.len()) {
        return Err(Error::InputTooLong);
    }
    let (body, tag) = buf.split_at_mut(body_len);
    let tag: &mut [u8; TAG_LEN] = tag.try_into().map_err(|_| short)?;
    Ok((body, tag))
}

/// The body length of `seal_from`'s output of `out_len` bytes (the tag last), which must
/// hold `content_len` bytes of content, after the same checks as [`split_sealed`].
pub(crate) fn seal_from_body_len(
    out_len: usize,
    content_len: usize,
    aad_len: usize,
) -> Result<usize, Error> {
    let body_len = out_len
        .checked_sub(TAG_LEN)
        .filter(|&n| n >= content_len)
        .ok_or(Error::BufferTooShort)?;
    if too_long(body_len, aad_len) {
        return Err(Error::InputTooLong);
    }
    Ok(body_len)
}

macro_rules! rustcrypto_gcm {
    ($imp:ident, $keyed:ident, $cipher:ty, $alg:expr) => {
        struct $imp;

        struct $keyed($cipher);

        impl Aead for $imp {
            fn algorithm(&self) -> AeadAlgorithm {
                $alg
            }
            fn new_key(&self, key: &AeadKey) -> Result<Box<dyn AeadKeyed>, Error> {
                let cipher =
                    <$cipher>::new_from_slice(key.expose_secret()).map_err(|_| Error::BadLength)?;
                Ok(Box::new($keyed(cipher)))
            }
        }

        impl AeadKeyed for $keyed {
            fn algorithm(&self) -> AeadAlgorithm {
                $alg
            }

            fn seal_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<(), Error> {
                let body_len = buf
                    .len()
                    .checked_sub(TAG_LEN)
                    .ok_or(Error::BufferTooShort)?;
                // Fuzzing-only crypto mode (docs/fuzzing.md): exists only under
                // `cfg(fuzzing)`, which cargo-fuzz sets and a normal build cannot. The
                // plaintext stays as it is and the tag is zero, so fuzz seeds are readable.
                #[cfg(fuzzing)]
                if let Some(tag_out) = buf.get_mut(body_len..) {
                    tag_out.fill(0);
                    return Ok(());
                }
                if too_long(body_len, aad.len()) {
                    return Err(Error::InputTooLong);
                }
                let (body, tag_out) = buf.split_at_mut(body_len);
                let tag = self
                    .0
                    .encrypt_inout_detached(&nonce.0.into(), aad, body.into())
                    .map_err(|_| Error::InputTooLong)?;
                tag_out.copy_from_slice(&tag);
                Ok(())
            }

            fn open_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<usize, Error> {
                let (body, tag) = split_sealed(buf, aad, Error::DecryptFailed)?;
                let (body_len, tag) = (body.len(), &*tag);
                // Fuzzing-only crypto mode (docs/fuzzing.md; `cfg(fuzzing)` only): a record
                // with an all-zero tag opens as its own bytes, so a fuzzer can write
                // "encrypted" records as plaintext + 16 zero bytes. Other tags decrypt for real.
                #[cfg(fuzzing)]
                if tag.iter().all(|&b| b == 0) {
                    return Ok(body_len);
                }
                // aes-gcm computes and compares the tag (in constant time) before it applies
                // the keystream, so a forged record never yields plaintext.
                self.0
                    .decrypt_inout_detached(&nonce.0.into(), aad, body.into(), tag.into())
                    .map_err(|_| Error::DecryptFailed)?;
                Ok(body_len)
            }
        }
    };
}

macro_rules! native_gcm {
    ($imp:ident, $keyed:ident, $cipher:ty, $alg:expr) => {
        struct $imp;

        struct $keyed(GcmKey<$cipher>);

        impl Aead for $imp {
            fn algorithm(&self) -> AeadAlgorithm {
                $alg
            }
            fn new_key(&self, key: &AeadKey) -> Result<Box<dyn AeadKeyed>, Error> {
                let key = GcmKey::new(key.expose_secret()).ok_or(Error::BadLength)?;
                Ok(Box::new($keyed(key)))
            }
        }

        impl AeadKeyed for $keyed {
            fn algorithm(&self) -> AeadAlgorithm {
                $alg
            }

            fn seal_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<(), Error> {
                self.0.seal_from(nonce, aad, &[], buf)
            }

            fn seal_from(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                content: &[u8],
                out: &mut [u8],
            ) -> Result<(), Error> {
                self.0.seal_from(nonce, aad, content, out)
            }

            fn open_in_place(
                &self,
                nonce: &Nonce,
                aad: &[u8],
                buf: &mut [u8],
            ) -> Result<usize, Error> {
                self.0.open_in_place(nonce, aad, buf)
            }
        }
    };
}

// AES-GCM: `aes` + `ctr` + `ghash` driven directly (src/gcm.rs), which allows the
// out-of-place `seal_from`; the encryption-only AES key schedule (no decryption round keys).
native_gcm!(
    Aes128GcmImpl,
    Aes128GcmKey,
    aes::Aes128Enc,
    AeadAlgorithm::Aes128Gcm
);
native_gcm!(
    Aes256GcmImpl,
    Aes256GcmKey,
    aes::Aes256Enc,
    AeadAlgorithm::Aes256Gcm
);
// The in-place, tag-first shape of RustCrypto's AEADs fits ChaCha20-Poly1305 (RFC 8439
// allows 2^38 - 64 bytes of plaintext, above the GCM limit checked first; TLS records are
// far smaller). Its `seal_from` is the trait's default (copy, then seal in place).
rustcrypto_gcm!(
    ChaCha20Poly1305Impl,
    ChaCha20Poly1305Key,
    chacha20poly1305::ChaCha20Poly1305,
    AeadAlgorithm::ChaCha20Poly1305
);

// The expanded keys (AES round keys, the Poly1305 key, the ChaCha20 key) wipe themselves
// on drop: the `zeroize` features of aes and chacha20poly1305. The GHASH key (`ghash`'s
// POLYVAL state, powers of H) wipes itself in its `Drop` under ghash's `zeroize` feature;
// it has no `ZeroizeOnDrop` marker to assert.
assert_zeroize_on_drop!(
    aes::Aes128Enc,
    aes::Aes256Enc,
    chacha20poly1305::ChaCha20Poly1305,
);

/// AES-128-GCM (RustCrypto `aes`, `ctr` and `ghash`, driven by src/gcm.rs; AES-NI and
/// CLMUL when the CPU has them).
pub const AES_128_GCM: &dyn Aead = &Aes128GcmImpl;
/// AES-256-GCM (RustCrypto `aes`, `ctr` and `ghash`).
pub const AES_256_GCM: &dyn Aead = &Aes256GcmImpl;

/// ChaCha20-Poly1305 (RustCrypto `chacha20poly1305`), for CPUs without AES instructions.
pub const CHACHA20_POLY1305: &dyn Aead = &ChaCha20Poly1305Impl;

/// The default backend's implementation of `alg` (see [`crate::CryptoProvider::aead`] for
/// any provider's).
pub fn aead_for(alg: AeadAlgorithm) -> &'static dyn Aead {
    match alg {
        AeadAlgorithm::Aes128Gcm => AES_128_GCM,
        AeadAlgorithm::Aes256Gcm => AES_256_GCM,
        AeadAlgorithm::ChaCha20Poly1305 => CHACHA20_POLY1305,
    }
}
