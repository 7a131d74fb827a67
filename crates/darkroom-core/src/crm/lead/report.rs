//! The pipeline in numbers: per source, how many leads came, how many were
//! won and lost, and the conversion rate (won of closed).

use darkroom_db::repo;
use darkroom_domain::crm::StageKind;
use serde::Serialize;

use crate::crm::client::authorize_for;
use crate::kernel::error::CoreResult;
use crate::{Core, Principal};

/// One line of the report.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct SourceLine {
    /// The source's name, or `unknown`.
    pub source: String,
    pub leads: u64,
    pub open: u64,
    pub won: u64,
    pub lost: u64,
    /// Won of closed, in whole percent (none before anything closed).
    pub conversion_percent: Option<u64>,
}

/// The report: every source, and all together.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadReport {
    pub by_source: Vec<SourceLine>,
    pub total: SourceLine,
    /// Lost leads by reason, most frequent first.
    pub lost_reasons: Vec<(String, u64)>,
}

fn add(line: &mut SourceLine, kind: StageKind) {
    line.leads += 1;
    match kind {
        StageKind::Open => line.open += 1,
        StageKind::Won => line.won += 1,
        StageKind::Lost => line.lost += 1,
    }
}

fn rate(line: &mut SourceLine) {
    let closed = line.won + line.lost;
    line.conversion_percent = (closed > 0).then(|| (line.won * 100 + closed / 2) / closed);
}

pub async fn report(core: &Core, p: &Principal) -> CoreResult<LeadReport> {
    authorize_for(core, p)?;
    let stages = super::stages::ensure(core, p.studio).await?;
    let leads = repo::lead::list(core.db().conn(), p.studio, None, None, u64::MAX >> 1).await?;
    let mut by: std::collections::BTreeMap<String, SourceLine> = Default::default();
    let mut total = SourceLine {
        source: "all".into(),
        ..Default::default()
    };
    let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
    for l in &leads {
        let kind = stages
            .iter()
            .find(|s| s.id == l.stage_id)
            .map_or(StageKind::Open, |s| s.kind);
        let name = l
            .source
            .map_or("unknown".to_string(), |s| s.name().to_string());
        let line = by.entry(name.clone()).or_insert_with(|| SourceLine {
            source: name,
            ..Default::default()
        });
        add(line, kind);
        add(&mut total, kind);
        if kind == StageKind::Lost
            && let Some(r) = &l.lost_reason
        {
            *reasons.entry(r.trim().to_lowercase()).or_default() += 1;
        }
    }
    let mut by_source: Vec<SourceLine> = by.into_values().collect();
    by_source.iter_mut().for_each(rate);
    by_source.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.source.cmp(&b.source)));
    rate(&mut total);
    let mut lost_reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    lost_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(LeadReport {
        by_source,
        total,
        lost_reasons,
    })
}
