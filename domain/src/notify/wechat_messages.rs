//! WeChat messages: official-account template messages (`cgi-bin/message/template/send`)
//! to readers the account knows, mini-program subscribe messages
//! (`cgi-bin/message/subscribe/send`) to mini-program users who granted them.
//!
//! WeChat answers HTTP 200 with an `errcode`: 40001/42001/40014 (token invalid, expired or
//! malformed) → the token is replaced once and the send retried; 45009 (daily quota) and -1
//! (busy) → tried again later; 43004 (not following) and 43101 (no subscribe consent left)
//! → this channel cannot reach the reader; anything else is recorded with its errmsg.
//! Template sends carry `client_msg_id` (the notification id), which WeChat de-duplicates
//! per openid for ten minutes: a message sent again after a crash is not shown twice.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use url::Url;

use super::templates::Rendered;
use super::wechat_token::{AccessTokens, App};
use super::Kind;
use crate::auth::wechat_login::WechatIdentity;
use crate::config::WechatConfig;
use crate::entity::reader;

/// How a message reaches a reader on WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// An official-account template message to the account's openid of the reader.
    Template {
        /// The reader's openid in the official account.
        openid: String,
        /// The account's template for the kind.
        template_id: String,
    },
    /// A mini-program subscribe message to the reader's mini-program openid.
    Subscribe {
        /// The reader's openid in the mini-program.
        openid: String,
        /// The mini-program's template for the kind.
        template_id: String,
    },
}

impl Route {
    /// The API name recorded with each attempt.
    pub fn name(&self) -> &'static str {
        match self {
            Route::Template { .. } => "wechat.template",
            Route::Subscribe { .. } => "wechat.subscribe",
        }
    }
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted, with WeChat's msgid.
    Sent(String),
    /// A passing failure: try again later.
    Later(Option<i32>, String),
    /// This channel cannot reach the reader.
    Unreachable(Option<i32>, String),
    /// A failure retrying will not fix.
    Failed(Option<i32>, String),
}

#[derive(Deserialize)]
struct SendResponse {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    msgid: Option<Value>,
}

#[derive(Deserialize)]
struct OauthResponse {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    openid: Option<String>,
    unionid: Option<String>,
    /// 1 when the page was opened as a Moments "snapshot": the openid is a stand-in.
    #[serde(default)]
    is_snapshotuser: i64,
}

/// Sends WeChat messages for the library's apps.
pub struct Messenger {
    http: reqwest::Client,
    base: Url,
    tokens: AccessTokens,
    official: Option<App>,
    mini: Option<App>,
    template_ids: HashMap<String, String>,
    subscribe_ids: HashMap<String, String>,
}

impl Messenger {
    /// A messenger for the configured apps, its tokens shared through Redis when given.
    ///
    /// # Errors
    /// An HTTP client or Redis client that cannot be built.
    pub fn new(
        config: &WechatConfig,
        redis_url: Option<&str>,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .connect_timeout(std::time::Duration::from_secs(3))
            .build()?;
        let app = |id: &Option<String>, secret: &Option<String>| match (id, secret) {
            (Some(appid), Some(secret)) => Some(App {
                appid: appid.clone(),
                secret: secret.clone(),
            }),
            _ => None,
        };
        Ok(Messenger {
            tokens: AccessTokens::new(http.clone(), config.api_base.clone(), redis_url, prefix)?,
            http,
            base: config.api_base.clone(),
            official: app(&config.oa_appid, &config.oa_secret),
            mini: app(&config.appid, &config.secret),
            template_ids: config.template_ids.iter().cloned().collect(),
            subscribe_ids: config.subscribe_ids.iter().cloned().collect(),
        })
    }

    /// How `kind` can reach `reader` on WeChat: a template message when the official
    /// account knows them and has a template for it, else a subscribe message when the
    /// mini-program does; None when neither.
    pub fn route(&self, kind: Kind, reader: &reader::Model) -> Option<Route> {
        let template = |ids: &HashMap<String, String>| ids.get(kind.as_str()).cloned();
        if let (Some(_), Some(openid), Some(template_id)) = (
            &self.official,
            &reader.wechat_oa_openid,
            template(&self.template_ids),
        ) {
            return Some(Route::Template {
                openid: openid.clone(),
                template_id,
            });
        }
        if let (Some(_), Some(openid), Some(template_id)) = (
            &self.mini,
            &reader.wechat_openid,
            template(&self.subscribe_ids),
        ) {
            return Some(Route::Subscribe {
                openid: openid.clone(),
                template_id,
            });
        }
        None
    }

