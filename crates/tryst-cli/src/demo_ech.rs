//! The Encrypted Client Hello session of `tryst demo` (RFC 9849): a server holding an ECH
//! key and a certificate for both its real name and its public name, a client given the
//! server's config; the demo shows what an observer of the wire reads in the ClientHello
//! (only the public name and an opaque payload) and what the server read after
//! decrypting it (the real name).

use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, OsRng};
use tryst::messages::{ExtensionType, HandshakeMessage, RawHandshake};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, EchClientConfig, EchMode, EchServerKey, OsRandom,
    ServerConfig, ServerConnection, Stream,
};

use crate::chart::{Chart, Style};
use crate::{Failure, net, timefmt};

const REAL_NAME: &str = "secret.example";
const PUBLIC_NAME: &str = "public.example";
const TIMEOUT: Duration = Duration::from_secs(10);

fn err(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::failed(format!("demo failed while {what} (ECH session): {e}"))
}

/// What the server reports once the handshake is done.
struct ServerView {
    status: tryst::EchStatus,
    server_name: Option<String>,
    outer_name: Option<String>,
}

/// Run the ECH session and return its text.
pub fn session(style: Style) -> Result<String, Failure> {
    let (server_config, client_config, config_id) = configs()?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| err("listening", e))?;
    let addr = listener.local_addr().map_err(|e| err("listening", e))?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(serve_one(&listener, server_config));
    });
    let mut text = format!(
        "\n{}\n",
        style.bold("And Encrypted Client Hello (RFC 9849): the server name stays secret")
    );
    text.push_str(&format!(
        "      {}\n",
        style.dim(&format!(
            "the server published an ECH config (config id {config_id}, public name '{PUBLIC_NAME}', X25519); the client connects to '{REAL_NAME}' with it"
        ))
    ));
    let mut sock = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| err("connecting", e))?;
    let name = ServerName::try_from(REAL_NAME).map_err(|e| err("naming", e))?;
    let mut conn = ClientConnection::new_traced(client_config, name, true)
        .map_err(|e| err("starting the client", e))?;
    // The first flight is the ClientHello record exactly as it goes on the wire.
    let wire = observe(conn.pending_tls());
    let mut chart = Chart::new(style);
    text.push_str(&chart.header());
    net::handshake(&mut conn, &mut sock, TIMEOUT)
        .map_err(|e| err("in the handshake", net::explain(&e, "server", REAL_NAME)))?;
    chart.draw(&conn.take_events(), &mut text);
    conn.send_close_notify();
    let _ = net::flush(&mut conn, &mut sock);
    let view = rx
        .recv_timeout(TIMEOUT)
        .map_err(|e| err("waiting for the server", e))??;
    text.push_str(&report(style, &wire, &view, conn.ech_status()));
    Ok(text)
}

/// The server's ECH key, a certificate for both names, and the two configs.
fn configs() -> Result<(Arc<ServerConfig>, Arc<ClientConfig>, u8), Failure> {
    let now = timefmt::now();
    let (nb, na) = (now - 3600, now + 86_400);
    let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    let ca = CertificateBuilder::new("tryst demo CA", nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN)
        .self_signed(&ca_key)
        .map_err(|e| err("making the CA", e))?;
    let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
    let leaf = CertificateBuilder::new(REAL_NAME, nb, na)
        .dns_name(REAL_NAME)
        .dns_name(PUBLIC_NAME)
        .server_auth()
        .issue(&leaf_key, &ca, &ca_key)
        .map_err(|e| err("issuing the server certificate", e))?;
    let certified =
        CertifiedKey::from_der(vec![CertificateDer::from(leaf)], &leaf_key.to_pkcs8_der())
            .map_err(|e| err("loading the server key", e))?;
    let config_id = 42;
    let key = EchServerKey::generate(config_id, PUBLIC_NAME, &OsRandom)
        .map_err(|e| err("making the ECH key", e))?;
    let published = EchServerKey::config_list(std::slice::from_ref(&key));
    let server = ServerConfig::builder(certified)
        .with_ech_keys(vec![key])
        .build()
        .map_err(|e| err("configuring the server", e))?;
    let ech = EchClientConfig::from_config_list(&published)
        .map_err(|e| err("reading the ECH config", e))?;
    let anchors = TrustAnchors::from_der([ca.as_slice()]).map_err(|e| err("loading the CA", e))?;
    let client = ClientConfig::builder()
        .with_root_certificates(anchors)
        .with_ech(EchMode::Enabled(ech))
        .build()
        .map_err(|e| err("configuring the client", e))?;
    Ok((server, client, config_id))
}

