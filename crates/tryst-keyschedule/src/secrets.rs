//! Functions of one secret: traffic keys, KeyUpdate, Finished, PSK binders, ticket PSKs and
//! exporters (RFC 8446 §4.4.4, §4.2.11.2, §4.6.1, §7.2, §7.3, §7.5).

use core::fmt;

use tryst_crypto::subtle::ConstantTimeEq;
use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{AeadKey, Hash, Iv, Output, Secret};

use crate::Error;
use crate::label::{derive_secret_empty, hkdf_expand_label, hkdf_expand_label_secret};

/// The IV length of every TLS 1.3 AEAD (RFC 8446 §5.3: `iv_length` is at least 8 and 12
/// for every defined suite).
pub const IV_LEN: usize = 12;

/// The write key and IV of one direction (RFC 8446 §7.3).
pub struct TrafficKeys {
    /// `HKDF-Expand-Label(Secret, "key", "", key_length)`.
    pub key: AeadKey,
    /// `HKDF-Expand-Label(Secret, "iv", "", iv_length)`.
    pub iv: Iv,
}

impl TrafficKeys {
    /// Derives the key (of `key_len` bytes: 16 for AES-128-GCM, 32 for AES-256-GCM and
    /// ChaCha20-Poly1305) and 12-byte IV from a traffic secret.
    pub fn derive(hash: &dyn Hash, traffic_secret: &Secret, key_len: usize) -> Result<Self, Error> {
        // Both from one keyed HMAC state (`Hash::hkdf_expand_pair`).
        let mut result: Result<(), Error> = Ok(());
        let mut iv = None;
        let key = AeadKey::fill_with(key_len, |key_out| {
            iv = Some(Iv::fill_with(IV_LEN, |iv_out| {
                result = crate::label::hkdf_expand_label_pair(
                    hash,
                    traffic_secret,
                    (b"key", &[], key_out),
                    (b"iv", &[], iv_out),
                );
                Ok(())
            }));
            Ok(())
        })
        .map_err(crypto_len_error)?;
        result?;
        let iv = iv
            .ok_or(Error::Crypto(tryst_crypto::Error::BadLength))?
            .map_err(crypto_len_error)?;
        Ok(TrafficKeys { key, iv })
    }

    /// [`derive`](Self::derive) and the [`finished_key`] of the same secret (a handshake
    /// traffic secret), all three with HMAC keyed once (`Hash::hkdf_expand_many`).
    pub fn derive_with_finished_key(
        hash: &dyn Hash,
        traffic_secret: &Secret,
        key_len: usize,
    ) -> Result<(Self, Secret), Error> {
        let mut key = Zeroizing::new([0u8; AeadKey::MAX_LEN]);
        let mut iv = Zeroizing::new([0u8; IV_LEN]);
        let mut fin = Zeroizing::new([0u8; Secret::MAX_LEN]);
        let key_out = key.get_mut(..key_len).ok_or(Error::OutputTooLong)?;
        let fin_out = (fin.get_mut(..hash.output_len())).ok_or(Error::OutputTooLong)?;
        crate::label::hkdf_expand_label_triple(
            hash,
            traffic_secret,
            [
                (b"key", key_out),
                (b"iv", &mut iv[..]),
                (b"finished", fin_out),
            ],
        )?;
        let key = AeadKey::from_slice(key.get(..key_len).unwrap_or_default())
            .map_err(crypto_len_error)?;
        let iv = Iv::from_slice(&iv[..]).map_err(crypto_len_error)?;
        let fin = Secret::from_slice(fin.get(..hash.output_len()).unwrap_or_default())?;
        Ok((TrafficKeys { key, iv }, fin))
    }
}

/// A length refused by `fill_with`, as `expand_label_into!` maps it.
fn crypto_len_error(e: tryst_crypto::Error) -> Error {
    match e {
        tryst_crypto::Error::BadLength => Error::OutputTooLong,
        e => Error::Crypto(e),
    }
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrafficKeys(..)")
    }
}

/// The next-generation application traffic secret for KeyUpdate (RFC 8446 §7.2):
/// `HKDF-Expand-Label(current, "traffic upd", "", Hash.length)`.
pub fn next_traffic_secret(hash: &dyn Hash, current: &Secret) -> Result<Secret, Error> {
    hkdf_expand_label_secret(hash, current, b"traffic upd", &[], hash.output_len())
}

/// finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
/// (RFC 8446 §4.4.4). `base_key` is the sender's handshake traffic secret (or a binder
/// key, for a PSK binder).
pub fn finished_key(hash: &dyn Hash, base_key: &Secret) -> Result<Secret, Error> {
    hkdf_expand_label_secret(hash, base_key, b"finished", &[], hash.output_len())
}

/// verify_data = HMAC(finished_key, Transcript-Hash(...)) (RFC 8446 §4.4.4), from the
/// base key (the sender's handshake traffic secret, or the client application traffic
/// secret for post-handshake authentication).
///
/// It is returned as a [`Secret`] until the Finished message carrying it is written.
pub fn verify_data(
    hash: &dyn Hash,
    base_key: &Secret,
    transcript_hash: &Output,
) -> Result<Secret, Error> {
    if transcript_hash.as_bytes().len() != hash.output_len() {
        return Err(Error::HashLengthMismatch);
    }
    verify_data_with_key(hash, &finished_key(hash, base_key)?, transcript_hash)
}

/// verify_data = HMAC(finished_key, Transcript-Hash(...)) from the finished key itself
/// (see [`TrafficKeys::derive_with_finished_key`]).
pub fn verify_data_with_key(
    hash: &dyn Hash,
    finished_key: &Secret,
    transcript_hash: &Output,
) -> Result<Secret, Error> {
    if transcript_hash.as_bytes().len() != hash.output_len() {
        return Err(Error::HashLengthMismatch);
    }
    let mac = hash.hmac(finished_key.expose_secret(), &[transcript_hash.as_bytes()]);
    Ok(Secret::from_slice(mac.as_bytes())?)
}

