// Small DOM helpers shared by the pages. Server text only ever enters the page as text
// nodes (h() children, textContent), never as HTML.

/**
 * Creates an element: h('button', {class: 'big', onclick: f}, '批准').
 * Attributes: `class`, `on<event>` handlers, boolean `true` (present) / `false`/null (absent),
 * anything else as an attribute. Children: strings and numbers become text; arrays are
 * flattened; null, undefined and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'value') {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Tells the user something: in the page's aria-live region (screen readers) and in the
 * status bar. `kind` is 'ok', 'error' or 'info'.
 */
export function announce(message, kind = 'info') {
  const live = document.getElementById('live');
  const bar = document.getElementById('status');
  // Clear first so the same message twice in a row is announced twice.
  if (live) {
    live.textContent = '';
    setTimeout(() => { live.textContent = message; }, 30);
  }
  if (bar) {
    bar.textContent = message;
    bar.className = `status ${kind}`;
  }
}

/** What an API error means to a person at the desk. */
export function describe(err) {
  const codes = {
    UNAUTHENTICATED: '请重新登录',
    FORBIDDEN: '无权限',
    NOT_FOUND: '未找到',
    VALIDATION: '输入有误',
    CONFLICT: '状态已变化',
    QUOTA_EXCEEDED: '超出限额',
    NO_COPY_AVAILABLE: '无可借副本',
    RATE_LIMITED: '操作太频繁',
    INTERNAL: '服务器出错',
    NETWORK: '网络不通',
  };
  const what = codes[err && err.code] || '出错了';
  return err && err.message ? `${what}（${err.message}）` : what;
}

/**
 * What a scanner or a keyboard typed, as the barcode it means: full-width characters (a
 * Chinese input method in full-width mode) as their ASCII, letters upper-case (Caps Lock or
 * not), spaces around it dropped.
 */
export function asBarcode(typed) {
  return typed
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .trim()
    .toUpperCase();
}

/**
 * Makes a field that keeps a scanned value (a reader's card) take the next scan whole: its
 * content is selected whenever it gets the focus and after each Enter, so scanning another
 * card replaces the last one instead of being appended to it.
 */
export function replaceOnScan(input) {
  input.addEventListener('focus', () => input.select());
  input.addEventListener('keydown', (event) => {
    // (Only while it keeps the focus: select() would take it back from the next box.)
    if (event.key === 'Enter') setTimeout(() => document.activeElement === input && input.select(), 0);
  });
  return input;
}

/**
 * A scan box: a labelled text input for a USB barcode scanner (which types the code and
 * Enter). On Enter the value, read as the barcode it means ([`asBarcode`]), goes to `onScan`;
 * the box is cleared and keeps focus, and ignores Enter while the previous scan is still
 * being handled.
 */
export function scanBox({ id, label, placeholder = '扫描或输入条码，回车确认', onScan }) {
  const input = h('input', {
    id, type: 'text', class: 'scan', autocomplete: 'off', autocapitalize: 'off',
    spellcheck: 'false', enterkeyhint: 'go', placeholder,
  });
  let busy = false;
  input.addEventListener('keydown', async (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const value = asBarcode(input.value);
    input.value = '';
    if (!value || busy) return;
    busy = true;
    input.setAttribute('aria-busy', 'true');
    try {
      await onScan(value);
    } finally {
      busy = false;
      input.removeAttribute('aria-busy');
      input.focus();
    }
  });
  const box = h('div', { class: 'field' }, h('label', { for: id }, label), input);
  return { box, input };
}

/**
 * A branch selector over the staff member's branches; remembers the choice for the session.
 * Calls `onChange(branch)` whenever the choice changes.
 */
export function branchPicker(branches, onChange, id = 'branch') {
  const key = 'hongyan.console.branch';
  const saved = sessionStorage.getItem(key);
  const select = h('select', { id, class: 'branch' },
    branches.map((b) => h('option', { value: b.id }, `${b.name}（${b.code}）`)));
  if (branches.some((b) => b.id === saved)) select.value = saved;
  const current = () => branches.find((b) => b.id === select.value);
  select.addEventListener('change', () => {
    sessionStorage.setItem(key, select.value);
    onChange(current());
  });
  const box = h('div', { class: 'field inline' }, h('label', { for: id }, '分馆'), select);
  return { box, select, current };
}

/** A button that asks once more before acting: the first press arms it for 4 seconds. */
export function confirmButton(label, armedLabel, action, attrs = {}) {
  let armed = null;
  const button = h('button', { type: 'button', ...attrs }, label);
  const name = attrs['aria-label'];
  const disarm = () => {
    button.textContent = label;
    button.classList.remove('armed');
    if (name) button.setAttribute('aria-label', name);
  };
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = armedLabel;
      button.classList.add('armed');
      if (name) button.setAttribute('aria-label', `${armedLabel} ${name}`);
      armed = setTimeout(() => { armed = null; disarm(); }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      disarm();
    }
  });
  return button;
}

/** A section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

/** A table from headings and rows of cells (text or elements), scrolling sideways on phones. */
export function table(headings, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}

