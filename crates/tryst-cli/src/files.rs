//! Reading and writing certificates and keys (PEM), the platform's trust store, and the
//! key-log choice. Every failure becomes a one-line [`Failure`] naming the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tryst::cert::TrustAnchors;
use tryst::crypto::zeroize::Zeroizing;
use tryst::crypto::{EcdsaP256SigningKey, Ed25519SigningKey, OsRng, RsaSigningKey, Signer};
use tryst::pki_types::CertificateDer;
use tryst::pki_types::pem::PemObject;
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

/// A SubjectPublicKeyInfo to pin (PEM 'PUBLIC KEY' or DER), checked to be a key tryst can
/// use.
pub fn read_spki(path: &Path) -> Result<Vec<u8>, Failure> {
    use tryst::pki_types::pem::PemObject;
    let data = read(path, "public key")?;
    let der = if data.starts_with(b"-----") {
        tryst::pki_types::SubjectPublicKeyInfoDer::from_pem_slice(&data)
            .map(|k| k.as_ref().to_vec())
            .ok()
    } else {
        Some(data)
    };
    match der {
        Some(d) if tryst::cert::PublicKeyInfo::from_der(&d).is_ok() => Ok(d),
        _ => Err(Failure::usage(format!(
            "'{}' is not a public key tryst can use (PEM 'PUBLIC KEY' or DER SubjectPublicKeyInfo: Ed25519, ECDSA P-256/P-384 or RSA; make one with `openssl pkey -in KEY -pubout`)",
            path.display()
        ))),
    }
}

/// An OCSP response to staple (DER). Only its outer shape is checked (a non-empty DER
/// SEQUENCE): a PEM or text file is a usage error; the content is the responder's.
pub fn read_ocsp_response(path: &Path) -> Result<Vec<u8>, Failure> {
    let der = read(path, "OCSP response")?;
    if der.first() != Some(&0x30) || der.len() < 2 {
        return Err(Failure::usage(format!(
            "'{}' is not a DER OCSP response (make one with `openssl ocsp ... -respout FILE`)",
            path.display()
        )));
    }
    Ok(der)
}

/// The OS error without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

/// The DER of every `CERTIFICATE` block in a PEM file (or one DER certificate), not yet
/// parsed. At least one is required: a file that is missing, not PEM or without a
/// certificate cannot be used at all (exit 2).
pub fn read_cert_blocks(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
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
    Ok(certs)
}

/// Every certificate in a PEM file (or one DER certificate). At least one is required, and
/// each must parse.
pub fn read_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let certs = read_cert_blocks(path, what)?;
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

/// One line on standard error about a certificate that is left out: which one (its place
/// in the file) and why.
pub fn warn_skipped(path: &Path, what: &str, index: usize, why: &tryst::cert::Error) {
    eprintln!(
        "{}",
        crate::escape::controls(&format!(
            "tryst: warning: skipping certificate {index} of the {what} file '{}': {why}",
            path.display()
        ))
    );
}

/// The certificates of `certs` (from `path`) that parse, for intermediates: each one that
/// does not is skipped with a one-line warning, as path building would skip it.
pub fn usable_certs(
    path: &Path,
    what: &str,
    certs: Vec<CertificateDer<'static>>,
    first_index: usize,
) -> Vec<CertificateDer<'static>> {
    let mut out = Vec::with_capacity(certs.len());
    for (i, c) in certs.into_iter().enumerate() {
        match tryst::cert::Certificate::from_der(c.as_ref()) {
            Ok(_) => out.push(c),
            Err(e) => warn_skipped(path, what, i + first_index, &e),
        }
    }
    out
}

/// Trust anchors from a PEM file; every certificate must be usable as an anchor.
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

