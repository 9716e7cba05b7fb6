//! External PSKs in the TLS 1.3 handshake (RFC 8446 §4.2.11): the server picks a PSK by
//! identity and checks its `ext binder`; the suite is one of the PSK's hash.

use alloc::vec::Vec;

use tryst_crypto::{Output, Secret};
use tryst_keyschedule::{EarlySchedule, PskKind};
use tryst_messages::{ClientHello, PskKeyExchangeMode};

use super::common::PskVerified;
use super::resumption::{Fit, Resumption, TicketClientAuth, TicketState};
use crate::Error;
use crate::config::ServerConfig;
use crate::psk::ExternalPsk;
use crate::suites::SupportedCipherSuite;

/// The server's external PSK named `identity`, if any.
pub(crate) fn find<'c>(config: &'c ServerConfig, identity: &[u8]) -> Option<&'c ExternalPsk> {
    config
        .external_psks
        .iter()
        .find(|p| p.identity() == identity)
        .map(|p| &**p)
}

/// The suite to negotiate when the client offers (with psk_dhe_ke) an external PSK this
/// server knows: our most preferred suite, among those the client offers, of the first
/// such PSK's hash. `None` leaves the choice to the usual rules (and the PSK unused if the
/// suite's hash differs).
pub(crate) fn external_suite(
    config: &ServerConfig,
    ch: &ClientHello<'_>,
) -> Option<SupportedCipherSuite> {
    if config.external_psks.is_empty()
        || !ch
            .psk_key_exchange_modes()
            .is_some_and(|m| m.contains(&PskKeyExchangeMode::PskDheKe))
    {
        return None;
    }
    let offer = ch.pre_shared_key()?;
    let psk = offer
        .identities
        .iter()
        .find_map(|id| find(config, &id.identity))?;
    config
        .common
        .suites
        .iter()
        .filter(|s| s.hash.algorithm() == psk.hash())
        .find(|s| ch.cipher_suites.contains(&s.suite))
        .copied()
}

/// Select `psk` (offered at `index`) if it can be used with the negotiated suite: a PSK of
/// another hash is skipped (never used with the wrong hash), a bad binder is fatal
/// (decrypt_error, RFC 8446 §4.2.11).
pub(crate) fn select(
    psk: &ExternalPsk,
    index: usize,
    binder: &[u8],
    fit: &Fit<'_>,
    truncated_hash: &Output,
) -> Result<Option<Resumption>, Error> {
    if psk.hash() != fit.suite.hash.algorithm() {
        return Ok(None);
    }
    let es = EarlySchedule::with_psk(fit.suite.hash, psk.secret());
    es.verify_psk_binder(PskKind::External, truncated_hash, binder)?;
    let index = u16::try_from(index).map_err(|_| Error::illegal("too many PSK identities"))?;
    Ok(Some(Resumption {
        index,
        state: external_state(fit.suite, psk.secret().duplicate()),
        binder: PskVerified::checked(),
        external: Some(psk.identity().to_vec()),
        obfuscated_age: 0,
        replay_key: [0; 32],
    }))
}

/// The session an external PSK stands for, in the shape of a ticket's: no ALPN, SNI or
/// client certificate is recorded (and no 0-RTT is allowed).
fn external_state(suite: &SupportedCipherSuite, psk: Secret) -> TicketState {
    TicketState {
        suite: suite.suite.to_raw(),
        psk,
        issued_ms: 0,
        lifetime_secs: 0,
        alpn: None,
        context: [0; 32],
        server_name: None,
        client_auth: TicketClientAuth::NotRequested,
        client_certs: Vec::new(),
        age_add: 0,
        max_early_data: 0,
    }
}

/// The client's external PSK, as the PSK it offers: with the first of our suites of its
/// hash (none: the PSK cannot be used with this config, and it is not offered). Its
/// obfuscated_ticket_age is 0 (RFC 8446 §4.2.11).
pub(crate) fn client_offer(
    config: &crate::config::ClientConfig,
) -> Option<(crate::session::Tls13Ticket, SupportedCipherSuite)> {
    let psk = config.external_psk.as_ref()?;
    let suite = config
        .common
        .suites
        .iter()
        .find(|s| s.hash.algorithm() == psk.hash())
        .copied()?;
    let ticket = crate::session::Tls13Ticket {
        suite: suite.suite,
        ticket: psk.identity().to_vec(),
        psk: psk.secret().duplicate(),
        age_add: 0,
        lifetime_secs: u32::MAX,
        // Age 0 whatever the clock says (the age is now minus this, saturating).
        received_at_ms: u64::MAX,
        peer_certificates: Vec::new(),
        verified_by: config.verifier.clone(),
        max_early_data: 0,
        alpn: None,
    };
    Some((ticket, suite))
}
