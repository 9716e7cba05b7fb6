//! The TLS 1.2 handshake messages (RFC 5246 §7.4, RFC 8422 §5, RFC 5077 §3.3) that
//! differ from TLS 1.3's, and [`Tls12HandshakeMessage`], the dispatcher that reads a
//! handshake body with the TLS 1.2 meaning of each type code.
//!
//! Key exchange is ECDHE only: ServerKeyExchange and ClientKeyExchange are read in
//! their `ec_diffie_hellman` shapes with `named_curve` parameters.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};
use crate::enums::{ClientCertificateType, HandshakeType, NamedGroup, SignatureScheme};
use crate::error::{Error, ErrorKind};
use crate::extensions::{Bytes, own};
use crate::handshake::encode_framed;
use crate::messages::{CertificateVerify, ClientHello, Finished, ServerHello};

/// Length of a TLS 1.2 Finished's `verify_data` (RFC 5246 §7.4.9; every suite here
/// keeps the default).
pub const TLS12_VERIFY_DATA_LEN: usize = 12;

/// The most certificates a TLS 1.2 Certificate message may carry; more is
/// `illegal_parameter` ([`ErrorKind::TooManyItems`]). Each one costs the receiver a
/// parse and a path-building step; real chains hold two to four.
pub const MAX_TLS12_CERTIFICATES: usize = 64;

/// The most distinguished names a TLS 1.2 CertificateRequest may carry; more is
/// `illegal_parameter`. Some servers list every trusted root (hundreds); each costs the
/// client a comparison against its certificates.
pub const MAX_CERTIFICATE_AUTHORITIES: usize = 1024;

/// `ECCurveType` `named_curve` (RFC 8422 §5.4): the only curve type accepted.
const NAMED_CURVE: u8 = 3;

/// `ServerECDHParams` (RFC 8422 §5.4) with `curve_type` `named_curve`.
///
/// ```text
/// struct {
///     ECCurveType curve_type;         /* named_curve (3) */
///     NamedCurve  namedcurve;
///     opaque      point <1..2^8-1>;   /* ECPoint.point */
/// } ServerECDHParams;
/// ```
///
/// Explicit curves (`explicit_prime`, `explicit_char2`; deprecated by RFC 8422) are
/// `illegal_parameter`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheServerParams<'a> {
    /// The group of the ephemeral key.
    pub named_group: NamedGroup,
    /// The server's ephemeral public key (uncompressed point, or 32 bytes for x25519).
    pub public: Bytes<'a>,
}

impl EcdheServerParams<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> EcdheServerParams<'static> {
        EcdheServerParams {
            named_group: self.named_group,
            public: own(self.public),
        }
    }
}

impl<'a> Codec<'a> for EcdheServerParams<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8(NAMED_CURVE);
        self.named_group.encode(w);
        w.u8_prefixed("ServerECDHParams.point", |w| w.bytes(&self.public));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        if r.u8("ServerECDHParams.curve_type")? != NAMED_CURVE {
            return Err(Error::new(
                "ServerECDHParams.curve_type",
                ErrorKind::IllegalValue,
            ));
        }
        Ok(Self {
            named_group: NamedGroup::read(r)?,
            public: Cow::Borrowed(r.bytes_u8("ServerECDHParams.point", 1, 0xff)?),
        })
    }
}

/// ServerKeyExchange for `ec_diffie_hellman` (RFC 8422 §5.4, signature as in
/// RFC 5246 §7.4.3 with TLS 1.2's `DigitallySigned`).
///
/// ```text
/// struct {
///     ServerECDHParams params;
///     digitally-signed struct {
///         opaque client_random[32];
///         opaque server_random[32];
///         ServerECDHParams params;
///     } signed_params;    /* SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>; */
/// } ServerKeyExchange;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The ephemeral ECDH parameters.
    pub params: EcdheServerParams<'a>,
    /// The signature over `client_random || server_random || params`; the same wire
    /// shape as TLS 1.3's CertificateVerify.
    pub signature: CertificateVerify<'a>,
}

