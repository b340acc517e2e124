//! The embedded full-text index (tantivy, with jieba word segmentation for Chinese).
//!
//! One document per title: its text fields segmented by jieba in search mode (so 黑暗森林
//! finds 三体II：黑暗森林 and 人民 finds 中华人民共和国史), its ISBN in 13- and 10-digit
//! form, every prefix of its CLC class (so a class filter is a term lookup), its year, and
//! its availability overall and per branch. The database stays the source of truth: the
//! index only decides which titles match and in what order.
//!
//! Queries are never parsed as query syntax: the text is segmented with the same analyzer
//! as the documents and every word must match some field (falling back to any word when
//! that finds nothing), so `"`, `:`, `(` or `*` in a reader's query are just characters.

use std::ops::Bound;
use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use uuid::Uuid;

use crate::{Error, Result};

/// Version of the document layout; a mismatch with an index on disk forces a rebuild.
pub const SCHEMA_VERSION: u32 = 1;
const ANALYZER: &str = "zh";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// A title as the index sees it.
#[derive(Debug, Clone, Default)]
pub struct IndexedTitle {
    /// Title id.
    pub id: Uuid,
    /// Every copy of it is withdrawn: the title has left the collection and is not found.
    pub withdrawn: bool,
    /// Title proper.
    pub title: String,
    /// Other title information.
    pub subtitle: Option<String>,
    /// Authors.
    pub authors: String,
    /// Publisher.
    pub publisher: Option<String>,
    /// Subject headings.
    pub subjects: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// ISBN-13.
    pub isbn13: Option<String>,
    /// ISBN-10, when the ISBN-13 has one.
    pub isbn10: Option<String>,
    /// CLC class.
    pub clc_class: Option<String>,
    /// Year of publication.
    pub pub_year: Option<i32>,
    /// Copies available now, all branches.
    pub available: u64,
    /// Branches with an available copy.
    pub available_at: Vec<Uuid>,
    /// Branches holding any copy.
    pub held_at: Vec<Uuid>,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct IndexQuery {
    /// Words typed by the reader (already validated), or an ISBN.
    pub text: String,
    /// A normalised ISBN-13 when the text is one.
    pub isbn: Option<String>,
    /// Only titles with a copy available now (at `branch` when given).
    pub available_only: bool,
    /// Only titles held (or available, with `available_only`) at this branch.
    pub branch: Option<Uuid>,
    /// Only titles whose CLC class starts with this.
    pub clc_prefix: Option<String>,
    /// Published in or after this year.
    pub year_from: Option<i32>,
    /// Published in or before this year.
    pub year_to: Option<i32>,
}

/// One page of matches, best first.
#[derive(Debug, Clone, Default)]
pub struct IndexHits {
    /// Matches in all.
    pub total: usize,
    /// Title ids on this page.
    pub ids: Vec<Uuid>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    title_exact: Field,
    subtitle: Field,
    authors: Field,
    publisher: Field,
    subjects: Field,
    summary: Field,
    isbn: Field,
    clc: Field,
    year: Field,
    available: Field,
    available_at: Field,
    held_at: Field,
}

/// The search index of one process.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        title_exact: b.add_text_field("title_exact", STRING),
        subtitle: b.add_text_field("subtitle", text.clone()),
        authors: b.add_text_field("authors", text.clone()),
        publisher: b.add_text_field("publisher", text.clone()),
        subjects: b.add_text_field("subjects", text.clone()),
        summary: b.add_text_field("summary", text),
        isbn: b.add_text_field("isbn", STRING),
        clc: b.add_text_field("clc", STRING),
        year: b.add_i64_field("year", INDEXED | FAST),
        available: b.add_u64_field("available", INDEXED | FAST),
        available_at: b.add_text_field("available_at", STRING),
        held_at: b.add_text_field("held_at", STRING),
    };
    (b.build(), fields)
}

