#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::as_conversions
)]
//! Known answers: the CFRG's RFC 9180 test vectors (tests/data, sources in its README),
//! every step of every vector of every supported combination: DeriveKeyPair from ikmR,
//! ikmE and ikmS; enc; the shared secret; key_schedule_context, secret, key, base_nonce and
//! exporter_secret on both sides; each encryption (sealed to the vector's ciphertext,
//! opened back, at its sequence number and nonce); and each export.

use core::convert::Infallible;

use serde_json::Value;
use tryst_crypto::rng::{TryCryptoRng, TryRng};
use tryst_hpke::*;

/// Hands out exactly the bytes it holds: a vector's ikmE as the sender's "randomness".
struct FixedRng(Vec<u8>);

impl TryRng for FixedRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        panic!("HPKE draws bytes, not integers")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        panic!("HPKE draws bytes, not integers")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert_eq!(
            dst.len(),
            self.0.len(),
            "the ephemeral key takes exactly ikmE"
        );
        dst.copy_from_slice(&self.0);
        self.0.clear();
        Ok(())
    }
}
impl TryCryptoRng for FixedRng {}

struct Encryption {
    seq: u64,
    aad: Vec<u8>,
    nonce: Vec<u8>,
    pt: Vec<u8>,
    ct: Vec<u8>,
}

struct Export {
    context: Vec<u8>,
    len: usize,
    value: Vec<u8>,
}

/// One vector, from either file format.
struct Vector {
    name: String,
    mode: u8,
    kem: u16,
    kdf: u16,
    aead: u16,
    fields: std::collections::HashMap<String, Vec<u8>>,
    encryptions: Vec<Encryption>,
    exports: Vec<Export>,
}

impl Vector {
    fn get(&self, k: &str) -> &[u8] {
        self.fields
            .get(k)
            .unwrap_or_else(|| panic!("{}: no {k}", self.name))
    }
    fn opt(&self, k: &str) -> &[u8] {
        self.fields.get(k).map(Vec::as_slice).unwrap_or_default()
    }
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// The CFRG's test-vectors.json format.
fn cfrg_vectors(json: &str) -> Vec<Vector> {
    let all: Vec<Value> = serde_json::from_str(json).unwrap();
    all.iter()
        .map(|v| {
            let num = |k: &str| v[k].as_u64().unwrap();
            let mut fields = std::collections::HashMap::new();
            for (k, val) in v.as_object().unwrap() {
                if let Some(s) = val.as_str() {
                    fields.insert(k.clone(), unhex(s));
                }
            }
            let encryptions = v["encryptions"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, e)| Encryption {
                    seq: i as u64,
                    aad: unhex(e["aad"].as_str().unwrap()),
                    nonce: unhex(e["nonce"].as_str().unwrap()),
                    // "pt"/"ct" in the final file, "plaintext"/"ciphertext" in draft 08's.
                    pt: unhex(e.get("pt").unwrap_or(&e["plaintext"]).as_str().unwrap()),
                    ct: unhex(e.get("ct").unwrap_or(&e["ciphertext"]).as_str().unwrap()),
                })
                .collect();
            let exports = v["exports"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| Export {
                    context: unhex(e["exporter_context"].as_str().unwrap()),
                    len: e["L"].as_u64().unwrap() as usize,
                    value: unhex(e["exported_value"].as_str().unwrap()),
                })
                .collect();
            Vector {
                name: format!(
                    "mode {} kem {:#06x} kdf {:#06x} aead {:#06x}",
                    num("mode"),
                    num("kem_id"),
                    num("kdf_id"),
                    num("aead_id")
                ),
                mode: num("mode") as u8,
                kem: num("kem_id") as u16,
                kdf: num("kdf_id") as u16,
                aead: num("aead_id") as u16,
                fields,
                encryptions,
                exports,
            }
        })
        .collect()
}

