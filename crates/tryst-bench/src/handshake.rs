//! Full and resumed handshakes per second, each side's CPU time apart.

use std::time::Duration;

use crate::floor::HandshakeFloor;
use crate::report::Row;
use crate::setup::{
    Backend, Pki, Sides, Suite, rustls_client_on, rustls_handshake, rustls_server_on,
    tryst_client_on, tryst_handshake, tryst_server_on,
};
use crate::{Options, Res, median};

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-12)
}

#[derive(Default)]
struct Rates {
    client: Vec<f64>,
    server: Vec<f64>,
}

impl Rates {
    fn push(&mut self, n: usize, t: Sides) {
        self.client.push(rate(n, t.client));
        self.server.push(rate(n, t.server));
    }
}

fn rows(what: &str, backend: Backend, tryst: Rates, rustls: Rates, floor: Rates) -> Vec<Row> {
    let b = backend.suffix();
    // The floor is tryst-crypto's default primitives: shown on the default backend's rows.
    let floor_of = |v: Vec<f64>| (backend == Backend::Default).then(|| median(v));
    vec![
        Row::higher(
            &format!("{what} handshake, client{b}"),
            "hs/s",
            Some(median(tryst.client)),
            Some(median(rustls.client)),
            floor_of(floor.client),
        ),
        Row::higher(
            &format!("{what} handshake, server{b}"),
            "hs/s",
            Some(median(tryst.server)),
            Some(median(rustls.server)),
            floor_of(floor.server),
        ),
    ]
}

/// Full handshakes: X25519, Ed25519 certificate, TLS_AES_128_GCM_SHA256, no resumption
/// offered (the server still issues its two tickets, as rustls's does).
pub(crate) fn full(p: &Pki, opts: &Options) -> Res<Vec<Row>> {
    let mut rows = full_on(p, opts, Backend::Default)?;
    rows.extend(full_on(p, opts, Backend::Graviola)?);
    Ok(rows)
}

/// [`full`] on one backend: tryst-crypto's default against *ring*, or graviola against
/// rustls-graviola (" [graviola]" rows, without a floor).
fn full_on(p: &Pki, opts: &Options, backend: Backend) -> Res<Vec<Row>> {
    let (tc, ts) = (
        tryst_client_on(p, Suite::Aes128, false, backend)?,
        tryst_server_on(p, Suite::Aes128, backend)?,
    );
    let (rc, rs) = (
        rustls_client_on(p, Suite::Aes128, false, backend)?,
        rustls_server_on(p, Suite::Aes128, backend)?,
    );
    let floor = HandshakeFloor::new(p)?;
    let mut buf = Vec::with_capacity(16 * 1024);
    let n = opts.handshakes;

    let run_tryst = |buf: &mut Vec<u8>, n: usize| -> Res<Sides> {
        let mut t = Sides::default();
        for _ in 0..n {
            let (c, _s) = tryst_handshake(&tc, &ts, &mut t, buf)?;
            if c.handshake_kind() != Some(tryst::HandshakeKind::Full) {
                return Err(format!(
                    "tryst: expected a full handshake, got {:?}",
                    c.handshake_kind()
                ));
            }
        }
        Ok(t)
    };
    let run_rustls = |buf: &mut Vec<u8>, n: usize| -> Res<Sides> {
        let mut t = Sides::default();
        for _ in 0..n {
            let (c, _s) = rustls_handshake(&rc, &rs, &mut t, buf)?;
            if c.handshake_kind() != Some(rustls::HandshakeKind::Full) {
                return Err(format!(
                    "rustls: expected a full handshake, got {:?}",
                    c.handshake_kind()
                ));
            }
        }
        Ok(t)
    };
    // Warm-up (caches, lazy tables), not recorded.
    run_tryst(&mut buf, n.div_ceil(10))?;
    run_rustls(&mut buf, n.div_ceil(10))?;
    floor.full(n.div_ceil(10))?;

    let (mut t, mut r, mut f) = (Rates::default(), Rates::default(), Rates::default());
    for round in 0..opts.rounds {
        if round % 2 == 0 {
            t.push(n, run_tryst(&mut buf, n)?);
            r.push(n, run_rustls(&mut buf, n)?);
        } else {
            r.push(n, run_rustls(&mut buf, n)?);
            t.push(n, run_tryst(&mut buf, n)?);
        }
        f.push(n, floor.full(n)?);
    }
    Ok(rows("full", backend, t, r, f))
}

