//! The photos context's part of the server: galleries, photos and their
//! versions, the staging area, resumable uploads (tus 1.0), photo bytes and
//! staff downloads.

use axum::routing::{get, post};

use crate::context::{Context, Pages};

mod api {
    pub mod photos;
    pub mod upload;
}
pub(crate) mod pages {
    pub mod galleries;
    pub mod media;
    pub mod photos;
}

pub use api::upload::TusVersion;

pub fn context() -> Context {
    Context {
        tags: &[(
            "photos",
            "Galleries, photos, versions, the staging area, and resumable uploads (tus 1.0)",
        )],
        api: |r| api::upload::routes(api::photos::routes(r)),
        pages,
        templates: &[
            ("galleries.html", include_str!("templates/galleries.html")),
            (
                "gallery_form.html",
                include_str!("templates/gallery_form.html"),
            ),
            ("gallery.html", include_str!("templates/gallery.html")),
            ("photo.html", include_str!("templates/photo.html")),
            ("staging.html", include_str!("templates/staging.html")),
        ],
        notices: &[
            ("gallery_created", "Gallery created. Add photos below."),
            ("gallery_saved", "Gallery saved."),
            (
                "gallery_deleted",
                "Gallery deleted. You can restore it from the deleted galleries list.",
            ),
            ("gallery_restored", "Gallery restored."),
            ("photo_deleted", "Photo deleted."),
            (
                "versions_purged",
                "The replaced versions' files were deleted.",
            ),
            ("photos_assigned", "Photos filed."),
        ],
        ..Context::named("photos")
    }
}

fn pages() -> Pages {
    use pages::*;
    vec![
        ("/galleries", get(galleries::list)),
        (
            "/galleries/new",
            get(galleries::new_form).post(galleries::create),
        ),
        ("/galleries/{gallery_id}", get(galleries::show)),
        ("/galleries/{gallery_id}/edit", post(galleries::update)),
        ("/galleries/{gallery_id}/delete", post(galleries::delete)),
        ("/galleries/{gallery_id}/restore", post(galleries::restore)),
        ("/galleries/{gallery_id}/download", get(media::gallery_zip)),
        ("/photos/{photo_id}", get(photos::show)),
        ("/photos/{photo_id}/delete", post(photos::delete)),
        ("/photos/{photo_id}/purge", post(photos::purge)),
        ("/staging", get(photos::staging)),
        ("/staging/assign", post(photos::assign)),
        ("/media/photos/{photo_id}/{rendition}", get(media::photo)),
    ]
}
