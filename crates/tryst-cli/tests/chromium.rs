//! A real browser: headless Chromium loads the page of `tryst server --http` (with the
//! default ECDSA P-256 certificate from a fresh `tryst cert` CA) and the test reads what it
//! got: TLS 1.3, ALPN http/1.1 (Chromium offers h2 first), and the group Chromium
//! negotiated, which must be one Chromium offers (X25519MLKEM768, X25519) and the one the
//! server logged. Skipped with a note where `chromium` is not installed; .ci/run installs
//! it (the Debian package).
//!
//! Chromium is started in a process group of its own; if it does not finish in time, that
//! group (Chromium and the helpers it started) is killed, nothing else.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tryst::pki_types::CertificateDer;
use tryst::pki_types::pem::PemObject;

/// The longest Chromium may take to load the page (a cold start on a busy 2-core machine
/// takes a few seconds).
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);

/// The browser's command, when it can be run.
fn chromium() -> Option<&'static str> {
    let ok = Command::new("chromium")
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some("chromium")
}

/// Standard base64 (RFC 4648 §4, with padding).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// base64(SHA-256(SubjectPublicKeyInfo)) of the first certificate in a PEM file: the form
/// `--ignore-certificate-errors-spki-list` takes.
fn spki_pin(pem: &Path) -> String {
    let der = CertificateDer::pem_file_iter(pem)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let cert = tryst::cert::Certificate::from_der(der.as_ref()).unwrap();
    let spki = cert.public_key().unwrap().spki_der;
    base64(tryst::crypto::SHA256.hash(spki).as_ref())
}

/// Run Chromium in its own process group; kill that group if it runs past the timeout.
fn run_chromium(program: &str, args: &[String], dir: &Path) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_remove("SSLKEYLOGFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let pgid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if Instant::now() > deadline {
            // The group Chromium leads: it and the helpers it started, nothing else.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        code,
        stdout: String::from_utf8_lossy(&out_t.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap()).into_owned(),
    }
}

/// The cell next to the header `name` in the page's table, as Chromium's DOM dump writes
/// it: `<th align="left">name</th><td>value</td>`.
fn cell<'a>(dom: &'a str, name: &str) -> &'a str {
    let key = format!(">{name}</th><td>");
    let start = dom
        .find(&key)
        .unwrap_or_else(|| panic!("the page has no {name:?} row:\n{dom}"))
        + key.len();
    let len = dom[start..].find("</td>").unwrap();
    &dom[start..start + len]
}

#[test]
fn headless_chromium_loads_the_http_page_over_tls_1_3() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (Debian: apt-get install chromium)");
        return;
    };
    let dir = Scratch::new("chromium");
    make_pki(dir.path(), Key::Default);
    let pin = spki_pin(&dir.path().join("server.pem"));
    let server = start_server(
        dir.path(),
        &["--cert", "server.pem", "--key", "server.key", "--http"],
    );
    let profile = dir.path().join("profile");
    std::fs::create_dir(&profile).unwrap();
    let url = format!("https://127.0.0.1:{}/", server.port);
    let args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        format!("--user-data-dir={}", profile.display()),
        format!("--ignore-certificate-errors-spki-list={pin}"),
        "--dump-dom".to_string(),
        url,
    ])
    .collect();
    let o = run_chromium(browser, &args, dir.path());
    assert_eq!(o.code, Some(0), "{o:#?}");
    let dom = &o.stdout;
    assert!(dom.contains("Hello from tryst"), "not our page: {o:#?}");

    let version = cell(dom, "version");
    let suite = cell(dom, "cipher suite");
    let group = cell(dom, "key exchange");
    let alpn = cell(dom, "ALPN");
    eprintln!("chromium negotiated: {version}, {suite}, {group}, ALPN {alpn}");
    assert_eq!(version, "TLS 1.3", "{dom}");
    assert!(
        [
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256"
        ]
        .contains(&suite),
        "{dom}"
    );
    assert!(
        ["X25519MLKEM768", "X25519"].contains(&group),
        "a group Chromium does not offer: {dom}"
    );
    // Chromium offers h2 first; the server must pick http/1.1, which it speaks.
    assert_eq!(alpn, "http/1.1", "{dom}");
    assert_eq!(cell(dom, "signature"), "ecdsa_secp256r1_sha256", "{dom}");

    // The server's log line for the connection that served the page says the same.
    let line = wait_for_line(&server.log, " out, closed cleanly", Duration::from_secs(20));
    assert!(
        line.contains(&format!("TLS 1.3 {suite} {group} full")) && line.contains("alpn=http/1.1"),
        "server logged {line:?}, the page says {version} {suite} {group}"
    );
    // Chromium offers compress_certificate (brotli, RFC 8879): it got, and decompressed,
    // the certificate compressed.
    assert!(line.contains("compressed with brotli"), "{line}");
    drop(server);
}
