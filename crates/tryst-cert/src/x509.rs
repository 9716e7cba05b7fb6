//! X.509 v3 certificates (RFC 5280 §4.1), parsed zero-copy: every field borrows from the
//! input bytes.
//!
//! ```text
//! Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
//!     signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
//! TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1,
//!     serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name,
//!     validity Validity, subject Name, subjectPublicKeyInfo SubjectPublicKeyInfo,
//!     issuerUniqueID [1] IMPLICIT OPTIONAL, subjectUniqueID [2] IMPLICIT OPTIONAL,
//!     extensions [3] EXPLICIT Extensions OPTIONAL }
//! ```

use core::fmt;

use tryst_crypto::SignatureAlgorithm;

use crate::Error;
use crate::der::{DerError, Reader, tag};
use crate::time;

/// Largest certificate accepted, in bytes.
pub const MAX_CERT_LEN: usize = 0xffff;

/// Most extensions accepted in one certificate.
const MAX_EXTENSIONS: usize = 32;

// OID contents octets.
pub(crate) mod oid {
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    pub const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    pub const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    pub const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    pub const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    pub const RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    pub const RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    pub const RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    pub const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    // Signature algorithms over MD2, MD5 and SHA-1, recognised only to be refused.
    pub const RSA_MD2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x02];
    pub const RSA_MD5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04];
    pub const RSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    pub const ECDSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    pub const DSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03];
    pub const MGF1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08];
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    // id-ce extensions (2.5.29.x).
    pub const SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
    pub const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
    pub const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
    pub const ISSUER_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x12];
    pub const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
    pub const NAME_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x1e];
    pub const CRL_DISTRIBUTION_POINTS: &[u8] = &[0x55, 0x1d, 0x1f];
    pub const CERTIFICATE_POLICIES: &[u8] = &[0x55, 0x1d, 0x20];
    pub const AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
    pub const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
    pub const POLICY_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x24];
    // CRL extensions (RFC 5280 §5.2, §5.3).
    pub const CRL_NUMBER: &[u8] = &[0x55, 0x1d, 0x14];
    pub const REASON_CODE: &[u8] = &[0x55, 0x1d, 0x15];
    pub const INVALIDITY_DATE: &[u8] = &[0x55, 0x1d, 0x18];
    pub const DELTA_CRL_INDICATOR: &[u8] = &[0x55, 0x1d, 0x1b];
    pub const ISSUING_DISTRIBUTION_POINT: &[u8] = &[0x55, 0x1d, 0x1c];
    pub const CERTIFICATE_ISSUER: &[u8] = &[0x55, 0x1d, 0x1d];
    pub const FRESHEST_CRL: &[u8] = &[0x55, 0x1d, 0x2e];
    // id-pe-authorityInfoAccess (1.3.6.1.5.5.7.1.1).
    pub const AUTHORITY_INFO_ACCESS: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01];
    // id-kp (1.3.6.1.5.5.7.3.x) and anyExtendedKeyUsage (2.5.29.37.0).
    pub const KP_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    pub const KP_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];
    // Attribute types.
    pub const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
}

/// The kind of a subject public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8410); the key is 32 bytes.
    Ed25519,
    /// ECDSA on P-256; the key is a SEC1 point.
    EcdsaP256,
    /// ECDSA on P-384; the key is a SEC1 point.
    EcdsaP384,
    /// RSA (rsaEncryption); the key is a PKCS#1 `RSAPublicKey`.
    Rsa,
}

impl KeyAlgorithm {
    /// Whether a signature made with `alg` can come from a key of this kind.
    pub fn fits(self, alg: SignatureAlgorithm) -> bool {
        use SignatureAlgorithm as S;
        matches!(
            (self, alg),
            (KeyAlgorithm::Ed25519, S::Ed25519)
                | (KeyAlgorithm::EcdsaP256, S::EcdsaP256Sha256)
                | (KeyAlgorithm::EcdsaP384, S::EcdsaP384Sha384)
                | (
                    KeyAlgorithm::Rsa,
                    S::RsaPkcs1Sha256
                        | S::RsaPkcs1Sha384
                        | S::RsaPkcs1Sha512
                        | S::RsaPssSha256
                        | S::RsaPssSha384
                        | S::RsaPssSha512
                )
        )
    }
}

