/**
 * Fault injection on a shared study (issue 11 acceptance): worker processes are killed with
 * SIGKILL at random moments — while asking, while a trial runs, while telling — and
 * replaced; a watcher reaps stale trials. Checked at the end: no finished result lost (every
 * trial a worker printed as told is finished, once), every trial that was running when its
 * worker was killed is reaped as failed within stale_after + one heartbeat of the kill, no
 * trial is left running, and the study reached its target.
 *
 *   npx tsx bench/study-faults.ts --backend journal|postgres [--kills 24] [--workers 4]
 *       [--stale 1] [--heartbeat 0.2] [--target 60]
 *   npx tsx bench/study-faults.ts --backend private-postgres --restarts 3 ...
 *       (starts its own PostgreSQL cluster on port 5499 under /tmp and restarts it mid-sweep;
 *        needs root or the postgres user, and the server binaries under /usr/lib/postgresql)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, chownSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { Study, openStorage, type StoredEvent } from "../src/study/index";
import { createRng } from "../src/random";
import { CONFIG, sleep, startWorker, type RunningWorker } from "../test/study/helpers";
import { arg, fmt, locationFor, postgresLocation, quantileOf, type BenchLocation } from "./study-common";

const backend = arg("backend", "journal");
const kills = Number(arg("kills", "24"));
const workerCount = Number(arg("workers", "4"));
const staleAfter = Number(arg("stale", "1"));
const heartbeat = Number(arg("heartbeat", "0.2"));
/** Finished trials the study must hold at the end (survivors keep going until then). */
const target = Number(arg("target", "40"));
const restarts = Number(arg("restarts", "0"));
const SETTINGS = { numRandomSamples: 10, seed: 3, gpMaxObs: 100, suggestionsPerPareto: 16, globalCandidates: 64, localSearch: false };
const PHASES = ["asking", "asked", "telling"] as const;
/** Scheduling slack allowed on top of stale_after + one heartbeat (the reaper polls every 50 ms; a loaded 2-core box adds more). */
const SLACK = Number(arg("slack", "0.5"));
const rng = createRng(20261129);

