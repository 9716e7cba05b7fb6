//! OCSP staples on client certificates in TLS 1.3 (RFC 8446 §4.4.2.1) between tryst
//! client and server: a server configured to want them sends status_request in its
//! CertificateRequest (in the handshake and after it); a client whose certified key has
//! a response staples it to its leaf entry only then; the server hands it to its client
//! verifier's hook and to the application. A verifier can refuse it (its alert is sent),
//! and a staple the server did not ask for is unsupported_extension (the client's flight
//! is decrypted with the key log, edited and resealed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::Arc;

use common::ocsp::{ClientRecording, client_recording, stapled_key};
use common::reseal::{CollectLog, edit_client_second_flight};
use common::tamper::{assert_server_refused, edit, feed};
use common::*;
use tryst::messages::{AlertDescription, Extension, HandshakeMessage};
use tryst::pha::PostHandshakeAuth;
use tryst::suites::TLS13_AES_128_GCM_SHA256;
use tryst::{ClientConnection, Error, ServerConnection};

/// Not a real OCSP response: tryst passes the bytes on without parsing them.
const RESPONSE: &[u8] = b"\x30\x03\x0a\x01\x00 client stand-in OCSPResponse";

struct Opts {
    /// The server asks for client staples.
    ask: bool,
    /// The client's key carries a response.
    staple: Option<&'static [u8]>,
    compress: bool,
    /// Client auth after the handshake instead of in it.
    pha: bool,
}

const ASK: Opts = Opts {
    ask: true,
    staple: Some(RESPONSE),
    compress: false,
    pha: false,
};

/// A pair on TLS_AES_128_GCM_SHA256 with logged secrets and no tickets.
fn pair_with(
    o: &Opts,
    v: &Arc<ClientRecording>,
) -> (ClientConnection, ServerConnection, Arc<CollectLog>) {
    let p = pki();
    let clock = clock();
    let log = Arc::new(CollectLog::default());
    let mut cb = client_builder(&p, &clock, b"client")
        .with_cipher_suites(&[TLS13_AES_128_GCM_SHA256])
        .with_key_log(log.clone())
        .with_client_auth_cert(stapled_key(pki().client_der, 3, o.staple))
        .with_post_handshake_auth(o.pha);
    let mut sb = server_builder(&p, &clock, b"server")
        .with_ticket_count(0)
        .with_client_ocsp_stapling(o.ask);
    sb = match o.pha {
        true => sb.with_post_handshake_client_verifier(v.clone()),
        false => sb.with_client_cert_verifier(v.clone()),
    };
    if o.compress {
        cb = cb.with_certificate_compression(tryst::compress::default_compressors());
        sb = sb.with_certificate_compression(tryst::compress::default_compressors());
    }
    let (c, s) = pair(cb.build().unwrap(), sb.build().unwrap());
    (c, s, log)
}

#[test]
fn the_servers_request_gets_the_staple_to_the_verifier_and_the_application() {
    for compress in [false, true] {
        let v = client_recording(false);
        let (mut c, mut s, _) = pair_with(&Opts { compress, ..ASK }, &v);
        handshake(&mut c, &mut s);
        assert_eq!(
            s.peer_ocsp_response(),
            Some(RESPONSE),
            "compress={compress}"
        );
        assert_eq!(*v.seen.lock().unwrap(), vec![RESPONSE.to_vec()]);
        assert_eq!(
            s.peer_certificates()[0].as_ref(),
            pki().client_der.as_slice()
        );
    }
}

#[test]
fn no_staple_unless_the_server_asks() {
    let v = client_recording(false);
    let (mut c, mut s, _) = pair_with(&Opts { ask: false, ..ASK }, &v);
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_ocsp_response(), None);
    // The hook still runs, with nothing stapled: a verifier that needs one can refuse.
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
}

#[test]
fn a_client_without_a_response_staples_nothing() {
    let v = client_recording(false);
    let (mut c, mut s, _) = pair_with(
        &Opts {
            staple: None,
            ..ASK
        },
        &v,
    );
    handshake(&mut c, &mut s);
    assert_eq!(s.peer_ocsp_response(), None);
    assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
}

