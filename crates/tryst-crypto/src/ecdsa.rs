//! ECDSA P-256 signing (for servers and clients that present ECDSA certificates).

use alloc::vec::Vec;

use crate::{Error, SignatureAlgorithm, Signer};
use rand_core::CryptoRng;

/// An ECDSA P-256 private key that signs with SHA-256 and RFC 6979 deterministic nonces,
/// producing DER signatures (`ecdsa_secp256r1_sha256` in TLS 1.3). Zeroized on drop by
/// the `ecdsa` crate; `Debug` prints only the type name.
pub struct EcdsaP256SigningKey(p256::ecdsa::SigningKey);

assert_zeroize_on_drop!(p256::ecdsa::SigningKey, p256::SecretKey);
// Its only field wipes itself on drop (asserted above).
impl zeroize::ZeroizeOnDrop for EcdsaP256SigningKey {}

impl EcdsaP256SigningKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &mut dyn CryptoRng) -> Self {
        use p256::elliptic_curve::Generate as _;
        EcdsaP256SigningKey(p256::ecdsa::SigningKey::generate_from_rng(rng))
    }

    /// From a PKCS#8 DER private key (what `openssl genpkey -algorithm EC
    /// -pkeyopt ec_paramgen_curve:P-256` writes, after PEM decoding).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        use p256::pkcs8::DecodePrivateKey as _;
        p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map(EcdsaP256SigningKey)
            .map_err(|_| Error::InvalidPrivateKey)
    }

    /// The key as PKCS#8 DER, in a buffer that zeroizes on drop.
    pub fn to_pkcs8_der(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
        use p256::pkcs8::EncodePrivateKey as _;
        let doc = self
            .0
            .to_pkcs8_der()
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(zeroize::Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The public key as an uncompressed SEC1 point (65 bytes: `04 || x || y`).
    pub fn public_key_sec1(&self) -> Vec<u8> {
        self.0
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
    }
}

impl core::fmt::Debug for EcdsaP256SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EcdsaP256SigningKey(..)")
    }
}

impl Signer for EcdsaP256SigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use p256::ecdsa::signature::Signer as _;
        let sig: p256::ecdsa::DerSignature = self
            .0
            .try_sign(message)
            .map_err(|_| Error::InvalidPrivateKey)?;
        Ok(sig.as_bytes().to_vec())
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_key_sec1()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct CountRng(u8);
    impl rand_core::TryRng for CountRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(7);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for CountRng {}

    #[test]
    fn sign_verify_pkcs8_round_trip() {
        let key = EcdsaP256SigningKey::generate(&mut CountRng(1));
        let sig = key.sign(b"hello").unwrap();
        let pk = key.public_key();
        assert_eq!(pk.len(), 65);
        crate::verify(SignatureAlgorithm::EcdsaP256Sha256, &pk, b"hello", &sig).unwrap();
        assert!(crate::verify(SignatureAlgorithm::EcdsaP256Sha256, &pk, b"hellO", &sig).is_err());
        let der = key.to_pkcs8_der().unwrap();
        let again = EcdsaP256SigningKey::from_pkcs8_der(&der).unwrap();
        assert_eq!(again.public_key(), pk);
        assert!(EcdsaP256SigningKey::from_pkcs8_der(&der[1..]).is_err());
    }
}
