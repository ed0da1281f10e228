import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../../shared/engines/engine.js';
import {
  createLocalEngine,
  LOCAL_ENGINE_MODEL,
  LOCAL_ENGINE_NAME,
} from '../../../../shared/engines/local/index.js';
import { EngineError, TransientError, ValidationError } from '../../../../shared/errors.js';
import { edit, fixture, stage } from './helpers.js';

const engine = createLocalEngine();

function planError(prompt: string, options: Parameters<typeof stage>[1] = {}): ValidationError {
  try {
    engine.plan(stage(prompt, options));
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error(`plan() accepted "${prompt}"`);
}

describe('createLocalEngine', () => {
  it('is named local and reports its versioned model', () => {
    expect(engine.name).toBe(LOCAL_ENGINE_NAME);
    expect(engine.plan(stage('warmer')).model).toBe(LOCAL_ENGINE_MODEL);
  });

  describe('plan', () => {
    it('warns about parameters that do not apply', () => {
      const { warnings } = engine.plan(
        stage('warmer', {
          params: { steps: 40, aspectRatio: '1:1', imageSize: '2K', temperature: 1, thinkingLevel: 'high' },
        }),
      );
      expect(warnings).toEqual([
        'steps is not applicable to the local engine (ignored)',
        'aspectRatio is not applicable to the local engine (ignored)',
        'imageSize is not applicable to the local engine (ignored)',
        'temperature is not applicable to the local engine (ignored)',
        'thinkingLevel is not applicable to the local engine (ignored)',
      ]);
    });

    it('clamps a guidance scale outside 1–15 with a warning, refuses a non-positive one', () => {
      expect(engine.plan(stage('warmer', { params: { guidanceScale: 30 } })).warnings).toEqual([
        'guidanceScale 30 clamped to 15 (the local engine accepts 1–15)',
      ]);
      expect(planError('warmer', { params: { guidanceScale: 0 } }).code).toBe('ENGINE_PARAMETER_INVALID');
    });

    it('refuses a prompt with parts it does not understand, quoting them and naming gemini', () => {
      const error = planError('Make it warmer and add a dragon in the sky');
      expect(error.code).toBe('EDIT_NOT_UNDERSTOOD');
      expect(error.message).toContain('"dragon in the sky"');
      expect(error.message).toContain('gemini');
      expect(error.details).toMatchObject({
        unrecognized: ['dragon in the sky'],
        suggestedEngines: ['gemini'],
      });
    });

    it('refuses contradictions and prompts with no edit at all', () => {
      expect(planError('sharpen and soften').code).toBe('EDIT_NOT_UNDERSTOOD');
      expect(planError('Keep the label unchanged; preserve all other details.').message).toContain(
        'only constraints',
      );
    });

    it('refuses an image number the stage does not have', () => {
      const error = planError('replace the background with image 3', { referenceCount: 1 });
      expect(error.code).toBe('REFERENCE_MISSING');
      expect(error.message).toContain('image 3');
      expect(
        engine.plan(stage('replace the background with image 3', { referenceCount: 2 })).warnings,
      ).toEqual(['reference image 2 not used by any local operation']);
    });

    it('refuses placing an image into itself, and another model', () => {
      expect(
        planError('place the subject of image 2 into the scene of image 2', { referenceCount: 1 }).code,
      ).toBe('EDIT_NOT_POSSIBLE');
      expect(() => engine.plan({ ...stage('warmer'), model: 'gemini-3.1-flash-image' })).toThrow(
        /darkroom-local-2/,
      );
    });
  });

  describe('edit', () => {
    it('accepts a fully composed prompt with keep and avoid clauses and records them', async () => {
      const result = await edit(
        'Give it a Kodak Portra 400 look. Keep the eyes, the whiskers and the nose unchanged; preserve all other details. Do not crop; do not add text.',
        ['chelsea'],
      );
      expect(result.details?.constraints).toEqual([
        'Keep the eyes, the whiskers and the nose unchanged',
        'preserve all other details',
        'Do not crop',
        'do not add text',
      ]);
      expect(result.details?.operations).toEqual([expect.objectContaining({ op: 'look-portra-400' })]);
    });

    it('fails with EngineError EDIT_NOT_UNDERSTOOD without editing anything', async () => {
      await expect(edit('warmer, and turn the cat into a dog', ['chelsea'])).rejects.toMatchObject({
        name: 'EngineError',
        code: 'EDIT_NOT_UNDERSTOOD',
      });
    });

    it('fails when the call carries fewer images than the prompt uses', async () => {
      const input = await fixture('chelsea');
      const error = await engine
        .edit({
          stage: stage('replace the background with image 2', { referenceCount: 1 }),
          input,
          references: [],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'REFERENCE_MISSING' });
    });

    it('stops with a transient DEADLINE_EXCEEDED when the signal is aborted', async () => {
      const controller = new AbortController();
      controller.abort(new Error('budget'));
      const input: EngineImage = await fixture('chelsea');
      const error = await engine
        .edit({ stage: stage('warmer'), input, references: [], signal: controller.signal })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    });

    it('is deterministic: same input, prompt and seed give the same bytes', async () => {
      const prompt = 'teal and orange with heavy film grain and a vignette';
      const a = await edit(prompt, ['chelsea'], { seed: 123 });
      const b = await edit(prompt, ['chelsea'], { seed: 123 });
      expect(a.image.data.equals(b.image.data)).toBe(true);
      expect(a.details?.seed).toBe(123);
    });
  });
});
