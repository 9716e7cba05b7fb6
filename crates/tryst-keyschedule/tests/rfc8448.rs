//! RFC 8448 known answers: every secret, key, IV and verify_data of §3 (1-RTT) and §4
//! (resumed 0-RTT, including the PSK binder and the ticket PSK), and the §5
//! HelloRetryRequest transcript. Transcript hashes are computed from the message bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tryst_crypto::{SHA256, Secret, SharedSecret, x25519_agree};
use tryst_keyschedule::keylog::{self, KeyLog, KeyLogHook};
use tryst_keyschedule::{
    EarlySchedule, Error, PskKind, ResumptionMasterSecret, TrafficKeys, Transcript, derive_secret,
    finished_key, verify_data, verify_finished,
};

const SECTION3: &str = include_str!("data/rfc8448_section3.json");
const SECTION4: &str = include_str!("data/rfc8448_section4.json");
const ALL: &str = include_str!("data/rfc8448_all_sections_entries.json");

struct Vectors(Value);

impl Vectors {
    fn load(text: &str) -> Self {
        Vectors(serde_json::from_str(text).unwrap())
    }
    fn bytes(&self, key: &str) -> Vec<u8> {
        let s = self.0[key]
            .as_str()
            .unwrap_or_else(|| panic!("missing {key}"));
        hex::decode(s).unwrap()
    }
    fn secret(&self, key: &str) -> Secret {
        Secret::from_slice(&self.bytes(key)).unwrap()
    }
}

#[track_caller]
fn check(name: &str, got: &[u8], want: &[u8]) {
    assert_eq!(hex::encode(got), hex::encode(want), "{name}");
}

/// Records what the key log receives.
#[derive(Default)]
struct Recorder(Mutex<Vec<Logged>>);

/// (label, client_random, secret)
type Logged = (String, [u8; 32], Vec<u8>);

impl KeyLog for Recorder {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        self.0
            .lock()
            .unwrap()
            .push((label.to_owned(), *client_random, secret.to_vec()));
    }
}

impl Recorder {
    fn get(&self, label: &str) -> Vec<u8> {
        let v = self.0.lock().unwrap();
        let found: Vec<_> = v.iter().filter(|(l, _, _)| l == label).collect();
        assert_eq!(found.len(), 1, "{label} logged once");
        found[0].2.clone()
    }
}

/// ClientHello.random: bytes 6..38 of the framed ClientHello.
fn client_random(client_hello: &[u8]) -> [u8; 32] {
    client_hello[6..38].try_into().unwrap()
}

fn shared_x25519(v: &Vectors) -> SharedSecret {
    let client_priv = v.secret("client_x25519_private");
    let server_priv = v.secret("server_x25519_private");
    let at_client = x25519_agree(&client_priv, &v.bytes("server_x25519_public")).unwrap();
    let at_server = x25519_agree(&server_priv, &v.bytes("client_x25519_public")).unwrap();
    check(
        "ecdhe (client side)",
        at_client.expose_secret(),
        &v.bytes("ecdhe_shared_secret"),
    );
    check(
        "ecdhe (server side)",
        at_server.expose_secret(),
        &v.bytes("ecdhe_shared_secret"),
    );
    at_client
}

fn check_keys(v: &Vectors, secret: &Secret, key: &str, iv: &str) {
    let k = TrafficKeys::derive(SHA256, secret, 16).unwrap();
    check(key, k.key.expose_secret(), &v.bytes(key));
    check(iv, k.iv.expose_secret(), &v.bytes(iv));
}

