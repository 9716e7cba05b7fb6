//! `cargo xtask`: the workspace's automation, in Rust rather than shell scripts.
//!
//! - `cargo xtask ci`: everything CI checks (format, clippy, tests, the graviola backend's
//!   tests on x86_64, no_std builds, rustdoc without warnings, packaging metadata and `cargo package`, the MSRV of the
//!   dependency graph, and a fuzz smoke run when `--fuzz-smoke` is given or `CI` is set).
//!
//! The MSRV check, honestly stated: the workspace declares `rust-version` (1.88) and only
//! one toolchain is installed, so CI cannot build with 1.88 itself. It checks what can be
//! checked with the current toolchain: every package in the resolved graph (`cargo
//! metadata`, i.e. Cargo.lock) declares a `rust-version` no newer than ours, every member
//! declares ours, and clippy's `incompatible_msrv` lint (on by default, part of the
//! clippy step) rejects standard-library APIs stabilised after it. Language features
//! newer than 1.88 would still slip through; building with a 1.88 toolchain closes that.
//! A package that needs a newer Rust is allowed only if every publishable member depends
//! on it optionally (graviola, behind the opt-in `graviola` feature, needs 1.89).
//! - `cargo xtask package`: the packaging and MSRV checks of `ci` alone.
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
    "tryst-hpke",
    "tryst-record",
    "tryst-cert",
    "tryst",
];
// Not in the list: tryst-tokio (std-only: tokio's I/O traits need std), tryst-redis
// (std-only: the redis client needs std and sockets), tryst-cli,
// tryst-bench and xtask (programs).

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("package") => package(),
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
                                backend's tests (x86_64), no_std builds, rustdoc -D warnings, package metadata + cargo package,
                                MSRV of the dependency graph, fuzz workspace build (and a
                                short fuzz run with --fuzz-smoke or when CI is set)
  package                       package metadata, MSRV of Cargo.lock, cargo package
                                --no-verify of the publishable crates (part of ci)
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

    let mut c = cargo();
    c.args(["doc", "--no-deps", "--workspace", "--all-features"]);
    c.env("RUSTDOCFLAGS", "-D warnings");
    run("cargo doc --no-deps (warnings are errors)", c)?;

    package()?;

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

/// Package metadata, the MSRV of the dependency graph, and `cargo package --no-verify` of
/// every publishable member (the `.crate` files land in target/package).
fn package() -> Result<(), String> {
    let metadata = cargo_metadata()?;
    eprintln!("\n==> package metadata and MSRV of the dependency graph");
    let publishable = check_package_metadata(&metadata)?;
    check_msrv(&metadata)?;
    let mut c = cargo();
    // --allow-dirty: a dry run that works on a working tree with uncommitted edits too.
    c.args(["package", "--no-verify", "--locked", "--allow-dirty"]);
    for name in &publishable {
        c.args(["--package", name]);
    }
    run("cargo package --no-verify (publishable crates)", c)
}

fn cargo_metadata() -> Result<serde_json::Value, String> {
    let out = cargo()
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .map_err(|e| format!("cargo metadata: could not start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata output: {e}"))
}

fn workspace_members(metadata: &serde_json::Value) -> Vec<&serde_json::Value> {
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .collect();
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(&id)))
        .collect()
}