/// One connection: the handshake, then what the server learned.
fn serve_one(listener: &TcpListener, config: Arc<ServerConfig>) -> Result<ServerView, Failure> {
    let (mut sock, _) = listener.accept().map_err(|e| err("accepting", e))?;
    let _ = sock.set_read_timeout(Some(TIMEOUT));
    let mut conn = ServerConnection::new(config).map_err(|e| err("starting the server", e))?;
    Stream::new(&mut conn, &mut sock)
        .complete_handshake()
        .map_err(|e| err("in the server's handshake", e))?;
    Ok(ServerView {
        status: conn.ech_status(),
        server_name: conn.server_name().map(str::to_string),
        outer_name: conn.outer_server_name().map(str::to_string),
    })
}

/// What a passive observer reads in the ClientHello record: the server_name and the shape
/// of the encrypted_client_hello extension.
struct Observed {
    server_name: Option<String>,
    ech: Option<String>,
    real_name_visible: bool,
}

fn observe(record: &[u8]) -> Observed {
    let real_name_visible = record
        .windows(REAL_NAME.len())
        .any(|w| w == REAL_NAME.as_bytes());
    let hello = record
        .get(5..)
        .and_then(|m| RawHandshake::split(m, 1 << 16).ok().flatten())
        .and_then(|(raw, _)| raw.parse().ok());
    let Some(HandshakeMessage::ClientHello(ch)) = hello else {
        return Observed {
            server_name: None,
            ech: None,
            real_name_visible,
        };
    };
    let server_name = ch
        .server_name()
        .map(|n| String::from_utf8_lossy(n).into_owned());
    let ech = ch.extensions.iter().find_map(|e| match e {
        tryst::messages::Extension::Unknown { typ, data }
            if *typ == ExtensionType::EncryptedClientHello =>
        {
            Some(describe_ech(data))
        }
        _ => None,
    });
    Observed {
        server_name,
        ech,
        real_name_visible,
    }
}

/// "config 42, 32-byte enc, 240-byte payload" from an outer ECH extension body.
fn describe_ech(body: &[u8]) -> String {
    let config_id = body.get(5).copied().unwrap_or(0);
    let enc_len = body
        .get(6..8)
        .map_or(0, |b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    let payload_len = body.len().saturating_sub(8 + enc_len + 2);
    format!(
        "config {config_id}, {enc_len}-byte HPKE enc, {payload_len}-byte sealed payload (the real ClientHello, padded)"
    )
}

fn report(style: Style, wire: &Observed, view: &ServerView, client: tryst::EchStatus) -> String {
    let mut t = format!(
        "      {}\n",
        style.dim("what an observer of the wire sees in the ClientHello:")
    );
    t.push_str(&format!(
        "        {:<28} {}\n",
        "server_name",
        style.value(wire.server_name.as_deref().unwrap_or("-"))
    ));
    t.push_str(&format!(
        "        {:<28} {}\n",
        "encrypted_client_hello",
        wire.ech.as_deref().unwrap_or("-")
    ));
    t.push_str(&format!(
        "        {:<28} {}\n",
        format!("'{REAL_NAME}' on the wire"),
        if wire.real_name_visible { "yes" } else { "no" }
    ));
    t.push_str(&format!(
        "      {}\n",
        style.dim("what the server saw after decrypting it:")
    ));
    t.push_str(&format!(
        "        {:<28} {}\n",
        "server_name",
        style.value(view.server_name.as_deref().unwrap_or("-"))
    ));
    t.push_str(&format!(
        "        {:<28} {}\n",
        "outer server_name",
        view.outer_name.as_deref().unwrap_or("-")
    ));
    t.push_str(&format!(
        "        {:<28} server {:?}, client {:?}\n\n",
        "ECH", view.status, client
    ));
    t
}
