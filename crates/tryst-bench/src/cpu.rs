//! This thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so time the thread spent preempted by
//! other processes on a busy machine is not charged to whichever contender was running.

use std::time::Duration;

use rustix::time::{ClockId, clock_gettime};

/// CPU time this thread has used so far.
pub(crate) fn now() -> Duration {
    let t = clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// CPU time since [`Meter::start`].
pub(crate) struct Meter(Duration);

impl Meter {
    pub(crate) fn start() -> Self {
        Meter(now())
    }

    pub(crate) fn elapsed(&self) -> Duration {
        now().saturating_sub(self.0)
    }
}
