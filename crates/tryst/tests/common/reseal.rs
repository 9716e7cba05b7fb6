//! Decrypting and resealing records with the secrets from a key log (handshake.rs,
//! review_musts.rs, rpk_client.rs, ocsp_client.rs), and sealing one record under a traffic secret (scripted.rs).

use std::sync::Mutex;

use tryst::crypto::{AES_128_GCM, SHA256, Secret};
use tryst::messages::{ContentType, RawHandshake};
use tryst::{ClientConnection, Error, ServerConnection};
use tryst_keyschedule::TrafficKeys;
use tryst_record::{Message, RecordDecrypter, RecordEncrypter};

use super::tamper::feed;

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

/// Run `c` and `s` (on TLS_AES_128_GCM_SHA256, secrets logged in `log`) up to the client's
/// second flight, decrypt it, let `f` edit its handshake messages (one `Vec` per message),
/// reseal them (one record at sequence number 0, after the plaintext change_cipher_spec)
/// and feed them to `s`. Returns the server's error; the client must have had none.
pub fn edit_client_second_flight(
    c: &mut ClientConnection,
    s: &mut ServerConnection,
    log: &CollectLog,
    f: &dyn Fn(&mut Vec<Vec<u8>>),
) -> Option<Error> {
    let mut se = None;
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    feed(s, &ch, &mut se);
    let flight = s.pending_tls().to_vec();
    s.consume_tls(flight.len());
    let mut ce = None;
    feed(c, &flight, &mut ce);
    assert!(ce.is_none(), "{ce:?}");
    let out = c.pending_tls().to_vec();
    c.consume_tls(out.len());

    let k = log.keys("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    let mut dec = RecordDecrypter::new();
    dec.set_key(AES_128_GCM, &k.key, k.iv).unwrap();
    let mut plain = Vec::new();
    let mut resealed = Vec::new();
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] == 23 {
            let mut rec = rec.to_vec();
            if let Some(Message::Handshake(b)) = dec.open_in_place(&mut rec).unwrap() {
                plain.extend_from_slice(b);
            }
        } else {
            resealed.extend_from_slice(rec); // change_cipher_spec
        }
    }
    let mut msgs = Vec::new();
    let mut rest = plain.as_slice();
    while let Some((raw, tail)) = RawHandshake::split(rest, 1 << 20).unwrap() {
        msgs.push(raw.encoded.to_vec());
        rest = tail;
    }
    f(&mut msgs);
    let secret = log.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    resealed.extend(seal(&secret, ContentType::Handshake, &msgs.concat()));
    feed(s, &resealed, &mut se);
    se
}
