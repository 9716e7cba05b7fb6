//! A DER writer and a certificate builder that issues Ed25519, ECDSA P-256 and RSA
//! certificates (RSA keys sign through the `*_with_rng` methods): CA and leaf, subjectAltName (DNS and IP), validity, basicConstraints,
//! keyUsage, extendedKeyUsage and name constraints. For tests, demos and the CLI; not a CA.

use alloc::string::String;
use alloc::vec::Vec;

use tryst_crypto::{CryptoRng, SignatureAlgorithm, Signer};

use crate::Error;
use crate::der::tag;
use crate::time;
use crate::x509::{Certificate, KeyUsage, oid};

/// A DER encoder whose lengths are written by scope: [`DerWriter::nested`] encodes
/// whatever its closure writes as the contents of one element, so no length is computed
/// by hand.
#[derive(Debug, Default, Clone)]
pub struct DerWriter {
    buf: Vec<u8>,
}

impl DerWriter {
    /// An empty writer.
    pub fn new() -> Self {
        DerWriter::default()
    }

    /// One element with tag `tag` whose contents are what `f` writes.
    pub fn nested(&mut self, tag: u8, f: impl FnOnce(&mut DerWriter)) {
        let mut inner = DerWriter::new();
        f(&mut inner);
        self.element(tag, &inner.buf);
    }

    /// One element with tag `tag` and contents `value`.
    pub fn element(&mut self, tag: u8, value: &[u8]) {
        self.buf.push(tag);
        let len = value.len();
        let len_bytes = len.to_be_bytes();
        let significant: Vec<u8> = len_bytes.iter().copied().skip_while(|&b| b == 0).collect();
        match u8::try_from(len) {
            Ok(short) if short < 0x80 => self.buf.push(short),
            _ => {
                let n = u8::try_from(significant.len()).unwrap_or(0);
                self.buf.push(0x80 | n);
                self.buf.extend_from_slice(&significant);
            }
        }
        self.buf.extend_from_slice(value);
    }

    /// Bytes that are already DER.
    pub fn raw(&mut self, der: &[u8]) {
        self.buf.extend_from_slice(der);
    }

    /// An OBJECT IDENTIFIER from its contents octets.
    pub fn oid(&mut self, body: &[u8]) {
        self.element(tag::OID, body);
    }

    /// A BOOLEAN.
    pub fn boolean(&mut self, v: bool) {
        self.element(tag::BOOLEAN, &[if v { 0xff } else { 0x00 }]);
    }

    /// A non-negative INTEGER from big-endian magnitude bytes (minimal encoding is
    /// produced whatever the input's leading zeros).
    pub fn unsigned_integer(&mut self, magnitude: &[u8]) {
        let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
        let mut v = Vec::with_capacity(trimmed.len().saturating_add(1));
        if trimmed.first().is_none_or(|&b| b >= 0x80) {
            v.push(0);
        }
        v.extend_from_slice(&trimmed);
        self.element(tag::INTEGER, &v);
    }

    /// A BIT STRING of whole bytes.
    pub fn bit_string(&mut self, bytes: &[u8]) {
        let mut v = Vec::with_capacity(bytes.len().saturating_add(1));
        v.push(0);
        v.extend_from_slice(bytes);
        self.element(tag::BIT_STRING, &v);
    }

