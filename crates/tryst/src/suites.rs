//! The mapping between TLS code points (`tryst-messages`) and algorithms (`tryst-crypto`).
//! It lives here because this is the first crate that needs both (DESIGN.md).

use tryst_crypto::{
    AES_128_GCM, AES_256_GCM, Aead, AeadAlgorithm, CryptoProvider, Hash, HashAlgorithm,
    KeyExchange, KeyExchangeAlgorithm, SHA256, SHA384, SignatureAlgorithm, X25519,
};
use tryst_messages::{CipherSuite, NamedGroup, SignatureScheme};

/// A cipher suite: an AEAD and the hash of its key schedule (TLS 1.3) or PRF (TLS 1.2).
#[derive(Clone, Copy)]
pub struct SupportedCipherSuite {
    /// The code point.
    pub suite: CipherSuite,
    /// The record protection algorithm.
    pub aead: &'static dyn Aead,
    /// The transcript and key-schedule hash.
    pub hash: &'static dyn Hash,
}

impl core::fmt::Debug for SupportedCipherSuite {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.suite.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{:#06x}", self.suite.to_raw()),
        }
    }
}

impl PartialEq for SupportedCipherSuite {
    fn eq(&self, other: &Self) -> bool {
        self.suite == other.suite
    }
}

/// TLS_AES_128_GCM_SHA256 (0x1301).
pub static TLS13_AES_128_GCM_SHA256: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsAes128GcmSha256,
    aead: AES_128_GCM,
    hash: SHA256,
};

/// TLS_AES_256_GCM_SHA384 (0x1302).
pub static TLS13_AES_256_GCM_SHA384: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsAes256GcmSha384,
    aead: AES_256_GCM,
    hash: SHA384,
};

/// TLS_CHACHA20_POLY1305_SHA256 (0x1303).
pub static TLS13_CHACHA20_POLY1305_SHA256: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsChacha20Poly1305Sha256,
    aead: tryst_crypto::CHACHA20_POLY1305,
    hash: SHA256,
};

/// Every suite this build supports, in our default preference order.
pub static ALL_CIPHER_SUITES: &[SupportedCipherSuite] = &[
    TLS13_AES_128_GCM_SHA256,
    TLS13_AES_256_GCM_SHA384,
    TLS13_CHACHA20_POLY1305_SHA256,
];

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xc02b, TLS 1.2; RFC 5289).
pub static TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256,
    aead: AES_128_GCM,
    hash: SHA256,
};

/// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c, TLS 1.2; RFC 5289).
pub static TLS12_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384,
    aead: AES_256_GCM,
    hash: SHA384,
};

/// TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca9, TLS 1.2; RFC 7905).
pub static TLS12_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: SupportedCipherSuite =
    SupportedCipherSuite {
        suite: CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256,
        aead: tryst_crypto::CHACHA20_POLY1305,
        hash: SHA256,
    };

/// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f, TLS 1.2; RFC 5289).
pub static TLS12_ECDHE_RSA_WITH_AES_128_GCM_SHA256: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
    aead: AES_128_GCM,
    hash: SHA256,
};

/// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030, TLS 1.2; RFC 5289).
pub static TLS12_ECDHE_RSA_WITH_AES_256_GCM_SHA384: SupportedCipherSuite = SupportedCipherSuite {
    suite: CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
    aead: AES_256_GCM,
    hash: SHA384,
};

/// TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (0xcca8, TLS 1.2; RFC 7905).
pub static TLS12_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: SupportedCipherSuite =
    SupportedCipherSuite {
        suite: CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
        aead: tryst_crypto::CHACHA20_POLY1305,
        hash: SHA256,
    };

/// Every TLS 1.2 suite this build supports (ECDHE with an AEAD only: no CBC, RC4, RSA key
/// transport or finite-field DH), in our default preference order.
pub static TLS12_CIPHER_SUITES: &[SupportedCipherSuite] = &[
    TLS12_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    TLS12_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    TLS12_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    TLS12_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS12_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    TLS12_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];

