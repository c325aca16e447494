// Summarize a .cpuprofile: self time per function (top 25), plus inclusive time of named functions.
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
const counts = new Map();
for (let i = 0; i < p.samples.length; i++) { counts.set(p.samples[i], (counts.get(p.samples[i]) || 0) + (dt[i] || 0)); total += dt[i] || 0; }
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of counts) {
  const n = byId.get(id); const key = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`;
  self.set(key, (self.get(key) || 0) + t);
  const seen = new Set(); let cur = id;
  while (cur !== undefined) { const m = byId.get(cur); const k = m.callFrame.functionName; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) || 0) + t); } cur = parent.get(cur); }
}
console.log("total ms", (total / 1000).toFixed(0));
console.log("-- self");
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 22)) console.log((t / 1000).toFixed(0).padStart(7), k);
console.log("-- inclusive");
for (const k of (process.argv[3] || "").split(",")) console.log((((incl.get(k) || 0) / 1000).toFixed(0)).padStart(7), k);
