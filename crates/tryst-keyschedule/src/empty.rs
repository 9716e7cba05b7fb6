//! Transcript-Hash of the empty string, precomputed.
//!
//! Derive-Secret(secret, label, "") (the "derived" salts, the binder keys, each exporter
//! label) hashes the empty string every time: one hash compression per call, two or three
//! per handshake on each side. The value depends only on the hash function, so it is a
//! constant (FIPS 180-4); the test below recomputes it through the default backend.

use tryst_crypto::{Hash, HashAlgorithm, Output};

/// Hash("") for `hash`: a constant for SHA-256 and SHA-384, computed for any other.
pub(crate) fn empty_hash(hash: &dyn Hash) -> Output {
    let constant: Option<&[u8]> = match hash.algorithm() {
        HashAlgorithm::Sha256 => Some(&SHA256_EMPTY),
        HashAlgorithm::Sha384 => Some(&SHA384_EMPTY),
        _ => None,
    };
    constant
        .and_then(|c| Output::from_slice(c).ok())
        .unwrap_or_else(|| hash.hash(&[]))
}

const SHA256_EMPTY: [u8; 32] = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];
const SHA384_EMPTY: [u8; 48] = [
    0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a,
    0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda,
    0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label::{derive_secret, derive_secret_empty};
    use tryst_crypto::{Secret, hash_for};

    /// The constants are what the hash computes, and Derive-Secret with them is
    /// Derive-Secret over a freshly computed Hash(""), for both hashes.
    #[test]
    fn constants_match_the_hash() {
        for alg in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
            let hash = hash_for(alg);
            let computed = hash.hash(&[]);
            assert_eq!(empty_hash(hash), computed, "{alg:?}");
            assert_eq!(empty_hash(hash).as_bytes().len(), alg.output_len());
            let secret = Secret::from_slice(&[0x42; 48][..alg.output_len()]).unwrap();
            for label in [&b"derived"[..], b"res binder", b"exporter"] {
                let fast = derive_secret_empty(hash, &secret, label).unwrap();
                let plain = derive_secret(hash, &secret, label, &computed).unwrap();
                assert_eq!(fast.expose_secret(), plain.expose_secret(), "{alg:?}");
            }
        }
    }
}
