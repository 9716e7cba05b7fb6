//! The ECH configuration (RFC 9849 §4): a hand-assembled ECHConfigList field by field,
//! encode → decode → encode for random configs, no strict prefix parses, and each cap and
//! length rule has its test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;

use proptest::collection::vec;
use proptest::prelude::*;
use tryst_messages::{
    Codec, ECH_VERSION, EchConfig, EchConfigContents, EchConfigExtension, EchConfigList, ErrorKind,
    HpkeKeyConfig, HpkeSymmetricCipherSuite, MAX_ECH_CIPHER_SUITES, MAX_ECH_CONFIG_EXTENSIONS,
    MAX_ECH_CONFIGS,
};

/// An ECHConfigList written out by hand: one 0xfe0d config (X25519, two suites,
/// "cover.example"), then one config of an unknown version.
fn sample_bytes() -> Vec<u8> {
    let mut contents = vec![
        0x2a, // config_id
        0x00, 0x20, // kem_id: DHKEM(X25519, HKDF-SHA256)
        0x00, 0x20, // public_key length
    ];
    contents.extend_from_slice(&[0x11; 32]);
    contents.extend_from_slice(&[
        0x00, 0x08, // cipher_suites length
        0x00, 0x01, 0x00, 0x01, // HKDF-SHA256, AES-128-GCM
        0x00, 0x01, 0x00, 0x03, // HKDF-SHA256, ChaCha20-Poly1305
        0x40, // maximum_name_length
        0x0d, // public_name length
    ]);
    contents.extend_from_slice(b"cover.example");
    contents.extend_from_slice(&[0x00, 0x04, 0xfa, 0xce, 0x00, 0x00]); // one empty extension
    let mut config = vec![0xfe, 0x0d];
    config.extend_from_slice(&u16::try_from(contents.len()).unwrap().to_be_bytes());
    config.extend_from_slice(&contents);
    config.extend_from_slice(&[0xfe, 0x0c, 0x00, 0x02, 0xab, 0xcd]); // unknown version
    let mut list = u16::try_from(config.len()).unwrap().to_be_bytes().to_vec();
    list.extend_from_slice(&config);
    list
}

