#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! x509-limbo (https://github.com/C2SP/x509-limbo): every test case through the public
//! API. Prints `limbo: N passed, M failed, K skipped`, then each skip with its reason and
//! each failure. Every failure must be listed in `tests/data/limbo-divergences.txt` (a
//! disagreement we judge right, with the reason), and every listed case must still fail,
//! so the list stays exact.

use std::collections::BTreeMap;

use rustls_pki_types::{ServerName, UnixTime};
use serde_json::Value;
use tryst_cert::{
    Budget, Policy, RevocationOptions, TrustAnchors, Usage, certs_from_pem, crls_from_pem,
    verify_client_cert, verify_path, verify_path_with_revocation, verify_server_cert,
};

const LIMBO: &str = include_str!("data/limbo-2026-06.json");
const DIVERGENCES: &str = include_str!("data/limbo-divergences.txt");

/// `YYYY-MM-DDTHH:MM:SS(+00:00|Z)` to Unix seconds.
fn parse_time(s: &str) -> u64 {
    assert!(s.ends_with("+00:00") || s.ends_with('Z'), "{s}");
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, mo, d, h, mi, se) = (n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19));
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2.rem_euclid(400);
    let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + h * 3600 + mi * 60 + se).unwrap()
}

/// Why a case is not run, if it is not.
fn skip_reason(case: &Value) -> Option<String> {
    if let Some(kind) = case["expected_peer_name"]["kind"].as_str()
        && kind != "DNS"
        && kind != "IP"
    {
        return Some(format!("peer name of kind {kind} is not a TLS server name"));
    }
    None
}

fn run(case: &Value) -> Result<(), String> {
    let pems = |v: &Value| -> Vec<Vec<u8>> {
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|p| certs_from_pem(p.as_str().unwrap().as_bytes()).unwrap())
            .map(|c| c.as_ref().to_vec())
            .collect()
    };
    let trusted = pems(&case["trusted_certs"]);
    let intermediates = pems(&case["untrusted_intermediates"]);
    let peer = certs_from_pem(case["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let peer = peer[0].as_ref();
    // Like a system trust store loader: anchors that do not parse are left out.
    let mut anchors = TrustAnchors::new();
    anchors.add_der_skipping_unusable(trusted.iter().map(Vec::as_slice));
    let inter_refs: Vec<&[u8]> = intermediates.iter().map(Vec::as_slice).collect();
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(parse_time(
        case["validation_time"]
            .as_str()
            .unwrap_or("2024-01-01T00:00:00Z"),
    )));
    let mut policy = Policy::DEFAULT;
    if let Some(depth) = case["max_chain_depth"].as_u64() {
        policy = policy
            .with_budget(Budget::DEFAULT.with_max_intermediates(usize::try_from(depth).unwrap()));
    }
    // CRLs, with the default options (the whole chain, unknown status denied, as
    // rustls-webpki); like anchors, a CRL that does not parse is left out (and so covers
    // nothing).
    let crls: Vec<Vec<u8>> = case["crls"]
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .flat_map(|p| crls_from_pem(p.as_str().unwrap().as_bytes()).unwrap())
        .map(|c| c.as_ref().to_vec())
        .collect();
    if !crls.is_empty() {
        let mut revocation = RevocationOptions::new();
        for c in &crls {
            let _ = revocation.add_der(c);
        }
        let usage = match case["validation_kind"].as_str().unwrap() {
            "CLIENT" => Usage::ClientAuth,
            _ => Usage::ServerAuth,
        };
        let path = verify_path_with_revocation(
            peer,
            &inter_refs,
            &anchors,
            usage,
            now,
            &policy,
            &revocation,
        )
        .map_err(|e| format!("{e:?}"))?;
        let name = &case["expected_peer_name"];
        if usage == Usage::ServerAuth && !name.is_null() {
            let value = name["value"].as_str().unwrap_or("");
            let server_name = match name["kind"].as_str() {
                Some("IP") => ServerName::IpAddress(
                    rustls_pki_types::IpAddr::try_from(value).map_err(|e| format!("{e:?}"))?,
                ),
                _ => ServerName::try_from(value.to_owned()).map_err(|e| format!("name: {e:?}"))?,
            };
            path.check_server_name(&server_name)
                .map_err(|e| format!("{e:?}"))?;
        }
        return Ok(());
    }
    let result = match case["validation_kind"].as_str().unwrap() {
        "SERVER" if case["expected_peer_name"].is_null() => {
            verify_path(peer, &inter_refs, &anchors, Usage::ServerAuth, now, &policy).map(|_| ())
        }
        "SERVER" => {
            let name = &case["expected_peer_name"];
            let value = name["value"].as_str().unwrap_or("");
            let server_name = match name["kind"].as_str() {
                Some("IP") => ServerName::IpAddress(
                    rustls_pki_types::IpAddr::try_from(value).map_err(|e| format!("{e:?}"))?,
                ),
                _ => ServerName::try_from(value.to_owned()).map_err(|e| format!("name: {e:?}"))?,
            };
            verify_server_cert(peer, &inter_refs, &anchors, &server_name, now, &policy).map(|_| ())
        }
        "CLIENT" => verify_client_cert(peer, &inter_refs, &anchors, now, &policy).map(|_| ()),
        k => panic!("unknown validation kind {k}"),
    };
    result.map_err(|e| format!("{e:?}"))
}

#[test]
fn limbo() {
    let limbo: Value = serde_json::from_str(LIMBO).unwrap();
    let cases = limbo["testcases"].as_array().unwrap();
    let divergences: BTreeMap<&str, &str> = DIVERGENCES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (id, reason) = l.split_once(char::is_whitespace).unwrap();
            (id, reason.trim())
        })
        .collect();
    let (mut passed, mut failed, mut skips, mut failures) = (0, 0, Vec::new(), Vec::new());
    let mut unexpected = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap();
        if let Some(reason) = skip_reason(case) {
            skips.push(format!("{id}: {reason}"));
            continue;
        }
        let expected_ok = case["expected_result"].as_str().unwrap() == "SUCCESS";
        let got = run(case);
        if got.is_ok() == expected_ok {
            passed += 1;
            if divergences.contains_key(id) {
                unexpected.push(format!("{id}: listed as a divergence but now matches"));
            }
        } else {
            failed += 1;
            let line = format!(
                "{id}: expected {}, got {got:?}",
                if expected_ok { "SUCCESS" } else { "FAILURE" }
            );
            match divergences.get(id) {
                Some(reason) => failures.push(format!("{line} (known divergence: {reason})")),
                None => unexpected.push(line),
            }
        }
    }
    println!(
        "limbo: {passed} passed, {failed} failed, {} skipped",
        skips.len()
    );
    for s in &skips {
        println!("  skipped {s}");
    }
    for f in &failures {
        println!("  failed {f}");
    }
    for id in divergences.keys() {
        assert!(
            cases.iter().any(|c| c["id"] == *id),
            "divergence list names unknown case {id}"
        );
    }
    assert!(
        unexpected.is_empty(),
        "{} unexpected results:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}