/// Which kind of certificate key a TLS 1.2 suite's ServerKeyExchange is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls12Auth {
    /// `ECDHE_ECDSA`: ECDSA or Ed25519 (RFC 8422 §2, RFC 8422 §5.10).
    Ecdsa,
    /// `ECDHE_RSA`: RSA (PKCS#1 v1.5 or RSA-PSS with an rsaEncryption key).
    Rsa,
}

impl SupportedCipherSuite {
    /// For a TLS 1.2 suite, the kind of key that signs its key exchange; `None` for a
    /// TLS 1.3 suite.
    pub fn tls12_auth(&self) -> Option<Tls12Auth> {
        tls12_auth(self.suite)
    }

    /// Whether this is a TLS 1.2 suite.
    pub fn is_tls12(&self) -> bool {
        self.tls12_auth().is_some()
    }
}

/// The signing key kind of a TLS 1.2 suite we implement.
pub(crate) fn tls12_auth(suite: CipherSuite) -> Option<Tls12Auth> {
    use CipherSuite as C;
    match suite {
        C::TlsEcdheEcdsaWithAes128GcmSha256
        | C::TlsEcdheEcdsaWithAes256GcmSha384
        | C::TlsEcdheEcdsaWithChacha20Poly1305Sha256 => Some(Tls12Auth::Ecdsa),
        C::TlsEcdheRsaWithAes128GcmSha256
        | C::TlsEcdheRsaWithAes256GcmSha384
        | C::TlsEcdheRsaWithChacha20Poly1305Sha256 => Some(Tls12Auth::Rsa),
        _ => None,
    }
}

/// The signing key kind of a signature scheme in TLS 1.2 (`None`: not usable there).
pub(crate) fn tls12_scheme_auth(scheme: SignatureScheme) -> Option<Tls12Auth> {
    use SignatureScheme as S;
    match scheme {
        S::EcdsaSecp256r1Sha256 | S::EcdsaSecp384r1Sha384 | S::Ed25519 => Some(Tls12Auth::Ecdsa),
        S::RsaPssRsaeSha256
        | S::RsaPssRsaeSha384
        | S::RsaPssRsaeSha512
        | S::RsaPkcs1Sha256
        | S::RsaPkcs1Sha384
        | S::RsaPkcs1Sha512 => Some(Tls12Auth::Rsa),
        _ => None,
    }
}

/// The algorithm of a signature scheme in a TLS 1.2 ServerKeyExchange or CertificateVerify
/// (RFC 5246 §7.4.1.4.1): TLS 1.3's plus RSASSA-PKCS1-v1_5, which TLS 1.2 requires.
pub fn tls12_signature_algorithm(scheme: SignatureScheme) -> Option<SignatureAlgorithm> {
    certificate_signature_algorithm(scheme)
}

/// The TLS 1.2 scheme for a signing algorithm (TLS 1.3's plus PKCS#1 v1.5).
pub fn tls12_signature_scheme(alg: SignatureAlgorithm) -> Option<SignatureScheme> {
    Some(match alg {
        SignatureAlgorithm::RsaPkcs1Sha256 => SignatureScheme::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPkcs1Sha384 => SignatureScheme::RsaPkcs1Sha384,
        SignatureAlgorithm::RsaPkcs1Sha512 => SignatureScheme::RsaPkcs1Sha512,
        other => return signature_scheme(other),
    })
}

/// The PKCS#1 v1.5 schemes a client adds to signature_algorithms when it offers TLS 1.2
/// (a TLS 1.3 server never picks them for CertificateVerify, RFC 8446 §4.2.3).
pub(crate) const TLS12_EXTRA_SCHEMES: [SignatureScheme; 3] = [
    SignatureScheme::RsaPkcs1Sha256,
    SignatureScheme::RsaPkcs1Sha384,
    SignatureScheme::RsaPkcs1Sha512,
];

/// A key-exchange group: code point and implementation.
#[derive(Clone, Copy)]
pub struct SupportedGroup {
    /// The code point.
    pub group: NamedGroup,
    /// The implementation.
    pub kx: &'static dyn KeyExchange,
}

impl core::fmt::Debug for SupportedGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.group.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{:#06x}", self.group.to_raw()),
        }
    }
}

