//! The client connection: a [`ConnectionCommon`] driven by the TLS 1.3 client handshake
//! (`crate::tls13::client`), which hands over to `crate::tls12::client` when the server
//! answers in TLS 1.2.

use alloc::sync::Arc;

use rustls_pki_types::ServerName;

use crate::Error;
use crate::config::ClientConfig;
use crate::conn::{ConnectionCommon, Core, Side};
use crate::ech::EchStatus;

crate::conn::connection_type!(
    /// A TLS 1.3 / TLS 1.2 client connection (sans-IO). Drive it with `read_tls` / `process_new_packets`
    /// / `write_tls`, or wrap it in a [`crate::Stream`].
    ClientConnection
);

impl ClientConnection {
    /// Start a handshake with `server_name` (a DNS name or an IP address). The ClientHello
    /// is queued for `write_tls` at once.
    pub fn new(config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Result<Self, Error> {
        Self::new_traced(config, server_name, false)
    }

    /// Like [`new`](Self::new), recording [`Event`](crate::Event)s from the first message on.
    pub fn new_traced(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        trace: bool,
    ) -> Result<Self, Error> {
        let mut core = Core::new(Side::Client, &config.common);
        core.trace = trace;
        let state = crate::tls13::client::start(config.clone(), server_name, &mut core)?;
        Ok(ClientConnection {
            inner: ConnectionCommon::new(core, state, config.common.clone()),
        })
    }

    /// What Encrypted Client Hello did (RFC 9849): [`EchStatus::Accepted`] once the
    /// server confirmed it in its ServerHello; a rejection fails the handshake with
    /// [`Error::EchRejected`].
    pub fn ech_status(&self) -> EchStatus {
        self.inner.core.ech_status
    }

    /// The OCSP response the server stapled to its end-entity certificate (RFC 8446
    /// §4.4.2.1), once its Certificate was received; `None` when none was stapled or the
    /// config does not ask for one ([`with_ocsp_stapling`](crate::ClientConfigBuilder::with_ocsp_stapling)).
    /// The verifier saw it first; tryst does not check it itself.
    pub fn peer_ocsp_response(&self) -> Option<&[u8]> {
        self.inner.core.peer_ocsp.as_deref()
    }

    /// How many bytes of 0-RTT data [`write_early_data`](Self::write_early_data) takes now:
    /// non-zero only when the config enables early data, a ticket that allows it is being
    /// resumed, and the server's answer has not arrived yet.
    pub fn early_data_limit(&self) -> usize {
        self.inner.core.early.writable()
    }

    /// Send `data` as 0-RTT data (RFC 8446 §2.3), before the handshake completes; returns how
    /// much was taken (at most [`early_data_limit`](Self::early_data_limit)). Early data can
    /// be replayed by an attacker: send only what is safe to repeat. If the server rejects
    /// it, [`take_rejected_early_data`](Self::take_rejected_early_data) gives it back.
    pub fn write_early_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        if let Some(e) = &self.inner.error {
            return Err(e.clone());
        }
        let core = &mut self.inner.core;
        let n = core.early.write(data, &mut core.records.tls_out)?;
        if n > 0 {
            core.event(crate::Event::EarlyData { sent: true, len: n });
        }
        Ok(n)
    }

    /// What became of the early data: pending until EncryptedExtensions, then accepted or
    /// rejected.
    pub fn early_data_status(&self) -> crate::EarlyDataStatus {
        self.inner.core.early.status()
    }

    /// The early data the server rejected, once (empty if none was sent, it was accepted,
    /// or the answer has not come yet). Send it again as ordinary data if still wanted.
    pub fn take_rejected_early_data(&mut self) -> alloc::vec::Vec<u8> {
        self.inner.core.early.take_rejected()
    }
}
