//! The crypto floor: the primitive operations a TLS 1.3 handshake cannot avoid, through
//! tryst-crypto directly, and raw AES-GCM in place for records (the faster of `aes-gcm`
//! and tryst-crypto's own).
//!
//! Per full handshake (X25519, Ed25519 certificate, TLS_AES_128_GCM_SHA256):
//! - client: X25519 key generation and agreement; Ed25519 verification of the
//!   CertificateVerify and of the CA's signature on the leaf; the key schedule's HKDF work.
//! - server: X25519 key generation and agreement; one Ed25519 signature; the HKDF work.
//!
//! Per resumed handshake (psk_dhe_ke): X25519 key generation and agreement on each side,
//! the binder (early secret from the PSK, binder key, finished key, one HMAC), and the same
//! HKDF work. Not included: transcript hashing, the AEAD of handshake records, ticket
//! sealing — small, and not "primitive operations the handshake cannot avoid" by the
//! issue's definition.

use std::hint::black_box;
use std::time::Duration;

use crate::cpu::Meter;

use aes_gcm::aead::KeyInit;
use aes_gcm::{AeadInOut, Aes128Gcm, Aes256Gcm};
use tryst::crypto::{
    AeadAlgorithm, AeadKey, AeadKeyed, Ed25519SigningKey, Nonce, OsRng, SHA256, Secret,
    SignatureAlgorithm, Signer, X25519, aead_for, hkdf_expand_secret, verify,
};

use crate::Res;
use crate::setup::{Backend, Pki, Sides, Suite, key};

fn err<E: core::fmt::Debug>(e: E) -> String {
    format!("floor: {e:?}")
}

/// HKDF-Expand-Label (RFC 8446 §7.1) into a new secret, from slices (no allocation).
fn expand_label(prk: &Secret, label: &[u8], ctx: &[u8], len: usize) -> Res<Secret> {
    let out_len = u16::try_from(len).map_err(err)?.to_be_bytes();
    let label_len = [u8::try_from(6 + label.len()).map_err(err)?];
    let ctx_len = [u8::try_from(ctx.len()).map_err(err)?];
    hkdf_expand_secret(
        SHA256,
        prk,
        &[&out_len, &label_len, b"tls13 ", label, &ctx_len, ctx],
        len,
    )
    .map_err(err)
}

/// The key schedule of one handshake from the (EC)DHE secret on (RFC 8446 §7.1, §7.3,
/// §4.4.4, §4.6.1): 3 extracts, 19 expands, 2 HMACs (both Finished), two tickets' PSKs.
fn key_schedule(early: &Secret, dhe: &[u8], th: &[u8]) -> Res<()> {
    let empty = SHA256.hash(&[]);
    let derived = expand_label(early, b"derived", empty.as_bytes(), 32)?;
    let hs = SHA256.hkdf_extract(derived.expose_secret(), dhe);
    for label in [&b"c hs traffic"[..], b"s hs traffic"] {
        let secret = expand_label(&hs, label, th, 32)?;
        black_box(expand_label(&secret, b"key", &[], 16)?);
        black_box(expand_label(&secret, b"iv", &[], 12)?);
        let finished = expand_label(&secret, b"finished", &[], 32)?;
        black_box(SHA256.hmac(finished.expose_secret(), &[th]));
    }
    let derived = expand_label(&hs, b"derived", empty.as_bytes(), 32)?;
    let master = SHA256.hkdf_extract(derived.expose_secret(), &[0; 32]);
    for label in [&b"c ap traffic"[..], b"s ap traffic"] {
        let secret = expand_label(&master, label, th, 32)?;
        black_box(expand_label(&secret, b"key", &[], 16)?);
        black_box(expand_label(&secret, b"iv", &[], 12)?);
    }
    let res = expand_label(&master, b"res master", th, 32)?;
    for nonce in [[0u8; 8], [1; 8]] {
        black_box(expand_label(&res, b"resumption", &nonce, 32)?);
    }
    Ok(())
}

