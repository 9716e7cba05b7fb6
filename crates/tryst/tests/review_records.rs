//! Review finding 13: record-layer and message-boundary rules (RFC 8446 §5, §5.1, §5.4,
//! §6.1), each attack sent through the public API with the outcome the RFC asks for.
//!
//! The attacker is a man in the middle who knows the traffic secrets (through the key log
//! of a first, honest run). Configs are deterministic, so a second run from fresh configs
//! sends the same bytes; the attacker replays the honest peer's messages with the framing
//! changed (coalesced, split, interleaved) and re-encrypted, so the only thing wrong with
//! a replayed flight is the rule under test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use common::*;
use tryst::crypto::{AES_128_GCM, SHA256, Secret, TAG_LEN};
use tryst::messages::{AlertDescription, CipherSuite, Codec, HandshakeMessage, RawHandshake};
use tryst::suites::{SECP256R1_GROUP, TLS13_AES_128_GCM_SHA256, X25519_GROUP};
use tryst::{ClientConfig, ClientConnection, ConnectionCommon, Error, Event, ServerConfig};
use tryst::{ServerConnection, messages::HandshakeType};

const CHS: &str = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
const SHS: &str = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
const CTS: &str = "CLIENT_TRAFFIC_SECRET_0";
const STS: &str = "SERVER_TRAFFIC_SECRET_0";

const HANDSHAKE: u8 = 22;
const ALERT: u8 = 21;
const CCS: u8 = 20;
const APP: u8 = 23;

/// A KeyUpdate (update_not_requested), framed.
const KEY_UPDATE: [u8; 5] = [24, 0, 0, 1, 0];

// ---- the attacker's tools ----

/// Keeps every secret the key log reports.
#[derive(Default)]
struct Tap(Mutex<HashMap<String, Vec<u8>>>);

impl tryst::KeyLog for Tap {
    fn log(&self, label: &str, _client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .insert(label.to_string(), secret.to_vec());
    }
}

impl Tap {
    fn keys(&self, label: &str) -> (Box<dyn tryst::crypto::AeadKeyed>, tryst::crypto::Iv) {
        let secret = self.0.lock().unwrap().get(label).cloned();
        let secret = Secret::from_slice(&secret.unwrap_or_else(|| panic!("no {label}"))).unwrap();
        let keys = tryst_keyschedule::TrafficKeys::derive(SHA256, &secret, 16).unwrap();
        (AES_128_GCM.new_key(&keys.key).unwrap(), keys.iv)
    }

    /// Open a protected record at `seq`: (inner content type, content).
    fn open(&self, label: &str, seq: u64, record: &[u8]) -> Option<(u8, Vec<u8>)> {
        let (key, iv) = self.keys(label);
        let (header, body) = record.split_at(5);
        let mut body = body.to_vec();
        let n = key
            .open_in_place(&iv.nonce_for(seq), header, &mut body)
            .ok()?;
        body.truncate(n);
        let at = body.iter().rposition(|&b| b != 0)?;
        let typ = body[at];
        body.truncate(at);
        Some((typ, body))
    }

    /// Seal `inner` (a whole TLSInnerPlaintext: content, type, padding) at `seq`.
    fn seal(&self, label: &str, seq: u64, inner: &[u8]) -> Vec<u8> {
        let (key, iv) = self.keys(label);
        let len = u16::try_from(inner.len() + TAG_LEN).unwrap();
        let mut rec = vec![APP, 3, 3];
        rec.extend_from_slice(&len.to_be_bytes());
        rec.extend_from_slice(inner);
        rec.extend_from_slice(&[0; TAG_LEN]);
        let (header, body) = rec.split_at_mut(5);
        key.seal_in_place(&iv.nonce_for(seq), header, body).unwrap();
        rec
    }
}

/// The records of a byte stream.
fn records(tls: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        out.push(rec.to_vec());
        rest = tail;
    }
    assert!(rest.is_empty(), "a partial record");
    out
}

/// One record as the honest peer sent it: its key (None in the clear), inner type and
/// content.
#[derive(Clone, Debug)]
struct Opened {
    key: Option<&'static str>,
    typ: u8,
    content: Vec<u8>,
}

