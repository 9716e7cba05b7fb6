//! The server side of ECH (RFC 9849 §7, shared mode): the keys, trial decryption of the
//! inner ClientHello, its reconstruction from `ech_outer_extensions` with the RFC's
//! checks, and the acceptance signal.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use tryst_crypto::zeroize::Zeroizing;
use tryst_hpke::{AeadId, Kdf, Kem, PrivateKey, RecipientContext, Suite};
use tryst_keyschedule::Transcript;
use tryst_messages::{
    AlertDescription, ClientHello, Codec, EchConfig, EchConfigContents, EchConfigList,
    ExtensionType, HpkeKeyConfig, HpkeSymmetricCipherSuite, ProtocolVersion, Reader, Writer,
};

use super::wire::{self, EchClientHello, OuterEch};
use super::{CONFIRMATION_LEN, accept_confirmation};
use crate::Error;
use crate::config::{RngRef, SecureRandom};

/// One ECH key of a server: an ECHConfig and the HPKE private key for it. A
/// [`crate::ServerConfig`] holds several (rotation): clients name one by `config_id`.
pub struct EchServerKey {
    /// The ECHConfig, serialized (HPKE's `info` includes it).
    config_bytes: Vec<u8>,
    config_id: u8,
    kem: Kem,
    suites: Vec<HpkeSymmetricCipherSuite>,
    public_name: String,
    private_key: PrivateKey,
    retry: bool,
}

impl core::fmt::Debug for EchServerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EchServerKey")
            .field("config_id", &self.config_id)
            .field("public_name", &self.public_name)
            .field("kem", &self.kem)
            .finish_non_exhaustive()
    }
}

/// The HPKE suites a generated config offers.
const GENERATED_SUITES: [(Kdf, AeadId); 3] = [
    (Kdf::HkdfSha256, AeadId::Aes128Gcm),
    (Kdf::HkdfSha256, AeadId::ChaCha20Poly1305),
    (Kdf::HkdfSha384, AeadId::Aes256Gcm),
];

impl EchServerKey {
    /// A fresh X25519 key and its ECHConfig (version 0xfe0d) for `public_name`, offering
    /// HKDF-SHA256 with AES-128-GCM or ChaCha20-Poly1305 and HKDF-SHA384 with AES-256-GCM.
    pub fn generate(
        config_id: u8,
        public_name: &str,
        rng: &dyn SecureRandom,
    ) -> Result<Self, Error> {
        rustls_pki_types::DnsName::try_from(public_name)
            .map_err(|_| Error::Config("ECH public name is not a DNS name"))?;
        let suite = Suite::new(Kem::DhX25519HkdfSha256, Kdf::HkdfSha256, AeadId::Aes128Gcm);
        let (sk, pk) = suite
            .generate_key_pair(&mut RngRef(rng))
            .map_err(|_| Error::Internal("ECH key generation"))?;
        let contents = EchConfigContents {
            key_config: HpkeKeyConfig {
                config_id,
                kem_id: Kem::DhX25519HkdfSha256.id(),
                public_key: pk.as_bytes().to_vec().into(),
                cipher_suites: (GENERATED_SUITES.iter())
                    .map(|(k, a)| HpkeSymmetricCipherSuite {
                        kdf_id: k.id(),
                        aead_id: a.id(),
                    })
                    .collect(),
            },
            maximum_name_length: 0,
            public_name: public_name.as_bytes().to_vec().into(),
            extensions: Vec::new(),
        };
        let bytes = EchConfig::Fe0d(contents).to_bytes()?;
        Self::from_config(&bytes, sk.expose_secret())
    }

