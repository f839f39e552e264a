//! Times as people type them (`--since`) and as we show them (local time, short durations).
//!
//! Display uses the local time zone from `TZ` (tests pin `TZ=UTC`), JSON always RFC 3339 UTC.

use crate::error::{Error, Result};
use crate::model::Millis;
use jiff::{Span, Timestamp, Zoned, civil, tz::TimeZone};

/// Parse a `--since` value: RFC 3339 (`2026-01-15T09:30:00Z`), a date (`2026-01-15`), a local
/// date and time (`2026-01-15 09:30`), or a span back from `now` (`2 days ago`, `3h`,
/// `1 week`).
pub fn parse_since(s: &str, now: Timestamp) -> Result<Millis> {
    parse_since_in(s, now, TimeZone::system())
}

/// A `--since` option read against the current time; `None` when it was not given.
pub fn since_option(s: Option<&str>) -> Result<Option<Millis>> {
    s.map(|s| parse_since(s, Timestamp::now())).transpose()
}

/// [`parse_since`] in the time zone `tz`.
fn parse_since_in(s: &str, now: Timestamp, tz: TimeZone) -> Result<Millis> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    if let Ok(z) = s
        .parse::<civil::DateTime>()
        .and_then(|dt| dt.to_zoned(tz.clone()))
    {
        return Ok(z.timestamp().as_millisecond());
    }
    if let Ok(z) = s
        .parse::<civil::Date>()
        .and_then(|d| d.to_zoned(tz.clone()))
    {
        return Ok(z.timestamp().as_millisecond());
    }
    // git's spellings separate words with dots (`2.days.ago`, `last.monday`).
    let words = s.to_ascii_lowercase().replace(['.', '_'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let z = now.to_zoned(tz);
    if let Some(then) = git_relative(&words, &z) {
        return Ok(then.timestamp().as_millisecond());
    }
    let span_text = words.strip_suffix("ago").unwrap_or(&words).trim();
    if let Ok(span) = span_text.parse::<Span>()
        && let Ok(then) = z.checked_sub(span)
    {
        return Ok(then.timestamp().as_millisecond());
    }
    Err(Error::user(format!(
        "cannot read the time '{s}' (use e.g. 2026-01-15, '2026-01-15 09:30', 2026-01-15T09:30:00Z, '2 days ago', 2.days.ago, yesterday or 'last monday')"
    )))
}

/// The named forms of git's approxidate that people type after `--since`, read the way
/// `git log --since` reads them: the time of day is kept unless `noon` or `midnight` says
/// otherwise (`yesterday` is 24 hours back, `last monday` the Monday before today at this
/// time), and a bare `noon` still to come today means yesterday's.
fn git_relative(words: &str, now: &Zoned) -> Option<Zoned> {
    let (day, clock) = match words.rsplit_once(' ') {
        Some((d, c @ ("noon" | "midnight"))) => (d, Some(c)),
        _ if matches!(words, "noon" | "midnight") => ("today", Some(words)),
        _ => (words, None),
    };
    let mut then = match day {
        "now" | "today" => now.clone(),
        "yesterday" => now.checked_sub(Span::new().days(1)).ok()?,
        "last week" => now.checked_sub(Span::new().weeks(1)).ok()?,
        "last month" => now.checked_sub(Span::new().months(1)).ok()?,
        "last year" => now.checked_sub(Span::new().years(1)).ok()?,
        _ => {
            let weekday = day.strip_prefix("last ").and_then(weekday)?;
            let back =
                (now.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset() + 6) % 7
                    + 1;
            now.checked_sub(Span::new().days(i64::from(back))).ok()?
        }
    };
    if let Some(c) = clock {
        let hour = if c == "noon" { 12 } else { 0 };
        then = then.with().time(civil::time(hour, 0, 0, 0)).build().ok()?;
        if day == "today" && clock == Some("noon") && then > *now {
            then = then.checked_sub(Span::new().days(1)).ok()?;
        }
    }
    Some(then)
}

fn weekday(name: &str) -> Option<civil::Weekday> {
    use civil::Weekday::*;
    let all = [
        ("monday", Monday),
        ("tuesday", Tuesday),
        ("wednesday", Wednesday),
        ("thursday", Thursday),
        ("friday", Friday),
        ("saturday", Saturday),
        ("sunday", Sunday),
    ];
    all.iter()
        .find(|(full, _)| name == *full || (name.len() == 3 && full.starts_with(name)))
        .map(|(_, d)| *d)
}

/// `2026-01-15 09:30` in the local time zone.
pub fn local(ms: Millis) -> String {
    zoned(ms)
        .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

/// `09:30:04` in the local time zone.
pub fn local_time(ms: Millis) -> String {
    zoned(ms)
        .map(|z| z.strftime("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into())
}

fn zoned(ms: Millis) -> Option<Zoned> {
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned(TimeZone::system()))
}

/// A short duration: `45s`, `12m`, `3h 05m`, `2d 4h`.
pub fn duration(ms: Millis) -> String {
    let s = (ms.max(0) + 500) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `2026-01-15 09:10 → 09:11:00 (1m)`, or `-` when either end is unknown.
pub fn span(start: Option<Millis>, end: Option<Millis>) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{} → {} ({})", local(a), local_time(b), duration(b - a)),
        _ => "-".into(),
    }
}

/// RFC 3339 UTC, for JSON.
pub fn rfc3339(ms: Option<Millis>) -> Option<String> {
    ms.map(crate::model::format_millis)
}

/// `09:30`, or `01-15 09:30` when `with_date`, in local time.
pub fn time_short(at: Option<Millis>, with_date: bool) -> String {
    let fmt = if with_date { "%m-%d %H:%M" } else { "%H:%M" };
    at.and_then(|t| Timestamp::from_millisecond(t).ok())
        .map(|t| t.to_zoned(TimeZone::system()).strftime(fmt).to_string())
        .unwrap_or_else(|| "time unknown".into())
}

/// `2026-01-15` in local time.
pub fn local_date(at: Millis) -> String {
    Timestamp::from_millisecond(at)
        .map(|t| {
            t.to_zoned(TimeZone::system())
                .strftime("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}

/// `2026-01-15 09:30 UTC` in local time, with the zone's abbreviation.
pub fn local_stamp(at: Millis) -> String {
    Timestamp::from_millisecond(at)
        .map(|t| {
            t.to_zoned(TimeZone::system())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_forms() {
        let now: Timestamp = "2026-01-20T12:00:00Z".parse().unwrap();
        let day = 86_400_000;
        let exact = "2026-01-15T09:30:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(
            parse_since("2026-01-15T09:30:00Z", now).unwrap(),
            exact.as_millisecond()
        );
        assert_eq!(
            parse_since("2 days ago", now).unwrap(),
            now.as_millisecond() - 2 * day
        );
        assert_eq!(
            parse_since("3h", now).unwrap(),
            now.as_millisecond() - 3 * 3_600_000
        );
        assert!(parse_since("last tuesday-ish", now).is_err());
    }

    /// `--since` reads git's forms the way `git log --since` does (issue 18 item 12).
    #[test]
    fn since_accepts_git_forms() {
        // 2026-01-20 is a Tuesday.
        let now: Timestamp = "2026-01-20T12:00:00Z".parse().unwrap();
        let at = |s: &str| {
            Timestamp::from_millisecond(parse_since_in(s, now, TimeZone::UTC).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(at("yesterday"), "2026-01-19T12:00:00Z");
        assert_eq!(at("2.days.ago"), "2026-01-18T12:00:00Z");
        assert_eq!(at("3.weeks.ago"), "2025-12-30T12:00:00Z");
        assert_eq!(at("last monday"), "2026-01-19T12:00:00Z");
        assert_eq!(at("last.tuesday"), "2026-01-13T12:00:00Z");
        assert_eq!(at("last sun"), "2026-01-18T12:00:00Z");
        assert_eq!(at("yesterday midnight"), "2026-01-19T00:00:00Z");
        assert_eq!(at("last month"), "2025-12-20T12:00:00Z");
        assert_eq!(at("midnight"), "2026-01-20T00:00:00Z");
        assert!(parse_since_in("last someday", now, TimeZone::UTC).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration(12_000), "12s");
        assert_eq!(duration(125_000), "2m");
        assert_eq!(duration(3_900_000), "1h 05m");
        assert_eq!(duration(90_000_000), "1d 1h");
    }
}