/// x25519 (RFC 7748).
pub static X25519_GROUP: SupportedGroup = SupportedGroup {
    group: NamedGroup::X25519,
    kx: X25519,
};

/// secp256r1 (NIST P-256), uncompressed points only.
pub static SECP256R1_GROUP: SupportedGroup = SupportedGroup {
    group: NamedGroup::Secp256r1,
    kx: tryst_crypto::P256,
};

/// secp384r1 (NIST P-384), uncompressed points only.
pub static SECP384R1_GROUP: SupportedGroup = SupportedGroup {
    group: NamedGroup::Secp384r1,
    kx: tryst_crypto::P384,
};

/// X25519MLKEM768 (0x11ec): the post-quantum hybrid of ML-KEM-768 and X25519.
pub static X25519MLKEM768_GROUP: SupportedGroup = SupportedGroup {
    group: NamedGroup::X25519MlKem768,
    kx: tryst_crypto::X25519MLKEM768,
};

/// Every group this build supports.
pub static ALL_GROUPS: &[SupportedGroup] = &[
    X25519MLKEM768_GROUP,
    X25519_GROUP,
    SECP256R1_GROUP,
    SECP384R1_GROUP,
];

/// A client's default groups, in preference order: the first gets a key share. The hybrid
/// is not among them by default (a 1.2 KB share, and servers that prefer it but see no
/// share answer with a HelloRetryRequest); opt in with
/// `with_groups(&[X25519MLKEM768_GROUP, X25519_GROUP, ..])` and
/// `with_key_shares_for_all_groups(true)`, or put it first alone.
pub static DEFAULT_CLIENT_GROUPS: &[SupportedGroup] =
    &[X25519_GROUP, SECP256R1_GROUP, SECP384R1_GROUP];

/// A server's default groups, in preference order: the hybrid first, so a client that sends
/// a hybrid share gets post-quantum protection; a server never asks for a retry when any
/// share the client sent fits.
pub static DEFAULT_SERVER_GROUPS: &[SupportedGroup] = ALL_GROUPS;

/// The algorithms of a TLS 1.3 cipher suite.
fn suite_algorithms(suite: CipherSuite) -> Option<(AeadAlgorithm, HashAlgorithm)> {
    Some(match suite {
        CipherSuite::TlsAes128GcmSha256 => (AeadAlgorithm::Aes128Gcm, HashAlgorithm::Sha256),
        CipherSuite::TlsAes256GcmSha384 => (AeadAlgorithm::Aes256Gcm, HashAlgorithm::Sha384),
        CipherSuite::TlsChacha20Poly1305Sha256
        | CipherSuite::TlsEcdheEcdsaWithChacha20Poly1305Sha256
        | CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256 => {
            (AeadAlgorithm::ChaCha20Poly1305, HashAlgorithm::Sha256)
        }
        CipherSuite::TlsEcdheEcdsaWithAes128GcmSha256
        | CipherSuite::TlsEcdheRsaWithAes128GcmSha256 => {
            (AeadAlgorithm::Aes128Gcm, HashAlgorithm::Sha256)
        }
        CipherSuite::TlsEcdheEcdsaWithAes256GcmSha384
        | CipherSuite::TlsEcdheRsaWithAes256GcmSha384 => {
            (AeadAlgorithm::Aes256Gcm, HashAlgorithm::Sha384)
        }
        _ => return None,
    })
}

/// The algorithm of a key-exchange group.
fn group_algorithm(group: NamedGroup) -> Option<KeyExchangeAlgorithm> {
    Some(match group {
        NamedGroup::X25519 => KeyExchangeAlgorithm::X25519,
        NamedGroup::Secp256r1 => KeyExchangeAlgorithm::P256,
        NamedGroup::Secp384r1 => KeyExchangeAlgorithm::P384,
        NamedGroup::X25519MlKem768 => KeyExchangeAlgorithm::X25519MlKem768,
        _ => return None,
    })
}

/// Whether tryst maps `suite` to algorithms (so a provider must supply them).
pub(crate) fn is_known_suite(suite: CipherSuite) -> bool {
    suite_algorithms(suite).is_some()
}

