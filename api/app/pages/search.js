// 找书: the home page. A search box (Chinese input methods commit with Enter), filters for
// what can be lent now and where, results with their availability, and more on demand.

import { html, useEffect, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import { Cover, Page, Problem, announce } from '../ui.js';

const SEARCH = `query($q: String!, $f: BookFilter, $after: String) {
  searchBooks(query: $q, filter: $f, first: 20, after: $after) {
    totalCount
    edges { node { id title authors publisher pubYear availableCopies totalCopies } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const BRANCHES = '{ branches { id name kind } }';

/** The Chinese Library Classification's main classes readers browse by. */
const CLASSES = [
  ['I', '文学'], ['K', '历史、地理'], ['B', '哲学、宗教'], ['C', '社会科学总论'], ['D', '政治、法律'],
  ['F', '经济'], ['G', '文化、科学、教育、体育'], ['H', '语言、文字'], ['J', '艺术'], ['N', '自然科学总论'],
  ['O', '数理科学和化学'], ['Q', '生物科学'], ['R', '医药、卫生'], ['S', '农业科学'], ['T', '工业技术'],
  ['TP', '计算机'], ['U', '交通运输'], ['X', '环境科学'], ['Z', '综合性图书'],
];

let remembered = { text: '', availableOnly: false, branch: '', clc: '' };

export function SearchPage() {
  const [text, setText] = useState(remembered.text);
  const [availableOnly, setAvailableOnly] = useState(remembered.availableOnly);
  const [branch, setBranch] = useState(remembered.branch);
  const [clc, setClc] = useState(remembered.clc);
  const [branches, setBranches] = useState([]);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    gql(BRANCHES)
      .then((d) => setBranches(d.branches.filter((b) => b.kind !== 'BOOKSTORE')))
      .catch(() => {});
    if (remembered.text) run(false);
  }, []);

  async function run(more) {
    const q = text.trim();
    if (!q) return;
    remembered = { text, availableOnly, branch, clc };
    setBusy(true);
    setError(null);
    try {
      const filter = { availableOnly, branchId: branch || null, clcPrefix: clc || null };
      const after = more && result ? result.pageInfo.endCursor : null;
      const d = await gql(SEARCH, { q, f: filter, after });
      const page = d.searchBooks;
      const books = more && result ? [...result.books, ...page.edges.map((e) => e.node)] : page.edges.map((e) => e.node);
      setResult({ books, total: page.totalCount, pageInfo: page.pageInfo });
      if (!more) announce(page.totalCount ? `找到 ${page.totalCount} 种图书` : '没有找到相关图书');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const submit = (e) => {
    e.preventDefault();
    run(false);
  };

  return html`<${Page} title="找书">
    <form class="search" role="search" onSubmit=${submit}>
      <label class="sr-only" for="q">书名、作者或 ISBN</label>
      <input id="q" class="search__input" type="search" enterkeyhint="search"
        placeholder="书名、作者或 ISBN" value=${text} maxlength="200"
        onInput=${(e) => setText(e.currentTarget.value)} />
      <button class="search__go" type="submit" disabled=${busy}>搜索</button>
    </form>
    <div class="filters">
      <label class="filters__item">
        <input type="checkbox" checked=${availableOnly}
          onChange=${(e) => setAvailableOnly(e.currentTarget.checked)} /> 只看可借
      </label>
      <label class="filters__item">
        <select value=${branch} onChange=${(e) => setBranch(e.currentTarget.value)} aria-label="分馆">
          <option value="">全部分馆</option>
          ${branches.map((b) => html`<option value=${b.id}>${b.name}</option>`)}
        </select>
      </label>
      <label class="filters__item">
        <select value=${clc} onChange=${(e) => setClc(e.currentTarget.value)} aria-label="图书类别">
          <option value="">全部类别</option>
          ${CLASSES.map(([code, name]) => html`<option value=${code}>${code} ${name}</option>`)}
        </select>
      </label>
    </div>
    <${Problem} error=${error} />
    ${result && html`<p class="muted" aria-hidden="true">共 ${result.total} 种</p>
      <ul class="books">
        ${result.books.map((b) => html`<li>
          <a class="book" href=${`#/book/${b.id}`}>
            <${Cover} title=${b.title} />
            <div class="book__text">
              <strong class="book__title">${b.title}</strong>
              <span class="muted">${b.authors.join('、')}${b.publisher ? ` · ${b.publisher}` : ''}${b.pubYear ? ` · ${b.pubYear}` : ''}</span>
              <span class=${b.availableCopies ? 'ok' : 'muted'}>
                ${b.availableCopies ? `可借 ${b.availableCopies} 册` : b.totalCopies ? '暂无可借，可预约排队' : '暂无馆藏'}
              </span>
            </div>
          </a>
        </li>`)}
      </ul>
      ${result.pageInfo.hasNextPage && html`<button class="weui-btn weui-btn_default more"
        disabled=${busy} onClick=${() => run(true)}>加载更多</button>`}`}
    ${!result && !error && html`<p class="hint">输入书名、作者或 ISBN 查找图书，选好后送到您身边的智能书柜、分馆或家里。</p>`}
  </${Page}>`;
}
