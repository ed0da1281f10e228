import { describe, expect, it } from 'vitest';
import type { JobRecord, StageRecord } from '../../../shared/lineage/records.js';
import type { ReportData, ReportJob } from '../../../shared/report/collect.js';
import { renderReport } from '../../../shared/report/render-page.js';

const EVIL = '<script>alert("x")</script>';
const T0 = new Date('2026-05-01T12:00:00Z');

function jobFactory(overrides: Partial<JobRecord> = {}): JobRecord {
  const id = overrides.id ?? 'a'.repeat(24);
  return {
    id,
    status: 'succeeded',
    inputs: {
      image: { bucket: 'drop', name: `shop/${EVIL}.png`, generation: '1' },
      request: { bucket: 'drop', name: 'shop/x.json', generation: '2' },
      requestKind: 'sidecar',
    },
    sourceKey: 'drop/shop/x.png',
    results: { bucket: 'results', prefix: `shop/x/${id}/` },
    labels: { sku: EVIL },
    attempt: 1,
    owner: 'test',
    leaseExpiresAt: T0,
    createdAt: T0,
    updatedAt: T0,
    warnings: [],
    costUsd: 0.0675,
    ...overrides,
  };
}

function stageFactory(overrides: Partial<StageRecord> = {}): StageRecord {
  return {
    index: 1,
    name: 'light',
    rawPrompt: `warmer ${EVIL}`,
    prompt: `warmer ${EVIL}. Keep the eyes unchanged; preserve all other details.`,
    engine: 'gemini',
    model: 'gemini-3.1-flash-image',
    params: {},
    seed: 4242,
    inputAssetId: 'f'.repeat(64),
    referenceAssetIds: [],
    outputAssetId: 'e'.repeat(64),
    output: { bucket: 'results', name: 'shop/x/stages/01-light.png' },
    width: 10,
    height: 10,
    bytes: 10,
    durationMs: 5,
    warnings: [`lint ${EVIL}`],
    attempt: 1,
    finishedAt: T0,
    costUsd: 0.0675,
    ...overrides,
  };
}

function entry(job: JobRecord, stages: StageRecord[] = []): ReportJob {
  return {
    job,
    stages,
    inputs: [
      {
        role: 'image',
        name: `drop/${EVIL}`,
        sha256: 'f'.repeat(64),
        producedBy: { jobId: 'b'.repeat(24), role: 'final' },
      },
    ],
    files: { finals: [], stages: {}, others: [] },
  };
}

describe('renderReport', () => {
  const data: ReportData = {
    generatedAt: T0,
    truncated: false,
    jobs: [
      entry(jobFactory(), [stageFactory()]),
      entry(
        jobFactory({
          id: 'b'.repeat(24),
          status: 'failed',
          error: { code: 'IMAGE_CORRUPT', message: `truncated ${EVIL}`, stage: undefined },
        }),
      ),
    ],
  };
  const page = renderReport(data);

  it('never lets user text through as markup', () => {
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('shows every job, the failed one with its code, and both prompts of a stage', () => {
    expect(page.match(/<article class="job"/g)).toHaveLength(2);
    expect(page).toMatch(/data-status="failed"[\s\S]*<code class="error-code">IMAGE_CORRUPT<\/code>/);
    expect(page).toContain('<span>sent:</span> warmer &lt;script&gt;');
    expect(page).toContain('<td class="seed">4242');
    expect(page).toContain('gemini/gemini-3.1-flash-image');
    expect(page).toContain('$0.0675');
  });

  it('links an input to the job on the page that produced it', () => {
    expect(page).toContain(`href="#job-${'b'.repeat(24)}"`);
  });

  it('declares a policy that forbids scripts and network loads', () => {
    expect(page).toContain('http-equiv="Content-Security-Policy"');
    expect(page).toContain('default-src &#39;none&#39;');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
