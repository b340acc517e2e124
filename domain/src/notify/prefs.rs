//! A reader's notification settings: the channels they want, in order (the later ones are
//! the fallback when the first cannot reach them), and the kinds of message they muted.

use sea_orm::prelude::*;
use sea_orm::ActiveValue::Set;

use super::{Channel, Kind};
use crate::entity::reader;
use crate::{Ctx, Error, Result};

/// Channels of a new reader: WeChat first, email as the fallback.
pub const DEFAULT_CHANNELS: &str = "WECHAT,EMAIL";

/// Kinds a reader may not mute: without them a reader cannot collect what they asked for.
const ESSENTIAL: [Kind; 2] = [Kind::ReadyAtLocker, Kind::ReadyAtBranch];

/// A reader's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefs {
    /// Channels in order of preference; empty means "do not contact me".
    pub channels: Vec<Channel>,
    /// Muted kinds.
    pub muted: Vec<Kind>,
}

impl Prefs {
    /// The settings stored on `reader` (unknown names, from an older version, are ignored).
    pub fn of(reader: &reader::Model) -> Prefs {
        Prefs {
            channels: reader
                .notify_channels
                .split(',')
                .filter_map(|c| match c.trim() {
                    "WECHAT" => Some(Channel::Wechat),
                    "EMAIL" => Some(Channel::Email),
                    _ => None,
                })
                .collect(),
            muted: reader
                .muted_kinds
                .split(',')
                .filter_map(|k| Kind::parse(k.trim()))
                .collect(),
        }
    }

    /// The channel after `channel` in the reader's order, if any.
    pub fn after(&self, channel: Channel) -> Option<Channel> {
        let at = self.channels.iter().position(|c| *c == channel)?;
        self.channels.get(at + 1).copied()
    }
}

/// Links the reader to the library's official account: `code` comes from the account's
/// web page (WeChat OAuth); template messages then reach the reader there.
///
/// # Errors
/// VALIDATION for a bad or used code; NOT_FOUND for an unknown reader.
pub async fn link_official_account(ctx: &Ctx, reader: Uuid, code: &str) -> Result<()> {
    let openid = ctx.notifier.official_identity(code.trim()).await?.openid;
    let res = reader::Entity::update_many()
        .col_expr(reader::Column::WechatOaOpenid, Expr::value(openid))
        .filter(reader::Column::Id.eq(reader))
        .exec(&ctx.db)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::NotFound("reader"));
    }
    Ok(())
}

/// What a reader changes in their settings; None leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Channels in order of preference.
    pub channels: Option<Vec<Channel>>,
    /// Kinds to mute (by name).
    pub muted: Option<Vec<String>>,
    /// The email address; an empty one removes it.
    pub email: Option<String>,
}

/// Changes the reader's settings and returns them.
///
/// # Errors
/// VALIDATION for a channel listed twice, an unknown kind, an essential kind muted or an
/// email that is not an address; NOT_FOUND for an unknown reader. Nothing is changed then.
pub async fn update(ctx: &Ctx, reader: Uuid, changes: Changes) -> Result<Prefs> {
    let mut row = reader::ActiveModel {
        ..Default::default()
    };
    if let Some(channels) = &changes.channels {
        row.notify_channels = Set(channel_list(channels)?);
    }
    if let Some(muted) = &changes.muted {
        row.muted_kinds = Set(muted_list(muted)?);
    }
    if let Some(email) = &changes.email {
        let email = email.trim();
        if !email.is_empty() && email.parse::<lettre::Address>().is_err() {
            return Err(Error::validation(text!("email-invalid")).in_field("email"));
        }
        row.email = Set((!email.is_empty()).then(|| email.to_owned()));
    }
    let txn = ctx.begin().await?;
    let found = reader::Entity::find_by_id(reader)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("reader"))?;
    row.id = sea_orm::ActiveValue::Unchanged(found.id);
    let updated = if row.is_changed() {
        row.update(&txn).await?
    } else {
        found
    };
    txn.commit().await?;
    Ok(Prefs::of(&updated))
}

fn channel_list(channels: &[Channel]) -> Result<String> {
    if channels
        .iter()
        .enumerate()
        .any(|(i, c)| channels[..i].contains(c))
    {
        return Err(Error::validation(text!("notify-channel-twice")).in_field("channels"));
    }
    Ok(channels
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(","))
}

fn muted_list(muted: &[String]) -> Result<String> {
    let mut kinds = Vec::with_capacity(muted.len());
    for name in muted {
        let kind = Kind::parse(name).ok_or_else(|| {
            Error::validation(text!("notify-kind-unknown", kind = name)).in_field("mutedKinds")
        })?;
        if ESSENTIAL.contains(&kind) {
            return Err(
                Error::validation(text!("notify-kind-essential", kind = name))
                    .in_field("mutedKinds"),
            );
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(","))
}
