//! RFC 9001 Appendix A: QUIC v1 Initial secrets, packet-protection keys, IVs and
//! header-protection keys, and the A.5 ChaCha20-Poly1305 example with its "quic ku" update.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use tryst_crypto::{SHA256, Secret};
use tryst_keyschedule::quic::{INITIAL_SALT_V1, InitialSecrets, PacketKeys, next_secret};

const APPENDIX_A: &str = include_str!("data/rfc9001_appendixA.json");

fn get(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap_or_else(|| panic!("missing {key}"))).unwrap()
}

#[track_caller]
fn check(name: &str, got: &[u8], want: &[u8]) {
    assert_eq!(hex::encode(got), hex::encode(want), "{name}");
}

#[test]
fn initial_secrets_and_keys() {
    let v: Value = serde_json::from_str(APPENDIX_A).unwrap();
    check("salt", &INITIAL_SALT_V1, &get(&v, "initial_salt"));
    let initial = SHA256.hkdf_extract(&INITIAL_SALT_V1, &get(&v, "client_dcid"));
    check(
        "initial_secret",
        initial.expose_secret(),
        &get(&v, "initial_secret"),
    );

    let secrets = InitialSecrets::v1(&get(&v, "client_dcid")).unwrap();
    check(
        "client_initial_secret",
        secrets.client.expose_secret(),
        &get(&v, "client_initial_secret"),
    );
    check(
        "server_initial_secret",
        secrets.server.expose_secret(),
        &get(&v, "server_initial_secret"),
    );
    for (side, secret) in [("client", &secrets.client), ("server", &secrets.server)] {
        let keys = PacketKeys::derive(SHA256, secret, 16).unwrap();
        check(
            &format!("{side}_key"),
            keys.key.expose_secret(),
            &get(&v, &format!("{side}_key")),
        );
        check(
            &format!("{side}_iv"),
            keys.iv.expose_secret(),
            &get(&v, &format!("{side}_iv")),
        );
        check(
            &format!("{side}_hp"),
            keys.header_protection.expose_secret(),
            &get(&v, &format!("{side}_hp")),
        );
    }
}

#[test]
fn hkdf_labels_match_the_rfc() {
    // Appendix A spells out the HkdfLabel bytes; check ours against them by expanding
    // with both and comparing.
    let v: Value = serde_json::from_str(APPENDIX_A).unwrap();
    let secret = Secret::from_slice(&get(&v, "client_initial_secret")).unwrap();
    for (label, key, len) in [
        (&b"quic key"[..], "hkdf_label_quic_key", 16),
        (b"quic iv", "hkdf_label_quic_iv", 12),
        (b"quic hp", "hkdf_label_quic_hp", 16),
    ] {
        let mut ours = vec![0; len];
        let mut raw = vec![0; len];
        tryst_keyschedule::hkdf_expand_label(SHA256, &secret, label, &[], &mut ours).unwrap();
        SHA256
            .hkdf_expand(&secret, &[&get(&v, key)], &mut raw)
            .unwrap();
        assert_eq!(ours, raw, "{key}");
    }
}

#[test]
fn chacha20_key_update() {
    // A.5: a 1-RTT secret used with ChaCha20-Poly1305 (32-byte keys), and its next
    // generation ("quic ku").
    let v: Value = serde_json::from_str(APPENDIX_A).unwrap();
    let secret = Secret::from_slice(&get(&v, "chacha_secret")).unwrap();
    let keys = PacketKeys::derive(SHA256, &secret, 32).unwrap();
    check(
        "chacha key",
        keys.key.expose_secret(),
        &get(&v, "chacha_key"),
    );
    check("chacha iv", keys.iv.expose_secret(), &get(&v, "chacha_iv"));
    check(
        "chacha hp",
        keys.header_protection.expose_secret(),
        &get(&v, "chacha_hp"),
    );
    let next = next_secret(SHA256, &secret).unwrap();
    check("chacha ku", next.expose_secret(), &get(&v, "chacha_ku"));
    // The nonce for packet number 654360564 is the IV XOR the packet number.
    let pn = v["chacha_packet_number"].as_u64().unwrap();
    check(
        "chacha nonce",
        keys.iv.nonce_for(pn).expose_secret(),
        &get(&v, "chacha_nonce"),
    );
}
