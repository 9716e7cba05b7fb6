//! Checking the peer: its certificate chain (through `tryst-cert`) and its
//! CertificateVerify signature. The traits let a caller replace the checks; the replacement
//! for servers sits behind [`crate::config::DangerousClientConfig`] so that it stands out.

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tryst_cert::{
    ExpiredCrlPolicy, Policy, RevocationDepth, RevocationOptions, TrustAnchors,
    UnknownStatusPolicy, Usage,
};
use tryst_messages::SignatureScheme;

use crate::Error;
use crate::suites::{signature_algorithm, tls12_signature_algorithm, verifiable_schemes};

/// Proof that a peer's certificate chain was checked. Only a verifier can make one, and the
/// handshake state that checks CertificateVerify requires it.
#[derive(Debug)]
pub struct CertificateVerified(());

impl CertificateVerified {
    /// Made by a verifier once the chain is good. A custom verifier that calls this without
    /// checking anything is exactly what the "dangerous" name warns about.
    pub fn assertion() -> Self {
        CertificateVerified(())
    }
}

/// Proof that a CertificateVerify signature was checked.
#[derive(Debug)]
pub struct SignatureVerified(());

impl SignatureVerified {
    /// Made by a verifier once the signature is good.
    pub fn assertion() -> Self {
        SignatureVerified(())
    }
}

/// Checks a server's certificate chain and its handshake signature.
pub trait ServerCertVerifier: Send + Sync {
    /// Check that `end_entity` (with `intermediates`) chains to a trusted anchor, is valid
    /// at `now` and names `server_name`.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<CertificateVerified, Error>;

    /// Check the OCSP response the server stapled for `end_entity` (RFC 8446 §4.4.2.1,
    /// RFC 6066 §8), called after [`verify_server_cert`](Self::verify_server_cert)
    /// accepted the chain. `ocsp_response` is the DER OCSPResponse, empty when none was
    /// stapled (always empty unless the config asks for stapling). The
    /// default accepts anything: checking is optional, and tryst does not parse OCSP.
    /// An error fails the handshake with its alert (for example
    /// `Error::PeerMisbehaved { alert: AlertDescription::BadCertificateStatusResponse, .. }`).
    fn verify_ocsp_response(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<(), Error> {
        let _ = (end_entity, intermediates, ocsp_response, now);
        Ok(())
    }

    /// Check a TLS 1.3 CertificateVerify signature made with `end_entity`'s key.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_signature(
            message,
            end_entity,
            scheme,
            signature,
            Policy::DEFAULT.min_rsa_bits,
        )
    }

    /// The signature schemes this verifier accepts in CertificateVerify, in preference order.
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        verifiable_schemes()
    }

    /// Check a TLS 1.2 ServerKeyExchange signature made with `end_entity`'s key: the
    /// TLS 1.3 schemes plus RSASSA-PKCS1-v1_5 (RFC 5246 §7.4.1.4.1).
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_tls12_signature_with_policy(message, end_entity, scheme, signature, &Policy::DEFAULT)
    }
}

/// Checks a client's certificate chain (client authentication) and its signature.
pub trait ClientCertVerifier: Send + Sync {
    /// Whether a client without a certificate is refused (certificate_required).
    fn client_auth_mandatory(&self) -> bool;

    /// Distinguished names for the certificate_authorities extension (may be empty).
    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }

    /// Bytes that identify what this verifier accepts (its trust anchors and policy). A
    /// server binds its session tickets to them: a ticket whose client certificate was
    /// accepted under one identity is never resumed under another. Whatever this returns,
    /// a resumed client certificate is checked again with
    /// [`verify_client_cert`](Self::verify_client_cert) before the session is reported as
    /// client-authenticated. The default (empty) makes every verifier of a type without
    /// an identity look alike, leaving that check as the only guard.
    fn resumption_identity(&self) -> Vec<u8> {
        Vec::new()
    }

    /// Check the OCSP response the client stapled to `end_entity` (TLS 1.3, RFC 8446
    /// §4.4.2.1), called after [`verify_client_cert`](Self::verify_client_cert) accepted
    /// the chain. `ocsp_response` is empty when none was stapled (always in TLS 1.2, and
    /// unless the config asks with
    /// [`with_client_ocsp_stapling`](crate::ServerConfigBuilder::with_client_ocsp_stapling)).
    /// The default accepts anything; an error fails the handshake (or the post-handshake
    /// authentication) with its alert.
    fn verify_ocsp_response(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<(), Error> {
        let _ = (end_entity, intermediates, ocsp_response, now);
        Ok(())
    }

    /// Check the chain with the clientAuth usage at `now`.
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<CertificateVerified, Error>;

    /// Check the client's CertificateVerify.
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_signature(
            message,
            end_entity,
            scheme,
            signature,
            Policy::DEFAULT.min_rsa_bits,
        )
    }

    /// The signature schemes accepted, in preference order.
    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        verifiable_schemes()
    }

    /// Check a TLS 1.2 client CertificateVerify (PKCS#1 v1.5 allowed, RFC 5246 §7.4.8).
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_tls12_signature_with_policy(message, end_entity, scheme, signature, &Policy::DEFAULT)
    }
}