/// Go's `rfc9180-vectors.json` format: "key: hex" lines, encryptions in blocks.
fn go_vectors(json: &str) -> Vec<Vector> {
    let all: Vec<Value> = serde_json::from_str(json).unwrap();
    let lines = |s: &str| -> Vec<(String, String)> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (k, v) = l.split_once(": ").unwrap();
                (k.to_string(), v.to_string())
            })
            .collect()
    };
    all.iter()
        .map(|v| {
            let setup = lines(v["Setup"].as_str().unwrap());
            let num = |k: &str| -> u64 {
                setup
                    .iter()
                    .find(|(n, _)| n == k)
                    .unwrap()
                    .1
                    .parse()
                    .unwrap()
            };
            let fields = setup
                .iter()
                .filter(|(k, _)| !k.ends_with("_id") && k != "mode")
                .map(|(k, v)| (k.clone(), unhex(v)))
                .collect();
            let encryptions = v["Encryptions"]
                .as_str()
                .unwrap()
                .split("\n\n")
                .map(|block| {
                    let l = lines(block);
                    let f = |k: &str| l.iter().find(|(n, _)| n == k).unwrap().1.clone();
                    Encryption {
                        seq: f("sequence number").parse().unwrap(),
                        aad: unhex(&f("aad")),
                        nonce: unhex(&f("nonce")),
                        pt: unhex(&f("pt")),
                        ct: unhex(&f("ct")),
                    }
                })
                .collect();
            Vector {
                name: v["Name"].as_str().unwrap().to_string(),
                mode: num("mode") as u8,
                kem: num("kem_id") as u16,
                kdf: num("kdf_id") as u16,
                aead: num("aead_id") as u16,
                fields,
                encryptions,
                exports: Vec::new(),
            }
        })
        .collect()
}

fn check_intermediates(v: &Vector, side: &str, i: &Intermediates) {
    let name = format!("{} ({side})", v.name);
    assert_eq!(
        i.shared_secret.expose_secret(),
        v.get("shared_secret"),
        "{name}"
    );
    assert_eq!(
        i.key_schedule_context,
        v.get("key_schedule_context"),
        "{name}"
    );
    assert_eq!(i.secret.expose_secret(), v.get("secret"), "{name}");
    assert_eq!(i.key.expose_secret(), v.get("key"), "{name}");
    assert_eq!(i.base_nonce.expose_secret(), v.get("base_nonce"), "{name}");
    assert_eq!(
        i.exporter_secret.expose_secret(),
        v.get("exporter_secret"),
        "{name}"
    );
}

/// Runs every step of one vector; returns false if its suite is not supported.
fn check(v: &Vector, provider: &'static CryptoProvider) -> bool {
    let Ok(suite) = Suite::from_ids(v.kem, v.kdf, v.aead) else {
        return false;
    };
    let suite = suite.with_provider(provider);
    let name = &v.name;

    // DeriveKeyPair, and the keys' serializations.
    let (sk_r, pk_r) = suite.derive_key_pair(v.get("ikmR")).unwrap();
    assert_eq!(sk_r.expose_secret(), v.get("skRm"), "{name}");
    assert_eq!(pk_r.as_bytes(), v.get("pkRm"), "{name}");
    let (sk_e, pk_e) = suite.derive_key_pair(v.get("ikmE")).unwrap();
    assert_eq!(sk_e.expose_secret(), v.get("skEm"), "{name}");
    assert_eq!(pk_e.as_bytes(), v.get("pkEm"), "{name}");
    assert_eq!(suite.deserialize_public_key(v.get("pkRm")).unwrap(), pk_r);
    let sk_r2 = suite.deserialize_private_key(v.get("skRm")).unwrap();
    assert_eq!(sk_r2.public_key(), &pk_r, "{name}");
    let sender = v.fields.get("ikmS").map(|ikm| {
        let (sk_s, pk_s) = suite.derive_key_pair(ikm).unwrap();
        assert_eq!(sk_s.expose_secret(), v.get("skSm"), "{name}");
        assert_eq!(pk_s.as_bytes(), v.get("pkSm"), "{name}");
        (sk_s, pk_s)
    });
    let (info, psk, psk_id) = (v.get("info"), v.opt("psk"), v.opt("psk_id"));

    // Setup on both sides, the sender's ephemeral key drawn from ikmE.
    let mut rng = FixedRng(v.get("ikmE").to_vec());
    let ((enc, mut s), mut r) = match (v.mode, &sender) {
        (0, None) => {
            let s = setup_base_s(&suite, &pk_r, info, &mut rng).unwrap();
            let r = setup_base_r(&suite, &s.0, &sk_r, info).unwrap();
            (s, r)
        }
        (1, None) => {
            let s = setup_psk_s(&suite, &pk_r, info, psk, psk_id, &mut rng).unwrap();
            let r = setup_psk_r(&suite, &s.0, &sk_r, info, psk, psk_id).unwrap();
            (s, r)
        }
        (2, Some((sk_s, pk_s))) => {
            let s = setup_auth_s(&suite, &pk_r, info, sk_s, &mut rng).unwrap();
            let r = setup_auth_r(&suite, &s.0, &sk_r, info, pk_s).unwrap();
            (s, r)
        }
        (3, Some((sk_s, pk_s))) => {
            let s = setup_auth_psk_s(&suite, &pk_r, info, psk, psk_id, sk_s, &mut rng).unwrap();
            let r = setup_auth_psk_r(&suite, &s.0, &sk_r, info, psk, psk_id, pk_s).unwrap();
            (s, r)
        }
        (m, _) => panic!("{name}: mode {m} with sender key {:?}", sender.is_some()),
    };
    assert_eq!(enc, v.get("enc"), "{name}");
    check_intermediates(v, "sender", s.intermediates());
    check_intermediates(v, "recipient", r.intermediates());

    // Encryptions, in sequence order; gaps are filled with messages of our own.
    if v.aead == 0xffff {
        assert!(v.encryptions.is_empty(), "{name}");
        assert_eq!(s.seal(b"", b"").unwrap_err(), Error::ExportOnly);
    }
    for e in &v.encryptions {
        while s.sequence_number() < e.seq {
            let filler = s.seal(b"", b"").unwrap();
            r.open(b"", &filler).unwrap();
        }
        let base = s.intermediates().base_nonce.expose_secret().to_vec();
        let mut nonce = base.clone();
        for (n, b) in nonce[4..].iter_mut().zip(e.seq.to_be_bytes()) {
            *n ^= b;
        }
        assert_eq!(nonce, e.nonce, "{name} seq {}", e.seq);
        assert_eq!(s.seal(&e.aad, &e.pt).unwrap(), e.ct, "{name} seq {}", e.seq);
        assert_eq!(r.open(&e.aad, &e.ct).unwrap(), e.pt, "{name} seq {}", e.seq);
    }

    // Exports, from both sides; the single-shot forms for base mode.
    for x in &v.exports {
        assert_eq!(*s.export(&x.context, x.len).unwrap(), x.value, "{name}");
        assert_eq!(*r.export(&x.context, x.len).unwrap(), x.value, "{name}");
        if v.mode == 0 {
            let mut rng = FixedRng(v.get("ikmE").to_vec());
            let (enc, value) =
                send_export_base(&suite, &pk_r, info, &x.context, x.len, &mut rng).unwrap();
            assert_eq!(*value, x.value, "{name}");
            let value = receive_export_base(&suite, &enc, &sk_r, info, &x.context, x.len);
            assert_eq!(*value.unwrap(), x.value, "{name}");
        }
    }
    if v.mode == 0 && v.aead != 0xffff {
        let e = &v.encryptions[0];
        let mut rng = FixedRng(v.get("ikmE").to_vec());
        let (enc, ct) = seal_base(&suite, &pk_r, info, &e.aad, &e.pt, &mut rng).unwrap();
        assert_eq!(ct, e.ct, "{name}");
        assert_eq!(
            open_base(&suite, &enc, &sk_r, info, &e.aad, &ct).unwrap(),
            e.pt
        );
    }
    true
}

