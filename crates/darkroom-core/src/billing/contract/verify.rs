//! For `darkroom audit verify`: each signed contract's document and PDF
//! hash to what its `contract.signed` audit entry recorded (the chain
//! check proves the entry itself untouched), so altering a signed
//! contract, its evidence-bearing PDF or the stored document shows.

use darkroom_db::repo;
use darkroom_domain::{ContractId, TypedId};

use super::countersign::signed_pdf;
use crate::Core;
use crate::kernel::error::CoreResult;
use crate::kernel::secret;

/// What the check found: contracts checked and each problem.
#[derive(Clone, Debug, Default)]
pub struct ContractsReport {
    pub checked: u64,
    pub problems: Vec<String>,
}

/// Checks every signed contract of every studio.
pub async fn verify_contracts(
    core: &Core,
    mut progress: impl FnMut(u64),
) -> CoreResult<ContractsReport> {
    let c = core.db().conn();
    let mut report = ContractsReport::default();
    let mut after = None;
    loop {
        let batch = repo::contract::signed_after(c, after, 200).await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = Some(last.id);
        for m in &batch {
            report.checked += 1;
            progress(report.checked);
            let shown = format!(
                "contract {} ({})",
                m.number.as_deref().unwrap_or(""),
                ContractId::from_uuid(m.id)
            );
            let events = repo::contract::signed_events(
                c,
                m.studio_id,
                &ContractId::from_uuid(m.id).to_string(),
            )
            .await?;
            let Some(ev) = events.last() else {
                report.problems.push(format!(
                    "{shown}: signed, but its signing is not in the audit chain"
                ));
                continue;
            };
            let payload: serde_json::Value = serde_json::from_str(&ev.payload).unwrap_or_default();
            let logged = |k: &str| {
                payload
                    .get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let doc_sha = m
                .document
                .as_deref()
                .map(|d| secret::sha256_hex(d.as_bytes()));
            if doc_sha.as_deref() != Some(logged("document_sha256").as_str()) {
                report.problems.push(format!(
                    "{shown}: the stored document no longer hashes to the SHA-256 the audit chain recorded at signing"
                ));
            }
            if m.signed_pdf_sha256.as_deref() != Some(logged("pdf_sha256").as_str()) {
                report.problems.push(format!(
                    "{shown}: the signed PDF's recorded hash differs from the audit chain's"
                ));
            }
            match signed_pdf(core, m).await {
                Ok((_, bytes)) if secret::sha256_hex(&bytes) == logged("pdf_sha256") => {}
                Ok(_) => report.problems.push(format!(
                    "{shown}: the signed PDF in the media store was altered (its SHA-256 is not the one the audit chain recorded)"
                )),
                Err(e) => report.problems.push(format!("{shown}: the signed PDF could not be read: {e}")),
            }
        }
    }
    Ok(report)
}
