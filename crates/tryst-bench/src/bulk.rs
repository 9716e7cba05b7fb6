//! Bulk transfer with 16 KiB records, client to server: send (encrypt and frame) and
//! receive (deframe, decrypt, hand out plaintext) timed apart; allocation calls per record.
//! tryst runs twice: through its buffered API (`send_plaintext` / `read_plaintext`, like
//! rustls's) and through its zero-copy API (`encrypt_into` straight into the transport's
//! buffer, `process_in_place` on it).

use std::io::{Read, Write};
use std::time::Duration;

use crate::alloc_count::allocations;
use crate::cpu::Meter;
use crate::floor::{AeadFloor, RECORD};
use crate::report::Row;
use crate::setup::{
    Backend, Pki, RustlsConn, Sides, Suite, rustls_client, rustls_client_on, rustls_handshake,
    rustls_server, rustls_server_on, tryst_client, tryst_client_on, tryst_handshake, tryst_server,
    tryst_server_on,
};
use crate::{Options, Res, median};

/// One direction's measurements over the rounds.
#[derive(Default)]
struct Dir {
    rates: Vec<f64>,
    allocs: u64,
    records: u64,
}

impl Dir {
    fn push(&mut self, k: usize, d: Duration, allocs: u64) {
        self.rates
            .push((k * RECORD) as f64 / d.as_secs_f64().max(1e-12) / 1e6);
        self.allocs += allocs;
        self.records += k as u64;
    }

    fn median(&self) -> f64 {
        median(self.rates.clone())
    }

    fn allocs_per_record(&self) -> f64 {
        self.allocs as f64 / (self.records.max(1)) as f64
    }
}

struct TrystPair {
    c: tryst::ClientConnection,
    s: tryst::ServerConnection,
}

impl TrystPair {
    /// Send `k` records into `stash` (the bytes a transport would take).
    fn send(&mut self, k: usize, payload: &[u8], stash: &mut Vec<u8>) -> Res<(Duration, u64)> {
        stash.clear();
        let t0 = Meter::start();
        let a0 = allocations();
        for _ in 0..k {
            self.c
                .send_plaintext(payload)
                .map_err(|e| format!("tryst send: {e}"))?;
            let out = self.c.pending_tls();
            stash.extend_from_slice(out);
            let n = out.len();
            self.c.consume_tls(n);
        }
        let allocs = allocations() - a0;
        Ok((t0.elapsed(), allocs))
    }

    /// Send `k` records sealed by `encrypt_into` straight into `stash` (grown, not
    /// zero-filled, outside the timed part once it has reached its size).
    fn send_zero_copy(
        &mut self,
        k: usize,
        payload: &[u8],
        stash: &mut Vec<u8>,
    ) -> Res<(Duration, u64)> {
        stash.resize(k * (RECORD + 64), 0);
        let t0 = Meter::start();
        let a0 = allocations();
        let mut at = 0;
        for _ in 0..k {
            at += self
                .c
                .encrypt_into(payload, &mut stash[at..])
                .map_err(|e| format!("tryst encrypt_into: {e}"))?;
        }
        let allocs = allocations() - a0;
        let d = t0.elapsed();
        stash.truncate(at);
        Ok((d, allocs))
    }

    /// Open everything in `stash` in place; returns the plaintext bytes handed out too.
    fn recv_zero_copy(&mut self, stash: &mut [u8]) -> Res<(Duration, u64, usize)> {
        let mut got = 0;
        let mut at = 0;
        let t0 = Meter::start();
        let a0 = allocations();
        while at < stash.len() {
            let r = self
                .s
                .process_in_place(&mut stash[at..])
                .map_err(|e| format!("tryst process_in_place: {e}"))?;
            if r.consumed == 0 {
                return Err("tryst process_in_place: partial record".into());
            }
            got += std::hint::black_box(r.plaintext).map_or(0, <[u8]>::len);
            at += r.consumed;
        }
        let allocs = allocations() - a0;
        Ok((t0.elapsed(), allocs, got))
    }