    /// The key for the one ECHConfig of `list` (an `ECHConfigList` holding exactly one
    /// version 0xfe0d config), with its serialized HPKE private key (32 bytes for X25519,
    /// the 32-byte scalar for P-256). The key must match the config's public key.
    pub fn from_config_list(list: &[u8], private_key: &[u8]) -> Result<Self, Error> {
        let parsed = Reader::read_all(list, "ECHConfigList", EchConfigList::read)
            .map_err(|_| Error::Config("malformed ECHConfigList"))?;
        let [config @ EchConfig::Fe0d(_)] = parsed.configs.as_slice() else {
            return Err(Error::Config(
                "the ECHConfigList must hold exactly one version 0xfe0d config",
            ));
        };
        Self::from_config(&config.to_bytes()?, private_key)
    }

    /// The key for one serialized ECHConfig and its HPKE private key.
    pub fn from_config(config: &[u8], private_key: &[u8]) -> Result<Self, Error> {
        let parsed = Reader::read_all(config, "ECHConfig", EchConfig::read)
            .map_err(|_| Error::Config("malformed ECHConfig"))?;
        let EchConfig::Fe0d(c) = parsed else {
            return Err(Error::Config("ECHConfig version is not 0xfe0d"));
        };
        let kem = Kem::from_id(c.key_config.kem_id)
            .map_err(|_| Error::Config("ECHConfig KEM not supported"))?;
        let suite = Suite::new(kem, Kdf::HkdfSha256, AeadId::Aes128Gcm);
        let private_key = suite
            .deserialize_private_key(private_key)
            .map_err(|_| Error::Config("ECH private key does not decode"))?;
        if private_key.public_key().as_bytes() != c.key_config.public_key.as_ref() {
            return Err(Error::Config(
                "ECH private key does not match the config's public key",
            ));
        }
        let public_name = String::from_utf8(c.public_name.to_vec())
            .map_err(|_| Error::Config("ECH public name is not text"))?;
        Ok(EchServerKey {
            config_bytes: config.to_vec(),
            config_id: c.key_config.config_id,
            kem,
            suites: c.key_config.cipher_suites.clone(),
            public_name,
            private_key,
            retry: true,
        })
    }

    /// Whether this config goes in `retry_configs` (default on; turn off for a key being
    /// retired that should still decrypt but no longer be handed out).
    pub fn with_retry(mut self, on: bool) -> Self {
        self.retry = on;
        self
    }

    /// The serialized ECHConfig.
    pub fn config(&self) -> &[u8] {
        &self.config_bytes
    }

    /// The public name of the config.
    pub fn public_name(&self) -> &str {
        &self.public_name
    }

    /// The serialized HPKE private key: the place where the secret leaves its type (to be
    /// written to a key file).
    pub fn expose_private_key(&self) -> &[u8] {
        self.private_key.expose_secret()
    }

    /// An `ECHConfigList` of these keys' configs (those marked for retry), as a DNS HTTPS
    /// record's `ech` parameter and `retry_configs` carry it.
    pub fn config_list(keys: &[EchServerKey]) -> Vec<u8> {
        let mut w = Writer::new();
        w.u16_prefixed("ECHConfigList", |w| {
            for k in keys.iter().filter(|k| k.retry) {
                w.bytes(&k.config_bytes);
            }
        });
        w.finish().unwrap_or_default()
    }

    /// The HPKE recipient context for `enc`, or `None` when this key cannot open it.
    fn recipient(&self, sym: HpkeSymmetricCipherSuite, enc: &[u8]) -> Option<RecipientContext> {
        if !self.suites.contains(&sym) {
            return None;
        }
        let suite = Suite::from_ids(self.kem.id(), sym.kdf_id, sym.aead_id).ok()?;
        if suite.aead() == AeadId::ExportOnly {
            return None;
        }
        let mut info = b"tls ech\0".to_vec();
        info.extend_from_slice(&self.config_bytes);
        tryst_hpke::setup_base_r(&suite, enc, &self.private_key, &info).ok()
    }
}

