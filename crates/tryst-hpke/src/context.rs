//! The key schedule (RFC 9180 §5.1) and the encryption contexts (§5.2, §5.3).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{AeadKey, AeadKeyed, Iv, Secret, SharedSecret};

use crate::Error;
use crate::kem::expand_to;
use crate::suite::{Suite, labeled_expand, labeled_extract};

/// The HPKE mode (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// mode_base, 0x00: no sender authentication.
    Base,
    /// mode_psk, 0x01: authenticated by a pre-shared key.
    Psk,
    /// mode_auth, 0x02: authenticated by the sender's KEM key.
    Auth,
    /// mode_auth_psk, 0x03: both.
    AuthPsk,
}

impl Mode {
    /// The code point.
    pub const fn id(self) -> u8 {
        match self {
            Mode::Base => 0,
            Mode::Psk => 1,
            Mode::Auth => 2,
            Mode::AuthPsk => 3,
        }
    }

    const fn has_psk(self) -> bool {
        matches!(self, Mode::Psk | Mode::AuthPsk)
    }
}

/// The values RFC 9180 derives on the way to a context, kept for the known-answer tests
/// (feature `expose-intermediate-secrets`).
#[cfg(feature = "expose-intermediate-secrets")]
#[derive(Debug)]
pub struct Intermediates {
    /// The KEM shared secret.
    pub shared_secret: SharedSecret,
    /// key_schedule_context = mode || psk_id_hash || info_hash.
    pub key_schedule_context: Vec<u8>,
    /// secret = LabeledExtract(shared_secret, "secret", psk).
    pub secret: Secret,
    /// The AEAD key (empty for export-only).
    pub key: AeadKey,
    /// The base nonce (empty for export-only).
    pub base_nonce: Iv,
    /// The exporter secret.
    pub exporter_secret: Secret,
}

/// What both ends of a context hold.
struct Context {
    suite: Suite,
    /// `None` for export-only.
    aead: Option<Box<dyn AeadKeyed>>,
    base_nonce: Iv,
    seq: u64,
    exporter_secret: Secret,
    #[cfg(feature = "expose-intermediate-secrets")]
    intermediates: Intermediates,
}

/// VerifyPSKInputs (§5.1).
fn verify_psk_inputs(mode: Mode, psk: &[u8], psk_id: &[u8]) -> Result<(), Error> {
    let (got_psk, got_psk_id) = (!psk.is_empty(), !psk_id.is_empty());
    if got_psk != got_psk_id {
        return Err(Error::InconsistentPsk);
    }
    match (got_psk, mode.has_psk()) {
        (true, false) => Err(Error::UnexpectedPsk),
        (false, true) => Err(Error::MissingPsk),
        _ => Ok(()),
    }
}

/// KeySchedule<ROLE>(mode, shared_secret, info, psk, psk_id) (§5.1).
fn key_schedule(
    suite: &Suite,
    mode: Mode,
    shared_secret: SharedSecret,
    info: &[u8],
    psk: &[u8],
    psk_id: &[u8],
) -> Result<Context, Error> {
    verify_psk_inputs(mode, psk, psk_id)?;
    let hash = suite.hash()?;
    let suite_id = suite.suite_id();
    let psk_id_hash = labeled_extract(hash, &suite_id, b"", b"psk_id_hash", psk_id);
    let info_hash = labeled_extract(hash, &suite_id, b"", b"info_hash", info);
    let mut ksc = Vec::with_capacity(1 + psk_id_hash.len() + info_hash.len());
    ksc.push(mode.id());
    ksc.extend_from_slice(psk_id_hash.expose_secret());
    ksc.extend_from_slice(info_hash.expose_secret());

    let secret = labeled_extract(
        hash,
        &suite_id,
        shared_secret.expose_secret(),
        b"secret",
        psk,
    );
    let aead = suite.aead();
    let key = expand_to(
        hash,
        &suite_id,
        &secret,
        b"key",
        &ksc,
        aead.n_k(),
        AeadKey::from_slice,
    )?;
    let base_nonce = expand_to(
        hash,
        &suite_id,
        &secret,
        b"base_nonce",
        &ksc,
        aead.n_n(),
        Iv::from_slice,
    )?;
    let exporter_secret = expand_to(
        hash,
        &suite_id,
        &secret,
        b"exp",
        &ksc,
        suite.kdf().n_h(),
        Secret::from_slice,
    )?;
    let aead = match suite.aead_impl()? {
        Some(a) => Some(a.new_key(&key)?),
        None => None,
    };
    #[cfg(not(feature = "expose-intermediate-secrets"))]
    let _ = (shared_secret, key);
    Ok(Context {
        suite: *suite,
        aead,
        #[cfg(feature = "expose-intermediate-secrets")]
        intermediates: Intermediates {
            shared_secret,
            key_schedule_context: ksc,
            secret,
            key,
            base_nonce: base_nonce.duplicate(),
            exporter_secret: exporter_secret.duplicate(),
        },
        base_nonce,
        seq: 0,
        exporter_secret,
    })
}

impl Context {
    fn aead(&self) -> Result<&dyn AeadKeyed, Error> {
        self.aead.as_deref().ok_or(Error::ExportOnly)
    }

