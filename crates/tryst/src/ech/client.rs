//! The client side of ECH (RFC 9849 §6): choosing a config, the inner and outer
//! ClientHellos, GREASE, and reading the server's answer.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use rustls_pki_types::{DnsName, ServerName};
use tryst_crypto::zeroize::Zeroizing;
use tryst_hpke::{AeadId, Kdf, Kem, SenderContext, Suite};
use tryst_keyschedule::Transcript;
use tryst_messages::{
    AlertDescription, ClientHello, Codec, EchConfig, EchConfigContents, EchConfigList, Extension,
    ExtensionType, HandshakeMessage, HpkeSymmetricCipherSuite, Reader, ServerHello,
};

use super::wire::{self, OuterEch};
use super::{EchStatus, LABEL_HRR, LABEL_SH, accept_confirmation, confirmation_matches};
use crate::Error;
use crate::config::{RngRef, SecureRandom};

/// How a client uses ECH ([`crate::ClientConfigBuilder::with_ech`]).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum EchMode {
    /// No `encrypted_client_hello` extension.
    Disabled,
    /// A GREASE extension (RFC 9849 §6.2), random bytes shaped like a real offer, so that
    /// real offers do not stand out. The default, as in browsers. Hides nothing.
    #[default]
    Grease,
    /// Encrypt the real ClientHello with this config.
    Enabled(EchClientConfig),
}

/// One ECHConfig a client can use: the first supported one of an `ECHConfigList`.
#[derive(Clone)]
pub struct EchClientConfig {
    /// The ECHConfig as serialized in the list: HPKE's `info` includes it (§6.1).
    config_bytes: Vec<u8>,
    config_id: u8,
    suite: Suite,
    symmetric: HpkeSymmetricCipherSuite,
    public_key: tryst_hpke::PublicKey,
    public_name: DnsName<'static>,
    maximum_name_length: u8,
}

impl core::fmt::Debug for EchClientConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EchClientConfig")
            .field("config_id", &self.config_id)
            .field("public_name", &self.public_name)
            .field("kem", &self.suite.kem())
            .field("kdf", &self.suite.kdf())
            .field("aead", &self.suite.aead())
            .finish()
    }
}

impl EchClientConfig {
    /// The first config of `list` (an `ECHConfigList` as a DNS HTTPS record's `ech`
    /// parameter carries it, decoded from base64) that this client supports: version
    /// 0xfe0d, a valid DNS public name, no mandatory extension, KEM X25519 or P-256, KDF
    /// HKDF-SHA256/384, an AEAD of AES-128/256-GCM or ChaCha20-Poly1305 (§6.1).
    pub fn from_config_list(list: &[u8]) -> Result<Self, Error> {
        let parsed = Reader::read_all(list, "ECHConfigList", EchConfigList::read)
            .map_err(|_| Error::Config("malformed ECHConfigList"))?;
        parsed
            .configs
            .iter()
            .find_map(|c| match c {
                EchConfig::Fe0d(contents) => Self::usable(c, contents),
                EchConfig::Unknown { .. } => None,
            })
            .ok_or(Error::Config("no supported ECHConfig in the ECHConfigList"))
    }

    fn usable(config: &EchConfig<'_>, c: &EchConfigContents<'_>) -> Option<Self> {
        if c.extensions.iter().any(|e| e.is_mandatory()) {
            return None;
        }
        let name = core::str::from_utf8(&c.public_name).ok()?;
        // §6.1: a public name whose last label is numeric (an IPv4 address) is unusable.
        let last = name
            .trim_end_matches('.')
            .rsplit('.')
            .next()
            .unwrap_or_default();
        if last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x") {
            return None;
        }
        let public_name = DnsName::try_from(name).ok()?.to_owned();
        let kem = Kem::from_id(c.key_config.kem_id).ok()?;
        let symmetric = *c.key_config.cipher_suites.iter().find(|s| {
            Kdf::from_id(s.kdf_id).is_ok()
                && AeadId::from_id(s.aead_id).is_ok_and(|a| a != AeadId::ExportOnly)
        })?;
        let suite = Suite::from_ids(kem.id(), symmetric.kdf_id, symmetric.aead_id).ok()?;
        let public_key = suite
            .deserialize_public_key(&c.key_config.public_key)
            .ok()?;
        Some(EchClientConfig {
            config_bytes: config.to_bytes().ok()?,
            config_id: c.key_config.config_id,
            suite,
            symmetric,
            public_key,
            public_name,
            maximum_name_length: c.maximum_name_length,
        })
    }

    /// The name the outer ClientHello carries (and the certificate of a rejecting server
    /// must match).
    pub fn public_name(&self) -> &str {
        self.public_name.as_ref()
    }

    /// The config's identifier.
    pub fn config_id(&self) -> u8 {
        self.config_id
    }
}

