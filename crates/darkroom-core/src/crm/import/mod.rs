//! Clients from a CSV file (another system's export, or Darkroom's own),
//! and the studio's clients as one. An import first runs dry: it says per
//! row what would be created, merged into an existing client (same email
//! or phone, in the studio or earlier in the file) or refused (row, column,
//! reason); the real run does exactly that in one transaction.

use std::collections::{BTreeMap, HashMap};

mod export;
mod row;

pub use export::export;
use row::{Draft, cells, draft, headers};

use darkroom_db::entity::{client, client_address, client_contact};
use darkroom_db::repo;
use darkroom_domain::crm::columns::Mapped;
use darkroom_domain::crm::search::fold;
use darkroom_domain::field::ImportColumnName;
use darkroom_domain::{ClientId, TypedId};
use serde::{Deserialize, Serialize};

use super::client::{authorize_for, reindex, view};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The largest file taken, and the most rows.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 5_000;

/// A file of clients to import.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// The file's text (UTF-8, comma or semicolon separated, a header row).
    pub csv: String,
    /// Header → field, for headers the importer does not know or reads
    /// otherwise than you mean (`ignore` leaves a column out).
    pub mapping: Option<BTreeMap<String, ImportColumnName>>,
    /// `true` (the default) only reports what would happen.
    pub dry_run: Option<bool>,
}

/// What an import did (or would do).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (the header not counted).
    pub rows: usize,
    /// Each column and the field it fills.
    pub columns: Vec<Mapped>,
    pub created: Vec<RowOutcome>,
    /// Rows that are a client already there (same email or phone), whose
    /// blank fields they fill.
    pub merged: Vec<RowOutcome>,
    pub refused: Vec<RowRefusal>,
}

/// One row's client.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RowOutcome {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub name: String,
    /// The client created or merged into (on a dry run, the existing one).
    pub client_id: Option<ClientId>,
    /// Merged into a client an earlier row of the file creates.
    pub same_as_row: Option<usize>,
}

/// Why a row is left out.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RowRefusal {
    pub row: usize,
    /// The header of the column at fault (empty for the row as a whole).
    pub column: String,
    pub reason: String,
}

/// Reads, checks and (unless a dry run) imports a file of clients.
pub async fn import(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    input: ImportInput,
) -> CoreResult<ImportReport> {
    authorize_for(core, p)?;
    if input.csv.len() > MAX_IMPORT_BYTES {
        return Err(CoreError::invalid(
            "csv",
            format!(
                "the file is {} KB; import at most {} KB at a time (split the file)",
                input.csv.len() / 1024,
                MAX_IMPORT_BYTES / 1024
            ),
        ));
    }
    let region = super::client::input::studio_region(core.db().conn(), p.studio).await?;
    let dry_run = input.dry_run.unwrap_or(true);
    let (mut report, drafts) = read(&input, region.as_deref(), core.now().as_micros())?;
    report.dry_run = dry_run;
    if dry_run {
        resolve(core, p, None, drafts, &mut report).await?;
        return Ok(report);
    }
    let tx = core.db().begin().await?;
    let touched = resolve(core, p, Some(&tx), drafts, &mut report).await?;
    for id in touched {
        reindex(&tx, p.studio, id).await?;
    }
    crate::kernel::audit::record(
        core,
        &tx,
        meta,
        crate::kernel::audit::Event {
            studio: Some(p.studio),
            branch: None,
            who: crate::kernel::audit::Who::of(p),
            event_type: "client.imported",
            severity: darkroom_domain::audit::Severity::Medium,
            target_type: "client",
            target_id: "import".into(),
            payload: serde_json::json!({
                "rows": report.rows,
                "created": report.created.iter().filter_map(|r| r.client_id.map(|c| c.to_string())).collect::<Vec<_>>(),
                "merged": report.merged.iter().filter_map(|r| r.client_id.map(|c| c.to_string())).collect::<Vec<_>>(),
                "refused": report.refused.len(),
            }),
        },
    )
    .await?;
    crate::commit(tx).await?;
    Ok(report)
}

/// The file's rows as drafts, and the report of its columns, rows and
/// refusals so far.
fn read(
    input: &ImportInput,
    region: Option<&str>,
    now: i64,
) -> CoreResult<(ImportReport, Vec<Draft>)> {
    let text = input.csv.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns = headers(&mut rdr, input)?;
    let mut report = ImportReport {
        columns: columns.clone(),
        ..Default::default()
    };
    let mut drafts = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        if i >= MAX_IMPORT_ROWS {
            return Err(CoreError::invalid(
                "csv",
                format!(
                    "the file has more than {MAX_IMPORT_ROWS} rows; import at most {MAX_IMPORT_ROWS} at a time (split the file)"
                ),
            ));
        }
        report.rows += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let reason = format!("the row cannot be read as CSV: {e}");
                report.refused.push(RowRefusal {
                    row,
                    column: String::new(),
                    reason,
                });
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            report.rows -= 1;
            continue;
        }
        match draft(row, &cells(&rec, &columns), region, now) {
            Ok(d) => drafts.push(d),
            Err(bad) => report.refused.extend(bad),
        }
    }
    Ok((report, drafts))
}

