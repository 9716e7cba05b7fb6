//! Issue 16's memory target as a regression test: an established, idle TLS 1.3 connection
//! keeps at most 4 KiB of heap on each side, on both backends (measured as in the
//! benchmark: the bytes 200 connections give back when dropped, per connection). Features
//! added since have grown it past the target once (docs/performance.md, "Changes made"
//! 13 and 15); this catches the next time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tryst_bench::alloc_count::CountingAlloc;
use tryst_bench::idle_memory;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[test]
fn idle_connections_stay_under_4_kib_on_both_sides_and_backends() {
    let rows = idle_memory(200).unwrap();
    let tryst: Vec<(&str, f64)> = rows
        .iter()
        .map(|r| (r.metric.as_str(), r.tryst.unwrap()))
        .collect();
    // Client and server, default backend and graviola.
    assert_eq!(tryst.len(), 4, "{tryst:?}");
    for (metric, kib) in &tryst {
        assert!(*kib > 1.0, "{metric}: {kib} KiB is not a measurement");
        assert!(
            *kib <= 4.0,
            "{metric}: {kib:.2} KiB per idle connection (target 4 KiB)"
        );
    }
}
