// “You read, we pay” (你读书我买单): propose a book by its ISBN. The library's own copies
// are offered first; otherwise the rules decide at once, each one's answer shown in words.

import { html, useState } from '../vendor/preact-htm.js';
import { gql } from '../api.js';
import { Button, Field, Loading, Page, Problem, announce, useLoad } from '../ui.js';
import { OUTCOME, PROPOSAL_STATUS, RULE, when } from '../words.js';

const MINE = `{ myProposals(first: 50) { edges { node {
  id status title priceCents createdAt decisionReason ruleResults { rule outcome reason } } } } }`;
const LOOKUP = `query($i: String!) { isbnLookup(isbn: $i) { book { id title } otherEdition { id title }
  offer { title author publisher pubYear priceCents } } }`;
const PROPOSE = `mutation($i: ProposePurchaseInput!) { proposePurchase(input: $i) {
  id status title decisionReason ruleResults { rule outcome reason } heldBook { id } } }`;

function Rules({ results }) {
  return html`<ul class="rules">${results.map((r) => html`<li class=${`rule rule_${r.outcome}`}>
    <span>${RULE[r.rule] || r.rule}：${OUTCOME[r.outcome]}</span>
    <span class="muted">${r.reason}</span></li>`)}</ul>`;
}

function Propose({ onDone }) {
  const [isbn, setIsbn] = useState('');
  const [held, setHeld] = useState(undefined);
  const [offer, setOffer] = useState(null);
  const [form, setForm] = useState({ title: '', author: '', publisher: '', price: '' });
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(null);
  const [made, setMade] = useState(null);
  const set = (k) => (v) => setForm({ ...form, [k]: v });

  async function look() {
    setBusy(true);
    setFailed(null);
    try {
      const d = await gql(LOOKUP, { i: isbn.trim() });
      const found = d.isbnLookup;
      setHeld(found.book || found.otherEdition ? { ...(found.book || found.otherEdition), other: !found.book } : null);
      setOffer(found.offer);
      if (found.offer) {
        const o = found.offer;
        setForm({ title: o.title, author: o.author || '', publisher: o.publisher || '', price: (o.priceCents / 100).toFixed(2) });
      }
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  }
  async function propose() {
    const cents = Math.round(parseFloat(form.price) * 100);
    if (!form.title.trim() || !(cents > 0)) {
      setFailed('请填写书名和定价。');
      return;
    }
    setBusy(true);
    setFailed(null);
    try {
      const d = await gql(PROPOSE, {
        i: {
          isbn: isbn.trim(),
          title: form.title.trim(),
          author: form.author.trim() || null,
          publisher: form.publisher.trim() || null,
          pubYear: offer ? offer.pubYear : null,
          priceCents: cents,
        },
      });
      setMade(d.proposePurchase);
      announce(`荐购结果：${PROPOSAL_STATUS[d.proposePurchase.status]}`);
      onDone();
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  }

  if (made) {
    return html`<section class="ready">
      <h2>《${made.title}》：${PROPOSAL_STATUS[made.status]}</h2>
      ${made.decisionReason && html`<p>${made.decisionReason}</p>`}
      <${Rules} results=${made.ruleResults} />
    </section>`;
  }
  return html`<section>
    <div class="weui-cells weui-cells_form">
      <${Field} id="isbn" label="ISBN" value=${isbn} inputmode="numeric" onInput=${(v) => { setIsbn(v); setHeld(undefined); setOffer(null); }}
        placeholder="书背面条码下的 13 位数字" maxlength="20" />
    </div>
    ${held === undefined && html`<div class="actions"><${Button} primary busy=${busy} disabled=${!isbn.trim()} onClick=${look}>下一步</${Button}></div>`}
    ${held && html`<div class="hint">
      <p>${held.other ? `图书馆有这本书的其他版本《${held.title}》，不用荐购，可以直接借。` : `图书馆已有《${held.title}》，不用荐购，可以直接借。`}</p>
      <a class="weui-btn weui-btn_primary" href=${`#/order/${held.id}`}>借这本书</a></div>`}
    ${held === null && offer && html`<div class="weui-cells">
      <p class="weui-cell">《${offer.title}》${offer.author ? ` · ${offer.author}` : ''}${offer.publisher ? ` · ${offer.publisher}` : ''}</p>
      <p class="weui-cell">定价 ¥${(offer.priceCents / 100).toFixed(2)}（书商目录）</p>
    </div>
    <div class="actions"><${Button} primary busy=${busy} onClick=${propose}>提交荐购</${Button}></div>`}
    ${held === null && !offer && html`<p class="hint">书商目录中没有这本书，请填写书名和定价，由馆员审核。</p>
    <div class="weui-cells weui-cells_form">
      <${Field} id="title" label="书名" value=${form.title} onInput=${set('title')} maxlength="200" />
      <${Field} id="author" label="作者" value=${form.author} onInput=${set('author')} maxlength="100" />
      <${Field} id="publisher" label="出版社" value=${form.publisher} onInput=${set('publisher')} maxlength="100" />
      <${Field} id="price" label="定价（元）" value=${form.price} inputmode="decimal" onInput=${set('price')} maxlength="10" />
    </div>
    <div class="actions"><${Button} primary busy=${busy} onClick=${propose}>提交荐购</${Button}></div>`}
    <${Problem} error=${failed} />
  </section>`;
}

export function ProposalsPage() {
  const [data, error, reload] = useLoad(() => gql(MINE), []);
  const rows = data ? data.myProposals.edges.map((e) => e.node) : [];
  return html`<${Page} title="荐购">
    <p class="hint">想读的书图书馆没有？填上 ISBN，符合条件的由图书馆买下，您第一个借阅。</p>
    <${Propose} onDone=${reload} />
    <h2 class="section">我的荐购</h2>
    <${Problem} error=${error} />
    ${!data && !error && html`<${Loading} />`}
    ${data && rows.length === 0 && html`<p class="muted">还没有荐购。</p>`}
    <ul class="loans">${rows.map((p) => html`<li class="loan">
      <p><strong>${p.title}</strong> · ${PROPOSAL_STATUS[p.status]}</p>
      <p class="muted">${when(p.createdAt)}</p>
      ${p.decisionReason && html`<p>${p.decisionReason}</p>`}
    </li>`)}</ul>
  </${Page}>`;
}
