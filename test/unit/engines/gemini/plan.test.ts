import { describe, expect, it } from 'vitest';
import type { StagePlan } from '../../../../shared/engines/engine.js';
import { createGeminiEngine } from '../../../../shared/engines/gemini/index.js';
import { planGeminiStage } from '../../../../shared/engines/gemini/plan.js';
import { PermanentError, ValidationError } from '../../../../shared/errors.js';

const stage = (over: Partial<StagePlan> = {}, params: Partial<StagePlan['params']> = {}): StagePlan => ({
  index: 0,
  name: 'background',
  prompt: 'Replace the background with a marble countertop',
  referenceCount: 0,
  ...over,
  params: { seed: 7, ...params },
});

interface Refused {
  title: string;
  stage: StagePlan;
  mentions: string[];
}

const refused: Refused[] = [
  {
    title: 'too many references for 2.5 Flash (3 images in all)',
    stage: stage({ model: 'gemini-2.5-flash-image', referenceCount: 3 }),
    mentions: ['gemini-2.5-flash-image', 'references', 'at most 2'],
  },
  {
    title: 'too many references for 3.1 Flash (14 images in all)',
    stage: stage({ referenceCount: 14 }),
    mentions: ['gemini-3.1-flash-image', 'at most 13'],
  },
  {
    title: 'a lowercase k',
    stage: stage({}, { imageSize: '2k' }),
    mentions: ['imageSize', 'uppercase K', '"2K"'],
  },
  {
    title: '512 on 3 Pro',
    stage: stage({ model: 'gemini-3-pro-image' }, { imageSize: '512' }),
    mentions: ['gemini-3-pro-image', 'imageSize', '"512"'],
  },
  {
    title: 'any imageSize on 2.5 Flash',
    stage: stage({ model: 'gemini-2.5-flash-image' }, { imageSize: '1K' }),
    mentions: ['fixed'],
  },
  {
    title: '1:8 on 3 Pro',
    stage: stage({ model: 'gemini-3-pro-image' }, { aspectRatio: '1:8' }),
    mentions: ['aspectRatio', '"1:8"', 'gemini-3-pro-image'],
  },
  { title: 'temperature above 2', stage: stage({}, { temperature: 2.5 }), mentions: ['temperature', '2.5'] },
  {
    title: 'a thinking level 3.1 Flash lacks',
    stage: stage({}, { thinkingLevel: 'medium' }),
    mentions: ['minimal, high'],
  },
  { title: 'a seed beyond int32', stage: stage({}, { seed: 2 ** 32 }), mentions: ['seed', '32-bit'] },
  {
    title: 'a model that is not a Gemini image model',
    stage: stage({ model: 'gpt-image-1' }),
    mentions: ['gpt-image-1'],
  },
  {
    title: 'a shut-down preview id',
    stage: stage({ model: 'gemini-3-pro-image-preview' }),
    mentions: ['shut down', '"gemini-3-pro-image"'],
  },
];

describe('planGeminiStage', () => {
  it.each(refused)('refuses $title', ({ stage: s, mentions }) => {
    let caught: unknown;
    try {
      planGeminiStage(s, 'gemini-3.1-flash-image');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.code).toBe('ENGINE_PARAMETER_INVALID');
    for (const m of mentions) expect(err.message).toContain(m);
  });

  it('reports every problem of a stage at once', () => {
    expect(() =>
      planGeminiStage(stage({}, { imageSize: '8K', aspectRatio: '7:3' }), 'gemini-3.1-flash-image'),
    ).toThrow(/aspectRatio.*; .*imageSize/);
  });

  it('accepts what each model takes', () => {
    expect(
      planGeminiStage(
        stage({ referenceCount: 13 }, { imageSize: '512', aspectRatio: '8:1' }),
        'gemini-3.1-flash-image',
      ),
    ).toMatchObject({ model: 'gemini-3.1-flash-image', warnings: [] });
    expect(planGeminiStage(stage({ model: 'gemini-2.5-flash-image', referenceCount: 2 }), 'x').model).toBe(
      'gemini-2.5-flash-image',
    );
    expect(
      planGeminiStage(stage({}, { thinkingLevel: 'High' }), 'gemini-3.1-flash-image').thinkingLevel,
    ).toBe('HIGH');
  });

  it('warns, and does not fail, on guidanceScale, steps and an unsupported thinkingLevel', () => {
    const planned = planGeminiStage(
      stage({ model: 'gemini-3-pro-image' }, { guidanceScale: 8, steps: 40, thinkingLevel: 'high' }),
      'gemini-3.1-flash-image',
    );
    expect(planned.thinkingLevel).toBeUndefined();
    expect(planned.warnings).toEqual([
      expect.stringContaining('thinkingLevel'),
      expect.stringContaining('guidanceScale 8'),
      expect.stringContaining('steps 40'),
    ]);
  });

  it('accepts an unknown Gemini image model id with the default limits and a warning', () => {
    const planned = planGeminiStage(stage({ model: 'gemini-4-flash-image' }), 'gemini-3.1-flash-image');
    expect(planned.profile.maxInputImages).toBe(14);
    expect(planned.warnings[0]).toContain('not in the engine');
  });
});

describe('createGeminiEngine', () => {
  describe('plan', () => {
    it('uses the configured default model when the stage names none', () => {
      const engine = createGeminiEngine({ env: { GEMINI_API_KEY: 'k' }, defaultModel: 'gemini-3-pro-image' });
      expect(engine.name).toBe('gemini');
      expect(engine.plan(stage({}, { steps: 30 }))).toEqual({
        model: 'gemini-3-pro-image',
        warnings: [expect.stringContaining('steps')],
      });
    });

    it('throws PermanentError ENGINE_NOT_CONFIGURED naming the variables when there are no credentials', () => {
      const engine = createGeminiEngine({ env: {} });
      let caught: unknown;
      try {
        engine.plan(stage());
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PermanentError);
      expect((caught as PermanentError).code).toBe('ENGINE_NOT_CONFIGURED');
      expect((caught as Error).message).toMatch(/GEMINI_API_KEY.*GOOGLE_API_KEY.*GOOGLE_GENAI_USE_VERTEXAI/);
    });
  });
});
