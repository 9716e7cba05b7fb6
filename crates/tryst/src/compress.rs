//! Certificate compression (RFC 8879): the algorithms behind small traits, the pure-Rust
//! implementations behind the `zlib`, `brotli` and `zstd` features, and the steps both
//! sides take: sending a Certificate as CompressedCertificate (compressed once per
//! certificate and algorithm, then cached), and decompressing one within a bound.
//!
//! The receiver offers algorithms in `compress_certificate`; the sender picks the first of
//! its own that was offered. A CompressedCertificate with an algorithm we did not offer is
//! illegal_parameter; one declaring more than [`Limits::max_decompressed_certificate_len`]
//! bytes, or that does not decompress to exactly the declared length, is bad_certificate
//! (RFC 8879 §4). Output never grows past the declared length: the decompressor writes
//! into a buffer of that size and fails if the stream holds more.
//!
//! [`Limits::max_decompressed_certificate_len`]: crate::Limits

use alloc::borrow::Cow;
use alloc::sync::Arc;
use alloc::vec::Vec;

use rustls_pki_types::CertificateDer;
use tryst_messages::{
    AlertDescription, Certificate, CertificateCompressionAlgorithm, Codec, CompressedCertificate,
    HandshakeMessage,
};

use crate::Error;

/// Why a certificate did not decompress (the connection fails with bad_certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecompressionFailed;

/// One compression algorithm for certificates (RFC 8879 §3).
pub trait CertificateCompressor: Send + Sync {
    /// The algorithm's code point.
    fn algorithm(&self) -> CertificateCompressionAlgorithm;

    /// `input` compressed, or `None` when it cannot be (then the certificate is sent
    /// uncompressed).
    fn compress(&self, input: &[u8]) -> Option<Vec<u8>>;

    /// Decompress `input` into exactly `out.len()` bytes: an error if the stream is
    /// malformed, shorter, or longer (never writing past `out`).
    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<(), DecompressionFailed>;
}

impl core::fmt::Debug for dyn CertificateCompressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CertificateCompressor({:?})", self.algorithm())
    }
}

/// Every algorithm this build has (by feature), in tryst's preference order: brotli,
/// zstd, zlib. Give them to `with_certificate_compression` on either config.
// One push per enabled feature (a `vec![]` cannot leave items out by cfg).
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn default_compressors() -> Vec<Arc<dyn CertificateCompressor>> {
    let mut v: Vec<Arc<dyn CertificateCompressor>> = Vec::new();
    #[cfg(feature = "brotli")]
    v.push(Arc::new(Brotli));
    #[cfg(feature = "zstd")]
    v.push(Arc::new(Zstd));
    #[cfg(feature = "zlib")]
    v.push(Arc::new(Zlib));
    v
}

/// `std::io::Read` into `out`, then one more byte must not come: exactly `out.len()`.
#[cfg(any(feature = "brotli", feature = "zstd"))]
fn read_exactly(mut r: impl std::io::Read, out: &mut [u8]) -> Result<(), DecompressionFailed> {
    r.read_exact(out).map_err(|_| DecompressionFailed)?;
    let mut extra = [0u8; 1];
    match r.read(&mut extra) {
        Ok(0) => Ok(()),
        _ => Err(DecompressionFailed),
    }
}

/// zlib (RFC 1950), with `miniz_oxide`.
#[cfg(feature = "zlib")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Zlib;

#[cfg(feature = "zlib")]
impl CertificateCompressor for Zlib {
    fn algorithm(&self) -> CertificateCompressionAlgorithm {
        CertificateCompressionAlgorithm::Zlib
    }

    fn compress(&self, input: &[u8]) -> Option<Vec<u8>> {
        Some(miniz_oxide::deflate::compress_to_vec_zlib(input, 9))
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<(), DecompressionFailed> {
        // The limit stops a bomb at out.len() + 1 bytes.
        let limit = out.len().saturating_add(1);
        let v = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(input, limit)
            .map_err(|_| DecompressionFailed)?;
        if v.len() != out.len() {
            return Err(DecompressionFailed);
        }
        out.copy_from_slice(&v);
        Ok(())
    }
}

/// Brotli (RFC 7932), with the `brotli` crate. Its decoder's window is at most 16 MiB
/// (no large-window streams).
#[cfg(feature = "brotli")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Brotli;

#[cfg(feature = "brotli")]
impl CertificateCompressor for Brotli {
    fn algorithm(&self) -> CertificateCompressionAlgorithm {
        CertificateCompressionAlgorithm::Brotli
    }

