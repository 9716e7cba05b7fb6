//! Certificate revocation lists (RFC 5280 §5) and revocation checking during path
//! validation (§6.3, the parts that apply to complete, direct CRLs).
//!
//! ```text
//! CertificateList ::= SEQUENCE { tbsCertList TBSCertList,
//!     signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
//! TBSCertList ::= SEQUENCE { version Version OPTIONAL (v2), signature AlgorithmIdentifier,
//!     issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
//!     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate CertificateSerialNumber,
//!         revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
//!     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! What is supported: complete v2 CRLs issued directly by the CA that issued the
//! certificate (the CRL's issuer Name equals the certificate's issuer Name and its
//! signature verifies with that CA's key), with cRLNumber (required), authorityKeyIdentifier,
//! issuerAltName and freshestCRL (ignored), and issuingDistributionPoint scopes
//! onlyContainsUserCerts / onlyContainsCACerts with a fullName distribution point. Entries
//! may carry reasonCode and invalidityDate.
//!
//! Refused when read, as [`Error::BadCrl`]: delta CRLs (deltaCRLIndicator), indirect CRLs
//! (indirectCRL, certificateIssuer entries), onlySomeReasons, onlyContainsAttributeCerts,
//! nameRelativeToCRLIssuer, any unknown critical extension (CRL or entry), a reasonCode of
//! removeFromCRL (delta CRLs only), and a CRL without cRLNumber.

use alloc::vec::Vec;

use rustls_pki_types::CertificateRevocationListDer;
use tryst_crypto::SignatureAlgorithm;

use crate::der::{DerError, Reader, tag};
use crate::error::CrlError;
use crate::x509::{self, Certificate, GN_URI, KeyUsage, oid};
use crate::{Error, Policy};

/// Largest CRL accepted, in bytes (the DER reader's 3-byte lengths allow up to 2^24 - 1).
pub const MAX_CRL_LEN: usize = 0xff_ffff;

/// Most revoked-certificate entries accepted in one CRL.
pub const MAX_CRL_ENTRIES: usize = 1 << 20;

/// Most extensions accepted in the CRL or in one entry.
const MAX_EXTENSIONS: usize = 16;

/// ENUMERATED (the reasonCode's type).
const ENUMERATED: u8 = 0x0a;

/// Why a certificate was revoked (RFC 5280 §5.3.1 CRLReason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationReason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
}

impl RevocationReason {
    fn from_code(code: u8) -> Result<Self, CrlError> {
        use RevocationReason as R;
        Ok(match code {
            0 => R::Unspecified,
            1 => R::KeyCompromise,
            2 => R::CaCompromise,
            3 => R::AffiliationChanged,
            4 => R::Superseded,
            5 => R::CessationOfOperation,
            6 => R::CertificateHold,
            9 => R::PrivilegeWithdrawn,
            10 => R::AaCompromise,
            // 7 is unused; removeFromCRL (8) belongs in delta CRLs only (§5.3.1).
            _ => return Err(CrlError::Malformed),
        })
    }
}

/// One revoked certificate on a CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedCert<'a> {
    /// The serial number's magnitude bytes (as [`Certificate::serial`]).
    pub serial: &'a [u8],
    /// revocationDate, seconds since the Unix epoch.
    pub revocation_date: i64,
    /// The reasonCode entry extension, if present.
    pub reason: Option<RevocationReason>,
    /// The invalidityDate entry extension, if present, seconds since the Unix epoch.
    pub invalidity_date: Option<i64>,
}

/// The issuingDistributionPoint (RFC 5280 §5.2.5) parts that decide which certificates a
/// CRL covers.
#[derive(Debug, Clone, Copy, Default)]
struct Scope<'a> {
    only_user: bool,
    only_ca: bool,
    /// The fullName GeneralNames body of the distribution point, if present.
    full_name: Option<&'a [u8]>,
    /// Whether the extension is present at all.
    present: bool,
}

/// A parsed CRL, borrowing from its DER. Structure and extensions are checked here; the
/// signature, the issuer and the freshness are checked when it is used.
#[derive(Clone)]
pub struct Crl<'a> {
    der: &'a [u8],
    tbs: &'a [u8],
    signature_algorithm: SignatureAlgorithm,
    signature: &'a [u8],
    issuer: &'a [u8],
    this_update: i64,
    next_update: Option<i64>,
    revoked: &'a [u8],
    entries: usize,
    crl_number: &'a [u8],
    authority_key_id: Option<&'a [u8]>,
    scope: Scope<'a>,
}

