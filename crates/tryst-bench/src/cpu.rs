//! This thread's CPU time, so a round that was preempted by other processes on a busy
//! machine is not charged for their time. Linux reports it in /proc/thread-self/schedstat
//! (first field: nanoseconds on CPU); elsewhere the meter falls back to wall time.

use std::time::{Duration, Instant};

fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Wall and CPU time since [`Meter::start`].
pub(crate) struct Meter {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Meter {
    pub(crate) fn start() -> Self {
        let cpu = thread_cpu();
        Meter {
            wall: Instant::now(),
            cpu,
        }
    }

    /// The share of the wall time since `start` that this thread was on a CPU (1.0 when
    /// unknown). Fine-grained wall timings inside the interval are scaled by it.
    pub(crate) fn on_cpu_share(&self) -> f64 {
        let wall = self.wall.elapsed();
        match (self.cpu, thread_cpu()) {
            (Some(a), Some(b)) if wall > Duration::ZERO && b > a => {
                ((b - a).as_secs_f64() / wall.as_secs_f64()).min(1.0)
            }
            _ => 1.0,
        }
    }

    /// CPU time since `start` (wall time when unknown).
    pub(crate) fn elapsed(&self) -> Duration {
        let wall = self.wall.elapsed();
        match (self.cpu, thread_cpu()) {
            (Some(a), Some(b)) if b > a => (b - a).min(wall),
            _ => wall,
        }
    }
}
