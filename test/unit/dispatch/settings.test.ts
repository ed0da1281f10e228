import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config.js';
import { queueOf, readDispatchSettings } from '../../../shared/dispatch/settings.js';

const Q = 'projects/p/locations/us-central1/queues/nb2';
const TASKS = {
  DISPATCH: 'tasks',
  TASK_QUEUES: `gemini-3.1-flash-image=${Q},default=projects/p/locations/us-central1/queues/default`,
  RUN_STAGE_URL: 'https://run-stage-abc-uc.a.run.app',
  TASK_INVOKER_ACCOUNT: 'tasks@p.iam.gserviceaccount.com',
};

describe('readDispatchSettings', () => {
  it('defaults to inline dispatch with no queues and no pacing', () => {
    const s = readDispatchSettings({});
    expect(s.DISPATCH).toBe('inline');
    expect(s.TASK_QUEUES.size).toBe(0);
    expect(s.MODEL_RPM.size).toBe(0);
    expect(s.TASK_DISPATCH_DEADLINE_SECONDS).toBe(900);
  });

  it('reads tasks mode: queues by model or engine, with a default', () => {
    const s = readDispatchSettings(TASKS);
    expect(queueOf(s.TASK_QUEUES, { engine: 'gemini', model: 'gemini-3.1-flash-image' })).toBe(Q);
    expect(queueOf(s.TASK_QUEUES, { engine: 'replicate', model: 'x/y' })).toBe(
      'projects/p/locations/us-central1/queues/default',
    );
  });

  interface TestData {
    env: Record<string, string>;
    message: RegExp;
  }
  it.each<TestData>([
    { env: { DISPATCH: 'queue' }, message: /DISPATCH/ },
    { env: { ...TASKS, TASK_QUEUES: `gemini=${Q}` }, message: /TASK_QUEUES needs a default=/ },
    { env: { ...TASKS, TASK_QUEUES: 'gemini=nb2' }, message: /TASK_QUEUES entry "gemini=nb2"/ },
    { env: { ...TASKS, RUN_STAGE_URL: '' }, message: /RUN_STAGE_URL is required/ },
    { env: { ...TASKS, TASK_INVOKER_ACCOUNT: 'nobody' }, message: /TASK_INVOKER_ACCOUNT/ },
    {
      env: { CLOUD_TASKS_EMULATOR_HOST: 'http://localhost:8123' },
      message: /CLOUD_TASKS_EMULATOR_HOST must be host:port/,
    },
    { env: { TASK_DISPATCH_DEADLINE_SECONDS: '5' }, message: /at least 15/ },
    { env: { MODEL_RPM: 'gemini=fast' }, message: /MODEL_RPM entry "gemini=fast"/ },
  ])('refuses $env with a message naming the variable', ({ env, message }) => {
    expect(() => readDispatchSettings(env)).toThrow(ConfigError);
    expect(() => readDispatchSettings(env)).toThrow(message);
  });

  it('reads MODEL_RPM per model or engine', () => {
    const s = readDispatchSettings({ MODEL_RPM: 'gemini-3.1-flash-image=10, replicate=60' });
    expect([...s.MODEL_RPM]).toEqual([
      ['gemini-3.1-flash-image', 10],
      ['replicate', 60],
    ]);
  });
});
