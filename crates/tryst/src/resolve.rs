//! Choosing the certificate for each connection: on the server from what the ClientHello
//! says ([`ResolvesServerCert`], with [`SniCertResolver`] ready for virtual hosting over
//! several names and key types), on the client from what the server's CertificateRequest
//! asks for ([`ResolvesClientCert`], with [`ClientCertResolver`] over several keys).
//!
//! The server's choice is made once per full handshake, after the cipher suite, group and
//! ALPN are settled and a resumption was ruled out; a resumed session needs no
//! certificate. Tickets are bound to the SNI of the session that issued them, so a ticket
//! from one name never resumes a connection for another (`tls13::resumption`).
//!
//! The [`ClientHello`] view is what any protocol version's server hands a resolver: it
//! says which version is being negotiated, so a key's usable signature schemes follow it
//! (RSASSA-PKCS1-v1_5 only below TLS 1.3, RFC 8446 §4.2.3).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use tryst_crypto::SignatureAlgorithm;
use tryst_messages::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};

use crate::Error;
use crate::config::CertifiedKey;

/// What a ClientHello says that matters for choosing a certificate or a config: a view
/// over the parsed message, valid while it is borrowed.
#[derive(Debug, Clone)]
pub struct ClientHello<'a> {
    server_name: Option<&'a str>,
    signature_schemes: &'a [SignatureScheme],
    signature_schemes_cert: Option<&'a [SignatureScheme]>,
    groups: &'a [NamedGroup],
    alpn: &'a [Cow<'a, [u8]>],
    cipher_suites: &'a [CipherSuite],
    version: ProtocolVersion,
}

impl<'a> ClientHello<'a> {
    /// The view of `ch`, for a handshake that negotiates `version`. A server_name that is
    /// not UTF-8 is reported as none (no certificate can name it).
    pub fn new(ch: &'a tryst_messages::ClientHello<'_>, version: ProtocolVersion) -> Self {
        ClientHello {
            server_name: ch.server_name().and_then(|n| core::str::from_utf8(n).ok()),
            signature_schemes: ch.signature_algorithms().unwrap_or_default(),
            signature_schemes_cert: ch.signature_algorithms_cert(),
            groups: ch.supported_groups().unwrap_or_default(),
            alpn: ch.alpn_protocols().unwrap_or_default(),
            cipher_suites: &ch.cipher_suites,
            version,
        }
    }

    /// The server_name (SNI) the client asked for.
    pub fn server_name(&self) -> Option<&'a str> {
        self.server_name
    }

    /// signature_algorithms: the schemes the client accepts in CertificateVerify (and,
    /// without signature_algorithms_cert, in certificates).
    pub fn signature_schemes(&self) -> &'a [SignatureScheme] {
        self.signature_schemes
    }

    /// The schemes the client accepts in certificate signatures: signature_algorithms_cert,
    /// or signature_algorithms when that is absent (RFC 8446 §4.2.3).
    pub fn certificate_signature_schemes(&self) -> &'a [SignatureScheme] {
        self.signature_schemes_cert
            .unwrap_or(self.signature_schemes)
    }

    /// supported_groups.
    pub fn supported_groups(&self) -> &'a [NamedGroup] {
        self.groups
    }

    /// The ALPN protocols offered, in the client's order.
    pub fn alpn_protocols(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.alpn.iter().map(|p| p.as_ref())
    }

    /// The cipher suites offered, in the client's order.
    pub fn cipher_suites(&self) -> &'a [CipherSuite] {
        self.cipher_suites
    }

    /// The protocol version being negotiated.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }
}

/// Why a resolver declined to serve a ClientHello: the alert the server sends and the
/// reason reported in the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    alert: AlertDescription,
    reason: &'static str,
}

impl Refusal {
    /// No certificate for the name the client asked for (unrecognized_name, RFC 6066 §3).
    pub const fn unrecognized_name(reason: &'static str) -> Self {
        Refusal {
            alert: AlertDescription::UnrecognizedName,
            reason,
        }
    }

