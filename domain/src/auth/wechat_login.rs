//! The WeChat mini-program login exchange (`GET /sns/jscode2session`).
//!
//! The mini-program calls `wx.login()` and sends us the one-time `code`; we trade it with
//! WeChat for the user's `openid` (and `unionid`, when the app belongs to an open-platform
//! account). WeChat answers HTTP 200 with an `errcode` on failure.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::config::WechatConfig;
use crate::{Error, Reason, Result};

/// A WeChat user as the login exchange identifies them.
#[derive(Debug, Clone)]
pub struct WechatIdentity {
    /// The user's id within this mini-program.
    pub openid: String,
    /// The user's id across the open-platform account, when there is one.
    pub unionid: Option<String>,
}

/// The part of the WeChat API that login needs; tests swap in a fake server via the base URL.
#[async_trait]
pub trait WechatLogin: Send + Sync {
    /// Exchanges a `wx.login()` code for the user's identity.
    ///
    /// # Errors
    /// UNAUTHENTICATED for a bad or used code, RATE_LIMITED when WeChat throttles,
    /// INTERNAL when WeChat is unreachable or busy.
    async fn code2session(&self, code: &str) -> Result<WechatIdentity>;
}

/// [`WechatLogin`] over HTTPS with reqwest.
pub struct HttpWechat {
    http: reqwest::Client,
    config: WechatConfig,
}

impl HttpWechat {
    /// A client for the configured app.
    ///
    /// # Errors
    /// [`Error::Internal`] if the HTTP client cannot be built.
    pub fn new(config: WechatConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(Error::internal)?;
        Ok(HttpWechat { http, config })
    }
}

#[derive(Deserialize)]
struct SessionResponse {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    openid: Option<String>,
    unionid: Option<String>,
}

#[async_trait]
impl WechatLogin for HttpWechat {
    async fn code2session(&self, code: &str) -> Result<WechatIdentity> {
        let (Some(appid), Some(secret)) = (&self.config.appid, &self.config.secret) else {
            return Err(Error::unauthenticated(text!("wechat-login-unconfigured")));
        };
        let url = self
            .config
            .api_base
            .join("sns/jscode2session")
            .map_err(Error::internal)?;
        let resp: SessionResponse = self
            .http
            .get(url)
            .query(&[
                ("appid", appid.as_str()),
                ("secret", secret.as_str()),
                ("js_code", code),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| {
                Error::internal(anyhow::anyhow!(
                    "wechat jscode2session: {}",
                    e.without_url()
                ))
            })?
            .json()
            .await
            .map_err(|e| {
                Error::internal(anyhow::anyhow!(
                    "wechat jscode2session body: {}",
                    e.without_url()
                ))
            })?;
        match (resp.errcode, resp.openid) {
            (0, Some(openid)) => Ok(WechatIdentity {
                openid,
                unionid: resp.unionid,
            }),
            (40029 | 40163, _) => Err(Error::unauthenticated(text!("wechat-login-code-invalid"))),
            (40226, _) => Err(Error::forbidden(Reason::WechatHighRisk)),
            (45011, _) => Err(Error::RateLimited {
                message: text!("wechat-login-throttled"),
                retry_after_secs: 60,
            }),
            (code, _) => Err(Error::internal(anyhow::anyhow!(
                "wechat jscode2session errcode {code}: {}",
                resp.errmsg
            ))),
        }
    }
}
