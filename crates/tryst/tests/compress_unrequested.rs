//! RFC 8879 §4: a CompressedCertificate is only for a receiver that offered
//! compress_certificate. A client that offered none gets one from a scripted server
//! (right after EncryptedExtensions, where a Certificate belongs): unexpected_message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::scripted::{Script, scripted};
use tryst::messages::{
    AlertDescription, CertificateCompressionAlgorithm, Codec, CompressedCertificate,
    HandshakeMessage,
};

#[test]
fn an_unrequested_compressed_certificate_is_unexpected_message() {
    let cc = HandshakeMessage::CompressedCertificate(CompressedCertificate {
        algorithm: CertificateCompressionAlgorithm::Zlib,
        uncompressed_length: 100,
        compressed_certificate_message: (&[0x78, 0x9c, 3, 0, 0, 0, 0, 1][..]).into(),
    })
    .to_bytes()
    .unwrap();
    let (_, r) = scripted(&Script {
        extra: Some(cc),
        ..Script::default()
    });
    let e = r.expect_err("the client must refuse");
    assert_eq!(e.alert(), Some(AlertDescription::UnexpectedMessage), "{e}");
    assert!(e.to_string().contains("compress_certificate"), "{e}");
}
