//! TLS 1.3 values RFC 8448 does not cover (a SHA-384 schedule, exporters, KeyUpdate),
//! against `openssl kdf ... TLS13-KDF` (commands in `data/tls13_openssl.md`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tryst_crypto::{Output, SHA256, SHA384, Secret, SharedSecret};
use tryst_keyschedule::{
    EarlySchedule, PskKind, ResumptionMasterSecret, TrafficKeys, finished_key, next_traffic_secret,
    verify_data, verify_finished,
};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[track_caller]
fn check(name: &str, got: &[u8], want: &str) {
    assert_eq!(hex::encode(got), want, "{name}");
}

#[test]
fn exporter_sha256_on_rfc8448_section3() {
    // The §3 exporter_master_secret, reached through the stages.
    let shared = SharedSecret::from_slice(&h(
        "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d",
    ))
    .unwrap();
    let ch_sf = Output::from_slice(&h(
        "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13",
    ))
    .unwrap();
    let traffic = EarlySchedule::new(SHA256)
        .into_handshake(&shared)
        .unwrap()
        .into_master()
        .unwrap()
        .into_traffic(&ch_sf)
        .unwrap();
    let mut out = [0u8; 40];
    traffic
        .exporter()
        .export(b"EXPORTER-tryst-test", b"context value", &mut out)
        .unwrap();
    check(
        "exporter",
        &out,
        "0edcf14665e3e5e4a39e3123dba47a0e892b7d2d3419c0d72a396bae3dd9dfdcb8baf98f4bc6a3f4",
    );
    // Shorter outputs are prefixes (HKDF-Expand), but the length is in the HkdfLabel, so
    // a 32-byte export is not the 40-byte one cut short.
    let mut short = [0u8; 32];
    traffic
        .exporter()
        .export(b"EXPORTER-tryst-test", b"context value", &mut short)
        .unwrap();
    assert_ne!(short[..], out[..32]);
}

