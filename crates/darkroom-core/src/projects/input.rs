//! A project as staff send it, checked field by field.

use darkroom_db::entity::project;
use darkroom_db::sea_orm::ActiveValue::Set;
use darkroom_domain::field::{
    ClockOrBlank, DayOrBlank, Line, ProjectKindName, ProjectStatusName, Text, Zone,
};
use darkroom_domain::validate::FieldErrors;
use darkroom_domain::{BranchId, ClientId, ProjectId, UserId};
use serde::{Deserialize, Serialize};

/// The most people in one role on a project.
pub const MAX_PEOPLE: usize = 20;

/// A project as sent by staff: `client_id` and `kind` are required when
/// adding, `version` when changing; only the fields sent change.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub id: Option<ProjectId>,
    pub version: Option<i64>,
    pub client_id: Option<ClientId>,
    /// The branch that runs it (numbers and time zone come from it).
    pub branch_id: Option<BranchId>,
    /// Defaults to the client's name and the kind (`Asha & Ravi — wedding`).
    pub name: Option<Line<200>>,
    pub kind: Option<ProjectKindName>,
    pub status: Option<ProjectStatusName>,
    /// The day of the job (its first day), or `""` for not yet known.
    pub starts_on: Option<DayOrBlank>,
    /// Its last day, for a job of several days, or `""`.
    pub ends_on: Option<DayOrBlank>,
    /// When it starts on its first day, `HH:MM`, or `""`.
    pub start_time: Option<ClockOrBlank>,
    /// The IANA zone of the place (the branch's when left out).
    pub time_zone: Option<Zone>,
    pub venue: Option<Text<200>>,
    /// The client's special requests (makeup, must-have shots, family list).
    pub requests: Option<Text<5000>>,
    /// The package sold for it (`pkg_...`). Its photos included become
    /// the selection limit of the project's galleries (unless staff set
    /// another).
    pub package_id: Option<darkroom_domain::PackageId>,
    /// `true` takes the package off (a change only; not with `package_id`).
    pub no_package: Option<bool>,
    /// Exactly these photographers (`usr_...`), replacing the ones before.
    #[schema(max_items = 20)]
    pub photographer_ids: Option<Vec<UserId>>,
    #[schema(max_items = 20)]
    pub assistant_ids: Option<Vec<UserId>>,
    #[schema(max_items = 20)]
    pub editor_ids: Option<Vec<UserId>>,
}

crate::bodies!(ProjectInput, "a project":
    add NewProject requires ["client_id", "kind"] without ["version"];
    change ProjectChange requires ["version"] without ["id"]);

impl ProjectInput {
    /// Checks the plain fields sent into `am`.
    pub(crate) fn apply(&self, am: &mut project::ActiveModel, errs: &mut FieldErrors) {
        if let Some(n) = &self.name
            && let Some(n) = errs.check("name", n.check("the name"))
        {
            am.name = Set(n);
        }
        if let Some(k) = &self.kind
            && let Some(k) = errs.check("kind", k.check())
        {
            am.kind = Set(k);
        }
        if let Some(s) = &self.status
            && let Some(s) = errs.check("status", s.check())
        {
            am.status = Set(s);
        }
        if let Some(d) = &self.starts_on
            && let Some(d) = errs.check("starts_on", d.check())
        {
            am.starts_on = Set(Some(d).filter(|d| !d.is_empty()));
        }
        if let Some(d) = &self.ends_on
            && let Some(d) = errs.check("ends_on", d.check())
        {
            am.ends_on = Set(Some(d).filter(|d| !d.is_empty()));
        }
        if let Some(t) = &self.start_time
            && let Some(t) = errs.check("start_time", t.check())
        {
            am.start_time = Set(Some(t).filter(|t| !t.is_empty()));
        }
        if let Some(z) = &self.time_zone
            && let Some(z) = errs.check("time_zone", z.check())
        {
            am.time_zone = Set(z);
        }
        if let Some(v) = &self.venue
            && let Some(v) = errs.check("venue", v.check("the venue"))
        {
            am.venue = Set(v);
        }
        if let Some(r) = &self.requests
            && let Some(r) = errs.check("requests", r.check("the requests"))
        {
            am.requests = Set(r);
        }
        for (field, ids, _) in self.people() {
            if ids.len() > MAX_PEOPLE {
                errs.add(
                    field,
                    "too_many",
                    format!("name at most {MAX_PEOPLE} people in one role"),
                );
            }
        }
    }

    /// The people sent, by field and role.
    pub(crate) fn people(
        &self,
    ) -> Vec<(
        &'static str,
        &[UserId],
        darkroom_domain::project::ProjectRole,
    )> {
        use darkroom_domain::project::ProjectRole as R;
        [
            ("photographer_ids", &self.photographer_ids, R::Photographer),
            ("assistant_ids", &self.assistant_ids, R::Assistant),
            ("editor_ids", &self.editor_ids, R::Editor),
        ]
        .into_iter()
        .filter_map(|(f, v, r)| v.as_deref().map(|v| (f, v, r)))
        .collect()
    }
}

/// A job of several days ends on or after the day it starts.
pub(crate) fn check_days(starts: Option<&str>, ends: Option<&str>, errs: &mut FieldErrors) {
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errs.add(
            "ends_on",
            "before_start",
            format!("the last day ({e}) is before the first ({s}); leave it out for a one-day job"),
        );
    }
}
