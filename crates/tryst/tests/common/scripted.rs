//! A scripted server built from the lower crates (messages, keyschedule, record, crypto):
//! it answers our client's ClientHello with a first flight in which any message can be
//! wrong on purpose (scripted.rs, review_musts.rs, review_hello.rs).

use std::borrow::Cow;

use tryst::crypto::{ActiveKeyExchange, SHA256, Secret, Signer, X25519};
use tryst::messages::{
    AlertDescription, Certificate, CertificateEntry, CertificateRequest, CertificateVerify,
    CipherSuite, Codec, ContentType, EncryptedExtensions, Extension, Finished, HandshakeMessage,
    KeyShareEntry, NamedGroup, ProtocolVersion, RawHandshake, ServerHello, SignatureScheme,
};
use tryst::{ClientConnection, Error};
use tryst_keyschedule::{EarlySchedule, Transcript};
use tryst_record::RecordEncrypter;

use super::reseal::seal;
use super::{Pki, client_builder, clock, localhost, pki};

/// Randomness that is always the same, for the scripted side's key exchange.
pub struct FixedRng;
impl tryst::crypto::rng::TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(4)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(4)
    }
    fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
        d.fill(0x42);
        Ok(())
    }
}
impl tryst::crypto::rng::TryCryptoRng for FixedRng {}

/// Handshake keys from our X25519 share and the peer's: (client, server) handshake
/// traffic secrets over `hello` and `server_hello`.
pub fn handshake_secrets(
    kx: Box<dyn ActiveKeyExchange>,
    share: &[u8],
    hello: &[u8],
    server_hello: &[u8],
) -> (Secret, Secret) {
    let shared = kx.complete(share).unwrap();
    let mut t = Transcript::new(SHA256);
    t.add(hello).unwrap();
    t.add(server_hello).unwrap();
    let hs = EarlySchedule::new(SHA256).into_handshake(&shared).unwrap();
    (
        hs.client_handshake_traffic_secret(&t.current()).unwrap(),
        hs.server_handshake_traffic_secret(&t.current()).unwrap(),
    )
}

/// `msgs` in one handshake record protected with `secret` (TLS_AES_128_GCM_SHA256).
pub fn protected(secret: &Secret, msgs: &[u8]) -> Vec<u8> {
    seal(secret, ContentType::Handshake, msgs)
}

/// The scripted server's ServerHello and the handshake secrets that follow from it.
pub struct Answer {
    /// The ClientHello it answers, framed.
    pub client_hello: Vec<u8>,
    /// The framed ServerHello (TLS_AES_128_GCM_SHA256, X25519).
    pub server_hello: Vec<u8>,
    pub client_hs: Secret,
    pub server_hs: Secret,
}

/// Answer the ClientHello in the record `client_hello_record` with a ServerHello.
pub fn answer(client_hello_record: &[u8]) -> Answer {
    let (raw, _) = RawHandshake::split(&client_hello_record[5..], 1 << 16)
        .unwrap()
        .unwrap();
    let HandshakeMessage::ClientHello(ch) = raw.parse().unwrap() else {
        panic!()
    };
    let share = ch
        .extensions
        .iter()
        .find_map(|e| match e {
            Extension::KeyShareClient(k) => k.iter().find(|k| k.group == NamedGroup::X25519),
            _ => None,
        })
        .unwrap();
    let kx = X25519.start(&mut FixedRng).unwrap();
    let public = kx.public_key().to_vec();
    let sh = HandshakeMessage::ServerHello(ServerHello {
        legacy_version: ProtocolVersion::Tls12,
        random: [7; 32],
        legacy_session_id_echo: ch.legacy_session_id.clone(),
        cipher_suite: CipherSuite::TlsAes128GcmSha256,
        legacy_compression_method: 0,
        extensions: vec![
            Extension::SelectedVersion(ProtocolVersion::Tls13),
            Extension::KeyShareServer(KeyShareEntry::new(NamedGroup::X25519, &public)),
        ],
    })
    .to_bytes()
    .unwrap();
    let (client_hs, server_hs) = handshake_secrets(kx, &share.key_exchange, raw.encoded, &sh);
    Answer {
        client_hello: raw.encoded.to_vec(),
        server_hello: sh,
        client_hs,
        server_hs,
    }
}

