//! The server connection: a [`ConnectionCommon`] driven by the TLS 1.3 server handshake
//! (`crate::tls13::server`), which hands over to `crate::tls12::server` when the client
//! offers TLS 1.2 but not 1.3.

use alloc::sync::Arc;

use crate::Error;
use crate::config::ServerConfig;
use crate::conn::{ConnectionCommon, Core, Side};

crate::conn::connection_type!(
    /// A TLS 1.3 server connection (sans-IO).
    ServerConnection
);

impl ServerConnection {
    /// A server connection waiting for a ClientHello.
    pub fn new(config: Arc<ServerConfig>) -> Result<Self, Error> {
        Self::new_traced(config, false)
    }

    /// Like [`new`](Self::new), recording [`Event`](crate::Event)s from the first message on.
    pub fn new_traced(config: Arc<ServerConfig>, trace: bool) -> Result<Self, Error> {
        let mut core = Core::new(Side::Server, &config.common);
        core.trace = trace;
        let common = config.common.clone();
        let state = crate::tls13::server::start(config);
        Ok(ServerConnection {
            inner: ConnectionCommon::new(core, state, common),
        })
    }

    /// The certificate presented in this connection's full handshake, why the config's
    /// resolver chose it and the scheme it signed with; `None` before that point and for
    /// a resumed session.
    pub fn chosen_certificate(&self) -> Option<&crate::resolve::ChosenCertificate> {
        self.inner.core.chosen_certificate.as_ref()
    }

    /// The server_name (SNI) the client asked for, if any. After accepting Encrypted
    /// Client Hello, the inner (real) one.
    pub fn server_name(&self) -> Option<&str> {
        self.inner.core.server_name.as_deref()
    }

    /// After accepting Encrypted Client Hello: the server_name of the outer ClientHello,
    /// the public name that an observer of the connection saw.
    pub fn outer_server_name(&self) -> Option<&str> {
        self.inner.core.outer_server_name.as_deref()
    }

    /// What Encrypted Client Hello did (RFC 9849).
    pub fn ech_status(&self) -> crate::ech::EchStatus {
        self.inner.core.ech_status
    }
}
