//! The risk register: counts by level (inherent and residual), the
//! likelihood × impact matrices, the risks above appetite and those past
//! their review at the period's end.

use serde::Serialize;

use evident_model::Isms;
use evident_model::risk::{Rating, RiskScale};
use evident_model::time::Date;

/// The level name used when the scale defines no levels.
const NO_LEVEL: &str = "(no level)";

/// How many risks fall in one level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelCount {
    /// The level's name from the organisation's scale.
    pub level: String,
    /// Risks whose inherent rating is in it.
    pub inherent: u64,
    /// Risks whose current rating (residual if assessed, else inherent)
    /// is in it.
    pub residual: u64,
}

/// Counts of risks per likelihood × impact cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// The likelihood steps, lowest first (rows).
    pub likelihood: Vec<String>,
    /// The impact steps, lowest first (columns).
    pub impact: Vec<String>,
    /// `cells[l][i]`: risks rated likelihood `l + 1`, impact `i + 1`.
    pub cells: Vec<Vec<u64>>,
    /// Risks whose rating lies off the scale (not in any cell).
    pub off_scale: u64,
}

impl Matrix {
    fn new(scale: &RiskScale) -> Self {
        Self {
            likelihood: scale.likelihood.clone(),
            impact: scale.impact.clone(),
            cells: vec![vec![0; scale.impact.len()]; scale.likelihood.len()],
            off_scale: 0,
        }
    }

    fn add(&mut self, rating: Rating) {
        let cell = usize::from(rating.likelihood)
            .checked_sub(1)
            .zip(usize::from(rating.impact).checked_sub(1))
            .and_then(|(l, i)| self.cells.get_mut(l)?.get_mut(i));
        match cell {
            Some(n) => *n += 1,
            None => self.off_scale += 1,
        }
    }

    /// The number of risks counted (in cells and off the scale).
    pub fn total(&self) -> u64 {
        self.cells.iter().flatten().sum::<u64>() + self.off_scale
    }
}

/// A risk whose review is overdue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RiskReview {
    /// The risk's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// When it was last reviewed; `None`: never.
    pub last_reviewed: Option<Date>,
    /// When the next review was due; `None`: it never had one.
    pub due: Option<Date>,
}

/// The risk register at the period's end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskFigures {
    /// How many risks the register holds.
    pub total: u64,
    /// How many have a residual rating (the others' inherent rating stands).
    pub residual_assessed: u64,
    /// The organisation's risk appetite (highest tolerated score).
    pub appetite: u32,
    /// Counts per level, in the scale's order.
    pub levels: Vec<LevelCount>,
    /// Inherent ratings.
    pub inherent: Matrix,
    /// Current ratings: residual where assessed, else inherent.
    pub residual: Matrix,
    /// Risks whose current score exceeds the appetite.
    pub above_appetite: Vec<String>,
    /// Risks past their review at the period's end: never reviewed, or one
    /// cadence after the last review lies before the period's last day
    /// (the rule of `stale-risk-review`).
    pub past_review: Vec<RiskReview>,
}

/// Computes the figures as of `end`, the period's last day.
pub(crate) fn figures(isms: &Isms, end: Date) -> RiskFigures {
    let scale = &isms.organisation.risk;
    let mut levels: Vec<LevelCount> = scale
        .levels
        .iter()
        .map(|l| LevelCount {
            level: l.name.clone(),
            inherent: 0,
            residual: 0,
        })
        .collect();
    let mut inherent = Matrix::new(scale);
    let mut residual = Matrix::new(scale);
    let mut above_appetite = Vec::new();
    let mut past_review = Vec::new();
    for risk in &isms.risks {
        inherent.add(risk.inherent);
        residual.add(risk.current());
        level_slot(&mut levels, scale, risk.inherent.score()).inherent += 1;
        level_slot(&mut levels, scale, risk.current().score()).residual += 1;
        if risk.current().score() > scale.appetite {
            above_appetite.push(risk.id.clone());
        }
        let due = risk
            .review
            .last_reviewed
            .map(|d| risk.review.cadence.after(d));
        if due.is_none_or(|due| due < end) {
            past_review.push(RiskReview {
                id: risk.id.clone(),
                title: risk.title.clone(),
                last_reviewed: risk.review.last_reviewed,
                due,
            });
        }
    }
    RiskFigures {
        total: isms.risks.len() as u64,
        residual_assessed: isms.risks.iter().filter(|r| r.residual.is_some()).count() as u64,
        appetite: scale.appetite,
        levels,
        inherent,
        residual,
        above_appetite,
        past_review,
    }
}

/// The count of the level a score falls in, adding a "(no level)" row when
/// the scale defines none.
fn level_slot<'a>(
    levels: &'a mut Vec<LevelCount>,
    scale: &RiskScale,
    score: u32,
) -> &'a mut LevelCount {
    let name = scale.level(score).map_or(NO_LEVEL, |l| l.name.as_str());
    let position = match levels.iter().position(|l| l.level == name) {
        Some(p) => p,
        None => {
            levels.push(LevelCount {
                level: name.to_string(),
                inherent: 0,
                residual: 0,
            });
            levels.len() - 1
        }
    };
    &mut levels[position]
}
