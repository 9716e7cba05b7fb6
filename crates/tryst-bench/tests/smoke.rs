//! The harness end to end with tiny counts, so CI keeps it compiling and working.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tryst_bench::alloc_count::CountingAlloc;
use tryst_bench::{Options, json, run, table};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn smoke_run_produces_every_row() {
    let rows = run(&Options::smoke()).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
    for want in [
        "full handshake, client",
        "full handshake, server",
        "resumed handshake, client",
        "resumed handshake, server",
        "bulk send, AES-128-GCM",
        "bulk receive, AES-128-GCM",
        "bulk send, AES-256-GCM",
        "bulk receive, AES-256-GCM",
        "allocations per record, send",
        "allocations per record, receive",
        "bulk send, AES-128-GCM, zero-copy",
        "bulk receive, AES-128-GCM, zero-copy",
        "allocations per record, send, zero-copy",
        "allocations per record, receive, zero-copy",
        "idle connection memory, client",
        "idle connection memory, server",
    ] {
        assert!(names.contains(&want), "missing row {want}: {names:?}");
    }
    for r in &rows {
        assert!(r.tryst.is_some_and(f64::is_finite), "{r:?}");
        assert!(r.rustls.is_some_and(f64::is_finite), "{r:?}");
    }
    let t = table(&rows);
    assert!(t.starts_with("metric"));
    let j = json(&rows);
    assert!(j.trim_start().starts_with('[') && j.trim_end().ends_with(']'));
    assert_eq!(j.matches("\"ratio_floor\"").count(), rows.len());
}
