//! The TLS 1.3 handshake message bodies (RFC 8446 §4), without the four-byte handshake
//! header; [`crate::HandshakeMessage`] adds the framing.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};
use crate::enums::{
    CertificateCompressionAlgorithm, CipherSuite, ExtensionType, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme,
};
use crate::error::{Error, ErrorKind};
use crate::extensions::{
    Bytes, Extension, ExtensionContext, KeyShareEntry, OfferedPsks, encode_extensions,
    find_extension, find_in, own, read_extensions,
};

/// The `random` of a ServerHello that makes it a HelloRetryRequest: SHA-256 of
/// "HelloRetryRequest" (RFC 8446 §4.1.3).
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The longest hash this crate expects in Finished and message_hash (SHA-512).
pub const MAX_HASH_LEN: usize = 64;

fn owned_exts(exts: Vec<Extension<'_>>) -> Vec<Extension<'static>> {
    exts.into_iter().map(Extension::into_owned).collect()
}

/// What a ClientHello or ServerHello of *any* TLS version says about versions, read with
/// only the rules every version shares (RFC 5246 §7.4.1.2 and §7.4.1.3: the extensions
/// block may be absent, and may be shorter than TLS 1.3 allows).
///
/// Version negotiation comes first: a TLS 1.2-only hello must be answered with
/// `protocol_version`, not with the `decode_error` the TLS 1.3 length rules would give
/// (RFC 8446 §4.1.2, §4.2.1, Appendix D.2). Read with [`ClientHello::peek_versions`] or
/// [`ServerHello::peek_versions`], then decode the message proper.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HelloVersions {
    /// `legacy_version` (`client_version` / `server_version` before TLS 1.3).
    pub legacy_version: ProtocolVersion,
    /// `random`; a ServerHello's may carry a downgrade sentinel (RFC 8446 §4.1.3).
    pub random: [u8; 32],
    /// `supported_versions`: the ClientHello's list, or the ServerHello's
    /// `selected_version` as a one-item list; `None` when absent.
    pub supported_versions: Option<Vec<ProtocolVersion>>,
}

impl HelloVersions {
    /// Whether `supported_versions` is present and lists `v`.
    pub fn offers(&self, v: ProtocolVersion) -> bool {
        self.supported_versions
            .as_ref()
            .is_some_and(|list| list.contains(&v))
    }
}

/// The `supported_versions` of an optional extensions block (RFC 5246 framing: types and
/// lengths only, no per-message rule but one `supported_versions` at most).
fn peek_supported_versions(
    r: &mut Reader<'_>,
    ctx: ExtensionContext,
    field: &'static str,
) -> Result<Option<Vec<ProtocolVersion>>, Error> {
    if r.is_empty() {
        return Ok(None);
    }
    r.sub_u16(field, 0, 0xffff, |r| {
        let mut found = None;
        while !r.is_empty() {
            let typ = ExtensionType::read(r)?;
            let data = r.bytes_u16("Extension.extension_data", 0, 0xffff)?;
            if typ != ExtensionType::SupportedVersions {
                continue;
            }
            if found.is_some() {
                return Err(Error::new(field, ErrorKind::DuplicateExtension(typ)));
            }
            found = Some(match Extension::read_body(typ, ctx, data)? {
                Extension::SupportedVersions(v) => v,
                Extension::SelectedVersion(v) => alloc::vec![v],
                _ => Vec::new(),
            });
        }
        Ok(found)
    })
}

