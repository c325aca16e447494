/**
 * The conformance suite every study backend passes: the same tests, run by
 * journal.test.ts (a JSON-lines file) and postgres.test.ts (the real server).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ObservationError } from "../../src/errors";
import { Study, StudyConflictError, StudyError, openStorage, type StudyStorage, type Trial } from "../../src/study/index";
import { MAX_REDRAWS } from "../../src/study/study";
import { CONFIG, SETTINGS, objective, sleep, startWorker } from "./helpers";

export interface BackendUnderTest {
  label: string;
  /** A location (journal path or postgres URL) that holds no study yet. */
  fresh(): string;
}

/** Header + events as stored, read through a storage object of its own. */
async function stored(location: string, name: string): Promise<{ header: unknown; events: unknown[] }> {
  const storage = await openStorage(location);
  try {
    return { header: await storage.getStudy(name), events: (await storage.read(name, 0)).map((e) => e.event) };
  } finally {
    await storage.close();
  }
}

function key(params: unknown): string {
  return JSON.stringify(params);
}

export function conformance(backend: BackendUnderTest): void {
  describe(`study conformance: ${backend.label}`, () => {
    const open: Study[] = [];
    const track = (s: Study): Study => {
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it("walks a trial through its states, and every event is visible to another worker", async () => {
      const location = backend.fresh();
      const a = track(await Study.create({ storage: location, name: "states", config: CONFIG, settings: SETTINGS, worker: "A" }));
      const t1 = await a.ask();
      expect(t1).toMatchObject({ id: "s1", number: 1, state: "running", attempts: 1, worker: "A", score: null });
      await a.recordRun(t1.id, { device: "0", command: ["train", "--x=0.5"], log: "logs/s1.log" });
      await a.heartbeat(t1.id, { metrics: { score: -0.5 }, cost: 2 });
      const done = await a.tell(t1.id, objective(t1.params), 3, { score: objective(t1.params), loss: 1 });
      expect(done).toMatchObject({ state: "finished", score: objective(t1.params), cost: 3, metrics: { score: objective(t1.params), loss: 1 } });

      const t2 = await a.ask();
      const retried = await a.fail(t2.id, "exit code 1", { retry: true, cost: 1 });
      expect(retried).toMatchObject({ state: "pending", reason: "exit code 1", attempts: 1 });

      // Another worker joins: it sees every event, claims the retry first (attempt 2, same id).
      const b = track(await Study.open({ storage: location, name: "states", worker: "B" }));
      expect(b.trials().map((t) => [t.id, t.state])).toEqual([
        ["s1", "finished"],
        ["s2", "pending"],
      ]);
      expect(b.trials()[0].run).toEqual({ device: "0", command: ["train", "--x=0.5"], log: "logs/s1.log" });
      const again = await b.ask();
      expect(again).toMatchObject({ id: t2.id, attempts: 2, worker: "B", state: "running" });
      expect(again.params).toEqual(t2.params);
      const failed = await b.fail(again.id, "diverged");
      expect(failed).toMatchObject({ state: "failed", reason: "diverged" });

      const t3 = await b.ask();
      const stopped = await b.stop(t3.id, "early stop", { score: -0.9, cost: 0.5, metrics: { score: -0.9 } });
      expect(stopped).toMatchObject({ state: "stopped", score: -0.9, cost: 0.5, reason: "early stop" });

      // Enqueued points are claimed before anything new is suggested.
      const queued = await b.enqueue({ x: 0.25, y: 0.75 }, { group: "grid-1" });
      expect(queued).toMatchObject({ state: "pending", group: "grid-1", params: { x: 0.25, y: 0.75 } });
      const claimed = await a.ask();
      expect(claimed).toMatchObject({ id: queued.id, state: "running", worker: "A" });
      const given = await a.ask({ params: { x: 0.125, y: 0.5 }, group: "repeat-1" });
      expect(given).toMatchObject({ params: { x: 0.125, y: 0.5 }, group: "repeat-1", state: "running" });

      // The Protein of each worker has seen the same results.
      await a.refresh();
      expect(a.protein.observations.length).toBe(3);
      expect(b.protein.observations.length).toBe(3);
      expect(a.protein.pendingSuggestions.map((p) => p.id).sort()).toEqual([queued.id, given.id].sort());

      // A finished trial cannot be told again; nothing is written.
      const before = (await stored(location, "states")).events.length;
      await expect(a.tell(t1.id, 1, 1)).rejects.toThrow(/cannot tell trial "s1": it is finished; nothing was written/);
      await expect(a.heartbeat("s99")).rejects.toThrow(/no trial "s99" in study "states"/);
      await expect(a.tell(claimed.id, Number.NaN, 1)).rejects.toThrow(/score must be a finite number[\s\S]*fix: report a failed or diverged run with fail/);
      await expect(a.tell(claimed.id, 1, 1, { loss: Number.POSITIVE_INFINITY })).rejects.toThrow(/metrics\.loss must be a finite number/);
      expect((await stored(location, "states")).events.length).toBe(before);
    });

    it("ask({ maxTrials }) starts no more than the budget when workers ask at once; retries still run", async () => {
      const location = backend.fresh();
      const a = track(await Study.create({ storage: location, name: "budget-race", config: CONFIG, settings: SETTINGS, worker: "A" }));
      const b = track(await Study.open({ storage: location, name: "budget-race", worker: "B" }));
      // Six asks at once from two workers against a budget of 3: the count and the start are one step under the lock.
      const asked = await Promise.all([a, b, a, b, a, b].map((w) => w.ask({ params: { x: 0.5, y: 0.5 }, maxTrials: 3 })));
      const started = asked.filter((t) => t !== undefined);
      expect(started).toHaveLength(3);
      expect((await a.refresh()).filter((t) => t.attempts > 0)).toHaveLength(3);
      // A started trial put back for a retry is claimed past the cap; nothing new is.
      const first = started[0] as NonNullable<(typeof started)[number]>;
      await a.fail(first.id, "exit code 1", { retry: true });
      expect(await b.ask({ maxTrials: 3 })).toMatchObject({ id: first.id, attempts: 2 });
      expect(await b.ask({ maxTrials: 3 })).toBeUndefined();
      expect(await a.refresh()).toHaveLength(3);
    });

    it("concurrent ask() from real processes: distinct trials, one random phase for the whole study", async () => {
      const location = backend.fresh();
      const creator = track(await Study.create({ storage: location, name: "concurrent", config: CONFIG, settings: SETTINGS, worker: "creator" }));
      const workers = Array.from({ length: 4 }, (_, i) => startWorker({ location, name: "concurrent", trials: 4, worker: `w${i}` }));
      const results = await Promise.all(workers.map((w) => w.exited));
      for (const r of results) expect(r.stderr).toBe("");
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);

      const trials = await creator.refresh();
      expect(trials).toHaveLength(16);
      expect(trials.every((t) => t.state === "finished")).toBe(true);
      expect(new Set(trials.map((t) => t.id)).size).toBe(16);
      expect(new Set(trials.map((t) => key(t.params))).size).toBe(16);
      // Suggestion indices run over the study: 1..16, each once.
      expect(trials.map((t) => (t.info as { index: number }).index).sort((p, q) => p - q)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const phases = trials.map((t) => (t.info as { phase: string }).phase);
      expect(phases.filter((p) => p === "center" || p === "random")).toHaveLength(SETTINGS.numRandomSamples);
      expect(phases.slice(SETTINGS.numRandomSamples).every((p) => p === "model")).toBe(true);
      // Every worker took part, and each finished trial has exactly one finished event.
      expect(new Set(trials.map((t) => t.worker))).toEqual(new Set(["w0", "w1", "w2", "w3"]));
      const { events } = await stored(location, "concurrent");
      const finishedEvents = events.filter((e) => (e as { e: string }).e === "finished").map((e) => (e as { trial: string }).trial);
      expect(finishedEvents.sort()).toEqual(trials.map((t) => t.id).sort());
    });

    it("recovers when the study lock was lost mid-ask (a server restart): the second creator of a trial retries", async () => {
      const location = backend.fresh();
      track(await Study.create({ storage: location, name: "lost-lock", config: CONFIG, settings: SETTINGS, worker: "creator" }));
      // Storages whose study lock holds nothing, as after a lost connection: asks interleave freely.
      const broken = async (): Promise<StudyStorage> => {
        const inner = await openStorage(location);
        return Object.assign(Object.create(inner) as StudyStorage, { withLock: <T>(_name: string, fn: () => Promise<T>) => fn() });
      };
      const storages = [await broken(), await broken()];
      const a = track(await Study.open({ storage: storages[0], name: "lost-lock", worker: "A" }));
      const b = track(await Study.open({ storage: storages[1], name: "lost-lock", worker: "B" }));
      const direct = await openStorage(location);
      try {
        const first = await a.ask();
        await expect(direct.append("lost-lock", [{ e: "created", trial: first.id, t: "2026-01-01T00:00:00Z", worker: "X", params: first.params }])).rejects.toBeInstanceOf(StudyConflictError);
        const asked = (await Promise.all([a.ask(), b.ask(), a.ask(), b.ask()])).map((t) => t.id);
        expect(new Set([first.id, ...asked]).size).toBe(5);
        const events = (await stored(location, "lost-lock")).events.filter((e) => (e as { e: string }).e === "created");
        expect(events).toHaveLength(5);
      } finally {
        await direct.close();
        for (const st of storages) await st.close();
      }
    });

    it("reaps stale running trials: retried while attempts ≤ retries, then failed; fresh heartbeats are kept", async () => {
      const location = backend.fresh();
      const a = track(await Study.create({ storage: location, name: "stale", config: CONFIG, settings: SETTINGS, worker: "A" }));
      const b = track(await Study.open({ storage: location, name: "stale", worker: "B" }));
      const quiet = await a.ask();
      const alive = await b.ask();
      await sleep(1200);
      await b.heartbeat(alive.id);
      const reaped = await b.reapStale(1, { retries: 1 });
      expect(reaped.map((t) => t.id)).toEqual([quiet.id]);
      expect(reaped[0]).toMatchObject({ state: "pending", attempts: 1 });
      expect(reaped[0].reason).toMatch(/^stale: no heartbeat for \d+\.\d s \(worker A, attempt 1; stale after 1 s\)$/);
      expect(b.trial(alive.id)?.state).toBe("running");

      const second = await b.ask();
      expect(second).toMatchObject({ id: quiet.id, attempts: 2, worker: "B" });
      // A late heartbeat of the reaped attempt is accepted but does not keep attempt 2 alive.
      await a.heartbeat(quiet.id);
      expect(a.trial(quiet.id)?.heartbeatAt).toBeUndefined();
      await b.tell(alive.id, objective(alive.params), 1);
      await sleep(1200);
      const final = await a.reapStale(1, { retries: 1 });
      expect(final).toHaveLength(1);
      expect(final[0]).toMatchObject({ id: quiet.id, state: "failed", attempts: 2 });
      // Once the trial has its final record, the reaped worker's late result is refused, naming who ended it.
      await expect(a.tell(quiet.id, 0, 1)).rejects.toThrow(/cannot tell trial "s1": it is failed \(stale: no heartbeat for [\d.]+ s \(worker B, attempt 2; stale after 1 s\)\) by attempt 2 of worker B; nothing was written[\s\S]*this attempt was reaped as stale and superseded/);
      // The failure reached the Protein as a failed observation.
      expect(a.protein.observations.filter((o) => o.isFailure)).toHaveLength(1);
    });

    it("reaps the running trial of a worker killed with SIGKILL within stale_after + one heartbeat", async () => {
      const location = backend.fresh();
      const watcher = track(await Study.create({ storage: location, name: "killed", config: CONFIG, settings: SETTINGS, worker: "watcher" }));
      const w = startWorker({ location, name: "killed", trials: 1, worker: "victim", runMs: 60_000, heartbeatMs: 100 });
      const asked = await w.waitFor((l) => l.ev === "asked");
      await sleep(300); // a few heartbeats
      w.child.kill("SIGKILL");
      const killedAt = Date.now();
      await w.exited;
      const staleAfter = 0.5;
      let reaped: Trial[] = [];
      while (reaped.length === 0 && Date.now() - killedAt < 5_000) {
        reaped = await watcher.reapStale(staleAfter);
        if (reaped.length === 0) await sleep(50);
      }
      const waited = (Date.now() - killedAt) / 1000;
      expect(reaped.map((t) => t.id)).toEqual([asked.id]);
      expect(reaped[0].state).toBe("failed");
      // Never before stale_after had passed since its last sign of life; soon after the kill (stale_after + one
      // heartbeat interval, plus slack for the reaper's polling on a loaded machine).
      const lastSign = Date.parse(reaped[0].heartbeatAt ?? (reaped[0].startedAt as string));
      expect(Date.parse(reaped[0].finishedAt as string) - lastSign).toBeGreaterThan(staleAfter * 1000);
      expect(reaped[0].heartbeatAt).toBeDefined();
      expect(waited).toBeLessThan(staleAfter + 0.1 + 1.0);
      // The study continues.
      const next = await watcher.ask();
      expect(next.state).toBe("running");
      expect(next.id).not.toBe(asked.id);
    });

    it("resumes: a reopened study continues the sweep and proposes no configuration again", async () => {
      const location = backend.fresh();
      const first = await Study.create({ storage: location, name: "resume", config: CONFIG, settings: SETTINGS, worker: "A" });
      for (let i = 0; i < 8; i++) {
        const t = await first.ask();
        await first.tell(t.id, objective(t.params), 1);
      }
      const interrupted = await first.ask(); // running when the process "dies"
      const seen = first.trials().map((t) => key(t.params));
      await first.close();

      const again = track(await Study.create({ storage: location, name: "resume", config: CONFIG, settings: SETTINGS, worker: "A2" }));
      expect(again.trials()).toHaveLength(9);
      expect(again.protein.observations).toHaveLength(8);
      expect(again.protein.suggestionCount).toBe(0); // its own count: the study's state is taken at the next suggestion
      await again.fail(interrupted.id, "runner restarted", { retry: true });
      const retry = await again.ask();
      expect(retry).toMatchObject({ id: interrupted.id, attempts: 2 });
      await again.tell(retry.id, objective(retry.params), 1);
      for (let i = 0; i < 5; i++) {
        const t = await again.ask();
        expect(t.id).toBe(`s${10 + i}`);
        expect((t.info as { index: number }).index).toBe(10 + i);
        expect(seen).not.toContain(key(t.params));
        seen.push(key(t.params));
        await again.tell(t.id, objective(t.params), 1);
      }
    });

    it("never records two trials with identical params while the space has others; an exhausted space repeats", async () => {
      // Integer parameters: Protein's candidates round onto values already run (it keeps away
      // from pending suggestions only); ask() redraws such a repeat.
      const grid = (max: number) => ({
        sweep: {
          metric: "score",
          goal: "maximize",
          parameters: {
            x: { distribution: "int_uniform", min: 0, max, mean: max / 2, scale: "auto" },
            y: { distribution: "int_uniform", min: 0, max, mean: max / 2, scale: "auto" },
          },
        },
      });
      const f = (p: Record<string, unknown>): number => -((Number(p.x) - 3) ** 2) - (Number(p.y) - 6) ** 2;
      const settings = { numRandomSamples: 4, seed: 4, suggestionsPerPareto: 16, globalCandidates: 32, localSearch: false };
      const location = backend.fresh();
      const first = track(await Study.create({ storage: location, name: "repeats", config: grid(9), settings, worker: "w0" }));
      const workers = [first, ...(await Promise.all([1, 2, 3].map(async (w) => track(await Study.open({ storage: location, name: "repeats", worker: `w${w}` })))))];
      await Promise.all(
        workers.map(async (study, w) => {
          for (let i = 0; i < 10; i++) {
            const t = await study.ask();
            await sleep(w);
            await study.tell(t.id, f(t.params), 1);
          }
        }),
      );
      const trials = await first.refresh();
      expect(trials).toHaveLength(40);
      expect(new Set(trials.map((t) => key(t.params))).size).toBe(40);

      // 2 × 2 = 4 configurations: the 5th and 6th trials must repeat one, after the redraws.
      const small = track(await Study.create({ storage: backend.fresh(), name: "tiny", config: grid(1), settings, worker: "A" }));
      for (let i = 0; i < 6; i++) {
        const t = await small.ask();
        await small.tell(t.id, f(t.params), 1);
      }
      const tiny = small.trials();
      expect(new Set(tiny.slice(0, 4).map((t) => key(t.params))).size).toBe(4);
      expect(tiny.slice(4).map((t) => (t.info as { redrawn?: number }).redrawn)).toEqual([MAX_REDRAWS, MAX_REDRAWS]);
    });

    it("bad input: an unknown study name lists the studies; a different config or settings is refused with nothing written", async () => {
      const location = backend.fresh();
      await expect(Study.open({ storage: location, name: "ghost" })).rejects.toThrow(/no study named "ghost"[\s\S]*allowed: none yet: this storage holds no study/);
      const s = track(await Study.create({ storage: location, name: "base", config: CONFIG, settings: SETTINGS }));
      const t = await s.ask();
      await s.tell(t.id, objective(t.params), 1);
      const before = await stored(location, "base");

      const err = await Study.open({ storage: location, name: "ghost" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StudyError);
      expect((err as Error).message).toMatch(/no study named "ghost"[\s\S]*allowed: "base"[\s\S]*fix: pass one of the names listed/);

      const changed = structuredClone(CONFIG);
      changed.sweep.parameters.x.max = 2;
      const diff = await Study.create({ storage: location, name: "base", config: changed, settings: SETTINGS }).catch((e: unknown) => e);
      expect(diff).toBeInstanceOf(StudyError);
      expect((diff as StudyError).key).toBe("config.sweep.parameters.x.max");
      expect((diff as Error).message).toMatch(/study "base" already exists with a different config; nothing was written:\n\s+config\.sweep\.parameters\.x\.max: stored 1, given 2/);

      const settingsDiff = await Study.create({ storage: location, name: "base", config: CONFIG, settings: { ...SETTINGS, numRandomSamples: 3 } }).catch((e: unknown) => e);
      expect((settingsDiff as Error).message).toMatch(/different settings[\s\S]*settings\.numRandomSamples: stored 6, given 3/);

      await expect(s.ask({ params: { x: "wide", y: 0.5 } })).rejects.toBeInstanceOf(ObservationError);
      await expect(s.enqueue({ x: 0.5 })).rejects.toThrow(/y/);
      await expect(Study.create({ storage: location, name: " base", config: CONFIG })).rejects.toThrow(/a study name must be a non-empty string/);

      expect(await stored(location, "base")).toEqual(before);
      // The same config as YAML-equivalent object resumes fine.
      const same = track(await Study.create({ storage: location, name: "base", config: structuredClone(CONFIG), settings: { ...SETTINGS } }));
      expect(same.trials()).toHaveLength(1);
    });
  });
}
