//! The TLS 1.3 steps both sides take (RFC 8446 §4.4, §7): deriving the handshake and
//! traffic keys, sending and checking Certificate and CertificateVerify, sending and
//! checking Finished, and the small rules both sides apply to the same extensions.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use tryst_crypto::{Secret, SharedSecret};
use tryst_keyschedule::keylog::KeyLogHook;
use tryst_keyschedule::{EarlySchedule, MasterSchedule, TrafficKeys, TrafficSchedule, Transcript};
use tryst_messages::{
    AlertDescription, Certificate, CertificateVerify, ExtensionType, Finished, HandshakeMessage,
    RawHandshake, SignatureScheme,
};

use crate::Error;
use crate::config::{CertifiedKey, Common};
use crate::conn::{Core, Event, HandshakeKind, Side};
use crate::suites::SupportedCipherSuite;
use crate::verify::{SignatureVerified, signed_content};

/// The longest ticket lifetime TLS 1.3 allows (RFC 8446 §4.6.1): seven days, in the
/// seconds that NewSessionTicket.ticket_lifetime counts.
pub(crate) fn max_ticket_lifetime_secs() -> u32 {
    u32::try_from(crate::config::MAX_TICKET_LIFETIME.as_secs()).unwrap_or(u32::MAX)
}

/// A handshake message that this state does not expect (unexpected_message).
pub(crate) fn unexpected(raw: &RawHandshake<'_>) -> Error {
    Error::PeerMisbehaved {
        alert: AlertDescription::UnexpectedMessage,
        rule: match raw.typ.name() {
            Some(_) => "handshake message not expected in this state",
            None => "unknown handshake message type",
        },
    }
}

/// How the handshake went, from whether a ticket was resumed and a HelloRetryRequest sent.
pub(crate) fn handshake_kind(resumed: bool, hello_retry: bool) -> HandshakeKind {
    match (resumed, hello_retry) {
        (false, false) => HandshakeKind::Full,
        (false, true) => HandshakeKind::FullWithHelloRetryRequest,
        (true, false) => HandshakeKind::Resumed,
        (true, true) => HandshakeKind::ResumedWithHelloRetryRequest,
    }
}

/// RFC 8449 §4: a record_size_limit below 64 is illegal_parameter.
pub(crate) fn check_record_size_limit(theirs: u16) -> Result<u16, Error> {
    if theirs < 64 {
        return Err(Error::illegal("record_size_limit below 64"));
    }
    Ok(theirs)
}

/// The early stage of the key schedule (RFC 8446 §7.1), with the PSK when resuming and the
/// key log hook when the config has a key log.
pub(crate) fn early_schedule(
    common: &Common,
    suite: &SupportedCipherSuite,
    psk: Option<&Secret>,
    client_random: [u8; 32],
) -> EarlySchedule {
    let es = match psk {
        Some(p) => EarlySchedule::with_psk(suite.hash, p),
        None => EarlySchedule::new(suite.hash),
    };
    match common.key_log.clone() {
        Some(log) => es.with_key_log(KeyLogHook::new(log, client_random)),
        None => es,
    }
}

/// The handshake-key stage both sides reach after ServerHello: the schedule and the two
/// handshake traffic secrets (RFC 8446 §7.1).
pub(crate) struct HandshakeKeys {
    pub(crate) suite: SupportedCipherSuite,
    /// The Master Secret's stage, derived with the handshake traffic secrets (HMAC keyed
    /// once for both and the "derived" salt); used once the server Finished is in.
    pub(crate) schedule: MasterSchedule,
    /// The client's handshake traffic secret (a server switches to it again after
    /// 0-RTT data).
    pub(crate) client_hs: Secret,
    /// The finished keys of both handshake traffic secrets (RFC 8446 §4.4.4), derived
    /// with their traffic keys.
    pub(crate) client_finished: Secret,
    pub(crate) server_finished: Secret,
}

