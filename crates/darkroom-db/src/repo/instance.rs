//! Instance-wide settings (one row per key).

use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::DbResult;
use crate::entity::instance_setting::{ActiveModel, Column, Entity};

pub async fn get(c: &impl ConnectionTrait, key: &str) -> DbResult<Option<String>> {
    Ok(Entity::find_by_id(key.to_string())
        .one(c)
        .await?
        .map(|m| m.value))
}

/// Inserts `value` unless the key exists; returns the stored value either way.
pub async fn get_or_insert(
    c: &impl ConnectionTrait,
    key: &str,
    value: &str,
    now: i64,
) -> DbResult<String> {
    let row = ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(now),
    };
    Entity::insert(row)
        .on_conflict_do_nothing_on([Column::Key])
        .exec(c)
        .await?;
    Ok(get(c, key).await?.unwrap_or_else(|| value.to_string()))
}
