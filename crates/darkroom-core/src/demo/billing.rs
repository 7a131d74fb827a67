//! Demo money: each demo project's invoice for its work, issued and paid in
//! part (GST in Bengaluru and Mumbai, Korea's VAT in Seoul), and a wedding
//! contract template with an upcoming wedding's contract sent for signing.

use darkroom_domain::field::{Amount, Line, PaymentMethodName, Text};

use crate::billing::contract::draft::ContractInput;
use crate::billing::contract::send::SendInput;
use crate::billing::contract::template::{DEFAULT_BODY, TemplateInput};
use crate::billing::draft::InvoiceInput;
use crate::billing::issue::IssueInput;
use crate::billing::line::LineInput;
use crate::billing::payment::PaymentInput;
use crate::kernel::error::CoreResult;
use crate::projects::{self, ProjectFilter, ProjectInput};
use crate::{Core, Meta, Principal};

/// A price per branch currency: rupees or won.
fn price(currency: &str) -> &'static str {
    if currency == "KRW" {
        "2200000"
    } else {
        "85000"
    }
}

pub(super) async fn demo_billing(core: &Core, owner: &Principal, meta: &Meta) -> CoreResult<()> {
    let jobs = projects::list(core, owner, &ProjectFilter::default()).await?;
    for p in &jobs {
        let d = crate::billing::draft::create(
            core,
            owner,
            meta,
            InvoiceInput {
                client_id: Some(p.client_id),
                project_id: Some(p.id),
                lines: Some(vec![]),
                ..Default::default()
            },
        )
        .await?;
        let currency = d.invoice.currency.clone();
        let line = LineInput {
            description: Some(Line(format!("Photography: {}", p.name))),
            unit_price: Some(Amount(price(&currency).into())),
            ..Default::default()
        };
        let d = crate::billing::line::add(core, owner, meta, d.invoice.id, line).await?;
        let v = crate::billing::issue::issue(
            core,
            owner,
            meta,
            d.invoice.id,
            IssueInput {
                version: d.invoice.version,
            },
        )
        .await?;
        let half = v.invoice.totals.total_minor / 2;
        let digits =
            darkroom_domain::money::Currency::parse(&currency).map_or(2, |c| c.minor_digits());
        let unit = 10_i64.pow(digits);
        crate::billing::payment::pay(
            core,
            owner,
            meta,
            v.invoice.id,
            PaymentInput {
                amount: Amount((half / unit).to_string()),
                method: PaymentMethodName("bank_transfer".into()),
                reference: Some(Text("Advance".into())),
                ..Default::default()
            },
        )
        .await?;
    }
    demo_contract(core, owner, meta, jobs.first()).await
}

/// The studio's wedding template and a contract sent for an upcoming
/// wedding of the first demo client.
async fn demo_contract(
    core: &Core,
    owner: &Principal,
    meta: &Meta,
    first: Option<&crate::projects::ProjectView>,
) -> CoreResult<()> {
    let Some(first) = first else {
        return Ok(());
    };
    crate::billing::contract::template::create(
        core,
        owner,
        meta,
        TemplateInput {
            name: Some(Line("Wedding, full day".into())),
            title: Some(Line("Wedding photography agreement".into())),
            body: Some(darkroom_domain::field::Prose(DEFAULT_BODY.into())),
            ..Default::default()
        },
    )
    .await?;
    let day = core.now().plus(std::time::Duration::from_secs(75 * 86_400));
    let day = day.to_rfc3339().chars().take(10).collect::<String>();
    let p = projects::create(
        core,
        owner,
        meta,
        ProjectInput {
            client_id: Some(first.client_id),
            branch_id: first.branch_id,
            name: Some(format!("{} · reception", first.name).as_str().into()),
            kind: Some("wedding".into()),
            starts_on: Some(day.as_str().into()),
            ..Default::default()
        },
    )
    .await?;
    let c = crate::billing::contract::draft::create(
        core,
        owner,
        meta,
        ContractInput {
            project_id: Some(p.id),
            ..Default::default()
        },
    )
    .await?;
    if let Some(q) = c.quote_id {
        let line = LineInput {
            description: Some(Line("Reception coverage, 6 hours".into())),
            unit_price: Some(Amount(price(&c.currency).into())),
            ..Default::default()
        };
        crate::billing::line::add(core, owner, meta, q, line).await?;
    }
    let signers =
        crate::crm::interface::billing_party(core.db().conn(), owner.studio, first.client_id)
            .await?
            .and_then(|b| b.email);
    if signers.is_some() {
        crate::billing::contract::send::send(
            core,
            owner,
            meta,
            c.id,
            SendInput {
                version: c.version,
                signers: None,
            },
        )
        .await?;
    }
    Ok(())
}
