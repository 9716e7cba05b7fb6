//! The TLS 1.2 steps both sides take: the transcript, the (extended) master secret and
//! key block (RFC 5246 §6.3, §8.1; RFC 7627), ChangeCipherSpec and Finished
//! (RFC 5246 §7.1, §7.4.9), the ServerKeyExchange signature rules, exporters (RFC 5705)
//! and the `CLIENT_RANDOM` key-log line.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use tryst_crypto::subtle::ConstantTimeEq;
use tryst_crypto::{AeadAlgorithm, Hash, Iv, Output, Secret, SharedSecret};
use tryst_keyschedule::TrafficKeys;
use tryst_keyschedule::tls12 as ks;
use tryst_messages::{
    AlertDescription, CertificateVerify, Codec, EcdheServerParams, Finished, NamedGroup,
    RawHandshake, ServerKeyExchange, SignatureScheme, Tls12HandshakeMessage,
};

use crate::Error;
use crate::config::{CertifiedKey, Common};
use crate::conn::{Core, Event, Side};
use crate::suites::{
    SupportedCipherSuite, SupportedGroup, Tls12Auth, tls12_scheme_auth, tls12_signature_algorithm,
    tls12_signature_scheme,
};

/// The SSLKEYLOGFILE label of a TLS 1.2 master secret.
pub(crate) const CLIENT_RANDOM: &str = "CLIENT_RANDOM";

/// RFC 8446 §4.1.3: the last 8 bytes of ServerHello.random from a server that supports
/// TLS 1.3 but negotiated TLS 1.2.
pub(crate) const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";

/// The groups TLS 1.2 can use (RFC 8422 ECDHE); the post-quantum hybrid is TLS 1.3's.
pub(crate) fn tls12_group(g: &SupportedGroup) -> bool {
    matches!(
        g.group,
        NamedGroup::X25519 | NamedGroup::Secp256r1 | NamedGroup::Secp384r1
    )
}

/// The handshake messages so far, kept whole: the TLS 1.2 CertificateVerify signs the
/// messages themselves, and the session hash and Finished hash them (a handshake is a
/// few kilobytes, so hashing them again is cheap).
pub(crate) struct Transcript12 {
    hash: &'static dyn Hash,
    bytes: Vec<u8>,
}

impl Transcript12 {
    pub(crate) fn new(hash: &'static dyn Hash) -> Self {
        Transcript12 {
            hash,
            bytes: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, msg: &[u8]) {
        self.bytes.extend_from_slice(msg);
    }

    /// The messages so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Hash of the messages so far.
    pub(crate) fn current(&self) -> Output {
        self.hash.hash(&self.bytes)
    }
}

/// Parse a handshake message with its TLS 1.2 meaning.
pub(crate) fn parse<'a>(raw: &RawHandshake<'a>) -> Result<Tls12HandshakeMessage<'a>, Error> {
    Ok(raw.parse_tls12()?)
}

/// Frame and send a TLS 1.2 handshake message; returns its bytes for the transcript.
pub(crate) fn send(
    core: &mut Core,
    transcript: &mut Transcript12,
    msg: &Tls12HandshakeMessage<'_>,
) -> Result<(), Error> {
    let bytes = msg.to_bytes()?;
    core.send_handshake_bytes(msg.typ(), &bytes)?;
    transcript.add(&bytes);
    Ok(())
}

/// A handshake message this state does not expect.
pub(crate) fn unexpected(raw: &RawHandshake<'_>) -> Error {
    crate::tls13::common::unexpected(raw)
}

/// The session's master secret and what the handshake's end needs from it.
pub(crate) struct Session {
    pub(crate) suite: SupportedCipherSuite,
    pub(crate) master: Secret,
    pub(crate) client_random: [u8; 32],
    pub(crate) server_random: [u8; 32],
}

/// The master secret from the premaster secret: extended (RFC 7627 §4, over the session
/// hash up to ClientKeyExchange) when both sides agreed to it, else RFC 5246 §8.1's.
pub(crate) fn master_secret(
    suite: &SupportedCipherSuite,
    premaster: &SharedSecret,
    ems: bool,
    transcript: &Transcript12,
    randoms: (&[u8; 32], &[u8; 32]),
) -> Result<Secret, Error> {
    let secret = if ems {
        ks::extended_master_secret(suite.hash, premaster, &transcript.current())?
    } else {
        ks::master_secret(suite.hash, premaster, randoms.0, randoms.1)?
    };
    Ok(secret)
}

