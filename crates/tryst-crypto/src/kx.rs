//! Key exchange behind the [`KeyExchange`] trait: X25519 (RFC 7748), ECDH on P-256 and
//! P-384, and the X25519MLKEM768 hybrid.
//!
//! Zeroization: every private key and every intermediate shared secret here is held in a
//! type that wipes itself on drop (checked at compile time with `assert_zeroize_on_drop!`),
//! and an active exchange is used through `&self` so that its keys are wiped where they
//! live, on the heap, when the box is dropped; moving them out of the box first would free
//! that memory unwiped. The ML-KEM shared key comes back from `ml-kem` as a plain array and
//! is wiped in place as soon as it has been copied into the [`SharedSecret`].
//!
//! Residual, outside our reach: values the upstream crates return by value or copy into
//! their own stack frames (a fresh key before it is boxed, a scalar passed to a
//! multiplication, the ML-KEM message and seeds inside `ml-kem`) leave copies on the stack
//! that nothing wipes until later calls overwrite them. No secret is left in freed heap
//! memory.

use alloc::boxed::Box;

use crate::{Error, SharedSecret};
use curve25519_dalek::montgomery::MontgomeryPoint;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Which key-exchange group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchangeAlgorithm {
    /// X25519 (RFC 7748): 32-byte public keys and shared secrets.
    X25519,
    /// ECDH on NIST P-256 (secp256r1): 65-byte uncompressed public keys, 32-byte shared
    /// secrets (the x-coordinate, RFC 8446 §7.4.2).
    P256,
    /// ECDH on NIST P-384 (secp384r1): 97-byte uncompressed public keys, 48-byte shared
    /// secrets.
    P384,
    /// The X25519MLKEM768 hybrid (draft-ietf-tls-ecdhe-mlkem): ML-KEM-768 and X25519
    /// together, secure if either is. Client share = ML-KEM encapsulation key (1184) ||
    /// X25519 key (32); server share = ML-KEM ciphertext (1088) || X25519 key (32);
    /// shared secret = ML-KEM secret (32) || X25519 secret (32).
    X25519MlKem768,
}

/// A key-exchange group: starts ephemeral exchanges.
pub trait KeyExchange: Send + Sync {
    /// Which group this is.
    fn algorithm(&self) -> KeyExchangeAlgorithm;

    /// Generate a fresh ephemeral key pair from `rng` (the client's side, and the first
    /// step of a Diffie-Hellman server).
    fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error>;

    /// The server's side in one step: answer the client's `peer_public_key` with our share
    /// and derive the shared secret. Diffie-Hellman groups start and complete; a KEM
    /// encapsulates to the client's key.
    fn respond(
        &self,
        rng: &mut dyn CryptoRng,
        peer_public_key: &[u8],
    ) -> Result<(alloc::vec::Vec<u8>, SharedSecret), Error> {
        let kx = self.start(rng)?;
        let public = kx.public_key().to_vec();
        Ok((public, kx.complete(peer_public_key)?))
    }

    /// Agreement with a caller-supplied private key (X25519: the 32-byte scalar; P-256 /
    /// P-384: the big-endian scalar), with the same checks as the ephemeral path: for
    /// known-answer tests (RFC 8448, Wycheproof) and protocols with static keys. A KEM
    /// group has no such operation ([`Error::UnsupportedAlgorithm`], the default).
    fn agree(
        &self,
        private_key: &crate::Secret,
        peer_public_key: &[u8],
    ) -> Result<SharedSecret, Error> {
        let _ = (private_key, peer_public_key);
        Err(Error::UnsupportedAlgorithm)
    }