impl ServerKeyExchange<'_> {
    /// The bytes the signature covers: `client_random || server_random || params`
    /// (RFC 5246 §7.4.3).
    pub fn signed_message(
        params: &EcdheServerParams<'_>,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        w.bytes(client_random);
        w.bytes(server_random);
        params.encode(&mut w);
        w.finish()
    }

    /// An owned copy.
    pub fn into_owned(self) -> ServerKeyExchange<'static> {
        ServerKeyExchange {
            params: self.params.into_owned(),
            signature: self.signature.into_owned(),
        }
    }
}

impl<'a> Codec<'a> for ServerKeyExchange<'a> {
    fn encode(&self, w: &mut Writer) {
        self.params.encode(w);
        self.signature.encode(w);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            params: EcdheServerParams::read(r)?,
            signature: CertificateVerify::read(r)?,
        })
    }
}

/// ClientKeyExchange for `ec_diffie_hellman` (RFC 8422 §5.7): the client's ephemeral
/// public key.
///
/// ```text
/// struct {
///     opaque point <1..2^8-1>;        /* ClientECDiffieHellmanPublic.ecdh_Yc */
/// } ClientKeyExchange;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientKeyExchange<'a> {
    /// The client's ephemeral public key, in the group the server chose.
    pub public: Bytes<'a>,
}

impl ClientKeyExchange<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> ClientKeyExchange<'static> {
        ClientKeyExchange {
            public: own(self.public),
        }
    }
}

impl<'a> Codec<'a> for ClientKeyExchange<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8_prefixed("ClientKeyExchange.ecdh_Yc", |w| w.bytes(&self.public));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            public: Cow::Borrowed(r.bytes_u8("ClientKeyExchange.ecdh_Yc", 1, 0xff)?),
        })
    }
}

/// CertificateRequest, TLS 1.2 form (RFC 5246 §7.4.4, RFC 8422 §5.5).
///
/// ```text
/// struct {
///     ClientCertificateType certificate_types<1..2^8-1>;
///     SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
///     DistinguishedName certificate_authorities<0..2^16-1>;
/// } CertificateRequest;
/// opaque DistinguishedName<1..2^16-1>;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls12CertificateRequest<'a> {
    /// The certificate key types the server accepts.
    pub certificate_types: Vec<ClientCertificateType>,
    /// The signature schemes the server accepts in CertificateVerify (and chains).
    pub supported_signature_algorithms: Vec<SignatureScheme>,
    /// DER distinguished names of acceptable CAs (possibly none).
    pub certificate_authorities: Vec<Bytes<'a>>,
}

impl Tls12CertificateRequest<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Tls12CertificateRequest<'static> {
        Tls12CertificateRequest {
            certificate_types: self.certificate_types,
            supported_signature_algorithms: self.supported_signature_algorithms,
            certificate_authorities: self.certificate_authorities.into_iter().map(own).collect(),
        }
    }
}

impl<'a> Codec<'a> for Tls12CertificateRequest<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8_prefixed("CertificateRequest.certificate_types", |w| {
            for t in &self.certificate_types {
                t.encode(w);
            }
        });
        w.u16_prefixed("CertificateRequest.supported_signature_algorithms", |w| {
            for s in &self.supported_signature_algorithms {
                s.encode(w);
            }
        });
        w.u16_prefixed("CertificateRequest.certificate_authorities", |w| {
            for dn in &self.certificate_authorities {
                w.u16_prefixed("DistinguishedName", |w| w.bytes(dn));
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let certificate_types = r.sub_u8("CertificateRequest.certificate_types", 1, 0xff, |r| {
            r.list(ClientCertificateType::read)
        })?;
        let field = "CertificateRequest.supported_signature_algorithms";
        let algs = r.bytes_u16(field, 2, 0xfffe)?;
        if !algs.len().is_multiple_of(2) {
            return Err(Error::new(field, ErrorKind::RaggedList));
        }
        let supported_signature_algorithms =
            Reader::read_all(algs, field, |r| r.list(SignatureScheme::read))?;
        let field = "CertificateRequest.certificate_authorities";
        let certificate_authorities = r.sub_u16(field, 0, 0xffff, |r| {
            r.list_capped(field, MAX_CERTIFICATE_AUTHORITIES, |r| {
                Ok(Cow::Borrowed(r.bytes_u16(
                    "DistinguishedName",
                    1,
                    0xffff,
                )?))
            })
        })?;
        Ok(Self {
            certificate_types,
            supported_signature_algorithms,
            certificate_authorities,
        })
    }
}

/// Certificate, TLS 1.2 form (RFC 5246 §7.4.2): no request context, no per-entry
/// extensions.
///
/// ```text
/// opaque ASN.1Cert<1..2^24-1>;
/// struct {
///     ASN.1Cert certificate_list<0..2^24-1>;
/// } Certificate;
/// ```
///
/// At most [`MAX_TLS12_CERTIFICATES`] certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls12Certificate<'a> {
    /// DER certificates, end-entity first; empty for a client without a certificate.
    pub certificate_list: Vec<Bytes<'a>>,
}

