//! TLS 1.2 interop with the real `openssl` binary over loopback: `s_server -tls1_2` and
//! `s_client -tls1_2`, both directions, every suite, ECDSA and RSA server keys, RSA
//! ServerKeyExchange signatures in PKCS#1 v1.5 and RSA-PSS.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod tls12_util;

use std::process::{Command, Stdio};

use tls12_util::*;
use tryst::messages::{CipherSuite, ProtocolVersion, SignatureScheme};

/// Our suite, OpenSSL's name for it, and the server key it needs.
const SUITES: &[(CipherSuite, &str, Kind)] = &[
    (
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
        "ECDHE-RSA-AES128-GCM-SHA256",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
        "ECDHE-RSA-AES256-GCM-SHA384",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        "ECDHE-RSA-CHACHA20-POLY1305",
        Kind::Rsa,
    ),
];

fn s_server(dir: &TempDir, p: &Pki, kind: Kind, extra: &[&str]) -> (Guard, u16) {
    let (_, cert, key) = pem_files(dir, p, kind);
    let port = free_port();
    let mut args: Vec<String> = ["s_server", "-tls1_2", "-rev", "-quiet", "-naccept", "1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(["-accept".into(), format!("127.0.0.1:{port}")]);
    args.extend(["-cert".into(), cert, "-key".into(), key]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let child = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Guard(child), port)
}

#[test]
fn tryst_client_to_openssl_s_server_tls12_every_suite() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-srv");
    for &(suite, name, kind) in SUITES {
        let (_srv, port) = s_server(&dir, &p, kind, &["-cipher", name]);
        // Our client offers TLS 1.3 and 1.2; the TLS 1.2-only server gets TLS 1.2.
        let cfg = client(&p).build().unwrap();
        let (conn, line) = line_round_trip(cfg, port, b"tryst over tls12\n");
        assert_eq!(line, b"21slt revo tsyrt\n");
        assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(
            conn.negotiated_cipher_suite().unwrap().suite,
            suite,
            "{name}"
        );
        eprintln!(
            "openssl s_server -tls1_2 {name}: ok ({:?})",
            conn.signature_scheme()
        );
    }
}

#[test]
fn tryst_client_verifies_rsa_server_key_exchange_pkcs1_and_pss() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-sig");
    for (sigalgs, scheme) in [
        ("RSA+SHA256", SignatureScheme::RsaPkcs1Sha256),
        ("RSA+SHA384", SignatureScheme::RsaPkcs1Sha384),
        ("rsa_pss_rsae_sha256", SignatureScheme::RsaPssRsaeSha256),
        ("ECDSA+SHA256", SignatureScheme::EcdsaSecp256r1Sha256),
    ] {
        let kind = if sigalgs.starts_with("ECDSA") {
            Kind::Ecdsa
        } else {
            Kind::Rsa
        };
        let (_srv, port) = s_server(&dir, &p, kind, &["-sigalgs", sigalgs]);
        let cfg = client(&p).build().unwrap();
        let (conn, line) = line_round_trip(cfg, port, b"sig\n");
        assert_eq!(line, b"gis\n");
        assert_eq!(conn.signature_scheme(), Some(scheme), "{sigalgs}");
    }
}

#[test]
fn tryst_client_with_a_p384_or_p256_group() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-grp");
    for (curve, group) in [
        ("P-256", tryst::messages::NamedGroup::Secp256r1),
        ("P-384", tryst::messages::NamedGroup::Secp384r1),
        ("X25519", tryst::messages::NamedGroup::X25519),
    ] {
        let (_srv, port) = s_server(&dir, &p, Kind::Ecdsa, &["-groups", curve]);
        let cfg = client(&p).build().unwrap();
        let (conn, _) = line_round_trip(cfg, port, b"g\n");
        assert_eq!(conn.negotiated_group(), Some(group), "{curve}");
    }
}