    /// The encoding so far.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Issues certificates. Times are seconds since the Unix epoch.
#[derive(Debug, Clone)]
pub struct CertificateBuilder {
    common_name: String,
    not_before: i64,
    not_after: i64,
    serial: Option<Vec<u8>>,
    ca: Option<Option<u8>>,
    /// keyUsage bits and whether the extension is critical.
    key_usage: Option<(u16, bool)>,
    eku: Vec<&'static [u8]>,
    san: Vec<(u8, Vec<u8>)>,
    permitted: Vec<(u8, Vec<u8>)>,
    excluded: Vec<(u8, Vec<u8>)>,
    crl_dps: Vec<String>,
    extra: Vec<(Vec<u8>, bool, Vec<u8>)>,
}

impl CertificateBuilder {
    /// A certificate for subject `CN=common_name`, valid from `not_before` to `not_after`.
    pub fn new(common_name: &str, not_before: i64, not_after: i64) -> Self {
        CertificateBuilder {
            common_name: String::from(common_name),
            not_before,
            not_after,
            serial: None,
            ca: None,
            key_usage: None,
            eku: Vec::new(),
            san: Vec::new(),
            permitted: Vec::new(),
            excluded: Vec::new(),
            crl_dps: Vec::new(),
            extra: Vec::new(),
        }
    }

    /// Add a cRLDistributionPoints entry with one fullName URI.
    pub fn crl_distribution_point(mut self, uri: &str) -> Self {
        self.crl_dps.push(String::from(uri));
        self
    }

    /// The serial number (big-endian magnitude); by default derived from the subject and
    /// validity.
    pub fn serial(mut self, serial: &[u8]) -> Self {
        self.serial = Some(serial.to_vec());
        self
    }

    /// Make it a CA (basicConstraints cA, critical; keyUsage keyCertSign + cRLSign unless
    /// set otherwise), with an optional pathLenConstraint.
    pub fn ca(mut self, path_len: Option<u8>) -> Self {
        self.ca = Some(path_len);
        self
    }

    /// A critical keyUsage extension with `bits` (an OR of [`KeyUsage`] constants), as
    /// RFC 5280 §4.2.1.3 says CAs should issue it. Without this call an end entity has no
    /// keyUsage (no restriction) and a CA gets keyCertSign + cRLSign; with `0` the
    /// extension is left out (an empty keyUsage is not allowed).
    ///
    /// Any bits are written, so a test can issue certificates that path validation
    /// refuses: a TLS end entity without [`KeyUsage::DIGITAL_SIGNATURE`]
    /// ([`Error::KeyUsageForbidsSigning`]), a CA without [`KeyUsage::KEY_CERT_SIGN`]
    /// ([`Error::NotCa`]).
    ///
    /// ```
    /// # use tryst_cert::{Certificate, CertificateBuilder, KeyUsage};
    /// # let key = tryst_crypto::Ed25519SigningKey::from_seed(
    /// #     &tryst_crypto::Secret::from_slice(&[7; 32])?)?;
    /// let der = CertificateBuilder::new("leaf", 0, 1 << 31)
    ///     .key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT)
    ///     .self_signed(&key)?;
    /// let ku = Certificate::from_der(&der)?.key_usage().unwrap();
    /// assert!(ku.allows(KeyUsage::DIGITAL_SIGNATURE));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_usage(mut self, bits: u16) -> Self {
        self.key_usage = Some((bits, true));
        self
    }

    /// [`CertificateBuilder::key_usage`] in a non-critical extension, as some CAs issue it;
    /// path validation enforces keyUsage whether it is critical or not.
    pub fn key_usage_non_critical(mut self, bits: u16) -> Self {
        self.key_usage = Some((bits, false));
        self
    }

    /// Add id-kp-serverAuth to extendedKeyUsage.
    pub fn server_auth(mut self) -> Self {
        self.eku.push(oid::KP_SERVER_AUTH);
        self
    }

    /// Add id-kp-clientAuth to extendedKeyUsage.
    pub fn client_auth(mut self) -> Self {
        self.eku.push(oid::KP_CLIENT_AUTH);
        self
    }

    /// Add a subjectAltName dNSName.
    pub fn dns_name(mut self, name: &str) -> Self {
        self.san
            .push((crate::x509::GN_DNS, name.as_bytes().to_vec()));
        self
    }

    /// Add a subjectAltName iPAddress (4 or 16 bytes).
    pub fn ip_address(mut self, ip: &[u8]) -> Self {
        self.san.push((crate::x509::GN_IP, ip.to_vec()));
        self
    }

