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
    /// Ask the client for its certificate after the handshake (RFC 8446 §4.6.2): a
    /// CertificateRequest goes out with the next `write_tls`. Only when the client offered
    /// post_handshake_auth and the config has a client verifier; one request at a time.
    /// The answer is checked by that verifier: on success
    /// [`peer_certificates`](crate::ConnectionCommon::peer_certificates) is the new chain,
    /// [`post_handshake_auth`](Self::post_handshake_auth) says `Authenticated` and an
    /// [`Event::PostHandshakeAuth`](crate::Event::PostHandshakeAuth) is recorded (with
    /// tracing); a refused certificate fails the connection with its alert.
    pub fn request_client_certificate(&mut self) -> Result<(), Error> {
        if let Some(e) = &self.inner.error {
            return Err(e.clone());
        }
        crate::pha::request(&mut self.inner.core)
    }

    /// The OCSP response the client stapled to its end-entity certificate (TLS 1.3,
    /// RFC 8446 §4.4.2.1, see `crate::ocsp`), when the config asks for one
    /// ([`with_client_ocsp_stapling`](crate::ServerConfigBuilder::with_client_ocsp_stapling));
    /// from the latest client Certificate (handshake or post-handshake). The client
    /// verifier saw it first; tryst does not check it itself.
    pub fn peer_ocsp_response(&self) -> Option<&[u8]> {
        self.inner.core.peer_ocsp.as_deref()
    }

    /// Where post-handshake client authentication stands.
    pub fn post_handshake_auth(&self) -> crate::pha::PostHandshakeAuth {
        crate::pha::status(&self.inner.core)
    }

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
