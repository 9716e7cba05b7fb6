//! DHKEM (RFC 9180 §4.1) on X25519 and P-256: key pairs, their serialization, and
//! (Auth)Encap / (Auth)Decap.

use alloc::vec::Vec;
use core::fmt;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{CryptoRng, Hash, Secret, SharedSecret};

use crate::Error;
use crate::suite::{Kem, Suite, labeled_expand, labeled_extract};

/// A KEM public key in its serialized form (SerializePublicKey, §7.1.1): 32 bytes for
/// X25519, the 65-byte uncompressed point for P-256.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    kem: Kem,
    bytes: Vec<u8>,
}

impl PublicKey {
    /// The KEM this key belongs to.
    pub fn kem(&self) -> Kem {
        self.kem
    }

    /// The serialized key (SerializePublicKey): what goes in an ECHConfig's `public_key`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("kem", &self.kem)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A KEM private key (a 32-byte X25519 key or P-256 scalar), with its public key. Wiped on
/// drop, not `Clone`, and its `Debug` prints only the name. Serializing it
/// (SerializePrivateKey, §7.1.2) is [`PrivateKey::expose_secret`].
pub struct PrivateKey {
    kem: Kem,
    sk: Secret,
    public: PublicKey,
}

impl PrivateKey {
    /// The KEM this key belongs to.
    pub fn kem(&self) -> Kem {
        self.kem
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The serialized private key (SerializePrivateKey): a place where the secret leaves
    /// its type.
    pub fn expose_secret(&self) -> &[u8] {
        self.sk.expose_secret()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

// The only secret field is a `Secret`, which wipes itself on drop.
impl tryst_crypto::zeroize::ZeroizeOnDrop for PrivateKey {}

/// HKDF-Expand a labeled value of `len` bytes (at most 64) into a secret type, through a
/// buffer that is wiped on drop.
pub(crate) fn expand_to<T>(
    hash: &dyn Hash,
    suite_id: &[u8],
    prk: &Secret,
    label: &[u8],
    info: &[u8],
    len: usize,
    make: impl FnOnce(&[u8]) -> Result<T, tryst_crypto::Error>,
) -> Result<T, Error> {
    let mut buf = Zeroizing::new([0u8; 64]);
    let out = buf
        .get_mut(..len)
        .ok_or(Error::Crypto(tryst_crypto::Error::BadLength))?;
    labeled_expand(hash, suite_id, prk, label, info, out)?;
    Ok(make(out)?)
}

impl Suite {
    /// DeriveKeyPair(ikm) (§7.1.3): the key pair for input keying material `ikm`, which
    /// should hold at least `Nsk` (32) bytes of entropy. Deterministic: the same `ikm`
    /// always gives the same pair.
    pub fn derive_key_pair(&self, ikm: &[u8]) -> Result<(PrivateKey, PublicKey), Error> {
        let hash = self.kem_hash()?;
        let group = self.group()?;
        let suite_id = self.kem().suite_id();
        let dkp_prk = labeled_extract(hash, &suite_id, b"", b"dkp_prk", ikm);
        let n_sk = self.kem().n_sk();
        match self.kem() {
            Kem::DhX25519HkdfSha256 => {
                let sk = expand_to(
                    hash,
                    &suite_id,
                    &dkp_prk,
                    b"sk",
                    b"",
                    n_sk,
                    Secret::from_slice,
                )?;
                self.key_pair(group.public_key_for(&sk)?, sk)
            }
            Kem::DhP256HkdfSha256 => {
                // Rejection sampling: a candidate is a key unless it is zero or not below
                // the group order. The bitmask for P-256 is 0xff: nothing to clear.
                for counter in 0..=u8::MAX {
                    let sk = expand_to(
                        hash,
                        &suite_id,
                        &dkp_prk,
                        b"candidate",
                        &[counter],
                        n_sk,
                        Secret::from_slice,
                    )?;
                    match group.public_key_for(&sk) {
                        Ok(pk) => return self.key_pair(pk, sk),
                        Err(tryst_crypto::Error::InvalidPrivateKey) => continue,
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(Error::DeriveKeyPair)
            }
        }
    }

    /// GenerateKeyPair() (§4): DeriveKeyPair on `Nsk` fresh bytes from `rng`. (So an RNG
    /// that returns a test vector's `ikmE` reproduces its ephemeral key.)
    pub fn generate_key_pair(
        &self,
        rng: &mut dyn CryptoRng,
    ) -> Result<(PrivateKey, PublicKey), Error> {
        let mut ikm = Zeroizing::new([0u8; 32]);
        let ikm = ikm
            .get_mut(..self.kem().n_sk())
            .ok_or(Error::Crypto(tryst_crypto::Error::BadLength))?;
        rng.fill_bytes(ikm);
        self.derive_key_pair(ikm)
    }

    /// DeserializePrivateKey (§7.1.2): `Nsk` bytes; a P-256 scalar must be non-zero and
    /// below the group order.
    pub fn deserialize_private_key(&self, bytes: &[u8]) -> Result<PrivateKey, Error> {
        if bytes.len() != self.kem().n_sk() {
            return Err(Error::InvalidPrivateKey);
        }
        let sk = Secret::from_slice(bytes)?;
        let pk = self
            .group()?
            .public_key_for(&sk)
            .map_err(|_| Error::InvalidPrivateKey)?;
        let (sk, _) = self.key_pair(pk, sk)?;
        Ok(sk)
    }

    /// DeserializePublicKey (§7.1.1): `Npk` bytes; a P-256 key must be an uncompressed
    /// point on the curve (§7.1.4). (X25519 keys of small order are caught at the
    /// Diffie-Hellman step, whose all-zero output is refused.)
    pub fn deserialize_public_key(&self, bytes: &[u8]) -> Result<PublicKey, Error> {
        if bytes.len() != self.kem().n_pk() {
            return Err(Error::InvalidPublicKey);
        }
        if self.kem() == Kem::DhP256HkdfSha256 {
            // On-curve check: ECDH with the scalar 1 parses and validates the point.
            let mut one = [0u8; 32];
            if let Some(last) = one.last_mut() {
                *last = 1;
            }
            let one = Secret::from_slice(&one)?;
            self.group()?
                .agree(&one, bytes)
                .map_err(|_| Error::InvalidPublicKey)?;
        }
        Ok(PublicKey {
            kem: self.kem(),
            bytes: bytes.to_vec(),
        })
    }

    fn key_pair(&self, pk: Vec<u8>, sk: Secret) -> Result<(PrivateKey, PublicKey), Error> {
        if pk.len() != self.kem().n_pk() {
            return Err(Error::Crypto(tryst_crypto::Error::BadLength));
        }
        let public = PublicKey {
            kem: self.kem(),
            bytes: pk,
        };
        Ok((
            PrivateKey {
                kem: self.kem(),
                sk,
                public: public.clone(),
            },
            public,
        ))
    }

    /// Encap(pkR), or AuthEncap(pkR, skS) with a sender key (§4.1). Returns the shared
    /// secret and `enc`.
    pub(crate) fn encap(
        &self,
        pk_r: &PublicKey,
        sk_s: Option<&PrivateKey>,
        rng: &mut dyn CryptoRng,
    ) -> Result<(SharedSecret, Vec<u8>), Error> {
        if pk_r.kem != self.kem() || sk_s.is_some_and(|k| k.kem != self.kem()) {
            return Err(Error::KemMismatch);
        }
        let group = self.group()?;
        let (sk_e, pk_e) = self.generate_key_pair(rng)?;
        let mut dh = Zeroizing::new(Vec::with_capacity(64));
        dh.extend_from_slice(group.agree(&sk_e.sk, &pk_r.bytes)?.expose_secret());
        if let Some(sk_s) = sk_s {
            dh.extend_from_slice(group.agree(&sk_s.sk, &pk_r.bytes)?.expose_secret());
        }
        let enc = pk_e.bytes;
        let pk_s = sk_s.map(|k| k.public.bytes.as_slice());
        let shared = self.extract_and_expand(&dh, &enc, &pk_r.bytes, pk_s)?;
        Ok((shared, enc))
    }

    /// Decap(enc, skR), or AuthDecap(enc, skR, pkS) with the sender's key (§4.1).
    pub(crate) fn decap(
        &self,
        enc: &[u8],
        sk_r: &PrivateKey,
        pk_s: Option<&PublicKey>,
    ) -> Result<SharedSecret, Error> {
        if sk_r.kem != self.kem() || pk_s.is_some_and(|k| k.kem != self.kem()) {
            return Err(Error::KemMismatch);
        }
        if enc.len() != self.kem().n_enc() {
            return Err(Error::InvalidPublicKey);
        }
        let group = self.group()?;
        let mut dh = Zeroizing::new(Vec::with_capacity(64));
        dh.extend_from_slice(group.agree(&sk_r.sk, enc)?.expose_secret());
        if let Some(pk_s) = pk_s {
            dh.extend_from_slice(group.agree(&sk_r.sk, &pk_s.bytes)?.expose_secret());
        }
        let pk_s = pk_s.map(|k| k.bytes.as_slice());
        self.extract_and_expand(&dh, enc, &sk_r.public.bytes, pk_s)
    }

    /// ExtractAndExpand(dh, kem_context) with kem_context = enc || pkRm [|| pkSm].
    fn extract_and_expand(
        &self,
        dh: &[u8],
        enc: &[u8],
        pk_r: &[u8],
        pk_s: Option<&[u8]>,
    ) -> Result<SharedSecret, Error> {
        let hash = self.kem_hash()?;
        let suite_id = self.kem().suite_id();
        let mut kem_context = Vec::with_capacity(enc.len() + 2 * pk_r.len());
        kem_context.extend_from_slice(enc);
        kem_context.extend_from_slice(pk_r);
        if let Some(pk_s) = pk_s {
            kem_context.extend_from_slice(pk_s);
        }
        let eae_prk = labeled_extract(hash, &suite_id, b"", b"eae_prk", dh);
        expand_to(
            hash,
            &suite_id,
            &eae_prk,
            b"shared_secret",
            &kem_context,
            self.kem().n_secret(),
            SharedSecret::from_slice,
        )
    }
}
