//! Virtual hosting with a config chosen per connection: the server reads each ClientHello
//! first ([`StartHandshake::read`]), looks the SNI up in an asynchronous registry (a
//! stand-in for a database or a certificate store), and finishes the handshake with the
//! config it found; an unknown name gets unrecognized_name.
//!
//! ```sh
//! cargo run -p tryst-tokio --example virtual_hosts
//! ```
//!
//! It makes a throwaway CA and one certificate per name, serves on a loopback port, and
//! connects to itself once per name to show which certificate each name gets.
#![allow(clippy::expect_used, clippy::unwrap_used)] // an example, not a parser

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, OsRng};
use tryst::messages::AlertDescription;
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{Acceptor, CertifiedKey, ClientConfig, ServerConfig};
use tryst_tokio::{StartHandshake, TlsConnector};

/// The server's configs by name, behind an asynchronous lookup.
struct Registry(HashMap<String, Arc<ServerConfig>>);

impl Registry {
    async fn lookup(&self, name: Option<&str>) -> Option<Arc<ServerConfig>> {
        tokio::task::yield_now().await; // where a real lookup would wait
        self.0.get(name?).cloned()
    }
}

/// Serve one connection: read the hello, look the config up, handshake, echo one line.
async fn serve(tcp: TcpStream, registry: &Registry) -> std::io::Result<()> {
    let start = StartHandshake::read(tcp, Acceptor::new()).await?;
    let name = start.client_hello().server_name().map(str::to_string);
    let Some(config) = registry.lookup(name.as_deref()).await else {
        return start.refuse(AlertDescription::UnrecognizedName).await;
    };
    let mut tls = start.into_stream(config).await?;
    let mut buf = vec![0u8; 64];
    let n = tls.read(&mut buf).await?;
    buf.truncate(n);
    tls.write_all(&buf).await?;
    tls.shutdown().await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let (from, to) = (1_700_000_000, 4_000_000_000);
    let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    let ca = CertificateBuilder::new("example CA", from, to)
        .ca(None)
        .self_signed(&ca_key)?;
    let mut configs = HashMap::new();
    for name in ["a.example", "b.example"] {
        let key = Ed25519SigningKey::generate(&mut OsRng);
        let leaf = CertificateBuilder::new(name, from, to)
            .dns_name(name)
            .server_auth()
            .issue(&key, &ca, &ca_key)?;
        let certified =
            CertifiedKey::from_der(vec![CertificateDer::from(leaf)], &key.to_pkcs8_der())?;
        configs.insert(name.to_string(), ServerConfig::builder(certified).build()?);
    }
    let registry = Arc::new(Registry(configs));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        for _ in 0..3 {
            let (tcp, _) = listener.accept().await?;
            if let Err(e) = serve(tcp, &registry).await {
                println!("server: {e}");
            }
        }
        std::io::Result::Ok(())
    });

    let connector = TlsConnector::from(
        ClientConfig::builder()
            .with_root_certificates(TrustAnchors::from_der([ca.as_slice()])?)
            .build()?,
    );
    for name in ["a.example", "b.example", "c.example"] {
        let tcp = TcpStream::connect(addr).await?;
        match connector.connect(ServerName::try_from(name)?, tcp).await {
            Ok(mut tls) => {
                tls.write_all(name.as_bytes()).await?;
                let mut echo = Vec::new();
                tls.read_to_end(&mut echo).await?;
                println!(
                    "{name}: certificate accepted, echo {:?}",
                    String::from_utf8(echo)?
                );
            }
            Err(e) => println!("{name}: {e}"),
        }
    }
    server.await??;
    Ok(())
}