#[test]
fn section3_simple_1rtt() {
    let v = Vectors::load(SECTION3);
    let shared = shared_x25519(&v);
    let log = Arc::new(Recorder::default());
    let ch = v.bytes("client_hello");
    let random = client_random(&ch);

    // Early stage without a PSK.
    let early = EarlySchedule::new(SHA256).with_key_log(KeyLogHook::new(log.clone(), random));
    check(
        "early_secret",
        early.early_secret().expose_secret(),
        &v.bytes("early_secret"),
    );
    let derived = derive_secret(SHA256, early.early_secret(), b"derived", &SHA256.hash(&[]));
    check(
        "derived (handshake)",
        derived.unwrap().expose_secret(),
        &v.bytes("derived_secret_for_handshake"),
    );
    assert_eq!(
        early.binder_key(PskKind::Resumption).unwrap_err(),
        Error::NoPsk
    );

    // ClientHello, ServerHello.
    let mut transcript = Transcript::new(SHA256);
    transcript.add(&ch).unwrap();
    transcript.add(&v.bytes("server_hello")).unwrap();
    let ch_sh = transcript.current();
    check(
        "transcript CH..SH",
        ch_sh.as_bytes(),
        &v.bytes("transcript_hash_ch_sh"),
    );

    let hs = early.into_handshake(&shared).unwrap();
    check(
        "handshake_secret",
        hs.handshake_secret().expose_secret(),
        &v.bytes("handshake_secret"),
    );
    let derived = derive_secret(SHA256, hs.handshake_secret(), b"derived", &SHA256.hash(&[]));
    check(
        "derived (master)",
        derived.unwrap().expose_secret(),
        &v.bytes("derived_secret_for_master"),
    );
    let client_hs = hs.client_handshake_traffic_secret(&ch_sh).unwrap();
    let server_hs = hs.server_handshake_traffic_secret(&ch_sh).unwrap();
    check(
        "client_handshake_traffic_secret",
        client_hs.expose_secret(),
        &v.bytes("client_handshake_traffic_secret"),
    );
    check(
        "server_handshake_traffic_secret",
        server_hs.expose_secret(),
        &v.bytes("server_handshake_traffic_secret"),
    );
    check_keys(
        &v,
        &server_hs,
        "server_handshake_key",
        "server_handshake_iv",
    );
    check_keys(
        &v,
        &client_hs,
        "client_handshake_key",
        "client_handshake_iv",
    );

    // EncryptedExtensions, Certificate, CertificateVerify; then the server Finished.
    let mut flight = transcript.fork();
    for m in ["encrypted_extensions", "certificate", "certificate_verify"] {
        transcript.add(&v.bytes(m)).unwrap();
    }
    let before_sf = transcript.current();
    check(
        "server_finished_key",
        finished_key(SHA256, &server_hs).unwrap().expose_secret(),
        &v.bytes("server_finished_key"),
    );
    let sf_data = verify_data(SHA256, &server_hs, &before_sf).unwrap();
    check(
        "server verify_data",
        sf_data.expose_secret(),
        &v.bytes("server_finished_verify_data"),
    );
    let server_finished = v.bytes("server_finished");
    assert_eq!(server_finished[..4], [0x14, 0, 0, 0x20]);
    verify_finished(SHA256, &server_hs, &before_sf, &server_finished[4..]).unwrap();
    let mut bad = server_finished[4..].to_vec();
    bad[31] ^= 1;
    let err = verify_finished(SHA256, &server_hs, &before_sf, &bad).unwrap_err();
    assert_eq!(err, Error::BadFinished);
    assert_eq!(err.alert(), 51);
    assert_eq!(
        verify_finished(SHA256, &server_hs, &before_sf, &bad[..31]).unwrap_err(),
        Error::BadFinished
    );
    // The wrong direction's key does not verify either.
    assert!(verify_finished(SHA256, &client_hs, &before_sf, &server_finished[4..]).is_err());
    transcript.add(&server_finished).unwrap();
    let ch_sf = transcript.current();
    check(
        "transcript CH..server Finished",
        ch_sf.as_bytes(),
        &v.bytes("transcript_hash_ch_server_finished"),
    );
    // The whole flight added at once hashes the same.
    flight
        .add(&v.bytes("server_handshake_flight_plaintext"))
        .unwrap();
    assert_eq!(flight.current(), ch_sf);
    assert_eq!(flight.message_count(), 6);

    // Master stage and application secrets.
    let master = hs.into_master().unwrap();
    check(
        "master_secret",
        master.master_secret().expose_secret(),
        &v.bytes("master_secret"),
    );
    let mut traffic = master.into_traffic(&ch_sf).unwrap();
    check(
        "client_application_traffic_secret_0",
        traffic.client_traffic_secret().expose_secret(),
        &v.bytes("client_application_traffic_secret_0"),
    );
    check(
        "server_application_traffic_secret_0",
        traffic.server_traffic_secret().expose_secret(),
        &v.bytes("server_application_traffic_secret_0"),
    );
    check(
        "exporter_master_secret",
        traffic.exporter().secret().expose_secret(),
        &v.bytes("exporter_master_secret"),
    );
    check_keys(
        &v,
        traffic.server_traffic_secret(),
        "server_application_key",
        "server_application_iv",
    );
    check_keys(
        &v,
        traffic.client_traffic_secret(),
        "client_application_key",
        "client_application_iv",
    );
    let k = traffic.server_traffic_keys(16).unwrap();
    check(
        "server_traffic_keys",
        k.key.expose_secret(),
        &v.bytes("server_application_key"),
    );
    let k = traffic.client_traffic_keys(16).unwrap();
    check(
        "client_traffic_keys",
        k.iv.expose_secret(),
        &v.bytes("client_application_iv"),
    );

    // Client Finished.
    check(
        "client_finished_key",
        finished_key(SHA256, &client_hs).unwrap().expose_secret(),
        &v.bytes("client_finished_key"),
    );
    let cf = verify_data(SHA256, &client_hs, &ch_sf).unwrap();
    check(
        "client verify_data",
        cf.expose_secret(),
        &v.bytes("client_finished_verify_data"),
    );
    let client_finished = v.bytes("client_finished");
    verify_finished(SHA256, &client_hs, &ch_sf, &client_finished[4..]).unwrap();
    transcript.add(&client_finished).unwrap();
    let ch_cf = transcript.current();
    check(
        "transcript CH..client Finished",
        ch_cf.as_bytes(),
        &v.bytes("transcript_hash_ch_client_finished"),
    );

    // Resumption master secret and the ticket's PSK (§4.6.1).
    let res = traffic.resumption_master_secret(&ch_cf).unwrap();
    check(
        "resumption_master_secret",
        res.secret().expose_secret(),
        &v.bytes("resumption_master_secret"),
    );
    assert_eq!(
        traffic.resumption_master_secret(&ch_cf).unwrap_err(),
        Error::SecretAlreadyUsed
    );
    let psk = res.ticket_psk(&v.bytes("ticket_nonce")).unwrap();
    check(
        "ticket PSK",
        psk.expose_secret(),
        &v.bytes("resumption_psk"),
    );
    // The NewSessionTicket carries that nonce: ticket_lifetime(4) ticket_age_add(4)
    // ticket_nonce<0..255>.
    let nst = v.bytes("new_session_ticket");
    assert_eq!(nst[12], 2);
    check(
        "ticket_nonce in NST",
        &nst[13..15],
        &v.bytes("ticket_nonce"),
    );

    // The key log saw each labelled secret once, under the ClientHello random.
    for (label, key) in [
        (
            keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET,
            "client_handshake_traffic_secret",
        ),
        (
            keylog::SERVER_HANDSHAKE_TRAFFIC_SECRET,
            "server_handshake_traffic_secret",
        ),
        (
            keylog::CLIENT_TRAFFIC_SECRET_0,
            "client_application_traffic_secret_0",
        ),
        (
            keylog::SERVER_TRAFFIC_SECRET_0,
            "server_application_traffic_secret_0",
        ),
        (keylog::EXPORTER_SECRET, "exporter_master_secret"),
    ] {
        check(label, &log.get(label), &v.bytes(key));
    }
    let entries = log.0.lock().unwrap();
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|(_, r, _)| *r == random));
}

