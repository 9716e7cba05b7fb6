//! HKDF-Expand-Label and Derive-Secret (RFC 8446 §7.1), without allocation.

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{Hash, Output, Secret};

use crate::Error;

/// The prefix RFC 8446 §7.1 puts in front of every label.
const PREFIX: &[u8] = b"tls13 ";

/// HKDF-Expand-Label(secret, label, context, out.len()) into `out`.
///
/// `label` is given without the `"tls13 "` prefix, which is added here (RFC 8446 §7.1):
///
/// ```text
/// struct {
///     uint16 length = Length;
///     opaque label<7..255> = "tls13 " + Label;
///     opaque context<0..255> = Context;
/// } HkdfLabel;
/// ```
///
/// The `HkdfLabel` is passed to HKDF-Expand in pieces, so nothing is allocated.
pub fn hkdf_expand_label(
    hash: &dyn Hash,
    secret: &Secret,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), Error> {
    let h = LabelHeader::new(out.len(), label, context)?;
    hash.hkdf_expand(secret, &h.info(label, context), out)?;
    Ok(())
}

/// Two HKDF-Expand-Labels from one secret (a traffic key and its IV; both traffic
/// secrets of a stage): the same outputs as two [`hkdf_expand_label`] calls, with HMAC
/// keyed once ([`Hash::hkdf_expand_pair`]). Each job is (label, context, output).
pub(crate) fn hkdf_expand_label_pair(
    hash: &dyn Hash,
    secret: &Secret,
    (label_a, context_a, out_a): (&[u8], &[u8], &mut [u8]),
    (label_b, context_b, out_b): (&[u8], &[u8], &mut [u8]),
) -> Result<(), Error> {
    let a = LabelHeader::new(out_a.len(), label_a, context_a)?;
    let b = LabelHeader::new(out_b.len(), label_b, context_b)?;
    hash.hkdf_expand_pair(
        secret,
        (&a.info(label_a, context_a), out_a),
        (&b.info(label_b, context_b), out_b),
    )?;
    Ok(())
}

/// Two Derive-Secrets over the same transcript hash from one secret, HMAC keyed once:
/// the same values as two [`derive_secret`] calls.
pub(crate) fn derive_secret_pair(
    hash: &dyn Hash,
    secret: &Secret,
    (label_a, label_b): (&[u8], &[u8]),
    transcript_hash: &Output,
) -> Result<(Secret, Secret), Error> {
    let context = transcript_hash.as_bytes();
    let len = hash.output_len();
    if context.len() != len {
        return Err(Error::HashLengthMismatch);
    }
    let mut result: Result<(), Error> = Ok(());
    let mut second = None;
    let first = Secret::fill_with(len, |a| {
        second = Some(Secret::fill_with(len, |b| {
            result =
                hkdf_expand_label_pair(hash, secret, (label_a, context, a), (label_b, context, b));
            Ok(())
        }));
        Ok(())
    })?;
    result?;
    let second = second.ok_or(Error::OutputTooLong)??;
    Ok((first, second))
}

/// Three Derive-Secrets over the same transcript hash from one secret, HMAC keyed once
/// ([`Hash::hkdf_expand_many`]): the same values as three [`derive_secret`] calls (the
/// application traffic secrets and the exporter master secret).
pub(crate) fn derive_secret_triple(
    hash: &dyn Hash,
    secret: &Secret,
    [label_a, label_b, label_c]: [&[u8]; 3],
    transcript_hash: &Output,
) -> Result<[Secret; 3], Error> {
    let context = transcript_hash.as_bytes();
    if context.len() != hash.output_len() {
        return Err(Error::HashLengthMismatch);
    }
    expand_label_secret_triple(
        hash,
        secret,
        [(label_a, context), (label_b, context), (label_c, context)],
    )
}