/// A SubjectPublicKeyInfo: the algorithm and the key bytes in the form
/// [`tryst_crypto::verify`] takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKeyInfo<'a> {
    /// The key's algorithm (and curve).
    pub algorithm: KeyAlgorithm,
    /// The subjectPublicKey BIT STRING contents.
    pub key: &'a [u8],
    /// The whole SubjectPublicKeyInfo DER.
    pub spki_der: &'a [u8],
}

impl fmt::Debug for PublicKeyInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKeyInfo({:?}, {} bytes)",
            self.algorithm,
            self.key.len()
        )
    }
}

impl<'a> PublicKeyInfo<'a> {
    /// A SubjectPublicKeyInfo on its own, DER (a raw public key, RFC 7250): one SEQUENCE
    /// and nothing after it; an unknown algorithm or curve is `UnsupportedPublicKey`.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        let el = Reader::read_all(der, |r| r.expect_element(tag::SEQUENCE))?;
        Reader::read_all(el.value, |r| parse_spki(el.raw, r))?
    }
}

impl PublicKeyInfo<'_> {
    /// Check the key against the size policy: an RSA modulus must have at least
    /// `min_rsa_bits` bits and a whole number of bytes; other keys always pass (their
    /// shape was checked when parsed).
    pub fn check(&self, min_rsa_bits: usize) -> Result<(), Error> {
        if self.algorithm != KeyAlgorithm::Rsa {
            return Ok(());
        }
        let n = Reader::read_all(self.key, |r| {
            r.nested(tag::SEQUENCE, |r| {
                let n = r.unsigned_integer()?;
                r.unsigned_integer()?;
                Ok::<_, Error>(n)
            })
        })
        .map_err(|_| Error::InvalidPublicKey)?;
        let first = n.first().copied().unwrap_or(0);
        let bits = n
            .len()
            .saturating_mul(8)
            .saturating_sub(usize::try_from(first.leading_zeros()).unwrap_or(8));
        if bits < min_rsa_bits || bits % 8 != 0 {
            return Err(Error::WeakKey);
        }
        Ok(())
    }

    /// Verify `signature` over `message` made with `alg` by this key (for example a TLS
    /// CertificateVerify), refusing an algorithm that does not fit the key and RSA keys
    /// under `min_rsa_bits`.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
        min_rsa_bits: usize,
    ) -> Result<(), Error> {
        self.verify_with(
            tryst_crypto::VERIFIER,
            alg,
            message,
            signature,
            min_rsa_bits,
        )
    }

    /// [`PublicKeyInfo::verify`] with a given verifier (a crypto provider's).
    pub fn verify_with(
        &self,
        verifier: &dyn tryst_crypto::Verifier,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
        min_rsa_bits: usize,
    ) -> Result<(), Error> {
        if !self.algorithm.fits(alg) {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        let policy = tryst_crypto::VerifyPolicy::with_min_rsa_bits(min_rsa_bits);
        verifier
            .verify_with_policy(alg, self.key, message, signature, &policy)
            .map_err(|e| match e {
                tryst_crypto::Error::KeyTooSmall => Error::WeakKey,
                tryst_crypto::Error::InvalidPublicKey => Error::InvalidPublicKey,
                _ => Error::BadSignature,
            })
    }
}

/// basicConstraints (RFC 5280 §4.2.1.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// The cA flag.
    pub ca: bool,
    /// pathLenConstraint, if present.
    pub path_len: Option<u8>,
}

/// keyUsage bits (RFC 5280 §4.2.1.3), bit 0 (digitalSignature) in the lowest position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage(pub u16);