/// Derive the handshake traffic secrets over ClientHello..ServerHello and switch both
/// directions of the record layer to them.
pub(crate) fn derive_handshake_keys(
    core: &mut Core,
    suite: SupportedCipherSuite,
    early: EarlySchedule,
    shared: &SharedSecret,
    transcript: &Transcript,
) -> Result<HandshakeKeys, Error> {
    let h = transcript.current();
    let (client_hs, server_hs, schedule) =
        (early.into_handshake(shared)?).into_handshake_secrets_and_master(&h)?;
    core.event(Event::SecretDerived("CLIENT_HANDSHAKE_TRAFFIC_SECRET"));
    core.event(Event::SecretDerived("SERVER_HANDSHAKE_TRAFFIC_SECRET"));
    // Each secret's key, IV and finished key from one HMAC keying.
    let with_finished = |secret: &Secret| {
        TrafficKeys::derive_with_finished_key(suite.hash, secret, suite.aead.key_len())
            .map_err(|_| Error::Internal("traffic key derivation"))
    };
    let (client_keys, client_finished) = with_finished(&client_hs)?;
    let (server_keys, server_finished) = with_finished(&server_hs)?;
    let (ours, theirs) = match core.side {
        Side::Client => (client_keys, server_keys),
        Side::Server => (server_keys, client_keys),
    };
    core.set_send_keys(&suite, ours)?;
    core.set_recv_keys(&suite, theirs);
    Ok(HandshakeKeys {
        suite,
        schedule,
        client_hs,
        client_finished,
        server_finished,
    })
}

/// Derive the application traffic secrets over ClientHello..server Finished (RFC 8446
/// §7.1) and switch the server-to-client direction to them; the other direction switches
/// after the client's Finished.
pub(crate) fn derive_traffic_keys(
    core: &mut Core,
    suite: &SupportedCipherSuite,
    schedule: MasterSchedule,
    transcript: &Transcript,
) -> Result<TrafficSchedule, Error> {
    let traffic = schedule.into_traffic(&transcript.current())?;
    core.event(Event::SecretDerived("CLIENT_TRAFFIC_SECRET_0"));
    core.event(Event::SecretDerived("SERVER_TRAFFIC_SECRET_0"));
    core.event(Event::SecretDerived("EXPORTER_SECRET"));
    match core.side {
        Side::Server => core.set_send_key(suite, traffic.server_traffic_secret())?,
        Side::Client => core.set_recv_key(suite, traffic.server_traffic_secret())?,
    }
    Ok(traffic)
}

/// Send a Certificate message (RFC 8446 §4.4.2) carrying `chain` (empty: a client that
/// has no certificate to offer), with `ocsp` stapled to the end entity.
pub(crate) fn send_certificate(
    core: &mut Core,
    transcript: &mut Transcript,
    context: &[u8],
    chain: &[CertificateDer<'static>],
    ocsp: Option<&[u8]>,
) -> Result<(), Error> {
    let cert = HandshakeMessage::Certificate(crate::ocsp::certificate(context, chain, ocsp));
    let bytes = core.send_handshake(&cert)?;
    transcript.add(&bytes)?;
    Ok(())
}

/// Sign the transcript so far with `key` under `scheme` and send CertificateVerify (RFC 8446 §4.4.3).
/// Randomness a signature needs (RSA-PSS salt and blinding) comes from the config's RNG.
pub(crate) fn send_certificate_verify(
    core: &mut Core,
    transcript: &mut Transcript,
    key: &CertifiedKey,
    scheme: SignatureScheme,
    common: &Common,
) -> Result<(), Error> {
    let message = signed_content(core.side == Side::Server, transcript.current().as_bytes());
    let algorithm = crate::suites::signature_algorithm(scheme).ok_or(Error::Internal(
        "certified key with a scheme we cannot sign",
    ))?;
    let signature = key.signer.sign_with(
        algorithm,
        &message,
        &mut crate::config::RngRef(common.rng()),
    )?;
    let cv = HandshakeMessage::CertificateVerify(CertificateVerify {
        algorithm: scheme,
        signature: Cow::Owned(signature),
    });
    let bytes = core.send_handshake(&cv)?;
    transcript.add(&bytes)?;
    Ok(())
}

/// The checks on a peer's Certificate that do not depend on the side (RFC 8446 §4.4.2):
/// the context is the one asked for (empty during the handshake), each entry carries only
/// extensions that were `requested`. Returns the chain, end entity first.
pub(crate) fn check_certificate(
    c: &Certificate<'_>,
    requested: &[ExtensionType],
    wrong_context: &'static str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    if !c.certificate_request_context.is_empty() {
        return Err(Error::illegal(wrong_context));
    }
    crate::verify::check_certificate_extensions(c, requested)?;
    Ok(crate::verify::chain_of(c))
}

