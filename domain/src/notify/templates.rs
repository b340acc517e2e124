//! The zh-CN message templates (`domain/templates/notifications/*.toml`, compiled into the
//! binary), rendered with minijinja. See the README next to them for their format.

use std::collections::BTreeMap;

use chrono::DateTime;
use minijinja::{Environment, Error as RenderError, ErrorKind, UndefinedBehavior};
use serde::Deserialize;
use serde_json::Value;

use super::Kind;
use crate::china_time;

/// The template files, by kind.
const FILES: [(Kind, &str); 16] = [
    (
        Kind::RequestAccepted,
        include_str!("../../templates/notifications/request_accepted.toml"),
    ),
    (
        Kind::RequestWaitlisted,
        include_str!("../../templates/notifications/request_waitlisted.toml"),
    ),
    (
        Kind::ReadyAtLocker,
        include_str!("../../templates/notifications/ready_at_locker.toml"),
    ),
    (
        Kind::ReadyAtBranch,
        include_str!("../../templates/notifications/ready_at_branch.toml"),
    ),
    (
        Kind::Shipped,
        include_str!("../../templates/notifications/shipped.toml"),
    ),
    (
        Kind::Delivered,
        include_str!("../../templates/notifications/delivered.toml"),
    ),
    (
        Kind::DeliveryFailed,
        include_str!("../../templates/notifications/delivery_failed.toml"),
    ),
    (
        Kind::PickupDeadlineSoon,
        include_str!("../../templates/notifications/pickup_deadline_soon.toml"),
    ),
    (
        Kind::RequestExpired,
        include_str!("../../templates/notifications/request_expired.toml"),
    ),
    (
        Kind::RequestFailed,
        include_str!("../../templates/notifications/request_failed.toml"),
    ),
    (
        Kind::DueSoon,
        include_str!("../../templates/notifications/due_soon.toml"),
    ),
    (
        Kind::Overdue,
        include_str!("../../templates/notifications/overdue.toml"),
    ),
    (
        Kind::Renewed,
        include_str!("../../templates/notifications/renewed.toml"),
    ),
    (
        Kind::ReturnReceived,
        include_str!("../../templates/notifications/return_received.toml"),
    ),
    (
        Kind::ProposalDecided,
        include_str!("../../templates/notifications/proposal_decided.toml"),
    ),
    (
        Kind::ProposalArrived,
        include_str!("../../templates/notifications/proposal_arrived.toml"),
    ),
];

/// Words the templates share (`labels`).
const LABELS: &str = include_str!("../../templates/notifications/_labels.toml");

/// The HTML frame every email's text is laid out in.
const LAYOUT: &str = include_str!("../../templates/notifications/_layout.html");

/// One template file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: String,
    page: String,
    body: String,
    wechat: BTreeMap<String, String>,
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Headline (the email subject).
    pub title: String,
    /// The mini-program page it opens.
    pub page: String,
    /// WeChat template data: keyword → value.
    pub wechat: BTreeMap<String, String>,
    /// Plain text.
    pub text: String,
    /// The same text as an HTML document.
    pub html: String,
}

/// Every kind's template, compiled once.
pub struct Templates {
    env: Environment<'static>,
    keys: BTreeMap<&'static str, Vec<String>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

impl Templates {
    /// Parses and compiles the built-in templates.
    ///
    /// # Errors
    /// A file that does not parse or a template that does not compile, named.
    pub fn load() -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        // A field the template prints but the data lacks is an error, not an empty string.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.add_filter("cst", cst);
        env.add_filter("clip", clip);
        let labels: toml::Table =
            toml::from_str(LABELS).map_err(|e| anyhow::anyhow!("template _labels.toml: {e}"))?;
        env.add_global("labels", minijinja::Value::from_serialize(&labels));
        env.add_template("_layout.html", LAYOUT)?;
        let mut keys = BTreeMap::new();
        for (kind, src) in FILES {
            let name = kind.as_str();
            let file: File =
                toml::from_str(src).map_err(|e| anyhow::anyhow!("template {name}.toml: {e}"))?;
            env.add_template_owned(format!("{name}.title"), file.title)?;
            env.add_template_owned(format!("{name}.page"), file.page)?;
            env.add_template_owned(format!("{name}.body"), file.body)?;
            for (key, value) in &file.wechat {
                env.add_template_owned(format!("{name}.wechat.{key}"), value.clone())?;
            }
            keys.insert(name, file.wechat.into_keys().collect());
        }
        Ok(Templates { env, keys })
    }

    /// Renders `kind` with `data` (an object of the template's fields).
    ///
    /// # Errors
    /// A field the template needs is missing or has the wrong type.
    pub fn render(&self, kind: Kind, data: &Value) -> anyhow::Result<Rendered> {
        let name = kind.as_str();
        let one = |part: &str| -> anyhow::Result<String> {
            let text = self
                .env
                .get_template(&format!("{name}.{part}"))?
                .render(data)?;
            Ok(text.trim().to_owned())
        };
        let title = one("title")?;
        let text = one("body")?;
        let mut wechat = BTreeMap::new();
        for key in self.keys.get(name).into_iter().flatten() {
            wechat.insert(key.clone(), one(&format!("wechat.{key}"))?);
        }
        let paragraphs: Vec<&str> = text.split('\n').filter(|l| !l.trim().is_empty()).collect();
        let html = self
            .env
            .get_template("_layout.html")?
            .render(minijinja::context! {
                title => &title,
                paragraphs => paragraphs,
                library => data.get("library"),
            })?;
        Ok(Rendered {
            title,
            page: one("page")?,
            wechat,
            text,
            html,
        })
    }
}