impl KeyUsage {
    /// digitalSignature (bit 0): signatures other than on certificates and CRLs, such as
    /// a TLS CertificateVerify. Required of a TLS 1.3 end entity whose keyUsage is present.
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// contentCommitment, formerly nonRepudiation (bit 1).
    pub const CONTENT_COMMITMENT: u16 = 1 << 1;
    /// keyEncipherment (bit 2): RSA key transport, which TLS 1.3 does not have.
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (bit 3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (bit 4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (bit 5): signing certificates. Required of a CA whose keyUsage is
    /// present, and allowed only with basicConstraints cA.
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (bit 6).
    pub const CRL_SIGN: u16 = 1 << 6;
    /// encipherOnly (bit 7).
    pub const ENCIPHER_ONLY: u16 = 1 << 7;
    /// decipherOnly (bit 8), the last bit RFC 5280 defines.
    pub const DECIPHER_ONLY: u16 = 1 << 8;

    /// Whether every bit of `bits` is set.
    pub const fn allows(self, bits: u16) -> bool {
        self.0 & bits == bits
    }
}

/// A parsed certificate, borrowing from its DER.
#[derive(Clone)]
pub struct Certificate<'a> {
    der: &'a [u8],
    pub(crate) tbs: &'a [u8],
    pub(crate) signature_algorithm: Result<SignatureAlgorithm, Error>,
    pub(crate) signature: &'a [u8],
    pub(crate) version: u8,
    pub(crate) serial: &'a [u8],
    pub(crate) issuer: &'a [u8],
    pub(crate) subject: &'a [u8],
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) spki: Result<PublicKeyInfo<'a>, Error>,
    pub(crate) basic_constraints: Option<BasicConstraints>,
    pub(crate) basic_constraints_critical: bool,
    pub(crate) key_usage: Option<KeyUsage>,
    pub(crate) eku: Option<&'a [u8]>,
    pub(crate) san: Option<&'a [u8]>,
    pub(crate) name_constraints: Option<&'a [u8]>,
    /// cRLDistributionPoints extnValue (checked only when a CRL is matched against it).
    pub(crate) crl_dps: Option<&'a [u8]>,
}

impl fmt::Debug for Certificate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("len", &self.der.len())
            .field("version", &self.version)
            .field("signature_algorithm", &self.signature_algorithm)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("basic_constraints", &self.basic_constraints)
            .finish_non_exhaustive()
    }
}

impl<'a> Certificate<'a> {
    /// Parse a DER certificate. Structure, extensions and algorithms are checked here;
    /// signatures, validity and names are checked by path validation.
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERT_LEN {
            return Err(Error::BadDer(DerError::TooLong));
        }
        Reader::read_all(der, |r| {
            r.nested(tag::SEQUENCE, |r| {
                let tbs = r.expect_element(tag::SEQUENCE)?;
                let outer_alg = r.expect_element(tag::SEQUENCE)?;
                let signature = r.bit_string_octets()?;
                let mut cert = Reader::read_all(tbs.value, |r| parse_tbs(der, tbs.raw, r))?;
                // RFC 5280 §4.2.1.3: keyCertSign only with basicConstraints cA.
                if cert
                    .cert
                    .key_usage
                    .is_some_and(|ku| ku.allows(KeyUsage::KEY_CERT_SIGN))
                    && !cert.cert.is_ca()
                {
                    return Err(Error::BadExtension);
                }
                // RFC 5280 §4.1.1.2: the two AlgorithmIdentifiers must be identical.
                if cert.tbs_alg_raw != outer_alg.raw {
                    return Err(Error::MalformedCertificate);
                }
                cert.cert.signature = signature;
                Ok(cert.cert)
            })
        })
    }

    /// The certificate's DER.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The bytes the issuer signed (the TBSCertificate DER).
    pub fn tbs_der(&self) -> &'a [u8] {
        self.tbs
    }

    /// The algorithm of the issuer's signature, or why it is not supported (a trust
    /// anchor's own signature is never checked, so an anchor may use any algorithm).
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, Error> {
        self.signature_algorithm
    }

    /// The issuer's signature value.
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }

    /// The version: 1 or 3 (v2 is refused).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The serial number's magnitude bytes.
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }

    /// RFC 5280 §4.1.2.2: a positive serial number of at most 20 octets (with the sign
    /// byte).
    pub(crate) fn check_serial(&self) -> Result<(), Error> {
        let encoded_len = self
            .serial
            .len()
            .saturating_add(usize::from(self.serial.first().is_some_and(|&b| b >= 0x80)));
        if encoded_len > 20 || self.serial.iter().all(|&b| b == 0) {
            return Err(Error::MalformedCertificate);
        }
        Ok(())
    }

    /// The issuer Name DER (the whole SEQUENCE).
    pub fn issuer_der(&self) -> &'a [u8] {
        self.issuer
    }

    /// The subject Name DER (the whole SEQUENCE).
    pub fn subject_der(&self) -> &'a [u8] {
        self.subject
    }

    /// notBefore, in seconds since the Unix epoch.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// notAfter, in seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The subject public key, or why it is unusable (unknown algorithm or curve).
    pub fn public_key(&self) -> Result<PublicKeyInfo<'a>, Error> {
        self.spki
    }

    /// basicConstraints, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.basic_constraints
    }

    /// keyUsage, if present.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.key_usage
    }

    /// Whether the key may sign handshakes: keyUsage, if present (critical or not), must
    /// allow digitalSignature. In TLS 1.3 both a server and a client prove possession of
    /// the key by signing CertificateVerify (RFC 8446 §4.4.2.2, RFC 5280 §4.2.1.3);
    /// keyEncipherment or keyAgreement alone, which TLS 1.2's RSA and static-(EC)DH key
    /// exchanges used, are not enough ([`Error::KeyUsageForbidsSigning`]).
    pub fn check_signing_allowed(&self) -> Result<(), Error> {
        match self.key_usage {
            Some(ku) if !ku.allows(KeyUsage::DIGITAL_SIGNATURE) => {
                Err(Error::KeyUsageForbidsSigning)
            }
            _ => Ok(()),
        }
    }

    /// Whether the certificate is a CA by basicConstraints.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|b| b.ca)
    }

    /// The subjectAltName DNS names (dNSName entries, as written).
    pub fn dns_names(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.general_names()
            .filter_map(|(t, v)| (t == GN_DNS).then_some(v))
    }

    /// The subjectAltName IP addresses (4 or 16 bytes).
    pub fn ip_addresses(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.general_names()
            .filter_map(|(t, v)| (t == GN_IP).then_some(v))
    }

    /// subjectAltName entries as (tag, value); the extension was checked when parsed.
    pub(crate) fn general_names(&self) -> GeneralNames<'a> {
        GeneralNames(Reader::new(self.san.unwrap_or(&[])))
    }

    /// Whether the subject is the empty Name.
    pub fn subject_is_empty(&self) -> bool {
        self.subject == [tag::SEQUENCE, 0]
    }

    /// Whether `self.issuer == self.subject` (RFC 5280's "self-issued").
    pub(crate) fn self_issued(&self) -> bool {
        self.issuer == self.subject
    }
}

