//! The library's purchase rules and how a proposal fares against them.
//!
//! Each rule answers pass, fail or "needs review", with a reason the reader can read.
//! All pass → approved at once (if the budget holds the price); any fail → rejected with the
//! reasons; otherwise a librarian decides. The rules are one settings row admins change
//! through GraphQL or from a TOML file (`hongyan purchases rules apply FILE`, keys as in
//! `config/purchase-rules.toml`); the defaults below hold until they do.

use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};

use crate::auth::{Principal, StaffRole};
use crate::entity::purchase_settings;
use crate::i18n::{Locale, Text};
use crate::{Ctx, Error, Result};

/// The settings row's id.
const ROW: &str = "default";

/// What the library buys on readers' behalf, stored and filed with snake_case keys (the
/// camelCase of rows written before reads too); a key the rules do not know is an error,
/// not ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// The most a book may cost (cents).
    #[serde(alias = "priceCapCents")]
    pub price_cap_cents: i64,
    /// Books dearer than this go to a librarian (None: never; a threshold at or above the
    /// cap means never too, and is stored as None).
    #[serde(alias = "reviewAboveCents")]
    pub review_above_cents: Option<i64>,
    /// Only books published within this many years.
    #[serde(alias = "maxAgeYears")]
    pub max_age_years: i32,
    /// CLC class prefixes the library does not buy on request (teaching materials, exam
    /// preparation…).
    #[serde(alias = "excludedClasses")]
    pub excluded_classes: Vec<String>,
    /// When the library already holds this many copies, the reader is offered a loan instead.
    #[serde(alias = "holdingsLimit")]
    pub holdings_limit: i64,
    /// Proposals per reader per calendar month.
    #[serde(alias = "monthlyCount")]
    pub monthly_count: i64,
    /// Amount per reader per calendar month (cents).
    #[serde(alias = "monthlyAmountCents")]
    pub monthly_amount_cents: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            price_cap_cents: 20_000,
            review_above_cents: Some(10_000),
            max_age_years: 3,
            excluded_classes: ["G42", "G62", "G63", "G64", "G72"]
                .map(str::to_owned)
                .to_vec(),
            holdings_limit: 2,
            monthly_count: 3,
            monthly_amount_cents: 30_000,
        }
    }
}

/// A rule's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// The proposal meets it.
    Pass,
    /// The proposal breaks it.
    Fail,
    /// A librarian should look.
    NeedsReview,
}

/// One rule's outcome, stored with the proposal (`ruleResults`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// The rule: `isbn`, `price`, `publication_year`, `clc_class`, `holdings`,
    /// `monthly_quota`, `budget`, `duplicate`.
    pub rule: String,
    /// Its answer.
    pub outcome: Outcome,
    /// Why, for the reader: the catalogue's text in Simplified Chinese, rendered when the
    /// rule was applied and stored as it was said.
    pub reason: String,
}

impl RuleResult {
    pub(crate) fn new(rule: &str, outcome: Outcome, reason: Text) -> Self {
        RuleResult {
            rule: rule.to_owned(),
            outcome,
            reason: reason.render(Locale::Chinese),
        }
    }
}

/// What the rules look at.
#[derive(Debug, Clone)]
pub(crate) struct Facts<'a> {
    pub(crate) price_cents: i64,
    pub(crate) pub_year: Option<i32>,
    pub(crate) clc_class: Option<&'a str>,
    /// Whether price, year and class come from data the library trusts (its catalogue, a
    /// vendor's feed, a clerk with the book in hand) rather than from the reader.
    pub(crate) trusted: bool,
    /// Copies of this edition the library holds.
    pub(crate) holdings: i64,
    /// Copies of other editions of the same work.
    pub(crate) other_editions: i64,
    pub(crate) month_count: i64,
    pub(crate) month_cents: i64,
    /// The library's (China-time) year the proposal is judged in.
    pub(crate) this_year: i32,
}

/// An amount as readers read it: `¥59.00`.
fn yuan(cents: i64) -> String {
    format!("¥{}.{:02}", cents / 100, cents % 100)
}

impl Rules {
    /// Every rule's outcome for `facts` (the ISBN was checked on input; the budget is
    /// checked when the price is committed).
    pub(crate) fn evaluate(&self, facts: &Facts<'_>) -> Vec<RuleResult> {
        self.answers(facts)
            .into_iter()
            .map(|(rule, outcome, why)| RuleResult::new(rule, outcome, why))
            .collect()
    }

