//! Which ledger entries belong to an audit period (`PACK.md`, "The
//! period"). Both ends of every interval are inclusive.

use evident_model::evidence::{ObservedPeriod, Timestamp};

use crate::manifest::Period;

/// Whether evidence observed over `observed` is evidence of `period`: the
/// two intervals share at least an instant. A snapshot (`from == to`) taken
/// exactly at either end of the period belongs to it.
pub fn observes(period: &Period, observed: &ObservedPeriod) -> bool {
    observed.from <= period.to && observed.to >= period.from
}

/// Whether a check result evaluated as of `evaluated_at` is a result of
/// `period`.
pub fn evaluated_in(period: &Period, evaluated_at: Timestamp) -> bool {
    period.from <= evaluated_at && evaluated_at <= period.to
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn obs(from: &str, to: &str) -> ObservedPeriod {
        ObservedPeriod {
            from: t(from),
            to: t(to),
        }
    }

    #[test]
    fn overlap_includes_both_ends() {
        let p = Period {
            from: t("2026-01-01T00:00:00Z"),
            to: t("2026-03-31T23:59:59Z"),
        };
        let inside = [
            obs("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            obs("2026-03-31T23:59:59Z", "2026-03-31T23:59:59Z"),
            obs("2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            obs("2026-03-31T23:59:59Z", "2026-05-01T00:00:00Z"),
            obs("2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ];
        for o in inside {
            assert!(observes(&p, &o), "{o:?}");
        }
        let outside = [
            obs("2025-12-31T23:59:59Z", "2025-12-31T23:59:59Z"),
            obs("2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z"),
            obs("2025-01-01T00:00:00Z", "2025-12-31T23:59:59.999Z"),
        ];
        for o in outside {
            assert!(!observes(&p, &o), "{o:?}");
        }
        assert!(evaluated_in(&p, t("2026-01-01T00:00:00Z")));
        assert!(evaluated_in(&p, t("2026-03-31T23:59:59Z")));
        assert!(!evaluated_in(&p, t("2026-04-01T00:00:00Z")));
        assert!(!evaluated_in(&p, t("2025-12-31T23:59:59Z")));
    }
}
