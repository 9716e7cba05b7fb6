//! Name checks: a server name against subjectAltName (RFC 6125 / RFC 9525 rules, no
//! common-name fallback), and name constraints (RFC 5280 §4.2.1.10) for DNS names and IP
//! addresses.
//!
//! Wildcards: a presented `*.example.com` matches exactly one extra left-most label
//! (`a.example.com`, not `example.com` nor `a.b.example.com`); `*` must be the whole
//! left-most label (`f*.example.com` never matches); and the rest must have at least two
//! labels, so `*.com` matches nothing. A public-suffix list is not consulted, so
//! `*.co.uk` is treated like `*.example.com`.
//!
//! Name constraints: dNSName, iPAddress, rfc822Name and directoryName subtrees are
//! enforced (directoryName on the subject and on directoryName SANs, comparing RDNs byte
//! for byte, without string normalisation). Constraints of other forms
//! (uniformResourceIdentifier, otherName, x400Address, ediPartyName, registeredID) are
//! evaluated only if a certificate below carries a name of that form, and then refused
//! with [`Error::UnsupportedNameConstraint`]: RFC 5280 only requires checking names that
//! appear on the path.

use crate::Error;
use crate::der::{Reader, tag};
use crate::x509::{Certificate, GN_DIRECTORY, GN_DNS, GN_IP, GN_RFC822};

/// Most subtrees accepted in one name-constraints extension.
const MAX_SUBTREES: usize = 64;

/// A reference identifier, lowercased, without a trailing dot.
pub(crate) fn normalise_reference(name: &str) -> Option<alloc::string::String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if !is_valid_dns(name.as_bytes(), false) {
        return None;
    }
    Some(name.to_ascii_lowercase())
}

/// LDH labels (letters, digits, hyphen), each 1–63 bytes, not starting or ending with a hyphen, total at most 253. With
/// `allow_wildcard`, the first label may be exactly `*`.
pub(crate) fn is_valid_dns(name: &[u8], allow_wildcard: bool) -> bool {
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    for (i, label) in name.split(|&b| b == b'.').enumerate() {
        if i == 0 && allow_wildcard && label == b"*" {
            continue;
        }
        if label.is_empty()
            || label.len() > 63
            || label.first() == Some(&b'-')
            || label.last() == Some(&b'-')
            || !label
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
    }
    true
}

/// Whether `v` is a mailbox `local@host`: printable ASCII local part without `@`, host a
/// DNS name.
pub(crate) fn is_valid_mailbox(v: &[u8]) -> bool {
    let Some(at) = v.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let (local, host) = v.split_at(at);
    let host = host.get(1..).unwrap_or(&[]);
    !local.is_empty()
        && local.iter().all(|&b| b.is_ascii_graphic() && b != b'@')
        && is_valid_dns(host, false)
}

/// Whether the presented SAN dNSName `presented` matches the normalised `reference`.
pub(crate) fn dns_matches(presented: &[u8], reference: &str) -> bool {
    if !is_valid_dns(presented, true) {
        return false;
    }
    let reference = reference.as_bytes();
    match presented.strip_prefix(b"*.") {
        Some(rest) => {
            // The wildcard's base must have at least two labels (no `*.com`).
            if !rest.contains(&b'.') {
                return false;
            }
            let Some(dot) = reference.iter().position(|&b| b == b'.') else {
                return false;
            };
            let (first, ref_rest) = reference.split_at(dot);
            !first.is_empty() && eq_ignore_case(ref_rest.get(1..).unwrap_or(&[]), rest)
        }
        None => eq_ignore_case(presented, reference),
    }
}

fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Check a server name against the leaf's subjectAltName.
pub(crate) fn check_server_name(
    leaf: &Certificate<'_>,
    name: &rustls_pki_types::ServerName<'_>,
) -> Result<(), Error> {
    use rustls_pki_types::{IpAddr, ServerName};
    match name {
        ServerName::DnsName(dns) => {
            let reference = normalise_reference(dns.as_ref()).ok_or(Error::NameMismatch)?;
            if leaf.dns_names().any(|p| dns_matches(p, &reference)) {
                return Ok(());
            }
        }
        ServerName::IpAddress(ip) => {
            let want: &[u8] = match ip {
                IpAddr::V4(v4) => v4.as_ref(),
                IpAddr::V6(v6) => v6.as_ref(),
            };
            if leaf.ip_addresses().any(|p| p == want) {
                return Ok(());
            }
        }
        _ => {}
    }
    Err(Error::NameMismatch)
}