/// Open a direction's whole stream, trying its keys in order (`labels`).
fn open_stream(tap: &Tap, tls: &[u8], labels: &[&'static str]) -> Vec<Opened> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut seq = 0;
    for rec in records(tls) {
        if rec[0] != APP {
            out.push(Opened {
                key: None,
                typ: rec[0],
                content: rec[5..].to_vec(),
            });
            continue;
        }
        loop {
            let label = labels[at];
            if let Some((typ, content)) = tap.open(label, seq, &rec) {
                out.push(Opened {
                    key: Some(label),
                    typ,
                    content,
                });
                seq += 1;
                break;
            }
            at += 1;
            seq = 0;
            assert!(at < labels.len(), "no key opens the record");
        }
    }
    out
}

/// The handshake messages carried by the opened records, in order.
fn handshake_messages(opened: &[Opened]) -> Vec<Vec<u8>> {
    let bytes: Vec<u8> = opened
        .iter()
        .filter(|o| o.typ == HANDSHAKE)
        .flat_map(|o| o.content.clone())
        .collect();
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    while let Some((raw, tail)) = RawHandshake::split(rest, 1 << 20).unwrap() {
        out.push(raw.encoded.to_vec());
        rest = tail;
    }
    out
}

/// The `n`-th (from 0) handshake message of type `typ`.
fn nth(msgs: &[Vec<u8>], typ: HandshakeType, n: usize) -> Vec<u8> {
    msgs.iter()
        .filter(|m| m[0] == typ.to_raw())
        .nth(n)
        .unwrap_or_else(|| panic!("no {typ:?} #{n}"))
        .clone()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A forged byte stream: records in the clear or sealed under a tapped key, each key with
/// its own sequence number.
struct Wire<'a> {
    tap: &'a Tap,
    seqs: HashMap<&'static str, u64>,
    out: Vec<u8>,
}

impl<'a> Wire<'a> {
    fn new(tap: &'a Tap) -> Self {
        Wire {
            tap,
            seqs: HashMap::new(),
            out: Vec::new(),
        }
    }

    /// Start `label`'s sequence number at `seq` (records the honest peer already sent).
    fn at(mut self, label: &'static str, seq: u64) -> Self {
        self.seqs.insert(label, seq);
        self
    }

    /// A record in the clear with legacy_record_version `version`.
    fn clear_v(mut self, typ: u8, version: u16, content: &[u8]) -> Self {
        self.out.push(typ);
        self.out.extend_from_slice(&version.to_be_bytes());
        self.out
            .extend_from_slice(&u16::try_from(content.len()).unwrap().to_be_bytes());
        self.out.extend_from_slice(content);
        self
    }

    fn clear(self, typ: u8, content: &[u8]) -> Self {
        self.clear_v(typ, 0x0303, content)
    }

    /// A protected record whose TLSInnerPlaintext is exactly `inner`.
    fn inner(mut self, label: &'static str, inner: &[u8]) -> Self {
        let seq = self.seqs.entry(label).or_insert(0);
        let rec = self.tap.seal(label, *seq, inner);
        *seq += 1;
        self.out.extend_from_slice(&rec);
        self
    }

    fn sealed(self, label: &'static str, typ: u8, content: &[u8]) -> Self {
        self.inner(label, &cat(&[content, &[typ]]))
    }

    fn raw(mut self, bytes: &[u8]) -> Self {
        self.out.extend_from_slice(bytes);
        self
    }

    fn bytes(self) -> Vec<u8> {
        self.out
    }
}

// ---- the honest run ----

/// How the honest peers are set up.
#[derive(Clone, Copy, Default)]
struct Opts {
    /// The server has no share for the client's first group: HelloRetryRequest.
    hrr: bool,
    /// The client sends a session id and change_cipher_spec (the server then does too).
    compat: bool,
}

fn configs(o: Opts, tap: &Arc<Tap>) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let p = pki();
    let clock = clock();
    let cc = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .with_groups(&[X25519_GROUP, SECP256R1_GROUP])
        .with_middlebox_compat(o.compat)
        .with_key_log(tap.clone())
        .build()
        .unwrap();
    let sb = server_builder(&p, &clock, b"server").with_cipher_suites(&[TLS13_AES_128_GCM_SHA256]);
    let sb = if o.hrr {
        sb.with_groups(&[SECP256R1_GROUP])
    } else {
        sb
    };
    (cc, sb.build().unwrap())
}

fn client(o: Opts, tap: &Arc<Tap>) -> ClientConnection {
    let mut c = ClientConnection::new(configs(o, tap).0, localhost()).unwrap();
    c.set_trace(true);
    c
}

fn server(o: Opts, tap: &Arc<Tap>) -> ServerConnection {
    let mut s = ServerConnection::new(configs(o, tap).1).unwrap();
    s.set_trace(true);
    s
}

/// Everything each side sent in an honest handshake (and its tickets).
struct Honest {
    tap: Arc<Tap>,
    c2s: Vec<u8>,
    s2c: Vec<u8>,
    /// The server's records, opened.
    server: Vec<Opened>,
    client_msgs: Vec<Vec<u8>>,
    server_msgs: Vec<Vec<u8>>,
}

impl Honest {
    fn run(o: Opts) -> Self {
        let tap = Arc::new(Tap::default());
        let (cc, sc) = configs(o, &tap);
        let (mut c, mut s) = pair(cc, sc);
        let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
        for _ in 0..16 {
            let out = c.pending_tls().to_vec();
            c.consume_tls(out.len());
            feed_ok(&mut s, &out);
            c2s.extend_from_slice(&out);
            let back = s.pending_tls().to_vec();
            s.consume_tls(back.len());
            feed_ok(&mut c, &back);
            s2c.extend_from_slice(&back);
            if out.is_empty() && back.is_empty() {
                break;
            }
        }
        assert!(!c.is_handshaking() && !s.is_handshaking());
        let client = open_stream(&tap, &c2s, &[CHS, CTS]);
        let server = open_stream(&tap, &s2c, &[SHS, STS]);
        Honest {
            client_msgs: handshake_messages(&client),
            server_msgs: handshake_messages(&server),
            tap,
            c2s,
            s2c,
            server,
        }
    }

    fn server_msg(&self, typ: HandshakeType) -> Vec<u8> {
        nth(&self.server_msgs, typ, 0)
    }

    fn client_msg(&self, typ: HandshakeType) -> Vec<u8> {
        nth(&self.client_msgs, typ, 0)
    }

    /// The client's first record (its first ClientHello), as sent.
    fn client_hello_record(&self) -> Vec<u8> {
        records(&self.c2s)[0].clone()
    }

    /// The server's encrypted handshake messages after the (last) ServerHello, in order.
    fn server_encrypted(&self) -> Vec<Vec<u8>> {
        self.server
            .iter()
            .filter(|o| o.key == Some(SHS))
            .map(|o| o.content.clone())
            .collect()
    }

    /// Records the server sent under its application key so far.
    fn server_app_records(&self) -> u64 {
        u64::try_from(self.server.iter().filter(|o| o.key == Some(STS)).count()).unwrap()
    }
}

// ---- the victim ----