impl core::fmt::Debug for Crl<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Crl")
            .field("len", &self.der.len())
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

fn malformed(e: Error) -> Error {
    match e {
        Error::BadCrl(_) => e,
        Error::BadDer(DerError::TooLong) => Error::BadCrl(CrlError::TooLarge),
        _ => Error::BadCrl(CrlError::Malformed),
    }
}

fn bad(e: CrlError) -> Error {
    Error::BadCrl(e)
}

impl<'a> Crl<'a> {
    /// Parse a DER CRL strictly (see the module documentation for what is refused).
    pub fn from_der(der: &'a [u8]) -> Result<Self, Error> {
        if der.len() > MAX_CRL_LEN {
            return Err(bad(CrlError::TooLarge));
        }
        let mut outer = Reader::with_max_len(der, MAX_CRL_LEN);
        let crl = outer
            .nested(tag::SEQUENCE, |r| {
                let tbs = r.expect_element(tag::SEQUENCE)?;
                let outer_alg = r.expect_element(tag::SEQUENCE)?;
                let signature = r.bit_string_octets()?;
                let mut tr = Reader::with_max_len(tbs.value, MAX_CRL_LEN);
                let mut crl = parse_tbs(der, tbs.raw, outer_alg.raw, &mut tr)?;
                tr.finish()?;
                crl.signature = signature;
                Ok::<_, Error>(crl)
            })
            .map_err(malformed)?;
        outer.finish().map_err(|_| bad(CrlError::Malformed))?;
        Ok(crl)
    }

    /// The CRL's DER.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The issuer Name DER (the whole SEQUENCE).
    pub fn issuer_der(&self) -> &'a [u8] {
        self.issuer
    }

    /// thisUpdate, seconds since the Unix epoch.
    pub fn this_update(&self) -> i64 {
        self.this_update
    }

    /// nextUpdate, if present, seconds since the Unix epoch.
    pub fn next_update(&self) -> Option<i64> {
        self.next_update
    }

    /// The cRLNumber's magnitude bytes.
    pub fn crl_number(&self) -> &'a [u8] {
        self.crl_number
    }

    /// The authorityKeyIdentifier keyIdentifier, if present.
    pub fn authority_key_id(&self) -> Option<&'a [u8]> {
        self.authority_key_id
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.signature_algorithm
    }

    /// How many certificates the CRL revokes.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether it revokes none.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The revoked certificates, in the CRL's order.
    pub fn revoked(&self) -> impl Iterator<Item = RevokedCert<'a>> + '_ {
        let mut r = Reader::with_max_len(self.revoked, MAX_CRL_LEN);
        // Every entry was checked when the CRL was parsed.
        core::iter::from_fn(move || {
            if r.is_empty() {
                return None;
            }
            r.nested(tag::SEQUENCE, parse_entry).ok()
        })
    }

    /// The entry for the certificate with serial number `serial` (magnitude bytes, as
    /// [`Certificate::serial`]), if the CRL revokes it.
    pub fn find(&self, serial: &[u8]) -> Option<RevokedCert<'a>> {
        self.revoked().find(|e| e.serial == serial)
    }

    /// Whether this CRL's scope covers `cert` (RFC 5280 §6.3.3 (b)): same issuer Name;
    /// onlyContainsUserCerts / onlyContainsCACerts matching whether `cert` is a CA; and,
    /// when both the CRL's issuingDistributionPoint and the certificate's
    /// cRLDistributionPoints name distribution points, a URI in common (as rustls-webpki
    /// does; a CRL without issuingDistributionPoint covers every certificate of its
    /// issuer).
    pub fn covers(&self, cert: &Certificate<'_>) -> bool {
        if self.issuer != cert.issuer_der() {
            return false;
        }
        let s = &self.scope;
        if !s.present {
            return true;
        }
        if (s.only_user && cert.is_ca()) || (s.only_ca && !cert.is_ca()) {
            return false;
        }
        let Some(dps) = cert.crl_dps else {
            return true;
        };
        let Some(idp_names) = s.full_name else {
            return false;
        };
        let idp_uris = || uris(idp_names);
        distribution_point_uris(dps)
            .iter()
            .any(|dp| idp_uris().any(|u| u == *dp))
    }

    /// Verify the CRL's signature with `issuer`'s key, with `policy`'s verifier and RSA
    /// minimum; the issuer's keyUsage, if present, must allow cRLSign.
    pub fn verify_signature(&self, issuer: &Certificate<'_>, policy: &Policy) -> Result<(), Error> {
        if issuer
            .key_usage()
            .is_some_and(|ku| !ku.allows(KeyUsage::CRL_SIGN))
        {
            return Err(bad(CrlError::IssuerNotCrlSigner));
        }
        let key = issuer.public_key()?;
        key.verify_with(
            policy.verifier,
            self.signature_algorithm,
            self.tbs,
            self.signature,
            policy.min_rsa_bits,
        )
        .map_err(|e| match e {
            Error::BadSignature | Error::SignatureAlgorithmMismatch => bad(CrlError::BadSignature),
            other => other,
        })
    }
}

