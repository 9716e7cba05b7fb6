//! OCSP stapling interop in memory with rustls 0.23 (ring provider), both directions and
//! in TLS 1.3 and TLS 1.2 (CertificateStatus, RFC 6066 §8): rustls's client asks (it
//! always sends status_request) and its verifier receives what the tryst server stapled;
//! the tryst client gets what a rustls server staples. A tryst server that asks for client
//! staples (status_request in CertificateRequest) still authenticates a rustls client,
//! which ignores the request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/rustls_io.rs"]
mod rustls_io;

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_io::{Pki, key, provider, pump, real_time_pki};
use tryst::cert::TrustAnchors;
use tryst::crypto::Signer;

/// Stand-in response bytes: neither stack parses them.
const RESPONSE: &[u8] = b"\x30\x03\x0a\x01\x00 rustls interop OCSPResponse";

/// Certificates valid around the real current time (rustls checks with the system clock).
fn pki() -> Pki {
    real_time_pki("OCSP interop CA", 21, 86_400)
}

/// rustls's WebPKI verifier that asks for a staple and keeps what it is given.
#[derive(Debug)]
struct Capture {
    inner: Arc<rustls::client::WebPkiServerVerifier>,
    seen: Mutex<Vec<Vec<u8>>>,
}

impl ServerCertVerifier for Capture {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.seen.lock().unwrap().push(ocsp_response.to_vec());
        (self.inner).verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// (rustls's version, tryst's) for each protocol version.
fn versions() -> [(
    &'static rustls::SupportedProtocolVersion,
    tryst::messages::ProtocolVersion,
); 2] {
    [
        (
            &rustls::version::TLS13,
            tryst::messages::ProtocolVersion::Tls13,
        ),
        (
            &rustls::version::TLS12,
            tryst::messages::ProtocolVersion::Tls12,
        ),
    ]
}

#[test]
fn rustls_client_verifier_receives_the_tryst_servers_staple() {
    for (rv, tv) in versions() {
        rustls_client(rv, tv);
    }
}

fn rustls_client(
    rv: &'static rustls::SupportedProtocolVersion,
    tv: tryst::messages::ProtocolVersion,
) {
    let p = pki();
    let signer: Arc<dyn Signer> = Arc::new(key(22));
    let ck = tryst::CertifiedKey::new(vec![p.leaf.clone().into()], signer)
        .unwrap()
        .with_ocsp(RESPONSE.to_vec());
    let server = tryst::ServerConfig::builder(ck).build().unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(p.ca.clone())).unwrap();
    let inner =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .unwrap();
    let capture = Arc::new(Capture {
        inner,
        seen: Mutex::new(Vec::new()),
    });
    let client = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[rv])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(capture.clone())
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let mut rc = rustls::ClientConnection::new(Arc::new(client), name).unwrap();
    let mut ts = tryst::ServerConnection::new(server).unwrap();
    pump(&mut rc, &mut ts).unwrap();
    assert!(!ts.is_handshaking() && !rc.is_handshaking());
    assert_eq!(ts.protocol_version(), Some(tv));
    assert_eq!(
        *capture.seen.lock().unwrap(),
        vec![RESPONSE.to_vec()],
        "{tv:?}"
    );
}

#[test]
fn tryst_client_gets_a_rustls_servers_staple() {
    for (rv, tv) in versions() {
        rustls_server(rv, tv);
    }
}

fn rustls_server(
    rv: &'static rustls::SupportedProtocolVersion,
    tv: tryst::messages::ProtocolVersion,
) {
    let p = pki();
    let key_der =
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(p.leaf_key.to_pkcs8_der().to_vec()));
    let server = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[rv])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert_with_ocsp(vec![p.leaf.clone().into()], key_der, RESPONSE.to_vec())
        .unwrap();
    let client = tryst::ClientConfig::builder()
        .with_root_certificates(TrustAnchors::from_der([p.ca.as_slice()]).unwrap())
        .with_ocsp_stapling(true)
        .build()
        .unwrap();
    let name = tryst::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tc = tryst::ClientConnection::new(client, name).unwrap();
    let mut rs = rustls::ServerConnection::new(Arc::new(server)).unwrap();
    pump(&mut rs, &mut tc).unwrap();
    assert!(!tc.is_handshaking() && !rs.is_handshaking());
    assert_eq!(tc.protocol_version(), Some(tv));
    assert_eq!(tc.peer_ocsp_response(), Some(RESPONSE), "{tv:?}");
}

#[test]
fn a_rustls_client_ignores_the_request_for_a_client_staple() {
    let p = pki();
    let signer: Arc<dyn Signer> = Arc::new(key(22));
    let ck = tryst::CertifiedKey::new(vec![p.leaf.clone().into()], signer).unwrap();
    let anchors = TrustAnchors::from_der([p.ca.as_slice()]).unwrap();
    let server = tryst::ServerConfig::builder(ck)
        .with_client_cert_verifier(Arc::new(tryst::verify::WebPkiClientVerifier::new(anchors)))
        .with_client_ocsp_stapling(true)
        .build()
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(p.ca.clone())).unwrap();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        p.client_key.to_pkcs8_der().to_vec(),
    ));
    let client = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(vec![p.client.clone().into()], key_der)
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut rc = rustls::ClientConnection::new(Arc::new(client), name).unwrap();
    let mut ts = tryst::ServerConnection::new(server).unwrap();
    pump(&mut rc, &mut ts).unwrap();
    assert!(!ts.is_handshaking() && !rc.is_handshaking());
    assert_eq!(ts.peer_certificates()[0].as_ref(), p.client.as_slice());
    assert_eq!(ts.peer_ocsp_response(), None);
}