    /// Add a permitted DNS subtree to name constraints.
    pub fn permitted_dns(mut self, base: &str) -> Self {
        self.permitted
            .push((crate::x509::GN_DNS, base.as_bytes().to_vec()));
        self
    }

    /// Add an excluded DNS subtree to name constraints.
    pub fn excluded_dns(mut self, base: &str) -> Self {
        self.excluded
            .push((crate::x509::GN_DNS, base.as_bytes().to_vec()));
        self
    }

    /// Add a permitted IP subtree (address followed by mask: 8 or 32 bytes).
    pub fn permitted_ip(mut self, addr_and_mask: &[u8]) -> Self {
        self.permitted
            .push((crate::x509::GN_IP, addr_and_mask.to_vec()));
        self
    }

    /// Add an excluded IP subtree (address followed by mask: 8 or 32 bytes).
    pub fn excluded_ip(mut self, addr_and_mask: &[u8]) -> Self {
        self.excluded
            .push((crate::x509::GN_IP, addr_and_mask.to_vec()));
        self
    }

    /// Add an arbitrary extension (OID contents octets, criticality, extnValue contents),
    /// for tests of unknown or duplicate extensions.
    pub fn extension(mut self, oid: &[u8], critical: bool, value: &[u8]) -> Self {
        self.extra.push((oid.to_vec(), critical, value.to_vec()));
        self
    }

    /// A self-signed certificate for `key`. An RSA key needs randomness to sign: use
    /// [`CertificateBuilder::self_signed_with_rng`].
    pub fn self_signed(&self, key: &dyn Signer) -> Result<Vec<u8>, Error> {
        let spki = spki_for(key)?;
        let name = self.name();
        self.sign(&spki, &name, key, None)
    }

    /// [`CertificateBuilder::self_signed`] for any key, RSA included (signed
    /// sha256WithRSAEncryption, blinded with randomness from `rng`).
    pub fn self_signed_with_rng(
        &self,
        key: &dyn Signer,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        let spki = spki_for(key)?;
        let name = self.name();
        self.sign(&spki, &name, key, Some(rng))
    }

    /// A certificate for `subject_key`'s public key, issued by the holder of `issuer_key`
    /// whose certificate is `issuer_cert`.
    pub fn issue(
        &self,
        subject_key: &dyn Signer,
        issuer_cert: &[u8],
        issuer_key: &dyn Signer,
    ) -> Result<Vec<u8>, Error> {
        self.issue_for_spki(&spki_for(subject_key)?, issuer_cert, issuer_key)
    }

