import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleObject, type Outcome, type PipelineDeps } from '../../../shared/pipeline/index.js';
import type { ObjectStore } from '../../../shared/storage/object-store.js';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.js';
import { CASES, type TestData } from './cases.js';

let h: PipelineHarness;
/** Outcomes of every arrival of each case, in order. */
const outcomes = new Map<string, Outcome[]>();
/** Objects whose bytes the pipeline read. */
const reads: string[] = [];
/** Crashes seen while the gauntlet ran: there must be none. */
const crashes: unknown[] = [];

const onCrash = (reason: unknown) => crashes.push(reason);

/** A store that records which objects' bytes were read. */
function recordingStore(store: ObjectStore): ObjectStore {
  return {
    kind: store.kind,
    stat: (ref) => store.stat(ref),
    async read(ref, options) {
      const data = await store.read(ref, options);
      reads.push(`${ref.bucket}/${ref.name}`);
      return data;
    },
    create: (ref, data, options) => store.create(ref, data, options),
    list: (bucket, prefix, options) => store.list(bucket, prefix, options),
    delete: (ref) => store.delete(ref),
  };
}

async function runCase(c: TestData, base: PipelineDeps): Promise<void> {
  for (const [file, content] of Object.entries(c.files)) await h.drop(`${c.name}/${file}`, content);
  for (const [file, data] of Object.entries(c.outputs ?? {})) {
    await h.deps.store.create({ bucket: 'drop', name: `${c.name}/${file}` }, data, {
      contentType: 'image/png',
      metadata: { 'darkroom-output': 'true' },
    });
  }
  const deps = c.limits
    ? { ...base, config: { ...base.config, limits: { ...base.config.limits, ...c.limits } } }
    : base;
  const got: Outcome[] = [];
  for (const file of c.arrive) {
    const name = `${c.name}/${file}`;
    const info = await h.deps.store.stat({ bucket: 'drop', name });
    got.push(await handleObject(deps, { bucket: 'drop', name, generation: info?.generation }));
  }
  outcomes.set(c.name, got);
}

async function resultFiles(prefix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(relative(join(h.resultsDir, prefix), full).split(sep).join('/'));
    }
  };
  await walk(join(h.resultsDir, prefix));
  return out.sort();
}

beforeAll(async () => {
  h = await createPipelineHarness();
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const deps: PipelineDeps = { ...h.deps, store: recordingStore(h.deps.store) };
  // Every case at once, in one process: one job's failure must not touch another.
  const settled = await Promise.allSettled(CASES.map((c) => runCase(c, deps)));
  for (const [i, s] of settled.entries())
    if (s.status === 'rejected') crashes.push([CASES[i]?.name, s.reason]);
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  await h?.close();
});

describe('the bad-input gauntlet, all cases concurrently in one process', () => {
  it('never throws, never leaves an unhandled rejection, and every case reaches an outcome', () => {
    expect(crashes).toEqual([]);
    expect([...outcomes.keys()].sort()).toEqual(CASES.map((c) => c.name).sort());
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.why} → ${c.expected.kind === 'failed' ? c.expected.code : 'succeeded'}`, async () => {
      const [first, ...later] = outcomes.get(c.name) ?? [];
      if (!first || !('jobId' in first)) throw new Error(`no job for ${c.name}: ${JSON.stringify(first)}`);
      const job = await h.lineage.getJob(first.jobId);
      // Later arrivals of the same case end in the same job and change nothing.
      for (const o of later) expect(o).toMatchObject({ kind: 'duplicate', jobId: first.jobId });
      const prefix = 'prefix' in first ? first.prefix : `${c.name}/in/${first.jobId}/`;
      if (c.expected.kind === 'failed') {
        expect(first).toMatchObject({ kind: 'failed', error: { code: c.expected.code } });
        const error = (first as Extract<Outcome, { kind: 'failed' }>).error;
        expect(error.message).toMatch(c.expected.message);
        expect(job).toMatchObject({ status: 'failed', error: { code: c.expected.code } });
        expect(await resultFiles(prefix)).toEqual(['error.json']);
        const report = await h.resultJson(`${prefix}error.json`);
        expect(report).toMatchObject({ status: 'failed', code: c.expected.code, jobId: first.jobId });
        expect(String(report.message)).toMatch(c.expected.message);
        if (c.expected.code === 'IMAGE_TOO_LARGE') {
          // Refused from its size alone: the bytes were never read.
          expect(reads.filter((r) => r.startsWith(`drop/${c.name}/in.`) && !r.endsWith('.json'))).toEqual([]);
        }
        return;
      }
      expect(first.kind).toBe('succeeded');
      expect(job).toMatchObject({ status: 'succeeded' });
      const files = await resultFiles(prefix);
      expect(files).toContain('final.webp');
      expect(files).toContain('manifest.json');
      expect(files).not.toContain('error.json');
      const manifest = await h.resultJson<{ warnings: string[] }>(`${prefix}manifest.json`);
      if (c.expected.warning) expect(manifest.warnings.join('\n')).toMatch(c.expected.warning);
      const final = await h.result(`${prefix}final.webp`);
      const meta = await sharp(final).metadata();
      if (c.expected.size) expect([meta.width, meta.height]).toEqual(c.expected.size);
      // No EXIF (GPS, orientation) from any source reaches an output.
      expect(meta.exif).toBeUndefined();
    });
  }
});