    /// Receive everything in `stash`; returns plaintext bytes too.
    fn recv(&mut self, stash: &[u8], out: &mut [u8]) -> Res<(Duration, u64, usize)> {
        let mut got = 0;
        let mut data = stash;
        let mut stuck = 0;
        let t0 = Meter::start();
        let a0 = allocations();
        while !data.is_empty() {
            let n = self.s.read_tls_bytes(data);
            data = &data[n..];
            self.s
                .process_new_packets()
                .map_err(|e| format!("tryst recv: {e}"))?;
            loop {
                let m = self.s.read_plaintext(out);
                if m == 0 {
                    break;
                }
                got += m;
            }
            stuck = if n == 0 { stuck + 1 } else { 0 };
            if stuck > 2 {
                return Err("tryst recv: receive buffer stuck".into());
            }
        }
        let allocs = allocations() - a0;
        Ok((t0.elapsed(), allocs, got))
    }
}

struct RustlsPair {
    c: rustls::ClientConnection,
    s: rustls::ServerConnection,
}

impl RustlsPair {
    fn send(&mut self, k: usize, payload: &[u8], stash: &mut Vec<u8>) -> Res<(Duration, u64)> {
        stash.clear();
        let t0 = Meter::start();
        let a0 = allocations();
        for _ in 0..k {
            self.c
                .writer()
                .write_all(payload)
                .map_err(|e| format!("rustls send: {e}"))?;
            while self.c.wants_write() {
                self.c
                    .write_tls(stash)
                    .map_err(|e| format!("rustls send: {e}"))?;
            }
        }
        let allocs = allocations() - a0;
        Ok((t0.elapsed(), allocs))
    }

    fn recv(&mut self, stash: &[u8], out: &mut [u8]) -> Res<(Duration, u64, usize)> {
        let mut got = 0;
        let mut data = stash;
        let t0 = Meter::start();
        let a0 = allocations();
        while !data.is_empty() {
            RustlsConn::read_tls(&mut self.s, &mut data)
                .map_err(|e| format!("rustls recv: {e}"))?;
            self.s
                .process_new_packets()
                .map_err(|e| format!("rustls recv: {e}"))?;
            loop {
                match self.s.reader().read(out) {
                    Ok(0) => break,
                    Ok(m) => got += m,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(format!("rustls recv: {e}")),
                }
            }
        }
        let allocs = allocations() - a0;
        Ok((t0.elapsed(), allocs, got))
    }
}

