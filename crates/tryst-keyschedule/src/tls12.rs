//! The TLS 1.2 PRF and the secrets built from it (RFC 5246 §5, §6.3, §7.4.9, §8.1;
//! RFC 7627), for stacks that must still speak TLS 1.2.

use alloc::vec;
use alloc::vec::Vec;

use tryst_crypto::zeroize::Zeroizing;
use tryst_crypto::{Hash, Output, Secret, SharedSecret};

use crate::Error;

/// Length of a TLS 1.2 master secret.
pub const MASTER_SECRET_LEN: usize = 48;

/// Length of TLS 1.2 Finished verify_data for every defined suite (RFC 5246 §7.4.9).
pub const VERIFY_DATA_LEN: usize = 12;

/// PRF(secret, label, seed) = P_hash(secret, label + seed) into `out` (RFC 5246 §5), with
/// `hash` the PRF hash (SHA-256, or SHA-384 for the `_SHA384` suites). The seed is given
/// in pieces, so nothing is allocated.
///
/// ```text
/// P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
///                        HMAC_hash(secret, A(2) + seed) + ...
/// A(0) = seed,  A(i) = HMAC_hash(secret, A(i-1))
/// ```
pub fn prf(
    hash: &dyn Hash,
    secret: &[u8],
    label: &[u8],
    seed: &[&[u8]],
    out: &mut [u8],
) -> Result<(), Error> {
    // A(1) = HMAC(secret, label + seed), with the pieces fed one after the other.
    let mut parts: [&[u8]; 8] = [&[]; 8];
    let (first, rest) = parts.split_first_mut().ok_or(Error::OutputTooLong)?;
    *first = label;
    if seed.len() > rest.len() {
        return Err(Error::OutputTooLong);
    }
    for (dst, src) in rest.iter_mut().zip(seed) {
        *dst = src;
    }
    let label_seed = parts.get(..seed.len().saturating_add(1)).unwrap_or(&parts);
    let mut a: Output = hash.hmac(secret, label_seed);
    for chunk in out.chunks_mut(hash.output_len()) {
        // HMAC(secret, A(i) + label + seed)
        let mut all: [&[u8]; 9] = [&[]; 9];
        let (head, tail) = all.split_first_mut().ok_or(Error::OutputTooLong)?;
        *head = a.as_bytes();
        for (dst, src) in tail.iter_mut().zip(label_seed) {
            *dst = src;
        }
        let used = all
            .get(..label_seed.len().saturating_add(1))
            .unwrap_or(&all);
        let block = hash.hmac(secret, used);
        for (d, s) in chunk.iter_mut().zip(block.as_bytes()) {
            *d = *s;
        }
        a = hash.hmac(secret, &[a.as_bytes()]);
    }
    Ok(())
}

/// master_secret = PRF(pre_master_secret, "master secret", ClientHello.random +
/// ServerHello.random)[0..47] (RFC 5246 §8.1).
pub fn master_secret(
    hash: &dyn Hash,
    pre_master_secret: &SharedSecret,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<Secret, Error> {
    prf_secret(
        hash,
        pre_master_secret.expose_secret(),
        b"master secret",
        &[client_random, server_random],
        MASTER_SECRET_LEN,
    )
}

/// The extended master secret (RFC 7627 §4): PRF(pre_master_secret,
/// "extended master secret", session_hash)[0..47], where session_hash is the hash of the
/// handshake messages up to and including ClientKeyExchange.
pub fn extended_master_secret(
    hash: &dyn Hash,
    pre_master_secret: &SharedSecret,
    session_hash: &Output,
) -> Result<Secret, Error> {
    prf_secret(
        hash,
        pre_master_secret.expose_secret(),
        b"extended master secret",
        &[session_hash.as_bytes()],
        MASTER_SECRET_LEN,
    )
}

/// key_block = PRF(master_secret, "key expansion", server_random + client_random), `len`
/// bytes (RFC 5246 §6.3), to be cut into MAC keys, write keys and IVs by the caller.
pub fn key_block(
    hash: &dyn Hash,
    master_secret: &Secret,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    prf(
        hash,
        master_secret.expose_secret(),
        b"key expansion",
        &[server_random, client_random],
        &mut out,
    )?;
    Ok(out)
}

/// Which side sent a TLS 1.2 Finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// "client finished".
    Client,
    /// "server finished".
    Server,
}

/// verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]
/// (RFC 5246 §7.4.9).
pub fn verify_data(
    hash: &dyn Hash,
    master_secret: &Secret,
    side: Side,
    handshake_hash: &Output,
) -> Result<Secret, Error> {
    let label: &[u8] = match side {
        Side::Client => b"client finished",
        Side::Server => b"server finished",
    };
    prf_secret(
        hash,
        master_secret.expose_secret(),
        label,
        &[handshake_hash.as_bytes()],
        VERIFY_DATA_LEN,
    )
}

fn prf_secret(
    hash: &dyn Hash,
    secret: &[u8],
    label: &[u8],
    seed: &[&[u8]],
    len: usize,
) -> Result<Secret, Error> {
    let mut result = Ok(());
    let s = Secret::fill_with(len, |out| {
        result = prf(hash, secret, label, seed, out);
        Ok(())
    })?;
    result.map(|()| s)
}
