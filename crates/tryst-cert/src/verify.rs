//! Path validation: from the end-entity certificate through the given intermediates to a
//! trust anchor, with backtracking under an explicit work budget.

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::Error;
use crate::crl::{ExpiredCrlPolicy, RevocationDepth, RevocationOptions, UnknownStatusPolicy};
use crate::der::{Reader, tag};
use crate::error::BudgetLimit;
use crate::error::CrlError;
use crate::names;
use crate::x509::{Certificate, KeyUsage, PublicKeyInfo, oid};

/// Limits on the work one path validation may do. Exceeding each is a distinct
/// [`Error::BudgetExhausted`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Budget {
    /// Signature verifications, over every path tried (default 100).
    pub signatures: usize,
    /// Path-building steps: one per candidate-issuer search (default 200 000).
    pub build_calls: usize,
    /// Intermediates allowed between the end entity and the anchor, not counting
    /// self-issued ones (default 6); with them, at most twice this plus one.
    pub max_intermediates: usize,
}

impl Budget {
    /// The default budget.
    pub const DEFAULT: Budget = Budget {
        signatures: 100,
        build_calls: 200_000,
        max_intermediates: 6,
    };

    /// The default budget with another signature limit.
    pub const fn with_signatures(mut self, n: usize) -> Self {
        self.signatures = n;
        self
    }

    /// The default budget with another build-step limit.
    pub const fn with_build_calls(mut self, n: usize) -> Self {
        self.build_calls = n;
        self
    }

    /// The default budget with another intermediate-count limit.
    pub const fn with_max_intermediates(mut self, n: usize) -> Self {
        self.max_intermediates = n;
        self
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// What a validation accepts beyond RFC 5280's rules, and the signature verifier it uses.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Policy {
    /// The work budget.
    pub budget: Budget,
    /// Smallest RSA modulus accepted on the path, in bits (default 2048).
    pub min_rsa_bits: usize,
    /// Checks every signature on the path: a crypto provider's
    /// ([`tryst_crypto::CryptoProvider::verifier`]); the default backend's by default.
    pub verifier: &'static dyn tryst_crypto::Verifier,
}

impl core::fmt::Debug for Policy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Policy")
            .field("budget", &self.budget)
            .field("min_rsa_bits", &self.min_rsa_bits)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// The default policy: [`Budget::DEFAULT`], RSA keys of at least 2048 bits, the default
    /// backend's verifier ([`tryst_crypto::VERIFIER`]).
    pub const DEFAULT: Policy = Policy {
        budget: Budget::DEFAULT,
        min_rsa_bits: 2048,
        verifier: tryst_crypto::VERIFIER,
    };

    /// This policy with another signature verifier (a crypto provider's).
    pub const fn with_verifier(mut self, verifier: &'static dyn tryst_crypto::Verifier) -> Self {
        self.verifier = verifier;
        self
    }

    /// This policy with another budget.
    pub const fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// This policy with another RSA minimum (for test vectors with small keys).
    pub const fn with_min_rsa_bits(mut self, bits: usize) -> Self {
        self.min_rsa_bits = bits;
        self
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::DEFAULT
    }
}

/// The certificates a verifier trusts.
///
/// When added, an anchor must parse as a v1 or v3 certificate (the same strict parsing as
/// any certificate, extensions included) with a supported public key
/// ([`TrustAnchors::add_der`]).
///
/// When path building reaches an anchor (its subject is the issuer name of the certificate
/// above it, whose signature its key must verify), the anchor itself must:
/// - be within its validity period at the validation time ([`Error::Expired`],
///   [`Error::NotYetValid`]);
/// - if it is a v3 certificate, be a CA: basicConstraints present, critical and with cA,
///   and keyUsage, if present, allowing keyCertSign ([`Error::NotCa`]); a v1 anchor (no
///   extensions) is taken as a CA;
/// - have a non-empty subject ([`Error::NotCa`]);
/// - have a key the [`Policy`] accepts (RSA size, [`Error::WeakKey`]).
///
/// An anchor's name constraints apply to the whole path below it. An anchor that fails
/// these checks is skipped and path building tries other anchors and issuers; if none
/// succeeds, the first such failure is reported rather than [`Error::UnknownIssuer`].
///
/// Not checked on an anchor: its own signature and signature algorithm (it is trusted by
/// configuration, RFC 5280 §6.1.1 (d)), its pathLenConstraint, its extendedKeyUsage and
/// its serial number.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<Vec<u8>>,
}

impl TrustAnchors {
    /// No anchors.
    pub fn new() -> Self {
        TrustAnchors::default()
    }

