//! Extensions (RFC 8446 §4.2 and the RFCs that define the older ones), each with the
//! shape of the message it appears in.
//!
//! An extension whose type this crate has no shape for *in that message* is kept as
//! [`Extension::Unknown`] with its raw body, so it round-trips and the state machine can
//! decide (RFC 8446 §4.2: ignore unknown ones, reject known ones in the wrong message;
//! see [`allowed_in`]).

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};
use crate::enums::{
    CertificateCompressionAlgorithm, ExtensionType, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme,
};
use crate::error::{Error, ErrorKind};

/// Borrowed (from parsing) or owned (built or stored) bytes.
pub type Bytes<'a> = Cow<'a, [u8]>;

/// The most `KeyShareEntry` values a ClientHello's `key_share` may hold; more is
/// `illegal_parameter` ([`ErrorKind::TooManyItems`]).
///
/// RFC 8446 §4.2.8 allows one share per group of `supported_groups` and lets the
/// server check the shares against that list. Clients send one to four (a hybrid, a
/// classic curve, GREASE); OpenSSL's server looks at no more than 16. A share costs a
/// server nothing until it is chosen, so the cap bounds memory and the share-to-group
/// checks, not cryptography.
pub const MAX_KEY_SHARES: usize = 32;

/// The most PSK identities (and binders) a ClientHello's `pre_shared_key` may offer; more
/// is `illegal_parameter` ([`ErrorKind::TooManyItems`]).
///
/// RFC 8446 §4.2.11 lets a server pick any one identity or none. Each identity a server
/// tries costs it a ticket decryption, so the offer is capped; clients offer one or two.
pub const MAX_PSK_IDENTITIES: usize = 16;

pub(crate) fn own(b: Bytes<'_>) -> Bytes<'static> {
    Cow::Owned(b.into_owned())
}

/// The message an extensions block belongs to; it decides each extension's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtensionContext {
    /// ClientHello ("CH").
    ClientHello,
    /// ServerHello ("SH").
    ServerHello,
    /// HelloRetryRequest ("HRR").
    HelloRetryRequest,
    /// EncryptedExtensions ("EE").
    EncryptedExtensions,
    /// CertificateRequest ("CR").
    CertificateRequest,
    /// A CertificateEntry of a Certificate message ("CT").
    Certificate,
    /// NewSessionTicket ("NST").
    NewSessionTicket,
    /// A TLS 1.2 ServerHello (RFC 5246 §7.4.1.4): the server's answers to the
    /// ClientHello's extensions, in their TLS 1.2 shapes ("SH12").
    Tls12ServerHello,
}

/// Whether RFC 8446 §4.2's table (plus RFC 8449 and the TLS 1.2 ClientHello extensions)
/// lets extension `typ` appear in `ctx`. Unregistered types return `true` (they are
/// ignored, not rejected). A known type in the wrong message calls for `illegal_parameter`.
pub fn allowed_in(typ: ExtensionType, ctx: ExtensionContext) -> bool {
    use ExtensionContext::{
        Certificate as CT, CertificateRequest as CR, ClientHello as CH, EncryptedExtensions as EE,
        HelloRetryRequest as HRR, NewSessionTicket as NST, ServerHello as SH,
        Tls12ServerHello as SH12,
    };
    use ExtensionType as T;
    let allowed: &[ExtensionContext] = match typ {
        T::SupportedGroups => &[CH, EE],
        T::ServerName
        | T::MaxFragmentLength
        | T::UseSrtp
        | T::Heartbeat
        | T::ApplicationLayerProtocolNegotiation
        | T::ClientCertificateType
        | T::ServerCertificateType
        | T::RecordSizeLimit => &[CH, EE, SH12],
        T::StatusRequest | T::SignedCertificateTimestamp => &[CH, CR, CT, SH12],
        T::SignatureAlgorithms | T::SignatureAlgorithmsCert | T::CertificateAuthorities => {
            &[CH, CR]
        }
        T::Padding | T::PskKeyExchangeModes | T::PostHandshakeAuth => &[CH],
        // The TLS 1.2 extensions: the client offers, a TLS 1.2 server answers.
        T::ExtendedMasterSecret
        | T::SessionTicket
        | T::RenegotiationInfo
        | T::EcPointFormats
        | T::EncryptThenMac => &[CH, SH12],
        T::CompressCertificate => &[CH, CR],
        T::PreSharedKey => &[CH, SH],
        T::EarlyData => &[CH, EE, NST],
        T::SupportedVersions | T::KeyShare => &[CH, SH, HRR],
        T::Cookie => &[CH, HRR],
        T::OidFilters => &[CR],
        T::EncryptedClientHello => &[CH, EE, HRR],
        // RFC 9849 §5.1: only inside an EncodedClientHelloInner, which the server expands
        // before anything else sees the inner hello.
        T::EchOuterExtensions => &[],
        T::Unknown(_) => return true,
    };
    allowed.contains(&ctx)
}

/// One name of a `server_name` list (RFC 6066 §3).
///
/// ```text
/// struct {
///     NameType name_type;
///     select (name_type) { case host_name: HostName; } name;
/// } ServerName;
/// opaque HostName<1..2^16-1>;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerName<'a> {
    /// `host_name` is 0, the only type defined.
    pub name_type: u8,
    /// The name's bytes (for `host_name`, an ASCII DNS name without trailing dot).
    pub name: Bytes<'a>,
}

impl ServerName<'_> {
    /// A `host_name` entry.
    pub fn host_name(name: &[u8]) -> ServerName<'_> {
        ServerName {
            name_type: 0,
            name: Cow::Borrowed(name),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> ServerName<'static> {
        ServerName {
            name_type: self.name_type,
            name: own(self.name),
        }
    }
}

impl<'a> Codec<'a> for ServerName<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8(self.name_type);
        w.u16_prefixed("ServerName.name", |w| w.bytes(&self.name));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            name_type: r.u8("ServerName.name_type")?,
            name: Cow::Borrowed(r.bytes_u16("ServerName.name", 1, 0xffff)?),
        })
    }
}