    /// No certificate the client can use (handshake_failure).
    pub const fn handshake_failure(reason: &'static str) -> Self {
        Refusal {
            alert: AlertDescription::HandshakeFailure,
            reason,
        }
    }

    /// The alert sent.
    pub fn alert(&self) -> AlertDescription {
        self.alert
    }

    /// Why.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::PeerIncompatible {
            alert: r.alert,
            what: r.reason,
        }
    }
}

/// Why a certificate was chosen, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The config has one certificate.
    Only,
    /// A name in the certificate is the SNI.
    ExactName,
    /// A wildcard name in the certificate covers the SNI.
    WildcardName,
    /// The client sent no SNI: a default certificate.
    NoServerName,
    /// No certificate names the SNI: a default certificate.
    UnknownName,
    /// A custom resolver's reason.
    Custom(&'static str),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::Only => "the only certificate",
            Reason::ExactName => "SNI matches a name in the certificate",
            Reason::WildcardName => "SNI matches a wildcard name in the certificate",
            Reason::NoServerName => "no SNI: a default certificate",
            Reason::UnknownName => "no certificate names the SNI: a default certificate",
            Reason::Custom(why) => why,
        })
    }
}

/// A resolver's answer: the key to use and why.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The chain and signer.
    pub key: Arc<CertifiedKey>,
    /// Why it was chosen.
    pub reason: Reason,
}

/// The certificate a server connection presented, with the scheme of its CertificateVerify
/// (see `ServerConnection::chosen_certificate`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChosenCertificate {
    /// The key, as the resolver returned it (compare with `Arc::ptr_eq`).
    pub key: Arc<CertifiedKey>,
    /// Why the resolver chose it.
    pub reason: Reason,
    /// The signature scheme of our CertificateVerify.
    pub scheme: SignatureScheme,
    /// The algorithm the chain was compressed with (RFC 8879), if it was.
    pub compression: Option<tryst_messages::CertificateCompressionAlgorithm>,
}

/// Chooses the server's certificate from the ClientHello. Called once per full handshake;
/// a resolver that blocks blocks the handshake (look up asynchronously before, with
/// [`Acceptor`](crate::Acceptor)).
pub trait ResolvesServerCert: Send + Sync {
    /// The certified key to present, or why none is.
    fn resolve(&self, hello: &ClientHello<'_>) -> Result<Resolved, Refusal>;
}

/// The schemes a signer can make, mapped to TLS code points: PKCS#1 v1.5 only below TLS
/// 1.3 (RFC 8446 §4.2.3 keeps it for certificates there).
fn scheme_of(alg: SignatureAlgorithm, version: ProtocolVersion) -> Option<SignatureScheme> {
    let pkcs1_allowed = version != ProtocolVersion::Tls13;
    match alg {
        SignatureAlgorithm::RsaPkcs1Sha256 if pkcs1_allowed => {
            Some(SignatureScheme::RsaPkcs1Sha256)
        }
        SignatureAlgorithm::RsaPkcs1Sha384 if pkcs1_allowed => {
            Some(SignatureScheme::RsaPkcs1Sha384)
        }
        SignatureAlgorithm::RsaPkcs1Sha512 if pkcs1_allowed => {
            Some(SignatureScheme::RsaPkcs1Sha512)
        }
        other => crate::suites::signature_scheme(other),
    }
}

/// A certificate's own signature as a scheme, for signature_algorithms_cert.
fn certificate_scheme(alg: SignatureAlgorithm) -> Option<SignatureScheme> {
    scheme_of(alg, ProtocolVersion::Tls12)
}

impl CertifiedKey {
    /// The scheme this key signs with for a client offering `offered` in `version`: the
    /// signer's first choice that the client accepts (an RSA key signs RSA-PSS with
    /// SHA-256, -384 or -512, and PKCS#1 v1.5 too below TLS 1.3).
    pub fn choose_scheme(
        &self,
        offered: &[SignatureScheme],
        version: ProtocolVersion,
    ) -> Option<SignatureScheme> {
        self.signer
            .algorithms()
            .iter()
            .filter_map(|a| scheme_of(*a, version))
            .find(|s| offered.contains(s))
    }

