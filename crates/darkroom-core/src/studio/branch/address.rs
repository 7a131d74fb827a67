//! A branch's postal address: what is stored, and the input it is checked from.

use darkroom_domain::field::{Country, Text};
use darkroom_domain::validate::FieldErrors;
use serde::{Deserialize, Serialize};

/// A postal address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub city: String,
    /// State, province or region.
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, e.g. `IN`, `GB`, `KR`.
    #[serde(default)]
    pub country: String,
}

/// A postal address as a request sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[serde(default)]
    pub line1: Text<200>,
    #[serde(default)]
    pub line2: Text<200>,
    #[serde(default)]
    pub city: Text<100>,
    /// State, province or region.
    #[serde(default)]
    pub region: Text<100>,
    #[serde(default)]
    pub postal_code: Text<20>,
    /// ISO 3166-1 alpha-2 country code, e.g. `IN`, `GB`, `KR`.
    #[serde(default)]
    pub country: Country,
}

impl AddressInput {
    pub(super) fn checked(&self, errs: &mut FieldErrors) -> Address {
        let mut field = |name: &str, r: Result<Option<String>, String>| {
            errs.check(&format!("address.{name}"), r)
                .flatten()
                .unwrap_or_default()
        };
        let what = |n: &str| format!("address {n}");
        Address {
            line1: field("line1", self.line1.check(&what("line1"))),
            line2: field("line2", self.line2.check(&what("line2"))),
            city: field("city", self.city.check(&what("city"))),
            region: field("region", self.region.check(&what("region"))),
            postal_code: field("postal_code", self.postal_code.check(&what("postal_code"))),
            country: field("country", self.country.check().map(Some)).to_ascii_uppercase(),
        }
    }
}

impl Address {
    /// One line for lists.
    pub fn one_line(&self) -> String {
        [
            &self.line1,
            &self.line2,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
    }
}
