mod create_folder;

pub use create_folder::*;