/// Structural check of a NameConstraints extension value, done at parse time:
/// `SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... }`
/// with at least one of them, each subtree `SEQUENCE { base GeneralName, minimum [0]
/// DEFAULT 0, maximum [1] OPTIONAL }`; minimum and maximum must be absent (RFC 5280).
pub(crate) fn check_name_constraints_syntax(value: &[u8]) -> Result<(), Error> {
    let mut total = 0usize;
    Reader::read_all(value, |r| {
        r.nested(tag::SEQUENCE, |r| {
            if r.is_empty() {
                return Err(Error::BadExtension);
            }
            for t in [tag::context_constructed(0), tag::context_constructed(1)] {
                if let Some(trees) = r.optional(t)? {
                    Reader::read_all(trees, |r| {
                        if r.is_empty() {
                            return Err(Error::BadExtension);
                        }
                        while !r.is_empty() {
                            total = total.saturating_add(1);
                            if total > MAX_SUBTREES {
                                return Err(Error::BadExtension);
                            }
                            r.nested(tag::SEQUENCE, |r| {
                                let base = r.element()?;
                                if !r.is_empty() {
                                    return Err(Error::BadExtension);
                                }
                                let ok = match base.tag {
                                    // A DNS base is a DNS name (no wildcard, no leading dot)
                                    // or empty (every name).
                                    GN_DNS => {
                                        base.value.is_empty() || is_valid_dns(base.value, false)
                                    }
                                    GN_IP => base.value.len() == 8 || base.value.len() == 32,
                                    GN_RFC822 => is_valid_email_constraint(base.value),
                                    GN_DIRECTORY => crate::x509::check_name(base.value).is_ok(),
                                    _ => true,
                                };
                                if ok { Ok(()) } else { Err(Error::BadExtension) }
                            })?;
                        }
                        Ok(())
                    })?;
                }
            }
            Ok(())
        })
    })
}

/// Subtrees of one kind: (tag, base) pairs from [0] permitted or [1] excluded.
fn subtrees(value: &[u8], which: u8) -> impl Iterator<Item = (u8, &[u8])> {
    let mut inner = Reader::new(&[]);
    let mut outer = Reader::new(value);
    if let Ok(seq) = outer.expect(tag::SEQUENCE) {
        let mut r = Reader::new(seq);
        while let Ok(e) = r.element() {
            if e.tag == tag::context_constructed(which) {
                inner = Reader::new(e.value);
            }
        }
    }
    core::iter::from_fn(move || {
        let sub = inner.expect(tag::SEQUENCE).ok()?;
        let base = Reader::new(sub).element().ok()?;
        Some((base.tag, base.value))
    })
}

/// An rfc822Name constraint: a mailbox, a host, or `.domain` (RFC 5280 §4.2.1.10).
fn is_valid_email_constraint(v: &[u8]) -> bool {
    if v.contains(&b'@') {
        is_valid_mailbox(v)
    } else {
        is_valid_dns(v.strip_prefix(b".").unwrap_or(v), false)
    }
}

/// Whether mailbox `name` lies in rfc822Name subtree `base`: the exact mailbox (host
/// compared case-insensitively, every other character literally), every mailbox at a
/// host, or every mailbox at a subdomain of `.domain`.
fn email_in_subtree(name: &[u8], base: &[u8]) -> bool {
    let Some(at) = name.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let (local, host) = name.split_at(at);
    let host = host.get(1..).unwrap_or(&[]);
    if let Some(bat) = base.iter().rposition(|&b| b == b'@') {
        let (blocal, bhost) = base.split_at(bat);
        return local == blocal && eq_ignore_case(host, bhost.get(1..).unwrap_or(&[]));
    }
    if let Some(domain) = base.strip_prefix(b".") {
        return host.len() > domain.len()
            && ends_with_ignore_case(host, domain)
            && host.get(host.len() - domain.len() - 1) == Some(&b'.');
    }
    eq_ignore_case(host, base)
}

/// The RDNs (SET elements, whole encodings) of a Name's DER.
fn rdns(name: &[u8]) -> alloc::vec::Vec<&[u8]> {
    let mut out = alloc::vec::Vec::new();
    if let Ok(seq) = Reader::new(name).expect(tag::SEQUENCE) {
        let mut r = Reader::new(seq);
        while let Ok(e) = r.element() {
            out.push(e.raw);
        }
    }
    out
}

/// Whether Name `name` lies in directoryName subtree `base`: `base`'s RDNs are a prefix
/// of `name`'s, compared byte for byte.
fn dn_in_subtree(name: &[u8], base: &[u8]) -> bool {
    let (n, b) = (rdns(name), rdns(base));
    b.len() <= n.len() && n.iter().zip(&b).all(|(x, y)| x == y)
}

/// Whether DNS name `name` (possibly a `*.` wildcard) lies in subtree `base`
/// (RFC 5280 §4.2.1.10: `example.com` covers itself and every subdomain; a leading dot
/// covers subdomains only; an empty base covers everything).
fn dns_in_subtree(name: &[u8], base: &[u8]) -> bool {
    if base.is_empty() {
        return true;
    }
    let name = name.strip_prefix(b"*.").unwrap_or(name);
    if let Some(sub) = base.strip_prefix(b".") {
        return name.len() > sub.len()
            && ends_with_ignore_case(name, sub)
            && name.get(..name.len() - sub.len()).and_then(|p| p.last()) == Some(&b'.');
    }
    if eq_ignore_case(name, base) {
        return true;
    }
    name.len() > base.len()
        && ends_with_ignore_case(name, base)
        && name.get(name.len() - base.len() - 1) == Some(&b'.')
}

