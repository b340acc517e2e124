//! Whether each channel can send at all: without its settings every message on it ends
//! UNDELIVERABLE, which admins must hear about before readers miss their pickups.

use crate::auth::{Principal, StaffRole};
use crate::config::Config;
use crate::Result;

use super::Channel;

/// A channel and the settings it lacks (none: it is configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSetup {
    /// The channel.
    pub channel: Channel,
    /// The environment variables to set, empty when it can send.
    pub missing: Vec<&'static str>,
}

/// Each channel's setup (admins).
///
/// # Errors
/// FORBIDDEN for anyone else.
pub fn channels(config: &Config, who: &Principal) -> Result<Vec<ChannelSetup>> {
    who.require_staff(&[StaffRole::Admin])?;
    Ok(of(config))
}

/// WeChat sends through the official account (app id, secret, template ids) or the
/// mini-program (app id, secret, subscribe ids); email needs an SMTP server.
fn of(config: &Config) -> Vec<ChannelSetup> {
    let w = &config.wechat;
    let account = [
        ("HONGYAN_WECHAT_OA_APPID", w.oa_appid.is_some()),
        ("HONGYAN_WECHAT_OA_SECRET", w.oa_secret.is_some()),
        ("HONGYAN_WECHAT_TEMPLATE_IDS", !w.template_ids.is_empty()),
    ];
    let mini = [
        ("HONGYAN_WECHAT_APPID", w.appid.is_some()),
        ("HONGYAN_WECHAT_SECRET", w.secret.is_some()),
        ("HONGYAN_WECHAT_SUBSCRIBE_IDS", !w.subscribe_ids.is_empty()),
    ];
    let complete = |set: &[(&str, bool)]| set.iter().all(|(_, ok)| *ok);
    let wechat = if complete(&account) || complete(&mini) {
        Vec::new()
    } else {
        account
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| *name)
            .collect()
    };
    let email = if config.smtp_url.is_some() {
        Vec::new()
    } else {
        vec!["HONGYAN_SMTP_URL"]
    };
    vec![
        ChannelSetup {
            channel: Channel::Wechat,
            missing: wechat,
        },
        ChannelSetup {
            channel: Channel::Email,
            missing: email,
        },
    ]
}
