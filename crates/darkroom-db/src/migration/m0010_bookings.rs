//! Scheduling: resources (gear, rooms), bookings and the claims they make on
//! people and resources, session types, weekly working hours, time off and
//! one-off blocks, and calendar feeds.
//!
//! A claim holds one person or one unit of a resource for a range of time.
//! Two live claims on the same holder and unit never overlap, and the
//! database says so itself (decision 0024): on PostgreSQL an exclusion
//! constraint over `int8range(starts_at, ends_at)`, on SQLite triggers that
//! abort the insert or update (SQLite runs one writer at a time, so the
//! trigger's look-up and the write are one atomic step).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

use super::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The name the refusal carries on both engines (matched in `DbError`).
pub const NO_OVERLAP: &str = "booking_claims_no_overlap";

/// The longest a claim may run, in microseconds (31 days: a booking is at
/// most 14, its travel and buffers at most two days each side). Look-ups
/// bound their index scans with it: a claim starting earlier cannot reach.
pub const MAX_CLAIM_MICROS: i64 = 31 * 24 * 3600 * 1_000_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        resources(m).await?;
        bookings(m).await?;
        claims(m).await?;
        no_overlap(m).await?;
        session_types(m).await?;
        availability(m).await?;
        feeds(m).await?;
        // An iCalendar file sent with an email (a booking's confirmation).
        m.alter_table(
            Table::alter()
                .table("emails")
                .add_column(ColumnDef::new("calendar").text().null())
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_bookings_manage_token")
                .table("bookings")
                .col("manage_token_hash")
                .unique()
                .take(),
        )
        .await?;
        grant_booking_permissions(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("emails")
                .drop_column("calendar")
                .take(),
        )
        .await?;
        for t in [
            "calendar_feeds",
            "availability_blocks",
            "work_hours",
            "session_types",
            "booking_claims",
            "bookings",
            "resources",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}

async fn resources(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("resources")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(string("kind"))
        .col(text("name"))
        .col(string_null("serial_number"))
        .col(int_default("quantity", 1))
        .col(string("status"))
        .col(text_null("notes"));
    row_meta(&mut t);
    t.col(instant_null("deleted_at"));
    t.foreign_key(&mut fk("resources", "branch_id", "branches"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_resources_branch",
        "resources",
        &["studio_id", "branch_id", "kind"],
    ))
    .await
}

async fn bookings(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("bookings")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(uuid_null("client_id"))
        .col(uuid_null("session_type_id"))
        .col(string("kind"))
        .col(string("status"))
        .col(text("title"))
        .col(instant("starts_at"))
        .col(instant("ends_at"))
        .col(string("time_zone"))
        .col(text_null("location"))
        .col(int_default("travel_minutes", 0))
        .col(int_default("buffer_before_minutes", 0))
        .col(int_default("buffer_after_minutes", 0))
        .col(text_null("notes"))
        .col(text_null("cancel_reason"))
        .col(int_default("sequence", 0))
        .col(instant_null("reminded_at"))
        // The client's own link to reschedule or cancel (only its hash).
        .col(string_null("manage_token_hash"))
        .col(uuid_null("created_by"));
    row_meta(&mut t);
    t.foreign_key(&mut fk("bookings", "branch_id", "branches"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_bookings_studio_time",
        "bookings",
        &["studio_id", "starts_at"],
    ))
    .await?;
    // The reminder chore looks across studios for sessions about to start.
    m.create_index(index("ix_bookings_starts", "bookings", &["starts_at"]))
        .await
}

async fn claims(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("booking_claims")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("booking_id"))
        .col(string("holder_kind"))
        .col(uuid("holder_id"))
        .col(int_default("unit", 0))
        .col(string("role"))
        .col(instant("starts_at"))
        .col(instant("ends_at"))
        .col(int_default("active", 1))
        .col(instant("created_at"))
        .check(Expr::cust(format!(
            "starts_at < ends_at AND ends_at - starts_at <= {MAX_CLAIM_MICROS}"
        )));
    t.foreign_key(&mut fk("booking_claims", "booking_id", "bookings"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_booking_claims_holder",
        "booking_claims",
        &["holder_id", "starts_at"],
    ))
    .await?;
    m.create_index(index(
        "ix_booking_claims_booking",
        "booking_claims",
        &["booking_id"],
    ))
    .await
}

