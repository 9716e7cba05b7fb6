//! API behaviour: Debug hides every secret, errors map to alerts, the key log can decline,
//! psk_ke and TranscriptBuffer paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};

use tryst_crypto::{SHA256, Secret, SharedSecret};
use tryst_keyschedule::keylog::{self, KeyLog, KeyLogHook, write_line};
use tryst_keyschedule::quic::{InitialSecrets, PacketKeys};
use tryst_keyschedule::{
    EarlySchedule, Error, PskKind, ResumptionMasterSecret, TrafficKeys, Transcript,
    TranscriptBuffer, alert,
};

#[test]
fn debug_prints_no_bytes() {
    let secret_bytes = [0xabu8; 48];
    let shared = SharedSecret::from_slice(&[0xab; 32]).unwrap();
    let early = EarlySchedule::with_psk(SHA256, &Secret::from_slice(&secret_bytes).unwrap());
    let early_exporter = early
        .early_exporter_master_secret(&SHA256.hash(b""))
        .unwrap();
    let keys = TrafficKeys::derive(SHA256, early.early_secret(), 16).unwrap();
    let quic = PacketKeys::derive(SHA256, early.early_secret(), 16).unwrap();
    let initial = InitialSecrets::v1(&[1, 2, 3]).unwrap();
    let rms =
        ResumptionMasterSecret::from_secret(SHA256, Secret::from_slice(&secret_bytes).unwrap());
    let hook = KeyLogHook::new(Arc::new(Nop), [0xab; 32]);
    let mut texts = vec![
        format!("{early:?}"),
        format!("{early_exporter:?}"),
        format!("{keys:?}"),
        format!("{:?}", keys.key),
        format!("{:?}", keys.iv),
        format!("{quic:?}"),
        format!("{initial:?}"),
        format!("{rms:?}"),
        format!("{hook:?}"),
        format!("{shared:?}"),
    ];
    let hs = early.into_handshake(&shared).unwrap();
    texts.push(format!("{hs:?}"));
    let master = hs.into_master().unwrap();
    texts.push(format!("{master:?}"));
    let traffic = master.into_traffic(&SHA256.hash(b"")).unwrap();
    texts.push(format!("{traffic:?}"));
    texts.push(format!("{:?}", traffic.exporter()));
    for t in &texts {
        // Long enough to hold bytes, and no hex of any secret: "ab" never appears, nor
        // does any run of hex digits.
        assert!(!t.to_lowercase().contains("abab"), "{t}");
        let hex_run = t
            .chars()
            .fold((0, 0), |(best, cur), c| {
                let cur = if c.is_ascii_hexdigit() { cur + 1 } else { 0 };
                (best.max(cur), cur)
            })
            .0;
        assert!(hex_run < 8, "{t}");
    }
    assert_eq!(texts[0], "EarlySchedule { hash: Sha256, .. }");
    assert_eq!(texts[2], "TrafficKeys(..)");
}

struct Nop;
impl KeyLog for Nop {
    fn log(&self, _: &str, _: &[u8; 32], _: &[u8]) {}
}

/// Logs only client handshake secrets, into SSLKEYLOGFILE lines.
#[derive(Default)]
struct OnlyClientHandshake(Mutex<String>);

impl KeyLog for OnlyClientHandshake {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        write_line(&mut *self.0.lock().unwrap(), label, client_random, secret).unwrap();
    }
    fn will_log(&self, label: &str) -> bool {
        label == keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET
    }
}

#[test]
fn key_log_can_decline() {
    let log = Arc::new(OnlyClientHandshake::default());
    let shared = SharedSecret::from_slice(&[7; 32]).unwrap();
    let hash = SHA256.hash(b"hello");
    let hs = EarlySchedule::new(SHA256)
        .with_key_log(KeyLogHook::new(log.clone(), [0x01; 32]))
        .into_handshake(&shared)
        .unwrap();
    let c = hs.client_handshake_traffic_secret(&hash).unwrap();
    let _s = hs.server_handshake_traffic_secret(&hash).unwrap();
    let _t = hs.into_master().unwrap().into_traffic(&hash).unwrap();
    let text = log.0.lock().unwrap().clone();
    assert_eq!(
        text,
        format!(
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET {} {}\n",
            "01".repeat(32),
            hex::encode(c.expose_secret())
        )
    );
}