/// What ECH did on a server connection so far.
#[derive(Default)]
pub(crate) enum ServerEch {
    /// No outer ECH extension (or not read yet).
    #[default]
    NotOffered,
    /// Offered but not decrypted: the handshake uses the outer hello.
    Rejected,
    /// Decrypted: the handshake uses the inner hello.
    Accepted(Box<Accepted>),
    /// Split mode, as the backend server (§7.2): the hello came with the inner marker,
    /// decrypted by a client-facing server in front of us; we confirm acceptance. Holds
    /// the hello's random.
    Backend([u8; 32]),
}

/// An accepted offer: the HPKE context (a second hello after HelloRetryRequest is sealed
/// under it) and what the signal is made from.
pub(crate) struct Accepted {
    recipient: RecipientContext,
    suite: HpkeSymmetricCipherSuite,
    config_id: u8,
    inner_random: [u8; 32],
}

/// Read a ClientHello's ECH offer (§7.1). Returns the reconstructed inner ClientHello
/// (handshake message) when it decrypts; `None` to go on with the outer one. `state`
/// carries the decision from the first hello to the second (§7.1.1).
pub(crate) fn open(
    keys: &[EchServerKey],
    state: &mut ServerEch,
    second: bool,
    outer: &ClientHello<'_>,
    encoded: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    let body = wire::raw_body(&outer.extensions, ExtensionType::EncryptedClientHello);
    if second {
        return match state {
            ServerEch::Accepted(accepted) => open_second(accepted, body, outer, encoded).map(Some),
            ServerEch::Backend(_) => backend_second(body).map(|()| None),
            _ => Ok(None),
        };
    }
    let Some(body) = body else {
        return Ok(None);
    };
    if keys.is_empty() && body != [1] {
        // A server without ECH keys ignores an outer extension (RFC 9849 §7).
        return Ok(None);
    }
    let EchClientHello::Outer(offer) = EchClientHello::decode(body)? else {
        // The inner marker at the top level: a client-facing server decrypted this hello
        // for us (split mode); as its backend we confirm acceptance (§7.2).
        *state = ServerEch::Backend(outer.random);
        return Ok(None);
    };
    *state = ServerEch::Rejected;
    let aad = outer_aad(encoded, offer.payload.len())?;
    for key in keys.iter().filter(|k| k.config_id == offer.config_id) {
        let Some(mut recipient) = key.recipient(offer.suite, offer.enc) else {
            continue;
        };
        let Ok(plain) = recipient.open(&aad, offer.payload) else {
            continue;
        };
        let plain = Zeroizing::new(plain);
        let inner = reconstruct(outer, encoded, &plain)?;
        *state = ServerEch::Accepted(Box::new(Accepted {
            recipient,
            suite: offer.suite,
            config_id: offer.config_id,
            inner_random: inner_random(&inner)?,
        }));
        return Ok(Some(inner));
    }
    Ok(None)
}

/// The second hello of a backend (§7.2): the inner marker again.
fn backend_second(body: Option<&[u8]>) -> Result<(), Error> {
    match body.map(EchClientHello::decode).transpose()? {
        Some(EchClientHello::Inner) => Ok(()),
        Some(EchClientHello::Outer(_)) => Err(Error::illegal(
            "second ClientHello switched from the inner to the outer ECH type",
        )),
        None => Err(Error::misbehaved(
            AlertDescription::MissingExtension,
            "second ClientHello drops the inner ECH extension (RFC 9849 §7.2)",
        )),
    }
}

