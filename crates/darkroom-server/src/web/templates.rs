//! The page templates, embedded in the binary.

use minijinja::{Environment, Value};

/// The shell's templates (layouts, macros, messages, errors, the API
/// docs); each context registers its own.
const SHELL: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("api_docs.html", include_str!("../templates/api_docs.html")),
];

/// Every template, by name: the shell's and every context's.
fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    SHELL.iter().copied().chain(
        crate::context::all()
            .into_iter()
            .flat_map(|c| c.templates.iter().copied()),
    )
}

/// The template environment with Darkroom's filters.
pub struct Templates {
    pub env: Environment<'static>,
}

/// Formats an RFC 3339 instant in an IANA zone as the studio's locale
/// writes it: `23 Nov 2026, 18:51 IST` (en-IN), `Nov 23, 2026, 6:51 PM EST`
/// (en-US), `2026년 11월 23일 18:51 KST` (ko).
fn dt(value: Option<String>, zone: Option<String>, locale: Option<String>) -> String {
    match value {
        Some(v) if !v.is_empty() => match darkroom_domain::Timestamp::parse_rfc3339(&v) {
            Ok(t) => t.date_time(
                zone.as_deref().unwrap_or("UTC"),
                locale.as_deref().unwrap_or("en"),
            ),
            Err(_) => v,
        },
        _ => String::new(),
    }
}

/// Bytes as people read them: `24.3 MB`.
fn filesize(n: Option<i64>) -> String {
    let n = n.unwrap_or(0).max(0) as u64;
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut scaled = n;
    let mut tenths = 0;
    while scaled >= 1000 && unit < UNITS.len() - 1 {
        tenths = (scaled % 1000) / 100;
        scaled /= 1000;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{scaled}.{tenths} {}", UNITS[unit])
    }
}

/// A day as people of `locale` write it, in `zone` (`30 January 2027`,
/// `2027년 1월 30일`); an instant that does not parse is shown as given.
fn long_date(value: Option<String>, zone: String, locale: String) -> String {
    match value {
        Some(v) => darkroom_domain::Timestamp::parse_rfc3339(&v)
            .map(|t| t.long_date(&zone, &locale))
            .unwrap_or(v),
        None => String::new(),
    }
}

fn date_only(value: Option<String>) -> String {
    value
        .map(|v| v.chars().take(10).collect())
        .unwrap_or_default()
}

impl Templates {
    pub fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, src) in all() {
            env.add_template(name, src)?;
        }
        env.add_filter("dt", dt);
        env.add_filter("date_only", date_only);
        env.add_filter("long_date", long_date);
        env.add_filter("filesize", filesize);
        // Minor units in a currency: `{{ 118000|money("INR") }}` → `INR 1,180.00`.
        env.add_filter("money", |minor: i64, currency: String| -> String {
            darkroom_domain::money::Currency::parse(&currency)
                .map_or_else(|_| format!("{currency} {minor}"), |c| c.format_minor(minor))
        });
        // The same as a form field takes it back: `1180.00`.
        env.add_filter("amount", |minor: i64, currency: String| -> String {
            darkroom_domain::money::Currency::parse(&currency).map_or_else(
                |_| minor.to_string(),
                |c| {
                    c.format_minor(minor)
                        .replace(',', "")
                        .rsplit(' ')
                        .next()
                        .unwrap_or("")
                        .to_string()
                },
            )
        });
        // Field errors keyed `render.thumb_edge`, looked up as `thumb_edge`.
        env.add_filter("prefixed", |errors: Value, prefix: String| -> Value {
            let mut out = std::collections::BTreeMap::new();
            if let Ok(keys) = errors.try_iter() {
                for k in keys {
                    if let Some(name) = k.as_str().and_then(|n| n.strip_prefix(prefix.as_str()))
                        && let Ok(v) = errors.get_item(&k)
                    {
                        out.insert(name.to_string(), v);
                    }
                }
            }
            Value::from(out)
        });
        env.add_function("has", |perms: Value, name: String| -> bool {
            perms
                .try_iter()
                .map(|mut it| it.any(|p| p.as_str() == Some(name.as_str())))
                .unwrap_or(false)
        });
        Ok(Self { env })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_read_well() {
        assert_eq!(filesize(Some(999)), "999 B");
        assert_eq!(filesize(Some(24_300_000)), "24.3 MB");
        assert_eq!(filesize(Some(1_000)), "1.0 KB");
        assert_eq!(filesize(None), "0 B");
    }

    #[test]
    fn every_template_compiles() {
        let t = Templates::new().unwrap();
        for (name, _) in all() {
            assert!(t.env.get_template(name).is_ok(), "{name}");
        }
    }
}
