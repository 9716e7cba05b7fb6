//! Code points as open enums: the known values plus `Unknown(raw)`, so every value on the
//! wire survives a decode → encode round trip.

use core::fmt;

use crate::codec::{Codec, Reader, Writer};
use crate::error::Error;

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident: $repr:ident, $field:literal {
            $( $variant:ident = $value:literal => $label:literal, )*
        }
    ) => {
        $(#[$meta])*
        ///
        /// Equality, ordering and hashing follow the numeric value, so
        /// `Unknown(v)` equals the named variant with value `v`.
        #[derive(Clone, Copy)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $label, "` (", stringify!($value), ")")]
                $variant,
            )*
            /// A value this crate has no name for.
            Unknown($repr),
        }

        impl $name {
            /// The numeric value on the wire.
            #[inline]
            pub const fn to_raw(self) -> $repr {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(v) => v,
                }
            }

            /// The variant for a numeric value (named if known, `Unknown` otherwise).
            #[inline]
            pub const fn from_raw(v: $repr) -> Self {
                match v {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other),
                }
            }

            /// The registry name, if the value is known.
            pub const fn name(self) -> Option<&'static str> {
                match Self::from_raw(self.to_raw()) {
                    $( Self::$variant => Some($label), )*
                    Self::Unknown(_) => None,
                }
            }

            /// Every named variant, in registry order.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )* ];
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                Self::from_raw(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.to_raw()
            }
        }

        // Inlined: peers send lists of thousands of code points, compared one by one.
        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.to_raw() == other.to_raw()
            }
        }

        impl Eq for $name {}

        impl PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            #[inline]
            fn cmp(&self, other: &Self) -> core::cmp::Ordering {
                self.to_raw().cmp(&other.to_raw())
            }
        }

        impl core::hash::Hash for $name {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.to_raw().hash(state);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}(0x{:x})", stringify!($name), self.to_raw()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }

        impl<'a> Codec<'a> for $name {
            fn encode(&self, w: &mut Writer) {
                w.$repr(self.to_raw());
            }

            fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
                Ok(Self::from_raw(r.$repr($field)?))
            }
        }
    };
}

open_enum! {
    /// `ContentType` of a record (RFC 8446 §5.1).
    ContentType: u8, "ContentType" {
        Invalid = 0 => "invalid",
        ChangeCipherSpec = 20 => "change_cipher_spec",
        Alert = 21 => "alert",
        Handshake = 22 => "handshake",
        ApplicationData = 23 => "application_data",
        Heartbeat = 24 => "heartbeat",
    }
}

open_enum! {
    /// `HandshakeType` (RFC 8446 §4).
    HandshakeType: u8, "HandshakeType" {
        HelloRequest = 0 => "hello_request_RESERVED",
        ClientHello = 1 => "client_hello",
        ServerHello = 2 => "server_hello",
        HelloVerifyRequest = 3 => "hello_verify_request_RESERVED",
        NewSessionTicket = 4 => "new_session_ticket",
        EndOfEarlyData = 5 => "end_of_early_data",
        HelloRetryRequest = 6 => "hello_retry_request_RESERVED",
        EncryptedExtensions = 8 => "encrypted_extensions",
        Certificate = 11 => "certificate",
        ServerKeyExchange = 12 => "server_key_exchange_RESERVED",
        CertificateRequest = 13 => "certificate_request",
        ServerHelloDone = 14 => "server_hello_done_RESERVED",
        CertificateVerify = 15 => "certificate_verify",
        ClientKeyExchange = 16 => "client_key_exchange_RESERVED",
        Finished = 20 => "finished",
        CertificateUrl = 21 => "certificate_url_RESERVED",
        CertificateStatus = 22 => "certificate_status_RESERVED",
        SupplementalData = 23 => "supplemental_data_RESERVED",
        KeyUpdate = 24 => "key_update",
        CompressedCertificate = 25 => "compressed_certificate",
        MessageHash = 254 => "message_hash",
    }
}

open_enum! {
    /// `AlertLevel` (RFC 8446 §6).
    AlertLevel: u8, "Alert.level" {
        Warning = 1 => "warning",
        Fatal = 2 => "fatal",
    }
}