    fn compress(&self, input: &[u8]) -> Option<Vec<u8>> {
        use std::io::Write as _;
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
            w.write_all(input).ok()?;
            w.flush().ok()?;
        }
        Some(out)
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<(), DecompressionFailed> {
        read_exactly(brotli::Decompressor::new(input, 4096), out)
    }
}

/// Zstandard (RFC 8878), with `ruzstd` (pure Rust). A frame whose window is larger
/// than the certificate it declares is refused before the decoder allocates it.
#[cfg(feature = "zstd")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Zstd;

/// The window a zstd frame header asks for (RFC 8878 §3.1.1.1), if the header is whole.
#[cfg(feature = "zstd")]
fn zstd_window(input: &[u8]) -> Option<u64> {
    let (magic, rest) = input.split_first_chunk::<4>()?;
    if u32::from_le_bytes(*magic) != 0xFD2F_B528 {
        return None;
    }
    let (&descriptor, rest) = rest.split_first()?;
    if descriptor & 0x20 == 0 {
        let &wd = rest.first()?;
        let log = 10 + u64::from(wd >> 3);
        let base = 1u64.checked_shl(u32::try_from(log).ok()?)?;
        return Some(base + (base / 8) * u64::from(wd & 7));
    }
    // Single segment: the window is the content size, whose field follows any
    // dictionary id.
    let dict_len: usize = match descriptor & 3 {
        0 => 0,
        1 => 1,
        2 => 2,
        _ => 4,
    };
    let fcs_len: usize = match descriptor >> 6 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let field = rest.get(dict_len..dict_len.checked_add(fcs_len)?)?;
    let mut size = [0u8; 8];
    size.get_mut(..fcs_len)?.copy_from_slice(field);
    let v = u64::from_le_bytes(size);
    Some(if fcs_len == 2 { v + 256 } else { v })
}

#[cfg(feature = "zstd")]
impl CertificateCompressor for Zstd {
    fn algorithm(&self) -> CertificateCompressionAlgorithm {
        CertificateCompressionAlgorithm::Zstd
    }

    fn compress(&self, input: &[u8]) -> Option<Vec<u8>> {
        Some(ruzstd::encoding::compress_to_vec(
            input,
            ruzstd::encoding::CompressionLevel::Fastest,
        ))
    }

