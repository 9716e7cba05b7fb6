//! `tryst-bench [--quick | --smoke] [--json FILE]`: tryst against rustls and the crypto
//! floor. Run it through `cargo xtask bench` (release build).
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

use std::process::ExitCode;

use tryst_bench::alloc_count::CountingAlloc;
use tryst_bench::{Options, json, rss_probe, run, table};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USAGE: &str = "usage: tryst-bench [--quick | --smoke] [--json FILE]
       tryst-bench --profile WORKLOAD N   (one workload alone, for callgrind/perf)";

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores available")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--rss-probe") {
        let stack = args.get(1).map_or("", String::as_str);
        let n = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(0);
        return match rss_probe(stack, n) {
            Ok(kib) => {
                println!("{kib}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tryst-bench: {e}");
                ExitCode::from(1)
            }
        };
    }
    if args.first().map(String::as_str) == Some("--profile") {
        let name = args.get(1).map_or("", String::as_str);
        let n = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100);
        return match tryst_bench::profile_workload(name, n) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("tryst-bench: {e}");
                ExitCode::from(1)
            }
        };
    }
    let mut opts = Options::full();
    let mut json_file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => opts = Options::quick(),
            "--smoke" => opts = Options::smoke(),
            "--json" => match it.next() {
                Some(f) => json_file = Some(f.clone()),
                None => {
                    eprintln!("--json needs a file name\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    opts.probe_exe = std::env::current_exe().ok();
    let rows = match run(&opts) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("tryst-bench: {e}");
            return ExitCode::from(1);
        }
    };
    println!("machine: {}", machine());
    println!(
        "{} rounds, median; {} handshakes, {} records of 16 KiB, {} idle pairs per round\n",
        opts.rounds, opts.handshakes, opts.records, opts.idle
    );
    print!("{}", table(&rows));
    if let Some(f) = json_file {
        if let Err(e) = std::fs::write(&f, json(&rows)) {
            eprintln!("tryst-bench: writing {f}: {e}");
            return ExitCode::from(1);
        }
        println!("\nwrote {f}");
    }
    ExitCode::SUCCESS
}
