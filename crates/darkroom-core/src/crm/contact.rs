//! A client's contacts (an organisation's billing, marketing and admin
//! people; a wedding's planner) and addresses by kind (home, delivery,
//! venue). Each client has at most one primary of each: marking one
//! primary unmarks the other. Contacts are searched with their client.

use darkroom_db::entity::{client_address, client_contact};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::crm::{AddressKind, ContactRole, phone};
use darkroom_domain::field::{AddressKindName, ContactRoleName, Country, Line, OptEmail, Text};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{AddressId, ClientId, ContactId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

use super::client::authorize_for;
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// A person to reach at a client.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    pub id: ContactId,
    pub client_id: ClientId,
    pub name: String,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// `primary`, `billing`, `marketing`, `admin` or `other`.
    pub role: ContactRole,
    /// The one to reach first.
    pub primary: bool,
    pub notes: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn contact_view(m: client_contact::Model) -> ContactView {
    ContactView {
        id: ContactId::from_uuid(m.id),
        client_id: ClientId::from_uuid(m.client_id),
        name: m.name,
        email: m.email,
        phone: m.phone,
        role: m.role,
        primary: m.is_primary != 0,
        notes: m.notes,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// A contact as sent: `name` is required when adding, `version` when
/// changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub id: Option<ContactId>,
    pub version: Option<i64>,
    pub name: Option<Line<200>>,
    pub email: Option<OptEmail>,
    pub phone: Option<Text<40>>,
    /// `primary`, `billing`, `marketing`, `admin` or `other` (default).
    pub role: Option<ContactRoleName>,
    /// Make this the client's primary contact.
    pub primary: Option<bool>,
    pub notes: Option<Text<2000>>,
}

crate::bodies!(ContactInput, "a contact":
    add NewContact requires ["name"] without ["version"];
    change ContactChange requires ["version"] without ["id"]);

/// A postal address of a client.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AddressView {
    pub id: AddressId,
    pub client_id: ClientId,
    /// `home`, `billing`, `delivery`, `venue`, `office` or `other`.
    pub kind: AddressKind,
    /// A name for it (`Leela Palace ballroom`).
    pub label: Option<String>,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub primary: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) fn address_view(m: client_address::Model) -> AddressView {
    AddressView {
        id: AddressId::from_uuid(m.id),
        client_id: ClientId::from_uuid(m.client_id),
        kind: m.kind,
        label: m.label,
        line1: m.line1,
        line2: m.line2,
        city: m.city,
        region: m.region,
        postal_code: m.postal_code,
        country: m.country,
        primary: m.is_primary != 0,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    }
}

/// An address as sent: `kind` and `line1` are required when adding,
/// `version` when changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientAddressInput {
    pub id: Option<AddressId>,
    pub version: Option<i64>,
    pub kind: Option<AddressKindName>,
    pub label: Option<Text<200>>,
    pub line1: Option<Line<200>>,
    pub line2: Option<Text<200>>,
    pub city: Option<Text<100>>,
    /// State, province or region.
    pub region: Option<Text<100>>,
    pub postal_code: Option<Text<20>>,
    /// ISO 3166-1 alpha-2 (`IN`, `GB`, `KR`); `""` for the branch's.
    pub country: Option<Country>,
    /// Make this the client's primary address.
    pub primary: Option<bool>,
}

crate::bodies!(ClientAddressInput, "an address":
    add NewAddress requires ["kind", "line1"] without ["version"];
    change AddressChange requires ["version"] without ["id"]);

fn opt_text<const N: usize>(
    errs: &mut FieldErrors,
    f: &str,
    v: &Option<Text<N>>,
) -> Option<Option<String>> {
    v.as_ref()
        .and_then(|t| errs.check(f, t.check(&format!("the {}", f.replace('_', " ")))))
}

/// A text part of an address: blank when adding without it.
fn plain<const N: usize>(
    errs: &mut FieldErrors,
    f: &str,
    v: &Option<Text<N>>,
    adding: bool,
    slot: &mut darkroom_db::sea_orm::ActiveValue<String>,
) {
    if let Some(v) = opt_text(errs, f, v) {
        *slot = Set(v.unwrap_or_default());
    } else if adding {
        *slot = Set(String::new());
    }
}