/// The primitive work of one handshake's each side.
pub(crate) struct HandshakeFloor {
    peer_share: Vec<u8>,
    leaf_key: Ed25519SigningKey,
    leaf_pub: [u8; 32],
    ca_pub: [u8; 32],
    cv_msg: Vec<u8>,
    cv_sig: Vec<u8>,
    cert_msg: Vec<u8>,
    cert_sig: Vec<u8>,
    th: [u8; 32],
}

impl HandshakeFloor {
    pub(crate) fn new(p: &Pki) -> Res<Self> {
        let peer = X25519.start(&mut OsRng).map_err(err)?;
        // The CertificateVerify input with SHA-256 (RFC 8446 §4.4.3): 64 spaces, the
        // 33-byte context string, a zero byte and the transcript hash.
        let mut cv_msg = vec![0x20u8; 64];
        cv_msg.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
        cv_msg.extend_from_slice(&[0x5a; 32]);
        let cv_sig = p.leaf_key.sign(&cv_msg).map_err(err)?;
        // The CA's signature over a message the size of the leaf certificate.
        let cert_msg = p.leaf.clone();
        let cert_sig = p.ca_key.sign(&cert_msg).map_err(err)?;
        Ok(HandshakeFloor {
            peer_share: peer.public_key().to_vec(),
            leaf_key: key(22)?,
            leaf_pub: p.leaf_key.public_key_bytes(),
            ca_pub: p.ca_key.public_key_bytes(),
            cv_msg,
            cv_sig,
            cert_msg,
            cert_sig,
            th: [0x5a; 32],
        })
    }

    fn dhe(&self) -> Res<tryst::crypto::SharedSecret> {
        let ours = X25519.start(&mut OsRng).map_err(err)?;
        black_box(ours.public_key());
        ours.complete(&self.peer_share).map_err(err)
    }

    fn full_client(&self) -> Res<()> {
        let shared = self.dhe()?;
        verify(
            SignatureAlgorithm::Ed25519,
            &self.leaf_pub,
            &self.cv_msg,
            &self.cv_sig,
        )
        .map_err(err)?;
        verify(
            SignatureAlgorithm::Ed25519,
            &self.ca_pub,
            &self.cert_msg,
            &self.cert_sig,
        )
        .map_err(err)?;
        let early = SHA256.hkdf_extract(&[], &[0; 32]);
        key_schedule(&early, shared.expose_secret(), &self.th)
    }

    fn full_server(&self) -> Res<()> {
        let shared = self.dhe()?;
        black_box(self.leaf_key.sign(&self.cv_msg).map_err(err)?);
        let early = SHA256.hkdf_extract(&[], &[0; 32]);
        key_schedule(&early, shared.expose_secret(), &self.th)
    }

    fn resumed(&self) -> Res<()> {
        let shared = self.dhe()?;
        let early = SHA256.hkdf_extract(&[], &self.th);
        let empty = SHA256.hash(&[]);
        let binder_key = expand_label(&early, b"res binder", empty.as_bytes(), 32)?;
        let finished = expand_label(&binder_key, b"finished", &[], 32)?;
        black_box(SHA256.hmac(finished.expose_secret(), &[&self.th]));
        key_schedule(&early, shared.expose_secret(), &self.th)
    }

    /// `n` full handshakes' worth of primitives, each side timed.
    pub(crate) fn full(&self, n: usize) -> Res<Sides> {
        let mut t = Sides::default();
        let t0 = Meter::start();
        for _ in 0..n {
            self.full_client()?;
        }
        t.client = t0.elapsed();
        let t0 = Meter::start();
        for _ in 0..n {
            self.full_server()?;
        }
        t.server = t0.elapsed();
        Ok(t)
    }

    /// `n` resumed handshakes' worth of primitives, each side timed.
    pub(crate) fn resumed_sides(&self, n: usize) -> Res<Sides> {
        let mut t = Sides::default();
        let t0 = Meter::start();
        for _ in 0..n {
            self.resumed()?;
        }
        t.client = t0.elapsed();
        let t0 = Meter::start();
        for _ in 0..n {
            self.resumed()?;
        }
        t.server = t0.elapsed();
        Ok(t)
    }
}

