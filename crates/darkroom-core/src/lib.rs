//! Darkroom's use cases.
//!
//! Every rule the JSON API and the web pages share lives here, so a handler
//! is thin: extract, call one function of this crate, map the result to a
//! view or a page. Each use case authorizes through [`Core::authorize`],
//! validates its input, writes in one transaction (with its audit entry and
//! any jobs or emails it causes), and returns a view.

pub mod billing;
pub mod bookings;
pub mod crm;
pub mod demo;
pub mod kernel;
pub mod photos;
pub mod portal;
pub mod production;
pub mod projects;
pub mod sharing;
pub mod studio;
#[cfg(feature = "testing")]
pub mod testing;

pub use kernel::ctx::{
    Core, CoreSettings, JobSettings, MediaSettings, MediaStores, Meta, PaymentSettings,
    SmtpSecurity, SmtpSettings,
};
pub use kernel::error::{CoreError, CoreResult};
pub use kernel::principal::{Principal, Via};

pub(crate) use kernel::write::commit;

/// Every context's registrations (jobs, event subscribers, chores), in one
/// place: adding a context adds one line here.
pub(crate) fn registry() -> kernel::registry::Registry {
    let mut r = kernel::registry::Registry::default();
    kernel::register(&mut r);
    studio::register(&mut r);
    crm::register(&mut r);
    photos::register(&mut r);
    sharing::register(&mut r);
    production::register(&mut r);
    bookings::register(&mut r);
    projects::register(&mut r);
    billing::register(&mut r);
    r
}