#[test]
fn errors_map_to_alerts_and_display() {
    assert_eq!(Error::BadFinished.alert(), alert::DECRYPT_ERROR);
    assert_eq!(Error::BadBinder.alert(), 51);
    assert_eq!(
        Error::MalformedHandshakeMessage.alert(),
        alert::DECODE_ERROR
    );
    assert_eq!(Error::NoPsk.alert(), alert::INTERNAL_ERROR);
    assert_eq!(Error::Crypto(tryst_crypto::Error::BadLength).alert(), 80);
    assert!(Error::BadFinished.to_string().contains("Finished"));
    assert!(
        Error::from(tryst_crypto::Error::OutputTooLong)
            .to_string()
            .starts_with("crypto: ")
    );
}

#[test]
fn psk_requirements() {
    let no_psk = EarlySchedule::new(SHA256);
    assert!(!no_psk.has_psk());
    let h = SHA256.hash(b"ch");
    assert_eq!(
        no_psk.binder_key(PskKind::External).unwrap_err(),
        Error::NoPsk
    );
    assert_eq!(
        no_psk.client_early_traffic_secret(&h).unwrap_err(),
        Error::NoPsk
    );
    assert_eq!(
        no_psk.early_exporter_master_secret(&h).unwrap_err(),
        Error::NoPsk
    );
    assert_eq!(no_psk.into_handshake_psk_only().unwrap_err(), Error::NoPsk);

    // psk_ke: the handshake secret is extracted from Hash.length zeros (RFC 8446 §7.1).
    let psk = Secret::from_slice(&[9; 32]).unwrap();
    let psk_only = EarlySchedule::with_psk(SHA256, &psk)
        .into_handshake_psk_only()
        .unwrap();
    let zeros = SharedSecret::from_slice(&[0; 32]).unwrap();
    let same = EarlySchedule::with_psk(SHA256, &psk)
        .into_handshake(&zeros)
        .unwrap();
    assert_eq!(
        psk_only.handshake_secret().expose_secret(),
        same.handshake_secret().expose_secret()
    );
}

#[test]
fn traffic_keys_any_length() {
    let s = Secret::from_slice(&[5; 32]).unwrap();
    for len in [16, 24, 32] {
        let k = TrafficKeys::derive(SHA256, &s, len).unwrap();
        assert_eq!(k.key.len(), len);
        assert_eq!(k.iv.len(), 12);
    }
    // Longer than an AeadKey can hold.
    assert_eq!(
        TrafficKeys::derive(SHA256, &s, 33).unwrap_err(),
        Error::OutputTooLong
    );
}

#[test]
fn transcript_buffer_before_the_suite_is_known() {
    let ch = [1u8, 0, 0, 2, 3, 3];
    let sh = [2u8, 0, 0, 1, 9];
    let mut buffer = TranscriptBuffer::new();
    buffer.add(&ch).unwrap();
    assert_eq!(buffer.as_bytes(), &ch);
    let mut t = buffer.start(SHA256);
    t.add(&sh).unwrap();
    let mut direct = Transcript::new(SHA256);
    direct.add(&ch).unwrap();
    direct.add(&sh).unwrap();
    assert_eq!(t.current(), direct.current());
    assert_eq!(format!("{t:?}"), "Transcript { hash: Sha256, messages: 2 }");
}

/// Both handshake traffic secrets at once (HMAC keyed once) are the two derived one by one,
/// for both hashes; RFC 8448's values for the application secrets come through the same
/// pair (tests/rfc8448.rs).
#[test]
fn handshake_traffic_secrets_pair_matches_singles() {
    for alg in [
        tryst_crypto::HashAlgorithm::Sha256,
        tryst_crypto::HashAlgorithm::Sha384,
    ] {
        let hash = tryst_crypto::hash_for(alg);
        let shared = SharedSecret::from_slice(&[9; 32]).unwrap();
        let hs = EarlySchedule::new(hash).into_handshake(&shared).unwrap();
        let h = hash.hash(b"hello");
        let (c, s) = hs.handshake_traffic_secrets(&h).unwrap();
        let c1 = hs.client_handshake_traffic_secret(&h).unwrap();
        let s1 = hs.server_handshake_traffic_secret(&h).unwrap();
        assert_eq!(c.expose_secret(), c1.expose_secret(), "{alg:?}");
        assert_eq!(s.expose_secret(), s1.expose_secret(), "{alg:?}");
        assert_ne!(c.expose_secret(), s.expose_secret());
    }
}

