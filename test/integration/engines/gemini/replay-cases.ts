/**
 * What the engine must conclude from each recorded reply in `test/fixtures/gemini/`. A changed
 * conclusion (another image part chosen, another code, retried or not, another delay, lost words)
 * fails the replay suite.
 */

/** The conclusion about one fixture. */
export interface ReplayCase {
  fixture: string;
  /** How many times the reply is served (the engine's retries see it again). */
  served: number;
  /** Calls the engine must make. */
  calls: number;
  /** A success: the image part chosen. */
  image?: { mimeType: string; width: number; height: number; thoughtImages: number; text?: string };
  /** A failure: its code, whether it is transient, and what its message must quote. */
  error?: {
    code: string;
    transient: boolean;
    kind?: string;
    /** The wait in ms the error carries (`until-reset`: the time to midnight Pacific from the test clock). */
    retryAfterMs?: number | 'until-reset' | undefined;
    message: string[];
    finishMessage?: boolean;
  };
  /** Waits the engine slept between its calls. */
  sleeps?: number[];
}

const success = (fixture: string, mimeType: string, thoughtImages = 0, text?: string): ReplayCase => ({
  fixture,
  served: 1,
  calls: 1,
  image: { mimeType, width: 96, height: 64, thoughtImages, ...(text ? { text } : {}) },
});

/** Every recorded shape, with its conclusion. */
export const REPLAY_CASES: ReplayCase[] = [
  success('dev-3.1-flash-image-jpeg', 'image/jpeg', 0, 'Here is the cup with warmer light.'),
  success('dev-3-pro-image-thoughts', 'image/jpeg', 2),
  success('dev-2.5-flash-image-png', 'image/png'),
  success('vertex-3.1-flash-image-jpeg', 'image/jpeg', 0, 'The light is warmer now.'),
  success('vertex-3-pro-image-jpeg', 'image/jpeg'),
  success('vertex-2.5-flash-image-png', 'image/png', 0, 'Here you go: the same cup, in golden-hour light.'),
  {
    fixture: 'dev-no-image-empty-content',
    served: 2,
    calls: 2,
    error: {
      code: 'ENGINE_NO_IMAGE',
      transient: false,
      message: ['without an image and without a reason', 'NO_IMAGE'],
    },
    sleeps: [0],
  },
  {
    fixture: 'dev-stop-text-refusal',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_DECLINED',
      transient: false,
      message: ["The model said: \"I can't edit this photo to change the person's identity."],
    },
  },
  {
    fixture: 'dev-image-safety',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_BLOCKED',
      transient: false,
      message: [
        '(IMAGE_SAFETY)',
        'Google says: "Unable to show the generated image. The image was filtered out',
      ],
      finishMessage: true,
    },
  },
  {
    fixture: 'dev-image-prohibited-content',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_BLOCKED',
      transient: false,
      message: ['(IMAGE_PROHIBITED_CONTENT)', 'The image may depict content that is not allowed.'],
      finishMessage: true,
    },
  },
  {
    fixture: 'dev-image-other',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_DECLINED',
      transient: false,
      message: ['IMAGE_OTHER', 'The model could not produce the image from the prompt given.'],
      finishMessage: true,
    },
  },
  {
    fixture: 'vertex-image-other',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_DECLINED',
      transient: false,
      message: ['IMAGE_OTHER', 'Try rephrasing the prompt.'],
      finishMessage: true,
    },
  },
  {
    fixture: 'dev-prompt-blocked',
    served: 1,
    calls: 1,
    error: { code: 'ENGINE_BLOCKED', transient: false, message: ['blocked the prompt (PROHIBITED_CONTENT)'] },
  },
  {
    fixture: 'vertex-prompt-blocked',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_BLOCKED',
      transient: false,
      message: ['blocked the prompt (PROHIBITED_CONTENT): The prompt could not be submitted.'],
    },
  },
  {
    fixture: 'dev-429-per-minute',
    served: 2,
    calls: 2,
    error: {
      code: 'ENGINE_UNAVAILABLE',
      transient: true,
      kind: 'rate-limit',
      retryAfterMs: 34_290,
      message: ['Please retry in 34.290617321s.'],
    },
    sleeps: [34_290],
  },
  {
    fixture: 'dev-429-per-day',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_QUOTA_EXHAUSTED',
      transient: true,
      kind: 'quota-per-day',
      retryAfterMs: 'until-reset',
      message: ['GenerateRequestsPerDayPerProjectPerModel', 'resets at midnight Pacific time'],
    },
  },
  {
    fixture: 'dev-429-billing',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_BILLING',
      transient: false,
      kind: 'billing',
      message: ['Your prepayment credits are depleted.', 'Operators: add credits'],
    },
  },
  {
    fixture: 'vertex-429-shared-quota',
    served: 2,
    calls: 2,
    error: {
      code: 'ENGINE_UNAVAILABLE',
      transient: true,
      kind: 'rate-limit',
      retryAfterMs: undefined,
      message: ['Resource exhausted. Please try again later.'],
    },
    sleeps: [0],
  },
  {
    fixture: 'dev-400-aspect-ratio',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_REJECTED',
      transient: false,
      kind: 'rejected',
      message: ['aspect_ratio must be one of'],
    },
  },
  {
    fixture: 'dev-400-api-key-invalid',
    served: 1,
    calls: 1,
    error: { code: 'ENGINE_REJECTED', transient: false, kind: 'rejected', message: ['API key not valid.'] },
  },
  {
    fixture: 'dev-404-model',
    served: 1,
    calls: 1,
    error: {
      code: 'ENGINE_MODEL_NOT_FOUND',
      transient: false,
      kind: 'not-found',
      message: ['models/gemini-3.5-flash-image is not found for API version v1beta'],
    },
  },
  {
    fixture: 'dev-503-overloaded',
    served: 2,
    calls: 2,
    error: {
      code: 'ENGINE_UNAVAILABLE',
      transient: true,
      kind: 'overloaded',
      retryAfterMs: undefined,
      message: ['The model is overloaded.'],
    },
    sleeps: [0],
  },
  {
    fixture: 'vertex-503-unavailable',
    served: 2,
    calls: 2,
    error: {
      code: 'ENGINE_UNAVAILABLE',
      transient: true,
      kind: 'overloaded',
      retryAfterMs: undefined,
      message: ['The service is currently unavailable.'],
    },
    sleeps: [0],
  },
];
