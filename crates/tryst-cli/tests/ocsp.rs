//! OCSP stapling through the binary (RFC 8446 §4.4.2.1 in TLS 1.3, RFC 6066 §8's
//! CertificateStatus in TLS 1.2): `openssl ocsp` makes a response for the server
//! certificate, `tryst server --ocsp` staples it, `openssl s_client -status` (with
//! `-tls1_3` and with `-tls1_2`) shows it and `tryst client --ocsp-out` writes back the
//! same bytes, also from `openssl s_server -status_file` in both versions and from
//! `gnutls-serv --ocsp-response` in TLS 1.2. A file that is not DER is a usage error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;

fn openssl(d: &std::path::Path, args: &[&str]) -> Output {
    let o = run_program("openssl", args, d, b"", TIMEOUT);
    assert_eq!(o.code, Some(0), "openssl {args:?}: {o:#?}");
    o
}

/// ca.pem/ca.key and server.pem from tryst, then an OCSP response "good" for server.pem
/// signed by the CA with `openssl ocsp` (resp.der).
fn pki_with_response(d: &std::path::Path) {
    make_pki(d, Key::Default);
    std::fs::write(
        d.join("ca.cnf"),
        "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = index.txt\n\
         default_md = sha256\ncertificate = ca.pem\nprivate_key = ca.key\n\
         new_certs_dir = .\nserial = serial\npolicy = policy_any\n\
         [ policy_any ]\ncommonName = optional\n",
    )
    .unwrap();
    std::fs::write(d.join("index.txt"), "").unwrap();
    std::fs::write(d.join("serial"), "01\n").unwrap();
    openssl(d, &["ca", "-config", "ca.cnf", "-valid", "server.pem"]);
    openssl(
        d,
        &[
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "ca.pem",
            "-rkey",
            "ca.key",
            "-CA",
            "ca.pem",
            "-issuer",
            "ca.pem",
            "-cert",
            "server.pem",
            "-respout",
            "resp.der",
            "-ndays",
            "1",
        ],
    );
}

/// `tryst client --server-name localhost --ocsp-out got.der --trace` to `port`, sending
/// `input`.
fn staple_client(d: &std::path::Path, port: u16, input: &[u8]) -> Output {
    tryst(
        &[
            "client",
            &format!("127.0.0.1:{port}"),
            "--ca",
            "ca.pem",
            "--server-name",
            "localhost",
            "--ocsp-out",
            "got.der",
            "--trace",
        ],
        d,
        input,
    )
}

/// got.der holds the bytes of resp.der: the staple the server sent.
fn assert_got_the_staple(d: &std::path::Path, context: &str) {
    let sent = std::fs::read(d.join("resp.der")).unwrap();
    assert_eq!(std::fs::read(d.join("got.der")).unwrap(), sent, "{context}");
}

#[test]
fn openssl_s_client_and_tryst_client_see_the_staple() {
    if !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ocsp-staple");
    let d = dir.path();
    pki_with_response(d);
    let server = start_server_pki(d, &["--ocsp", "resp.der"]);
    let addr = format!("127.0.0.1:{}", server.port);

    for version in ["-tls1_3", "-tls1_2"] {
        let o = run_program(
            "openssl",
            &[
                "s_client",
                "-connect",
                &addr,
                version,
                "-status",
                "-CAfile",
                "ca.pem",
                "-servername",
                "localhost",
            ],
            d,
            b"",
            TIMEOUT,
        );
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(
            all.contains("OCSP Response Status: successful"),
            "{version}: {all}"
        );
        assert!(all.contains("Cert Status: good"), "{version}: {all}");
        assert!(
            all.contains("Verify return code: 0 (ok)"),
            "{version}: {all}"
        );
        let proto = if version == "-tls1_3" {
            "TLSv1.3"
        } else {
            "TLSv1.2"
        };
        assert!(
            all.contains(&format!("New, {proto}, Cipher is")),
            "{version}: {all}"
        );
    }

    let o = tryst(
        &["client", &addr, "--ca", "ca.pem", "--ocsp-out", "got.der"],
        d,
        b"ping",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stderr.contains("OCSP response stapled"), "{o:#?}");
    assert_got_the_staple(d, "");

    // Without -status, s_client gets no staple.
    for version in ["-tls1_3", "-tls1_2"] {
        let o = run_program(
            "openssl",
            &["s_client", "-connect", &addr, version, "-CAfile", "ca.pem"],
            d,
            b"",
            TIMEOUT,
        );
        let all = format!("{}{}", o.stdout, o.stderr);
        assert!(!all.contains("OCSP Response Status"), "{version}: {all}");
    }
}

/// `openssl s_server VERSION -status_file resp.der -rev` on a free port, once it accepts.
fn s_server_stapling(dir: &std::path::Path, version: &str) -> Peer {
    openssl_s_server(
        dir,
        &[
            version,
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-status_file",
            "resp.der",
            "-rev",
        ],
        false,
    )
}

#[test]
fn tryst_client_gets_openssl_s_servers_staple() {
    if !openssl_or_skip() {
        return;
    }
    for version in ["-tls1_3", "-tls1_2"] {
        let dir = Scratch::new("ocsp-s-server");
        let d = dir.path();
        pki_with_response(d);
        let server = s_server_stapling(d, version);
        let o = staple_client(d, server.port, b"hello openssl\n");
        assert_eq!(o.code, Some(0), "{version}: {o:#?}");
        assert!(o.stdout.contains("lssnepo olleh"), "{version}: {o:#?}");
        let proto = if version == "-tls1_3" {
            "TLS 1.3"
        } else {
            "TLS 1.2"
        };
        assert!(o.stderr.contains(proto), "{version}: {o:#?}");
        assert_got_the_staple(d, version);
    }
}

#[test]
fn a_file_that_is_not_a_der_response_is_a_usage_error() {
    let dir = Scratch::new("ocsp-bad");
    let d = dir.path();
    make_pki(d, Key::Default);
    std::fs::write(d.join("resp.pem"), "-----BEGIN OCSP RESPONSE-----\n").unwrap();
    let base = ["server", "--cert", "server.pem", "--key", "server.key"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        tryst(&args, d, b"")
    };
    with(&["--ocsp", "resp.pem"]).assert_one_line_error(2, "is not a DER OCSP response");
    with(&["--ocsp", "missing.der"]).assert_one_line_error(2, "cannot read the OCSP response");
    with(&["--ocsp", "server.pem", "--ocsp", "server.pem"])
        .assert_one_line_error(2, "at most one --ocsp for each --cert");
}

#[test]
fn tryst_client_gets_gnutls_servs_tls12_staple() {
    if !gnutls_or_skip() || !openssl_or_skip() {
        return;
    }
    let dir = Scratch::new("ocsp-gnutls-serv");
    let d = dir.path();
    pki_with_response(d);
    let server = gnutls_serv(
        d,
        &[
            "--x509certfile",
            "server.pem",
            "--x509keyfile",
            "server.key",
            "--ocsp-response",
            "resp.der",
            "--priority",
            "NORMAL:-VERS-ALL:+VERS-TLS1.2",
            "--echo",
        ],
        None,
    );
    let o = staple_client(d, server.port, b"hello gnutls\n");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.contains("hello gnutls"), "{o:#?}");
    assert!(o.stderr.contains("TLS 1.2"), "{o:#?}");
    assert_got_the_staple(d, "");
}
