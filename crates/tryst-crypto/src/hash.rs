//! Hash functions, HMAC and HKDF (RFC 5869), behind the [`Hash`] trait.
//!
//! One trait covers all three because TLS 1.3 always uses them together, keyed by the
//! cipher suite's hash: an implementation (hardware, another library) replaces all of them
//! at once. [`SHA256`] and [`SHA384`] are the RustCrypto implementations.

use alloc::boxed::Box;
use core::fmt;

use crate::{Error, Secret};
use hmac::{KeyInit, Mac};
use sha2::Digest as _;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Which hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (32-byte output).
    Sha256,
    /// SHA-384 (48-byte output).
    Sha384,
}

impl HashAlgorithm {
    /// Output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }
}

/// A hash or HMAC output of up to 64 bytes. Hash outputs (transcript hashes) are not
/// secret, so this type compares with `==` and `Debug` prints it; HMAC outputs used as
/// authenticators must be compared with [`subtle::ConstantTimeEq`], which this type also
/// implements. Because an HMAC output can be key material (the TLS 1.2 PRF's blocks,
/// Finished verify_data before it is sent), the buffer is wiped on drop; callers move
/// secret outputs into a [`Secret`] at once.
#[derive(Clone, PartialEq, Eq)]
pub struct Output {
    bytes: [u8; 64],
    len: usize,
}

impl Zeroize for Output {
    fn zeroize(&mut self) {
        self.bytes.zeroize();
        self.len = 0;
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Output {}

impl Output {
    /// Wraps up to 64 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut out = Output {
            bytes: [0; 64],
            len: bytes.len(),
        };
        out.bytes
            .get_mut(..bytes.len())
            .ok_or(Error::BadLength)?
            .copy_from_slice(bytes);
        Ok(out)
    }

    /// An empty output (matches no authenticator).
    #[cfg_attr(not(feature = "graviola"), allow(dead_code))]
    pub(crate) const fn empty() -> Self {
        Output {
            bytes: [0; 64],
            len: 0,
        }
    }

    /// The output bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl subtle::ConstantTimeEq for Output {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        if self.len != other.len {
            return subtle::Choice::from(0);
        }
        self.as_bytes().ct_eq(other.as_bytes())
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Output(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// A running hash. [`fork`](HashContext::fork) copies the state so "hash of the transcript
/// so far" can be read many times without re-hashing.
pub trait HashContext: Send + Sync {
    /// Absorb more input.
    fn update(&mut self, data: &[u8]);
    /// An independent copy of the running state.
    fn fork(&self) -> Box<dyn HashContext>;
    /// The hash of everything absorbed so far; the context stays usable.
    fn current(&self) -> Output;
    /// The final hash.
    fn finish(self: Box<Self>) -> Output;
}

/// A hash function with its HMAC and HKDF.
pub trait Hash: Send + Sync {
    /// Which algorithm this is.
    fn algorithm(&self) -> HashAlgorithm;

    /// Output length in bytes.
    fn output_len(&self) -> usize {
        self.algorithm().output_len()
    }

    /// Start an incremental hash.
    fn start(&self) -> Box<dyn HashContext>;

    /// One-shot hash.
    fn hash(&self, data: &[u8]) -> Output;

    /// HMAC(key, concatenation of `parts`).
    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> Output;

    /// HKDF-Extract(salt, ikm) (RFC 5869 §2.2). An empty salt is the same as no salt.
    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8]) -> Secret;

    /// HKDF-Expand(prk, info, L) (RFC 5869 §2.3) into `out`, where `info` is the
    /// concatenation of `info` pieces, so HKDF-Expand-Label needs no allocation.
    /// `out.len()` is L; more than 255 hash lengths is [`Error::OutputTooLong`].
    fn hkdf_expand(&self, prk: &Secret, info: &[&[u8]], out: &mut [u8]) -> Result<(), Error>;

    /// Two HKDF-Expands from the same PRK: `info_a` into `out_a`, then `info_b` into
    /// `out_b` (a traffic key and its IV). The same outputs as two [`Hash::hkdf_expand`]
    /// calls, which is what this default does; the backends key HMAC with the PRK once.
    fn hkdf_expand_pair(
        &self,
        prk: &Secret,
        (info_a, out_a): (&[&[u8]], &mut [u8]),
        (info_b, out_b): (&[&[u8]], &mut [u8]),
    ) -> Result<(), Error> {
        self.hkdf_expand(prk, info_a, out_a)?;
        self.hkdf_expand(prk, info_b, out_b)
    }

    /// Any number of HKDF-Expands from the same PRK, in order: each job's `info` into its
    /// output (the two application traffic secrets and the exporter master secret). The
    /// same outputs as one [`Hash::hkdf_expand`] per job, which is what this default does;
    /// the backends key HMAC with the PRK once.
    fn hkdf_expand_many(&self, prk: &Secret, jobs: &mut [ExpandJob<'_>]) -> Result<(), Error> {
        for (info, out) in jobs.iter_mut() {
            self.hkdf_expand(prk, info, out)?;
        }
        Ok(())
    }
}