/// ClientHello (RFC 8446 §4.1.2).
///
/// ```text
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id<0..32>;
///     CipherSuite cipher_suites<2..2^16-2>;
///     opaque legacy_compression_methods<1..2^8-1>;
///     Extension extensions<8..2^16-1>;
/// } ClientHello;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// `legacy_version`, 0x0303.
    pub legacy_version: ProtocolVersion,
    /// 32 random bytes.
    pub random: [u8; 32],
    /// `legacy_session_id` (non-empty in middlebox compatibility mode).
    pub legacy_session_id: Bytes<'a>,
    /// Offered cipher suites, in preference order.
    pub cipher_suites: Vec<CipherSuite>,
    /// `legacy_compression_methods`, exactly `[0]` in TLS 1.3.
    pub legacy_compression_methods: Bytes<'a>,
    /// Extensions, `pre_shared_key` last if present.
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> ClientHello<'a> {
    /// The first extension of type `typ`.
    pub fn extension(&self, typ: ExtensionType) -> Option<&Extension<'a>> {
        find_extension(&self.extensions, typ)
    }

    /// `supported_versions`: `ProtocolVersion versions<2..254>` (RFC 8446 §4.2.1).
    pub fn supported_versions(&self) -> Option<&[ProtocolVersion]> {
        find_in(&self.extensions, Extension::supported_versions)
    }

    /// `key_share`: `KeyShareEntry client_shares<0..2^16-1>` (RFC 8446 §4.2.8).
    pub fn key_shares(&self) -> Option<&[KeyShareEntry<'a>]> {
        find_in(&self.extensions, Extension::key_share_client)
    }

    /// `supported_groups`: `NamedGroup named_group_list<2..2^16-1>` (RFC 8446 §4.2.7).
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        find_in(&self.extensions, Extension::supported_groups)
    }

    /// `signature_algorithms`: `SignatureScheme supported_signature_algorithms<2..2^16-2>`
    /// (RFC 8446 §4.2.3).
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        find_in(&self.extensions, Extension::signature_algorithms)
    }

    /// `signature_algorithms_cert`, same shape as `signature_algorithms` (RFC 8446 §4.2.3).
    pub fn signature_algorithms_cert(&self) -> Option<&[SignatureScheme]> {
        find_in(&self.extensions, Extension::signature_algorithms_cert)
    }

    /// `server_name`: the `HostName` of the `host_name` entry of `server_name_list`
    /// (RFC 6066 §3).
    pub fn server_name(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::server_name_host)
    }

    /// `application_layer_protocol_negotiation`: `ProtocolName protocol_name_list<2..2^16-1>`
    /// (RFC 7301 §3.1).
    pub fn alpn_protocols(&self) -> Option<&[Bytes<'a>]> {
        find_in(&self.extensions, Extension::alpn)
    }

    /// `psk_key_exchange_modes`: `PskKeyExchangeMode ke_modes<1..255>` (RFC 8446 §4.2.9).
    pub fn psk_key_exchange_modes(&self) -> Option<&[PskKeyExchangeMode]> {
        find_in(&self.extensions, Extension::psk_key_exchange_modes)
    }

    /// `pre_shared_key`: `OfferedPsks` (RFC 8446 §4.2.11).
    pub fn pre_shared_key(&self) -> Option<&OfferedPsks<'a>> {
        find_in(&self.extensions, Extension::pre_shared_key_offer)
    }

    /// `cookie`: `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2).
    pub fn cookie(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::cookie)
    }

    /// `record_size_limit`: `uint16 RecordSizeLimit` (RFC 8449 §4).
    pub fn record_size_limit(&self) -> Option<u16> {
        find_in(&self.extensions, Extension::record_size_limit)
    }

    /// Whether `early_data` is present (RFC 8446 §4.2.10): 0-RTT data follows.
    pub fn early_data(&self) -> bool {
        find_in(&self.extensions, Extension::early_data).is_some()
    }

    /// `compress_certificate` (RFC 8879 §3): the algorithms the client can decompress
    /// the server's certificate with.
    pub fn compress_certificate(&self) -> Option<&[CertificateCompressionAlgorithm]> {
        find_in(&self.extensions, Extension::compress_certificate)
    }

    /// `certificate_authorities`: `DistinguishedName authorities<3..2^16-1>`
    /// (RFC 8446 §4.2.4).
    pub fn certificate_authorities(&self) -> Option<&[Bytes<'a>]> {
        find_in(&self.extensions, Extension::certificate_authorities)
    }

    /// Length of the PSK binders list (with its two-byte length) at the very end of the
    /// message, if the last extension is `pre_shared_key`.
    pub fn psk_binders_len(&self) -> Option<usize> {
        match self.extensions.last() {
            Some(Extension::PreSharedKeyOffer(o)) => Some(o.binders_len()),
            _ => None,
        }
    }

    /// Offset in the encoded handshake message (four-byte header included) where the
    /// PSK binders list starts: the binder transcript is `message[..offset]`
    /// (RFC 8446 §4.2.11.2). `None` without `pre_shared_key`.
    ///
    /// For a parsed ClientHello this is an offset into the bytes it was parsed from,
    /// since decoding and encoding are exact inverses.
    pub fn psk_binders_offset(&self) -> Result<Option<usize>, Error> {
        let Some(binders) = self.psk_binders_len() else {
            return Ok(None);
        };
        let total = HandshakeMessageRef::ClientHello(self).to_bytes()?.len();
        Ok(total.checked_sub(binders))
    }

    /// The encoded handshake message truncated before the PSK binders list: what the
    /// binders are computed over. The binders' values do not matter here, only their
    /// lengths, so a client encodes with zero-filled binders of the right length, computes
    /// the binders, fills them in and encodes again.
    pub fn truncated_for_binders(&self) -> Result<Option<Vec<u8>>, Error> {
        if self.psk_binders_len().is_none() {
            return Ok(None);
        }
        let bytes = HandshakeMessageRef::ClientHello(self).to_bytes()?;
        Ok(self.binders_prefix(&bytes).map(<[u8]>::to_vec))
    }

    /// `encoded` (this ClientHello's handshake message, header included, as received)
    /// truncated before the PSK binders list: what a server checks the binders over
    /// (RFC 8446 §4.2.11.2), without encoding the message again. `None` without
    /// `pre_shared_key`, or if `encoded` is shorter than the binders.
    pub fn binders_prefix<'m>(&self, encoded: &'m [u8]) -> Option<&'m [u8]> {
        let cut = encoded.len().checked_sub(self.psk_binders_len()?)?;
        encoded.get(..cut)
    }

    /// Read only what version negotiation needs from a ClientHello body of any TLS
    /// version (see [`HelloVersions`]); the body must still be well formed as far as
    /// every version agrees.
    pub fn peek_versions(body: &[u8]) -> Result<HelloVersions, Error> {
        Reader::read_all(body, "ClientHello", |r| {
            let legacy_version = ProtocolVersion::read(r)?;
            let random = r.array("ClientHello.random")?;
            r.bytes_u8("ClientHello.legacy_session_id", 0, 32)?;
            r.bytes_u16("ClientHello.cipher_suites", 2, 0xfffe)?;
            r.bytes_u8("ClientHello.legacy_compression_methods", 1, 0xff)?;
            let supported_versions = peek_supported_versions(
                r,
                ExtensionContext::ClientHello,
                "ClientHello.extensions",
            )?;
            Ok(HelloVersions {
                legacy_version,
                random,
                supported_versions,
            })
        })
    }

    /// An owned copy.
    pub fn into_owned(self) -> ClientHello<'static> {
        ClientHello {
            legacy_version: self.legacy_version,
            random: self.random,
            legacy_session_id: own(self.legacy_session_id),
            cipher_suites: self.cipher_suites,
            legacy_compression_methods: own(self.legacy_compression_methods),
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for ClientHello<'a> {
    fn encode(&self, w: &mut Writer) {
        self.legacy_version.encode(w);
        w.bytes(&self.random);
        w.u8_prefixed("ClientHello.legacy_session_id", |w| {
            w.bytes(&self.legacy_session_id);
        });
        w.u16_prefixed("ClientHello.cipher_suites", |w| {
            for c in &self.cipher_suites {
                c.encode(w);
            }
        });
        w.u8_prefixed("ClientHello.legacy_compression_methods", |w| {
            w.bytes(&self.legacy_compression_methods);
        });
        encode_extensions(w, "ClientHello.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Self::read_versioned(r, false)
    }
}

impl<'a> ClientHello<'a> {
    /// Read a ClientHello body with the TLS 1.2 rules (RFC 5246 §7.4.1.2): the
    /// extensions block may be absent or shorter than TLS 1.3's minimum of 8 bytes.
    /// An absent block reads as no extensions, and encodes again as an empty block
    /// (`00 00`): the transcript must hash the bytes received, never a re-encoding.
    /// The rules every extension shares (no duplicates, shapes) still apply.
    pub fn read_tls12(r: &mut Reader<'a>) -> Result<Self, Error> {
        Self::read_versioned(r, true)
    }

    /// [`ClientHello::read_tls12`] over a whole body (trailing bytes are an error).
    pub fn decode_tls12(body: &'a [u8]) -> Result<Self, Error> {
        Reader::read_all(body, "ClientHello", Self::read_tls12)
    }

    /// `extended_master_secret` is present (RFC 7627 §5.1).
    pub fn extended_master_secret(&self) -> bool {
        find_in(&self.extensions, Extension::extended_master_secret).is_some()
    }

    /// `renegotiation_info`: `opaque renegotiated_connection<0..255>` (RFC 5746 §3.2).
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::renegotiation_info)
    }

    /// `session_ticket`: the RFC 5077 ticket offered for resumption (empty: "I support
    /// tickets, issue me one").
    pub fn session_ticket(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::session_ticket)
    }

    /// `ec_point_formats`: `ECPointFormat ec_point_format_list<1..2^8-1>` (RFC 8422
    /// §5.1.2). A TLS 1.2 server must refuse a list without `uncompressed` (0).
    pub fn ec_point_formats(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::ec_point_formats)
    }

    fn read_versioned(r: &mut Reader<'a>, tls12: bool) -> Result<Self, Error> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random = r.array("ClientHello.random")?;
        let legacy_session_id =
            Cow::Borrowed(r.bytes_u8("ClientHello.legacy_session_id", 0, 32)?);
        let suites = r.bytes_u16("ClientHello.cipher_suites", 2, 0xfffe)?;
        if !suites.len().is_multiple_of(2) {
            return Err(Error::new(
                "ClientHello.cipher_suites",
                ErrorKind::RaggedList,
            ));
        }
        let cipher_suites = Reader::read_all(suites, "ClientHello.cipher_suites", |r| {
            r.list(CipherSuite::read)
        })?;
        let legacy_compression_methods =
            Cow::Borrowed(r.bytes_u8("ClientHello.legacy_compression_methods", 1, 0xff)?);
        let extensions = if tls12 && r.is_empty() {
            Vec::new()
        } else {
            read_extensions(
                r,
                ExtensionContext::ClientHello,
                "ClientHello.extensions",
                if tls12 { 0 } else { 8 },
                0xffff,
            )?
        };
        Ok(Self {
            legacy_version,
            random,
            legacy_session_id,
            cipher_suites,
            legacy_compression_methods,
            extensions,
        })
    }
}

/// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4): a HelloRetryRequest is
/// a ServerHello whose `random` is [`HELLO_RETRY_REQUEST_RANDOM`]; its extensions are
/// read in the HelloRetryRequest shapes.
///
/// ```text
/// struct {
///     ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
///     Random random;
///     opaque legacy_session_id_echo<0..32>;
///     CipherSuite cipher_suite;
///     uint8 legacy_compression_method = 0;
///     Extension extensions<6..2^16-1>;
/// } ServerHello;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// `legacy_version`, 0x0303.
    pub legacy_version: ProtocolVersion,
    /// 32 bytes; [`HELLO_RETRY_REQUEST_RANDOM`] for a HelloRetryRequest.
    pub random: [u8; 32],
    /// Echo of the client's `legacy_session_id`.
    pub legacy_session_id_echo: Bytes<'a>,
    /// The selected cipher suite.
    pub cipher_suite: CipherSuite,
    /// `legacy_compression_method`, 0.
    pub legacy_compression_method: u8,
    /// Extensions.
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> ServerHello<'a> {
    /// Whether this is a HelloRetryRequest (RFC 8446 §4.1.3).
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The first extension of type `typ`.
    pub fn extension(&self, typ: ExtensionType) -> Option<&Extension<'a>> {
        find_extension(&self.extensions, typ)
    }

    /// Read only what version negotiation needs from a ServerHello body of any TLS
    /// version (see [`HelloVersions`]).
    pub fn peek_versions(body: &[u8]) -> Result<HelloVersions, Error> {
        Reader::read_all(body, "ServerHello", |r| {
            let legacy_version = ProtocolVersion::read(r)?;
            let random: [u8; 32] = r.array("ServerHello.random")?;
            r.bytes_u8("ServerHello.legacy_session_id_echo", 0, 32)?;
            CipherSuite::read(r)?;
            r.u8("ServerHello.legacy_compression_method")?;
            let ctx = if random == HELLO_RETRY_REQUEST_RANDOM {
                ExtensionContext::HelloRetryRequest
            } else {
                ExtensionContext::ServerHello
            };
            let supported_versions = peek_supported_versions(r, ctx, "ServerHello.extensions")?;
            Ok(HelloVersions {
                legacy_version,
                random,
                supported_versions,
            })
        })
    }

    /// `supported_versions`: `ProtocolVersion selected_version` (RFC 8446 §4.2.1).
    pub fn selected_version(&self) -> Option<ProtocolVersion> {
        find_in(&self.extensions, Extension::selected_version)
    }

    /// `key_share`: `KeyShareEntry server_share` (RFC 8446 §4.2.8).
    pub fn key_share(&self) -> Option<&KeyShareEntry<'a>> {
        find_in(&self.extensions, Extension::key_share_server)
    }

    /// `pre_shared_key`: `uint16 selected_identity` (RFC 8446 §4.2.11).
    pub fn selected_psk(&self) -> Option<u16> {
        find_in(&self.extensions, Extension::pre_shared_key_selected)
    }

    /// `cookie` of a HelloRetryRequest: `opaque cookie<1..2^16-1>` (RFC 8446 §4.2.2).
    pub fn cookie(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::cookie)
    }

    /// `key_share` of a HelloRetryRequest: `NamedGroup selected_group` (RFC 8446 §4.2.8).
    pub fn hello_retry_group(&self) -> Option<NamedGroup> {
        find_in(&self.extensions, Extension::key_share_hello_retry)
    }

    /// An owned copy.
    pub fn into_owned(self) -> ServerHello<'static> {
        ServerHello {
            legacy_version: self.legacy_version,
            random: self.random,
            legacy_session_id_echo: own(self.legacy_session_id_echo),
            cipher_suite: self.cipher_suite,
            legacy_compression_method: self.legacy_compression_method,
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for ServerHello<'a> {
    fn encode(&self, w: &mut Writer) {
        self.legacy_version.encode(w);
        w.bytes(&self.random);
        w.u8_prefixed("ServerHello.legacy_session_id_echo", |w| {
            w.bytes(&self.legacy_session_id_echo);
        });
        self.cipher_suite.encode(w);
        w.u8(self.legacy_compression_method);
        encode_extensions(w, "ServerHello.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Self::read_versioned(r, false)
    }
}

impl<'a> ServerHello<'a> {
    /// Read a TLS 1.2 ServerHello body (RFC 5246 §7.4.1.3): no HelloRetryRequest, the
    /// extensions in their TLS 1.2 shapes ([`ExtensionContext::Tls12ServerHello`]), and
    /// the extensions block may be absent (it then encodes again as an empty block, so
    /// hash the bytes received).
    pub fn read_tls12(r: &mut Reader<'a>) -> Result<Self, Error> {
        Self::read_versioned(r, true)
    }

    /// [`ServerHello::read_tls12`] over a whole body (trailing bytes are an error).
    pub fn decode_tls12(body: &'a [u8]) -> Result<Self, Error> {
        Reader::read_all(body, "ServerHello", Self::read_tls12)
    }

    /// `extended_master_secret` is present (RFC 7627 §5.2).
    pub fn extended_master_secret(&self) -> bool {
        find_in(&self.extensions, Extension::extended_master_secret).is_some()
    }

    /// `renegotiation_info`: `opaque renegotiated_connection<0..255>` (RFC 5746 §3.2).
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::renegotiation_info)
    }

    /// The (empty) `session_ticket` is present: a NewSessionTicket will follow
    /// (RFC 5077 §3.2).
    pub fn session_ticket_ack(&self) -> bool {
        find_in(&self.extensions, Extension::session_ticket).is_some()
    }

    /// `ec_point_formats` (RFC 8422 §5.1.2); a parsed TLS 1.2 ServerHello's list
    /// includes `uncompressed`.
    pub fn ec_point_formats(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::ec_point_formats)
    }

    /// `application_layer_protocol_negotiation` of a TLS 1.2 ServerHello: the one
    /// selected protocol (RFC 7301 §3.1).
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        find_in(&self.extensions, Extension::alpn)
            .and_then(<[Bytes<'a>]>::first)
            .map(AsRef::as_ref)
    }

    fn read_versioned(r: &mut Reader<'a>, tls12: bool) -> Result<Self, Error> {
        let legacy_version = ProtocolVersion::read(r)?;
        let random: [u8; 32] = r.array("ServerHello.random")?;
        let legacy_session_id_echo =
            Cow::Borrowed(r.bytes_u8("ServerHello.legacy_session_id_echo", 0, 32)?);
        let cipher_suite = CipherSuite::read(r)?;
        let legacy_compression_method = r.u8("ServerHello.legacy_compression_method")?;
        let extensions = if tls12 {
            if r.is_empty() {
                Vec::new()
            } else {
                read_extensions(
                    r,
                    ExtensionContext::Tls12ServerHello,
                    "ServerHello.extensions",
                    0,
                    0xffff,
                )?
            }
        } else {
            let ctx = if random == HELLO_RETRY_REQUEST_RANDOM {
                ExtensionContext::HelloRetryRequest
            } else {
                ExtensionContext::ServerHello
            };
            read_extensions(r, ctx, "ServerHello.extensions", 6, 0xffff)?
        };
        Ok(Self {
            legacy_version,
            random,
            legacy_session_id_echo,
            cipher_suite,
            legacy_compression_method,
            extensions,
        })
    }
}

