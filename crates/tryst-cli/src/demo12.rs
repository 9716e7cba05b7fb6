//! `tryst demo --tls12`: the TLS 1.2 handshake the whole story is about. A TLS 1.2-only
//! server and a client (which offers TLS 1.3 and 1.2) in this process over 127.0.0.1, two
//! sessions. For each: the message sequence chart, then the key derivation step by step
//! — client random, server random, the ECDHE premaster secret, the session hash, the
//! extended master secret and the key block cut into write keys and IVs — recomputed here
//! from what was on the wire and checked against the master secret tryst logged.
//!
//! Where the values come from: the randoms and the handshake messages from the bytes the
//! client sent and received (the demo wraps its socket); the premaster secret from the
//! demo's own key-exchange wrapper in the client's crypto provider (tryst never shows it);
//! the master secret from the key log. Printing session keys is this demo's job and
//! nothing else's.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
use tryst::crypto::{
    ActiveKeyExchange, CryptoProvider, CryptoRng, Ed25519SigningKey, KeyExchange,
    KeyExchangeAlgorithm, OsRng, SharedSecret,
};
use tryst::messages::{ProtocolVersion, RawHandshake};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{CertifiedKey, ClientConfig, ClientConnection, KeyLog, KeyLogFile, ServerConfig};

use crate::args::DemoArgs;
use crate::chart::{Chart, Style};
use crate::server::{Mode, Timeouts, serve};
use crate::{CmdResult, Failure, files, timefmt};

const STEP_TIMEOUT: Duration = Duration::from_secs(10);
const SESSIONS: usize = 2;

/// The client's ECDHE shared secrets, in the order they were computed, recorded by the
/// demo's key-exchange wrapper below. Only this demo records them.
static PREMASTERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// X25519 that also records each shared secret in [`PREMASTERS`].
struct RecordingX25519;

struct RecordingActive(Box<dyn ActiveKeyExchange>);

impl KeyExchange for RecordingX25519 {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        KeyExchangeAlgorithm::X25519
    }

    fn start(
        &self,
        rng: &mut dyn CryptoRng,
    ) -> Result<Box<dyn ActiveKeyExchange>, tryst::crypto::Error> {
        Ok(Box::new(RecordingActive(tryst::crypto::X25519.start(rng)?)))
    }
}

impl ActiveKeyExchange for RecordingActive {
    fn algorithm(&self) -> KeyExchangeAlgorithm {
        self.0.algorithm()
    }

    fn public_key(&self) -> &[u8] {
        self.0.public_key()
    }

    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, tryst::crypto::Error> {
        let shared = self.0.complete(peer)?;
        if let Ok(mut p) = PREMASTERS.lock() {
            p.push(shared.expose_secret().to_vec());
        }
        Ok(shared)
    }
}

static RECORDING_KX: &[&dyn KeyExchange] = &[&RecordingX25519];

/// The default provider with the recording X25519 as its only group.
fn recording_provider() -> CryptoProvider {
    CryptoProvider {
        name: "rustcrypto (demo: records the premaster secret)",
        kx_groups: RECORDING_KX,
        ..CryptoProvider::rustcrypto()
    }
}

/// The `CLIENT_RANDOM` line of each session (client random, master secret).
struct MasterLog {
    entries: Mutex<Vec<([u8; 32], Vec<u8>)>>,
    file: Option<KeyLogFile>,
}

impl KeyLog for MasterLog {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if label == "CLIENT_RANDOM"
            && let Ok(mut e) = self.entries.lock()
        {
            e.push((*client_random, secret.to_vec()));
        }
        if let Some(f) = &self.file {
            f.log(label, client_random, secret);
        }
    }
}

