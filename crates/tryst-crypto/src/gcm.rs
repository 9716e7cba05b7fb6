//! AES-GCM (NIST SP 800-38D) driven directly from RustCrypto's `aes` block cipher, `ctr`
//! counter mode and `ghash`, for the default backend's AES-128-GCM and AES-256-GCM.
//!
//! `aes-gcm` runs the whole buffer through CTR and then the whole buffer through GHASH, in
//! place. This module does the same arithmetic with two differences:
//! - the plaintext may come from another buffer ([`GcmKey::seal_from`]): the record layer
//!   seals the user's slice straight into the record, so the content is read once and
//!   written once, with no copy before the seal;
//! - the work is done in [`CHUNK`]-byte slices: counter mode over one slice, then GHASH of
//!   the same ciphertext while it is still in L1.
//!
//! Only 96-bit nonces and 128-bit tags (all TLS uses). Timing does not depend on secret
//! data: AES-NI / CLMUL (or the crates' constant-time software fallbacks), and the tag is
//! compared with `subtle`. The expanded AES key and the GHASH key wipe themselves on drop
//! (the `zeroize` features of `aes` and `ghash`).

use aes::cipher::inout::InOutBuf;
use aes::cipher::{BlockCipherEncrypt, InnerIvInit, KeyInit, StreamCipherCore};
use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::aead::{seal_from_body_len, split_sealed};
use crate::{Error, Nonce};

/// Bytes of counter mode done before the GHASH of the same bytes: small enough that input,
/// output and keystream stay in L1 together, large enough to amortise the two calls. (On
/// the 2-vCPU EPYC of docs/performance.md, 1, 2, 4 and 16 KiB measured the same within
/// the noise: a 16 KiB record fits L1 either way.)
const CHUNK: usize = 4096;
const BLOCK: usize = 16;

type Block = ghash::Block;
type Ctr<'a, C> = ctr::CtrCore<&'a C, ctr::flavors::Ctr32BE>;

/// A prepared AES-GCM key: the expanded AES encryption key and the GHASH key H = E(K, 0).
pub(crate) struct GcmKey<C> {
    cipher: C,
    ghash: GHash,
}

impl<C: BlockCipherEncrypt<BlockSize = aes::cipher::consts::U16> + KeyInit> GcmKey<C> {
    /// `None` when the key has the wrong length for `C`.
    pub(crate) fn new(key: &[u8]) -> Option<Self> {
        let cipher = C::new_from_slice(key).ok()?;
        let mut h = Block::default();
        cipher.encrypt_block(&mut h);
        let ghash = GHash::new(&h);
        h.zeroize();
        Some(Self { cipher, ghash })
    }

    /// J0 = nonce || 0^31 || 1 (SP 800-38D §7.1 for a 96-bit IV); returns the counter
    /// positioned at inc32(J0) and the tag mask E(K, J0).
    fn start(&self, nonce: &Nonce) -> (Ctr<'_, C>, Block) {
        let mut j0 = Block::default();
        if let Some(head) = j0.get_mut(..nonce.0.len()) {
            head.copy_from_slice(&nonce.0);
        }
        if let Some(last) = j0.last_mut() {
            *last = 1;
        }
        let mut ctr = Ctr::inner_iv_init(&self.cipher, &j0);
        let mut mask = Block::default();
        ctr.write_keystream_block(&mut mask);
        (ctr, mask)
    }

    /// GHASH's closing block and the tag: S = GHASH(A || C || len(A) || len(C)), T = S ⊕ E(K, J0).
    fn finish(mut ghash: GHash, mut mask: Block, aad_len: usize, data_len: usize) -> Block {
        let bits = |n: usize| u64::try_from(n).unwrap_or(u64::MAX).wrapping_mul(8);
        let mut lens = Block::default();
        let (a, c) = lens.split_at_mut(8);
        a.copy_from_slice(&bits(aad_len).to_be_bytes());
        c.copy_from_slice(&bits(data_len).to_be_bytes());
        ghash.update(&[lens]);
        let mut tag = ghash.finalize();
        for (t, m) in tag.iter_mut().zip(mask.iter()) {
            *t ^= *m;
        }
        mask.zeroize();
        tag
    }

