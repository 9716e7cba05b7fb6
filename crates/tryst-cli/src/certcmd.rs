//! `tryst cert verify | new-ca | new-leaf`.

use std::net::IpAddr;
use std::time::Duration;

use tryst::cert::{Certificate, CertificateBuilder, KeyUsage, Policy, Usage};
use tryst::crypto::OsRng;
use tryst::pki_types::{ServerName, UnixTime};

use crate::args::{NewCaArgs, NewLeafArgs, VerifyArgs};
use crate::files::{self, AnyKey, KeyKind};
use crate::{CmdResult, Failure, timefmt};

/// `tryst cert verify`: exit 0 valid, 1 invalid (with the reason), 2 bad input.
pub fn verify(a: &VerifyArgs) -> CmdResult {
    // Unusable roots and intermediates are skipped with a warning each, as path building
    // skips them; the leaf is judged by verification (exit 1 when it is not a valid
    // certificate).
    let anchors = files::read_anchors_skipping(&a.roots, "roots")?;
    let mut chain = files::read_cert_blocks(&a.leaf, "leaf certificate")?;
    if chain.len() > 1 {
        let rest = chain.split_off(1);
        chain.extend(files::usable_certs(&a.leaf, "leaf certificate", rest, 2));
    }
    if let Some(path) = &a.intermediates {
        let blocks = files::read_cert_blocks(path, "intermediates")?;
        chain.extend(files::usable_certs(path, "intermediates", blocks, 1));
    }
    let (at, now) = verification_time(a.at.as_deref())?;
    let name = match &a.name {
        Some(n) => Some(parse_name(n)?),
        None => None,
    };

    let (leaf, rest) = chain
        .split_first()
        .ok_or_else(|| Failure::usage("no leaf certificate"))?;
    let inter: Vec<&[u8]> = rest.iter().map(|c| c.as_ref()).collect();
    let policy = Policy::DEFAULT;
    let revocation = if a.crls.is_empty() {
        None
    } else {
        Some(files::read_crls(&a.crls, a.crl_depth, a.crl_unknown)?)
    };
    let usage = if a.client {
        Usage::ClientAuth
    } else {
        Usage::ServerAuth
    };
    let result = match &revocation {
        Some(rev) => tryst::cert::verify_path_with_revocation(
            leaf.as_ref(),
            &inter,
            &anchors,
            usage,
            now,
            &policy,
            rev,
        ),
        None => tryst::cert::verify_path(leaf.as_ref(), &inter, &anchors, usage, now, &policy),
    }
    .and_then(|path| match &name {
        Some(n) => path.check_server_name(n).map(|()| path),
        None => Ok(path),
    });
    let when = timefmt::format(at);
    match result {
        Ok(path) => {
            let purpose = if a.client {
                "client authentication".to_string()
            } else {
                match &a.name {
                    Some(n) => format!("the server name '{n}'"),
                    None => "a TLS server (no name checked: pass --name)".to_string(),
                }
            };
            println!(
                "valid: {} ({}) chains through {} intermediate(s) to a trusted root, for {purpose}, at {when}",
                describe(leaf.as_ref()),
                expiry(leaf.as_ref()),
                path.intermediates().len(),
            );
            Ok(())
        }
        Err(e) => {
            let hint = failure_hint(&e, leaf.as_ref(), &when);
            Err(Failure::failed(format!(
                "invalid: {e} ({}){hint}",
                e.alert_name()
            )))
        }
    }
}

/// The time to verify at: --at (RFC 3339 or Unix seconds), or now.
fn verification_time(at: Option<&str>) -> Result<(i64, UnixTime), Failure> {
    let at = match at {
        Some(s) => timefmt::parse(s).ok_or_else(|| {
            Failure::usage(format!(
                "cannot read --at '{s}': give an RFC 3339 time (2026-01-31T12:00:00Z) or Unix seconds"
            ))
        })?,
        None => timefmt::now(),
    };
    let secs = u64::try_from(at)
        .map_err(|_| Failure::usage("--at must not be before 1970-01-01T00:00:00Z"))?;
    Ok((at, UnixTime::since_unix_epoch(Duration::from_secs(secs))))
}

/// What to add to a verification failure so that its cause is clear.
fn failure_hint(e: &tryst::cert::Error, leaf: &[u8], when: &str) -> String {
    match e {
        tryst::cert::Error::NameMismatch => {
            format!("; the certificate is for {}", describe(leaf))
        }
        tryst::cert::Error::Expired | tryst::cert::Error::NotYetValid => {
            format!("; checked at {when}, {}", expiry(leaf))
        }
        tryst::cert::Error::BadSignature | tryst::cert::Error::SignatureAlgorithmMismatch => {
            "; the roots file holds a CA with the issuer's name but not its key".to_string()
        }
        tryst::cert::Error::UnknownIssuer => {
            "; the roots file holds no issuer of this chain".to_string()
        }
        tryst::cert::Error::UnknownRevocationStatus => {
            "; pass the CRL of each issuer, or --crl-depth end-entity / --crl-unknown allow"
                .to_string()
        }
        _ => String::new(),
    }
}

/// A DNS name or IP address for a certificate check.
pub fn parse_name(n: &str) -> Result<ServerName<'static>, Failure> {
    ServerName::try_from(n.to_string())
        .map_err(|_| Failure::usage(format!("'{n}' is not a valid DNS name or IP address")))
}

