//! The metric contract, as pure functions from purchase occasions to result structs.
//! Nothing here knows about files or terminals.

pub mod benchmarks;
pub mod bgnbd;
pub mod cohorts;
pub mod cycles;
pub mod dormant;
pub mod due;
pub mod gamma_gamma;
pub mod groups;
pub mod next;
pub mod optimize;
pub mod periods;
pub mod predict;
pub mod quantile;
pub mod rfm;
pub mod segments;
pub mod summary;
pub mod survival;
pub mod tiers;
pub mod trend;
