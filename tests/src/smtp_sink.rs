//! A real SMTP server for tests: in-process on tokio, plain TCP on a random local port,
//! speaking enough RFC 5321 for an SMTP client such as lettre's (greeting, `EHLO` advertising
//! `8BITMIME`, `SMTPUTF8` and `PIPELINING` but neither `STARTTLS` nor `AUTH`, `HELO`,
//! `MAIL FROM`, `RCPT TO`, `DATA` with dot-unstuffing, `RSET`, `NOOP`, `QUIT`; anything else
//! answers 502, commands out of order 503). Every accepted message is parsed with
//! `mail-parser` and kept for inspection; [`SmtpSink::fail_next`] makes `MAIL FROM` answer a
//! transient 451.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mail_parser::{MessageParser, PartType};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// The largest message `DATA` accepts (larger ones answer 552).
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Envelope sender (`MAIL FROM`, without the angle brackets; empty for the null sender).
    pub from: String,
    /// Envelope recipients (`RCPT TO`, without the angle brackets), in order.
    pub to: Vec<String>,
    /// The decoded `Subject` header (empty if none).
    pub subject: String,
    /// The decoded first `text/plain` body part (empty if none).
    pub text: String,
    /// The decoded first `text/html` body part (empty if none).
    pub html: String,
    /// The `Message-ID` header, without the angle brackets.
    pub message_id: Option<String>,
    /// The message as received (dot-unstuffed, CRLF line endings kept).
    pub raw: String,
}

#[derive(Default)]
struct State {
    messages: Vec<Mail>,
    fail_next: usize,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().expect("smtp sink state")
}

/// A running SMTP server; stops accepting (and drops its open connections) when dropped.
pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    port: u16,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

/// Starts a sink on a random local port.
pub async fn start() -> SmtpSink {
    SmtpSink::start().await
}

impl SmtpSink {
    /// Starts a sink on a random local port (same as [`start`]).
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind smtp sink");
        let port = listener.local_addr().expect("smtp sink addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        SmtpSink {
            url: format!("smtp://127.0.0.1:{port}"),
            port,
            state,
            accept,
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<Mail> {
        lock(&self.state).messages.clone()
    }

    /// The next `times` `MAIL FROM` commands answer `451 4.3.0 try again later`.
    pub fn fail_next(&self, times: usize) {
        lock(&self.state).fail_next += times;
    }

    /// Waits (polling every 20 ms) until at least `n` messages have been accepted and returns
    /// them all; panics, listing what did arrive, if they have not within `timeout`.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "expected {n} mail(s) within {timeout:?}, {} arrived: {messages:#?}",
                    messages.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<Mutex<State>>) {
    // Dropping the set (when this task is aborted) aborts the connections too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(session(stream, Arc::clone(&state)));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// An SMTP transaction in progress.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

/// The address in `<...>` after `FROM:` / `TO:` (parameters after it ignored), or, without
/// brackets, the first word.
fn path(arg: &str) -> Option<String> {
    let arg = arg.trim_start();
    if let Some(rest) = arg.strip_prefix('<') {
        let end = rest.find('>')?;
        Some(rest[..end].to_owned())
    } else {
        arg.split_whitespace().next().map(str::to_owned)
    }
}

/// Strips a case-insensitive `prefix` (e.g. `FROM:`) from `s`.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write
        .write_all(b"220 localhost ESMTP Hongyan test sink\r\n")
        .await?;
    let mut greeted = false;
    let mut tx = Transaction::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = text.split_once(' ').unwrap_or((text, ""));
        let reply: &str = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                greeted = true;
                tx = Transaction::default();
                "250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n"
            }
            "HELO" => {
                greeted = true;
                tx = Transaction::default();
                "250 localhost\r\n"
            }
            "MAIL" => {
                let fail = {
                    let mut s = lock(&state);
                    let fail = s.fail_next > 0;
                    if fail {
                        s.fail_next -= 1;
                    }
                    fail
                };
                if fail {
                    "451 4.3.0 try again later\r\n"
                } else if !greeted {
                    "503 5.5.1 Error: send HELO/EHLO first\r\n"
                } else if tx.from.is_some() {
                    "503 5.5.1 Error: nested MAIL command\r\n"
                } else if let Some(from) = strip_prefix_ci(arg, "FROM:").and_then(path) {
                    tx.from = Some(from);
                    "250 2.1.0 Ok\r\n"
                } else {
                    "501 5.5.4 Syntax: MAIL FROM:<address>\r\n"
                }
            }
            "RCPT" => {
                if tx.from.is_none() {
                    "503 5.5.1 Error: need MAIL command\r\n"
                } else if let Some(to) = strip_prefix_ci(arg, "TO:").and_then(path) {
                    tx.to.push(to);
                    "250 2.1.5 Ok\r\n"
                } else {
                    "501 5.5.4 Syntax: RCPT TO:<address>\r\n"
                }
            }
            "DATA" => {
                if tx.from.is_none() || tx.to.is_empty() {
                    "503 5.5.1 Error: need RCPT command\r\n"
                } else {
                    write
                        .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let Some(raw) = read_data(&mut read).await? else {
                        tx = Transaction::default();
                        write
                            .write_all(b"552 5.3.4 Error: message too large\r\n")
                            .await?;
                        continue;
                    };
                    let tx = std::mem::take(&mut tx);
                    let mail = parse(tx.from.unwrap_or_default(), tx.to, &raw);
                    lock(&state).messages.push(mail);
                    "250 2.0.0 Ok: queued\r\n"
                }
            }
            "RSET" => {
                tx = Transaction::default();
                "250 2.0.0 Ok\r\n"
            }
            "NOOP" => "250 2.0.0 Ok\r\n",
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => "502 5.5.2 Error: command not recognized\r\n",
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Reads a message after `354` up to the lone `.` line, undoing dot-stuffing; `None` (after
/// reading through the end) if it is larger than [`MAX_MESSAGE`].
async fn read_data<R: AsyncBufReadExt + Unpin>(read: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    let mut too_large = false;
    loop {
        line.clear();
        if read.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_large).then_some(raw));
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if raw.len() + content.len() > MAX_MESSAGE {
            too_large = true;
        } else {
            raw.extend_from_slice(content);
        }
    }
}

