//! Decrypting and resealing records with the secrets from a key log (handshake.rs,
//! review_musts.rs), and sealing one record under a traffic secret (scripted.rs).

use std::sync::Mutex;

use tryst::crypto::{AES_128_GCM, SHA256, Secret};
use tryst::messages::ContentType;
use tryst_keyschedule::TrafficKeys;
use tryst_record::RecordEncrypter;

/// A key log that keeps everything, for assertions and for resealing.
#[derive(Default)]
pub struct CollectLog(pub Mutex<Vec<(String, Vec<u8>)>>);

impl tryst::KeyLog for CollectLog {
    fn log(&self, label: &str, _client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_string(), secret.to_vec()));
    }
}

impl CollectLog {
    /// Every secret logged under `label`, in order.
    pub fn values(&self, label: &str) -> Vec<Vec<u8>> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first secret logged under `label`.
    pub fn secret(&self, label: &str) -> Secret {
        let log = self.0.lock().unwrap();
        let (_, v) = log.iter().find(|(l, _)| l == label).unwrap();
        Secret::from_slice(v).unwrap()
    }

    /// The TLS_AES_128_GCM_SHA256 traffic keys of `label`'s secret.
    pub fn keys(&self, label: &str) -> TrafficKeys {
        TrafficKeys::derive(SHA256, &self.secret(label), 16).unwrap()
    }
}

/// One record of `typ` carrying `payload`, sealed at sequence number 0 under the
/// TLS_AES_128_GCM_SHA256 keys of `secret`.
pub fn seal(secret: &Secret, typ: ContentType, payload: &[u8]) -> Vec<u8> {
    let k = TrafficKeys::derive(SHA256, secret, 16).unwrap();
    let mut enc = RecordEncrypter::new();
    enc.set_key(AES_128_GCM, &k.key, k.iv).unwrap();
    let mut out = Vec::new();
    enc.write(typ, payload, &mut out).unwrap();
    out
}
