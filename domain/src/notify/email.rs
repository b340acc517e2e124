//! Email over SMTP with lettre (`HONGYAN_SMTP_URL`: `smtps://` for TLS, `smtp://…?tls=required`
//! for STARTTLS, plain `smtp://` for a local catcher). Each message is multipart: the plain
//! text and its HTML layout from the same template. The Message-ID is the notification's
//! id, so a message re-sent after a crash is recognisable as the same one.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;

use super::templates::Rendered;
use super::wechat_messages::Answer;

/// Sends email through one SMTP server.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for the server at `url`, sending as `from`.
    ///
    /// # Errors
    /// A URL lettre cannot use or a sender that is not an address.
    pub fn new(url: &Url, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())?
            .timeout(Some(std::time::Duration::from_secs(10)))
            .build();
        Ok(Mailer {
            transport,
            from: from.parse()?,
        })
    }

    /// Sends `message` to `to`; `id` becomes the Message-ID.
    pub async fn send(&self, to: &str, message: &Rendered, id: &str) -> Answer {
        let Ok(to) = to.parse::<Mailbox>() else {
            return Answer::Unreachable(None, "the reader's email address is not valid".into());
        };
        let domain = self.from.email.domain().to_owned();
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&message.title)
            .message_id(Some(format!("<{id}@{domain}>")))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(message.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(message.html.clone()),
                    ),
            );
        let email = match email {
            Ok(e) => e,
            Err(e) => return Answer::Failed(None, format!("could not build the email: {e}")),
        };
        match self.transport.send(email).await {
            Ok(reply) => Answer::Sent(
                reply
                    .message()
                    .next()
                    .map_or_else(|| format!("<{id}@{domain}>"), str::to_owned),
            ),
            Err(e) => classify(&e),
        }
    }
}

/// A permanent (5xx) refusal is final; anything else (4xx, connection, timeout) passes.
fn classify(e: &SmtpError) -> Answer {
    let code = e.status().map(|c| {
        let text = c.to_string();
        text.parse::<i32>().unwrap_or(0)
    });
    let said = format!("smtp: {e}");
    if e.is_permanent() {
        Answer::Failed(code, said)
    } else {
        Answer::Later(code, said)
    }
}