/// `status_request` in a ClientHello, `status_type` ocsp (RFC 6066 §8).
///
/// ```text
/// struct {
///     CertificateStatusType status_type;   /* ocsp(1) */
///     ResponderID responder_id_list<0..2^16-1>;
///     Extensions  request_extensions;      /* opaque <0..2^16-1> */
/// } CertificateStatusRequest;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspStatusRequest<'a> {
    /// The encoded `responder_id_list` contents (without its length).
    pub responder_id_list: Bytes<'a>,
    /// The encoded `request_extensions` contents (without its length).
    pub request_extensions: Bytes<'a>,
}

impl<'a> Codec<'a> for OcspStatusRequest<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8(1);
        w.u16_prefixed("status_request.responder_id_list", |w| {
            w.bytes(&self.responder_id_list);
        });
        w.u16_prefixed("status_request.request_extensions", |w| {
            w.bytes(&self.request_extensions);
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        if r.u8("status_request")? != 1 {
            return Err(Error::new("status_request", ErrorKind::IllegalValue));
        }
        Ok(Self {
            responder_id_list: Cow::Borrowed(r.bytes_u16(
                "status_request.responder_id_list",
                0,
                0xffff,
            )?),
            request_extensions: Cow::Borrowed(r.bytes_u16(
                "status_request.request_extensions",
                0,
                0xffff,
            )?),
        })
    }
}

/// `PskIdentity` (RFC 8446 §4.2.11).
///
/// ```text
/// struct {
///     opaque identity<1..2^16-1>;
///     uint32 obfuscated_ticket_age;
/// } PskIdentity;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PskIdentity<'a> {
    /// The ticket or external PSK label.
    pub identity: Bytes<'a>,
    /// Ticket age plus `ticket_age_add`, mod 2^32.
    pub obfuscated_ticket_age: u32,
}

impl<'a> Codec<'a> for PskIdentity<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u16_prefixed("PskIdentity.identity", |w| w.bytes(&self.identity));
        w.u32(self.obfuscated_ticket_age);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            identity: Cow::Borrowed(r.bytes_u16("PskIdentity.identity", 1, 0xffff)?),
            obfuscated_ticket_age: r.u32("PskIdentity.obfuscated_ticket_age")?,
        })
    }
}

/// `OfferedPsks` (RFC 8446 §4.2.11): always the last ClientHello extension.
///
/// ```text
/// opaque PskBinderEntry<32..255>;
/// struct {
///     PskIdentity identities<7..2^16-1>;
///     PskBinderEntry binders<33..2^16-1>;
/// } OfferedPsks;
/// ```
///
/// Decoding requires as many binders as identities (`illegal_parameter` otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks<'a> {
    /// The offered identities.
    pub identities: Vec<PskIdentity<'a>>,
    /// One binder per identity, in the same order.
    pub binders: Vec<Bytes<'a>>,
}

impl OfferedPsks<'_> {
    /// Encoded length of the `binders` vector including its two-byte length: the number
    /// of bytes at the end of the ClientHello that the binder computation leaves out.
    pub fn binders_len(&self) -> usize {
        self.binders.iter().fold(2usize, |acc, b| {
            acc.saturating_add(1).saturating_add(b.len())
        })
    }

    fn encode_binders(&self, w: &mut Writer) {
        w.u16_prefixed("OfferedPsks.binders", |w| {
            for b in &self.binders {
                w.u8_prefixed("PskBinderEntry", |w| w.bytes(b));
            }
        });
    }
}

impl<'a> Codec<'a> for OfferedPsks<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u16_prefixed("OfferedPsks.identities", |w| {
            encode_all(w, &self.identities)
        });
        self.encode_binders(w);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let identities = r.sub_u16("OfferedPsks.identities", 7, 0xffff, |r| {
            r.list_capped(
                "OfferedPsks.identities",
                MAX_PSK_IDENTITIES,
                PskIdentity::read,
            )
        })?;
        let binders = r.sub_u16("OfferedPsks.binders", 33, 0xffff, |r| {
            r.list_capped("OfferedPsks.binders", MAX_PSK_IDENTITIES, |r| {
                Ok(Cow::Borrowed(r.bytes_u8("PskBinderEntry", 32, 255)?))
            })
        })?;
        if binders.len() != identities.len() {
            return Err(Error::new("OfferedPsks.binders", ErrorKind::IllegalValue));
        }
        Ok(Self {
            identities,
            binders,
        })
    }
}

/// One `OIDFilter` of a CertificateRequest's `oid_filters` (RFC 8446 §4.2.5).
///
/// ```text
/// struct {
///     opaque certificate_extension_oid<1..2^8-1>;
///     opaque certificate_extension_values<0..2^16-1>;
/// } OIDFilter;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidFilter<'a> {
    /// DER-encoded OID of a certificate extension (without tag and length).
    pub certificate_extension_oid: Bytes<'a>,
    /// DER-encoded values the extension must match.
    pub certificate_extension_values: Bytes<'a>,
}

impl<'a> Codec<'a> for OidFilter<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8_prefixed("OIDFilter.certificate_extension_oid", |w| {
            w.bytes(&self.certificate_extension_oid);
        });
        w.u16_prefixed("OIDFilter.certificate_extension_values", |w| {
            w.bytes(&self.certificate_extension_values);
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            certificate_extension_oid: Cow::Borrowed(r.bytes_u8(
                "OIDFilter.certificate_extension_oid",
                1,
                0xff,
            )?),
            certificate_extension_values: Cow::Borrowed(r.bytes_u16(
                "OIDFilter.certificate_extension_values",
                0,
                0xffff,
            )?),
        })
    }
}

/// `KeyShareEntry` (RFC 8446 §4.2.8).
///
/// ```text
/// struct {
///     NamedGroup group;
///     opaque key_exchange<1..2^16-1>;
/// } KeyShareEntry;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    /// The group.
    pub group: NamedGroup,
    /// The public value.
    pub key_exchange: Bytes<'a>,
}