/// Whether tryst maps `group` to an algorithm (so a provider must supply it).
pub(crate) fn is_known_group(group: NamedGroup) -> bool {
    group_algorithm(group).is_some()
}

impl SupportedCipherSuite {
    /// This suite with `provider`'s implementations of its AEAD and hash, or `None` when
    /// the provider lacks one. A suite passed to a config builder names the suite; the
    /// config's provider supplies the algorithms.
    pub fn with_provider(&self, provider: &CryptoProvider) -> Option<SupportedCipherSuite> {
        let (aead, hash) = suite_algorithms(self.suite)?;
        Some(SupportedCipherSuite {
            suite: self.suite,
            aead: provider.aead(aead)?,
            hash: provider.hash(hash)?,
        })
    }
}

impl SupportedGroup {
    /// This group with `provider`'s implementation, or `None` when it has none.
    pub fn with_provider(&self, provider: &CryptoProvider) -> Option<SupportedGroup> {
        Some(SupportedGroup {
            group: self.group,
            kx: provider.kx_group(group_algorithm(self.group)?)?,
        })
    }
}

/// The suites of [`ALL_CIPHER_SUITES`] that `provider` implements, with its algorithms, in
/// the default preference order.
pub fn cipher_suites(provider: &CryptoProvider) -> alloc::vec::Vec<SupportedCipherSuite> {
    ALL_CIPHER_SUITES
        .iter()
        .filter_map(|s| s.with_provider(provider))
        .collect()
}

/// The algorithm that verifies (or makes) signatures of a TLS 1.3 signature scheme, or
/// `None` when we cannot.
pub fn signature_algorithm(scheme: SignatureScheme) -> Option<SignatureAlgorithm> {
    Some(match scheme {
        SignatureScheme::Ed25519 => SignatureAlgorithm::Ed25519,
        SignatureScheme::EcdsaSecp256r1Sha256 => SignatureAlgorithm::EcdsaP256Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384 => SignatureAlgorithm::EcdsaP384Sha384,
        SignatureScheme::RsaPssRsaeSha256 => SignatureAlgorithm::RsaPssSha256,
        SignatureScheme::RsaPssRsaeSha384 => SignatureAlgorithm::RsaPssSha384,
        SignatureScheme::RsaPssRsaeSha512 => SignatureAlgorithm::RsaPssSha512,
        // RFC 8446 §4.4.3: RSASSA-PKCS1-v1_5 is for certificates only, never for
        // CertificateVerify; rsa_pss_pss_* needs RSASSA-PSS keys, which we do not support.
        _ => return None,
    })
}

/// The algorithm of a scheme as it signs certificates (signature_algorithms_cert), which
/// also admits RSASSA-PKCS1-v1_5.
pub fn certificate_signature_algorithm(scheme: SignatureScheme) -> Option<SignatureAlgorithm> {
    Some(match scheme {
        SignatureScheme::RsaPkcs1Sha256 => SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384 => SignatureAlgorithm::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512 => SignatureAlgorithm::RsaPkcs1Sha512,
        other => return signature_algorithm(other),
    })
}

/// The TLS 1.3 scheme for a signing algorithm.
pub fn signature_scheme(alg: SignatureAlgorithm) -> Option<SignatureScheme> {
    Some(match alg {
        SignatureAlgorithm::Ed25519 => SignatureScheme::Ed25519,
        SignatureAlgorithm::EcdsaP256Sha256 => SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureAlgorithm::EcdsaP384Sha384 => SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureAlgorithm::RsaPssSha256 => SignatureScheme::RsaPssRsaeSha256,
        SignatureAlgorithm::RsaPssSha384 => SignatureScheme::RsaPssRsaeSha384,
        SignatureAlgorithm::RsaPssSha512 => SignatureScheme::RsaPssRsaeSha512,
        _ => return None,
    })
}

/// Signature schemes we can verify in CertificateVerify, in preference order.
pub fn verifiable_schemes() -> alloc::vec::Vec<SignatureScheme> {
    [
        SignatureScheme::Ed25519,
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSecp384r1Sha384,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
    ]
    .into_iter()
    .filter(|s| signature_algorithm(*s).is_some())
    .collect()
}