/// Where an ECH offer stands after a HelloRetryRequest.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Only the first ClientHello sent.
    First,
    /// The HelloRetryRequest confirmed ECH: the second hello is encrypted too.
    AcceptedHrr,
    /// The HelloRetryRequest did not confirm ECH: rejected.
    RejectedHrr,
}

/// A real offer: the HPKE context and what the answer is checked against.
pub(crate) struct Offer {
    config: EchClientConfig,
    sender: SenderContext,
    enc: Vec<u8>,
    /// The outer ClientHello's random (the inner one's is the connection's).
    outer_random: [u8; 32],
    inner_random: [u8; 32],
    phase: Phase,
    /// The first outer hello's extension, copied into a second hello after rejection.
    first_extension: Vec<u8>,
    /// The latest inner ClientHello (handshake message), for the transcript: it holds
    /// what ECH hides, so it is wiped on drop.
    inner_hello: Zeroizing<Vec<u8>>,
    /// The inner transcript after an accepting HelloRetryRequest and the second hello.
    inner_transcript: Option<Transcript>,
    accepted: Option<bool>,
    retry_configs: Option<Vec<u8>>,
}

/// The ECH state of one client connection.
pub(crate) enum ClientEch {
    /// The GREASE extension body (the same in both hellos, §6.2).
    Grease(Vec<u8>),
    Real(Box<Offer>),
}

impl ClientEch {
    /// The ECH state for a new connection, from the config's mode.
    pub(crate) fn start(
        mode: &EchMode,
        rng: &dyn SecureRandom,
        inner_random: [u8; 32],
    ) -> Result<Option<Self>, Error> {
        match mode {
            EchMode::Disabled => Ok(None),
            EchMode::Grease => Ok(Some(ClientEch::Grease(grease_body(rng)))),
            EchMode::Enabled(config) => {
                let mut info = b"tls ech\0".to_vec();
                info.extend_from_slice(&config.config_bytes);
                let (enc, sender) = tryst_hpke::setup_base_s(
                    &config.suite,
                    &config.public_key,
                    &info,
                    &mut RngRef(rng),
                )
                .map_err(|_| Error::Internal("HPKE setup for ECH"))?;
                let mut outer_random = [0u8; 32];
                rng.fill(&mut outer_random);
                Ok(Some(ClientEch::Real(Box::new(Offer {
                    config: config.clone(),
                    sender,
                    enc,
                    outer_random,
                    inner_random,
                    phase: Phase::First,
                    first_extension: Vec::new(),
                    inner_hello: Zeroizing::new(Vec::new()),
                    inner_transcript: None,
                    accepted: None,
                    retry_configs: None,
                }))))
            }
        }
    }

    /// What the connection reports before the server answers.
    pub(crate) fn initial_status(&self) -> EchStatus {
        match self {
            ClientEch::Grease(_) => EchStatus::Grease,
            ClientEch::Real(_) => EchStatus::Offered,
        }
    }

