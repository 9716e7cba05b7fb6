//! OCSP stapling tests (ocsp.rs, ocsp_tls12.rs, ocsp_client.rs): the standard verifiers
//! wrapped to record each staple their hook is shown and to refuse it when told to.

use std::sync::{Arc, Mutex};

use tryst::messages::AlertDescription;
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::verify::{
    CertificateVerified, ClientCertVerifier, ServerCertVerifier, WebPkiClientVerifier,
    WebPkiServerVerifier,
};
use tryst::{CertifiedKey, Error};

use super::{anchors, key, pki};

/// Not a real OCSP response: tryst passes the bytes on without parsing them.
pub const RESPONSE: &[u8] = b"\x30\x03\x0a\x01\x00 stand-in OCSPResponse";

/// A standard verifier `V`, recording each staple it is shown and refusing when told to.
pub struct Recording<V> {
    pub inner: V,
    pub seen: Mutex<Vec<Vec<u8>>>,
    pub refuse: bool,
}

impl<V> Recording<V> {
    fn new(inner: V, refuse: bool) -> Arc<Self> {
        Arc::new(Recording {
            inner,
            seen: Mutex::new(Vec::new()),
            refuse,
        })
    }

    /// Record `ocsp_response`; refuse it with bad_certificate_status_response and `rule`
    /// when told to.
    fn record(&self, ocsp_response: &[u8], rule: &'static str) -> Result<(), Error> {
        self.seen.lock().unwrap().push(ocsp_response.to_vec());
        if self.refuse {
            return Err(Error::PeerMisbehaved {
                alert: AlertDescription::BadCertificateStatusResponse,
                rule,
            });
        }
        Ok(())
    }
}

/// The recording server-certificate verifier.
pub type ServerRecording = Recording<WebPkiServerVerifier>;

/// The recording client-certificate verifier (certificate required).
pub type ClientRecording = Recording<WebPkiClientVerifier>;

/// A [`ServerRecording`] trusting the test CA.
pub fn server_recording(refuse: bool) -> Arc<ServerRecording> {
    Recording::new(WebPkiServerVerifier::new(anchors(&pki())), refuse)
}

/// A [`ClientRecording`] trusting the test CA.
pub fn client_recording(refuse: bool) -> Arc<ClientRecording> {
    Recording::new(WebPkiClientVerifier::new(anchors(&pki())), refuse)
}

impl ServerCertVerifier for ServerRecording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        (self.inner).verify_server_cert(end_entity, intermediates, server_name, now)
    }

    fn verify_ocsp_response(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<(), Error> {
        self.record(ocsp_response, "test verifier refuses the OCSP response")
    }
}

impl ClientCertVerifier for ClientRecording {
    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        self.inner
            .verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_ocsp_response(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<(), Error> {
        self.record(
            ocsp_response,
            "test verifier refuses the client's OCSP response",
        )
    }
}

/// The test certificate `der` with the Ed25519 key of seed `seed`, stapling `staple` when
/// given.
pub fn stapled_key(der: Vec<u8>, seed: u8, staple: Option<&[u8]>) -> CertifiedKey {
    let k = CertifiedKey::new(vec![CertificateDer::from(der)], Arc::new(key(seed))).unwrap();
    match staple {
        Some(r) => k.with_ocsp(r.to_vec()),
        None => k,
    }
}
