//! The server connection: a [`ConnectionCommon`] driven by the TLS 1.3 server handshake
//! (`crate::tls13::server`).

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

    /// The server_name (SNI) the client asked for, if any.
    pub fn server_name(&self) -> Option<&str> {
        self.inner.core.server_name.as_deref()
    }

    /// Take 0-RTT data received so far into `out`; returns how many bytes were copied. Early
    /// data is never mixed with the 1-RTT data of `reader()`: it may be a replay (see
    /// docs/security.md), so act only on requests that are safe to repeat.
    pub fn read_early_data(&mut self, out: &mut [u8]) -> usize {
        let buf = &mut self.inner.core.early_in;
        let n = out.len().min(buf.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), buf.get(..n)) {
            dst.copy_from_slice(src);
        }
        buf.drain(..n);
        n
    }

    /// Whether 0-RTT data was offered, accepted or rejected (and why).
    pub fn early_data_status(&self) -> crate::EarlyDataStatus {
        self.inner.core.early.status()
    }

    /// The identity of the external PSK the client was authenticated with, if any.
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.inner.core.psk_identity.as_deref()
    }
}
