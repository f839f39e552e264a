//! How long to wait before retrying a provider: the server's `Retry-After` when it gives one,
//! a capped, jittered exponential backoff otherwise.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

/// Waits between retries. The defaults suit real providers; tests shrink them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Backoff before the first retry; doubled for each further one.
    pub backoff_base: Duration,
    /// Longest backoff between two attempts.
    pub backoff_max: Duration,
    /// Longest wait a server's `Retry-After` can impose; a provider asking for minutes would
    /// otherwise freeze the command with no output.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first): `base * 2^(retry-1)`, capped at
    /// `backoff_max`, then jittered down to no less than half so clients that failed together
    /// do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(16);
        let full = self
            .backoff_base
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max);
        full.mul_f64(0.5 + 0.5 * jitter_unit(retry))
    }
}

/// A pseudo-random number in [0, 1): std's hasher keys are random per process, which is all
/// jitter needs and spares a dependency.
fn jitter_unit(salt: u32) -> f64 {
    let bits = RandomState::new().hash_one(salt);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3), as a wait
/// from `now`. A date in the past means no wait; an unreadable value means the header is
/// ignored.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // Some servers send fractional seconds; accept them rather than ignore the hint.
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") is a subset of RFC 2822.
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let ms = at.as_millisecond().saturating_sub(now.as_millisecond());
    Some(Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn retry_after_http_date_is_relative_to_now() {
        let now: jiff::Timestamp = "2015-10-21T07:28:00Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        // A date already gone means "retry now", not a negative or huge wait.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let p = RetryPolicy {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b2 = p.backoff(2);
            assert!(b2 >= Duration::from_millis(100) && b2 <= Duration::from_millis(200));
            // 400 ms uncapped, so the cap applies before jitter.
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(175) && b3 <= Duration::from_millis(350));
            // Huge retry numbers must not overflow.
            assert!(p.backoff(u32::MAX) <= Duration::from_millis(350));
        }
    }
}
