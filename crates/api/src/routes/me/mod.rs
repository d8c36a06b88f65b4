mod get_me;

pub use get_me::*;