/// Decides per draft: the same as an earlier row, the same as a client on
/// file, or new; with `tx`, writes it. Returns the clients written.
async fn resolve(
    core: &Core,
    p: &Principal,
    tx: Option<&darkroom_db::Tx>,
    drafts: Vec<Draft>,
    report: &mut ImportReport,
) -> CoreResult<Vec<ClientId>> {
    let mut seen: HashMap<String, (ClientId, usize)> = HashMap::new();
    let mut touched = Vec::new();
    for d in drafts {
        let earlier = d.keys.iter().find_map(|k| seen.get(k).copied());
        let lookup: Vec<String> = d
            .keys
            .iter()
            .filter(|k| !k.starts_with("org:"))
            .cloned()
            .collect();
        let on_file = match (earlier, tx) {
            (Some(_), _) => None,
            (None, Some(tx)) => repo::client::by_terms(tx, p.studio, &lookup)
                .await?
                .into_iter()
                .next(),
            (None, None) => repo::client::by_terms(core.db().conn(), p.studio, &lookup)
                .await?
                .into_iter()
                .next(),
        };
        let name = d.client.name.clone();
        let (target, same_as_row) = match (earlier, &on_file) {
            (Some((id, row)), _) => (Some(id), Some(row)),
            (None, Some(m)) => (Some(ClientId::from_uuid(m.id)), None),
            (None, None) => (None, None),
        };
        let id = match target {
            Some(id) => {
                if let Some(tx) = tx {
                    merge_into(core, tx, p, id, &d).await?;
                }
                report.merged.push(RowOutcome {
                    row: d.row,
                    name,
                    client_id: Some(id).filter(|_| tx.is_some() || same_as_row.is_none()),
                    same_as_row,
                });
                id
            }
            None => {
                let id = ClientId::from_uuid(d.client.id);
                if let Some(tx) = tx {
                    insert(core, tx, p, &d).await?;
                }
                report.created.push(RowOutcome {
                    row: d.row,
                    name,
                    client_id: tx.map(|_| id),
                    same_as_row: None,
                });
                id
            }
        };
        for k in &d.keys {
            seen.entry(k.clone()).or_insert((id, d.row));
        }
        touched.push(id);
    }
    touched.sort();
    touched.dedup();
    Ok(touched)
}

async fn insert(core: &Core, tx: &darkroom_db::Tx, p: &Principal, d: &Draft) -> CoreResult<()> {
    let id = ClientId::from_uuid(d.client.id);
    let am: client::ActiveModel = d.client.clone().into();
    write::insert::<client::Entity>(core, tx, p.studio, &id, am).await?;
    add_parts(core, tx, p, d, false, false).await
}

/// Adds the row's address and contact to a client; not primary when the
/// client already has a primary one.
async fn add_parts(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    d: &Draft,
    has_address: bool,
    has_contact: bool,
) -> CoreResult<()> {
    let owner = d.client.id;
    if let Some(a) = &d.address {
        let mut a = a.clone();
        a.client_id = owner;
        a.is_primary = i64::from(!has_address);
        let aid = darkroom_domain::AddressId::from_uuid(a.id);
        write::insert::<client_address::Entity>(core, tx, p.studio, &aid, a.into()).await?;
    }
    if let Some(k) = &d.contact {
        let mut k = k.clone();
        k.client_id = owner;
        k.is_primary = i64::from(!has_contact);
        let kid = darkroom_domain::ContactId::from_uuid(k.id);
        write::insert::<client_contact::Entity>(core, tx, p.studio, &kid, k.into()).await?;
    }
    Ok(())
}

/// Fills the blank fields of client `id` from the row, and adds the row's
/// address and contact unless the client has that one already.
async fn merge_into(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    id: ClientId,
    d: &Draft,
) -> CoreResult<()> {
    let current = repo::client::find_any(tx, p.studio, id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    let mut am = client::ActiveModel::default();
    super::merge::fill(&current, &d.client, &mut am);
    write::update::<client::Entity, _>(core, tx, p.studio, current.id, current.version, am, view)
        .await?;
    let addresses = repo::client::addresses(tx, p.studio, id).await?;
    let contacts = repo::client::contacts(tx, p.studio, id).await?;
    let mut rest = Draft {
        row: d.row,
        client: current.clone(),
        address: d
            .address
            .clone()
            .filter(|a| !addresses.iter().any(|x| fold(&x.line1) == fold(&a.line1))),
        contact: d
            .contact
            .clone()
            .filter(|k| !contacts.iter().any(|x| fold(&x.name) == fold(&k.name))),
        keys: Vec::new(),
    };
    rest.client.id = current.id;
    let has_address = addresses.iter().any(|a| a.is_primary != 0);
    let has_contact = contacts.iter().any(|k| k.is_primary != 0);
    add_parts(core, tx, p, &rest, has_address, has_contact).await
}
