//! A page of a listing, as every list use case answers it.

use mesdonnees_db::Page;
use mesdonnees_infra::Context;

/// One page of rows and the count of them all.
#[derive(Debug)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl<T> Listed<T> {
    pub(crate) fn of(page: Page, (items, total): (Vec<T>, i64)) -> Self {
        Self { items, page: page.number, per_page: page.size, total }
    }
}

/// The page asked for, clamped, with the configured size when none is asked.
pub(crate) fn page(ctx: &Context, number: Option<i64>, size: Option<i64>) -> Page {
    Page::new(number, size, ctx.config.limits.default_page_size)
}