/// EncryptedExtensions (RFC 8446 §4.3.1).
///
/// ```text
/// struct {
///     Extension extensions<0..2^16-1>;
/// } EncryptedExtensions;
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EncryptedExtensions<'a> {
    /// Extensions.
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> EncryptedExtensions<'a> {
    /// `application_layer_protocol_negotiation`: `ProtocolName protocol_name_list<2..2^16-1>`,
    /// exactly one name in a parsed message (RFC 7301 §3.1).
    pub fn alpn(&self) -> Option<&[Bytes<'a>]> {
        find_in(&self.extensions, Extension::alpn)
    }

    /// `record_size_limit`: `uint16 RecordSizeLimit` (RFC 8449 §4).
    pub fn record_size_limit(&self) -> Option<u16> {
        find_in(&self.extensions, Extension::record_size_limit)
    }

    /// Whether the empty `server_name` is present: the server used the name (RFC 6066 §3).
    pub fn server_name_ack(&self) -> bool {
        find_in(&self.extensions, Extension::server_name_ack).is_some()
    }

    /// Whether the empty `early_data` is present: 0-RTT data was accepted
    /// (RFC 8446 §4.2.10).
    pub fn early_data(&self) -> bool {
        find_in(&self.extensions, Extension::early_data).is_some()
    }

    /// An owned copy.
    pub fn into_owned(self) -> EncryptedExtensions<'static> {
        EncryptedExtensions {
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for EncryptedExtensions<'a> {
    fn encode(&self, w: &mut Writer) {
        encode_extensions(w, "EncryptedExtensions.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            extensions: read_extensions(
                r,
                ExtensionContext::EncryptedExtensions,
                "EncryptedExtensions.extensions",
                0,
                0xffff,
            )?,
        })
    }
}