    /// Anchors from DER certificates; each must parse.
    pub fn from_der<'b>(certs: impl IntoIterator<Item = &'b [u8]>) -> Result<Self, Error> {
        let mut out = TrustAnchors::new();
        for c in certs {
            out.add_der(c)?;
        }
        Ok(out)
    }

    /// Add every certificate that parses and skip the rest (as a system trust store loader
    /// does); returns how many were skipped.
    pub fn add_der_skipping_unusable<'b>(
        &mut self,
        certs: impl IntoIterator<Item = &'b [u8]>,
    ) -> usize {
        certs
            .into_iter()
            .filter(|c| self.add_der(c).is_err())
            .count()
    }

    /// Anchors from every `CERTIFICATE` block of a PEM file (other blocks are skipped).
    pub fn from_pem(pem: &[u8]) -> Result<Self, Error> {
        let mut out = TrustAnchors::new();
        for c in crate::certs_from_pem(pem)? {
            out.add_der(c.as_ref())?;
        }
        Ok(out)
    }

    /// Add one DER certificate as an anchor. It must parse and have a supported public
    /// key; validity, basicConstraints and keyUsage are checked when a path uses it (see
    /// [`TrustAnchors`]).
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), Error> {
        let cert = Certificate::from_der(der)?;
        cert.public_key()?;
        self.certs.push(der.to_vec());
        Ok(())
    }

    /// How many anchors there are.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The anchors' DER.
    pub fn iter(&self) -> impl Iterator<Item = CertificateDer<'_>> {
        self.certs
            .iter()
            .map(|c| CertificateDer::from(c.as_slice()))
    }
}

/// What the end-entity certificate must be good for. For both, a keyUsage extension, if
/// present, must allow digitalSignature ([`Error::KeyUsageForbidsSigning`]), and an
/// extendedKeyUsage extension, if present on the end entity or an intermediate, must list
/// the purpose ([`Error::InvalidPurpose`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Usage {
    /// A TLS server: extendedKeyUsage id-kp-serverAuth, if present; keyUsage
    /// digitalSignature, if present.
    ServerAuth,
    /// A TLS client: extendedKeyUsage id-kp-clientAuth, if present; keyUsage
    /// digitalSignature, if present.
    ClientAuth,
}

impl Usage {
    fn oid(self) -> &'static [u8] {
        match self {
            Usage::ServerAuth => oid::KP_SERVER_AUTH,
            Usage::ClientAuth => oid::KP_CLIENT_AUTH,
        }
    }
}

/// Proof that a certificate path was validated: the end entity, the intermediates used
/// (leaf first) and the trust anchor. The TLS layer verifies CertificateVerify with
/// [`VerifiedPath::public_key`].
#[derive(Debug, Clone)]
pub struct VerifiedPath<'a> {
    end_entity: Certificate<'a>,
    key: PublicKeyInfo<'a>,
    intermediates: Vec<&'a [u8]>,
    anchor: &'a [u8],
}

impl<'a> VerifiedPath<'a> {
    /// The end-entity certificate.
    pub fn end_entity(&self) -> &Certificate<'a> {
        &self.end_entity
    }

    /// The end entity's public key (checked to be of a supported algorithm).
    pub fn public_key(&self) -> PublicKeyInfo<'a> {
        self.key
    }

    /// The intermediates on the path, from the one that issued the end entity upward.
    pub fn intermediates(&self) -> &[&'a [u8]] {
        &self.intermediates
    }

    /// The trust anchor the path ends at.
    pub fn anchor(&self) -> &'a [u8] {
        self.anchor
    }

    /// Check that the end entity names `server_name` (what [`verify_server_cert`] adds to
    /// [`verify_path`]).
    pub fn check_server_name(&self, server_name: &ServerName<'_>) -> Result<(), Error> {
        names::check_server_name(&self.end_entity, server_name)
    }
}

/// Validate a TLS server's certificate path at `now` and check it names `server_name`
/// (subjectAltName dNSName or iPAddress; the subject common name is never used).
pub fn verify_server_cert<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    server_name: &ServerName<'_>,
    now: UnixTime,
    policy: &Policy,
) -> Result<VerifiedPath<'a>, Error> {
    let path = verify_path(
        end_entity,
        intermediates,
        anchors,
        Usage::ServerAuth,
        now,
        policy,
    )?;
    names::check_server_name(&path.end_entity, server_name)?;
    Ok(path)
}