/// One HKDF-Expand of [`Hash::hkdf_expand_many`]: the `info` pieces and the output.
pub type ExpandJob<'a> = (&'a [&'a [u8]], &'a mut [u8]);

/// HKDF-Expand straight into a new [`Secret`] of `len` bytes.
pub fn hkdf_expand_secret(
    hash: &dyn Hash,
    prk: &Secret,
    info: &[&[u8]],
    len: usize,
) -> Result<Secret, Error> {
    Secret::fill_with(len, |out| hash.hkdf_expand(prk, info, out))
}

macro_rules! rustcrypto_hash {
    ($imp:ident, $ctx:ident, $d:ty, $alg:expr) => {
        struct $imp;

        #[derive(Clone)]
        struct $ctx($d);

        impl HashContext for $ctx {
            fn update(&mut self, data: &[u8]) {
                self.0.update(data);
            }
            fn fork(&self) -> Box<dyn HashContext> {
                Box::new(self.clone())
            }
            fn current(&self) -> Output {
                output(&self.0.clone().finalize())
            }
            fn finish(self: Box<Self>) -> Output {
                output(&self.0.finalize())
            }
        }

        impl Hash for $imp {
            fn algorithm(&self) -> HashAlgorithm {
                $alg
            }
            fn start(&self) -> Box<dyn HashContext> {
                Box::new($ctx(<$d>::new()))
            }
            fn hash(&self, data: &[u8]) -> Output {
                output(&<$d>::digest(data))
            }
            fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> Output {
                // HMAC accepts keys of any length (long keys are hashed first), so this
                // cannot fail; if it ever did, an empty output matches no authenticator.
                let Ok(mut mac) = <hmac::Hmac<$d> as KeyInit>::new_from_slice(key) else {
                    return output(&[]);
                };
                for p in parts {
                    mac.update(p);
                }
                // `CtOutput` wipes itself on drop; `into_bytes` would copy into a plain array.
                output(mac.finalize().as_bytes())
            }
            fn hkdf_extract(&self, salt: &[u8], ikm: &[u8]) -> Secret {
                // `hkdf` hands the PRK back as a plain array: copied into a `Secret`, then
                // wiped. (Its keyed HMAC state, the `_`, wipes itself.)
                let (mut prk, _) = hkdf::Hkdf::<$d>::extract(Some(salt), ikm);
                let secret = Secret::from_prefix(&prk);
                prk.as_mut_slice().zeroize();
                secret
            }
            fn hkdf_expand(
                &self,
                prk: &Secret,
                info: &[&[u8]],
                out: &mut [u8],
            ) -> Result<(), Error> {
                if prk.len() < <$d>::output_size() {
                    return Err(Error::BadLength);
                }
                let keyed = <hmac::Hmac<$d> as KeyInit>::new_from_slice(prk.expose_secret())
                    .map_err(|_| Error::BadLength)?;
                hkdf_expand_with(keyed, info, out)
            }
            fn hkdf_expand_pair(
                &self,
                prk: &Secret,
                (info_a, out_a): (&[&[u8]], &mut [u8]),
                (info_b, out_b): (&[&[u8]], &mut [u8]),
            ) -> Result<(), Error> {
                if prk.len() < <$d>::output_size() {
                    return Err(Error::BadLength);
                }
                // Keyed once; each expansion starts from a copy of the keyed state.
                let keyed = <hmac::Hmac<$d> as KeyInit>::new_from_slice(prk.expose_secret())
                    .map_err(|_| Error::BadLength)?;
                hkdf_expand_with(keyed.clone(), info_a, out_a)?;
                hkdf_expand_with(keyed, info_b, out_b)
            }
            fn hkdf_expand_many(
                &self,
                prk: &Secret,
                jobs: &mut [ExpandJob<'_>],
            ) -> Result<(), Error> {
                if prk.len() < <$d>::output_size() {
                    return Err(Error::BadLength);
                }
                // Keyed once; each expansion starts from a copy of the keyed state.
                let keyed = <hmac::Hmac<$d> as KeyInit>::new_from_slice(prk.expose_secret())
                    .map_err(|_| Error::BadLength)?;
                for (info, out) in jobs.iter_mut() {
                    hkdf_expand_with(keyed.clone(), info, out)?;
                }
                Ok(())
            }
        }
    };
}

/// HKDF-Expand (RFC 5869 §2.3) over HMAC keyed with the PRK:
/// T(i) = HMAC(PRK, T(i-1) | info | i), OKM = the first L bytes of T(1) | T(2) | ...
///
/// Written here rather than with `hkdf::Hkdf::expand_multi_info`, which keeps the last
/// T(i) (a copy of the end of the output, often a whole traffic key) in a plain array that
/// is not wiped. Here every T(i) is a `CtOutput`, which wipes itself on drop, and the keyed
/// HMAC state is wiped by `sha2`'s `zeroize` feature. Checked against RFC 5869's and
/// Wycheproof's HKDF vectors (tests/wycheproof.rs) and RFC 8448 (tryst-keyschedule).
fn hkdf_expand_with<M: Mac + Clone>(keyed: M, info: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
    let hash_len = <M as hmac::digest::OutputSizeUser>::output_size();
    if out.len() > hash_len.saturating_mul(255) {
        return Err(Error::OutputTooLong);
    }
    let mut previous: Option<hmac::digest::CtOutput<M>> = None;
    for (counter, chunk) in (1u8..=255).zip(out.chunks_mut(hash_len)) {
        let mut mac = keyed.clone();
        if let Some(t) = &previous {
            mac.update(t.as_bytes());
        }
        for part in info {
            mac.update(part);
        }
        mac.update(&[counter]);
        let t = mac.finalize();
        for (dst, src) in chunk.iter_mut().zip(t.as_bytes().iter()) {
            *dst = *src;
        }
        previous = Some(t);
    }
    Ok(())
}

// The keyed HMAC states and MAC outputs above wipe themselves on drop. `Hmac<D>` is not
// marked `ZeroizeOnDrop` itself, but it is made of two `D::Core` states and a block buffer
// of the same kind `D` has, which are.
assert_zeroize_on_drop!(
    sha2::Sha256,
    sha2::Sha384,
    <sha2::Sha256 as hmac::EagerHash>::Core,
    <sha2::Sha384 as hmac::EagerHash>::Core,
    hmac::digest::CtOutput<hmac::Hmac<sha2::Sha256>>,
    hmac::digest::CtOutput<hmac::Hmac<sha2::Sha384>>,
);

fn output(bytes: &[u8]) -> Output {
    let mut out = Output {
        bytes: [0; 64],
        len: 0,
    };
    if let Some(dst) = out.bytes.get_mut(..bytes.len()) {
        dst.copy_from_slice(bytes);
        out.len = bytes.len();
    }
    out
}

rustcrypto_hash!(Sha256Impl, Sha256Ctx, sha2::Sha256, HashAlgorithm::Sha256);
rustcrypto_hash!(Sha384Impl, Sha384Ctx, sha2::Sha384, HashAlgorithm::Sha384);

/// SHA-256 with HMAC-SHA256 and HKDF-SHA256 (RustCrypto).
pub const SHA256: &dyn Hash = &Sha256Impl;
/// SHA-384 with HMAC-SHA384 and HKDF-SHA384 (RustCrypto).
pub const SHA384: &dyn Hash = &Sha384Impl;

/// The default backend's implementation of `alg` (see [`crate::CryptoProvider::hash`] for
/// any provider's).
pub fn hash_for(alg: HashAlgorithm) -> &'static dyn Hash {
    match alg {
        HashAlgorithm::Sha256 => SHA256,
        HashAlgorithm::Sha384 => SHA384,
    }
}
