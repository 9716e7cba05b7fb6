//! `cargo xtask`: the workspace's automation, in Rust rather than shell scripts.
//!
//! - `cargo xtask ci`: everything CI checks (format, clippy, tests, the graviola backend's
//!   tests on x86_64, no_std builds, and a
//!   fuzz smoke run when `--fuzz-smoke` is given or `CI` is set).
//! - `cargo xtask fuzz [TARGET] [--seconds N] [--smoke]`: build and run cargo-fuzz targets
//!   on the stable toolchain (sets `RUSTC_BOOTSTRAP=1`, installs cargo-fuzz if missing).
//! - `cargo xtask bench [--quick] [--json FILE]`: tryst against rustls and the crypto floor
//!   (crates/tryst-bench, release build); see docs/performance.md.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The library crates that must build as `no_std` + `alloc` with default features off.
const NO_STD_CRATES: &[&str] = &[
    "tryst-crypto",
    "tryst-messages",
    "tryst-keyschedule",
    "tryst-record",
    "tryst-cert",
    "tryst",
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(1)
        }
    }
}

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  ci [--fuzz-smoke]             fmt check, clippy -D warnings, all tests, the graviola
                                backend's tests (x86_64), no_std builds,
                                fuzz workspace build (and a short fuzz run with --fuzz-smoke
                                or when the CI environment variable is set)
  fuzz [TARGET] [--seconds N]   run one fuzz target (or all, one after another)
  fuzz --smoke                  build every fuzz target once, run each for 8 s
  fuzz --list                   list fuzz targets
  bench [--quick] [--json FILE] tryst vs rustls vs the crypto floor (release build);
                                --quick finishes in under two minutes
";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(step: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("\n==> {step}");
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step}: failed ({status})"))
    }
}

fn ci(args: &[String]) -> Result<(), String> {
    // CI (set by .ci/run and by most CI services) runs the fuzz smoke too.
    let in_ci = env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    let fuzz_smoke = in_ci || args.iter().any(|a| a == "--fuzz-smoke");
    let mut c = cargo();
    c.args(["fmt", "--all", "--", "--check"]);
    run("cargo fmt --check", c)?;

    let mut c = cargo();
    c.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    run("cargo clippy -D warnings", c)?;

    let mut c = cargo();
    c.args(["test", "--workspace", "--all-features"]);
    run("cargo test (all features)", c)?;

    // The graviola backend on its own feature set (not unified with the rest of the
    // workspace): tryst-crypto's tests (Wycheproof once per backend) and tryst's
    // handshakes over graviola against the default provider. x86_64 only: graviola's
    // other target is aarch64, which this CI does not run on.
    if cfg!(target_arch = "x86_64") {
        let mut c = cargo();
        c.args([
            "test",
            "--package",
            "tryst-crypto",
            "--features",
            "graviola",
        ]);
        run("cargo test -p tryst-crypto --features graviola", c)?;
        let mut c = cargo();
        c.args([
            "test",
            "--package",
            "tryst",
            "--features",
            "graviola",
            "--test",
            "graviola",
        ]);
        run("cargo test -p tryst --features graviola --test graviola", c)?;
    }

    for krate in NO_STD_CRATES {
        let mut c = cargo();
        c.args(["build", "--package", krate, "--no-default-features"]);
        run(&format!("no_std + alloc build of {krate}"), c)?;
    }

    if root().join("fuzz/Cargo.toml").exists() {
        let mut c = cargo();
        c.args([
            "check",
            "--manifest-path",
            "fuzz/Cargo.toml",
            "--bins",
            "--examples",
        ]);
        // cfg(fuzzing) code paths must compile too, exactly as cargo-fuzz builds them.
        c.env("RUSTFLAGS", "--cfg fuzzing");
        c.env("RUSTC_BOOTSTRAP", "1");
        run("fuzz workspace check", c)?;
        if fuzz_smoke {
            fuzz(&["--smoke".to_string()])?;
        }
    }
    eprintln!("\nxtask ci: all checks passed");
    Ok(())
}

