//! The rebuy binary, run on files written by each test.

mod check;
mod cohorts;
mod common;
mod cycles;
mod due;
mod errors;
mod generate;
mod groups;
mod inputs;
mod inspect;
mod loyalty;
mod manual;
mod platforms;
mod predict;
mod properties;
mod regression;
mod report;
mod rfm;
mod sql;
mod summary;
