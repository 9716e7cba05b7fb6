//! Resumption on the server (RFC 8446 §4.2.11, §4.6.1): what a stateless ticket records
//! about the session it resumes, and the rules a ticket must meet before this server
//! resumes it (`ticket_fits`) with a good binder (`resume`).

use alloc::vec::Vec;

use rustls_pki_types::{CertificateDer, UnixTime};
use tryst_crypto::Secret;
use tryst_keyschedule::{EarlySchedule, PskKind, Transcript};
use tryst_messages::{ClientHello, Reader, Writer};

use super::common::PskVerified;
use crate::Error;
use crate::config::ServerConfig;
use crate::suites::SupportedCipherSuite;
use crate::time::millis;
use crate::verify::ClientCertVerifier;

/// What happened to client authentication in the session a ticket resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TicketClientAuth {
    /// The issuing config did not ask for a certificate.
    NotRequested = 0,
    /// A certificate was asked for and the client sent none (optional client auth).
    Anonymous = 1,
    /// The client's chain was verified and its CertificateVerify checked.
    Verified = 2,
    /// The client authenticated after the handshake (RFC 8446 §4.6.2, `crate::pha`): its
    /// chain was checked by the post-handshake verifier, and the ticket was issued after
    /// that (tickets issued before keep what the handshake recorded).
    PostHandshake = 3,
}

impl TicketClientAuth {
    /// Whether the ticket carries the client's certificates.
    pub(crate) fn has_certificates(self) -> bool {
        matches!(
            self,
            TicketClientAuth::Verified | TicketClientAuth::PostHandshake
        )
    }
}

/// A resumable session decoded from a ticket. Besides the keys it records what the session
/// was issued under (RFC 8446 §4.2.11, §4.6.1): the config's resumption context, the SNI,
/// the ALPN protocol and the client authentication that happened, so a server resumes only
/// sessions that meet its own current requirements.
pub(crate) struct TicketState {
    pub(crate) suite: u16,
    pub(crate) psk: Secret,
    pub(crate) issued_ms: u64,
    pub(crate) lifetime_secs: u32,
    pub(crate) alpn: Option<Vec<u8>>,
    /// `ServerConfig::ticket_context` of the config that issued the ticket.
    pub(crate) context: [u8; 32],
    pub(crate) server_name: Option<Vec<u8>>,
    pub(crate) client_auth: TicketClientAuth,
    pub(crate) client_certs: Vec<Vec<u8>>,
    /// The NewSessionTicket's ticket_age_add, to check the client's ticket age (§8.3).
    pub(crate) age_add: u32,
    /// The max_early_data_size announced with the ticket (0: no 0-RTT).
    pub(crate) max_early_data: u32,
}

/// Version 2 added the context, SNI and client-auth record (version 1 tickets are refused:
/// they do not say what they were issued under); version 3 the ticket_age_add and
/// max_early_data_size (for 0-RTT). Older tickets are refused: a full handshake follows.
const TICKET_STATE_VERSION: u8 = 3;