/// Trust anchors from a PEM file, as a trust store loader reads one: each certificate that
/// cannot be an anchor is skipped with a one-line warning. A file without any usable
/// certificate cannot be used at all (exit 2).
pub fn read_anchors_skipping(path: &Path, what: &str) -> Result<TrustAnchors, Failure> {
    let certs = read_cert_blocks(path, what)?;
    let mut anchors = TrustAnchors::new();
    for (i, c) in certs.iter().enumerate() {
        if let Err(e) = anchors.add_der(c.as_ref()) {
            warn_skipped(path, what, i + 1, &e);
        }
    }
    if anchors.is_empty() {
        return Err(Failure::usage(format!(
            "the {what} file '{}' holds no usable certificate ({} skipped)",
            path.display(),
            certs.len()
        )));
    }
    Ok(anchors)
}

/// CRLs from files (each DER, or PEM with `X509 CRL` blocks) with the revocation options
/// of the command line. A file that cannot be read, holds no CRL, or a CRL that does not
/// parse cannot be used (exit 2).
pub fn read_crls(
    paths: &[std::path::PathBuf],
    depth: crate::args::CrlDepth,
    unknown: crate::args::CrlUnknown,
) -> Result<tryst::cert::RevocationOptions, Failure> {
    use tryst::cert::{RevocationDepth, RevocationOptions, UnknownStatusPolicy};
    let mut opts = RevocationOptions::new()
        .with_depth(match depth {
            crate::args::CrlDepth::EndEntity => RevocationDepth::EndEntityOnly,
            crate::args::CrlDepth::Chain => RevocationDepth::Chain,
        })
        .with_unknown_status(match unknown {
            crate::args::CrlUnknown::Allow => UnknownStatusPolicy::Allow,
            crate::args::CrlUnknown::Deny => UnknownStatusPolicy::Deny,
        });
    for path in paths {
        let bytes = read(path, "CRL")?;
        let ders: Vec<Vec<u8>> = if bytes.first() == Some(&0x30) {
            vec![bytes]
        } else {
            let crls = tryst::cert::crls_from_pem(&bytes).map_err(|_| {
                Failure::usage(format!(
                    "the CRL file '{}' is not valid PEM; expected DER or '-----BEGIN X509 CRL-----' blocks",
                    path.display()
                ))
            })?;
            if crls.is_empty() {
                return Err(Failure::usage(format!(
                    "the CRL file '{}' holds no '-----BEGIN X509 CRL-----' block",
                    path.display()
                )));
            }
            crls.iter().map(|c| c.as_ref().to_vec()).collect()
        };
        for (i, der) in ders.iter().enumerate() {
            opts.add_der(der).map_err(|e| {
                Failure::usage(format!(
                    "CRL {} in the file '{}' cannot be used: {e}",
                    i + 1,
                    path.display()
                ))
            })?;
        }
    }
    Ok(opts)
}

/// The most bytes a private key file may hold (a PEM PKCS#8 Ed25519 or P-256 key is a
/// few hundred).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// A file that holds a secret, read into one zeroizing buffer allocated once at the file's
/// size (so no reallocation leaves a copy behind).
fn read_secret(path: &Path, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    use std::io::Read;
    let cannot = |e: std::io::Error| {
        Failure::usage(format!(
            "cannot read the {what} file '{}': {}",
            path.display(),
            io_reason(&e)
        ))
    };
    let f = std::fs::File::open(path).map_err(cannot)?;
    let len = f.metadata().map_err(cannot)?.len();
    if len > MAX_KEY_FILE {
        return Err(Failure::usage(format!(
            "the {what} file '{}' is {len} bytes: too large for a private key",
            path.display()
        )));
    }
    let cap = usize::try_from(len).unwrap_or(0).saturating_add(1);
    let mut bytes = Zeroizing::new(Vec::with_capacity(cap));
    // `take` keeps a file that grows while we read within the capacity.
    f.take(len.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    Ok(bytes)
}

/// A PKCS#8 private key from a PEM file (or DER). The file's bytes, the base64 text and the
/// decoded key all stay in zeroizing buffers.
pub fn read_pkcs8(path: &Path, what: &str) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = read_secret(path, what)?;
    if bytes.first() == Some(&0x30) {
        return Ok(bytes);
    }
    match pem_private_key(&bytes) {
        PemKey::Pkcs8(der) => Ok(der),
        PemKey::OtherKind(label) => Err(Failure::usage(format!(
            "the {what} file '{}' holds a '{label}', not PKCS#8; convert it with 'openssl pkcs8 -topk8 -nocrypt -in {} -out KEY.pem'",
            path.display(),
            path.display()
        ))),
        PemKey::Malformed => Err(Failure::usage(format!(
            "the {what} file '{}' holds a malformed '-----BEGIN PRIVATE KEY-----' block (bad base64)",
            path.display()
        ))),
        PemKey::None => Err(Failure::usage(format!(
            "the {what} file '{}' holds no usable private key; expected '-----BEGIN PRIVATE KEY-----'",
            path.display()
        ))),
    }
}

