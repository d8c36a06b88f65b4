//! SQL fragments known at compile time that the statement cache may keep. diesel never caches a
//! query holding `dsl::sql` or `sql_query`, so Postgres parses and plans it on every call; on the
//! busiest requests that costs more than the query itself.

use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::result::QueryResult;
use diesel::sql_types::{SqlType, Text};

/// An aggregate select list written as SQL, of type `ST`: what `dsl::sql` does, cacheable.
#[derive(Debug, Clone, Copy)]
pub struct Aggregate<ST> {
    sql: &'static str,
    sql_type: PhantomData<ST>,
}

impl<ST> Aggregate<ST> {
    pub const fn new(sql: &'static str) -> Self {
        Self { sql, sql_type: PhantomData }
    }
}

impl<ST: SqlType + diesel::expression::TypedExpressionType> Expression for Aggregate<ST> {
    type SqlType = ST;
}

impl<ST, DB: Backend> QueryFragment<DB> for Aggregate<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.sql);
        Ok(())
    }
}

// The text is a `'static` literal of the code, so two uses with one type are one statement
// only when they are the same text; the cache keys uncacheable-by-type queries by their SQL.
impl<ST> QueryId for Aggregate<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST, QS> AppearsOnTable<QS> for Aggregate<ST> where Self: Expression {}
impl<ST, QS> SelectableExpression<QS> for Aggregate<ST> where Self: Expression {}

impl<ST, GB> ValidGrouping<GB> for Aggregate<ST> {
    type IsAggregate = is_aggregate::Yes;
}

/// `SELECT pg_advisory_xact_lock(hashtext($1))`, as one cached statement.
#[derive(Debug, Clone)]
pub struct AdvisoryXactLock {
    pub key: String,
}

impl QueryFragment<Pg> for AdvisoryXactLock {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT pg_advisory_xact_lock(hashtext(");
        out.push_bind_param::<Text, _>(&self.key)?;
        out.push_sql("))");
        Ok(())
    }
}

impl QueryId for AdvisoryXactLock {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<Conn> RunQueryDsl<Conn> for AdvisoryXactLock {}
