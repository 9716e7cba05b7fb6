//! Issue 21: `StartHandshake` reads the ClientHello over tokio, the server looks its
//! config up asynchronously by SNI and ALPN, then finishes the handshake; a client that
//! stops mid-hello or sends garbage is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::as_conversions
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tryst::pki_types::ServerName;
use tryst::{Acceptor, ClientConfig, ServerConfig};
use tryst_tokio::{StartHandshake, TlsConnector, tls_error};

use common::Pki;

const LIMIT: Duration = Duration::from_secs(60);

fn server_config(p: &Pki, alpn: &[u8]) -> Arc<ServerConfig> {
    let certified =
        tryst::CertifiedKey::from_der(vec![p.leaf_der.clone().into()], &p.leaf_key_pkcs8).unwrap();
    ServerConfig::builder(certified)
        .with_alpn_protocols(vec![alpn.to_vec()])
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_config_is_chosen_after_an_async_lookup_on_the_client_hello() {
    let p = Pki::new();
    let (h2, http1) = (server_config(&p, b"h2"), server_config(&p, b"http/1.1"));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let start = StartHandshake::read(tcp, Acceptor::new()).await.unwrap();
            let hello = start.client_hello();
            assert_eq!(hello.server_name(), Some("localhost"));
            let wants_h2 = hello.alpn_protocols().next() == Some(&b"h2"[..]);
            seen.push(wants_h2);
            tokio::time::sleep(Duration::from_millis(5)).await; // the lookup
            let config = if wants_h2 { h2.clone() } else { http1.clone() };
            let mut tls = start.into_stream(config).await.unwrap();
            let alpn = tls.get_ref().1.alpn_protocol().unwrap().to_vec();
            tls.write_all(&alpn).await.unwrap();
            tls.shutdown().await.unwrap();
        }
        seen
    });
    for first in [&b"h2"[..], b"http/1.1"] {
        let other: &[u8] = if first == b"h2" { b"http/1.1" } else { b"h2" };
        let config = ClientConfig::builder()
            .with_root_certificates(
                tryst::cert::TrustAnchors::from_der([p.ca_der.as_slice()]).unwrap(),
            )
            .with_alpn_protocols(vec![first.to_vec(), other.to_vec()])
            .build()
            .unwrap();
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut tls = tokio::time::timeout(LIMIT, TlsConnector::from(config).connect(name, tcp))
            .await
            .unwrap()
            .unwrap();
        let mut got = Vec::new();
        tls.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, first);
    }
    let seen = tokio::time::timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(seen, vec![true, false]);
}

#[tokio::test]
async fn a_client_that_stops_mid_hello_or_sends_garbage_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut errors = Vec::new();
        for _ in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let err = StartHandshake::read(tcp, Acceptor::new())
                .await
                .unwrap_err();
            errors.push((err.kind(), tls_error(&err).and_then(tryst::Error::alert)));
        }
        errors
    });
    // Half a ClientHello header, then end of file.
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(&[0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00])
        .await
        .unwrap();
    tcp.shutdown().await.unwrap();
    // Application data first: unexpected_message comes back.
    let mut tcp2 = TcpStream::connect(addr).await.unwrap();
    tcp2.write_all(&[0x17, 0x03, 0x03, 0x00, 0x01, 0x00])
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(LIMIT, tcp2.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer, [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 10]);
    let errors = tokio::time::timeout(LIMIT, server).await.unwrap().unwrap();
    assert_eq!(errors[0], (std::io::ErrorKind::UnexpectedEof, None));
    assert_eq!(
        errors[1],
        (
            std::io::ErrorKind::InvalidData,
            Some(tryst::messages::AlertDescription::UnexpectedMessage)
        )
    );
}
