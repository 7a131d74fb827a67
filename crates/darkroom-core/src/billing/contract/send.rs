//! Sending a contract: it gets its number (per branch and fiscal year),
//! its proposal and body are frozen into one document whose SHA-256 is
//! kept, the proposal's draft invoice goes (the document holds its lines),
//! and each of the client's signers is emailed a link of their own.

use darkroom_db::entity::{contract, contract_signer, invoice};
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::contract::{ContractStatus, SignerRole};
use darkroom_domain::billing::numbering::Series;
use darkroom_domain::field::{Email, Line};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{ContractId, SignerId, TypedId};
use serde::{Deserialize, Serialize};

use super::document::{self, Parties};
use super::{ContractView, bare_view, load, record, staff, terms_of};
use crate::billing::issue::{seller_of, take_number, today_at};
use crate::billing::profile::branch_settings;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::secret;
use crate::kernel::write;
use crate::{Core, Meta, Principal};

/// The most client signers a contract has.
pub const MAX_SIGNERS: usize = 4;

/// Someone who signs for the client.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignerInput {
    pub name: Line<120>,
    pub email: Email,
}

/// Sending a draft.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    /// The version you last read.
    pub version: i64,
    /// Who signs for the client, in order; the client and, for a couple,
    /// their partner (as the client's record has them) when left out.
    #[schema(max_items = 4)]
    pub signers: Option<Vec<SignerInput>>,
}

/// The signers sent, or the client's (and partner's) own, checked.
fn signers_of(
    input: &SendInput,
    party: &crate::crm::interface::BillingParty,
) -> CoreResult<Vec<(String, String)>> {
    let mut errs = FieldErrors::new();
    let mut out: Vec<(String, String)> = Vec::new();
    match &input.signers {
        Some(list) => {
            for (i, s) in list.iter().enumerate() {
                let name = errs.check(&format!("signers[{i}].name"), s.name.check("the name"));
                let email = errs.check(&format!("signers[{i}].email"), s.email.check());
                if let (Some(n), Some(e)) = (name, email) {
                    if out.iter().any(|(_, x)| *x == e) {
                        errs.add(
                            &format!("signers[{i}].email"),
                            "duplicate",
                            "each signer needs an email address of their own (the code goes there)",
                        );
                    }
                    out.push((n, e));
                }
            }
        }
        None => {
            for (name, email) in [
                (Some(party.name.clone()), party.email.clone()),
                (party.partner_name.clone(), party.partner_email.clone()),
            ] {
                if let (Some(n), Some(e)) = (name, email.filter(|e| !e.is_empty()))
                    && !out.iter().any(|(_, x)| *x == e)
                {
                    out.push((n, e.to_lowercase()));
                }
            }
        }
    }
    if out.is_empty() && errs.0.is_empty() {
        errs.add(
            "signers",
            "required",
            "the client has no email address for the signing code; add one to the client or send `signers`",
        );
    }
    if out.len() > MAX_SIGNERS {
        errs.add(
            "signers",
            "too_many",
            format!("at most {MAX_SIGNERS} people sign for the client"),
        );
    }
    errs.into_result()?;
    Ok(out)
}

/// What a draft needs to be sent, each checked.
struct Ready {
    q: crate::billing::InvoiceDetail,
    project: crate::projects::interface::ProjectView,
    event: jiff::civil::Date,
    party: crate::crm::interface::BillingParty,
    signers: Vec<(String, String)>,
    package: Option<String>,
}

/// The proposal, the project's day, the client and the signers of draft
/// `m`, or why it cannot be sent.
async fn ready(
    core: &Core,
    p: &Principal,
    m: &contract::Model,
    input: &SendInput,
) -> CoreResult<Ready> {
    let c = core.db().conn();
    let quote_id = super::draft::quote_of(m).ok_or_else(|| {
        CoreError::conflict(
            "no_proposal",
            "the contract has no proposal; make a new contract",
        )
    })?;
    let q = match crate::billing::detail(core, p, quote_id).await {
        Ok(q) => q,
        Err(CoreError::NotFound { .. }) => {
            return Err(CoreError::conflict(
                "no_proposal",
                "the proposal's draft invoice was deleted; cancel this contract and make a new one",
            ));
        }
        Err(e) => return Err(e),
    };
    let total = q.invoice.totals.total_minor;
    if q.lines.is_empty() || total <= 0 {
        return Err(CoreError::invalid(
            "proposal",
            "the proposal has nothing to sell yet; add the package, add-ons or fees to its draft invoice first",
        ));
    }
    let project = crate::projects::interface::project_for_billing(
        c,
        p.studio,
        darkroom_domain::ProjectId::from_uuid(m.project_id),
    )
    .await?
    .ok_or(CoreError::not_found("project"))?;
    let event = project
        .starts_on
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .ok_or_else(|| {
            CoreError::invalid(
                "event_on",
                "the project has no day yet; set its start day (the balance falls due before it)",
            )
        })?;
    let party = crate::crm::interface::billing_party(c, p.studio, project.client_id)
        .await?
        .ok_or(CoreError::not_found("client"))?;
    let signers = signers_of(input, &party)?;
    let mut errs = FieldErrors::new();
    for (field, message) in terms_of(m).problems(Some(total)) {
        let field = field.replace("refund_tiers", "refund_schedule");
        errs.add(&format!("terms.{field}"), "invalid", message);
    }
    errs.into_result()?;
    let package = match project.package_id {
        Some(pkg) => crate::bookings::interface::package(c, p.studio, pkg, true)
            .await?
            .map(|x| x.name),
        None => None,
    };
    Ok(Ready {
        q,
        project,
        event,
        party,
        signers,
        package,
    })
}

