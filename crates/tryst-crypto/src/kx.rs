//! Key exchange behind the [`KeyExchange`] trait: X25519 (RFC 7748).

use alloc::boxed::Box;

use crate::{Error, SharedSecret};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

/// Which key-exchange group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyExchangeAlgorithm {
    /// X25519 (RFC 7748): 32-byte public keys and shared secrets.
    X25519,
}

/// A key-exchange group: starts ephemeral exchanges.
pub trait KeyExchange: Send + Sync {
    /// Which group this is.
    fn algorithm(&self) -> KeyExchangeAlgorithm;

    /// Generate a fresh ephemeral key pair from `rng`.
    fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error>;
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

struct X25519Active {
    secret: x25519_dalek::EphemeralSecret,
    public: [u8; 32],
}

impl KeyExchange for X25519Impl {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }

    fn start(&self, rng: &mut dyn CryptoRng) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let secret = x25519_dalek::EphemeralSecret::random_from_rng(rng);
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        Ok(Box::new(X25519Active { secret, public }))
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
        let this = *self;
        x25519_complete(this.secret.diffie_hellman(&peer_point(peer_public_key)?))
    }
}

fn peer_point(peer: &[u8]) -> Result<x25519_dalek::PublicKey, Error> {
    let bytes: [u8; 32] = peer.try_into().map_err(|_| Error::InvalidPublicKey)?;
    Ok(x25519_dalek::PublicKey::from(bytes))
}

fn x25519_complete(shared: x25519_dalek::SharedSecret) -> Result<SharedSecret, Error> {
    // RFC 8446 §7.4.2: an all-zero X25519 output must be rejected. Checked in constant time.
    if bool::from(shared.as_bytes().ct_eq(&[0u8; 32])) {
        return Err(Error::ZeroSharedSecret);
    }
    SharedSecret::from_slice(shared.as_bytes())
}

/// X25519 with a caller-supplied static private key, for known-answer tests (RFC 8448 gives
/// the private keys) and for protocols that need a fixed key. Returns the shared secret
/// with the same checks as the ephemeral path.
pub fn x25519_agree(
    private_key: &crate::Secret,
    peer_public_key: &[u8],
) -> Result<SharedSecret, Error> {
    let sk: [u8; 32] = private_key
        .expose_secret()
        .try_into()
        .map_err(|_| Error::BadLength)?;
    let sk = x25519_dalek::StaticSecret::from(sk);
    x25519_complete(sk.diffie_hellman(&peer_point(peer_public_key)?))
}

/// The X25519 public key for a caller-supplied private key.
pub fn x25519_public_key(private_key: &crate::Secret) -> Result<[u8; 32], Error> {
    let sk: [u8; 32] = private_key
        .expose_secret()
        .try_into()
        .map_err(|_| Error::BadLength)?;
    let sk = x25519_dalek::StaticSecret::from(sk);
    Ok(x25519_dalek::PublicKey::from(&sk).to_bytes())
}

/// X25519 (RustCrypto / dalek).
pub static X25519: &dyn KeyExchange = &X25519Impl;
