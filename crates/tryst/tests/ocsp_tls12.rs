//! OCSP stapling in TLS 1.2 (RFC 6066 §8) between tryst client and server: the server
//! acknowledges status_request in its ServerHello and sends CertificateStatus after
//! Certificate only when it has a response; the client hands it to the verifier hook and
//! the application. The attacks rewrite the server's plaintext flight: a CertificateStatus
//! or an acknowledgement the client did not ask for, a CertificateStatus without the
//! acknowledgement, another status type, an empty or short response, one out of place,
//! and a verifier that refuses. RFC 6066 §8 lets a server that acknowledged omit
//! CertificateStatus: the client accepts that.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::ocsp::{RESPONSE, ServerRecording, server_recording, stapled_key};
use common::tamper::feed;
use common::{clock, pair, pki};
use tryst::messages::{
    AlertDescription, Codec, Extension, HandshakeType, ProtocolVersion, RawHandshake, ServerHello,
    Tls12HandshakeMessage,
};
use tryst::pki_types::CertificateDer;
use tryst::{CertifiedKey, ClientConfig, ClientConnection, Error, ServerConfig, ServerConnection};

/// A TLS 1.2-only server, stapling `staple` when asked.
fn server(staple: Option<&[u8]>) -> Arc<ServerConfig> {
    ServerConfig::builder(stapled_key(pki().leaf_der, 2, staple))
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"server")))
        .with_protocol_versions(&[ProtocolVersion::Tls12])
        .with_ticket_keys(Arc::new(tryst::TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )))
        .build()
        .unwrap()
}

/// A client offering TLS 1.3 and 1.2 (the server picks 1.2), asking for a staple when `ask`.
fn client(v: &Arc<ServerRecording>, ask: bool) -> Arc<ClientConfig> {
    ClientConfig::builder()
        .with_verifier(v.clone())
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .with_ocsp_stapling(ask)
        .with_session_store(Some(Arc::new(tryst::session::InMemorySessionStore::new(4))))
        .build()
        .unwrap()
}

/// Apply `f` to each message of each plaintext handshake record (a TLS 1.2 server puts its
/// flight in one record); `f` may empty a message (drop it) or append to it (insert).
fn rewrite(tls: &[u8], f: &dyn Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = tls;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        let mut msgs = &rec[5..];
        let mut body = Vec::new();
        let mut whole = rec[0] == 22;
        while whole && !msgs.is_empty() {
            match RawHandshake::split(msgs, 1 << 20) {
                Ok(Some((raw, more))) => {
                    let mut m = raw.encoded.to_vec();
                    f(&mut m);
                    body.extend_from_slice(&m);
                    msgs = more;
                }
                _ => whole = false,
            }
        }
        if !whole {
            out.extend_from_slice(rec);
            continue;
        }
        if body.is_empty() {
            continue; // every message was dropped: so is the record
        }
        out.extend_from_slice(&[22, rec[1], rec[2]]);
        out.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&body);
    }
    out
}

struct Run {
    c: ClientConnection,
    s: ServerConnection,
    ce: Option<Error>,
    se: Option<Error>,
    /// What the server put on the wire before the rewrite.
    s_wire: Vec<u8>,
    /// What the client sent.
    c_wire: Vec<u8>,
}

/// A handshake where `g` rewrites each plaintext handshake message of the server.
fn run(cc: Arc<ClientConfig>, sc: Arc<ServerConfig>, g: &dyn Fn(&mut Vec<u8>)) -> Run {
    let (mut c, mut s) = pair(cc, sc);
    let (mut ce, mut se) = (None, None);
    let (mut s_wire, mut c_wire) = (Vec::new(), Vec::new());
    for _ in 0..16 {
        let out = c.pending_tls().to_vec();
        c.consume_tls(out.len());
        c_wire.extend_from_slice(&out);
        let mut moved = !out.is_empty();
        feed(&mut s, &out, &mut se);
        let raw = s.pending_tls().to_vec();
        s.consume_tls(raw.len());
        s_wire.extend_from_slice(&raw);
        let out = rewrite(&raw, g);
        moved |= !out.is_empty();
        feed(&mut c, &out, &mut ce);
        if !moved {
            break;
        }
    }
    Run {
        c,
        s,
        ce,
        se,
        s_wire,
        c_wire,
    }
}

fn keep(_: &mut Vec<u8>) {}