impl Tls12Certificate<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Tls12Certificate<'static> {
        Tls12Certificate {
            certificate_list: self.certificate_list.into_iter().map(own).collect(),
        }
    }
}

impl<'a> Codec<'a> for Tls12Certificate<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u24_prefixed("Certificate.certificate_list", |w| {
            for c in &self.certificate_list {
                w.u24_prefixed("ASN.1Cert", |w| w.bytes(c));
            }
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let field = "Certificate.certificate_list";
        Ok(Self {
            certificate_list: r.sub_u24(field, 0, 0x00ff_ffff, |r| {
                r.list_capped(field, MAX_TLS12_CERTIFICATES, |r| {
                    Ok(Cow::Borrowed(r.bytes_u24("ASN.1Cert", 1, 0x00ff_ffff)?))
                })
            })?,
        })
    }
}

/// NewSessionTicket, TLS 1.2 form (RFC 5077 §3.3).
///
/// ```text
/// struct {
///     uint32 ticket_lifetime_hint;
///     opaque ticket<0..2^16-1>;
/// } NewSessionTicket;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls12NewSessionTicket<'a> {
    /// Seconds the client may keep the ticket; 0 means unspecified.
    pub ticket_lifetime_hint: u32,
    /// The opaque ticket; empty when the server decides not to issue one after all.
    pub ticket: Bytes<'a>,
}

impl Tls12NewSessionTicket<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> Tls12NewSessionTicket<'static> {
        Tls12NewSessionTicket {
            ticket_lifetime_hint: self.ticket_lifetime_hint,
            ticket: own(self.ticket),
        }
    }
}

impl<'a> Codec<'a> for Tls12NewSessionTicket<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u32(self.ticket_lifetime_hint);
        w.u16_prefixed("NewSessionTicket.ticket", |w| w.bytes(&self.ticket));
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        Ok(Self {
            ticket_lifetime_hint: r.u32("NewSessionTicket.ticket_lifetime_hint")?,
            ticket: Cow::Borrowed(r.bytes_u16("NewSessionTicket.ticket", 0, 0xffff)?),
        })
    }
}

/// `CertificateStatusType` `ocsp` (RFC 6066 §8): the only status type read.
const STATUS_TYPE_OCSP: u8 = 1;

/// CertificateStatus (RFC 6066 §8): the OCSP response a TLS 1.2 server staples after its
/// Certificate when the client sent `status_request` and the ServerHello acknowledged it.
///
/// ```text
/// struct {
///     CertificateStatusType status_type;      /* ocsp(1) */
///     select (status_type) {
///         case ocsp: OCSPResponse;
///     } response;
/// } CertificateStatus;
/// opaque OCSPResponse<1..2^24-1>;
/// ```
///
/// Any other `status_type` (`ocsp_multi` of RFC 6961 is never asked for) is
/// `illegal_parameter`; an empty or short response is `decode_error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateStatus<'a> {
    /// The DER OCSPResponse (RFC 6960), passed on unparsed.
    pub ocsp_response: Bytes<'a>,
}

