import { describe, expect, it } from 'vitest';
import {
  createCloudRuntime,
  ownerId,
  readCloudSettings,
} from '../../../shared/cloud/create-cloud-runtime.js';
import { ConfigError } from '../../../shared/config.js';

const env = { RESULTS_BUCKET: 'results', INPUT_BUCKET: 'uploads', GOOGLE_CLOUD_PROJECT: 'demo-unit' };

describe('createCloudRuntime', () => {
  it('builds the pipeline deps from the environment without contacting anything', async () => {
    const runtime = createCloudRuntime({
      env: { ...env, RESULTS_PREFIX: 'out/', K_REVISION: 'darkroom-00007-abc' },
    });
    try {
      expect(runtime.deps.results).toEqual({ bucket: 'results', prefix: 'out/' });
      expect(runtime.deps.store.kind).toBe('gcs');
      expect(runtime.config.defaultEngine).toBe('gemini');
      expect([...runtime.deps.engines.keys()]).toEqual(expect.arrayContaining(['local', 'gemini']));
      expect(runtime.deps.owner).toMatch(/^darkroom-00007-abc\/.+:\d+:[0-9a-f]{8}$/);
    } finally {
      await runtime.close();
    }
  });

  it('refuses to start without RESULTS_BUCKET, naming it', () => {
    expect(() => createCloudRuntime({ env: { INPUT_BUCKET: 'uploads' } })).toThrow(ConfigError);
    expect(() => createCloudRuntime({ env: { INPUT_BUCKET: 'uploads' } })).toThrow(
      /Environment variable RESULTS_BUCKET is required/,
    );
  });

  it('refuses a results location that would feed the trigger', () => {
    expect(() => createCloudRuntime({ env: { ...env, RESULTS_BUCKET: 'uploads' } })).toThrow(
      /would trigger the function again/,
    );
  });
});

describe('readCloudSettings', () => {
  it.each([['0'], ['11'], ['two'], ['1.5']])('refuses GEMINI_MAX_ATTEMPTS=%s', (value) => {
    expect(() => readCloudSettings({ ...env, GEMINI_MAX_ATTEMPTS: value })).toThrow(
      new RegExp(
        `GEMINI_MAX_ATTEMPTS must be a whole number from 1 to 10 \\(got "${value.replace('.', '\\.')}"\\)`,
      ),
    );
  });

  it('reads GEMINI_MAX_ATTEMPTS and treats empty values as unset', () => {
    expect(readCloudSettings({ ...env, GEMINI_MAX_ATTEMPTS: '3', K_REVISION: '' })).toEqual({
      RESULTS_BUCKET: 'results',
      GEMINI_MAX_ATTEMPTS: 3,
    });
  });
});

describe('ownerId', () => {
  it('differs between two cold starts of the same revision on the same host', () => {
    expect(ownerId('rev-1')).not.toBe(ownerId('rev-1'));
    expect(ownerId(undefined)).toMatch(/^local\//);
  });
});
