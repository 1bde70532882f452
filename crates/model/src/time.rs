//! Dates and cadences.
//!
//! Cadences are written as a count and a unit: `90d`, `12w`, `6m`, `1y`. Months
//! and years are calendar units (a review every `1y` from 2025-02-28 is due
//! 2026-02-28), days and weeks are exact.

use std::fmt;
use std::str::FromStr;

pub use jiff::civil::Date;

/// The unit of a [`Cadence`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CadenceUnit {
    /// Calendar days (`d`).
    Days,
    /// Weeks of seven days (`w`).
    Weeks,
    /// Calendar months (`m`).
    Months,
    /// Calendar years (`y`).
    Years,
}

/// A recurring interval such as a review cadence or an evidence freshness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cadence {
    /// How many units.
    pub count: u32,
    /// Which unit.
    pub unit: CadenceUnit,
}

/// The first instant of a day, in UTC.
pub fn start_of_day(date: Date) -> jiff::Timestamp {
    jiff::tz::TimeZone::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(jiff::Timestamp::MIN)
}

/// The last instant of a day, in UTC.
pub fn end_of_day(date: Date) -> jiff::Timestamp {
    jiff::tz::TimeZone::UTC
        .to_timestamp(date.at(23, 59, 59, 999_999_999))
        .unwrap_or(jiff::Timestamp::MAX)
}

/// The date (UTC) of an instant.
pub fn date_of(instant: jiff::Timestamp) -> Date {
    jiff::tz::TimeZone::UTC.to_datetime(instant).date()
}

/// The instant an evaluation "as of `date`" stands for, given the present
/// moment `now`: `now` itself when the date is today, else the end of that
/// day, so that everything recorded on it counts (and nothing later does).
pub fn as_of(date: Date, now: jiff::Timestamp) -> jiff::Timestamp {
    if date == date_of(now) {
        now
    } else {
        end_of_day(date)
    }
}

/// Why a cadence could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CadenceError {
    /// Not a count followed by `d`, `w`, `m` or `y`.
    #[error("expected a duration such as `90d`, `12w`, `6m` or `1y`, found `{0}`")]
    Form(String),
    /// A zero duration.
    #[error("expected a duration of at least one unit, found `{0}`")]
    Zero(String),
    /// Longer than a hundred years: a typo, not a cadence.
    #[error("expected a duration of at most 100 years, found `{0}`")]
    TooLong(String),
}

impl Cadence {
    /// A cadence of `count` days.
    pub const fn days(count: u32) -> Self {
        Self {
            count,
            unit: CadenceUnit::Days,
        }
    }

    /// A cadence of `count` calendar years.
    pub const fn years(count: u32) -> Self {
        Self {
            count,
            unit: CadenceUnit::Years,
        }
    }

    /// The date one cadence after `date`, saturating at the end of the
    /// representable calendar rather than failing.
    pub fn after(self, date: Date) -> Date {
        self.shift(date, 1).unwrap_or(Date::MAX)
    }

    /// The date one cadence before `date`, saturating at the start of the
    /// representable calendar.
    pub fn before(self, date: Date) -> Date {
        self.shift(date, -1).unwrap_or(Date::MIN)
    }

    /// The first day of the period of one cadence that ends with `last`,
    /// both days included (90 days ending 2026-11-28 start 2026-08-31):
    /// an audit period as a range of dates.
    pub fn first_day_ending(self, last: Date) -> Date {
        let before = self.before(last);
        before.tomorrow().unwrap_or(before)
    }

    /// The instant one cadence after `instant`, counted in UTC (months and
    /// years are calendar units there), saturating at the end of time.
    pub fn after_instant(self, instant: jiff::Timestamp) -> jiff::Timestamp {
        self.shift_instant(instant, 1)
            .unwrap_or(jiff::Timestamp::MAX)
    }

    /// The instant one cadence before `instant`, counted in UTC, saturating
    /// at the start of time.
    pub fn before_instant(self, instant: jiff::Timestamp) -> jiff::Timestamp {
        self.shift_instant(instant, -1)
            .unwrap_or(jiff::Timestamp::MIN)
    }

    fn shift_instant(self, instant: jiff::Timestamp, sign: i64) -> Option<jiff::Timestamp> {
        let utc = jiff::tz::TimeZone::UTC;
        let civil = utc
            .to_datetime(instant)
            .checked_add(self.span(sign)?)
            .ok()?;
        utc.to_timestamp(civil).ok()
    }

    fn shift(self, date: Date, sign: i64) -> Option<Date> {
        date.checked_add(self.span(sign)?).ok()
    }

    /// The cadence as a calendar span, forwards (`sign` 1) or backwards (-1).
    fn span(self, sign: i64) -> Option<jiff::Span> {
        let count = sign * i64::from(self.count);
        match self.unit {
            CadenceUnit::Days => jiff::Span::new().try_days(count),
            CadenceUnit::Weeks => jiff::Span::new().try_weeks(count),
            CadenceUnit::Months => jiff::Span::new().try_months(count),
            CadenceUnit::Years => jiff::Span::new().try_years(count),
        }
        .ok()
    }
}