/// CertificateRequest (RFC 8446 §4.3.2). Decoding requires `signature_algorithms`
/// (`missing_extension` otherwise).
///
/// ```text
/// struct {
///     opaque certificate_request_context<0..2^8-1>;
///     Extension extensions<2..2^16-1>;
/// } CertificateRequest;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// Echoed in the client's Certificate.
    pub certificate_request_context: Bytes<'a>,
    /// Extensions; `signature_algorithms` is mandatory.
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> CertificateRequest<'a> {
    /// `signature_algorithms`: `SignatureScheme supported_signature_algorithms<2..2^16-2>`
    /// (RFC 8446 §4.2.3); always present in a parsed message.
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        find_in(&self.extensions, Extension::signature_algorithms)
    }

    /// `certificate_authorities`: `DistinguishedName authorities<3..2^16-1>`
    /// (RFC 8446 §4.2.4).
    pub fn certificate_authorities(&self) -> Option<&[Bytes<'a>]> {
        find_in(&self.extensions, Extension::certificate_authorities)
    }

    /// `compress_certificate` (RFC 8879 §3): the algorithms the server can decompress a
    /// client's certificate with.
    pub fn compress_certificate(&self) -> Option<&[CertificateCompressionAlgorithm]> {
        find_in(&self.extensions, Extension::compress_certificate)
    }

    /// An owned copy.
    pub fn into_owned(self) -> CertificateRequest<'static> {
        CertificateRequest {
            certificate_request_context: own(self.certificate_request_context),
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for CertificateRequest<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8_prefixed("CertificateRequest.certificate_request_context", |w| {
            w.bytes(&self.certificate_request_context);
        });
        encode_extensions(w, "CertificateRequest.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let certificate_request_context =
            Cow::Borrowed(r.bytes_u8("CertificateRequest.certificate_request_context", 0, 0xff)?);
        let extensions = read_extensions(
            r,
            ExtensionContext::CertificateRequest,
            "CertificateRequest.extensions",
            2,
            0xffff,
        )?;
        if find_extension(&extensions, ExtensionType::SignatureAlgorithms).is_none() {
            return Err(Error::new(
                "CertificateRequest.extensions",
                ErrorKind::MissingExtension(ExtensionType::SignatureAlgorithms),
            ));
        }
        Ok(Self {
            certificate_request_context,
            extensions,
        })
    }
}