/// A socket that keeps a copy of every byte sent and received.
struct Tee {
    sock: TcpStream,
    sent: Vec<u8>,
    received: Vec<u8>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.sock.read(buf)?;
        self.received
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.sock.write(buf)?;
        self.sent
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.sock.flush()
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn demo_err(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::failed(format!("demo failed while {what}: {e}"))
}

fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

/// Run `tryst demo --tls12`.
pub fn run(a: &DemoArgs) -> CmdResult {
    let style = Style::for_stdout(a.no_color);
    let file = match &a.keylog {
        Some(p) => Some(files::open_key_log(p, "")?),
        None => None,
    };
    let log = Arc::new(MasterLog {
        entries: Mutex::new(Vec::new()),
        file,
    });
    let (server_config, client_config) = configs(&log)?;
    let addr = spawn_server(server_config)?;
    out(&intro(style, addr));
    let mut sessions = Vec::new();
    for i in 1..=SESSIONS {
        sessions.push(session(i, addr, &client_config, &log, style)?);
    }
    let (text, ok) = summary(&sessions, style, a.keylog.as_deref());
    out(&text);
    if ok {
        Ok(())
    } else {
        Err(Failure::failed(
            "the recomputed keys or the sessions' keys did not come out as they must: a bug in tryst",
        ))
    }
}

/// A throwaway CA and Ed25519 server certificate; a TLS 1.2-only server without tickets
/// (so the second session is a full handshake too); the recording client.
fn configs(log: &Arc<MasterLog>) -> Result<(Arc<ServerConfig>, Arc<ClientConfig>), Failure> {
    let now = timefmt::now();
    let (nb, na) = (now - 3600, now + 86_400);
    let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    let ca = CertificateBuilder::new("tryst demo CA", nb, na)
        .ca(None)
        .key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
        .self_signed(&ca_key)
        .map_err(|e| demo_err("making the CA", e))?;
    let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
    let leaf = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .server_auth()
        .issue(&leaf_key, &ca, &ca_key)
        .map_err(|e| demo_err("issuing the server certificate", e))?;
    let certified =
        CertifiedKey::from_der(vec![CertificateDer::from(leaf)], &leaf_key.to_pkcs8_der())
            .map_err(|e| demo_err("loading the server key", e))?;
    let server_config = ServerConfig::builder(certified)
        .with_protocol_versions(&[ProtocolVersion::Tls12])
        .build()
        .map_err(|e| demo_err("configuring the server", e))?;
    let anchors =
        TrustAnchors::from_der([ca.as_slice()]).map_err(|e| demo_err("loading the CA", e))?;
    let client_config = ClientConfig::builder_with_provider(Arc::new(recording_provider()))
        .with_root_certificates(anchors)
        .with_key_log(log.clone())
        .with_session_store(None)
        .build()
        .map_err(|e| demo_err("configuring the client", e))?;
    Ok((server_config, client_config))
}

/// The server: one thread, one connection at a time, echoing.
fn spawn_server(config: Arc<ServerConfig>) -> Result<SocketAddr, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| demo_err("listening", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| demo_err("listening", e))?;
    std::thread::spawn(move || {
        for _ in 0..SESSIONS {
            if let Ok((sock, peer)) = listener.accept() {
                let report = serve(config.clone(), sock, peer, Mode::Echo, Timeouts::default());
                if !report.clean {
                    eprintln!("tryst: demo server: {}", report.line);
                }
            }
        }
    });
    Ok(addr)
}

fn intro(style: Style, addr: SocketAddr) -> String {
    format!(
        "{}\n\n\
         A server that speaks only TLS 1.2 and a client that offers TLS 1.3 and 1.2, talking\n\
         over {addr}; they agree on TLS 1.2. A throwaway CA and an Ed25519 certificate for\n\
         'localhost' were just made in memory. Both randoms and an ECDHE premaster secret\n\
         feed the PRF, which gives the (extended) master secret; both sides cut the same\n\
         session keys from it. {{X}} is sealed under those keys (after ChangeCipherSpec).\n\
         {}\n\n",
        style.bold("tryst demo --tls12: two TLS 1.2 sessions"),
        style.dim(
            "This demo prints every session's secrets: that is its point. A real program never shows them."
        ),
    )
}

/// What one session derived, recomputed from the wire and checked.
struct Derived {
    client_random: [u8; 32],
    server_random: [u8; 32],
    premaster: Vec<u8>,
    session_hash: Vec<u8>,
    master: Vec<u8>,
    /// client write key, server write key, client write IV, server write IV
    keys: [Vec<u8>; 4],
    /// The recomputed extended master secret equals the one tryst logged.
    master_matches: bool,
}

fn session(
    i: usize,
    addr: SocketAddr,
    config: &Arc<ClientConfig>,
    log: &MasterLog,
    style: Style,
) -> Result<Derived, Failure> {
    let mut text = format!(
        "{}\n",
        style.bold(&format!(
            "Session {i}: a full TLS 1.2 handshake (ECDHE, extended master secret)"
        ))
    );
    let sock =
        TcpStream::connect_timeout(&addr, STEP_TIMEOUT).map_err(|e| demo_err("connecting", e))?;
    sock.set_read_timeout(Some(STEP_TIMEOUT))
        .and_then(|()| sock.set_write_timeout(Some(STEP_TIMEOUT)))
        .map_err(|e| demo_err("connecting", e))?;
    let mut tee = Tee {
        sock,
        sent: Vec::new(),
        received: Vec::new(),
    };
    let name = ServerName::try_from("localhost").map_err(|e| demo_err("naming", e))?;
    let mut conn = ClientConnection::new_traced(config.clone(), name, true)
        .map_err(|e| demo_err("starting the client", e))?;
    let mut chart = Chart::new(style);
    text.push_str(&chart.header());
    talk(&mut conn, &mut tee, i)?;
    chart.draw(&conn.take_events(), &mut text);
    text.push_str(&format!("      {}\n", style.dim("negotiated:")));
    for (k, v) in crate::chart::negotiated(&conn) {
        text.push_str(&format!("        {k:<13} {v}\n"));
    }
    let suite = conn
        .negotiated_cipher_suite()
        .ok_or_else(|| demo_err("reading the suite", "none"))?;
    let derived = derive(&tee, log, &suite)?;
    derivation_text(&derived, &suite, style, &mut text);
    text.push('\n');
    out(&text);
    Ok(derived)
}