/// Adds each signer with a link of their own and emails it.
async fn invite(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    m: &contract::Model,
    h: &crate::kernel::tenant::Header,
    signers: &[(String, String)],
    number: &str,
) -> CoreResult<()> {
    let base = core
        .settings()
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_string();
    for (i, (name, email)) in signers.iter().enumerate() {
        let token = secret::new_token("sgn_");
        let sid = SignerId::new();
        let am = contract_signer::ActiveModel {
            id: Set(sid.uuid()),
            contract_id: Set(m.id),
            position: Set(i64::try_from(i).unwrap_or(0)),
            role: Set(SignerRole::Client),
            name: Set(name.clone()),
            email: Set(email.clone()),
            token_hash: Set(Some(secret::hash_token(&token))),
            code_attempts: Set(0),
            codes_sent: Set(0),
            ..Default::default()
        };
        write::insert::<contract_signer::Entity>(core, tx, p.studio, &sid, am).await?;
        let url = format!("{base}/sign/{token}");
        let msg = invitation(h, name, number, &m.title, &url);
        crate::kernel::mail::queue(core, tx, Some(p.studio), "contract_sign", email, msg).await?;
    }
    Ok(())
}

/// Sends a draft contract to its signers.
pub async fn send(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    id: ContractId,
    input: SendInput,
) -> CoreResult<ContractView> {
    let m = load(core, p, id, Permission::InvoiceManage).await?;
    super::draft::must_be_draft(&m)?;
    let r = ready(core, p, &m, &input).await?;
    let total = r.q.invoice.totals.total_minor;
    let h = crate::kernel::tenant::page_header(core, p.studio).await?;
    let tx = core.db().begin().await?;
    let (b, s) = branch_settings(
        &tx,
        p.studio,
        darkroom_domain::BranchId::from_uuid(m.branch_id),
    )
    .await?
    .ok_or(CoreError::not_found("branch"))?;
    let today = today_at(core, &b);
    let (number, fy, seq) = take_number(&tx, p.studio, &b, &s, Series::Contract, today).await?;
    let parties = Parties {
        studio: h.shown_name(),
        seller: seller_of(&tx, p.studio, &b, &s).await?,
        client: &r.party,
        project: &r.project,
        package: r.package.clone(),
    };
    let t = terms_of(&m);
    let doc = document::build(
        &number, &m.title, &m.body, &t, parties, &r.q, r.event, today,
    )?;
    let json = serde_json::to_string(&doc).map_err(|e| CoreError::Internal(e.into()))?;
    let sha = secret::sha256_hex(json.as_bytes());
    let now = core.now().as_micros();
    let am = contract::ActiveModel {
        status: Set(ContractStatus::Sent),
        number: Set(Some(number.clone())),
        fiscal_year: Set(Some(fy)),
        seq: Set(Some(seq)),
        total_minor: Set(Some(total)),
        document: Set(Some(json)),
        document_sha256: Set(Some(sha.clone())),
        sent_at: Set(Some(now)),
        quote_id: Set(None),
        event_on: Set(Some(r.event.to_string())),
        ..Default::default()
    };
    write::update::<contract::Entity, _>(core, &tx, p.studio, m.id, input.version, am, bare_view)
        .await?;
    // The proposal's lines live on in the document; its draft goes.
    let gone = invoice::ActiveModel {
        deleted_at: Set(Some(now)),
        ..Default::default()
    };
    let qm = &r.q.invoice;
    write::update::<invoice::Entity, _>(core, &tx, p.studio, qm.id.uuid(), qm.version, gone, |x| {
        x.id
    })
    .await?;
    invite(core, &tx, p, &m, &h, &r.signers, &number).await?;
    let payload = serde_json::json!({
        "number": number, "document_sha256": sha, "total": total,
        "signers": r.signers.iter().map(|(n, e)| serde_json::json!({"name": n, "email": e})).collect::<Vec<_>>(),
    });
    record(
        core,
        &tx,
        meta,
        staff(p),
        &m,
        ("contract.sent", Severity::Medium),
        payload,
    )
    .await?;
    crate::commit(tx).await?;
    super::detail(core, p, id).await
}

/// The email with a signer's own link.
fn invitation(
    h: &crate::kernel::tenant::Header,
    name: &str,
    number: &str,
    title: &str,
    url: &str,
) -> Message {
    let studio = h.shown_name();
    let text = format!(
        "Hello {name},\n\n{studio} sent you {title} ({number}) with its proposal to review and sign:\n\n{url}\n\nThe link is yours alone: to sign, you will confirm a code we email to this address. Nothing is signed until you do.\n\n{studio}\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>{} sent you <strong>{}</strong> ({}) with its proposal to review and sign.</p><p><a href=\"{}\">Review and sign</a></p><p>The link is yours alone: to sign, you will confirm a code we email to this address. Nothing is signed until you do.</p>",
        escape(name),
        escape(&studio),
        escape(title),
        escape(number),
        escape(url)
    );
    Message {
        subject: format!("{title} from {studio}: please review and sign"),
        text,
        html: wrap(&studio, &h.branding, &html),
    }
}
