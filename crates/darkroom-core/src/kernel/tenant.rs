//! The tenant: a studio's row as every context needs it (its name,
//! branding, settings, email server, quota and watermark), read here so no
//! context reaches into the studio context for it. Changing them is the
//! studio context's (`crate::studio::settings`).

use darkroom_db::entity::studio;
use darkroom_db::repo;
use darkroom_domain::{StudioId, TypedId};
use serde::{Deserialize, Serialize};

use crate::kernel::ctx::{Core, SmtpSecurity, SmtpSettings};
use crate::kernel::error::{CoreError, CoreResult};

/// How the studio presents itself to clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Branding {
    /// Accent colour of pages and emails, `#rrggbb`.
    pub accent_colour: String,
    /// Shown in the header of client pages instead of the studio name.
    pub logo_text: Option<String>,
    /// A line at the end of every email.
    pub email_footer: Option<String>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            accent_colour: "#8a4b2a".into(),
            logo_text: None,
            email_footer: None,
        }
    }
}

/// Switches for optional capabilities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Features {
    /// Staff may create personal API tokens; when off, existing tokens stop working.
    pub api_tokens: bool,
}

impl Default for Features {
    fn default() -> Self {
        Self { api_tokens: true }
    }
}

/// How photos are rendered for people: derivative sizes and qualities, and
/// the watermark on proofs. `rev` counts changes; derivatives made with an
/// older revision are rendered again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RenderConfig {
    /// Long edge of thumbnails, in pixels (100 to 1200).
    pub thumb_edge: u32,
    /// Long edge of previews and proofs, in pixels (800 to 4096).
    pub preview_edge: u32,
    /// JPEG quality, 40 to 100.
    pub thumb_quality: u8,
    pub preview_quality: u8,
    pub proof_quality: u8,
    pub watermark: WatermarkConfig,
    pub rev: i64,
}

impl Default for RenderConfig {
    fn default() -> Self {
        Self {
            thumb_edge: 400,
            preview_edge: 2048,
            thumb_quality: 80,
            preview_quality: 85,
            proof_quality: 82,
            watermark: WatermarkConfig::default(),
            rev: 1,
        }
    }
}

/// The watermark on proofs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WatermarkConfig {
    pub enabled: bool,
    /// The text; absent means the studio's name. Ignored when an image is set.
    pub text: Option<String>,
    /// The studio uploaded an image watermark (PNG with transparency).
    pub has_image: bool,
    /// `center`, `bottom_right`, `bottom_left`, `top_right`, `top_left` or `tiled`.
    pub position: String,
    /// Opacity in percent (5 to 100).
    pub opacity: u8,
    /// Width as a percentage of the photo's width (5 to 100).
    pub scale: u8,
}

impl Default for WatermarkConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            text: None,
            has_image: false,
            position: "bottom_right".into(),
            opacity: 50,
            scale: 30,
        }
    }
}

/// The studio's SMTP server as stored (password sealed with the instance key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSmtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password_sealed: Option<String>,
    pub from_address: String,
    pub from_name: String,
}

/// Everything stored in `studios.settings`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudioSettings {
    #[serde(default)]
    pub branding: Branding,
    #[serde(default)]
    pub features: Features,
    #[serde(default)]
    pub email: Option<StoredSmtp>,
    #[serde(default)]
    pub render: RenderConfig,
}

impl StudioSettings {
    pub fn parse(json: &str) -> CoreResult<Self> {
        serde_json::from_str(json)
            .map_err(|e| CoreError::Internal(anyhow::anyhow!("studio settings: {e}")))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// The studio's row.
pub async fn load(core: &Core, studio: StudioId) -> CoreResult<studio::Model> {
    repo::studio::find(core.db().conn(), studio)
        .await?
        .ok_or(CoreError::not_found("studio"))
}

/// A studio's quota: its own, else the plan default from configuration.
pub fn quota_of(core: &Core, m: &studio::Model) -> Option<i64> {
    m.storage_quota_bytes.or(core
        .settings()
        .media
        .default_quota_bytes
        .and_then(|q| i64::try_from(q).ok()))
}

/// What a page or an email says about its studio.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub name: String,
    pub branding: Branding,
    /// How its pages write dates and words (`en-IN`, `ko-KR`).
    pub locale: String,
    /// IANA name.
    pub time_zone: String,
}

impl Header {
    /// The name clients see: the logo text when there is one.
    pub fn shown_name(&self) -> String {
        self.branding
            .logo_text
            .clone()
            .unwrap_or_else(|| self.name.clone())
    }
}

/// The studio's name, branding, locale and zone, from one read of its row.
pub async fn page_header(core: &Core, studio: StudioId) -> CoreResult<Header> {
    let m = load(core, studio).await?;
    let s = StudioSettings::parse(&m.settings)?;
    Ok(Header {
        name: m.name,
        branding: s.branding,
        locale: m.locale,
        time_zone: m.time_zone,
    })
}

/// The studio's name and branding, for page chrome; no permission needed
/// beyond being signed in to it.
pub async fn header(core: &Core, studio: StudioId) -> CoreResult<(String, Branding)> {
    let h = page_header(core, studio).await?;
    Ok((h.name, h.branding))
}

/// The key of a studio's watermark image.
pub fn watermark_image_key(studio: StudioId) -> darkroom_media::Key {
    #[allow(clippy::unwrap_used)] // made of a UUID: always a valid key
    darkroom_media::Key::new(format!("s/{}/watermark.png", studio.uuid().simple())).unwrap()
}

/// Whether mail for the studio can go out (its own SMTP server or the
/// instance's is set up).
pub async fn can_email(core: &Core, studio: StudioId) -> CoreResult<bool> {
    Ok(smtp_for(core, Some(studio)).await?.is_some())
}

/// The SMTP server for a studio's mail: its own, else the instance's.
pub async fn smtp_for(core: &Core, studio: Option<StudioId>) -> CoreResult<Option<SmtpSettings>> {
    if let Some(s) = studio
        && let Some(m) = repo::studio::find(core.db().conn(), s).await?
    {
        let settings = StudioSettings::parse(&m.settings)?;
        if let Some(e) = settings.email {
            return Ok(Some(SmtpSettings {
                host: e.host,
                port: e.port,
                security: e.security,
                username: e.username,
                password: e
                    .password_sealed
                    .as_deref()
                    .and_then(|p| core.keys().open(p)),
                from_address: e.from_address,
                from_name: e.from_name,
                timeout: std::time::Duration::from_secs(30),
            }));
        }
    }
    Ok(core.settings().smtp.clone())
}
