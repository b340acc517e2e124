// Codes drawn on the phone, with no outside service: the pickup code as a QR code
// (qrcode-generator) and the library card number as a Code 128 barcode desk scanners read.

import qrcode from './vendor/qrcode.js';

/** A QR code of `text` as an SVG data URL. */
export function qr(text) {
  const q = qrcode(0, 'M');
  q.addData(text);
  q.make();
  const svg = q.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

// Code 128 bar patterns (module widths: bar, space, bar, space, bar, space), values 0–106.
const PATTERNS = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 '
  + '122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 '
  + '321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 '
  + '211313 231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 '
  + '213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422 '
  + '121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 '
  + '241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 '
  + '412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 '
  + '211214 211232 2331112'
).split(' ');
const START_B = 104;
const STOP = 106;

/** A Code 128 (set B) barcode of printable ASCII `text` as an SVG data URL. */
export function code128(text) {
  const values = [START_B, ...[...text].map((c) => c.charCodeAt(0) - 32)];
  const check = values.reduce((sum, v, i) => sum + v * Math.max(i, 1), 0) % 103;
  values.push(check, STOP);
  const module = 2;
  let x = 10 * module;
  const bars = [];
  for (const v of values) {
    const widths = PATTERNS[v];
    for (let i = 0; i < widths.length; i += 1) {
      const w = Number(widths[i]) * module;
      if (i % 2 === 0) bars.push(`<rect x="${x}" y="0" width="${w}" height="80"/>`);
      x += w;
    }
  }
  const width = x + 10 * module;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} 80" width="${width}" height="80">`
    + `<rect width="${width}" height="80" fill="#fff"/><g fill="#000">${bars.join('')}</g></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
