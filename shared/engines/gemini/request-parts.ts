import type { GenerateContentConfig, Part } from '@google/genai';
import { ValidationError } from '../../errors.js';
import type { EngineRequest, StagePlan } from '../engine.js';
import type { GeminiStagePlan } from './plan.js';
import { defaultMaxInputSide, type PreparedImage, prepareImage } from './prepare.js';

/**
 * Builds the parts of a stage's request: the composed prompt, then every image downscaled and
 * re-encoded for the model. Shared by the interactive call and the batch lane, so both send the same.
 * @param request the edit request
 * @param checked the stage as the engine planned it
 * @param maxInputSide the engine's override of the longest side, if any
 * @throws ValidationError ENGINE_PARAMETER_INVALID when the images exceed what a request may carry
 */
export async function prepareParts(
  request: EngineRequest,
  checked: GeminiStagePlan,
  maxInputSide: number | undefined,
): Promise<{ maxSide: number; prepared: PreparedImage[]; parts: Part[] }> {
  const { profile } = checked;
  const maxSide = maxInputSide ?? defaultMaxInputSide(profile, request.stage.params.imageSize);
  const prepared: PreparedImage[] = [];
  for (const [i, image] of [request.input, ...request.references].entries()) {
    prepared.push(
      await prepareImage(image, { image: i + 1, maxSide, maxBytes: profile.maxInlineImageBytes }),
    );
  }
  _checkRequestSize(request.stage, prepared);
  const parts: Part[] = [
    { text: request.stage.prompt },
    ...prepared.map((p) => ({ inlineData: { mimeType: p.mimeType, data: p.data.toString('base64') } })),
  ];
  return { maxSide, prepared, parts };
}

// ── internal ──────────────────────────────────────────────────────────────

/** The Gemini API takes up to 100 MB of inline data per request (base64 included). */
const MAX_INLINE_REQUEST_BYTES = 100 * 1024 * 1024;

function _checkRequestSize(stage: StagePlan, prepared: PreparedImage[]): void {
  const base64 = prepared.reduce((sum, p) => sum + Math.ceil(p.data.length / 3) * 4, 0);
  if (base64 > MAX_INLINE_REQUEST_BYTES) {
    const mb = (base64 / 1024 / 1024).toFixed(1);
    throw new ValidationError('ENGINE_PARAMETER_INVALID', [
      `stage ${stage.index} ("${stage.name}"): the ${prepared.length} images come to ${mb} MB encoded, over the 100 MB ` +
        'a request may carry inline; use fewer references or a smaller maxInputSide',
    ]);
  }
}

/**
 * The `generateContent` config of one attempt: modalities, seed, temperature, image and thinking settings.
 * @param timeoutMs per-attempt timeout; `signal` aborts the call
 */
export function requestConfig(
  plan: GeminiStagePlan,
  params: StagePlan['params'],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): GenerateContentConfig {
  const config: GenerateContentConfig = {
    responseModalities: ['TEXT', 'IMAGE'],
    seed: params.seed,
    // No retryOptions: the SDK must not retry behind our back; the engine does.
    httpOptions: { timeout: timeoutMs },
  };
  if (signal) config.abortSignal = signal;
  if (params.temperature !== undefined) config.temperature = params.temperature;
  if (params.aspectRatio !== undefined || params.imageSize !== undefined) {
    config.imageConfig = {
      ...(params.aspectRatio !== undefined ? { aspectRatio: params.aspectRatio } : {}),
      ...(params.imageSize !== undefined ? { imageSize: params.imageSize } : {}),
    };
  }
  if (plan.thinkingLevel) {
    config.thinkingConfig = {
      thinkingLevel: plan.thinkingLevel as NonNullable<
        GenerateContentConfig['thinkingConfig']
      >['thinkingLevel'],
    };
  }
  return config;
}
