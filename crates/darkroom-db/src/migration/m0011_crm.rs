//! The CRM (decision 0025): a client becomes a person, a couple or an
//! organisation with contacts and addresses, an optional branch, a billing
//! profile, a source, a manager and marketing consent; phones are kept in
//! E.164; every client is indexed by search terms (trigrams of its names,
//! its emails, its phone digits and its tags) in `client_terms`, next to
//! the studio's id, so a typo-tolerant search reads only its own studio's
//! rows on either engine. Existing clients are indexed here.

use darkroom_domain::crm::search::Searchable;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CLIENT_COLUMNS: &[&str] = &[
    "branch_id",
    "partner_name",
    "partner_email",
    "partner_phone",
    "source",
    "manager_id",
    "marketing_consent_at",
    "tax_id_kind",
    "tax_id",
    "tax_exempt",
    "payment_terms_days",
    "vendor_number",
    "po_required",
    "merged_into",
];

fn client_column(name: &'static str) -> ColumnDef {
    match name {
        "branch_id" | "manager_id" | "merged_into" => uuid_null(name),
        "partner_name" => text_null(name),
        "marketing_consent_at" | "payment_terms_days" => int_null(name),
        "tax_exempt" | "po_required" => int_default(name, 0),
        _ => string_null(name),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for c in CLIENT_COLUMNS {
            m.alter_table(
                Table::alter()
                    .table("clients")
                    .add_column(client_column(c))
                    .take(),
            )
            .await?;
        }
        m.create_index(index("ix_clients_name", "clients", &["studio_id", "name"]))
            .await?;
        contacts(m).await?;
        addresses(m).await?;
        terms(m).await?;
        index_existing(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["client_terms", "client_addresses", "client_contacts"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_clients_name")
                .table("clients")
                .to_owned(),
        )
        .await?;
        for c in CLIENT_COLUMNS {
            m.alter_table(Table::alter().table("clients").drop_column(*c).take())
                .await?;
        }
        Ok(())
    }
}

async fn contacts(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("client_contacts")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("client_id"))
        .col(text("name"))
        .col(string_null("email"))
        .col(string_null("phone"))
        .col(string("role"))
        .col(int_default("is_primary", 0))
        .col(text_null("notes"));
    row_meta(&mut t);
    t.foreign_key(&mut fk("client_contacts", "client_id", "clients"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_client_contacts_client",
        "client_contacts",
        &["studio_id", "client_id"],
    ))
    .await
}

async fn addresses(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("client_addresses")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("client_id"))
        .col(string("kind"))
        .col(text_null("label"))
        .col(text("line1"))
        .col(text("line2"))
        .col(text("city"))
        .col(text("region"))
        .col(string("postal_code"))
        .col(string("country"))
        .col(int_default("is_primary", 0));
    row_meta(&mut t);
    t.foreign_key(&mut fk("client_addresses", "client_id", "clients"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_client_addresses_client",
        "client_addresses",
        &["studio_id", "client_id"],
    ))
    .await
}

async fn terms(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("client_terms")
            .col(uuid("studio_id"))
            .col(string("term"))
            .col(uuid("client_id"))
            .primary_key(
                Index::create()
                    .col("studio_id")
                    .col("term")
                    .col("client_id"),
            )
            .take(),
    )
    .await?;
    m.create_index(index(
        "ix_client_terms_client",
        "client_terms",
        &["client_id"],
    ))
    .await?;
    // Prefix look-ups compare terms byte by byte (SQLite's default).
    if m.get_database_backend() == DbBackend::Postgres {
        m.get_connection()
            .execute_unprepared(
                r#"ALTER TABLE client_terms ALTER COLUMN term TYPE varchar(255) COLLATE "C""#,
            )
            .await?;
    }
    Ok(())
}

/// Terms for the clients that exist before this migration.
async fn index_existing(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let c = m.get_connection();
    let backend = m.get_database_backend();
    let rows = c
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, studio_id, name, email, phone, tags FROM clients",
        ))
        .await?;
    for r in rows {
        let id: uuid::Uuid = r.try_get("", "id")?;
        let studio: uuid::Uuid = r.try_get("", "studio_id")?;
        let name: String = r.try_get("", "name")?;
        let email: Option<String> = r.try_get("", "email")?;
        let phone: Option<String> = r.try_get("", "phone")?;
        let tags: String = r.try_get("", "tags")?;
        let s = Searchable {
            names: vec![&name],
            emails: email.iter().map(String::as_str).collect(),
            phones: phone.iter().map(String::as_str).collect(),
            tags: tags.split('|').filter(|t| !t.is_empty()).collect(),
        };
        for term in s.terms() {
            let insert = Query::insert()
                .into_table("client_terms")
                .columns(["studio_id", "term", "client_id"])
                .values_panic([studio.into(), term.into(), id.into()])
                .to_owned();
            c.execute_raw(backend.build(&insert)).await?;
        }
    }
    Ok(())
}
