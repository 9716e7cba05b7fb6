//! `tryst-bench`: tryst measured side by side with rustls 0.23 (ring provider) and with the
//! crypto floor, in one process, in memory.
//!
//! What it is: a harness (not criterion) that runs tryst, rustls and the raw primitives in
//! interleaved rounds and reports the median of each, so the ratios compare runs made under
//! the same machine noise. `cargo xtask bench` builds it in release mode and prints the
//! table; `--json FILE` writes the rows. See docs/performance.md for the method.
//!
//! What it is not: a network benchmark. Client and server run in one thread; each side's
//! processing calls are timed separately, so "client handshakes/s" is the client's CPU cost.
//!
//! ```no_run
//! let rows = tryst_bench::run(&tryst_bench::Options::smoke()).unwrap();
//! println!("{}", tryst_bench::table(&rows));
//! ```
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

pub mod alloc_count;
mod bulk;
mod cpu;
mod floor;
mod handshake;
mod memory;
mod report;
mod setup;

use std::path::PathBuf;

pub use report::{Row, json, table};

/// Results are `Ok` or a one-line description of what failed.
pub type Res<T> = Result<T, String>;

/// How much work each measurement does.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured rounds; each reported number is the median over rounds. Many short rounds,
    /// interleaving tryst, rustls and the floor, keep a burst of machine noise inside one
    /// round of one contender, where the median discards it.
    pub rounds: usize,
    /// Handshakes per stack per round (full and resumed each).
    pub handshakes: usize,
    /// 16 KiB records per stack per round, each direction of the bulk test.
    pub records: usize,
    /// Idle established connection pairs held for the memory measurement.
    pub idle: usize,
    /// This executable, to run the peak-RSS probes as child processes (`--rss-probe`);
    /// `None` skips the peak-RSS row.
    pub probe_exe: Option<PathBuf>,
    /// Print progress to stderr.
    pub progress: bool,
}

impl Options {
    /// The full run for docs/performance.md.
    pub fn full() -> Self {
        Options {
            rounds: 101,
            handshakes: 40,
            records: 200,
            idle: 1000,
            probe_exe: None,
            progress: true,
        }
    }

    /// `--quick`: well under two minutes on a 2-core machine.
    pub fn quick() -> Self {
        Options {
            rounds: 21,
            handshakes: 20,
            records: 60,
            idle: 300,
            probe_exe: None,
            progress: true,
        }
    }

    /// A few iterations of everything: for the smoke test (debug build, seconds).
    pub fn smoke() -> Self {
        Options {
            rounds: 1,
            handshakes: 2,
            records: 3,
            idle: 3,
            probe_exe: None,
            progress: false,
        }
    }
}

/// Run every measurement and return the rows of the table.
pub fn run(opts: &Options) -> Res<Vec<Row>> {
    let pki = setup::Pki::new()?;
    let mut rows = Vec::new();
    let say = |what: &str| {
        if opts.progress {
            eprintln!("tryst-bench: {what}");
        }
    };
    say("full handshakes");
    rows.extend(handshake::full(&pki, opts)?);
    say("resumed handshakes");
    rows.extend(handshake::resumed(&pki, opts)?);
    say("bulk transfer");
    rows.extend(bulk::run(&pki, opts)?);
    say("memory");
    rows.extend(memory::run(&pki, opts)?);
    Ok(rows)
}

/// Only the memory rows (heap per idle connection, both backends; no peak-RSS probe), with
/// `idle` connection pairs: what the regression test pins.
pub fn idle_memory(idle: usize) -> Res<Vec<Row>> {
    let pki = setup::Pki::new()?;
    let opts = Options {
        idle,
        probe_exe: None,
        progress: false,
        ..Options::smoke()
    };
    memory::run(&pki, &opts)
}

/// The child-process half of the peak-RSS measurement: establish `n` idle connection pairs
/// with `stack` (`tryst`, `rustls` or `none` for the baseline) and return the process's
/// peak RSS (VmHWM) in KiB.
pub fn rss_probe(stack: &str, n: usize) -> Res<u64> {
    let pki = setup::Pki::new()?;
    memory::rss_probe(&pki, stack, n)
}

/// The median of `v` (the mean of the middle two for an even count); NaN when empty.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Names accepted by [`profile_workload`].
pub const WORKLOADS: &[&str] = &[
    "tryst-full",
    "rustls-full",
    "floor-full",
    "tryst-resumed",
    "rustls-resumed",
    "tryst-full-graviola",
    "rustls-full-graviola",
    "tryst-resumed-graviola",
    "rustls-resumed-graviola",
    "tryst-bulk",
    "tryst-bulk-zero-copy",
    "rustls-bulk",
    "floor-bulk",
    "floor-bulk-native",
];

/// Run one workload `n` times and nothing else, for a profiler
/// (`valgrind --tool=callgrind tryst-bench --profile tryst-full 200`). Handshake workloads
/// run `n` handshakes; bulk workloads send and receive `n` 16 KiB records
/// (TLS_AES_128_GCM_SHA256).
pub fn profile_workload(name: &str, n: usize) -> Res<()> {
    let pki = setup::Pki::new()?;
    match name {
        "tryst-full"
        | "rustls-full"
        | "floor-full"
        | "tryst-full-graviola"
        | "rustls-full-graviola" => handshake::profile(&pki, name, n, false),
        "tryst-resumed"
        | "rustls-resumed"
        | "tryst-resumed-graviola"
        | "rustls-resumed-graviola" => handshake::profile(&pki, name, n, true),
        "tryst-bulk"
        | "tryst-bulk-zero-copy"
        | "rustls-bulk"
        | "floor-bulk"
        | "floor-bulk-native" => bulk::profile(&pki, name, n),
        other => Err(format!(
            "unknown workload `{other}`; one of {}",
            WORKLOADS.join(", ")
        )),
    }
}