#[test]
fn section4_resumed_0rtt() {
    let s3 = Vectors::load(SECTION3);
    let v = Vectors::load(SECTION4);

    // The PSK of §3's ticket.
    let res = ResumptionMasterSecret::from_secret(SHA256, s3.secret("resumption_master_secret"));
    let psk = res.ticket_psk(&s3.bytes("ticket_nonce")).unwrap();
    check(
        "psk_from_section3",
        psk.expose_secret(),
        &v.bytes("psk_from_section3"),
    );

    let log = Arc::new(Recorder::default());
    let ch = v.bytes("client_hello_with_binders");
    let random = client_random(&ch);
    let early =
        EarlySchedule::with_psk(SHA256, &psk).with_key_log(KeyLogHook::new(log.clone(), random));
    assert!(early.has_psk());
    check(
        "early_secret",
        early.early_secret().expose_secret(),
        &v.bytes("early_secret"),
    );

    // PSK binder over the ClientHello truncated before the binders list.
    let binder_key = early.binder_key(PskKind::Resumption).unwrap();
    check(
        "binder_key",
        binder_key.expose_secret(),
        &v.bytes("binder_key"),
    );
    check(
        "binder finished_key",
        finished_key(SHA256, &binder_key).unwrap().expose_secret(),
        &v.bytes("binder_finished_key"),
    );
    let truncated = v.bytes("client_hello_prefix_for_binder");
    assert_eq!(truncated, v.bytes("client_hello_truncated_without_binders"));
    assert!(ch.starts_with(&truncated));
    let transcript0 = Transcript::new(SHA256);
    let binder_hash = transcript0.current_with(&truncated);
    check(
        "binder_hash",
        binder_hash.as_bytes(),
        &v.bytes("binder_hash"),
    );
    let binder = early.psk_binder(PskKind::Resumption, &binder_hash).unwrap();
    check("binder", binder.expose_secret(), &v.bytes("binder"));
    // In the ClientHello: binders<33..> = 00 21, then binder<32..255> = 20 <binder>.
    check(
        "binder on the wire",
        &ch[ch.len() - 32..],
        &v.bytes("binder"),
    );
    early
        .verify_psk_binder(PskKind::Resumption, &binder_hash, &ch[ch.len() - 32..])
        .unwrap();
    let mut bad = v.bytes("binder");
    bad[0] ^= 0x80;
    let err = early
        .verify_psk_binder(PskKind::Resumption, &binder_hash, &bad)
        .unwrap_err();
    assert_eq!(err, Error::BadBinder);
    assert_eq!(err.alert(), 51);
    // An external PSK uses another binder key, so the binder does not verify as one.
    assert!(
        early
            .verify_psk_binder(PskKind::External, &binder_hash, &v.bytes("binder"))
            .is_err()
    );

    // 0-RTT secrets over the whole ClientHello.
    let mut transcript = Transcript::new(SHA256);
    transcript.add(&ch).unwrap();
    let ch_hash = transcript.current();
    check(
        "transcript CH",
        ch_hash.as_bytes(),
        &v.bytes("transcript_hash_ch"),
    );
    let early_traffic = early.client_early_traffic_secret(&ch_hash).unwrap();
    check(
        "client_early_traffic_secret",
        early_traffic.expose_secret(),
        &v.bytes("client_early_traffic_secret"),
    );
    let early_exporter = early.early_exporter_master_secret(&ch_hash).unwrap();
    check(
        "early_exporter_master_secret",
        early_exporter.secret().expose_secret(),
        &v.bytes("early_exporter_master_secret"),
    );
    check_keys(&v, &early_traffic, "client_early_key", "client_early_iv");

    // ServerHello, with a fresh X25519 exchange (psk_dhe_ke).
    let shared = shared_x25519(&v);
    transcript.add(&v.bytes("server_hello")).unwrap();
    let ch_sh = transcript.current();
    check(
        "transcript CH..SH",
        ch_sh.as_bytes(),
        &v.bytes("transcript_hash_ch_sh"),
    );
    let hs = early.into_handshake(&shared).unwrap();
    check(
        "handshake_secret",
        hs.handshake_secret().expose_secret(),
        &v.bytes("handshake_secret"),
    );
    let client_hs = hs.client_handshake_traffic_secret(&ch_sh).unwrap();
    let server_hs = hs.server_handshake_traffic_secret(&ch_sh).unwrap();
    check(
        "client_handshake_traffic_secret",
        client_hs.expose_secret(),
        &v.bytes("client_handshake_traffic_secret"),
    );
    check(
        "server_handshake_traffic_secret",
        server_hs.expose_secret(),
        &v.bytes("server_handshake_traffic_secret"),
    );
    check_keys(
        &v,
        &server_hs,
        "server_handshake_key",
        "server_handshake_iv",
    );
    check_keys(
        &v,
        &client_hs,
        "client_handshake_key",
        "client_handshake_iv",
    );

    // EncryptedExtensions, server Finished.
    transcript.add(&v.bytes("encrypted_extensions")).unwrap();
    check(
        "server_finished_key",
        finished_key(SHA256, &server_hs).unwrap().expose_secret(),
        &v.bytes("server_finished_key"),
    );
    let sf = v.bytes("server_finished");
    let sf_data = verify_data(SHA256, &server_hs, &transcript.current()).unwrap();
    check("server verify_data", sf_data.expose_secret(), &sf[4..]);
    verify_finished(SHA256, &server_hs, &transcript.current(), &sf[4..]).unwrap();
    transcript.add(&sf).unwrap();
    let ch_sf = transcript.current();
    check(
        "transcript CH..server Finished",
        ch_sf.as_bytes(),
        &v.bytes("transcript_hash_ch_server_finished"),
    );

    let master = hs.into_master().unwrap();
    check(
        "master_secret",
        master.master_secret().expose_secret(),
        &v.bytes("master_secret"),
    );
    let mut traffic = master.into_traffic(&ch_sf).unwrap();
    check(
        "client_application_traffic_secret_0",
        traffic.client_traffic_secret().expose_secret(),
        &v.bytes("client_application_traffic_secret_0"),
    );
    check(
        "server_application_traffic_secret_0",
        traffic.server_traffic_secret().expose_secret(),
        &v.bytes("server_application_traffic_secret_0"),
    );
    check(
        "exporter_master_secret",
        traffic.exporter().secret().expose_secret(),
        &v.bytes("exporter_master_secret"),
    );
    check_keys(
        &v,
        traffic.server_traffic_secret(),
        "server_application_key",
        "server_application_iv",
    );
    check_keys(
        &v,
        traffic.client_traffic_secret(),
        "client_application_key",
        "client_application_iv",
    );

    // EndOfEarlyData, then the client Finished.
    transcript.add(&v.bytes("end_of_early_data")).unwrap();
    check(
        "client_finished_key",
        finished_key(SHA256, &client_hs).unwrap().expose_secret(),
        &v.bytes("client_finished_key"),
    );
    let cf = v.bytes("client_finished");
    let cf_data = verify_data(SHA256, &client_hs, &transcript.current()).unwrap();
    check("client verify_data", cf_data.expose_secret(), &cf[4..]);
    verify_finished(SHA256, &client_hs, &transcript.current(), &cf[4..]).unwrap();
    transcript.add(&cf).unwrap();
    let res = traffic
        .resumption_master_secret(&transcript.current())
        .unwrap();
    check(
        "resumption_master_secret",
        res.secret().expose_secret(),
        &v.bytes("resumption_master_secret"),
    );

    for (label, key) in [
        (
            keylog::CLIENT_EARLY_TRAFFIC_SECRET,
            "client_early_traffic_secret",
        ),
        (
            keylog::EARLY_EXPORTER_SECRET,
            "early_exporter_master_secret",
        ),
        (
            keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET,
            "client_handshake_traffic_secret",
        ),
        (
            keylog::SERVER_HANDSHAKE_TRAFFIC_SECRET,
            "server_handshake_traffic_secret",
        ),
        (
            keylog::CLIENT_TRAFFIC_SECRET_0,
            "client_application_traffic_secret_0",
        ),
        (
            keylog::SERVER_TRAFFIC_SECRET_0,
            "server_application_traffic_secret_0",
        ),
        (keylog::EXPORTER_SECRET, "exporter_master_secret"),
    ] {
        check(label, &log.get(label), &v.bytes(key));
    }
}