/// Validate a TLS client's certificate path at `now` (no name check: the application
/// decides what the client's names mean).
pub fn verify_client_cert<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    now: UnixTime,
    policy: &Policy,
) -> Result<VerifiedPath<'a>, Error> {
    verify_path(
        end_entity,
        intermediates,
        anchors,
        Usage::ClientAuth,
        now,
        policy,
    )
}

/// Validate a certificate path for `usage` at `now`, without a name check.
pub fn verify_path<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    usage: Usage,
    now: UnixTime,
    policy: &Policy,
) -> Result<VerifiedPath<'a>, Error> {
    verify(end_entity, intermediates, anchors, usage, now, policy, None)
}

/// [`verify_path`] that also checks revocation with `revocation`'s CRLs (see
/// [`RevocationOptions`]): during path building, each certificate checked is looked up in
/// the CRLs of the issuer chosen for it, so a path through a revoked intermediate is given
/// up for another if there is one. Add a name check with
/// [`VerifiedPath::check_server_name`].
pub fn verify_path_with_revocation<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    usage: Usage,
    now: UnixTime,
    policy: &Policy,
    revocation: &RevocationOptions,
) -> Result<VerifiedPath<'a>, Error> {
    verify(
        end_entity,
        intermediates,
        anchors,
        usage,
        now,
        policy,
        Some(revocation),
    )
}

fn verify<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    usage: Usage,
    now: UnixTime,
    policy: &Policy,
    revocation: Option<&RevocationOptions>,
) -> Result<VerifiedPath<'a>, Error> {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let ee = Certificate::from_der(end_entity)?;
    let key = ee.public_key()?;
    key.check(policy.min_rsa_bits)?;
    if ee.version() != 3 {
        return Err(Error::UnsupportedVersion);
    }
    check_validity(&ee, now)?;
    ee.check_serial()?;
    // A CA certificate as the end entity is refused (as rustls-webpki and the CA/B Forum
    // profile do): a TLS server or client presents an end-entity certificate.
    if ee.is_ca() {
        return Err(Error::CaUsedAsEndEntity);
    }
    // RFC 5280 §4.2.1.10: name constraints only in CA certificates.
    if ee.name_constraints.is_some() {
        return Err(Error::BadExtension);
    }
    check_eku(&ee, usage)?;
    check_end_entity_key_usage(&ee, usage)?;
    // Unparsable intermediates can never be on a path; drop them.
    let inters: Vec<Certificate<'a>> = intermediates
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    let anchor_certs: Vec<Certificate<'a>> = anchors
        .certs
        .iter()
        .filter_map(|d| Certificate::from_der(d).ok())
        .collect();
    let mut state = Search {
        leaf: &ee,
        inters: &inters,
        anchors: &anchor_certs,
        usage,
        now,
        policy,
        signatures_left: policy.budget.signatures,
        calls_left: policy.budget.build_calls,
        path: Vec::new(),
        revocation,
    };
    let anchor = state.build(&ee)?;
    let intermediates = state
        .path
        .iter()
        .filter_map(|&i| inters.get(i).map(Certificate::der))
        .collect();
    let anchor = anchor_certs
        .get(anchor)
        .map(Certificate::der)
        .ok_or(Error::UnknownIssuer)?;
    Ok(VerifiedPath {
        end_entity: ee,
        key,
        intermediates,
        anchor,
    })
}

/// A certificate acting as a CA: basicConstraints present, critical, with cA (RFC 5280
/// §4.2.1.9), and keyUsage, if present, allowing keyCertSign (§4.2.1.3).
fn check_ca(ca: &Certificate<'_>) -> Result<crate::x509::BasicConstraints, Error> {
    let bc = ca.basic_constraints().ok_or(Error::NotCa)?;
    if !bc.ca || !ca.basic_constraints_critical {
        return Err(Error::NotCa);
    }
    if ca
        .key_usage()
        .is_some_and(|ku| !ku.allows(KeyUsage::KEY_CERT_SIGN))
    {
        return Err(Error::NotCa);
    }
    Ok(bc)
}

fn check_validity(cert: &Certificate<'_>, now: i64) -> Result<(), Error> {
    if now < cert.not_before() {
        return Err(Error::NotYetValid);
    }
    if now > cert.not_after() {
        return Err(Error::Expired);
    }
    Ok(())
}

/// The end entity's keyUsage, if present, must allow what `usage` needs: for TLS server
/// and client authentication, signing ([`Certificate::check_signing_allowed`]).
fn check_end_entity_key_usage(ee: &Certificate<'_>, usage: Usage) -> Result<(), Error> {
    match usage {
        Usage::ServerAuth | Usage::ClientAuth => ee.check_signing_allowed(),
    }
}

