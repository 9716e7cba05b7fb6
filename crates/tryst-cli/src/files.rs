//! Reading and writing certificates and keys (PEM), the platform's trust store, and the
//! key-log choice. Every failure becomes a one-line [`Failure`] naming the file.

use std::path::Path;
use std::sync::Arc;

use tryst::cert::TrustAnchors;
use tryst::crypto::zeroize::Zeroizing;
use tryst::crypto::{EcdsaP256SigningKey, Ed25519SigningKey, OsRng, Signer};
use tryst::pki_types::pem::PemObject;
use tryst::pki_types::{CertificateDer, PrivateKeyDer};
use tryst::{CertifiedKey, KeyLog, KeyLogFile};

use crate::Failure;

/// Read a whole file, or fail with exit code 2 naming it.
pub fn read(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the {what} file '{}': {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// The OS error without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

/// Every certificate in a PEM file (or one DER certificate). At least one is required.
pub fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let bytes = read(path, what)?;
    if bytes.first() == Some(&0x30) {
        // Binary DER: a single certificate.
        return Ok(vec![CertificateDer::from(bytes)]);
    }
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
    let certs = certs.map_err(|e| {
        Failure::usage(format!(
            "the {what} file '{}' is not valid PEM ({e}); expected '-----BEGIN CERTIFICATE-----' blocks",
            path.display()
        ))
    })?;
    if certs.is_empty() {
        return Err(Failure::usage(format!(
            "the {what} file '{}' holds no '-----BEGIN CERTIFICATE-----' block",
            path.display()
        )));
    }
    for (i, c) in certs.iter().enumerate() {
        tryst::cert::Certificate::from_der(c.as_ref()).map_err(|e| {
            Failure::usage(format!(
                "certificate {} in the {what} file '{}' does not parse: {e}",
                i + 1,
                path.display()
            ))
        })?;
    }
    Ok(certs)
}

/// Trust anchors from a PEM file.
pub fn read_anchors(path: &Path, what: &str) -> Result<TrustAnchors, Failure> {
    let certs = read_certs(path, what)?;
    let mut anchors = TrustAnchors::new();
    for c in &certs {
        anchors.add_der(c.as_ref()).map_err(|e| {
            Failure::usage(format!(
                "the {what} file '{}' holds a certificate that cannot be a trust anchor: {e}",
                path.display()
            ))
        })?;
    }
    Ok(anchors)
}

/// A PKCS#8 private key from a PEM file (or DER).
pub fn read_pkcs8(path: &Path, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = Zeroizing::new(read(path, what)?);
    if bytes.first() == Some(&0x30) {
        return Ok(bytes);
    }
    match PrivateKeyDer::from_pem_slice(&bytes) {
        Ok(PrivateKeyDer::Pkcs8(k)) => Ok(Zeroizing::new(k.secret_pkcs8_der().to_vec())),
        Ok(_) => Err(Failure::usage(format!(
            "the {what} file '{}' is not PKCS#8; convert it with 'openssl pkcs8 -topk8 -nocrypt -in {} -out KEY.pem'",
            path.display(),
            path.display()
        ))),
        Err(e) => Err(Failure::usage(format!(
            "the {what} file '{}' holds no usable private key ({e}); expected '-----BEGIN PRIVATE KEY-----'",
            path.display()
        ))),
    }
}

/// A signing key of one of the two kinds the tools make.
pub enum AnyKey {
    /// Ed25519.
    Ed25519(Ed25519SigningKey),
    /// ECDSA P-256.
    EcdsaP256(EcdsaP256SigningKey),
}

impl AnyKey {
    /// A fresh key from the OS generator.
    pub fn generate(ecdsa: bool) -> Self {
        if ecdsa {
            AnyKey::EcdsaP256(EcdsaP256SigningKey::generate(&mut OsRng))
        } else {
            AnyKey::Ed25519(Ed25519SigningKey::generate(&mut OsRng))
        }
    }

    /// Decode PKCS#8.
    pub fn from_pkcs8(der: &[u8]) -> Option<Self> {
        if let Ok(k) = Ed25519SigningKey::from_pkcs8_der(der) {
            return Some(AnyKey::Ed25519(k));
        }
        EcdsaP256SigningKey::from_pkcs8_der(der)
            .ok()
            .map(AnyKey::EcdsaP256)
    }

    /// The key as a signer.
    pub fn signer(&self) -> &dyn Signer {
        match self {
            AnyKey::Ed25519(k) => k,
            AnyKey::EcdsaP256(k) => k,
        }
    }

    /// PKCS#8 DER.
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>, Failure> {
        match self {
            AnyKey::Ed25519(k) => Ok(k.to_pkcs8_der()),
            AnyKey::EcdsaP256(k) => k
                .to_pkcs8_der()
                .map_err(|e| Failure::failed(format!("cannot encode the ECDSA key: {e}"))),
        }
    }
}

/// A certificate chain and its key, checked to belong together.
pub fn certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, Failure> {
    let chain = read_certs(cert, "certificate")?;
    let pkcs8 = read_pkcs8(key, "private key")?;
    CertifiedKey::from_der(chain, &pkcs8).map_err(|e| {
        let why = match e {
            tryst::Error::Config(s) => s.to_string(),
            other => other.to_string(),
        };
        Failure::usage(format!(
            "cannot use '{}' with '{}': {why}",
            key.display(),
            cert.display()
        ))
    })
}

/// PEM text for one block.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let bytes = b64.as_bytes();
    for line in bytes.chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(ALPHABET[idx]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Write a file, private (0600 on Unix) when `secret`.
pub fn write(path: &Path, contents: &[u8], secret: bool) -> Result<(), Failure> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut f = opts.open(path).map_err(|e| {
        Failure::usage(format!(
            "cannot write '{}': {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    f.write_all(contents).map_err(|e| {
        Failure::usage(format!(
            "cannot write '{}': {}",
            path.display(),
            io_reason(&e)
        ))
    })
}

/// Where Unix-like systems keep their CA bundle (the first that exists wins);
/// `SSL_CERT_FILE` overrides.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/ssl/cert.pem",                  // macOS, OpenBSD
];

/// The platform's root store: (anchors, the bundle's path, anchors skipped because
/// tryst-cert cannot use them).
pub fn platform_anchors() -> Result<(TrustAnchors, String, usize), Failure> {
    let env = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty());
    let candidates: Vec<std::path::PathBuf> = match env {
        Some(p) => vec![p.into()],
        None => SYSTEM_BUNDLES.iter().map(Into::into).collect(),
    };
    for path in &candidates {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let mut anchors = TrustAnchors::new();
        let mut skipped = 0;
        for item in CertificateDer::pem_slice_iter(&bytes) {
            match item {
                Ok(der) => skipped += anchors.add_der_skipping_unusable([der.as_ref()]),
                Err(_) => skipped += 1,
            }
        }
        if !anchors.is_empty() {
            return Ok((anchors, path.display().to_string(), skipped));
        }
    }
    Err(Failure::usage(
        "no platform root store found (set SSL_CERT_FILE, or pass --ca CA.pem)",
    ))
}

/// The key log: `--keylog FILE`, else SSLKEYLOGFILE, else none.
pub fn key_log(flag: Option<&Path>) -> Result<Option<Arc<dyn KeyLog>>, Failure> {
    if let Some(path) = flag {
        let f = KeyLogFile::create(path).map_err(|e| {
            Failure::usage(format!(
                "cannot open the key log '{}': {}",
                path.display(),
                io_reason(&e)
            ))
        })?;
        return Ok(Some(Arc::new(f)));
    }
    Ok(KeyLogFile::from_env().map(|f| Arc::new(f) as Arc<dyn KeyLog>))
}

/// ALPN names from the command line.
pub fn alpn(names: &[String]) -> Result<Vec<Vec<u8>>, Failure> {
    names
        .iter()
        .map(|n| {
            if n.is_empty() || n.len() > 255 {
                Err(Failure::usage(format!(
                    "ALPN protocol '{n}' must be 1 to 255 bytes"
                )))
            } else {
                Ok(n.as_bytes().to_vec())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(i.as_bytes()), o);
        }
    }
}
