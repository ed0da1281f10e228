import type { GenerateContentResponse } from '@google/genai';
import { EngineError } from '../../errors.js';
import type { EngineOutput, EngineUsage } from '../engine.js';

/** Finish reasons that end normally: an image is expected, and its absence is ENGINE_NO_IMAGE. */
const NORMAL_FINISH = new Set(['STOP', 'MAX_TOKENS', 'FINISH_REASON_UNSPECIFIED']);
/**
 * Finish reasons that mean "no image this time" rather than a safety or policy block. With the
 * model's words (`finishMessage` or a text part) they are a refusal, ENGINE_DECLINED; without any,
 * ENGINE_NO_IMAGE, which gets one more try with a new seed.
 */
const NO_IMAGE_FINISH = new Set([
  'NO_IMAGE',
  'OTHER',
  'IMAGE_OTHER',
  'MALFORMED_FUNCTION_CALL',
  'UNEXPECTED_TOOL_CALL',
  'TOO_MANY_TOOL_CALLS',
]);
/** What a successful reply held. */
export interface GeminiReply {
  /** The image part's bytes and declared type, unchecked (the pipeline's check reads them). */
  image: EngineOutput;
  /** The model's non-thought text, joined. */
  text: string;
  finishReason?: string | undefined;
  modelVersion?: string | undefined;
  responseId?: string | undefined;
  usage?: EngineUsage | undefined;
  /** Output tokens of the IMAGE modality, when the reply split them out. */
  imageTokens?: number | undefined;
  /** Interim images marked `thought: true`, skipped. */
  thoughtImages: number;
  /** The candidate's `finishMessage`, when there was one. */
  finishMessage?: string | undefined;
}

/**
 * Reads a `generateContent` reply: the last non-thought `image/*` inline part of the first
 * candidate (never `response.data`, which concatenates every image). Its bytes are not decoded here:
 * the engine runs the pipeline's output check on them.
 * @param res the SDK's response
 * @param model for messages
 * @param raw what the SDK's converter drops, read from the raw body (`finishMessage` on the Gemini
 *   Developer API); the value on the candidate wins when the SDK kept it (Vertex)
 * @throws EngineError ENGINE_BLOCKED (promptFeedback.blockReason, a safety/policy/recitation or
 *   unknown finishReason; `details.reason` is the raw value), ENGINE_DECLINED (no image, and the
 *   model said why: `finishMessage` or only text), EDIT_NOT_UNDERSTOOD (LANGUAGE), ENGINE_NO_IMAGE
 *   (no image and no reason)
 */
export function readGeminiReply(
  res: GenerateContentResponse,
  model: string,
  raw: { finishMessage?: string | undefined } = {},
): GeminiReply {
  const candidate = res.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const text = parts
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('\n')
    .trim();
  const finishMessage = (candidate?.finishMessage ?? raw.finishMessage)?.trim() || undefined;
  const said = [
    finishMessage ? ` ${_sentence(finishMessage)}` : '',
    text ? ` The model said: "${text}"` : '',
  ].join('');
  const meta = {
    modelVersion: res.modelVersion,
    responseId: res.responseId,
    text: text || undefined,
    finishMessage,
  };

  const blockReason = res.promptFeedback?.blockReason;
  if (blockReason) {
    const message = res.promptFeedback?.blockReasonMessage;
    throw new EngineError(
      'ENGINE_BLOCKED',
      `Gemini ${model} blocked the prompt (${blockReason})${message ? `: ${message}` : ''}.${said}`,
      { details: { reason: blockReason, source: 'prompt', blockReasonMessage: message, ...meta } },
    );
  }
  const finishReason = candidate?.finishReason as string | undefined;
  if (finishReason === 'LANGUAGE') {
    throw new EngineError('EDIT_NOT_UNDERSTOOD', `Gemini ${model} stopped: unsupported language.${said}`, {
      details: { reason: finishReason, ...meta },
    });
  }
  if (finishReason && !NORMAL_FINISH.has(finishReason) && !NO_IMAGE_FINISH.has(finishReason)) {
    throw new EngineError(
      'ENGINE_BLOCKED',
      `Gemini ${model} refused to produce the image (${finishReason}).${said}`,
      {
        details: { reason: finishReason, source: 'candidate', ...meta },
      },
    );
  }
  const images = parts.filter((p) => p.inlineData?.mimeType?.startsWith('image/') && p.inlineData.data);
  // IMAGE_OTHER means the image was generated but withheld ("Unable to show the generated image"):
  // an image part next to it is not the answer.
  const final = finishReason === 'IMAGE_OTHER' ? undefined : images.filter((p) => !p.thought).at(-1);
  if (!final?.inlineData?.data) {
    const why = !candidate ? 'no candidate' : parts.length === 0 ? 'no parts' : 'no image part';
    if (finishMessage || text) {
      throw new EngineError(
        'ENGINE_DECLINED',
        `Gemini ${model} declined to produce the image (finishReason ${finishReason ?? 'none'}).${said}`,
        { details: { reason: finishReason ?? why, source: 'candidate', ...meta } },
      );
    }
    throw new EngineError(
      'ENGINE_NO_IMAGE',
      `Gemini ${model} answered without an image and without a reason (${why}, finishReason ${finishReason ?? 'none'})`,
      { details: { reason: finishReason ?? why, ...meta } },
    );
  }
  const image = {
    data: Buffer.from(final.inlineData.data, 'base64'),
    mimeType: final.inlineData.mimeType ?? 'application/octet-stream',
  };
  const u = res.usageMetadata;
  const usage: EngineUsage | undefined = u && {
    promptTokens: u.promptTokenCount,
    outputTokens: u.candidatesTokenCount,
    thoughtTokens: u.thoughtsTokenCount,
    totalTokens: u.totalTokenCount,
  };
  const imageTokens = u?.candidatesTokensDetails
    ?.filter((d) => d.modality === 'IMAGE')
    .reduce((sum, d) => sum + (d.tokenCount ?? 0), 0);
  return {
    image,
    text,
    finishReason,
    modelVersion: res.modelVersion,
    responseId: res.responseId,
    usage,
    imageTokens,
    thoughtImages: images.length - images.filter((p) => !p.thought).length,
    finishMessage,
  };
}

// ── internal ──────────────────────────────────────────────────────────────

function _sentence(words: string): string {
  return `Google says: "${words}"`;
}