/// Handshake, one echoed message, close.
fn talk(conn: &mut ClientConnection, tee: &mut Tee, i: usize) -> Result<(), Failure> {
    let mut stream = tryst::Stream::new(conn, tee);
    stream
        .complete_handshake()
        .map_err(|e| demo_err("in the handshake", e))?;
    let msg = format!("hello from TLS 1.2 session {i}");
    stream
        .write_all(msg.as_bytes())
        .map_err(|e| demo_err("sending", e))?;
    let mut got = vec![0u8; msg.len()];
    stream
        .read_exact(&mut got)
        .map_err(|e| demo_err("reading the echo", e))?;
    if got != msg.as_bytes() {
        return Err(demo_err("reading", "the echo differs from what was sent"));
    }
    stream.close().map_err(|e| demo_err("closing", e))?;
    Ok(())
}

/// The plaintext handshake messages of `tls` up to its first ChangeCipherSpec.
fn plaintext_messages(tls: &[u8]) -> Vec<Vec<u8>> {
    let mut body = Vec::new();
    let mut rest = tls;
    while let (Some(&typ), Some(len)) = (rest.first(), rest.get(3..5)) {
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let Some(fragment) = rest.get(5..5 + len) else {
            break;
        };
        if typ == 20 {
            break; // ChangeCipherSpec: what follows is sealed
        }
        if typ == 22 {
            body.extend_from_slice(fragment);
        }
        rest = rest.get(5 + len..).unwrap_or_default();
    }
    let mut msgs = Vec::new();
    let mut rest = body.as_slice();
    while let Ok(Some((raw, more))) = RawHandshake::split(rest, 1 << 20) {
        msgs.push(raw.encoded.to_vec());
        rest = more;
    }
    msgs
}

/// Recompute the session's derivation from the wire, the recorded premaster secret and
/// the key log (RFC 5246 §6.3, §8.1; RFC 7627 §4).
fn derive(
    tee: &Tee,
    log: &MasterLog,
    suite: &tryst::suites::SupportedCipherSuite,
) -> Result<Derived, Failure> {
    let ours = plaintext_messages(&tee.sent); // ClientHello, ClientKeyExchange
    let theirs = plaintext_messages(&tee.received); // ServerHello .. ServerHelloDone
    let (Some(ch), Some(cke), Some(sh)) = (ours.first(), ours.get(1), theirs.first()) else {
        return Err(demo_err("reading the handshake", "messages missing"));
    };
    let random = |m: &[u8]| -> [u8; 32] {
        m.get(6..38)
            .and_then(|r| r.try_into().ok())
            .unwrap_or([0; 32])
    };
    let mut transcript = ch.clone();
    theirs.iter().for_each(|m| transcript.extend_from_slice(m));
    transcript.extend_from_slice(cke);
    let session_hash = suite.hash.hash(&transcript);
    let premaster = PREMASTERS
        .lock()
        .ok()
        .and_then(|mut p| p.pop())
        .ok_or_else(|| demo_err("reading the premaster secret", "not recorded"))?;
    let (logged_random, master) = log
        .entries
        .lock()
        .ok()
        .and_then(|mut e| e.pop())
        .ok_or_else(|| demo_err("reading the key log", "no CLIENT_RANDOM line"))?;
    let pms = SharedSecret::from_slice(&premaster).map_err(|e| demo_err("premaster", e))?;
    let ems = tryst_keyschedule::tls12::extended_master_secret(suite.hash, &pms, &session_hash)
        .map_err(|e| demo_err("recomputing the master secret", e))?;
    let (client_random, server_random) = (random(ch), random(sh));
    let keys = key_block(suite, &master, &client_random, &server_random)?;
    Ok(Derived {
        master_matches: ems.expose_secret() == master.as_slice() && logged_random == client_random,
        client_random,
        server_random,
        premaster,
        session_hash: session_hash.as_bytes().to_vec(),
        master,
        keys,
    })
}

