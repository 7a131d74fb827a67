//! A studio's pipeline stages: seed 003's six by default (made the first
//! time the pipeline is read), renamed, added and reordered by the studio.

use darkroom_db::entity::pipeline_stage;
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::StageKind;
use darkroom_domain::field::{Line, StageKindName};
use darkroom_domain::{StageId, StudioId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use crate::crm::client::{authorize_for, record_about};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The stages a studio starts with.
pub const DEFAULT_STAGES: &[(&str, StageKind)] = &[
    ("Inquiry", StageKind::Open),
    ("Consultation", StageKind::Open),
    ("Proposal", StageKind::Open),
    ("Contracted", StageKind::Won),
    ("Completed", StageKind::Won),
    ("Cancelled", StageKind::Lost),
];

/// A stage as staff see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub id: StageId,
    pub name: String,
    /// Left to right on the board, from 0.
    pub position: i64,
    /// `open`, `won` or `lost`.
    pub kind: StageKind,
    pub version: i64,
    pub updated_at: Timestamp,
}

pub(crate) fn view(m: pipeline_stage::Model) -> StageView {
    StageView {
        id: StageId::from_uuid(m.id),
        name: m.name,
        position: m.position,
        kind: m.kind,
        version: m.version,
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// The studio's stages in order, made from the defaults the first time.
pub(crate) async fn ensure(
    core: &Core,
    studio: StudioId,
) -> CoreResult<Vec<pipeline_stage::Model>> {
    let c = core.db().conn();
    let stages = repo::lead::stages(c, studio).await?;
    if !stages.is_empty() {
        return Ok(stages);
    }
    let tx = core.db().begin().await?;
    if repo::lead::stages(&tx, studio).await?.is_empty() {
        for (i, (name, kind)) in DEFAULT_STAGES.iter().enumerate() {
            let id = StageId::new();
            let am = pipeline_stage::ActiveModel {
                id: Set(id.uuid()),
                name: Set((*name).to_string()),
                position: Set(i as i64),
                kind: Set(*kind),
                ..Default::default()
            };
            write::insert::<pipeline_stage::Entity>(core, &tx, studio, &id, am).await?;
        }
    }
    crate::commit(tx).await?;
    Ok(repo::lead::stages(core.db().conn(), studio).await?)
}

pub async fn list(core: &Core, p: &Principal) -> CoreResult<Vec<StageView>> {
    authorize_for(core, p)?;
    Ok(ensure(core, p.studio)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A stage as sent: `name` is required when adding, `version` when
/// changing.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    pub version: Option<i64>,
    pub name: Option<Line<60>>,
    /// `open` (default), `won` or `lost`.
    pub kind: Option<StageKindName>,
    /// Where it goes, from 0 (the others move aside); default: where it
    /// is, or last for a new one.
    #[schema(maximum = 100)]
    pub position: Option<u16>,
}

crate::bodies!(StageInput, "a pipeline stage":
    add NewStage requires ["name"] without ["version"];
    change StageChange requires ["version"] without []);

/// The name and kind sent, checked; a change must name the version read.
fn checked(
    input: &StageInput,
    current: Option<&pipeline_stage::Model>,
) -> CoreResult<(Option<String>, Option<StageKind>)> {
    let mut errs = darkroom_domain::validate::FieldErrors::new();
    let name = match &input.name {
        Some(n) => errs.check("name", n.check("the stage's name")),
        None if current.is_none() => {
            errs.add("name", "required", "give the stage a name");
            None
        }
        None => None,
    };
    let kind = input
        .kind
        .as_ref()
        .and_then(|k| errs.check("kind", k.check()));
    if current.is_some() && input.version.is_none() {
        errs.add("version", "required", "send the version you read");
    }
    if current.is_none() && input.version.is_some() {
        errs.add(
            "version",
            "not_allowed",
            "a new stage has no version; leave it out",
        );
    }
    if input.position.is_some_and(|p| p > 100) {
        errs.add(
            "position",
            "too_large",
            "a stage's position is 0 to 100 (past the last one puts it last)",
        );
    }
    errs.into_result()?;
    if let Some(c) = current
        && input.version != Some(c.version)
    {
        return Err(CoreError::stale(view(c.clone())));
    }
    Ok((name, kind))
}

/// Puts the other stages around position `at`, in their order.
async fn make_room(
    tx: &darkroom_db::Tx,
    others: &[pipeline_stage::Model],
    at: usize,
) -> CoreResult<()> {
    for (i, s) in others.iter().enumerate() {
        let pos = if i < at { i } else { i + 1 } as i64;
        if s.position != pos {
            repo::lead::set_stage_position(tx, s.id, pos).await?;
        }
    }
    Ok(())
}

/// Adds a stage, or (with `id`) renames or moves one.
pub async fn save(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: Option<StageId>,
    input: StageInput,
) -> CoreResult<StageView> {
    authorize_for(core, p)?;
    let mut stages = ensure(core, p.studio).await?;
    let current = match id {
        Some(id) => Some(
            stages
                .iter()
                .find(|s| s.id == id.uuid())
                .cloned()
                .ok_or(CoreError::not_found("stage"))?,
        ),
        None => None,
    };
    let (name, kind) = checked(&input, current.as_ref())?;
    let sid = current
        .as_ref()
        .map_or_else(StageId::new, |c| StageId::from_uuid(c.id));
    let was = stages.iter().position(|s| s.id == sid.uuid());
    stages.retain(|s| s.id != sid.uuid());
    let at = match (input.position, was) {
        (Some(p), _) => usize::from(p).min(stages.len()),
        (None, Some(w)) => w,
        (None, None) => stages.len(),
    };
    let mut am = pipeline_stage::ActiveModel {
        position: Set(at as i64),
        ..Default::default()
    };
    if let Some(n) = name {
        am.name = Set(n);
    }
    let tx = core.db().begin().await?;
    match &current {
        Some(c) => {
            if let Some(k) = kind {
                am.kind = Set(k);
            }
            write::update::<pipeline_stage::Entity, _>(
                core, &tx, p.studio, c.id, c.version, am, view,
            )
            .await?;
        }
        None => {
            am.id = Set(sid.uuid());
            am.kind = Set(kind.unwrap_or(StageKind::Open));
            write::insert::<pipeline_stage::Entity>(core, &tx, p.studio, &sid, am).await?;
        }
    }
    make_room(&tx, &stages, at).await?;
    let event = if current.is_some() {
        "pipeline.stage_changed"
    } else {
        "pipeline.stage_added"
    };
    record_about(
        core,
        &tx,
        meta,
        p,
        "stage",
        &sid.to_string(),
        event,
        serde_json::json!({}),
    )
    .await?;
    let fresh = repo::lead::stages(&tx, p.studio)
        .await?
        .into_iter()
        .find(|s| s.id == sid.uuid())
        .ok_or(CoreError::not_found("stage"))?;
    crate::commit(tx).await?;
    Ok(view(fresh))
}
