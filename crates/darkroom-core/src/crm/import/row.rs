//! One CSV row read as a client: which column is which field, and each
//! cell checked (a refusal names the row, the column and the reason).

use std::collections::HashMap;

use darkroom_db::entity::{client, client_address, client_contact};
use darkroom_domain::crm::columns::{self, Column, Mapped};
use darkroom_domain::crm::search::fold;
use darkroom_domain::crm::{AddressKind, ContactRole, Source, Tags, phone};
use darkroom_domain::names::{ClientKind, Named};
use darkroom_domain::{ClientId, TypedId};

use super::{ImportInput, RowRefusal};
use crate::kernel::error::{CoreError, CoreResult};

/// A row as a client to write: the client row, and a primary address and
/// contact when the row has them.
pub(super) struct Draft {
    pub row: usize,
    pub client: client::Model,
    pub address: Option<client_address::Model>,
    pub contact: Option<client_contact::Model>,
    /// The terms a row is the same client by (email, phone, company).
    pub keys: Vec<String>,
}

pub(super) fn headers(
    rdr: &mut csv::Reader<&[u8]>,
    input: &ImportInput,
) -> CoreResult<Vec<Mapped>> {
    let hs = rdr
        .headers()
        .map_err(|e| {
            CoreError::invalid(
                "csv",
                format!("the first row (the headers) cannot be read: {e}"),
            )
        })?
        .clone();
    let mut out = Vec::new();
    for h in hs.iter() {
        let chosen = match input.mapping.as_ref().and_then(|m| m.get(h)) {
            Some(c) => Some(
                c.check()
                    .map_err(|m| CoreError::invalid("mapping", format!("{h}: {m}")))?,
            ),
            None => columns::guess(h),
        };
        out.push(Mapped {
            header: h.to_string(),
            field: chosen.filter(|c| *c != Column::Ignore),
        });
    }
    if !out.iter().any(|m| {
        matches!(
            m.field,
            Some(Column::Name | Column::FirstName | Column::LastName | Column::Company)
        )
    }) {
        return Err(CoreError::invalid(
            "csv",
            "no column holds a name: the file needs a `Name`, `First Name`/`Last Name` or `Company` column (or a mapping naming one)",
        ));
    }
    Ok(out)
}

/// The cells of one row by field (the first non-blank cell of each).
pub(super) fn cells(
    record: &csv::StringRecord,
    cols: &[Mapped],
) -> HashMap<Column, (String, String)> {
    let mut out: HashMap<Column, (String, String)> = HashMap::new();
    for (m, cell) in cols.iter().zip(record.iter()) {
        let Some(f) = m.field else { continue };
        let v = columns::unsafe_cell(cell);
        if !v.is_empty() {
            out.entry(f)
                .or_insert_with(|| (m.header.clone(), v.to_string()));
        }
    }
    out
}

fn kind_of(raw: &str) -> Option<ClientKind> {
    match fold(raw).as_str() {
        "person" | "individual" | "private" => Some(ClientKind::Person),
        "couple" | "wedding couple" => Some(ClientKind::Couple),
        "organisation" | "organization" | "company" | "corporate" | "business" | "agency" => {
            Some(ClientKind::Organisation)
        }
        _ => None,
    }
}

fn source_of(raw: &str) -> Source {
    let f = fold(raw).replace(' ', "_");
    Source::parse_name(&f).unwrap_or(match f.as_str() {
        "word_of_mouth" | "friend" => Source::Referral,
        "ig" => Source::Instagram,
        "web" | "contact_form" => Source::Website,
        _ => Source::Other,
    })
}

/// A row being read: its cells by field, and what is wrong with them.
struct Row<'a> {
    row: usize,
    cells: &'a HashMap<Column, (String, String)>,
    bad: Vec<RowRefusal>,
}