/// Every member that can be published has what crates.io and docs.rs show: description,
/// license, repository, readme, keywords, categories and docs.rs settings; and no
/// dependency that is a path without a version (it could not be published). Returns the
/// names of the publishable members (`publish = false` gives `"publish": []`).
fn check_package_metadata(metadata: &serde_json::Value) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut publishable = Vec::new();
    for p in workspace_members(metadata) {
        let name = p["name"].as_str().unwrap_or("?").to_string();
        if p["publish"].as_array().is_some_and(|a| a.is_empty()) {
            continue;
        }
        for field in ["description", "license", "repository", "readme"] {
            if p[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        for field in ["keywords", "categories"] {
            if p[field].as_array().is_none_or(|a| a.is_empty()) {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        if p["metadata"]["docs"]["rs"].is_null() {
            problems.push(format!("{name}: no [package.metadata.docs.rs]"));
        }
        for dep in p["dependencies"].as_array().into_iter().flatten() {
            // Dev-dependencies are stripped when packaging; the others need a version.
            let dev = dep["kind"].as_str() == Some("dev");
            if !dev && dep["path"].is_string() && dep["req"].as_str() == Some("*") {
                let dep_name = dep["name"].as_str().unwrap_or("?");
                problems.push(format!(
                    "{name}: dependency `{dep_name}` is a path without a version"
                ));
            }
        }
        publishable.push(name);
    }
    if problems.is_empty() {
        eprintln!("package metadata complete for: {}", publishable.join(", "));
        Ok(publishable)
    } else {
        Err(format!("package metadata:\n  {}", problems.join("\n  ")))
    }
}

/// `1.88` or `1.88.0` as (1, 88, 0).
fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let mut parts = v.split('.').map(|x| x.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

/// Whether every publishable member that depends on `name` does so optionally (behind an
/// opt-in feature, like tryst-crypto's `graviola`): then the default build keeps our
/// rust-version, and the feature's README states what it needs. Unpublished members
/// (tryst-bench) may depend on it outright.
fn opt_in_only(members: &[&serde_json::Value], name: &str) -> bool {
    members
        .iter()
        .filter(|m| !m["publish"].as_array().is_some_and(|a| a.is_empty()))
        .flat_map(|m| m["dependencies"].as_array().into_iter().flatten())
        .filter(|d| d["name"].as_str() == Some(name) && d["kind"].is_null())
        .all(|d| d["optional"].as_bool() == Some(true))
        && members.iter().any(|m| {
            m["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|d| d["name"].as_str() == Some(name))
        })
}

/// The MSRV check described at the top of this file: every member declares the same
/// rust-version, and no package in the resolved graph declares a newer one.
fn check_msrv(metadata: &serde_json::Value) -> Result<(), String> {
    let members = workspace_members(metadata);
    let declared: Vec<&str> = members
        .iter()
        .filter_map(|p| p["rust_version"].as_str())
        .collect();
    let ours = *declared
        .first()
        .ok_or("no workspace member declares rust-version")?;
    if declared.len() != members.len() || declared.iter().any(|v| *v != ours) {
        return Err(format!(
            "workspace members must all declare rust-version {ours} (rust-version.workspace = true)"
        ));
    }
    let limit = parse_version(ours).ok_or(format!("rust-version `{ours}` does not parse"))?;
    let mut newer = Vec::new();
    let mut opt_in = Vec::new();
    let mut count = 0;
    for p in metadata["packages"].as_array().into_iter().flatten() {
        count += 1;
        let Some(v) = p["rust_version"].as_str() else {
            continue;
        };
        let name = p["name"].as_str().unwrap_or("?");
        let too_new = parse_version(v).is_none_or(|v| v > limit);
        if too_new && opt_in_only(&members, name) {
            opt_in.push(format!("{name} (Rust {v})"));
            continue;
        }
        if too_new {
            newer.push(format!(
                "{} {} needs Rust {v}",
                p["name"].as_str().unwrap_or("?"),
                p["version"].as_str().unwrap_or("?")
            ));
        }
    }
    if newer.is_empty() {
        eprintln!(
            "MSRV {ours}: no package of the {count} in Cargo.lock declares a newer rust-version, \
             but for optional dependencies behind opt-in features: {}",
            if opt_in.is_empty() {
                "none".to_string()
            } else {
                opt_in.join(", ")
            }
        );
        Ok(())
    } else {
        Err(format!(
            "packages in Cargo.lock need a newer Rust than our rust-version {ours}:\n  {}",
            newer.join("\n  ")
        ))
    }
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