impl ContactInput {
    pub(crate) fn apply(
        &self,
        region: Option<&str>,
        adding: bool,
        am: &mut client_contact::ActiveModel,
    ) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::new();
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
        } else if adding && self.name.is_none() {
            errs.add("name", "required", "give the contact's name");
        }
        if let Some(e) = &self.email
            && let Some(e) = errs.check("email", e.check())
        {
            am.email = Set(e.map(|e| e.to_lowercase()));
        }
        if let Some(raw) = opt_text(&mut errs, "phone", &self.phone)
            && let Some(p) = errs.check(
                "phone",
                phone::optional(raw.as_deref().unwrap_or(""), region),
            )
        {
            am.phone = Set(p);
        }
        if let Some(r) = &self.role
            && let Some(r) = errs.check("role", r.check())
        {
            am.role = Set(r);
        }
        if let Some(n) = opt_text(&mut errs, "notes", &self.notes) {
            am.notes = Set(n);
        }
        if let Some(p) = self.primary {
            am.is_primary = Set(i64::from(
                p || self
                    .role
                    .as_ref()
                    .is_some_and(|r| r.check() == Ok(ContactRole::Primary)),
            ));
        } else if let Some(r) = &self.role
            && r.check() == Ok(ContactRole::Primary)
        {
            am.is_primary = Set(1);
        }
        errs.into_result()
    }
}

impl ClientAddressInput {
    pub(crate) fn apply(
        &self,
        region: Option<&str>,
        adding: bool,
        am: &mut client_address::ActiveModel,
    ) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::new();
        match &self.kind {
            Some(k) => {
                if let Some(k) = errs.check("kind", k.check()) {
                    am.kind = Set(k);
                }
            }
            None if adding => errs.add(
                "kind",
                "required",
                "say what the address is for: home, billing, delivery, venue, office or other",
            ),
            None => {}
        }
        match &self.line1 {
            Some(l) => {
                if let Some(l) = errs.check("line1", l.check("the first line")) {
                    am.line1 = Set(l);
                }
            }
            None if adding => errs.add("line1", "required", "give the first line of the address"),
            None => {}
        }
        if let Some(v) = opt_text(&mut errs, "label", &self.label) {
            am.label = Set(v);
        }
        plain(&mut errs, "line2", &self.line2, adding, &mut am.line2);
        plain(&mut errs, "city", &self.city, adding, &mut am.city);
        plain(&mut errs, "region", &self.region, adding, &mut am.region);
        plain(
            &mut errs,
            "postal_code",
            &self.postal_code,
            adding,
            &mut am.postal_code,
        );
        match &self.country {
            Some(c) => {
                if let Some(c) = errs.check("country", c.check()) {
                    let c = if c.is_empty() {
                        region.unwrap_or("").to_string()
                    } else {
                        c.to_ascii_uppercase()
                    };
                    am.country = Set(c);
                }
            }
            None if adding => am.country = Set(region.unwrap_or("").to_string()),
            None => {}
        }
        if let Some(p) = self.primary {
            am.is_primary = Set(i64::from(p));
        }
        errs.into_result()
    }
}

/// The contacts and addresses of a client.
pub async fn of_client(
    core: &Core,
    p: &Principal,
    id: ClientId,
) -> CoreResult<(Vec<ContactView>, Vec<AddressView>)> {
    let c = core.db().conn();
    repo::client::find_any(c, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    authorize_for(core, p)?;
    let contacts = repo::client::contacts(c, p.studio, id).await?;
    let addresses = repo::client::addresses(c, p.studio, id).await?;
    Ok((
        contacts.into_iter().map(contact_view).collect(),
        addresses.into_iter().map(address_view).collect(),
    ))
}

/// A client with its contacts and addresses.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClientDetail {
    #[serde(flatten)]
    pub client: super::client::ClientView,
    pub contacts: Vec<ContactView>,
    pub addresses: Vec<AddressView>,
}

/// A client, deleted or not, with its contacts and addresses.
pub async fn detail(
    core: &Core,
    p: &Principal,
    id: ClientId,
    deleted_too: bool,
) -> CoreResult<ClientDetail> {
    let client = if deleted_too {
        super::client::get_any(core, p, id).await?
    } else {
        super::client::get(core, p, id).await?
    };
    let (contacts, addresses) = of_client(core, p, id).await?;
    Ok(ClientDetail {
        client,
        contacts,
        addresses,
    })
}
