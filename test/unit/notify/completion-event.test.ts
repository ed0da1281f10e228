import { describe, expect, it } from 'vitest';
import {
  COMPLETION_TYPES,
  completionEvent,
  MAX_LABEL_ATTRIBUTES,
} from '../../../shared/notify/completion-event.js';
import { jobRecord } from '../../support/lineage-store-contract.js';

const finishedAt = new Date('2026-03-01T12:05:00.000Z');

describe('completionEvent', () => {
  it('carries CloudEvents binary-mode attributes, the labels and the manifest URI for a success', () => {
    const event = completionEvent(
      jobRecord('J', {
        status: 'succeeded',
        finishedAt,
        outputs: [
          {
            bucket: 'results',
            name: 'a/photo/J/final.jpg',
            role: 'final',
            format: 'jpeg',
            bytes: 9,
            width: 4,
            height: 3,
          },
        ],
      }),
    );
    expect(event.attributes).toEqual({
      'ce-specversion': '1.0',
      'ce-type': COMPLETION_TYPES.succeeded,
      'ce-source': '//storage.googleapis.com/projects/_/buckets/results',
      'ce-id': 'J',
      'ce-subject': 'gs://drop/a/photo.jpg',
      'ce-time': '2026-03-01T12:05:00.000Z',
      'content-type': 'application/json',
      jobId: 'J',
      status: 'succeeded',
      manifestUri: 'gs://results/a/photo/J/manifest.json',
      'label.sku': 'CUP-1',
      'label.team.name': 'studio',
    });
    expect(event.orderingKey).toBe('a/photo.jpg');
    expect(event.summary.outputs).toEqual([
      { role: 'final', uri: 'gs://results/a/photo/J/final.jpg', format: 'jpeg', width: 4, height: 3 },
    ]);
  });

  it('names the code and the error.json URI for a failure', () => {
    const event = completionEvent(
      jobRecord('J', {
        status: 'failed',
        finishedAt,
        error: { code: 'IMAGE_CORRUPT', message: 'truncated' },
      }),
    );
    expect(event.attributes).toMatchObject({
      'ce-type': COMPLETION_TYPES.failed,
      code: 'IMAGE_CORRUPT',
      errorUri: 'gs://results/a/photo/J/error.json',
    });
    expect(event.attributes.manifestUri).toBeUndefined();
    expect(event.summary.error).toEqual({ code: 'IMAGE_CORRUPT', message: 'truncated' });
  });

  it('keeps within the attribute limit however many labels, and puts all of them in the data', () => {
    const labels = Object.fromEntries(Array.from({ length: 150 }, (_, k) => [`k${k}`, 'v']));
    const event = completionEvent(jobRecord('J', { status: 'succeeded', finishedAt, labels }));
    expect(Object.keys(event.attributes).filter((k) => k.startsWith('label.'))).toHaveLength(
      MAX_LABEL_ATTRIBUTES,
    );
    expect(Object.keys(event.attributes).length).toBeLessThanOrEqual(100);
    expect(Object.keys(event.summary.labels)).toHaveLength(150);
  });

  it('refuses a job that has not ended', () => {
    expect(() => completionEvent(jobRecord('J'))).toThrow(/has not ended \(status running\)/);
  });
});