    /// The DNS names of the end-entity certificate (subjectAltName dNSName entries,
    /// lowercased; wildcards as written, like `*.example.com`).
    pub fn dns_names(&self) -> Vec<String> {
        let Some(leaf) = self.chain.first() else {
            return Vec::new();
        };
        let Ok(cert) = tryst_cert::Certificate::from_der(leaf.as_ref()) else {
            return Vec::new();
        };
        cert.dns_names()
            .filter_map(|n| core::str::from_utf8(n).ok())
            .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
            .collect()
    }

    /// Whether the client accepts the signature of every certificate in the chain but a
    /// self-issued last one (a trust anchor, whose signature nobody checks).
    fn chain_acceptable(&self, accepted: &[SignatureScheme]) -> bool {
        self.chain.iter().all(|der| {
            let Ok(c) = tryst_cert::Certificate::from_der(der.as_ref()) else {
                return false;
            };
            if c.issuer_der() == c.subject_der() {
                return true;
            }
            c.signature_algorithm()
                .ok()
                .and_then(certificate_scheme)
                .is_some_and(|s| accepted.contains(&s))
        })
    }
}

/// One certificate for every connection (what `ServerConfig::builder(cert)` makes).
#[derive(Debug)]
pub struct SingleCertResolver(Arc<CertifiedKey>);

impl SingleCertResolver {
    /// Always `key`.
    pub fn new(key: Arc<CertifiedKey>) -> Self {
        SingleCertResolver(key)
    }
}

impl ResolvesServerCert for SingleCertResolver {
    fn resolve(&self, hello: &ClientHello<'_>) -> Result<Resolved, Refusal> {
        if self
            .0
            .choose_scheme(hello.signature_schemes(), hello.version())
            .is_none()
        {
            return Err(Refusal::handshake_failure(
                "client does not accept our certificate's signature scheme",
            ));
        }
        Ok(Resolved {
            key: Arc::clone(&self.0),
            reason: Reason::Only,
        })
    }
}

/// One certificate of an [`SniCertResolver`] and the names read from it.
#[derive(Debug)]
struct Entry {
    key: Arc<CertifiedKey>,
    names: Vec<String>,
    default: bool,
}

/// Virtual hosting: certificates for several names and key types. For a ClientHello it
/// takes the certificates naming the SNI exactly (or, if none does, by a wildcard such as
/// `*.example.com`, which covers one label), else the default ones, and among those the
/// first (in the order added) whose key signs a scheme the client accepts, preferring one
/// whose chain signatures the client accepts too (RFC 8446 §4.4.2.2). Names come from the
/// certificates' subjectAltName dNSName entries.
#[derive(Debug, Default)]
pub struct SniCertResolver {
    entries: Vec<Entry>,
    refuse_unknown: bool,
}

impl SniCertResolver {
    /// No certificates yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serve `key` for the names in its certificate. Fails when the certificate does not
    /// parse.
    pub fn with_cert(mut self, key: impl Into<Arc<CertifiedKey>>) -> Result<Self, Error> {
        self.push(key.into(), false)?;
        Ok(self)
    }

    /// Serve `key` for its names and also to clients whose SNI is absent or unknown.
    /// Without any default, every certificate is a default.
    pub fn with_default_cert(mut self, key: impl Into<Arc<CertifiedKey>>) -> Result<Self, Error> {
        self.push(key.into(), true)?;
        Ok(self)
    }

    fn push(&mut self, key: Arc<CertifiedKey>, default: bool) -> Result<(), Error> {
        let leaf = key
            .chain
            .first()
            .ok_or(Error::Config("the certificate chain is empty"))?;
        tryst_cert::Certificate::from_der(leaf.as_ref())?;
        let names = key.dns_names();
        self.entries.push(Entry {
            key,
            names,
            default,
        });
        Ok(())
    }

    /// Refuse an SNI no certificate names with unrecognized_name (RFC 6066 §3) instead of
    /// serving a default. Clients without SNI still get a default.
    pub fn refuse_unknown_names(mut self, on: bool) -> Self {
        self.refuse_unknown = on;
        self
    }

