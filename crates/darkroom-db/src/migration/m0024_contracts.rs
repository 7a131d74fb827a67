//! Contracts (decision 0034): the studio's templates, each contract with
//! its proposal, frozen document and structured terms, its signers with
//! their evidence, and the invoices its payment schedule issued.

use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("contract_templates")
            .col(id())
            .col(uuid("studio_id"))
            .col(text("name"))
            .col(text("title"))
            .col(text("body"))
            .col(text("terms"));
        row_meta(&mut t);
        t.col(instant_null("deleted_at"));
        m.create_table(t.take()).await?;
        m.create_index(index(
            "ix_contract_templates_studio",
            "contract_templates",
            &["studio_id"],
        ))
        .await?;
        contracts(m).await?;
        signers(m).await?;
        m.alter_table(
            Table::alter()
                .table("invoices")
                .add_column(ColumnDef::new("contract_id").uuid().null())
                .take(),
        )
        .await?;
        m.create_index(index("ix_invoices_contract", "invoices", &["contract_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("invoices")
                .drop_column("contract_id")
                .take(),
        )
        .await?;
        for t in ["contract_signers", "contracts", "contract_templates"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}

async fn contracts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("contracts")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(uuid("client_id"))
        .col(uuid("project_id"))
        .col(uuid_null("template_id"))
        .col(uuid_null("quote_id"))
        .col(string("status"))
        .col(string("currency"))
        .col(text("title"))
        .col(text("body"))
        .col(text("terms"))
        .col(string_null("event_on"))
        .col(string_null("number"))
        .col(string_null("fiscal_year"))
        .col(int_null("seq"))
        .col(int_null("total_minor"))
        .col(text_null("document"))
        .col(string_null("document_sha256"))
        .col(instant_null("sent_at"))
        .col(instant_null("accepted_at"))
        .col(uuid_null("accepted_by"))
        .col(instant_null("signed_at"))
        .col(text_null("signed_pdf_key"))
        .col(string_null("signed_pdf_sha256"))
        .col(uuid_null("deposit_invoice_id"))
        .col(uuid_null("balance_invoice_id"))
        .col(text_null("schedule_problem"))
        .col(instant_null("ended_at"))
        .col(text_null("cancel_reason"))
        .col(uuid_null("created_by"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_contracts_client",
        "contracts",
        &["studio_id", "client_id"],
    ))
    .await?;
    m.create_index(index(
        "ix_contracts_status",
        "contracts",
        &["studio_id", "status"],
    ))
    .await?;
    m.create_index(
        Index::create()
            .name("ux_contracts_number")
            .table("contracts")
            .col("studio_id")
            .col("number")
            .unique()
            .take(),
    )
    .await
}

async fn signers(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("contract_signers")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("contract_id"))
        .col(int("position"))
        .col(string("role"))
        .col(text("name"))
        .col(text("email"))
        .col(uuid_null("user_id"))
        .col(string_null("token_hash"))
        .col(string_null("code_hash"))
        .col(instant_null("code_expires_at"))
        .col(int_default("code_attempts", 0))
        .col(int_default("codes_sent", 0))
        .col(instant_null("viewed_at"))
        .col(instant_null("verified_at"))
        .col(instant_null("consented_at"))
        .col(instant_null("signed_at"))
        .col(string_null("signature_kind"))
        .col(text_null("signature"))
        .col(string_null("ip"))
        .col(text_null("user_agent"))
        .col(string_null("document_sha256"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_contract_signers_contract",
        "contract_signers",
        &["contract_id"],
    ))
    .await?;
    m.create_index(
        Index::create()
            .name("ux_contract_signers_token")
            .table("contract_signers")
            .col("token_hash")
            .unique()
            .take(),
    )
    .await
}