/// Two live claims on one holder's unit never overlap.
async fn no_overlap(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let c = m.get_connection();
    match c.get_database_backend() {
        DbBackend::Postgres => {
            c.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                .await?;
            c.execute_unprepared(&format!(
                "ALTER TABLE booking_claims ADD CONSTRAINT {NO_OVERLAP} \
                 EXCLUDE USING gist (holder_id WITH =, unit WITH =, \
                 int8range(starts_at, ends_at) WITH &&) WHERE (active = 1)"
            ))
            .await?;
        }
        _ => {
            let clash = |except_self: &str| {
                format!(
                    "SELECT RAISE(ABORT, '{NO_OVERLAP}') WHERE EXISTS (\
                     SELECT 1 FROM booking_claims c WHERE c.holder_id = NEW.holder_id \
                     AND c.unit = NEW.unit AND c.active = 1 {except_self}\
                     AND c.starts_at > NEW.starts_at - {MAX_CLAIM_MICROS} \
                     AND c.starts_at < NEW.ends_at AND NEW.starts_at < c.ends_at);"
                )
            };
            c.execute_unprepared(&format!(
                "CREATE TRIGGER booking_claims_no_overlap_insert BEFORE INSERT ON booking_claims \
                 WHEN NEW.active = 1 BEGIN {} END",
                clash("")
            ))
            .await?;
            c.execute_unprepared(&format!(
                "CREATE TRIGGER booking_claims_no_overlap_update BEFORE UPDATE ON booking_claims \
                 WHEN NEW.active = 1 BEGIN {} END",
                clash("AND c.id <> NEW.id ")
            ))
            .await?;
        }
    }
    Ok(())
}

async fn session_types(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("session_types")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("branch_id"))
        .col(text("name"))
        .col(string("slug"))
        .col(string("kind"))
        .col(text_null("description"))
        .col(int("duration_minutes"))
        .col(int_default("buffer_before_minutes", 0))
        .col(int_default("buffer_after_minutes", 0))
        .col(int_default("min_notice_minutes", 0))
        .col(int_default("horizon_days", 60))
        .col(int_default("increment_minutes", 30))
        .col(string("location_kind"))
        .col(int_default("capacity", 1))
        .col(int_default("public", 0))
        // `|id|id|`: who may take it (any one free person), and what it needs.
        .col(text("staff_ids"))
        .col(text("resource_ids"));
    row_meta(&mut t);
    t.col(instant_null("deleted_at"));
    t.foreign_key(&mut fk("session_types", "branch_id", "branches"));
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_session_types_slug")
            .table("session_types")
            .col("studio_id")
            .col("slug")
            .unique()
            .take(),
    )
    .await
}

async fn availability(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("work_hours")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("user_id"))
        .col(uuid("branch_id"))
        .col(int("weekday"))
        .col(int("from_minute"))
        .col(int("to_minute"))
        .col(instant("created_at"))
        .check(Expr::cust("from_minute < to_minute"));
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_work_hours_user",
        "work_hours",
        &["studio_id", "user_id"],
    ))
    .await?;

    let mut t = Table::create();
    t.table("availability_blocks")
        .col(id())
        .col(uuid("studio_id"))
        .col(uuid("user_id"))
        .col(string("kind"))
        .col(instant("starts_at"))
        .col(instant("ends_at"))
        .col(text_null("reason"))
        .col(string_null("source_uid"))
        .check(Expr::cust("starts_at < ends_at"));
    row_meta(&mut t);
    m.create_table(t.take()).await?;
    m.create_index(index(
        "ix_availability_blocks_user",
        "availability_blocks",
        &["studio_id", "user_id", "starts_at"],
    ))
    .await
}

async fn feeds(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let mut t = Table::create();
    t.table("calendar_feeds")
        .col(id())
        .col(uuid("studio_id"))
        .col(string("scope_kind"))
        .col(uuid("scope_id"))
        .col(string("token_hash"))
        .col(uuid_null("created_by"))
        .col(instant("created_at"))
        .col(instant_null("revoked_at"));
    m.create_table(t.take()).await?;
    m.create_index(
        Index::create()
            .name("ux_calendar_feeds_token")
            .table("calendar_feeds")
            .col("token_hash")
            .unique()
            .take(),
    )
    .await
}

/// Managers of existing studios may manage bookings; photographers and
/// assistants see them (new studios get the same from the built-in roles).
async fn grant_booking_permissions(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let c = m.get_connection();
    let backend = c.get_database_backend();
    let rows = c
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, builtin_key, permissions FROM roles WHERE builtin_key IN \
             ('manager', 'photographer', 'assistant')",
        ))
        .await?;
    for row in rows {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let key: String = row.try_get("", "builtin_key")?;
        let perms: String = row.try_get("", "permissions")?;
        let mut list: Vec<String> = serde_json::from_str(&perms).unwrap_or_default();
        let add: &[&str] = if key == "manager" {
            &["booking.view", "booking.manage"]
        } else {
            &["booking.view"]
        };
        for p in add {
            if !list.iter().any(|x| x == p) {
                list.push((*p).to_string());
            }
        }
        let json = serde_json::to_string(&list).unwrap_or(perms);
        c.execute_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => "UPDATE roles SET permissions = $1 WHERE id = $2",
                _ => "UPDATE roles SET permissions = ? WHERE id = ?",
            },
            [json.into(), id.into()],
        ))
        .await?;
    }
    Ok(())
}