/// The second ClientHelloOuter after accepting the first (§7.1.1): ECH again, same config
/// and suite, no `enc`, and it must decrypt.
fn open_second(
    accepted: &mut Accepted,
    body: Option<&[u8]>,
    outer: &ClientHello<'_>,
    encoded: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let body = body.ok_or(Error::misbehaved(
        AlertDescription::MissingExtension,
        "second ClientHello drops ECH after it was accepted (RFC 9849 §7.1.1)",
    ))?;
    let EchClientHello::Outer(OuterEch {
        suite,
        config_id,
        enc,
        payload,
    }) = EchClientHello::decode(body)?
    else {
        return Err(Error::illegal(
            "second ClientHello has an inner ECH extension",
        ));
    };
    if suite != accepted.suite || config_id != accepted.config_id || !enc.is_empty() {
        return Err(Error::illegal(
            "second ClientHello's ECH changes config or suite, or repeats enc (RFC 9849 §7.1.1)",
        ));
    }
    let aad = outer_aad(encoded, payload.len())?;
    let plain = accepted.recipient.open(&aad, payload).map_err(|_| {
        Error::misbehaved(
            AlertDescription::DecryptError,
            "second ClientHelloInner does not decrypt (RFC 9849 §7.1.1)",
        )
    })?;
    let plain = Zeroizing::new(plain);
    let inner = reconstruct(outer, encoded, &plain)?;
    if inner_random(&inner)? != accepted.inner_random {
        return Err(Error::illegal("second ClientHelloInner changed its random"));
    }
    Ok(inner)
}

/// ClientHelloOuterAAD (§5.2): the outer ClientHello (without the handshake header) with
/// the ECH payload zeroed. The payload is the end of the ECH extension's body.
fn outer_aad(encoded: &[u8], payload_len: usize) -> Result<Vec<u8>, Error> {
    let (start, len) = client_hello_extension(encoded, ExtensionType::EncryptedClientHello).ok_or(
        Error::Internal("ECH extension not found in the encoded hello"),
    )?;
    let end = start + len;
    let mut aad = encoded.to_vec();
    if let Some(p) = aad.get_mut(end.saturating_sub(payload_len)..end) {
        p.fill(0);
    }
    Ok(aad.get(4..).unwrap_or_default().to_vec())
}

/// The raw extensions of an encoded ClientHello handshake message: (type, body start,
/// body length), in order.
fn raw_extensions(encoded: &[u8]) -> Option<Vec<(u16, usize, usize)>> {
    let mut r = Reader::new(encoded.get(4..)?);
    r.take(2 + 32, "").ok()?;
    r.bytes_u8("", 0, 255).ok()?;
    r.bytes_u16("", 0, 0xffff).ok()?;
    r.bytes_u8("", 0, 255).ok()?;
    let exts = r.bytes_u16("", 0, 0xffff).ok()?;
    let base = encoded.len() - exts.len();
    let mut r = Reader::new(exts);
    let mut out = Vec::new();
    while !r.is_empty() {
        let at = base + (exts.len() - r.remaining());
        let typ = r.u16("").ok()?;
        let body = r.bytes_u16("", 0, 0xffff).ok()?;
        out.push((typ, at + 4, body.len()));
    }
    Some(out)
}

/// Where the body of extension `typ` sits in an encoded ClientHello: (start, length).
fn client_hello_extension(encoded: &[u8], typ: ExtensionType) -> Option<(usize, usize)> {
    raw_extensions(encoded)?
        .into_iter()
        .find(|(t, ..)| *t == typ.to_raw())
        .map(|(_, s, l)| (s, l))
}

fn inner_random(inner: &[u8]) -> Result<[u8; 32], Error> {
    inner
        .get(6..38)
        .and_then(|r| r.try_into().ok())
        .ok_or(Error::Internal("inner ClientHello shorter than its random"))
}

