//! Permissions and the built-in roles that grant them.
//!
//! A permission is a named right (`branch.edit`) grouped by area. Roles are
//! sets of permissions; every studio gets the built-in roles below and may
//! edit them (except `owner`, which always holds everything) or add its own.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! permissions {
    ($($variant:ident => $name:literal, $area:literal, $desc:literal;)*) => {
        /// A named right. Stored and shown by its dotted name.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
        pub enum Permission { $($variant),* }

        impl Permission {
            /// Every permission, in display order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            /// The stable dotted name, e.g. `branch.edit`.
            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name),* }
            }

            /// The area it belongs to, for grouping in the UI.
            pub fn area(self) -> &'static str {
                match self { $(Permission::$variant => $area),* }
            }

            /// What it allows, in a sentence.
            pub fn description(self) -> &'static str {
                match self { $(Permission::$variant => $desc),* }
            }

            pub fn parse(name: &str) -> Result<Self, String> {
                match name {
                    $($name => Ok(Permission::$variant),)*
                    _ => Err(format!(
                        "`{name}` is not a permission; known permissions are: {}",
                        Permission::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }
    };
}

permissions! {
    StudioView => "studio.view", "studio", "See the studio's profile and settings";
    StudioSettingsEdit => "studio.settings.edit", "studio", "Change branding, locale, currency, features and email settings";
    BranchView => "branch.view", "branches", "See branches";
    BranchCreate => "branch.create", "branches", "Create branches";
    BranchEdit => "branch.edit", "branches", "Edit a branch's address, tax identity, invoice prefix, zone and currency";
    BranchDelete => "branch.delete", "branches", "Delete and restore branches";
    StaffView => "staff.view", "staff", "See staff accounts and their roles";
    StaffInvite => "staff.invite", "staff", "Invite new staff members";
    StaffEdit => "staff.edit", "staff", "Edit staff names, phones and time zones";
    StaffSuspend => "staff.suspend", "staff", "Suspend and reactivate staff accounts";
    StaffDelete => "staff.delete", "staff", "Delete and restore staff accounts";
    RoleView => "role.view", "access", "See roles, permissions and grants";
    RoleManage => "role.manage", "access", "Create and edit roles, assign roles and grant permissions";
    AuditView => "audit.view", "audit", "Read the audit log";
    AuditExport => "audit.export", "audit", "Export the audit log";
    JobView => "job.view", "operations", "See background jobs and outgoing email";
    JobManage => "job.manage", "operations", "Retry failed jobs and resend email";
    GalleryView => "gallery.view", "galleries", "See galleries, staged uploads and their photos";
    GalleryManage => "gallery.manage", "galleries", "Create, rename, archive and delete galleries; file staged photos into them";
    PhotoUpload => "photo.upload", "photos", "Upload photos and new versions of photos";
    PhotoDelete => "photo.delete", "photos", "Delete photos and purge replaced versions";
    BookingView => "booking.view", "bookings", "See calendars, bookings, resources and availability";
    BookingManage => "booking.manage", "bookings", "Book, move and cancel sessions; manage resources, session types and working hours";
    InvoiceView => "invoice.view", "billing", "See invoices, credit notes, payments, balances and money reports";
    InvoiceManage => "invoice.manage", "billing", "Draft, issue and credit invoices; change a branch's tax settings";
    PaymentRecord => "payment.record", "billing", "Record payments received by cash, transfer, card terminal or cheque";
    PaymentRefund => "payment.refund", "billing", "Give money back to clients";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Permission::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A set of permissions.
pub type PermissionSet = BTreeSet<Permission>;

/// The roles every studio starts with.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    Owner,
    Manager,
    Photographer,
    Editor,
    Assistant,
    Accountant,
}

impl BuiltinRole {
    pub const ALL: &'static [BuiltinRole] = &[
        BuiltinRole::Owner,
        BuiltinRole::Manager,
        BuiltinRole::Photographer,
        BuiltinRole::Editor,
        BuiltinRole::Assistant,
        BuiltinRole::Accountant,
    ];

    /// The stable key stored with the role.
    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "owner",
            BuiltinRole::Manager => "manager",
            BuiltinRole::Photographer => "photographer",
            BuiltinRole::Editor => "editor",
            BuiltinRole::Assistant => "assistant",
            BuiltinRole::Accountant => "accountant",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.key() == key)
    }

    pub fn display_name(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "Owner",
            BuiltinRole::Manager => "Manager",
            BuiltinRole::Photographer => "Photographer",
            BuiltinRole::Editor => "Editor",
            BuiltinRole::Assistant => "Assistant",
            BuiltinRole::Accountant => "Accountant",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "Holds every permission; cannot be edited, assigned or removed",
            BuiltinRole::Manager => "Runs the studio day to day: branches, staff, operations",
            BuiltinRole::Photographer => "Shoots: sees the studio, its branches and colleagues",
            BuiltinRole::Editor => "Edits photos: sees the studio, its branches and colleagues",
            BuiltinRole::Assistant => "Helps on shoots: sees the studio and its branches",
            BuiltinRole::Accountant => {
                "Keeps the books: sees invoices and the audit log, records payments"
            }
        }
    }

    /// The permissions the role holds in a new studio.
    pub fn default_permissions(self) -> PermissionSet {
        use Permission::*;
        let list: &[Permission] = match self {
            BuiltinRole::Owner => Permission::ALL,
            BuiltinRole::Manager => &[
                StudioView,
                StudioSettingsEdit,
                BranchView,
                BranchCreate,
                BranchEdit,
                BranchDelete,
                StaffView,
                StaffInvite,
                StaffEdit,
                StaffSuspend,
                StaffDelete,
                RoleView,
                AuditView,
                JobView,
                JobManage,
                GalleryView,
                GalleryManage,
                PhotoUpload,
                PhotoDelete,
                BookingView,
                BookingManage,
                InvoiceView,
                InvoiceManage,
                PaymentRecord,
                PaymentRefund,
            ],
            BuiltinRole::Photographer => &[
                StudioView,
                BranchView,
                StaffView,
                GalleryView,
                GalleryManage,
                PhotoUpload,
                BookingView,
            ],
            BuiltinRole::Editor => &[StudioView, BranchView, StaffView, GalleryView, PhotoUpload],
            BuiltinRole::Assistant => &[
                StudioView,
                BranchView,
                GalleryView,
                PhotoUpload,
                BookingView,
            ],
            BuiltinRole::Accountant => &[
                StudioView,
                BranchView,
                StaffView,
                AuditView,
                AuditExport,
                GalleryView,
                InvoiceView,
                PaymentRecord,
            ],
        };
        list.iter().copied().collect()
    }
}