impl CertificateStatus<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> CertificateStatus<'static> {
        CertificateStatus {
            ocsp_response: own(self.ocsp_response),
        }
    }
}

impl<'a> Codec<'a> for CertificateStatus<'a> {
    fn encode(&self, w: &mut Writer) {
        w.u8(STATUS_TYPE_OCSP);
        w.u24_prefixed("CertificateStatus.ocsp_response", |w| {
            w.bytes(&self.ocsp_response);
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        if r.u8("CertificateStatus.status_type")? != STATUS_TYPE_OCSP {
            return Err(Error::new(
                "CertificateStatus.status_type",
                ErrorKind::IllegalValue,
            ));
        }
        Ok(Self {
            ocsp_response: Cow::Borrowed(r.bytes_u24(
                "CertificateStatus.ocsp_response",
                1,
                0x00ff_ffff,
            )?),
        })
    }
}

/// Any TLS 1.2 handshake message this stack handles, framed (header included).
///
/// The same type codes mean different bodies in TLS 1.2 and 1.3 (Certificate,
/// CertificateRequest, NewSessionTicket), so a connection that negotiated TLS 1.2 reads
/// its messages with [`Tls12HandshakeMessage::parse_body`] (or
/// [`crate::RawHandshake::parse_tls12`]) instead of [`crate::HandshakeMessage`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tls12HandshakeMessage<'a> {
    /// `hello_request` (0): empty; a client without renegotiation ignores it or answers
    /// with a `no_renegotiation` warning (RFC 5746 §4.2).
    HelloRequest,
    /// `client_hello` (1), read with [`ClientHello::read_tls12`].
    ClientHello(ClientHello<'a>),
    /// `server_hello` (2), read with [`ServerHello::read_tls12`].
    ServerHello(ServerHello<'a>),
    /// `new_session_ticket` (4), RFC 5077 form.
    NewSessionTicket(Tls12NewSessionTicket<'a>),
    /// `certificate` (11), TLS 1.2 form.
    Certificate(Tls12Certificate<'a>),
    /// `certificate_status` (22), RFC 6066 §8: a stapled OCSP response.
    CertificateStatus(CertificateStatus<'a>),
    /// `server_key_exchange` (12), ECDHE form.
    ServerKeyExchange(ServerKeyExchange<'a>),
    /// `certificate_request` (13), TLS 1.2 form.
    CertificateRequest(Tls12CertificateRequest<'a>),
    /// `server_hello_done` (14): empty.
    ServerHelloDone,
    /// `certificate_verify` (15): a `DigitallySigned` (same wire shape as TLS 1.3's).
    CertificateVerify(CertificateVerify<'a>),
    /// `client_key_exchange` (16), ECDHE form.
    ClientKeyExchange(ClientKeyExchange<'a>),
    /// `finished` (20): exactly [`TLS12_VERIFY_DATA_LEN`] bytes of `verify_data`.
    Finished(Finished<'a>),
}

impl<'a> Tls12HandshakeMessage<'a> {
    /// The `msg_type` this message is framed with.
    pub fn typ(&self) -> HandshakeType {
        match self {
            Self::HelloRequest => HandshakeType::HelloRequest,
            Self::ClientHello(_) => HandshakeType::ClientHello,
            Self::ServerHello(_) => HandshakeType::ServerHello,
            Self::NewSessionTicket(_) => HandshakeType::NewSessionTicket,
            Self::Certificate(_) => HandshakeType::Certificate,
            Self::CertificateStatus(_) => HandshakeType::CertificateStatus,
            Self::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            Self::CertificateRequest(_) => HandshakeType::CertificateRequest,
            Self::ServerHelloDone => HandshakeType::ServerHelloDone,
            Self::CertificateVerify(_) => HandshakeType::CertificateVerify,
            Self::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            Self::Finished(_) => HandshakeType::Finished,
        }
    }

    /// Parse a body of type `typ` with its TLS 1.2 meaning; the body must be consumed
    /// exactly. Types TLS 1.2 does not have, or this stack does not use
    /// (`supplemental_data`, `certificate_url` ...), are `unexpected_message`.
    pub fn parse_body(typ: HandshakeType, body: &'a [u8]) -> Result<Self, Error> {
        let field = typ.name().unwrap_or("Handshake.msg_type");
        Reader::read_all(body, field, |r| {
            Ok(match typ {
                HandshakeType::HelloRequest => Self::HelloRequest,
                HandshakeType::ClientHello => Self::ClientHello(ClientHello::read_tls12(r)?),
                HandshakeType::ServerHello => Self::ServerHello(ServerHello::read_tls12(r)?),
                HandshakeType::NewSessionTicket => {
                    Self::NewSessionTicket(Tls12NewSessionTicket::read(r)?)
                }
                HandshakeType::Certificate => Self::Certificate(Tls12Certificate::read(r)?),
                HandshakeType::CertificateStatus => {
                    Self::CertificateStatus(CertificateStatus::read(r)?)
                }
                HandshakeType::ServerKeyExchange => {
                    Self::ServerKeyExchange(ServerKeyExchange::read(r)?)
                }
                HandshakeType::CertificateRequest => {
                    Self::CertificateRequest(Tls12CertificateRequest::read(r)?)
                }
                HandshakeType::ServerHelloDone => Self::ServerHelloDone,
                HandshakeType::CertificateVerify => {
                    Self::CertificateVerify(CertificateVerify::read(r)?)
                }
                HandshakeType::ClientKeyExchange => {
                    Self::ClientKeyExchange(ClientKeyExchange::read(r)?)
                }
                HandshakeType::Finished => {
                    Self::Finished(Finished::read_with_hash_len(r, TLS12_VERIFY_DATA_LEN)?)
                }
                _ => {
                    return Err(Error::new(
                        "Handshake.msg_type",
                        ErrorKind::UnexpectedMessage,
                    ));
                }
            })
        })
    }

    /// An owned copy.
    pub fn into_owned(self) -> Tls12HandshakeMessage<'static> {
        use Tls12HandshakeMessage as M;
        match self {
            Self::HelloRequest => M::HelloRequest,
            Self::ClientHello(m) => M::ClientHello(m.into_owned()),
            Self::ServerHello(m) => M::ServerHello(m.into_owned()),
            Self::NewSessionTicket(m) => M::NewSessionTicket(m.into_owned()),
            Self::Certificate(m) => M::Certificate(m.into_owned()),
            Self::CertificateStatus(m) => M::CertificateStatus(m.into_owned()),
            Self::ServerKeyExchange(m) => M::ServerKeyExchange(m.into_owned()),
            Self::CertificateRequest(m) => M::CertificateRequest(m.into_owned()),
            Self::ServerHelloDone => M::ServerHelloDone,
            Self::CertificateVerify(m) => M::CertificateVerify(m.into_owned()),
            Self::ClientKeyExchange(m) => M::ClientKeyExchange(m.into_owned()),
            Self::Finished(m) => M::Finished(m.into_owned()),
        }
    }
}

impl<'a> Codec<'a> for Tls12HandshakeMessage<'a> {
    fn encode(&self, w: &mut Writer) {
        encode_framed(w, self.typ(), |w| match self {
            Self::HelloRequest | Self::ServerHelloDone => {}
            Self::ClientHello(m) => m.encode(w),
            Self::ServerHello(m) => m.encode(w),
            Self::NewSessionTicket(m) => m.encode(w),
            Self::Certificate(m) => m.encode(w),
            Self::CertificateStatus(m) => m.encode(w),
            Self::ServerKeyExchange(m) => m.encode(w),
            Self::CertificateRequest(m) => m.encode(w),
            Self::CertificateVerify(m) => m.encode(w),
            Self::ClientKeyExchange(m) => m.encode(w),
            Self::Finished(m) => m.encode(w),
        });
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let typ = HandshakeType::read(r)?;
        let body = r.bytes_u24("Handshake.length", 0, 0x00ff_ffff)?;
        Self::parse_body(typ, body)
    }

    fn decode(bytes: &'a [u8]) -> Result<Self, Error> {
        Reader::read_all(bytes, "Handshake", Self::read)
    }
}
