//! Time comes in from the caller (DESIGN.md principle 1): a [`Clock`] in the config.
//! Nothing in the core reads the system clock on its own.

use core::time::Duration;

/// A source of the current time, as a duration since the Unix epoch.
///
/// It drives certificate validity checks, ticket ages and lifetimes, the idle timeout and
/// the maximum session lifetime. Tests pass a [`ManualClock`]; programs use [`SystemClock`]
/// (under `std`).
pub trait Clock: Send + Sync {
    /// Now, since 1970-01-01T00:00:00Z.
    fn now(&self) -> Duration;
}

/// A clock the caller sets by hand: deterministic tests, fuzzing, simulations.
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: core::sync::atomic::AtomicU64,
}

impl ManualClock {
    /// A clock reading `now`.
    pub fn new(now: Duration) -> Self {
        let c = ManualClock::default();
        c.set(now);
        c
    }

    /// Set the time.
    pub fn set(&self, now: Duration) {
        let ms = u64::try_from(now.as_millis()).unwrap_or(u64::MAX);
        self.millis.store(ms, core::sync::atomic::Ordering::SeqCst);
    }

    /// Move the time forward.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis
            .fetch_add(ms, core::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.millis.load(core::sync::atomic::Ordering::SeqCst))
    }
}

/// The operating system's wall clock.
#[cfg(feature = "std")]
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now(&self) -> Duration {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// Milliseconds in `d`, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
