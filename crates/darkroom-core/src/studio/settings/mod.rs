//! The studio: profile (name, currency, time zone, locale) and settings
//! (branding, feature toggles, the studio's own SMTP server).

use darkroom_db::entity::studio;
use darkroom_db::repo;
use darkroom_db::sea_orm::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::authz::Target;
use darkroom_domain::field::{
    Colour, CurrencyCode, Line, Locale, Ranged, Text, WatermarkPositionName, Zone,
};
use darkroom_domain::money::Currency;
use darkroom_domain::people::StaffStatus;
use darkroom_domain::permission::Permission;
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{LoginId, StudioId, Timestamp, TypedId};
use serde::{Deserialize, Serialize};

pub use crate::kernel::tenant::{
    Branding, Features, RenderConfig, StoredSmtp, StudioSettings, WatermarkConfig, header, load,
    quota_of, smtp_for, watermark_image_key,
};

use crate::kernel::audit::{self, Event, Who};
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::write;
use crate::studio::events::RenderSettingsChanged;
use crate::{Core, Meta, Principal, SmtpSecurity};

mod email;
pub use email::*;

mod watermark;
pub use watermark::*;

/// The studio's SMTP server as shown (never the password).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SmtpView {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password_set: bool,
    pub from_address: String,
    pub from_name: String,
}

/// A studio as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StudioView {
    pub id: StudioId,
    pub name: String,
    /// ISO 4217 code of the default currency.
    pub currency: String,
    /// IANA time zone.
    pub time_zone: String,
    /// BCP 47 locale, e.g. `en-IN`.
    pub locale: String,
    pub plan_tier: String,
    pub branding: Branding,
    pub features: Features,
    /// The studio's own SMTP server; absent when the instance's is used.
    pub email: Option<SmtpView>,
    pub render: RenderConfig,
    /// Bytes stored (originals and derivatives).
    pub storage_used_bytes: i64,
    /// The storage quota, if any.
    pub storage_quota_bytes: Option<i64>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub fn view(m: &studio::Model) -> CoreResult<StudioView> {
    view_with_usage(m, 0, m.storage_quota_bytes)
}

fn view_with_usage(m: &studio::Model, used: i64, quota: Option<i64>) -> CoreResult<StudioView> {
    let s = StudioSettings::parse(&m.settings)?;
    Ok(StudioView {
        id: StudioId::from_uuid(m.id),
        name: m.name.clone(),
        currency: m.currency.clone(),
        time_zone: m.time_zone.clone(),
        locale: m.locale.clone(),
        plan_tier: m.plan_tier.clone(),
        branding: s.branding,
        features: s.features,
        email: s.email.map(|e| SmtpView {
            host: e.host,
            port: e.port,
            security: e.security,
            username: e.username,
            password_set: e.password_sealed.is_some(),
            from_address: e.from_address,
            from_name: e.from_name,
        }),
        render: s.render,
        storage_used_bytes: used,
        storage_quota_bytes: quota,
        version: m.version,
        created_at: Timestamp::from_micros(m.created_at),
        updated_at: Timestamp::from_micros(m.updated_at),
    })
}

/// The signed-in person's studio, with its storage use.
pub async fn get(core: &Core, p: &Principal) -> CoreResult<StudioView> {
    core.authorize(p, Permission::StudioView, Target::STUDIO)?;
    let m = load(core, p.studio).await?;
    let used = repo::photo::storage_used(core.db().conn(), StudioId::from_uuid(m.id)).await?;
    view_with_usage(&m, used, quota_of(core, &m))
}

/// Changes to branding; absent fields stay as they are, `""` clears.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandingPatch {
    pub accent_colour: Option<Colour>,
    pub logo_text: Option<Text<60>>,
    pub email_footer: Option<Text<300>>,
}

/// Changes to feature toggles.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturesPatch {
    pub api_tokens: Option<bool>,
}