/// Whether a wildcard `*.rest` could produce a name inside excluded subtree `base`.
fn wildcard_overlaps(name: &[u8], base: &[u8]) -> bool {
    let Some(rest) = name.strip_prefix(b"*.") else {
        return false;
    };
    let base = base.strip_prefix(b".").unwrap_or(base);
    // The wildcard stands for one label: `x.rest` is in `base` iff base is `<label>.rest`.
    base.len() > rest.len()
        && ends_with_ignore_case(base, rest)
        && base.get(..base.len() - rest.len()).is_some_and(|p| {
            p.last() == Some(&b'.') && !p.get(..p.len() - 1).unwrap_or(&[]).contains(&b'.')
        })
}

fn ends_with_ignore_case(a: &[u8], suffix: &[u8]) -> bool {
    a.len() >= suffix.len()
        && a.get(a.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

fn ip_in_subtree(ip: &[u8], base: &[u8]) -> bool {
    let half = base.len() / 2;
    if ip.len() != half {
        return false;
    }
    let (addr, mask) = base.split_at(half);
    ip.iter()
        .zip(addr)
        .zip(mask)
        .all(|((i, a), m)| i & m == a & m)
}

/// Check `cert`'s names against `ca`'s name constraints: every subjectAltName entry, and
/// the subject as a directoryName when it is not empty.
pub(crate) fn check_name_constraints(
    ca: &Certificate<'_>,
    cert: &Certificate<'_>,
) -> Result<(), Error> {
    let Some(nc) = ca.name_constraints else {
        return Ok(());
    };
    let subject = (!cert.subject_is_empty()).then_some((GN_DIRECTORY, cert.subject_der()));
    for (t, name) in cert.general_names().chain(subject) {
        let inside = |base: &[u8]| match t {
            GN_DNS => dns_in_subtree(name, base),
            GN_IP => ip_in_subtree(name, base),
            GN_RFC822 => email_in_subtree(name, base),
            _ => dn_in_subtree(name, base),
        };
        let supported = matches!(t, GN_DNS | GN_IP | GN_RFC822 | GN_DIRECTORY);
        let mut permitted_of_type = false;
        let mut permitted = false;
        for (bt, base) in subtrees(nc, 0) {
            if bt == t {
                if !supported {
                    return Err(Error::UnsupportedNameConstraint);
                }
                permitted_of_type = true;
                permitted |= inside(base);
            }
        }
        if permitted_of_type && !permitted {
            return Err(Error::NameConstraintViolation);
        }
        for (bt, base) in subtrees(nc, 1) {
            if bt == t {
                if !supported {
                    return Err(Error::UnsupportedNameConstraint);
                }
                if inside(base) || (t == GN_DNS && wildcard_overlaps(name, base)) {
                    return Err(Error::NameConstraintViolation);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(dns_matches(b"*.example.com", "a.example.com"));
        assert!(dns_matches(b"*.EXAMPLE.com", "a.example.com"));
        assert!(!dns_matches(b"*.example.com", "example.com"));
        assert!(!dns_matches(b"*.example.com", "a.b.example.com"));
        assert!(!dns_matches(b"*.com", "example.com"));
        assert!(!dns_matches(b"f*.example.com", "foo.example.com"));
        assert!(!dns_matches(b"a.*.example.com", "a.b.example.com"));
        assert!(!dns_matches(b"*", "com"));
        assert!(dns_matches(b"example.com", "example.com"));
        assert!(!dns_matches(b"example.com.", "example.com"));
    }

    #[test]
    fn subtrees_dns_ip() {
        assert!(dns_in_subtree(b"a.example.com", b"example.com"));
        assert!(dns_in_subtree(b"example.com", b"example.com"));
        assert!(!dns_in_subtree(b"aexample.com", b"example.com"));
        assert!(!dns_in_subtree(b"example.com", b".example.com"));
        assert!(dns_in_subtree(b"a.example.com", b".example.com"));
        assert!(dns_in_subtree(b"*.example.com", b"example.com"));
        assert!(wildcard_overlaps(b"*.example.com", b"bad.example.com"));
        assert!(!wildcard_overlaps(b"*.example.com", b"a.bad.example.com"));
        assert!(ip_in_subtree(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_in_subtree(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_in_subtree(&[10, 1, 2, 3], &[0; 32]));
        assert!(email_in_subtree(b"a@Example.com", b"example.com"));
        assert!(email_in_subtree(b"user*@example.com", b"user*@example.com"));
        assert!(!email_in_subtree(b"user@example.com", b"user*@example.com"));
        assert!(email_in_subtree(b"a@x.example.com", b".example.com"));
        assert!(!email_in_subtree(b"a@example.com", b".example.com"));
    }
}
