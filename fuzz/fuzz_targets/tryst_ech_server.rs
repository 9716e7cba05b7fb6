//! Fuzz the server's Encrypted Client Hello path (RFC 9849 §5.1, §7.1): the decrypted
//! EncodedClientHelloInner is the input. A fixed outer ClientHello carries it in its
//! `encrypted_client_hello` extension, "sealed" in the fuzzing-only crypto mode
//! (docs/fuzzing.md: an all-zero AEAD tag opens as the bytes themselves), so the fuzzer
//! writes the inner hello directly and reaches the reconstruction from
//! `ech_outer_extensions`, the padding and inner-hello checks, and the handshake that
//! goes on with the inner hello. Checks: no panic, no hang, an error is one of the
//! typed ones with an alert, and an accepted inner hello is answered.
#![no_main]

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tryst::cert::CertificateBuilder;
use tryst::crypto::{Ed25519SigningKey, Secret, Signer};
use tryst::messages::{
    ClientHello, Codec, Extension, ExtensionType, HandshakeMessage, RawHandshake,
};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::{
    CertifiedKey, ClientConfig, ClientConnection, EchMode, EchServerKey, EchStatus, ManualClock,
    SeededRandom, ServerConfig, ServerConnection,
};

const NOW: u64 = 1_767_225_600;
const CONFIG_ID: u8 = 7;

struct Setup {
    config: Arc<ServerConfig>,
    /// The outer ClientHello, without its ECH extension.
    outer: ClientHello<'static>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let k = Ed25519SigningKey::from_seed(&Secret::from_slice(&[2; 32]).expect("seed"))
            .expect("key");
        let nb = i64::try_from(NOW).expect("now") - 86_400;
        let der = CertificateBuilder::new("public.example", nb, nb + 365 * 86_400)
            .dns_name("public.example")
            .dns_name("secret.example")
            .server_auth()
            .self_signed(&k)
            .expect("certificate");
        let signer: Arc<dyn Signer> = Arc::new(k);
        let anchors = tryst::cert::TrustAnchors::from_der([der.as_slice()]).expect("anchor");
        let ck = CertifiedKey::new(vec![CertificateDer::from(der)], signer).expect("ck");
        let rng = SeededRandom::new(b"fuzz ech");
        let key = EchServerKey::generate(CONFIG_ID, "public.example", &rng).expect("ech key");
        let clock = Arc::new(ManualClock::new(Duration::from_secs(NOW)));
        let config = ServerConfig::builder(ck)
            .with_clock(clock.clone())
            .with_rng(Arc::new(SeededRandom::new(b"fuzz ech server")))
            .with_ech_keys(vec![key])
            .build()
            .expect("server config");
        let client = ClientConfig::builder()
            .with_root_certificates(anchors)
            .with_clock(clock)
            .with_rng(Arc::new(SeededRandom::new(b"fuzz ech client")))
            .with_ech(EchMode::Disabled)
            .build()
            .expect("client config");
        let name = ServerName::try_from("public.example").expect("name");
        let c = ClientConnection::new(client, name).expect("client");
        let record = c.pending_tls();
        let (raw, _) = RawHandshake::split(record.get(5..).expect("record"), 1 << 20)
            .expect("split")
            .expect("message");
        let HandshakeMessage::ClientHello(outer) = raw.parse().expect("parse").into_owned() else {
            panic!("not a ClientHello")
        };
        Setup { config, outer }
    })
}

/// The outer hello record carrying `inner` as the ECH payload (tag all zero).
fn outer_record(outer: &ClientHello<'static>, inner: &[u8]) -> Option<Vec<u8>> {
    let payload_len = u16::try_from(inner.len().checked_add(16)?).ok()?;
    let mut body = vec![0, 0, 1, 0, 1, CONFIG_ID, 0, 32];
    body.extend_from_slice(&[9; 32]);
    body.extend_from_slice(&payload_len.to_be_bytes());
    body.extend_from_slice(inner);
    body.extend_from_slice(&[0; 16]);
    let mut ch = outer.clone();
    ch.extensions.push(Extension::Unknown {
        typ: ExtensionType::EncryptedClientHello,
        data: Cow::Owned(body),
    });
    let msg = HandshakeMessage::ClientHello(ch).to_bytes().ok()?;
    let mut out = Vec::new();
    for chunk in msg.chunks(16384) {
        out.extend_from_slice(&[22, 3, 1]);
        out.extend_from_slice(&u16::try_from(chunk.len()).ok()?.to_be_bytes());
        out.extend_from_slice(chunk);
    }
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let Some(record) = outer_record(&s.outer, data) else {
        return;
    };
    let mut conn = ServerConnection::new(s.config.clone()).expect("server");
    let mut off = 0;
    let mut result = Ok(());
    while off < record.len() {
        let n = conn.read_tls_bytes(&record[off..]);
        off += n;
        if let Err(e) = conn.process_new_packets() {
            result = Err(e);
            break;
        }
        if n == 0 {
            break;
        }
    }
    match result {
        Err(e) => assert!(e.alert().is_some(), "an error without an alert: {e:?}"),
        Ok(()) if conn.ech_status() == EchStatus::Accepted => {
            assert!(!conn.pending_tls().is_empty(), "accepted but no answer");
        }
        Ok(()) => {}
    }
});