fn parse_tbs<'a>(
    der: &'a [u8],
    tbs_raw: &'a [u8],
    outer_alg_raw: &'a [u8],
    r: &mut Reader<'a>,
) -> Result<Crl<'a>, Error> {
    // v2 (INTEGER 1) is required: cRLNumber is mandatory, and extensions need v2.
    if r.peek_tag() != Some(tag::INTEGER) || r.small_unsigned()? != 1 {
        return Err(bad(CrlError::UnsupportedVersion));
    }
    let alg = r.expect_element(tag::SEQUENCE)?;
    // RFC 5280 §5.1.1.2: the two AlgorithmIdentifiers must be identical.
    if alg.raw != outer_alg_raw {
        return Err(bad(CrlError::Malformed));
    }
    let signature_algorithm = x509::signature_algorithm(alg.value)?
        .map_err(|_| bad(CrlError::UnsupportedSignatureAlgorithm))?;
    let issuer = r.expect_element(tag::SEQUENCE)?.raw;
    x509::check_name(issuer)?;
    // §5.1.2.3: the issuer MUST be a non-empty distinguished name.
    if issuer == [tag::SEQUENCE, 0] {
        return Err(bad(CrlError::Malformed));
    }
    let this_update = x509::read_time(r)?;
    let next_update = match r.peek_tag() {
        Some(tag::UTC_TIME | tag::GENERALIZED_TIME) => Some(x509::read_time(r)?),
        _ => None,
    };
    let (revoked, entries) = parse_revoked_certificates(r)?;
    let mut crl = Crl {
        der,
        tbs: tbs_raw,
        signature_algorithm,
        signature: &[],
        issuer,
        this_update,
        next_update,
        revoked,
        entries,
        crl_number: &[],
        authority_key_id: None,
        scope: Scope::default(),
    };
    parse_crl_extensions(r, &mut crl)?;
    Ok(crl)
}

/// `revokedCertificates SEQUENCE OF SEQUENCE { ... } OPTIONAL`: the raw contents (empty
/// when absent) and the number of entries, each checked with [`parse_entry`].
fn parse_revoked_certificates<'a>(r: &mut Reader<'a>) -> Result<(&'a [u8], usize), Error> {
    if r.peek_tag() != Some(tag::SEQUENCE) {
        return Ok((&[], 0));
    }
    let revoked = r.expect(tag::SEQUENCE)?;
    let mut er = Reader::with_max_len(revoked, MAX_CRL_LEN);
    // §5.1.2.6: absent, not empty, when nothing is revoked.
    if er.is_empty() {
        return Err(bad(CrlError::Malformed));
    }
    let mut entries = 0usize;
    while !er.is_empty() {
        entries = entries.saturating_add(1);
        if entries > MAX_CRL_ENTRIES {
            return Err(bad(CrlError::TooLarge));
        }
        er.nested(tag::SEQUENCE, parse_entry)?;
    }
    Ok((revoked, entries))
}