/** An "empty list" line. */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** Yuan with thousands separators and two decimals. */
const YUAN = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Yuan from cents: 15000 → "¥150.00", 1234567 → "¥12,345.67". */
export function yuan(cents) {
  return `¥${YUAN.format(Number(cents) / 100)}`;
}

/** Cents from an amount typed in yuan ("39.8", "¥1,000", full-width too); null when it is not one. */
export function centsOf(typed) {
  const t = asBarcode(typed).replace(/^[¥￥]/, '').replace(/,/g, '');
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** A copy's barcode as staff read it: a counter copy's temporary one reads as such. */
function shownBarcode(barcode) {
  if (!barcode) return '—';
  return barcode.startsWith('TMP-') ? '临时条码（待编目）' : barcode;
}

/**
 * A vendor's monthly statement (`vendorStatement` with month, totalCents, paid, csv, vendor
 * name and lines): its total, paid or not, the books, a CSV download and any `actions`.
 */
export function statementView(s, ...actions) {
  return [
    h('p', {}, `${s.vendor.name} · ${s.month} · 合计 ${yuan(s.totalCents)} `,
      h('span', { class: s.paid ? 'tag ok' : 'tag' }, s.paid ? '已结清' : '未结清')),
    s.lines.length === 0 ? empty('本月没有记录。') : table(['题名', 'ISBN', '条码', '金额', '购买'],
      s.lines.map((l) => [l.title, l.isbn, shownBarcode(l.barcode), yuan(l.priceCents), when(l.boughtAt)])),
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => download(`月结-${s.vendor.name}-${s.month}.csv`, s.csv) }, '下载 CSV'),
      actions),
  ];
}

/** This month (`YYYY-MM`) and year in China time. */
export function chinaToday() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit',
  }).formatToParts(new Date()).map((x) => [x.type, x.value]));
  return { month: `${p.year}-${p.month}`, year: Number(p.year) };
}

/** A date-time in China time, e.g. "2026-11-26 16:05". */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Chinese names of the API's enum values. */
export const LABELS = {
  delivery: { LOCKER: '智能书柜', BRANCH: '到馆自取', HOME: '快递到家' },
  request: {
    PENDING: '待分配', WAITLISTED: '排队中', ROUTED: '待拣书', PICKED: '已拣待发',
    IN_TRANSIT: '配送中', READY_FOR_PICKUP: '待取书', FULFILLED: '已取书',
    CANCELLED: '已取消', EXPIRED: '已过期', FAILED: '失败',
  },
  round: { OPEN: '待发车', STARTED: '已发车', COMPLETED: '已完成' },
  shipment: {
    CREATED: '待揽收', IN_TRANSIT: '运输中', DELIVERED: '已送达', FAILED: '失败', CANCELLED: '已取消',
  },
  shipmentKind: { LOCKER: '送书柜', HOME: '送到家', TRANSFER: '馆际调拨', RETURN: '上门取还' },
  checkIn: {
    HOLD_SHELF: '放到本馆预约架',
    SERVES_WAITLIST: '满足预约：已加入本馆拣书单',
    SHELVE: '留在本馆：上架',
    SEND_HOME: '送回所属馆',
    FORWARD: '转送到取书馆',
  },
  proposal: {
    SUBMITTED: '待审核', APPROVED: '已批准', REJECTED: '已驳回', JOINED: '已合并',
    ORDERED: '已下单', RECEIVED: '已到馆', LOANED: '已借出', CANCELLED: '已撤回',
  },
  outcome: { PASS: '通过', FAIL: '未通过', NEEDS_REVIEW: '需审核' },
  notification: { PENDING: '待发送', SENT: '已发送', UNDELIVERABLE: '无法送达', DEAD: '失败' },
  kind: {
    request_accepted: '预约已受理', request_waitlisted: '排队等候', ready_at_locker: '书柜待取',
    ready_at_branch: '到馆待取', shipped: '已发货', delivered: '已送达',
    pickup_deadline_soon: '取书即将到期', request_expired: '预约过期', request_failed: '预约失败',
    due_soon: '即将到期', overdue: '已超期', renewed: '已续借', return_received: '已还书',
    proposal_decided: '荐购结果', proposal_arrived: '荐购到馆',
  },
  channel: { WECHAT: '微信', EMAIL: '邮件' },
  reader: { ACTIVE: '正常', PENDING: '待核验身份', CLOSED: '已合并注销' },
  role: {
    PICKER: '拣书员', DISPATCHER: '配送员', LIBRARIAN: '馆员', ADMIN: '管理员',
    BOOKSTORE_CLERK: '书店店员',
  },
};

/** The label of `value` in `group`, or the value itself. */
export function label(group, value) {
  return (LABELS[group] && LABELS[group][value]) || value || '';
}

/** Saves text as a download (CSV for vendors). */
export function download(filename, text, type = 'text/csv;charset=utf-8') {
  // A byte-order mark so spreadsheet programs read the UTF-8 as such.
  saveBlob(filename, new Blob(['\ufeff', text], { type }));
}