/// Verify a CertificateVerify signature with the key of `end_entity`, refusing a scheme
/// that does not fit the key (RFC 8446 §4.4.3). The default crypto provider's verifier
/// checks it; [`verify_signature_with_policy`] takes a policy's.
pub fn verify_signature(
    message: &[u8],
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    min_rsa_bits: usize,
) -> Result<SignatureVerified, Error> {
    verify_signature_with_policy(
        message,
        end_entity,
        scheme,
        signature,
        &Policy::DEFAULT.with_min_rsa_bits(min_rsa_bits),
    )
}

/// [`verify_signature`] with `policy`'s RSA minimum and signature verifier (a crypto
/// provider's).
pub fn verify_signature_with_policy(
    message: &[u8],
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    policy: &Policy,
) -> Result<SignatureVerified, Error> {
    let alg = signature_algorithm(scheme).ok_or(Error::illegal(
        "CertificateVerify uses a signature scheme that is not allowed in TLS 1.3",
    ))?;
    verify_with_algorithm(message, end_entity, alg, signature, policy)
}

/// [`verify_signature_with_policy`] with the TLS 1.2 rules: RSASSA-PKCS1-v1_5 is allowed
/// (ServerKeyExchange, client CertificateVerify; RFC 5246 §7.4.1.4.1).
pub fn verify_tls12_signature_with_policy(
    message: &[u8],
    end_entity: &CertificateDer<'_>,
    scheme: SignatureScheme,
    signature: &[u8],
    policy: &Policy,
) -> Result<SignatureVerified, Error> {
    let alg = tls12_signature_algorithm(scheme).ok_or(Error::illegal(
        "TLS 1.2 signature with a scheme we do not support",
    ))?;
    verify_with_algorithm(message, end_entity, alg, signature, policy)
}

fn verify_with_algorithm(
    message: &[u8],
    end_entity: &CertificateDer<'_>,
    alg: tryst_crypto::SignatureAlgorithm,
    signature: &[u8],
    policy: &Policy,
) -> Result<SignatureVerified, Error> {
    let cert = tryst_cert::Certificate::from_der(end_entity.as_ref())?;
    // The key must be allowed to sign (RFC 8446 §4.4.2.2, RFC 5280 §4.2.1.3). Path
    // validation checks this too; checking it here holds for custom chain verifiers.
    cert.check_signing_allowed()?;
    let key = cert.public_key()?;
    key.verify_with(
        policy.verifier,
        alg,
        message,
        signature,
        policy.min_rsa_bits,
    )
    .map_err(|e| match e {
        tryst_cert::Error::BadSignature => Error::misbehaved(
            tryst_messages::AlertDescription::DecryptError,
            "handshake signature (CertificateVerify or ServerKeyExchange) does not verify",
        ),
        tryst_cert::Error::SignatureAlgorithmMismatch => {
            Error::illegal("CertificateVerify scheme does not match the certificate's key")
        }
        other => Error::Certificate(other),
    })?;
    Ok(SignatureVerified(()))
}

/// The standard server verifier: path validation to `anchors` with `tryst-cert`, and
/// revocation checking with CRLs when configured.
#[derive(Debug, Clone)]
pub struct WebPkiServerVerifier {
    anchors: TrustAnchors,
    policy: Policy,
    revocation: Option<RevocationOptions>,
}