/// One certificate of a Certificate message (RFC 8446 §4.4.2).
///
/// ```text
/// struct {
///     opaque cert_data<1..2^24-1>;      /* X.509 DER or RawPublicKey */
///     Extension extensions<0..2^16-1>;
/// } CertificateEntry;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateEntry<'a> {
    /// The DER certificate (or SubjectPublicKeyInfo for raw public keys).
    pub cert_data: Bytes<'a>,
    /// Per-certificate extensions (OCSP response, SCTs).
    pub extensions: Vec<Extension<'a>>,
}

impl<'a> CertificateEntry<'a> {
    /// An entry without extensions.
    pub fn new(cert_data: &'a [u8]) -> Self {
        Self {
            cert_data: Cow::Borrowed(cert_data),
            extensions: Vec::new(),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> CertificateEntry<'static> {
        CertificateEntry {
            cert_data: own(self.cert_data),
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for CertificateEntry<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u24_prefixed("CertificateEntry.cert_data", |w| w.bytes(&self.cert_data));
        encode_extensions(w, "CertificateEntry.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            cert_data: Cow::Borrowed(r.bytes_u24("CertificateEntry.cert_data", 1, 0x00ff_ffff)?),
            extensions: read_extensions(
                r,
                ExtensionContext::Certificate,
                "CertificateEntry.extensions",
                0,
                0xffff,
            )?,
        })
    }
}

/// Certificate (RFC 8446 §4.4.2).
///
/// ```text
/// struct {
///     opaque certificate_request_context<0..2^8-1>;
///     CertificateEntry certificate_list<0..2^24-1>;
/// } Certificate;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// Empty in the server's Certificate; echoes the CertificateRequest's otherwise.
    pub certificate_request_context: Bytes<'a>,
    /// End-entity certificate first.
    pub certificate_list: Vec<CertificateEntry<'a>>,
}

impl Certificate<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Certificate<'static> {
        Certificate {
            certificate_request_context: own(self.certificate_request_context),
            certificate_list: self
                .certificate_list
                .into_iter()
                .map(CertificateEntry::into_owned)
                .collect(),
        }
    }
}

impl<'a> Codec<'a> for Certificate<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8_prefixed("Certificate.certificate_request_context", |w| {
            w.bytes(&self.certificate_request_context);
        });
        w.u24_prefixed("Certificate.certificate_list", |w| {
            for e in &self.certificate_list {
                e.encode(w);
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            certificate_request_context: Cow::Borrowed(r.bytes_u8(
                "Certificate.certificate_request_context",
                0,
                0xff,
            )?),
            certificate_list: r.sub_u24("Certificate.certificate_list", 0, 0x00ff_ffff, |r| {
                r.list(CertificateEntry::read)
            })?,
        })
    }
}

/// CertificateVerify (RFC 8446 §4.4.3).
///
/// ```text
/// struct {
///     SignatureScheme algorithm;
///     opaque signature<0..2^16-1>;
/// } CertificateVerify;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify<'a> {
    /// The signature algorithm.
    pub algorithm: SignatureScheme,
    /// The signature.
    pub signature: Bytes<'a>,
}

impl CertificateVerify<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> CertificateVerify<'static> {
        CertificateVerify {
            algorithm: self.algorithm,
            signature: own(self.signature),
        }
    }
}