    /// The public key (wire form, as [`ActiveKeyExchange::public_key`]) for a
    /// caller-supplied private key in the form [`KeyExchange::agree`] takes; a scalar that
    /// is not a valid key (zero, or not below the group order) is
    /// [`Error::InvalidPrivateKey`]. For static keys, e.g. HPKE's DHKEM (RFC 9180 §4.1),
    /// which derives key pairs from seeds. A KEM group has no such operation
    /// ([`Error::UnsupportedAlgorithm`], the default).
    fn public_key_for(&self, private_key: &crate::Secret) -> Result<alloc::vec::Vec<u8>, Error> {
        let _ = private_key;
        Err(Error::UnsupportedAlgorithm)
    }
}

/// One ephemeral key pair, waiting for the peer's public key. Used once: completing it
/// consumes it, and its private key is zeroized on drop.
pub trait ActiveKeyExchange: Send + Sync {
    /// Which group this is.
    fn algorithm(&self) -> KeyExchangeAlgorithm;

    /// Our public key, as it goes on the wire (the `key_exchange` of a KeyShareEntry).
    fn public_key(&self) -> &[u8];

    /// Combine with the peer's public key. Malformed keys are [`Error::InvalidPublicKey`];
    /// an all-zero result is [`Error::ZeroSharedSecret`].
    fn complete(self: Box<Self>, peer_public_key: &[u8]) -> Result<SharedSecret, Error>;
}

struct X25519Impl;

/// The private scalar lives in the box, in a buffer that wipes itself, and is used through
/// `&self`, so it is wiped where it lives when the exchange is dropped. Single use is
/// enforced by `complete` taking the box.
struct X25519Active {
    secret: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

// Its one secret field is a `Zeroizing` buffer.
impl ZeroizeOnDrop for X25519Active {}

impl KeyExchange for X25519Impl {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }

    fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut active = Box::new(X25519Active {
            secret: Zeroizing::new([0u8; 32]),
            public: [0u8; 32],
        });
        rng.fill_bytes(&mut active.secret[..]);
        // Clamped like every X25519 scalar (RFC 7748 §5); the basepoint table of the
        // Edwards form (`precomputed-tables`), as x25519-dalek's own key generation does.
        active.public = MontgomeryPoint::mul_base_clamped(*active.secret).to_bytes();
        Ok(active)
    }

    fn agree(
        &self,
        private_key: &crate::Secret,
        peer_public_key: &[u8],
    ) -> Result<SharedSecret, Error> {
        x25519_agree(private_key, peer_public_key)
    }

    fn public_key_for(&self, private_key: &crate::Secret) -> Result<alloc::vec::Vec<u8>, Error> {
        Ok(x25519_public_key(private_key)?.to_vec())
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
        // Through `&self`: the box (and the key in it) is dropped, and wiped, in place.
        x25519(&self.secret, peer_public_key)
    }
}

/// X25519 (RFC 7748 §5) of the clamped `scalar` and the peer's u-coordinate.
///
/// A u-coordinate of a point on Curve25519 is mapped to the birationally equivalent
/// Edwards point, multiplied there by the clamped scalar (curve25519-dalek's variable-base
/// multiplication, constant time in the scalar, with its AVX2 backend where the CPU has
/// it), and mapped back: this gives exactly the ladder's u (the Edwards point's sign does
/// not change the result's u, and the full clamped scalar, not reduced mod l, is used, so
/// small-order components are cleared as the ladder clears them). About a quarter faster
/// than the Montgomery ladder here (docs/performance.md). Inputs with no Edwards point
/// (u on the twist, and u = -1) go through the ladder; the branch depends only on the
/// peer's public value, never on the scalar. `tests/x25519_paths.rs` checks that the
/// result equals the ladder's for every kind of input, and Wycheproof's X25519 vectors run
/// through this function.
fn x25519(scalar: &Zeroizing<[u8; 32]>, peer: &[u8]) -> Result<SharedSecret, Error> {
    let u: [u8; 32] = peer.try_into().map_err(|_| Error::InvalidPublicKey)?;
    let u = MontgomeryPoint(u);
    let shared = Zeroizing::new(match u.to_edwards(0) {
        Some(point) => point.mul_clamped(**scalar).to_montgomery().to_bytes(),
        None => u.mul_clamped(**scalar).to_bytes(),
    });
    // RFC 8446 §7.4.2: an all-zero X25519 output must be rejected. Checked in constant time.
    if bool::from(shared.ct_eq(&[0u8; 32])) {
        return Err(Error::ZeroSharedSecret);
    }
    SharedSecret::from_slice(&shared[..])
}