    /// [`CertificateBuilder::issue`] for any subject and issuer key, RSA included (an RSA
    /// issuer signs sha256WithRSAEncryption, blinded with randomness from `rng`).
    ///
    /// ```no_run
    /// # use tryst_cert::CertificateBuilder;
    /// # use tryst_crypto::{OsRng, RsaSigningKey};
    /// let ca_key = RsaSigningKey::generate(&mut OsRng, 2048)?;
    /// let ca = CertificateBuilder::new("CA", 0, 1 << 31)
    ///     .ca(None)
    ///     .self_signed_with_rng(&ca_key, &mut OsRng)?;
    /// let leaf_key = RsaSigningKey::generate(&mut OsRng, 2048)?;
    /// let leaf = CertificateBuilder::new("leaf", 0, 1 << 31)
    ///     .dns_name("localhost")
    ///     .issue_with_rng(&leaf_key, &ca, &ca_key, &mut OsRng)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn issue_with_rng(
        &self,
        subject_key: &dyn Signer,
        issuer_cert: &[u8],
        issuer_key: &dyn Signer,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        let issuer = Certificate::from_der(issuer_cert)?;
        self.sign(
            &spki_for(subject_key)?,
            issuer.subject_der(),
            issuer_key,
            Some(rng),
        )
    }

    /// A certificate for a SubjectPublicKeyInfo given as DER (any key type), issued by
    /// the holder of `issuer_key` whose certificate is `issuer_cert`.
    pub fn issue_for_spki(
        &self,
        spki_der: &[u8],
        issuer_cert: &[u8],
        issuer_key: &dyn Signer,
    ) -> Result<Vec<u8>, Error> {
        let issuer = Certificate::from_der(issuer_cert)?;
        self.sign(spki_der, issuer.subject_der(), issuer_key, None)
    }

    fn name(&self) -> Vec<u8> {
        let mut w = DerWriter::new();
        w.nested(tag::SEQUENCE, |w| {
            w.nested(tag::SET, |w| {
                w.nested(tag::SEQUENCE, |w| {
                    w.oid(oid::COMMON_NAME);
                    w.element(tag::UTF8_STRING, self.common_name.as_bytes());
                });
            });
        });
        w.finish()
    }

    fn sign(
        &self,
        spki: &[u8],
        issuer_name: &[u8],
        issuer_key: &dyn Signer,
        rng: Option<&mut dyn CryptoRng>,
    ) -> Result<Vec<u8>, Error> {
        let alg = cert_sig_alg(issuer_key);
        let alg_id = sig_alg_id(alg)?;
        let serial = match &self.serial {
            Some(s) => s.clone(),
            None => {
                let mut seed = self.name();
                seed.extend_from_slice(&self.not_before.to_be_bytes());
                seed.extend_from_slice(&self.not_after.to_be_bytes());
                seed.extend_from_slice(spki);
                let h = tryst_crypto::SHA256.hash(&seed);
                let mut s = h.as_bytes().get(..16).unwrap_or(&[1]).to_vec();
                if let Some(b) = s.first_mut() {
                    *b &= 0x7f;
                }
                s
            }
        };
        let mut tbs = DerWriter::new();
        tbs.nested(tag::SEQUENCE, |w| {
            w.nested(tag::context_constructed(0), |w| w.unsigned_integer(&[2]));
            w.unsigned_integer(&serial);
            w.raw(&alg_id);
            w.raw(issuer_name);
            w.nested(tag::SEQUENCE, |w| {
                write_time(w, self.not_before);
                write_time(w, self.not_after);
            });
            w.raw(&self.name());
            w.raw(spki);
            // Extensions ::= SEQUENCE SIZE (1..MAX): omitted when there are none.
            let mut exts = DerWriter::new();
            self.write_extensions(&mut exts);
            let exts = exts.finish();
            if !exts.is_empty() {
                w.nested(tag::context_constructed(3), |w| {
                    w.element(tag::SEQUENCE, &exts)
                });
            }
        });
        signed(&tbs.finish(), alg, &alg_id, issuer_key, rng)
    }

    fn write_extensions(&self, w: &mut DerWriter) {
        if let Some(path_len) = self.ca {
            write_extension_with(w, oid::BASIC_CONSTRAINTS, true, &|w| {
                w.nested(tag::SEQUENCE, |w| {
                    w.boolean(true);
                    if let Some(n) = path_len {
                        w.unsigned_integer(&[n]);
                    }
                });
            });
        }
        let ku = self.key_usage.or_else(|| {
            self.ca
                .map(|_| (KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN, true))
        });
        if let Some((bits, critical)) = ku.filter(|&(b, _)| b != 0) {
            write_extension_with(w, oid::KEY_USAGE, critical, &|w| {
                w.element(tag::BIT_STRING, &key_usage_bits(bits))
            });
        }
        if !self.eku.is_empty() {
            write_extension_with(w, oid::EXT_KEY_USAGE, false, &|w| {
                w.nested(tag::SEQUENCE, |w| {
                    for id in &self.eku {
                        w.oid(id);
                    }
                });
            });
        }
        if !self.san.is_empty() {
            write_extension_with(w, oid::SUBJECT_ALT_NAME, false, &|w| {
                w.nested(tag::SEQUENCE, |w| {
                    for (t, v) in &self.san {
                        w.element(*t, v);
                    }
                });
            });
        }
        if !self.permitted.is_empty() || !self.excluded.is_empty() {
            write_extension_with(w, oid::NAME_CONSTRAINTS, true, &|w| {
                self.write_name_constraints(w)
            });
        }
        if !self.crl_dps.is_empty() {
            write_extension_with(w, oid::CRL_DISTRIBUTION_POINTS, false, &|w| {
                self.write_crl_distribution_points(w);
            });
        }
        for (id, critical, value) in &self.extra {
            write_extension_with(w, id, *critical, &|w| w.raw(value));
        }
    }

    /// NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL,
    /// excludedSubtrees [1] GeneralSubtrees OPTIONAL }, each subtree a bare base name.
    fn write_name_constraints(&self, w: &mut DerWriter) {
        w.nested(tag::SEQUENCE, |w| {
            for (n, trees) in [(0, &self.permitted), (1, &self.excluded)] {
                if trees.is_empty() {
                    continue;
                }
                w.nested(tag::context_constructed(n), |w| {
                    for (t, v) in trees {
                        w.nested(tag::SEQUENCE, |w| w.element(*t, v));
                    }
                });
            }
        });
    }

    /// CRLDistributionPoints ::= SEQUENCE OF DistributionPoint, each
    /// `distributionPoint [0] { fullName [0] { uniformResourceIdentifier } }`.
    fn write_crl_distribution_points(&self, w: &mut DerWriter) {
        w.nested(tag::SEQUENCE, |w| {
            for uri in &self.crl_dps {
                w.nested(tag::SEQUENCE, |w| {
                    w.nested(tag::context_constructed(0), |w| {
                        w.nested(tag::context_constructed(0), |w| {
                            w.element(crate::x509::GN_URI, uri.as_bytes())
                        })
                    })
                });
            }
        });
    }
}

