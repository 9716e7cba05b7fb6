//! The key schedule stages (RFC 8446 §7.1) as types.
//!
//! ```text
//! EarlySchedule ──into_handshake(shared secret)──▶ HandshakeSchedule
//!     ──into_master()──▶ MasterSchedule ──into_traffic(hash to server Finished)──▶
//!     TrafficSchedule
//! ```
//!
//! Each transition consumes the stage, so application traffic secrets exist only in a
//! schedule that received key material (an (EC)DHE shared secret, or a PSK for psk_ke).

use core::fmt;

use tryst_crypto::{Hash, HashAlgorithm, Output, Secret, SharedSecret, hash_for};

use crate::Error;
use crate::keylog::{self, KeyLogHook, emit};
use crate::label::{
    derive_secret, derive_secret_empty, derive_secret_pair, derive_secret_triple,
    expand_label_secret_triple,
};
use crate::secrets::{
    ExporterSecret, ResumptionMasterSecret, TrafficKeys, next_traffic_secret, psk_binder,
    verify_psk_binder,
};

/// Which binder key a PSK uses (RFC 8446 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PskKind {
    /// A PSK from a NewSessionTicket: `"res binder"`.
    Resumption,
    /// An externally provisioned PSK: `"ext binder"`.
    External,
}

impl PskKind {
    fn label(self) -> &'static [u8] {
        match self {
            PskKind::Resumption => b"res binder",
            PskKind::External => b"ext binder",
        }
    }
}

/// The early stage: Early Secret = HKDF-Extract(0, PSK) (or of zeros without a PSK).
///
/// From it: binder keys, client_early_traffic_secret and early_exporter_master_secret
/// (all of which need a PSK to mean anything).
pub struct EarlySchedule {
    hash: &'static dyn Hash,
    early_secret: Secret,
    has_psk: bool,
    key_log: Option<KeyLogHook>,
}

impl EarlySchedule {
    /// A schedule without a PSK: the Early Secret is HKDF-Extract(0, 0...0).
    pub fn new(hash: &'static dyn Hash) -> Self {
        let zeros = [0u8; 64];
        let ikm = zeros.get(..hash.output_len()).unwrap_or(&zeros);
        // A constant for each hash (src/no_psk.rs); computed for any other.
        let early_secret = crate::no_psk::start(hash.algorithm())
            .and_then(|(early, _)| Secret::from_slice(early).ok())
            .unwrap_or_else(|| hash.hkdf_extract(&[], ikm));
        EarlySchedule {
            hash,
            early_secret,
            has_psk: false,
            key_log: None,
        }
    }

    /// A schedule keyed with `psk` (a ticket PSK or an external one).
    pub fn with_psk(hash: &'static dyn Hash, psk: &Secret) -> Self {
        EarlySchedule {
            hash,
            early_secret: hash.hkdf_extract(&[], psk.expose_secret()),
            has_psk: true,
            key_log: None,
        }
    }

    /// [`new`](Self::new) for a hash named by algorithm.
    pub fn for_algorithm(alg: HashAlgorithm) -> Self {
        Self::new(hash_for(alg))
    }

    /// Report every labelled secret derived from now on (in this stage and the next ones)
    /// to `hook`.
    pub fn with_key_log(mut self, hook: KeyLogHook) -> Self {
        self.key_log = Some(hook);
        self
    }

    /// The hash function of this schedule.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }

    /// Whether the schedule was started with a PSK.
    pub fn has_psk(&self) -> bool {
        self.has_psk
    }

    /// The Early Secret, for known-answer tests (feature `expose-intermediate-secrets`).
    #[cfg(feature = "expose-intermediate-secrets")]
    pub fn early_secret(&self) -> &Secret {
        &self.early_secret
    }

    /// binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", "").
    pub fn binder_key(&self, kind: PskKind) -> Result<Secret, Error> {
        if !self.has_psk {
            return Err(Error::NoPsk);
        }
        derive_secret_empty(self.hash, &self.early_secret, kind.label())
    }

    /// The PSK binder for a ClientHello whose transcript hash, up to and including the
    /// ClientHello truncated before the binders, is `truncated_hello_hash`.
    pub fn psk_binder(
        &self,
        kind: PskKind,
        truncated_hello_hash: &Output,
    ) -> Result<Secret, Error> {
        psk_binder(self.hash, &self.binder_key(kind)?, truncated_hello_hash)
    }