#[test]
fn key_update_sha256() {
    let cats0 = Secret::from_slice(&h(
        "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5",
    ))
    .unwrap();
    let next = next_traffic_secret(SHA256, &cats0).unwrap();
    check(
        "traffic upd",
        next.expose_secret(),
        "fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207",
    );

    // Through the traffic stage: only the updated direction moves.
    let shared = SharedSecret::from_slice(&h(
        "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d",
    ))
    .unwrap();
    let ch_sf = Output::from_slice(&h(
        "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13",
    ))
    .unwrap();
    let mut traffic = EarlySchedule::new(SHA256)
        .into_handshake(&shared)
        .unwrap()
        .into_master()
        .unwrap()
        .into_traffic(&ch_sf)
        .unwrap();
    traffic.update_client().unwrap();
    assert_eq!(traffic.client_generation(), 1);
    assert_eq!(traffic.server_generation(), 0);
    check(
        "client generation 1",
        traffic.client_traffic_secret().expose_secret(),
        "fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207",
    );
    check(
        "server generation 0",
        traffic.server_traffic_secret().expose_secret(),
        "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
    );
    traffic.update_server().unwrap();
    traffic.update_server().unwrap();
    let twice = next_traffic_secret(
        SHA256,
        &next_traffic_secret(
            SHA256,
            &Secret::from_slice(&h(
                "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
            ))
            .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        traffic.server_traffic_secret().expose_secret(),
        twice.expose_secret()
    );
    assert_eq!(traffic.server_generation(), 2);
}

#[test]
fn sha384_schedule() {
    let shared = SharedSecret::from_slice(&h(
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
    ))
    .unwrap();
    let h1 = SHA384.hash(b"tryst hello");
    let h2 = SHA384.hash(b"tryst finished");
    check(
        "H1",
        h1.as_bytes(),
        "ddd53ac51d2a61feab62a1671cf239b03ff8143950af38623f3ffa28a5548b36f142de37678b1e442f78a3e9d2471ec6",
    );
    check(
        "H2",
        h2.as_bytes(),
        "0655f0c1c7e86ad13ab55a72823da9659f0fe61cf87eff6019b2e152e799674ee598955a5928c146c59babd239602c3f",
    );

    let early = EarlySchedule::for_algorithm(tryst_crypto::HashAlgorithm::Sha384);
    check(
        "early",
        early.early_secret().expose_secret(),
        "7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e716971f9362f2c2fe2a76bfd78dfec4ea9b5",
    );
    let hs = early.into_handshake(&shared).unwrap();
    check(
        "handshake",
        hs.handshake_secret().expose_secret(),
        "bbd93bcbc1bcdb2b105c9b3974607160e296380b5be2dfee06c090eb0e5d053470c8c4be2bb657ccde2c7d571020e63a",
    );
    let c_hs = hs.client_handshake_traffic_secret(&h1).unwrap();
    let s_hs = hs.server_handshake_traffic_secret(&h1).unwrap();
    check(
        "c hs",
        c_hs.expose_secret(),
        "918dcea555313690304be635a9be1ba7f9506869a69e635022f796dad9d67000d64c48759696835cb2b268709b572248",
    );
    check(
        "s hs",
        s_hs.expose_secret(),
        "93f745985ab38e3ee2e158ffe4796c68f2ee707102746dd0ded2a1cf068acaaa290686ed2526ee374ecca8c149bb2a6f",
    );
    let keys = TrafficKeys::derive(SHA384, &s_hs, 32).unwrap();
    check(
        "s hs key",
        keys.key.expose_secret(),
        "8b27b382830e04db4baa92f476cff48567e070cda17cc1ad2911c874874bebb7",
    );
    check(
        "s hs iv",
        keys.iv.expose_secret(),
        "055da9ef3c44c2a532b0d382",
    );
    check(
        "s finished key",
        finished_key(SHA384, &s_hs).unwrap().expose_secret(),
        "9b10b38da90931ebd24d861d9f1879edc368a28e50ad2950f91fcf1fc2a3e831c4e75939937b072baf830d1a4805440e",
    );
    let vd = "ab42b2f77176dec33a91b832d73a7bb94c92847f085190e6b80743fcf7f2d00a5dbd3b67f834440f08c20d06a1fdc79d";
    check(
        "s verify_data",
        verify_data(SHA384, &s_hs, &h2).unwrap().expose_secret(),
        vd,
    );
    verify_finished(SHA384, &s_hs, &h2, &h(vd)).unwrap();
    // A SHA-256 transcript hash handed to a SHA-384 schedule is refused.
    assert_eq!(
        hs.client_handshake_traffic_secret(&SHA256.hash(b"x"))
            .unwrap_err(),
        tryst_keyschedule::Error::HashLengthMismatch
    );

    let master = hs.into_master().unwrap();
    check(
        "master",
        master.master_secret().expose_secret(),
        "8c8ea932d32e6ca4fc2e9c2a8b5965a181509681d20c37499fc2f4d684df3a22bd06fac26b9a331465132a0d6c22ea81",
    );
    let traffic = master.into_traffic(&h2).unwrap();
    check(
        "c ap",
        traffic.client_traffic_secret().expose_secret(),
        "90e2b73325e555d73557828bf9f69506c96a349283961fb024c28815c9c51d72e6d4efb3b17b2f4be2146f62a7aa9609",
    );
    check(
        "s ap",
        traffic.server_traffic_secret().expose_secret(),
        "2e77eadd619198f770e2bdbc40ce0191b66548ae395ce77515b1c6a25410e061f0a823bf5567f3a67d832b88bd0a038c",
    );
    check(
        "exp master",
        traffic.exporter().secret().expose_secret(),
        "ed7316f17e5a04895ceae1c9b39628b1e5d4135856667b6d840f4feca79facc40ff3727f662ce2fb450c2b23a60aad7d",
    );
    assert_eq!(traffic.client_traffic_keys(32).unwrap().key.len(), 32);

    // An external PSK with SHA-384.
    let psk: Vec<u8> = (0x90..0xc0).collect();
    let early = EarlySchedule::with_psk(SHA384, &Secret::from_slice(&psk).unwrap());
    check(
        "psk early",
        early.early_secret().expose_secret(),
        "45940a0028472328e3364764cad83f952db3066d752b4a68b23002c8ff107e23bb466e8fc05b8e98f8e48e5b269e3d7c",
    );
    check(
        "ext binder key",
        early.binder_key(PskKind::External).unwrap().expose_secret(),
        "5e718e63d022fc0e03db3ef24c1e6110fb7b43a5f03c0014b77bbe90180db0d94ae5379c09b9271208ade2e8c1783940",
    );
    // Ticket PSKs have the hash's length.
    let rms = ResumptionMasterSecret::from_secret(SHA384, Secret::from_slice(&[3; 48]).unwrap());
    assert_eq!(rms.ticket_psk(&[1, 2, 3]).unwrap().len(), 48);
}