/// The exact-title key: lower case, letters and digits only.
pub fn exact_key(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn tantivy_err(e: impl std::fmt::Display) -> Error {
    Error::internal(anyhow::anyhow!("search index: {e}"))
}

impl SearchIndex {
    /// Opens the index in `dir` (created when missing), or in memory when `dir` is None.
    /// Returns the index and whether it had to be created empty.
    ///
    /// # Errors
    /// INTERNAL when the directory cannot be used (e.g. another process holds its lock).
    pub fn open(dir: Option<&Path>) -> Result<(Self, bool)> {
        let (schema, fields) = schema();
        let (index, created) = match dir {
            None => (Index::create_in_ram(schema), true),
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(tantivy_err)?;
                match Index::open_in_dir(dir) {
                    Ok(i) if i.schema() == schema => (i, false),
                    _ => {
                        // Missing, corrupt or of another layout: start again.
                        let _ = std::fs::remove_dir_all(dir);
                        std::fs::create_dir_all(dir).map_err(tantivy_err)?;
                        (
                            Index::create_in_dir(dir, schema).map_err(tantivy_err)?,
                            true,
                        )
                    }
                }
            }
        };
        let analyzer = TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(LowerCaser)
            .build();
        index.tokenizers().register(ANALYZER, analyzer);
        let writer = index.writer(WRITER_MEMORY).map_err(tantivy_err)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_err)?;
        Ok((
            SearchIndex {
                index,
                reader,
                writer: Mutex::new(writer),
                fields,
            },
            created,
        ))
    }

    /// Number of titles in the index (as of the last commit).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds the title with this id.
    pub fn holds(&self, id: Uuid) -> bool {
        let term = Term::from_field_text(self.fields.id, &id.to_string());
        self.reader.searcher().doc_freq(&term).is_ok_and(|n| n > 0)
    }

    /// True when the index holds no titles.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The database time up to which every title change is in the index (stored with each
    /// commit), or None for a new or never-synchronised index.
    pub fn watermark(&self) -> Option<DateTime<Utc>> {
        let payload = self.index.load_metas().ok()?.payload?;
        DateTime::parse_from_rfc3339(&payload)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Adds or replaces titles (removes withdrawn ones), then commits with `watermark` and
    /// makes them searchable.
    ///
    /// # Errors
    /// INTERNAL when tantivy fails to write.
    pub fn upsert(&self, titles: &[IndexedTitle], watermark: DateTime<Utc>) -> Result<()> {
        let f = self.fields;
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        for t in titles {
            let id = t.id.to_string();
            writer.delete_term(Term::from_field_text(f.id, &id));
            if t.withdrawn {
                continue;
            }
            let mut d: TantivyDocument = doc!(
                f.id => id,
                f.title => t.title.clone(),
                f.title_exact => exact_key(&t.title),
                f.authors => t.authors.clone(),
                f.available => t.available,
            );
            for (field, value) in [
                (f.subtitle, &t.subtitle),
                (f.publisher, &t.publisher),
                (f.subjects, &t.subjects),
                (f.summary, &t.summary),
                (f.isbn, &t.isbn13),
                (f.isbn, &t.isbn10),
            ] {
                if let Some(v) = value {
                    d.add_text(field, v);
                }
            }
            if let Some(class) = &t.clc_class {
                for end in class.char_indices().map(|(i, c)| i + c.len_utf8()) {
                    d.add_text(f.clc, &class[..end]);
                }
            }
            if let Some(y) = t.pub_year {
                d.add_i64(f.year, i64::from(y));
            }
            for b in &t.available_at {
                d.add_text(f.available_at, b.to_string());
            }
            for b in &t.held_at {
                d.add_text(f.held_at, b.to_string());
            }
            writer.add_document(d).map_err(tantivy_err)?;
        }
        drop(writer);
        self.commit(watermark)
    }

    /// Removes every document (before a full rebuild); the watermark is forgotten.
    ///
    /// # Errors
    /// INTERNAL when tantivy fails to write.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        writer.delete_all_documents().map_err(tantivy_err)?;
        writer.commit().map_err(tantivy_err)?;
        drop(writer);
        self.reader.reload().map_err(tantivy_err)
    }

    fn commit(&self, watermark: DateTime<Utc>) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut prepared = writer.prepare_commit().map_err(tantivy_err)?;
        prepared.set_payload(&watermark.to_rfc3339());
        prepared.commit().map_err(tantivy_err)?;
        drop(writer);
        self.reader.reload().map_err(tantivy_err)
    }

    /// Segments text the way documents are segmented, dropping punctuation.
    pub fn words(&self, text: &str) -> Vec<String> {
        let mut analyzer = match self.index.tokenizers().get(ANALYZER) {
            Some(a) => a,
            None => return vec![],
        };
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            if token.text.chars().any(char::is_alphanumeric) && !words.contains(&token.text) {
                words.push(token.text.clone());
            }
        }
        words
    }

    /// Finds titles, best first; `offset`/`limit` select the page.
    ///
    /// # Errors
    /// INTERNAL when tantivy fails to search.
    pub fn search(&self, q: &IndexQuery, offset: usize, limit: usize) -> Result<IndexHits> {
        let filters = self.filters(q);
        let words = self.words(&q.text);
        let strict = self.text_query(q, &words, Occur::Must);
        let hits = self.run(strict, &filters, offset, limit)?;
        if hits.total > 0 || words.len() < 2 {
            return Ok(hits);
        }
        self.run(
            self.text_query(q, &words, Occur::Should),
            &filters,
            offset,
            limit,
        )
    }

    fn run(
        &self,
        text: Box<dyn Query>,
        filters: &[Box<dyn Query>],
        offset: usize,
        limit: usize,
    ) -> Result<IndexHits> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        clauses.extend(filters.iter().map(|f| (Occur::Must, f.box_clone())));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let (top, total) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(limit.max(1))
                        .and_offset(offset)
                        .order_by_score(),
                    Count,
                ),
            )
            .map_err(tantivy_err)?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let d: TantivyDocument = searcher.doc(addr).map_err(tantivy_err)?;
            if let Some(id) = d
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                ids.push(id);
            }
        }
        Ok(IndexHits { total, ids })
    }

    /// Every word must (or, as a fallback, may) match a text field; an exact title and an
    /// ISBN outrank everything.
    fn text_query(&self, q: &IndexQuery, words: &[String], occur: Occur) -> Box<dyn Query> {
        let f = self.fields;
        let weighted = [
            (f.title, 3.0),
            (f.authors, 2.0),
            (f.subtitle, 1.5),
            (f.subjects, 1.5),
            (f.publisher, 1.0),
            (f.summary, 0.5),
        ];
        let mut outer: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(isbn) = &q.isbn {
            outer.push((Occur::Should, term(f.isbn, isbn, 10.0)));
        }
        if !words.is_empty() {
            let per_word: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| {
                    let any_field: Vec<(Occur, Box<dyn Query>)> = weighted
                        .iter()
                        .map(|(field, boost)| (Occur::Should, term_text(*field, w, *boost)))
                        .collect();
                    (
                        occur,
                        Box::new(BooleanQuery::new(any_field)) as Box<dyn Query>,
                    )
                })
                .collect();
            outer.push((Occur::Should, Box::new(BooleanQuery::new(per_word))));
            outer.push((
                Occur::Should,
                term(f.title_exact, &exact_key(&q.text), 20.0),
            ));
        }
        Box::new(BooleanQuery::new(outer))
    }

    fn filters(&self, q: &IndexQuery) -> Vec<Box<dyn Query>> {
        let f = self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        match (q.available_only, q.branch) {
            (true, Some(b)) => out.push(term(f.available_at, &b.to_string(), 0.0)),
            (false, Some(b)) => out.push(term(f.held_at, &b.to_string(), 0.0)),
            (true, None) => out.push(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(f.available, 1)),
                Bound::Unbounded,
            ))),
            (false, None) => {}
        }
        if let Some(p) = &q.clc_prefix {
            out.push(term(f.clc, p, 0.0));
        }
        if q.year_from.is_some() || q.year_to.is_some() {
            let bound = |y: Option<i32>| {
                y.map_or(Bound::Unbounded, |y| {
                    Bound::Included(Term::from_field_i64(f.year, i64::from(y)))
                })
            };
            out.push(Box::new(RangeQuery::new(
                bound(q.year_from),
                bound(q.year_to),
            )));
        }
        out
    }
}

/// A term query on an untokenised field; boost 0 means a pure filter.
fn term(field: Field, value: &str, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    );
    if boost == 0.0 {
        Box::new(tantivy::query::ConstScoreQuery::new(Box::new(q), 0.0))
    } else {
        Box::new(BoostQuery::new(Box::new(q), boost))
    }
}

/// A term query on a segmented field, scored by BM25.
fn term_text(field: Field, word: &str, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, word),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(q), boost))
}
