#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Writes the seed corpora of the tryst-cert fuzz targets (from the repository root):
//! `cargo run -p tryst-cert --features fuzzing --example fuzz_seeds -- fuzz/corpus`.
//! Seeds for `cert_verify` chain to the target's fixed anchor; the other two get the same
//! certificates one by one, plus the RSA chain from `tests/data/rsa`.

use std::path::Path;

use tryst_cert::fuzzing::{END, NAME, START, anchor, join, key};
use tryst_cert::{CertificateBuilder, CrlBuilder};
use tryst_crypto::EcdsaP256SigningKey;

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: fuzz_seeds <corpus dir>");
    let out = Path::new(&out);
    let root_key = key(1).unwrap();
    let inter_key = key(2).unwrap();
    let leaf_key = key(3).unwrap();
    let root = anchor().unwrap();
    let inter = CertificateBuilder::new("Fuzz Intermediate", START, END)
        .ca(Some(0))
        .permitted_dns("example")
        .issue(&inter_key, &root, &root_key)
        .unwrap();
    let leaf = CertificateBuilder::new("leaf", START, END)
        .dns_name(NAME)
        .dns_name("*.wild.example")
        .ip_address(&[192, 0, 2, 1])
        .server_auth()
        .issue(&leaf_key, &inter, &inter_key)
        .unwrap();
    let direct = CertificateBuilder::new("direct", START, END)
        .dns_name(NAME)
        .client_auth()
        .issue(&leaf_key, &root, &root_key)
        .unwrap();
    // An ECDSA leaf (its key from a fixed PKCS#8 would be nicer; a fixed scalar will do).
    let ec_key = EcdsaP256SigningKey::generate(&mut FixedRng(9));
    let ec_leaf = CertificateBuilder::new("ec", START, END)
        .dns_name(NAME)
        .issue(&ec_key, &inter, &inter_key)
        .unwrap();
    let rsa: Vec<&[u8]> = vec![
        include_bytes!("../tests/data/rsa/rsa-leaf.der"),
        include_bytes!("../tests/data/rsa/rsa-inter.der"),
        include_bytes!("../tests/data/rsa/rsa-root.der"),
    ];

    let write = |target: &str, name: &str, data: &[u8]| {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    };
    write("cert_verify", "seed-chain", &join(&[&leaf, &inter]));
    write("cert_verify", "seed-direct", &join(&[&direct]));
    write("cert_verify", "seed-ecdsa", &join(&[&ec_leaf, &inter]));
    write("cert_verify", "seed-rsa", &join(&rsa));
    let singles: Vec<(&str, &[u8])> = vec![
        ("seed-root", &root),
        ("seed-inter", &inter),
        ("seed-leaf", &leaf),
        ("seed-ecdsa-leaf", &ec_leaf),
        ("seed-rsa-leaf", rsa[0]),
        ("seed-rsa-inter", rsa[1]),
    ];
    for (name, der) in singles {
        write("cert_parse", name, der);
        write("cert_der_reader", name, der);
    }
    // CRLs from the fixture anchor: empty, and with entries, reasons and a scope.
    let empty = CrlBuilder::new(START, Some(END))
        .sign(&root, &root_key)
        .unwrap();
    let full = CrlBuilder::new(START, None)
        .number(Some((&[0x05, 0x39], false)))
        .revoke(&[0x20], START, Some(1))
        .revoke(&[0x00, 0x80, 0x01], START + 1, None)
        .revoke(&[0x7f; 20], START + 2, Some(6))
        .issuing_distribution_point(true, false, Some("http://crl.example/fuzz.crl"))
        .sign(&root, &root_key)
        .unwrap();
    write("cert_crl", "seed-crl-empty", &empty);
    write("cert_crl", "seed-crl-entries", &full);
}

/// A fixed byte stream for key generation.
struct FixedRng(u8);

impl tryst_crypto::rng::TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(u32::from(self.0))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(u64::from(self.0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 = self.0.wrapping_mul(73).wrapping_add(41);
            *b = self.0;
        }
        Ok(())
    }
}
impl tryst_crypto::rng::TryCryptoRng for FixedRng {}
