//! What a request may send in one field, as types that carry their own
//! rule: a request deserializes any string into them (so every field's
//! problem is still collected and reported together), the use case calls
//! `check`, and the OpenAPI schema of the type (feature `openapi`) states
//! exactly what `check` accepts. The document and the server cannot drift.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::names::Named;
use crate::validate;

/// Control characters (Unicode `Cc`).
const CTRL: &str = "\\x00-\\x1f\\x7f-\\x9f";
/// Text-direction overrides and isolates.
const BIDI: &str = "\\u202a-\\u202e\\u2066-\\u2069";
/// White space that is not a control character (what `str::trim` also removes).
const SPACE: &str = " \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

pub(crate) fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// The pattern of a line that may be blank.
pub fn any_line_pattern() -> String {
    format!("^[^{CTRL}{BIDI}]*$")
}

/// The pattern of a line with at least one visible character.
pub fn line_pattern() -> String {
    format!("^[^{CTRL}{BIDI}]*[^{CTRL}{BIDI}{SPACE}][^{CTRL}{BIDI}]*$")
}

fn too_long(what: &str, max: usize, n: usize) -> String {
    format!("{what} is too long: at most {max} characters, got {n}")
}

fn line_rules(raw: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let n = raw.chars().count();
    if n > max {
        return Err(too_long(what, max, n));
    }
    if has_control(raw) {
        return Err(format!(
            "{what} contains control or text-direction characters; remove them"
        ));
    }
    let v = raw.trim();
    Ok((!v.is_empty()).then(|| v.to_string()))
}

