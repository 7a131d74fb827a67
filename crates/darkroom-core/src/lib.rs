//! Darkroom's use cases.
//!
//! Every rule the JSON API and the web pages share lives here, so a handler
//! is thin: extract, call one function of this crate, map the result to a
//! view or a page. Each use case authorizes through [`Core::authorize`],
//! validates its input, writes in one transaction (with its audit entry and
//! any jobs or emails it causes), and returns a view.

pub mod access;
pub mod activity;
pub mod arrange;
pub mod audit;
pub mod auth;
pub mod branch;
pub mod client;
mod created;
mod ctx;
pub mod delivery;
pub mod demo;
pub mod download;
pub mod editing;
pub mod error;
pub mod gallery;
pub mod hot;
pub mod import;
pub mod jobs;
pub mod listing;
pub mod mail;
pub mod media;
pub mod password;
pub mod photo;
pub mod principal;
pub mod proofing;
mod render;
pub mod secret;
pub mod setup;
pub mod share;
pub mod staff;
pub mod studio;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;
pub mod upload;

pub use ctx::{
    Core, CoreSettings, JobSettings, MediaSettings, MediaStores, Meta, SmtpSecurity, SmtpSettings,
};
pub use error::{CoreError, CoreResult};
pub use principal::{Principal, Via};

/// Commits a write transaction, mapping a failure (busy, lost connection)
/// to the core's error.
pub(crate) async fn commit(tx: darkroom_db::Tx) -> CoreResult<()> {
    let r = tx
        .commit()
        .await
        .map_err(|e| CoreError::from(darkroom_db::DbError::from(e)));
    // Whatever the outcome, cached reads from before it are not served again.
    hot::bump();
    r
}