/// Changes to how photos are rendered; absent fields stay as they are.
/// Any change re-renders every photo's derivatives in the background.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenderPatch {
    pub thumb_edge: Option<Ranged<100, 1200>>,
    pub preview_edge: Option<Ranged<800, 4096>>,
    pub thumb_quality: Option<Ranged<40, 100>>,
    pub preview_quality: Option<Ranged<40, 100>>,
    pub proof_quality: Option<Ranged<40, 100>>,
    pub watermark_enabled: Option<bool>,
    /// `""` returns to the studio's name.
    pub watermark_text: Option<Text<80>>,
    pub watermark_position: Option<WatermarkPositionName>,
    /// Percent.
    pub watermark_opacity: Option<Ranged<5, 100>>,
    /// Percent of the photo's shorter side.
    pub watermark_scale: Option<Ranged<5, 100>>,
}

impl RenderPatch {
    /// Applies the changes; `true` if anything changed.
    fn apply(&self, r: &mut RenderConfig, errs: &mut FieldErrors) -> bool {
        let before = r.clone();
        fn set<T: TryFrom<i64>>(
            errs: &mut FieldErrors,
            field: &str,
            v: Option<Result<i64, String>>,
            target: &mut T,
        ) {
            if let Some(n) = v.and_then(|r| errs.check(field, r))
                && let Ok(n) = T::try_from(n)
            {
                *target = n;
            }
        }
        set(
            errs,
            "render.thumb_edge",
            self.thumb_edge.map(|v| v.check()),
            &mut r.thumb_edge,
        );
        set(
            errs,
            "render.preview_edge",
            self.preview_edge.map(|v| v.check()),
            &mut r.preview_edge,
        );
        set(
            errs,
            "render.thumb_quality",
            self.thumb_quality.map(|v| v.check()),
            &mut r.thumb_quality,
        );
        set(
            errs,
            "render.preview_quality",
            self.preview_quality.map(|v| v.check()),
            &mut r.preview_quality,
        );
        set(
            errs,
            "render.proof_quality",
            self.proof_quality.map(|v| v.check()),
            &mut r.proof_quality,
        );
        set(
            errs,
            "render.watermark_opacity",
            self.watermark_opacity.map(|v| v.check()),
            &mut r.watermark.opacity,
        );
        set(
            errs,
            "render.watermark_scale",
            self.watermark_scale.map(|v| v.check()),
            &mut r.watermark.scale,
        );
        if let Some(e) = self.watermark_enabled {
            r.watermark.enabled = e;
        }
        if let Some(t) = &self.watermark_text
            && let Some(t) = errs.check("render.watermark_text", t.check("the watermark text"))
        {
            r.watermark.text = t;
        }
        if let Some(pos) = &self.watermark_position
            && let Some(pos) = errs.check("render.watermark_position", pos.check())
        {
            r.watermark.position = pos.name().to_string();
        }
        let changed = *r != before;
        if changed {
            r.rev = before.rev + 1;
        }
        changed
    }
}

/// Changes to the studio; absent fields stay as they are.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudioPatch {
    /// The version you last read; a stale one gets 409 with the current state.
    pub version: i64,
    pub name: Option<Line<200>>,
    pub currency: Option<CurrencyCode>,
    pub time_zone: Option<Zone>,
    pub locale: Option<Locale>,
    pub branding: Option<BrandingPatch>,
    pub features: Option<FeaturesPatch>,
    pub render: Option<RenderPatch>,
}

