//! Set-up shared by tests and benchmarks in other crates (feature `testing`):
//! a core on a migrated database, a studio created through its set-up link
//! as a person would, and an API token holding everything its owner may do.

use std::sync::Arc;

use darkroom_domain::time::SystemClock;

use crate::kernel::error::{CoreError, CoreResult};
use crate::studio::auth::{self, NewSession};
use crate::studio::setup::{self, SetupInput};
use crate::studio::token;
use crate::{Core, CoreSettings, MediaStores, Meta, Principal};

/// A core on `db_url` (migrated), with the system clock and a memory store:
/// for processes that only need to write rows a server will read.
pub async fn core_for(db_url: &str) -> CoreResult<Core> {
    let db = darkroom_db::Db::connect(db_url, &Default::default()).await?;
    db.migrate().await?;
    let store = darkroom_media::open(&darkroom_media::StoreConfig::Memory)
        .map_err(|e| CoreError::Internal(anyhow::anyhow!("memory store: {e}")))?;
    let settings = CoreSettings::with_public_url(
        "http://127.0.0.1:9"
            .parse()
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("{e}")))?,
    );
    Core::new(
        db,
        Arc::new(SystemClock),
        settings,
        None,
        MediaStores::single(store),
    )
    .await
    .map_err(CoreError::Internal)
}

/// A new studio made through its set-up link; its owner's session.
pub async fn studio(core: &Core, input: SetupInput) -> CoreResult<(NewSession, Principal)> {
    let link = setup::new_studio_link(core).await?;
    let token = link.rsplit('/').next().unwrap_or_default();
    let session = setup::complete(core, token, input, &Meta::system()).await?;
    let p = auth::resolve_session(core, &session.token)
        .await?
        .ok_or_else(|| CoreError::Internal(anyhow::anyhow!("the new session did not resolve")))?;
    Ok((session, p))
}

/// An API token with every permission `p` holds, valid for `days`.
pub async fn full_token(core: &Core, p: &Principal, name: &str, days: u32) -> CoreResult<String> {
    Ok(token::create_full(core, p, &Meta::system(), name, days)
        .await?
        .token)
}

/// A studio named `name` on `db_url`, and its owner's API token: what a
/// test or benchmark needs before it drives a running `darkroom serve`.
pub async fn owner_token(db_url: &str, name: &str) -> CoreResult<String> {
    let core = core_for(db_url).await?;
    let slug = name.to_lowercase().replace(' ', "-");
    let (_, p) = studio(
        &core,
        SetupInput {
            studio_name: name.into(),
            currency: "EUR".into(),
            time_zone: "Europe/Berlin".into(),
            locale: "en".into(),
            owner_name: "Owner".into(),
            email: format!("owner@{slug}.test"),
            password: "correct horse battery".into(),
        },
    )
    .await?;
    full_token(&core, &p, name, 1).await
}