/// What [`pem_private_key`] found.
enum PemKey {
    /// The DER of the first `PRIVATE KEY` block.
    Pkcs8(Zeroizing<Vec<u8>>),
    /// A private key in another format (its PEM label).
    OtherKind(String),
    /// A `PRIVATE KEY` block whose base64 does not decode.
    Malformed,
    /// No private key block.
    None,
}

/// Find and decode the first PKCS#8 `PRIVATE KEY` block of a PEM file, decoding the base64
/// straight into a zeroizing buffer of its final size.
fn pem_private_key(text: &[u8]) -> PemKey {
    const BEGIN: &[u8] = b"-----BEGIN PRIVATE KEY-----";
    const END: &[u8] = b"-----END PRIVATE KEY-----";
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let Some(start) = find(text, BEGIN) else {
        // Name a different kind of key (RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED ...).
        let mut other = PemKey::None;
        for line in text.split(|&b| b == b'\n') {
            let line = line.trim_ascii();
            if let Some(label) = line
                .strip_prefix(b"-----BEGIN ")
                .and_then(|l| l.strip_suffix(b"-----"))
                && label.ends_with(b"PRIVATE KEY")
            {
                other = PemKey::OtherKind(crate::escape::peer(label));
                break;
            }
        }
        return other;
    };
    let body = text.get(start + BEGIN.len()..).unwrap_or_default();
    let Some(end) = find(body, END) else {
        return PemKey::Malformed;
    };
    match base64_decode(body.get(..end).unwrap_or_default()) {
        Some(der) => PemKey::Pkcs8(der),
        None => PemKey::Malformed,
    }
}

/// Standard base64 (RFC 4648 §4) with whitespace ignored, into a zeroizing buffer sized
/// before the first byte is written. `None` on any other character or bad padding.
fn base64_decode(text: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    fn value(c: u8) -> Option<u32> {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        Some(u32::from(v))
    }
    let symbols = text.iter().filter(|c| !c.is_ascii_whitespace()).count();
    if symbols % 4 != 0 {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(symbols / 4 * 3));
    let mut quad = [0u8; 4];
    let mut n = 0;
    let mut done = false;
    for &c in text.iter().filter(|c| !c.is_ascii_whitespace()) {
        if done {
            return None; // data after the padded quad
        }
        *quad.get_mut(n)? = c;
        n += 1;
        if n < 4 {
            continue;
        }
        n = 0;
        let pad = match quad {
            [_, _, b'=', b'='] => 2,
            [_, _, _, b'='] => 1,
            _ => 0,
        };
        let mut acc = 0u32;
        for (i, &q) in quad.iter().enumerate() {
            let v = if i >= 4 - pad { 0 } else { value(q)? };
            acc = (acc << 6) | v;
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(bytes.get(1..4 - pad)?);
        quad.fill(0);
        done = pad > 0;
    }
    Some(out)
}

/// A kind of key for `tryst cert new-ca | new-leaf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Ed25519.
    Ed25519,
    /// ECDSA P-256.
    EcdsaP256,
    /// RSA with a modulus of this many bits.
    Rsa(u16),
}

