//! QUIC packet protection keys (RFC 9001 §5), so a QUIC stack can use this crate alone.

use core::fmt;

use tryst_crypto::{AeadKey, Hash, Iv, SHA256, Secret};

use crate::Error;
use crate::label::hkdf_expand_label_secret;
use crate::secrets::IV_LEN;

/// The QUIC version 1 Initial salt (RFC 9001 §5.2).
pub const INITIAL_SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];

/// The two Initial secrets of a QUIC v1 connection.
pub struct InitialSecrets {
    /// client_initial_secret = HKDF-Expand-Label(initial_secret, "client in", "", 32).
    pub client: Secret,
    /// server_initial_secret = HKDF-Expand-Label(initial_secret, "server in", "", 32).
    pub server: Secret,
}

impl InitialSecrets {
    /// From the Destination Connection ID of the client's first Initial packet
    /// (RFC 9001 §5.2): `initial_secret = HKDF-Extract(initial_salt, dcid)` with SHA-256.
    pub fn v1(client_dcid: &[u8]) -> Result<Self, Error> {
        let initial = SHA256.hkdf_extract(&INITIAL_SALT_V1, client_dcid);
        Ok(InitialSecrets {
            client: hkdf_expand_label_secret(SHA256, &initial, b"client in", &[], 32)?,
            server: hkdf_expand_label_secret(SHA256, &initial, b"server in", &[], 32)?,
        })
    }
}

impl fmt::Debug for InitialSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InitialSecrets(..)")
    }
}

/// Packet protection material of one direction at one encryption level (RFC 9001 §5.1).
pub struct PacketKeys {
    /// AEAD key: `HKDF-Expand-Label(secret, "quic key", "", key_len)`.
    pub key: AeadKey,
    /// AEAD IV: `HKDF-Expand-Label(secret, "quic iv", "", 12)`.
    pub iv: Iv,
    /// Header protection key: `HKDF-Expand-Label(secret, "quic hp", "", key_len)`.
    pub header_protection: AeadKey,
}

impl PacketKeys {
    /// Derives key, IV and header-protection key from any QUIC traffic secret (Initial,
    /// the TLS handshake or application traffic secrets). `key_len` is the AEAD key
    /// length (16 for AES-128-GCM, 32 for AES-256-GCM and ChaCha20-Poly1305); the
    /// header-protection key has the same length.
    pub fn derive(hash: &dyn Hash, secret: &Secret, key_len: usize) -> Result<Self, Error> {
        Ok(PacketKeys {
            key: expand_label_into!(AeadKey, hash, secret, b"quic key", key_len)?,
            iv: expand_label_into!(Iv, hash, secret, b"quic iv", IV_LEN)?,
            header_protection: expand_label_into!(AeadKey, hash, secret, b"quic hp", key_len)?,
        })
    }
}

impl fmt::Debug for PacketKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PacketKeys(..)")
    }
}

/// The next 1-RTT secret for a QUIC key update (RFC 9001 §6.1):
/// `HKDF-Expand-Label(secret, "quic ku", "", Hash.length)`. The header-protection key does
/// not change on a key update.
pub fn next_secret(hash: &dyn Hash, secret: &Secret) -> Result<Secret, Error> {
    hkdf_expand_label_secret(hash, secret, b"quic ku", &[], hash.output_len())
}