impl<'a> Codec<'a> for CertificateVerify<'a> {
    fn encode(&self, w: &mut Writer) {
        self.algorithm.encode(w);
        w.u16_prefixed("CertificateVerify.signature", |w| w.bytes(&self.signature));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            algorithm: SignatureScheme::read(r)?,
            signature: Cow::Borrowed(r.bytes_u16("CertificateVerify.signature", 0, 0xffff)?),
        })
    }
}

/// Finished (RFC 8446 §4.4.4).
///
/// ```text
/// struct {
///     opaque verify_data[Hash.length];
/// } Finished;
/// ```
///
/// `verify_data` is not self-describing: its length is the negotiated hash's. The
/// [`Codec`] impl takes the whole handshake body (1 to [`MAX_HASH_LEN`] bytes, the only
/// thing the framing can check); a receiver that knows the hash uses
/// [`Finished::read_with_hash_len`] or [`Finished::check_hash_len`], and must compare
/// `verify_data` in constant time anyway (a wrong length then fails as `decrypt_error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished<'a> {
    /// HMAC over the transcript.
    pub verify_data: Bytes<'a>,
}

impl<'a> Finished<'a> {
    /// Read a Finished whose `verify_data` must be exactly `hash_len` bytes.
    pub fn read_with_hash_len(r: &mut Reader<'a>, hash_len: usize) -> Result<Self, Error> {
        Ok(Self {
            verify_data: Cow::Borrowed(r.take(hash_len, "Finished.verify_data")?),
        })
    }

    /// A `decode_error` unless `verify_data` is `hash_len` bytes long.
    pub fn check_hash_len(&self, hash_len: usize) -> Result<(), Error> {
        let got = self.verify_data.len();
        if got == hash_len {
            Ok(())
        } else {
            Err(Error::new(
                "Finished.verify_data",
                ErrorKind::LengthOutOfRange {
                    got,
                    min: hash_len,
                    max: hash_len,
                },
            ))
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Finished<'static> {
        Finished {
            verify_data: own(self.verify_data),
        }
    }
}

fn read_hash<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<&'a [u8], Error> {
    let v = r.rest();
    if v.is_empty() || v.len() > MAX_HASH_LEN {
        return Err(Error::new(
            field,
            ErrorKind::LengthOutOfRange {
                got: v.len(),
                min: 1,
                max: MAX_HASH_LEN,
            },
        ));
    }
    Ok(v)
}

impl<'a> Codec<'a> for Finished<'a> {
    fn encode(&self, w: &mut Writer) {
        w.bytes(&self.verify_data);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            verify_data: Cow::Borrowed(read_hash(r, "Finished.verify_data")?),
        })
    }
}

/// NewSessionTicket (RFC 8446 §4.6.1).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime;
///     uint32 ticket_age_add;
///     opaque ticket_nonce<0..255>;
///     opaque ticket<1..2^16-1>;
///     Extension extensions<0..2^16-2>;
/// } NewSessionTicket;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket<'a> {
    /// Seconds the ticket may be used (at most 604800).
    pub ticket_lifetime: u32,
    /// Added to the ticket age to obfuscate it.
    pub ticket_age_add: u32,
    /// Per-ticket nonce for the resumption PSK.
    pub ticket_nonce: Bytes<'a>,
    /// The opaque ticket (the PSK identity).
    pub ticket: Bytes<'a>,
    /// Extensions (`early_data` with `max_early_data_size`).
    pub extensions: Vec<Extension<'a>>,
}

impl NewSessionTicket<'_> {
    /// `early_data`: `uint32 max_early_data_size` (RFC 8446 §4.2.10).
    pub fn max_early_data_size(&self) -> Option<u32> {
        find_in(&self.extensions, Extension::max_early_data_size)
    }

    /// An owned copy.
    pub fn into_owned(self) -> NewSessionTicket<'static> {
        NewSessionTicket {
            ticket_lifetime: self.ticket_lifetime,
            ticket_age_add: self.ticket_age_add,
            ticket_nonce: own(self.ticket_nonce),
            ticket: own(self.ticket),
            extensions: owned_exts(self.extensions),
        }
    }
}

impl<'a> Codec<'a> for NewSessionTicket<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.ticket_lifetime);
        w.u32(self.ticket_age_add);
        w.u8_prefixed("NewSessionTicket.ticket_nonce", |w| {
            w.bytes(&self.ticket_nonce)
        });
        w.u16_prefixed("NewSessionTicket.ticket", |w| w.bytes(&self.ticket));
        encode_extensions(w, "NewSessionTicket.extensions", &self.extensions);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            ticket_lifetime: r.u32("NewSessionTicket.ticket_lifetime")?,
            ticket_age_add: r.u32("NewSessionTicket.ticket_age_add")?,
            ticket_nonce: Cow::Borrowed(r.bytes_u8("NewSessionTicket.ticket_nonce", 0, 255)?),
            ticket: Cow::Borrowed(r.bytes_u16("NewSessionTicket.ticket", 1, 0xffff)?),
            extensions: read_extensions(
                r,
                ExtensionContext::NewSessionTicket,
                "NewSessionTicket.extensions",
                0,
                0xfffe,
            )?,
        })
    }
}

