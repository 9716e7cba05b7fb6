//! The hyper HTTPS example (examples/https_server.rs) served over `tryst-tokio`, fetched
//! with a `tryst-tokio` client and with `openssl s_client` (skipped with a note when the
//! `openssl` command is missing).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

mod common;
#[allow(dead_code, missing_docs)] // its `main` is for `cargo run --example`
#[path = "../examples/https_server.rs"]
mod https_server;

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tryst::pki_types::ServerName;
use tryst_tokio::TlsAcceptor;

use common::{Pki, pem};

const LIMIT: Duration = Duration::from_secs(60);

/// Start the example's server from PEM files' contents, as `main` would.
async fn start(pki: &Pki) -> SocketAddr {
    let config = https_server::load_config(
        pem("CERTIFICATE", &pki.leaf_der).as_bytes(),
        pem("PRIVATE KEY", &pki.leaf_key_pkcs8).as_bytes(),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(https_server::serve(listener, TlsAcceptor::from(config)));
    addr
}

const REQUEST: &[u8] = b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

#[tokio::test]
async fn hyper_example_answers_a_tryst_tokio_client() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let addr = start(&pki).await;
        // Two requests on separate connections: the server keeps going.
        for _ in 0..2 {
            let tcp = TcpStream::connect(addr).await.unwrap();
            let mut tls = pki
                .connector()
                .connect(ServerName::try_from("localhost").unwrap(), tcp)
                .await
                .unwrap();
            tls.write_all(REQUEST).await.unwrap();
            tls.flush().await.unwrap();
            let mut response = Vec::new();
            // Ends at hyper's close_notify (Connection: close): a clean end, not a truncation.
            tls.read_to_end(&mut response).await.unwrap();
            let response = String::from_utf8(response).unwrap();
            assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
            assert!(
                response.ends_with(
                    "hello from tryst-tokio: GET /hello over TLS 1.3 with TLS_AES_128_GCM_SHA256\n"
                ),
                "{response}"
            );
        }
    })
    .await
    .unwrap();
}

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn hyper_example_answers_openssl_s_client() {
    if !have_openssl() {
        eprintln!("note: `openssl` not found; skipping the s_client fetch");
        return;
    }
    let pki = Pki::new();
    let addr = start(&pki).await;
    let dir = std::env::temp_dir().join(format!("tryst-tokio-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem("CERTIFICATE", &pki.ca_der)).unwrap();

    // s_client blocks: run it on a blocking thread while the runtime serves.
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect", &addr.to_string()])
            .args(["-servername", "localhost", "-verify_return_error", "-quiet"])
            .arg("-CAfile")
            .arg(&ca)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(REQUEST).unwrap();
        // s_client exits when the server closes (Connection: close); never wait forever.
        let deadline = Instant::now() + LIMIT;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.starts_with("HTTP/1.1 200 OK\r\n"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stdout.contains("hello from tryst-tokio: GET /hello over TLS 1.3"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
}
