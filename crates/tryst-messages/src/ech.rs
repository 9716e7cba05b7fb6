//! The ECH configuration (RFC 9849 §4): `ECHConfigList`, `ECHConfig` version 0xfe0d and
//! its parts, as servers publish them (DNS HTTPS records) and send them
//! (`retry_configs`). Code points only: the HPKE suite behind them is `tryst-hpke`'s.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};
use crate::error::{Error, ErrorKind};
use crate::extensions::Bytes;

/// The ECHConfig version this crate parses (RFC 9849 §4). Other versions are kept as
/// [`EchConfig::Unknown`], which clients skip.
pub const ECH_VERSION: u16 = 0xfe0d;

/// Most configs accepted in one `ECHConfigList`. A server publishes one per key it holds
/// (usually one to three); each costs a client a look at its suites.
pub const MAX_ECH_CONFIGS: usize = 16;

/// Most `HpkeSymmetricCipherSuite`s accepted in one config: there are a handful of
/// KDF × AEAD pairs in the HPKE registry, so 64 leaves room for GREASE.
pub const MAX_ECH_CIPHER_SUITES: usize = 64;

/// Most extensions accepted in one config (none are defined yet).
pub const MAX_ECH_CONFIG_EXTENSIONS: usize = 32;

/// `struct { HpkeKdfId kdf_id; HpkeAeadId aead_id; } HpkeSymmetricCipherSuite;`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HpkeSymmetricCipherSuite {
    /// HPKE KDF identifier (RFC 9180 §7.2).
    pub kdf_id: u16,
    /// HPKE AEAD identifier (RFC 9180 §7.3).
    pub aead_id: u16,
}

impl<'a> Codec<'a> for HpkeSymmetricCipherSuite {
    fn encode(&self, w: &mut Writer) {
        w.u16(self.kdf_id);
        w.u16(self.aead_id);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            kdf_id: r.u16("HpkeSymmetricCipherSuite.kdf_id")?,
            aead_id: r.u16("HpkeSymmetricCipherSuite.aead_id")?,
        })
    }
}

/// ```text
/// struct {
///     uint8 config_id;
///     HpkeKemId kem_id;
///     HpkePublicKey public_key;            // opaque HpkePublicKey<1..2^16-1>
///     HpkeSymmetricCipherSuite cipher_suites<4..2^16-4>;
/// } HpkeKeyConfig;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpkeKeyConfig<'a> {
    /// Identifies the config to the server in the ClientHello's `encrypted_client_hello`.
    pub config_id: u8,
    /// HPKE KEM identifier (RFC 9180 §7.1).
    pub kem_id: u16,
    /// The server's serialized HPKE public key.
    pub public_key: Bytes<'a>,
    /// The KDF/AEAD pairs the server accepts (at most [`MAX_ECH_CIPHER_SUITES`]).
    pub cipher_suites: Vec<HpkeSymmetricCipherSuite>,
}

impl HpkeKeyConfig<'_> {
    /// A copy that owns its bytes.
    pub fn into_owned(self) -> HpkeKeyConfig<'static> {
        HpkeKeyConfig {
            config_id: self.config_id,
            kem_id: self.kem_id,
            public_key: Cow::Owned(self.public_key.into_owned()),
            cipher_suites: self.cipher_suites,
        }
    }
}

impl<'a> Codec<'a> for HpkeKeyConfig<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8(self.config_id);
        w.u16(self.kem_id);
        w.u16_prefixed("HpkeKeyConfig.public_key", |w| w.bytes(&self.public_key));
        w.u16_prefixed("HpkeKeyConfig.cipher_suites", |w| {
            for s in &self.cipher_suites {
                s.encode(w);
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        const FIELD: &str = "HpkeKeyConfig.cipher_suites";
        let config_id = r.u8("HpkeKeyConfig.config_id")?;
        let kem_id = r.u16("HpkeKeyConfig.kem_id")?;
        let public_key = Cow::Borrowed(r.bytes_u16("HpkeKeyConfig.public_key", 1, 0xffff)?);
        let suites = r.bytes_u16(FIELD, 4, 0xfffc)?;
        if suites.len() % 4 != 0 {
            return Err(Error::new(FIELD, ErrorKind::RaggedList));
        }
        let cipher_suites = Reader::read_all(suites, FIELD, |r| {
            r.list_capped(FIELD, MAX_ECH_CIPHER_SUITES, HpkeSymmetricCipherSuite::read)
        })?;
        Ok(Self {
            config_id,
            kem_id,
            public_key,
            cipher_suites,
        })
    }
}

/// `struct { ECHConfigExtensionType type; opaque data<0..2^16-1>; } ECHConfigExtension;`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigExtension<'a> {
    /// The extension type.
    pub extension_type: u16,
    /// Its contents, uninterpreted.
    pub data: Bytes<'a>,
}

impl EchConfigExtension<'_> {
    /// Whether the extension is mandatory (the high bit of its type, RFC 9849 §4.2): a
    /// client that does not understand a mandatory extension must skip the config.
    pub fn is_mandatory(&self) -> bool {
        self.extension_type & 0x8000 != 0
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> EchConfigExtension<'static> {
        EchConfigExtension {
            extension_type: self.extension_type,
            data: Cow::Owned(self.data.into_owned()),
        }
    }
}

