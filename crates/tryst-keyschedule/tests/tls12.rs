//! TLS 1.2 PRF, master secret, extended master secret, key block and Finished: known
//! answers from `openssl kdf ... TLS1-PRF` (see `data/tls12_prf.md` for the commands).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tryst_crypto::{Hash, SHA256, SHA384, Secret, SharedSecret};
use tryst_keyschedule::tls12;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn premaster() -> SharedSecret {
    let bytes: Vec<u8> = (0..48u8)
        .map(|i| i.wrapping_mul(7).wrapping_add(3))
        .collect();
    assert_eq!(
        hex::encode(&bytes),
        "030a11181f262d343b424950575e656c737a81888f969da4abb2b9c0c7ced5dce3eaf1f8ff060d141b222930373e454c"
    );
    SharedSecret::from_slice(&bytes).unwrap()
}

fn randoms() -> ([u8; 32], [u8; 32]) {
    let client: [u8; 32] = core::array::from_fn(|i| 0xa0 + u8::try_from(i).unwrap());
    let server: [u8; 32] = core::array::from_fn(|i| 0x20 + u8::try_from(i).unwrap());
    (client, server)
}

#[test]
fn prf_test_label_vector() {
    let mut out = [0u8; 100];
    tls12::prf(
        SHA256,
        &h("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&h("a0ba9f936cda311827a6f796ffd5198c")],
        &mut out,
    )
    .unwrap();
    assert_eq!(
        hex::encode(out),
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
         6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
         4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
         87347b66"
    );
    // The seed may come in any number of pieces.
    let mut split = [0u8; 100];
    let seed = h("a0ba9f936cda311827a6f796ffd5198c");
    tls12::prf(
        SHA256,
        &h("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&seed[..3], &[], &seed[3..]],
        &mut split,
    )
    .unwrap();
    assert_eq!(out, split);
}

struct Case {
    hash: &'static dyn Hash,
    session_hash: &'static str,
    master: &'static str,
    ems: &'static str,
    key_block: &'static str,
}

const CASES: [Case; 2] = [
    Case {
        hash: SHA256,
        session_hash: "3f3af1ecebbd1410ab417ec0d27bbfcb5d340e177ae159b59fc8626c2dfd9175",
        master: "76c85d91e4b5ae95cd52acad74481fd86f617148d236c253a9418cbc3f957b0fcafab83ce6d69f091b7c797a557848cb",
        ems: "17df64ecf2fb5861ae705a1f69ac57dd894d2b67ef1d2621132e0a73bf0c5bd7c25a83b76e643237c6fadc1d3b736cd9",
        key_block: "59ac9230ac862fde3fe6224625e9517048dd0087b9bf564f46505530387d6b899227b017c8941187fdcc92ad06ae1004a97e3350b3d55448b25ed7a104c0ee0ceaf6a6d1b6297f88",
    },
    Case {
        hash: SHA384,
        session_hash: "b1e24729396710ce6a41d8ebcb1a55709bd807a101ba2743843b0d5f73e1b4da49e07126f16045a39676de257a1ed8a8",
        master: "1d201c87fd820e0b1982eaa02a9c6a6a8120c0abccfa36bfbcdc91f91fae0228488782cbef860b225410b54bb5a957ec",
        ems: "9339e39c89a1fc3575bf9b4ac9c9a19c9707a2a86fa6b8c453bb8b9f742e96659a3103744157e133e21e086783b31ab0",
        key_block: "ba93bc8b5cc4cb04a3ef21fbc0f9f6fcda0e89587ad27fd9e800c1091cc895417e188b4d7c5d4088e0c6b772cdd743fe028e097aa7abcc90c776b2ee0aaeeb252adf0d17d2d879b6",
    },
];

#[test]
fn master_ems_and_key_block() {
    let pm = premaster();
    let (cr, sr) = randoms();
    for c in CASES {
        let alg = c.hash.algorithm();
        // The session hash is the hash of "session" (standing in for the handshake).
        let session = c.hash.hash(b"session");
        assert_eq!(hex::encode(session.as_bytes()), c.session_hash, "{alg:?}");

        let ms = tls12::master_secret(c.hash, &pm, &cr, &sr).unwrap();
        assert_eq!(ms.len(), tls12::MASTER_SECRET_LEN);
        assert_eq!(hex::encode(ms.expose_secret()), c.master, "{alg:?} master");

        let ems = tls12::extended_master_secret(c.hash, &pm, &session).unwrap();
        assert_eq!(hex::encode(ems.expose_secret()), c.ems, "{alg:?} EMS");

        let kb = tls12::key_block(c.hash, &ms, &cr, &sr, 72).unwrap();
        assert_eq!(hex::encode(&kb[..]), c.key_block, "{alg:?} key block");
        // A shorter key block is a prefix of a longer one.
        let short = tls12::key_block(c.hash, &ms, &cr, &sr, 40).unwrap();
        assert_eq!(short[..], kb[..40]);
    }
}

#[test]
fn finished_is_prf_of_master() {
    // verify_data = PRF(master, "client finished", Hash(handshake))[0..11]: check it is the
    // PRF's prefix and that the two sides differ.
    let ms = Secret::from_slice(&[0x11; 48]).unwrap();
    let hh = SHA256.hash(b"handshake");
    let client = tls12::verify_data(SHA256, &ms, tls12::Side::Client, &hh).unwrap();
    let server = tls12::verify_data(SHA256, &ms, tls12::Side::Server, &hh).unwrap();
    assert_eq!(client.len(), tls12::VERIFY_DATA_LEN);
    let mut full = [0u8; 32];
    tls12::prf(
        SHA256,
        ms.expose_secret(),
        b"client finished",
        &[hh.as_bytes()],
        &mut full,
    )
    .unwrap();
    assert_eq!(client.expose_secret(), &full[..12]);
    assert_ne!(client.expose_secret(), server.expose_secret());
}
