import { describe, expect, it } from 'vitest';
import type { StagePlan } from '../../../../shared/engines/engine.js';
import { REPLICATE_PROFILES, resolveStage } from '../../../../shared/engines/replicate/index.js';
import { ValidationError } from '../../../../shared/errors.js';

function plan(
  model: string | undefined,
  params: Partial<StagePlan['params']> = {},
  referenceCount = 0,
): StagePlan {
  return {
    index: 2,
    name: 'edit',
    model,
    prompt: 'Make the sky pink.',
    referenceCount,
    params: { seed: 7, ...params },
  };
}

interface InvalidCase {
  what: string;
  stage: StagePlan;
  /** Text the single issue must contain (model and parameter). */
  says: string[];
}

describe('resolveStage', () => {
  it.each<InvalidCase>([
    {
      what: 'guidance above the model range',
      stage: plan('black-forest-labs/flux-kontext-dev', { guidanceScale: 12 }),
      says: ['black-forest-labs/flux-kontext-dev', 'guidanceScale', '"guidance"', 'from 0 to 10', 'got 12'],
    },
    {
      what: 'non-integer steps',
      stage: plan('black-forest-labs/flux-kontext-dev', { steps: 30.5 }),
      says: ['flux-kontext-dev', 'steps', 'num_inference_steps', 'an integer from 4 to 50'],
    },
    {
      what: 'a reference on a one-image model',
      stage: plan('black-forest-labs/flux-kontext-pro', {}, 1),
      says: ['flux-kontext-pro', 'references', 'accepts 1 image(s)', 'has 2'],
    },
    {
      what: 'too many references for p-image-edit',
      stage: plan('prunaai/p-image-edit', {}, 5),
      says: ['prunaai/p-image-edit', 'accepts 5 image(s)', 'has 6'],
    },
    {
      what: 'an aspect ratio the model lacks',
      stage: plan('qwen/qwen-image-edit-plus', { aspectRatio: '21:9' }),
      says: ['qwen/qwen-image-edit-plus', 'aspectRatio', '"21:9"'],
    },
    {
      what: 'a LoRA scale out of range',
      stage: plan('qwen/qwen-image-edit-plus-lora', { extra: { lora_weights: 'a/b', lora_scale: 5 } }),
      says: ['qwen-image-edit-plus-lora', 'extra.lora_scale'],
    },
    {
      what: 'an extra input the model does not have',
      stage: plan('black-forest-labs/flux-kontext-pro', { extra: { lora_weights: 'a/b' } }),
      says: ['flux-kontext-pro', 'extra', 'lora_weights'],
    },
    {
      what: 'safety_tolerance above 2 with an input image',
      stage: plan('black-forest-labs/flux-kontext-pro', { extra: { safety_tolerance: 6 } }),
      says: ['extra.safety_tolerance'],
    },
    {
      what: 'a negative seed',
      stage: plan('prunaai/p-image-edit', { seed: -1 }),
      says: ['prunaai/p-image-edit', 'seed', 'got -1'],
    },
    { what: 'an unknown model', stage: plan('acme/magic'), says: ['acme/magic', 'no Replicate profile'] },
    {
      what: 'a malformed version',
      stage: plan('prunaai/p-image-edit:v1'),
      says: ['prunaai/p-image-edit:v1', '64 lowercase hex'],
    },
  ])('rejects $what with ENGINE_PARAMETER_INVALID naming model and parameter', ({ stage, says }) => {
    let error: unknown;
    try {
      resolveStage(stage);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'ENGINE_PARAMETER_INVALID' });
    const [issue] = (error as ValidationError).issues;
    expect(issue).toMatch(/^stages\[2\] /);
    for (const text of says) expect(issue).toContain(text);
  });

  it('maps the common parameters to the model names and keeps profile defaults', () => {
    const resolved = resolveStage(
      plan('black-forest-labs/flux-kontext-dev', {
        guidanceScale: 7,
        steps: 30,
        aspectRatio: '4:3',
        extra: { go_fast: false },
      }),
    );

    expect(resolved.input).toEqual({
      prompt: 'Make the sky pink.',
      seed: 7,
      guidance: 7,
      num_inference_steps: 30,
      aspect_ratio: '4:3',
      output_format: 'png',
      go_fast: false,
    });
    expect(resolved.version).toBeUndefined();
    expect(resolved.warnings).toEqual([]);
  });

  it('defaults to flux-kontext-pro and warns about the Gemini-only parameters', () => {
    const resolved = resolveStage(
      plan(undefined, { temperature: 1, imageSize: '2K', thinkingLevel: 'high' }),
    );

    expect(resolved.profile.model).toBe('black-forest-labs/flux-kontext-pro');
    expect(resolved.warnings).toEqual([
      'imageSize is ignored by black-forest-labs/flux-kontext-pro (it has no such input)',
      'temperature is ignored by black-forest-labs/flux-kontext-pro (it has no such input)',
      'thinkingLevel is ignored by black-forest-labs/flux-kontext-pro (it has no such input)',
    ]);
  });

  it('uses a version given in the model reference over the pinned one', () => {
    const version = 'a'.repeat(64);

    expect(resolveStage(plan(`prunaai/p-image-edit:${version}`)).version).toBe(version);
    expect(resolveStage(plan('prunaai/p-image-edit')).version).toBe(
      REPLICATE_PROFILES.get('prunaai/p-image-edit')?.version,
    );
  });

  it('sends the upscaler no prompt, aspect ratio or guidance, warning about the parameters only', () => {
    const resolved = resolveStage(plan('nightmareai/real-esrgan', { aspectRatio: '1:1', guidanceScale: 8 }));

    expect(resolved.input).toEqual({ scale: 4, face_enhance: false });
    expect(resolved.warnings).toEqual([
      'guidanceScale is ignored by nightmareai/real-esrgan (it has no such input)',
      'aspectRatio is ignored by nightmareai/real-esrgan (it has no such input)',
    ]);
  });

  it('warns when the LoRA model runs without lora_weights', () => {
    expect(resolveStage(plan('qwen/qwen-image-edit-plus-lora')).warnings).toEqual([
      'qwen/qwen-image-edit-plus-lora runs without a LoRA: extra.lora_weights is not set',
    ]);
  });
});