    /// Sends `message` along `route`; `client_msg_id` de-duplicates template sends.
    pub async fn send(&self, route: &Route, message: &Rendered, client_msg_id: &str) -> Answer {
        let (app, path, body) = match route {
            Route::Template {
                openid,
                template_id,
            } => (
                self.official.as_ref(),
                "cgi-bin/message/template/send",
                json!({
                    "touser": openid,
                    "template_id": template_id,
                    "miniprogram": {"appid": self.mini.as_ref().map(|a| a.appid.as_str()), "pagepath": message.page},
                    "data": data(message),
                    "client_msg_id": client_msg_id,
                }),
            ),
            Route::Subscribe {
                openid,
                template_id,
            } => (
                self.mini.as_ref(),
                "cgi-bin/message/subscribe/send",
                json!({
                    "touser": openid,
                    "template_id": template_id,
                    "page": message.page,
                    "data": data(message),
                    "miniprogram_state": "formal",
                    "lang": "zh_CN",
                }),
            ),
        };
        let Some(app) = app else {
            return Answer::Unreachable(None, "the WeChat app is not configured".into());
        };
        let mut token = match self.tokens.get(app).await {
            Ok(t) => t,
            Err(e) => return Answer::Later(None, format!("{e:#}")),
        };
        for retry in [true, false] {
            let answer = match self.post(path, &token, &body).await {
                Ok(r) => r,
                Err(e) => return Answer::Later(None, e),
            };
            let code = i32::try_from(answer.errcode).unwrap_or(i32::MAX);
            let said = format!("errcode {}: {}", answer.errcode, answer.errmsg);
            match answer.errcode {
                0 => {
                    let msgid = match answer.msgid {
                        Some(Value::String(s)) => s,
                        Some(other) => other.to_string(),
                        None => String::new(),
                    };
                    return Answer::Sent(msgid);
                }
                40001 | 42001 | 40014 if retry => {
                    token = match self.tokens.replace(app, &token).await {
                        Ok(t) => t,
                        Err(e) => return Answer::Later(Some(code), format!("{e:#}")),
                    };
                }
                40001 | 42001 | 40014 | 45009 | -1 => return Answer::Later(Some(code), said),
                43004 | 43101 => return Answer::Unreachable(Some(code), said),
                _ => return Answer::Failed(Some(code), said),
            }
        }
        Answer::Later(None, "token refused twice".into())
    }

    /// The reader as the official account knows them, from the one-time `code` its web page
    /// got through WeChat's OAuth (`sns/oauth2/access_token`, `snsapi_base` scope).
    ///
    /// # Errors
    /// VALIDATION (reason WECHAT_CODE_INVALID) for a bad or used code, (WECHAT_SNAPSHOT) for
    /// a Moments snapshot page, or when no official account is configured; INTERNAL when
    /// WeChat cannot be reached.
    pub async fn official_identity(&self, code: &str) -> crate::Result<WechatIdentity> {
        use crate::{Error, Reason};
        let app = self
            .official
            .as_ref()
            .ok_or_else(|| Error::validation(text!("wechat-official-account-missing")))?;
        let mut url = self
            .base
            .join("sns/oauth2/access_token")
            .map_err(Error::internal)?;
        url.query_pairs_mut()
            .append_pair("appid", &app.appid)
            .append_pair("secret", &app.secret)
            .append_pair("code", code)
            .append_pair("grant_type", "authorization_code");
        let body: OauthResponse = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!("wechat oauth2: {}", e.without_url())))?
            .json()
            .await
            .map_err(|e| {
                Error::internal(anyhow::anyhow!("wechat oauth2 body: {}", e.without_url()))
            })?;
        match (body.errcode, body.openid) {
            (0, Some(_)) if body.is_snapshotuser == 1 => {
                Err(Error::validation(Reason::WechatSnapshot))
            }
            (0, Some(openid)) => Ok(WechatIdentity {
                openid,
                unionid: body.unionid,
            }),
            (40029 | 40163, _) => Err(Error::validation(Reason::WechatCodeInvalid)),
            (code, _) => Err(Error::internal(anyhow::anyhow!(
                "wechat oauth2 errcode {code}: {}",
                body.errmsg
            ))),
        }
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> Result<SendResponse, String> {
        let mut url = self.base.join(path).map_err(|e| e.to_string())?;
        url.query_pairs_mut().append_pair("access_token", token);
        let res = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("wechat {path}: {}", e.without_url()))?;
        if !res.status().is_success() {
            return Err(format!("wechat {path}: HTTP {}", res.status()));
        }
        res.json()
            .await
            .map_err(|e| format!("wechat {path} body: {}", e.without_url()))
    }
}

/// `{"keyword": {"value": "…"}}`, as both APIs take their data.
fn data(message: &Rendered) -> Value {
    let fields: Map<String, Value> = message
        .wechat
        .iter()
        .map(|(k, v)| (k.clone(), json!({ "value": v })))
        .collect();
    Value::Object(fields)
}