/// Feed bytes in one piece per `read_tls_bytes` call, processing as we go; panics on error.
#[track_caller]
fn feed_ok(conn: &mut ConnectionCommon, bytes: &[u8]) {
    let mut off = 0;
    while off < bytes.len() {
        off += conn.read_tls_bytes(&bytes[off..]);
        if let Err(e) = conn.process_new_packets() {
            panic!("refused: {e}");
        }
    }
}

/// Feed bytes; the first error, if any.
fn feed(conn: &mut ConnectionCommon, bytes: &[u8]) -> Option<Error> {
    let mut off = 0;
    while off < bytes.len() {
        off += conn.read_tls_bytes(&bytes[off..]);
        if let Err(e) = conn.process_new_packets() {
            return Some(e);
        }
    }
    None
}

/// The attack must fail with `alert`, and that alert must be queued for the peer.
#[track_caller]
fn refused(conn: &mut ConnectionCommon, bytes: &[u8], alert: AlertDescription) -> Error {
    let _ = conn.take_events();
    let e = feed(conn, bytes).expect("the attack must be refused");
    assert_eq!(e.alert(), Some(alert), "{e}");
    let sent: Vec<_> = conn
        .take_events()
        .into_iter()
        .filter_map(|ev| match ev {
            Event::Alert {
                sent: true,
                description,
            } => Some(description),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [alert], "exactly the RFC's alert is sent");
    assert!(!conn.pending_tls().is_empty());
    // The error is permanent.
    assert_eq!(conn.process_new_packets().unwrap_err(), e);
    e
}

/// Like [`refused`], and the alert goes out in the clear (no keys yet): check its bytes.
#[track_caller]
fn refused_in_clear(conn: &mut ConnectionCommon, bytes: &[u8], alert: AlertDescription) {
    refused(conn, bytes, alert);
    let out = conn.pending_tls();
    assert_eq!(
        &out[out.len() - 7..],
        [ALERT, 3, 3, 0, 2, 2, alert.to_raw()]
    );
}

/// A client that has sent its ClientHello (the bytes are dropped: the forged flight
/// answers the honest run's identical ClientHello).
fn client_after_hello(o: Opts, tap: &Arc<Tap>) -> ClientConnection {
    let mut c = client(o, tap);
    let n = c.pending_tls().len();
    c.consume_tls(n);
    c
}

/// The server's flight, re-framed: ServerHello in the clear, then each encrypted message
/// in its own record, as `f` arranges them.
fn server_flight<'h>(
    h: &'h Honest,
    f: impl FnOnce(Wire<'h>, &[u8], &[Vec<u8>]) -> Wire<'h>,
) -> Vec<u8> {
    let sh = h.server_msg(HandshakeType::ServerHello);
    let enc = h.server_encrypted();
    f(Wire::new(&h.tap), &sh, &enc).bytes()
}

fn plain_flight(h: &Honest) -> Vec<u8> {
    server_flight(h, |mut w, sh, enc| {
        w = w.clear(HANDSHAKE, sh);
        for m in enc {
            w = w.sealed(SHS, HANDSHAKE, m);
        }
        w
    })
}

fn completes(conn: &mut ConnectionCommon, bytes: &[u8]) {
    feed_ok(conn, bytes);
    assert!(!conn.is_handshaking(), "the handshake must complete");
}

// ==== the forging tools reproduce the honest run ====

#[test]
fn a_reframed_honest_flight_is_accepted() {
    let h = Honest::run(Opts::default());
    // One message per record, as the honest server sent it.
    let mut c = client_after_hello(Opts::default(), &h.tap);
    completes(&mut c, &plain_flight(&h));
    // All encrypted messages in one record, and the ServerHello split over three records
    // (coalescing and fragmenting are fine where no key changes).
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = server_flight(&h, |w, sh, enc| {
        w.clear(HANDSHAKE, &sh[..1])
            .clear(HANDSHAKE, &sh[1..7])
            .clear(HANDSHAKE, &sh[7..])
            .sealed(SHS, HANDSHAKE, &enc.concat())
    });
    completes(&mut c, &flight);
    // The honest client's Finished, forged anew, is accepted by a fresh server.
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let fin = h.client_msg(HandshakeType::Finished);
    let w = Wire::new(&h.tap).sealed(CHS, HANDSHAKE, &fin[..3]);
    completes(&mut s, &w.sealed(CHS, HANDSHAKE, &fin[3..]).bytes());
}

// ==== item 2: messages that precede a key change must end their record (§5.1) ====

#[test]
fn server_hello_and_encrypted_extensions_in_one_record_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    // EncryptedExtensions in the clear, in the ServerHello's record; the rest sealed.
    let flight = server_flight(&h, |mut w, sh, enc| {
        w = w.clear(HANDSHAKE, &cat(&[sh, &enc[0]]));
        for m in &enc[1..] {
            w = w.sealed(SHS, HANDSHAKE, m);
        }
        w
    });
    refused_in_clear(&mut c, &flight, AlertDescription::UnexpectedMessage);
    assert_eq!(c.protocol_version(), None, "the ServerHello was not used");
}

#[test]
fn server_hello_followed_by_part_of_a_message_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = server_flight(&h, |w, sh, enc| {
        w.clear(HANDSHAKE, &cat(&[sh, &enc[0][..2]]))
            .sealed(SHS, HANDSHAKE, &enc.concat()[2..])
    });
    refused_in_clear(&mut c, &flight, AlertDescription::UnexpectedMessage);
}