/// Both AES-GCM suites: send and receive MB/s for tryst, rustls and raw aes-gcm, and
/// allocation calls per record (TLS_AES_128_GCM_SHA256).
pub(crate) fn run(p: &Pki, opts: &Options) -> Res<Vec<Row>> {
    let mut rows = Vec::new();
    let k = opts.records;
    let payload = vec![0x61u8; RECORD];
    let mut out = vec![0u8; RECORD];
    let mut stash = Vec::with_capacity(k * (RECORD + 64));
    let mut alloc_rows = Vec::new();
    for (backend, suite) in [
        (Backend::Default, Suite::Aes128),
        (Backend::Default, Suite::Aes256),
        (Backend::Graviola, Suite::Aes128),
        (Backend::Graviola, Suite::Aes256),
    ] {
        let [ts, tr, zs, zr, rs, rr, fs, fr] =
            measure(p, opts, backend, suite, &payload, &mut stash, &mut out)?;
        // The floor is the backend's own AES-GCM in place (on the default backend the
        // faster of aes-gcm and tryst-crypto's own; on graviola, graviola's).
        let (name, b) = (suite.name(), backend.suffix());
        rows.push(Row::higher(
            &format!("bulk send, {name}{b}"),
            "MB/s",
            Some(ts.median()),
            Some(rs.median()),
            Some(fs.median()),
        ));
        rows.push(Row::higher(
            &format!("bulk receive, {name}{b}"),
            "MB/s",
            Some(tr.median()),
            Some(rr.median()),
            Some(fr.median()),
        ));
        // tryst's zero-copy API against the same rustls (buffered) measurements.
        rows.push(Row::higher(
            &format!("bulk send, {name}, zero-copy{b}"),
            "MB/s",
            Some(zs.median()),
            Some(rs.median()),
            Some(fs.median()),
        ));
        rows.push(Row::higher(
            &format!("bulk receive, {name}, zero-copy{b}"),
            "MB/s",
            Some(zr.median()),
            Some(rr.median()),
            Some(fr.median()),
        ));
        // Allocation calls per record, on both backends (AES-128-GCM).
        if suite == Suite::Aes128 && crate::alloc_count::installed() {
            for (what, t, r, f) in [
                ("send", &ts, &rs, &fs),
                ("receive", &tr, &rr, &fr),
                ("send, zero-copy", &zs, &rs, &fs),
                ("receive, zero-copy", &zr, &rr, &fr),
            ] {
                alloc_rows.push(Row::lower(
                    &format!("allocations per record, {what}{b}"),
                    "allocs",
                    Some(t.allocs_per_record()),
                    Some(r.allocs_per_record()),
                    Some(f.allocs_per_record()),
                ));
            }
        }
    }
    rows.extend(alloc_rows);
    Ok(rows)
}

/// A round must deliver all `k` records' bytes.
fn all_received(who: &str, got: usize, k: usize) -> Res<()> {
    if got == k * RECORD {
        Ok(())
    } else {
        Err(format!("{who}: received {got} of {} bytes", k * RECORD))
    }
}

/// One suite on one backend: send and receive for tryst (buffered, then zero-copy),
/// rustls and the floor, in that order, over `opts.rounds` interleaved rounds after a
/// warm-up.
fn measure(
    p: &Pki,
    opts: &Options,
    backend: Backend,
    suite: Suite,
    payload: &[u8],
    stash: &mut Vec<u8>,
    out: &mut [u8],
) -> Res<[Dir; 8]> {
    let k = opts.records;
    let mut scratch = Vec::new();
    let (c, s) = tryst_handshake(
        &tryst_client_on(p, suite, false, backend)?,
        &tryst_server_on(p, suite, backend)?,
        &mut Sides::default(),
        &mut scratch,
    )?;
    let mut tp = TrystPair { c, s };
    let (c, s) = rustls_handshake(
        &rustls_client_on(p, suite, false, backend)?,
        &rustls_server_on(p, suite, backend)?,
        &mut Sides::default(),
        &mut scratch,
    )?;
    let mut rp = RustlsPair { c, s };
    let floor = AeadFloor::new(suite, backend)?;
    let mut floor_bufs = Vec::new();

    let mut tryst_round = |stash: &mut Vec<u8>, out: &mut [u8], k: usize| -> Res<_> {
        let send = tp.send(k, payload, stash)?;
        let recv = tp.recv(stash, out)?;
        all_received("tryst", recv.2, k)?;
        let zsend = tp.send_zero_copy(k, payload, stash)?;
        let zrecv = tp.recv_zero_copy(stash)?;
        all_received("tryst zero-copy", zrecv.2, k)?;
        Ok((send, (recv.0, recv.1), zsend, (zrecv.0, zrecv.1)))
    };
    let mut rustls_round = |stash: &mut Vec<u8>, out: &mut [u8], k: usize| -> Res<_> {
        let send = rp.send(k, payload, stash)?;
        let recv = rp.recv(stash, out)?;
        all_received("rustls", recv.2, k)?;
        Ok((send, (recv.0, recv.1)))
    };
    // Warm-up: buffers reach their steady-state sizes here.
    tryst_round(stash, out, k.div_ceil(10).max(2))?;
    rustls_round(stash, out, k.div_ceil(10).max(2))?;

    let [mut ts, mut tr, mut zs, mut zr, mut rs, mut rr]: [Dir; 6] = Default::default();
    // The floor's implementations (default backend: aes-gcm, tryst-crypto's), each direction.
    let imps = floor.implementations();
    let (mut fs, mut fr): (Vec<Dir>, Vec<Dir>) = (
        std::iter::repeat_with(Dir::default).take(imps).collect(),
        std::iter::repeat_with(Dir::default).take(imps).collect(),
    );
    for round in 0..opts.rounds {
        let (t, r) = if round % 2 == 0 {
            let t = tryst_round(stash, out, k)?;
            (t, rustls_round(stash, out, k)?)
        } else {
            let r = rustls_round(stash, out, k)?;
            (tryst_round(stash, out, k)?, r)
        };
        ts.push(k, t.0.0, t.0.1);
        tr.push(k, t.1.0, t.1.1);
        zs.push(k, t.2.0, t.2.1);
        zr.push(k, t.3.0, t.3.1);
        rs.push(k, r.0.0, r.0.1);
        rr.push(k, r.1.0, r.1.1);
        for (dir, (d, a)) in fs.iter_mut().zip(floor.seal_n(k, &mut floor_bufs)?) {
            dir.push(k, d, a);
        }
        for (dir, (d, a)) in fr.iter_mut().zip(floor.open_n(k, &mut floor_bufs)?) {
            dir.push(k, d, a);
        }
    }
    // The floor: per direction, the AES-GCM implementation with the better median.
    let best = |dirs: Vec<Dir>| {
        dirs.into_iter()
            .max_by(|a, b| a.median().total_cmp(&b.median()))
            .unwrap_or_default()
    };
    Ok([ts, tr, zs, zr, rs, rr, best(fs), best(fr)])
}

