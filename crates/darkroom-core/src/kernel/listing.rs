//! Cursors for paginated lists: opaque to clients, checked on the way in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use darkroom_db::page::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest};
use serde::Serialize;
use uuid::Uuid;

use crate::kernel::error::{CoreError, CoreResult};

/// One page of a list, as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A whole number a request may carry, within the range the OpenAPI
/// document states for it: the document's schema and the check both come
/// from this one type, so they cannot drift. Accepts a JSON integer or the
/// text of one (query strings); anything else, or out of range, is refused
/// with the range in the message.
macro_rules! bounded_int {
    ($(#[$m:meta])* $name:ident: $min:literal ..= $max:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const MIN: i64 = $min;
            pub const MAX: i64 = $max;

            pub fn new(v: i64) -> Result<Self, String> {
                if (Self::MIN..=Self::MAX).contains(&v) {
                    Ok(Self(v))
                } else {
                    Err(Self::range_message())
                }
            }

            /// From the text of a query or form field (pages).
            pub fn parse(field: &str, raw: &str) -> CoreResult<Self> {
                raw.trim()
                    .parse::<i64>()
                    .map_err(|_| Self::range_message())
                    .and_then(Self::new)
                    .map_err(|m| CoreError::invalid(field, m))
            }

            pub fn get(self) -> i64 {
                self.0
            }

            /// For values the server itself chooses: brought into range.
            pub fn clamped(v: i64) -> Self {
                Self(v.clamp(Self::MIN, Self::MAX))
            }

            /// As an unsigned count (the minimum is never negative).
            pub fn count(self) -> u64 {
                u64::try_from(self.0).unwrap_or(0)
            }

            fn range_message() -> String {
                format!("must be a whole number from {} to {}", Self::MIN, Self::MAX)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(&$name::range_message())
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        $name::new(v).map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        i64::try_from(v)
                            .map_err(|_| E::custom($name::range_message()))
                            .and_then(|n| $name::new(n).map_err(E::custom))
                    }
                    // A query's number is its digits alone: `3\r` is not 3.
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        v.parse::<i64>()
                            .map_err(|_| E::custom($name::range_message()))
                            .and_then(|n| $name::new(n).map_err(E::custom))
                    }
                }
                d.deserialize_any(V)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(Self::MIN))
                    .maximum(Some(Self::MAX))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

bounded_int!(
    /// Rows to skip in a list paged by position (`next_offset`).
    Offset: 0 ..= 10_000_000
);
bounded_int!(
    /// Rows per page of a list paged by cursor.
    ListLimit: 1 ..= 200
);
bounded_int!(
    /// Photos per page.
    PhotoLimit: 1 ..= 500
);
bounded_int!(
    /// The version of a row a change is meant for.
    RowVersion: 1 ..= i64::MAX
);

// The macro's types derive nothing beyond what every one needs.
#[allow(clippy::derivable_impls)]
impl Default for Offset {
    fn default() -> Self {
        Self(0)
    }
}

/// Decodes what [`encode_id`] and [`encode_seq`] write; any 22 (or 11)
/// characters of the alphabet decode, as the documented pattern says.
const CURSOR: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

macro_rules! cursor_type {
    ($(#[$m:meta])* $name:ident, $len:literal) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(concat!("^([A-Za-z0-9_-]{", $len, "})?$")))
                    .description(Some(
                        "`next_cursor` of the previous page; absent (or empty) for the first",
                    ))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

cursor_type!(
    /// Where a list ordered by id goes on.
    IdCursor, 22
);
cursor_type!(
    /// Where a list ordered by sequence number goes on.
    SeqCursor, 11
);

fn bad_cursor() -> CoreError {
    CoreError::invalid(
        "cursor",
        "the cursor is not one this server issued; start again without `cursor`",
    )
}

fn limit(l: Option<ListLimit>) -> u64 {
    l.map_or(DEFAULT_LIMIT, |l| l.count().min(MAX_LIMIT))
}

/// A page request keyed by id.
pub fn by_id(cursor: Option<&str>, l: Option<ListLimit>) -> CoreResult<PageRequest<Uuid>> {
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let bytes = CURSOR.decode(c).map_err(|_| bad_cursor())?;
            Some(Uuid::from_slice(&bytes).map_err(|_| bad_cursor())?)
        }
    };
    Ok(PageRequest {
        after,
        limit: limit(l),
    })
}

/// A page request keyed by a sequence number.
pub fn by_seq(cursor: Option<&str>, l: Option<ListLimit>) -> CoreResult<PageRequest<i64>> {
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let bytes = CURSOR.decode(c).map_err(|_| bad_cursor())?;
            let arr: [u8; 8] = bytes.try_into().map_err(|_| bad_cursor())?;
            Some(i64::from_be_bytes(arr))
        }
    };
    Ok(PageRequest {
        after,
        limit: limit(l),
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
            by_seq(Some(&encode_seq(42)), Some(ListLimit::clamped(10)))
                .unwrap()
                .after,
            Some(42)
        );
        assert!(by_id(Some("!!"), None).is_err());
        assert!(by_seq(Some(&encode_id(id)), None).is_err());
        assert!(ListLimit::new(0).is_err());
        assert!(ListLimit::new(201).is_err());
        assert_eq!(by_id(None, ListLimit::new(200).ok()).unwrap().limit, 200);
    }
}
