//! Signing by link, without an account (decision 0034): the link's token
//! finds the signer; the client accepts the proposal; each signer asks
//! for a one-time code by email, confirms it, consents to sign
//! electronically, and types or draws a signature. Each step's time, the
//! address and browser, and the SHA-256 of the document seen are kept.

use base64::Engine as _;
use darkroom_db::entity::{contract, contract_signer};
use darkroom_db::repo;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::audit::Severity;
use darkroom_domain::billing::contract::{ContractStatus, SignatureKind, SignerRole};
use darkroom_domain::field::{Line, SignatureKindName};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{StudioId, TypedId};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::document::Document;
use super::{bare_view, record};
use crate::kernel::audit::Who;
use crate::kernel::error::{CoreError, CoreResult};
use crate::kernel::mail::Message;
use crate::kernel::mail::layout::{escape, wrap};
use crate::kernel::secret;
use crate::kernel::tenant::Header;
use crate::kernel::write;
use crate::{Core, Meta};

/// How long an emailed code works.
pub const CODE_SECS: i64 = 15 * 60;
/// Wrong tries before a code stops working.
pub const CODE_TRIES: i64 = 5;
/// Codes a signer may ask for in an hour.
pub const CODES_PER_HOUR: i64 = 5;
/// The largest drawn signature kept (PNG bytes).
pub const DRAWN_MAX: usize = 200_000;

/// The signer a link's token names, with their contract.
pub struct Signing {
    pub contract: contract::Model,
    pub signer: contract_signer::Model,
    pub others: Vec<contract_signer::Model>,
    pub document: Document,
    pub header: Header,
}

impl Signing {
    /// Every client signer has signed.
    pub fn clients_done(&self) -> bool {
        self.others
            .iter()
            .filter(|s| s.role == SignerRole::Client)
            .all(|s| s.signed_at.is_some())
    }

    /// A code was sent and still works.
    pub fn code_pending(&self, now: i64) -> bool {
        self.signer.code_hash.is_some() && self.signer.code_expires_at.is_some_and(|t| t > now)
    }
}

/// The signer of `token` (any studio: the link is the key); an unknown
/// token, or a contract never sent, is "not found".
pub async fn signing(core: &Core, token: &str) -> CoreResult<Signing> {
    let c = core.db().conn();
    let s = repo::contract::signer_by_token(c, &secret::hash_token(token))
        .await?
        .ok_or(CoreError::not_found("signing link"))?;
    let studio = StudioId::from_uuid(s.studio_id);
    let m = repo::contract::find(
        c,
        studio,
        darkroom_domain::ContractId::from_uuid(s.contract_id),
    )
    .await?
    .ok_or(CoreError::not_found("signing link"))?;
    let Some(json) = m.document.as_deref() else {
        return Err(CoreError::not_found("signing link"));
    };
    let document = Document::parse(json)?;
    let others = repo::contract::signers(c, studio, m.id).await?;
    let header = crate::kernel::tenant::page_header(core, studio).await?;
    Ok(Signing {
        contract: m,
        signer: s,
        others,
        document,
        header,
    })
}

fn must_be_open(g: &Signing) -> CoreResult<()> {
    match g.contract.status {
        ContractStatus::Sent => Ok(()),
        ContractStatus::Cancelled => Err(CoreError::conflict(
            "contract_cancelled",
            "the studio cancelled this contract; nothing more can be signed",
        )),
        _ => Err(CoreError::conflict(
            "contract_signed",
            "this contract is signed by everyone already",
        )),
    }
}

async fn save_signer(
    core: &Core,
    c: &impl darkroom_db::sea_orm::ConnectionTrait,
    s: &contract_signer::Model,
    am: contract_signer::ActiveModel,
) -> CoreResult<()> {
    let studio = StudioId::from_uuid(s.studio_id);
    write::update::<contract_signer::Entity, _>(core, c, studio, s.id, s.version, am, |x| {
        super::signer_view(&x)
    })
    .await
}