/// One workload alone, for a profiler: `n` records sent and received.
pub(crate) fn profile(p: &Pki, name: &str, n: usize) -> Res<()> {
    let payload = vec![0x61u8; RECORD];
    let mut out = vec![0u8; RECORD];
    let mut stash = Vec::with_capacity(64 * (RECORD + 64));
    let mut scratch = Vec::new();
    let suite = Suite::Aes128;
    let chunks = n.div_ceil(64);
    match name {
        "floor-bulk" | "floor-bulk-native" => {
            AeadFloor::new(suite, Backend::Default)?.profile(name == "floor-bulk-native", n)?;
        }
        "tryst-bulk-zero-copy" => {
            let (c, s) = tryst_handshake(
                &tryst_client(p, suite, false)?,
                &tryst_server(p, suite)?,
                &mut Sides::default(),
                &mut scratch,
            )?;
            let mut tp = TrystPair { c, s };
            for _ in 0..chunks {
                tp.send_zero_copy(64, &payload, &mut stash)?;
                tp.recv_zero_copy(&mut stash)?;
            }
        }
        "tryst-bulk" => {
            let (c, s) = tryst_handshake(
                &tryst_client(p, suite, false)?,
                &tryst_server(p, suite)?,
                &mut Sides::default(),
                &mut scratch,
            )?;
            let mut tp = TrystPair { c, s };
            for _ in 0..chunks {
                tp.send(64, &payload, &mut stash)?;
                tp.recv(&stash, &mut out)?;
            }
        }
        _ => {
            let (c, s) = rustls_handshake(
                &rustls_client(p, suite, false)?,
                &rustls_server(p, suite)?,
                &mut Sides::default(),
                &mut scratch,
            )?;
            let mut rp = RustlsPair { c, s };
            for _ in 0..chunks {
                rp.send(64, &payload, &mut stash)?;
                rp.recv(&stash, &mut out)?;
            }
        }
    }
    Ok(())
}
