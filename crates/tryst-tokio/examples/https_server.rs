//! An HTTPS server: hyper's HTTP/1.1 over `tryst-tokio`.
//!
//! ```sh
//! tryst cert new-ca --out-cert ca.pem --out-key ca.key
//! tryst cert new-leaf --ca ca.pem --ca-key ca.key --name localhost --out-cert server.pem --out-key server.key
//! cargo run -p tryst-tokio --example https_server -- --cert server.pem --key server.key --listen 127.0.0.1:8443
//! curl --cacert ca.pem https://localhost:8443/
//! ```
//!
//! Every connection is its own task; a failed handshake is logged and the server goes on.
//! `tests/https.rs` runs [`serve`] and fetches from it.
#![allow(clippy::expect_used, clippy::unwrap_used)] // an example, not a parser

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tryst::pki_types::PrivatePkcs8KeyDer;
use tryst::pki_types::pem::PemObject;
use tryst::{CertifiedKey, ServerConfig};
use tryst_tokio::TlsAcceptor;

/// A server config from a PEM certificate chain and a PEM PKCS#8 key.
pub fn load_config(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, Box<dyn Error>> {
    let chain = tryst::cert::certs_from_pem(cert_pem)?;
    let key = PrivatePkcs8KeyDer::from_pem_slice(key_pem)?;
    let certified = CertifiedKey::from_der(chain, key.secret_pkcs8_der())?;
    Ok(ServerConfig::builder(certified).build()?)
}

/// Accept connections on `listener` forever, each a TLS handshake and then HTTP/1.1.
pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<()> {
    loop {
        let (tcp, peer) = listener.accept().await?;
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(e) => {
                    eprintln!("{peer}: handshake failed: {e}");
                    return;
                }
            };
            let suite = tls
                .get_ref()
                .1
                .negotiated_cipher_suite()
                .map(|s| s.suite.to_string())
                .unwrap_or_default();
            let service = service_fn(move |req: Request<Incoming>| {
                let body = format!(
                    "hello from tryst-tokio: {} {} over TLS 1.3 with {suite}\n",
                    req.method(),
                    req.uri().path()
                );
                async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body)))) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                eprintln!("{peer}: {e}");
            }
        });
    }
}

#[tokio::main(flavor = "current_thread")]
#[allow(dead_code)] // tests/https.rs includes this file for `serve` and `load_config`
async fn main() -> Result<(), Box<dyn Error>> {
    let mut cert = None;
    let mut key = None;
    let mut listen = "127.0.0.1:8443".to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--cert" => cert = Some(value()?),
            "--key" => key = Some(value()?),
            "--listen" => listen = value()?,
            _ => return Err(format!("unknown argument {arg}; usage: https_server --cert CHAIN.pem --key KEY.pem [--listen ADDR]").into()),
        }
    }
    let (Some(cert), Some(key)) = (cert, key) else {
        return Err("usage: https_server --cert CHAIN.pem --key KEY.pem [--listen ADDR]".into());
    };
    let config = load_config(&std::fs::read(&cert)?, &std::fs::read(&key)?)?;
    let listener = TcpListener::bind(&listen).await?;
    println!("serving https://{}/", listener.local_addr()?);
    serve(listener, TlsAcceptor::from(config)).await?;
    Ok(())
}
