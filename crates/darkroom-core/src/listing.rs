//! Cursors for paginated lists: opaque to clients, checked on the way in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use darkroom_db::page::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

/// One page of a list, as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn bad_cursor() -> CoreError {
    CoreError::invalid(
        "cursor",
        "the cursor is not one this server issued; start again without `cursor`",
    )
}

fn limit(l: Option<u64>) -> CoreResult<u64> {
    match l {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(CoreError::invalid(
            "limit",
            format!("limit must be between 1 and {MAX_LIMIT}, got {n}"),
        )),
    }
}

/// A page request keyed by id.
pub fn by_id(cursor: Option<&str>, l: Option<u64>) -> CoreResult<PageRequest<Uuid>> {
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad_cursor())?;
            Some(Uuid::from_slice(&bytes).map_err(|_| bad_cursor())?)
        }
    };
    Ok(PageRequest {
        after,
        limit: limit(l)?,
    })
}

/// A page request keyed by a sequence number.
pub fn by_seq(cursor: Option<&str>, l: Option<u64>) -> CoreResult<PageRequest<i64>> {
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad_cursor())?;
            let arr: [u8; 8] = bytes.try_into().map_err(|_| bad_cursor())?;
            Some(i64::from_be_bytes(arr))
        }
    };
    Ok(PageRequest {
        after,
        limit: limit(l)?,
    })
}

pub fn encode_id(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

pub fn encode_seq(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(seq.to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(by_id(Some(&encode_id(id)), None).unwrap().after, Some(id));
        assert_eq!(
            by_seq(Some(&encode_seq(42)), Some(10)).unwrap().after,
            Some(42)
        );
        assert!(by_id(Some("!!"), None).is_err());
        assert!(by_seq(Some(&encode_id(id)), None).is_err());
        assert!(by_id(None, Some(0)).is_err());
        assert!(by_id(None, Some(10_000)).is_err());
    }
}