/// How to check a peer's CertificateVerify: the schemes we offered and the verifier's
/// signature check.
pub(crate) type VerifySignature<'a> = &'a dyn Fn(
    &[u8],
    &CertificateDer<'_>,
    SignatureScheme,
    &[u8],
) -> Result<SignatureVerified, Error>;

/// Check the peer's CertificateVerify over the transcript so far (RFC 8446 §4.4.3), then
/// add it to the transcript.
pub(crate) fn check_certificate_verify(
    side: Side,
    transcript: &mut Transcript,
    raw: &RawHandshake<'_>,
    offered: &[SignatureScheme],
    leaf: &CertificateDer<'_>,
    verify: VerifySignature<'_>,
) -> Result<(SignatureScheme, SignatureVerified), Error> {
    let HandshakeMessage::CertificateVerify(cv) = raw.parse()? else {
        return Err(unexpected(raw));
    };
    if !offered.contains(&cv.algorithm) {
        return Err(Error::illegal(match side {
            Side::Client => "CertificateVerify uses a scheme we did not offer",
            Side::Server => "client CertificateVerify uses a scheme we did not offer",
        }));
    }
    // The peer signed: a client checks the server's context string, a server the client's.
    let message = signed_content(side == Side::Client, transcript.current().as_bytes());
    let proof = verify(&message, leaf, cv.algorithm, &cv.signature)?;
    transcript.add(raw.encoded)?;
    Ok((cv.algorithm, proof))
}

/// Send our Finished (RFC 8446 §4.4.4) made with `secret`, our handshake traffic secret.
pub(crate) fn send_finished(
    core: &mut Core,
    suite: &SupportedCipherSuite,
    secret: &Secret,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let key = tryst_keyschedule::finished_key(suite.hash, secret)?;
    send_finished_with_key(core, suite, &key, transcript)
}

/// [`send_finished`] from the finished key itself.
pub(crate) fn send_finished_with_key(
    core: &mut Core,
    suite: &SupportedCipherSuite,
    finished_key: &Secret,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let verify_data =
        tryst_keyschedule::verify_data_with_key(suite.hash, finished_key, &transcript.current())?;
    let fin = core.send_handshake(&HandshakeMessage::Finished(Finished {
        verify_data: Cow::Borrowed(verify_data.expose_secret()),
    }))?;
    transcript.add(&fin)?;
    Ok(())
}

/// Check the peer's Finished (RFC 8446 §4.4.4) against `secret`, the peer's handshake
/// traffic secret, then add it to the transcript.
pub(crate) fn check_finished(
    suite: &SupportedCipherSuite,
    secret: &Secret,
    transcript: &mut Transcript,
    raw: &RawHandshake<'_>,
) -> Result<(), Error> {
    let key = tryst_keyschedule::finished_key(suite.hash, secret)?;
    check_finished_with_key(suite, &key, transcript, raw)
}

/// [`check_finished`] from the peer's finished key itself.
pub(crate) fn check_finished_with_key(
    suite: &SupportedCipherSuite,
    finished_key: &Secret,
    transcript: &mut Transcript,
    raw: &RawHandshake<'_>,
) -> Result<(), Error> {
    let HandshakeMessage::Finished(fin) = raw.parse()? else {
        return Err(unexpected(raw));
    };
    fin.check_hash_len(suite.hash.output_len())?;
    tryst_keyschedule::verify_finished_with_key(
        suite.hash,
        finished_key,
        &transcript.current(),
        &fin.verify_data,
    )?;
    transcript.add(raw.encoded)?;
    Ok(())
}

/// Proof that a PSK was checked: on a server, the client's binder for it (RFC 8446
/// §4.2.11.2); on a client, that the server selected the PSK we offered, so that its
/// Finished, under keys only a holder of the PSK can derive, authenticates it.
#[derive(Debug)]
pub(crate) struct PskVerified(());

impl PskVerified {
    /// Made where the binder was verified (server) or the selection checked (client).
    pub(crate) fn checked() -> Self {
        PskVerified(())
    }
}
