//! The state file of a `transfer`: per user, the source's export in flight and whether the
//! user is done, rewritten whole (temporary file, then rename) at each change, so a rerun after
//! a kill reads the last state written and never a half of one.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::OpError;

/// Largest state file read (a line of JSON per user is about 150 bytes).
const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The source instance's URL: a state is not reused against another source.
    pub source: String,
    pub users: BTreeMap<String, UserState>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UserState {
    /// The source's export of the user, once asked for.
    pub export_id: Option<String>,
    /// The import here, once made.
    pub import_id: Option<String>,
    pub done: bool,
}

/// The state file, loaded.
pub struct StateFile {
    path: PathBuf,
    pub state: State,
}

impl StateFile {
    /// Reads `path`, or starts an empty state when there is none yet.
    pub fn open(path: &Path, source: &str) -> Result<Self, OpError> {
        let state = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                State { source: source.to_owned(), users: BTreeMap::new() }
            }
            Err(e) => return Err(OpError::Usage(format!("--state {}: {e}", path.display()))),
            Ok(meta) if meta.len() > MAX_STATE_BYTES => {
                return Err(OpError::Usage(format!(
                    "--state {} is larger than {MAX_STATE_BYTES} bytes",
                    path.display()
                )));
            }
            Ok(_) => {
                let raw = std::fs::read(path)
                    .map_err(|e| OpError::Usage(format!("--state {}: {e}", path.display())))?;
                let state: State = serde_json::from_slice(&raw).map_err(|e| {
                    OpError::Usage(format!(
                        "--state {} is not a transfer state: {e}",
                        path.display()
                    ))
                })?;
                if state.source != source {
                    return Err(OpError::Usage(format!(
                        "--state {} is the state of a transfer from {}, not from {source}",
                        path.display(),
                        state.source
                    )));
                }
                state
            }
        };
        Ok(Self { path: path.to_owned(), state })
    }

    pub fn user(&self, user: &str) -> UserState {
        self.state.users.get(user).cloned().unwrap_or_default()
    }

    /// Records `user`'s state and writes the file.
    pub fn set(&mut self, user: &str, state: UserState) -> Result<(), OpError> {
        self.state.users.insert(user.to_owned(), state);
        self.write()
    }

    fn write(&self) -> Result<(), OpError> {
        let failed = |e: &dyn std::fmt::Display| {
            OpError::Failed(format!("--state {}: {e}", self.path.display()))
        };
        let folder = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".transfer-state-")
            .tempfile_in(folder)
            .map_err(|e| failed(&e))?;
        let json = serde_json::to_vec_pretty(&self.state).map_err(|e| failed(&e))?;
        temp.write_all(&json).map_err(|e| failed(&e))?;
        temp.as_file().sync_all().map_err(|e| failed(&e))?;
        temp.persist(&self.path).map_err(|e| failed(&e.error))?;
        Ok(())
    }
}
