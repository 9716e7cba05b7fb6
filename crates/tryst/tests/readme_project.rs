//! The README's library example ("The library in a few lines") compiles in a new project
//! that depends on `tryst` by path with default features, as `cargo add tryst` would give
//! it (issue 15: with `default = []` it did not, for want of `Stream` and `OsRng`).
//!
//! The example is read from README.md at test time, so the two cannot drift. The project is
//! checked with `cargo check --offline` (everything it needs is already in the local
//! registry after the workspace's own build) into `target/readme-project`, a target
//! directory of its own: the workspace's is locked by the `cargo test` that runs this.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// The first ```rust block after the README heading `## The library in a few lines`, as
/// the body of `main`: doctest-hidden lines (`# ...`) are shown, as rustdoc would compile
/// them.
fn readme_example() -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let section = readme
        .split_once("## The library in a few lines")
        .expect("README.md has the section \"The library in a few lines\"")
        .1;
    let block = section
        .split_once("```rust\n")
        .expect("the section has a ```rust block")
        .1;
    let code = block.split_once("\n```").expect("the block is closed").0;
    code.lines()
        .map(|line| {
            line.strip_prefix("# ")
                .or_else(|| (line == "#").then_some(""))
                .unwrap_or(line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The directory the test binaries are built into (`target/`, or `$CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    // This binary is target/<profile>/deps/readme_project-<hash>.
    std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf()
}

#[test]
fn readme_example_compiles_in_a_new_project_with_default_features() {
    let body = readme_example();
    assert!(
        body.contains("Stream::new"),
        "not the example expected:\n{body}"
    );
    let scratch = target_dir().join("readme-project");
    let project = scratch.join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    let tryst = workspace_root().join("crates/tryst");
    // An empty [workspace]: the project lies inside this workspace's directory but is not
    // one of its members.
    std::fs::write(
        project.join("Cargo.toml"),
        format!(
            "[package]\nname = \"readme-project\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ntryst = {{ path = {:?} }}\n\n[workspace]\n",
            tryst.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("src/main.rs"),
        format!(
            "//! README.md, \"The library in a few lines\", as a program.\n\n\
             fn main() -> Result<(), Box<dyn std::error::Error>> {{\n{body}\n}}\n"
        ),
    )
    .unwrap();
    // The workspace's lock file, so the project resolves to the versions already fetched.
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        project.join("Cargo.lock"),
    )
    .unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&project)
        .args(["check", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the README example does not compile against `tryst` with default features:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