/// Parses a list of permission names, reporting every unknown one.
pub fn parse_permission_list(names: &[impl AsRef<str>]) -> Result<PermissionSet, String> {
    let mut set = PermissionSet::new();
    let mut unknown = Vec::new();
    for n in names {
        let n = n.as_ref();
        match Permission::parse(n) {
            Ok(p) => {
                set.insert(p);
            }
            Err(_) => unknown.push(format!("`{n}`")),
        }
    }
    if unknown.is_empty() {
        Ok(set)
    } else {
        Err(format!(
            "unknown permission(s) {}; see GET /api/v1/permissions for the list",
            unknown.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = BTreeSet::new();
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.name()), Ok(*p));
            assert!(seen.insert(p.name()), "duplicate {}", p.name());
            assert!(!p.description().is_empty());
        }
    }

    #[test]
    fn owner_has_everything_and_others_less() {
        let all: PermissionSet = Permission::ALL.iter().copied().collect();
        assert_eq!(BuiltinRole::Owner.default_permissions(), all);
        for r in BuiltinRole::ALL
            .iter()
            .filter(|r| **r != BuiltinRole::Owner)
        {
            let perms = r.default_permissions();
            assert!(perms.len() < all.len(), "{r:?}");
            assert!(
                !perms.contains(&Permission::RoleManage),
                "{r:?} must not manage roles"
            );
        }
    }

    #[test]
    fn unknown_permissions_are_listed() {
        let err = parse_permission_list(&["branch.view", "nope"]).unwrap_err();
        assert!(err.contains("`nope`"), "{err}");
    }
}