/// The inner ClientHello (handshake message) from EncodedClientHelloInner (§5.1): the
/// outer hello's legacy_session_id, `ech_outer_extensions` expanded from the outer
/// hello, zero padding checked; then the rules it must meet (§7.1).
pub(crate) fn reconstruct(
    outer: &ClientHello<'_>,
    outer_encoded: &[u8],
    encoded_inner: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |_| Error::illegal("malformed EncodedClientHelloInner (RFC 9849 §5.1)");
    let mut r = Reader::new(encoded_inner);
    let head = r.take(2 + 32, "ClientHelloInner").map_err(bad)?;
    let session_id = r.bytes_u8("legacy_session_id", 0, 32).map_err(bad)?;
    let suites = r.bytes_u16("cipher_suites", 2, 0xfffe).map_err(bad)?;
    let compression = r.bytes_u8("compression", 1, 255).map_err(bad)?;
    let exts = r.bytes_u16("extensions", 0, 0xffff).map_err(bad)?;
    if !session_id.is_empty() {
        return Err(Error::illegal(
            "EncodedClientHelloInner has a legacy_session_id (RFC 9849 §5.1)",
        ));
    }
    if r.rest().iter().any(|b| *b != 0) {
        return Err(Error::illegal(
            "EncodedClientHelloInner padding is not zeros (RFC 9849 §7.1)",
        ));
    }
    let expanded = expand_extensions(exts, outer_encoded)?;
    let mut w = Writer::new();
    w.u8(tryst_messages::HandshakeType::ClientHello.to_raw());
    w.u24_prefixed("ClientHelloInner", |w| {
        w.bytes(head);
        w.u8_prefixed("legacy_session_id", |w| w.bytes(&outer.legacy_session_id));
        w.u16_prefixed("cipher_suites", |w| w.bytes(suites));
        w.u8_prefixed("compression", |w| w.bytes(compression));
        w.u16_prefixed("extensions", |w| w.bytes(&expanded));
    });
    let inner = Zeroizing::new(w.finish()?);
    check_inner(&parse_inner(&inner)?)?;
    Ok(inner)
}

/// The inner hello's extensions with one `ech_outer_extensions` replaced by the outer
/// extensions it names, in the outer hello's order (§5.1).
fn expand_extensions(exts: &[u8], outer_encoded: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |_| Error::illegal("malformed ClientHelloInner extensions");
    let outer_raw = raw_extensions(outer_encoded).ok_or(Error::Internal("outer extensions"))?;
    let mut out = Writer::new();
    let mut r = Reader::new(exts);
    let mut seen = false;
    while !r.is_empty() {
        let typ = r.u16("extension_type").map_err(bad)?;
        let body = r.bytes_u16("extension_data", 0, 0xffff).map_err(bad)?;
        if typ != ExtensionType::EchOuterExtensions.to_raw() {
            out.u16(typ);
            out.u16_prefixed("extension_data", |w| w.bytes(body));
            continue;
        }
        if core::mem::replace(&mut seen, true) {
            return Err(Error::illegal(
                "two ech_outer_extensions in ClientHelloInner",
            ));
        }
        let mut cursor = outer_raw.iter();
        for want in wire::decode_outer_extensions(body)? {
            if want == ExtensionType::EncryptedClientHello.to_raw()
                || want == ExtensionType::EchOuterExtensions.to_raw()
            {
                return Err(Error::illegal(
                    "ech_outer_extensions names an ECH extension (RFC 9849 §5.1)",
                ));
            }
            let (_, start, len) = cursor.find(|(t, ..)| *t == want).ok_or(Error::illegal(
                "ech_outer_extensions names an extension missing from ClientHelloOuter or out of order (RFC 9849 §5.1)",
            ))?;
            let data = outer_encoded.get(*start..start + len).unwrap_or_default();
            out.u16(want);
            out.u16_prefixed("extension_data", |w| w.bytes(data));
        }
    }
    Ok(Zeroizing::new(out.finish()?))
}

/// Decode a reconstructed inner ClientHello (handshake message).
pub(crate) fn parse_inner(inner: &[u8]) -> Result<ClientHello<'_>, Error> {
    let body = inner.get(4..).unwrap_or_default();
    Reader::read_all(body, "ClientHelloInner", ClientHello::read)
        .map_err(|_| Error::illegal("malformed ClientHelloInner (RFC 9849 §7.1)"))
}

