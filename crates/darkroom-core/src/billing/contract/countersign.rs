//! The studio countersigns once every client signer has: the contract is
//! signed, its PDF with the certificate page is made and kept, and the
//! PDF's and the document's SHA-256 go into the audit chain. Then its
//! payment schedule issues the deposit and balance invoices.

use darkroom_db::entity::{contract, contract_signer};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::contract::{ContractStatus, SignatureKind, SignerRole};
use darkroom_domain::field::Line;
use darkroom_domain::permission::Permission;
use darkroom_domain::{ContractId, SignerId, StudioId, TypedId};
use serde::{Deserialize, Serialize};

use super::document::Document;
use super::{ContractView, bare_view, load, record, staff};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::secret;
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The studio's signature.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountersignInput {
    /// The version you last read.
    pub version: i64,
    /// "I agree to sign electronically for the studio."
    pub consent: bool,
    /// Your name as your signature.
    pub signature: Line<120>,
}

/// Where a contract's signed PDF is kept.
pub(crate) fn pdf_key(m: &contract::Model) -> CoreResult<darkroom_media::Key> {
    darkroom_media::Key::new(format!(
        "s/{}/contracts/{}-signed.pdf",
        m.studio_id.simple(),
        m.id.simple()
    ))
    .map_err(|e| CoreError::Internal(anyhow::anyhow!(e.to_string())))
}

