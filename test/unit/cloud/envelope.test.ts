import { describe, expect, it } from 'vitest';
import { FINALIZED_EVENT_TYPE, parseStorageEvent } from '../../../shared/cloud/envelope.js';
import { storageObjectEventFactory } from '../../support/cloud-events.js';

interface TestData {
  label: string;
  data: Record<string, unknown>;
  expected: Record<string, unknown>;
  notes?: number;
}

const base = { bucket: 'in', name: 'a b/café.jpg' };

describe('parseStorageEvent', () => {
  describe('object events', () => {
    const cases: TestData[] = [
      {
        label: 'int64 fields as strings (Eventarc)',
        data: { ...base, generation: '1743752582769318', metageneration: '1', size: '4154' },
        expected: { generation: '1743752582769318', metageneration: '1', size: 4154 },
      },
      {
        label: 'int64 fields as safe numbers (synthetic fixtures)',
        data: { ...base, generation: 1743752582769318, metageneration: 3, size: 4154 },
        expected: { generation: '1743752582769318', metageneration: '3', size: 4154 },
      },
      {
        label: 'a generation beyond 2^53 as a number (already rounded)',
        data: { ...base, generation: 2 ** 60 },
        expected: { generation: undefined },
        notes: 1,
      },
      {
        label: 'a 19-digit string generation, kept exactly',
        data: { ...base, generation: '1234567890123456789' },
        expected: { generation: '1234567890123456789' },
      },
      {
        label: 'no generation at all',
        data: { ...base },
        expected: { generation: undefined },
      },
      {
        label: 'metadata with a boolean marker and a null map',
        data: { ...base, metadata: { 'darkroom-output': true } },
        expected: { metadata: { 'darkroom-output': true } },
      },
      {
        label: 'a null metadata map',
        data: { ...base, metadata: null },
        expected: { metadata: undefined },
      },
    ];
    it.each(cases)('reads $label', ({ data, expected, notes }) => {
      const event = { ...storageObjectEventFactory(base), data };
      const parsed = parseStorageEvent(event);
      expect(parsed.kind).toBe('object');
      if (parsed.kind !== 'object') return;
      expect(parsed.object).toMatchObject({ bucket: 'in', name: 'a b/café.jpg', ...expected });
      expect(parsed.notes).toHaveLength(notes ?? 0);
    });
  });

  it('keeps the event time, id, source and traceparent', () => {
    const event = storageObjectEventFactory({
      ...base,
      time: '2026-01-02T03:04:05.678Z',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(parseStorageEvent(event)).toMatchObject({
      kind: 'object',
      id: event.id,
      type: FINALIZED_EVENT_TYPE,
      source: '//storage.googleapis.com/projects/_/buckets/in',
      traceparent: event.traceparent,
      object: { time: '2026-01-02T03:04:05.678Z' },
    });
  });

  it('falls back to the object update time, and drops a time that is not one', () => {
    const { time: _time, ...noTime } = storageObjectEventFactory(base);
    const updated = '2026-01-01T00:00:00Z';
    const fallback = parseStorageEvent({ ...noTime, data: { ...base, updated } });
    expect(fallback).toMatchObject({ object: { time: updated } });
    const bad = parseStorageEvent({ ...storageObjectEventFactory(base), time: 'yesterday' });
    expect(bad).toMatchObject({ kind: 'object', object: { time: undefined } });
    expect(bad.kind === 'object' && bad.notes[0]).toContain('yesterday');
  });

  it.each([
    ['a JSON string (binary mode, text body)', JSON.stringify(base)],
    ['bytes (binary mode, raw body)', Buffer.from(JSON.stringify(base))],
  ])('decodes data given as %s', (_label, data) => {
    expect(parseStorageEvent({ ...storageObjectEventFactory(base), data })).toMatchObject({
      kind: 'object',
      object: base,
    });
  });

  it('decodes data_base64 (structured mode with binary data)', () => {
    const { data: _data, ...event } = storageObjectEventFactory(base);
    const data_base64 = Buffer.from(JSON.stringify(base)).toString('base64');
    expect(parseStorageEvent({ ...event, data_base64 })).toMatchObject({ kind: 'object', object: base });
  });

  it('refuses data declared as anything but JSON, parameters aside', () => {
    const event = storageObjectEventFactory(base);
    for (const datacontenttype of ['application/json; charset=utf-8', 'application/cloudevents+json']) {
      expect(parseStorageEvent({ ...event, datacontenttype })).toMatchObject({
        kind: 'object',
        object: base,
      });
    }
    for (const datacontenttype of ['text/plain', 'text/plain; charset=utf-8', 'application/octet-stream']) {
      const parsed = parseStorageEvent({ ...event, datacontenttype, data: JSON.stringify(base) });
      expect(parsed).toMatchObject({ kind: 'invalid', id: event.id });
      expect(parsed.kind === 'invalid' && parsed.reason).toContain(datacontenttype);
    }
  });

  it('ignores other event types', () => {
    const event = storageObjectEventFactory({ ...base, type: 'google.cloud.storage.object.v1.deleted' });
    expect(parseStorageEvent(event)).toMatchObject({ kind: 'ignore', id: event.id });
  });

  it.each([
    ['no id', { type: FINALIZED_EVENT_TYPE, data: base }, 'id'],
    ['data without a name', { id: '1', type: FINALIZED_EVENT_TYPE, data: { bucket: 'in' } }, 'name'],
    ['data that is not JSON', { id: '1', type: FINALIZED_EVENT_TYPE, data: '{nope' }, 'not JSON'],
    [
      'a negative generation',
      { id: '1', type: FINALIZED_EVENT_TYPE, data: { ...base, generation: -1 } },
      'generation',
    ],
    [
      'a generation with letters',
      { id: '1', type: FINALIZED_EVENT_TYPE, data: { ...base, generation: '12a' } },
      'generation',
    ],
    ['not an object', 'hello', 'CloudEvent'],
  ])('refuses %s as invalid', (_label, event, mentions) => {
    const parsed = parseStorageEvent(event);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain(mentions);
  });
});