fn parse(from: String, to: Vec<String>, raw: &[u8]) -> Mail {
    let message = MessageParser::default().parse(raw);
    let (subject, text, html, message_id) = match &message {
        Some(m) => (
            m.subject().unwrap_or_default().to_owned(),
            m.text_part(0)
                .and_then(|p| match &p.body {
                    PartType::Text(t) => Some(t.to_string()),
                    _ => None,
                })
                .unwrap_or_default(),
            m.html_part(0)
                .and_then(|p| match &p.body {
                    PartType::Html(h) => Some(h.to_string()),
                    _ => None,
                })
                .unwrap_or_default(),
            m.message_id().map(str::to_owned),
        ),
        None => Default::default(),
    };
    Mail {
        from,
        to,
        subject,
        text,
        html,
        message_id,
        raw: String::from_utf8_lossy(raw).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal SMTP client: sends `line` and returns the (possibly multi-line) reply.
    struct Client {
        read: BufReader<tokio::net::tcp::OwnedReadHalf>,
        write: tokio::net::tcp::OwnedWriteHalf,
    }

    impl Client {
        async fn connect(sink: &SmtpSink) -> (Client, String) {
            let stream = TcpStream::connect(("127.0.0.1", sink.port()))
                .await
                .expect("connect");
            let (read, write) = stream.into_split();
            let mut client = Client {
                read: BufReader::new(read),
                write,
            };
            let greeting = client.reply().await;
            (client, greeting)
        }

        async fn reply(&mut self) -> String {
            let mut all = String::new();
            loop {
                let mut line = String::new();
                self.read.read_line(&mut line).await.expect("read reply");
                all.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return all;
                }
            }
        }

        async fn send(&mut self, line: &str) -> String {
            self.write
                .write_all(format!("{line}\r\n").as_bytes())
                .await
                .expect("write");
            self.reply().await
        }
    }

    const MULTIPART: &str = "From: Library <noreply@hongyan.test>\r\n\
        To: reader@example.com\r\n\
        Subject: =?UTF-8?B?5Zu+5Lmm5Yiw6aaG?=\r\n\
        Message-ID: <abc.123@hongyan.test>\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
        \r\n\
        --b1\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\
        \r\n\
        Your book is ready =E2=9C=93\r\n\
        ..dot line\r\n\
        --b1\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        \r\n\
        <p>Your book is ready</p>\r\n\
        --b1--\r\n\
        .\r\n";

    #[tokio::test]
    async fn accepts_parses_and_fails_on_demand() {
        let sink = SmtpSink::start().await;
        assert!(sink.url.starts_with("smtp://127.0.0.1:"));
        let (mut c, greeting) = Client::connect(&sink).await;
        assert!(greeting.starts_with("220 "), "{greeting}");
        assert!(c.send("MAIL FROM:<a@b>").await.starts_with("503"));
        let ehlo = c.send("EHLO client.test").await;
        assert!(ehlo.starts_with("250-localhost\r\n"), "{ehlo}");
        assert!(ehlo.ends_with("250 PIPELINING\r\n"), "{ehlo}");
        assert!(!ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"));
        assert!(c.send("VRFY x").await.starts_with("502"));
        assert!(c.send("NOOP").await.starts_with("250"));
        assert!(c.send("DATA").await.starts_with("503"));

        sink.fail_next(1);
        assert_eq!(
            c.send("MAIL FROM:<noreply@hongyan.test>").await,
            "451 4.3.0 try again later\r\n"
        );
        let ok = c
            .send("mail from:<noreply@hongyan.test> BODY=8BITMIME SMTPUTF8")
            .await;
        assert!(ok.starts_with("250"), "{ok}");
        assert!(c
            .send("RCPT TO:<reader@example.com>")
            .await
            .starts_with("250"));
        assert!(c.send("RCPT TO:<cc@example.com>").await.starts_with("250"));
        assert!(c.send("DATA").await.starts_with("354"));
        // The dot-stuffed line ("..dot line") and the terminator ride in one write.
        let queued = c.send(MULTIPART.trim_end_matches("\r\n")).await;
        assert!(queued.starts_with("250"), "{queued}");

        // A second transaction on the same connection, pipelined, then RSET and QUIT.
        c.write
            .write_all(
                b"MAIL FROM:<>\r\nRCPT TO:<x@example.com>\r\nDATA\r\n\
                  Subject: plain\r\n\r\nhello\r\n.\r\n",
            )
            .await
            .expect("write");
        for expected in ["250", "250", "354", "250"] {
            let reply = c.reply().await;
            assert!(reply.starts_with(expected), "{reply}");
        }
        assert!(c.send("RSET").await.starts_with("250"));
        assert!(c.send("QUIT").await.starts_with("221"));

        let mails = sink.wait_for_messages(2, Duration::from_secs(5)).await;
        let m = &mails[0];
        assert_eq!(m.from, "noreply@hongyan.test");
        assert_eq!(m.to, ["reader@example.com", "cc@example.com"]);
        assert_eq!(m.subject, "图书到馆");
        assert_eq!(m.text, "Your book is ready ✓\r\n.dot line");
        assert_eq!(m.html, "<p>Your book is ready</p>");
        assert_eq!(m.message_id.as_deref(), Some("abc.123@hongyan.test"));
        assert!(m.raw.contains("\r\n.dot line\r\n"), "{}", m.raw);
        assert!(!m.raw.contains(".\r\n.\r\n"));
        let m = &mails[1];
        assert_eq!(m.from, "");
        assert_eq!(m.subject, "plain");
        assert_eq!(m.text, "hello\r\n");
        assert_eq!(m.html, "");
        assert_eq!(m.message_id, None);
    }

    #[tokio::test]
    #[should_panic(expected = "expected 1 mail(s)")]
    async fn wait_for_messages_panics_on_timeout() {
        let sink = SmtpSink::start().await;
        sink.wait_for_messages(1, Duration::from_millis(50)).await;
    }
}