impl<'a> Codec<'a> for EchConfigExtension<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u16(self.extension_type);
        w.u16_prefixed("ECHConfigExtension.data", |w| w.bytes(&self.data));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            extension_type: r.u16("ECHConfigExtension.type")?,
            data: Cow::Borrowed(r.bytes_u16("ECHConfigExtension.data", 0, 0xffff)?),
        })
    }
}

/// ```text
/// struct {
///     HpkeKeyConfig key_config;
///     uint8 maximum_name_length;
///     opaque public_name<1..255>;
///     ECHConfigExtension extensions<0..2^16-1>;
/// } ECHConfigContents;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigContents<'a> {
    /// The HPKE key and suites.
    pub key_config: HpkeKeyConfig<'a>,
    /// The longest name the client should pad its inner server name to.
    pub maximum_name_length: u8,
    /// The name of the client-facing server, for the outer ClientHello's SNI.
    /// (Whether it is a usable DNS name is the client's check, RFC 9849 §6.1.)
    pub public_name: Bytes<'a>,
    /// Extensions (at most [`MAX_ECH_CONFIG_EXTENSIONS`]), uninterpreted.
    pub extensions: Vec<EchConfigExtension<'a>>,
}

impl EchConfigContents<'_> {
    /// A copy that owns its bytes.
    pub fn into_owned(self) -> EchConfigContents<'static> {
        EchConfigContents {
            key_config: self.key_config.into_owned(),
            maximum_name_length: self.maximum_name_length,
            public_name: Cow::Owned(self.public_name.into_owned()),
            extensions: self
                .extensions
                .into_iter()
                .map(EchConfigExtension::into_owned)
                .collect(),
        }
    }
}

impl<'a> Codec<'a> for EchConfigContents<'a> {
    fn encode(&self, w: &mut Writer) {
        self.key_config.encode(w);
        w.u8(self.maximum_name_length);
        w.u8_prefixed("ECHConfigContents.public_name", |w| {
            w.bytes(&self.public_name)
        });
        w.u16_prefixed("ECHConfigContents.extensions", |w| {
            for e in &self.extensions {
                e.encode(w);
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        const FIELD: &str = "ECHConfigContents.extensions";
        let key_config = HpkeKeyConfig::read(r)?;
        let maximum_name_length = r.u8("ECHConfigContents.maximum_name_length")?;
        let public_name = Cow::Borrowed(r.bytes_u8("ECHConfigContents.public_name", 1, 255)?);
        let extensions = r.sub_u16(FIELD, 0, 0xffff, |r| {
            r.list_capped(FIELD, MAX_ECH_CONFIG_EXTENSIONS, EchConfigExtension::read)
        })?;
        Ok(Self {
            key_config,
            maximum_name_length,
            public_name,
            extensions,
        })
    }
}

/// ```text
/// struct {
///     uint16 version;
///     uint16 length;
///     select (ECHConfig.version) {
///       case 0xfe0d: ECHConfigContents contents;
///     }
/// } ECHConfig;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EchConfig<'a> {
    /// Version 0xfe0d ([`ECH_VERSION`], RFC 9849).
    Fe0d(EchConfigContents<'a>),
    /// Another version: kept whole so a list round-trips; clients skip it.
    Unknown {
        /// The version.
        version: u16,
        /// The contents, uninterpreted.
        contents: Bytes<'a>,
    },
}

impl EchConfig<'_> {
    /// The version field.
    pub fn version(&self) -> u16 {
        match self {
            EchConfig::Fe0d(_) => ECH_VERSION,
            EchConfig::Unknown { version, .. } => *version,
        }
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> EchConfig<'static> {
        match self {
            EchConfig::Fe0d(c) => EchConfig::Fe0d(c.into_owned()),
            EchConfig::Unknown { version, contents } => EchConfig::Unknown {
                version,
                contents: Cow::Owned(contents.into_owned()),
            },
        }
    }
}

impl<'a> Codec<'a> for EchConfig<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u16(self.version());
        w.u16_prefixed("ECHConfig.contents", |w| match self {
            EchConfig::Fe0d(c) => c.encode(w),
            EchConfig::Unknown { contents, .. } => w.bytes(contents),
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        const FIELD: &str = "ECHConfig.contents";
        let version = r.u16("ECHConfig.version")?;
        let contents = r.bytes_u16(FIELD, 0, 0xffff)?;
        if version == ECH_VERSION {
            Reader::read_all(contents, FIELD, EchConfigContents::read).map(EchConfig::Fe0d)
        } else {
            Ok(EchConfig::Unknown {
                version,
                contents: Cow::Borrowed(contents),
            })
        }
    }
}

/// `ECHConfig ECHConfigList<4..2^16-1>;` (at most [`MAX_ECH_CONFIGS`] configs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EchConfigList<'a> {
    /// The configs, in the server's order of preference.
    pub configs: Vec<EchConfig<'a>>,
}

impl EchConfigList<'_> {
    /// A copy that owns its bytes.
    pub fn into_owned(self) -> EchConfigList<'static> {
        EchConfigList {
            configs: self
                .configs
                .into_iter()
                .map(EchConfig::into_owned)
                .collect(),
        }
    }
}

impl<'a> Codec<'a> for EchConfigList<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u16_prefixed("ECHConfigList", |w| {
            for c in &self.configs {
                c.encode(w);
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        const FIELD: &str = "ECHConfigList";
        let configs = r.sub_u16(FIELD, 4, 0xffff, |r| {
            r.list_capped(FIELD, MAX_ECH_CONFIGS, EchConfig::read)
        })?;
        Ok(Self { configs })
    }
}