/// Raw AES-GCM over TLS-sized records: 16 KiB of data plus the content-type byte, sealed
/// and opened in place with a 5-byte record header as AAD.
///
/// A backend's primitive at its best. On the default backend each round runs both
/// RustCrypto `aes-gcm` 0.11 and tryst-crypto's own AES-GCM (`aes` + `ctr` + `ghash`
/// driven directly, src/gcm.rs there) in place, and the floor is whichever has the better
/// median (per direction), so tryst/floor compares tryst's records with the fastest
/// in-place seal / open the backend's crates offer. On graviola the floor is graviola's
/// AES-GCM through tryst-crypto's graviola provider.
///
/// Both directions work on `n` separate record buffers, prepared outside the timed part,
/// as many bytes as the stacks' transport holds in a round: the floor touches the same
/// amount of memory as the records it is compared with (one 16 KiB buffer sealed over
/// and over would never leave L1, which no sender's output does).
pub(crate) struct AeadFloor {
    suite: Suite,
    imps: Vec<Imp>,
    a128: Aes128Gcm,
    a256: Aes256Gcm,
    native: Box<dyn AeadKeyed>,
}

/// Plaintext bytes per record in the bulk tests.
pub(crate) const RECORD: usize = 16 * 1024;

const AAD: [u8; 5] = [0x17, 0x03, 0x03, 0x40, 0x11];

/// Which AES-GCM implementation a floor measurement runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Imp {
    /// RustCrypto `aes-gcm` 0.11.
    AesGcmCrate,
    /// The backend's own AEAD through tryst-crypto (`aead_for`, or the graviola provider's).
    Native,
}

impl AeadFloor {
    pub(crate) fn new(suite: Suite, backend: Backend) -> Res<Self> {
        let (alg, key) = match suite {
            Suite::Aes128 => (AeadAlgorithm::Aes128Gcm, &[0x42; 32][..16]),
            Suite::Aes256 => (AeadAlgorithm::Aes256Gcm, &[0x42; 32][..]),
        };
        let (aead, imps) = match backend {
            Backend::Default => (aead_for(alg), vec![Imp::AesGcmCrate, Imp::Native]),
            Backend::Graviola => (
                tryst::crypto::graviola::provider()
                    .and_then(|p| p.aead(alg))
                    .ok_or("graviola does not run on this CPU")?,
                vec![Imp::Native],
            ),
        };
        let native = aead
            .new_key(&AeadKey::from_slice(key).map_err(err)?)
            .map_err(err)?;
        Ok(AeadFloor {
            suite,
            imps,
            a128: Aes128Gcm::new_from_slice(&[0x42; 16]).map_err(err)?,
            a256: Aes256Gcm::new_from_slice(&[0x42; 32]).map_err(err)?,
            native,
        })
    }

    /// How many implementations each round measures (the length of `seal_n`'s result).
    pub(crate) fn implementations(&self) -> usize {
        self.imps.len()
    }

