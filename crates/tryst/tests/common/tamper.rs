//! Tampering with plaintext flights in flight: each plaintext handshake message a side
//! sends can be rewritten before the peer sees it (must.rs, review_musts.rs).

use std::sync::Arc;

use tryst::messages::{
    AlertDescription, ClientHello, Codec, HandshakeMessage, RawHandshake, ServerHello,
};
use tryst::{ClientConfig, ConnectionCommon, Error, ServerConfig};

use super::{configs, pair};

/// The alert a failed side sends (from its error).
pub fn alert_of(e: &Option<Error>) -> Option<AlertDescription> {
    e.as_ref().and_then(Error::alert)
}

/// Run a handshake where `f` may rewrite each plaintext handshake message the client sends
/// (before the server sees it) and `g` each plaintext one the server sends.
pub fn tampered(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    f: &dyn Fn(&mut Vec<u8>),
    g: &dyn Fn(&mut Vec<u8>),
) -> (Option<Error>, Option<Error>) {
    tampered_with(&rewrite, cc, sc, f, g)
}

/// How a test applies an edit to the records one side sends (see [`rewrite`]).
pub type Rewriter<'a> = &'a dyn Fn(&[u8], &dyn Fn(&mut Vec<u8>)) -> Vec<u8>;

/// [`tampered`] with another way of applying the edits to each side's records (the TLS 1.2
/// tests edit each message of a record that holds several).
pub fn tampered_with(
    rewrite: Rewriter<'_>,
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    f: &dyn Fn(&mut Vec<u8>),
    g: &dyn Fn(&mut Vec<u8>),
) -> (Option<Error>, Option<Error>) {
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    for _ in 0..16 {
        let out = rewrite(c.pending_tls(), f);
        let n = c.pending_tls().len();
        c.consume_tls(n);
        let mut moved = !out.is_empty();
        feed(&mut s, &out, &mut se);
        let out = rewrite(s.pending_tls(), g);
        let n = s.pending_tls().len();
        s.consume_tls(n);
        moved |= !out.is_empty();
        feed(&mut c, &out, &mut ce);
        if !moved {
            break;
        }
    }
    (ce, se)
}

/// Feed `bytes` to `conn`, keeping its first error in `err`.
pub fn feed(conn: &mut ConnectionCommon, bytes: &[u8], err: &mut Option<Error>) {
    let mut off = 0;
    while off < bytes.len() {
        off += conn.read_tls_bytes(&bytes[off..]);
        if let Err(e) = conn.process_new_packets() {
            err.get_or_insert(e);
            return;
        }
    }
}

/// The server refused with `alert` (`se`, its error) and the client received that alert
/// (`ce`).
pub fn assert_server_refused(ce: Option<Error>, se: Option<Error>, alert: AlertDescription) {
    let se = se.expect("the server must refuse");
    assert_eq!(se.alert(), Some(alert), "{se}");
    assert_eq!(ce, Some(Error::AlertReceived(alert)));
}

/// Apply `f` to the body of every plaintext handshake record (type 22) in `tls`, fixing the
/// record and handshake lengths.
pub fn rewrite(tls: &[u8], f: &dyn Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] == 22 {
            let mut msg = rec[5..].to_vec();
            f(&mut msg);
            out.extend_from_slice(&[22, rec[1], rec[2]]);
            out.extend_from_slice(&u16::try_from(msg.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&msg);
        } else {
            out.extend_from_slice(rec);
        }
    }
    out
}

/// Apply `f` to every handshake message of every plaintext handshake record in `tls` (a
/// TLS 1.2 flight puts several in one record), fixing the lengths. Records of other types,
/// and handshake records that are not whole plaintext messages (encrypted), pass unchanged.
pub fn rewrite_messages(tls: &[u8], f: &dyn Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] != 22 || !plaintext_handshake(&rec[5..]) {
            out.extend_from_slice(rec);
            continue;
        }
        let mut body = Vec::new();
        let mut msgs = &rec[5..];
        while let Ok(Some((raw, more))) = RawHandshake::split(msgs, 1 << 20) {
            let mut m = raw.encoded.to_vec();
            f(&mut m);
            body.extend_from_slice(&m);
            msgs = more;
        }
        body.extend_from_slice(msgs);
        out.extend_from_slice(&[22, rec[1], rec[2]]);
        out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// Whether `body` is whole handshake messages (and not an encrypted record).
pub fn plaintext_handshake(mut body: &[u8]) -> bool {
    while let Ok(Some((_, more))) = RawHandshake::split(body, 1 << 20) {
        body = more;
        if body.is_empty() {
            return true;
        }
    }
    false
}

/// Parse a framed handshake message, change it with `m`, re-encode.
pub fn edit(msg: &mut Vec<u8>, m: &dyn Fn(&mut HandshakeMessage<'static>)) {
    let Ok(Some((raw, _))) = RawHandshake::split(msg, 1 << 20) else {
        return;
    };
    let Ok(parsed) = raw.parse() else { return };
    let mut owned = parsed.into_owned();
    m(&mut owned);
    *msg = owned.to_bytes().unwrap();
}

/// Leave the message alone.
pub fn none(_: &mut Vec<u8>) {}

/// A rewrite that applies `m` to the ServerHello.
pub fn server_hello(m: &dyn Fn(&mut ServerHello<'static>)) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::ServerHello(sh) = h {
                m(sh);
            }
        })
    }
}

/// A rewrite that applies `m` to the HelloRetryRequest.
pub fn hello_retry(m: &dyn Fn(&mut ServerHello<'static>)) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::HelloRetryRequest(hrr) = h {
                m(hrr);
            }
        })
    }
}

/// A rewrite that applies `m` to each ClientHello.
pub fn client_hello(m: &dyn Fn(&mut ClientHello<'static>)) -> impl Fn(&mut Vec<u8>) + '_ {
    move |msg| {
        edit(msg, &|h| {
            if let HandshakeMessage::ClientHello(ch) = h {
                m(ch);
            }
        })
    }
}

/// The client's alert when the default server's plaintext messages pass through `g`.
pub fn client_alert(g: &dyn Fn(&mut Vec<u8>)) -> Option<AlertDescription> {
    let (cc, sc) = configs();
    let (ce, _) = tampered(cc, sc, &none, g);
    alert_of(&ce)
}

/// The server's alert when the default client's plaintext messages pass through `f`.
pub fn server_alert(f: &dyn Fn(&mut Vec<u8>)) -> Option<AlertDescription> {
    let (cc, sc) = configs();
    let (_, se) = tampered(cc, sc, f, &none);
    alert_of(&se)
}

/// Run a handshake where `m` changes the second ClientHello (the answer to a
/// HelloRetryRequest). Returns how many ClientHellos went by and the server's error.
pub fn second_client_hello(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    m: &dyn Fn(&mut ClientHello<'static>),
) -> (usize, Option<Error>) {
    let seen = std::cell::Cell::new(0);
    let change = |ch: &mut ClientHello<'static>| {
        seen.set(seen.get() + 1);
        if seen.get() == 2 {
            m(ch);
        }
    };
    let f = client_hello(&change);
    let (_, se) = tampered(cc, sc, &f, &none);
    (seen.get(), se)
}