/// X25519 with a caller-supplied static private key, for known-answer tests (RFC 8448 gives
/// the private keys) and for protocols that need a fixed key. Returns the shared secret
/// with the same checks as the ephemeral path.
pub fn x25519_agree(
    private_key: &crate::Secret,
    peer_public_key: &[u8],
) -> Result<SharedSecret, Error> {
    x25519(&x25519_scalar(private_key)?, peer_public_key)
}

/// A caller's 32-byte X25519 key in a buffer that wipes itself; the copy curve25519-dalek
/// takes by value is the residual.
fn x25519_scalar(private_key: &crate::Secret) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut sk = Zeroizing::new([0u8; 32]);
    if private_key.len() != sk.len() {
        return Err(Error::BadLength);
    }
    sk.copy_from_slice(private_key.expose_secret());
    Ok(sk)
}

/// The X25519 public key for a caller-supplied private key (the clamped scalar times the
/// base point, RFC 7748 §6.1).
pub fn x25519_public_key(private_key: &crate::Secret) -> Result<[u8; 32], Error> {
    Ok(MontgomeryPoint::mul_base_clamped(*x25519_scalar(private_key)?).to_bytes())
}

/// X25519 (RustCrypto / dalek).
pub const X25519: &dyn KeyExchange = &X25519Impl;

