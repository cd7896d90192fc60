//! The few ways rebuy talks to polars that change between its releases: how a query
//! is run, and how a collected column becomes Rust values.

use polars::prelude::*;

use crate::error::{Error, Result};

/// Runs a query on polars' streaming engine: aggregations hash as they go, without a
/// list of rows per group, which keeps memory and time down on large inputs.
pub fn collect(query: LazyFrame) -> Result<DataFrame> {
    query
        .collect_with_engine(Engine::Streaming)
        // One query, one result: several come only from `collect_all`, unused here.
        .map(|result| result.unwrap_single())
        .map_err(Error::internal)
}

/// A column of a collected frame as Rust values, cast to `i64`.
pub fn column_i64(frame: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let column = frame
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(Error::internal)?;
    Ok(column.i64().map_err(Error::internal)?.iter().collect())
}

/// A column of a collected frame as Rust values, cast to `i32`.
pub fn column_i32(frame: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let column = frame
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(Error::internal)?;
    Ok(column.i32().map_err(Error::internal)?.iter().collect())
}
