import type { GenerateContentResponse } from '@google/genai';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGeminiReply } from '../../../../shared/engines/gemini/response.js';
import { EngineError } from '../../../../shared/errors.js';
import { checkEngineOutput } from '../../../../shared/imaging/index.js';
import { pixelAt, solidImage } from '../../../support/gemini-server/images.js';

let red = '';
let green = '';
beforeAll(async () => {
  red = (await solidImage([255, 0, 0], 8, 6)).data.toString('base64');
  green = (await solidImage([0, 255, 0], 4, 4, 'jpeg')).data.toString('base64');
});

const reply = (parts: unknown[] | undefined, finishReason = 'STOP', extra: object = {}) =>
  ({
    candidates: [{ content: parts ? { role: 'model', parts } : { role: 'model' }, finishReason }],
    modelVersion: 'gemini-3.1-flash-image',
    ...extra,
  }) as unknown as GenerateContentResponse;

const image = (data: string, more: object = {}) => ({ inlineData: { mimeType: 'image/png', data }, ...more });

async function failure(res: GenerateContentResponse): Promise<EngineError> {
  const err = await (async () => readGeminiReply(res, 'm'))().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

describe('readGeminiReply', () => {
  it('takes the last non-thought image, skipping thought images and text', async () => {
    const res = reply([
      image(green, { thought: true }),
      { text: 'thinking', thought: true },
      image(green),
      { text: 'Here it is.' },
      image(red, { thoughtSignature: 'sig' }),
      image(green, { thought: true }),
    ]);
    const out = readGeminiReply(res, 'm');
    expect(out.image.mimeType).toBe('image/png');
    expect(await pixelAt(out.image.data, 1, 1)).toEqual([255, 0, 0]);
    expect(out.text).toBe('Here it is.');
    expect(out.thoughtImages).toBe(2);
  });

  it('returns the declared type; the output check reports the real one', async () => {
    const out = readGeminiReply(reply([{ inlineData: { mimeType: 'image/png', data: green } }]), 'm');
    expect(out.image.mimeType).toBe('image/png');
    expect(await checkEngineOutput(out.image)).toMatchObject({ mimeType: 'image/jpeg' });
  });

  it('reads usage and the IMAGE share of the output tokens', async () => {
    const out = readGeminiReply(
      reply([image(red)], 'STOP', {
        usageMetadata: {
          promptTokenCount: 600,
          candidatesTokenCount: 1132,
          thoughtsTokenCount: 90,
          totalTokenCount: 1822,
          candidatesTokensDetails: [
            { modality: 'TEXT', tokenCount: 12 },
            { modality: 'IMAGE', tokenCount: 1120 },
          ],
        },
      }),
      'm',
    );
    expect(out.usage).toEqual({
      promptTokens: 600,
      outputTokens: 1132,
      thoughtTokens: 90,
      totalTokens: 1822,
    });
    expect(out.imageTokens).toBe(1120);
  });

  it('turns promptFeedback.blockReason into ENGINE_BLOCKED with the raw reason', async () => {
    const err = await failure({
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT', blockReasonMessage: 'policy' },
    } as unknown as GenerateContentResponse);
    expect(err.code).toBe('ENGINE_BLOCKED');
    expect(err.details).toMatchObject({ reason: 'PROHIBITED_CONTENT', source: 'prompt' });
    expect(err.message).toContain('policy');
  });

  it.each([
    'SAFETY',
    'IMAGE_SAFETY',
    'PROHIBITED_CONTENT',
    'IMAGE_PROHIBITED_CONTENT',
    'RECITATION',
    'IMAGE_RECITATION',
    'BLOCKLIST',
    'SPII',
    'SOMETHING_NEW',
  ])(
    'turns finishReason %s into ENGINE_BLOCKED, even with an image, quoting the model',
    async (finishReason) => {
      const err = await failure(reply([{ text: 'I cannot do that.' }, image(red)], finishReason));
      expect(err.code).toBe('ENGINE_BLOCKED');
      expect(err.details?.reason).toBe(finishReason);
      expect(err.message).toContain('"I cannot do that."');
    },
  );

  it.each([
    ['NO_IMAGE', [{ text: 'none' }]],
    ['OTHER', [{ text: 'hmm' }]],
    ['IMAGE_OTHER', [{ text: 'I cannot show that.' }, image(red)]],
    ['STOP', [{ text: 'Sure! Here is a description instead.' }]],
  ])(
    "turns finishReason %s with only the model's words into ENGINE_DECLINED, quoting them",
    async (finishReason, parts) => {
      const err = await failure(reply(parts, finishReason));
      expect(err.code).toBe('ENGINE_DECLINED');
      expect(err.details?.reason).toBe(finishReason);
      const words = (parts[0] as { text: string }).text;
      expect(err.message).toContain(`The model said: "${words}"`);
      expect(err.details?.text).toBe(words);
    },
  );

  it.each([
    ['NO_IMAGE', {}],
    ['IMAGE_OTHER', {}],
    ['IMAGE_SAFETY', { code: 'ENGINE_BLOCKED' }],
  ])(
    'quotes finishMessage of a %s refusal with empty content, from the candidate or the raw body',
    async (finishReason, over) => {
      const words = 'Unable to show the generated image. Try rephrasing the prompt.';
      const kept = {
        candidates: [{ content: {}, finishReason, finishMessage: words }],
      } as unknown as GenerateContentResponse;
      const dropped = { candidates: [{ content: {}, finishReason }] } as unknown as GenerateContentResponse;
      for (const err of [
        await failure(kept),
        (await (async () => readGeminiReply(dropped, 'm', { finishMessage: words }))().catch(
          (e: unknown) => e,
        )) as EngineError,
      ]) {
        expect(err.code).toBe((over as { code?: string }).code ?? 'ENGINE_DECLINED');
        expect(err.message).toContain(`Google says: "${words}"`);
        expect(err.details).toMatchObject({ reason: finishReason, finishMessage: words });
      }
    },
  );

  it.each([
    ['NO_IMAGE', []],
    ['IMAGE_OTHER', undefined],
    ['STOP', [image(red, { thought: true })]],
    ['STOP', undefined],
  ])(
    'turns finishReason %s without an image or a reason into ENGINE_NO_IMAGE',
    async (finishReason, parts) => {
      const err = await failure(reply(parts, finishReason));
      expect(err.code).toBe('ENGINE_NO_IMAGE');
    },
  );

  it('turns no candidates at all into ENGINE_NO_IMAGE', async () => {
    expect((await failure({} as GenerateContentResponse)).code).toBe('ENGINE_NO_IMAGE');
  });

  it('turns LANGUAGE into EDIT_NOT_UNDERSTOOD', async () => {
    expect((await failure(reply([{ text: '?' }], 'LANGUAGE'))).code).toBe('EDIT_NOT_UNDERSTOOD');
  });

  it('hands bytes that do not decode to the output check, which refuses them with ENGINE_BAD_OUTPUT', async () => {
    const truncated = Buffer.from(red, 'base64').subarray(0, 40).toString('base64');
    for (const data of [Buffer.from('not an image').toString('base64'), truncated]) {
      const out = readGeminiReply(reply([image(data)]), 'm');
      expect(out.image.data).toEqual(Buffer.from(data, 'base64'));
      const err = await checkEngineOutput(out.image, { source: 'Gemini m' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'EngineError', code: 'ENGINE_BAD_OUTPUT' });
      expect((err as Error).message).toMatch(/^Gemini m returned /);
    }
  });
});
