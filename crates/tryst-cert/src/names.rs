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
//! Name constraints: dNSName and iPAddress subtrees are enforced on subjectAltName entries
//! of those types. Constraints of other forms (directoryName, rfc822Name,
//! uniformResourceIdentifier, otherName, ...) are not evaluated: a certificate carrying
//! them is refused with [`Error::UnsupportedNameConstraint`] (RFC 5280 requires the
//! extension to be critical, and it says an unprocessable critical extension must fail).

use crate::Error;
use crate::der::{Reader, tag};
use crate::x509::{Certificate, GN_DNS, GN_IP};

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

/// LDH labels (letters, digits, hyphen; underscores tolerated as seen in the wild), each
/// 1–63 bytes, not starting or ending with a hyphen, total at most 253. With
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
                .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    true
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
                                match base.tag {
                                    GN_DNS if !base.value.is_ascii() => Err(Error::BadExtension),
                                    GN_IP if base.value.len() != 8 && base.value.len() != 32 => {
                                        Err(Error::BadExtension)
                                    }
                                    _ => Ok(()),
                                }
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

/// Refuse constraints of forms this crate cannot evaluate.
pub(crate) fn check_constraints_supported(ca: &Certificate<'_>) -> Result<(), Error> {
    let Some(nc) = ca.name_constraints else {
        return Ok(());
    };
    for which in [0, 1] {
        for (t, _) in subtrees(nc, which) {
            if t != GN_DNS && t != GN_IP {
                return Err(Error::UnsupportedNameConstraint);
            }
        }
    }
    Ok(())
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

/// Check every subjectAltName DNS and IP entry of `cert` against `ca`'s constraints.
pub(crate) fn check_name_constraints(
    ca: &Certificate<'_>,
    cert: &Certificate<'_>,
) -> Result<(), Error> {
    let Some(nc) = ca.name_constraints else {
        return Ok(());
    };
    for (t, name) in cert.general_names() {
        if t != GN_DNS && t != GN_IP {
            continue;
        }
        let inside = |base: &[u8]| {
            if t == GN_DNS {
                dns_in_subtree(name, base)
            } else {
                ip_in_subtree(name, base)
            }
        };
        let mut permitted_of_type = false;
        let mut permitted = false;
        for (bt, base) in subtrees(nc, 0) {
            if bt == t {
                permitted_of_type = true;
                permitted |= inside(base);
            }
        }
        if permitted_of_type && !permitted {
            return Err(Error::NameConstraintViolation);
        }
        for (bt, base) in subtrees(nc, 1) {
            if bt == t && (inside(base) || (t == GN_DNS && wildcard_overlaps(name, base))) {
                return Err(Error::NameConstraintViolation);
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
    }
}
