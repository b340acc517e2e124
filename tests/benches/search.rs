//! Catalogue search benchmark: Hongyan's index against PostgreSQL `pg_trgm` on the same data.
//!
//! ```text
//! cargo bench -p hongyan-tests --bench search -- [TITLES] [ROUNDS]
//! ```
//! (defaults: 1,000,000 titles, 50 rounds of the query set per client). It generates the
//! catalogue in a fresh PostgreSQL database (`hongyan_bench_search`, on
//! `HONGYAN_TEST_DATABASE_URL`'s server), builds the search index from it (timed, with the
//! process's resident memory before and after), then runs a fixed set of Chinese words,
//! author names and ISBNs through `catalog::search` (index + the database read that fills a
//! page of 20) and, side by side, through `ILIKE '%…%'` with GIN trigram indexes; with one
//! client and with 16 concurrent clients. It prints p50/p99 latencies and the ratio.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use hongyan_domain::catalog::indexer;
use hongyan_domain::catalog::search::{self, SearchRequest};
use hongyan_domain::catalog::search_index::SearchIndex;
use hongyan_tests::bench;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};

const DB: &str = "hongyan_bench_search";

/// Words titles are made of, and the query set's words.
const WORDS: &[&str] = &[
    "中国",
    "历史",
    "文化",
    "文学",
    "小说",
    "散文",
    "诗词",
    "研究",
    "概论",
    "通史",
    "故事",
    "儿童",
    "科学",
    "技术",
    "经济",
    "管理",
    "心理学",
    "哲学",
    "艺术",
    "音乐",
    "绘画",
    "建筑",
    "城市",
    "乡村",
    "森林",
    "海洋",
    "黑暗",
    "光明",
    "时间",
    "简史",
    "人类",
    "宇宙",
    "生命",
    "自然",
    "地理",
    "旅行",
    "美食",
    "家常菜",
    "健康",
    "养生",
    "教育",
    "家庭",
    "父母",
    "孩子",
    "成长",
    "青春",
    "爱情",
    "婚姻",
    "战争",
    "和平",
    "革命",
    "人民",
    "共和国",
    "明清",
    "唐宋",
    "元曲",
    "红楼梦",
    "三国",
    "水浒",
    "西游",
    "江南",
    "长江",
    "黄河",
    "北京",
    "上海",
    "苏州",
    "张家港",
    "编程",
    "计算机",
    "网络",
    "数据",
    "算法",
    "人工智能",
    "机器",
    "学习",
    "数学",
    "物理",
    "化学",
    "生物",
    "医学",
    "法律",
    "政治",
    "社会",
    "经典",
    "导论",
    "入门",
    "实践",
    "指南",
    "手册",
    "辞典",
    "鉴赏",
    "评论",
    "传记",
    "回忆录",
    "日记",
    "书信",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "慈欣",
];
const QUERIES: &[&str] = &[
    "黑暗森林",
    "人民",
    "中国历史",
    "简史",
    "家常菜",
    "心理学",
    "唐宋 诗词",
    "人工智能",
    "苏州 园林",
    "儿童 故事",
    "刘慈欣",
    "王伟",
    "陈静",
    "机器学习",
    "长江",
    "明清 小说",
    "回忆录",
    "量子",
    "经济 管理",
    "红楼梦",
];

fn sql(db: &DatabaseConnection, s: &str) -> Statement {
    Statement::from_string(db.get_database_backend(), s.to_owned())
}

fn array(items: &[&str]) -> String {
    format!(
        "ARRAY[{}]",
        items
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(",")
    )
}