fn s_client_args(dir: &TempDir, p: &Pki, port: u16, extra: &[&str]) -> Vec<String> {
    let ca = dir.write("ca.pem", &pem("CERTIFICATE", &p.ca));
    let mut args: Vec<String> = vec![
        "s_client".into(),
        "-tls1_2".into(),
        "-connect".into(),
        format!("127.0.0.1:{port}"),
        "-servername".into(),
        "localhost".into(),
        "-CAfile".into(),
        ca,
        "-verify_return_error".into(),
        "-verify_hostname".into(),
        "localhost".into(),
        "-ign_eof".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn openssl_s_client_tls12_to_tryst_server_every_suite() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-cli");
    for &(suite, name, kind) in SUITES {
        let config = server(&p, kind, BOTH).build().unwrap();
        let (h, port) = tryst_echo_server(config, 1);
        let args = s_client_args(&dir, &p, port, &["-cipher", name]);
        let out = run_client("openssl", &args, b"ping from openssl\n");
        let results = h.join().unwrap();
        assert!(out.contains("ping from openssl"), "{name}: {out}");
        assert!(out.contains("Verify return code: 0 (ok)"), "{name}: {out}");
        assert!(out.contains("Extended master secret: yes"), "{name}: {out}");
        assert!(
            out.contains(&format!("Cipher is {name}"))
                || out.contains(&format!("Cipher    : {name}")),
            "{name}: {out}"
        );
        assert!(results[0].starts_with("Some(TLSv1.2)"), "{results:?}");
        assert!(results[0].contains(&format!("{suite:?}")), "{results:?}");
    }
}

#[test]
fn openssl_s_client_tls12_gets_pkcs1_when_it_asks_for_it() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-pkcs1");
    for (sigalgs, scheme) in [
        ("RSA+SHA256", SignatureScheme::RsaPkcs1Sha256),
        ("RSA+SHA512", SignatureScheme::RsaPkcs1Sha512),
        ("rsa_pss_rsae_sha384", SignatureScheme::RsaPssRsaeSha384),
    ] {
        let config = server(&p, Kind::Rsa, BOTH).build().unwrap();
        let (h, port) = tryst_echo_server(config, 1);
        let args = s_client_args(&dir, &p, port, &["-sigalgs", sigalgs]);
        let out = run_client("openssl", &args, b"ping\n");
        let results = h.join().unwrap();
        assert!(
            out.contains("Verify return code: 0 (ok)"),
            "{sigalgs}: {out}"
        );
        assert!(
            results[0].ends_with(&format!("Some({scheme:?})")),
            "{results:?}"
        );
    }
}

#[test]
fn openssl_tls11_client_gets_protocol_version() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-old");
    let config = server(&p, Kind::Ecdsa, BOTH).build().unwrap();
    let (h, port) = tryst_echo_server(config, 1);
    let mut args = s_client_args(&dir, &p, port, &["-cipher", "DEFAULT@SECLEVEL=0"]);
    args[1] = "-tls1_1".into();
    let out = run_client("openssl", &args, b"x\n");
    let results = h.join().unwrap();
    if out.contains("no protocols available") {
        return; // this openssl cannot speak TLS 1.1 at all
    }
    assert!(results[0].contains("protocol_version"), "{results:?} {out}");
    assert!(
        out.contains("alert number 70") || out.contains("protocol version"),
        "{out}"
    );
}

#[test]
fn client_certificates_both_ways_with_openssl() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-auth");
    let (ca, _, _) = pem_files(&dir, &p, Kind::Ecdsa);
    // openssl s_server asks for and requires a certificate; ours (ECDSA P-256) is signed
    // over the handshake messages (TLS 1.2 CertificateVerify).
    let (_srv, port) = s_server(&dir, &p, Kind::Rsa, &["-Verify", "1", "-CAfile", &ca]);
    let cfg = client(&p)
        .with_client_auth_cert(p.client_key())
        .build()
        .unwrap();
    let (conn, line) = line_round_trip(cfg, port, b"with a certificate\n");
    assert_eq!(line, b"etacifitrec a htiw\n");
    assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls12));

    // openssl s_client presents one to our server.
    let verifier = tryst::verify::WebPkiClientVerifier::new(p.anchors());
    let config = server(&p, Kind::Ecdsa, BOTH)
        .with_client_cert_verifier(std::sync::Arc::new(verifier))
        .build()
        .unwrap();
    let (h, port) = tryst_echo_server(config, 2);
    let cert = dir.write("client.pem", &pem("CERTIFICATE", &p.client.0));
    let key = dir.write("client.key", &pem("PRIVATE KEY", &p.client.1));
    let args = s_client_args(&dir, &p, port, &["-cert", &cert, "-key", &key]);
    let out = run_client("openssl", &args, b"ping with a certificate\n");
    assert!(out.contains("ping with a certificate"), "{out}");
    // Without one: our server requires it (handshake_failure, alert 40).
    let args = s_client_args(&dir, &p, port, &[]);
    let out = run_client("openssl", &args, b"ping\n");
    let results = h.join().unwrap();
    assert!(results[0].starts_with("Some(TLSv1.2)"), "{results:?}");
    assert!(results[1].contains("no certificate"), "{results:?}");
    assert!(
        out.contains("alert handshake failure") || out.contains("alert number 40"),
        "{out}"
    );
}