/// extendedKeyUsage, if present, must list the purpose, on the end entity and on every
/// intermediate (as rustls-webpki does). anyExtendedKeyUsage alone is not enough: RFC 5280
/// §4.2.1.12 lets an application require its own purpose, and TLS certificates name it.
fn check_eku(cert: &Certificate<'_>, usage: Usage) -> Result<(), Error> {
    let Some(eku) = cert.eku else {
        return Ok(());
    };
    let mut r = Reader::new(eku);
    while let Ok(id) = r.expect(tag::OID) {
        if id == usage.oid() {
            return Ok(());
        }
    }
    Err(Error::InvalidPurpose)
}

struct Search<'s, 'a> {
    leaf: &'s Certificate<'a>,
    inters: &'s [Certificate<'a>],
    anchors: &'s [Certificate<'a>],
    usage: Usage,
    now: i64,
    policy: &'s Policy,
    signatures_left: usize,
    calls_left: usize,
    /// Indices into `inters`, from the end entity's issuer upward.
    path: Vec<usize>,
    revocation: Option<&'s RevocationOptions>,
}

/// Keep the more informative of two failures: anything beats "no issuer found".
fn prefer(current: Error, new: Error) -> Error {
    if current == Error::UnknownIssuer {
        new
    } else {
        current
    }
}

fn is_fatal(e: &Error) -> bool {
    matches!(
        e,
        Error::BudgetExhausted(BudgetLimit::Signatures | BudgetLimit::BuildCalls)
    )
}