#[test]
fn hello_retry_request_followed_by_server_hello_in_one_record_is_unexpected_message() {
    let o = Opts {
        hrr: true,
        ..Opts::default()
    };
    let h = Honest::run(o);
    let hrr = nth(&h.server_msgs, HandshakeType::ServerHello, 0);
    let sh = nth(&h.server_msgs, HandshakeType::ServerHello, 1);
    let mut c = client_after_hello(o, &h.tap);
    let mut w = Wire::new(&h.tap).clear(HANDSHAKE, &cat(&[&hrr, &sh]));
    for m in h.server_encrypted() {
        w = w.sealed(SHS, HANDSHAKE, &m);
    }
    refused_in_clear(&mut c, &w.bytes(), AlertDescription::UnexpectedMessage);
    // The same messages in their own records are fine.
    let mut c = client_after_hello(o, &h.tap);
    let mut w = Wire::new(&h.tap)
        .clear(HANDSHAKE, &hrr)
        .clear(HANDSHAKE, &sh);
    for m in h.server_encrypted() {
        w = w.sealed(SHS, HANDSHAKE, &m);
    }
    completes(&mut c, &w.bytes());
}

#[test]
fn client_hello_and_finished_in_one_record_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    // The client's Finished in the clear, in the ClientHello's record.
    let forged = Wire::new(&h.tap)
        .clear_v(
            HANDSHAKE,
            0x0301,
            &cat(&[
                &h.client_msg(HandshakeType::ClientHello),
                &h.client_msg(HandshakeType::Finished),
            ]),
        )
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
    assert!(s.is_handshaking());
}

#[test]
fn client_hello_followed_by_anything_in_its_record_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let ch = h.client_msg(HandshakeType::ClientHello);
    for tail in [&ch[..], &ch[..1], &[20, 0, 0, 32][..]] {
        let mut s = server(Opts::default(), &h.tap);
        let forged = Wire::new(&h.tap)
            .clear(HANDSHAKE, &cat(&[&ch, tail]))
            .bytes();
        refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
        assert_eq!(
            s.pending_tls().len(),
            7,
            "nothing but the alert was sent in answer to the ClientHello"
        );
    }
}

#[test]
fn client_hello_after_retry_followed_by_finished_in_one_record_is_unexpected_message() {
    let o = Opts {
        hrr: true,
        ..Opts::default()
    };
    let h = Honest::run(o);
    let ch1 = nth(&h.client_msgs, HandshakeType::ClientHello, 0);
    let ch2 = nth(&h.client_msgs, HandshakeType::ClientHello, 1);
    let fin = h.client_msg(HandshakeType::Finished);
    // ClientHello2 is still in the clear and precedes the handshake keys.
    let mut s = server(o, &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let forged = Wire::new(&h.tap)
        .clear(HANDSHAKE, &cat(&[&ch2, &fin]))
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
    // Both ClientHellos in one record.
    let mut s = server(o, &h.tap);
    let forged = Wire::new(&h.tap)
        .clear(HANDSHAKE, &cat(&[&ch1, &ch2]))
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
    // Honest framing completes.
    let mut s = server(o, &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let w = Wire::new(&h.tap).clear(HANDSHAKE, &ch2);
    completes(&mut s, &w.sealed(CHS, HANDSHAKE, &fin).bytes());
}

#[test]
fn server_finished_and_new_session_ticket_in_one_record_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let nst = h.server_msg(HandshakeType::NewSessionTicket);
    let mut c = client_after_hello(Opts::default(), &h.tap);
    // The ticket (due under the application key) rides in the Finished's record.
    let flight = server_flight(&h, |mut w, sh, enc| {
        w = w.clear(HANDSHAKE, sh);
        let (fin, rest) = enc.split_last().unwrap();
        for m in rest {
            w = w.sealed(SHS, HANDSHAKE, m);
        }
        w.sealed(SHS, HANDSHAKE, &cat(&[fin, &nst]))
    });
    refused(&mut c, &flight, AlertDescription::UnexpectedMessage);
    assert!(c.is_handshaking(), "the client did not complete");
}

#[test]
fn client_finished_and_key_update_in_one_record_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let fin = h.client_msg(HandshakeType::Finished);
    let forged = Wire::new(&h.tap)
        .sealed(CHS, HANDSHAKE, &cat(&[&fin, &KEY_UPDATE]))
        .bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
    assert!(s.is_handshaking(), "the server did not complete");
}

/// A connected pair after an honest handshake, with the attacker's tap.
fn connected() -> (ClientConnection, ServerConnection, Honest) {
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.c2s);
    feed_ok(&mut c, &h.s2c);
    let (n, m) = (c.pending_tls().len(), s.pending_tls().len());
    c.consume_tls(n);
    s.consume_tls(m);
    assert!(!c.is_handshaking() && !s.is_handshaking());
    (c, s, h)
}

#[test]
fn two_key_updates_in_one_record_is_unexpected_message() {
    let (_, mut s, h) = connected();
    let forged = Wire::new(&h.tap)
        .sealed(CTS, HANDSHAKE, &cat(&[&KEY_UPDATE, &KEY_UPDATE]))
        .bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
    assert_eq!(s.key_generations(), (0, 0), "no KeyUpdate was applied");

    // Client side: the server's KeyUpdate followed by a ticket.
    let (mut c, _, h) = connected();
    let nst = h.server_msg(HandshakeType::NewSessionTicket);
    let forged = Wire::new(&h.tap)
        .at(STS, h.server_app_records())
        .sealed(STS, HANDSHAKE, &cat(&[&KEY_UPDATE, &nst]))
        .bytes();
    refused(&mut c, &forged, AlertDescription::UnexpectedMessage);
    assert_eq!(c.key_generations(), (0, 0));
}

