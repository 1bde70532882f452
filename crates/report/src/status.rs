//! `evident status`: one screen for an owner or a manager — controls by
//! derived status per Annex A theme, findings by severity, how fresh each
//! source's evidence is, and the worst offenders.

use std::collections::BTreeMap;
use std::fmt::Write;

use evident_catalog::Catalog;
use evident_model::Isms;
use evident_model::check::Outcome;
use evident_model::evidence::{CollectionFailure, Timestamp};
use evident_model::finding::{Finding, FindingCode, Severity};
use evident_model::framework::ISO27001_2022;
use evident_model::status::{ControlAssessment, ControlStatus, Observations};

/// How many controls the "worst offenders" list shows.
const WORST: usize = 10;

/// What the status screen shows.
pub struct StatusReport<'a> {
    /// The ISMS.
    pub isms: &'a Isms,
    /// The frameworks (for Annex A themes).
    pub catalog: &'a Catalog,
    /// The instant the status is as of.
    pub at: Timestamp,
    /// Every implemented control's assessment.
    pub assessments: &'a [ControlAssessment<'a>],
    /// The readiness findings (definitions and evidence).
    pub findings: &'a [Finding],
    /// The evidence and results recorded.
    pub observations: &'a Observations,
    /// The failed collections recorded.
    pub failures: &'a [CollectionFailure],
}

/// Renders the status screen as plain text.
pub fn text(report: &StatusReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — control status as of {}\n",
        report.isms.organisation.name,
        report.at.strftime("%Y-%m-%d %H:%M UTC")
    );
    themes(&mut out, report);
    findings(&mut out, report.findings);
    freshness(&mut out, report);
    worst(&mut out, report);
    out
}

fn themes(out: &mut String, report: &StatusReport) {
    let iso = report.catalog.framework(ISO27001_2022);
    // A control counts in every theme of the Annex A controls it satisfies.
    let mut rows: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    let mut total = [0usize; 5];
    // Effectiveness over the audit period (clause 9.1): the mean share of
    // the period each applicable control was effective, per theme.
    let period_end = report.at;
    let period_start = report
        .isms
        .organisation
        .evidence
        .audit_period
        .before_instant(period_end);
    let mut effective: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    let mut overall = (0f64, 0usize);
    for a in report.assessments {
        let column = column(a.status);
        total[column] += 1;
        let share = (a.status != ControlStatus::NotApplicable).then(|| {
            evident_model::status::effectiveness(
                a.control,
                &report.isms.soa,
                report.observations,
                period_start,
                period_end,
            )
            .effective
        });
        let mut themes: Vec<String> = a
            .control
            .satisfies
            .iter()
            .filter(|(r, _)| r.framework == ISO27001_2022)
            .filter_map(|(r, _)| iso.and_then(|f| f.requirement(&r.id)))
            .filter_map(|r| r.theme.clone())
            .collect();
        themes.sort();
        themes.dedup();
        if themes.is_empty() {
            themes.push("(no Annex A control)".to_string());
        }
        if let Some(share) = share {
            overall.0 += share;
            overall.1 += 1;
        }
        for theme in themes {
            if let Some(share) = share {
                let e = effective.entry(theme.clone()).or_default();
                e.0 += share;
                e.1 += 1;
            }
            rows.entry(theme).or_default()[column] += 1;
        }
    }
    let planned = report
        .isms
        .controls
        .iter()
        .filter(|c| c.lifecycle == evident_model::control::Lifecycle::Planned)
        .count();
    let _ = writeln!(
        out,
        "Controls by status ({} implemented, {planned} planned)",
        report.assessments.len()
    );
    let _ = write!(out, "  {:<28}", "Annex A theme");
    for s in ControlStatus::ALL {
        let _ = write!(out, "{:>15}", s.as_str());
    }
    let _ = writeln!(
        out,
        "{:>14}",
        format!(
            "effective {}",
            report.isms.organisation.evidence.audit_period
        )
    );
    let mut line = |name: &str, counts: &[usize; 5], share: Option<(f64, usize)>| {
        let _ = write!(out, "  {name:<28}");
        for c in counts {
            let _ = write!(out, "{c:>15}");
        }
        match share {
            Some((sum, n)) if n > 0 => {
                let _ = writeln!(out, "{:>13.1}%", sum / n as f64 * 100.0);
            }
            _ => {
                let _ = writeln!(out, "{:>14}", "-");
            }
        }
    };
    for (theme, counts) in &rows {
        line(theme, counts, effective.get(theme).copied());
    }
    line("all controls", &total, Some(overall));
    let _ = writeln!(
        out,
        "  (the last column: the mean share of the audit period, {} to {}, that each control was effective)",
        period_start.strftime("%Y-%m-%d"),
        period_end.strftime("%Y-%m-%d")
    );
    // Effective by fresh evidence alone is weaker than effective by checks
    // that passed over it: say how many are which.
    let effective: Vec<&ControlAssessment> = report
        .assessments
        .iter()
        .filter(|a| a.status == ControlStatus::Effective)
        .collect();
    let checked = effective
        .iter()
        .filter(|a| a.requirements.iter().any(|r| r.is_checked()))
        .count();
    let _ = writeln!(
        out,
        "  of the {} effective controls, {checked} passed checks over their evidence; {} rest on fresh evidence that no check reads\n",
        effective.len(),
        effective.len() - checked
    );
}

