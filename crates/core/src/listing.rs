//! A page of a listing, as every list use case answers it.

use mesdonnees_db::{MAX_PAGE_SIZE, Page};
use mesdonnees_infra::Context;
use mesdonnees_shared::ErrorCode;

use crate::Error;

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

/// The page asked for, with the configured size when none is asked. A page before the first or a
/// size outside `1..=MAX_PAGE_SIZE` is refused rather than clamped: a client that asked for
/// 1,000 items and silently got 200 would take them for all there is.
pub(crate) fn page(ctx: &Context, number: Option<i64>, size: Option<i64>) -> Result<Page, Error> {
    if number.is_some_and(|n| n < 1) {
        return Err(Error::invalid(ErrorCode::InvalidRequest, "`page` starts at 1"));
    }
    if size.is_some_and(|s| !(1..=MAX_PAGE_SIZE).contains(&s)) {
        return Err(Error::invalid(
            ErrorCode::InvalidRequest,
            format!("`per_page` is from 1 to {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(Page::new(number, size, ctx.config.limits.default_page_size))
}