/// The names in a certificate's subjectAltName, for messages.
pub fn describe(der: &[u8]) -> String {
    let Ok(c) = Certificate::from_der(der) else {
        return "an unparseable certificate".to_string();
    };
    let mut names: Vec<String> = c.dns_names().map(crate::escape::peer).collect();
    for ip in c.ip_addresses() {
        if let Ok(v4) = <[u8; 4]>::try_from(ip) {
            names.push(IpAddr::from(v4).to_string());
        } else if let Ok(v6) = <[u8; 16]>::try_from(ip) {
            names.push(IpAddr::from(v6).to_string());
        }
    }
    if names.is_empty() {
        "a certificate with no subjectAltName names".to_string()
    } else {
        names.join(", ")
    }
}

fn expiry(der: &[u8]) -> String {
    match Certificate::from_der(der) {
        Ok(c) => format!(
            "valid from {} to {}",
            timefmt::format(c.not_before()),
            timefmt::format(c.not_after())
        ),
        Err(_) => "validity unknown".to_string(),
    }
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// `tryst cert new-ca`.
pub fn new_ca(a: &NewCaArgs) -> CmdResult {
    let kind = KeyKind::from_flags(a.ed25519, a.rsa, a.rsa_bits)?;
    let key = AnyKey::generate(kind)?;
    let now = timefmt::now();
    let der = CertificateBuilder::new(&a.name, now - HOUR, now + 10 * 365 * DAY)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed_with_rng(key.signer(), &mut OsRng)
        .map_err(|e| Failure::failed(format!("cannot make the CA certificate: {e}")))?;
    let pkcs8 = key.to_pkcs8()?;
    files::write(
        &a.out_key,
        files::pem("PRIVATE KEY", &pkcs8).as_bytes(),
        true,
    )?;
    files::write(
        &a.out_cert,
        files::pem("CERTIFICATE", &der).as_bytes(),
        false,
    )?;
    eprintln!(
        "tryst: wrote CA '{}' ({}) to {} and its key to {} (valid 10 years; for testing only)",
        a.name,
        kind.describe(),
        a.out_cert.display(),
        a.out_key.display()
    );
    Ok(())
}

/// Each --name as a subjectAltName: an IP address, a DNS name or a `*.` wildcard.
fn with_names(mut b: CertificateBuilder, names: &[String]) -> Result<CertificateBuilder, Failure> {
    for n in names {
        match n.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => b = b.ip_address(&v4.octets()),
            Ok(IpAddr::V6(v6)) => b = b.ip_address(&v6.octets()),
            Err(_) => {
                let valid = n.starts_with("*.")
                    && ServerName::try_from(n.get(2..).unwrap_or("")).is_ok()
                    || matches!(ServerName::try_from(n.as_str()), Ok(ServerName::DnsName(_)));
                if !valid {
                    return Err(Failure::usage(format!(
                        "--name '{n}' is not a DNS name or IP address"
                    )));
                }
                b = b.dns_name(n);
            }
        }
    }
    Ok(b)
}

/// `tryst cert new-leaf`.
pub fn new_leaf(a: &NewLeafArgs) -> CmdResult {
    let ca_chain = files::read_certs(&a.ca, "CA certificate")?;
    let ca_der = ca_chain
        .first()
        .ok_or_else(|| Failure::usage("no CA certificate"))?;
    let ca_cert = Certificate::from_der(ca_der.as_ref())
        .map_err(|e| Failure::usage(format!("the CA certificate does not parse: {e}")))?;
    if !ca_cert.is_ca() {
        return Err(Failure::usage(format!(
            "'{}' is not a CA certificate (make one with 'tryst cert new-ca')",
            a.ca.display()
        )));
    }
    let ca_pkcs8 = files::read_pkcs8(&a.ca_key, "CA key")?;
    let ca_key = AnyKey::from_pkcs8(&ca_pkcs8).ok_or_else(|| {
        Failure::usage(format!(
            "the CA key '{}' is not a PKCS#8 Ed25519, ECDSA P-256 or RSA key",
            a.ca_key.display()
        ))
    })?;
    let ca_spki = ca_cert
        .public_key()
        .map_err(|e| Failure::usage(format!("the CA certificate's key is unusable: {e}")))?;
    if ca_spki.key != ca_key.signer().public_key().as_slice() {
        return Err(Failure::usage(format!(
            "the CA key '{}' does not belong to the CA certificate '{}'",
            a.ca_key.display(),
            a.ca.display()
        )));
    }

    let first = a
        .name
        .first()
        .ok_or_else(|| Failure::usage("give at least one --name"))?;
    let now = timefmt::now();
    let not_after = (now + 365 * DAY).min(ca_cert.not_after());
    let mut b = with_names(
        CertificateBuilder::new(first, now - HOUR, not_after),
        &a.name,
    )?;
    b = if a.client {
        b.client_auth()
    } else {
        b.server_auth()
    };
    b = b.key_usage(KeyUsage::DIGITAL_SIGNATURE);
    let kind = KeyKind::from_flags(a.ed25519, a.rsa, a.rsa_bits)?;
    let key = AnyKey::generate(kind)?;
    let der = b
        .issue_with_rng(key.signer(), ca_der.as_ref(), ca_key.signer(), &mut OsRng)
        .map_err(|e| Failure::failed(format!("cannot issue the certificate: {e}")))?;
    let pkcs8 = key.to_pkcs8()?;
    let mut chain = String::from(files::pem("CERTIFICATE", &der).as_str());
    chain.push_str(&files::pem("CERTIFICATE", ca_der.as_ref()));
    files::write(
        &a.out_key,
        files::pem("PRIVATE KEY", &pkcs8).as_bytes(),
        true,
    )?;
    files::write(&a.out_cert, chain.as_bytes(), false)?;
    eprintln!(
        "tryst: wrote a {} certificate for {} ({}) to {} (leaf then CA) and its key to {}",
        if a.client { "client" } else { "server" },
        a.name.join(", "),
        kind.describe(),
        a.out_cert.display(),
        a.out_key.display()
    );
    Ok(())
}