open_enum! {
    /// `AlertDescription`: every code of RFC 8446 §6.
    AlertDescription: u8, "Alert.description" {
        CloseNotify = 0 => "close_notify",
        UnexpectedMessage = 10 => "unexpected_message",
        BadRecordMac = 20 => "bad_record_mac",
        DecryptionFailed = 21 => "decryption_failed_RESERVED",
        RecordOverflow = 22 => "record_overflow",
        DecompressionFailure = 30 => "decompression_failure_RESERVED",
        HandshakeFailure = 40 => "handshake_failure",
        NoCertificate = 41 => "no_certificate_RESERVED",
        BadCertificate = 42 => "bad_certificate",
        UnsupportedCertificate = 43 => "unsupported_certificate",
        CertificateRevoked = 44 => "certificate_revoked",
        CertificateExpired = 45 => "certificate_expired",
        CertificateUnknown = 46 => "certificate_unknown",
        IllegalParameter = 47 => "illegal_parameter",
        UnknownCa = 48 => "unknown_ca",
        AccessDenied = 49 => "access_denied",
        DecodeError = 50 => "decode_error",
        DecryptError = 51 => "decrypt_error",
        ExportRestriction = 60 => "export_restriction_RESERVED",
        ProtocolVersion = 70 => "protocol_version",
        InsufficientSecurity = 71 => "insufficient_security",
        InternalError = 80 => "internal_error",
        InappropriateFallback = 86 => "inappropriate_fallback",
        UserCanceled = 90 => "user_canceled",
        NoRenegotiation = 100 => "no_renegotiation_RESERVED",
        MissingExtension = 109 => "missing_extension",
        UnsupportedExtension = 110 => "unsupported_extension",
        CertificateUnobtainable = 111 => "certificate_unobtainable_RESERVED",
        UnrecognizedName = 112 => "unrecognized_name",
        BadCertificateStatusResponse = 113 => "bad_certificate_status_response",
        BadCertificateHashValue = 114 => "bad_certificate_hash_value_RESERVED",
        UnknownPskIdentity = 115 => "unknown_psk_identity",
        CertificateRequired = 116 => "certificate_required",
        NoApplicationProtocol = 120 => "no_application_protocol",
        EchRequired = 121 => "ech_required",
    }
}

open_enum! {
    /// `CipherSuite` (RFC 8446 §B.4, the TLS 1.2 ECDHE AEAD suites of RFC 5289 and
    /// RFC 7905, plus the signalling values a ClientHello may carry).
    CipherSuite: u16, "CipherSuite" {
        TlsEmptyRenegotiationInfoScsv = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        TlsAes128GcmSha256 = 0x1301 => "TLS_AES_128_GCM_SHA256",
        TlsAes256GcmSha384 = 0x1302 => "TLS_AES_256_GCM_SHA384",
        TlsChacha20Poly1305Sha256 = 0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        TlsAes128CcmSha256 = 0x1304 => "TLS_AES_128_CCM_SHA256",
        TlsAes128Ccm8Sha256 = 0x1305 => "TLS_AES_128_CCM_8_SHA256",
        TlsFallbackScsv = 0x5600 => "TLS_FALLBACK_SCSV",
        TlsEcdheEcdsaWithAes128GcmSha256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        TlsEcdheEcdsaWithAes256GcmSha384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        TlsEcdheRsaWithAes128GcmSha256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        TlsEcdheRsaWithAes256GcmSha384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        TlsEcdheRsaWithChacha20Poly1305Sha256 = 0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        TlsEcdheEcdsaWithChacha20Poly1305Sha256 = 0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    }
}

open_enum! {
    /// `NamedGroup` (RFC 8446 §4.2.7, RFC 7919, and the ML-KEM hybrids).
    NamedGroup: u16, "NamedGroup" {
        Secp256r1 = 0x0017 => "secp256r1",
        Secp384r1 = 0x0018 => "secp384r1",
        Secp521r1 = 0x0019 => "secp521r1",
        X25519 = 0x001d => "x25519",
        X448 = 0x001e => "x448",
        BrainpoolP256r1Tls13 = 0x001f => "brainpoolP256r1tls13",
        BrainpoolP384r1Tls13 = 0x0020 => "brainpoolP384r1tls13",
        BrainpoolP512r1Tls13 = 0x0021 => "brainpoolP512r1tls13",
        Ffdhe2048 = 0x0100 => "ffdhe2048",
        Ffdhe3072 = 0x0101 => "ffdhe3072",
        Ffdhe4096 = 0x0102 => "ffdhe4096",
        Ffdhe6144 = 0x0103 => "ffdhe6144",
        Ffdhe8192 = 0x0104 => "ffdhe8192",
        MlKem512 = 0x0200 => "MLKEM512",
        MlKem768 = 0x0201 => "MLKEM768",
        MlKem1024 = 0x0202 => "MLKEM1024",
        SecP256r1MlKem768 = 0x11eb => "SecP256r1MLKEM768",
        X25519MlKem768 = 0x11ec => "X25519MLKEM768",
        SecP384r1MlKem1024 = 0x11ed => "SecP384r1MLKEM1024",
    }
}