/// The handshake traffic secrets and the master stage from one HMAC keying are what
/// `handshake_traffic_secrets` then `into_master` give (the master compared through the
/// application traffic secrets it derives), with and without a PSK, for both hashes; a
/// transcript hash of the wrong length is refused.
#[test]
fn handshake_secrets_and_master_match_the_steps() {
    for alg in [
        tryst_crypto::HashAlgorithm::Sha256,
        tryst_crypto::HashAlgorithm::Sha384,
    ] {
        let hash = tryst_crypto::hash_for(alg);
        let shared = SharedSecret::from_slice(&[7; 32]).unwrap();
        let psk = Secret::from_slice(&[5; 48][..hash.output_len()]).unwrap();
        let starts = || {
            [
                EarlySchedule::new(hash),
                EarlySchedule::with_psk(hash, &psk),
            ]
        };
        for (a, b) in starts().into_iter().zip(starts()) {
            let (h, sf) = (hash.hash(b"ch..sh"), hash.hash(b"ch..sf"));
            let (c, s, master) = (a.into_handshake(&shared).unwrap())
                .into_handshake_secrets_and_master(&h)
                .unwrap();
            let hs = b.into_handshake(&shared).unwrap();
            let (c1, s1) = hs.handshake_traffic_secrets(&h).unwrap();
            assert_eq!(c.expose_secret(), c1.expose_secret(), "{alg:?}");
            assert_eq!(s.expose_secret(), s1.expose_secret(), "{alg:?}");
            let t = master.into_traffic(&sf).unwrap();
            let t1 = hs.into_master().unwrap().into_traffic(&sf).unwrap();
            let (ct, ct1) = (t.client_traffic_secret(), t1.client_traffic_secret());
            assert_eq!(ct.expose_secret(), ct1.expose_secret(), "{alg:?}");
            let (st, st1) = (t.server_traffic_secret(), t1.server_traffic_secret());
            assert_eq!(st.expose_secret(), st1.expose_secret(), "{alg:?}");
        }
        let hs = EarlySchedule::new(hash).into_handshake(&shared).unwrap();
        let short = tryst_crypto::Output::from_slice(&[0; 20]).unwrap();
        assert!(hs.into_handshake_secrets_and_master(&short).is_err());
    }
}

/// The traffic key, IV and finished key from one HMAC keying are `TrafficKeys::derive` and
/// `finished_key`; Finished computed and checked from the finished key is the same as from
/// the base key, mismatches are refused the same way; both hashes, all key lengths.
#[test]
fn traffic_keys_with_finished_key_match_the_steps() {
    use tryst_keyschedule::{
        Error, TrafficKeys, finished_key, verify_data, verify_data_with_key, verify_finished,
        verify_finished_with_key,
    };
    for alg in [
        tryst_crypto::HashAlgorithm::Sha256,
        tryst_crypto::HashAlgorithm::Sha384,
    ] {
        let hash = tryst_crypto::hash_for(alg);
        let n = hash.output_len();
        let secret = Secret::from_slice(&[0x11; 48][..n]).unwrap();
        let h = hash.hash(b"ch..ee");
        for key_len in [16, 32] {
            let (keys, fin) =
                TrafficKeys::derive_with_finished_key(hash, &secret, key_len).unwrap();
            let plain = TrafficKeys::derive(hash, &secret, key_len).unwrap();
            assert_eq!(
                keys.key.expose_secret(),
                plain.key.expose_secret(),
                "{alg:?}"
            );
            assert_eq!(keys.iv.expose_secret(), plain.iv.expose_secret(), "{alg:?}");
            let fin_plain = finished_key(hash, &secret).unwrap();
            assert_eq!(fin.expose_secret(), fin_plain.expose_secret(), "{alg:?}");
            let vd = verify_data_with_key(hash, &fin, &h).unwrap();
            let vd_plain = verify_data(hash, &secret, &h).unwrap();
            assert_eq!(vd.expose_secret(), vd_plain.expose_secret(), "{alg:?}");
            assert!(verify_finished_with_key(hash, &fin, &h, vd.expose_secret()).is_ok());
            let mut bad = vd.expose_secret().to_vec();
            bad[0] ^= 1;
            assert_eq!(
                verify_finished_with_key(hash, &fin, &h, &bad),
                verify_finished(hash, &secret, &h, &bad)
            );
            assert_eq!(
                verify_finished_with_key(hash, &fin, &h, &bad),
                Err(Error::BadFinished)
            );
            let short = tryst_crypto::Output::from_slice(&[0; 20]).unwrap();
            assert_eq!(
                verify_data_with_key(hash, &fin, &short).unwrap_err(),
                Error::HashLengthMismatch
            );
        }
    }
}
