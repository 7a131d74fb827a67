//! Closed sets of names a field may take (statuses, kinds, purposes, ...):
//! each is an enum with its stable names, parsed at the edge and described
//! in the OpenAPI document by the same list ([`crate::field::Pick`]).

use std::fmt;

/// An enum whose values have stable names (stored in columns, sent in JSON).
pub trait Named: Sized + Copy + PartialEq + 'static {
    /// What one value is, for messages (`gallery status`).
    const WHAT: &'static str;
    /// The schema's name in the OpenAPI document (`GalleryStatus`).
    const SCHEMA: &'static str;
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;

    fn names() -> Vec<&'static str> {
        Self::all().iter().map(|x| x.name()).collect()
    }

    /// The value named `s`, or a message listing the names there are.
    fn parse_name(s: &str) -> Result<Self, String> {
        Self::all()
            .iter()
            .copied()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                let names = Self::names();
                let (last, rest) = names.split_last().unwrap_or((&"", &[]));
                let list = if rest.is_empty() {
                    last.to_string()
                } else {
                    format!("{} or {last}", rest.join(", "))
                };
                format!(
                    "`{}` is not a {}; use {list}",
                    crate::validate::clip(s),
                    Self::WHAT
                )
            })
    }
}

/// Declares an enum with stable names, `Named`, `Display`, strict serde by
/// name, and its OpenAPI schema.
#[macro_export]
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident, $what:literal {
        $($(#[$vm:meta])* $v:ident => $n:literal),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            pub fn name(self) -> &'static str {
                match self { $($name::$v => $n),* }
            }
            pub fn parse(s: &str) -> Result<Self, String> {
                <Self as $crate::names::Named>::parse_name(s)
            }
        }

        impl $crate::names::Named for $name {
            const WHAT: &'static str = $what;
            const SCHEMA: &'static str = stringify!($name);
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn name(self) -> &'static str {
                $name::name(self)
            }
        }

        $crate::named_traits!($name);
        $crate::named_column!($name);
    };
}

/// Serde by a `Named` enum's names: strict, with the list of names in the
/// error.
#[macro_export]
macro_rules! named_serde {
    ($($ty:ty),*) => {$(
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::names::Named::name(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$ty as $crate::names::Named>::parse_name(&s).map_err(::serde::de::Error::custom)
            }
        }
    )*};
}

/// `Display`, serde by name and the OpenAPI schema of a `Named` enum.
#[macro_export]
macro_rules! named_traits {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::names::Named::name(*self))
            }
        }

        $crate::named_serde!($name);

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::names::enum_schema(&<$name as $crate::names::Named>::names())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(<$name as $crate::names::Named>::SCHEMA)
            }
        }
    };
}

/// Binds a `Named` enum to a text column: SeaORM reads and writes it by
/// its stable name, and a row holding any other text is an error that
/// names the type, never a silently wrong value.
#[cfg(feature = "db")]
#[macro_export]
macro_rules! named_column {
    ($ty:ty) => {
        impl ::std::convert::From<$ty> for ::sea_orm::Value {
            fn from(v: $ty) -> Self {
                $crate::names::Named::name(v).into()
            }
        }

        impl ::sea_orm::TryGetable for $ty {
            fn try_get_by<I: ::sea_orm::ColIdx>(
                res: &::sea_orm::QueryResult,
                idx: I,
            ) -> ::std::result::Result<Self, ::sea_orm::TryGetError> {
                let s = <String as ::sea_orm::TryGetable>::try_get_by(res, idx)?;
                <$ty as $crate::names::Named>::parse_name(&s).map_err(|e| {
                    ::sea_orm::TryGetError::DbErr(::sea_orm::DbErr::Type(format!(
                        "a stored {}: {e}",
                        <$ty as $crate::names::Named>::WHAT
                    )))
                })
            }
        }

        impl ::sea_orm::sea_query::ValueType for $ty {
            fn try_from(
                v: ::sea_orm::Value,
            ) -> ::std::result::Result<Self, ::sea_orm::sea_query::ValueTypeErr> {
                let s = <String as ::sea_orm::sea_query::ValueType>::try_from(v)?;
                <$ty as $crate::names::Named>::parse_name(&s)
                    .map_err(|_| ::sea_orm::sea_query::ValueTypeErr)
            }
            fn type_name() -> String {
                <$ty as $crate::names::Named>::SCHEMA.to_owned()
            }
            fn array_type() -> ::sea_orm::sea_query::ArrayType {
                ::sea_orm::sea_query::ArrayType::String
            }
            fn column_type() -> ::sea_orm::sea_query::ColumnType {
                ::sea_orm::sea_query::ColumnType::String(::sea_orm::sea_query::StringLen::None)
            }
        }

        impl ::sea_orm::sea_query::Nullable for $ty {
            fn null() -> ::sea_orm::Value {
                ::sea_orm::Value::String(None)
            }
        }

        impl ::sea_orm::IntoActiveValue<$ty> for $ty {
            fn into_active_value(self) -> ::sea_orm::ActiveValue<$ty> {
                ::sea_orm::ActiveValue::Set(self)
            }
        }

        impl ::sea_orm::sea_query::postgres_array::NotU8 for $ty {}
    };
}