open_enum! {
    /// `SignatureScheme` (RFC 8446 §4.2.3).
    SignatureScheme: u16, "SignatureScheme" {
        RsaPkcs1Sha1 = 0x0201 => "rsa_pkcs1_sha1",
        EcdsaSha1 = 0x0203 => "ecdsa_sha1",
        RsaPkcs1Sha256 = 0x0401 => "rsa_pkcs1_sha256",
        EcdsaSecp256r1Sha256 = 0x0403 => "ecdsa_secp256r1_sha256",
        RsaPkcs1Sha384 = 0x0501 => "rsa_pkcs1_sha384",
        EcdsaSecp384r1Sha384 = 0x0503 => "ecdsa_secp384r1_sha384",
        RsaPkcs1Sha512 = 0x0601 => "rsa_pkcs1_sha512",
        EcdsaSecp521r1Sha512 = 0x0603 => "ecdsa_secp521r1_sha512",
        RsaPssRsaeSha256 = 0x0804 => "rsa_pss_rsae_sha256",
        RsaPssRsaeSha384 = 0x0805 => "rsa_pss_rsae_sha384",
        RsaPssRsaeSha512 = 0x0806 => "rsa_pss_rsae_sha512",
        Ed25519 = 0x0807 => "ed25519",
        Ed448 = 0x0808 => "ed448",
        RsaPssPssSha256 = 0x0809 => "rsa_pss_pss_sha256",
        RsaPssPssSha384 = 0x080a => "rsa_pss_pss_sha384",
        RsaPssPssSha512 = 0x080b => "rsa_pss_pss_sha512",
    }
}

open_enum! {
    /// `ExtensionType` (RFC 8446 §4.2 and the IANA registry entries this crate handles).
    ExtensionType: u16, "ExtensionType" {
        ServerName = 0 => "server_name",
        MaxFragmentLength = 1 => "max_fragment_length",
        StatusRequest = 5 => "status_request",
        SupportedGroups = 10 => "supported_groups",
        EcPointFormats = 11 => "ec_point_formats",
        SignatureAlgorithms = 13 => "signature_algorithms",
        UseSrtp = 14 => "use_srtp",
        Heartbeat = 15 => "heartbeat",
        ApplicationLayerProtocolNegotiation = 16 => "application_layer_protocol_negotiation",
        SignedCertificateTimestamp = 18 => "signed_certificate_timestamp",
        ClientCertificateType = 19 => "client_certificate_type",
        ServerCertificateType = 20 => "server_certificate_type",
        Padding = 21 => "padding",
        EncryptThenMac = 22 => "encrypt_then_mac",
        ExtendedMasterSecret = 23 => "extended_master_secret",
        CompressCertificate = 27 => "compress_certificate",
        RecordSizeLimit = 28 => "record_size_limit",
        SessionTicket = 35 => "session_ticket",
        PreSharedKey = 41 => "pre_shared_key",
        EarlyData = 42 => "early_data",
        SupportedVersions = 43 => "supported_versions",
        Cookie = 44 => "cookie",
        PskKeyExchangeModes = 45 => "psk_key_exchange_modes",
        CertificateAuthorities = 47 => "certificate_authorities",
        OidFilters = 48 => "oid_filters",
        PostHandshakeAuth = 49 => "post_handshake_auth",
        SignatureAlgorithmsCert = 50 => "signature_algorithms_cert",
        KeyShare = 51 => "key_share",
        EchOuterExtensions = 0xfd00 => "ech_outer_extensions",
        EncryptedClientHello = 0xfe0d => "encrypted_client_hello",
        RenegotiationInfo = 0xff01 => "renegotiation_info",
    }
}

open_enum! {
    /// `CertificateCompressionAlgorithm` (RFC 8879 §3, §7.3).
    CertificateCompressionAlgorithm: u16, "CertificateCompressionAlgorithm" {
        Zlib = 1 => "zlib",
        Brotli = 2 => "brotli",
        Zstd = 3 => "zstd",
    }
}

open_enum! {
    /// `PskKeyExchangeMode` (RFC 8446 §4.2.9).
    PskKeyExchangeMode: u8, "PskKeyExchangeMode" {
        PskKe = 0 => "psk_ke",
        PskDheKe = 1 => "psk_dhe_ke",
    }
}

open_enum! {
    /// `ProtocolVersion` (RFC 8446 §4.1.2, §4.2.1).
    ProtocolVersion: u16, "ProtocolVersion" {
        Ssl3 = 0x0300 => "SSLv3",
        Tls10 = 0x0301 => "TLSv1.0",
        Tls11 = 0x0302 => "TLSv1.1",
        Tls12 = 0x0303 => "TLSv1.2",
        Tls13 = 0x0304 => "TLSv1.3",
    }
}

open_enum! {
    /// `ClientCertificateType` of a TLS 1.2 CertificateRequest (RFC 5246 §7.4.4,
    /// RFC 8422 §5.5).
    ClientCertificateType: u8, "ClientCertificateType" {
        RsaSign = 1 => "rsa_sign",
        DssSign = 2 => "dss_sign",
        RsaFixedDh = 3 => "rsa_fixed_dh",
        DssFixedDh = 4 => "dss_fixed_dh",
        EcdsaSign = 64 => "ecdsa_sign",
        RsaFixedEcdh = 65 => "rsa_fixed_ecdh",
        EcdsaFixedEcdh = 66 => "ecdsa_fixed_ecdh",
    }
}