impl KeyKind {
    /// From the `--ed25519`, `--rsa` and `--rsa-bits` flags (ECDSA P-256 by default,
    /// RSA-2048 for a bare `--rsa`); `--rsa-bits` without `--rsa` is a usage error.
    pub fn from_flags(ed25519: bool, rsa: bool, rsa_bits: Option<u16>) -> Result<Self, Failure> {
        match (rsa, rsa_bits) {
            (true, bits) => Ok(KeyKind::Rsa(bits.unwrap_or(2048))),
            (false, Some(_)) => Err(Failure::usage("--rsa-bits needs --rsa")),
            (false, None) if ed25519 => Ok(KeyKind::Ed25519),
            (false, None) => Ok(KeyKind::EcdsaP256),
        }
    }

    /// The kind, for messages: `Ed25519`, `ECDSA P-256`, `RSA-2048`.
    pub fn describe(self) -> String {
        match self {
            KeyKind::Ed25519 => "Ed25519".to_string(),
            KeyKind::EcdsaP256 => "ECDSA P-256".to_string(),
            KeyKind::Rsa(bits) => format!("RSA-{bits}"),
        }
    }
}

/// A signing key of one of the kinds the tools make.
pub enum AnyKey {
    /// Ed25519.
    Ed25519(Ed25519SigningKey),
    /// ECDSA P-256.
    EcdsaP256(EcdsaP256SigningKey),
    /// RSA.
    Rsa(RsaSigningKey),
}

impl AnyKey {
    /// A fresh key from the OS generator (RSA takes a moment).
    pub fn generate(kind: KeyKind) -> Result<Self, Failure> {
        Ok(match kind {
            KeyKind::EcdsaP256 => AnyKey::EcdsaP256(EcdsaP256SigningKey::generate(&mut OsRng)),
            KeyKind::Ed25519 => AnyKey::Ed25519(Ed25519SigningKey::generate(&mut OsRng)),
            KeyKind::Rsa(bits) => AnyKey::Rsa(
                RsaSigningKey::generate(&mut OsRng, usize::from(bits))
                    .map_err(|e| Failure::failed(format!("cannot make an RSA key: {e}")))?,
            ),
        })
    }

    /// Decode PKCS#8 (Ed25519, ECDSA P-256 or RSA).
    pub fn from_pkcs8(der: &[u8]) -> Option<Self> {
        if let Ok(k) = Ed25519SigningKey::from_pkcs8_der(der) {
            return Some(AnyKey::Ed25519(k));
        }
        if let Ok(k) = EcdsaP256SigningKey::from_pkcs8_der(der) {
            return Some(AnyKey::EcdsaP256(k));
        }
        RsaSigningKey::from_pkcs8_der(der).ok().map(AnyKey::Rsa)
    }

    /// The key as a signer.
    pub fn signer(&self) -> &dyn Signer {
        match self {
            AnyKey::Ed25519(k) => k,
            AnyKey::EcdsaP256(k) => k,
            AnyKey::Rsa(k) => k,
        }
    }