/// ECDH on a NIST curve with uncompressed points (RFC 8446 §4.2.8.2).
macro_rules! nist_ecdh {
    ($imp:ident, $active:ident, $curve:ident, $alg:expr, $point_len:expr) => {
        struct $imp;

        struct $active {
            secret: $curve::ecdh::EphemeralSecret,
            public: alloc::boxed::Box<[u8]>,
        }

        assert_zeroize_on_drop!(
            $curve::ecdh::EphemeralSecret,
            $curve::ecdh::SharedSecret,
            $curve::SecretKey,
        );
        // Every secret field wipes itself on drop (asserted above).
        impl ZeroizeOnDrop for $active {}

        impl KeyExchange for $imp {
            fn algorithm(&self) -> KeyExchangeAlgorithm {
                $alg
            }

            fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
                let secret = <$curve::ecdh::EphemeralSecret as $curve::elliptic_curve::Generate>::generate_from_rng(rng);
                let public = secret.public_key().to_sec1_bytes();
                Ok(Box::new($active { secret, public }))
            }

            fn agree(
                &self,
                private_key: &crate::Secret,
                peer_public_key: &[u8],
            ) -> Result<SharedSecret, Error> {
                $active::agree(private_key.expose_secret(), peer_public_key)
            }

            fn public_key_for(
                &self,
                private_key: &crate::Secret,
            ) -> Result<alloc::vec::Vec<u8>, Error> {
                let sk = $active::secret_key(private_key.expose_secret())?;
                Ok(sk.public_key().to_sec1_bytes().into_vec())
            }
        }

        impl ActiveKeyExchange for $active {
            fn algorithm(&self) -> KeyExchangeAlgorithm {
                $alg
            }

            fn public_key(&self) -> &[u8] {
                &self.public
            }

            fn complete(self: Box<Self>, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
                // Through `&self`: the box (and the key in it) is dropped, and wiped, in place.
                let shared = self.secret.diffie_hellman(&$active::peer(peer_public_key)?);
                // The shared secret is the x-coordinate (RFC 8446 §7.4.2).
                SharedSecret::from_slice(shared.raw_secret_bytes().as_slice())
            }
        }

        impl $active {
            /// Parse a peer key: only the uncompressed form (0x04 || X || Y) is allowed
            /// (RFC 8446 §4.2.8.2), and the point must be on the curve (from_sec1_bytes
            /// checks, and refuses the identity).
            fn peer(peer_public_key: &[u8]) -> Result<$curve::PublicKey, Error> {
                if peer_public_key.len() != $point_len || peer_public_key.first() != Some(&4) {
                    return Err(Error::InvalidPublicKey);
                }
                $curve::PublicKey::from_sec1_bytes(peer_public_key).map_err(|_| Error::InvalidPublicKey)
            }

            /// A caller-supplied big-endian scalar as a key: zero and values not below the
            /// group order are refused.
            fn secret_key(private_key: &[u8]) -> Result<$curve::SecretKey, Error> {
                // Left-pad the big-endian scalar to the field size (leading zeros may be
                // missing or extra).
                let first_nonzero =
                    private_key.iter().position(|b| *b != 0).unwrap_or(private_key.len());
                let scalar = private_key.get(first_nonzero..).unwrap_or_default();
                let mut bytes = zeroize::Zeroizing::new($curve::FieldBytes::default());
                let offset = bytes.len().checked_sub(scalar.len()).ok_or(Error::InvalidPrivateKey)?;
                bytes.get_mut(offset..).ok_or(Error::InvalidPrivateKey)?.copy_from_slice(scalar);
                $curve::SecretKey::from_bytes(&bytes).map_err(|_| Error::InvalidPrivateKey)
            }

            /// ECDH with a caller-supplied private scalar (big-endian; leading zero bytes
            /// allowed), with the same checks as the ephemeral path.
            fn agree(private_key: &[u8], peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
                let sk = Self::secret_key(private_key)?;
                let peer = Self::peer(peer_public_key)?;
                // The scalar is a plain `Copy` value: keep this copy in a wiped wrapper.
                let scalar = Zeroizing::new(sk.to_nonzero_scalar());
                let shared = $curve::ecdh::diffie_hellman(&*scalar, peer.as_affine());
                SharedSecret::from_slice(shared.raw_secret_bytes().as_slice())
            }
        }
    };
}

nist_ecdh!(P256Impl, P256Active, p256, KeyExchangeAlgorithm::P256, 65);
nist_ecdh!(P384Impl, P384Active, p384, KeyExchangeAlgorithm::P384, 97);

/// ECDH on P-256 / secp256r1 (RustCrypto `p256`).
pub const P256: &dyn KeyExchange = &P256Impl;

/// ECDH on P-384 / secp384r1 (RustCrypto `p384`).
pub const P384: &dyn KeyExchange = &P384Impl;

const MLKEM768_EK_LEN: usize = 1184;
const MLKEM768_CT_LEN: usize = 1088;
const X25519_LEN: usize = 32;

struct X25519MlKem768Impl;

struct X25519MlKem768Active {
    mlkem: ml_kem::DecapsulationKey<ml_kem::MlKem768>,
    x25519: Zeroizing<[u8; 32]>,
    public: alloc::vec::Vec<u8>,
}

assert_zeroize_on_drop!(ml_kem::DecapsulationKey<ml_kem::MlKem768>);
// Every secret field wipes itself on drop (asserted above).
impl ZeroizeOnDrop for X25519MlKem768Active {}

/// Run `f` on an ML-KEM shared key, then wipe the key where it is, on success and on error
/// alike. `ml-kem` returns it as a plain `Copy` array; moving it into a `Zeroizing` (or
/// into this function by value) would leave the original bytes behind.
fn with_mlkem_secret<R>(key: &mut ml_kem::SharedKey, f: impl FnOnce(&[u8]) -> R) -> R {
    let r = f(key);
    key.zeroize();
    r
}