    /// Checks a received binder in constant time ([`Error::BadBinder`] on mismatch).
    pub fn verify_psk_binder(
        &self,
        kind: PskKind,
        truncated_hello_hash: &Output,
        received: &[u8],
    ) -> Result<(), Error> {
        verify_psk_binder(
            self.hash,
            &self.binder_key(kind)?,
            truncated_hello_hash,
            received,
        )
    }

    /// client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic",
    /// ClientHello). Logged as `CLIENT_EARLY_TRAFFIC_SECRET`.
    pub fn client_early_traffic_secret(&self, client_hello_hash: &Output) -> Result<Secret, Error> {
        self.require_psk()?;
        let s = derive_secret(
            self.hash,
            &self.early_secret,
            b"c e traffic",
            client_hello_hash,
        )?;
        emit(
            self.key_log.as_ref(),
            keylog::CLIENT_EARLY_TRAFFIC_SECRET,
            &s,
        );
        Ok(s)
    }

    /// early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master",
    /// ClientHello). Logged as `EARLY_EXPORTER_SECRET`.
    pub fn early_exporter_master_secret(
        &self,
        client_hello_hash: &Output,
    ) -> Result<ExporterSecret, Error> {
        self.require_psk()?;
        let s = derive_secret(
            self.hash,
            &self.early_secret,
            b"e exp master",
            client_hello_hash,
        )?;
        emit(self.key_log.as_ref(), keylog::EARLY_EXPORTER_SECRET, &s);
        Ok(ExporterSecret::new(self.hash, s))
    }

    /// Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""),
    /// (EC)DHE shared secret).
    pub fn into_handshake(self, shared_secret: &SharedSecret) -> Result<HandshakeSchedule, Error> {
        self.into_handshake_with(shared_secret.expose_secret())
    }

    /// The psk_ke mode (no (EC)DHE): the Handshake Secret is extracted from zeros. Only
    /// possible for a schedule started with a PSK ([`Error::NoPsk`] otherwise).
    pub fn into_handshake_psk_only(self) -> Result<HandshakeSchedule, Error> {
        self.require_psk()?;
        let zeros = [0u8; 64];
        let ikm = zeros.get(..self.hash.output_len()).unwrap_or(&zeros);
        self.into_handshake_with(ikm)
    }

    fn into_handshake_with(self, ikm: &[u8]) -> Result<HandshakeSchedule, Error> {
        let constant = (!self.has_psk)
            .then(|| crate::no_psk::start(self.hash.algorithm()))
            .flatten()
            .and_then(|(_, derived)| Secret::from_slice(derived).ok());
        let salt = match constant {
            Some(salt) => salt,
            None => derive_secret_empty(self.hash, &self.early_secret, b"derived")?,
        };
        let handshake_secret = self.hash.hkdf_extract(salt.expose_secret(), ikm);
        Ok(HandshakeSchedule {
            hash: self.hash,
            handshake_secret,
            key_log: self.key_log,
        })
    }

    fn require_psk(&self) -> Result<(), Error> {
        if self.has_psk {
            Ok(())
        } else {
            Err(Error::NoPsk)
        }
    }
}

/// The handshake stage: holds the Handshake Secret.
pub struct HandshakeSchedule {
    hash: &'static dyn Hash,
    handshake_secret: Secret,
    key_log: Option<KeyLogHook>,
}

impl HandshakeSchedule {
    /// The hash function of this schedule.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }

    /// The Handshake Secret, for known-answer tests (feature `expose-intermediate-secrets`).
    #[cfg(feature = "expose-intermediate-secrets")]
    pub fn handshake_secret(&self) -> &Secret {
        &self.handshake_secret
    }

    /// client_handshake_traffic_secret = Derive-Secret(Handshake Secret, "c hs traffic",
    /// ClientHello...ServerHello). Logged as `CLIENT_HANDSHAKE_TRAFFIC_SECRET`.
    pub fn client_handshake_traffic_secret(&self, hello_hash: &Output) -> Result<Secret, Error> {
        let s = derive_secret(
            self.hash,
            &self.handshake_secret,
            b"c hs traffic",
            hello_hash,
        )?;
        emit(
            self.key_log.as_ref(),
            keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET,
            &s,
        );
        Ok(s)
    }