/// Resumed handshakes from tickets (psk_dhe_ke); every one must be a resumption.
pub(crate) fn resumed(p: &Pki, opts: &Options) -> Res<Vec<Row>> {
    let mut rows = resumed_on(p, opts, Backend::Default)?;
    rows.extend(resumed_on(p, opts, Backend::Graviola)?);
    Ok(rows)
}

/// [`resumed`] on one backend, as [`full_on`].
fn resumed_on(p: &Pki, opts: &Options, backend: Backend) -> Res<Vec<Row>> {
    let (tc, ts) = (
        tryst_client_on(p, Suite::Aes128, true, backend)?,
        tryst_server_on(p, Suite::Aes128, backend)?,
    );
    let (rc, rs) = (
        rustls_client_on(p, Suite::Aes128, true, backend)?,
        rustls_server_on(p, Suite::Aes128, backend)?,
    );
    let floor = HandshakeFloor::new(p)?;
    let mut buf = Vec::with_capacity(16 * 1024);
    let n = opts.handshakes;

    // One full handshake each fills the ticket stores; every resumption brings two more.
    tryst_handshake(&tc, &ts, &mut Sides::default(), &mut buf)?;
    rustls_handshake(&rc, &rs, &mut Sides::default(), &mut buf)?;

    let run_tryst = |buf: &mut Vec<u8>, n: usize| -> Res<Sides> {
        let mut t = Sides::default();
        for _ in 0..n {
            let (c, s) = tryst_handshake(&tc, &ts, &mut t, buf)?;
            if !c.is_resumed() || !s.is_resumed() {
                return Err(format!(
                    "tryst: expected a resumption, got {:?}",
                    c.handshake_kind()
                ));
            }
        }
        Ok(t)
    };
    let run_rustls = |buf: &mut Vec<u8>, n: usize| -> Res<Sides> {
        let mut t = Sides::default();
        for _ in 0..n {
            let (c, _s) = rustls_handshake(&rc, &rs, &mut t, buf)?;
            if c.handshake_kind() != Some(rustls::HandshakeKind::Resumed) {
                return Err(format!(
                    "rustls: expected a resumption, got {:?}",
                    c.handshake_kind()
                ));
            }
        }
        Ok(t)
    };
    run_tryst(&mut buf, n.div_ceil(10))?;
    run_rustls(&mut buf, n.div_ceil(10))?;
    floor.resumed_sides(n.div_ceil(10))?;

    let (mut t, mut r, mut f) = (Rates::default(), Rates::default(), Rates::default());
    for round in 0..opts.rounds {
        if round % 2 == 0 {
            t.push(n, run_tryst(&mut buf, n)?);
            r.push(n, run_rustls(&mut buf, n)?);
        } else {
            r.push(n, run_rustls(&mut buf, n)?);
            t.push(n, run_tryst(&mut buf, n)?);
        }
        f.push(n, floor.resumed_sides(n)?);
    }
    Ok(rows("resumed", backend, t, r, f))
}

/// One workload alone, for a profiler (names ending in `-graviola`: tryst on its graviola
/// provider, rustls on rustls-graviola).
pub(crate) fn profile(p: &Pki, name: &str, n: usize, resume: bool) -> Res<()> {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut t = Sides::default();
    let a0 = crate::alloc_count::allocations();
    let backend = if name.ends_with("-graviola") {
        Backend::Graviola
    } else {
        Backend::Default
    };
    match name {
        "floor-full" => {
            HandshakeFloor::new(p)?.full(n)?;
        }
        n_ if n_.starts_with("tryst") => {
            let (c, s) = (
                tryst_client_on(p, Suite::Aes128, resume, backend)?,
                tryst_server_on(p, Suite::Aes128, backend)?,
            );
            for _ in 0..n {
                tryst_handshake(&c, &s, &mut t, &mut buf)?;
            }
        }
        _ => {
            let (c, s) = (
                rustls_client_on(p, Suite::Aes128, resume, backend)?,
                rustls_server_on(p, Suite::Aes128, backend)?,
            );
            for _ in 0..n {
                rustls_handshake(&c, &s, &mut t, &mut buf)?;
            }
        }
    }
    let allocs = crate::alloc_count::allocations() - a0;
    eprintln!(
        "client {:?}, server {:?}, {allocs} allocation calls (setup included)",
        t.client, t.server
    );
    Ok(())
}