/// Checks a peer's Finished verify_data in constant time (RFC 8446 §4.4.4). A mismatch is
/// [`Error::BadFinished`], which maps to the `decrypt_error` alert.
// The fuzzing hook inside makes the final check unreachable in that build only.
#[cfg_attr(fuzzing, allow(unreachable_code, unused_variables))]
pub fn verify_finished(
    hash: &dyn Hash,
    base_key: &Secret,
    transcript_hash: &Output,
    received: &[u8],
) -> Result<(), Error> {
    let expected = verify_data(hash, base_key, transcript_hash)?;
    // Fuzzing-only crypto mode (docs/fuzzing.md): exists only under `cfg(fuzzing)`, which
    // cargo-fuzz sets and a normal build cannot. Any Finished verifies.
    #[cfg(fuzzing)]
    return Ok(());
    ct_check(&expected, received, Error::BadFinished)
}

/// [`verify_finished`] from the finished key itself (see
/// [`TrafficKeys::derive_with_finished_key`]): the same constant-time check.
// The fuzzing hook inside makes the final check unreachable in that build only.
#[cfg_attr(fuzzing, allow(unreachable_code, unused_variables))]
pub fn verify_finished_with_key(
    hash: &dyn Hash,
    finished_key: &Secret,
    transcript_hash: &Output,
    received: &[u8],
) -> Result<(), Error> {
    let expected = verify_data_with_key(hash, finished_key, transcript_hash)?;
    // Fuzzing-only crypto mode, as in `verify_finished`.
    #[cfg(fuzzing)]
    return Ok(());
    ct_check(&expected, received, Error::BadFinished)
}

/// The PSK binder (RFC 8446 §4.2.11.2): computed like Finished verify_data with the binder
/// key as base key, over the transcript hash up to and including the ClientHello truncated
/// before its binders list (see [`Transcript::current_with`](crate::Transcript::current_with)).
pub fn psk_binder(
    hash: &dyn Hash,
    binder_key: &Secret,
    truncated_hello_hash: &Output,
) -> Result<Secret, Error> {
    verify_data(hash, binder_key, truncated_hello_hash)
}

/// Checks a received PSK binder in constant time; a mismatch is [`Error::BadBinder`]
/// (`decrypt_error`).
// The fuzzing hook inside makes the final check unreachable in that build only.
#[cfg_attr(fuzzing, allow(unreachable_code, unused_variables))]
pub fn verify_psk_binder(
    hash: &dyn Hash,
    binder_key: &Secret,
    truncated_hello_hash: &Output,
    received: &[u8],
) -> Result<(), Error> {
    let expected = psk_binder(hash, binder_key, truncated_hello_hash)?;
    // Fuzzing-only crypto mode (docs/fuzzing.md; `cfg(fuzzing)` only): any binder verifies.
    #[cfg(fuzzing)]
    return Ok(());
    ct_check(&expected, received, Error::BadBinder)
}

/// Constant time in the contents; a length difference (not secret) fails at once.
fn ct_check(expected: &Secret, received: &[u8], err: Error) -> Result<(), Error> {
    let expected = expected.expose_secret();
    if expected.len() == received.len() && bool::from(expected.ct_eq(received)) {
        Ok(())
    } else {
        Err(err)
    }
}

/// The resumption_master_secret (RFC 8446 §7.1), from which each NewSessionTicket's PSK is
/// derived.
pub struct ResumptionMasterSecret {
    hash: &'static dyn Hash,
    secret: Secret,
}

impl ResumptionMasterSecret {
    pub(crate) fn new(hash: &'static dyn Hash, secret: Secret) -> Self {
        ResumptionMasterSecret { hash, secret }
    }

    /// Wraps a resumption master secret kept elsewhere (for example in a session cache).
    pub fn from_secret(hash: &'static dyn Hash, secret: Secret) -> Self {
        ResumptionMasterSecret { hash, secret }
    }

    /// The PSK of the ticket with `ticket_nonce` (RFC 8446 §4.6.1):
    /// `HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length)`.
    pub fn ticket_psk(&self, ticket_nonce: &[u8]) -> Result<Secret, Error> {
        hkdf_expand_label_secret(
            self.hash,
            &self.secret,
            b"resumption",
            ticket_nonce,
            self.hash.output_len(),
        )
    }

    /// The secret itself (to store with a session).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl fmt::Debug for ResumptionMasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumptionMasterSecret(..)")
    }
}

/// An exporter master secret (early or not), from which TLS-Exporter values are derived
/// (RFC 8446 §7.5).
pub struct ExporterSecret {
    hash: &'static dyn Hash,
    secret: Secret,
}

impl ExporterSecret {
    pub(crate) fn new(hash: &'static dyn Hash, secret: Secret) -> Self {
        ExporterSecret { hash, secret }
    }

    /// TLS-Exporter(label, context_value, out.len()) into `out` (RFC 8446 §7.5):
    ///
    /// ```text
    /// HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
    ///                   Hash(context_value), key_length)
    /// ```
    ///
    /// In TLS 1.3 an absent context and an empty one give the same value, so `context` is
    /// a plain slice. The label is used as given, without the `"tls13 "` prefix.
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        let per_label = derive_secret_empty(self.hash, &self.secret, label)?;
        let context_hash = self.hash.hash(context);
        hkdf_expand_label(
            self.hash,
            &per_label,
            b"exporter",
            context_hash.as_bytes(),
            out,
        )
    }

    /// The exporter master secret itself.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl fmt::Debug for ExporterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExporterSecret(..)")
    }
}