#[test]
fn one_key_update_per_record_is_accepted() {
    let (mut c, mut s, h) = connected();
    let forged = Wire::new(&h.tap)
        .sealed(CTS, HANDSHAKE, &KEY_UPDATE[..2])
        .sealed(CTS, HANDSHAKE, &KEY_UPDATE[2..])
        .bytes();
    feed_ok(&mut s, &forged);
    assert_eq!(s.key_generations(), (0, 1));
    let _ = &mut c;
}

#[test]
fn key_update_split_by_application_data_is_unexpected_message() {
    let (_, mut s, h) = connected();
    let forged = Wire::new(&h.tap)
        .sealed(CTS, HANDSHAKE, &KEY_UPDATE[..2])
        .sealed(CTS, APP, b"smuggled")
        .sealed(CTS, HANDSHAKE, &KEY_UPDATE[2..])
        .bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
    assert_eq!(
        read_all(&mut s),
        b"",
        "the interleaved record never reached the application"
    );
    assert_eq!(s.key_generations(), (0, 0));
}

#[test]
fn new_session_ticket_split_by_application_data_is_unexpected_message() {
    let (mut c, _, h) = connected();
    let nst = h.server_msg(HandshakeType::NewSessionTicket);
    let forged = Wire::new(&h.tap)
        .at(STS, h.server_app_records())
        .sealed(STS, HANDSHAKE, &nst[..10])
        .sealed(STS, APP, b"smuggled")
        .sealed(STS, HANDSHAKE, &nst[10..])
        .bytes();
    refused(&mut c, &forged, AlertDescription::UnexpectedMessage);
    assert_eq!(read_all(&mut c), b"");
}

#[test]
fn key_update_split_by_an_alert_is_unexpected_message() {
    // user_canceled (a warning) and close_notify between the two halves.
    for alert in [[1u8, 90], [1, 0]] {
        let (_, mut s, h) = connected();
        let forged = Wire::new(&h.tap)
            .sealed(CTS, HANDSHAKE, &KEY_UPDATE[..2])
            .sealed(CTS, ALERT, &alert)
            .sealed(CTS, HANDSHAKE, &KEY_UPDATE[2..])
            .bytes();
        refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
        assert!(!s.peer_has_closed());
    }
}

#[test]
fn server_hello_split_by_an_alert_or_change_cipher_spec_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    for (typ, body) in [(ALERT, &[1u8, 90][..]), (CCS, &[1][..])] {
        let mut c = client_after_hello(Opts::default(), &h.tap);
        let flight = server_flight(&h, |mut w, sh, enc| {
            w = w
                .clear(HANDSHAKE, &sh[..10])
                .clear(typ, body)
                .clear(HANDSHAKE, &sh[10..]);
            for m in enc {
                w = w.sealed(SHS, HANDSHAKE, m);
            }
            w
        });
        refused_in_clear(&mut c, &flight, AlertDescription::UnexpectedMessage);
    }
}

#[test]
fn encrypted_extensions_split_by_change_cipher_spec_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = server_flight(&h, |mut w, sh, enc| {
        w = w
            .clear(HANDSHAKE, sh)
            .sealed(SHS, HANDSHAKE, &enc[0][..3])
            .clear(CCS, &[1])
            .sealed(SHS, HANDSHAKE, &enc[0][3..]);
        for m in &enc[1..] {
            w = w.sealed(SHS, HANDSHAKE, m);
        }
        w
    });
    refused(&mut c, &flight, AlertDescription::UnexpectedMessage);
}

#[test]
fn client_hello_split_by_change_cipher_spec_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let ch = h.client_msg(HandshakeType::ClientHello);
    let mut s = server(Opts::default(), &h.tap);
    let forged = Wire::new(&h.tap)
        .clear_v(HANDSHAKE, 0x0301, &ch[..20])
        .clear(CCS, &[1])
        .clear(HANDSHAKE, &ch[20..])
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
}

#[test]
fn end_of_early_data_is_unexpected_message() {
    // No 0-RTT is ever accepted, so EndOfEarlyData is never expected.
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let forged = Wire::new(&h.tap)
        .sealed(CHS, HANDSHAKE, &[5, 0, 0, 0])
        .bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
}

// ==== item 7: data after close_notify is ignored (§6.1) ====

#[test]
fn records_after_close_notify_are_ignored_by_the_client() {
    let (mut c, mut s, h) = connected();
    s.send_plaintext(b"bye").unwrap();
    s.send_close_notify();
    let closing = s.pending_tls().to_vec();
    // After close_notify: a well-formed record, one with a bad tag, a plaintext handshake
    // record, a change_cipher_spec, an alert, garbage and a partial header.
    let after = Wire::new(&h.tap)
        .at(STS, h.server_app_records() + 2)
        .sealed(STS, APP, b"late")
        .raw(&[APP, 3, 3, 0, 20])
        .raw(&[0x55; 20])
        .clear(HANDSHAKE, &KEY_UPDATE)
        .clear(CCS, &[1])
        .clear(ALERT, &[2, 10])
        .raw(&[0xff, 0xff, 0xff, 0xff, 0xff, 0])
        .raw(&[APP, 3])
        .bytes();
    let _ = c.take_events();
    feed_ok(&mut c, &cat(&[&closing, &after]));
    assert!(c.peer_has_closed());
    assert_eq!(read_all(&mut c), b"bye");
    assert!(c.pending_tls().is_empty(), "no alert is sent");
    assert!(
        c.take_events()
            .iter()
            .all(|e| !matches!(e, Event::Alert { sent: true, .. }))
    );
    // More bytes later, too.
    feed_ok(&mut c, &[0x42; 100_000]);
    assert!(c.error().is_none());
    assert!(!c.wants_read());
    assert!(c.peer_has_closed());
}