/// The signer opened their link: the first time is kept as evidence.
pub async fn viewed(core: &Core, g: &Signing) -> CoreResult<()> {
    if g.signer.viewed_at.is_some() {
        return Ok(());
    }
    let am = contract_signer::ActiveModel {
        viewed_at: Set(Some(core.now().as_micros())),
        ..Default::default()
    };
    match save_signer(core, core.db().conn(), &g.signer, am).await {
        // Two tabs opening at once: the first one's time stands.
        Ok(()) | Err(CoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

fn who(s: &contract_signer::Model) -> Who {
    Who::system(&format!("{} <{}> (signer)", s.name, s.email))
}

/// The client accepts the proposal (any of their signers, once).
pub async fn accept(core: &Core, meta: &Meta, token: &str) -> CoreResult<()> {
    let g = signing(core, token).await?;
    must_be_open(&g)?;
    if g.contract.accepted_at.is_some() {
        return Ok(());
    }
    let m = &g.contract;
    let am = contract::ActiveModel {
        accepted_at: Set(Some(core.now().as_micros())),
        accepted_by: Set(Some(g.signer.id)),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    write::update::<contract::Entity, _>(
        core,
        &tx,
        StudioId::from_uuid(m.studio_id),
        m.id,
        m.version,
        am,
        bare_view,
    )
    .await?;
    let payload = serde_json::json!({ "signer": g.signer.email, "ip": meta.ip, "document_sha256": m.document_sha256 });
    record(
        core,
        &tx,
        meta,
        who(&g.signer),
        m,
        ("contract.accepted", Severity::Medium),
        payload,
    )
    .await?;
    crate::commit(tx).await
}

fn code_hash(s: &contract_signer::Model, code: &str) -> String {
    secret::hash_token(&format!("{}:{}", s.id, code.trim()))
}

/// Emails the signer a fresh six-digit code (the last one stops working).
pub async fn send_code(core: &Core, token: &str) -> CoreResult<()> {
    let g = signing(core, token).await?;
    must_be_open(&g)?;
    let s = &g.signer;
    if s.signed_at.is_some() {
        return Err(CoreError::conflict(
            "already_signed",
            "you have signed this contract already",
        ));
    }
    if g.contract.accepted_at.is_none() {
        return Err(CoreError::conflict(
            "not_accepted",
            "accept the proposal first",
        ));
    }
    let now = core.now().as_micros();
    let recent = s
        .code_expires_at
        .is_some_and(|t| now < t - CODE_SECS * 1_000_000 + 3_600 * 1_000_000);
    let sent = if recent { s.codes_sent } else { 0 };
    if sent >= CODES_PER_HOUR {
        return Err(CoreError::RateLimited {
            retry_after: std::time::Duration::from_secs(3_600),
        });
    }
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let am = contract_signer::ActiveModel {
        code_hash: Set(Some(code_hash(s, &code))),
        code_expires_at: Set(Some(now + CODE_SECS * 1_000_000)),
        code_attempts: Set(0),
        codes_sent: Set(sent + 1),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    save_signer(core, &tx, s, am).await?;
    let msg = code_message(
        &g.header,
        &s.name,
        &code,
        g.contract.number.as_deref().unwrap_or(""),
    );
    let studio = StudioId::from_uuid(s.studio_id);
    crate::kernel::mail::queue(core, &tx, Some(studio), "contract_code", &s.email, msg).await?;
    crate::commit(tx).await
}

fn code_message(h: &Header, name: &str, code: &str, number: &str) -> Message {
    let studio = h.shown_name();
    let minutes = CODE_SECS / 60;
    Message {
        subject: format!("Your signing code: {code}"),
        text: format!(
            "Hello {name},\n\nYour code to sign contract {number} with {studio} is {code}. It works for {minutes} minutes.\n\nIf you did not ask for it, ignore this email: nothing is signed without the code.\n"
        ),
        html: wrap(
            &studio,
            &h.branding,
            &format!(
                "<p>Hello {},</p><p>Your code to sign contract {} with {} is</p><p style=\"font-size:28px;letter-spacing:4px\"><strong>{code}</strong></p><p>It works for {minutes} minutes. If you did not ask for it, ignore this email: nothing is signed without the code.</p>",
                escape(name),
                escape(number),
                escape(&studio)
            ),
        ),
    }
}

/// A signature as the signer sends it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SignInput {
    /// The six-digit code from the email.
    pub code: String,
    /// "I agree to sign electronically."
    pub consent: bool,
    /// `typed` or `drawn`.
    pub kind: SignatureKindName,
    /// The typed signature (the signer's name).
    pub typed: Option<Line<120>>,
    /// The drawn signature: a `data:image/png;base64,...` URL.
    pub drawn: Option<String>,
}

/// The signature read from `input`: typed text, or a drawn PNG kept as
/// its data URL.
pub(crate) fn signature_of(
    kind: &SignatureKindName,
    typed: Option<&Line<120>>,
    drawn: Option<&str>,
    errs: &mut FieldErrors,
) -> Option<(SignatureKind, String)> {
    match errs.check("kind", kind.check())? {
        SignatureKind::Typed => {
            let t = typed.map(|t| t.check("your signature"));
            match t {
                Some(Ok(t)) => Some((SignatureKind::Typed, t)),
                Some(Err(e)) => {
                    errs.add("typed", "invalid", e);
                    None
                }
                None => {
                    errs.add("typed", "required", "type your full name as your signature");
                    None
                }
            }
        }
        SignatureKind::Drawn => {
            let Some(url) = drawn.filter(|d| !d.is_empty()) else {
                errs.add("drawn", "required", "draw your signature in the box");
                return None;
            };
            let bytes = url
                .strip_prefix("data:image/png;base64,")
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
            match bytes {
                Some(b) if b.len() > DRAWN_MAX => {
                    errs.add(
                        "drawn",
                        "too_large",
                        "the drawn signature is too large; clear it and draw it again",
                    );
                    None
                }
                Some(b) if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() > 64 => {
                    Some((SignatureKind::Drawn, url.to_string()))
                }
                _ => {
                    errs.add(
                        "drawn",
                        "not_png",
                        "the drawn signature must be a PNG image (data:image/png;base64,...)",
                    );
                    None
                }
            }
        }
    }
}

/// A wrong code: the try is counted (the code stops working after
/// [`CODE_TRIES`]) and the answer says how many are left.
async fn wrong_code(core: &Core, s: &contract_signer::Model) -> CoreError {
    let tries = s.code_attempts + 1;
    let am = contract_signer::ActiveModel {
        code_attempts: Set(tries),
        code_hash: Set(if tries >= CODE_TRIES {
            None
        } else {
            s.code_hash.clone()
        }),
        ..Default::default()
    };
    if let Err(e) = save_signer(core, core.db().conn(), s, am).await {
        return e;
    }
    let left = CODE_TRIES - tries;
    let msg = if left > 0 {
        format!("that is not the code we emailed; {left} tries left")
    } else {
        "that is not the code we emailed; ask for a new code".to_string()
    };
    CoreError::invalid("code", msg)
}

/// Checks the code and records the signature with its evidence.
pub async fn sign(core: &Core, meta: &Meta, token: &str, input: SignInput) -> CoreResult<()> {
    let g = signing(core, token).await?;
    must_be_open(&g)?;
    let s = &g.signer;
    if s.signed_at.is_some() {
        return Err(CoreError::conflict(
            "already_signed",
            "you have signed this contract already",
        ));
    }
    if g.contract.accepted_at.is_none() {
        return Err(CoreError::conflict(
            "not_accepted",
            "accept the proposal first",
        ));
    }
    let now = core.now().as_micros();
    let mut errs = FieldErrors::new();
    if !input.consent {
        errs.add(
            "consent",
            "required",
            "tick the box to agree to sign electronically",
        );
    }
    let sig = signature_of(
        &input.kind,
        input.typed.as_ref(),
        input.drawn.as_deref(),
        &mut errs,
    );
    let live = s.code_hash.is_some() && s.code_expires_at.is_some_and(|t| t > now);
    if !live {
        errs.add(
            "code",
            "expired",
            "ask for a code first (or a new one: codes work for 15 minutes)",
        );
        errs.into_result()?;
        return Err(CoreError::invalid("code", "ask for a code first"));
    }
    if s.code_hash.as_deref() != Some(code_hash(s, &input.code).as_str()) {
        return Err(wrong_code(core, s).await);
    }
    errs.into_result()?;
    let Some((kind, signature)) = sig else {
        return Err(CoreError::invalid("kind", "sign by typing or drawing"));
    };
    let am = contract_signer::ActiveModel {
        code_hash: Set(None),
        verified_at: Set(Some(now)),
        consented_at: Set(Some(now)),
        signed_at: Set(Some(now)),
        signature_kind: Set(Some(kind)),
        signature: Set(Some(signature)),
        ip: Set(Some(meta.ip.clone())),
        user_agent: Set(meta.user_agent.clone()),
        document_sha256: Set(g.contract.document_sha256.clone()),
        ..Default::default()
    };
    let tx = core.db().begin().await?;
    save_signer(core, &tx, s, am).await?;
    let payload = serde_json::json!({
        "signer": s.email, "name": s.name, "kind": kind, "ip": meta.ip,
        "document_sha256": g.contract.document_sha256,
    });
    record(
        core,
        &tx,
        meta,
        who(s),
        &g.contract,
        ("contract.signed_by_client", Severity::High),
        payload,
    )
    .await?;
    crate::commit(tx).await
}

/// The signer's own status for their page.
pub fn is_signed(g: &Signing) -> bool {
    g.signer.signed_at.is_some()
}

/// A drawn signature's PNG bytes.
pub(crate) fn png_of(signature: &str) -> Option<Vec<u8>> {
    signature
        .strip_prefix("data:image/png;base64,")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
}

/// Reads a data URL's bytes (used by the evidence page too).
pub fn signature_png(s: &contract_signer::Model) -> Option<Vec<u8>> {
    (s.signature_kind == Some(SignatureKind::Drawn))
        .then(|| s.signature.as_deref().and_then(png_of))
        .flatten()
}
