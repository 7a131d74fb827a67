//! Who may act on a person: the rules behind staff management and sign-ins
//! (decision 0020).
//!
//! A person signs in with one login (email and password) and may work for
//! several studios; each studio knows them through its own staff account.
//! Two rules keep one studio from reaching past its own account:
//!
//! - **The sign-in belongs to the person.** A studio may act on a login
//!   (make a password-reset link, set a password, end sessions in every
//!   studio) only while the login belongs to no other studio. An invitation
//!   not yet accepted counts for nothing, in either direction.
//! - **Nobody manages someone above them.** Changing a colleague's account
//!   (profile, standing, roles, grants, reset links) requires holding every
//!   permission that colleague holds, or being the owner.

use crate::permission::{Permission, PermissionSet};
use crate::{StudioId, UserId};

/// A staff account's status, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffStatus {
    /// Invited, not yet accepted: bound to no sign-in.
    Invited,
    Active,
    Suspended,
}

impl StaffStatus {
    pub const NAMES: &'static [&'static str] = &["invited", "active", "suspended"];
    pub const ALL: &'static [StaffStatus] = &[Self::Invited, Self::Active, Self::Suspended];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "invited" => Ok(Self::Invited),
            "active" => Ok(Self::Active),
            "suspended" => Ok(Self::Suspended),
            _ => Err(format!(
                "`{s}` is not a staff status; use invited, active or suspended"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    /// The person accepted: the account is part of their sign-in.
    pub fn accepted(self) -> bool {
        !matches!(self, Self::Invited)
    }
}

/// One staff account reached through a login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    pub studio: StudioId,
    pub status: StaffStatus,
    pub deleted: bool,
}

/// Why a studio may not act on a person's sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInRefusal {
    /// The person has not accepted the invitation: there is no sign-in to act on.
    NotAccepted,
    /// The person also works for another studio: the sign-in is theirs alone.
    SharedWithAnotherStudio,
}

impl SignInRefusal {
    pub fn message(&self) -> &'static str {
        match self {
            Self::NotAccepted => {
                "this person has not accepted the invitation yet, so there is no sign-in to reset; resend the invitation instead"
            }
            Self::SharedWithAnotherStudio => {
                "this person also works for another studio, so their sign-in is theirs alone: ask them to use \"Forgot your password?\" on the sign-in page"
            }
        }
    }
}

/// May `studio` act on the sign-in behind `accounts` (every staff account of
/// the login, in every studio)? Deleted accounts and invitations not yet
/// accepted do not count as belonging.
pub fn studio_holds_sign_in(studio: StudioId, accounts: &[Account]) -> Result<(), SignInRefusal> {
    let belongs: Vec<&Account> = accounts
        .iter()
        .filter(|a| !a.deleted && a.status.accepted())
        .collect();
    if !belongs.iter().any(|a| a.studio == studio) {
        return Err(SignInRefusal::NotAccepted);
    }
    if belongs.iter().any(|a| a.studio != studio) {
        return Err(SignInRefusal::SharedWithAnotherStudio);
    }
    Ok(())
}

/// The permissions `target` holds that `actor` does not (empty: the actor
/// may manage the target). `actor_holds` is what the actor holds
/// studio-wide; the owner holds everything.
pub fn missing_to_manage(
    actor_holds: &PermissionSet,
    target_holds: &PermissionSet,
) -> Vec<Permission> {
    target_holds
        .iter()
        .filter(|p| !actor_holds.contains(p))
        .copied()
        .collect()
}

/// The refusal when someone tries to change a colleague above them.
pub fn outranked_message(missing: &[Permission]) -> String {
    format!(
        "you can change only the accounts of people whose permissions you hold yourself; this person also holds {}. Ask the owner",
        missing
            .iter()
            .map(|p| format!("`{}`", p.name()))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Nobody changes their own standing, roles or grants.
pub fn is_self(actor: UserId, target: UserId) -> bool {
    actor == target
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct(studio: StudioId, status: StaffStatus) -> Account {
        Account {
            studio,
            status,
            deleted: false,
        }
    }

    #[test]
    fn a_studio_holds_a_sign_in_only_its_own_people_use() {
        let a = StudioId::new();
        let b = StudioId::new();
        assert_eq!(
            studio_holds_sign_in(a, &[acct(a, StaffStatus::Active)]),
            Ok(())
        );
        assert_eq!(
            studio_holds_sign_in(a, &[acct(a, StaffStatus::Suspended)]),
            Ok(())
        );
        // Someone who also works for B: the sign-in is theirs alone.
        assert_eq!(
            studio_holds_sign_in(
                a,
                &[acct(a, StaffStatus::Active), acct(b, StaffStatus::Active)]
            ),
            Err(SignInRefusal::SharedWithAnotherStudio)
        );
        assert_eq!(
            studio_holds_sign_in(
                b,
                &[
                    acct(a, StaffStatus::Active),
                    acct(b, StaffStatus::Suspended)
                ]
            ),
            Err(SignInRefusal::SharedWithAnotherStudio)
        );
    }

    #[test]
    fn an_invitation_grants_nothing_and_takes_nothing() {
        let a = StudioId::new();
        let b = StudioId::new();
        // B only invited A's person: B holds nothing, A keeps its hold.
        let accounts = [acct(a, StaffStatus::Active), acct(b, StaffStatus::Invited)];
        assert_eq!(
            studio_holds_sign_in(b, &accounts),
            Err(SignInRefusal::NotAccepted)
        );
        assert_eq!(studio_holds_sign_in(a, &accounts), Ok(()));
        // Nobody accepted anything: nobody holds it.
        assert_eq!(
            studio_holds_sign_in(b, &[acct(b, StaffStatus::Invited)]),
            Err(SignInRefusal::NotAccepted)
        );
    }

    #[test]
    fn deleted_accounts_do_not_belong() {
        let a = StudioId::new();
        let b = StudioId::new();
        let gone = Account {
            studio: b,
            status: StaffStatus::Active,
            deleted: true,
        };
        assert_eq!(
            studio_holds_sign_in(a, &[acct(a, StaffStatus::Active), gone]),
            Ok(())
        );
        assert_eq!(
            studio_holds_sign_in(b, &[acct(a, StaffStatus::Active), gone]),
            Err(SignInRefusal::NotAccepted)
        );
    }

    #[test]
    fn managing_needs_every_permission_of_the_target() {
        use Permission::*;
        let manager: PermissionSet = [StaffEdit, StaffSuspend, AuditView].into_iter().collect();
        let accountant: PermissionSet = [AuditView, AuditExport].into_iter().collect();
        let photographer: PermissionSet = [AuditView].into_iter().collect();
        assert_eq!(missing_to_manage(&manager, &accountant), vec![AuditExport]);
        assert!(missing_to_manage(&manager, &photographer).is_empty());
        assert!(outranked_message(&[AuditExport]).contains("`audit.export`"));
    }

    #[test]
    fn statuses_round_trip() {
        for n in StaffStatus::NAMES {
            assert_eq!(StaffStatus::parse(n).map(StaffStatus::name), Ok(*n));
        }
        assert!(StaffStatus::parse("gone").is_err());
    }
}
