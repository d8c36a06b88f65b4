//! E-mail through SMTP, for the users who ask to be told by e-mail.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::SinglePart;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::SmtpConfig;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("smtp.url is not a valid SMTP URL: {0}")]
    Url(String),
    #[error("smtp.from is not a valid mailbox: {0}")]
    From(String),
    #[error("not a valid recipient address")]
    To,
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("the SMTP server refused or failed: {0}")]
    Send(String),
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.email.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// `None` when no SMTP server is configured.
    pub fn from_config(config: &SmtpConfig) -> Result<Option<Self>, MailError> {
        if config.url.is_empty() {
            return Ok(None);
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
            .map_err(|e| MailError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(config.timeout_secs)))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailError::From(e.to_string()))?;
        Ok(Some(Self { transport, from }))
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::To)?;
        // Quoted-printable keeps the ASCII parts (links) readable in any client.
        let part = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::QuotedPrintable)
            .body(body);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(part)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport.send(message).await.map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }
}