/// Without the `db` feature the columns are not bound.
#[cfg(not(feature = "db"))]
#[macro_export]
macro_rules! named_column {
    ($ty:ty) => {};
}

/// A string schema listing `names`.
#[cfg(feature = "openapi")]
pub fn enum_schema(names: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(names.iter().copied()))
        .into()
}

/// Lists values for people: `a, b or c`.
pub struct Listed<'a>(pub &'a [&'a str]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_last() {
            None => Ok(()),
            Some((last, [])) => f.write_str(last),
            Some((last, rest)) => write!(f, "{} or {last}", rest.join(", ")),
        }
    }
}

named_enum!(
    /// Where a gallery is in its life.
    GalleryStatus, "gallery status" {
        Active => "active",
        Completed => "completed",
        Archived => "archived",
    }
);

named_enum!(
    /// How a gallery's photos are ordered.
    SortOrder, "sort order" {
        /// By capture time, then file name.
        Capture => "capture",
        Name => "name",
        /// The studio's own order.
        Manual => "manual",
    }
);

named_enum!(
    /// What a studio's client is.
    ClientKind, "client kind" {
        Person => "person",
        /// Two partners sharing one record (a wedding couple).
        Couple => "couple",
        /// A company, agency or school, reached through its contacts.
        Organisation => "organisation",
    }
);

named_enum!(
    /// Who a share link is for.
    LinkKind, "link kind" {
        /// One person (emailed to them).
        Person => "person",
        /// Anyone holding the link and its access code.
        General => "general",
    }
);

named_enum!(
    /// What a share link is for.
    LinkPurpose, "link purpose" {
        Proofing => "proofing",
        Delivery => "delivery",
    }
);

named_enum!(
    /// A right a share link grants beyond viewing.
    LinkRight, "link right" {
        Favourite => "favourite",
        Comment => "comment",
        Edits => "edits",
        Clean => "clean",
    }
);

named_enum!(
    /// What a physical deliverable is.
    DeliverableKind, "deliverable kind" {
        Usb => "usb",
        Album => "album",
        Prints => "prints",
        Other => "other",
    }
);

named_enum!(
    /// Where a physical deliverable is.
    DeliverableStatus, "delivery status" {
        Preparing => "preparing",
        Ready => "ready",
        Shipped => "shipped",
        Delivered => "delivered",
        Cancelled => "cancelled",
    }
);

named_enum!(
    /// Where a proof's watermark goes.
    WatermarkPosition, "watermark position" {
        Center => "center",
        BottomRight => "bottom_right",
        BottomLeft => "bottom_left",
        TopRight => "top_right",
        TopLeft => "top_left",
        Tiled => "tiled",
    }
);

