mod list_apps;

pub use list_apps::*;
