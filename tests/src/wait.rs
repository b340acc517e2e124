//! Waiting for what the app does in the background (workers, sweeps, long polls), without
//! sleeping a fixed time: [`eventually`] asks again until the answer comes or a deadline
//! passes, and then fails saying what it waited for.

use std::future::Future;
use std::time::Duration;

use tokio::time::{sleep, Instant};

/// How often [`eventually`] asks again.
const EVERY: Duration = Duration::from_millis(50);

/// Calls `probe` until it returns `Some`, and returns that; panics naming `what` when
/// `timeout` passes first.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "waited {timeout:?} for {what}, in vain"
        );
        sleep(EVERY).await;
    }
}