/// GeneralName tags (RFC 5280 §4.2.1.6), context-specific.
pub(crate) const GN_RFC822: u8 = 0x81;
pub(crate) const GN_DNS: u8 = 0x82;
pub(crate) const GN_URI: u8 = 0x86;
pub(crate) const GN_DIRECTORY: u8 = 0xa4;
pub(crate) const GN_IP: u8 = 0x87;

/// An iterator over a checked GeneralNames SEQUENCE body.
pub(crate) struct GeneralNames<'a>(Reader<'a>);

impl<'a> Iterator for GeneralNames<'a> {
    type Item = (u8, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.element().ok().map(|e| (e.tag, e.value))
    }
}

struct Parsed<'a> {
    cert: Certificate<'a>,
    tbs_alg_raw: &'a [u8],
}

fn parse_tbs<'a>(
    der: &'a [u8],
    tbs_raw: &'a [u8],
    r: &mut Reader<'a>,
) -> Result<Parsed<'a>, Error> {
    let version = match r.optional(tag::context_constructed(0))? {
        None => 1,
        Some(v) => match Reader::read_all(v, |r| r.small_unsigned())? {
            // v1 must be encoded by omission (DER DEFAULT); v2 certificates are refused.
            2 => 3,
            _ => return Err(Error::UnsupportedVersion),
        },
    };
    // Checked against RFC 5280 §4.1.2.2 only for certificates on a path below the anchor
    // (long-trusted roots with serial 0 exist).
    let serial = r.unsigned_integer()?;
    let alg = r.expect_element(tag::SEQUENCE)?;
    let signature_algorithm = signature_algorithm(alg.value)?;
    let issuer = r.expect_element(tag::SEQUENCE)?.raw;
    check_name(issuer)?;
    let (not_before, not_after) = r.nested(tag::SEQUENCE, |r| {
        Ok::<_, Error>((read_time(r)?, read_time(r)?))
    })?;
    let subject = r.expect_element(tag::SEQUENCE)?.raw;
    check_name(subject)?;
    let spki_el = r.expect_element(tag::SEQUENCE)?;
    let spki = Reader::read_all(spki_el.value, |r| parse_spki(spki_el.raw, r))?;
    // Unique identifiers are obsolete; refuse them rather than half-support them.
    if r.peek_tag() == Some(tag::context_primitive(1))
        || r.peek_tag() == Some(tag::context_primitive(2))
    {
        return Err(Error::MalformedCertificate);
    }
    let mut cert = Certificate {
        der,
        tbs: tbs_raw,
        signature_algorithm,
        signature: &[],
        version,
        serial,
        issuer,
        subject,
        not_before,
        not_after,
        spki,
        basic_constraints: None,
        basic_constraints_critical: false,
        key_usage: None,
        eku: None,
        san: None,
        name_constraints: None,
        crl_dps: None,
    };
    if let Some(exts) = r.optional(tag::context_constructed(3))? {
        if version != 3 {
            return Err(Error::UnsupportedVersion);
        }
        Reader::read_all(exts, |r| {
            r.nested(tag::SEQUENCE, |r| parse_extensions(&mut cert, r))
        })?;
    }
    Ok(Parsed {
        cert,
        tbs_alg_raw: alg.raw,
    })
}