/// Three HKDF-Expand-Labels of one hash length each, as (label, context), from one
/// secret with HMAC keyed once: the same values as three [`hkdf_expand_label_secret`]
/// calls.
pub(crate) fn expand_label_secret_triple(
    hash: &dyn Hash,
    secret: &Secret,
    [(label_a, ctx_a), (label_b, ctx_b), (label_c, ctx_c)]: [(&[u8], &[u8]); 3],
) -> Result<[Secret; 3], Error> {
    let len = hash.output_len();
    let (ha, hb, hc) = (
        LabelHeader::new(len, label_a, ctx_a)?,
        LabelHeader::new(len, label_b, ctx_b)?,
        LabelHeader::new(len, label_c, ctx_c)?,
    );
    let (ia, ib, ic) = (
        ha.info(label_a, ctx_a),
        hb.info(label_b, ctx_b),
        hc.info(label_c, ctx_c),
    );
    let mut buf = Zeroizing::new([[0u8; Secret::MAX_LEN]; 3]);
    let [a, b, c] = &mut *buf;
    let a = a.get_mut(..len).ok_or(Error::OutputTooLong)?;
    let b = b.get_mut(..len).ok_or(Error::OutputTooLong)?;
    let c = c.get_mut(..len).ok_or(Error::OutputTooLong)?;
    hash.hkdf_expand_many(secret, &mut [(&ia, a), (&ib, b), (&ic, c)])?;
    let [a, b, c] = &*buf;
    let out = |s: &[u8; Secret::MAX_LEN]| -> Result<Secret, Error> {
        Ok(Secret::from_slice(s.get(..len).unwrap_or_default())?)
    };
    Ok([out(a)?, out(b)?, out(c)?])
}

/// Three HKDF-Expand-Labels with an empty context from one secret, HMAC keyed once: the
/// same outputs as three [`hkdf_expand_label`] calls. Each job is (label, output).
pub(crate) fn hkdf_expand_label_triple(
    hash: &dyn Hash,
    secret: &Secret,
    [(label_a, out_a), (label_b, out_b), (label_c, out_c)]: [(&[u8], &mut [u8]); 3],
) -> Result<(), Error> {
    let (ha, hb, hc) = (
        LabelHeader::new(out_a.len(), label_a, &[])?,
        LabelHeader::new(out_b.len(), label_b, &[])?,
        LabelHeader::new(out_c.len(), label_c, &[])?,
    );
    let (ia, ib, ic) = (
        ha.info(label_a, &[]),
        hb.info(label_b, &[]),
        hc.info(label_c, &[]),
    );
    hash.hkdf_expand_many(secret, &mut [(&ia, out_a), (&ib, out_b), (&ic, out_c)])?;
    Ok(())
}

/// The fixed-size parts of an HkdfLabel (RFC 8446 §7.1), checked.
struct LabelHeader {
    length: [u8; 2],
    label_len: [u8; 1],
    context_len: [u8; 1],
}

impl LabelHeader {
    fn new(out_len: usize, label: &[u8], context: &[u8]) -> Result<Self, Error> {
        let length = u16::try_from(out_len).map_err(|_| Error::OutputTooLong)?;
        let label_len = PREFIX
            .len()
            .checked_add(label.len())
            .and_then(|n| u8::try_from(n).ok())
            .filter(|_| !label.is_empty())
            .ok_or(Error::BadLabelLength)?;
        let context_len = u8::try_from(context.len()).map_err(|_| Error::ContextTooLong)?;
        Ok(LabelHeader {
            length: length.to_be_bytes(),
            label_len: [label_len],
            context_len: [context_len],
        })
    }

    /// HkdfLabel as the pieces `Hash::hkdf_expand` concatenates.
    fn info<'a>(&'a self, label: &'a [u8], context: &'a [u8]) -> [&'a [u8]; 6] {
        [
            &self.length,
            &self.label_len,
            PREFIX,
            label,
            &self.context_len,
            context,
        ]
    }
}

/// HKDF-Expand-Label straight into a new [`Secret`] of `len` bytes (at most 64).
pub fn hkdf_expand_label_secret(
    hash: &dyn Hash,
    secret: &Secret,
    label: &[u8],
    context: &[u8],
    len: usize,
) -> Result<Secret, Error> {
    if len > Secret::MAX_LEN {
        return Err(Error::OutputTooLong);
    }
    let mut result = Ok(());
    let s = Secret::fill_with(len, |out| {
        result = hkdf_expand_label(hash, secret, label, context, out);
        Ok(())
    })?;
    result.map(|()| s)
}