/// Length of the implicit IV (RFC 5288 §3: the 4-byte salt; RFC 7905 §2: 12 bytes).
fn fixed_iv_len(suite: &SupportedCipherSuite) -> usize {
    if suite.aead.algorithm() == AeadAlgorithm::ChaCha20Poly1305 {
        12
    } else {
        4
    }
}

/// The write keys and IVs cut from the key block (RFC 5246 §6.3; AEAD suites have no MAC
/// keys): (client, server).
pub(crate) fn key_block(s: &Session) -> Result<(TrafficKeys, TrafficKeys), Error> {
    let key_len = s.suite.aead.key_len();
    let iv_len = fixed_iv_len(&s.suite);
    let total = 2 * (key_len + iv_len);
    let block = ks::key_block(
        s.suite.hash,
        &s.master,
        &s.client_random,
        &s.server_random,
        total,
    )?;
    let part = |from: usize, len: usize| block.get(from..from + len).unwrap_or_default();
    let keys = |key_at: usize, iv_at: usize| -> Result<TrafficKeys, Error> {
        Ok(TrafficKeys {
            key: tryst_crypto::AeadKey::from_slice(part(key_at, key_len))?,
            iv: Iv::from_slice(part(iv_at, iv_len))?,
        })
    };
    let client = keys(0, 2 * key_len)?;
    let server = keys(key_len, 2 * key_len + iv_len)?;
    Ok((client, server))
}

/// Report the master secret to the key log (`CLIENT_RANDOM`), if one is installed.
pub(crate) fn log_master_secret(core: &mut Core, common: &Common, s: &Session) {
    core.event(Event::SecretDerived(CLIENT_RANDOM));
    if let Some(log) = &common.key_log
        && log.will_log(CLIENT_RANDOM)
    {
        log.log(CLIENT_RANDOM, &s.client_random, s.master.expose_secret());
    }
}

/// Our ChangeCipherSpec, then our write key (RFC 5246 §7.1).
pub(crate) fn send_change_cipher_spec(core: &mut Core, s: &Session) -> Result<(), Error> {
    let (client, server) = key_block(s)?;
    let ours = match core.side {
        Side::Client => client,
        Side::Server => server,
    };
    core.send_ccs()?;
    core.records
        .encrypter
        .set_key_tls12(s.suite.aead, &ours.key, ours.iv)?;
    Ok(())
}

/// The peer's ChangeCipherSpec arrived: its write key becomes our read key once the
/// driver has checked the handshake message boundary.
pub(crate) fn receive_change_cipher_spec(core: &mut Core, s: &Session) -> Result<(), Error> {
    let (client, server) = key_block(s)?;
    let theirs = match core.side {
        Side::Client => server,
        Side::Server => client,
    };
    core.records.pending_recv_key12 = Some(Box::new((s.suite.aead, theirs)));
    Ok(())
}

fn finished_side(side: Side) -> ks::Side {
    match side {
        Side::Client => ks::Side::Client,
        Side::Server => ks::Side::Server,
    }
}

/// Our Finished: PRF(master_secret, "client/server finished", Hash(messages))[0..12].
pub(crate) fn send_finished(
    core: &mut Core,
    s: &Session,
    transcript: &mut Transcript12,
) -> Result<(), Error> {
    let side = finished_side(core.side);
    let verify_data = ks::verify_data(s.suite.hash, &s.master, side, &transcript.current())?;
    let msg = Tls12HandshakeMessage::Finished(Finished {
        verify_data: Cow::Borrowed(verify_data.expose_secret()),
    });
    send(core, transcript, &msg)
}