/// Extension ::= SEQUENCE { extnID, critical (only when TRUE), extnValue }, with the
/// extnValue contents written by `value`.
fn write_extension_with(
    w: &mut DerWriter,
    id: &[u8],
    critical: bool,
    value: &dyn Fn(&mut DerWriter),
) {
    let mut inner = DerWriter::new();
    value(&mut inner);
    write_extension(w, id, critical, &inner.finish());
}

fn write_extension(w: &mut DerWriter, id: &[u8], critical: bool, value: &[u8]) {
    w.nested(tag::SEQUENCE, |w| {
        w.oid(id);
        if critical {
            w.boolean(true);
        }
        w.element(tag::OCTET_STRING, value);
    });
}

/// Issues v2 CRLs (RFC 5280 §5) for tests: revoked serials with an optional reason code,
/// cRLNumber, an issuingDistributionPoint scope, and arbitrary extra extensions. Times are
/// seconds since the Unix epoch.
///
/// ```
/// # use tryst_cert::{CertificateBuilder, Crl, CrlBuilder};
/// # let key = tryst_crypto::Ed25519SigningKey::from_seed(
/// #     &tryst_crypto::Secret::from_slice(&[7; 32])?)?;
/// let ca = CertificateBuilder::new("CA", 0, 1 << 31).ca(None).self_signed(&key)?;
/// let der = CrlBuilder::new(1_000, Some(2_000)).revoke(&[0x42], 1_500, Some(1)).sign(&ca, &key)?;
/// let crl = Crl::from_der(&der)?;
/// assert!(crl.find(&[0x42]).is_some() && crl.find(&[0x43]).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CrlBuilder {
    this_update: i64,
    next_update: Option<i64>,
    number: Option<(Vec<u8>, bool)>,
    entries: Vec<(Vec<u8>, i64, Option<u8>)>,
    idp: Option<(bool, bool, Option<String>)>,
    extra: Vec<(Vec<u8>, bool, Vec<u8>)>,
}