/// `crlExtensions [0] EXPLICIT Extensions OPTIONAL` (RFC 5280 §5.2), stored into `crl`;
/// cRLNumber is required.
fn parse_crl_extensions<'a>(r: &mut Reader<'a>, crl: &mut Crl<'a>) -> Result<(), Error> {
    let mut have_number = false;
    if let Some(exts) = r.optional(tag::context_constructed(0))? {
        Reader::read_all(exts, |r| {
            r.nested(tag::SEQUENCE, |r| {
                for_each_extension(r, |id, critical, value| {
                    match id {
                        oid::CRL_NUMBER => {
                            crl.crl_number = crl_number(critical, value)?;
                            have_number = true;
                        }
                        oid::AUTHORITY_KEY_ID if !critical => {
                            crl.authority_key_id = authority_key_id(value)?;
                        }
                        oid::ISSUING_DISTRIBUTION_POINT => {
                            crl.scope = issuing_distribution_point(value)?;
                        }
                        oid::DELTA_CRL_INDICATOR => return Err(bad(CrlError::DeltaCrl)),
                        oid::ISSUER_ALT_NAME | oid::FRESHEST_CRL | oid::AUTHORITY_INFO_ACCESS
                            if !critical => {}
                        _ if critical => return Err(bad(CrlError::UnknownCriticalExtension)),
                        _ => {}
                    }
                    Ok(())
                })
            })
        })?;
    }
    if !have_number {
        return Err(bad(CrlError::MissingCrlNumber));
    }
    Ok(())
}

/// CRLNumber ::= INTEGER (0..MAX), non-critical, at most 20 octets (RFC 5280 §5.2.3).
fn crl_number(critical: bool, value: &[u8]) -> Result<&[u8], Error> {
    if critical {
        return Err(bad(CrlError::BadCrlNumber));
    }
    let n = Reader::read_all(value, |r| r.unsigned_integer())
        .map_err(|_| bad(CrlError::BadCrlNumber))?;
    if n.len() > 20 {
        return Err(bad(CrlError::BadCrlNumber));
    }
    Ok(n)
}

/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, each passed to `f` as (extnID,
/// critical, extnValue contents); duplicates and more than [`MAX_EXTENSIONS`] refused.
fn for_each_extension<'a>(
    r: &mut Reader<'a>,
    mut f: impl FnMut(&'a [u8], bool, &'a [u8]) -> Result<(), Error>,
) -> Result<(), Error> {
    if r.is_empty() {
        return Err(bad(CrlError::Malformed));
    }
    let mut seen: [&[u8]; MAX_EXTENSIONS] = [&[]; MAX_EXTENSIONS];
    let mut count = 0usize;
    while !r.is_empty() {
        let (id, critical, value) = r.nested(tag::SEQUENCE, |r| {
            let id = r.oid()?;
            let critical = if r.peek_tag() == Some(tag::BOOLEAN) {
                // DER: DEFAULT FALSE is encoded by omission.
                if !r.boolean()? {
                    return Err(bad(CrlError::Malformed));
                }
                true
            } else {
                false
            };
            let value = r.expect(tag::OCTET_STRING)?;
            Ok::<_, Error>((id, critical, value))
        })?;
        if seen.iter().take(count).any(|s| *s == id) {
            return Err(bad(CrlError::DuplicateExtension));
        }
        *seen.get_mut(count).ok_or(bad(CrlError::TooLarge))? = id;
        count = count.saturating_add(1);
        f(id, critical, value)?;
    }
    Ok(())
}

/// One revokedCertificates entry (the SEQUENCE contents).
fn parse_entry<'a>(r: &mut Reader<'a>) -> Result<RevokedCert<'a>, Error> {
    let serial = r.unsigned_integer()?;
    let revocation_date = x509::read_time(r)?;
    let mut entry = RevokedCert {
        serial,
        revocation_date,
        reason: None,
        invalidity_date: None,
    };
    if !r.is_empty() {
        r.nested(tag::SEQUENCE, |r| {
            for_each_extension(r, |id, critical, value| {
                match id {
                    oid::REASON_CODE if !critical => {
                        let code = Reader::read_all(value, |r| {
                            let v = r.expect(ENUMERATED)?;
                            match v {
                                [b] if *b < 0x80 => Ok::<_, Error>(*b),
                                _ => Err(bad(CrlError::Malformed)),
                            }
                        })?;
                        entry.reason = Some(RevocationReason::from_code(code).map_err(bad)?);
                    }
                    oid::INVALIDITY_DATE if !critical => {
                        let t = Reader::read_all(value, |r| {
                            let v = r.expect(tag::GENERALIZED_TIME)?;
                            Ok::<_, Error>(crate::time::generalized_time(v)?)
                        })?;
                        entry.invalidity_date = Some(t);
                    }
                    oid::CERTIFICATE_ISSUER => return Err(bad(CrlError::IndirectCrl)),
                    _ if critical => return Err(bad(CrlError::UnknownCriticalExtension)),
                    _ => {}
                }
                Ok(())
            })
        })?;
    }
    Ok(entry)
}

/// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] OPTIONAL,
/// authorityCertIssuer [1] OPTIONAL, authorityCertSerialNumber [2] OPTIONAL }.
fn authority_key_id(value: &[u8]) -> Result<Option<&[u8]>, Error> {
    Reader::read_all(value, |r| {
        r.nested(tag::SEQUENCE, |r| {
            let id = r.optional(tag::context_primitive(0))?;
            r.optional(tag::context_constructed(1))?;
            r.optional(tag::context_primitive(2))?;
            Ok::<_, Error>(id)
        })
    })
}

/// IssuingDistributionPoint (RFC 5280 §5.2.5).
fn issuing_distribution_point(value: &[u8]) -> Result<Scope<'_>, Error> {
    let flag = |r: &mut Reader<'_>, n: u8| -> Result<bool, Error> {
        match r.optional(tag::context_primitive(n))? {
            None => Ok(false),
            // DER: DEFAULT FALSE is encoded by omission, so only TRUE may appear.
            Some([0xff]) => Ok(true),
            Some(_) => Err(bad(CrlError::Malformed)),
        }
    };
    Reader::read_all(value, |r| {
        r.nested(tag::SEQUENCE, |r| {
            if r.is_empty() {
                return Err(bad(CrlError::Malformed));
            }
            let mut scope = Scope {
                present: true,
                ..Scope::default()
            };
            if let Some(dpn) = r.optional(tag::context_constructed(0))? {
                scope.full_name = Some(Reader::read_all(dpn, |r| {
                    match r.peek_tag() {
                        Some(t) if t == tag::context_constructed(0) => {}
                        // nameRelativeToCRLIssuer [1].
                        _ => return Err(bad(CrlError::UnsupportedScope)),
                    }
                    let names = r.expect(tag::context_constructed(0))?;
                    check_general_names(names)?;
                    Ok::<_, Error>(names)
                })?);
            }
            scope.only_user = flag(r, 1)?;
            scope.only_ca = flag(r, 2)?;
            if r.optional(tag::context_primitive(3))?.is_some() {
                return Err(bad(CrlError::UnsupportedScope));
            }
            if flag(r, 4)? {
                return Err(bad(CrlError::IndirectCrl));
            }
            if flag(r, 5)? {
                return Err(bad(CrlError::UnsupportedScope));
            }
            // §5.2.5: at most one of the three "only" flags.
            if scope.only_user && scope.only_ca {
                return Err(bad(CrlError::Malformed));
            }
            Ok(scope)
        })
    })
}

/// A GeneralNames body: at least one element, each a single TLV.
fn check_general_names(body: &[u8]) -> Result<(), Error> {
    Reader::read_all(body, |r| {
        if r.is_empty() {
            return Err(bad(CrlError::Malformed));
        }
        while !r.is_empty() {
            r.element()?;
        }
        Ok(())
    })
}

/// The URIs among a GeneralNames body's names.
fn uris(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut r = Reader::new(body);
    core::iter::from_fn(move || {
        while let Ok(e) = r.element() {
            if e.tag == GN_URI {
                return Some(e.value);
            }
        }
        None
    })
}

/// The fullName URIs of a certificate's cRLDistributionPoints (RFC 5280 §4.2.1.13),
/// leaving out distribution points with reasons or cRLIssuer (partitioned or indirect
/// CRLs, not supported) and any that is malformed.
fn distribution_point_uris(value: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let Ok(body) = Reader::read_all(value, |r| r.expect(tag::SEQUENCE)) else {
        return out;
    };
    let mut r = Reader::new(body);
    while let Ok(dp) = r.expect(tag::SEQUENCE) {
        let parsed = Reader::read_all(dp, |r| {
            let name = r.optional(tag::context_constructed(0))?;
            let partitioned = !r.is_empty();
            while !r.is_empty() {
                r.element()?;
            }
            Ok::<_, DerError>((name, partitioned))
        });
        let Ok((Some(name), false)) = parsed else {
            continue;
        };
        let Ok(full) = Reader::read_all(name, |r| r.expect(tag::context_constructed(0))) else {
            continue;
        };
        out.extend(uris(full));
    }
    out
}