impl<'a> Search<'_, 'a> {
    /// Find a path from `cert` (the end entity or the last intermediate pushed) to an
    /// anchor; returns the anchor's index.
    fn build(&mut self, cert: &Certificate<'a>) -> Result<usize, Error> {
        self.calls_left = self
            .calls_left
            .checked_sub(1)
            .ok_or(Error::BudgetExhausted(BudgetLimit::BuildCalls))?;
        let mut err = Error::UnknownIssuer;

        for (i, anchor) in self.anchors.iter().enumerate() {
            if anchor.subject_der() != cert.issuer_der() {
                continue;
            }
            let r = self
                .check_anchor(anchor)
                .and_then(|()| self.check_signature(anchor, cert))
                .and_then(|()| self.check_revocation(anchor, cert))
                .and_then(|()| self.check_path(anchor));
            match r {
                Ok(()) => return Ok(i),
                Err(e) if is_fatal(&e) => return Err(e),
                Err(e) => err = prefer(err, e),
            }
        }

        for (i, candidate) in self.inters.iter().enumerate() {
            if candidate.subject_der() != cert.issuer_der() {
                continue;
            }
            // A certificate (same subject and key) appears at most once on a path.
            let looped = self.path.iter().any(|&j| {
                self.inters.get(j).is_some_and(|p| {
                    p.subject_der() == candidate.subject_der()
                        && p.public_key().ok().map(|k| k.spki_der)
                            == candidate.public_key().ok().map(|k| k.spki_der)
                })
            });
            if looped {
                continue;
            }
            // Self-issued intermediates (key rollover) do not count toward the depth.
            let depth = self
                .path
                .iter()
                .filter(|&&j| self.inters.get(j).is_some_and(|c| !c.self_issued()))
                .count()
                .saturating_add(usize::from(!candidate.self_issued()));
            // Self-issued certificates are not counted, but the whole path (and so the
            // recursion) stays within twice the limit plus one.
            let hard_cap = self
                .policy
                .budget
                .max_intermediates
                .saturating_mul(2)
                .saturating_add(1);
            if depth > self.policy.budget.max_intermediates || self.path.len() >= hard_cap {
                err = prefer(err, Error::BudgetExhausted(BudgetLimit::Depth));
                continue;
            }
            let r = self
                .check_issuer(candidate)
                .and_then(|()| self.check_signature(candidate, cert))
                .and_then(|()| self.check_revocation(candidate, cert));
            if let Err(e) = r {
                if is_fatal(&e) {
                    return Err(e);
                }
                err = prefer(err, e);
                continue;
            }
            self.path.push(i);
            match self.build(candidate) {
                Ok(a) => return Ok(a),
                Err(e) if is_fatal(&e) => return Err(e),
                Err(e) => err = prefer(err, e),
            }
            self.path.pop();
        }
        Err(err)
    }

    /// Checks on a trust anchor when it is used (listed in the [`TrustAnchors`] doc): a v3
    /// anchor must be a CA (critical basicConstraints with cA; keyUsage, if present, with
    /// keyCertSign), every anchor must be within its validity period, have a non-empty
    /// subject and a key the policy accepts.
    fn check_anchor(&self, anchor: &Certificate<'a>) -> Result<(), Error> {
        check_validity(anchor, self.now)?;
        if anchor.version() == 3 {
            check_ca(anchor)?;
        }
        if anchor.subject_is_empty() {
            return Err(Error::NotCa);
        }
        anchor.public_key()?.check(self.policy.min_rsa_bits)
    }

    /// Checks on an intermediate acting as an issuer.
    fn check_issuer(&self, ca: &Certificate<'a>) -> Result<(), Error> {
        if ca.version() != 3 {
            return Err(Error::NotCa);
        }
        check_validity(ca, self.now)?;
        ca.check_serial()?;
        let bc = check_ca(ca)?;
        if ca.subject_is_empty() {
            return Err(Error::NotCa);
        }
        ca.public_key()?.check(self.policy.min_rsa_bits)?;
        check_eku(ca, self.usage)?;
        // pathLenConstraint counts the non-self-issued intermediates below this CA.
        if let Some(max) = bc.path_len {
            let below = self
                .path
                .iter()
                .filter(|&&j| self.inters.get(j).is_some_and(|c| !c.self_issued()))
                .count();
            if below > usize::from(max) {
                return Err(Error::PathLenExceeded);
            }
        }
        Ok(())
    }

    fn check_signature(
        &mut self,
        issuer: &Certificate<'a>,
        cert: &Certificate<'a>,
    ) -> Result<(), Error> {
        let alg = cert.signature_algorithm()?;
        let key = issuer.public_key()?;
        if !key.algorithm.fits(alg) {
            return Err(Error::SignatureAlgorithmMismatch);
        }
        self.signatures_left = self
            .signatures_left
            .checked_sub(1)
            .ok_or(Error::BudgetExhausted(BudgetLimit::Signatures))?;
        key.verify_with(
            self.policy.verifier,
            alg,
            cert.tbs_der(),
            cert.signature(),
            self.policy.min_rsa_bits,
        )
    }

    /// Revocation of `cert` (issued by `issuer`, whose signature on it verified) by the CRLs
    /// of [`Search::revocation`], as [`RevocationOptions`] describes. `cert` is the end
    /// entity exactly when no intermediate is on the path yet.
    fn check_revocation(
        &mut self,
        issuer: &Certificate<'a>,
        cert: &Certificate<'a>,
    ) -> Result<(), Error> {
        let Some(rev) = self.revocation else {
            return Ok(());
        };
        if rev.depth() == RevocationDepth::EndEntityOnly && !self.path.is_empty() {
            return Ok(());
        }
        let mut covered = false;
        let mut unusable = None;
        for crl in rev.parsed() {
            if !crl.covers(cert) {
                continue;
            }
            self.signatures_left = self
                .signatures_left
                .checked_sub(1)
                .ok_or(Error::BudgetExhausted(BudgetLimit::Signatures))?;
            if let Err(e) = crl.verify_signature(issuer, self.policy) {
                unusable.get_or_insert(e);
                continue;
            }
            if rev.expired_crl() == ExpiredCrlPolicy::Enforce
                && crl.next_update().is_some_and(|t| t < self.now)
            {
                unusable.get_or_insert(Error::BadCrl(CrlError::Expired));
                continue;
            }
            covered = true;
            if crl.find(cert.serial()).is_some() {
                return Err(Error::Revoked);
            }
        }
        match (covered, unusable, rev.unknown_status()) {
            (true, _, _) | (false, None, UnknownStatusPolicy::Allow) => Ok(()),
            (false, Some(e), _) => Err(e),
            (false, None, UnknownStatusPolicy::Deny) => Err(Error::UnknownRevocationStatus),
        }
    }

    /// Name constraints along the complete path ending at `anchor`: each CA's constraints
    /// apply to every certificate below it (self-issued intermediates excepted,
    /// RFC 5280 §4.2.1.10).
    fn check_path(&self, anchor: &Certificate<'a>) -> Result<(), Error> {
        let chain: Vec<&Certificate<'a>> = core::iter::once(self.leaf)
            .chain(self.path.iter().filter_map(|&j| self.inters.get(j)))
            .chain(core::iter::once(anchor))
            .collect();
        for (k, ca) in chain.iter().enumerate() {
            if ca.name_constraints.is_none() {
                continue;
            }
            for (j, sub) in chain.iter().take(k).enumerate() {
                if j == 0 || !sub.self_issued() {
                    names::check_name_constraints(ca, sub)?;
                }
            }
        }
        Ok(())
    }
}