#[test]
fn hand_assembled_list_decodes_field_by_field() {
    let bytes = sample_bytes();
    let list = EchConfigList::decode(&bytes).unwrap();
    assert_eq!(list.configs.len(), 2);
    let EchConfig::Fe0d(c) = &list.configs[0] else {
        panic!("first config is 0xfe0d")
    };
    assert_eq!(list.configs[0].version(), ECH_VERSION);
    assert_eq!(c.key_config.config_id, 0x2a);
    assert_eq!(c.key_config.kem_id, 0x0020);
    assert_eq!(&*c.key_config.public_key, &[0x11; 32]);
    assert_eq!(
        c.key_config.cipher_suites,
        [
            HpkeSymmetricCipherSuite {
                kdf_id: 1,
                aead_id: 1
            },
            HpkeSymmetricCipherSuite {
                kdf_id: 1,
                aead_id: 3
            }
        ]
    );
    assert_eq!(c.maximum_name_length, 0x40);
    assert_eq!(&*c.public_name, b"cover.example");
    assert_eq!(c.extensions.len(), 1);
    assert!(c.extensions[0].is_mandatory());
    assert!(c.extensions[0].data.is_empty());
    assert_eq!(
        list.configs[1],
        EchConfig::Unknown {
            version: 0xfe0c,
            contents: Cow::Borrowed(&[0xab, 0xcd][..])
        }
    );
    assert_eq!(list.to_bytes().unwrap(), bytes);
    assert_eq!(list.clone().into_owned(), list);
    // No strict prefix parses, and trailing bytes are refused.
    for n in 0..bytes.len() {
        assert!(EchConfigList::decode(&bytes[..n]).is_err(), "prefix {n}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        EchConfigList::decode(&longer).unwrap_err().kind(),
        ErrorKind::TrailingBytes
    );
}

/// Patches the sample and expects `kind`.
fn refused(patch: impl FnOnce(&mut Vec<u8>), kind: ErrorKind) {
    let mut b = sample_bytes();
    patch(&mut b);
    assert_eq!(EchConfigList::decode(&b).unwrap_err().kind(), kind);
}

#[test]
fn length_rules() {
    // Offsets in the sample: list length 0..2, version 2..4, config length 4..6,
    // config_id 6, kem_id 7..9, public_key length 9..11.
    let suites_len = 11 + 32;
    // cipher_suites of 6 bytes (not a multiple of 4), or 0 (< 4).
    refused(
        |b| {
            b[suites_len + 1] = 6;
            b.remove(suites_len + 2);
            b.remove(suites_len + 2);
            fix_lengths(b, -2);
        },
        ErrorKind::RaggedList,
    );
    refused(
        |b| {
            b[suites_len + 1] = 0;
            b.drain(suites_len + 2..suites_len + 10);
            fix_lengths(b, -8);
        },
        ErrorKind::LengthOutOfRange {
            got: 0,
            min: 4,
            max: 0xfffc,
        },
    );
    // An empty public key; an empty public name.
    refused(
        |b| {
            b[10] = 0;
            b.drain(11..43);
            fix_lengths(b, -32);
        },
        ErrorKind::LengthOutOfRange {
            got: 0,
            min: 1,
            max: 0xffff,
        },
    );
    let name_len = suites_len + 2 + 8 + 1;
    refused(
        |b| {
            b[name_len] = 0;
            b.drain(name_len + 1..name_len + 14);
            fix_lengths(b, -13);
        },
        ErrorKind::LengthOutOfRange {
            got: 0,
            min: 1,
            max: 255,
        },
    );
    // An empty list.
    assert!(EchConfigList::decode(&[0, 0]).is_err());
}

/// Adjusts the list and first config lengths of the sample after removing bytes.
fn fix_lengths(b: &mut [u8], delta: i32) {
    for at in [0, 4] {
        let old = i32::from(u16::from_be_bytes([b[at], b[at + 1]]));
        let new = u16::try_from(old + delta).unwrap().to_be_bytes();
        b[at..at + 2].copy_from_slice(&new);
    }
}

fn config_with(suites: usize, extensions: usize) -> EchConfig<'static> {
    EchConfig::Fe0d(EchConfigContents {
        key_config: HpkeKeyConfig {
            config_id: 1,
            kem_id: 0x20,
            public_key: Cow::Owned(vec![1; 32]),
            cipher_suites: vec![
                HpkeSymmetricCipherSuite {
                    kdf_id: 1,
                    aead_id: 1
                };
                suites
            ],
        },
        maximum_name_length: 0,
        public_name: Cow::Owned(b"a".to_vec()),
        extensions: (0..extensions)
            .map(|i| EchConfigExtension {
                extension_type: u16::try_from(i).unwrap(),
                data: Cow::Owned(Vec::new()),
            })
            .collect(),
    })
}

#[test]
fn caps() {
    let list = |configs| EchConfigList { configs }.to_bytes().unwrap();
    let at_cap = list(vec![config_with(1, 0); MAX_ECH_CONFIGS]);
    assert!(EchConfigList::decode(&at_cap).is_ok());
    let over = list(vec![config_with(1, 0); MAX_ECH_CONFIGS + 1]);
    assert_eq!(
        EchConfigList::decode(&over).unwrap_err().kind(),
        ErrorKind::TooManyItems {
            max: MAX_ECH_CONFIGS
        }
    );
    let ok = list(vec![config_with(
        MAX_ECH_CIPHER_SUITES,
        MAX_ECH_CONFIG_EXTENSIONS,
    )]);
    assert!(EchConfigList::decode(&ok).is_ok());
    let over = list(vec![config_with(MAX_ECH_CIPHER_SUITES + 1, 0)]);
    assert_eq!(
        EchConfigList::decode(&over).unwrap_err().kind(),
        ErrorKind::TooManyItems {
            max: MAX_ECH_CIPHER_SUITES
        }
    );
    let over = list(vec![config_with(1, MAX_ECH_CONFIG_EXTENSIONS + 1)]);
    assert_eq!(
        EchConfigList::decode(&over).unwrap_err().kind(),
        ErrorKind::TooManyItems {
            max: MAX_ECH_CONFIG_EXTENSIONS
        }
    );
}

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Cow<'static, [u8]>> {
    vec(any::<u8>(), min..=max).prop_map(Cow::Owned)
}