#[test]
fn records_after_close_notify_are_ignored_by_the_server() {
    let (mut c, mut s, h) = connected();
    c.send_plaintext(b"bye").unwrap();
    c.send_close_notify();
    let closing = c.pending_tls().to_vec();
    let after = Wire::new(&h.tap)
        .at(CTS, 2)
        .sealed(CTS, HANDSHAKE, &KEY_UPDATE)
        .sealed(CTS, APP, b"late")
        .raw(&[APP, 3, 3, 0, 17])
        .bytes();
    // Close_notify and what follows in separate reads.
    feed_ok(&mut s, &closing);
    assert!(s.peer_has_closed());
    feed_ok(&mut s, &after);
    assert_eq!(read_all(&mut s), b"bye");
    assert_eq!(s.key_generations(), (0, 0), "the KeyUpdate was ignored");
    assert!(s.pending_tls().is_empty());
    assert!(s.error().is_none());
}

// ==== item 9: change_cipher_spec (§5) ====

#[test]
fn change_cipher_spec_before_the_first_client_hello_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    let forged = Wire::new(&h.tap)
        .clear(CCS, &[1])
        .raw(&h.client_hello_record())
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
}

#[test]
fn change_cipher_spec_after_the_client_hello_is_dropped() {
    let o = Opts {
        compat: true,
        ..Opts::default()
    };
    let h = Honest::run(o);
    // The honest middlebox-compatible client sends one; add more, before its Finished.
    let mut s = server(o, &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let fin = h.client_msg(HandshakeType::Finished);
    let forged = Wire::new(&h.tap)
        .clear(CCS, &[1])
        .clear(CCS, &[1])
        .clear_v(CCS, 0x0301, &[1])
        .sealed(CHS, HANDSHAKE, &fin)
        .bytes();
    completes(&mut s, &forged);
    // After a HelloRetryRequest, between the two ClientHellos.
    let o = Opts {
        hrr: true,
        compat: true,
    };
    let h = Honest::run(o);
    let mut s = server(o, &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let forged = Wire::new(&h.tap)
        .clear(CCS, &[1])
        .clear(
            HANDSHAKE,
            &nth(&h.client_msgs, HandshakeType::ClientHello, 1),
        )
        .clear(CCS, &[1])
        .sealed(CHS, HANDSHAKE, &h.client_msg(HandshakeType::Finished))
        .bytes();
    completes(&mut s, &forged);
}

#[test]
fn change_cipher_spec_other_than_one_byte_0x01_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    for body in [&[2u8][..], &[1, 1], &[], &[0]] {
        let mut s = server(Opts::default(), &h.tap);
        feed_ok(&mut s, &h.client_hello_record());
        let forged = Wire::new(&h.tap).clear(CCS, body).bytes();
        refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
    }
    // A protected change_cipher_spec (inner type 20).
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let forged = Wire::new(&h.tap).sealed(CHS, CCS, &[1]).bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
}

#[test]
fn change_cipher_spec_after_the_handshake_is_unexpected_message() {
    let (mut c, mut s, _) = connected();
    refused(
        &mut s,
        &[CCS, 3, 3, 0, 1, 1],
        AlertDescription::UnexpectedMessage,
    );
    refused(
        &mut c,
        &[CCS, 3, 3, 0, 1, 1],
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn change_cipher_spec_after_the_server_finished_is_unexpected_message() {
    // In the same flight, right after the Finished that completes the client.
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = cat(&[&plain_flight(&h), &[CCS, 3, 3, 0, 1, 1]]);
    refused(&mut c, &flight, AlertDescription::UnexpectedMessage);
}

#[test]
fn change_cipher_spec_before_the_server_hello_is_dropped_by_the_client() {
    // RFC 8446 §5: allowed any time after the first ClientHello was sent.
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = cat(&[&[CCS, 3, 3, 0, 1, 1], &plain_flight(&h)]);
    completes(&mut c, &flight);
}

// ==== item 10: legacy_record_version is ignored on receipt (§5.1) ====

fn with_version(record: &[u8], version: u16) -> Vec<u8> {
    let mut r = record.to_vec();
    r[1..3].copy_from_slice(&version.to_be_bytes());
    r
}

#[test]
fn client_hello_with_any_legacy_record_version_is_accepted() {
    let h = Honest::run(Opts::default());
    for version in [0x0300u16, 0x0301, 0x0302, 0x0303, 0x0304, 0x0000, 0xffff] {
        let mut s = server(Opts::default(), &h.tap);
        feed_ok(&mut s, &with_version(&h.client_hello_record(), version));
        let fin = h.client_msg(HandshakeType::Finished);
        completes(
            &mut s,
            &Wire::new(&h.tap).sealed(CHS, HANDSHAKE, &fin).bytes(),
        );
    }
}

#[test]
fn server_hello_with_any_legacy_record_version_is_accepted() {
    let h = Honest::run(Opts::default());
    for version in [0x0300u16, 0x0301, 0x0302, 0x0304, 0x1234] {
        let mut c = client_after_hello(Opts::default(), &h.tap);
        let flight = server_flight(&h, |mut w, sh, enc| {
            w = w.clear_v(HANDSHAKE, version, sh);
            for m in enc {
                w = w.sealed(SHS, HANDSHAKE, m);
            }
            w
        });
        completes(&mut c, &flight);
    }
}

#[test]
fn client_hello_fragmented_over_several_records_is_reassembled() {
    let h = Honest::run(Opts::default());
    let ch = h.client_msg(HandshakeType::ClientHello);
    let fin = h.client_msg(HandshakeType::Finished);
    let cuts: [&[usize]; 3] = [&[1, 2, 3, 4, 5], &[100], &[4, 50, 51, 52]];
    for cut in cuts {
        let mut w = Wire::new(&h.tap);
        let mut prev = 0;
        for (i, &c) in cut.iter().chain([ch.len()].iter()).enumerate() {
            let version = [0x0301u16, 0x0303, 0x0300, 0x0302][i % 4];
            w = w.clear_v(HANDSHAKE, version, &ch[prev..c]);
            prev = c;
        }
        let mut s = server(Opts::default(), &h.tap);
        // Delivered one byte at a time, too.
        for b in w.bytes() {
            feed_ok(&mut s, &[b]);
        }
        completes(
            &mut s,
            &Wire::new(&h.tap).sealed(CHS, HANDSHAKE, &fin).bytes(),
        );
    }
}

#[test]
fn client_hello_larger_than_a_record_is_reassembled() {
    // A ClientHello of some 20 KB (many unknown cipher suites) in 0x0301 records of 2^14.
    let h = Honest::run(Opts::default());
    let ch = h.client_msg(HandshakeType::ClientHello);
    let HandshakeMessage::ClientHello(mut hello) = HandshakeMessage::decode(&ch).unwrap() else {
        panic!()
    };
    for i in 0..10_000u16 {
        hello.cipher_suites.push(CipherSuite::from_raw(0xa000 + i));
    }
    let big = HandshakeMessage::ClientHello(hello).to_bytes().unwrap();
    assert!(big.len() > 1 << 14);
    let mut w = Wire::new(&h.tap);
    for piece in big.chunks(1 << 14) {
        w = w.clear_v(HANDSHAKE, 0x0301, piece);
    }
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &w.bytes());
    let out = s.pending_tls();
    assert_eq!(out[0], HANDSHAKE);
    assert_eq!(
        out[5],
        HandshakeType::ServerHello.to_raw(),
        "the server answered"
    );
}

#[test]
fn fragmented_client_hello_above_the_size_cap_is_decode_error() {
    let h = Honest::run(Opts::default());
    let ch = h.client_msg(HandshakeType::ClientHello);
    let mut limits = tryst::Limits::default();
    limits.max_handshake_message_len = ch.len() - 4 - 1;
    let p = pki();
    let sc = server_builder(&p, &clock(), b"server")
        .with_limits(limits)
        .build()
        .unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    s.set_trace(true);
    let w = Wire::new(&h.tap)
        .clear_v(HANDSHAKE, 0x0301, &ch[..10])
        .clear_v(HANDSHAKE, 0x0302, &ch[10..]);
    refused_in_clear(&mut s, &w.bytes(), AlertDescription::DecodeError);
}

// ==== item 15: empty records (§5.1, §5.4) ====

#[test]
fn empty_application_data_before_the_client_finished_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    for inner in [&[APP][..], &[APP, 0, 0, 0]] {
        let mut s = server(Opts::default(), &h.tap);
        feed_ok(&mut s, &h.client_hello_record());
        let forged = Wire::new(&h.tap).inner(CHS, inner).bytes();
        refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
    }
    // In the clear, before the ClientHello or after it.
    let mut s = server(Opts::default(), &h.tap);
    refused_in_clear(
        &mut s,
        &[APP, 3, 3, 0, 0],
        AlertDescription::UnexpectedMessage,
    );
    // (Once the handshake keys are in, an outer application_data record is ciphertext: too
    // short for a tag, it cannot authenticate.)
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    refused(&mut s, &[APP, 3, 3, 0, 0], AlertDescription::BadRecordMac);
}

#[test]
fn empty_application_data_before_the_server_finished_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = server_flight(&h, |mut w, sh, enc| {
        w = w.clear(HANDSHAKE, sh).inner(SHS, &[APP]);
        for m in enc {
            w = w.sealed(SHS, HANDSHAKE, m);
        }
        w
    });
    refused(&mut c, &flight, AlertDescription::UnexpectedMessage);
    // And in the clear before the ServerHello.
    let mut c = client_after_hello(Opts::default(), &h.tap);
    refused_in_clear(
        &mut c,
        &[APP, 3, 3, 0, 0],
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn empty_application_data_after_the_handshake_is_ignored() {
    let (mut c, mut s, h) = connected();
    let forged = Wire::new(&h.tap)
        .inner(CTS, &[APP])
        .inner(CTS, &[APP, 0, 0])
        .sealed(CTS, APP, b"x")
        .bytes();
    feed_ok(&mut s, &forged);
    assert_eq!(read_all(&mut s), b"x");
    // The server's 0.5-RTT data: right after its Finished, empty or not.
    let h = Honest::run(Opts::default());
    let mut c2 = client_after_hello(Opts::default(), &h.tap);
    let flight = Wire::new(&h.tap)
        .raw(&plain_flight(&h))
        .inner(STS, &[APP])
        .sealed(STS, APP, b"y")
        .bytes();
    feed_ok(&mut c2, &flight);
    assert_eq!(read_all(&mut c2), b"y");
    let _ = &mut c;
}

#[test]
fn empty_handshake_records_are_unexpected_message() {
    let h = Honest::run(Opts::default());
    // In the clear, as the first record.
    let mut s = server(Opts::default(), &h.tap);
    refused_in_clear(
        &mut s,
        &[HANDSHAKE, 3, 1, 0, 0],
        AlertDescription::UnexpectedMessage,
    );
    // Between two fragments of the ClientHello.
    let ch = h.client_hello_record();
    let mut s = server(Opts::default(), &h.tap);
    let forged = Wire::new(&h.tap)
        .clear(HANDSHAKE, &ch[5..20])
        .clear(HANDSHAKE, &[])
        .clear(HANDSHAKE, &ch[20..])
        .bytes();
    refused_in_clear(&mut s, &forged, AlertDescription::UnexpectedMessage);
    // Protected, padded or not (§5.4).
    for inner in [&[HANDSHAKE][..], &[HANDSHAKE, 0, 0]] {
        let mut s = server(Opts::default(), &h.tap);
        feed_ok(&mut s, &h.client_hello_record());
        refused(
            &mut s,
            &Wire::new(&h.tap).inner(CHS, inner).bytes(),
            AlertDescription::UnexpectedMessage,
        );
    }
    // Client side, protected and in the clear.
    let mut c = client_after_hello(Opts::default(), &h.tap);
    let flight = server_flight(&h, |w, sh, _| {
        w.clear(HANDSHAKE, sh).inner(SHS, &[HANDSHAKE])
    });
    refused(&mut c, &flight, AlertDescription::UnexpectedMessage);
    let mut c = client_after_hello(Opts::default(), &h.tap);
    refused_in_clear(
        &mut c,
        &[HANDSHAKE, 3, 3, 0, 0],
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn empty_and_malformed_alert_records() {
    let h = Honest::run(Opts::default());
    // Empty: unexpected_message (§5.4 for protected records; the same in the clear).
    let mut s = server(Opts::default(), &h.tap);
    refused_in_clear(
        &mut s,
        &[ALERT, 3, 3, 0, 0],
        AlertDescription::UnexpectedMessage,
    );
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    refused(
        &mut s,
        &Wire::new(&h.tap).inner(CHS, &[ALERT, 0]).bytes(),
        AlertDescription::UnexpectedMessage,
    );
    let (mut c, _, h2) = connected();
    let forged = Wire::new(&h2.tap)
        .at(STS, h2.server_app_records())
        .inner(STS, &[ALERT])
        .bytes();
    refused(&mut c, &forged, AlertDescription::UnexpectedMessage);
    // One byte or three: decode_error (an alert record holds exactly one alert, §5.1).
    for body in [&[1u8][..], &[1, 0, 0]] {
        let mut s = server(Opts::default(), &h.tap);
        refused_in_clear(
            &mut s,
            &Wire::new(&h.tap).clear(ALERT, body).bytes(),
            AlertDescription::DecodeError,
        );
    }
}

#[cfg(feature = "std")]
#[test]
fn records_after_close_notify_are_ignored_through_std_io() {
    let (mut c, mut s, _) = connected();
    s.send_plaintext(b"bye").unwrap();
    s.send_close_notify();
    let mut wire = s.pending_tls().to_vec();
    wire.extend_from_slice(&[0x55; 40_000]);
    let mut rd = std::io::Cursor::new(wire);
    while c.read_tls(&mut rd).unwrap() > 0 {
        c.process_new_packets().unwrap();
    }
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut c.reader(), &mut got).unwrap();
    assert_eq!(got, b"bye");
    assert!(c.pending_tls().is_empty());
}

// ==== neighbouring record-layer MUSTs, through the connection ====

#[test]
fn oversized_records_are_record_overflow() {
    let h = Honest::run(Opts::default());
    // A plaintext record above 2^14 (§5.1).
    let mut s = server(Opts::default(), &h.tap);
    let mut rec = vec![HANDSHAKE, 3, 1, 0x40, 0x01];
    rec.extend_from_slice(&[0; (1 << 14) + 1]);
    refused_in_clear(&mut s, &rec, AlertDescription::RecordOverflow);
    // A TLSInnerPlaintext above 2^14 + 1 (§5.4), here by padding.
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let mut inner = vec![APP];
    inner.resize((1 << 14) + 2, 0);
    refused(
        &mut s,
        &Wire::new(&h.tap).inner(CHS, &inner).bytes(),
        AlertDescription::RecordOverflow,
    );
}

#[test]
fn all_zero_inner_plaintext_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    refused(
        &mut s,
        &Wire::new(&h.tap).inner(CHS, &[0, 0, 0]).bytes(),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn unknown_alert_is_fatal_whatever_its_level() {
    let (_, mut s, h) = connected();
    let forged = Wire::new(&h.tap).sealed(CTS, ALERT, &[1, 0xfe]).bytes();
    let e = feed(&mut s, &forged).expect("a fatal alert");
    assert_eq!(e, Error::AlertReceived(AlertDescription::from_raw(0xfe)));
    assert!(s.pending_tls().is_empty(), "no alert answers an alert");
}

#[test]
fn key_update_before_the_handshake_completes_is_unexpected_message() {
    let h = Honest::run(Opts::default());
    let mut s = server(Opts::default(), &h.tap);
    feed_ok(&mut s, &h.client_hello_record());
    let forged = Wire::new(&h.tap)
        .sealed(CHS, HANDSHAKE, &KEY_UPDATE)
        .bytes();
    refused(&mut s, &forged, AlertDescription::UnexpectedMessage);
}

#[test]
fn key_update_with_an_unknown_request_is_illegal_parameter() {
    let (_, mut s, h) = connected();
    let forged = Wire::new(&h.tap)
        .sealed(CTS, HANDSHAKE, &[24, 0, 0, 1, 2])
        .bytes();
    refused(&mut s, &forged, AlertDescription::IllegalParameter);
}

#[test]
fn runs_of_empty_records_are_capped() {
    let (_, mut s, h) = connected();
    let mut w = Wire::new(&h.tap);
    for _ in 0..=tryst::Limits::default().max_empty_records {
        w = w.inner(CTS, &[APP]);
    }
    refused(&mut s, &w.bytes(), AlertDescription::UnexpectedMessage);
}