impl WebPkiServerVerifier {
    /// Trust `anchors` with the default policy.
    pub fn new(anchors: TrustAnchors) -> Self {
        WebPkiServerVerifier {
            anchors,
            policy: Policy::DEFAULT,
            revocation: None,
        }
    }

    /// Use `policy` (work budget, minimum RSA size).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Check revocation with CRLs ([`RevocationOptions`]: which certificates, and what to do
    /// when no CRL covers one). A revoked certificate is refused with certificate_revoked.
    pub fn with_revocation(mut self, revocation: RevocationOptions) -> Self {
        self.revocation = Some(revocation);
        self
    }
}

/// Path validation for `usage`, with revocation if configured.
fn verify_with<'a>(
    end_entity: &'a [u8],
    intermediates: &[&'a [u8]],
    anchors: &'a TrustAnchors,
    usage: Usage,
    now: UnixTime,
    policy: &Policy,
    revocation: Option<&RevocationOptions>,
) -> Result<tryst_cert::VerifiedPath<'a>, tryst_cert::Error> {
    match revocation {
        Some(rev) => tryst_cert::verify_path_with_revocation(
            end_entity,
            intermediates,
            anchors,
            usage,
            now,
            policy,
            rev,
        ),
        None => tryst_cert::verify_path(end_entity, intermediates, anchors, usage, now, policy),
    }
}

impl ServerCertVerifier for WebPkiServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        let inter: Vec<&[u8]> = intermediates.iter().map(|c| c.as_ref()).collect();
        let path = verify_with(
            end_entity.as_ref(),
            &inter,
            &self.anchors,
            Usage::ServerAuth,
            now,
            &self.policy,
            self.revocation.as_ref(),
        )?;
        path.check_server_name(server_name)?;
        Ok(CertificateVerified(()))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_signature_with_policy(message, end_entity, scheme, signature, &self.policy)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_tls12_signature_with_policy(message, end_entity, scheme, signature, &self.policy)
    }
}

/// The standard client-certificate verifier: path validation with the clientAuth usage.
#[derive(Debug, Clone)]
pub struct WebPkiClientVerifier {
    anchors: TrustAnchors,
    policy: Policy,
    mandatory: bool,
    revocation: Option<RevocationOptions>,
    /// Name the anchors in CertificateRequest.certificate_authorities.
    send_ca_names: bool,
}

impl WebPkiClientVerifier {
    /// Require a client certificate chaining to `anchors`.
    pub fn new(anchors: TrustAnchors) -> Self {
        WebPkiClientVerifier {
            anchors,
            policy: Policy::DEFAULT,
            mandatory: true,
            revocation: None,
            send_ca_names: false,
        }
    }

    /// Name the trust anchors' subjects in the CertificateRequest's
    /// certificate_authorities extension (RFC 8446 §4.2.4), so a client holding several
    /// certificates can pick one these anchors accept. Off by default: the list tells
    /// anyone who connects which CAs the server trusts, and grows the handshake.
    pub fn with_certificate_authorities(mut self, on: bool) -> Self {
        self.send_ca_names = on;
        self
    }

    /// Check revocation with CRLs ([`RevocationOptions`]: which certificates, and what to do
    /// when no CRL covers one). A revoked client certificate is refused with
    /// certificate_revoked. The CRLs and options are part of
    /// [`resumption_identity`](ClientCertVerifier::resumption_identity), so tickets do not
    /// cross revocation policies (and a resumed certificate is checked again anyway).
    pub fn with_revocation(mut self, revocation: RevocationOptions) -> Self {
        self.revocation = Some(revocation);
        self
    }

    /// Ask for a certificate but let clients without one in (they stay anonymous).
    pub fn optional(mut self) -> Self {
        self.mandatory = false;
        self
    }

    /// Use `policy` (work budget, minimum RSA size).
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
}

