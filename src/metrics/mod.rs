//! The metric contract, as pure functions from purchase occasions to result structs.
//! Nothing here knows about files or terminals.

pub mod quantile;
pub mod summary;
pub mod survival;

use polars::prelude::*;

use crate::error::{Error, Result};

/// A column of a collected frame as Rust values, cast to `i64`.
pub(crate) fn column_i64(frame: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let column = frame
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(Error::internal)?;
    Ok(column.i64().map_err(Error::internal)?.iter().collect())
}

/// A column of a collected frame as Rust values, cast to `i32`.
pub(crate) fn column_i32(frame: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    let column = frame
        .column(name)
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(Error::internal)?;
    Ok(column.i32().map_err(Error::internal)?.iter().collect())
}
