//! Repositories, one module per aggregate. Reads named `get_*` fail when the
//! row is missing, `find_*` return an `Option`, `list_*` a `Vec` or a page.
//! Every tenant-owned read and write takes the studio id and filters by it.

pub mod access;
pub mod billing;
pub mod booking;
pub mod branch;
pub mod calendar_import;
pub mod client;
pub mod contract;
pub mod created_id;
pub mod delivery;
pub mod document;
pub mod editing;
pub mod gallery;
pub mod group;
pub mod instance;
pub mod lead;
pub mod package;
pub mod person;
pub mod photo;
pub mod portal;
pub mod project;
pub mod schedule;
pub mod share;
pub mod signin;
pub mod studio;
pub mod upload;
pub mod versioned;

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};

/// `s` with LIKE's `%`, `_` and `\` escaped by `\`, to match itself.
pub fn like_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// `LOWER(col) LIKE %needle%`, with `%`, `_` and `\` in the needle escaped.
pub fn contains_ci(col: impl ColumnTrait, needle: &str) -> SimpleExpr {
    let pattern = format!("%{}%", like_escaped(&needle.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(col.as_column_ref())))
        .like(LikeExpr::new(pattern).escape('\\'))
}
