mod get_healthz;
mod get_readyz;

pub use get_healthz::*;
pub use get_readyz::*;