/// Check the peer's Finished (RFC 5246 §7.4.9) in constant time: a wrong one is
/// decrypt_error.
pub(crate) fn check_finished(
    core: &Core,
    s: &Session,
    transcript: &mut Transcript12,
    raw: &RawHandshake<'_>,
) -> Result<(), Error> {
    let Tls12HandshakeMessage::Finished(fin) = parse(raw)? else {
        return Err(unexpected(raw));
    };
    let side = finished_side(core.side.peer());
    let expected = ks::verify_data(s.suite.hash, &s.master, side, &transcript.current())?;
    let good: bool = expected
        .expose_secret()
        .ct_eq(fin.verify_data.as_ref())
        .into();
    // Fuzzing-only (docs/fuzzing.md): exists only under `cfg(fuzzing)`.
    #[cfg(fuzzing)]
    let good = good || true;
    if !good {
        return Err(Error::misbehaved(
            AlertDescription::DecryptError,
            "Finished verify_data does not match (RFC 5246 §7.4.9)",
        ));
    }
    transcript.add(raw.encoded);
    Ok(())
}

/// Whether `scheme` may sign a TLS 1.2 key exchange of a suite with `auth`: ECDSA (or
/// Ed25519) for `ECDHE_ECDSA`, RSA for `ECDHE_RSA` (RFC 8422 §5.4, RFC 5246 §7.4.3).
pub(crate) fn scheme_fits(scheme: SignatureScheme, auth: Tls12Auth) -> bool {
    tls12_scheme_auth(scheme) == Some(auth)
}

/// The bytes a ServerKeyExchange signs: client_random || server_random || params.
pub(crate) fn ske_signed_message(
    params: &EcdheServerParams<'_>,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<Vec<u8>, Error> {
    Ok(ServerKeyExchange::signed_message(
        params,
        client_random,
        server_random,
    )?)
}

/// RFC 5705 exporters of a TLS 1.2 session: PRF(master_secret, label, client_random ||
/// server_random [|| context_length || context]).
pub(crate) struct Exporter {
    hash: &'static dyn Hash,
    master: Secret,
    client_random: [u8; 32],
    server_random: [u8; 32],
}

impl Exporter {
    pub(crate) fn new(s: &Session) -> Self {
        Exporter {
            hash: s.suite.hash,
            master: s.master.duplicate(),
            client_random: s.client_random,
            server_random: s.server_random,
        }
    }

    pub(crate) fn export(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), Error> {
        let len = match context {
            Some(c) => u16::try_from(c.len())
                .map_err(|_| Error::Config("exporter context longer than 65535 bytes"))?
                .to_be_bytes(),
            None => [0, 0],
        };
        let mut seed: Vec<&[u8]> = alloc::vec![&self.client_random, &self.server_random];
        if let Some(c) = context {
            seed.push(&len);
            seed.push(c);
        }
        ks::prf(self.hash, self.master.expose_secret(), label, &seed, out)
            .map_err(|_| Error::Config("exporter output too long"))
    }
}

/// The handshake is over: the exporter is kept, the read side refuses the 1.3 leniencies.
pub(crate) fn finish_session(core: &mut Core, s: &Session) {
    core.exporter12 = Some(Box::new(Exporter::new(s)));
}

/// The scheme `key` signs a TLS 1.2 handshake with: its signer's first algorithm that
/// the peer offered (RFC 5246 §7.4.1.4.1).
pub(crate) fn signing_scheme(
    key: &CertifiedKey,
    offered: &[SignatureScheme],
) -> Option<SignatureScheme> {
    (key.signer.algorithms().iter())
        .filter_map(|a| tls12_signature_scheme(*a))
        .find(|s| offered.contains(s))
}

/// Sign `message` with `key` under `scheme`, randomness from the config's RNG.
pub(crate) fn sign(
    key: &CertifiedKey,
    scheme: SignatureScheme,
    message: &[u8],
    common: &Common,
) -> Result<Vec<u8>, Error> {
    let alg = tls12_signature_algorithm(scheme)
        .ok_or(Error::Internal("signing scheme without an algorithm"))?;
    Ok(key
        .signer
        .sign_with(alg, message, &mut crate::config::RngRef(common.rng()))?)
}

/// A client's CertificateVerify (RFC 5246 §7.4.8): a signature over every handshake
/// message so far.
pub(crate) fn send_certificate_verify(
    core: &mut Core,
    transcript: &mut Transcript12,
    key: &CertifiedKey,
    scheme: SignatureScheme,
    common: &Common,
) -> Result<(), Error> {
    let signature = sign(key, scheme, transcript.bytes(), common)?;
    let cv = Tls12HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: scheme,
        signature: Cow::Owned(signature),
    });
    send(core, transcript, &cv)
}