/// The backends the vectors run on (tryst-crypto's own tests check that its backends agree
/// on every primitive HPKE uses).
fn providers() -> Vec<&'static CryptoProvider> {
    vec![&tryst_crypto::RUSTCRYPTO]
}

fn count_by_combination(
    vectors: &[Vector],
) -> std::collections::BTreeMap<(u8, u16, u16, u16), usize> {
    let mut m = std::collections::BTreeMap::new();
    for v in vectors {
        *m.entry((v.mode, v.kem, v.kdf, v.aead)).or_insert(0) += 1;
    }
    m
}

#[test]
fn cfrg_vectors_every_supported_combination() {
    let vectors = cfrg_vectors(include_str!("data/rfc9180_cfrg_779d028_supported.json"));
    // Every mode × {X25519, P-256} × HKDF-SHA256 × {AES-128-GCM, AES-256-GCM,
    // ChaCha20-Poly1305, export-only}: the CFRG file has no HKDF-SHA384 vectors.
    let combos = count_by_combination(&vectors);
    assert_eq!(combos.len(), 32);
    for mode in 0..4 {
        for kem in [0x10, 0x20] {
            for aead in [1, 2, 3, 0xffff] {
                assert_eq!(combos.get(&(mode, kem, 1, aead)), Some(&1));
            }
        }
    }
    let mut encryptions = 0;
    for provider in providers() {
        for v in &vectors {
            assert!(check(v, provider), "{} is not supported", v.name);
            encryptions += v.encryptions.len();
        }
    }
    // 257 sequence numbers for each of the 24 vectors with an AEAD.
    assert_eq!(encryptions, 24 * 257 * providers().len());
}

#[test]
fn rfc9180_final_vectors_base_mode() {
    let vectors = go_vectors(include_str!("data/rfc9180_final_go_base.json"));
    assert_eq!(vectors.len(), 4);
    for provider in providers() {
        for v in &vectors {
            assert!(check(v, provider), "{} is not supported", v.name);
        }
    }
}
