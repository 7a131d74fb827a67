//! Billing (decision 0032): each branch's tax settings, invoices and credit
//! notes with their lines, and the append-only ledger every balance is
//! summed from. Permissions to bill go to the built-in roles that keep the
//! books.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        profiles(m).await?;
        invoices(m).await?;
        lines(m).await?;
        ledger(m).await?;
        cash_receipts(m).await?;
        grant_billing_permissions(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "cash_receipts",
            "ledger_entries",
            "invoice_lines",
            "invoices",
            "billing_profiles",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}

async fn profiles(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("billing_profiles")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(string("tax_regime"))
        .col(int_default("fiscal_year_start", 1))
        .col(int_default("prices_include_tax", 0))
        .col(int_default("payment_terms_days", 14))
        .col(string_null("service_code"))
        .col(int_null("mileage_rate_minor"))
        .col(string_null("distance_unit"))
        .col(text_null("payment_instructions"))
        .col(text_null("footer"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_billing_profiles_branch")
            .table("billing_profiles")
            .col("studio_id")
            .col("branch_id")
            .unique()
            .take(),
    )
    .await
}

async fn invoices(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("invoices")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(uuid("client_id"))
        .col(uuid_null("project_id"))
        .col(uuid_null("credit_note_of"))
        .col(string("kind"))
        .col(string("status"))
        .col(string("currency"))
        .col(string("tax_regime"))
        .col(int_default("prices_include_tax", 0))
        .col(int_default("tax_exempt", 0))
        .col(string_null("supplier_state"))
        .col(string_null("place_of_supply"))
        .col(string_null("number"))
        .col(string_null("fiscal_year"))
        .col(int_null("seq"))
        .col(string_null("issued_on"))
        .col(string_null("due_on"))
        .col(instant_null("issued_at"))
        .col(string_null("po_number"))
        .col(text_null("notes"))
        .col(text_null("reason"))
        .col(text_null("seller"))
        .col(text_null("bill_to"))
        .col(int_default("gross_minor", 0))
        .col(int_default("discount_minor", 0))
        .col(int_default("net_minor", 0))
        .col(int_default("cgst_minor", 0))
        .col(int_default("sgst_minor", 0))
        .col(int_default("igst_minor", 0))
        .col(int_default("vat_minor", 0))
        .col(int_default("total_minor", 0))
        .col(uuid_null("created_by"));
    row_meta(&mut t);
    t.col(instant_null("deleted_at"));
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_invoices_number")
            .table("invoices")
            .col("studio_id")
            .col("number")
            .unique()
            .take(),
    )
    .await?;
    for (name, cols) in [
        ("ix_invoices_client", &["studio_id", "client_id"][..]),
        ("ix_invoices_project", &["studio_id", "project_id"][..]),
        ("ix_invoices_status", &["studio_id", "status", "due_on"][..]),
        (
            "ix_invoices_branch_day",
            &["studio_id", "branch_id", "issued_on"][..],
        ),
        ("ix_invoices_credit_of", &["credit_note_of"][..]),
    ] {
        m.create_index(index(name, "invoices", cols)).await?;
    }
    Ok(())
}

async fn lines(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("invoice_lines")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("invoice_id"))
        .col(int("position"))
        .col(string("kind"))
        .col(string_null("fee_kind"))
        .col(text("description"))
        .col(string_null("code"))
        .col(int("quantity_milli"))
        .col(int("unit_minor"))
        .col(int_default("discount_minor", 0))
        .col(int_default("tax_rate_mp", 0))
        .col(int_default("gross_minor", 0))
        .col(int_default("net_minor", 0))
        .col(int_default("cgst_minor", 0))
        .col(int_default("sgst_minor", 0))
        .col(int_default("igst_minor", 0))
        .col(int_default("vat_minor", 0))
        .col(int_default("total_minor", 0))
        .col(uuid_null("package_id"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_invoice_lines_invoice",
        "invoice_lines",
        &["invoice_id", "position"],
    ))
    .await
}

async fn ledger(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("ledger_entries")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(uuid("client_id"))
        .col(uuid_null("invoice_id"))
        .col(uuid_null("document_id"))
        .col(string("kind"))
        .col(string_null("method"))
        .col(int("amount_minor"))
        .col(string("currency"))
        .col(string("occurred_on"))
        .col(string_null("reference"))
        .col(text_null("note"))
        .col(string_null("external_id"))
        .col(uuid_null("recorded_by"))
        .col(instant("created_at"));
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_ledger_entries_external")
            .table("ledger_entries")
            .col("studio_id")
            .col("external_id")
            .unique()
            .take(),
    )
    .await?;
    for (name, cols) in [
        ("ix_ledger_entries_invoice", &["invoice_id"][..]),
        ("ix_ledger_entries_client", &["studio_id", "client_id"][..]),
        ("ix_ledger_entries_day", &["studio_id", "occurred_on"][..]),
    ] {
        m.create_index(index(name, "ledger_entries", cols)).await?;
    }
    Ok(())
}

/// Korea's cash receipts (현금영수증) for cash and transfer payments.
async fn cash_receipts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("cash_receipts")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(uuid("client_id"))
        .col(uuid("invoice_id"))
        .col(uuid("entry_id"))
        .col(string("purpose"))
        .col(string("identity_kind"))
        .col(string("identity"))
        .col(int("amount_minor"))
        .col(int("supply_minor"))
        .col(int("vat_minor"))
        .col(string("paid_on"))
        .col(string("status"))
        .col(string_null("approval_number"))
        .col(string_null("issued_on"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_cash_receipts_entry")
            .table("cash_receipts")
            .col("entry_id")
            .unique()
            .take(),
    )
    .await?;
    m.create_index(index(
        "ix_cash_receipts_status",
        "cash_receipts",
        &["studio_id", "status", "paid_on"],
    ))
    .await
}

/// Managers of existing studios may bill and take payments; accountants
/// see the books and record payments (new studios get the same from the
/// built-in roles).
async fn grant_billing_permissions(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    super::grant_to_builtin(
        m,
        &[
            (
                "manager",
                &[
                    "invoice.view",
                    "invoice.manage",
                    "payment.record",
                    "payment.refund",
                ],
            ),
            ("accountant", &["invoice.view", "payment.record"]),
        ],
    )
    .await
}