named_enum!(
    /// Where a background job is.
    JobStatus, "job status" {
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

named_enum!(
    /// Where an outgoing email is.
    EmailStatus, "email status" {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Failed => "failed",
        /// A send was interrupted: it may or may not have left.
        Uncertain => "uncertain",
    }
);

named_enum!(
    /// What a contextual grant can point at.
    GrantKind, "kind of resource a permission can be granted on" {
        Branch => "branch",
        Gallery => "gallery",
    }
);

named_enum!(
    /// Where a photo is on its way to being shown.
    PhotoStatus, "photo status" {
        /// Its first version is being rendered.
        Processing => "processing",
        Ready => "ready",
        /// Rendering failed; the original is kept.
        Failed => "failed",
    }
);

named_enum!(
    /// Where one version's renditions are.
    RenderStatus, "render status" {
        Pending => "pending",
        Ready => "ready",
        Failed => "failed",
        /// No renderer for the format on this build (HEIC without libheif):
        /// the original is kept and delivered as it is.
        Unsupported => "unsupported",
        /// A rendition file went missing from storage and waits for repair.
        Missing => "missing",
    }
);

named_enum!(
    /// What a version of a photo is.
    VersionRole, "version role" {
        /// A camera raw file as shot.
        Raw => "raw",
        Original => "original",
        /// An editor's work on it.
        Edited => "edited",
        /// The version to deliver.
        Final => "final",
    }
);

named_enum!(
    /// A stored image's format, told from its bytes (never from the name it
    /// arrived with).
    ImageFormat, "image format" {
        Jpeg => "jpeg",
        Png => "png",
        Webp => "webp",
        Tiff => "tiff",
        Heic => "heic",
        /// Canon CR2 (TIFF-based).
        Cr2 => "cr2",
        /// Canon CR3 (ISO base media).
        Cr3 => "cr3",
        /// Nikon NEF (TIFF-based).
        Nef => "nef",
        /// Sony ARW (TIFF-based).
        Arw => "arw",
        /// Adobe DNG (TIFF-based).
        Dng => "dng",
        /// Fujifilm RAF.
        Raf => "raf",
    }
);

impl ImageFormat {
    /// The media type a file of this format is served as.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Tiff => "image/tiff",
            ImageFormat::Heic => "image/heic",
            ImageFormat::Cr2 => "image/x-canon-cr2",
            ImageFormat::Cr3 => "image/x-canon-cr3",
            ImageFormat::Nef => "image/x-nikon-nef",
            ImageFormat::Arw => "image/x-sony-arw",
            ImageFormat::Dng => "image/x-adobe-dng",
            ImageFormat::Raf => "image/x-fuji-raf",
        }
    }

    /// Camera raw: stored as the original, previewed from its embedded JPEG.
    pub fn is_raw(self) -> bool {
        matches!(
            self,
            ImageFormat::Cr2
                | ImageFormat::Cr3
                | ImageFormat::Nef
                | ImageFormat::Arw
                | ImageFormat::Dng
                | ImageFormat::Raf
        )
    }
}

named_enum!(
    /// Where a resumable upload is.
    UploadStatus, "upload status" {
        Receiving => "receiving",
        Finished => "finished",
        Failed => "failed",
        Terminated => "terminated",
    }
);

named_enum!(
    /// What a client wrote on a photo.
    NoteKind, "note kind" {
        Comment => "comment",
        EditRequest => "edit_request",
    }
);

/// Implements `Named` (and serde, schema) for an enum with `ALL`, `name`.
macro_rules! named_existing {
    ($ty:ty, $what:literal, $schema:literal, $all:expr, $name_fn:ident) => {
        impl Named for $ty {
            const WHAT: &'static str = $what;
            const SCHEMA: &'static str = $schema;
            fn all() -> &'static [Self] {
                $all
            }
            fn name(self) -> &'static str {
                <$ty>::$name_fn(self)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                enum_schema(&<$ty as Named>::names())
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $ty {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed($schema)
            }
        }

        crate::named_column!($ty);
    };
}

named_serde!(
    crate::editing::Priority,
    crate::editing::TaskStatus,
    crate::people::StaffStatus,
    crate::link::DownloadLevel
);

named_existing!(
    crate::permission::Permission,
    "permission",
    "Permission",
    crate::permission::Permission::ALL,
    name
);
named_existing!(
    crate::editing::Priority,
    "priority",
    "Priority",
    &crate::editing::Priority::ALL,
    name
);
named_existing!(
    crate::tax::TaxIdKind,
    "tax id kind",
    "TaxIdKind",
    crate::tax::TaxIdKind::ALL,
    key
);
named_existing!(
    crate::people::StaffStatus,
    "staff status",
    "StaffStatus",
    crate::people::StaffStatus::ALL,
    name
);
named_existing!(
    crate::audit::Severity,
    "severity",
    "Severity",
    crate::audit::Severity::ALL,
    name
);
named_existing!(
    crate::link::DownloadLevel,
    "download level",
    "DownloadLevel",
    crate::link::DownloadLevel::ALL,
    name
);
named_existing!(
    crate::editing::TaskStatus,
    "task status",
    "TaskStatus",
    &crate::editing::TaskStatus::ALL,
    name
);
named_existing!(
    crate::editing::TaskMove,
    "task action",
    "TaskAction",
    crate::editing::TaskMove::ALL,
    name
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_choices() {
        for s in GalleryStatus::ALL {
            assert_eq!(GalleryStatus::parse(s.name()), Ok(*s));
        }
        let e = SortOrder::parse("random").unwrap_err();
        assert!(e.contains("capture, name or manual"), "{e}");
        assert_eq!(
            serde_json::to_string(&WatermarkPosition::BottomRight).unwrap(),
            "\"bottom_right\""
        );
        assert!(serde_json::from_str::<LinkPurpose>("\"gift\"").is_err());
        assert_eq!(Listed(&["a", "b", "c"]).to_string(), "a, b or c");
    }
}