    /// The certificates, in the order added.
    pub fn keys(&self) -> impl Iterator<Item = &Arc<CertifiedKey>> {
        self.entries.iter().map(|e| &e.key)
    }

    /// The certificates that may answer `hello`'s SNI, and why.
    fn candidates(&self, hello: &ClientHello<'_>) -> Result<(Vec<&Entry>, Reason), Refusal> {
        let Some(sni) = hello.server_name() else {
            return Ok((self.defaults(), Reason::NoServerName));
        };
        let sni = sni.trim_end_matches('.').to_ascii_lowercase();
        let exact: Vec<&Entry> = (self.entries.iter())
            .filter(|e| e.names.contains(&sni))
            .collect();
        if !exact.is_empty() {
            return Ok((exact, Reason::ExactName));
        }
        let wild: Vec<&Entry> = (self.entries.iter())
            .filter(|e| e.names.iter().any(|n| wildcard_matches(n, &sni)))
            .collect();
        if !wild.is_empty() {
            return Ok((wild, Reason::WildcardName));
        }
        if self.refuse_unknown {
            return Err(Refusal::unrecognized_name(
                "no certificate names the server_name the client asked for",
            ));
        }
        Ok((self.defaults(), Reason::UnknownName))
    }

    fn defaults(&self) -> Vec<&Entry> {
        let marked: Vec<&Entry> = self.entries.iter().filter(|e| e.default).collect();
        if marked.is_empty() {
            self.entries.iter().collect()
        } else {
            marked
        }
    }
}

/// `pattern` is `*.rest` and `name` is one non-empty label followed by `.rest`.
fn wildcard_matches(pattern: &str, name: &str) -> bool {
    let Some(rest) = pattern.strip_prefix("*.") else {
        return false;
    };
    match name.split_once('.') {
        Some((label, tail)) => !label.is_empty() && tail == rest && !rest.is_empty(),
        None => false,
    }
}

impl ResolvesServerCert for SniCertResolver {
    fn resolve(&self, hello: &ClientHello<'_>) -> Result<Resolved, Refusal> {
        let (candidates, reason) = self.candidates(hello)?;
        let signs = |e: &&&Entry| {
            e.key
                .choose_scheme(hello.signature_schemes(), hello.version())
                .is_some()
        };
        let accepted = hello.certificate_signature_schemes();
        let chosen = (candidates.iter())
            .filter(signs)
            .find(|e| e.key.chain_acceptable(accepted))
            .or_else(|| candidates.iter().find(signs));
        match chosen {
            Some(e) => Ok(Resolved {
                key: Arc::clone(&e.key),
                reason,
            }),
            None => Err(Refusal::handshake_failure(
                "no certificate for this name has a key whose signature the client accepts",
            )),
        }
    }
}

/// The server's certificate for a full handshake: the resolver's choice and the scheme
/// its CertificateVerify (TLS 1.2: ServerKeyExchange) signature will use.
pub(crate) fn choose_server_certificate(
    resolver: &dyn ResolvesServerCert,
    ch: &tryst_messages::ClientHello<'_>,
    version: ProtocolVersion,
) -> Result<ChosenCertificate, Error> {
    // TLS 1.3 requires signature_algorithms for a certificate-based handshake (RFC 8446
    // §4.2.3); TLS 1.2 has defaults for its absence, which its caller supplies.
    if version == ProtocolVersion::Tls13 && ch.signature_algorithms().is_none() {
        return Err(Error::misbehaved(
            AlertDescription::MissingExtension,
            "ClientHello without signature_algorithms",
        ));
    }
    let hello = ClientHello::new(ch, version);
    let Resolved { key, reason } = resolver.resolve(&hello)?;
    let scheme = key
        .choose_scheme(hello.signature_schemes(), version)
        .ok_or(Error::incompatible(
            "client does not accept the chosen certificate's signature scheme",
        ))?;
    Ok(ChosenCertificate {
        key,
        reason,
        scheme,
        compression: None,
    })
}

/// What the server's CertificateRequest asks for (RFC 8446 §4.3.2).
#[derive(Debug, Clone, Copy)]
pub struct CertificateRequest<'a> {
    schemes: &'a [SignatureScheme],
    authorities: &'a [Cow<'a, [u8]>],
    version: ProtocolVersion,
}