fn config() -> impl Strategy<Value = EchConfig<'static>> {
    let suite = (any::<u16>(), any::<u16>())
        .prop_map(|(kdf_id, aead_id)| HpkeSymmetricCipherSuite { kdf_id, aead_id });
    let extension =
        (any::<u16>(), bytes(0, 8)).prop_map(|(extension_type, data)| EchConfigExtension {
            extension_type,
            data,
        });
    let fe0d = (
        any::<u8>(),
        any::<u16>(),
        bytes(1, 70),
        vec(suite, 1..8),
        any::<u8>(),
        bytes(1, 40),
        vec(extension, 0..4),
    )
        .prop_map(|(config_id, kem_id, pk, suites, max, name, extensions)| {
            EchConfig::Fe0d(EchConfigContents {
                key_config: HpkeKeyConfig {
                    config_id,
                    kem_id,
                    public_key: pk,
                    cipher_suites: suites,
                },
                maximum_name_length: max,
                public_name: name,
                extensions,
            })
        });
    let unknown = (
        any::<u16>().prop_filter("not 0xfe0d", |v| *v != ECH_VERSION),
        bytes(0, 20),
    )
        .prop_map(|(version, contents)| EchConfig::Unknown { version, contents });
    prop_oneof![3 => fe0d, 1 => unknown]
}

proptest! {
    #[test]
    fn ech_config_list_round_trips(configs in vec(config(), 1..4)) {
        let list = EchConfigList { configs };
        let bytes = list.to_bytes().unwrap();
        let back = EchConfigList::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &list);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes.clone());
        for n in 0..bytes.len() {
            prop_assert!(EchConfigList::decode(&bytes[..n]).is_err());
        }
        for c in &list.configs {
            let one = c.to_bytes().unwrap();
            prop_assert_eq!(&EchConfig::decode(&one).unwrap(), c);
        }
    }
}

/// Writes the fuzz seeds of `messages_ech_config` (`fuzz/corpus/messages_ech_config`).
#[test]
#[ignore = "writes fuzz/corpus; run on purpose"]
fn write_fuzz_seeds() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/messages_ech_config");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sample_list"), sample_bytes()).unwrap();
    let caps = EchConfigList {
        configs: vec![config_with(
            MAX_ECH_CIPHER_SUITES,
            MAX_ECH_CONFIG_EXTENSIONS,
        )],
    };
    std::fs::write(dir.join("caps_list"), caps.to_bytes().unwrap()).unwrap();
    let p256 = EchConfigList {
        configs: vec![EchConfig::Fe0d(EchConfigContents {
            key_config: HpkeKeyConfig {
                config_id: 7,
                kem_id: 0x10,
                public_key: Cow::Owned([&[4u8][..], &[0x22; 64]].concat()),
                cipher_suites: vec![HpkeSymmetricCipherSuite {
                    kdf_id: 2,
                    aead_id: 2,
                }],
            },
            maximum_name_length: 255,
            public_name: Cow::Owned(b"public.example.net".to_vec()),
            extensions: Vec::new(),
        })],
    };
    std::fs::write(dir.join("p256_list"), p256.to_bytes().unwrap()).unwrap();
}
