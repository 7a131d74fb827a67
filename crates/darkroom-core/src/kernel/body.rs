//! One input type, published as two request bodies: adding (the fields an
//! add needs are required, `version` is left out) and changing (`version`
//! is required, what only an add takes is left out). The server reads both
//! into the same type, and the OpenAPI document tells a client exactly what
//! each operation takes.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

/// `base` with `drop` taken out of its properties and `required` as its
/// required fields, described as `what`.
pub fn reshaped(
    base: RefOr<Schema>,
    required: &[&str],
    drop: &[&str],
    what: &str,
) -> RefOr<Schema> {
    match base {
        RefOr::T(Schema::Object(mut o)) => {
            for k in drop {
                o.properties.remove(*k);
            }
            for k in required {
                if let Some(p) = o.properties.get_mut(*k) {
                    *p = not_null(p.clone());
                }
            }
            o.required = required.iter().map(|s| s.to_string()).collect();
            o.description = Some(what.to_string());
            RefOr::T(Schema::Object(o))
        }
        other => other,
    }
}

/// A property's schema without its `null` alternative (a required field
/// must have a value): `oneOf [null, X]` becomes `X`, `type [T, null]`
/// becomes `T`.
fn not_null(p: RefOr<Schema>) -> RefOr<Schema> {
    let Ok(mut v) = serde_json::to_value(&p) else {
        return p;
    };
    let is_null = |x: &serde_json::Value| x.get("type").and_then(|t| t.as_str()) == Some("null");
    if let Some(alts) = v.get("oneOf").and_then(|a| a.as_array()).cloned() {
        let rest: Vec<_> = alts.into_iter().filter(|a| !is_null(a)).collect();
        if rest.len() == 1 {
            let mut only = rest.into_iter().next().unwrap_or_default();
            if let (Some(d), Some(m)) = (v.get("description").cloned(), only.as_object_mut()) {
                m.entry("description").or_insert(d);
            }
            v = only;
        }
    }
    if let Some(types) = v.get("type").and_then(|t| t.as_array()).cloned() {
        let rest: Vec<_> = types
            .into_iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        if rest.len() == 1 {
            v["type"] = rest[0].clone();
        }
    }
    serde_json::from_value(v).unwrap_or(p)
}

/// Declares the adding and changing bodies of an input type:
///
/// ```ignore
/// bodies!(ClientInput, "a client":
///     add NewClient requires ["name"] without ["version"];
///     change ClientChange requires ["version"] without ["id", "allow_duplicate"]);
/// ```
#[macro_export]
macro_rules! bodies {
    ($inner:ty, $what:literal:
        add $add:ident requires [$($ar:literal),*] without [$($ad:literal),*];
        change $change:ident requires [$($cr:literal),*] without [$($cd:literal),*]) => {
        $crate::bodies!(@one $inner, $add, concat!("Adding ", $what, "."), [$($ar),*], [$($ad),*]);
        $crate::bodies!(@one $inner, $change, concat!("Changing ", $what, ": only the fields sent change."), [$($cr),*], [$($cd),*]);
    };
    (@one $inner:ty, $name:ident, $doc:expr, [$($r:literal),*], [$($d:literal),*]) => {
        #[doc = $doc]
        #[derive(Clone, Debug, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::kernel::body::reshaped(
                    <$inner as utoipa::PartialSchema>::schema(),
                    &[$($r),*],
                    &[$($d),*],
                    $doc,
                )
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                s: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                <$inner as utoipa::ToSchema>::schemas(s);
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    #[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Thing {
        pub id: Option<i64>,
        pub version: Option<i64>,
        pub name: Option<String>,
    }

    crate::bodies!(Thing, "a thing":
        add NewThing requires ["name"] without ["version"];
        change ThingChange requires ["version"] without ["id"]);

    #[test]
    fn each_body_says_what_it_needs_and_reads_into_the_same_type() {
        let add = serde_json::to_value(NewThing::schema()).unwrap();
        assert_eq!(add["required"], serde_json::json!(["name"]));
        assert!(add["properties"].get("version").is_none());
        assert!(add["properties"].get("id").is_some());
        assert_eq!(
            add["properties"]["name"]["type"], "string",
            "required: not null"
        );
        assert_eq!(
            add["properties"]["id"]["type"],
            serde_json::json!(["integer", "null"])
        );
        let change = serde_json::to_value(ThingChange::schema()).unwrap();
        assert_eq!(change["required"], serde_json::json!(["version"]));
        assert!(change["properties"].get("id").is_none());
        assert_eq!(change["properties"]["version"]["type"], "integer");
        let t: ThingChange = serde_json::from_str(r#"{"version": 3}"#).unwrap();
        assert_eq!(t.0.version, Some(3));
        assert!(serde_json::from_str::<NewThing>(r#"{"nope": 1}"#).is_err());
        let n: NewThing = serde_json::from_str(r#"{"id": 7, "name": "x"}"#).unwrap();
        assert_eq!((n.0.id, n.0.name.as_deref()), (Some(7), Some("x")));
    }
}