impl FromStr for Cadence {
    type Err = CadenceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || CadenceError::Form(text.to_string());
        let trimmed = text.trim();
        let split = trimmed
            .char_indices()
            .last()
            .map(|(i, _)| i)
            .ok_or_else(err)?;
        let (digits, unit) = trimmed.split_at(split);
        let unit = match unit {
            "d" => CadenceUnit::Days,
            "w" => CadenceUnit::Weeks,
            "m" => CadenceUnit::Months,
            "y" => CadenceUnit::Years,
            _ => return Err(err()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let count: u32 = digits
            .parse()
            .map_err(|_| CadenceError::TooLong(text.to_string()))?;
        // More than 100 years is a typo, not a cadence; jiff would also
        // refuse spans that large.
        let limit = match unit {
            CadenceUnit::Days => 36_500,
            CadenceUnit::Weeks => 5_200,
            CadenceUnit::Months => 1_200,
            CadenceUnit::Years => 100,
        };
        if count == 0 {
            return Err(CadenceError::Zero(text.to_string()));
        }
        if count > limit {
            return Err(CadenceError::TooLong(text.to_string()));
        }
        Ok(Self { count, unit })
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            CadenceUnit::Days => 'd',
            CadenceUnit::Weeks => 'w',
            CadenceUnit::Months => 'm',
            CadenceUnit::Years => 'y',
        };
        write!(f, "{}{}", self.count, unit)
    }
}

/// Parses an ISO 8601 calendar date (`2026-03-31`).
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let trimmed = text.trim();
    // jiff accepts some forms (e.g. `20260331`) that people do not write in
    // YAML; insist on the extended form so that `2026-3-1` is caught early.
    let bytes = trimmed.as_bytes();
    let digits = bytes
        .iter()
        .enumerate()
        .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' || !digits {
        return Err(DateError::Form(text.to_string()));
    }
    trimmed
        .parse()
        .map_err(|_| DateError::NoSuchDay(text.to_string()))
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not written `YYYY-MM-DD`.
    #[error("expected a date as YYYY-MM-DD, found `{0}`")]
    Form(String),
    /// Written right, but the calendar has no such day.
    #[error("`{0}` is not a day of the calendar (check the month and day)")]
    NoSuchDay(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&str>) {
        let parsed = text.parse::<Cadence>().ok().map(|c| c.to_string());
        assert_eq!(parsed.as_deref(), expected, "{text}");
    }

    #[test]
    fn a_date_stands_for_now_when_it_is_today_else_for_its_end() {
        let now: jiff::Timestamp = "2026-11-28T12:34:56Z".parse().unwrap();
        let date = |t: &str| parse_date(t).unwrap();
        assert_eq!(as_of(date("2026-11-28"), now), now);
        assert_eq!(
            as_of(date("2026-11-27"), now).to_string(),
            "2026-11-27T23:59:59.999999999Z"
        );
        assert_eq!(
            start_of_day(date("2026-11-27")).to_string(),
            "2026-11-27T00:00:00Z"
        );
        assert_eq!(date_of(now), date("2026-11-28"));
    }

    #[test]
    fn cadences_parse_and_print() {
        check("90d", Some("90d"));
        check("12w", Some("12w"));
        check("6m", Some("6m"));
        check("1y", Some("1y"));
        check(" 1y ", Some("1y"));
        check("0d", None);
        check("d", None);
        check("1", None);
        check("1.5y", None);
        check("-1y", None);
        check("101y", None);
        check("99999999999999d", None);
        check("1é", None);
        check("", None);
    }

    #[test]
    fn calendar_arithmetic() {
        let d = parse_date("2025-02-28").unwrap();
        assert_eq!(Cadence::years(1).after(d).to_string(), "2026-02-28");
        assert_eq!(Cadence::days(1).after(d).to_string(), "2025-03-01");
        assert_eq!(
            "1m".parse::<Cadence>().unwrap().before(d).to_string(),
            "2025-01-28"
        );
        assert_eq!(Cadence::years(100).after(Date::MAX), Date::MAX);
    }

    #[test]
    fn dates_need_the_extended_form() {
        assert!(parse_date("2026-03-31").is_ok());
        assert!(matches!(
            parse_date("2026-02-30"),
            Err(DateError::NoSuchDay(_))
        ));
        assert!(matches!(parse_date("2026-0a-30"), Err(DateError::Form(_))));
        assert!(parse_date("20260331").is_err());
        assert!(parse_date("2026-3-1").is_err());
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn a_period_of_days_ending_on_a_date_counts_both_ends() {
        let last: Date = "2026-11-28".parse().unwrap();
        let first = Cadence::days(90).first_day_ending(last);
        assert_eq!(first.to_string(), "2026-08-31");
        assert_eq!((last - first).get_days() + 1, 90);
        assert_eq!(Cadence::days(1).first_day_ending(last), last);
    }
}