/// The studio's signer row: signed now by `p`, from where `meta` says.
fn studio_signer(
    p: &Principal,
    meta: &Meta,
    contract: &contract::Model,
    name: &str,
    sha: &str,
    now: i64,
) -> contract_signer::Model {
    contract_signer::Model {
        id: SignerId::new().uuid(),
        studio_id: p.studio.uuid(),
        contract_id: contract.id,
        position: 100,
        role: SignerRole::Studio,
        name: name.to_string(),
        email: p.email.clone(),
        user_id: Some(p.user.uuid()),
        token_hash: None,
        code_hash: None,
        code_expires_at: None,
        code_attempts: 0,
        codes_sent: 0,
        viewed_at: Some(now),
        verified_at: None,
        consented_at: Some(now),
        signed_at: Some(now),
        signature_kind: Some(SignatureKind::Typed),
        signature: Some(name.to_string()),
        ip: Some(meta.ip.clone()),
        user_agent: meta.user_agent.clone(),
        document_sha256: Some(sha.to_string()),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// What of `s` an insert writes (the owner, version and times are the
/// write path's).
fn insertable(s: &contract_signer::Model) -> contract_signer::ActiveModel {
    contract_signer::ActiveModel {
        id: Set(s.id),
        contract_id: Set(s.contract_id),
        position: Set(s.position),
        role: Set(s.role),
        name: Set(s.name.clone()),
        email: Set(s.email.clone()),
        user_id: Set(s.user_id),
        code_attempts: Set(0),
        codes_sent: Set(0),
        viewed_at: Set(s.viewed_at),
        consented_at: Set(s.consented_at),
        signed_at: Set(s.signed_at),
        signature_kind: Set(s.signature_kind),
        signature: Set(s.signature.clone()),
        ip: Set(s.ip.clone()),
        user_agent: Set(s.user_agent.clone()),
        document_sha256: Set(s.document_sha256.clone()),
        ..Default::default()
    }
}

/// The contract may be countersigned now: sent, every client signer
/// signed, consent given; the typed signature.
fn ready(
    m: &contract::Model,
    signers: &[contract_signer::Model],
    input: &CountersignInput,
) -> CoreResult<String> {
    if m.status != ContractStatus::Sent {
        return Err(CoreError::conflict(
            "not_signable",
            format!(
                "a {} contract cannot be countersigned; only one sent and signed by the client",
                m.status
            ),
        ));
    }
    let waiting: Vec<&str> = signers
        .iter()
        .filter(|s| s.signed_at.is_none())
        .map(|s| s.name.as_str())
        .collect();
    if !waiting.is_empty() {
        return Err(CoreError::conflict(
            "client_not_signed",
            format!(
                "{} has not signed yet; the studio signs last",
                waiting.join(" and ")
            ),
        ));
    }
    if !input.consent {
        return Err(CoreError::invalid(
            "consent",
            "tick the box to agree to sign electronically for the studio",
        ));
    }
    input
        .signature
        .check("your signature")
        .map_err(|e| CoreError::invalid("signature", e))
}

/// Makes the signed PDF and keeps it; its key and SHA-256.
async fn keep_pdf(
    core: &Core,
    m: &contract::Model,
    doc: &Document,
    signers: &[contract_signer::Model],
    sha: &str,
) -> CoreResult<(darkroom_media::Key, String)> {
    let (_, pdf) = super::pdf::render(doc, Some(signers), sha).await?;
    let pdf_sha = secret::sha256_hex(&pdf);
    let key = pdf_key(m)?;
    core.store_of(StudioId::from_uuid(m.studio_id))
        .await?
        .put_bytes(
            &key,
            bytes::Bytes::from(pdf),
            darkroom_media::Durability::Durable,
        )
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    Ok((key, pdf_sha))
}

/// Countersigns a contract every client signer has signed.
pub async fn countersign(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: CountersignInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    let studio = p.studio;
    let mut signers = repo::contract::signers(core.db().conn(), studio, m.id).await?;
    let name = ready(&m, &signers, &input)?;
    let doc = Document::parse(m.document.as_deref().unwrap_or("{}"))?;
    let sha = m.document_sha256.clone().unwrap_or_default();
    let now = core.now().as_micros();
    let mine = studio_signer(p, meta, &m, &name, &sha, now);
    let sid = SignerId::from_uuid(mine.id);
    signers.push(mine.clone());
    let (key, pdf_sha) = keep_pdf(core, &m, &doc, &signers, &sha).await?;
    let tx = core.db().begin().await?;
    write::insert::<contract_signer::Entity>(core, &tx, studio, &sid, insertable(&mine)).await?;
    let am = contract::ActiveModel {
        status: Set(ContractStatus::Signed),
        signed_at: Set(Some(now)),
        signed_pdf_key: Set(Some(key.as_str().to_string())),
        signed_pdf_sha256: Set(Some(pdf_sha.clone())),
        ..Default::default()
    };
    write::update::<contract::Entity, _>(core, &tx, studio, m.id, input.version, am, bare_view)
        .await?;
    let payload = serde_json::json!({
        "number": m.number, "document_sha256": sha, "pdf_sha256": pdf_sha,
        "signers": signers.iter().map(|s| serde_json::json!({
            "name": s.name, "email": s.email, "role": s.role, "signed_at": s.signed_at,
            "ip": s.ip, "document_sha256": s.document_sha256,
        })).collect::<Vec<_>>(),
    });
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.signed", Severity::High),
        payload,
    )
    .await?;
    let h = crate::kernel::tenant::page_header(core, studio).await?;
    for s in signers.iter().filter(|s| s.role == SignerRole::Client) {
        let msg = signed_message(&h, &s.name, &doc);
        crate::kernel::mail::queue(core, &tx, Some(studio), "contract_signed", &s.email, msg)
            .await?;
    }
    crate::commit(tx).await?;
    super::schedule::after_signing(core, p, meta, id).await?;
    super::detail(core, p, id).await
}

fn signed_message(h: &crate::kernel::tenant::Header, name: &str, d: &Document) -> Message {
    let studio = h.shown_name();
    Message {
        subject: format!("{} {} is signed", d.title, d.number),
        text: format!(
            "Hello {name},\n\nEveryone has signed {} ({}), and {studio} has countersigned. Your signed copy, with the certificate of each signature, is on the page your signing link opens.\n\nThe deposit of {} is due now; the balance of {} on {}.\n\n{studio}\n",
            d.title,
            d.number,
            d.money(d.deposit_minor),
            d.money(d.balance_minor),
            d.balance_due_on
        ),
        html: wrap(
            &studio,
            &h.branding,
            &format!(
                "<p>Hello {},</p><p>Everyone has signed {} ({}), and {} has countersigned. Your signed copy, with the certificate of each signature, is on the page your signing link opens.</p><p>The deposit of {} is due now; the balance of {} on {}.</p>",
                escape(name),
                escape(&d.title),
                escape(&d.number),
                escape(&studio),
                escape(&d.money(d.deposit_minor)),
                escape(&d.money(d.balance_minor)),
                escape(&d.balance_due_on)
            ),
        ),
    }
}

/// The signed PDF's bytes and file name.
pub async fn signed_pdf(core: &Core, m: &contract::Model) -> CoreResult<(String, Vec<u8>)> {
    let key = m
        .signed_pdf_key
        .as_deref()
        .ok_or(CoreError::not_found("signed contract"))?;
    let key = darkroom_media::Key::new(key.to_string())
        .map_err(|e| CoreError::Internal(anyhow::anyhow!(e.to_string())))?;
    let bytes = core
        .store_of(StudioId::from_uuid(m.studio_id))
        .await?
        .get_bytes(&key)
        .await
        .map_err(|e| CoreError::Unavailable(e.to_string()))?;
    let name = format!(
        "{}-signed.pdf",
        m.number
            .as_deref()
            .unwrap_or("contract")
            .replace(['/', '\\'], "-")
    );
    Ok((name, bytes.to_vec()))
}