#[test]
fn resumption_with_openssl_tickets_and_session_ids() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-resume");
    // Our client against s_server: tickets (its default), then session ids (-no_ticket).
    for extra in [&["-naccept", "3"][..], &["-naccept", "3", "-no_ticket"][..]] {
        let (_srv, port) = s_server(&dir, &p, Kind::Ecdsa, extra);
        let cfg = client(&p).build().unwrap();
        for round in 0..3 {
            let (conn, line) = line_round_trip(cfg.clone(), port, b"again\n");
            assert_eq!(line, b"niaga\n");
            let kind = if round == 0 {
                tryst::HandshakeKind::Full
            } else {
                tryst::HandshakeKind::Resumed
            };
            assert_eq!(conn.handshake_kind(), Some(kind), "{extra:?} round {round}");
        }
    }
    // s_client saves the session (our ticket) and comes back with it.
    let config = server(&p, Kind::Ecdsa, BOTH)
        .with_ticket_keys(std::sync::Arc::new(
            tryst::TicketKeys::generate(
                &mut tryst::crypto::OsRng,
                std::time::Duration::from_secs(600),
            )
            .unwrap(),
        ))
        .build()
        .unwrap();
    let (h, port) = tryst_echo_server(config, 2);
    let sess = dir.0.join("sess.pem").to_string_lossy().into_owned();
    let first = run_client(
        "openssl",
        &s_client_args(&dir, &p, port, &["-sess_out", &sess]),
        b"one\n",
    );
    assert!(first.contains("New, TLSv1.2"), "{first}");
    let second = run_client(
        "openssl",
        &s_client_args(&dir, &p, port, &["-sess_in", &sess]),
        b"two\n",
    );
    assert!(second.contains("Reused, TLSv1.2"), "{second}");
    let results = h.join().unwrap();
    assert_eq!(results.len(), 2);
}

#[test]
fn rsa_client_certificates_both_ways_with_openssl() {
    if !have("openssl", "version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-ossl-rsa-auth");
    let (ca, _, _) = pem_files(&dir, &p, Kind::Ecdsa);
    // Our RSA client key signs the TLS 1.2 CertificateVerify; s_server checks it, with
    // PKCS#1 v1.5 when that is all it accepts and RSA-PSS otherwise.
    for sigalgs in [
        "RSA+SHA256:ECDSA+SHA256",
        "rsa_pss_rsae_sha256:ECDSA+SHA256",
    ] {
        let (_srv, port) = s_server(
            &dir,
            &p,
            Kind::Ecdsa,
            &["-Verify", "1", "-CAfile", &ca, "-client_sigalgs", sigalgs],
        );
        let key = tryst::CertifiedKey::from_der(
            vec![tryst::pki_types::CertificateDer::from(
                p.rsa_client.0.clone(),
            )],
            &p.rsa_client.1,
        )
        .unwrap();
        let cfg = client(&p).with_client_auth_cert(key).build().unwrap();
        let (_, line) = line_round_trip(cfg, port, b"rsa client\n");
        assert_eq!(line, b"tneilc asr\n", "{sigalgs}");
    }
    // s_client's RSA client certificate, checked by our server (PKCS#1 v1.5 forced).
    let verifier = tryst::verify::WebPkiClientVerifier::new(p.anchors());
    let config = server(&p, Kind::Ecdsa, BOTH)
        .with_client_cert_verifier(std::sync::Arc::new(verifier))
        .build()
        .unwrap();
    let (h, port) = tryst_echo_server(config, 1);
    let cert = dir.write("rc.pem", &pem("CERTIFICATE", &p.rsa_client.0));
    let key = dir.write("rc.key", &pem("PRIVATE KEY", &p.rsa_client.1));
    let args = s_client_args(
        &dir,
        &p,
        port,
        &[
            "-cert",
            &cert,
            "-key",
            &key,
            "-client_sigalgs",
            "RSA+SHA384",
        ],
    );
    let out = run_client("openssl", &args, b"ping rsa\n");
    assert!(out.contains("ping rsa"), "{out}");
    let results = h.join().unwrap();
    assert!(results[0].starts_with("Some(TLSv1.2)"), "{results:?}");
}
