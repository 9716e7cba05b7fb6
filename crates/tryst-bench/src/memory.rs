//! Memory per established idle connection: bytes still allocated by N connections after
//! their handshakes (counted by the global allocator as the bytes each side's connections
//! give back when dropped), and peak RSS (VmHWM) of a child process holding N pairs.

use std::process::Command;

use crate::alloc_count::{installed, live_bytes};
use crate::report::Row;
use crate::setup::{
    Backend, Pki, Sides, Suite, rustls_client_on, rustls_handshake, rustls_server_on,
    tryst_client_on, tryst_handshake, tryst_server_on,
};
use crate::{Options, Res};

/// Bytes per connection given back by dropping `servers`, then `clients`: (client, server).
fn released<C, S>(clients: Vec<C>, servers: Vec<S>) -> (f64, f64) {
    let n = clients.len().max(1) as f64;
    let l0 = live_bytes();
    drop(servers);
    let l1 = live_bytes();
    drop(clients);
    let l2 = live_bytes();
    (
        l1.saturating_sub(l2) as f64 / n,
        l0.saturating_sub(l1) as f64 / n,
    )
}

fn tryst_pairs(
    p: &Pki,
    n: usize,
    backend: Backend,
) -> Res<(Vec<tryst::ClientConnection>, Vec<tryst::ServerConnection>)> {
    let (cc, sc) = (
        tryst_client_on(p, Suite::Aes128, false, backend)?,
        tryst_server_on(p, Suite::Aes128, backend)?,
    );
    let mut buf = Vec::with_capacity(16 * 1024);
    let (mut cs, mut ss) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let (c, s) = tryst_handshake(&cc, &sc, &mut Sides::default(), &mut buf)?;
        cs.push(c);
        ss.push(s);
    }
    Ok((cs, ss))
}

fn rustls_pairs(
    p: &Pki,
    n: usize,
    backend: Backend,
) -> Res<(Vec<rustls::ClientConnection>, Vec<rustls::ServerConnection>)> {
    let (cc, sc) = (
        rustls_client_on(p, Suite::Aes128, false, backend)?,
        rustls_server_on(p, Suite::Aes128, backend)?,
    );
    let mut buf = Vec::with_capacity(16 * 1024);
    let (mut cs, mut ss) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let (c, s) = rustls_handshake(&cc, &sc, &mut Sides::default(), &mut buf)?;
        cs.push(c);
        ss.push(s);
    }
    Ok((cs, ss))
}

/// Peak RSS of this process in KiB (VmHWM in /proc/self/status), if the kernel reports it.
pub(crate) fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Child-process half of the peak-RSS row.
pub(crate) fn rss_probe(p: &Pki, stack: &str, n: usize) -> Res<u64> {
    let held: Box<dyn std::any::Any> = match stack {
        "tryst" => Box::new(tryst_pairs(p, n, Backend::Default)?),
        "rustls" => Box::new(rustls_pairs(p, n, Backend::Default)?),
        "none" => Box::new(()),
        other => return Err(format!("--rss-probe: unknown stack `{other}`")),
    };
    let hwm = vm_hwm_kib().ok_or("no VmHWM in /proc/self/status")?;
    drop(held);
    Ok(hwm)
}

fn probe(exe: &std::path::Path, stack: &str, n: usize) -> Res<u64> {
    let out = Command::new(exe)
        .args(["--rss-probe", stack, &n.to_string()])
        .output()
        .map_err(|e| format!("running the RSS probe: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "RSS probe `{stack}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("RSS probe output: {e}"))
}

pub(crate) fn run(p: &Pki, opts: &Options) -> Res<Vec<Row>> {
    let n = opts.idle;
    let mut rows = Vec::new();
    // Both backends: tryst on each against rustls on ring / rustls-graviola.
    for backend in [Backend::Default, Backend::Graviola] {
        if !installed() {
            break;
        }
        // One pair each first, so one-time allocations (lazy tables) are not counted.
        drop(tryst_pairs(p, 1, backend)?);
        drop(rustls_pairs(p, 1, backend)?);
        let (tc, ts) = tryst_pairs(p, n, backend)?;
        let (t_client, t_server) = released(tc, ts);
        let (rc, rs) = rustls_pairs(p, n, backend)?;
        let (r_client, r_server) = released(rc, rs);
        for (side, t, r) in [
            ("client", t_client, r_client),
            ("server", t_server, r_server),
        ] {
            rows.push(Row::lower(
                &format!("idle connection memory, {side}{}", backend.suffix()),
                "KiB",
                Some(t / 1024.0),
                Some(r / 1024.0),
                None,
            ));
        }
    }
    if let Some(exe) = &opts.probe_exe {
        let base = probe(exe, "none", n)?;
        let t = probe(exe, "tryst", n)?;
        let r = probe(exe, "rustls", n)?;
        let per = |x: u64| x.saturating_sub(base) as f64 / n.max(1) as f64;
        rows.push(Row::lower(
            &format!("peak RSS per idle pair ({n} pairs)"),
            "KiB",
            Some(per(t)),
            Some(per(r)),
            None,
        ));
    }
    Ok(rows)
}
