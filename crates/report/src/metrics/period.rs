//! The period of a report and its buckets: weeks starting on Monday or
//! calendar months, in UTC, the first and last clipped to the period.

use jiff::civil::Date;
use serde::Serialize;

use evident_model::evidence::Timestamp;
use evident_model::time::{end_of_day, start_of_day};

/// How the period is cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

/// The days a report covers, both inclusive (UTC), and how they are cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
    /// Weeks or months.
    pub interval: Interval,
}

/// One week or month of the period (both days inclusive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The first day (the period's first day for the first bucket).
    pub from: Date,
    /// The last day (the period's last day for the last bucket).
    pub to: Date,
    /// A short name: `2026-W03` or `2026-01`.
    pub label: String,
}

/// Cuts the period into buckets; none when it is empty (`from > to`).
pub(crate) fn buckets(period: &Period) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut start = period.from;
    while start <= period.to {
        let natural_end = match period.interval {
            Interval::Week => {
                // Sunday of the week: Monday is offset 0.
                let offset = i64::from(start.weekday().to_monday_zero_offset());
                start
                    .checked_add(jiff::Span::new().days(6 - offset))
                    .unwrap_or(Date::MAX)
            }
            Interval::Month => start.last_of_month(),
        };
        let end = natural_end.min(period.to);
        out.push(Bucket {
            from: start,
            to: end,
            label: label(start, period.interval),
        });
        match end.tomorrow() {
            Ok(next) => start = next,
            Err(_) => break,
        }
    }
    out
}

fn label(start: Date, interval: Interval) -> String {
    match interval {
        Interval::Week => {
            let week = start.iso_week_date();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        Interval::Month => format!("{:04}-{:02}", start.year(), start.month()),
    }
}

/// One bucket in instants, clipped to the report's instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// The first instant.
    pub start: Timestamp,
    /// The end (exclusive): the next day's first instant, or the report's
    /// instant when that is earlier.
    pub end: Timestamp,
    /// The instant states are taken "as of the bucket's end": its last
    /// instant, or the report's instant when that is earlier.
    pub as_of: Timestamp,
    /// The date the analysis runs as of: the bucket's last day, or the
    /// report's date when that is earlier.
    pub date: Date,
}

/// The instants of the buckets and of the period, as known at the report's
/// instant: a bucket that begins after it is `None` (the future has no
/// figures).
pub(crate) struct Clock {
    /// Each bucket's span, in bucket order.
    pub buckets: Vec<Option<Span>>,
    /// The whole period's span.
    pub period: Option<Span>,
}

impl Clock {
    /// The spans of `buckets` of `period`, clipped to `at`.
    pub fn new(period: &Period, buckets: &[Bucket], at: Timestamp) -> Self {
        Self {
            buckets: buckets.iter().map(|b| span(b.from, b.to, at)).collect(),
            period: if period.from <= period.to {
                span(period.from, period.to, at)
            } else {
                None
            },
        }
    }

    /// The spans of the buckets that have begun, with their positions.
    pub fn begun(&self) -> impl Iterator<Item = (usize, Span)> + '_ {
        self.buckets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s)))
    }

    /// The bucket an instant falls in, if any.
    pub fn bucket_of(&self, instant: Timestamp) -> Option<usize> {
        self.begun()
            .find(|(_, s)| s.start <= instant && instant < s.end)
            .map(|(i, _)| i)
    }
}

fn span(from: Date, to: Date, at: Timestamp) -> Option<Span> {
    let start = start_of_day(from);
    if start > at {
        return None;
    }
    let next_day = to.tomorrow().map_or(Timestamp::MAX, start_of_day);
    Some(Span {
        start,
        end: next_day.min(at),
        as_of: end_of_day(to).min(at),
        date: to.min(evident_model::time::date_of(at)),
    })
}
