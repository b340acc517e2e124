//! The demo city's places: Zhangjiagang (张家港市), Jiangsu, a county-level city known for
//! its network of 24-hour city study rooms (城市书房).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::branches::{self, BranchKind, NewBranch};
use crate::lockers::{self, NewLocker};
use crate::Result;

/// Code of the central library.
pub const CENTRAL: &str = "ZJG";

/// (code, name, kind, address, latitude, longitude)
type Place = (
    &'static str,
    &'static str,
    BranchKind,
    &'static str,
    f64,
    f64,
);

const BRANCHES: &[Place] = &[
    (
        CENTRAL,
        "张家港市图书馆",
        BranchKind::Central,
        "杨舍镇暨阳中路1号",
        31.8756,
        120.5531,
    ),
    (
        "ZJG-JG",
        "金港分馆",
        BranchKind::Branch,
        "金港街道长江中路88号",
        31.9490,
        120.4015,
    ),
    (
        "ZJG-JF",
        "锦丰分馆",
        BranchKind::Branch,
        "锦丰镇锦绣路201号",
        31.9317,
        120.6252,
    ),
    (
        "ZJG-TQ",
        "塘桥分馆",
        BranchKind::Branch,
        "塘桥镇南京路66号",
        31.8288,
        120.6322,
    ),
    (
        "ZJG-FH",
        "凤凰分馆",
        BranchKind::Branch,
        "凤凰镇凤凰大道18号",
        31.7936,
        120.6527,
    ),
    (
        "ZJG-LY",
        "乐余分馆",
        BranchKind::Branch,
        "乐余镇兆丰路12号",
        31.9275,
        120.7409,
    ),
    (
        "ZJG-NF",
        "南丰分馆",
        BranchKind::Branch,
        "南丰镇永联路5号",
        31.9478,
        120.6955,
    ),
    (
        "SF-SZH",
        "沙洲湖城市书房",
        BranchKind::SelfService,
        "沙洲湖公园东侧",
        31.8639,
        120.5714,
    ),
    (
        "SF-JYH",
        "暨阳湖城市书房",
        BranchKind::SelfService,
        "暨阳湖生态园南门",
        31.8544,
        120.5447,
    ),
    (
        "SF-BXJ",
        "步行街24小时图书馆",
        BranchKind::SelfService,
        "步行街人民中路120号",
        31.8771,
        120.5587,
    ),
    (
        "SF-GTZ",
        "高铁站城市书房",
        BranchKind::SelfService,
        "张家港站候车厅二楼",
        31.8412,
        120.5172,
    ),
    (
        "XHSD",
        "新华书店张家港店",
        BranchKind::Bookstore,
        "人民中路43号",
        31.8762,
        120.5603,
    ),
];

/// (code, name, branch, address, latitude, longitude, compartments)
type LockerPlace = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
);

const LOCKERS: &[LockerPlace] = &[
    (
        "L-ZJG-01",
        "市图书馆东门书柜",
        CENTRAL,
        "暨阳中路1号东门",
        31.8758,
        120.5545,
        "S=12,M=8,L=4",
    ),
    (
        "L-ZJG-02",
        "市民广场书柜",
        CENTRAL,
        "市民广场北侧",
        31.8701,
        120.5508,
        "S=10,M=6,L=2",
    ),
    (
        "L-ZJG-03",
        "港城大道地铁口书柜",
        CENTRAL,
        "港城大道与长安路口",
        31.8650,
        120.5601,
        "S=8,M=8,L=2",
    ),
    (
        "L-ZJG-04",
        "第一人民医院书柜",
        CENTRAL,
        "第一人民医院门诊楼",
        31.8808,
        120.5470,
        "S=8,M=4,L=2",
    ),
    (
        "L-ZJG-05",
        "梁丰小区书柜",
        CENTRAL,
        "梁丰二村12幢旁",
        31.8835,
        120.5650,
        "S=10,M=6,L=2",
    ),
    (
        "L-JG-01",
        "金港镇政府书柜",
        "ZJG-JG",
        "长江中路150号",
        31.9475,
        120.4061,
        "S=8,M=6,L=2",
    ),
    (
        "L-JG-02",
        "保税区服务中心书柜",
        "ZJG-JG",
        "保税区金港路2号",
        31.9608,
        120.4310,
        "S=6,M=4,L=2",
    ),
    (
        "L-JF-01",
        "锦丰中学书柜",
        "ZJG-JF",
        "锦丰中学南门",
        31.9352,
        120.6190,
        "S=8,M=6,L=2",
    ),
    (
        "L-TQ-01",
        "塘桥商业街书柜",
        "ZJG-TQ",
        "塘桥商业街中段",
        31.8301,
        120.6355,
        "S=8,M=4,L=2",
    ),
    (
        "L-FH-01",
        "凤凰古镇书柜",
        "ZJG-FH",
        "恬庄古街入口",
        31.7890,
        120.6602,
        "S=6,M=4,L=2",
    ),
    (
        "L-LY-01",
        "乐余社区中心书柜",
        "ZJG-LY",
        "兆丰社区服务中心",
        31.9260,
        120.7380,
        "S=6,M=6,L=2",
    ),
    (
        "L-NF-01",
        "永联村书柜",
        "ZJG-NF",
        "永联村文化中心",
        31.9502,
        120.7010,
        "S=8,M=4,L=4",
    ),
];

/// Inserts the branches; returns (id, code) of those that hold stock (not the bookstore).
pub async fn insert_branches(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, &'static str)>> {
    let new = BRANCHES
        .iter()
        .map(|(code, name, kind, address, lat, lng)| NewBranch {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            kind: *kind,
            address: format!("江苏省张家港市{address}"),
            position: Some((*lat, *lng)),
        })
        .collect();
    let created = branches::create(db, new, now).await?;
    Ok(created
        .iter()
        .zip(BRANCHES)
        .filter(|(_, p)| p.2 != BranchKind::Bookstore)
        .map(|(b, p)| (b.id, p.0))
        .collect())
}

/// Registers the lockers with known device tokens `demo-locker-{code}`.
pub async fn insert_lockers<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<()> {
    for (code, name, branch, address, lat, lng, spec) in LOCKERS {
        let new = NewLocker {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            branch_code: (*branch).to_owned(),
            address: format!("江苏省张家港市{address}"),
            position: Some((*lat, *lng)),
        };
        lockers::register_with_token(db, new, &spec.parse()?, &super::locker_token(code), now)
            .await?;
    }
    Ok(())
}