/// Updates the studio's profile, branding and features.
pub async fn update(
    core: &Core,
    p: &Principal,
    meta: &Meta,
    patch: StudioPatch,
) -> CoreResult<StudioView> {
    core.authorize(p, Permission::StudioSettingsEdit, Target::STUDIO)?;
    let stored = StudioSettings::parse(&load(core, p.studio).await?.settings)?;
    let checked = Checked::of(&patch, &stored)?;
    let tx = core.db().begin().await?;
    let current = repo::studio::find(&tx, p.studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    if current.version != patch.version {
        return Err(CoreError::stale(view(&current)?));
    }
    let render_changed = checked.render.is_some();
    let (am, changed) = checked.apply(&current)?;
    if let Err(fresh) =
        write::try_update::<studio::Entity>(core, &tx, p.studio, current.id, current.version, am)
            .await?
    {
        return Err(CoreError::stale(view(&fresh)?));
    }
    if render_changed {
        core.publish(&tx, &RenderSettingsChanged { studio: p.studio })
            .await?;
    }
    if !changed.is_empty() {
        let ev = Event {
            studio: Some(p.studio),
            branch: None,
            who: Who::of(p),
            event_type: "studio.settings_changed",
            severity: Severity::Medium,
            target_type: "studio",
            target_id: p.studio.to_string(),
            payload: serde_json::Value::Object(changed),
        };
        audit::record(core, &tx, meta, ev).await?;
    }
    let fresh = repo::studio::find(&tx, StudioId::from_uuid(current.id))
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    crate::commit(tx).await?;
    if render_changed {
        core.wake_workers();
    }
    view(&fresh)
}

/// A settings patch, checked: every mistake is collected under its field.
struct Checked {
    name: Option<String>,
    currency: Option<Currency>,
    zone: Option<String>,
    locale: Option<String>,
    accent: Option<String>,
    logo: Option<Option<String>>,
    footer: Option<Option<String>>,
    api_tokens: Option<bool>,
    /// The new rendering settings, when they change.
    render: Option<RenderConfig>,
}

impl Checked {
    fn of(patch: &StudioPatch, stored: &StudioSettings) -> CoreResult<Self> {
        let mut errs = FieldErrors::new();
        let name = patch
            .name
            .as_ref()
            .and_then(|n| errs.check("name", n.check("the studio name")));
        let currency = patch
            .currency
            .as_ref()
            .and_then(|c| errs.check("currency", c.check().and_then(|c| Currency::parse(&c))));
        let zone = patch
            .time_zone
            .as_ref()
            .and_then(|z| errs.check("time_zone", z.check()));
        let locale = patch
            .locale
            .as_ref()
            .and_then(|l| errs.check("locale", l.check()));
        let b = patch.branding.clone().unwrap_or_default();
        let accent = b.accent_colour.as_ref().and_then(|c| {
            errs.check(
                "branding.accent_colour",
                c.check().map(|c| c.to_ascii_lowercase()),
            )
        });
        let logo = b
            .logo_text
            .as_ref()
            .and_then(|t| errs.check("branding.logo_text", t.check("the logo text")));
        let footer = b
            .email_footer
            .as_ref()
            .and_then(|t| errs.check("branding.email_footer", t.check("the email footer")));
        let mut render = stored.render.clone();
        let render_changed = patch
            .render
            .as_ref()
            .is_some_and(|r| r.apply(&mut render, &mut errs));
        errs.into_result()?;
        Ok(Self {
            name,
            currency,
            zone,
            locale,
            accent,
            logo,
            footer,
            api_tokens: patch.features.as_ref().and_then(|f| f.api_tokens),
            render: render_changed.then_some(render),
        })
    }

    /// The columns to write over `current`, and what changed (for the audit
    /// log: each field's old and new value).
    fn apply(
        self,
        current: &studio::Model,
    ) -> CoreResult<(
        studio::ActiveModel,
        serde_json::Map<String, serde_json::Value>,
    )> {
        let mut settings = StudioSettings::parse(&current.settings)?;
        let mut changed = serde_json::Map::new();
        let mut am = studio::ActiveModel::default();
        let mut note = |k: &str, old: &str, new: &str| {
            if old != new {
                changed.insert(k.into(), serde_json::json!({ "from": old, "to": new }));
            }
        };
        if let Some(n) = self.name {
            note("name", &current.name, &n);
            am.name = Set(n);
        }
        if let Some(c) = self.currency {
            note("currency", &current.currency, &c.code());
            am.currency = Set(c.code());
        }
        if let Some(z) = self.zone {
            note("time_zone", &current.time_zone, &z);
            am.time_zone = Set(z);
        }
        if let Some(l) = self.locale {
            note("locale", &current.locale, &l);
            am.locale = Set(l);
        }
        let brand = &mut settings.branding;
        if let Some(a) = self.accent {
            note("branding.accent_colour", &brand.accent_colour, &a);
            brand.accent_colour = a;
        }
        if let Some(l) = self.logo {
            let old = brand.logo_text.as_deref().unwrap_or("");
            note("branding.logo_text", old, l.as_deref().unwrap_or(""));
            brand.logo_text = l;
        }
        if let Some(f) = self.footer {
            let old = brand.email_footer.as_deref().unwrap_or("");
            note("branding.email_footer", old, f.as_deref().unwrap_or(""));
            brand.email_footer = f;
        }
        if let Some(api) = self.api_tokens {
            let old = settings.features.api_tokens.to_string();
            note("features.api_tokens", &old, &api.to_string());
            settings.features.api_tokens = api;
        }
        if let Some(mut render) = self.render {
            // Based on what is stored now, so concurrent edits never reuse a revision.
            render.rev = settings.render.rev + 1;
            let old = settings.render.rev.to_string();
            note("render.rev", &old, &render.rev.to_string());
            settings.render = render;
        }
        am.settings = Set(settings.to_json());
        Ok((am, changed))
    }
}

/// Writes a studio's settings over the version `current` was read at (a
/// stale write answers 409 with the studio as it is now).
async fn save_settings(
    core: &Core,
    tx: &darkroom_db::Tx,
    p: &Principal,
    current: &studio::Model,
    settings: &StudioSettings,
) -> CoreResult<()> {
    let am = studio::ActiveModel {
        settings: Set(settings.to_json()),
        ..Default::default()
    };
    match write::try_update::<studio::Entity>(core, tx, p.studio, current.id, current.version, am)
        .await?
    {
        Ok(()) => Ok(()),
        Err(fresh) => Err(CoreError::stale(view(&fresh)?)),
    }
}

/// Studios a person can switch between.
pub async fn studios_of(
    core: &Core,
    user: darkroom_domain::UserId,
) -> CoreResult<Vec<(StudioId, String)>> {
    let mut out = Vec::new();
    let login = crate::studio::auth::login_of(core.db().conn(), user).await?;
    for m in repo::person::memberships_of_login(core.db().conn(), LoginId::from_uuid(login)).await?
    {
        if m.status != StaffStatus::Active {
            continue;
        }
        if let Some(s) =
            repo::studio::find(core.db().conn(), StudioId::from_uuid(m.studio_id)).await?
        {
            out.push((StudioId::from_uuid(s.id), s.name));
        }
    }
    Ok(out)
}

/// A studio's storage as the operator sees it.
#[derive(Clone, Debug)]
pub struct StorageReport {
    pub name: String,
    pub used_bytes: i64,
    /// The studio's own quota, if set.
    pub own_quota: Option<i64>,
    /// What is enforced: its own, else the instance default.
    pub effective_quota: Option<i64>,
    pub store: String,
}

/// Storage used and quotas of every studio (operators, from the terminal).
pub async fn storage_report(core: &Core) -> CoreResult<Vec<(StudioId, StorageReport)>> {
    let mut out = Vec::new();
    for m in repo::studio::list_all(core.db().conn()).await? {
        let used = repo::photo::storage_used(core.db().conn(), StudioId::from_uuid(m.id)).await?;
        out.push((
            StudioId::from_uuid(m.id),
            StorageReport {
                name: m.name.clone(),
                used_bytes: used,
                own_quota: m.storage_quota_bytes,
                effective_quota: quota_of(core, &m),
                store: m
                    .media_store
                    .clone()
                    .unwrap_or_else(|| core.stores().default.clone()),
            },
        ));
    }
    Ok(out)
}

/// Sets (or with `None`, clears) a studio's own storage quota. An operator
/// action from the terminal; audited on the studio's chain.
pub async fn set_quota(core: &Core, studio: StudioId, quota: Option<i64>) -> CoreResult<()> {
    if quota.is_some_and(|q| q < 0) {
        return Err(CoreError::invalid("quota", "a quota cannot be negative"));
    }
    let tx = core.db().begin().await?;
    let m = repo::studio::find(&tx, studio)
        .await?
        .ok_or(CoreError::not_found("studio"))?;
    let am = studio::ActiveModel {
        id: Set(m.id),
        storage_quota_bytes: Set(quota),
        updated_at: Set(core.now().as_micros()),
        version: Set(m.version + 1),
        ..Default::default()
    };
    use darkroom_db::sea_orm::ActiveModelTrait;
    am.update(&tx).await.map_err(darkroom_db::DbError::from)?;
    audit::record(
        core,
        &tx,
        &Meta::system(),
        Event {
            studio: Some(studio),
            branch: None,
            who: Who::system("operator (command line)"),
            event_type: "studio.quota_set",
            severity: Severity::Medium,
            target_type: "studio",
            target_id: studio.to_string(),
            payload: serde_json::json!({ "before": m.storage_quota_bytes, "after": quota }),
        },
    )
    .await?;
    crate::commit(tx).await
}