/// One value of the §5 trace: the `n`-th entry whose step contains `step` and whose label
/// is `label`.
fn entry(section: &Value, step: &str, label: &str, n: usize) -> Vec<u8> {
    let found: Vec<&Value> = section["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["step"].as_str().unwrap().contains(step) && e["label"].as_str() == Some(label)
        })
        .collect();
    hex::decode(
        found
            .get(n)
            .unwrap_or_else(|| panic!("{step} / {label} #{n}"))["hex"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn section5_hello_retry_request() {
    let all: Value = serde_json::from_str(ALL).unwrap();
    let s5 = &all["5"];
    assert_eq!(s5["title"], "HelloRetryRequest");
    let ch1 = entry(s5, "construct a ClientHello", "ClientHello", 0);
    let hrr = entry(s5, "construct a ServerHello", "ServerHello", 0);
    let ch2 = entry(s5, "construct a ClientHello", "ClientHello", 1);
    let sh = entry(s5, "construct a ServerHello", "ServerHello", 1);
    // The HelloRetryRequest is a ServerHello with the special random (RFC 8446 §4.1.3).
    assert_eq!(
        hex::encode(&hrr[6..38]),
        "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
    );

    // P-256 key shares (tryst-crypto has only X25519, so use p256 directly).
    let client_priv = entry(s5, "create an ephemeral P-256", "private key", 0);
    let server_pub = entry(s5, "create an ephemeral P-256", "public key", 1);
    let sk = p256::SecretKey::from_slice(&client_priv).unwrap();
    let pk = p256::PublicKey::from_sec1_bytes(&server_pub).unwrap();
    let shared = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine());
    let shared = SharedSecret::from_slice(shared.raw_secret_bytes()).unwrap();
    check(
        "P-256 shared secret",
        shared.expose_secret(),
        &entry(s5, "extract secret \"handshake\"", "IKM", 0),
    );

    // ClientHello1 is replaced by message_hash when the HelloRetryRequest arrives.
    let mut transcript = Transcript::new(SHA256);
    transcript.add(&ch1).unwrap();
    transcript.replace_with_message_hash().unwrap();
    let mut synthetic = vec![254, 0, 0, 32];
    synthetic.extend_from_slice(SHA256.hash(&ch1).as_bytes());
    assert_eq!(transcript.current(), SHA256.hash(&synthetic));
    transcript.add(&hrr).unwrap();
    transcript.add(&ch2).unwrap();
    transcript.add(&sh).unwrap();
    let ch_sh = transcript.current();
    check(
        "transcript message_hash..SH",
        ch_sh.as_bytes(),
        &entry(s5, "derive secret \"tls13 c hs traffic\"", "hash", 0),
    );

    let early = EarlySchedule::new(SHA256);
    check(
        "early secret",
        early.early_secret().expose_secret(),
        &entry(s5, "extract secret \"early\"", "secret", 0),
    );
    let hs = early.into_handshake(&shared).unwrap();
    check(
        "handshake secret",
        hs.handshake_secret().expose_secret(),
        &entry(s5, "extract secret \"handshake\"", "secret", 0),
    );
    let client_hs = hs.client_handshake_traffic_secret(&ch_sh).unwrap();
    let server_hs = hs.server_handshake_traffic_secret(&ch_sh).unwrap();
    check(
        "client_handshake_traffic_secret",
        client_hs.expose_secret(),
        &entry(s5, "derive secret \"tls13 c hs traffic\"", "expanded", 0),
    );
    check(
        "server_handshake_traffic_secret",
        server_hs.expose_secret(),
        &entry(s5, "derive secret \"tls13 s hs traffic\"", "expanded", 0),
    );
    let k = TrafficKeys::derive(SHA256, &server_hs, 16).unwrap();
    check(
        "server handshake key",
        k.key.expose_secret(),
        &entry(
            s5,
            "derive write traffic keys for handshake",
            "key expanded",
            0,
        ),
    );
    check(
        "server handshake iv",
        k.iv.expose_secret(),
        &entry(
            s5,
            "derive write traffic keys for handshake",
            "iv expanded",
            0,
        ),
    );

    // The rest of the server flight and its Finished.
    let ee = entry(
        s5,
        "construct an EncryptedExtensions",
        "EncryptedExtensions",
        0,
    );
    let cert = entry(s5, "construct a Certificate", "Certificate", 0);
    let cv = entry(s5, "construct a CertificateVerify", "CertificateVerify", 0);
    for m in [&ee, &cert, &cv] {
        transcript.add(m).unwrap();
    }
    let sf = entry(s5, "{server} construct a Finished", "Finished", 0);
    check(
        "server verify_data",
        verify_data(SHA256, &server_hs, &transcript.current())
            .unwrap()
            .expose_secret(),
        &sf[4..],
    );
    transcript.add(&sf).unwrap();
    let ch_sf = transcript.current();
    check(
        "transcript ..server Finished",
        ch_sf.as_bytes(),
        &entry(s5, "derive secret \"tls13 c ap traffic\"", "hash", 0),
    );
    let master = hs.into_master().unwrap();
    check(
        "master secret",
        master.master_secret().expose_secret(),
        &entry(s5, "extract secret \"master\"", "secret", 0),
    );
    let mut traffic = master.into_traffic(&ch_sf).unwrap();
    check(
        "client ap traffic",
        traffic.client_traffic_secret().expose_secret(),
        &entry(s5, "derive secret \"tls13 c ap traffic\"", "expanded", 0),
    );
    check(
        "server ap traffic",
        traffic.server_traffic_secret().expose_secret(),
        &entry(s5, "derive secret \"tls13 s ap traffic\"", "expanded", 0),
    );
    check(
        "exporter master",
        traffic.exporter().secret().expose_secret(),
        &entry(s5, "derive secret \"tls13 exp master\"", "expanded", 0),
    );
    let cf = entry(s5, "{client} construct a Finished", "Finished", 0);
    verify_finished(SHA256, &client_hs, &ch_sf, &cf[4..]).unwrap();
    transcript.add(&cf).unwrap();
    let res = traffic
        .resumption_master_secret(&transcript.current())
        .unwrap();
    check(
        "resumption master",
        res.secret().expose_secret(),
        &entry(s5, "derive secret \"tls13 res master\"", "expanded", 0),
    );
}