/// The TLS 1.2 messages of the server's plaintext flight, in order.
fn flight(s_wire: &[u8]) -> Vec<Tls12HandshakeMessage<'static>> {
    let found = std::cell::RefCell::new(Vec::new());
    rewrite(s_wire, &|m: &mut Vec<u8>| {
        if let Ok(msg) = Tls12HandshakeMessage::decode(m) {
            found.borrow_mut().push(msg.into_owned());
        }
    });
    found.into_inner()
}

/// A CertificateStatus body: status_type ocsp, then `RESPONSE` with its 24-bit length.
fn ocsp_body() -> Vec<u8> {
    let mut b = vec![1];
    b.extend_from_slice(&u32::try_from(RESPONSE.len()).unwrap().to_be_bytes()[1..]);
    b.extend_from_slice(RESPONSE);
    b
}

/// The framed CertificateStatus message with `body`.
fn status_message(body: &[u8]) -> Vec<u8> {
    let mut m = vec![22];
    m.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

fn typ(m: &[u8]) -> Option<HandshakeType> {
    m.first().map(|t| HandshakeType::from(*t))
}

/// Change the ServerHello's extensions with `f`.
fn edit_server_hello(m: &mut Vec<u8>, f: &dyn Fn(&mut ServerHello<'static>)) {
    if typ(m) != Some(HandshakeType::ServerHello) {
        return;
    }
    let Ok(Tls12HandshakeMessage::ServerHello(sh)) = Tls12HandshakeMessage::decode(m) else {
        return;
    };
    let mut sh = sh.into_owned();
    f(&mut sh);
    *m = Tls12HandshakeMessage::ServerHello(sh).to_bytes().unwrap();
}

fn no_ack(sh: &mut ServerHello<'static>) {
    sh.extensions
        .retain(|e| !matches!(e, Extension::StatusRequestEmpty));
}

fn add_ack(sh: &mut ServerHello<'static>) {
    sh.extensions.push(Extension::StatusRequestEmpty);
}

/// Replace the server's CertificateStatus with one whose body is `body`.
fn replace_status(body: &'static [u8]) -> impl Fn(&mut Vec<u8>) {
    move |m| {
        if typ(m) == Some(HandshakeType::CertificateStatus) {
            *m = status_message(body);
        }
    }
}

/// Put a CertificateStatus with `RESPONSE` after the server's Certificate.
fn insert_status(m: &mut Vec<u8>) {
    if typ(m) == Some(HandshakeType::Certificate) {
        m.extend(status_message(&ocsp_body()));
    }
}

#[track_caller]
fn assert_refused(r: &Run, alert: AlertDescription) {
    let ce = r.ce.as_ref().expect("the client must refuse");
    assert_eq!(ce.alert(), Some(alert), "{ce}");
    assert_eq!(
        r.se,
        Some(Error::AlertReceived(alert)),
        "the alert on the wire"
    );
}

/// The server's flight `s_wire` neither acknowledges status_request in its ServerHello
/// nor holds a CertificateStatus.
fn assert_no_ack_and_no_staple(s_wire: &[u8]) {
    let msgs = flight(s_wire);
    let Tls12HandshakeMessage::ServerHello(sh) = &msgs[0] else {
        panic!("{msgs:?}")
    };
    assert!(!sh.extensions.contains(&Extension::StatusRequestEmpty));
    assert!(
        !msgs
            .iter()
            .any(|m| matches!(m, Tls12HandshakeMessage::CertificateStatus(_)))
    );
}

#[test]
fn the_staple_reaches_the_verifier_and_the_application() {
    let v = server_recording(false);
    let r = run(client(&v, true), server(Some(RESPONSE)), &keep);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_eq!(r.c.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(r.c.peer_ocsp_response(), Some(RESPONSE));
    assert_eq!(*v.seen.lock().unwrap(), vec![RESPONSE.to_vec()]);
    // On the wire: the acknowledgement, then CertificateStatus right after Certificate.
    let msgs = flight(&r.s_wire);
    let Tls12HandshakeMessage::ServerHello(sh) = &msgs[0] else {
        panic!("{msgs:?}")
    };
    assert!(sh.extensions.contains(&Extension::StatusRequestEmpty));
    assert!(matches!(msgs[1], Tls12HandshakeMessage::Certificate(_)));
    let Tls12HandshakeMessage::CertificateStatus(cs) = &msgs[2] else {
        panic!("{msgs:?}")
    };
    assert_eq!(cs.ocsp_response.as_ref(), RESPONSE);
    assert!(matches!(
        msgs[3],
        Tls12HandshakeMessage::ServerKeyExchange(_)
    ));
    let _ = &r.s;
}

#[test]
fn no_staple_unless_the_client_asks() {
    let v = server_recording(false);
    let r = run(client(&v, false), server(Some(RESPONSE)), &keep);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_eq!(r.c.peer_ocsp_response(), None);
    // The hook still runs, with nothing stapled.
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
    assert_no_ack_and_no_staple(&r.s_wire);
}

#[test]
fn a_server_without_a_response_does_not_acknowledge() {
    let v = server_recording(false);
    let r = run(client(&v, true), server(None), &keep);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_eq!(r.c.peer_ocsp_response(), None);
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
    let Tls12HandshakeMessage::ServerHello(sh) = &flight(&r.s_wire)[0] else {
        panic!()
    };
    assert!(!sh.extensions.contains(&Extension::StatusRequestEmpty));
}

#[test]
fn a_resumed_session_staples_nothing() {
    let v = server_recording(false);
    let (cc, sc) = (client(&v, true), server(Some(RESPONSE)));
    let first = run(cc.clone(), sc.clone(), &keep);
    assert_eq!(first.c.peer_ocsp_response(), Some(RESPONSE));
    let r = run(cc, sc, &keep);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_eq!(r.c.handshake_kind(), Some(tryst::HandshakeKind::Resumed));
    assert_eq!(r.c.peer_ocsp_response(), None);
    let Tls12HandshakeMessage::ServerHello(sh) = &flight(&r.s_wire)[0] else {
        panic!()
    };
    assert!(!sh.extensions.contains(&Extension::StatusRequestEmpty));
}

#[test]
fn a_refused_staple_fails_with_the_verifiers_alert() {
    let v = server_recording(true);
    let r = run(client(&v, true), server(Some(RESPONSE)), &keep);
    assert_refused(&r, AlertDescription::BadCertificateStatusResponse);
    assert_eq!(*v.seen.lock().unwrap(), vec![RESPONSE.to_vec()]);
}

#[test]
fn an_acknowledgement_the_client_did_not_ask_for_is_unsupported_extension() {
    let v = server_recording(false);
    let r = run(client(&v, false), server(None), &|m: &mut Vec<u8>| {
        edit_server_hello(m, &add_ack)
    });
    assert_refused(&r, AlertDescription::UnsupportedExtension);
}

#[test]
fn certificate_status_without_an_acknowledgement_is_unexpected_message() {
    // The client did not ask (RFC 6066 §8: the server MUST NOT send it) ...
    let v = server_recording(false);
    let r = run(client(&v, false), server(None), &insert_status);
    assert_refused(&r, AlertDescription::UnexpectedMessage);
    // ... or asked, but the ServerHello did not acknowledge.
    let v = server_recording(false);
    let r = run(client(&v, true), server(Some(RESPONSE)), &|m: &mut Vec<
        u8,
    >| {
        edit_server_hello(m, &no_ack)
    });
    assert_refused(&r, AlertDescription::UnexpectedMessage);
    assert!(v.seen.lock().unwrap().len() <= 1, "the hook saw no staple");
    assert!(!v.seen.lock().unwrap().contains(&RESPONSE.to_vec()));
}

#[test]
fn certificate_status_twice_or_out_of_place_is_unexpected_message() {
    let v = server_recording(false);
    let twice = |m: &mut Vec<u8>| {
        if typ(m) == Some(HandshakeType::CertificateStatus) {
            let again = m.clone();
            m.extend(again);
        }
    };
    let r = run(client(&v, true), server(Some(RESPONSE)), &twice);
    assert_refused(&r, AlertDescription::UnexpectedMessage);
    // After ServerKeyExchange instead of before it.
    let moved = |m: &mut Vec<u8>| match typ(m) {
        Some(HandshakeType::CertificateStatus) => m.clear(),
        Some(HandshakeType::ServerKeyExchange) => m.extend(status_message(&ocsp_body())),
        _ => {}
    };
    let r = run(client(&v, true), server(Some(RESPONSE)), &moved);
    assert_refused(&r, AlertDescription::UnexpectedMessage);
}

#[test]
fn another_status_type_is_illegal_parameter() {
    // ocsp_multi (2, RFC 6961) was never asked for; 0 and 255 are not defined.
    for t in [2u8, 0, 255] {
        let body: &'static [u8] = Box::leak(vec![t, 0, 0, 1, 0x30].into_boxed_slice());
        let v = server_recording(false);
        let r = run(
            client(&v, true),
            server(Some(RESPONSE)),
            &replace_status(body),
        );
        assert_refused(&r, AlertDescription::IllegalParameter);
    }
}

#[test]
fn an_empty_or_short_response_is_decode_error() {
    for body in [
        &[1, 0, 0, 0][..],         // OCSPResponse<1..2^24-1> is empty
        &[1, 0, 0, 9, 0x30, 0x03], // the length says more than there is
        &[1, 0, 0],                // the length is cut
        &[1],                      // no response at all
        &[],                       // not even a status type
        &[1, 0, 0, 1, 0x30, 0x00], // a trailing byte
    ] {
        let v = server_recording(false);
        let r = run(
            client(&v, true),
            server(Some(RESPONSE)),
            &replace_status(body),
        );
        assert_refused(&r, AlertDescription::DecodeError);
        assert!(v.seen.lock().unwrap().is_empty(), "{body:?}");
    }
}

#[test]
fn an_acknowledged_but_omitted_certificate_status_is_accepted() {
    // RFC 6066 §8: "a server MAY also choose not to send a CertificateStatus message,
    // even if has received a status_request extension in the client hello message and has
    // sent a status_request extension in the server hello message." The client goes on,
    // showing the verifier an empty response. Dropping the message in flight changes the
    // server's transcript, and with it the extended master secret (RFC 7627), so the
    // server cannot open the client's Finished: what matters is that the client got past
    // the missing message and sent its whole flight.
    let v = server_recording(false);
    let drop = |m: &mut Vec<u8>| {
        if typ(m) == Some(HandshakeType::CertificateStatus) {
            m.clear();
        }
    };
    let r = run(client(&v, true), server(Some(RESPONSE)), &drop);
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
    assert_eq!(r.c.peer_ocsp_response(), None);
    let se = r.se.as_ref().expect("the server's transcript differs");
    assert_eq!(se.alert(), Some(AlertDescription::BadRecordMac), "{se}");
    assert!(
        r.c_wire.windows(6).any(|w| w == [20, 3, 3, 0, 1, 1]),
        "the client sent ChangeCipherSpec (its flight after ServerHelloDone)"
    );
    assert_eq!(
        r.ce,
        Some(Error::AlertReceived(AlertDescription::BadRecordMac))
    );
}

/// A TLS 1.2 server that sends its raw public key (RFC 7250) sends no certificate, so it
/// neither acknowledges status_request nor sends CertificateStatus, even though its
/// certificate has a response; the client completes the handshake with nothing stapled.
#[test]
fn a_raw_public_key_is_never_stapled() {
    let p = pki();
    let spki = tryst::cert::Certificate::from_der(&p.leaf_der)
        .unwrap()
        .public_key()
        .unwrap()
        .spki_der
        .to_vec();
    let signer: Arc<dyn tryst::crypto::Signer> = Arc::new(common::key(2));
    let ck = CertifiedKey::new(vec![CertificateDer::from(p.leaf_der.clone())], signer)
        .unwrap()
        .with_ocsp(RESPONSE.to_vec());
    let sc = ServerConfig::builder(ck)
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"server")))
        .with_protocol_versions(&[ProtocolVersion::Tls12])
        .with_raw_public_key(true)
        .build()
        .unwrap();
    let v = server_recording(false);
    let cc = ClientConfig::builder()
        .with_verifier(v.clone())
        .with_clock(clock())
        .with_rng(Arc::new(tryst::SeededRandom::new(b"client")))
        .with_ocsp_stapling(true)
        .with_server_raw_public_keys(vec![spki.clone()])
        .build()
        .unwrap();
    let r = run(cc, sc, &keep);
    assert!(r.ce.is_none() && r.se.is_none(), "{:?} {:?}", r.ce, r.se);
    assert_eq!(r.c.protocol_version(), Some(ProtocolVersion::Tls12));
    assert_eq!(r.c.peer_raw_public_key(), Some(spki.as_slice()));
    assert_eq!(r.c.peer_ocsp_response(), None);
    assert_no_ack_and_no_staple(&r.s_wire);
}