    /// Each rule's name, answer and why, before the why is put in words.
    fn answers(&self, facts: &Facts<'_>) -> Vec<(&'static str, Outcome, Text)> {
        use Outcome::*;
        let mut out = vec![("isbn", Pass, text!("rule-isbn-valid"))];
        let price = facts.price_cents;
        out.push(if price > self.price_cap_cents {
            (
                "price",
                Fail,
                text!(
                    "rule-price-over-cap",
                    price = yuan(price),
                    cap = yuan(self.price_cap_cents)
                ),
            )
        } else if self.review_above_cents.is_some_and(|r| price > r) {
            (
                "price",
                NeedsReview,
                text!("rule-price-review", price = yuan(price)),
            )
        } else if !facts.trusted {
            (
                "price",
                NeedsReview,
                text!("rule-price-unverified", price = yuan(price)),
            )
        } else {
            (
                "price",
                Pass,
                text!("rule-price-within-cap", price = yuan(price)),
            )
        });
        out.push(match facts.pub_year {
            None => ("publication_year", NeedsReview, text!("rule-year-missing")),
            Some(y) if facts.this_year - y > self.max_age_years => (
                "publication_year",
                Fail,
                text!("rule-year-too-old", year = y, years = self.max_age_years),
            ),
            Some(y) => ("publication_year", Pass, text!("rule-year-ok", year = y)),
        });
        let excluded = facts.clc_class.and_then(|c| {
            self.excluded_classes
                .iter()
                .find(|p| c.to_uppercase().starts_with(&p.to_uppercase()))
        });
        out.push(match (facts.clc_class, excluded) {
            (_, Some(prefix)) => (
                "clc_class",
                Fail,
                text!("rule-class-excluded", class = prefix),
            ),
            (Some(c), None) if facts.trusted => {
                ("clc_class", Pass, text!("rule-class-ok", class = c))
            }
            (Some(c), None) => (
                "clc_class",
                NeedsReview,
                text!("rule-class-unverified", class = c),
            ),
            (None, None) => ("clc_class", NeedsReview, text!("rule-class-missing")),
        });
        let held = facts.holdings + facts.other_editions;
        out.push(if held >= self.holdings_limit && facts.other_editions > 0 {
            (
                "holdings",
                Fail,
                text!("rule-holdings-other-editions", copies = held),
            )
        } else if held >= self.holdings_limit {
            (
                "holdings",
                Fail,
                text!("rule-holdings-enough", copies = held),
            )
        } else {
            (
                "holdings",
                Pass,
                text!("rule-holdings-few", copies = facts.holdings),
            )
        });
        let count = facts.month_count + 1;
        let cents = facts.month_cents + price;
        out.push(if count > self.monthly_count {
            (
                "monthly_quota",
                Fail,
                text!(
                    "rule-monthly-count-over",
                    count = facts.month_count,
                    max = self.monthly_count
                ),
            )
        } else if cents > self.monthly_amount_cents {
            (
                "monthly_quota",
                Fail,
                text!(
                    "rule-monthly-amount-over",
                    amount = yuan(cents),
                    max = yuan(self.monthly_amount_cents)
                ),
            )
        } else {
            (
                "monthly_quota",
                Pass,
                text!("rule-monthly-ok", count = count),
            )
        });
        out
    }

    /// The same rules with a review threshold that can never apply (at or above the cap)
    /// written as None.
    fn normalized(self) -> Rules {
        let cap = self.price_cap_cents;
        Rules {
            review_above_cents: self.review_above_cents.filter(|r| *r < cap),
            ..self
        }
    }

