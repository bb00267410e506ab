// Per-core busy time from /proc/stat: tells whether the server core was saturated, and by whom.
import fs from "node:fs";

export function coreTimes() {
  const out = {};
  for (const line of fs.readFileSync("/proc/stat", "utf8").split("\n")) {
    const m = line.match(/^cpu(\d+)\s+(.*)$/);
    if (!m) continue;
    const v = m[2].split(/\s+/).map(Number); // user nice system idle iowait irq softirq steal
    const idle = v[3] + v[4];
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[m[1]] = { busy: total - idle, total };
  }
  return out;
}

// Busy fraction of each core between two coreTimes() snapshots.
export function busyBetween(a, b) {
  const out = {};
  for (const k of Object.keys(b)) {
    const dt = b[k].total - a[k].total;
    out[k] = dt > 0 ? (b[k].busy - a[k].busy) / dt : 0;
  }
  return out;
}

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((p, q) => p - q);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
