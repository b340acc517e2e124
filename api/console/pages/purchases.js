// 荐购 Purchases (librarians): review the proposals the rules left to a person, counter ones
// (a reader waiting in a bookstore) first. Ordering, receiving and paying are on 采购.

import { gql } from '../app.js';
import {
  h, fill, announce, describe, empty, label, yuan, when,
} from '../ui.js';

const PROPOSALS = `query { proposals(status: SUBMITTED, first: 50) { edges { node {
  id urgent isbn title author publisher pubYear clcClass priceCents note createdAt
  ruleResults { rule outcome reason } } } } }`;
const REVIEW = `mutation($id: ID!, $a: Boolean!, $r: String) {
  reviewProposal(id: $id, approve: $a, reason: $r) { id status decisionReason } }`;
export async function render(main, { alive }) {
  const proposals = h('div', { id: 'proposals', tabindex: '-1', 'aria-label': '待审核荐购' });
  main.append(h('section', { class: 'panel' }, h('h1', {}, '荐购审核'), proposals));
  await loadProposals();
  // The page opens with the focus on its heading, never on a button that decides.
  return undefined;

  async function loadProposals() {
    try {
      const data = await gql(PROPOSALS);
      if (!alive()) return;
      // A reader waiting at a bookstore counter comes first.
      const list = data.proposals.edges.map((e) => e.node)
        .sort((a, b) => Number(b.urgent) - Number(a.urgent));
      fill(proposals, list.length === 0 ? empty('没有待审核的荐购。')
        : h('ul', { class: 'cards', 'aria-label': '待审核的荐购' }, list.map(proposalCard)));
    } catch (e) {
      fill(proposals, empty(describe(e)));
    }
  }

  function proposalCard(p) {
    const reason = h('input', { id: `reason-${p.id}`, placeholder: '驳回理由（读者可见）' });
    const reasonRow = h('div', { class: 'reason', hidden: true },
      h('label', { for: `reason-${p.id}` }, '理由'), reason,
      h('button', { type: 'button', class: 'danger', onclick: () => reject() }, '确认驳回'));
    reason.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); reject(); }
      if (e.key === 'Escape') { reasonRow.hidden = true; }
    });
    const concerns = p.ruleResults.filter((r) => r.outcome !== 'PASS');
    const card = h('li', { class: 'panel', 'data-proposal': p.id },
      h('h3', {}, p.urgent ? h('span', { class: 'tag warn' }, '加急') : null, p.urgent ? ' ' : null, `《${p.title}》`),
      p.urgent ? h('p', { class: 'muted' }, '书店现场荐购：读者正在书店等候。') : null,
      h('p', {}, [p.author, p.publisher, p.pubYear].filter(Boolean).join(' · ')),
      h('p', { class: 'muted' }, `ISBN ${p.isbn}`, p.clcClass ? ` · 中图分类 ${p.clcClass}` : '',
        ` · 荐购于 ${when(p.createdAt)}`),
      h('p', { class: 'big' }, yuan(p.priceCents)),
      p.note ? h('p', {}, '读者留言：', p.note) : null,
      concerns.length ? h('ul', { class: 'rules' }, concerns.map((r) =>
        h('li', {}, h('span', { class: r.outcome === 'FAIL' ? 'tag bad' : 'tag' }, label('outcome', r.outcome)), ' ', r.reason)))
        : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => approve(), 'aria-label': `批准《${p.title}》` }, '批准'),
        h('button', {
          type: 'button',
          onclick: () => { reasonRow.hidden = false; reason.focus(); },
          'aria-label': `驳回《${p.title}》`,
        }, '驳回')),
      reasonRow);
    return card;

    async function approve() {
      await review(true, null);
    }

    async function reject() {
      const why = reason.value.trim();
      if (!why) {
        announce('驳回需要填写理由', 'error');
        reason.focus();
        return;
      }
      await review(false, why);
    }

    async function review(approveIt, why) {
      try {
        const r = (await gql(REVIEW, { id: p.id, a: approveIt, r: why })).reviewProposal;
        announce(`${label('proposal', r.status)}：《${p.title}》`, 'ok');
      } catch (e) {
        announce(`审核失败《${p.title}》：${describe(e)}`, 'error');
      }
      await loadProposals();
      // Back to the list, not onto the next proposal's 批准: a second Enter must not approve it.
      proposals.focus();
    }
  }
}
