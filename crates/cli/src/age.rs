//! The account-age filter of `import` (`--created-after DATE`, `--younger-than DURATION`): the
//! parsing of its two flags, and the one instant both become. It must not look anything up:
//! the creation dates come from the facade's user lookup (`BlockList::resolve`).

use chrono::{DateTime, NaiveDate, Utc};

/// `--created-after`: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
pub fn parse_date(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{s:?} is not a date: use YYYY-MM-DD or an RFC 3339 time"))
}

/// `--younger-than`: a whole number and a unit, `s`, `m`, `h`, `d` or `w` (`7d`, `36h`).
pub fn parse_duration(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let bad = || format!("{s:?} is not a duration: a number and s, m, h, d or w, like 7d or 36h");
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    n.checked_mul(seconds)
        .filter(|secs| *secs <= 200 * 365 * 86_400)
        .map(chrono::Duration::seconds)
        .ok_or_else(|| format!("{s:?} is longer than 200 years"))
}

/// The instant an account must have been created after: the later of the two flags (both
/// must hold), or `None` when neither is given. `now` is the run's start.
pub fn created_after(
    date: Option<DateTime<Utc>>,
    younger_than: Option<chrono::Duration>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let by_age = younger_than.map(|d| now - d);
    match (date, by_age) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_durations_parse_and_bad_ones_say_why() {
        assert_eq!(
            parse_date("2024-03-01").unwrap().to_rfc3339(),
            "2024-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_date("2024-03-01T12:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2024-03-01T10:00:00+00:00"
        );
        assert!(parse_date("01/03/2024").unwrap_err().contains("YYYY-MM-DD"));
        assert_eq!(parse_duration("7d").unwrap(), chrono::Duration::days(7));
        assert_eq!(parse_duration("36h").unwrap(), chrono::Duration::hours(36));
        assert_eq!(parse_duration("2w").unwrap(), chrono::Duration::weeks(2));
        for bad in ["", "7", "d", "7y", "-7d", "7 d", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
        assert!(parse_duration("100000w").unwrap_err().contains("200 years"));
    }

    #[test]
    fn both_flags_keep_the_later_instant() {
        let now = parse_date("2024-03-10").unwrap();
        let date = parse_date("2024-03-05").unwrap();
        let week = chrono::Duration::days(7);
        assert_eq!(created_after(Some(date), Some(week), now), Some(date));
        assert_eq!(
            created_after(None, Some(week), now),
            Some(parse_date("2024-03-03").unwrap())
        );
        assert_eq!(created_after(None, None, now), None);
    }
}