/// How much of the path is checked for revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RevocationDepth {
    /// Only the end entity.
    EndEntityOnly,
    /// The end entity and every intermediate (the trust anchor is never checked).
    #[default]
    Chain,
}

/// What to do when no CRL covers a certificate that is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnknownStatusPolicy {
    /// Accept it (its status is unknown, not revoked).
    Allow,
    /// Refuse it with [`Error::UnknownRevocationStatus`].
    #[default]
    Deny,
}

/// What to do with a CRL whose nextUpdate is in the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExpiredCrlPolicy {
    /// Use it anyway (rustls-webpki's default): a stale CRL still lists what it revoked.
    #[default]
    Ignore,
    /// Refuse it with [`CrlError::Expired`].
    Enforce,
}

/// CRLs and how to use them, for [`crate::verify_path_with_revocation`].
///
/// The defaults follow rustls-webpki: the whole chain is checked
/// ([`RevocationDepth::Chain`]), a certificate no CRL covers is refused
/// ([`UnknownStatusPolicy::Deny`]), and a CRL past its nextUpdate is still used
/// ([`ExpiredCrlPolicy::Ignore`]).
///
/// For each certificate checked, the CRLs that [cover](Crl::covers) it are used if they
/// verify with the key of the issuer path building chose for it (whose keyUsage, if
/// present, must allow cRLSign). The certificate is revoked ([`Error::Revoked`]) if any of
/// them lists its serial number, whatever the reason code (certificateHold included).
/// When CRLs cover it but none can be used, the first reason is reported
/// ([`Error::BadCrl`]), whatever the unknown-status policy.
#[derive(Debug, Clone, Default)]
pub struct RevocationOptions {
    crls: Vec<Vec<u8>>,
    depth: RevocationDepth,
    unknown_status: UnknownStatusPolicy,
    expired_crl: ExpiredCrlPolicy,
}

impl RevocationOptions {
    /// No CRLs, default policies.
    pub fn new() -> Self {
        RevocationOptions::default()
    }

    /// Options with the DER `crls`; each must parse.
    pub fn from_der<'b>(crls: impl IntoIterator<Item = &'b [u8]>) -> Result<Self, Error> {
        let mut out = RevocationOptions::new();
        for c in crls {
            out.add_der(c)?;
        }
        Ok(out)
    }

    /// Add one DER CRL; it must parse ([`Crl::from_der`]).
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        Crl::from_der(der)?;
        self.crls.push(der.to_vec());
        Ok(())
    }

    /// Check the end entity only, or the whole chain.
    pub fn with_depth(mut self, depth: RevocationDepth) -> Self {
        self.depth = depth;
        self
    }

    /// What to do when no CRL covers a certificate.
    pub fn with_unknown_status(mut self, policy: UnknownStatusPolicy) -> Self {
        self.unknown_status = policy;
        self
    }

    /// What to do with a CRL past its nextUpdate.
    pub fn with_expired_crl(mut self, policy: ExpiredCrlPolicy) -> Self {
        self.expired_crl = policy;
        self
    }

    /// The depth.
    pub fn depth(&self) -> RevocationDepth {
        self.depth
    }

    /// The unknown-status policy.
    pub fn unknown_status(&self) -> UnknownStatusPolicy {
        self.unknown_status
    }

    /// The expired-CRL policy.
    pub fn expired_crl(&self) -> ExpiredCrlPolicy {
        self.expired_crl
    }

    /// The CRLs' DER, in the order added.
    pub fn crls(&self) -> impl Iterator<Item = CertificateRevocationListDer<'_>> {
        self.crls
            .iter()
            .map(|c| CertificateRevocationListDer::from(c.as_slice()))
    }

    /// How many CRLs there are.
    pub fn len(&self) -> usize {
        self.crls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.crls.is_empty()
    }

    /// The parsed CRLs (each parsed when added).
    pub(crate) fn parsed(&self) -> impl Iterator<Item = Crl<'_>> {
        self.crls.iter().filter_map(|c| Crl::from_der(c).ok())
    }
}

/// Every `X509 CRL` block in a PEM input (other block types are skipped).
pub fn crls_from_pem(pem: &[u8]) -> Result<Vec<CertificateRevocationListDer<'static>>, Error> {
    use rustls_pki_types::pem::PemObject;
    CertificateRevocationListDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad(CrlError::Malformed))
}