impl ClientCertVerifier for WebPkiClientVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    /// The anchors' subject names when [`with_certificate_authorities`] is on.
    ///
    /// [`with_certificate_authorities`]: WebPkiClientVerifier::with_certificate_authorities
    fn root_hint_subjects(&self) -> Vec<Vec<u8>> {
        if !self.send_ca_names {
            return Vec::new();
        }
        self.anchors
            .iter()
            .filter_map(|a| {
                tryst_cert::Certificate::from_der(a.as_ref())
                    .ok()
                    .map(|c| c.subject_der().to_vec())
            })
            .collect()
    }

    /// SHA-256 of the anchors (DER, in order) and the policy.
    fn resumption_identity(&self) -> Vec<u8> {
        let mut h = tryst_crypto::SHA256.start();
        h.update(b"tryst WebPkiClientVerifier v1");
        for a in self.anchors.iter() {
            h.update(&u64::try_from(a.len()).unwrap_or(u64::MAX).to_be_bytes());
            h.update(a.as_ref());
        }
        let p = &self.policy;
        for n in [
            p.min_rsa_bits,
            p.budget.signatures,
            p.budget.build_calls,
            p.budget.max_intermediates,
        ] {
            h.update(&u64::try_from(n).unwrap_or(u64::MAX).to_be_bytes());
        }
        h.update(&[u8::from(self.mandatory)]);
        if let Some(rev) = &self.revocation {
            h.update(b"crls");
            h.update(&[
                match rev.depth() {
                    RevocationDepth::EndEntityOnly => 1,
                    _ => 2,
                },
                match rev.unknown_status() {
                    UnknownStatusPolicy::Allow => 1,
                    _ => 2,
                },
                match rev.expired_crl() {
                    ExpiredCrlPolicy::Ignore => 1,
                    _ => 2,
                },
            ]);
            h.update(&u64::try_from(rev.len()).unwrap_or(u64::MAX).to_be_bytes());
            for c in rev.crls() {
                h.update(&u64::try_from(c.len()).unwrap_or(u64::MAX).to_be_bytes());
                h.update(c.as_ref());
            }
        }
        h.finish().as_bytes().to_vec()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        let inter: Vec<&[u8]> = intermediates.iter().map(|c| c.as_ref()).collect();
        verify_with(
            end_entity.as_ref(),
            &inter,
            &self.anchors,
            Usage::ClientAuth,
            now,
            &self.policy,
            self.revocation.as_ref(),
        )?;
        Ok(CertificateVerified(()))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_signature_with_policy(message, end_entity, scheme, signature, &self.policy)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, Error> {
        verify_tls12_signature_with_policy(message, end_entity, scheme, signature, &self.policy)
    }
}

/// The content signed by CertificateVerify (RFC 8446 §4.4.3): 64 spaces, the context
/// string, a zero byte, and the transcript hash.
pub(crate) fn signed_content(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let context: &[u8] = if server {
        b"TLS 1.3, server CertificateVerify"
    } else {
        b"TLS 1.3, client CertificateVerify"
    };
    let mut m = Vec::with_capacity(64 + context.len() + 1 + transcript_hash.len());
    m.extend_from_slice(&[0x20; 64]);
    m.extend_from_slice(context);
    m.push(0);
    m.extend_from_slice(transcript_hash);
    m
}

/// Check every extension of every CertificateEntry (RFC 8446 §4.4.2, §4.2): one the
/// table does not allow in a Certificate is `illegal_parameter`; one the receiver did not
/// ask for (`requested`: the extension types of our ClientHello, or of our
/// CertificateRequest) is `unsupported_extension`. The codec already refused duplicates
/// within one entry (`illegal_parameter`).
pub(crate) fn check_certificate_extensions(
    c: &tryst_messages::Certificate<'_>,
    requested: &[tryst_messages::ExtensionType],
) -> Result<(), Error> {
    use tryst_messages::{AlertDescription, ExtensionContext, allowed_in};
    for e in c
        .certificate_list
        .iter()
        .flat_map(|entry| &entry.extensions)
    {
        let t = e.ext_type();
        if !allowed_in(t, ExtensionContext::Certificate) {
            return Err(Error::illegal(
                "extension not allowed in a CertificateEntry",
            ));
        }
        if !requested.contains(&t) {
            return Err(Error::misbehaved(
                AlertDescription::UnsupportedExtension,
                "CertificateEntry extension that was not requested",
            ));
        }
    }
    Ok(())
}

/// The certificate chain a Certificate message carries, end entity first, owned.
pub(crate) fn chain_of(c: &tryst_messages::Certificate<'_>) -> Vec<CertificateDer<'static>> {
    c.certificate_list
        .iter()
        .map(|e| CertificateDer::from(e.cert_data.to_vec()))
        .collect()
}