impl<'a> CertificateRequest<'a> {
    /// A view of a request accepting `schemes`, naming `authorities` (DER-encoded
    /// distinguished names; empty when the server named none).
    pub fn new(
        schemes: &'a [SignatureScheme],
        authorities: &'a [Cow<'a, [u8]>],
        version: ProtocolVersion,
    ) -> Self {
        CertificateRequest {
            schemes,
            authorities,
            version,
        }
    }

    /// The signature schemes the server accepts in our CertificateVerify.
    pub fn signature_schemes(&self) -> &'a [SignatureScheme] {
        self.schemes
    }

    /// certificate_authorities: the distinguished names (DER) of the CAs the server
    /// trusts; empty when the server did not say.
    pub fn certificate_authorities(&self) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        self.authorities.iter().map(|a| a.as_ref())
    }

    /// The protocol version of the handshake.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }
}

/// Chooses the client's certificate when the server asks for one. `None` sends an empty
/// Certificate (the server decides whether that is acceptable).
pub trait ResolvesClientCert: Send + Sync {
    /// The key to authenticate with, if any. It must sign one of the request's schemes.
    fn resolve(&self, request: &CertificateRequest<'_>) -> Option<Arc<CertifiedKey>>;
}

/// Client keys for several servers or key types: the first (in the order given) whose key
/// signs a scheme the server accepts and, when the server names certificate authorities,
/// whose chain has a certificate issued by (or is) one of them.
#[derive(Debug, Default)]
pub struct ClientCertResolver {
    keys: Vec<Arc<CertifiedKey>>,
}

impl ClientCertResolver {
    /// Choose among `keys`.
    pub fn new(keys: impl IntoIterator<Item = Arc<CertifiedKey>>) -> Self {
        ClientCertResolver {
            keys: keys.into_iter().collect(),
        }
    }
}

impl CertifiedKey {
    /// Whether a certificate of the chain is issued by, or is, one of `names` (DER
    /// distinguished names, compared byte for byte).
    fn chains_to_any<'n>(&self, names: impl Iterator<Item = &'n [u8]> + Clone) -> bool {
        self.chain.iter().any(|der| {
            tryst_cert::Certificate::from_der(der.as_ref()).is_ok_and(|c| {
                names
                    .clone()
                    .any(|n| n == c.issuer_der() || n == c.subject_der())
            })
        })
    }
}

impl ResolvesClientCert for ClientCertResolver {
    fn resolve(&self, request: &CertificateRequest<'_>) -> Option<Arc<CertifiedKey>> {
        let named = request.certificate_authorities().next().is_some();
        self.keys
            .iter()
            .filter(|k| {
                k.choose_scheme(request.signature_schemes(), request.version())
                    .is_some()
            })
            .find(|k| !named || k.chains_to_any(request.certificate_authorities()))
            .cloned()
    }
}

/// One client certificate, offered whenever the server accepts its scheme (what
/// `ClientConfigBuilder::with_client_auth_cert` makes).
#[derive(Debug)]
pub struct SingleClientCert(Arc<CertifiedKey>);

impl SingleClientCert {
    /// Always `key` (if the server accepts its scheme).
    pub fn new(key: Arc<CertifiedKey>) -> Self {
        SingleClientCert(key)
    }
}

impl ResolvesClientCert for SingleClientCert {
    fn resolve(&self, request: &CertificateRequest<'_>) -> Option<Arc<CertifiedKey>> {
        self.0
            .choose_scheme(request.signature_schemes(), request.version())
            .map(|_| Arc::clone(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard_matches;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(wildcard_matches("*.example.com", "a.example.com"));
        assert!(!wildcard_matches("*.example.com", "example.com"));
        assert!(!wildcard_matches("*.example.com", "a.b.example.com"));
        assert!(!wildcard_matches("*.example.com", ".example.com"));
        assert!(!wildcard_matches("a.example.com", "a.example.com"));
        assert!(!wildcard_matches("*.", "a."));
    }
}
