//! Shared by the integration tests: a throwaway CA, a localhost certificate and configs.
#![allow(dead_code)] // each test file uses a different part

use std::sync::Arc;

use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, OsRng};
use tryst::pki_types::CertificateDer;
use tryst::{CertifiedKey, ClientConfig, ServerConfig};
use tryst_tokio::{TlsAcceptor, TlsConnector};

pub struct Pki {
    pub ca_der: Vec<u8>,
    pub leaf_der: Vec<u8>,
    pub leaf_key_pkcs8: Vec<u8>,
}

impl Pki {
    pub fn new() -> Pki {
        let (from, to) = (1_700_000_000, 4_000_000_000);
        let ca_key = Ed25519SigningKey::generate(&mut OsRng);
        let ca = CertificateBuilder::new("tryst-tokio test CA", from, to)
            .ca(None)
            .self_signed(&ca_key)
            .unwrap();
        let key = Ed25519SigningKey::generate(&mut OsRng);
        let leaf = CertificateBuilder::new("localhost", from, to)
            .dns_name("localhost")
            .server_auth()
            .issue(&key, &ca, &ca_key)
            .unwrap();
        Pki {
            ca_der: ca,
            leaf_der: leaf,
            leaf_key_pkcs8: key.to_pkcs8_der().to_vec(),
        }
    }

    pub fn server_config(&self) -> Arc<ServerConfig> {
        let certified = CertifiedKey::from_der(
            vec![CertificateDer::from(self.leaf_der.clone())],
            &self.leaf_key_pkcs8,
        )
        .unwrap();
        ServerConfig::builder(certified).build().unwrap()
    }

    pub fn client_config(&self) -> Arc<ClientConfig> {
        ClientConfig::builder()
            .with_root_certificates(TrustAnchors::from_der([self.ca_der.as_slice()]).unwrap())
            .build()
            .unwrap()
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.server_config())
    }

    pub fn connector(&self) -> TlsConnector {
        TlsConnector::from(self.client_config())
    }
}

/// PEM text for `der` under `label` (RFC 7468), for the tools that want files.
pub fn pem(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