impl CrlBuilder {
    /// A CRL with `thisUpdate` and, if given, `nextUpdate`; cRLNumber 1.
    pub fn new(this_update: i64, next_update: Option<i64>) -> Self {
        CrlBuilder {
            this_update,
            next_update,
            number: Some((alloc::vec![1], false)),
            entries: Vec::new(),
            idp: None,
            extra: Vec::new(),
        }
    }

    /// The cRLNumber (big-endian magnitude), critical or not (RFC 5280 says not); `None`
    /// leaves it out (which parsing refuses).
    pub fn number(mut self, number: Option<(&[u8], bool)>) -> Self {
        self.number = number.map(|(n, c)| (n.to_vec(), c));
        self
    }

    /// Revoke the certificate with serial `serial` (magnitude bytes) at `date`, with a
    /// reasonCode if given.
    pub fn revoke(mut self, serial: &[u8], date: i64, reason: Option<u8>) -> Self {
        self.entries.push((serial.to_vec(), date, reason));
        self
    }

    /// A critical issuingDistributionPoint: onlyContainsUserCerts, onlyContainsCACerts and
    /// a fullName URI, each if given.
    pub fn issuing_distribution_point(
        mut self,
        only_user: bool,
        only_ca: bool,
        uri: Option<&str>,
    ) -> Self {
        self.idp = Some((only_user, only_ca, uri.map(String::from)));
        self
    }

    /// Add an arbitrary CRL extension (OID contents octets, criticality, extnValue
    /// contents).
    pub fn extension(mut self, oid: &[u8], critical: bool, value: &[u8]) -> Self {
        self.extra.push((oid.to_vec(), critical, value.to_vec()));
        self
    }

    /// The CRL, issued by the holder of `issuer_key` whose certificate is `issuer_cert`.
    /// An RSA issuer needs randomness: use [`CrlBuilder::sign_with_rng`].
    pub fn sign(&self, issuer_cert: &[u8], issuer_key: &dyn Signer) -> Result<Vec<u8>, Error> {
        self.sign_inner(issuer_cert, issuer_key, None)
    }

