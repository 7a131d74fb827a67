//! What every handler can reach.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use darkroom_core::Core;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Config;
use crate::web::templates::Templates;

/// Per-IP limits for requests that carry no credentials.
pub struct Limiters {
    /// Every anonymous request (pages, health, docs, assets).
    pub anonymous: DefaultKeyedRateLimiter<IpAddr>,
    /// Requests that present a one-time link token or fail authentication:
    /// guessing tokens is this slow.
    pub token_guess: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limiters {
    pub fn new(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let guess = NonZeroU32::new((per_minute / 10).max(10)).unwrap_or(NonZeroU32::MIN);
        Self {
            anonymous: RateLimiter::keyed(Quota::per_minute(n)),
            token_guess: RateLimiter::keyed(Quota::per_minute(guess)),
        }
    }

    /// Forgets idle keys so the maps stay small.
    pub fn prune(&self) {
        self.anonymous.retain_recent();
        self.token_guess.retain_recent();
    }
}

/// Cloned for every layer of every request, so one reference count, not one
/// per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub core: Core,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub limits: Arc<Limiters>,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    /// Cookie names: `__Host-` prefixed when served over https.
    pub fn session_cookie(&self) -> &'static str {
        if self.config.secure_cookies() {
            "__Host-darkroom_session"
        } else {
            "darkroom_session"
        }
    }

    pub fn csrf_cookie(&self) -> &'static str {
        if self.config.secure_cookies() {
            "__Host-darkroom_csrf"
        } else {
            "darkroom_csrf"
        }
    }

    /// The cookie a client's portal sign-in lives in (its link's token).
    pub fn portal_cookie(&self) -> &'static str {
        if self.config.secure_cookies() {
            "__Secure-darkroom_portal"
        } else {
            "darkroom_portal"
        }
    }

    /// The cookie a client's link session lives in (scoped by path to its
    /// link, so `__Secure-` rather than `__Host-`).
    pub fn link_cookie(&self) -> &'static str {
        if self.config.secure_cookies() {
            "__Secure-darkroom_link"
        } else {
            "darkroom_link"
        }
    }
}
