//! Secret newtypes: fixed-size owned buffers that zeroize on drop, are not `Copy`, have no
//! `PartialEq` (compare them with [`subtle::ConstantTimeEq`]) and print only their name in
//! `Debug`. Reading the bytes is [`expose_secret`](Secret::expose_secret), a name that stands
//! out in review.

use crate::Error;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident, $cap:expr) => {
        $(#[$meta])*
        pub struct $name {
            bytes: [u8; $cap],
            len: usize,
        }

        impl $name {
            /// The largest value this type can hold, in bytes.
            pub const MAX_LEN: usize = $cap;

            /// Copies `bytes` into a new secret. Fails with [`Error::BadLength`] when longer
            /// than [`Self::MAX_LEN`].
            pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
                Self::fill_with(bytes.len(), |out| {
                    out.copy_from_slice(bytes);
                    Ok(())
                })
            }

            /// Makes a secret of `len` bytes by letting `fill` write them in place, so the
            /// value never sits in a temporary buffer.
            pub fn fill_with(
                len: usize,
                fill: impl FnOnce(&mut [u8]) -> Result<(), Error>,
            ) -> Result<Self, Error> {
                let mut s = Self { bytes: [0u8; $cap], len: 0 };
                let out = s.bytes.get_mut(..len).ok_or(Error::BadLength)?;
                fill(out)?;
                s.len = len;
                Ok(s)
            }

            /// Copies as much of `bytes` as fits (for hash outputs, which always fit).
            #[allow(dead_code)] // used by some of the types the macro defines, not all
            pub(crate) fn from_prefix(bytes: &[u8]) -> Self {
                let mut s = Self { bytes: [0u8; $cap], len: 0 };
                for (dst, src) in s.bytes.iter_mut().zip(bytes) {
                    *dst = *src;
                    s.len += 1;
                }
                s
            }

            /// The secret bytes. Every call site is a place where the secret leaves its type:
            /// keep them few and obvious.
            pub fn expose_secret(&self) -> &[u8] {
                self.bytes.get(..self.len).unwrap_or(&[])
            }

            /// Length in bytes.
            pub fn len(&self) -> usize {
                self.len
            }

            /// True when the secret holds no bytes.
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// A copy that is itself a secret (zeroized on drop). Explicit, never implicit:
            /// the type is not `Clone`.
            pub fn duplicate(&self) -> Self {
                Self { bytes: self.bytes, len: self.len }
            }
        }

        impl ConstantTimeEq for $name {
            /// Constant-time in the contents; the lengths are not secret.
            fn ct_eq(&self, other: &Self) -> Choice {
                if self.len != other.len {
                    return Choice::from(0);
                }
                self.expose_secret().ct_eq(other.expose_secret())
            }
        }

        impl Zeroize for $name {
            fn zeroize(&mut self) {
                self.bytes.zeroize();
                self.len = 0;
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.zeroize();
            }
        }

        impl ZeroizeOnDrop for $name {}

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(concat!(stringify!($name), "(..)"))
            }
        }
    };
}

secret_type!(
    /// A secret of up to 64 bytes: HKDF pseudorandom keys, TLS traffic secrets, Finished
    /// keys, resumption secrets, PSKs.
    Secret,
    64
);
secret_type!(
    /// An AEAD key (16 bytes for AES-128-GCM, 32 for AES-256-GCM and ChaCha20-Poly1305).
    AeadKey,
    32
);
secret_type!(
    /// A per-direction write IV (12 bytes for every TLS 1.3 AEAD). The record nonce is this IV
    /// XOR the sequence number.
    Iv,
    12
);
secret_type!(
    /// The output of a key exchange: 32 bytes for X25519 and P-256, 48 for P-384, 64 for
    /// the X25519MLKEM768 hybrid.
    SharedSecret,
    64
);