/** Saves a file the server sent (a workbook) as a download. */
export function saveBlob(filename, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** What the pages that show a reader (借还, 读者) ask of a `DeskReader`. */
export const READER_FIELDS = `id name cardNumber status blocked blockedReason maxLoans maxOpenRequests
  mobileMasked idNumberMasked wechatLinked createdAt hasOwnCategory category { code name loanDays }
  openRequests { id status deliveryMethod pickupDeadline createdAt book { title } }
  activeLoans { id dueAt overdue renewals book { title } }
  notifications(first: 20) { id kind channel status createdAt lastError }`;

/** A reader as the desk sees them: name, card, standing, loans, requests and messages. */
export function readerDetail(r) {
  return [
    h('p', { class: 'big' }, h('strong', {}, r.name), '　', h('span', { class: 'mono' }, r.cardNumber || '（无读者证）'),
      r.status !== 'ACTIVE' ? h('span', { class: 'tag warn' }, label('reader', r.status)) : null,
      r.blocked ? h('span', { class: 'tag bad' }, '已停借') : null),
    r.blocked && r.blockedReason ? h('p', {}, '停借原因：', r.blockedReason) : null,
    h('p', { class: 'muted' }, [
      r.mobileMasked ? `手机 ${r.mobileMasked}` : '未留手机',
      r.idNumberMasked ? `证件 ${r.idNumberMasked}` : null,
      r.wechatLinked ? '已绑定微信' : '未绑定微信',
      r.category ? `${r.category.name}（借期 ${r.category.loanDays} 天）` : null,
      `可借 ${r.maxLoans} 册 · 可预约 ${r.maxOpenRequests} 条`,
    ].filter(Boolean).join(' · ')),
    h('h3', {}, `在借（${r.activeLoans.length}）`),
    r.activeLoans.length === 0 ? empty('没有在借的书。') : table(['题名', '应还', '续借'],
      r.activeLoans.map((l) => [l.book.title,
        h('span', {}, when(l.dueAt), l.overdue ? h('span', { class: 'tag bad' }, '超期') : null),
        String(l.renewals)])),
    h('h3', {}, `进行中的预约（${r.openRequests.length}）`),
    r.openRequests.length === 0 ? empty('没有进行中的预约。') : table(['题名', '状态', '方式'],
      r.openRequests.map((q) => [q.book.title, label('request', q.status), label('delivery', q.deliveryMethod)])),
    h('h3', {}, '通知记录'),
    r.notifications.length === 0 ? empty('没有通知。') : table(['时间', '内容', '渠道', '状态'],
      r.notifications.map((n) => [when(n.createdAt), label('kind', n.kind), label('channel', n.channel),
        h('span', { title: n.lastError || '' }, label('notification', n.status))])),
  ];
}

/** What the pages ask of a `Destination` (where a picked or returned copy goes next). */
export const DESTINATION_FIELDS = 'kind door holdFor locker { name code } toBranch { name code }';

/** Where a copy goes next, in the words the person holding it needs. */
export function whereNext(d) {
  switch (d.kind) {
    case 'LOCKER': return `送书柜：${d.locker.name}${d.door ? ` · 格口 ${d.door}` : ''}（放进待发车的配送筐）`;
    case 'HOLD_SHELF': return `放本馆预约架：${d.holdFor}`;
    case 'HOME': return '打包送书上门（快递）';
    case 'TRANSFER': return `调拨到 ${d.toBranch.name}（${d.toBranch.code}）`;
    default: return '';
  }
}

let audio = null;

/**
 * A short sound after a scan, so whoever holds the scanner need not look at the screen: two
 * rising notes when it worked, a low buzz when it did not. Silent where the browser has no
 * Web Audio.
 */
export function sound(kind) {
  try {
    audio ??= new AudioContext();
    const notes = kind === 'ok' ? [[880, 0], [1320, 0.09]] : [[220, 0], [180, 0.15]];
    for (const [frequency, at] of notes) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = kind === 'ok' ? 'sine' : 'square';
      tone.frequency.value = frequency;
      gain.gain.value = 0.12;
      tone.connect(gain).connect(audio.destination);
      const start = audio.currentTime + at;
      tone.start(start);
      tone.stop(start + (kind === 'ok' ? 0.08 : 0.14));
    }
  } catch {
    // No sound on this machine: the page still says it in words.
  }
}

/** A smart locker's card: name, online or not, free doors per size. */
export function lockerCard(locker) {
  const sizes = (locker.freeCompartments || [])
    .map((c) => `${c.size} 空 ${c.free}/${c.total}`).join(' · ');
  return h('li', { class: 'locker', 'data-locker': locker.code },
    h('div', { class: 'actions' },
      h('strong', {}, locker.name),
      h('span', { class: 'muted mono' }, locker.code),
      h('span', { class: locker.online ? 'tag ok' : 'tag bad' }, locker.online ? '在线' : '离线')),
    h('p', { class: 'muted' }, locker.branch && locker.branch.name ? `${locker.branch.name} · ` : '', locker.address || ''),
    h('p', {}, sizes ? `空闲格口：${sizes}` : '没有格口'));
}
