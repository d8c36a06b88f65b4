mod get_keys;

pub use get_keys::*;