    /// The extension the (inner) ClientHello carries: GREASE, or the inner marker.
    pub(crate) fn hello_extension(&self) -> Extension<'static> {
        match self {
            ClientEch::Grease(body) => wire::ech_extension(body.clone()),
            ClientEch::Real(_) => wire::inner_marker(),
        }
    }

    /// Put the inner hello's extensions in the order compression needs (§5.1): those
    /// copied from the outer hello first, then the server name and the ECH marker, then
    /// pre_shared_key (still last, RFC 8446 §4.2.11).
    pub(crate) fn arrange(&self, exts: &mut [Extension<'_>]) {
        if let ClientEch::Real(_) = self {
            exts.sort_by_key(|e| match e.ext_type() {
                ExtensionType::PreSharedKey => 2,
                t if !compressible(t) => 1,
                _ => 0,
            });
        }
    }

    /// For a real offer, the inner ClientHello (handshake message) of the latest `seal`:
    /// what the PSK binder and the 0-RTT keys cover (RFC 9849 §6.1).
    pub(crate) fn inner_hello(&self) -> Option<&[u8]> {
        match self {
            ClientEch::Real(offer) => Some(&offer.inner_hello),
            _ => None,
        }
    }

    /// For a real offer, the outer ClientHello (handshake message) that carries `inner`
    /// encrypted; the inner one is kept for the transcript. `None` for GREASE.
    pub(crate) fn seal(&mut self, inner: &ClientHello<'_>) -> Result<Option<Vec<u8>>, Error> {
        let ClientEch::Real(offer) = self else {
            return Ok(None);
        };
        offer.inner_hello =
            Zeroizing::new(HandshakeMessage::ClientHello(inner.clone()).to_bytes()?);
        offer.seal_outer(inner).map(Some)
    }

    /// The inner transcript through a HelloRetryRequest that confirms ECH (§6.1.5), or
    /// `None` when it does not (which rejects ECH) or for GREASE.
    pub(crate) fn on_hello_retry_request(
        &mut self,
        hash: &'static dyn tryst_crypto::Hash,
        hrr: &ServerHello<'_>,
        encoded: &[u8],
    ) -> Result<Option<Transcript>, Error> {
        let ClientEch::Real(offer) = self else {
            return Ok(None);
        };
        let mut t = Transcript::new(hash);
        t.add(&offer.inner_hello)?;
        t.replace_with_message_hash()?;
        let signal = wire::raw_body(&hrr.extensions, ExtensionType::EncryptedClientHello);
        let confirmed = match signal {
            Some(got) => {
                let zeroed = zero_hrr_confirmation(encoded, got)?;
                let h = t.current_with(&zeroed);
                let want = accept_confirmation(hash, &offer.inner_random, LABEL_HRR, h.as_bytes())?;
                confirmation_matches(got, &want)
            }
            None => false,
        };
        if !confirmed {
            offer.phase = Phase::RejectedHrr;
            offer.accepted = Some(false);
            return Ok(None);
        }
        offer.phase = Phase::AcceptedHrr;
        t.add(encoded)?;
        Ok(Some(t))
    }

    /// After the second hello: the inner transcript gains the second inner hello.
    pub(crate) fn keep_inner_transcript(&mut self, mut t: Transcript) -> Result<(), Error> {
        if let ClientEch::Real(offer) = self {
            t.add(&offer.inner_hello)?;
            offer.inner_transcript = Some(t);
        }
        Ok(())
    }

    /// ServerHello (§6.1.4): accepted if its random carries the confirmation; returns the
    /// inner transcript through ServerHello then, `None` when the outer hello stands.
    pub(crate) fn on_server_hello(
        &mut self,
        hash: &'static dyn tryst_crypto::Hash,
        encoded: &[u8],
    ) -> Result<Option<Transcript>, Error> {
        let ClientEch::Real(offer) = self else {
            return Ok(None);
        };
        let mut t = match (offer.phase, offer.inner_transcript.take()) {
            (Phase::RejectedHrr, _) => return Ok(None),
            (Phase::AcceptedHrr, Some(t)) => t,
            (Phase::AcceptedHrr, None) => return Err(Error::Internal("ECH transcript")),
            (Phase::First, _) => {
                let mut t = Transcript::new(hash);
                t.add(&offer.inner_hello)?;
                t
            }
        };
        let zeroed = super::zero_sh_confirmation(encoded)?;
        let h = t.current_with(&zeroed);
        let want = accept_confirmation(hash, &offer.inner_random, LABEL_SH, h.as_bytes())?;
        let got = encoded
            .get(super::SH_CONFIRMATION_OFFSET..super::SH_CONFIRMATION_OFFSET + 8)
            .unwrap_or_default();
        let accepted = confirmation_matches(got, &want);
        if offer.phase == Phase::AcceptedHrr && !accepted {
            return Err(Error::illegal(
                "ECH accepted in HelloRetryRequest but not in ServerHello (RFC 9849 §6.1.5)",
            ));
        }
        offer.accepted = Some(accepted);
        if !accepted {
            return Ok(None);
        }
        t.add(encoded)?;
        Ok(Some(t))
    }

    /// The status once ServerHello was read.
    pub(crate) fn status(&self) -> EchStatus {
        match self {
            ClientEch::Grease(_) => EchStatus::Grease,
            ClientEch::Real(o) => match o.accepted {
                Some(true) => EchStatus::Accepted,
                Some(false) => EchStatus::Rejected,
                None => EchStatus::Offered,
            },
        }
    }

    /// The outer ClientHello's random, when ECH was rejected (the handshake used it).
    pub(crate) fn rejected_outer_random(&self) -> Option<[u8; 32]> {
        match self {
            ClientEch::Real(o) if o.accepted == Some(false) => Some(o.outer_random),
            _ => None,
        }
    }

    /// The name the server's certificate must match after a rejection: the public name
    /// (§6.1.7).
    pub(crate) fn rejected_public_name(&self) -> Option<ServerName<'static>> {
        match self {
            ClientEch::Real(o) if o.accepted == Some(false) => {
                Some(ServerName::DnsName(o.config.public_name.clone()))
            }
            _ => None,
        }
    }

    /// EncryptedExtensions' `encrypted_client_hello` (§6.1.6): retry_configs, kept after a
    /// rejection; an error after acceptance; ignored for GREASE (§6.2).
    pub(crate) fn on_encrypted_extensions(&mut self, body: Option<&[u8]>) -> Result<(), Error> {
        let (ClientEch::Real(offer), Some(body)) = (self, body) else {
            return Ok(());
        };
        if offer.accepted == Some(true) {
            return Err(Error::misbehaved(
                AlertDescription::UnsupportedExtension,
                "retry_configs after accepting ECH (RFC 9849 §7.2)",
            ));
        }
        Reader::read_all(body, "retry_configs", EchConfigList::read).map_err(|_| {
            Error::misbehaved(AlertDescription::DecodeError, "malformed retry_configs")
        })?;
        offer.retry_configs = Some(body.to_vec());
        Ok(())
    }

    /// After the server authenticated as the public name: the error a rejection ends
    /// the handshake with (§6.1.7).
    pub(crate) fn rejection(&mut self) -> Option<Error> {
        match self {
            ClientEch::Real(o) if o.accepted == Some(false) => Some(Error::EchRejected {
                retry_configs: o.retry_configs.take(),
            }),
            _ => None,
        }
    }
}