    fn decompress(&self, input: &[u8], out: &mut [u8]) -> Result<(), DecompressionFailed> {
        // Windows below 1 MiB are always fine; above, no larger than the output.
        let bound = u64::try_from(out.len()).unwrap_or(u64::MAX).max(1 << 20);
        if zstd_window(input).is_none_or(|w| w > bound) {
            return Err(DecompressionFailed);
        }
        let decoder =
            ruzstd::decoding::StreamingDecoder::new(input).map_err(|_| DecompressionFailed)?;
        read_exactly(decoder, out)
    }
}

/// The first of `ours` the peer offered.
pub(crate) fn choose(
    ours: &[Arc<dyn CertificateCompressor>],
    offered: Option<&[CertificateCompressionAlgorithm]>,
) -> Option<Arc<dyn CertificateCompressor>> {
    let offered = offered?;
    ours.iter()
        .find(|c| offered.contains(&c.algorithm()))
        .cloned()
}

/// A Certificate message body (context and chain, no entry extensions) as encoded.
fn certificate_body(
    context: &[u8],
    chain: &[CertificateDer<'static>],
    ocsp: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    Ok(crate::ocsp::certificate(context, chain, ocsp).to_bytes()?)
}

/// A compressed Certificate body: the algorithm, its uncompressed length, the bytes.
pub(crate) struct Compressed {
    algorithm: CertificateCompressionAlgorithm,
    /// The end entity carries the key's OCSP response (a cache key; no cache without std).
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    stapled: bool,
    uncompressed_len: u32,
    bytes: Vec<u8>,
}

/// Compressed certificates of one certified key, one per algorithm, made on first use.
#[derive(Default)]
pub(crate) struct Cache {
    #[cfg(feature = "std")]
    entries: std::sync::Mutex<Vec<Arc<Compressed>>>,
}

impl Cache {
    /// The chain (with an empty context, with `ocsp` stapled or not) compressed by `c`,
    /// from the cache or made now.
    pub(crate) fn get(
        &self,
        chain: &[CertificateDer<'static>],
        ocsp: Option<&[u8]>,
        c: &dyn CertificateCompressor,
    ) -> Result<Option<Arc<Compressed>>, Error> {
        #[cfg(feature = "std")]
        {
            let entries = self
                .entries
                .lock()
                .map_err(|_| Error::Internal("cache lock"))?;
            let hit = (entries.iter())
                .find(|e| e.algorithm == c.algorithm() && e.stapled == ocsp.is_some());
            if let Some(hit) = hit {
                return Ok(Some(Arc::clone(hit)));
            }
        }
        let Some(made) = compress_chain(&[], chain, ocsp, c)? else {
            return Ok(None);
        };
        let made = Arc::new(made);
        #[cfg(feature = "std")]
        if let Ok(mut entries) = self.entries.lock() {
            entries.push(Arc::clone(&made));
        }
        Ok(Some(made))
    }

    /// How many compressed forms are cached.
    #[cfg(feature = "std")]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }
}

#[cfg(feature = "std")]
impl crate::config::CertifiedKey {
    /// How many compressed forms of this chain (one per algorithm) have been made and
    /// kept for later handshakes (RFC 8879; the server compresses each once).
    pub fn cached_compressions(&self) -> usize {
        self.compressed.len()
    }
}

fn compress_chain(
    context: &[u8],
    chain: &[CertificateDer<'static>],
    ocsp: Option<&[u8]>,
    c: &dyn CertificateCompressor,
) -> Result<Option<Compressed>, Error> {
    let body = certificate_body(context, chain, ocsp)?;
    let uncompressed_len = u32::try_from(body.len())
        .ok()
        .filter(|l| *l <= 0x00ff_ffff)
        .ok_or(Error::Internal("certificate chain too long to compress"))?;
    Ok(c.compress(&body)
        .filter(|b| !b.is_empty())
        .map(|bytes| Compressed {
            algorithm: c.algorithm(),
            stapled: ocsp.is_some(),
            uncompressed_len,
            bytes,
        }))
}

/// The CompressedCertificate message for `compressed`.
pub(crate) fn message(compressed: &Compressed) -> HandshakeMessage<'_> {
    HandshakeMessage::CompressedCertificate(CompressedCertificate {
        algorithm: compressed.algorithm,
        uncompressed_length: compressed.uncompressed_len,
        compressed_certificate_message: Cow::Borrowed(&compressed.bytes),
    })
}

/// A chain with a non-empty context (post-handshake) is compressed each time.
pub(crate) fn compress_uncached(
    context: &[u8],
    chain: &[CertificateDer<'static>],
    c: &dyn CertificateCompressor,
) -> Result<Option<Arc<Compressed>>, Error> {
    Ok(compress_chain(context, chain, None, c)?.map(Arc::new))
}

fn bad_certificate(rule: &'static str) -> Error {
    Error::misbehaved(AlertDescription::BadCertificate, rule)
}

/// Decompress a peer's CompressedCertificate into the Certificate message body (RFC 8879
/// §4): the algorithm must be one we offered (`ours`), the declared length within `max`,
/// and the stream must decompress to exactly that length.
pub(crate) fn decompress(
    cc: &CompressedCertificate<'_>,
    ours: &[Arc<dyn CertificateCompressor>],
    max: usize,
) -> Result<Vec<u8>, Error> {
    let Some(c) = ours.iter().find(|c| c.algorithm() == cc.algorithm) else {
        return Err(Error::illegal(
            "CompressedCertificate with an algorithm we did not offer (RFC 8879 §4)",
        ));
    };
    let len = usize::try_from(cc.uncompressed_length).unwrap_or(usize::MAX);
    if len > max {
        return Err(bad_certificate(
            "CompressedCertificate declares more than the configured maximum",
        ));
    }
    if len == 0 {
        return Err(bad_certificate(
            "CompressedCertificate declares an empty certificate",
        ));
    }
    let mut out = alloc::vec![0u8; len];
    c.decompress(&cc.compressed_certificate_message, &mut out)
        .map_err(|_| {
            bad_certificate("CompressedCertificate does not decompress to its declared length")
        })?;
    Ok(out)
}

/// Send `key`'s chain (RFC 8446 §4.4.2), as CompressedCertificate with `compressor` when
/// the peer offered one of ours (RFC 8879 §4), else as Certificate, with `ocsp` stapled
/// to the end entity. The transcript takes the message as sent. Returns the algorithm
/// used, if any.
pub(crate) fn send_certificate(
    core: &mut crate::conn::Core,
    transcript: &mut tryst_keyschedule::Transcript,
    context: &[u8],
    (key, ocsp): (&crate::config::CertifiedKey, Option<&[u8]>),
    compressor: Option<&dyn CertificateCompressor>,
) -> Result<Option<CertificateCompressionAlgorithm>, Error> {
    if let Some(c) = compressor {
        let compressed = if context.is_empty() {
            key.compressed.get(&key.chain, ocsp, c)?
        } else {
            compress_uncached(context, &key.chain, c)?
        };
        if let Some(cc) = compressed {
            let bytes = core.send_handshake(&message(&cc))?;
            transcript.add(&bytes)?;
            return Ok(Some(cc.algorithm));
        }
    }
    crate::tls13::common::send_certificate(core, transcript, context, &key.chain, ocsp)?;
    Ok(None)
}

/// The Certificate body carried by a peer's CompressedCertificate, decompressed within
/// the config's limit (see [`decompress`]).
pub(crate) fn received_certificate(
    cc: &CompressedCertificate<'_>,
    common: &crate::config::Common,
) -> Result<Vec<u8>, Error> {
    if common.cert_compression.is_empty() {
        return Err(Error::unexpected(
            "CompressedCertificate although we offered no compress_certificate",
        ));
    }
    decompress(
        cc,
        &common.cert_compression,
        common.limits.max_decompressed_certificate_len,
    )
}

/// The Certificate message a decompressed body holds.
pub(crate) fn parse_certificate(body: &[u8]) -> Result<Certificate<'_>, Error> {
    Ok(Certificate::decode(body)?)
}

#[cfg(all(test, feature = "zstd"))]
mod tests {
    use super::*;

    #[test]
    fn zstd_window_is_read_from_the_frame_header() {
        // ruzstd's own frames fit the bound.
        let frame = Zstd.compress(&[7u8; 300]).unwrap();
        assert!(zstd_window(&frame).is_some_and(|w| w <= 1 << 20));
        let magic = 0xFD2F_B528u32.to_le_bytes();
        // Single segment: the window is the content size (1 byte; 2 bytes count from 256).
        assert_eq!(zstd_window(&[&magic[..], &[0x20, 44]].concat()), Some(44));
        assert_eq!(
            zstd_window(&[&magic[..], &[0x60, 0x2c, 0x01]].concat()),
            Some(556)
        );
        // Window descriptor: exponent 16, mantissa 0 -> 2^26 bytes; mantissa 4 -> +half.
        let header = |wd: u8| [&magic[..], &[0x00, wd]].concat();
        assert_eq!(zstd_window(&header(16 << 3)), Some(1 << 26));
        assert_eq!(
            zstd_window(&header((16 << 3) | 4)),
            Some((1 << 26) + (1 << 25))
        );
        // Truncated or foreign input has no window.
        assert_eq!(zstd_window(&magic), None);
        assert_eq!(zstd_window(b"not zstd"), None);
    }

    #[test]
    fn a_zstd_frame_asking_for_a_large_window_is_refused() {
        // 64 MiB window for a 1000-byte certificate: refused before the decoder runs.
        let magic = 0xFD2F_B528u32.to_le_bytes();
        let frame = [&magic[..], &[0x00, 16 << 3], &[0u8; 16][..]].concat();
        let mut out = [0u8; 1000];
        assert_eq!(Zstd.decompress(&frame, &mut out), Err(DecompressionFailed));
        // A real frame decompresses to exactly its length, and not into a longer buffer.
        let input = [9u8; 1000];
        let frame = Zstd.compress(&input).unwrap();
        Zstd.decompress(&frame, &mut out).unwrap();
        assert_eq!(out, input);
        let mut longer = [0u8; 1001];
        assert_eq!(
            Zstd.decompress(&frame, &mut longer),
            Err(DecompressionFailed)
        );
    }
}
