//! Encrypted Client Hello (RFC 9849) in the CLI: `tryst ech new-config`, and the files
//! `tryst server --ech-key/--ech-config` and `tryst client --ech-config` read.
//!
//! - CONFIG: an `ECHConfigList` in base64 on one line, the form a DNS HTTPS record's
//!   `ech=` parameter carries; it is public.
//! - KEY: the config's HPKE private key, an X25519 key as PKCS#8 PEM (`PRIVATE KEY`,
//!   RFC 8410), written with mode 0600.

use std::path::{Path, PathBuf};

use tryst::crypto::zeroize::Zeroizing;
use tryst::{EchClientConfig, EchMode, EchServerKey, OsRandom};

use crate::args::EchNewConfigArgs;
use crate::{CmdResult, Failure, files};

/// PKCS#8 PrivateKeyInfo for an X25519 key (RFC 8410 §7), before the 32 key bytes.
const X25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
];

/// `tryst ech new-config`.
pub fn new_config(a: &EchNewConfigArgs) -> CmdResult {
    if tryst::pki_types::DnsName::try_from(a.public_name.as_str()).is_err()
        || a.public_name.parse::<std::net::IpAddr>().is_ok()
    {
        return Err(Failure::usage(format!(
            "--public-name '{}' is not a DNS name: give the name of the client-facing server, for example public.example.com",
            crate::escape::controls(&a.public_name)
        )));
    }
    let config_id = match a.config_id {
        Some(id) => id,
        None => {
            let mut b = [0u8; 1];
            tryst::SecureRandom::fill(&OsRandom, &mut b);
            b[0]
        }
    };
    let key = EchServerKey::generate(config_id, &a.public_name, &OsRandom)
        .map_err(|e| Failure::failed(format!("cannot make the ECH key: {e}")))?;
    let list = EchServerKey::config_list(std::slice::from_ref(&key));
    let mut pkcs8 = Zeroizing::new(X25519_PKCS8_PREFIX.to_vec());
    pkcs8.extend_from_slice(key.expose_private_key());
    files::write(
        &a.out_key,
        files::pem("PRIVATE KEY", &pkcs8).as_bytes(),
        true,
    )?;
    files::write(
        &a.out_config,
        format!("{}\n", base64(&list)).as_bytes(),
        false,
    )?;
    println!(
        "ECH config {config_id} for public name '{}' (X25519, HKDF-SHA256/384, AES-GCM/ChaCha20-Poly1305)",
        a.public_name
    );
    println!(
        "  config (public; a DNS HTTPS record's ech= value): {}",
        a.out_config.display()
    );
    println!(
        "  private key (keep secret, mode 0600): {}",
        a.out_key.display()
    );
    println!(
        "  the server's certificate must also be valid for '{}' (clients whose ECH it cannot decrypt check that name)",
        a.public_name
    );
    Ok(())
}

/// The ECH keys of `tryst server`: each --ech-key with the --ech-config at the same place.
pub fn server_keys(keys: &[PathBuf], configs: &[PathBuf]) -> Result<Vec<EchServerKey>, Failure> {
    if keys.len() != configs.len() {
        return Err(Failure::usage(format!(
            "give one --ech-config for each --ech-key (got {} keys and {} configs)",
            keys.len(),
            configs.len()
        )));
    }
    keys.iter()
        .zip(configs)
        .map(|(k, c)| {
            let sk = read_key(k)?;
            let list = read_config_list(c)?;
            EchServerKey::from_config_list(&list, &sk[..]).map_err(|e| {
                Failure::usage(format!(
                    "the ECH key '{}' and config '{}' do not go together: {e}",
                    k.display(),
                    c.display()
                ))
            })
        })
        .collect()
}

/// The ECH mode of `tryst client`.
pub fn client_mode(config: Option<&Path>, no_grease: bool) -> Result<EchMode, Failure> {
    let Some(path) = config else {
        return Ok(if no_grease {
            EchMode::Disabled
        } else {
            EchMode::Grease
        });
    };
    let list = read_config_list(path)?;
    EchClientConfig::from_config_list(&list)
        .map(EchMode::Enabled)
        .map_err(|e| {
            Failure::usage(format!(
                "the ECH config file '{}' cannot be used: {e} (make one with 'tryst ech new-config')",
                path.display()
            ))
        })
}

/// An X25519 key from a PKCS#8 PEM file.
fn read_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let der = files::read_pkcs8(path, "ECH key")?;
    match der.strip_prefix(&X25519_PKCS8_PREFIX[..]) {
        Some(k) if k.len() == 32 => Ok(Zeroizing::new(k.to_vec())),
        _ => Err(Failure::usage(format!(
            "the ECH key file '{}' is not an X25519 private key (make one with 'tryst ech new-config')",
            path.display()
        ))),
    }
}

/// An ECHConfigList from a file of base64 (whitespace around it ignored).
fn read_config_list(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = files::read(path, "ECH config")?;
    let text = std::str::from_utf8(&bytes).unwrap_or("");
    unbase64(text.trim()).filter(|b| !b.is_empty()).ok_or_else(|| {
        Failure::usage(format!(
            "the ECH config file '{}' is not one line of base64 (an ECHConfigList, as 'tryst ech new-config' writes it)",
            path.display()
        ))
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [0, 1, 2].map(|i| chunk.get(i).copied().unwrap_or(0));
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

/// Standard base64 with padding, strictly: `None` for anything else.
fn unbase64(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let quads: Vec<&[u8]> = s.as_bytes().chunks(4).collect();
    for (i, q) in quads.iter().enumerate() {
        let last = i + 1 == quads.len();
        let pad = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &q[..4 - pad] {
            let v = ALPHABET.iter().position(|&a| a == c)?;
            n = (n << 6) | u32::try_from(v).ok()?;
        }
        n <<= 6 * u32::try_from(pad).ok()?;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_is_strict() {
        for data in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(unbase64(&base64(data)).as_deref(), Some(data));
        }
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fo"), "Zm8=");
        for bad in ["Zm9", "Zm9v!", "Z===", "Zm=vYmFy", "Zm 9v"] {
            assert_eq!(unbase64(bad), None, "{bad}");
        }
    }
}
