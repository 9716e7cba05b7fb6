//! An end-to-end replay of RFC 8448 §3 for the client: with §3's random and key share and a
//! configuration that offers what §3 offers, our ClientHello is §3's byte for byte; fed
//! §3's server flight (validation time pinned inside the certificate's validity, §3's
//! RSA-1024 certificate trusted, RSA-1024 allowed in this test only) the client accepts the
//! CertificateVerify and Finished, and its Finished and application data records are
//! §3's byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod rfc8448_trace;

use std::sync::Arc;
use std::time::Duration;

use tryst::messages::SignatureScheme;
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::verify::{CertificateVerified, ServerCertVerifier, SignatureVerified};

use rfc8448_trace::{nss_client, s3 as v};

/// Trusts exactly §3's certificate, inside its validity, and verifies CertificateVerify
/// with RSA-1024 allowed.
struct TrustTraceCertificate;
impl ServerCertVerifier for TrustTraceCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<CertificateVerified, tryst::Error> {
        assert!(intermediates.is_empty());
        assert_eq!(
            end_entity.as_ref(),
            include_bytes!("data/rfc8448_server_cert.der")
        );
        // 2016-07-30 .. 2026-07-30
        assert!((1_469_841_839..1_785_374_639).contains(&now.as_secs()));
        Ok(CertificateVerified::assertion())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        end_entity: &CertificateDer<'_>,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Result<SignatureVerified, tryst::Error> {
        tryst::verify::verify_signature(message, end_entity, scheme, signature, 1024)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        [
            0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201,
            0x0402, 0x0502, 0x0602, 0x0202,
        ]
        .into_iter()
        .map(SignatureScheme::from_raw)
        .collect()
    }
}

#[test]
fn rfc8448_section3_client_replay() {
    let clock = Arc::new(tryst::ManualClock::new(Duration::from_secs(1_577_836_800))); // 2020-01-01
    let config = nss_client(Arc::new(TrustTraceCertificate), clock)
        .build()
        .unwrap();
    let mut client =
        tryst::ClientConnection::new(config, ServerName::try_from("server").unwrap()).unwrap();

    // ClientHello, byte for byte (record and message).
    assert_eq!(
        hex::encode(client.pending_tls()),
        hex::encode(v("client_hello_record"))
    );
    let n = client.pending_tls().len();
    client.consume_tls(n);

    // The server's flight: ServerHello, then the encrypted EE..Finished record.
    client.read_tls_bytes(&v("server_hello_record"));
    client.read_tls_bytes(&v("server_handshake_flight_record"));
    client.process_new_packets().unwrap();
    assert!(!client.is_handshaking());
    assert_eq!(
        client.signature_scheme(),
        Some(SignatureScheme::RsaPssRsaeSha256)
    );

    // Our Finished record, byte for byte.
    assert_eq!(
        hex::encode(client.pending_tls()),
        hex::encode(v("client_finished_record"))
    );
    let n = client.pending_tls().len();
    client.consume_tls(n);

    // The ticket, then the server's application data.
    client.read_tls_bytes(&v("new_session_ticket_record"));
    client.read_tls_bytes(&v("server_application_data_record"));
    client.process_new_packets().unwrap();
    let mut buf = [0u8; 64];
    let got = client.read_plaintext(&mut buf);
    assert_eq!(&buf[..got], &v("application_data_plaintext")[..]);

    // Our application data record, byte for byte.
    client
        .send_plaintext(&v("application_data_plaintext"))
        .unwrap();
    assert_eq!(
        hex::encode(client.pending_tls()),
        hex::encode(v("client_application_data_record"))
    );
    let n = client.pending_tls().len();
    client.consume_tls(n);

    // close_notify both ways, with §3's records.
    client.read_tls_bytes(&v("server_alert_record"));
    client.process_new_packets().unwrap();
    assert!(client.peer_has_closed());
    client.send_close_notify();
    assert_eq!(
        hex::encode(client.pending_tls()),
        hex::encode(v("client_alert_record"))
    );
}
