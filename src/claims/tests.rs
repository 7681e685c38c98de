//! Table-driven tests of the quantity layer.
use super::*;
