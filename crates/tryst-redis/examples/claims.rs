//! Claims a few 0-RTT keys in the Redis at `$REDIS_URL` (default
//! `redis://127.0.0.1:6379/`) and prints what each claim answered: the first use of a key
//! is fresh, the second a replay; with Redis down, every claim is unavailable (and 0-RTT
//! would be refused).
//!
//! ```text
//! redis-server --port 6379 --save '' &
//! cargo run -p tryst-redis --example claims
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tryst_redis::{AntiReplay, RedisAntiReplay};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let store = RedisAntiReplay::new(&url)?.with_prefix("tryst:example:")?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let expires = now + Duration::from_secs(60);
    let ticket = *b"a ticket's 32-byte anti-replay k";
    for attempt in ["first use", "replay"] {
        let answer = store.claim(&ticket, now, expires);
        println!("{attempt}: {answer:?}");
    }
    if let Some(e) = store.last_error() {
        println!("last error: {e}");
    }
    Ok(())
}