impl<'a> KeyShareEntry<'a> {
    /// An entry borrowing `key_exchange`.
    pub fn new(group: NamedGroup, key_exchange: &'a [u8]) -> Self {
        Self {
            group,
            key_exchange: Cow::Borrowed(key_exchange),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> KeyShareEntry<'static> {
        KeyShareEntry {
            group: self.group,
            key_exchange: own(self.key_exchange),
        }
    }
}

impl<'a> Codec<'a> for KeyShareEntry<'a> {
    fn encode(&self, w: &mut Writer) {
        self.group.encode(w);
        w.u16_prefixed("KeyShareEntry.key_exchange", |w| {
            w.bytes(&self.key_exchange)
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            group: NamedGroup::read(r)?,
            key_exchange: Cow::Borrowed(r.bytes_u16("KeyShareEntry.key_exchange", 1, 0xffff)?),
        })
    }
}

/// One extension, in the shape of the message that carries it.
///
/// ```text
/// struct {
///     ExtensionType extension_type;
///     opaque extension_data<0..2^16-1>;
/// } Extension;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Extension<'a> {
    /// `server_name` in ClientHello: `ServerName server_name_list<1..2^16-1>`.
    ServerName(Vec<ServerName<'a>>),
    /// `server_name` in EncryptedExtensions: empty, "the name was used".
    ServerNameAck,
    /// `max_fragment_length` (RFC 6066 §4): one byte, 1 to 4.
    MaxFragmentLength(u8),
    /// `status_request` in ClientHello with `status_type` ocsp.
    StatusRequest(OcspStatusRequest<'a>),
    /// `status_request` in CertificateRequest: empty.
    StatusRequestEmpty,
    /// `status_request` in a CertificateEntry: `CertificateStatus` with an OCSP response,
    /// `opaque OCSPResponse<1..2^24-1>`.
    OcspResponse(Bytes<'a>),
    /// `supported_groups`: `NamedGroup named_group_list<2..2^16-1>`.
    SupportedGroups(Vec<NamedGroup>),
    /// `signature_algorithms`: `SignatureScheme supported_signature_algorithms<2..2^16-2>`.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// `signature_algorithms_cert`, same shape as `signature_algorithms`.
    SignatureAlgorithmsCert(Vec<SignatureScheme>),
    /// `application_layer_protocol_negotiation` (RFC 7301):
    /// `ProtocolName protocol_name_list<2..2^16-1>`, `opaque ProtocolName<1..2^8-1>`.
    /// In EncryptedExtensions the list holds exactly one name.
    Alpn(Vec<Bytes<'a>>),
    /// `signed_certificate_timestamp` in ClientHello or CertificateRequest: empty.
    SctRequest,
    /// `signed_certificate_timestamp` in a CertificateEntry:
    /// the `SignedCertificateTimestampList` contents, `<1..2^16-1>`.
    SignedCertificateTimestamps(Bytes<'a>),
    /// `padding` (RFC 7685): zero bytes, kept as they came.
    Padding(Bytes<'a>),
    /// `extended_master_secret` (RFC 7627): empty.
    ExtendedMasterSecret,
    /// `session_ticket` (RFC 5077): in a ClientHello the TLS 1.2 ticket, possibly
    /// empty; in a TLS 1.2 ServerHello always empty (RFC 5077 §3.2, "a ticket follows").
    SessionTicket(Bytes<'a>),
    /// `ec_point_formats` (RFC 8422 §5.1.2): `ECPointFormat ec_point_format_list<1..2^8-1>`,
    /// one byte per format. In a TLS 1.2 ServerHello it must list `uncompressed` (0)
    /// (`illegal_parameter` otherwise); in a ClientHello the TLS 1.2 server checks that,
    /// since a TLS 1.3 server ignores the extension.
    EcPointFormats(Bytes<'a>),
    /// `renegotiation_info` (RFC 5746): `opaque renegotiated_connection<0..255>`.
    RenegotiationInfo(Bytes<'a>),
    /// `record_size_limit` (RFC 8449): `uint16`, at least 64.
    RecordSizeLimit(u16),
    /// `pre_shared_key` in ClientHello.
    PreSharedKeyOffer(OfferedPsks<'a>),
    /// `pre_shared_key` in ServerHello: `uint16 selected_identity`.
    PreSharedKeySelected(u16),
    /// `early_data` in ClientHello or EncryptedExtensions: empty.
    EarlyData,
    /// `early_data` in NewSessionTicket: `uint32 max_early_data_size`.
    MaxEarlyDataSize(u32),
    /// `supported_versions` in ClientHello: `ProtocolVersion versions<2..254>`.
    SupportedVersions(Vec<ProtocolVersion>),
    /// `supported_versions` in ServerHello and HelloRetryRequest:
    /// `ProtocolVersion selected_version`.
    SelectedVersion(ProtocolVersion),
    /// `cookie`: `opaque cookie<1..2^16-1>`.
    Cookie(Bytes<'a>),
    /// `psk_key_exchange_modes`: `PskKeyExchangeMode ke_modes<1..255>`.
    PskKeyExchangeModes(Vec<PskKeyExchangeMode>),
    /// `compress_certificate` in ClientHello and CertificateRequest (RFC 8879 §3):
    /// `CertificateCompressionAlgorithm algorithms<2..2^8-2>`.
    CompressCertificate(Vec<CertificateCompressionAlgorithm>),
    /// `certificate_authorities`: `DistinguishedName authorities<3..2^16-1>`,
    /// `opaque DistinguishedName<1..2^16-1>` (DER).
    CertificateAuthorities(Vec<Bytes<'a>>),
    /// `oid_filters` in CertificateRequest: `OIDFilter filters<0..2^16-1>`.
    OidFilters(Vec<OidFilter<'a>>),
    /// `post_handshake_auth`: empty.
    PostHandshakeAuth,
    /// `key_share` in ClientHello: `KeyShareEntry client_shares<0..2^16-1>`.
    KeyShareClient(Vec<KeyShareEntry<'a>>),
    /// `key_share` in ServerHello: `KeyShareEntry server_share`.
    KeyShareServer(KeyShareEntry<'a>),
    /// `key_share` in HelloRetryRequest: `NamedGroup selected_group`.
    KeyShareHelloRetry(NamedGroup),
    /// Any other extension (or a known one where this crate has no shape for it in
    /// this message): type and raw `extension_data`.
    Unknown {
        /// The extension type.
        typ: ExtensionType,
        /// The raw `extension_data`.
        data: Bytes<'a>,
    },
}

fn code_points<'a, T: Codec<'a>>(
    r: &mut Reader<'a>,
    field: &'static str,
    width: usize,
    prefix_u8: bool,
    min: usize,
    max: usize,
) -> Result<Vec<T>, Error> {
    let body = if prefix_u8 {
        r.bytes_u8(field, min, max)?
    } else {
        r.bytes_u16(field, min, max)?
    };
    if !body.len().is_multiple_of(width) {
        return Err(Error::new(field, ErrorKind::RaggedList));
    }
    Reader::read_all(body, field, |r| r.list(T::read))
}

fn encode_all<'a, T: Codec<'a>>(w: &mut Writer, items: &[T]) {
    for i in items {
        i.encode(w);
    }
}

/// An extension whose `extension_data` must be empty.
fn empty<'a>(data: &[u8], field: &'static str, v: Extension<'a>) -> Result<Extension<'a>, Error> {
    Reader::read_all(data, field, |_| Ok(v))
}

/// One picker per extension shape: the rows the typed accessors on the messages
/// (`ClientHello::cookie` ...) look up through `find_in`. Each returns a borrowed view.
impl<'a> Extension<'a> {
    pub(crate) fn server_name_host(&self) -> Option<&[u8]> {
        match self {
            // RFC 6066 §3: host_name is name_type 0.
            Self::ServerName(names) => names
                .iter()
                .find(|n| n.name_type == 0)
                .map(|n| n.name.as_ref()),
            _ => None,
        }
    }
    pub(crate) fn server_name_ack(&self) -> Option<()> {
        matches!(self, Self::ServerNameAck).then_some(())
    }
    pub(crate) fn supported_groups(&self) -> Option<&[NamedGroup]> {
        match self {
            Self::SupportedGroups(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        match self {
            Self::SignatureAlgorithms(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn signature_algorithms_cert(&self) -> Option<&[SignatureScheme]> {
        match self {
            Self::SignatureAlgorithmsCert(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn alpn(&self) -> Option<&[Bytes<'a>]> {
        match self {
            Self::Alpn(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn extended_master_secret(&self) -> Option<()> {
        matches!(self, Self::ExtendedMasterSecret).then_some(())
    }
    pub(crate) fn session_ticket(&self) -> Option<&[u8]> {
        match self {
            Self::SessionTicket(t) => Some(t),
            _ => None,
        }
    }
    pub(crate) fn renegotiation_info(&self) -> Option<&[u8]> {
        match self {
            Self::RenegotiationInfo(b) => Some(b),
            _ => None,
        }
    }
    pub(crate) fn ec_point_formats(&self) -> Option<&[u8]> {
        match self {
            Self::EcPointFormats(b) => Some(b),
            _ => None,
        }
    }
    pub(crate) fn record_size_limit(&self) -> Option<u16> {
        match self {
            Self::RecordSizeLimit(v) => Some(*v),
            _ => None,
        }
    }
    pub(crate) fn pre_shared_key_offer(&self) -> Option<&OfferedPsks<'a>> {
        match self {
            Self::PreSharedKeyOffer(o) => Some(o),
            _ => None,
        }
    }
    pub(crate) fn pre_shared_key_selected(&self) -> Option<u16> {
        match self {
            Self::PreSharedKeySelected(i) => Some(*i),
            _ => None,
        }
    }
    pub(crate) fn early_data(&self) -> Option<()> {
        matches!(self, Self::EarlyData).then_some(())
    }
    pub(crate) fn max_early_data_size(&self) -> Option<u32> {
        match self {
            Self::MaxEarlyDataSize(v) => Some(*v),
            _ => None,
        }
    }
    pub(crate) fn supported_versions(&self) -> Option<&[ProtocolVersion]> {
        match self {
            Self::SupportedVersions(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn selected_version(&self) -> Option<ProtocolVersion> {
        match self {
            Self::SelectedVersion(v) => Some(*v),
            _ => None,
        }
    }
    pub(crate) fn cookie(&self) -> Option<&[u8]> {
        match self {
            Self::Cookie(c) => Some(c),
            _ => None,
        }
    }
    pub(crate) fn psk_key_exchange_modes(&self) -> Option<&[PskKeyExchangeMode]> {
        match self {
            Self::PskKeyExchangeModes(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn compress_certificate(&self) -> Option<&[CertificateCompressionAlgorithm]> {
        match self {
            Self::CompressCertificate(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn certificate_authorities(&self) -> Option<&[Bytes<'a>]> {
        match self {
            Self::CertificateAuthorities(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn key_share_client(&self) -> Option<&[KeyShareEntry<'a>]> {
        match self {
            Self::KeyShareClient(v) => Some(v),
            _ => None,
        }
    }
    pub(crate) fn key_share_server(&self) -> Option<&KeyShareEntry<'a>> {
        match self {
            Self::KeyShareServer(k) => Some(k),
            _ => None,
        }
    }
    pub(crate) fn key_share_hello_retry(&self) -> Option<NamedGroup> {
        match self {
            Self::KeyShareHelloRetry(g) => Some(*g),
            _ => None,
        }
    }
}

/// The first extension of `exts` that `pick` accepts, as `pick`'s view of it: the one
/// lookup behind every typed accessor. A parsed message holds each type at most once
/// ([`read_extensions`] refuses duplicates); in a hand-built one the first wins.
pub(crate) fn find_in<'e, 'a, T>(
    exts: &'e [Extension<'a>],
    pick: impl FnMut(&'e Extension<'a>) -> Option<T>,
) -> Option<T> {
    exts.iter().find_map(pick)
}

impl<'a> Extension<'a> {
    /// The extension's type.
    pub fn ext_type(&self) -> ExtensionType {
        use ExtensionType as T;
        match self {
            Self::ServerName(_) | Self::ServerNameAck => T::ServerName,
            Self::MaxFragmentLength(_) => T::MaxFragmentLength,
            Self::StatusRequest(_) | Self::StatusRequestEmpty | Self::OcspResponse(_) => {
                T::StatusRequest
            }
            Self::SupportedGroups(_) => T::SupportedGroups,
            Self::SignatureAlgorithms(_) => T::SignatureAlgorithms,
            Self::SignatureAlgorithmsCert(_) => T::SignatureAlgorithmsCert,
            Self::Alpn(_) => T::ApplicationLayerProtocolNegotiation,
            Self::SctRequest | Self::SignedCertificateTimestamps(_) => {
                T::SignedCertificateTimestamp
            }
            Self::Padding(_) => T::Padding,
            Self::ExtendedMasterSecret => T::ExtendedMasterSecret,
            Self::SessionTicket(_) => T::SessionTicket,
            Self::EcPointFormats(_) => T::EcPointFormats,
            Self::RenegotiationInfo(_) => T::RenegotiationInfo,
            Self::RecordSizeLimit(_) => T::RecordSizeLimit,
            Self::PreSharedKeyOffer(_) | Self::PreSharedKeySelected(_) => T::PreSharedKey,
            Self::EarlyData | Self::MaxEarlyDataSize(_) => T::EarlyData,
            Self::SupportedVersions(_) | Self::SelectedVersion(_) => T::SupportedVersions,
            Self::Cookie(_) => T::Cookie,
            Self::PskKeyExchangeModes(_) => T::PskKeyExchangeModes,
            Self::CompressCertificate(_) => T::CompressCertificate,
            Self::CertificateAuthorities(_) => T::CertificateAuthorities,
            Self::OidFilters(_) => T::OidFilters,
            Self::PostHandshakeAuth => T::PostHandshakeAuth,
            Self::KeyShareClient(_) | Self::KeyShareServer(_) | Self::KeyShareHelloRetry(_) => {
                T::KeyShare
            }
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// Append `extension_data` (without type and length).
    fn encode_body(&self, w: &mut Writer) {
        match self {
            Self::ServerName(names) => {
                w.u16_prefixed("server_name", |w| encode_all(w, names));
            }
            Self::ServerNameAck
            | Self::StatusRequestEmpty
            | Self::SctRequest
            | Self::ExtendedMasterSecret
            | Self::EarlyData
            | Self::PostHandshakeAuth => {}
            Self::MaxFragmentLength(v) => w.u8(*v),
            Self::StatusRequest(s) => s.encode(w),
            Self::OcspResponse(resp) => {
                w.u8(1);
                w.u24_prefixed("CertificateStatus.ocsp_response", |w| w.bytes(resp));
            }
            Self::SupportedGroups(g) => w.u16_prefixed("supported_groups", |w| encode_all(w, g)),
            Self::SignatureAlgorithms(s) => {
                w.u16_prefixed("signature_algorithms", |w| encode_all(w, s));
            }
            Self::SignatureAlgorithmsCert(s) => {
                w.u16_prefixed("signature_algorithms_cert", |w| encode_all(w, s));
            }
            Self::Alpn(names) => w.u16_prefixed("alpn", |w| {
                for n in names {
                    w.u8_prefixed("ProtocolName", |w| w.bytes(n));
                }
            }),
            Self::SignedCertificateTimestamps(b) => {
                w.u16_prefixed("signed_certificate_timestamp", |w| w.bytes(b));
            }
            Self::Padding(b) | Self::SessionTicket(b) => w.bytes(b),
            Self::RenegotiationInfo(b) => w.u8_prefixed("renegotiation_info", |w| w.bytes(b)),
            Self::EcPointFormats(b) => w.u8_prefixed("ec_point_formats", |w| w.bytes(b)),
            Self::RecordSizeLimit(v) | Self::PreSharedKeySelected(v) => w.u16(*v),
            Self::PreSharedKeyOffer(o) => o.encode(w),
            Self::MaxEarlyDataSize(v) => w.u32(*v),
            Self::SupportedVersions(v) => w.u8_prefixed("supported_versions", |w| encode_all(w, v)),
            Self::SelectedVersion(v) => v.encode(w),
            Self::Cookie(c) => w.u16_prefixed("cookie", |w| w.bytes(c)),
            Self::PskKeyExchangeModes(m) => {
                w.u8_prefixed("psk_key_exchange_modes", |w| encode_all(w, m));
            }
            Self::CompressCertificate(a) => {
                w.u8_prefixed("compress_certificate", |w| encode_all(w, a));
            }
            Self::CertificateAuthorities(names) => w.u16_prefixed("certificate_authorities", |w| {
                for n in names {
                    w.u16_prefixed("DistinguishedName", |w| w.bytes(n));
                }
            }),
            Self::OidFilters(filters) => w.u16_prefixed("oid_filters", |w| encode_all(w, filters)),
            Self::KeyShareClient(shares) => w.u16_prefixed("key_share", |w| encode_all(w, shares)),
            Self::KeyShareServer(share) => share.encode(w),
            Self::KeyShareHelloRetry(g) => g.encode(w),
            Self::Unknown { data, .. } => w.bytes(data),
        }
    }

    /// Append the whole extension (type, length, data).
    pub fn encode(&self, w: &mut Writer) {
        self.ext_type().encode(w);
        w.u16_prefixed("Extension.extension_data", |w| self.encode_body(w));
    }

    /// Read one extension as it appears in `ctx`.
    pub fn read(r: &mut Reader<'a>, ctx: ExtensionContext) -> Result<Self, Error> {
        let typ = ExtensionType::read(r)?;
        let data = r.bytes_u16("Extension.extension_data", 0, 0xffff)?;
        Self::read_body(typ, ctx, data)
    }

    /// Decode `extension_data` of type `typ` as it appears in `ctx`.
    ///
    /// One reader per family of extensions; each is a table of (type, message) rows and
    /// keeps a type it has no shape for in `ctx` as [`Extension::Unknown`].
    pub fn read_body(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
    ) -> Result<Self, Error> {
        use ExtensionType as T;
        let field = typ.name().unwrap_or("Extension.extension_data");
        match typ {
            T::ServerName | T::MaxFragmentLength | T::StatusRequest => {
                Self::read_rfc6066(typ, ctx, data, field)
            }
            T::SupportedGroups
            | T::SignatureAlgorithms
            | T::SignatureAlgorithmsCert
            | T::SupportedVersions
            | T::PskKeyExchangeModes
            | T::CompressCertificate => Self::read_code_point_lists(typ, ctx, data, field),
            T::PreSharedKey | T::EarlyData | T::KeyShare => {
                Self::read_key_exchange(typ, ctx, data, field)
            }
            T::Cookie | T::CertificateAuthorities | T::OidFilters | T::PostHandshakeAuth => {
                Self::read_tls13_other(typ, ctx, data, field)
            }
            T::ExtendedMasterSecret
            | T::SessionTicket
            | T::EcPointFormats
            | T::RenegotiationInfo => Self::read_tls12(typ, ctx, data, field),
            _ => Self::read_hello_other(typ, ctx, data, field),
        }
    }

    /// A type with no shape in this message, kept with its raw body.
    fn unknown(typ: ExtensionType, data: &'a [u8]) -> Self {
        Self::Unknown {
            typ,
            data: Cow::Borrowed(data),
        }
    }

    /// `server_name`, `max_fragment_length` and `status_request` (RFC 6066 §3, §4, §8).
    fn read_rfc6066(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (T::ServerName, C::ClientHello) => Reader::read_all(data, field, |r| {
                let names = r.sub_u16(field, 1, 0xffff, |r| r.list(ServerName::read))?;
                let mut types: Vec<u16> = names.iter().map(|n| u16::from(n.name_type)).collect();
                check_unique(&mut types, field)?;
                Ok(Self::ServerName(names))
            }),
            (T::ServerName, C::EncryptedExtensions | C::Tls12ServerHello) => {
                empty(data, field, Self::ServerNameAck)
            }
            (
                T::MaxFragmentLength,
                C::ClientHello | C::EncryptedExtensions | C::Tls12ServerHello,
            ) => Reader::read_all(data, field, |r| match r.u8(field)? {
                v @ 1..=4 => Ok(Self::MaxFragmentLength(v)),
                _ => Err(Error::new(field, ErrorKind::IllegalValue)),
            }),
            // Only `status_type` ocsp (1) has a shape; any other stays unknown.
            (T::StatusRequest, C::ClientHello) if data.first() == Some(&1) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::StatusRequest(OcspStatusRequest::read(r)?))
                })
            }
            (T::StatusRequest, C::CertificateRequest | C::Tls12ServerHello) => {
                empty(data, field, Self::StatusRequestEmpty)
            }
            (T::StatusRequest, C::Certificate) if data.first() == Some(&1) => {
                Reader::read_all(data, field, |r| {
                    r.u8(field)?;
                    Ok(Self::OcspResponse(Cow::Borrowed(r.bytes_u24(
                        "CertificateStatus.ocsp_response",
                        1,
                        0x00ff_ffff,
                    )?)))
                })
            }
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// The lists of code points (`supported_groups`, `signature_algorithms`,
    /// `signature_algorithms_cert`, `supported_versions`, `psk_key_exchange_modes`) and
    /// the server's single `selected_version`.
    fn read_code_point_lists(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (T::SupportedGroups, C::ClientHello | C::EncryptedExtensions) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::SupportedGroups(code_points(
                        r, field, 2, false, 2, 0xffff,
                    )?))
                })
            }
            (T::SignatureAlgorithms, C::ClientHello | C::CertificateRequest) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::SignatureAlgorithms(code_points(
                        r, field, 2, false, 2, 0xfffe,
                    )?))
                })
            }
            (T::SignatureAlgorithmsCert, C::ClientHello | C::CertificateRequest) => {
                Reader::read_all(data, field, |r| {
                    let schemes = code_points(r, field, 2, false, 2, 0xfffe)?;
                    Ok(Self::SignatureAlgorithmsCert(schemes))
                })
            }
            (T::SupportedVersions, C::ClientHello) => Reader::read_all(data, field, |r| {
                Ok(Self::SupportedVersions(code_points(
                    r, field, 2, true, 2, 254,
                )?))
            }),
            (T::SupportedVersions, C::ServerHello | C::HelloRetryRequest) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::SelectedVersion(ProtocolVersion::read(r)?))
                })
            }
            (T::PskKeyExchangeModes, C::ClientHello) => Reader::read_all(data, field, |r| {
                Ok(Self::PskKeyExchangeModes(code_points(
                    r, field, 1, true, 1, 255,
                )?))
            }),
            (T::CompressCertificate, C::ClientHello | C::CertificateRequest) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::CompressCertificate(code_points(
                        r, field, 2, true, 2, 254,
                    )?))
                })
            }
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// `pre_shared_key`, `early_data` and `key_share` (RFC 8446 §4.2.8 to §4.2.11).
    fn read_key_exchange(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (T::PreSharedKey, C::ClientHello) => Reader::read_all(data, field, |r| {
                Ok(Self::PreSharedKeyOffer(OfferedPsks::read(r)?))
            }),
            (T::PreSharedKey, C::ServerHello) => Reader::read_all(data, field, |r| {
                Ok(Self::PreSharedKeySelected(r.u16(field)?))
            }),
            (T::EarlyData, C::ClientHello | C::EncryptedExtensions) => {
                empty(data, field, Self::EarlyData)
            }
            (T::EarlyData, C::NewSessionTicket) => {
                Reader::read_all(data, field, |r| Ok(Self::MaxEarlyDataSize(r.u32(field)?)))
            }
            (T::KeyShare, C::ClientHello) => Reader::read_all(data, field, |r| {
                let shares: Vec<KeyShareEntry<'a>> = r.sub_u16(field, 0, 0xffff, |r| {
                    r.list_capped(field, MAX_KEY_SHARES, KeyShareEntry::read)
                })?;
                // RFC 8446 §4.2.8: one share per group.
                let mut groups: Vec<u16> = shares.iter().map(|s| s.group.to_raw()).collect();
                check_unique(&mut groups, "key_share.group")?;
                Ok(Self::KeyShareClient(shares))
            }),
            (T::KeyShare, C::ServerHello) => Reader::read_all(data, field, |r| {
                Ok(Self::KeyShareServer(KeyShareEntry::read(r)?))
            }),
            (T::KeyShare, C::HelloRetryRequest) => Reader::read_all(data, field, |r| {
                Ok(Self::KeyShareHelloRetry(NamedGroup::read(r)?))
            }),
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// `cookie`, `certificate_authorities`, `oid_filters` and `post_handshake_auth`
    /// (RFC 8446 §4.2.2 to §4.2.6).
    fn read_tls13_other(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (T::Cookie, C::ClientHello | C::HelloRetryRequest) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::Cookie(Cow::Borrowed(r.bytes_u16(field, 1, 0xffff)?)))
                })
            }
            (T::CertificateAuthorities, C::ClientHello | C::CertificateRequest) => {
                Reader::read_all(data, field, |r| {
                    let names = r.sub_u16(field, 3, 0xffff, |r| {
                        r.list(|r| {
                            Ok(Cow::Borrowed(r.bytes_u16(
                                "DistinguishedName",
                                1,
                                0xffff,
                            )?))
                        })
                    })?;
                    Ok(Self::CertificateAuthorities(names))
                })
            }
            (T::OidFilters, C::CertificateRequest) => Reader::read_all(data, field, |r| {
                Ok(Self::OidFilters(
                    r.sub_u16(field, 0, 0xffff, |r| r.list(OidFilter::read))?,
                ))
            }),
            (T::PostHandshakeAuth, C::ClientHello) => empty(data, field, Self::PostHandshakeAuth),
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// The TLS 1.2 hello extensions: `extended_master_secret` (RFC 7627),
    /// `session_ticket` (RFC 5077), `ec_point_formats` (RFC 8422) and
    /// `renegotiation_info` (RFC 5746).
    fn read_tls12(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (T::ExtendedMasterSecret, C::ClientHello | C::Tls12ServerHello) => {
                empty(data, field, Self::ExtendedMasterSecret)
            }
            (T::SessionTicket, C::ClientHello) => Ok(Self::SessionTicket(Cow::Borrowed(data))),
            // RFC 5077 §3.2: the server's extension is empty.
            (T::SessionTicket, C::Tls12ServerHello) => {
                empty(data, field, Self::SessionTicket(Cow::Borrowed(&[])))
            }
            (T::EcPointFormats, C::ClientHello | C::Tls12ServerHello) => {
                Reader::read_all(data, field, |r| {
                    let formats = r.bytes_u8(field, 1, 0xff)?;
                    // RFC 8422 §5.1.2: uncompressed (0) must be supported.
                    if ctx == C::Tls12ServerHello && !formats.contains(&0) {
                        return Err(Error::new(field, ErrorKind::IllegalValue));
                    }
                    Ok(Self::EcPointFormats(Cow::Borrowed(formats)))
                })
            }
            (T::RenegotiationInfo, C::ClientHello | C::Tls12ServerHello) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::RenegotiationInfo(Cow::Borrowed(
                        r.bytes_u8(field, 0, 0xff)?,
                    )))
                })
            }
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// The remaining hello extensions: ALPN (RFC 7301), `signed_certificate_timestamp`
    /// (RFC 6962), `padding` (RFC 7685) and `record_size_limit` (RFC 8449); any other
    /// type is unknown.
    fn read_hello_other(
        typ: ExtensionType,
        ctx: ExtensionContext,
        data: &'a [u8],
        field: &'static str,
    ) -> Result<Self, Error> {
        use ExtensionContext as C;
        use ExtensionType as T;
        match (typ, ctx) {
            (
                T::ApplicationLayerProtocolNegotiation,
                C::ClientHello | C::EncryptedExtensions | C::Tls12ServerHello,
            ) => Reader::read_all(data, field, |r| {
                let names = r.sub_u16(field, 2, 0xffff, |r| {
                    r.list(|r| Ok(Cow::Borrowed(r.bytes_u8("ProtocolName", 1, 0xff)?)))
                })?;
                if ctx != C::ClientHello && names.len() != 1 {
                    // RFC 7301 §3.1: the server's list holds exactly one name.
                    return Err(Error::new(field, ErrorKind::IllegalValue));
                }
                Ok(Self::Alpn(names))
            }),
            (T::SignedCertificateTimestamp, C::ClientHello | C::CertificateRequest) => {
                empty(data, field, Self::SctRequest)
            }
            (T::SignedCertificateTimestamp, C::Certificate | C::Tls12ServerHello) => {
                Reader::read_all(data, field, |r| {
                    Ok(Self::SignedCertificateTimestamps(Cow::Borrowed(
                        r.bytes_u16(field, 1, 0xffff)?,
                    )))
                })
            }
            (T::Padding, C::ClientHello) => Ok(Self::Padding(Cow::Borrowed(data))),
            (T::RecordSizeLimit, C::ClientHello | C::EncryptedExtensions | C::Tls12ServerHello) => {
                Reader::read_all(data, field, |r| match r.u16(field)? {
                    // RFC 8449 §4: a value below 64 is illegal_parameter.
                    v if v >= 64 => Ok(Self::RecordSizeLimit(v)),
                    _ => Err(Error::new(field, ErrorKind::IllegalValue)),
                })
            }
            _ => Ok(Self::unknown(typ, data)),
        }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Extension<'static> {
        match self {
            Self::ServerName(n) => {
                Extension::ServerName(n.into_iter().map(ServerName::into_owned).collect())
            }
            Self::ServerNameAck => Extension::ServerNameAck,
            Self::MaxFragmentLength(v) => Extension::MaxFragmentLength(v),
            Self::StatusRequest(s) => Extension::StatusRequest(OcspStatusRequest {
                responder_id_list: own(s.responder_id_list),
                request_extensions: own(s.request_extensions),
            }),
            Self::StatusRequestEmpty => Extension::StatusRequestEmpty,
            Self::OcspResponse(b) => Extension::OcspResponse(own(b)),
            Self::SupportedGroups(v) => Extension::SupportedGroups(v),
            Self::SignatureAlgorithms(v) => Extension::SignatureAlgorithms(v),
            Self::SignatureAlgorithmsCert(v) => Extension::SignatureAlgorithmsCert(v),
            Self::Alpn(v) => Extension::Alpn(v.into_iter().map(own).collect()),
            Self::SctRequest => Extension::SctRequest,
            Self::SignedCertificateTimestamps(b) => Extension::SignedCertificateTimestamps(own(b)),
            Self::Padding(b) => Extension::Padding(own(b)),
            Self::ExtendedMasterSecret => Extension::ExtendedMasterSecret,
            Self::SessionTicket(b) => Extension::SessionTicket(own(b)),
            Self::EcPointFormats(b) => Extension::EcPointFormats(own(b)),
            Self::RenegotiationInfo(b) => Extension::RenegotiationInfo(own(b)),
            Self::RecordSizeLimit(v) => Extension::RecordSizeLimit(v),
            Self::PreSharedKeyOffer(o) => Extension::PreSharedKeyOffer(OfferedPsks {
                identities: o
                    .identities
                    .into_iter()
                    .map(|i| PskIdentity {
                        identity: own(i.identity),
                        obfuscated_ticket_age: i.obfuscated_ticket_age,
                    })
                    .collect(),
                binders: o.binders.into_iter().map(own).collect(),
            }),
            Self::PreSharedKeySelected(v) => Extension::PreSharedKeySelected(v),
            Self::EarlyData => Extension::EarlyData,
            Self::MaxEarlyDataSize(v) => Extension::MaxEarlyDataSize(v),
            Self::SupportedVersions(v) => Extension::SupportedVersions(v),
            Self::SelectedVersion(v) => Extension::SelectedVersion(v),
            Self::Cookie(b) => Extension::Cookie(own(b)),
            Self::PskKeyExchangeModes(v) => Extension::PskKeyExchangeModes(v),
            Self::CompressCertificate(v) => Extension::CompressCertificate(v),
            Self::CertificateAuthorities(v) => {
                Extension::CertificateAuthorities(v.into_iter().map(own).collect())
            }
            Self::OidFilters(v) => Extension::OidFilters(
                v.into_iter()
                    .map(|f| OidFilter {
                        certificate_extension_oid: own(f.certificate_extension_oid),
                        certificate_extension_values: own(f.certificate_extension_values),
                    })
                    .collect(),
            ),
            Self::PostHandshakeAuth => Extension::PostHandshakeAuth,
            Self::KeyShareClient(v) => {
                Extension::KeyShareClient(v.into_iter().map(KeyShareEntry::into_owned).collect())
            }
            Self::KeyShareServer(k) => Extension::KeyShareServer(k.into_owned()),
            Self::KeyShareHelloRetry(g) => Extension::KeyShareHelloRetry(g),
            Self::Unknown { typ, data } => Extension::Unknown {
                typ,
                data: own(data),
            },
        }
    }
}

/// `DuplicateItem` unless all values are distinct (sorts `values`).
fn check_unique(values: &mut [u16], field: &'static str) -> Result<(), Error> {
    values.sort_unstable();
    if values.windows(2).any(|w| w.first() == w.get(1)) {
        return Err(Error::new(field, ErrorKind::DuplicateItem));
    }
    Ok(())
}

/// Read an extensions block `Extension extensions<min..max>` as it appears in `ctx`,
/// rejecting duplicates (RFC 8446 §4.2) and, in a ClientHello, a `pre_shared_key` that
/// is not last (RFC 8446 §4.2.11).
pub fn read_extensions<'a>(
    r: &mut Reader<'a>,
    ctx: ExtensionContext,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<Vec<Extension<'a>>, Error> {
    let exts = r.sub_u16(field, min, max, |r| r.list(|r| Extension::read(r, ctx)))?;
    let mut types: Vec<u16> = exts.iter().map(|e| e.ext_type().to_raw()).collect();
    types.sort_unstable();
    if let Some(dup) = types.windows(2).find_map(|w| match w {
        [a, b] if a == b => Some(*a),
        _ => None,
    }) {
        return Err(Error::new(
            field,
            ErrorKind::DuplicateExtension(ExtensionType::from(dup)),
        ));
    }
    if ctx == ExtensionContext::ClientHello {
        let psk_at = exts
            .iter()
            .position(|e| e.ext_type() == ExtensionType::PreSharedKey);
        if psk_at.is_some_and(|i| i.saturating_add(1) != exts.len()) {
            return Err(Error::new(field, ErrorKind::PreSharedKeyNotLast));
        }
    }
    Ok(exts)
}

/// Write an extensions block behind its two-byte length.
pub fn encode_extensions(w: &mut Writer, field: &'static str, exts: &[Extension<'_>]) {
    w.u16_prefixed(field, |w| {
        for e in exts {
            e.encode(w);
        }
    });
}

/// Find the first extension of type `typ`.
pub(crate) fn find_extension<'e, 'a>(
    exts: &'e [Extension<'a>],
    typ: ExtensionType,
) -> Option<&'e Extension<'a>> {
    exts.iter().find(|e| e.ext_type() == typ)
}