    /// The sequence number for this message; the context moves on only once the message
    /// has been sealed or opened. 2^64 - 1 is never used, so the counter cannot wrap.
    fn seq(&self) -> Result<u64, Error> {
        if self.seq == u64::MAX {
            return Err(Error::MessageLimitReached);
        }
        Ok(self.seq)
    }

    fn seal(&mut self, aad: &[u8], pt: &[u8]) -> Result<Vec<u8>, Error> {
        let aead = self.aead()?;
        let seq = self.seq()?;
        let mut buf = Vec::with_capacity(pt.len() + self.suite.aead().n_t());
        buf.extend_from_slice(pt);
        buf.resize(pt.len() + self.suite.aead().n_t(), 0);
        aead.seal_in_place(&self.base_nonce.nonce_for(seq), aad, &mut buf)?;
        self.seq = seq + 1;
        Ok(buf)
    }

    fn open(&mut self, aad: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
        let aead = self.aead()?;
        let seq = self.seq()?;
        let mut buf = Zeroizing::new(ct.to_vec());
        let n = aead
            .open_in_place(&self.base_nonce.nonce_for(seq), aad, &mut buf)
            .map_err(|_| Error::OpenError)?;
        self.seq = seq + 1;
        let pt = buf.get(..n).ok_or(Error::OpenError)?;
        Ok(pt.to_vec())
    }

    fn export_into(&self, exporter_context: &[u8], out: &mut [u8]) -> Result<(), Error> {
        if out.len() > 255 * self.suite.kdf().n_h() {
            return Err(Error::ExportTooLong);
        }
        let hash = self.suite.hash()?;
        labeled_expand(
            hash,
            &self.suite.suite_id(),
            &self.exporter_secret,
            b"sec",
            exporter_context,
            out,
        )
    }

    fn export(&self, exporter_context: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        if len > 255 * self.suite.kdf().n_h() {
            return Err(Error::ExportTooLong);
        }
        let mut out = Zeroizing::new(alloc::vec![0u8; len]);
        self.export_into(exporter_context, &mut out)?;
        Ok(out)
    }
}

macro_rules! context_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        pub struct $name(Context);

        impl $name {
            /// The suite of this context.
            pub fn suite(&self) -> Suite {
                self.0.suite
            }

            /// The sequence number of the next message.
            pub fn sequence_number(&self) -> u64 {
                self.0.seq
            }

            /// Export(exporter_context, L) (§5.3): `len` bytes of secret derived from the
            /// context, at most 255 hash lengths.
            pub fn export(
                &self,
                exporter_context: &[u8],
                len: usize,
            ) -> Result<Zeroizing<Vec<u8>>, Error> {
                self.0.export(exporter_context, len)
            }

            /// Export into a caller's buffer (its length is L).
            pub fn export_into(&self, exporter_context: &[u8], out: &mut [u8]) -> Result<(), Error> {
                self.0.export_into(exporter_context, out)
            }

            /// The values derived on the way to this context, for known-answer tests.
            #[cfg(feature = "expose-intermediate-secrets")]
            pub fn intermediates(&self) -> &Intermediates {
                &self.0.intermediates
            }

            #[cfg(test)]
            pub(crate) fn set_sequence_number(&mut self, seq: u64) {
                self.0.seq = seq;
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("suite", &self.0.suite)
                    .field("seq", &self.0.seq)
                    .finish_non_exhaustive()
            }
        }

        // Every secret field (AEAD key state, base nonce, exporter secret) wipes itself on
        // drop.
        impl tryst_crypto::zeroize::ZeroizeOnDrop for $name {}
    };
}

context_type!(
    /// The sender's context (§5.2): seals messages in order and exports secrets.
    SenderContext
);
context_type!(
    /// The recipient's context (§5.2): opens messages in order and exports secrets.
    RecipientContext
);

impl SenderContext {
    pub(crate) fn new(
        suite: &Suite,
        mode: Mode,
        shared_secret: SharedSecret,
        info: &[u8],
        psk: &[u8],
        psk_id: &[u8],
    ) -> Result<Self, Error> {
        key_schedule(suite, mode, shared_secret, info, psk, psk_id).map(SenderContext)
    }

    /// Context.Seal(aad, pt) (§5.2): encrypts `pt` with the next nonce and returns
    /// ciphertext || tag. [`Error::ExportOnly`] on an export-only context,
    /// [`Error::MessageLimitReached`] when the sequence numbers are spent.
    pub fn seal(&mut self, aad: &[u8], pt: &[u8]) -> Result<Vec<u8>, Error> {
        self.0.seal(aad, pt)
    }
}

impl RecipientContext {
    pub(crate) fn new(
        suite: &Suite,
        mode: Mode,
        shared_secret: SharedSecret,
        info: &[u8],
        psk: &[u8],
        psk_id: &[u8],
    ) -> Result<Self, Error> {
        key_schedule(suite, mode, shared_secret, info, psk, psk_id).map(RecipientContext)
    }

    /// Context.Open(aad, ct) (§5.2): decrypts the next message. [`Error::OpenError`] if it
    /// does not authenticate (the sequence number then stays where it is).
    pub fn open(&mut self, aad: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
        self.0.open(aad, ct)
    }
}