impl TicketState {
    pub(crate) fn encode(&self) -> Result<tryst_crypto::zeroize::Zeroizing<Vec<u8>>, Error> {
        let mut w = Writer::new();
        w.u8(TICKET_STATE_VERSION);
        w.u16(self.suite);
        w.u8_prefixed("ticket.psk", |w| w.bytes(self.psk.expose_secret()));
        w.u32(u32::try_from(self.issued_ms >> 32).unwrap_or(0));
        w.u32(u32::try_from(self.issued_ms & 0xffff_ffff).unwrap_or(0));
        w.u32(self.lifetime_secs);
        w.u8_prefixed("ticket.alpn", |w| {
            if let Some(a) = &self.alpn {
                w.bytes(a);
            }
        });
        w.bytes(&self.context);
        w.u8(u8::from(self.server_name.is_some()));
        w.u16_prefixed("ticket.sni", |w| {
            if let Some(n) = &self.server_name {
                w.bytes(n);
            }
        });
        w.u8(match self.client_auth {
            TicketClientAuth::NotRequested => 0,
            TicketClientAuth::Anonymous => 1,
            TicketClientAuth::Verified => 2,
            TicketClientAuth::PostHandshake => 3,
        });
        w.u24_prefixed("ticket.certs", |w| {
            for c in &self.client_certs {
                w.u24_prefixed("ticket.cert", |w| w.bytes(c));
            }
        });
        w.u32(self.age_add);
        w.u32(self.max_early_data);
        Ok(tryst_crypto::zeroize::Zeroizing::new(w.finish()?))
    }

    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let illegal =
            |what| tryst_messages::Error::new(what, tryst_messages::ErrorKind::IllegalValue);
        Reader::read_all(bytes, "ticket", |r| {
            if r.u8("ticket.version")? != TICKET_STATE_VERSION {
                return Err(illegal("ticket.version"));
            }
            let suite = r.u16("ticket.suite")?;
            let psk = r.bytes_u8("ticket.psk", 1, 64)?;
            let hi = u64::from(r.u32("ticket.issued")?);
            let lo = u64::from(r.u32("ticket.issued")?);
            let lifetime_secs = r.u32("ticket.lifetime")?;
            let alpn = r.bytes_u8("ticket.alpn", 0, 255)?;
            let context = r.array::<32>("ticket.context")?;
            let has_sni = match r.u8("ticket.sni")? {
                0 => false,
                1 => true,
                _ => return Err(illegal("ticket.sni")),
            };
            let sni = r.bytes_u16("ticket.sni", 0, 0xffff)?;
            let client_auth = match r.u8("ticket.client_auth")? {
                0 => TicketClientAuth::NotRequested,
                1 => TicketClientAuth::Anonymous,
                2 => TicketClientAuth::Verified,
                3 => TicketClientAuth::PostHandshake,
                _ => return Err(illegal("ticket.client_auth")),
            };
            let client_certs = r.sub_u24("ticket.certs", 0, 0xff_ffff, |r| {
                r.list(|r| Ok(r.bytes_u24("ticket.cert", 1, 0xff_ffff)?.to_vec()))
            })?;
            // Certificates exactly when they were verified.
            if client_auth.has_certificates() == client_certs.is_empty() {
                return Err(illegal("ticket.certs"));
            }
            let early = (r.u32("ticket.age_add")?, r.u32("ticket.max_early_data")?);
            Ok((
                (suite, psk, (hi << 32) | lo, lifetime_secs, alpn),
                (
                    context,
                    has_sni.then(|| sni.to_vec()),
                    client_auth,
                    client_certs,
                ),
                early,
            ))
        })
        .ok()
        .and_then(
            |(
                (suite, psk, issued_ms, lifetime_secs, alpn),
                (context, server_name, client_auth, client_certs),
                (age_add, max_early_data),
            )| {
                Some(TicketState {
                    suite,
                    psk: Secret::from_slice(psk).ok()?,
                    issued_ms,
                    lifetime_secs,
                    alpn: (!alpn.is_empty()).then(|| alpn.to_vec()),
                    context,
                    server_name,
                    client_auth,
                    client_certs,
                    age_add,
                    max_early_data,
                })
            },
        )
    }
}

/// A ticket the server resumes: its index in the client's offer, its contents and the
/// proof that the client's binder for it was good.
pub(crate) struct Resumption {
    pub(crate) index: u16,
    pub(crate) state: TicketState,
    pub(crate) binder: PskVerified,
    /// The identity, when this is an external PSK rather than a ticket.
    pub(crate) external: Option<Vec<u8>>,
    /// The client's obfuscated_ticket_age and a hash of the ticket (for 0-RTT: the
    /// freshness window and the single-use claim).
    pub(crate) obfuscated_age: u32,
    pub(crate) replay_key: [u8; 32],
}

/// What the connection being negotiated would be, for matching a ticket against it.
pub(crate) struct Fit<'a> {
    pub(crate) suite: &'a SupportedCipherSuite,
    pub(crate) server_name: Option<&'a str>,
    pub(crate) alpn: Option<&'a [u8]>,
}