impl Iv {
    /// The AEAD nonce for record `seq` (RFC 8446 §5.3): the 64-bit sequence number,
    /// left-padded to the IV length and XORed with the IV.
    pub fn nonce_for(&self, seq: u64) -> Nonce {
        // Built inside the `Nonce`, which wipes itself, rather than in a plain array moved
        // into it afterwards.
        let mut n = Nonce([0u8; 12]);
        let iv = self.expose_secret();
        let seq = seq.to_be_bytes();
        for (i, out) in n.0.iter_mut().enumerate() {
            let ivb = iv.get(i).copied().unwrap_or(0);
            let sb = i
                .checked_sub(4)
                .and_then(|j| seq.get(j))
                .copied()
                .unwrap_or(0);
            *out = ivb ^ sb;
        }
        n
    }
}

/// A 96-bit AEAD nonce. Nonces are derived from the secret IV, so this type too zeroizes and
/// hides its bytes.
pub struct Nonce(pub(crate) [u8; 12]);

impl Nonce {
    /// Wraps raw nonce bytes (for tests and for protocols that manage nonces themselves).
    pub fn from_bytes(bytes: [u8; 12]) -> Self {
        Nonce(bytes)
    }

    /// The nonce bytes.
    pub fn expose_secret(&self) -> &[u8; 12] {
        &self.0
    }
}

impl Drop for Nonce {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for Nonce {}

impl core::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Nonce(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_hides_bytes() {
        let s = Secret::from_slice(&[0xab; 48]).unwrap();
        let text = format!("{s:?}");
        assert_eq!(text, "Secret(..)");
        assert!(!text.to_lowercase().contains("ab"));
        let k = AeadKey::from_slice(&[0x5a; 16]).unwrap();
        assert_eq!(format!("{k:?}"), "AeadKey(..)");
    }

    fn assert_zeroize_on_drop<T: ZeroizeOnDrop + Zeroize>() {}

    #[test]
    fn secret_types_zeroize() {
        assert_zeroize_on_drop::<Secret>();
        assert_zeroize_on_drop::<AeadKey>();
        assert_zeroize_on_drop::<Iv>();
        assert_zeroize_on_drop::<SharedSecret>();
        // Drop runs exactly this wipe; check that it clears the whole buffer.
        let mut s = Secret::from_slice(&[0x77; 64]).unwrap();
        s.zeroize();
        assert!(s.is_empty());
        assert!(s.bytes.iter().all(|&b| b == 0));
        let mut k = AeadKey::from_slice(&[0x11; 32]).unwrap();
        k.zeroize();
        assert!(k.bytes.iter().all(|&b| b == 0));
    }

    #[test]
    fn too_long_is_refused() {
        assert_eq!(Secret::from_slice(&[0; 65]).unwrap_err(), Error::BadLength);
        assert_eq!(Iv::from_slice(&[0; 13]).unwrap_err(), Error::BadLength);
    }

    #[test]
    fn ct_eq_compares_contents_and_length() {
        let a = Secret::from_slice(&[1, 2, 3]).unwrap();
        let b = Secret::from_slice(&[1, 2, 3]).unwrap();
        let c = Secret::from_slice(&[1, 2, 4]).unwrap();
        let d = Secret::from_slice(&[1, 2]).unwrap();
        assert!(bool::from(a.ct_eq(&b)));
        assert!(!bool::from(a.ct_eq(&c)));
        assert!(!bool::from(a.ct_eq(&d)));
    }

    #[test]
    fn nonce_is_iv_xor_sequence() {
        // RFC 8448 §3: server application IV and record 1.
        let iv = Iv::from_slice(&[
            0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x84,
        ])
        .unwrap();
        let n = iv.nonce_for(1);
        assert_eq!(
            n.expose_secret(),
            &[
                0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x85
            ]
        );
        let n = iv.nonce_for(0x0102_0304_0506_0708);
        assert_eq!(
            n.expose_secret(),
            &[
                0xcf, 0x78, 0x2b, 0x88, 0xdc, 0x81, 0x57, 0x9e, 0xa8, 0xf7, 0xee, 0x8c
            ]
        );
    }
}