    fn nonce(seq: u64) -> [u8; 12] {
        let mut n = [0x24u8; 12];
        for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
            *b ^= s;
        }
        n
    }

    /// Seal `buf` (plaintext followed by 16 bytes of tag room) in place.
    fn seal(&self, imp: Imp, seq: u64, buf: &mut [u8]) -> Res<()> {
        let nonce = Self::nonce(seq);
        if imp == Imp::Native {
            return self
                .native
                .seal_in_place(&Nonce::from_bytes(nonce), &AAD, buf)
                .map_err(err);
        }
        let (body, tag_out) = buf.split_at_mut(buf.len() - 16);
        let tag = match self.suite {
            Suite::Aes128 => self
                .a128
                .encrypt_inout_detached(&nonce.into(), &AAD, body.into())
                .map_err(err)?,
            Suite::Aes256 => self
                .a256
                .encrypt_inout_detached(&nonce.into(), &AAD, body.into())
                .map_err(err)?,
        };
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    fn open(&self, imp: Imp, seq: u64, buf: &mut [u8]) -> Res<()> {
        let nonce = Self::nonce(seq);
        if imp == Imp::Native {
            return self
                .native
                .open_in_place(&Nonce::from_bytes(nonce), &AAD, buf)
                .map(drop)
                .map_err(err);
        }
        let (body, tag) = buf.split_at_mut(buf.len() - 16);
        let tag: &[u8; 16] = (&*tag).try_into().map_err(err)?;
        match self.suite {
            Suite::Aes128 => self
                .a128
                .decrypt_inout_detached(&nonce.into(), &AAD, body.into(), tag.into())
                .map_err(err),
            Suite::Aes256 => self
                .a256
                .decrypt_inout_detached(&nonce.into(), &AAD, body.into(), tag.into())
                .map_err(err),
        }
    }

    /// `n` record buffers: plaintext (and the tag's room), sealed when `sealed`. The
    /// buffers are reused by the next round; each is written here, outside the timed part.
    fn prepare(&self, imp: Imp, n: usize, sealed: bool, bufs: &mut Vec<Vec<u8>>) -> Res<()> {
        bufs.resize_with(n, || vec![0; RECORD + 1 + 16]);
        for (seq, b) in bufs.iter_mut().enumerate() {
            b.fill(0x61);
            if sealed {
                self.seal(imp, u64::try_from(seq).map_err(err)?, b)?;
            }
        }
        Ok(())
    }

    /// Seal `n` records with each implementation (`aes-gcm` first on the default backend):
    /// (time, allocation calls) for each. The caller keeps the implementation with the
    /// better median over all rounds (taking the faster of the two in every round would
    /// bias the floor up by the noise).
    pub(crate) fn seal_n(&self, n: usize, bufs: &mut Vec<Vec<u8>>) -> Res<Vec<(Duration, u64)>> {
        self.imps
            .iter()
            .map(|&imp| self.seal_n_with(imp, n, bufs))
            .collect()
    }

    fn seal_n_with(&self, imp: Imp, n: usize, bufs: &mut Vec<Vec<u8>>) -> Res<(Duration, u64)> {
        self.prepare(imp, n, false, bufs)?;
        let t0 = Meter::start();
        let a0 = crate::alloc_count::allocations();
        for (seq, buf) in bufs.iter_mut().enumerate() {
            self.seal(imp, u64::try_from(seq).map_err(err)?, buf)?;
            black_box(&mut *buf);
        }
        let allocs = crate::alloc_count::allocations() - a0;
        Ok((t0.elapsed(), allocs))
    }

    /// Open `n` records sealed beforehand (sealing and copying are not timed), with each
    /// implementation as in [`seal_n`](Self::seal_n).
    pub(crate) fn open_n(&self, n: usize, bufs: &mut Vec<Vec<u8>>) -> Res<Vec<(Duration, u64)>> {
        self.imps
            .iter()
            .map(|&imp| self.open_n_with(imp, n, bufs))
            .collect()
    }

    fn open_n_with(&self, imp: Imp, n: usize, bufs: &mut Vec<Vec<u8>>) -> Res<(Duration, u64)> {
        self.prepare(imp, n, true, bufs)?;
        let t0 = Meter::start();
        let a0 = crate::alloc_count::allocations();
        for (seq, buf) in bufs.iter_mut().enumerate() {
            self.open(imp, u64::try_from(seq).map_err(err)?, buf)?;
        }
        let allocs = crate::alloc_count::allocations() - a0;
        Ok((t0.elapsed(), allocs))
    }

    /// The profile workload for one implementation (`floor-bulk` / `floor-bulk-native`).
    pub(crate) fn profile(&self, native: bool, n: usize) -> Res<()> {
        let imp = if native {
            Imp::Native
        } else {
            Imp::AesGcmCrate
        };
        let mut bufs = Vec::new();
        self.seal_n_with(imp, n, &mut bufs)?;
        self.open_n_with(imp, n, &mut bufs)?;
        Ok(())
    }
}