/// Extensions the outer hello repeats and the inner one references (§5.1): all but the
/// server name, ECH itself and the PSK ones (which the outer hello must not carry).
fn compressible(t: ExtensionType) -> bool {
    !matches!(
        t,
        ExtensionType::ServerName
            | ExtensionType::EncryptedClientHello
            | ExtensionType::PreSharedKey
            | ExtensionType::EarlyData
    )
}

impl Offer {
    /// EncodedClientHelloInner, ClientHelloOuterAAD and the sealed outer hello (§5.1,
    /// §5.2, §6.1.3).
    fn seal_outer(&mut self, inner: &ClientHello<'_>) -> Result<Vec<u8>, Error> {
        let compressed: Vec<ExtensionType> = (inner.extensions.iter())
            .map(Extension::ext_type)
            .filter(|t| compressible(*t))
            .collect();
        let mut outer_exts: Vec<Extension<'_>> = (inner.extensions.iter())
            .filter(|e| compressible(e.ext_type()))
            .cloned()
            .collect();
        outer_exts.push(Extension::ServerName(vec![tryst_messages::ServerName {
            name_type: 0,
            name: Cow::Owned(self.config.public_name.as_ref().as_bytes().to_vec()),
        }]));
        let mut outer = ClientHello {
            random: self.outer_random,
            extensions: outer_exts,
            ..inner.clone()
        };
        if self.phase == Phase::RejectedHrr {
            outer
                .extensions
                .push(wire::ech_extension(self.first_extension.clone()));
            return Ok(HandshakeMessage::ClientHello(outer).to_bytes()?);
        }
        let encoded = self.encode_inner(inner, &compressed)?;
        let enc: &[u8] = match self.phase {
            Phase::First => &self.enc,
            _ => &[],
        };
        let tag_len = self.config.suite.aead().n_t();
        let zeros = vec![0u8; encoded.len() + tag_len];
        let ext = |payload: &[u8]| {
            OuterEch {
                suite: self.config.symmetric,
                config_id: self.config.config_id,
                enc,
                payload,
            }
            .encode()
        };
        outer.extensions.push(wire::ech_extension(ext(&zeros)));
        let aad = HandshakeMessage::ClientHello(outer.clone()).to_bytes()?;
        let aad = aad.get(4..).unwrap_or_default();
        let payload =
            (self.sender.seal(aad, &encoded)).map_err(|_| Error::Internal("HPKE seal for ECH"))?;
        let body = ext(&payload);
        if self.phase == Phase::First {
            self.first_extension.clone_from(&body);
        }
        if let Some(last) = outer.extensions.last_mut() {
            *last = wire::ech_extension(body);
        }
        Ok(HandshakeMessage::ClientHello(outer).to_bytes()?)
    }

