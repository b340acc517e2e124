//! The readers who joined in the demo year: a few thousand, most given a home branch when
//! they signed up at a desk, the rest (WeChat sign-ups) without one.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::Rng;
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::calendar::{self, Day};
use crate::entity::{reader, reader_address};
use crate::{people, Result};

/// Readers who joined in the year.
const READERS: f64 = 3_000.0;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "沈", "顾", "钱", "陆", "蒋", "缪", "瞿", "季",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "浩然", "子涵", "欣怡", "梓轩", "雨桐", "宇航", "思远",
    "佳怡", "晨曦", "一诺", "嘉怡", "俊杰", "婉清", "文博", "若曦", "建国", "秀兰", "春华",
];
const STREETS: &[&str] = &[
    "杨舍镇人民中路",
    "杨舍镇步行街",
    "金港街道长江路",
    "锦丰镇振兴路",
    "塘桥镇富民路",
    "凤凰镇凤凰大道",
    "乐余镇乐红路",
    "南丰镇南丰路",
    "大新镇新东路",
    "杨舍镇东二环路",
];

/// A reader of the history: who, since when, and where they usually borrow.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// The reader.
    pub id: Uuid,
    /// When they joined.
    pub joined: DateTime<Utc>,
    /// Their home branch, if they have one.
    pub home: Option<Uuid>,
}

/// The year's readers (ordered by joining) and their rows.
pub struct Readers {
    /// Who joined, oldest first.
    pub members: Vec<Member>,
    /// The reader rows.
    pub rows: Vec<reader::ActiveModel>,
}

impl Readers {
    /// A reader who had joined by `at` (the keen early ones more often), if any had.
    pub fn pick(&self, at: DateTime<Utc>, rng: &mut StdRng) -> Option<Member> {
        let joined = self.members.partition_point(|m| m.joined < at);
        if joined == 0 {
            return None;
        }
        // Squaring favours the first readers: some borrow far more than others.
        let u: f64 = rng.random::<f64>().powi(2);
        // u < 1, so the index is below `joined`.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = (u * joined as f64) as usize;
        self.members.get(i.min(joined - 1)).copied()
    }
}

/// Readers joining over `days` (card numbers from 30000001), 60 % with a home branch among
/// `branches`.
///
/// # Errors
/// INTERNAL when the reader table lets no reader begin ACTIVE.
pub fn generate(
    days: &[Day],
    branches: &[Uuid],
    now: DateTime<Utc>,
    rng: &mut StdRng,
) -> Result<Readers> {
    let per_day = calendar::spread(days, READERS);
    let mut members = Vec::new();
    let mut rows = Vec::new();
    for (day, n) in days.iter().zip(per_day) {
        let mut times: Vec<DateTime<Utc>> = (0..n)
            .map(|_| calendar::opening_hours(day, rng))
            .filter(|t| *t < now)
            .collect();
        times.sort_unstable();
        for joined in times {
            let name = format!(
                "{}{}",
                SURNAMES[rng.random_range(0..SURNAMES.len())],
                GIVEN[rng.random_range(0..GIVEN.len())]
            );
            let home = rng
                .random_bool(0.6)
                .then(|| branches[rng.random_range(0..branches.len())]);
            let mut row = people::new_reader(&name, joined)?;
            let id = Uuid::now_v7();
            row.id = Set(id);
            row.card_number = Set(Some(format!("{}", 30_000_001 + rows.len())));
            row.home_branch_id = Set(home);
            rows.push(row);
            members.push(Member { id, joined, home });
        }
    }
    Ok(Readers { members, rows })
}

/// A home delivery address for `reader`, saved when they first asked for one.
pub fn address(reader: Uuid, at: DateTime<Utc>, rng: &mut StdRng) -> reader_address::ActiveModel {
    reader_address::ActiveModel {
        id: Set(Uuid::now_v7()),
        reader_id: Set(reader),
        label: Set(if rng.random_bool(0.8) {
            "家"
        } else {
            "公司"
        }
        .to_owned()),
        recipient: Set(format!(
            "{}先生/女士",
            SURNAMES[rng.random_range(0..SURNAMES.len())]
        )),
        phone: Set(format!("139{:08}", rng.random_range(0..100_000_000))),
        address: Set(format!(
            "江苏省张家港市{}{}号",
            STREETS[rng.random_range(0..STREETS.len())],
            rng.random_range(1..400)
        )),
        latitude: Set(None),
        longitude: Set(None),
        created_at: Set(at - Duration::minutes(1)),
    }
}