    /// server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "s hs traffic",
    /// ClientHello...ServerHello). Logged as `SERVER_HANDSHAKE_TRAFFIC_SECRET`.
    pub fn server_handshake_traffic_secret(&self, hello_hash: &Output) -> Result<Secret, Error> {
        let s = derive_secret(
            self.hash,
            &self.handshake_secret,
            b"s hs traffic",
            hello_hash,
        )?;
        emit(
            self.key_log.as_ref(),
            keylog::SERVER_HANDSHAKE_TRAFFIC_SECRET,
            &s,
        );
        Ok(s)
    }

    /// Both handshake traffic secrets at once (client, server): the same values as
    /// [`client_handshake_traffic_secret`](Self::client_handshake_traffic_secret) and
    /// [`server_handshake_traffic_secret`](Self::server_handshake_traffic_secret), with
    /// HMAC keyed once. Both are logged.
    pub fn handshake_traffic_secrets(
        &self,
        hello_hash: &Output,
    ) -> Result<(Secret, Secret), Error> {
        let labels: (&[u8], &[u8]) = (b"c hs traffic", b"s hs traffic");
        let (c, s) = derive_secret_pair(self.hash, &self.handshake_secret, labels, hello_hash)?;
        let log = self.key_log.as_ref();
        emit(log, keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET, &c);
        emit(log, keylog::SERVER_HANDSHAKE_TRAFFIC_SECRET, &s);
        Ok((c, s))
    }

    /// Both handshake traffic secrets (client, server), as
    /// [`handshake_traffic_secrets`](Self::handshake_traffic_secrets), and the next stage,
    /// as [`into_master`](Self::into_master), with HMAC keyed once for the two secrets and
    /// the "derived" salt. The Master Secret does not depend on the transcript, so it can be
    /// derived this early; the handshake secret is dropped here.
    pub fn into_handshake_secrets_and_master(
        self,
        hello_hash: &Output,
    ) -> Result<(Secret, Secret, MasterSchedule), Error> {
        let context = hello_hash.as_bytes();
        if context.len() != self.hash.output_len() {
            return Err(Error::HashLengthMismatch);
        }
        let empty = crate::empty::empty_hash(self.hash);
        let jobs: [(&[u8], &[u8]); 3] = [
            (b"c hs traffic", context),
            (b"s hs traffic", context),
            (b"derived", empty.as_bytes()),
        ];
        let [c, s, salt] = expand_label_secret_triple(self.hash, &self.handshake_secret, jobs)?;
        let log = self.key_log.as_ref();
        emit(log, keylog::CLIENT_HANDSHAKE_TRAFFIC_SECRET, &c);
        emit(log, keylog::SERVER_HANDSHAKE_TRAFFIC_SECRET, &s);
        let master = self.master_from_salt(&salt);
        Ok((c, s, master))
    }

    /// Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0).
    pub fn into_master(self) -> Result<MasterSchedule, Error> {
        let salt = derive_secret_empty(self.hash, &self.handshake_secret, b"derived")?;
        Ok(self.master_from_salt(&salt))
    }

    fn master_from_salt(self, salt: &Secret) -> MasterSchedule {
        let zeros = [0u8; 64];
        let ikm = zeros.get(..self.hash.output_len()).unwrap_or(&zeros);
        MasterSchedule {
            hash: self.hash,
            master_secret: self.hash.hkdf_extract(salt.expose_secret(), ikm),
            key_log: self.key_log,
        }
    }
}

/// The master stage: holds the Master Secret until the server Finished is in the
/// transcript.
pub struct MasterSchedule {
    hash: &'static dyn Hash,
    master_secret: Secret,
    key_log: Option<KeyLogHook>,
}

impl MasterSchedule {
    /// The hash function of this schedule.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }

    /// The Master Secret, for known-answer tests (feature `expose-intermediate-secrets`).
    #[cfg(feature = "expose-intermediate-secrets")]
    pub fn master_secret(&self) -> &Secret {
        &self.master_secret
    }

