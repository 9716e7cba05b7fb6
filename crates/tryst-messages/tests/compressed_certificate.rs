//! RFC 8879: the compress_certificate extension and the CompressedCertificate message,
//! their bounds, and where the extension may appear.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tryst_messages::{
    CertificateCompressionAlgorithm as Alg, Codec, CompressedCertificate, Extension,
    ExtensionContext, ExtensionType, HandshakeMessage, HandshakeType, allowed_in, read_extensions,
};

#[test]
fn compressed_certificate_known_bytes() {
    let m = CompressedCertificate {
        algorithm: Alg::Brotli,
        uncompressed_length: 0x01_0203,
        compressed_certificate_message: (&[0xaa, 0xbb][..]).into(),
    };
    let bytes = HandshakeMessage::CompressedCertificate(m.clone())
        .to_bytes()
        .unwrap();
    assert_eq!(
        bytes,
        [25, 0, 0, 10, 0, 2, 1, 2, 3, 0, 0, 2, 0xaa, 0xbb],
        "type 25, algorithm 2, uint24 length, uint24-prefixed body"
    );
    assert_eq!(
        HandshakeMessage::decode(&bytes).unwrap(),
        HandshakeMessage::CompressedCertificate(m)
    );
    assert_eq!(
        HandshakeMessage::decode(&bytes).unwrap().typ(),
        HandshakeType::CompressedCertificate
    );
}

#[test]
fn compressed_certificate_bounds() {
    // An empty compressed_certificate_message is below its minimum of 1.
    assert!(CompressedCertificate::decode(&[0, 1, 0, 0, 5, 0, 0, 0]).is_err());
    // Trailing bytes, and a body shorter than its prefix.
    assert!(CompressedCertificate::decode(&[0, 1, 0, 0, 5, 0, 0, 1, 9, 9]).is_err());
    assert!(CompressedCertificate::decode(&[0, 1, 0, 0, 5, 0, 0, 2, 9]).is_err());
    // An encoder refuses an uncompressed_length over 2^24-1.
    let too_long = CompressedCertificate {
        algorithm: Alg::Zlib,
        uncompressed_length: 1 << 24,
        compressed_certificate_message: (&[1][..]).into(),
    };
    assert!(too_long.to_bytes().is_err());
}

#[test]
fn compress_certificate_extension_shape_and_place() {
    let ext = |body: &[u8]| {
        let mut b = vec![0, 27];
        b.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        b.extend_from_slice(body);
        let mut all = u16::try_from(b.len()).unwrap().to_be_bytes().to_vec();
        all.extend_from_slice(&b);
        all
    };
    let ok = ext(&[4, 0, 2, 0, 3]);
    for ctx in [
        ExtensionContext::ClientHello,
        ExtensionContext::CertificateRequest,
    ] {
        let exts =
            tryst_messages::Reader::read_all(&ok, "t", |r| read_extensions(r, ctx, "t", 0, 0xffff))
                .unwrap();
        assert_eq!(
            exts,
            vec![Extension::CompressCertificate(vec![Alg::Brotli, Alg::Zstd])]
        );
    }
    // algorithms<2..2^8-2>: empty and odd-length lists, and trailing bytes, are refused.
    for bad in [&[0][..], &[1, 0], &[3, 0, 2, 0], &[2, 0, 2, 0]] {
        let b = ext(bad);
        assert!(
            tryst_messages::Reader::read_all(&b, "t", |r| {
                read_extensions(r, ExtensionContext::ClientHello, "t", 0, 0xffff)
            })
            .is_err(),
            "{bad:?}"
        );
    }
    assert!(allowed_in(
        ExtensionType::CompressCertificate,
        ExtensionContext::ClientHello
    ));
    assert!(allowed_in(
        ExtensionType::CompressCertificate,
        ExtensionContext::CertificateRequest
    ));
    assert!(!allowed_in(
        ExtensionType::CompressCertificate,
        ExtensionContext::EncryptedExtensions
    ));
}