    /// EncodedClientHelloInner (§5.1): the inner hello without legacy_session_id, the
    /// `compressed` extensions replaced by one ech_outer_extensions, then zero padding
    /// (§6.1.3).
    fn encode_inner(
        &self,
        inner: &ClientHello<'_>,
        compressed: &[ExtensionType],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut exts = Vec::new();
        if !compressed.is_empty() {
            exts.push(wire::outer_extensions(compressed));
        }
        exts.extend(
            (inner.extensions.iter())
                .filter(|e| !compressible(e.ext_type()))
                .cloned(),
        );
        let sni_len = inner.server_name().map(<[u8]>::len);
        let stripped = ClientHello {
            legacy_session_id: Cow::Borrowed(&[]),
            extensions: exts,
            ..inner.clone()
        };
        let msg = HandshakeMessage::ClientHello(stripped).to_bytes()?;
        let mut body = Zeroizing::new(msg.get(4..).unwrap_or_default().to_vec());
        let max = usize::from(self.config.maximum_name_length);
        let mut padding = match sni_len {
            Some(n) => max.saturating_sub(n),
            None => max + 9,
        };
        padding += 31 - ((body.len() + padding).saturating_sub(1) % 32);
        let len = body.len() + padding;
        body.resize(len, 0);
        Ok(body)
    }
}

/// A copy of an encoded HelloRetryRequest whose ECH extension (body `got`, inside
/// `encoded`) is zeroed (§7.2.1). The body is the last match in the message: the
/// extensions come last.
fn zero_hrr_confirmation(encoded: &[u8], got: &[u8]) -> Result<Vec<u8>, Error> {
    let mut copy = encoded.to_vec();
    let start = find_extension_body(encoded, ExtensionType::EncryptedClientHello, got.len())
        .ok_or(Error::Internal("HelloRetryRequest ECH extension not found"))?;
    if let Some(s) = copy.get_mut(start..start + got.len()) {
        s.fill(0);
    }
    Ok(copy)
}

/// Where the body of the extension of type `typ` (and length `len`) starts in an encoded
/// ServerHello/HelloRetryRequest.
pub(crate) fn find_extension_body(encoded: &[u8], typ: ExtensionType, len: usize) -> Option<usize> {
    // header 4, version 2, random 32, session id, suite 2, compression 1, extensions.
    let sid_len = usize::from(*encoded.get(4 + 2 + 32)?);
    let mut at = 4 + 2 + 32 + 1 + sid_len + 2 + 1 + 2;
    while at + 4 <= encoded.len() {
        let t = u16::from_be_bytes([*encoded.get(at)?, *encoded.get(at + 1)?]);
        let l = usize::from(u16::from_be_bytes([
            *encoded.get(at + 2)?,
            *encoded.get(at + 3)?,
        ]));
        if t == typ.to_raw() && l == len {
            return Some(at + 4);
        }
        at += 4 + l;
    }
    None
}

/// A GREASE `encrypted_client_hello` body (§6.2): a random config id, an X25519-sized
/// `enc` and a payload as long as tryst's padded, compressed inner hellos are (a multiple
/// of 32 plus the 16-byte tag: 112 to 208 bytes).
/// The random bytes a GREASE ECH extension takes (`grease_body`).
pub(crate) const GREASE_RANDOM_LEN: usize = 2 + 32 + 112 + 32 * 3;

fn grease_body(rng: &dyn SecureRandom) -> Vec<u8> {
    // One call to the generator for all of it (each call can be a system call): the
    // config id, the payload size, the encapsulated key, then the payload.
    let mut random = [0u8; GREASE_RANDOM_LEN];
    rng.fill(&mut random);
    let [config_id, size, ..] = random;
    let rest = random.get(2..).unwrap_or_default();
    let (enc, payload) = rest.split_at_checked(32).unwrap_or_default();
    let len = 112 + 32 * usize::from(size % 4);
    let payload = payload.get(..len).unwrap_or(payload);
    OuterEch {
        suite: HpkeSymmetricCipherSuite {
            kdf_id: Kdf::HkdfSha256.id(),
            aead_id: AeadId::Aes128Gcm.id(),
        },
        config_id,
        enc,
        payload,
    }
    .encode()
}
