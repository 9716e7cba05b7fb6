//! TLS 1.2 interop with GnuTLS over loopback: `gnutls-serv` and `gnutls-cli` with the
//! priority string `NORMAL:-VERS-ALL:+VERS-TLS1.2`, both directions, every suite, ECDSA
//! and RSA server keys. (gnutls-serv 3.7 has no option to bind one address: it listens on
//! the wildcard address of a free port for the test's few seconds; the traffic is
//! loopback only.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod tls12_util;

use std::process::{Command, Stdio};

use tls12_util::*;
use tryst::messages::{CipherSuite, ProtocolVersion};

const TLS12_ONLY: &str = "NORMAL:-VERS-ALL:+VERS-TLS1.2";

/// Our suite, GnuTLS's priority names for it, the server key.
const SUITES: &[(CipherSuite, &str, Kind)] = &[
    (
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
        "+ECDHE-ECDSA:+AES-128-GCM",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
        "+ECDHE-ECDSA:+AES-256-GCM",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        "+ECDHE-ECDSA:+CHACHA20-POLY1305",
        Kind::Ecdsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
        "+ECDHE-RSA:+AES-128-GCM",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
        "+ECDHE-RSA:+AES-256-GCM",
        Kind::Rsa,
    ),
    (
        CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        "+ECDHE-RSA:+CHACHA20-POLY1305",
        Kind::Rsa,
    ),
];

/// TLS 1.2 only, and only this key exchange and cipher.
fn priority(names: &str) -> String {
    format!("{TLS12_ONLY}:-KX-ALL:-CIPHER-ALL:{names}")
}

#[test]
fn tryst_client_to_gnutls_serv_tls12_every_suite() {
    if !have("gnutls-serv", "--version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-gnutls-srv");
    for &(suite, names, kind) in SUITES {
        let (_, cert, key) = pem_files(&dir, &p, kind);
        let port = free_port();
        let child = Command::new("gnutls-serv")
            .args(["--echo", "--quiet", "-p", &port.to_string()])
            .args(["--x509certfile", &cert, "--x509keyfile", &key])
            .arg(format!("--priority={}", priority(names)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let _guard = Guard(child);
        let cfg = client(&p).build().unwrap();
        let (conn, line) = line_round_trip(cfg, port, b"tryst to gnutls\n");
        assert_eq!(line, b"tryst to gnutls\n");
        assert_eq!(conn.protocol_version(), Some(ProtocolVersion::Tls12));
        assert_eq!(
            conn.negotiated_cipher_suite().unwrap().suite,
            suite,
            "{names}"
        );
    }
}

#[test]
fn gnutls_cli_tls12_to_tryst_server_every_suite() {
    if !have("gnutls-cli", "--version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-gnutls-cli");
    let ca = dir.write("ca.pem", &pem("CERTIFICATE", &p.ca));
    for &(suite, names, kind) in SUITES {
        let config = server(&p, kind, BOTH).build().unwrap();
        let (h, port) = tryst_echo_server(config, 1);
        let args: Vec<String> = vec![
            format!("--priority={}", priority(names)),
            "--x509cafile".into(),
            ca.clone(),
            "--verify-hostname".into(),
            "localhost".into(),
            "--sni-hostname".into(),
            "localhost".into(),
            "-p".into(),
            port.to_string(),
            "127.0.0.1".into(),
        ];
        let out = run_client("gnutls-cli", &args, b"ping from gnutls\n");
        let results = h.join().unwrap();
        assert!(out.contains("ping from gnutls"), "{names}: {out}");
        assert!(out.contains("(TLS1.2-X.509)"), "{names}: {out}");
        assert!(
            out.contains("extended master secret, safe renegotiation"),
            "{out}"
        );
        assert!(results[0].starts_with("Some(TLSv1.2)"), "{results:?}");
        assert!(results[0].contains(&format!("{suite:?}")), "{results:?}");
    }
}

/// gnutls-serv with `priority`, our client with EMS required or not.
fn against_gnutls_serv(
    p: &Pki,
    dir: &TempDir,
    priority: &str,
    ems_required: bool,
) -> Result<Vec<u8>, String> {
    let (_, cert, key) = pem_files(dir, p, Kind::Ecdsa);
    let port = free_port();
    let child = Command::new("gnutls-serv")
        .args(["--echo", "--quiet", "-p", &port.to_string()])
        .args(["--x509certfile", &cert, "--x509keyfile", &key])
        .arg(format!("--priority={priority}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Guard(child);
    let cfg = client(p)
        .with_extended_master_secret_required(ems_required)
        .build()
        .unwrap();
    let mut sock = connect_retry(port);
    let mut conn = tryst::ClientConnection::new(
        cfg,
        tryst::pki_types::ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut tls = tryst::Stream::new(&mut conn, &mut sock);
    tls.complete_handshake().map_err(|e| e.to_string())?;
    use std::io::{Read, Write};
    tls.write_all(b"legacy\n").map_err(|e| e.to_string())?;
    let mut got = vec![0u8; 7];
    tls.read_exact(&mut got).map_err(|e| e.to_string())?;
    Ok(got)
}

#[test]
fn gnutls_without_extended_master_secret() {
    if !have("gnutls-serv", "--version") {
        return;
    }
    let p = pki();
    let dir = TempDir::new("tls12-gnutls-ems");
    let no_ems = format!("{TLS12_ONLY}:%NO_SESSION_HASH");
    // Required (the default): handshake_failure.
    let e = against_gnutls_serv(&p, &dir, &no_ems, true).unwrap_err();
    assert!(e.contains("does not use the extended master secret"), "{e}");
    // Allowed: a working legacy session (RFC 5246 §8.1 master secret).
    assert_eq!(
        against_gnutls_serv(&p, &dir, &no_ems, false).unwrap(),
        b"legacy\n"
    );

    // gnutls-cli without EMS against our server: refused.
    let config = server(&p, Kind::Ecdsa, BOTH).build().unwrap();
    let (h, port) = tryst_echo_server(config, 1);
    let ca = dir.write("ca.pem", &pem("CERTIFICATE", &p.ca));
    let args: Vec<String> = vec![
        format!("--priority={no_ems}"),
        "--x509cafile".into(),
        ca,
        "--verify-hostname".into(),
        "localhost".into(),
        "-p".into(),
        port.to_string(),
        "127.0.0.1".into(),
    ];
    let out = run_client("gnutls-cli", &args, b"x\n");
    let results = h.join().unwrap();
    assert!(results[0].contains("extended master secret"), "{results:?}");
    assert!(out.contains("Handshake failed"), "{out}");
}