/// Look for a ticket we can resume; check its binder (a bad binder is fatal,
/// RFC 8446 §4.2.11: decrypt_error). A ticket that does not fit this config or this
/// connection is skipped, so the handshake falls back to a full one.
pub(crate) fn resume(
    config: &ServerConfig,
    offer: &tryst_messages::OfferedPsks<'_>,
    fit: &Fit<'_>,
    transcript: &Transcript,
    ch: &ClientHello<'_>,
    encoded: &[u8],
) -> Result<Option<Resumption>, Error> {
    if config.tickets.is_none() && config.external_psks.is_empty() {
        return Ok(None);
    }
    let now = config.common.clock().now();
    let prefix = ch
        .binders_prefix(encoded)
        .ok_or(Error::Internal("binder offset"))?;
    let h = transcript.current_with(prefix);
    for (i, (identity, binder)) in offer.identities.iter().zip(&offer.binders).enumerate() {
        if let Some(psk) = super::psk::find(config, &identity.identity) {
            match super::psk::select(psk, i, binder, fit, &h)? {
                Some(r) => return Ok(Some(r)),
                None => continue,
            }
        }
        let Some(plain) = open_ticket(config, now, &identity.identity) else {
            continue;
        };
        let Some(state) = TicketState::decode(&plain) else {
            continue;
        };
        if !ticket_fits(config, &state, fit, now) {
            continue;
        }
        let es = EarlySchedule::with_psk(fit.suite.hash, &state.psk);
        es.verify_psk_binder(PskKind::Resumption, &h, binder)?;
        let index = u16::try_from(i).map_err(|_| Error::illegal("too many PSK identities"))?;
        return Ok(Some(Resumption {
            index,
            state,
            binder: PskVerified::checked(),
            external: None,
            obfuscated_age: identity.obfuscated_ticket_age,
            replay_key: crate::early::replay_key(&identity.identity),
        }));
    }
    Ok(None)
}

/// A ticket's contents: opened with the ticket keys, after taking it out of the session
/// store when the config keeps sessions there (a stateful ticket is a 32-byte name).
fn open_ticket(
    config: &ServerConfig,
    now: core::time::Duration,
    ticket: &[u8],
) -> Option<tryst_crypto::zeroize::Zeroizing<Vec<u8>>> {
    let keys = config.tickets.as_ref()?;
    match &config.session_store {
        Some(store) => {
            let name: &[u8; 32] = ticket.try_into().ok()?;
            keys.open(now, &store.take(name, now)?)
        }
        None => keys.open(now, ticket),
    }
}

/// The ticket to send for a session sealed as `sealed`: the sealed session itself
/// (stateless), or, with a session store, a fresh random 32-byte name under which the store
/// keeps it (None if the store refused: no ticket is sent).
pub(crate) fn stateful_ticket(
    config: &crate::config::ServerConfig,
    sealed: Vec<u8>,
    now: core::time::Duration,
    expires: core::time::Duration,
) -> Option<Vec<u8>> {
    let Some(store) = &config.session_store else {
        return Some(sealed);
    };
    let mut name = [0u8; 32];
    config.common.rng().fill(&mut name);
    store
        .put(&name, &sealed, now, expires)
        .then(|| name.to_vec())
}

/// Whether a ticket meets this server's current requirements (RFC 8446 §4.2.11: the
/// server MUST select a compatible PSK; §4.6.1). The session it resumes must have been
/// issued under the same resumption context and client-auth policy, for the same SNI and
/// ALPN protocol, with the same suite, be within its lifetime, and a client certificate it
/// carries must still pass this config's verifier now.
pub(crate) fn ticket_fits(
    config: &ServerConfig,
    state: &TicketState,
    fit: &Fit<'_>,
    now: core::time::Duration,
) -> bool {
    // Same suite (so the same hash) and still alive.
    if state.suite != fit.suite.suite.to_raw() {
        return false;
    }
    let age_ms = millis(now).saturating_sub(state.issued_ms);
    if age_ms > u64::from(state.lifetime_secs).saturating_mul(1000) {
        return false;
    }
    if state.context != config.ticket_context {
        return false;
    }
    let same_name = match (state.server_name.as_deref(), fit.server_name) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b.as_bytes()),
        _ => false,
    };
    if !same_name || state.alpn.as_deref() != fit.alpn {
        return false;
    }
    if state.client_auth == TicketClientAuth::PostHandshake {
        return post_handshake_fits(config, state, now);
    }
    match (&config.client_verifier, state.client_auth) {
        (None, TicketClientAuth::NotRequested) => true,
        // Issued under a client-auth policy this config does not have.
        (None, _) | (Some(_), TicketClientAuth::NotRequested) => false,
        (Some(v), TicketClientAuth::Anonymous) => !v.client_auth_mandatory(),
        (Some(v), TicketClientAuth::Verified) => {
            // The certificate was accepted when the ticket was issued; it must still be
            // acceptable to this verifier now (expiry, anchors, policy).
            still_accepted(&**v, state, now)
        }
        // Handled above.
        (_, TicketClientAuth::PostHandshake) => false,
    }
}

/// Whether `v` accepts the ticket's client chain at `now`.
fn still_accepted(
    v: &dyn ClientCertVerifier,
    state: &TicketState,
    now: core::time::Duration,
) -> bool {
    let chain: Vec<CertificateDer<'_>> = (state.client_certs.iter())
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let Some((leaf, rest)) = chain.split_first() else {
        return false;
    };
    v.verify_client_cert(leaf, rest, UnixTime::since_unix_epoch(now))
        .is_ok()
}

