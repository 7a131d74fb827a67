//! Client-supplied ids. A client (the offline desktop app) may send the id of
//! the record it creates. Sending the same id with the same body again is a
//! no-op that returns the record; the same id with a different body is a
//! conflict. Another studio's id gets the same answer as any id in use.

use darkroom_db::entity::created_id;
use darkroom_db::repo;
use darkroom_db::sea_orm::ConnectionTrait;
use darkroom_domain::{StudioId, TypedId};
use serde::Serialize;

use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::secret::sha256_hex;

/// Whether a create is new or a replay of one already done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Fresh,
    Replay,
}

/// The digest of a create body.
pub fn digest(body: &impl Serialize) -> String {
    sha256_hex(serde_json::to_string(body).unwrap_or_default().as_bytes())
}

pub fn id_in_use(id: &impl std::fmt::Display) -> CoreError {
    CoreError::conflict(
        "id_conflict",
        format!(
            "the id `{id}` is already in use by a different record; to repeat a create, send \
             exactly the same body; otherwise generate a new UUIDv7"
        ),
    )
}

/// Records that `id` was created from `digest`, or tells a replay apart.
pub async fn claim<I: TypedId>(
    c: &impl ConnectionTrait,
    studio: StudioId,
    kind: &str,
    id: I,
    digest: &str,
    now: i64,
) -> CoreResult<Claim> {
    match repo::created_id::find(c, id.uuid()).await? {
        None => {
            repo::created_id::insert(
                c,
                created_id::Model {
                    id: id.uuid(),
                    studio_id: studio.uuid(),
                    kind: kind.into(),
                    digest: digest.into(),
                    created_at: now,
                },
            )
            .await?;
            Ok(Claim::Fresh)
        }
        Some(r) if r.studio_id == studio.uuid() && r.kind == kind && r.digest == digest => {
            Ok(Claim::Replay)
        }
        Some(_) => Err(id_in_use(&id)),
    }
}

/// Maps a primary-key collision on insert to the same conflict.
pub fn on_insert_error(e: darkroom_db::DbError, id: &impl std::fmt::Display) -> CoreError {
    match e {
        darkroom_db::DbError::Unique(_) => id_in_use(id),
        other => other.into(),
    }
}