fn column(status: ControlStatus) -> usize {
    ControlStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0)
}

fn findings(out: &mut String, findings: &[Finding]) {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "Findings: {} errors, {} warnings, {} infos",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    let mut by_code: BTreeMap<FindingCode, usize> = BTreeMap::new();
    for f in findings {
        *by_code.entry(f.code).or_default() += 1;
    }
    let mut codes: Vec<(FindingCode, usize)> = by_code.into_iter().collect();
    codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (code, n) in codes {
        let _ = writeln!(out, "  {n:>5}  {}", code.as_str());
    }
    out.push('\n');
}

fn freshness(out: &mut String, report: &StatusReport) {
    let _ = writeln!(out, "Evidence by source");
    for source in &report.isms.sources {
        let newest = report.observations.newest(&source.name, report.at);
        let items = report
            .observations
            .evidence_of(&source.name)
            .iter()
            .filter(|r| r.item.collected_at <= report.at)
            .count();
        let failure = report
            .failures
            .iter()
            .filter(|f| f.source == source.name && f.attempted_at <= report.at)
            .max_by_key(|f| f.attempted_at);
        let age = newest.map(|n| {
            let seconds = report.at.as_second() - n.item.observed.to.as_second();
            format!(
                "newest {} ({} old)",
                n.item.observed.to.strftime("%Y-%m-%d %H:%M"),
                human_age(seconds)
            )
        });
        let _ = write!(
            out,
            "  {:<24} {:<40} {:>6} items",
            source.name,
            age.as_deref().unwrap_or("never collected"),
            items
        );
        if let Some(f) = failure
            && newest.is_none_or(|n| n.item.collected_at < f.attempted_at)
        {
            let _ = write!(out, "  last attempt failed: {}", first_line(&f.error));
        }
        out.push('\n');
    }
    out.push('\n');
}

fn human_age(seconds: i64) -> String {
    match seconds {
        s if s < 0 => "from the future".to_string(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut short: String = line.chars().take(80).collect();
    if short.len() < line.len() {
        short.push('…');
    }
    short
}

fn worst(out: &mut String, report: &StatusReport) {
    let mut bad: Vec<&ControlAssessment> = report
        .assessments
        .iter()
        .filter(|a| a.status.badness() > 0)
        .collect();
    if bad.is_empty() {
        let _ = writeln!(out, "Every implemented control is effective.");
        return;
    }
    // Most failing checks first, then by id for a stable order.
    let failures = |a: &ControlAssessment| {
        a.requirements
            .iter()
            .flat_map(|r| &r.results)
            .filter(|r| r.outcome != Outcome::Pass)
            .map(|r| r.messages.len().max(1))
            .sum::<usize>()
    };
    bad.sort_by(|a, b| {
        b.status
            .badness()
            .cmp(&a.status.badness())
            .then(failures(b).cmp(&failures(a)))
            .then(a.control.id.cmp(&b.control.id))
    });
    let _ = writeln!(out, "Worst offenders");
    for a in bad.iter().take(WORST) {
        let why = a
            .requirements
            .iter()
            .find(|r| r.status == a.status)
            .map(|r| match a.status {
                ControlStatus::Failing => r
                    .results
                    .iter()
                    .find(|x| x.outcome != Outcome::Pass)
                    .map(|x| {
                        let first = x
                            .messages
                            .first()
                            .or(x.error.as_ref())
                            .map_or("failed", String::as_str);
                        format!("{}: {}", x.check, first_line(first))
                    })
                    .unwrap_or_else(|| {
                        format!(
                            "`{}` evidence collected after the last evaluation (run `evident evaluate`)",
                            r.requirement.id
                        )
                    }),
                ControlStatus::Stale => format!(
                    "`{}` evidence is older than {}",
                    r.requirement.id, r.requirement.freshness
                ),
                _ => match &r.requirement.source {
                    Some(s) => format!("no `{}` evidence from {}", r.requirement.id, s.id),
                    None => format!("no `{}` evidence (provided by hand)", r.requirement.id),
                },
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<12} {:<8} {}",
            a.control.id,
            a.status.as_str(),
            why
        );
    }
    if bad.len() > WORST {
        let _ = writeln!(out, "  … and {} more", bad.len() - WORST);
    }
}
