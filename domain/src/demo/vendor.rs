//! The demo's purchasing: a wholesaler whose feed lists new books the demo library does not
//! hold (one of them another edition of a held book, offered as a loan alongside; one an
//! exam-preparation book the rules exclude), and this year's budget, so a demo reader's proposal is decided at once as it
//! would be in a library that has imported its vendors' catalogues.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use crate::china_time;
use crate::entity::{vendor, vendor_offer};
use crate::purchases::budget;
use crate::Result;

/// The wholesaler's name.
const VENDOR: &str = "新华书店图书批发中心";
/// This year's "you read, we pay" budget: 50,000 yuan.
const BUDGET_CENTS: i64 = 5_000_000;
/// The feed: ISBN, title, author, publisher, years before this one, price (cents), class.
const FEED: [(&str, &str, &str, &str, i32, i64, &str); 8] = [
    (
        "9787999000013",
        "长夜余火",
        "林岚",
        "人民文学出版社",
        0,
        4_900,
        "I247.5",
    ),
    (
        "9787999000020",
        "海边的灯塔",
        "周川",
        "上海译文出版社",
        1,
        3_800,
        "I247.5",
    ),
    (
        "9787999000037",
        "城市里的鸟",
        "沈青",
        "商务印书馆",
        0,
        5_600,
        "Q959.7",
    ),
    (
        "9787999000044",
        "算法图鉴",
        "陈默",
        "人民邮电出版社",
        1,
        8_900,
        "TP301.6",
    ),
    (
        "9787999000051",
        "给孩子的天文课",
        "许星",
        "中信出版社",
        0,
        4_500,
        "P1-49",
    ),
    (
        "9787999000068",
        "江南园林志（新版）",
        "童寯",
        "中国建筑工业出版社",
        1,
        12_800,
        "TU986.62",
    ),
    (
        "9787999000075",
        "高考数学真题全解",
        "编写组",
        "教育科学出版社",
        0,
        3_900,
        "G634.603",
    ),
    (
        "9787999000082",
        "三体（典藏版）",
        "刘慈欣",
        "重庆出版社",
        0,
        9_800,
        "I247.55",
    ),
];

/// Adds the wholesaler with its feed and allocates this year's budget.
///
/// # Errors
/// A database fault.
pub(super) async fn insert(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<()> {
    let vendor = vendor::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(VENDOR.to_owned()),
        branch_id: Set(None),
        order_api_base: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let year = china_time::year_of(now);
    for (isbn, title, author, publisher, age, price, class) in FEED {
        vendor_offer::ActiveModel {
            id: Set(Uuid::now_v7()),
            vendor_id: Set(vendor.id),
            isbn: Set(isbn.to_owned()),
            title: Set(title.to_owned()),
            author: Set(Some(author.to_owned())),
            publisher: Set(Some(publisher.to_owned())),
            pub_year: Set(Some(year - age)),
            price_cents: Set(price),
            clc_class: Set(Some(class.to_owned())),
            stock: Set(20),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    budget::set_total(db, year, BUDGET_CENTS, None, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::catalog::isbn::Isbn13;

    #[test]
    fn the_feed_has_valid_isbns() {
        for (isbn, ..) in super::FEED {
            assert_eq!(
                Isbn13::parse(isbn).map(|i| i.as_str().to_owned()).ok(),
                Some(isbn.to_owned())
            );
        }
    }
}