#[test]
fn a_refused_staple_fails_the_handshake_with_the_verifiers_alert() {
    let v = client_recording(true);
    let (mut c, mut s, _) = pair_with(&ASK, &v);
    let (ce, se) = transfer(&mut c, &mut s);
    assert_server_refused(ce, se, AlertDescription::BadCertificateStatusResponse);
    assert_eq!(s.peer_ocsp_response(), None);
}

#[test]
fn post_handshake_requests_ask_too() {
    for ask in [true, false] {
        let v = client_recording(false);
        let (mut c, mut s, _) = pair_with(
            &Opts {
                ask,
                pha: true,
                ..ASK
            },
            &v,
        );
        handshake(&mut c, &mut s);
        assert_eq!(s.peer_ocsp_response(), None);
        s.request_client_certificate().unwrap();
        let (ce, se) = transfer(&mut c, &mut s);
        assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
        assert_eq!(s.post_handshake_auth(), PostHandshakeAuth::Authenticated);
        let want = ask.then_some(RESPONSE);
        assert_eq!(s.peer_ocsp_response(), want, "ask={ask}");
        assert_eq!(
            *v.seen.lock().unwrap(),
            vec![want.unwrap_or_default().to_vec()]
        );
    }
}

#[test]
fn a_refused_post_handshake_staple_fails_the_connection_with_its_alert() {
    let v = client_recording(true);
    let (mut c, mut s, _) = pair_with(&Opts { pha: true, ..ASK }, &v);
    handshake(&mut c, &mut s);
    s.request_client_certificate().unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    assert_server_refused(ce, se, AlertDescription::BadCertificateStatusResponse);
}

/// Run the handshake to the client's second flight, let `f` edit its handshake messages
/// (decrypted), reseal them (one record at sequence number 0) and feed them to the
/// server; then the server's answer to the client. Returns both errors.
fn edited_client_flight(o: &Opts, f: &dyn Fn(&mut Vec<u8>)) -> (Option<Error>, Option<Error>) {
    let v = client_recording(false);
    let (mut c, mut s, log) = pair_with(o, &v);
    let se = edit_client_second_flight(&mut c, &mut s, &log, &|msgs| msgs.iter_mut().for_each(f));
    let mut ce = None;
    let answer = s.pending_tls().to_vec();
    s.consume_tls(answer.len());
    feed(&mut c, &answer, &mut ce);
    (ce, se)
}

#[test]
fn resealed_client_flight_untouched_completes() {
    let (ce, se) = edited_client_flight(&Opts { ask: false, ..ASK }, &|_| {});
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
}

#[test]
fn a_staple_the_server_did_not_ask_for_is_unsupported_extension() {
    let add_staple = |m: &mut Vec<u8>| {
        edit(m, &|h| {
            if let HandshakeMessage::Certificate(c) = h {
                c.certificate_list[0]
                    .extensions
                    .push(Extension::OcspResponse(RESPONSE.into()));
            }
        })
    };
    let (ce, se) = edited_client_flight(&Opts { ask: false, ..ASK }, &add_staple);
    assert_server_refused(ce, se, AlertDescription::UnsupportedExtension);
}

#[test]
fn tls12_clients_cannot_staple_and_the_hook_sees_nothing() {
    // RFC 6066 §8 gives a TLS 1.2 client no way to staple: the hook still runs (with an
    // empty response), so a verifier that requires a staple refuses a downgraded client.
    for refuse in [false, true] {
        let v = client_recording(refuse);
        let p = pki();
        let clock = clock();
        let cc = client_builder(&p, &clock, b"client")
            .with_client_auth_cert(stapled_key(pki().client_der, 3, Some(RESPONSE)))
            .build()
            .unwrap();
        let sc = server_builder(&p, &clock, b"server")
            .with_protocol_versions(&[tryst::messages::ProtocolVersion::Tls12])
            .with_client_ocsp_stapling(true)
            .with_client_cert_verifier(v.clone())
            .build()
            .unwrap();
        let (mut c, mut s) = pair(cc, sc);
        let (ce, se) = transfer(&mut c, &mut s);
        assert_eq!(*v.seen.lock().unwrap(), vec![Vec::<u8>::new()]);
        assert_eq!(s.peer_ocsp_response(), None);
        if refuse {
            assert_server_refused(ce, se, AlertDescription::BadCertificateStatusResponse);
        } else {
            assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
            assert_eq!(
                s.protocol_version(),
                Some(tryst::messages::ProtocolVersion::Tls12)
            );
        }
    }
}