/// `KeyUpdateRequest` (RFC 8446 §4.6.3): a closed enum, any other value is
/// `illegal_parameter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyUpdateRequest {
    /// `update_not_requested` (0).
    UpdateNotRequested,
    /// `update_requested` (1).
    UpdateRequested,
}

/// KeyUpdate (RFC 8446 §4.6.3).
///
/// ```text
/// struct {
///     KeyUpdateRequest request_update;
/// } KeyUpdate;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUpdate {
    /// Whether the peer must answer with its own KeyUpdate.
    pub request_update: KeyUpdateRequest,
}

impl<'a> Codec<'a> for KeyUpdate {
    fn encode(&self, w: &mut Writer) {
        w.u8(match self.request_update {
            KeyUpdateRequest::UpdateNotRequested => 0,
            KeyUpdateRequest::UpdateRequested => 1,
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let request_update = match r.u8("KeyUpdate.request_update")? {
            0 => KeyUpdateRequest::UpdateNotRequested,
            1 => KeyUpdateRequest::UpdateRequested,
            _ => {
                return Err(Error::new(
                    "KeyUpdate.request_update",
                    ErrorKind::IllegalValue,
                ));
            }
        };
        Ok(Self { request_update })
    }
}

/// CompressedCertificate (RFC 8879 §4): a Certificate message body compressed with an
/// algorithm the receiver offered in `compress_certificate`.
///
/// ```text
/// struct {
///     CertificateCompressionAlgorithm algorithm;
///     uint24 uncompressed_length;
///     opaque compressed_certificate_message<1..2^24-1>;
/// } CompressedCertificate;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressedCertificate<'a> {
    /// The algorithm used.
    pub algorithm: CertificateCompressionAlgorithm,
    /// The length of the Certificate message body once decompressed (at most 2^24-1).
    pub uncompressed_length: u32,
    /// The compressed Certificate message body.
    pub compressed_certificate_message: Bytes<'a>,
}

impl CompressedCertificate<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> CompressedCertificate<'static> {
        CompressedCertificate {
            algorithm: self.algorithm,
            uncompressed_length: self.uncompressed_length,
            compressed_certificate_message: own(self.compressed_certificate_message),
        }
    }
}

impl<'a> Codec<'a> for CompressedCertificate<'a> {
    fn encode(&self, w: &mut Writer) {
        self.algorithm.encode(w);
        w.u24(
            "CompressedCertificate.uncompressed_length",
            self.uncompressed_length,
        );
        w.u24_prefixed("compressed_certificate_message", |w| {
            w.bytes(&self.compressed_certificate_message);
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let algorithm = CertificateCompressionAlgorithm::read(r)?;
        let uncompressed_length = r.u24("CompressedCertificate.uncompressed_length")?;
        let message = r.bytes_u24(
            "CompressedCertificate.compressed_certificate_message",
            1,
            0x00ff_ffff,
        )?;
        Ok(Self {
            algorithm,
            uncompressed_length,
            compressed_certificate_message: Cow::Borrowed(message),
        })
    }
}

/// EndOfEarlyData (RFC 8446 §4.5): an empty body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct EndOfEarlyData;

impl<'a> Codec<'a> for EndOfEarlyData {
    fn encode(&self, _: &mut Writer) {}

    fn read(_: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self)
    }
}

/// The synthetic `message_hash` message that replaces ClientHello1 in the transcript
/// after a HelloRetryRequest (RFC 8446 §4.4.1): type 254, body `Hash(ClientHello1)`.
/// It never goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageHash<'a> {
    /// `Hash(ClientHello1)`.
    pub hash: Bytes<'a>,
}

impl<'a> MessageHash<'a> {
    /// A message_hash over `hash`.
    pub fn new(hash: &'a [u8]) -> Self {
        Self {
            hash: Cow::Borrowed(hash),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> MessageHash<'static> {
        MessageHash {
            hash: own(self.hash),
        }
    }
}

impl<'a> Codec<'a> for MessageHash<'a> {
    fn encode(&self, w: &mut Writer) {
        w.bytes(&self.hash);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            hash: Cow::Borrowed(read_hash(r, "MessageHash.hash")?),
        })
    }
}

/// A borrowed view used to frame a message body without cloning it.
pub(crate) enum HandshakeMessageRef<'m, 'a> {
    ClientHello(&'m ClientHello<'a>),
}

impl HandshakeMessageRef<'_, '_> {
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        match self {
            Self::ClientHello(ch) => {
                crate::handshake::encode_framed(&mut w, crate::HandshakeType::ClientHello, |w| {
                    ch.encode(w);
                });
            }
        }
        w.finish()
    }
}
