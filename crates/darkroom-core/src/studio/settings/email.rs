//! A studio's own outgoing email server (SMTP), tested before it is kept.

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::{Core, Meta, Principal, SmtpSecurity};
use darkroom_db::repo;
use darkroom_domain::StudioId;
use darkroom_domain::TypedId;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{Email, Line, Ranged, Text};
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use serde::{Deserialize, Serialize};

use super::*;

/// The studio's own SMTP server. `password`: absent keeps the stored one.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsInput {
    pub version: i64,
    pub host: Line<253>,
    /// 587 for STARTTLS, 465 for TLS.
    pub port: Ranged<1, 65535>,
    pub security: SmtpSecurity,
    pub username: Option<Text<200>>,
    /// Absent keeps the stored password; `""` removes it.
    pub password: Option<String>,
    pub from_address: Email,
    pub from_name: Line<100>,
}

/// Sets (or with `None`, removes) the studio's own SMTP server.
pub async fn set_email(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    version: i64,
    input: Option<EmailSettingsInput>,
) -> CoreResult<StudioView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    let checked = input
        .as_ref()
        .map(EmailSettingsInput::checked)
        .transpose()?;
    let tx = core.db().begin().await?;
    let current = repo::studio::find(&tx, p.studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    if current.version != version {
        return Err(CoreError::stale(view(&current)?));
    }
    let mut settings = StudioSettings::parse(&current.settings)?;
    let old_password = settings
        .email
        .as_ref()
        .and_then(|e| e.password_sealed.clone());
    settings.email = match (&input, checked) {
        (Some(i), Some(smtp)) => Some(StoredSmtp {
            password_sealed: match i.password.as_deref() {
                None => old_password,
                Some("") => None,
                Some(pw) => Some(core.keys().seal(pw)),
            },
            ..smtp
        }),
        _ => None,
    };
    save_settings(core, &tx, p, &current, &settings).await?;
    audit::record(
        core,
        &tx,
        meta,
        Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "studio.settings_changed",
            severity: Severity::Medium,
            target_type: "studio",
            target_id: p.studio.to_string(),
            payload: serde_json::json!({ "email": settings.email.as_ref().map(|e| serde_json::json!({
                "host": e.host, "port": e.port, "from_address": e.from_address })) }),
        },
    )
    .await?;
    let fresh = repo::studio::find(&tx, StudioId::from_uuid(current.id))
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    crate::commit(tx).await?;
    view(&fresh)
}

impl EmailSettingsInput {
    /// The server as it will be stored (its password still to be sealed);
    /// every mistake reported together.
    fn checked(&self) -> CoreResult<StoredSmtp> {
        let mut errs = FieldErrors::new();
        let host = errs.check("host", self.host.check("the SMTP host"));
        let port = errs.check("port", self.port.check().map(|p| p as u16));
        let from = errs.check("from_address", self.from_address.check());
        let from_name = errs.check("from_name", self.from_name.check("the sender name"));
        let username = self
            .username
            .as_ref()
            .and_then(|u| errs.check("username", u.check("the username")))
            .flatten();
        errs.into_result()?;
        let (Some(host), Some(port), Some(from_address), Some(from_name)) =
            (host, port, from, from_name)
        else {
            return Err(CoreError::Internal(anyhow::anyhow!(
                "validated fields missing"
            )));
        };
        Ok(StoredSmtp {
            host,
            port,
            security: self.security,
            username,
            password_sealed: None,
            from_address,
            from_name,
        })
    }
}