async fn generate(titles: u64) -> DatabaseConnection {
    let (_, db) = bench::fresh_database(DB).await;
    let started = Instant::now();
    db.execute_unprepared(&format!(
        r"
        SELECT setseed(0.42);
        INSERT INTO branch (id, code, name, kind, address, created_at)
          SELECT gen_random_uuid(), 'B' || i, '分馆' || i, 'BRANCH', '张家港', now() FROM generate_series(1, 8) i;
        CREATE FUNCTION pg_temp.isbn13(body text) RETURNS text LANGUAGE sql AS $$
          SELECT body || ((10 - (SELECT sum(substr(body, i, 1)::int * CASE WHEN i % 2 = 0 THEN 3 ELSE 1 END)
                                 FROM generate_series(1, 12) i) % 10) % 10)::text $$;
        INSERT INTO title (id, isbn, title, authors, publisher, pub_year, clc_class, created_at, updated_at)
          SELECT gen_random_uuid(),
                 pg_temp.isbn13('9787' || lpad(n::text, 8, '0')),
                 w[1 + (random() * (array_length(w, 1) - 1))::int] || w[1 + (random() * (array_length(w, 1) - 1))::int]
                   || CASE WHEN random() < 0.5 THEN w[1 + (random() * (array_length(w, 1) - 1))::int] ELSE '' END,
                 s[1 + (random() * (array_length(s, 1) - 1))::int] || g[1 + (random() * (array_length(g, 1) - 1))::int],
                 '某某出版社', 1980 + (random() * 45)::int, 'I' || (200 + (random() * 99)::int), now(), now()
          FROM generate_series(1, {titles}) n,
               (SELECT {w} AS w, {s} AS s, {g} AS g) v;
        INSERT INTO item (id, title_id, barcode, call_number, home_branch_id, current_branch_id, status, net_lending, created_at, updated_at)
          SELECT gen_random_uuid(), x.id, 'BC' || x.rn, x.cls || '/1', x.bid, x.bid,
                 CASE WHEN random() < 0.7 THEN 'AVAILABLE' ELSE 'ON_LOAN' END, true, now(), now()
          FROM (SELECT t.id, t.clc_class AS cls, row_number() OVER () AS rn,
                       b.ids[1 + floor(random() * 8)::int] AS bid
                FROM title t, (SELECT array_agg(id) AS ids FROM branch) b) x;
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX title_title_trgm ON title USING gin (title gin_trgm_ops);
        CREATE INDEX title_authors_trgm ON title USING gin (authors gin_trgm_ops);
        ANALYZE;
        ",
        w = array(WORDS),
        s = array(SURNAMES),
        g = array(GIVEN),
    ))
    .await
    .expect("generate catalogue");
    println!(
        "generated {titles} titles with copies and trigram indexes in {:.1?}",
        started.elapsed()
    );
    db
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[derive(Clone, Copy)]
enum Engine {
    Hongyan,
    Trigram,
}

async fn one(
    engine: Engine,
    db: &DatabaseConnection,
    index: &SearchIndex,
    q: &str,
    isbn: &str,
) -> usize {
    match engine {
        Engine::Hongyan => {
            let req = SearchRequest {
                text: q.to_owned(),
                ..SearchRequest::default()
            };
            search::search(db, index, &req, 0, 20)
                .await
                .expect("search")
                .books
                .len()
        }
        Engine::Trigram => {
            let like = format!("%{}%", q.split_whitespace().next().unwrap_or(q));
            let stmt = Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT id, title, authors FROM title WHERE title ILIKE $1 OR authors ILIKE $1 OR isbn = $2 LIMIT 20",
                [Value::from(like), Value::from(isbn.to_owned())],
            );
            db.query_all(stmt).await.expect("trigram query").len()
        }
    }
}

async fn measure(
    engine: Engine,
    db: &DatabaseConnection,
    index: &Arc<SearchIndex>,
    clients: usize,
    rounds: usize,
    isbns: &[String],
) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (db, index, isbns) = (db.clone(), Arc::clone(index), isbns.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for r in 0..rounds {
                for (i, q) in QUERIES.iter().enumerate() {
                    let isbn = &isbns[(c + r + i) % isbns.len()];
                    // Every fourth query is an ISBN lookup.
                    let text = if i % 4 == 3 { isbn.as_str() } else { q };
                    let t = Instant::now();
                    one(engine, &db, &index, text, isbn).await;
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    all.sort();
    all
}

#[tokio::main]
async fn main() {
    let [titles, rounds] = bench::args([1_000_000, 50]);
    let rounds = usize::try_from(rounds).expect("rounds");
    let db = generate(titles).await;

    let dir = std::env::temp_dir().join(format!("hongyan-bench-index-{}", std::process::id()));
    let before = rss_mib();
    let started = Instant::now();
    let (index, _) = SearchIndex::open(Some(&dir)).expect("open index");
    let n = indexer::rebuild(&db, &index, chrono::Utc::now())
        .await
        .expect("rebuild");
    println!(
        "index build: {n} titles in {:.1?}; process RSS {before:.0} MiB → {:.0} MiB",
        started.elapsed(),
        rss_mib()
    );
    let index = Arc::new(index);

    let isbn_rows = db
        .query_all(sql(&db, "SELECT isbn FROM title ORDER BY isbn LIMIT 200"))
        .await
        .expect("isbns");
    let isbns: Vec<String> = isbn_rows
        .iter()
        .map(|r| r.try_get::<String>("", "isbn").expect("isbn"))
        .collect();

    println!(
        "{:<10} {:>8} {:>10} {:>10} {:>10}",
        "engine", "clients", "p50", "p99", "queries/s"
    );
    for clients in [1, 16] {
        let mut p99s = Vec::new();
        for engine in [Engine::Hongyan, Engine::Trigram] {
            let rounds = if clients == 1 {
                rounds
            } else {
                (rounds / 4).max(1)
            };
            let t = Instant::now();
            let lat = measure(engine, &db, &index, clients, rounds, &isbns).await;
            let qps = lat.len() as f64 / t.elapsed().as_secs_f64();
            let name = match engine {
                Engine::Hongyan => "hongyan",
                Engine::Trigram => "pg_trgm",
            };
            println!(
                "{name:<10} {clients:>8} {:>10.2?} {:>10.2?} {qps:>10.0}",
                bench::pct(&lat, 0.5),
                bench::pct(&lat, 0.99)
            );
            p99s.push(bench::pct(&lat, 0.99));
        }
        println!(
            "  pg_trgm p99 / hongyan p99 at {clients} client(s): {:.1}x",
            p99s[1].as_secs_f64() / p99s[0].as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
