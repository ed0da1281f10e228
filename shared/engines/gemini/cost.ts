import type { EngineUsage } from '../engine.js';
import type { GeminiModelProfile, GeminiPrice } from './models.js';

/** Price overrides by model id, merged over the profile's prices. */
export type GeminiPriceOverrides = Readonly<Record<string, Partial<GeminiPrice>>>;

/**
 * The price of a model: the profile's table, with any override merged over it.
 * @param profile the model's profile
 * @param overrides from the engine options
 */
export function priceFor(profile: GeminiModelProfile, overrides?: GeminiPriceOverrides): GeminiPrice {
  return { ...profile.price, ...overrides?.[profile.id] };
}

/**
 * Estimates what one call cost, in US dollars. With usage metadata: prompt tokens at the input
 * rate, IMAGE output tokens at the image rate, other output and thinking tokens at the text rate.
 * Without it: the profile's output tokens for one image of the requested size.
 * @param options price, usage as reported, image output tokens when split out, and the image size
 * @example estimateGeminiCost({ price, usage: { promptTokens: 560, outputTokens: 1120 } }) // ≈ 0.0675
 */
export function estimateGeminiCost(options: {
  price: GeminiPrice;
  profile: GeminiModelProfile;
  usage?: EngineUsage | undefined;
  imageTokens?: number | undefined;
  imageSize?: string | undefined;
}): number {
  const { price, profile, usage } = options;
  const perToken = (rate: number) => rate / 1_000_000;
  if (!usage || usage.outputTokens === undefined) {
    const tokens = profile.imageTokensBySize[options.imageSize ?? profile.defaultImageSize] ?? 0;
    return _round(tokens * perToken(price.imageOutputPerMillion));
  }
  const output = usage.outputTokens ?? 0;
  const image = Math.min(options.imageTokens ?? output, output);
  const text = output - image + (usage.thoughtTokens ?? 0);
  return _round(
    (usage.promptTokens ?? 0) * perToken(price.inputPerMillion) +
      image * perToken(price.imageOutputPerMillion) +
      text * perToken(price.textOutputPerMillion),
  );
}

function _round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
