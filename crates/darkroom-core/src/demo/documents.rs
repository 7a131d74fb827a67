//! Demo documents: the first organisations' certificate of insurance
//! running out in three weeks, a W-9 still asked for, and signed terms on
//! file, each stored through the same upload path staff use.

use darkroom_domain::names::ClientKind;

use crate::crm::client::{self, ClientFilter};
use crate::crm::document::{self, DocumentInput};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal};

/// A one-page PDF (a blank page: enough for any viewer).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

async fn with_file(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    client: darkroom_domain::ClientId,
    input: DocumentInput,
    name: &str,
) -> CoreResult<()> {
    let path = core
        .settings()
        .media
        .uploads_dir
        .join(format!("{}.part", uuid::Uuid::now_v7().simple()));
    tokio::fs::write(&path, PDF)
        .await
        .map_err(|e| CoreError::Internal(e.into()))?;
    let r =
        document::save_with_file(core, owner, meta, client, None, input, Some((name, &path))).await;
    let _ = tokio::fs::remove_file(&path).await;
    r.map(|_| ())
}

pub(super) async fn demo_documents(core: &Core, owner: &Principal, meta: &Meta) -> CoreResult<()> {
    let orgs: Vec<_> = client::list(core, owner, &ClientFilter::default())
        .await?
        .into_iter()
        .filter(|c| c.kind == ClientKind::Organisation)
        .take(3)
        .collect();
    let in_days = |d: u64| {
        let t = core.now().plus(std::time::Duration::from_secs(d * 86_400));
        t.to_rfc3339()[..10].to_string()
    };
    for (i, c) in orgs.iter().enumerate() {
        let coi = DocumentInput {
            kind: Some("insurance".into()),
            expires_on: Some(in_days([20, 200, 5][i % 3]).as_str().into()),
            required: Some(true),
            ..Default::default()
        };
        with_file(core, owner, meta, c.id, coi, "certificate-of-insurance.pdf").await?;
        let terms = DocumentInput {
            kind: Some("terms".into()),
            title: Some("Signed terms of service".into()),
            ..Default::default()
        };
        with_file(core, owner, meta, c.id, terms, "terms-signed.pdf").await?;
        let w9 = DocumentInput {
            kind: Some("w9".into()),
            required: Some(true),
            ..Default::default()
        };
        document::save(core, owner, meta, c.id, None, w9).await?;
    }
    Ok(())
}
