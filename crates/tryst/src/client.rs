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
}