fn fuzz_targets() -> Result<Vec<String>, String> {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml"))
        .map_err(|e| format!("reading fuzz/Cargo.toml: {e}"))?;
    // Every target is a `[[bin]]` with `name = "..."`; the package name comes first.
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(rest) = line.strip_prefix("name") {
            let name = rest
                .trim_start()
                .trim_start_matches('=')
                .trim()
                .trim_matches('"');
            names.push(name.to_string());
        }
    }
    Ok(names)
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let have = cargo()
        .args(["fuzz", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if have {
        return Ok(());
    }
    let mut c = cargo();
    c.args(["install", "--locked", "cargo-fuzz"]);
    run("install cargo-fuzz", c)
}

fn fuzz(args: &[String]) -> Result<(), String> {
    let mut seconds: Option<u64> = None;
    let mut smoke = false;
    let mut target: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--smoke" => smoke = true,
            "--list" => {
                for t in fuzz_targets()? {
                    println!("{t}");
                }
                return Ok(());
            }
            "--seconds" => {
                let v = it.next().ok_or("--seconds needs a number")?;
                seconds =
                    Some(v.parse().map_err(|_| {
                        format!("--seconds: `{v}` is not a whole number of seconds")
                    })?);
            }
            t if !t.starts_with('-') => target = Some(t.to_string()),
            other => return Err(format!("fuzz: unknown flag `{other}`")),
        }
    }
    // A smoke run is every target for a few seconds: about 20 targets x (8 s + start-up)
    // stays near three minutes on two cores, after one build of all of them.
    let seconds = seconds.unwrap_or(if smoke { 8 } else { 60 });
    let all = fuzz_targets()?;
    let targets = match target {
        Some(t) if all.contains(&t) => vec![t],
        Some(t) => {
            return Err(format!(
                "no fuzz target `{t}`; `cargo xtask fuzz --list` lists them"
            ));
        }
        None => all,
    };
    ensure_cargo_fuzz()?;
    if smoke {
        // One build of every target (release, ASan), so each run below only starts it.
        let mut c = cargo();
        c.current_dir(root().join("fuzz"));
        c.env("RUSTC_BOOTSTRAP", "1");
        c.args(["fuzz", "build", "-O"]);
        run("build every fuzz target", c)?;
    }
    for t in targets {
        let corpus = root().join("fuzz/corpus").join(&t);
        std::fs::create_dir_all(&corpus)
            .map_err(|e| format!("creating {}: {e}", corpus.display()))?;
        let mut c = cargo();
        c.current_dir(root().join("fuzz"));
        c.env("RUSTC_BOOTSTRAP", "1");
        c.args(["fuzz", "run", "-O", &t]);
        // Run on a scratch copy of the seeds so a smoke run does not grow the committed corpus.
        // -timeout: an input that runs 10 s is a hang; -rss_limit_mb: bounded memory.
        let mut runargs = vec![
            format!("-max_total_time={seconds}"),
            "-timeout=10".to_string(),
            "-rss_limit_mb=2048".to_string(),
            "-print_final_stats=1".to_string(),
        ];
        let dict = root().join("fuzz/tls.dict");
        if dict.exists() {
            runargs.push(format!("-dict={}", dict.display()));
        }
        if smoke {
            let scratch = root().join("target/fuzz-smoke").join(&t);
            std::fs::create_dir_all(&scratch)
                .map_err(|e| format!("creating {}: {e}", scratch.display()))?;
            c.arg(&scratch);
            c.arg(&corpus);
        } else {
            c.arg(&corpus);
        }
        c.arg("--");
        c.args(&runargs);
        run(&format!("fuzz {t} for {seconds}s"), c)?;
    }
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    let mut pass: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => pass.push(a.clone()),
            "--json" => {
                let f = it.next().ok_or("--json needs a file name")?;
                // The harness runs from the workspace root: make a relative path absolute
                // against where xtask was started.
                let path = env::current_dir()
                    .map_err(|e| format!("current directory: {e}"))?
                    .join(f);
                pass.push(a.clone());
                pass.push(path.display().to_string());
            }
            other => return Err(format!("bench: unknown flag `{other}`")),
        }
    }
    let mut c = cargo();
    c.args([
        "run",
        "--quiet",
        "--release",
        "--package",
        "tryst-bench",
        "--",
    ]);
    c.args(&pass);
    run("tryst-bench (release)", c)
}
