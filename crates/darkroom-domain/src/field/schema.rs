//! How each field type is described in the OpenAPI document.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use super::*;

fn string(pattern: String, max: Option<usize>, description: String) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .max_length(max)
        .description(Some(description))
        .into()
}

impl<const MAX: usize> utoipa::PartialSchema for Line<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            line_pattern(),
            Some(MAX),
            format!("One line of text, 1 to {MAX} characters, no control characters"),
        )
    }
}
impl<const MAX: usize> utoipa::ToSchema for Line<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Line{MAX}"))
    }
}

impl<const MAX: usize> utoipa::PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            any_line_pattern(),
            Some(MAX),
            format!("One line of text, up to {MAX} characters; blank means none"),
        )
    }
}
impl<const MAX: usize> utoipa::ToSchema for Text<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Text{MAX}"))
    }
}

impl<const MAX: usize> utoipa::PartialSchema for Prose<MAX> {
    fn schema() -> RefOr<Schema> {
        string(
            Prose::<MAX>::pattern(),
            Some(MAX),
            format!("Text of several lines, up to {MAX} characters; blank means none"),
        )
    }
}
impl<const MAX: usize> utoipa::ToSchema for Prose<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Prose{MAX}"))
    }
}

impl utoipa::PartialSchema for Email {
    fn schema() -> RefOr<Schema> {
        string(
            Email::pattern(),
            Some(EMAIL_MAX),
            "An email address, e.g. `name@example.com`".into(),
        )
    }
}
impl utoipa::ToSchema for Email {}

impl<const MIN: i64, const MAX: i64> utoipa::PartialSchema for Ranged<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Int64,
            )))
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .into()
    }
}
impl<const MIN: i64, const MAX: i64> utoipa::ToSchema for Ranged<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Whole{MIN}To{MAX}").replace('-', "Minus"))
    }
}

impl utoipa::PartialSchema for Future {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::Custom(
                "future-date-time".into(),
            )))
            .description(Some(
                "An RFC 3339 date-time after the moment the request is handled",
            ))
            .examples(["2030-11-23T09:30:00Z"])
            .into()
    }
}
impl utoipa::ToSchema for Future {}

impl utoipa::PartialSchema for DateOrInstant {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, SchemaFormat};
        let of = |f| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(f)))
        };
        AnyOfBuilder::new()
            .item(of(KnownFormat::Date))
            .item(of(KnownFormat::DateTime))
            .description(Some("A date (midnight UTC) or an RFC 3339 date-time"))
            .into()
    }
}
impl utoipa::ToSchema for DateOrInstant {}

impl utoipa::PartialSchema for CurrencyCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(CurrencyCode::codes().iter().map(String::as_str)))
            .description(Some("An ISO 4217 currency code"))
            .into()
    }
}
impl utoipa::ToSchema for CurrencyCode {}

impl utoipa::PartialSchema for Zone {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Zone::names().iter().map(String::as_str)))
            .description(Some("An IANA time zone name"))
            .into()
    }
}
impl utoipa::ToSchema for Zone {}

impl utoipa::PartialSchema for OptEmail {
    fn schema() -> RefOr<Schema> {
        string(
            format!("^$|{}", Email::pattern()),
            Some(EMAIL_MAX),
            "An email address, or `\"\"` for none".into(),
        )
    }
}
impl utoipa::ToSchema for OptEmail {}

impl utoipa::PartialSchema for Phone {
    fn schema() -> RefOr<Schema> {
        string(
            Phone::pattern(),
            Some(32),
            "A phone number, e.g. `+91 98765 43210`; blank means none".into(),
        )
    }
}
impl utoipa::ToSchema for Phone {}

impl utoipa::PartialSchema for Tag {
    fn schema() -> RefOr<Schema> {
        string(
            Tag::pattern(),
            Some(crate::crm::MAX_TAG_CHARS),
            "A client's tag, e.g. `wedding`: no `|` or `,`, compared in lower case".into(),
        )
    }
}
impl utoipa::ToSchema for Tag {}

impl utoipa::PartialSchema for Slug {
    fn schema() -> RefOr<Schema> {
        string(
            Slug::pattern(),
            Some(60),
            "Lower-case letters, digits and `-`, e.g. `mini-headshot`".into(),
        )
    }
}
impl utoipa::ToSchema for Slug {}

impl utoipa::PartialSchema for CalendarSubject {
    fn schema() -> RefOr<Schema> {
        string(
            CalendarSubject::pattern(),
            Some(40),
            "A staff member (`usr_…`), a resource (`res_…`) or a branch (`brn_…`)".into(),
        )
    }
}
impl utoipa::ToSchema for CalendarSubject {}