    /// Seal `content || out[content.len()..out.len() - TAG_LEN]` (the second piece is
    /// already in place in `out`) into `out`: ciphertext, then the tag in the last
    /// [`TAG_LEN`](crate::aead::TAG_LEN) bytes.
    pub(crate) fn seal_from(
        &self,
        nonce: &Nonce,
        aad: &[u8],
        content: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let body_len = seal_from_body_len(out.len(), content.len(), aad.len())?;
        let (body, tag_out) = out.split_at_mut(body_len);
        // Fuzzing-only crypto mode (docs/fuzzing.md; `cfg(fuzzing)` only, which a normal
        // build cannot set): the plaintext stays as it is and the tag is zero.
        #[cfg(fuzzing)]
        if let Some(dst) = body.get_mut(..content.len()) {
            dst.copy_from_slice(content);
            tag_out.fill(0);
            return Ok(());
        }
        let (mut ctr, mask) = self.start(nonce);
        let mut ghash = self.ghash.clone();
        ghash.update_padded(aad);

        // The content's whole blocks, read from `content` and written into `body`.
        let whole = content.len() - content.len() % BLOCK;
        let (src, src_rest) = content.split_at(whole);
        let (dst, rest) = body.split_at_mut(whole);
        for (s, d) in src.chunks(CHUNK).zip(dst.chunks_mut(CHUNK)) {
            if let Ok(buf) = InOutBuf::new(s, d) {
                seal_blocks(&mut ctr, &mut ghash, buf);
            }
        }
        // The block that straddles the content and the in-place piece: bring the content's
        // last few bytes over (under 16), then everything left is sealed in place.
        if let Some(d) = rest.get_mut(..src_rest.len()) {
            d.copy_from_slice(src_rest);
        }
        let tail = rest.len() % BLOCK;
        let (blocks, partial) = rest.split_at_mut(rest.len() - tail);
        for d in blocks.chunks_mut(CHUNK) {
            seal_blocks(&mut ctr, &mut ghash, InOutBuf::from(d));
        }
        if !partial.is_empty() {
            let mut block = Block::default();
            if let Some(b) = block.get_mut(..partial.len()) {
                b.copy_from_slice(partial);
            }
            ctr.apply_keystream_blocks(core::slice::from_mut(&mut block));
            // GHASH pads the last ciphertext block with zeros, not keystream.
            if let Some(pad) = block.get_mut(partial.len()..) {
                pad.fill(0);
            }
            if let Some(b) = block.get(..partial.len()) {
                partial.copy_from_slice(b);
            }
            ghash.update(core::slice::from_ref(&block));
            block.zeroize();
        }
        tag_out.copy_from_slice(&Self::finish(ghash, mask, aad.len(), body_len));
        Ok(())
    }

    /// Check the tag in the last [`TAG_LEN`](crate::aead::TAG_LEN) bytes of `buf` and, only if it matches,
    /// decrypt the rest in place; returns the plaintext length.
    pub(crate) fn open_in_place(
        &self,
        nonce: &Nonce,
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        let (body, tag) = split_sealed(buf, aad, Error::DecryptFailed)?;
        let body_len = body.len();
        // Fuzzing-only crypto mode (docs/fuzzing.md; `cfg(fuzzing)` only): a record with
        // an all-zero tag opens as its own bytes. Other tags decrypt for real.
        #[cfg(fuzzing)]
        if tag.iter().all(|&b| b == 0) {
            return Ok(body_len);
        }
        let (ctr, mask) = self.start(nonce);
        let mut ghash = self.ghash.clone();
        ghash.update_padded(aad);
        ghash.update_padded(body);
        let mut expected = Self::finish(ghash, mask, aad.len(), body_len);
        let ok = bool::from(expected.as_slice().ct_eq(&*tag));
        expected.zeroize();
        if !ok {
            return Err(Error::DecryptFailed);
        }
        // Tag first, keystream after: a forged record never yields plaintext.
        ctr.apply_keystream_partial(InOutBuf::from(body));
        Ok(body_len)
    }
}

/// Counter mode over whole blocks (`buf` is a multiple of 16 bytes), then GHASH of the
/// ciphertext just written.
fn seal_blocks<C: BlockCipherEncrypt<BlockSize = aes::cipher::consts::U16>>(
    ctr: &mut Ctr<'_, C>,
    ghash: &mut GHash,
    buf: InOutBuf<'_, '_, u8>,
) {
    let (mut blocks, _) = buf.into_chunks::<aes::cipher::consts::U16>();
    ctr.apply_keystream_blocks_inout(blocks.reborrow());
    ghash.update(blocks.get_out());
}