    /// Refuses limits that make no sense, naming the first such one (`extensions.field`: its
    /// GraphQL input name; the message: its rules-file key).
    fn check(&self) -> Result<()> {
        let limits = [
            ("price_cap_cents", "priceCapCents", self.price_cap_cents > 0),
            (
                "review_above_cents",
                "reviewAboveCents",
                self.review_above_cents.is_none_or(|r| r > 0),
            ),
            ("max_age_years", "maxAgeYears", self.max_age_years >= 0),
            ("holdings_limit", "holdingsLimit", self.holdings_limit >= 1),
            ("monthly_count", "monthlyCount", self.monthly_count >= 1),
            (
                "monthly_amount_cents",
                "monthlyAmountCents",
                self.monthly_amount_cents > 0,
            ),
        ];
        if let Some((key, field, _)) = limits.iter().find(|(.., ok)| !ok) {
            return Err(
                Error::validation(text!("rules-limit-not-positive", key = key)).in_field(field),
            );
        }
        let prefixes_ok = self
            .excluded_classes
            .iter()
            .all(|c| !c.trim().is_empty() && c.len() <= 20);
        if !prefixes_ok {
            return Err(
                Error::validation(text!("rules-excluded-class-length")).in_field("excludedClasses")
            );
        }
        Ok(())
    }
}

/// The rules in force.
///
/// # Errors
/// INTERNAL on a database fault or a settings row that does not decode.
pub async fn current(db: &impl ConnectionTrait) -> Result<Rules> {
    match purchase_settings::Entity::find_by_id(ROW).one(db).await? {
        Some(row) => serde_json::from_value(row.rules).map_err(Error::internal),
        None => Ok(Rules::default()),
    }
}

/// Replaces the rules (admins).
///
/// # Errors
/// FORBIDDEN for anyone but an admin; VALIDATION for limits that make no sense.
pub async fn update(ctx: &Ctx, who: &Principal, rules: Rules) -> Result<Rules> {
    who.require_staff(&[StaffRole::Admin])?;
    store(&ctx.db, rules, who.staff_id(), ctx.now()).await
}

/// Reads a rules file (TOML, snake_case keys; a key left out keeps its default).
///
/// # Errors
/// VALIDATION naming the line of a syntax error or unknown key, or for limits that make no
/// sense.
pub fn from_toml(text: &str) -> Result<Rules> {
    let rules: Rules = toml::from_str(text)
        .map_err(|e| Error::validation(text!("rules-file-invalid", detail = e)))?;
    rules.check()?;
    Ok(rules.normalized())
}

/// The rules as a file [`from_toml`] reads back.
///
/// # Errors
/// INTERNAL when they do not serialise (they always do).
pub fn to_toml(rules: &Rules) -> Result<String> {
    // TOML has no null: "never review" is written as a threshold at the cap.
    let file = Rules {
        review_above_cents: rules.review_above_cents.or(Some(rules.price_cap_cents)),
        ..rules.clone()
    };
    toml::to_string(&file).map_err(Error::internal)
}