/// ML-KEM secret || X25519 secret, the order draft-ietf-tls-ecdhe-mlkem gives.
fn hybrid_secret(mlkem: &[u8], x25519: &[u8]) -> Result<SharedSecret, Error> {
    SharedSecret::fill_with(mlkem.len() + x25519.len(), |out| {
        let (a, b) = out.split_at_mut(mlkem.len());
        a.copy_from_slice(mlkem);
        b.copy_from_slice(x25519);
        Ok(())
    })
}

impl KeyExchange for X25519MlKem768Impl {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519MlKem768
    }

    fn start(&self, mut rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        use ml_kem::{Kem, KeyExport};
        let (mlkem, ek) = ml_kem::MlKem768::generate_keypair_from_rng(&mut rng);
        let mut x25519 = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut x25519[..]);
        let mut public = alloc::vec::Vec::with_capacity(MLKEM768_EK_LEN + X25519_LEN);
        public.extend_from_slice(&ek.to_bytes());
        public.extend_from_slice(MontgomeryPoint::mul_base_clamped(*x25519).as_bytes());
        Ok(Box::new(X25519MlKem768Active {
            mlkem,
            x25519,
            public,
        }))
    }

    fn respond(
        &self,
        mut rng: &mut dyn CryptoRng,
        peer_public_key: &[u8],
    ) -> Result<(alloc::vec::Vec<u8>, SharedSecret), Error> {
        use ml_kem::{Encapsulate, TryKeyInit};
        if peer_public_key.len() != MLKEM768_EK_LEN + X25519_LEN {
            return Err(Error::InvalidPublicKey);
        }
        let (ek, x) = peer_public_key.split_at(MLKEM768_EK_LEN);
        // FIPS 203 §7.2 input check (coefficients reduced mod q) is part of new_from_slice.
        let ek = ml_kem::EncapsulationKey::<ml_kem::MlKem768>::new_from_slice(ek)
            .map_err(|_| Error::InvalidPublicKey)?;
        let (ct, mut mlkem_ss) = ek.encapsulate_with_rng(&mut rng);
        with_mlkem_secret(&mut mlkem_ss, |mlkem_ss| {
            // Wiped when it goes out of scope; it lives only on the stack.
            let mut ours = Zeroizing::new([0u8; 32]);
            rng.fill_bytes(&mut ours[..]);
            let mut public = alloc::vec::Vec::with_capacity(MLKEM768_CT_LEN + X25519_LEN);
            public.extend_from_slice(&ct);
            public.extend_from_slice(MontgomeryPoint::mul_base_clamped(*ours).as_bytes());
            let x_ss = x25519(&ours, x)?;
            let secret = hybrid_secret(mlkem_ss, x_ss.expose_secret())?;
            Ok((public, secret))
        })
    }
}

impl ActiveKeyExchange for X25519MlKem768Active {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519MlKem768
    }

    fn public_key(&self) -> &[u8] {
        &self.public
    }

    fn complete(self: Box<Self>, peer_public_key: &[u8]) -> Result<SharedSecret, Error> {
        use ml_kem::Decapsulate;
        if peer_public_key.len() != MLKEM768_CT_LEN + X25519_LEN {
            return Err(Error::InvalidPublicKey);
        }
        let (ct, x) = peer_public_key.split_at(MLKEM768_CT_LEN);
        // Through `&self`: the box (and both keys in it) is dropped, and wiped, in place.
        let mut mlkem_ss = self
            .mlkem
            .decapsulate_slice(ct)
            .map_err(|_| Error::InvalidPublicKey)?;
        with_mlkem_secret(&mut mlkem_ss, |mlkem_ss| {
            let x_ss = x25519(&self.x25519, x)?;
            hybrid_secret(mlkem_ss, x_ss.expose_secret())
        })
    }
}

/// The X25519MLKEM768 hybrid (RustCrypto `ml-kem` and dalek).
pub const X25519MLKEM768: &dyn KeyExchange = &X25519MlKem768Impl;

