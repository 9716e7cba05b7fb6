//! Moving bytes between a rustls connection and a tryst connection in memory, for the
//! interop tests against rustls, and certificates for them.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tryst::cert::{CertificateBuilder, KeyUsage};
use tryst::crypto::{Ed25519SigningKey, Secret};

/// Certificates valid around the real current time (rustls checks with the system clock).
pub struct Pki {
    pub ca: Vec<u8>,
    pub leaf: Vec<u8>,
    pub leaf_key: Ed25519SigningKey,
    pub client: Vec<u8>,
    pub client_key: Ed25519SigningKey,
}

pub fn key(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

/// A CA named `ca_name` (key seed `seed`), a server leaf for localhost (`seed + 1`) and a
/// client leaf (`seed + 2`), valid from an hour ago for `valid_secs` from now.
pub fn real_time_pki(ca_name: &str, seed: u8, valid_secs: i64) -> Pki {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let now = i64::try_from(now.as_secs()).unwrap();
    let (nb, na) = (now - 3600, now + valid_secs);
    let ca_key = key(seed);
    let ca = CertificateBuilder::new(ca_name, nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf_key = key(seed + 1);
    let leaf = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .server_auth()
        .issue(&leaf_key, &ca, &ca_key)
        .unwrap();
    let client_key = key(seed + 2);
    let client = CertificateBuilder::new("client", nb, na)
        .client_auth()
        .issue(&client_key, &ca, &ca_key)
        .unwrap();
    Pki {
        ca,
        leaf,
        leaf_key,
        client,
        client_key,
    }
}

/// rustls's ring provider.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Shuttle records between `r` (a rustls client or server) and `t` until neither side has
/// anything to send; the first error of either side, named by the side.
pub fn pump<C, D>(r: &mut C, t: &mut tryst::ConnectionCommon) -> Result<(), String>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<D>>,
{
    for _ in 0..64 {
        let mut moved = false;
        let mut buf = Vec::new();
        while r.wants_write() {
            r.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            moved = true;
            let mut off = 0;
            while off < buf.len() {
                off += t.read_tls_bytes(&buf[off..]);
                t.process_new_packets().map_err(|e| format!("tryst: {e}"))?;
            }
        }
        let out = t.pending_tls().to_vec();
        t.consume_tls(out.len());
        if !out.is_empty() {
            moved = true;
            let mut rd = &out[..];
            while !rd.is_empty() {
                r.read_tls(&mut rd).unwrap();
                r.process_new_packets()
                    .map_err(|e| format!("rustls: {e}"))?;
            }
        }
        if !moved {
            return Ok(());
        }
    }
    Err("no progress".into())
}