/// `{{ at | cst }}`: an RFC 3339 time as `2026-11-26 18:30` in China Standard Time.
fn cst(value: &str) -> Result<String, RenderError> {
    let at = DateTime::parse_from_rfc3339(value).map_err(|e| {
        RenderError::new(
            ErrorKind::InvalidOperation,
            format!("not a time: {value:?} ({e})"),
        )
    })?;
    Ok(at
        .with_timezone(&china_time::zone())
        .format("%Y-%m-%d %H:%M")
        .to_string())
}

/// `{{ title | clip(20) }}`: at most `n` characters (WeChat's `thing` fields take 20), the
/// last one an ellipsis when cut.
fn clip(value: &str, n: usize) -> String {
    if value.chars().count() <= n {
        return value.to_owned();
    }
    let mut out: String = value.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data() -> Value {
        json!({
            "library": "鸿雁市图书馆", "reader_name": "李雷", "book_title": "三体全集:地球往事·黑暗森林·死神永生(典藏纪念版)<精装>",
            "request_id": "r1", "loan_id": "l1", "proposal_id": "p1",
            "at": "2026-11-26T10:00:00Z", "deadline": "2026-11-29T10:00:00Z",
            "due_at": "2026-12-26T15:59:00Z", "delivery": "LOCKER", "position": 3,
            "locker_name": "市图书馆东门书柜", "compartment": "A03", "pickup_code": "042917",
            "branch_name": "城东分馆", "courier": "顺丰速运", "waybill": "SF1234567890",
            "place": "城东分馆", "reason": "副本遗失", "renewals_left": 1, "status": "APPROVED",
        })
    }

    #[test]
    fn chinese_text_uses_full_width_punctuation() {
        let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        let mut found = Vec::new();
        for (name, text) in FILES
            .iter()
            .map(|(k, t)| (format!("{k:?}"), *t))
            .chain([("labels".to_owned(), LABELS)])
        {
            for line in text.lines() {
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || trimmed.starts_with('[') {
                    continue;
                }
                // Only the template's own words: not what its expressions insert.
                let words: String = line
                    .split("{{")
                    .enumerate()
                    .map(|(i, part)| {
                        if i == 0 {
                            part
                        } else {
                            part.split_once("}}").map_or("", |(_, rest)| rest)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                let chars: Vec<char> = words.chars().collect();
                for (i, c) in chars.iter().enumerate() {
                    let near =
                        |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| cjk(*c));
                    if ",:;!?()".contains(*c) && (near(i.checked_sub(1)) || near(Some(i + 1))) {
                        found.push(format!("{name}: {line}"));
                        break;
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "half-width punctuation in Chinese text:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn every_kind_renders_in_chinese_with_its_fields() {
        let t = Templates::load().expect("templates load");
        for kind in Kind::ALL {
            let r = t
                .render(kind, &data())
                .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(
                !r.title.is_empty() && r.text.contains("李雷"),
                "{kind:?}: {r:?}"
            );
            assert!(!r.wechat.is_empty(), "{kind:?} has WeChat fields");
            for (key, value) in &r.wechat {
                assert!(!value.is_empty(), "{kind:?}.{key} is empty");
                if key.starts_with("thing") {
                    assert!(value.chars().count() <= 20, "{kind:?}.{key} = {value}");
                }
            }
        }
    }

    #[test]
    fn locker_message_carries_code_door_and_local_deadline_and_html_is_escaped() {
        let t = Templates::load().expect("templates load");
        let r = t.render(Kind::ReadyAtLocker, &data()).expect("render");
        assert_eq!(r.wechat["character_string3"], "042917");
        assert_eq!(r.wechat["time4"], "2026-11-29 18:00");
        assert_eq!(r.wechat["thing1"].chars().count(), 20);
        assert!(
            r.text.contains("A03 号") && r.text.contains("042917"),
            "{}",
            r.text
        );
        assert!(
            r.html.contains("&lt;精装&gt;") && !r.html.contains("<精装>"),
            "{}",
            r.html
        );
        assert_eq!(r.page, "pages/requests/detail?id=r1");
    }

    #[test]
    fn shared_labels_name_delivery_methods_and_missing_reasons() {
        let t = Templates::load().expect("templates load");
        let accepted = t.render(Kind::RequestAccepted, &data()).expect("render");
        assert_eq!(accepted.wechat["thing3"], "智能书柜取书");
        let mut no_reason = data();
        no_reason["reason"] = Value::Null;
        let failed = t.render(Kind::RequestFailed, &no_reason).expect("render");
        assert!(failed.text.contains("原因：未知原因"), "{}", failed.text);
    }

    #[test]
    fn a_hold_after_a_failed_home_delivery_says_why() {
        let t = Templates::load().expect("templates load");
        let mut plain = data();
        plain["reason"] = Value::Null;
        let ready = t.render(Kind::ReadyAtBranch, &plain).expect("render");
        assert!(!ready.text.contains("未能送到"), "{}", ready.text);
        let mut failed = data();
        failed["reason"] = json!("电话无人接听");
        let ready = t.render(Kind::ReadyAtBranch, &failed).expect("render");
        assert!(
            ready.text.contains("未能送到您手中（原因：电话无人接听）"),
            "{}",
            ready.text
        );
    }

    #[test]
    fn a_missing_field_is_an_error_not_an_empty_message() {
        let t = Templates::load().expect("templates load");
        let err = t
            .render(Kind::RequestWaitlisted, &json!({"reader_name": "李雷"}))
            .expect_err("missing fields");
        assert!(!err.to_string().is_empty());
    }
}