/// Key agreement with a caller-supplied private key, for known-answer tests (RFC 8448,
/// Wycheproof) and protocols with static keys: X25519 (32-byte scalar) or P-256 / P-384
/// (big-endian scalar). Same checks as the ephemeral path.
pub fn ecdh_agree(
    algorithm: KeyExchangeAlgorithm,
    private_key: &crate::Secret,
    peer_public_key: &[u8],
) -> Result<SharedSecret, Error> {
    match algorithm {
        KeyExchangeAlgorithm::X25519 => x25519_agree(private_key, peer_public_key),
        KeyExchangeAlgorithm::P256 => {
            P256Active::agree(private_key.expose_secret(), peer_public_key)
        }
        KeyExchangeAlgorithm::P384 => {
            P384Active::agree(private_key.expose_secret(), peer_public_key)
        }
        KeyExchangeAlgorithm::X25519MlKem768 => Err(Error::UnsupportedAlgorithm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(7)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(7)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_mul(31).wrapping_add(17);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}

    #[test]
    fn p256_agreement_and_point_checks() {
        let mut rng = Counter(1);
        let a = P256.start(&mut rng).unwrap();
        let b = P256.start(&mut rng).unwrap();
        assert_eq!(a.public_key().len(), 65);
        let (pa, pb) = (a.public_key().to_vec(), b.public_key().to_vec());
        let sa = a.complete(&pb).unwrap();
        let sb = b.complete(&pa).unwrap();
        assert!(bool::from(sa.ct_eq(&sb)));
        // Compressed form, wrong length, off-curve point: all refused.
        let mut compressed = pb.clone();
        compressed.truncate(33);
        compressed[0] = 2 | (pb[64] & 1);
        let c = P256.start(&mut rng).unwrap();
        assert_eq!(
            c.complete(&compressed).unwrap_err(),
            Error::InvalidPublicKey
        );
        let mut off = pb.clone();
        off[64] ^= 1;
        let c = P256.start(&mut rng).unwrap();
        assert_eq!(c.complete(&off).unwrap_err(), Error::InvalidPublicKey);
    }

    #[test]
    fn p384_agreement() {
        let mut rng = Counter(9);
        let a = P384.start(&mut rng).unwrap();
        let b = P384.start(&mut rng).unwrap();
        assert_eq!(a.public_key().len(), 97);
        let (pa, pb) = (a.public_key().to_vec(), b.public_key().to_vec());
        let sa = a.complete(&pb).unwrap();
        let sb = b.complete(&pa).unwrap();
        assert_eq!(sa.len(), 48);
        assert!(bool::from(sa.ct_eq(&sb)));
        let c = P384.start(&mut rng).unwrap();
        assert_eq!(c.complete(&pb[..65]).unwrap_err(), Error::InvalidPublicKey);
    }

    #[test]
    fn x25519mlkem768_client_and_server_agree() {
        let mut rng = Counter(5);
        let client = X25519MLKEM768.start(&mut rng).unwrap();
        assert_eq!(client.public_key().len(), 1216);
        let (server_share, server_secret) = X25519MLKEM768
            .respond(&mut rng, client.public_key())
            .unwrap();
        assert_eq!(server_share.len(), 1120);
        let client_secret = client.complete(&server_share).unwrap();
        assert_eq!(client_secret.len(), 64);
        assert!(bool::from(client_secret.ct_eq(&server_secret)));
        // Wrong lengths are refused on both sides.
        assert_eq!(
            X25519MLKEM768.respond(&mut rng, &[0u8; 1215]).unwrap_err(),
            Error::InvalidPublicKey
        );
        let c = X25519MLKEM768.start(&mut rng).unwrap();
        assert_eq!(
            c.complete(&server_share[..1119]).unwrap_err(),
            Error::InvalidPublicKey
        );
        // An all-zero X25519 half is refused (RFC 8446 §7.4.2 applies to the hybrid too).
        let c = X25519MLKEM768.start(&mut rng).unwrap();
        let mut share = c.public_key().to_vec();
        share[1184..].fill(0);
        assert_eq!(
            X25519MLKEM768.respond(&mut rng, &share).unwrap_err(),
            Error::ZeroSharedSecret
        );
    }

    /// The state of every exchange in progress wipes itself on drop (its secret fields are
    /// checked at compile time next to each struct).
    #[test]
    fn active_exchanges_wipe_on_drop() {
        fn wipes_on_drop<T: ZeroizeOnDrop>() {}
        wipes_on_drop::<X25519Active>();
        wipes_on_drop::<P256Active>();
        wipes_on_drop::<P384Active>();
        wipes_on_drop::<X25519MlKem768Active>();
    }

    /// The ML-KEM shared key is wiped where it lies, after use and after a failure.
    #[test]
    fn mlkem_shared_key_is_wiped_in_place() {
        let mut key = ml_kem::SharedKey::from([0x5a; 32]);
        let copied = with_mlkem_secret(&mut key, SharedSecret::from_slice);
        assert_eq!(copied.unwrap().expose_secret(), &[0x5a; 32]);
        assert_eq!(key, ml_kem::SharedKey::from([0; 32]));
        let mut key = ml_kem::SharedKey::from([0xa5; 32]);
        let failed: Result<(), Error> =
            with_mlkem_secret(&mut key, |_| Err(Error::ZeroSharedSecret));
        assert_eq!(failed, Err(Error::ZeroSharedSecret));
        assert_eq!(key, ml_kem::SharedKey::from([0; 32]));
    }

    /// Static keys of the wrong length are refused before anything is copied.
    #[test]
    fn x25519_static_key_length() {
        let short = crate::Secret::from_slice(&[1; 31]).unwrap();
        assert_eq!(x25519_public_key(&short).unwrap_err(), Error::BadLength);
        assert_eq!(
            x25519_agree(&short, &[9; 32]).unwrap_err(),
            Error::BadLength
        );
        let key = crate::Secret::from_slice(&[1; 32]).unwrap();
        assert_eq!(x25519_public_key(&key).unwrap().len(), 32);
    }

    /// The public key for a static private key matches the ephemeral path's and agrees
    /// with the peer; invalid scalars are refused.
    #[test]
    fn public_key_for_static_keys() {
        let a = crate::Secret::from_slice(&[0x11; 32]).unwrap();
        let b = crate::Secret::from_slice(&[0x22; 32]).unwrap();
        for kx in [X25519, P256, P384] {
            let pa = kx.public_key_for(&a).unwrap();
            let pb = kx.public_key_for(&b).unwrap();
            let sab = kx.agree(&a, &pb).unwrap();
            let sba = kx.agree(&b, &pa).unwrap();
            assert!(bool::from(sab.ct_eq(&sba)));
        }
        assert_eq!(
            X25519.public_key_for(&a).unwrap(),
            x25519_public_key(&a).unwrap()
        );
        assert_eq!(P256.public_key_for(&a).unwrap().len(), 65);
        let zero = crate::Secret::from_slice(&[0; 32]).unwrap();
        let over = crate::Secret::from_slice(&[0xff; 32]).unwrap(); // above the P-256 order
        assert_eq!(
            P256.public_key_for(&zero).unwrap_err(),
            Error::InvalidPrivateKey
        );
        assert_eq!(
            P256.public_key_for(&over).unwrap_err(),
            Error::InvalidPrivateKey
        );
        assert_eq!(
            X25519MLKEM768.public_key_for(&a).unwrap_err(),
            Error::UnsupportedAlgorithm
        );
    }

    #[test]
    fn x25519_rejects_wrong_length() {
        let mut rng = Counter(3);
        let a = X25519.start(&mut rng).unwrap();
        assert_eq!(a.complete(&[9; 31]).unwrap_err(), Error::InvalidPublicKey);
    }
}