    /// [`CrlBuilder::sign`] for any issuer key, RSA included (an RSA issuer signs
    /// sha256WithRSAEncryption, as for certificates, blinded with randomness from `rng`).
    pub fn sign_with_rng(
        &self,
        issuer_cert: &[u8],
        issuer_key: &dyn Signer,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, Error> {
        self.sign_inner(issuer_cert, issuer_key, Some(rng))
    }

    fn sign_inner(
        &self,
        issuer_cert: &[u8],
        issuer_key: &dyn Signer,
        rng: Option<&mut dyn CryptoRng>,
    ) -> Result<Vec<u8>, Error> {
        let issuer = Certificate::from_der(issuer_cert)?;
        let alg = cert_sig_alg(issuer_key);
        let alg_id = sig_alg_id(alg)?;
        let mut tbs = DerWriter::new();
        tbs.nested(tag::SEQUENCE, |w| {
            w.unsigned_integer(&[1]);
            w.raw(&alg_id);
            w.raw(issuer.subject_der());
            write_time(w, self.this_update);
            if let Some(t) = self.next_update {
                write_time(w, t);
            }
            if !self.entries.is_empty() {
                w.nested(tag::SEQUENCE, |w| {
                    for (serial, date, reason) in &self.entries {
                        w.nested(tag::SEQUENCE, |w| {
                            w.unsigned_integer(serial);
                            write_time(w, *date);
                            if let Some(code) = reason {
                                w.nested(tag::SEQUENCE, |w| {
                                    write_extension(w, oid::REASON_CODE, false, &[0x0a, 1, *code]);
                                });
                            }
                        });
                    }
                });
            }
            let mut exts = DerWriter::new();
            if let Some((n, critical)) = &self.number {
                let mut v = DerWriter::new();
                v.unsigned_integer(n);
                write_extension(&mut exts, oid::CRL_NUMBER, *critical, &v.finish());
            }
            if let Some((only_user, only_ca, uri)) = &self.idp {
                let mut v = DerWriter::new();
                v.nested(tag::SEQUENCE, |w| {
                    if let Some(uri) = uri {
                        w.nested(tag::context_constructed(0), |w| {
                            w.nested(tag::context_constructed(0), |w| {
                                w.element(crate::x509::GN_URI, uri.as_bytes())
                            })
                        });
                    }
                    if *only_user {
                        w.element(tag::context_primitive(1), &[0xff]);
                    }
                    if *only_ca {
                        w.element(tag::context_primitive(2), &[0xff]);
                    }
                });
                write_extension(
                    &mut exts,
                    oid::ISSUING_DISTRIBUTION_POINT,
                    true,
                    &v.finish(),
                );
            }
            for (id, critical, value) in &self.extra {
                write_extension(&mut exts, id, *critical, value);
            }
            let exts = exts.finish();
            if !exts.is_empty() {
                w.nested(tag::context_constructed(0), |w| {
                    w.element(tag::SEQUENCE, &exts)
                });
            }
        });
        signed(&tbs.finish(), alg, &alg_id, issuer_key, rng)
    }
}

/// A signed object (certificate or CRL): `tbs`, the AlgorithmIdentifier and the
/// signature over `tbs` with `alg` (with `rng` when given; without it the key signs with
/// its own algorithm, which RSA keys refuse).
fn signed(
    tbs: &[u8],
    alg: SignatureAlgorithm,
    alg_id: &[u8],
    key: &dyn Signer,
    rng: Option<&mut dyn CryptoRng>,
) -> Result<Vec<u8>, Error> {
    let sig = match rng {
        Some(rng) => key.sign_with(alg, tbs, rng),
        None => key.sign(tbs),
    }
    .map_err(|_| Error::BadSignature)?;
    let mut out = DerWriter::new();
    out.nested(tag::SEQUENCE, |w| {
        w.raw(tbs);
        w.raw(alg_id);
        w.bit_string(&sig);
    });
    Ok(out.finish())
}

/// keyUsage as DER BIT STRING contents: trailing zero bits dropped.
fn key_usage_bits(bits: u16) -> Vec<u8> {
    let mut bytes = Vec::new();
    for byte in 0..2u16 {
        let mut b = 0u8;
        for bit in 0..8u16 {
            if bits & (1 << (byte * 8 + bit)) != 0 {
                b |= 0x80 >> bit;
            }
        }
        bytes.push(b);
    }
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    let unused = bytes
        .last()
        .map(|b| u8::try_from(b.trailing_zeros()).unwrap_or(0))
        .unwrap_or(0);
    let mut out = Vec::with_capacity(bytes.len().saturating_add(1));
    out.push(unused);
    out.extend_from_slice(&bytes);
    out
}

fn write_time(w: &mut DerWriter, t: i64) {
    let (y, mo, d, h, mi, s) = time::civil(t);
    // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    let mut text = String::new();
    let tag = if (1950..2050).contains(&y) {
        push_num(&mut text, y.rem_euclid(100), 2);
        tag::UTC_TIME
    } else {
        push_num(&mut text, y.clamp(0, 9999), 4);
        tag::GENERALIZED_TIME
    };
    for v in [mo, d, h, mi, s] {
        push_num(&mut text, i64::from(v), 2);
    }
    text.push('Z');
    w.element(tag, text.as_bytes());
}

fn push_num(out: &mut String, v: i64, width: usize) {
    let s = alloc::format!("{v:0width$}");
    out.push_str(&s);
}

fn sig_alg_id(alg: SignatureAlgorithm) -> Result<Vec<u8>, Error> {
    let mut w = DerWriter::new();
    match alg {
        SignatureAlgorithm::Ed25519 => w.nested(tag::SEQUENCE, |w| w.oid(oid::ED25519)),
        SignatureAlgorithm::EcdsaP256Sha256 => {
            w.nested(tag::SEQUENCE, |w| w.oid(oid::ECDSA_SHA256))
        }
        SignatureAlgorithm::RsaPkcs1Sha256 => w.nested(tag::SEQUENCE, |w| {
            w.oid(oid::RSA_SHA256);
            w.element(tag::NULL, &[]);
        }),
        _ => return Err(Error::UnsupportedSignatureAlgorithm),
    }
    Ok(w.finish())
}

/// The algorithm a certificate is signed with: an RSA key signs sha256WithRSAEncryption
/// (PKCS#1 v1.5, what CAs issue), any other key its own algorithm.
fn cert_sig_alg(key: &dyn Signer) -> SignatureAlgorithm {
    if key
        .algorithms()
        .contains(&SignatureAlgorithm::RsaPkcs1Sha256)
    {
        SignatureAlgorithm::RsaPkcs1Sha256
    } else {
        key.algorithm()
    }
}

/// The DER SubjectPublicKeyInfo of `key`'s public key (Ed25519, ECDSA P-256/P-384 or
/// RSA): what a certificate for it holds, and what RFC 7250 raw public keys send.
pub fn spki_for(key: &dyn Signer) -> Result<Vec<u8>, Error> {
    let mut w = DerWriter::new();
    let public = key.public_key();
    match key.algorithm() {
        SignatureAlgorithm::Ed25519 => w.nested(tag::SEQUENCE, |w| {
            w.nested(tag::SEQUENCE, |w| w.oid(oid::ED25519));
            w.bit_string(&public);
        }),
        alg @ (SignatureAlgorithm::EcdsaP256Sha256 | SignatureAlgorithm::EcdsaP384Sha384) => w
            .nested(tag::SEQUENCE, |w| {
                w.nested(tag::SEQUENCE, |w| {
                    w.oid(oid::EC_PUBLIC_KEY);
                    w.oid(match alg {
                        SignatureAlgorithm::EcdsaP256Sha256 => oid::P256,
                        _ => oid::P384,
                    });
                });
                w.bit_string(&public);
            }),
        // rsaEncryption with NULL parameters; the key is a PKCS#1 RSAPublicKey.
        SignatureAlgorithm::RsaPssSha256 | SignatureAlgorithm::RsaPkcs1Sha256 => {
            w.nested(tag::SEQUENCE, |w| {
                w.nested(tag::SEQUENCE, |w| {
                    w.oid(oid::RSA_ENCRYPTION);
                    w.element(tag::NULL, &[]);
                });
                w.bit_string(&public);
            })
        }
        _ => return Err(Error::UnsupportedPublicKey),
    }
    Ok(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        let mut w = DerWriter::new();
        w.element(tag::OCTET_STRING, &[0u8; 200]);
        let out = w.finish();
        assert_eq!(out.get(..3), Some(&[0x04, 0x81, 200][..]));
        let mut w = DerWriter::new();
        w.element(tag::OCTET_STRING, &[0u8; 300]);
        assert_eq!(w.finish().get(..4), Some(&[0x04, 0x82, 0x01, 0x2c][..]));
        let mut w = DerWriter::new();
        w.unsigned_integer(&[0, 0, 0x80]);
        w.unsigned_integer(&[]);
        assert_eq!(w.finish(), [0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x00]);
        assert_eq!(key_usage_bits(KeyUsage::DIGITAL_SIGNATURE), [7, 0x80]);
        assert_eq!(
            key_usage_bits(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN),
            [1, 0x06]
        );
        assert_eq!(key_usage_bits(1 << 8), [7, 0x00, 0x80]);
    }
}