macro_rules! string_field {
    ($(#[$m:meta])* $name:ident $(<const $c:ident: usize>)?) => {
        $(#[$m])*
        #[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name$(<const $c: usize>)?(pub String);

        impl$(<const $c: usize>)? $name$(<$c>)? {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl$(<const $c: usize>)? fmt::Debug for $name$(<$c>)? {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl$(<const $c: usize>)? AsRef<str> for $name$(<$c>)? {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl$(<const $c: usize>)? From<String> for $name$(<$c>)? {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl$(<const $c: usize>)? From<&str> for $name$(<$c>)? {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }
    };
}

string_field!(
    /// A required single line: trimmed, with at least one visible
    /// character, at most `MAX` characters as sent, and no control or
    /// text-direction characters.
    Line<const MAX: usize>
);

impl<const MAX: usize> Line<MAX> {
    /// The trimmed line, or why not (`what` names the field in the message).
    pub fn check(&self, what: &str) -> Result<String, String> {
        line_rules(&self.0, what, MAX)?.ok_or_else(|| format!("{what} is required"))
    }
}

string_field!(
    /// An optional single line: like [`Line`], but blank means none.
    Text<const MAX: usize>
);

impl<const MAX: usize> Text<MAX> {
    /// The trimmed text (`None` when blank), or why not.
    pub fn check(&self, what: &str) -> Result<Option<String>, String> {
        line_rules(&self.0, what, MAX)
    }
}

/// Local part and domain of an address; see [`Email::check`].
const EMAIL_MAX: usize = 254;

string_field!(
    /// An email address: one `@`, no spaces, a domain with a dot; stored in
    /// lower case.
    Email
);

impl Email {
    #[cfg(feature = "openapi")]
    fn pattern() -> String {
        let not = format!("@{CTRL}{BIDI}{SPACE}");
        format!("^[^{not}]+@[^{not}.]+(\\.[^{not}.]+)+$")
    }

    /// The address in lower case, or why not.
    pub fn check(&self) -> Result<String, String> {
        let v = &self.0;
        let bad = || {
            format!(
                "`{}` is not an email address; use the form name@example.com",
                validate::clip(v)
            )
        };
        if v.is_empty() {
            return Err("an email address is required".into());
        }
        let odd = |c: char| {
            c.is_control()
                || c.is_whitespace()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        };
        if v.chars().count() > EMAIL_MAX || v.chars().any(odd) {
            return Err(bad());
        }
        let (local, domain) = v.split_once('@').ok_or_else(bad)?;
        if local.is_empty() || domain.contains('@') || domain.split('.').count() < 2 {
            return Err(bad());
        }
        if domain.split('.').any(str::is_empty) {
            return Err(bad());
        }
        Ok(v.to_lowercase())
    }
}

string_field!(
    /// An email address, or `""` for none (to clear it).
    OptEmail
);

impl OptEmail {
    pub fn check(&self) -> Result<Option<String>, String> {
        if self.0.is_empty() {
            Ok(None)
        } else {
            Email(self.0.clone()).check().map(Some)
        }
    }
}

string_field!(
    /// A phone number: digits (5 to 20) with `+`, spaces, dashes, dots and
    /// brackets; only spaces (or nothing) means none.
    Phone
);

impl Phone {
    #[cfg(feature = "openapi")]
    fn pattern() -> String {
        "^( *|[ +().\\-]*([0-9][ +().\\-]*){5,20})$".into()
    }

    pub fn check(&self) -> Result<Option<String>, String> {
        let too_long = self.0.chars().count() > 32;
        if !too_long && self.0.trim_matches(' ').is_empty() {
            return Ok(None);
        }
        let bad = too_long
            || self
                .0
                .chars()
                .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)));
        if bad {
            return Err(format!(
                "`{}` is not a phone number; use digits with an optional leading + and country code, e.g. +91 98765 43210",
                validate::clip(&self.0)
            ));
        }
        validate::phone(&self.0)
    }
}

string_field!(
    /// A client's tag as sent; see [`crate::crm::tag`].
    Tag
);

impl Tag {
    /// The characters a tag may not hold, for its pattern.
    #[cfg(feature = "openapi")]
    fn pattern() -> String {
        format!("^[^{CTRL}{BIDI}|,]*[^{CTRL}{BIDI}{SPACE}|,][^{CTRL}{BIDI}|,]*$")
    }

    /// The normalised tag, or why not.
    pub fn check(&self) -> Result<String, String> {
        crate::crm::tag(&self.0)
    }
}

string_field!(
    /// An address part of a public page: lower-case letters, digits and `-`
    /// (`mini-headshot`), up to 60 characters.
    Slug
);

impl Slug {
    #[cfg(feature = "openapi")]
    fn pattern() -> String {
        "^[a-z0-9][a-z0-9-]{0,59}$".into()
    }

    pub fn check(&self) -> Result<String, String> {
        let s = self.0.trim();
        let ok = (1..=60).contains(&s.len())
            && !s.starts_with('-')
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(s.to_string())
        } else {
            Err(format!(
                "`{}` is not a slug: use lower-case letters, digits and `-`, e.g. `mini-headshot`",
                validate::clip(s)
            ))
        }
    }
}

string_field!(
    /// Whose calendar: a staff member (`usr_…`), a resource (`res_…`) or a
    /// branch (`brn_…`).
    CalendarSubject
);

impl CalendarSubject {
    #[cfg(feature = "openapi")]
    fn pattern() -> String {
        let strip = |p: String| p.trim_start_matches('^').trim_end_matches('$').to_string();
        format!(
            "^({}|{}|{})$",
            strip(crate::id::pattern("usr")).replace("(usr_)?", "usr_"),
            strip(crate::id::pattern("res")).replace("(res_)?", "res_"),
            strip(crate::id::pattern("brn")).replace("(brn_)?", "brn_")
        )
    }
}

/// A field holding one of the names of a [`Named`] enum, as sent: any string
/// deserializes (so every field's problem is reported together) and `check`
/// parses it; the schema lists the names.
macro_rules! pick {
    ($(#[$m:meta])* $name:ident => $e:ty) => {
        string_field!($(#[$m])* $name);

        impl $name {
            pub fn check(&self) -> Result<$e, String> {
                <$e as Named>::parse_name(&self.0)
            }
        }

        impl From<$e> for $name {
            fn from(e: $e) -> Self {
                Self(Named::name(e).to_string())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                crate::names::enum_schema(&<$e as Named>::names())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(<$e as Named>::SCHEMA)
            }
        }
    };
    ($(#[$m:meta])* $name:ident => $e:ty, or blank) => {
        string_field!($(#[$m])* $name);

        impl $name {
            pub fn check(&self) -> Result<Option<$e>, String> {
                if self.0.is_empty() {
                    Ok(None)
                } else {
                    <$e as Named>::parse_name(&self.0).map(Some)
                }
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let mut names = <$e as Named>::names();
                names.push("");
                crate::names::enum_schema(&names)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Owned(format!("{}OrBlank", <$e as Named>::SCHEMA))
            }
        }
    };
}

pick!(/// A permission's name, e.g. `gallery.manage`.
    PermissionName => crate::permission::Permission);
pick!(/// What a grant points at: `branch` or `gallery`.
    GrantKindName => crate::names::GrantKind);
pick!(/// A kind of tax number, or `""` for none.
    TaxIdKindOrBlank => crate::tax::TaxIdKind, or blank);
pick!(/// Where the watermark goes.
    WatermarkPositionName => crate::names::WatermarkPosition);
pick!(/// A gallery status.
    GalleryStatusName => crate::names::GalleryStatus);
pick!(/// A gallery sort order.
    SortOrderName => crate::names::SortOrder);
pick!(/// A client kind.
    ClientKindName => crate::names::ClientKind);
pick!(/// A link kind.
    LinkKindName => crate::names::LinkKind);
pick!(/// A link purpose.
    LinkPurposeName => crate::names::LinkPurpose);
pick!(/// A link right.
    LinkRightName => crate::names::LinkRight);
pick!(/// A download level.
    DownloadLevelName => crate::link::DownloadLevel);
pick!(/// A task priority.
    PriorityName => crate::editing::Priority);
pick!(/// What to do to a task.
    TaskActionName => crate::editing::TaskMove);
pick!(/// A deliverable kind.
    DeliverableKindName => crate::names::DeliverableKind);
pick!(/// A deliverable status.
    DeliverableStatusName => crate::names::DeliverableStatus);
pick!(/// A staff status.
    StaffStatusName => crate::people::StaffStatus);
pick!(/// A job status.
    JobStatusName => crate::names::JobStatus);
pick!(/// An email status.
    EmailStatusName => crate::names::EmailStatus);
pick!(/// A booking kind.
    BookingKindName => crate::booking::BookingKind);
pick!(/// A booking status.
    BookingStatusName => crate::booking::BookingStatus);
pick!(/// A resource kind.
    ResourceKindName => crate::booking::ResourceKind);
pick!(/// A resource status.
    ResourceStatusName => crate::booking::ResourceStatus);
pick!(/// Where a session happens.
    LocationKindName => crate::booking::LocationKind);
pick!(/// A kind of availability block.
    BlockKindName => crate::booking::BlockKind);
pick!(/// A contact's role.
    ContactRoleName => crate::crm::ContactRole);
pick!(/// An address kind.
    AddressKindName => crate::crm::AddressKind);
pick!(/// A document kind.
    DocumentKindName => crate::document::DocumentKind);
pick!(/// How a client found the studio, or `""`.
    SourceOrBlank => crate::crm::Source, or blank);
pick!(/// A pipeline stage kind.
    StageKindName => crate::crm::StageKind);
pick!(/// A client field a CSV column fills.
    ImportColumnName => crate::crm::columns::Column);
pick!(/// A project kind.
    ProjectKindName => crate::project::ProjectKind);
pick!(/// A project status.
    ProjectStatusName => crate::project::ProjectStatus);
pick!(/// A role on a project.
    ProjectRoleName => crate::project::ProjectRole);
pick!(/// An audit severity.
    SeverityName => crate::audit::Severity);

/// A field whose whole rule is an ASCII pattern, checked by hand.
macro_rules! ascii_field {
    ($(#[$m:meta])* $name:ident, $pattern:literal, $example:literal, $bad:literal, $ok:expr) => {
        string_field!($(#[$m])* $name);

        impl $name {
            pub const PATTERN: &'static str = $pattern;

            pub fn check(&self) -> Result<String, String> {
                let ok: fn(&str) -> bool = $ok;
                if ok(&self.0) {
                    Ok(self.0.clone())
                } else {
                    Err(format!(concat!("`{}` ", $bad), validate::clip(&self.0)))
                }
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some(Self::PATTERN))
                    .examples([$example])
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

ascii_field!(
    /// A two-letter ISO 3166-1 country code (either case), or blank.
    Country, "^([A-Za-z]{2})?$", "IN",
    "is not a country; use a two-letter ISO code, e.g. IN, GB, US, KR",
    |s| s.is_empty() || (s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()))
);

ascii_field!(
    /// A locale: a language code with an optional region (`en`, `en-IN`, `ko-KR`).
    Locale, "^[a-z]{2,3}(-[A-Z]{2})?$", "en-IN",
    "is not a locale; use a language code with an optional region, e.g. `en`, `en-IN`, `ko-KR`",
    |s| validate::locale(s).is_ok() && s.trim() == s
);

ascii_field!(
    /// A `#rrggbb` colour.
    Colour, "^#[0-9a-fA-F]{6}$", "#8a4b2a",
    "is not a colour; use the form #1a2b3c",
    |s| s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
);

ascii_field!(
    /// An invoice-number prefix: 1 to 12 of letters, digits, `-` and `/`
    /// (stored in upper case).
    InvoicePrefix, "^[A-Za-z0-9/-]{1,12}$", "BLR-",
    "is not an invoice prefix; use 1 to 12 letters, digits, `-` or `/`, e.g. `BLR-`",
    |s| (1..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'/')
);

string_field!(
    /// An ISO 4217 currency code, e.g. `INR`, `EUR`, `KRW`.
    CurrencyCode
);

impl CurrencyCode {
    /// Every code there is.
    pub fn codes() -> &'static [String] {
        static CODES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        CODES.get_or_init(|| {
            use iso_currency::IntoEnumIterator;
            let mut v: Vec<String> = iso_currency::Currency::iter()
                .map(|c| c.code().to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        })
    }

    pub fn check(&self) -> Result<String, String> {
        if Self::codes().binary_search(&self.0).is_ok() {
            Ok(self.0.clone())
        } else {
            Err(format!(
                "`{}` is not an ISO 4217 currency code; use e.g. `USD`, `EUR`, `INR`, `KRW`",
                validate::clip(&self.0)
            ))
        }
    }
}

string_field!(
    /// An IANA time zone name, e.g. `Asia/Kolkata`, `Europe/London`.
    Zone
);

impl Zone {
    /// Every name the bundled time-zone database knows.
    pub fn names() -> &'static [String] {
        static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        NAMES.get_or_init(|| {
            let mut v: Vec<String> = jiff::tz::db()
                .available()
                .map(|n| n.to_string())
                .filter(|n| jiff::tz::TimeZone::get(n).is_ok())
                .collect();
            v.sort();
            v.dedup();
            v
        })
    }

    pub fn check(&self) -> Result<String, String> {
        if Self::names().binary_search(&self.0).is_ok() {
            Ok(self.0.clone())
        } else {
            crate::time::check_time_zone(&self.0)?;
            Err(format!(
                "`{}` is not a time zone name as the IANA database writes it; use e.g. `Asia/Kolkata`",
                validate::clip(&self.0)
            ))
        }
    }
}

/// A whole number that must lie in `MIN..=MAX`; [`Ranged::check`] says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ranged<const MIN: i64, const MAX: i64>(pub i64);

impl<const MIN: i64, const MAX: i64> Ranged<MIN, MAX> {
    pub fn check(&self) -> Result<i64, String> {
        if (MIN..=MAX).contains(&self.0) {
            Ok(self.0)
        } else {
            Err(format!("use a whole number from {MIN} to {MAX}"))
        }
    }
}

string_field!(
    /// A date (`2026-11-01`, midnight UTC) or an RFC 3339 instant.
    DateOrInstant
);

impl DateOrInstant {
    pub fn check(&self) -> Result<crate::Timestamp, String> {
        crate::Timestamp::parse_date_or_datetime(&self.0)
    }
}

/// An instant that must lie ahead (an expiry, a deadline) when the request
/// is handled; described with the format `future-date-time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Future(pub crate::Timestamp);

impl Future {
    pub fn check(&self, now: crate::Timestamp) -> Result<crate::Timestamp, String> {
        if self.0 > now {
            Ok(self.0)
        } else {
            Err(format!(
                "{} is not in the future; give a later date-time or leave it out",
                self.0
            ))
        }
    }
}

mod amount;
mod day;
mod prose;
/// How a field type is described in the OpenAPI document.
#[cfg(feature = "openapi")]
mod schema;

pub use amount::{
    Amount, ContractStatusName, Discount, FeeKindOrBlank, InvoiceKindName, InvoiceStatusName,
    LineKindName, PaymentMethodName, Percent, Quantity, ReceiptIdentityName, ReceiptPurposeName,
    ReceiptStatusName, SignatureKindName, TaxRegimeName,
};
pub use day::{ClockOrBlank, DayOrBlank, clock_of, day_of};
pub use prose::Prose;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_clean() {
        let l: Line<5> = " ab ".into();
        assert_eq!(l.check("x"), Ok("ab".into()));
        assert!(Line::<5>::from("   ").check("x").is_err());
        assert!(Line::<5>::from("").check("x").is_err());
        assert!(
            Line::<3>::from(" ab ").check("x").is_err(),
            "counted as sent"
        );
        assert!(Line::<9>::from("a\u{0}b").check("x").is_err());
        assert!(Line::<9>::from("a\u{202e}b").check("x").is_err());
        assert!(Line::<9>::from("a\nb").check("x").is_err());
        assert_eq!(Text::<9>::from("  ").check("x"), Ok(None));
        assert_eq!(Text::<9>::from(" z").check("x"), Ok(Some("z".into())));
    }

    #[test]
    fn emails_and_phones_follow_their_patterns() {
        assert_eq!(
            Email::from("Mina@Example.com").check(),
            Ok("mina@example.com".into())
        );
        for bad in [" a@b.co", "a@b", "a@.b.co", "a@b..co", "ab.co", "a b@c.co"] {
            assert!(Email::from(bad).check().is_err(), "{bad}");
        }
        assert_eq!(Phone::from("   ").check(), Ok(None));
        assert_eq!(
            Phone::from("+91 98765 43210").check(),
            Ok(Some("+91 98765 43210".into()))
        );
        for bad in [
            "()",
            "1234",
            "\t12345",
            "12a45",
            "+1 2345 6789 0123 4567 8901 2",
        ] {
            assert!(Phone::from(bad).check().is_err(), "{bad}");
        }
    }
}