    /// PKCS#8 DER.
    pub fn to_pkcs8(&self) -> Result<Zeroizing<Vec<u8>>, Failure> {
        match self {
            AnyKey::Ed25519(k) => Ok(k.to_pkcs8_der()),
            AnyKey::EcdsaP256(k) => k
                .to_pkcs8_der()
                .map_err(|e| Failure::failed(format!("cannot encode the ECDSA key: {e}"))),
            AnyKey::Rsa(k) => k
                .to_pkcs8_der()
                .map_err(|e| Failure::failed(format!("cannot encode the RSA key: {e}"))),
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

/// The --cert/--key pairs, matched by position: one key for each certificate chain.
pub fn certified_keys(certs: &[PathBuf], keys: &[PathBuf]) -> Result<Vec<CertifiedKey>, Failure> {
    if certs.len() != keys.len() {
        return Err(Failure::usage(format!(
            "give one --key for each --cert, in the same order ({} --cert, {} --key)",
            certs.len(),
            keys.len()
        )));
    }
    certs
        .iter()
        .zip(keys)
        .map(|(cert, key)| certified_key(cert, key))
        .collect()
}

/// A raw key pair for client authentication (RFC 7250) from a PKCS#8 private key; the
/// public key sent is derived from it.
pub fn raw_key_pair(key: &Path) -> Result<tryst::RawKeyPair, Failure> {
    let pkcs8 = read_pkcs8(key, "private key")?;
    tryst::RawKeyPair::from_pkcs8(&pkcs8, &tryst::crypto::RUSTCRYPTO).map_err(|e| {
        let why = match e {
            tryst::Error::Config(s) => s.to_string(),
            other => other.to_string(),
        };
        Failure::usage(format!(
            "cannot use '{}' as a raw public key: {why}",
            key.display()
        ))
    })
}

/// PEM text for one block, in a zeroizing string allocated once at its final size (the
/// block may be a private key).
pub fn pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b64_len = der.len().div_ceil(3) * 4;
    let header = format!("-----BEGIN {label}-----\n");
    let footer = format!("-----END {label}-----\n");
    let len = header.len() + b64_len + b64_len.div_ceil(64) + footer.len();
    let mut out = Zeroizing::new(String::with_capacity(len));
    out.push_str(&header);
    let mut col = 0;
    for chunk in der.chunks(3) {
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
            col += 1;
            if col == 64 {
                out.push('\n');
                col = 0;
            }
        }
    }
    if col != 0 {
        out.push('\n');
    }
    out.push_str(&footer);
    debug_assert_eq!(out.len(), len);
    out
}

/// Write a file by replacing it: the contents go to a new file in the same directory,
/// which is then renamed over `path`, so a reader never sees half a file and whatever was at
/// `path` (its mode, its other links, a link's target) is left as it was. With `secret` the
/// new file is mode 0600 from its creation (and set again on the open file, whatever the
/// umask) on Unix. A symbolic link, a directory or any other non-regular file at `path` is
/// refused (exit 2): tryst writes keys only where it was told to.
pub fn write(path: &Path, contents: &[u8], secret: bool) -> Result<(), Failure> {
    use std::io::Write;
    let cannot = |e: &std::io::Error| {
        Failure::usage(format!(
            "cannot write '{}': {}",
            path.display(),
            io_reason(e)
        ))
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(Failure::usage(format!(
                "'{}' is a symbolic link; tryst does not write through links: remove it or give the real path",
                path.display()
            )));
        }
        Ok(m) if !m.file_type().is_file() => {
            return Err(Failure::usage(format!(
                "'{}' exists and is not a regular file; give a file path",
                path.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(cannot(&e)),
    }
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("'{}' does not name a file", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };

    // A fresh name in the same directory (rename does not cross file systems); O_EXCL
    // (create_new) never follows a link planted there.
    let mut attempt = 0u32;
    let (tmp, mut f) = loop {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.{attempt}.tmp", std::process::id()));
        let tmp = dir.join(tmp_name);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        if secret {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(cannot(&e)),
        }
    };
    let written = (|| {
        #[cfg(unix)]
        if secret {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(contents)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(cannot(&e));
    }
    #[cfg(not(unix))]
    let _ = secret;
    Ok(())
}

/// Where the platform's roots came from, for `--trace` and errors.
fn platform_source() -> String {
    let set = |name: &str| {
        std::env::var_os(name).filter(|v| !v.is_empty()).map(|v| {
            format!(
                "{name}={}",
                crate::escape::peer(v.to_string_lossy().as_bytes())
            )
        })
    };
    let from: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .into_iter()
        .filter_map(set)
        .collect();
    if from.is_empty() {
        "the operating system's store".to_string()
    } else {
        from.join(" and ")
    }
}

/// The platform's root store, found by `rustls-native-certs`: the files named by
/// `SSL_CERT_FILE` / `SSL_CERT_DIR` when either is set, else the operating system's store
/// (the OpenSSL bundle and directory on Unix, the keychain on macOS, the system store on
/// Windows). Certificates tryst-cert cannot use are skipped. Returns (anchors, where they
/// came from, how many were skipped); no usable root at all is an error.
pub fn platform_anchors() -> Result<(TrustAnchors, String, usize), Failure> {
    let found = rustls_native_certs::load_native_certs();
    let mut anchors = TrustAnchors::new();
    let skipped = anchors.add_der_skipping_unusable(found.certs.iter().map(|c| c.as_ref()));
    let source = platform_source();
    if anchors.is_empty() {
        let why = match found.errors.first() {
            Some(e) => format!(" ({})", crate::escape::peer(e.to_string().as_bytes())),
            None if skipped > 0 => format!(" ({skipped} certificates, none usable)"),
            None => String::new(),
        };
        return Err(Failure::usage(format!(
            "no usable root certificates in the platform's store, from {source}{why}: pass --ca CA.pem or set SSL_CERT_FILE to a PEM file of trusted roots"
        )));
    }
    Ok((anchors, source, skipped))
}

/// The key log: `--keylog FILE`, else SSLKEYLOGFILE, else none. Either way the file is
/// opened by [`KeyLogFile::create`] (mode 0600, no symbolic links; see there), and a path
/// it refuses is an error (exit 2), not a silently missing key log.
pub fn key_log(flag: Option<&Path>) -> Result<Option<Arc<dyn KeyLog>>, Failure> {
    let (path, from) = match (flag, std::env::var_os("SSLKEYLOGFILE")) {
        (Some(p), _) => (p.to_path_buf(), ""),
        (None, Some(p)) if !p.is_empty() => (p.into(), " (from SSLKEYLOGFILE)"),
        _ => return Ok(None),
    };
    let f = open_key_log(&path, from)?;
    Ok(Some(Arc::new(f)))
}

/// Open a key log file, or fail with one line naming it.
pub fn open_key_log(path: &Path, from: &str) -> Result<KeyLogFile, Failure> {
    KeyLogFile::create(path).map_err(|e| {
        Failure::usage(format!(
            "cannot open the key log '{}'{from}: {}",
            path.display(),
            io_reason(&e)
        ))
    })
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
    use super::{PemKey, base64_decode, pem, pem_private_key};

    #[test]
    fn pem_base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg==\n"),
            ("fo", "Zm8=\n"),
            ("foo", "Zm9v\n"),
            ("foob", "Zm9vYg==\n"),
            ("fooba", "Zm9vYmE=\n"),
            ("foobar", "Zm9vYmFy\n"),
        ] {
            assert_eq!(
                *pem("X", i.as_bytes()),
                format!("-----BEGIN X-----\n{o}-----END X-----\n")
            );
            let body = o.trim_end();
            assert_eq!(
                base64_decode(body.as_bytes()).unwrap().as_slice(),
                i.as_bytes()
            );
        }
    }

    #[test]
    fn private_key_pem_round_trips() {
        for n in [0usize, 1, 2, 3, 47, 48, 49, 50, 64, 200] {
            let der: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            let text = pem("PRIVATE KEY", &der);
            assert!(text.lines().all(|l| l.len() <= 64), "{}", *text);
            match pem_private_key(format!("junk\r\n{}trailer\n", *text).as_bytes()) {
                PemKey::Pkcs8(got) => assert_eq!(got.as_slice(), der.as_slice(), "{n}"),
                _ => panic!("{n}"),
            }
        }
    }

    #[test]
    fn malformed_private_keys_are_told_apart() {
        for bad in ["Zm9", "Zm9v!", "Zg==Zm9v", "Z===", "Zm9vYmFy="] {
            assert!(base64_decode(bad.as_bytes()).is_none(), "{bad}");
        }
        let block = |body: &str| {
            format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
        };
        assert!(matches!(
            pem_private_key(block("Zm9v!").as_bytes()),
            PemKey::Malformed
        ));
        assert!(matches!(
            pem_private_key(b"-----BEGIN PRIVATE KEY-----\nZm9v\n"),
            PemKey::Malformed
        ));
        assert!(matches!(
            pem_private_key(b"-----BEGIN RSA PRIVATE KEY-----\nZm9v\n-----END RSA PRIVATE KEY-----\n"),
            PemKey::OtherKind(l) if l == "RSA PRIVATE KEY"
        ));
        assert!(matches!(
            pem_private_key(b"-----BEGIN CERTIFICATE-----\n"),
            PemKey::None
        ));
    }
}