/** A throw-away PostgreSQL cluster the bench may restart without disturbing anyone. */
function privateCluster(): { base: string; restart(): void; stop(): void } {
  const version = readdirSync("/usr/lib/postgresql")[0];
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = `/tmp/ps-pgpriv-${process.pid}`;
  const data = `${dir}/data`;
  const asPostgres = (cmd: string): void => {
    execFileSync("su", ["postgres", "-c", cmd], { stdio: "ignore" });
  };
  mkdirSync(dir, { recursive: true });
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  chownSync(dir, uid, gid);
  if (!existsSync(data)) asPostgres(`${bin}/initdb -D ${data} -A trust -U postgres`);
  const opts = `-p 5499 -k ${dir} -c listen_addresses=127.0.0.1`;
  asPostgres(`${bin}/pg_ctl -D ${data} -o '${opts}' -l ${dir}/log start -w`);
  return {
    base: "postgres://postgres@127.0.0.1:5499/postgres",
    restart: () => asPostgres(`${bin}/pg_ctl -D ${data} -o '${opts}' -l ${dir}/log restart -m immediate -w`),
    stop: () => {
      asPostgres(`${bin}/pg_ctl -D ${data} stop -m immediate -w`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Kill {
  worker: string;
  phase: (typeof PHASES)[number];
  /** The trial the worker held (asked and not yet told), if any. */
  trial?: string;
  at: number;
}

async function main(): Promise<void> {
  const cluster = backend === "private-postgres" ? privateCluster() : undefined;
  const where: BenchLocation = cluster ? postgresLocation(cluster.base) : locationFor(backend);
  const stopFile = `${tmpdir()}/ps-faults-stop-${process.pid}`;
  let nextWorker = 0;
  const all: RunningWorker[] = [];
  const names = new Map<RunningWorker, string>();
  const spawnOne = (): RunningWorker => {
    const name = `w${nextWorker++}`;
    const w = startWorker({
      location: where.location,
      name: "faults",
      trials: 10_000,
      worker: name,
      runMs: 150 + Math.floor(rng.random() * 450),
      heartbeatMs: heartbeat * 1000,
      staleAfter,
      retries: 1,
      stopFile,
    });
    all.push(w);
    names.set(w, name);
    return w;
  };
  try {
    const study = await Study.create({ storage: where.location, name: "faults", config: CONFIG, settings: SETTINGS, worker: "watcher" });
    let live = Array.from({ length: workerCount }, spawnOne);
    const killLog: Kill[] = [];
    let stopReaping = false;
    const reaper = (async () => {
      while (!stopReaping) {
        try {
          await study.reapStale(staleAfter, { retries: 1 });
        } catch (error) {
          if (!cluster) throw error;
        }
        await sleep(50);
      }
    })();
    let restartsDone = 0;
    const t0 = Date.now();
    for (let i = 0; i < kills; i++) {
      await sleep(200 + rng.random() * 600);
      if (cluster && restartsDone < restarts && i % Math.max(1, Math.floor(kills / (restarts + 1))) === 0 && i > 0) {
        cluster.restart();
        restartsDone++;
      }
      const victim = live[Math.floor(rng.random() * live.length)];
      const phase = PHASES[i % PHASES.length];
      const from = victim.lines.length;
      const line = await Promise.race([victim.waitFor((l) => victim.lines.indexOf(l) >= from && l.ev === phase), victim.exited.then(() => undefined)]).catch(() => undefined);
      if (line === undefined) throw new Error(`worker ${names.get(victim)} exited on its own: ${(await victim.exited).stderr}`);
      victim.child.kill("SIGKILL");
      const at = Date.now();
      const lines = victim.lines;
      const lastAsked = [...lines].reverse().find((l) => l.ev === "asked");
      const toldAfter = lastAsked ? lines.slice(lines.indexOf(lastAsked)).some((l) => l.ev === "told") : true;
      killLog.push({ worker: names.get(victim) as string, phase, trial: lastAsked && !toldAfter ? lastAsked.id : undefined, at });
      await victim.exited;
      live = live.filter((w) => w !== victim).concat(spawnOne());
    }
    // Let the survivors (and the retries of killed trials) reach the target, then stop them and reap what is left.
    while ((await study.refresh()).filter((t) => t.state === "finished").length < target) await sleep(200);
    writeFileSync(stopFile, "");
    const exits = await Promise.all(live.map((w) => w.exited));
    await sleep((staleAfter + heartbeat) * 1000 + 300);
    stopReaping = true;
    await reaper;
    await study.reapStale(staleAfter, { retries: 1 });
    const wall = (Date.now() - t0) / 1000;

    const trials = await study.refresh();
    const storage = await openStorage(where.location);
    const events: StoredEvent[] = await storage.read("faults", 0);
    await storage.close();
    const finishedCount = new Map<string, number>();
    for (const { event } of events) if (event.e === "finished") finishedCount.set(event.trial, (finishedCount.get(event.trial) ?? 0) + 1);
    const told = all.flatMap((w) => w.lines.filter((l) => l.ev === "told").map((l) => l.id as string));
    const lost = told.filter((id) => finishedCount.get(id) !== 1);
    // For each killed running trial: the first stale failure after the kill, and its delay.
    const delays: number[] = [];
    const lateness: number[] = [];
    const unreaped: string[] = [];
    const reapedBeforeKill: string[] = [];
    for (const k of killLog) {
      if (k.trial === undefined) continue;
      // The victim's attempt: its last `started` of this trial before the kill.
      const start = [...events].reverse().find((e) => e.event.e === "started" && e.event.trial === k.trial && e.event.worker === k.worker && Date.parse(e.event.t) <= k.at);
      const reap = events.find((e) => e.event.e === "failed" && e.event.trial === k.trial && e.event.reason.startsWith("stale") && start !== undefined && e.seq > start.seq);
      const finishedByVictim = events.some((e) => e.event.e === "finished" && e.event.trial === k.trial && Date.parse(e.event.t) <= k.at + 5);
      if (reap && Date.parse(reap.event.t) < k.at) {
        // A live worker's heartbeat came late (a loaded machine) and it was reaped before it was killed.
        reapedBeforeKill.push(k.trial);
        continue;
      }
      if (reap) {
        delays.push((Date.parse(reap.event.t) - k.at) / 1000);
        // The reaper's own lateness: past the moment the trial became stale (last sign of life + stale_after).
        const signs = events.filter((e) => e.seq < reap.seq && e.event.trial === k.trial && (e.event.e === "heartbeat" || e.event.e === "started"));
        const lastSign = Date.parse(signs[signs.length - 1].event.t);
        lateness.push((Date.parse(reap.event.t) - lastSign) / 1000 - staleAfter);
      }
      else if (!finishedByVictim) unreaped.push(k.trial);
    }
    const result = {
      backend,
      kills: killLog.length,
      killsByPhase: Object.fromEntries(PHASES.map((p) => [p, killLog.filter((k) => k.phase === p).length])),
      killedHoldingATrial: killLog.filter((k) => k.trial !== undefined).length,
      restarts: restartsDone,
      survivorsFailed: exits.filter((e) => e.code !== 0).map((e) => e.stderr.slice(0, 400)),
      trials: trials.length,
      finished: trials.filter((t) => t.state === "finished").length,
      failed: trials.filter((t) => t.state === "failed").length,
      stillRunning: trials.filter((t) => t.state === "running").map((t) => t.id),
      retriedAttempts: trials.filter((t) => t.attempts > 1).length,
      toldByWorkers: told.length,
      /** Tells refused because a later attempt of the same trial (after a stale reap of a live worker) had finished it. */
      lateTellsRefused: all.flatMap((w) => w.lines.filter((l) => l.ev === "late").map((l) => l.id as string)),
      lostResults: lost,
      finishedTwice: [...finishedCount.entries()].filter(([, n]) => n > 1).map(([id]) => id),
      reapedBeforeTheKill: reapedBeforeKill,
      unreapedKilledTrials: unreaped.map((id) => ({ id, kills: killLog.filter((k) => k.trial === id), events: events.filter((e) => e.event.trial === id).map((e) => ({ e: e.event.e, t: e.event.t, ...("reason" in e.event ? { reason: e.event.reason } : {}), ...("worker" in e.event ? { worker: e.event.worker } : {}) })) })),
      reapDelaySeconds: { p50: quantileOf(delays, 0.5), max: delays.length ? Math.max(...delays) : Number.NaN, bound: staleAfter + heartbeat },
      reaperLatenessSeconds: { p50: quantileOf(lateness, 0.5), max: lateness.length ? Math.max(...lateness) : Number.NaN },
      loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
      wallSeconds: wall,
    };
    await study.close();
    console.log(JSON.stringify(result, null, 2));
    const ok =
      result.kills >= kills &&
      result.survivorsFailed.length === 0 &&
      result.finished >= target &&
      result.lostResults.length === 0 &&
      result.finishedTwice.length === 0 &&
      result.stillRunning.length === 0 &&
      result.unreapedKilledTrials.length === 0 &&
      // A kill during a server outage cannot be reaped before the server is back: the bound holds without restarts.
      (restarts > 0 || !(result.reapDelaySeconds.max > staleAfter + heartbeat + SLACK));
    console.log(
      `${ok ? "PASS" : "FAIL"} ${backend}: ${result.kills} kills (${JSON.stringify(result.killsByPhase)}), ${result.restarts} server restarts, ${result.finished} finished, 0 lost = ${result.lostResults.length === 0}, max reap delay ${fmt(result.reapDelaySeconds.max, 2)} s after the kill (bound ${staleAfter + heartbeat} s + ${SLACK} s scheduling slack), reaper lateness max ${fmt(result.reaperLatenessSeconds.max, 2)} s, load ${result.loadAverage.join(" ")}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    for (const w of all) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await where.cleanup().catch(() => undefined);
    rmSync(stopFile, { force: true });
    cluster?.stop();
  }
}

await main();
