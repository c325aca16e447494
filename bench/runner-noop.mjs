// The no-op trainer of the runner benchmark: report a score and exit (SLEEP_MS: wait first).
const ms = Number(process.env.SLEEP_MS ?? 0);
if (ms > 0) await new Promise((r) => setTimeout(r, ms));
console.log(`METRIC score=${Number(process.argv.find((a) => a.startsWith("x="))?.slice(2) ?? 0)}`);
