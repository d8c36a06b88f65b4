//! `[smtp]`: e-mail notifications.

use serde::{Deserialize, Serialize};

use super::Section;

/// E-mail notifications.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or `smtps://…`;
    /// empty disables e-mail (the timeline still gets every notification).
    pub url: String,
    /// Sender, e.g. `Mes Données <no-reply@ent.example>`.
    pub from: String,
    /// Longest an exchange with the SMTP server may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            from: "Mes Données <no-reply@localhost>".to_owned(),
            timeout_secs: 20,
        }
    }
}

/// The mailer refuses a URL or a sender it cannot use when it is built.
impl Section for SmtpConfig {}
