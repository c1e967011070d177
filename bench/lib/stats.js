'use strict';
// Summaries of the per-round samples and the text of the results table.

function summarize(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

// Server CPU time per unit of work, in microseconds, from loadgen's server CPU %
// (over the measured window) and the rate of that work per second.
function serverUsPer(r, ratePerSecond) {
  if (r.server_cpu == null || r.server_cpu < 0 || !(ratePerSecond > 0)) return null;
  return ((r.server_cpu / 100) * 1e6) / ratePerSecond;
}

function fmt(x, integer) {
  if (x == null || !Number.isFinite(x)) return '–';
  if (integer) return Math.round(x).toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

function cell(summary, integer) {
  if (!summary) return 'n/a';
  if (summary.n === 1 || summary.min === summary.max) return fmt(summary.median, integer);
  return `${fmt(summary.median, integer)} (${fmt(summary.min, integer)}–${fmt(summary.max, integer)})`;
}

// A markdown table (readable as plain text too).
function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

module.exports = { serverUsPer, summarize, fmt, cell, table };
