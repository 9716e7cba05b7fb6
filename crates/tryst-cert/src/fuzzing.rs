//! Shared fixtures for the `cert_verify` fuzz target and its seed generator
//! (`examples/fuzz_seeds.rs`): a fixed Ed25519 anchor, the input framing, and the
//! validation time and name. Behind the `fuzzing` feature; not a stable API.

use alloc::vec::Vec;

use crate::{CertificateBuilder, Error};
use tryst_crypto::{Ed25519SigningKey, Secret};

/// The validation time used by the target (2025-06-15).
pub const NOW: u64 = 1_750_000_000;
/// The server name the target checks.
pub const NAME: &str = "fuzz.example";
/// Validity of the fixture certificates.
pub const START: i64 = 1_735_689_600;
/// Validity of the fixture certificates.
pub const END: i64 = 2_051_222_400;

/// The fixed anchor's key (and a second key for intermediates), from fixed seeds.
pub fn key(n: u8) -> Result<Ed25519SigningKey, Error> {
    let seed = Secret::from_slice(&[n; 32]).map_err(|_| Error::BadTrustAnchor)?;
    Ed25519SigningKey::from_seed(&seed).map_err(|_| Error::BadTrustAnchor)
}

/// The fixed anchor certificate (self-signed by `key(1)`).
pub fn anchor() -> Result<Vec<u8>, Error> {
    CertificateBuilder::new("Fuzz Root", START, END)
        .ca(None)
        .self_signed(&key(1)?)
}

/// Split fuzz input into certificates: each is a 2-byte big-endian length and that many
/// bytes; the first is the end entity. At most `max` certificates; a short tail is dropped.
pub fn split(mut data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while out.len() < max {
        let Some((len, rest)) = data.split_first_chunk::<2>() else {
            break;
        };
        let len = usize::from(u16::from_be_bytes(*len));
        let Some((cert, rest)) = rest.split_at_checked(len) else {
            break;
        };
        out.push(cert);
        data = rest;
    }
    out
}

/// The inverse of [`split`].
pub fn join(certs: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in certs {
        let len = u16::try_from(c.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(c.get(..usize::from(len)).unwrap_or(&[]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Policy, TrustAnchors, verify_server_cert};
    use rustls_pki_types::{ServerName, UnixTime};

    #[test]
    fn split_join_round_trip() {
        let certs: [&[u8]; 3] = [b"abc", b"", b"de"];
        let joined = join(&certs);
        assert_eq!(split(&joined, 9), certs);
        assert_eq!(split(&joined, 2), &certs[..2]);
        assert_eq!(split(&joined[..joined.len() - 1], 9), &certs[..2]);
        assert!(split(&[0], 9).is_empty());
    }

    /// The fixture the `cert_verify` target uses accepts a chain like its seeds.
    #[test]
    fn fixture_chain_verifies() {
        let root = anchor().unwrap();
        let inter = CertificateBuilder::new("Fuzz Intermediate", START, END)
            .ca(Some(0))
            .issue(&key(2).unwrap(), &root, &key(1).unwrap())
            .unwrap();
        let leaf = CertificateBuilder::new("leaf", START, END)
            .dns_name(NAME)
            .server_auth()
            .issue(&key(3).unwrap(), &inter, &key(2).unwrap())
            .unwrap();
        let input = join(&[&leaf, &inter]);
        let certs = split(&input, 9);
        let anchors = TrustAnchors::from_der([root.as_slice()]).unwrap();
        let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(NOW));
        let name = ServerName::try_from(NAME).unwrap();
        verify_server_cert(
            certs[0],
            &certs[1..],
            &anchors,
            &name,
            now,
            &Policy::DEFAULT,
        )
        .unwrap();
    }
}
