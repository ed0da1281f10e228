/**
 * What each Gemini image model accepts, and what it costs.
 *
 * Sources: the Gemini API image-generation guide, the Vertex AI model pages and the Gemini API
 * pricing page, as summarised in `shared/reference/gemini-image-api.md` (checked 2026-08).
 */

/** The model a stage runs on when neither the request nor the configuration names one. */
export const DEFAULT_GEMINI_MODEL = 'gemini-3.1-flash-image';

/** US dollars per million tokens, by kind of token. */
export interface GeminiPrice {
  /** Prompt tokens (text and input images). */
  inputPerMillion: number;
  /** Output tokens of the IMAGE modality. */
  imageOutputPerMillion: number;
  /** Output tokens of the TEXT modality, and thinking tokens. */
  textOutputPerMillion: number;
}

/** Limits and prices of one model. */
export interface GeminiModelProfile {
  id: string;
  nickname: string;
  /** Images per request, stage input and references together. */
  maxInputImages: number;
  /** Accepted `imageSize` values; empty when the output size is fixed. */
  imageSizes: readonly string[];
  /** Output size the model uses when `imageSize` is not sent. */
  defaultImageSize: string;
  aspectRatios: readonly string[];
  /** Accepted `thinkingLevel` values (lowercase); empty when the model does not take one. */
  thinkingLevels: readonly string[];
  /** Largest inline image the service takes (Vertex documents 7 MB; we hold both backends to it). */
  maxInlineImageBytes: number;
  /** Output image tokens per image size, used when a reply carries no usage metadata. */
  imageTokensBySize: Readonly<Record<string, number>>;
  price: GeminiPrice;
}

const MB = 1024 * 1024;
const TEN_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;

/** Known models, by id. */
export const GEMINI_MODELS: Readonly<Record<string, GeminiModelProfile>> = {
  'gemini-3.1-flash-image': {
    id: 'gemini-3.1-flash-image',
    nickname: 'Nano Banana 2',
    maxInputImages: 14,
    imageSizes: ['512', '1K', '2K', '4K'],
    defaultImageSize: '1K',
    aspectRatios: [...TEN_RATIOS, '1:4', '4:1', '1:8', '8:1'],
    thinkingLevels: ['minimal', 'high'],
    maxInlineImageBytes: 7 * MB,
    imageTokensBySize: { '512': 747, '1K': 1120, '2K': 1680, '4K': 2520 },
    price: { inputPerMillion: 0.5, imageOutputPerMillion: 60, textOutputPerMillion: 3 },
  },
  'gemini-3-pro-image': {
    id: 'gemini-3-pro-image',
    nickname: 'Nano Banana Pro',
    maxInputImages: 14,
    imageSizes: ['1K', '2K', '4K'],
    defaultImageSize: '1K',
    aspectRatios: TEN_RATIOS,
    thinkingLevels: [],
    maxInlineImageBytes: 7 * MB,
    imageTokensBySize: { '1K': 1120, '2K': 1120, '4K': 2000 },
    price: { inputPerMillion: 2, imageOutputPerMillion: 120, textOutputPerMillion: 12 },
  },
  'gemini-2.5-flash-image': {
    id: 'gemini-2.5-flash-image',
    nickname: 'Nano Banana',
    maxInputImages: 3,
    imageSizes: [],
    defaultImageSize: '1K',
    aspectRatios: TEN_RATIOS,
    thinkingLevels: [],
    maxInlineImageBytes: 7 * MB,
    imageTokensBySize: { '1K': 1290 },
    price: { inputPerMillion: 0.3, imageOutputPerMillion: 30, textOutputPerMillion: 2.5 },
  },
};

/** Preview ids that Google has shut down, with the GA id that replaced each. */
export const RETIRED_GEMINI_MODELS: Readonly<Record<string, string>> = {
  'gemini-2.5-flash-image-preview': 'gemini-2.5-flash-image',
  'gemini-3-pro-image-preview': 'gemini-3-pro-image',
  'gemini-3.1-flash-image-preview': 'gemini-3.1-flash-image',
};

/** Ids that look like a Gemini image model we do not know yet (a newer release). */
const IMAGE_MODEL_ID = /^gemini-[a-z0-9.-]*image[a-z0-9.-]*$/;

/** The result of looking a model id up. */
export interface ResolvedGeminiModel {
  profile: GeminiModelProfile;
  /** True when the id is not in {@link GEMINI_MODELS} and the default's limits are assumed. */
  assumed: boolean;
}

/**
 * Looks a model id up. Unknown ids that look like Gemini image models (`gemini-…image…`) get the
 * limits of {@link DEFAULT_GEMINI_MODEL}, so a newer model can be used before this table knows it.
 * @returns the profile, or undefined when the id is retired or not a Gemini image model id
 */
export function resolveGeminiModel(id: string): ResolvedGeminiModel | undefined {
  const known = GEMINI_MODELS[id];
  if (known) return { profile: known, assumed: false };
  if (id in RETIRED_GEMINI_MODELS || !IMAGE_MODEL_ID.test(id)) return undefined;
  const base = GEMINI_MODELS[DEFAULT_GEMINI_MODEL] as GeminiModelProfile;
  return { profile: { ...base, id, nickname: id }, assumed: true };
}
