// A book: what it is, where its copies are, and the way to ask for it.

import { html } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import * as session from '../session.js';
import { Cover, Loading, Page, Problem, useLoad } from '../ui.js';

const BOOK = `query($id: ID!) { book(id: $id) {
  id title subtitle authors isbn publisher pubYear clcClass summary availableCopies totalCopies
  availability { branch { id name } copies available }
} }`;

export function BookPage({ args: [id] }) {
  const [data, error] = useLoad(() => gql(BOOK, { id }), [id]);
  const b = data && data.book;
  return html`<${Page} title=${b ? b.title : '图书'} back="#/">
    <${Problem} error=${error} />
    ${!data && !error && html`<${Loading} />`}
    ${data && !b && html`<${Problem} error="没有找到这本书。" />`}
    ${b && html`<article class="book-page">
      <div class="book-page__head">
        <${Cover} title=${b.title} size="large" />
        <div>
          ${b.subtitle && html`<p>${b.subtitle}</p>`}
          <p>${b.authors.join('、')}</p>
          <p class="muted">${[b.publisher, b.pubYear, b.isbn && `ISBN ${b.isbn}`].filter(Boolean).join(' · ')}</p>
        </div>
      </div>
      ${b.summary && html`<p class="summary">${b.summary}</p>`}
      <h2 class="section">馆藏</h2>
      ${b.availability.length === 0 && html`<p class="muted">网借书库暂无此书，可以“荐购”请图书馆买。</p>`}
      <ul class="weui-cells">
        ${b.availability.map((a) => html`<li class="weui-cell">
          <span class="weui-cell__bd">${a.branch.name}</span>
          <span class=${`weui-cell__ft ${a.available ? 'ok' : ''}`}>${a.available ? `可借 ${a.available} 册` : `${a.copies} 册已借出`}</span>
        </li>`)}
      </ul>
      <div class="actions">
        ${b.totalCopies > 0
          ? html`<a class="weui-btn weui-btn_primary" href=${`#/order/${b.id}`}>
              ${b.availableCopies ? '借这本书' : '预约排队'}</a>`
          : html`<a class="weui-btn weui-btn_default" href="#/proposals">荐购这本书</a>`}
        ${!session.signedIn() && html`<p class="muted center">借书前需要登录</p>`}
      </div>
    </article>`}
  </${Page}>`;
}
