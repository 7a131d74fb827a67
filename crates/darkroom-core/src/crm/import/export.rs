//! The studio's clients as one CSV file.

use darkroom_db::entity::client_address;
use darkroom_db::repo;
use darkroom_domain::crm::Tags;
use darkroom_domain::crm::columns;
use darkroom_domain::{ClientId, TypedId};

use crate::crm::client::authorize_for;
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Principal};

/// The studio's live clients as CSV, in the columns the importer reads
/// back; cells a spreadsheet would run as a formula are defused.
pub async fn export(core: &Core, p: &Principal) -> CoreResult<String> {
    authorize_for(core, p)?;
    let c = core.db().conn();
    let q = repo::client::Query {
        limit: u64::MAX >> 1,
        ..Default::default()
    };
    let rows = repo::client::list(c, p.studio, &q).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "kind",
        "name",
        "email",
        "phone",
        "partner_name",
        "partner_email",
        "partner_phone",
        "tags",
        "source",
        "notes",
        "tax_id_kind",
        "tax_id",
        "payment_terms_days",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "created_at",
    ];
    let io = |e: csv::Error| CoreError::Internal(anyhow::anyhow!("writing the CSV: {e}"));
    w.write_record(header).map_err(io)?;
    for chunk in rows.chunks(500) {
        let ids: Vec<ClientId> = chunk.iter().map(|m| ClientId::from_uuid(m.id)).collect();
        let addresses = repo::client::primary_addresses(c, p.studio, &ids).await?;
        for m in chunk {
            let a = addresses.iter().find(|a| a.client_id == m.id);
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let part = |f: fn(&client_address::Model) -> &String| {
                a.map(|a| f(a).clone()).unwrap_or_default()
            };
            let cells = [
                ClientId::from_uuid(m.id).to_string(),
                m.kind.name().to_string(),
                m.name.clone(),
                opt(&m.email),
                opt(&m.phone),
                opt(&m.partner_name),
                opt(&m.partner_email),
                opt(&m.partner_phone),
                Tags::from_stored(&m.tags).as_slice().join(", "),
                m.source.map(|s| s.name().to_string()).unwrap_or_default(),
                opt(&m.notes),
                opt(&m.tax_id_kind),
                opt(&m.tax_id),
                m.payment_terms_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                part(|a| &a.line1),
                part(|a| &a.line2),
                part(|a| &a.city),
                part(|a| &a.region),
                part(|a| &a.postal_code),
                part(|a| &a.country),
                darkroom_domain::Timestamp::from_micros(m.created_at).to_string(),
            ];
            w.write_record(cells.iter().map(|s| columns::safe_cell(s)))
                .map_err(io)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("writing the CSV: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("the CSV is not UTF-8: {e}")))
}