impl Row<'_> {
    fn get(&self, col: Column) -> Option<&str> {
        self.cells.get(&col).map(|(_, v)| v.as_str())
    }

    fn refuse(&mut self, col: Column, reason: String) {
        let column = self
            .cells
            .get(&col)
            .map(|(h, _)| h.clone())
            .unwrap_or_default();
        self.bad.push(RowRefusal {
            row: self.row,
            column,
            reason,
        });
    }

    /// The kind, the client's name, and the person's name when the row is
    /// a person at a company.
    fn names(&mut self) -> (ClientKind, String, Option<String>) {
        let person = match (
            self.get(Column::Name),
            self.get(Column::FirstName),
            self.get(Column::LastName),
        ) {
            (Some(n), _, _) => Some(n.to_string()),
            (None, f, l) => {
                let n = [f, l].into_iter().flatten().collect::<Vec<_>>().join(" ");
                (!n.is_empty()).then_some(n)
            }
        };
        let company = self.get(Column::Company).map(str::to_string);
        let mut kind = match self.get(Column::Kind).map(str::to_string) {
            Some(k) => kind_of(&k).unwrap_or_else(|| {
                self.refuse(
                    Column::Kind,
                    format!("`{k}` is not a kind of client; use person, couple or organisation"),
                );
                ClientKind::Person
            }),
            None if company.is_some() => ClientKind::Organisation,
            None => ClientKind::Person,
        };
        let name = match (&company, &person) {
            (Some(co), _) if kind == ClientKind::Organisation => co.clone(),
            (_, Some(p)) => p.clone(),
            (Some(co), None) => {
                kind = ClientKind::Organisation;
                co.clone()
            }
            (None, None) => {
                let why = "the row has no name; fill the name (or first and last name, or company)";
                self.refuse(Column::Name, why.into());
                String::new()
            }
        };
        if name.chars().count() > 200 {
            self.refuse(
                Column::Name,
                "the name is longer than 200 characters".into(),
            );
        }
        let person = person.filter(|_| kind == ClientKind::Organisation && company.is_some());
        (kind, name, person)
    }

    fn email(&mut self, col: Column) -> Option<String> {
        let v = self.get(col)?.to_string();
        match darkroom_domain::validate::email(&v) {
            Ok(e) => Some(e.to_lowercase()),
            Err(m) => {
                self.refuse(col, m);
                None
            }
        }
    }

    fn phone(&mut self, col: Column, region: Option<&str>) -> Option<String> {
        let v = self.get(col)?.to_string();
        phone::optional(&v, region).unwrap_or_else(|m| {
            self.refuse(col, m);
            None
        })
    }

    fn tags(&mut self) -> Tags {
        let Some(t) = self.get(Column::Tags).map(str::to_string) else {
            return Tags::default();
        };
        let list: Vec<&str> = t
            .split([',', ';'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .collect();
        Tags::parse(&list).unwrap_or_else(|m| {
            self.refuse(Column::Tags, m);
            Tags::default()
        })
    }

    /// The tax number's kind and value (`other` when the kind is not said).
    fn tax(&mut self) -> (Option<String>, Option<String>) {
        use darkroom_domain::tax::{TaxIdKind, check_tax_id};
        let Some(v) = self.get(Column::TaxId).map(str::to_string) else {
            return (None, None);
        };
        let kind = self
            .get(Column::TaxIdKind)
            .map_or(Ok(TaxIdKind::Other), TaxIdKind::parse);
        match kind.and_then(|k| check_tax_id(k, &v).map(|v| (k, v))) {
            Ok((k, v)) => (Some(k.key().to_string()), Some(v)),
            Err(m) => {
                self.refuse(Column::TaxId, m);
                (None, None)
            }
        }
    }

    fn payment_terms(&mut self) -> Option<i64> {
        let d = self.get(Column::PaymentTermsDays)?.to_string();
        match d.trim_start_matches("Net ").parse::<u16>() {
            Ok(n) if n <= 365 => Some(i64::from(n)),
            _ => {
                self.refuse(
                    Column::PaymentTermsDays,
                    format!("`{d}` is not a number of days from 0 to 365"),
                );
                None
            }
        }
    }

    fn country(&mut self) -> Option<String> {
        let c = self.get(Column::Country)?.to_ascii_uppercase();
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            self.refuse(
                Column::Country,
                format!("`{c}` is not a two-letter country code (IN, GB, US, KR)"),
            );
            return None;
        }
        Some(c)
    }

    /// Refuses cells longer than their field holds.
    fn lengths(&mut self) {
        let text = [
            Column::Line1,
            Column::Line2,
            Column::City,
            Column::Region,
            Column::PostalCode,
            Column::PartnerName,
        ];
        for col in text.into_iter().chain([Column::Notes]) {
            let max = if col == Column::Notes { 5000 } else { 200 };
            if self.get(col).is_some_and(|v| v.chars().count() > max) {
                self.refuse(col, format!("the cell is longer than {max} characters"));
            }
        }
    }

    fn address(
        &self,
        owner: uuid::Uuid,
        country: Option<String>,
        now: i64,
    ) -> Option<client_address::Model> {
        let text = |col| self.get(col).unwrap_or("").to_string();
        Some(client_address::Model {
            id: darkroom_domain::AddressId::new().uuid(),
            studio_id: uuid::Uuid::nil(),
            client_id: owner,
            kind: AddressKind::Home,
            label: None,
            line1: self.get(Column::Line1)?.to_string(),
            line2: text(Column::Line2),
            city: text(Column::City),
            region: text(Column::Region),
            postal_code: text(Column::PostalCode),
            country: country.unwrap_or_default(),
            is_primary: 1,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }
}

/// What a row says of whom to reach.
struct Reach {
    email: Option<String>,
    phone: Option<String>,
    partner_email: Option<String>,
    partner_phone: Option<String>,
}

fn contact(owner: uuid::Uuid, name: String, reach: &Reach, now: i64) -> client_contact::Model {
    client_contact::Model {
        id: darkroom_domain::ContactId::new().uuid(),
        studio_id: uuid::Uuid::nil(),
        client_id: owner,
        name,
        email: reach.email.clone(),
        phone: reach.phone.clone(),
        role: ContactRole::Primary,
        is_primary: 1,
        notes: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// The terms a row is the same client as another by.
fn keys(kind: ClientKind, name: &str, reach: &Reach) -> Vec<String> {
    let mut keys: Vec<String> = reach.email.iter().map(|e| format!("e:{e}")).collect();
    let digits = reach
        .phone
        .iter()
        .flat_map(|p| phone::search_digits(p).into_iter().take(1));
    keys.extend(digits.map(|d| format!("p:{d}")));
    if kind == ClientKind::Organisation {
        keys.push(format!("org:{}", fold(name)));
    }
    keys
}

/// A row checked into a draft, or why each cell cannot be.
pub(super) fn draft(
    row: usize,
    cells: &HashMap<Column, (String, String)>,
    region: Option<&str>,
    now: i64,
) -> Result<Draft, Vec<RowRefusal>> {
    let mut r = Row {
        row,
        cells,
        bad: Vec::new(),
    };
    let (kind, name, person) = r.names();
    let reach = Reach {
        email: r.email(Column::Email),
        phone: r.phone(Column::Phone, region),
        partner_email: r.email(Column::PartnerEmail),
        partner_phone: r.phone(Column::PartnerPhone, region),
    };
    let tags = r.tags();
    let (tax_id_kind, tax_id) = r.tax();
    let payment_terms_days = r.payment_terms();
    let country = r.country().or(region.map(str::to_string));
    r.lengths();
    if !r.bad.is_empty() {
        return Err(r.bad);
    }
    let id = ClientId::new().uuid();
    let keys = keys(kind, &name, &reach);
    let contact = person.map(|p| contact(id, p, &reach, now));
    let on_client = contact.is_none();
    let text = |col| r.get(col).map(str::to_string);
    let client = client::Model {
        id,
        studio_id: uuid::Uuid::nil(),
        kind,
        name,
        email: reach.email.clone().filter(|_| on_client),
        phone: reach.phone.clone().filter(|_| on_client),
        notes: text(Column::Notes),
        tags: tags.stored(),
        branch_id: None,
        partner_name: text(Column::PartnerName),
        partner_email: reach.partner_email,
        partner_phone: reach.partner_phone,
        source: r.get(Column::Source).map(source_of),
        manager_id: None,
        marketing_consent_at: None,
        tax_id_kind,
        tax_id,
        tax_exempt: 0,
        payment_terms_days,
        vendor_number: None,
        po_required: 0,
        merged_into: None,
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    Ok(Draft {
        row,
        client,
        address: r.address(id, country, now),
        contact,
        keys,
    })
}