/// The key block cut into client/server write keys and IVs (AEAD suites: no MAC keys).
fn key_block(
    suite: &tryst::suites::SupportedCipherSuite,
    master: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<[Vec<u8>; 4], Failure> {
    let key_len = suite.aead.key_len();
    let iv_len = iv_len(suite);
    let secret = tryst::crypto::Secret::from_slice(master).map_err(|e| demo_err("master", e))?;
    let block = tryst_keyschedule::tls12::key_block(
        suite.hash,
        &secret,
        client_random,
        server_random,
        2 * (key_len + iv_len),
    )
    .map_err(|e| demo_err("computing the key block", e))?;
    let part = |from: usize, len: usize| block.get(from..from + len).unwrap_or_default().to_vec();
    Ok([
        part(0, key_len),
        part(key_len, key_len),
        part(2 * key_len, iv_len),
        part(2 * key_len + iv_len, iv_len),
    ])
}

/// The implicit IV: AES-GCM's 4-byte salt (RFC 5288), ChaCha20-Poly1305's 12 bytes
/// (RFC 7905).
fn iv_len(suite: &tryst::suites::SupportedCipherSuite) -> usize {
    if suite.aead.algorithm() == tryst::crypto::AeadAlgorithm::ChaCha20Poly1305 {
        12
    } else {
        4
    }
}

fn derivation_text(
    d: &Derived,
    suite: &tryst::suites::SupportedCipherSuite,
    style: Style,
    text: &mut String,
) {
    let hash = if suite.hash.output_len() == 48 {
        "SHA-384"
    } else {
        "SHA-256"
    };
    let row = |text: &mut String, k: &str, v: &[u8], note: &str| {
        text.push_str(&format!("        {k:<22} {}\n", style.value(&hex(v))));
        if !note.is_empty() {
            text.push_str(&format!("        {:<22} {}\n", "", style.dim(note)));
        }
    };
    text.push_str(&format!(
        "      {}\n",
        style.dim("the key derivation of this session:")
    ));
    row(
        text,
        "client random",
        &d.client_random,
        "ClientHello.random",
    );
    row(
        text,
        "server random",
        &d.server_random,
        "ServerHello.random",
    );
    row(
        text,
        "premaster secret",
        &d.premaster,
        "X25519(client's ephemeral key, server's ephemeral key from ServerKeyExchange)",
    );
    row(
        text,
        "session hash",
        &d.session_hash,
        &format!("{hash}(ClientHello .. ClientKeyExchange)"),
    );
    row(
        text,
        "extended master secret",
        &d.master,
        "PRF(premaster, \"extended master secret\", session hash)[0..48]",
    );
    text.push_str(&format!(
        "        {:<22} {}\n",
        "",
        style.dim(if d.master_matches {
            "recomputed here from the premaster and the session hash: equals tryst's CLIENT_RANDOM key-log line"
        } else {
            "MISMATCH with tryst's CLIENT_RANDOM key-log line"
        })
    ));
    text.push_str(&format!(
        "        {:<22} {}\n",
        "key block",
        style
            .dim("PRF(master secret, \"key expansion\", server random + client random), cut into:")
    ));
    let [ck, sk, civ, siv] = &d.keys;
    row(text, "  client write key", ck, "");
    row(text, "  server write key", sk, "");
    row(text, "  client write IV", civ, "");
    row(text, "  server write IV", siv, "");
}

/// Every value of the sessions differs, and each master secret recomputed as logged.
fn summary(sessions: &[Derived], style: Style, keylog: Option<&std::path::Path>) -> (String, bool) {
    let mut text = format!("{}\n", style.bold("Summary"));
    let mut ok = sessions.iter().all(|d| d.master_matches);
    if let [a, b] = sessions {
        let pairs: [(&str, &[u8], &[u8]); 5] = [
            ("client random", &a.client_random, &b.client_random),
            ("server random", &a.server_random, &b.server_random),
            ("premaster secret", &a.premaster, &b.premaster),
            ("master secret", &a.master, &b.master),
            ("client write key", &a.keys[0], &b.keys[0]),
        ];
        for (what, x, y) in pairs {
            let differ = x != y;
            ok &= differ;
            text.push_str(&format!(
                "  {what:<18} session 1 {} session 2 {}: {}\n",
                style.value(&hex(x.get(..8).unwrap_or(x))),
                style.value(&hex(y.get(..8).unwrap_or(y))),
                if differ { "different" } else { "SAME" }
            ));
        }
    }
    text.push_str(&format!(
        "  New randoms and a new ECDHE exchange in each session give new keys: all different: {}\n",
        if ok { "yes" } else { "NO" }
    ));
    if let Some(p) = keylog {
        text.push_str(&format!(
            "  The master secrets were also appended to {} (CLIENT_RANDOM lines, for Wireshark).\n",
            p.display()
        ));
    }
    (text, ok)
}
