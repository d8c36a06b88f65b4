mod create_folder;
mod list_folders;

pub use create_folder::*;
pub use list_folders::*;