    /// Derives, from the transcript hash ClientHello...server Finished:
    /// client_application_traffic_secret_0 ("c ap traffic"),
    /// server_application_traffic_secret_0 ("s ap traffic") and exporter_master_secret
    /// ("exp master"), logged as `CLIENT_TRAFFIC_SECRET_0`, `SERVER_TRAFFIC_SECRET_0` and
    /// `EXPORTER_SECRET`.
    pub fn into_traffic(self, server_finished_hash: &Output) -> Result<TrafficSchedule, Error> {
        let h = server_finished_hash;
        // All three with HMAC keyed once.
        let labels: [&[u8]; 3] = [b"c ap traffic", b"s ap traffic", b"exp master"];
        let [client, server, exporter] =
            derive_secret_triple(self.hash, &self.master_secret, labels, h)?;
        let log = self.key_log.as_ref();
        emit(log, keylog::CLIENT_TRAFFIC_SECRET_0, &client);
        emit(log, keylog::SERVER_TRAFFIC_SECRET_0, &server);
        emit(log, keylog::EXPORTER_SECRET, &exporter);
        Ok(TrafficSchedule {
            hash: self.hash,
            master_secret: Some(self.master_secret),
            client,
            server,
            client_generation: 0,
            server_generation: 0,
            exporter: ExporterSecret::new(self.hash, exporter),
        })
    }
}

/// The traffic stage: the current application traffic secret of each direction, the
/// exporter, and the Master Secret until the resumption master secret is taken.
pub struct TrafficSchedule {
    hash: &'static dyn Hash,
    master_secret: Option<Secret>,
    client: Secret,
    server: Secret,
    client_generation: u64,
    server_generation: u64,
    exporter: ExporterSecret,
}

impl TrafficSchedule {
    /// The hash function of this schedule.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }

    /// The current client application traffic secret (generation
    /// [`client_generation`](Self::client_generation)).
    pub fn client_traffic_secret(&self) -> &Secret {
        &self.client
    }

    /// The current server application traffic secret.
    pub fn server_traffic_secret(&self) -> &Secret {
        &self.server
    }

    /// How many KeyUpdates the client direction has had.
    pub fn client_generation(&self) -> u64 {
        self.client_generation
    }

    /// How many KeyUpdates the server direction has had.
    pub fn server_generation(&self) -> u64 {
        self.server_generation
    }

    /// Key and IV for the client's current traffic secret.
    pub fn client_traffic_keys(&self, key_len: usize) -> Result<TrafficKeys, Error> {
        TrafficKeys::derive(self.hash, &self.client, key_len)
    }

    /// Key and IV for the server's current traffic secret.
    pub fn server_traffic_keys(&self, key_len: usize) -> Result<TrafficKeys, Error> {
        TrafficKeys::derive(self.hash, &self.server, key_len)
    }

    /// KeyUpdate of the client direction (RFC 8446 §7.2): the secret moves to the next
    /// generation and the old one is wiped.
    pub fn update_client(&mut self) -> Result<(), Error> {
        self.client = next_traffic_secret(self.hash, &self.client)?;
        self.client_generation = self.client_generation.saturating_add(1);
        Ok(())
    }

    /// KeyUpdate of the server direction (RFC 8446 §7.2).
    pub fn update_server(&mut self) -> Result<(), Error> {
        self.server = next_traffic_secret(self.hash, &self.server)?;
        self.server_generation = self.server_generation.saturating_add(1);
        Ok(())
    }

    /// The exporter master secret; see [`ExporterSecret::export`].
    pub fn exporter(&self) -> &ExporterSecret {
        &self.exporter
    }

    /// resumption_master_secret = Derive-Secret(Master Secret, "res master",
    /// ClientHello...client Finished). The Master Secret is wiped afterwards; a second
    /// call is [`Error::SecretAlreadyUsed`].
    pub fn resumption_master_secret(
        &mut self,
        client_finished_hash: &Output,
    ) -> Result<ResumptionMasterSecret, Error> {
        let master = self
            .master_secret
            .as_ref()
            .ok_or(Error::SecretAlreadyUsed)?;
        let s = derive_secret(self.hash, master, b"res master", client_finished_hash)?;
        self.master_secret = None;
        Ok(ResumptionMasterSecret::new(self.hash, s))
    }
}

macro_rules! opaque_debug {
    ($($t:ident),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t))
                    .field("hash", &self.hash.algorithm())
                    .finish_non_exhaustive()
            }
        }
    )*};
}
opaque_debug!(
    EarlySchedule,
    HandshakeSchedule,
    MasterSchedule,
    TrafficSchedule
);