/// Puts `rules` in force, checked, on behalf of `actor` (None: the command line).
///
/// # Errors
/// VALIDATION for limits that make no sense; INTERNAL on a database fault.
pub async fn store(
    db: &impl ConnectionTrait,
    rules: Rules,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Rules> {
    rules.check()?;
    let rules = rules.normalized();
    let row = purchase_settings::ActiveModel {
        id: Set(ROW.to_owned()),
        rules: Set(serde_json::to_value(&rules).map_err(Error::internal)?),
        updated_by: Set(actor),
        updated_at: Set(now),
    };
    purchase_settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(purchase_settings::Column::Id)
                .update_columns([
                    purchase_settings::Column::Rules,
                    purchase_settings::Column::UpdatedBy,
                    purchase_settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(rules)
}

/// The first half-width comma, colon, semicolon or parenthesis in `s` standing next to a
/// Chinese character (spaces aside), where Chinese text wants the full-width one (，：；（）).
#[cfg(test)]
pub(super) fn half_width_among_chinese(s: &str) -> Option<char> {
    // Ideographs, CJK punctuation and full-width forms.
    let chinese = |c: &char| {
        let c = u32::from(*c);
        (0x3400..=0x9FFF).contains(&c)
            || (0x3000..=0x303F).contains(&c)
            || (0xFF00..=0xFFEF).contains(&c)
    };
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().find_map(|(i, c)| {
        if !",:;()".contains(*c) {
            return None;
        }
        let before = chars[..i].iter().rev().find(|c| !c.is_whitespace());
        let after = chars[i + 1..].iter().find(|c| !c.is_whitespace());
        (before.is_some_and(chinese) || after.is_some_and(chinese)).then_some(*c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts<'static> {
        Facts {
            price_cents: 5_900,
            pub_year: Some(2026),
            clc_class: Some("I247.5"),
            trusted: true,
            holdings: 0,
            other_editions: 0,
            month_count: 0,
            month_cents: 0,
            this_year: 2026,
        }
    }

    fn outcome(results: &[RuleResult], rule: &str) -> Outcome {
        results.iter().find(|r| r.rule == rule).expect(rule).outcome
    }

    /// Facts each making one rule fail or ask for review: the rule and its answer.
    fn cases() -> [(&'static str, Facts<'static>, Outcome); 12] {
        [
            (
                "clc_class",
                Facts {
                    clc_class: None,
                    ..facts()
                },
                Outcome::NeedsReview,
            ),
            (
                "clc_class",
                Facts {
                    trusted: false,
                    ..facts()
                },
                Outcome::NeedsReview,
            ),
            (
                "price",
                Facts {
                    trusted: false,
                    ..facts()
                },
                Outcome::NeedsReview,
            ),
            (
                "holdings",
                Facts {
                    holdings: 0,
                    other_editions: 3,
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "price",
                Facts {
                    price_cents: 25_000,
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "price",
                Facts {
                    price_cents: 15_000,
                    ..facts()
                },
                Outcome::NeedsReview,
            ),
            (
                "publication_year",
                Facts {
                    pub_year: Some(2001),
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "publication_year",
                Facts {
                    pub_year: None,
                    ..facts()
                },
                Outcome::NeedsReview,
            ),
            (
                "clc_class",
                Facts {
                    clc_class: Some("g634.6"),
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "holdings",
                Facts {
                    holdings: 2,
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "monthly_quota",
                Facts {
                    month_count: 3,
                    ..facts()
                },
                Outcome::Fail,
            ),
            (
                "monthly_quota",
                Facts {
                    month_cents: 28_000,
                    ..facts()
                },
                Outcome::Fail,
            ),
        ]
    }

    #[test]
    fn each_rule_passes_fails_or_asks_for_review() {
        let rules = Rules::default();
        let all = rules.evaluate(&facts());
        assert!(all.iter().all(|r| r.outcome == Outcome::Pass), "{all:?}");
        for (rule, f, want) in cases() {
            assert_eq!(outcome(&rules.evaluate(&f), rule), want, "{rule} {f:?}");
        }
    }

    #[test]
    fn rule_results_are_said_in_chinese_with_full_width_punctuation() {
        let rules = Rules::default();
        let no_class = Facts {
            clc_class: None,
            holdings: 1,
            month_count: 1,
            ..facts()
        };
        let sets = [facts(), no_class]
            .into_iter()
            .chain(cases().into_iter().map(|(_, f, _)| f));
        for f in sets {
            for (rule, _, why) in rules.answers(&f) {
                for locale in Locale::ALL {
                    assert_ne!(why.render(locale), why.key(), "{rule}: no {locale:?} text");
                }
            }
            for r in rules.evaluate(&f) {
                assert!(
                    r.reason
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{r:?} is not in Chinese"
                );
                assert_eq!(half_width_among_chinese(&r.reason), None, "{r:?}");
            }
        }
        assert_eq!(
            half_width_among_chinese("定价 ¥150.00 较高,需馆员审核"),
            Some(',')
        );
        assert_eq!(
            half_width_among_chinese("G63 类(教材教辅)不在荐购范围"),
            Some('(')
        );
        assert_eq!(half_width_among_chinese("ISBN-13 有效"), None);
    }

    #[test]
    fn a_rules_file_reads_back_what_was_written_and_names_unknown_keys() {
        let rules = Rules {
            review_above_cents: None,
            excluded_classes: vec!["G63".into()],
            ..Rules::default()
        };
        assert_eq!(from_toml(&to_toml(&rules).unwrap()).unwrap(), rules);
        let partial = from_toml("price_cap_cents = 8000\n").unwrap();
        assert_eq!(partial.price_cap_cents, 8_000);
        assert_eq!(partial.monthly_count, Rules::default().monthly_count);
        let typo = from_toml("price_cap = 8000\n").unwrap_err().english();
        assert!(typo.contains("price_cap"), "{typo}");
        assert!(from_toml("price_cap_cents = -1\n").is_err());
        let example = include_str!("../../../config/purchase-rules.toml");
        assert_eq!(from_toml(example).unwrap(), Rules::default());
        let stored: Rules =
            serde_json::from_value(serde_json::json!({"priceCapCents": 900})).unwrap();
        assert_eq!(stored.price_cap_cents, 900);
    }
}
