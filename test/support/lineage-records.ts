/** Complete lineage records for tests, with fixed times. */
import type { AssetRecord, JobRecord, StageRecord } from '../../shared/lineage/records.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
/** A time `seconds` after the contract's epoch. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** A complete job record; `overrides` replace top-level fields. */
export function jobRecord(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    status: 'running',
    inputs: {
      image: { bucket: 'drop', name: 'a/photo.jpg', generation: '1700000000000000001' },
      request: { bucket: 'drop', name: 'a/photo.json', generation: '1700000000000000002' },
      requestKind: 'sidecar',
    },
    sourceKey: 'drop/a/photo.jpg',
    results: { bucket: 'results', prefix: `a/photo/${id}/` },
    labels: { sku: 'CUP-1', 'team.name': 'studio' },
    attempt: 1,
    owner: 'host:1',
    leaseExpiresAt: at(600),
    createdAt: at(0),
    updatedAt: at(0),
    warnings: [],
    ...overrides,
  };
}

/** A complete stage record of job stage `index`. */
export function stageRecord(index: number, overrides: Partial<StageRecord> = {}): StageRecord {
  return {
    index,
    name: `stage-${index}`,
    rawPrompt: 'make it warmer',
    prompt: 'make it warmer.',
    engine: 'local',
    model: 'darkroom-local-2',
    params: { seed: 7, guidanceScale: 7.5 },
    seed: 7,
    inputAssetId: `in-${index}`,
    referenceAssetIds: [],
    outputAssetId: `out-${index}`,
    output: { bucket: 'results', name: `a/photo/J/stages/0${index}-stage-${index}.png` },
    width: 640,
    height: 480,
    bytes: 12345,
    durationMs: 42,
    warnings: ['steps is ignored by the local engine'],
    attempt: 1,
    finishedAt: at(index),
    ...overrides,
  };
}

/** A complete asset record. */
export function assetRecord(id: string, overrides: Partial<AssetRecord> = {}): AssetRecord {
  return {
    id,
    location: { bucket: 'results', name: `${id}.png` },
    mimeType: 'image/png',
    width: 640,
    height: 480,
    bytes: 1000,
    derivedFrom: [],
    createdAt: at(5),
    ...overrides,
  };
}
