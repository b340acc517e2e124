// Small pieces every page uses, on WeUI's classes: a page with a title and a way back,
// lists of cells, buttons, errors in words, and announcements for screen readers.

import { html, useEffect, useState } from './vendor/preact-htm.js';
import { explain } from './words.js';

/** Tells screen readers (and sighted readers, briefly) that something changed. */
export function announce(text) {
  const region = document.getElementById('announce');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

/** Goes to an app address (`#/…`). */
export function go(path) {
  location.hash = path;
}

/** A page: its heading (focused when it opens, for screen readers) and its content. */
export function Page({ title, back, children }) {
  useEffect(() => {
    document.title = `${title} · 网借`;
    const h = document.getElementById('page-title');
    if (h) h.focus({ preventScroll: true });
  }, [title]);
  return html`<main class="page">
    <header class="page__bar">
      ${back && html`<a class="page__back" href=${back} aria-label="返回">‹</a>`}
      <h1 id="page-title" tabindex="-1">${title}</h1>
    </header>
    ${children}
  </main>`;
}

/** An error in words, with what to do about it when there is something. */
export function Problem({ error, children }) {
  if (!error) return null;
  return html`<div class="problem" role="alert">
    <p>${typeof error === 'string' ? error : explain(error)}</p>
    ${children}
  </div>`;
}

/** What shows while something loads. */
export function Loading({ text = '正在加载…' }) {
  return html`<p class="loading" role="status">${text}</p>`;
}

/** A button: primary or default, busy while its action runs. */
export function Button({ onClick, primary, busy, disabled, children, type = 'button', label }) {
  const cls = `weui-btn ${primary ? 'weui-btn_primary' : 'weui-btn_default'}${busy ? ' weui-btn_loading' : ''}`;
  return html`<button type=${type} class=${cls} onClick=${onClick}
    disabled=${disabled || busy} aria-busy=${busy ? 'true' : 'false'} aria-label=${label}>
    ${busy && html`<i class="weui-loading"></i>`}${children}</button>`;
}

/** A labelled text input in a WeUI cell. */
export function Field({ label, value, onInput, type = 'text', inputmode, autocomplete, error, id, placeholder, maxlength }) {
  return html`<div class="weui-cell weui-cell_active${error ? ' weui-cell_warn' : ''}">
    <div class="weui-cell__hd"><label class="weui-label" for=${id}>${label}</label></div>
    <div class="weui-cell__bd">
      <input id=${id} class="weui-input" type=${type} inputmode=${inputmode} autocomplete=${autocomplete}
        value=${value} placeholder=${placeholder} maxlength=${maxlength}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${id}-error` : undefined}
        onInput=${(e) => onInput(e.currentTarget.value)} />
      ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
    </div>
  </div>`;
}

/**
 * Loads with `load()` when `deps` change: `[data, error, reload]`; `data` stays the last
 * answer while a reload runs.
 */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((data) => live && setState({ data, error: null }))
      .catch((error) => live && setState((s) => ({ data: s.data, error })));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [state.data, state.error, () => setTick((t) => t + 1)];
}

/** A book's cover: generated from its title (no outside image service). */
export function Cover({ title, size = 'small' }) {
  const tint = [...(title || '书')].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 8, 7);
  const text = (title || '书').slice(0, size === 'small' ? 2 : 6);
  return html`<div class=${`cover cover_${size} cover_t${tint}`} aria-hidden="true">
    <span>${text}</span></div>`;
}
