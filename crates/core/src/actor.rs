//! Who asks for a use case, as the rules see them: a user for their own data, an administrator
//! for a user they name, or an operator's command on the machine for a user.

use mesdonnees_infra::Context;
use mesdonnees_shared::UserId;

/// A user authenticated by their token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: UserId,
    /// Display name, when the token carries one.
    pub name: Option<String>,
    /// The rights the token grants (an app's create right among them).
    pub rights: Vec<String>,
}

/// Who acts, and for whom.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A user acting on their own data with their token's rights.
    User(Caller),
    /// An administrator (a token holding `auth.admin_right`) acting for `user`.
    Admin { admin: UserId, user: UserId },
    /// An operator's command, run as the system account `login`, acting for `user`.
    Operator { login: String, user: UserId },
}

impl Actor {
    /// The user whose data is read or written.
    pub fn owner(&self) -> &UserId {
        match self {
            Self::User(caller) => &caller.id,
            Self::Admin { user, .. } | Self::Operator { user, .. } => user,
        }
    }

    /// The owner's display name, known only when the owner is the caller.
    pub fn owner_name(&self) -> Option<&str> {
        match self {
            Self::User(caller) => caller.name.as_deref(),
            Self::Admin { .. } | Self::Operator { .. } => None,
        }
    }

    /// The rights the rules judge by. An administrator or an operator vouches for the user, so
    /// they hold the create right of every app this instance has: the jobs judge an import by
    /// the rights of whoever started it.
    pub fn rights(&self, ctx: &Context) -> Vec<String> {
        match self {
            Self::User(caller) => caller.rights.clone(),
            Self::Admin { .. } | Self::Operator { .. } => every_create_right(ctx),
        }
    }

    /// The name the audit log records for this actor; `None` for a user acting on their own
    /// data, which is not audited.
    pub fn audit_name(&self) -> Option<String> {
        match self {
            Self::User(_) => None,
            Self::Admin { admin, .. } => Some(admin.to_string()),
            Self::Operator { login, .. } => Some(format!("cli:{login}")),
        }
    }
}

/// The create rights of every app this instance has, sorted and without repeats.
pub fn every_create_right(ctx: &Context) -> Vec<String> {
    let mut rights: Vec<String> = ctx.apps().into_iter().map(|a| a.create_right).collect();
    rights.sort();
    rights.dedup();
    rights
}