/// The rules an inner hello must meet (§7.1): the inner marker, TLS 1.3 and nothing older.
fn check_inner(inner: &ClientHello<'_>) -> Result<(), Error> {
    let marker = wire::raw_body(&inner.extensions, ExtensionType::EncryptedClientHello);
    if marker != Some(&[1][..]) {
        return Err(Error::illegal(
            "ClientHelloInner without the inner ECH extension (RFC 9849 §7.1)",
        ));
    }
    let versions = inner.supported_versions().unwrap_or_default();
    let real = |v: &&ProtocolVersion| {
        let raw = v.to_raw();
        !(raw & 0x0f0f == 0x0a0a && raw >> 8 == raw & 0xff)
    };
    if !versions.contains(&ProtocolVersion::Tls13)
        || versions
            .iter()
            .filter(real)
            .any(|v| *v < ProtocolVersion::Tls13)
    {
        return Err(Error::illegal(
            "ClientHelloInner must offer TLS 1.3 and nothing older (RFC 9849 §7.1)",
        ));
    }
    Ok(())
}

impl ServerEch {
    /// The random of the inner hello the signal is made from, once ECH is accepted.
    fn inner_random(&self) -> Option<&[u8; 32]> {
        match self {
            ServerEch::Accepted(a) => Some(&a.inner_random),
            ServerEch::Backend(r) => Some(r),
            _ => None,
        }
    }

    /// What the connection reports.
    pub(crate) fn status(&self) -> super::EchStatus {
        match self {
            ServerEch::NotOffered => super::EchStatus::NotOffered,
            ServerEch::Rejected => super::EchStatus::Rejected,
            ServerEch::Accepted(_) | ServerEch::Backend(_) => super::EchStatus::Accepted,
        }
    }

    /// The HelloRetryRequest's `encrypted_client_hello` after accepting ECH (§7.2.1):
    /// the signal over message_hash(ClientHelloInner1) and the HelloRetryRequest with
    /// the extension's eight bytes zeroed, which `encode` builds.
    pub(crate) fn hrr_extension(
        &self,
        hash: &'static dyn tryst_crypto::Hash,
        transcript: &Transcript,
        encode: impl FnOnce(tryst_messages::Extension<'static>) -> Result<Vec<u8>, Error>,
    ) -> Result<Option<tryst_messages::Extension<'static>>, Error> {
        let Some(inner_random) = self.inner_random() else {
            return Ok(None);
        };
        let zeroed = encode(wire::ech_extension(alloc::vec![0; CONFIRMATION_LEN]))?;
        let h = transcript.current_with(&zeroed);
        let signal = accept_confirmation(hash, inner_random, super::LABEL_HRR, h.as_bytes())?;
        Ok(Some(wire::ech_extension(signal.to_vec())))
    }

    /// ServerHello.random after accepting ECH (§7.2): its last eight bytes replaced by
    /// the signal over the transcript through ClientHelloInner (`transcript`) and the
    /// ServerHello with those bytes zeroed, which `encode` builds.
    pub(crate) fn server_hello_random(
        &self,
        hash: &'static dyn tryst_crypto::Hash,
        transcript: &Transcript,
        random: &mut [u8; 32],
        encode: impl FnOnce(&[u8; 32]) -> Result<Vec<u8>, Error>,
    ) -> Result<(), Error> {
        let Some(inner_random) = self.inner_random().copied() else {
            return Ok(());
        };
        let tail = random.iter_mut().skip(32 - CONFIRMATION_LEN);
        tail.for_each(|b| *b = 0);
        let h = transcript.current_with(&encode(random)?);
        let signal = accept_confirmation(hash, &inner_random, super::LABEL_SH, h.as_bytes())?;
        let tail = random.iter_mut().skip(32 - CONFIRMATION_LEN);
        tail.zip(signal).for_each(|(b, s)| *b = s);
        Ok(())
    }

    /// `retry_configs` for EncryptedExtensions after a rejection (§7.1): the configs
    /// marked for retry, if this server has ECH keys.
    pub(crate) fn retry_configs(&self, list: &[u8]) -> Option<tryst_messages::Extension<'static>> {
        match self {
            ServerEch::Rejected if !list.is_empty() => Some(wire::ech_extension(list.to_vec())),
            _ => None,
        }
    }
}