/// Derive-Secret(secret, label, messages) = HKDF-Expand-Label(secret, label,
/// Transcript-Hash(messages), Hash.length) (RFC 8446 §7.1), given the transcript hash.
///
/// A `transcript_hash` of the wrong length is [`Error::HashLengthMismatch`]: it means the
/// caller hashed the transcript with another function than the schedule's.
pub fn derive_secret(
    hash: &dyn Hash,
    secret: &Secret,
    label: &[u8],
    transcript_hash: &Output,
) -> Result<Secret, Error> {
    let context = transcript_hash.as_bytes();
    if context.len() != hash.output_len() {
        return Err(Error::HashLengthMismatch);
    }
    hkdf_expand_label_secret(hash, secret, label, context, hash.output_len())
}

/// Derive-Secret(secret, label, "") with the hash of the empty transcript, as used for the
/// `"derived"` steps and the exporter (RFC 8446 §7.1, §7.5); Hash("") is a constant
/// ([`crate::empty::empty_hash`]).
pub(crate) fn derive_secret_empty(
    hash: &dyn Hash,
    secret: &Secret,
    label: &[u8],
) -> Result<Secret, Error> {
    derive_secret(hash, secret, label, &crate::empty::empty_hash(hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tryst_crypto::SHA256;

    #[test]
    fn label_bounds() {
        let s = Secret::from_slice(&[1; 32]).unwrap();
        let mut out = [0u8; 16];
        assert_eq!(
            hkdf_expand_label(SHA256, &s, b"", b"", &mut out),
            Err(Error::BadLabelLength)
        );
        assert!(hkdf_expand_label(SHA256, &s, &[b'a'; 249], b"", &mut out).is_ok());
        assert_eq!(
            hkdf_expand_label(SHA256, &s, &[b'a'; 250], b"", &mut out),
            Err(Error::BadLabelLength)
        );
        assert!(hkdf_expand_label(SHA256, &s, b"key", &[0; 255], &mut out).is_ok());
        assert_eq!(
            hkdf_expand_label(SHA256, &s, b"key", &[0; 256], &mut out),
            Err(Error::ContextTooLong)
        );
        assert_eq!(
            hkdf_expand_label_secret(SHA256, &s, b"key", b"", 65).unwrap_err(),
            Error::OutputTooLong
        );
        let short = SHA256.hash(b"x");
        let wrong = Output::from_slice(&short.as_bytes()[..20]).unwrap();
        assert_eq!(
            derive_secret(SHA256, &s, b"c hs traffic", &wrong).unwrap_err(),
            Error::HashLengthMismatch
        );
    }

    /// The triple is three plain Derive-Secrets, for both hashes.
    #[test]
    fn triple_is_three_derive_secrets() {
        for alg in [
            tryst_crypto::HashAlgorithm::Sha256,
            tryst_crypto::HashAlgorithm::Sha384,
        ] {
            let hash = tryst_crypto::hash_for(alg);
            let n = hash.output_len();
            let s = Secret::from_slice(&[3; 48][..n]).unwrap();
            let h = hash.hash(b"transcript");
            let labels: [&[u8]; 3] = [b"c ap traffic", b"s ap traffic", b"exp master"];
            let got = derive_secret_triple(hash, &s, labels, &h).unwrap();
            for (g, label) in got.iter().zip(labels) {
                let want = derive_secret(hash, &s, label, &h).unwrap();
                assert_eq!(g.expose_secret(), want.expose_secret(), "{alg:?}");
            }
            let short = Output::from_slice(&h.as_bytes()[..n - 1]).unwrap();
            assert_eq!(
                derive_secret_triple(hash, &s, labels, &short).unwrap_err(),
                Error::HashLengthMismatch
            );
        }
    }

    #[test]
    fn matches_hand_built_info() {
        // The RFC 9001 A.1 "quic key" HkdfLabel, spelled out.
        let s = Secret::from_slice(&[7; 32]).unwrap();
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        hkdf_expand_label(SHA256, &s, b"quic key", b"", &mut a).unwrap();
        let info = [
            0x00, 0x10, 0x0e, b't', b'l', b's', b'1', b'3', b' ', b'q', b'u', b'i', b'c', b' ',
            b'k', b'e', b'y', 0x00,
        ];
        SHA256.hkdf_expand(&s, &[&info], &mut b).unwrap();
        assert_eq!(a, b);
    }
}