/// What the scripted server gets wrong; the default is a correct flight.
#[derive(Default)]
pub struct Script {
    pub ee: Vec<Extension<'static>>,
    pub cert_request: Option<CertificateRequest<'static>>,
    pub cert_context: Vec<u8>,
    /// A handshake message sent right after EncryptedExtensions.
    pub extra: Option<Vec<u8>>,
    pub empty_certificate: bool,
    /// Extensions of the end entity's CertificateEntry.
    pub leaf_extensions: Vec<Extension<'static>>,
    pub cv_scheme: Option<SignatureScheme>,
    pub corrupt_signature: bool,
    pub corrupt_finished: bool,
    /// Put the first bytes of EncryptedExtensions in the ServerHello's plaintext record.
    pub split_across_key_change: bool,
}

/// The server's whole first flight (TLS_AES_128_GCM_SHA256, X25519, Ed25519), answering
/// the client's ClientHello record.
pub fn server_flight(p: &Pki, client_hello_record: &[u8], s: &Script) -> Vec<u8> {
    let a = answer(client_hello_record);
    let mut t = Transcript::new(SHA256);
    t.add(&a.client_hello).unwrap();
    t.add(&a.server_hello).unwrap();

    let mut out = Vec::new();
    let ee = HandshakeMessage::EncryptedExtensions(EncryptedExtensions {
        extensions: s.ee.clone(),
    })
    .to_bytes()
    .unwrap();
    let mut first = a.server_hello.clone();
    if s.split_across_key_change {
        first.extend_from_slice(&ee[..2]);
    }
    RecordEncrypter::new()
        .write(ContentType::Handshake, &first, &mut out)
        .unwrap();

    let mut msgs = vec![ee];
    if let Some(extra) = &s.extra {
        msgs.push(extra.clone());
    }
    if let Some(cr) = &s.cert_request {
        msgs.push(
            HandshakeMessage::CertificateRequest(cr.clone())
                .to_bytes()
                .unwrap(),
        );
    }
    let entries = if s.empty_certificate {
        vec![]
    } else {
        let mut leaf = CertificateEntry::new(&p.leaf_der);
        leaf.extensions.clone_from(&s.leaf_extensions);
        vec![leaf]
    };
    msgs.push(
        HandshakeMessage::Certificate(Certificate {
            certificate_request_context: Cow::Owned(s.cert_context.clone()),
            certificate_list: entries,
        })
        .to_bytes()
        .unwrap(),
    );
    for m in &msgs {
        t.add(m).unwrap();
    }
    let mut content = vec![0x20u8; 64];
    content.extend_from_slice(b"TLS 1.3, server CertificateVerify\0");
    content.extend_from_slice(t.current().as_bytes());
    let mut sig = p.leaf_key.sign(&content).unwrap();
    if s.corrupt_signature {
        sig[10] ^= 1;
    }
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: s.cv_scheme.unwrap_or(SignatureScheme::Ed25519),
        signature: sig.into(),
    })
    .to_bytes()
    .unwrap();
    t.add(&cv).unwrap();
    msgs.push(cv);
    let mut vd = tryst_keyschedule::verify_data(SHA256, &a.server_hs, &t.current())
        .unwrap()
        .expose_secret()
        .to_vec();
    if s.corrupt_finished {
        vd[0] ^= 1;
    }
    msgs.push(
        HandshakeMessage::Finished(Finished {
            verify_data: vd.into(),
        })
        .to_bytes()
        .unwrap(),
    );
    let mut flight = msgs.concat();
    if s.split_across_key_change {
        flight.drain(..2);
    }
    out.extend(protected(&a.server_hs, &flight));
    out
}

/// A client of the default configuration that has sent its ClientHello, and that record.
pub fn scripted_client(p: &Pki) -> (ClientConnection, Vec<u8>) {
    let cc = client_builder(p, &clock(), b"client").build().unwrap();
    let mut c = ClientConnection::new(cc, localhost()).unwrap();
    let ch = c.pending_tls().to_vec();
    c.consume_tls(ch.len());
    (c, ch)
}

/// Our client against the scripted server's flight `s`: the client and its result.
pub fn scripted(s: &Script) -> (ClientConnection, Result<(), Error>) {
    let p = pki();
    let (mut c, ch) = scripted_client(&p);
    c.read_tls_bytes(&server_flight(&p, &ch, s));
    let r = c.process_new_packets().map(|_| ());
    (c, r)
}

/// The alert of a client that must refuse the scripted flight `s`.
pub fn scripted_alert(s: &Script) -> Option<AlertDescription> {
    let (_, r) = scripted(s);
    r.expect_err("the client must refuse").alert()
}
