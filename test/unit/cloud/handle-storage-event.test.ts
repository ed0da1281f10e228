import { describe, expect, it } from 'vitest';
import { type CloudRuntime, handleStorageEvent } from '../../../shared/cloud/handle-storage-event.js';
import { platformResultFor, RedeliveryError } from '../../../shared/cloud/outcome.js';
import { ConfigError, loadConfig } from '../../../shared/config.js';
import { TransientError } from '../../../shared/errors.js';
import { createLogger, type LogLevel } from '../../../shared/log.js';
import { type ObjectEvent, type Outcome, outsideInput } from '../../../shared/pipeline/index.js';
import { storageObjectEventFactory } from '../../support/cloud-events.js';

/** A runtime whose pipeline answers `outcome` and records what it was given. */
function fakeRuntime(outcome: Outcome | Error, env: NodeJS.ProcessEnv = {}) {
  const lines: Array<{ level: LogLevel; line: Record<string, unknown> }> = [];
  const handled: ObjectEvent[] = [];
  const runtime: CloudRuntime = {
    config: loadConfig({ GOOGLE_CLOUD_PROJECT: 'demo-p', ...env }),
    log: createLogger({
      format: 'json',
      write: (line, level) => lines.push({ level, line: JSON.parse(line) as Record<string, unknown> }),
    }),
    async handle(event, log) {
      handled.push(event);
      log.info('pipeline ran');
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    close: async () => {},
  };
  return { runtime, lines, handled, options: { runtime: async () => runtime } };
}

const event = storageObjectEventFactory({ bucket: 'in', name: 'p.jpg', generation: '7' });
const retry: Outcome = { kind: 'retry', jobId: 'j1', error: new TransientError('ENGINE_UNAVAILABLE', '503') };

describe('handleStorageEvent', () => {
  it.each<[Outcome, 'acknowledge' | 'redeliver']>([
    [{ kind: 'succeeded', jobId: 'j1', prefix: 'p/j1/', outputs: [] }, 'acknowledge'],
    [
      { kind: 'failed', jobId: 'j1', prefix: 'p/j1/', error: { code: 'REQUEST_INVALID', message: 'x' } },
      'acknowledge',
    ],
    [{ kind: 'ignored', reason: 'hidden' }, 'acknowledge'],
    [{ kind: 'waiting', reason: 'no sidecar' }, 'acknowledge'],
    [{ kind: 'duplicate', jobId: 'j1', status: 'succeeded' }, 'acknowledge'],
    [{ kind: 'busy', jobId: 'j1' }, 'redeliver'],
    [retry, 'redeliver'],
  ])('maps %o to %s', async (outcome, expected) => {
    const { options } = fakeRuntime(outcome);
    expect(platformResultFor(outcome)).toBe(expected);
    const result = handleStorageEvent(event, options);
    if (expected === 'acknowledge') await expect(result).resolves.toEqual(outcome);
    else await expect(result).rejects.toBeInstanceOf(RedeliveryError);
  });

  it('keeps the transient error as the cause of the redelivery', async () => {
    const { options } = fakeRuntime(retry);
    const err = await handleStorageEvent(event, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedeliveryError);
    expect((err as Error).cause).toBe((retry as { error: Error }).error);
    expect((err as Error).message).toContain('ENGINE_UNAVAILABLE');
  });

  it('hands the pipeline the parsed object and tags every line with the event and trace', async () => {
    const { options, handled, lines } = fakeRuntime({ kind: 'waiting', reason: 'no sidecar' });
    const traced = { ...event, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    await handleStorageEvent(traced, options);
    expect(handled).toEqual([expect.objectContaining({ bucket: 'in', name: 'p.jpg', generation: '7' })]);
    const ran = lines.find((l) => l.line.message === 'pipeline ran')?.line;
    expect(ran).toMatchObject({
      eventId: event.id,
      'logging.googleapis.com/trace': 'projects/demo-p/traces/4bf92f3577b34da6a3ce929d0e0e4736',
    });
  });

  it('rethrows (and logs) what the pipeline throws, so the platform redelivers', async () => {
    const { options, lines } = fakeRuntime(new Error('firestore unreachable'));
    await expect(handleStorageEvent(event, options)).rejects.toThrow('firestore unreachable');
    expect(lines.find((l) => l.level === 'error')?.line).toMatchObject({
      eventId: event.id,
      error: { message: 'firestore unreachable' },
    });
  });

  it('logs a configuration error with its problems and rethrows it', async () => {
    const lines: string[] = [];
    const bootstrapLog = createLogger({ format: 'json', write: (line) => lines.push(line) });
    const problem = new ConfigError(['Environment variable RESULTS_BUCKET is required']);
    await expect(
      handleStorageEvent(event, { runtime: () => Promise.reject(problem), bootstrapLog }),
    ).rejects.toBe(problem);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      severity: 'ERROR',
      problems: ['Environment variable RESULTS_BUCKET is required'],
    });
  });

  it('ignores objects outside INPUT_BUCKET and INPUT_PREFIX without running the pipeline', async () => {
    const { options, handled } = fakeRuntime(retry, { INPUT_BUCKET: 'uploads', INPUT_PREFIX: 'drop/' });
    const other = storageObjectEventFactory({ bucket: 'elsewhere', name: 'drop/p.jpg' });
    await expect(handleStorageEvent(other, options)).resolves.toMatchObject({ kind: 'ignored' });
    const outside = storageObjectEventFactory({ bucket: 'uploads', name: 'other/p.jpg' });
    await expect(handleStorageEvent(outside, options)).resolves.toMatchObject({ kind: 'ignored' });
    expect(handled).toEqual([]);
  });

  it('acknowledges invalid envelopes and other event types without running the pipeline', async () => {
    const { options, handled, lines } = fakeRuntime(retry);
    await expect(handleStorageEvent({ id: 'x' }, options)).resolves.toMatchObject({ kind: 'ignored' });
    const deleted = { ...event, type: 'google.cloud.storage.object.v1.deleted' };
    await expect(handleStorageEvent(deleted, options)).resolves.toMatchObject({ kind: 'ignored' });
    expect(handled).toEqual([]);
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
  });
});

describe('outsideInput', () => {
  it.each([
    [{ bucket: undefined, prefix: '' }, 'any', 'x.jpg', undefined],
    [{ bucket: 'in', prefix: '' }, 'in', 'x.jpg', undefined],
    [{ bucket: 'in', prefix: '' }, 'out', 'x.jpg', 'INPUT_BUCKET'],
    [{ bucket: 'in', prefix: 'drop/' }, 'in', 'drop/x.jpg', undefined],
    [{ bucket: 'in', prefix: 'drop/' }, 'in', 'dropped.jpg', 'INPUT_PREFIX'],
  ])('input %o, object %s/%s → %s', (input, bucket, name, mentions) => {
    const reason = outsideInput({ bucket, name }, input);
    if (mentions) expect(reason).toContain(mentions);
    else expect(reason).toBeUndefined();
  });
});