/// A ticket issued after post-handshake authentication: this config must still be able
/// to ask for a certificate after the handshake, its post-handshake verifier must accept
/// the recorded chain now, and when it also asks in the handshake (the ticket context
/// then says the issuing config did too) that verifier must accept it as well, so a
/// resumption never reports a client its handshake policy would refuse.
fn post_handshake_fits(
    config: &ServerConfig,
    state: &TicketState,
    now: core::time::Duration,
) -> bool {
    let Some(pha) = config
        .pha_verifier
        .as_ref()
        .or(config.client_verifier.as_ref())
    else {
        return false;
    };
    if !still_accepted(&**pha, state, now) {
        return false;
    }
    match &config.client_verifier {
        Some(v) if !alloc::sync::Arc::ptr_eq(v, pha) => still_accepted(&**v, state, now),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(alpn: Option<&[u8]>, sni: Option<&[u8]>, certs: &[&[u8]]) -> TicketState {
        TicketState {
            suite: 0x1302,
            psk: Secret::from_slice(&[7; 48]).unwrap(),
            issued_ms: 0x0123_4567_89ab_cdef,
            lifetime_secs: 7200,
            alpn: alpn.map(<[u8]>::to_vec),
            context: [0x5a; 32],
            server_name: sni.map(<[u8]>::to_vec),
            client_auth: if certs.is_empty() {
                TicketClientAuth::Anonymous
            } else {
                TicketClientAuth::Verified
            },
            client_certs: certs.iter().map(|c| c.to_vec()).collect(),
            age_add: 0x0102_0304,
            max_early_data: 16384,
        }
    }

    #[test]
    fn ticket_state_round_trips_and_no_prefix_decodes() {
        for s in [
            state(None, None, &[]),
            state(Some(b"h2"), Some(b""), &[]),
            state(
                Some(b"http/1.1"),
                Some(b"example.com"),
                &[b"leaf", b"intermediate"],
            ),
        ] {
            let bytes = s.encode().unwrap();
            let back = TicketState::decode(&bytes).unwrap();
            assert_eq!(back.suite, s.suite);
            assert_eq!(back.psk.expose_secret(), s.psk.expose_secret());
            assert_eq!(back.issued_ms, s.issued_ms);
            assert_eq!(back.lifetime_secs, s.lifetime_secs);
            assert_eq!(back.alpn, s.alpn);
            assert_eq!(back.context, s.context);
            assert_eq!(back.server_name, s.server_name);
            assert_eq!(back.client_auth, s.client_auth);
            assert_eq!(back.client_certs, s.client_certs);
            assert_eq!(back.age_add, s.age_add);
            assert_eq!(back.max_early_data, s.max_early_data);
            assert_eq!(&back.encode().unwrap()[..], &bytes[..]);
            for cut in 0..bytes.len() {
                assert!(
                    TicketState::decode(&bytes[..cut]).is_none(),
                    "prefix {cut} decoded"
                );
            }
            let mut longer = bytes.to_vec();
            longer.push(0);
            assert!(
                TicketState::decode(&longer).is_none(),
                "trailing byte accepted"
            );
        }
        // Another version is refused (version 1 did not record what it was issued under).
        let mut bytes = state(None, None, &[]).encode().unwrap().to_vec();
        bytes[0] = 2;
        assert!(TicketState::decode(&bytes).is_none());
        // A "verified" record without certificates, or certificates without one, is refused.
        let mut s = state(None, None, &[]);
        s.client_auth = TicketClientAuth::Verified;
        assert!(TicketState::decode(&s.encode().unwrap()).is_none());
        let mut s = state(None, None, &[b"leaf"]);
        s.client_auth = TicketClientAuth::NotRequested;
        assert!(TicketState::decode(&s.encode().unwrap()).is_none());
        // A post-handshake record carries its certificates, like a verified one.
        let mut s = state(None, None, &[b"leaf"]);
        s.client_auth = TicketClientAuth::PostHandshake;
        let back = TicketState::decode(&s.encode().unwrap()).unwrap();
        assert_eq!(back.client_auth, TicketClientAuth::PostHandshake);
        assert_eq!(back.client_certs, s.client_certs);
        let mut s = state(None, None, &[]);
        s.client_auth = TicketClientAuth::PostHandshake;
        assert!(TicketState::decode(&s.encode().unwrap()).is_none());
    }
}