pub(crate) fn read_time(r: &mut Reader<'_>) -> Result<i64, Error> {
    let e = r.element()?;
    Ok(match e.tag {
        tag::UTC_TIME => time::utc_time(e.value)?,
        tag::GENERALIZED_TIME => time::generalized_time(e.value)?,
        _ => return Err(DerError::UnexpectedTag.into()),
    })
}

/// Name ::= SEQUENCE OF RelativeDistinguishedName (SET SIZE (1..MAX) OF
/// AttributeTypeAndValue). Names are compared byte for byte, so only the framing is
/// checked here.
pub(crate) fn check_name(raw: &[u8]) -> Result<(), Error> {
    Reader::read_all(raw, |r| {
        r.nested(tag::SEQUENCE, |r| {
            while !r.is_empty() {
                r.nested(tag::SET, |r| {
                    if r.is_empty() {
                        return Err(Error::MalformedCertificate);
                    }
                    while !r.is_empty() {
                        r.nested(tag::SEQUENCE, |r| {
                            r.oid()?;
                            r.element()?;
                            Ok::<_, Error>(())
                        })?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })
    })
}

/// The signature algorithm named by an AlgorithmIdentifier's contents. The outer
/// `Result` is a DER error; the inner one an unsupported algorithm (reported only if
/// the structure is otherwise fine).
pub(crate) fn signature_algorithm(v: &[u8]) -> Result<Result<SignatureAlgorithm, Error>, Error> {
    Reader::read_all(v, |r| {
        let id = r.oid()?;
        let params = if r.is_empty() {
            None
        } else {
            Some(r.element()?)
        };
        let null_params = || matches!(params, Some(p) if p.tag == tag::NULL && p.value.is_empty());
        use SignatureAlgorithm as S;
        Ok(match id {
            // RFC 8410 §3 and RFC 5758 §3.2: parameters absent.
            oid::ED25519 if params.is_none() => Ok(S::Ed25519),
            oid::ECDSA_SHA256 if params.is_none() => Ok(S::EcdsaP256Sha256),
            oid::ECDSA_SHA384 if params.is_none() => Ok(S::EcdsaP384Sha384),
            // RFC 4055 §5: parameters NULL.
            oid::RSA_SHA256 if null_params() => Ok(S::RsaPkcs1Sha256),
            oid::RSA_SHA384 if null_params() => Ok(S::RsaPkcs1Sha384),
            oid::RSA_SHA512 if null_params() => Ok(S::RsaPkcs1Sha512),
            oid::RSA_PSS => match params {
                Some(p) if p.tag == tag::SEQUENCE => {
                    Ok(pss_params(p.value).unwrap_or(Err(Error::UnsupportedSignatureAlgorithm))?)
                }
                _ => Err(Error::UnsupportedSignatureAlgorithm),
            },
            // RFC 8446 §4.4.2.4: a certificate that needs an MD5 signature checked MUST be
            // refused with bad_certificate; SHA-1 likewise, as the RFC recommends.
            oid::RSA_MD2 | oid::RSA_MD5 | oid::RSA_SHA1 | oid::ECDSA_SHA1 | oid::DSA_SHA1 => {
                Err(Error::WeakSignatureAlgorithm)
            }
            oid::ED25519
            | oid::ECDSA_SHA256
            | oid::ECDSA_SHA384
            | oid::RSA_SHA256
            | oid::RSA_SHA384
            | oid::RSA_SHA512 => Err(Error::MalformedCertificate),
            _ => Err(Error::UnsupportedSignatureAlgorithm),
        })
    })
}

/// RSASSA-PSS-params (RFC 4055 §3.1): only SHA-256/384/512 with MGF1 of the same hash and
/// a salt as long as the hash, trailer field 1 (the TLS 1.3 `rsa_pss_rsae_*` shapes).
fn pss_params(v: &[u8]) -> Result<Result<SignatureAlgorithm, Error>, Error> {
    fn hash_id(r: &mut Reader<'_>) -> Result<&'static [u8], Error> {
        r.nested(tag::SEQUENCE, |r| {
            let id = r.oid()?;
            if !r.is_empty() {
                r.null()?;
            }
            Ok(match id {
                oid::SHA256 => oid::SHA256,
                oid::SHA384 => oid::SHA384,
                oid::SHA512 => oid::SHA512,
                _ => &[],
            })
        })
    }
    Reader::read_all(v, |r| {
        let hash = r.nested(tag::context_constructed(0), hash_id)?;
        let mgf_hash = r.nested(tag::context_constructed(1), |r| {
            r.nested(tag::SEQUENCE, |r| {
                if r.oid()? != oid::MGF1 {
                    return Ok(&[][..]);
                }
                hash_id(r)
            })
        })?;
        let salt = r.nested(tag::context_constructed(2), |r| {
            Ok::<_, Error>(r.small_unsigned()?)
        })?;
        if r.optional(tag::context_constructed(3))?.is_some() {
            // trailerField DEFAULT 1 must be omitted in DER.
            return Ok(Err(Error::MalformedCertificate));
        }
        Ok(match (hash, salt) {
            (h, 32) if h == oid::SHA256 && mgf_hash == h => Ok(SignatureAlgorithm::RsaPssSha256),
            (h, 48) if h == oid::SHA384 && mgf_hash == h => Ok(SignatureAlgorithm::RsaPssSha384),
            (h, 64) if h == oid::SHA512 && mgf_hash == h => Ok(SignatureAlgorithm::RsaPssSha512),
            _ => Err(Error::UnsupportedSignatureAlgorithm),
        })
    })
}

fn parse_spki<'a>(
    raw: &'a [u8],
    r: &mut Reader<'a>,
) -> Result<Result<PublicKeyInfo<'a>, Error>, Error> {
    let (id, param) = r.nested(tag::SEQUENCE, |r| {
        let id = r.oid()?;
        let param = if r.is_empty() {
            None
        } else {
            Some(r.element()?)
        };
        Ok::<_, Error>((id, param))
    })?;
    let key = r.bit_string_octets()?;
    let algorithm = match (id, param) {
        (oid::ED25519, None) => KeyAlgorithm::Ed25519,
        (oid::EC_PUBLIC_KEY, Some(p)) if p.tag == tag::OID && p.value == oid::P256 => {
            KeyAlgorithm::EcdsaP256
        }
        (oid::EC_PUBLIC_KEY, Some(p)) if p.tag == tag::OID && p.value == oid::P384 => {
            KeyAlgorithm::EcdsaP384
        }
        (oid::RSA_ENCRYPTION, Some(p)) if p.tag == tag::NULL && p.value.is_empty() => {
            KeyAlgorithm::Rsa
        }
        _ => return Ok(Err(Error::UnsupportedPublicKey)),
    };
    let shape_ok = match algorithm {
        KeyAlgorithm::Ed25519 => key.len() == 32,
        // Uncompressed points only (RFC 5480 §2.2: compressed MAY be refused).
        KeyAlgorithm::EcdsaP256 => key.len() == 65 && key.first() == Some(&4),
        KeyAlgorithm::EcdsaP384 => key.len() == 97 && key.first() == Some(&4),
        KeyAlgorithm::Rsa => true,
    };
    if !shape_ok {
        return Ok(Err(Error::InvalidPublicKey));
    }
    Ok(Ok(PublicKeyInfo {
        algorithm,
        key,
        spki_der: raw,
    }))
}

fn parse_extensions<'a>(cert: &mut Certificate<'a>, r: &mut Reader<'a>) -> Result<(), Error> {
    // RFC 5280: Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension.
    if r.is_empty() {
        return Err(Error::BadExtension);
    }
    let mut seen: [&[u8]; MAX_EXTENSIONS] = [&[]; MAX_EXTENSIONS];
    let mut count = 0usize;
    while !r.is_empty() {
        let (id, critical, value) = r.nested(tag::SEQUENCE, read_extension)?;
        if seen.iter().take(count).any(|s| *s == id) {
            return Err(Error::DuplicateExtension);
        }
        *seen.get_mut(count).ok_or(Error::BadExtension)? = id;
        count = count.saturating_add(1);
        match id {
            oid::BASIC_CONSTRAINTS => {
                cert.basic_constraints_critical = critical;
                cert.basic_constraints = Some(basic_constraints(value)?);
            }
            oid::KEY_USAGE => {
                cert.key_usage = Some(Reader::read_all(value, |r| {
                    let bits = r.expect(tag::BIT_STRING)?;
                    key_usage(bits)
                })?);
            }
            oid::EXT_KEY_USAGE => cert.eku = Some(ext_key_usage(value)?),
            oid::SUBJECT_ALT_NAME => {
                let body = Reader::read_all(value, |r| r.expect(tag::SEQUENCE))?;
                check_general_names(body)?;
                // RFC 5280 §4.2.1.6: critical exactly when the subject is empty.
                if critical == (cert.subject != [tag::SEQUENCE, 0]) {
                    return Err(Error::BadExtension);
                }
                cert.san = Some(body);
            }
            oid::NAME_CONSTRAINTS => {
                // RFC 5280 §4.2.1.10 wants it critical, but the CA/B Forum profile allows
                // non-critical name constraints for old clients; they are enforced either
                // way.
                cert.name_constraints = Some(value);
                crate::names::check_name_constraints_syntax(value)?;
            }
            // RFC 5280 §4.2.1.11: MUST be critical; policies are not processed, so a
            // critical one is refused below as unknown.
            oid::POLICY_CONSTRAINTS if !critical => return Err(Error::BadExtension),
            oid::AUTHORITY_INFO_ACCESS if !critical => check_aia(value)?,
            oid::CRL_DISTRIBUTION_POINTS if !critical => cert.crl_dps = Some(value),
            oid::SUBJECT_KEY_ID | oid::AUTHORITY_KEY_ID | oid::ISSUER_ALT_NAME if !critical => {}
            // Policies are not processed (no policy mapping or requireExplicitPolicy):
            // ignored when non-critical, refused when critical.
            oid::CERTIFICATE_POLICIES if !critical => {}
            _ if critical => return Err(Error::UnknownCriticalExtension),
            _ => {}
        }
    }
    Ok(())
}

/// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
/// extnValue OCTET STRING } (the SEQUENCE contents): (extnID, critical, extnValue contents).
fn read_extension<'a>(r: &mut Reader<'a>) -> Result<(&'a [u8], bool, &'a [u8]), Error> {
    let id = r.oid()?;
    let critical = if r.peek_tag() == Some(tag::BOOLEAN) {
        r.boolean()?
    } else {
        false
    };
    let value = r.expect(tag::OCTET_STRING)?;
    Ok((id, critical, value))
}

/// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
/// pathLenConstraint INTEGER (0..MAX) OPTIONAL } (RFC 5280 §4.2.1.9); a path length
/// over 255 is kept as 255.
fn basic_constraints(value: &[u8]) -> Result<BasicConstraints, Error> {
    Reader::read_all(value, |r| {
        r.nested(tag::SEQUENCE, |r| {
            let ca = if r.peek_tag() == Some(tag::BOOLEAN) {
                r.boolean()?
            } else {
                false
            };
            let path_len = if r.is_empty() {
                None
            } else {
                let n = r.small_unsigned()?;
                Some(u8::try_from(n).unwrap_or(u8::MAX))
            };
            Ok::<_, Error>(BasicConstraints { ca, path_len })
        })
    })
}

/// ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId (RFC 5280 §4.2.1.12):
/// the SEQUENCE contents, checked to be a non-empty list of OIDs.
fn ext_key_usage(value: &[u8]) -> Result<&[u8], Error> {
    let body = Reader::read_all(value, |r| r.expect(tag::SEQUENCE))?;
    Reader::read_all(body, |r| {
        if r.is_empty() {
            return Err(Error::BadExtension);
        }
        while !r.is_empty() {
            r.oid()?;
        }
        Ok(())
    })?;
    Ok(body)
}

/// keyUsage BIT STRING contents (RFC 5280 §4.2.1.3), DER only: an unused-bits count of 0
/// to 7 (0 when there are no bits), padding bits zero, trailing zero bits dropped (so the
/// last bit is set, and at least one bit is: an empty keyUsage is refused), and no bit past
/// decipherOnly (bit 8), so at most two bytes and the second only with bit 8.
fn key_usage(bits: &[u8]) -> Result<KeyUsage, Error> {
    let (&unused, data) = bits.split_first().ok_or(Error::BadExtension)?;
    let last = data.last().copied().ok_or(Error::BadExtension)?;
    if unused > 7 || data.len() > 2 {
        return Err(Error::BadExtension);
    }
    let pad_mask = u8::try_from((1u16 << unused) - 1).map_err(|_| Error::BadExtension)?;
    // DER named bit lists drop trailing zero bits: the last used bit must be set.
    if last & pad_mask != 0 || last & (1 << unused) == 0 {
        return Err(Error::BadExtension);
    }
    // A second byte may carry decipherOnly (its top bit) and nothing else.
    if data.len() == 2 && unused != 7 {
        return Err(Error::BadExtension);
    }
    let mut v = 0u16;
    for (i, &b) in data.iter().enumerate() {
        for bit in 0..8u16 {
            if b & (0x80 >> bit) != 0 {
                let pos = u16::try_from(i).map_err(|_| Error::BadExtension)? * 8 + bit;
                v |= 1 << pos;
            }
        }
    }
    Ok(KeyUsage(v))
}

/// GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName; each entry is one element,
/// and the forms we use are well-formed: dNSName in preferred name syntax (a left-most
/// `*` label allowed), iPAddress of 4 or 16 bytes, rfc822Name a mailbox.
fn check_general_names(body: &[u8]) -> Result<(), Error> {
    Reader::read_all(body, |r| {
        if r.is_empty() {
            return Err(Error::BadExtension);
        }
        while !r.is_empty() {
            let e = r.element()?;
            let ok = match e.tag {
                GN_DNS => crate::names::is_valid_dns(e.value, true),
                GN_RFC822 => crate::names::is_valid_mailbox(e.value),
                GN_URI => e.value.is_ascii(),
                GN_IP => e.value.len() == 4 || e.value.len() == 16,
                GN_DIRECTORY => check_name(e.value).is_ok(),
                _ => true,
            };
            if !ok {
                return Err(Error::BadExtension);
            }
        }
        Ok(())
    })
}

/// AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
/// (RFC 5280 §4.2.2.1), AccessDescription ::= SEQUENCE { accessMethod OID,
/// accessLocation GeneralName }. Not used, but refused when malformed.
fn check_aia(value: &[u8]) -> Result<(), Error> {
    Reader::read_all(value, |r| {
        r.nested(tag::SEQUENCE, |r| {
            if r.is_empty() {
                return Err(Error::BadExtension);
            }
            while !r.is_empty() {
                r.nested(tag::SEQUENCE, |r| {
                    r.oid()?;
                    r.element()?;
                    Ok::<_, Error>(())
                })?;
            }
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_bits() {
        assert_eq!(
            key_usage(&[0x07, 0x80]).unwrap().0,
            KeyUsage::DIGITAL_SIGNATURE
        );
        assert_eq!(key_usage(&[0x01, 0x06]).unwrap().0, (1 << 5) | (1 << 6));
        assert_eq!(key_usage(&[0x00, 0xff]).unwrap().0, 0xff);
        assert_eq!(key_usage(&[0x07, 0x80, 0x80]).unwrap().0, 1 | (1 << 8));
        assert_eq!(
            key_usage(&[0x07, 0x00, 0x80]).unwrap().0,
            KeyUsage::DECIPHER_ONLY
        );
        // Each DER rule, broken once.
        for bad in [
            &[][..],                   // no unused-bits byte
            &[0x00],                   // no bits at all (an empty keyUsage)
            &[0x07],                   // unused bits but no byte to hold them
            &[0x08, 0x80],             // unused-bits count above 7
            &[0x00, 0x80],             // trailing zero bits not dropped
            &[0x07, 0x00],             // no bit set
            &[0x07, 0x81],             // a padding bit set
            &[0x06, 0x80, 0x40],       // bit 9: past decipherOnly
            &[0x00, 0x80, 0xff],       // bits 9 to 15
            &[0x07, 0x80, 0x80, 0x80], // three bytes
        ] {
            assert_eq!(key_usage(bad), Err(Error::BadExtension), "{bad:02x?}");
        }
    }
}
