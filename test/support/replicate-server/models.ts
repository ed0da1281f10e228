/**
 * The models the fake Replicate knows, described the way their API tabs do (input names,
 * types, ranges), independently of the engine's profiles so that tests can catch a mapping
 * the real service would refuse.
 */

/** One input of a fake model. */
export type FakeInput =
  | { type: 'string'; required?: boolean; choices?: readonly string[] }
  | { type: 'integer' | 'number'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'uri' }
  | { type: 'uri[]' };

/** A model of the fake service. */
export interface FakeModel {
  name: string;
  /** Version ids the service accepts on `POST /v1/predictions`; empty for official-only models. */
  versions: readonly string[];
  kind: 'edit' | 'upscale';
  imageField: string;
  outputShape: 'single' | 'array';
  inputs: Record<string, FakeInput>;
}

const RATIOS = [
  'match_input_image',
  '1:1',
  '16:9',
  '9:16',
  '4:3',
  '3:4',
  '3:2',
  '2:3',
  '4:5',
  '5:4',
  '21:9',
  '9:21',
  '2:1',
  '1:2',
];
const FORMATS = ['webp', 'jpg', 'png'];
const common: Record<string, FakeInput> = {
  prompt: { type: 'string', required: true },
  seed: { type: 'integer' },
  aspect_ratio: { type: 'string', choices: RATIOS },
};
const qwen: Record<string, FakeInput> = {
  ...common,
  image: { type: 'uri[]' },
  go_fast: { type: 'boolean' },
  output_format: { type: 'string', choices: FORMATS },
  output_quality: { type: 'integer', min: 0, max: 100 },
  disable_safety_checker: { type: 'boolean' },
};

const MODELS: FakeModel[] = [
  {
    name: 'black-forest-labs/flux-kontext-pro',
    versions: [],
    kind: 'edit',
    imageField: 'input_image',
    outputShape: 'single',
    inputs: {
      ...common,
      input_image: { type: 'uri' },
      prompt_upsampling: { type: 'boolean' },
      output_format: { type: 'string', choices: ['jpg', 'png'] },
      safety_tolerance: { type: 'integer', min: 0, max: 6 },
    },
  },
  {
    name: 'black-forest-labs/flux-kontext-dev',
    versions: [],
    kind: 'edit',
    imageField: 'input_image',
    outputShape: 'single',
    inputs: {
      ...common,
      input_image: { type: 'uri' },
      go_fast: { type: 'boolean' },
      guidance: { type: 'number', min: 0, max: 10 },
      num_inference_steps: { type: 'integer', min: 4, max: 50 },
      output_format: { type: 'string', choices: FORMATS },
      output_quality: { type: 'integer', min: 0, max: 100 },
    },
  },
  {
    name: 'prunaai/p-image-edit',
    versions: ['05a6b136010c1590ff0de1a473b5bc8a5aa221359229f9a69b230d093503eae0'],
    kind: 'edit',
    imageField: 'images',
    outputShape: 'single',
    inputs: {
      ...common,
      images: { type: 'uri[]' },
      turbo: { type: 'boolean' },
      replicate_weights: { type: 'string' },
      disable_safety_checker: { type: 'boolean' },
    },
  },
  {
    name: 'qwen/qwen-image-edit-plus',
    versions: [],
    kind: 'edit',
    imageField: 'image',
    outputShape: 'array',
    inputs: qwen,
  },
  {
    name: 'qwen/qwen-image-edit-plus-lora',
    versions: ['b37d69a6b94414c96cc4ecb16660b472bb62284f2293d4b65537c09b8500e200'],
    kind: 'edit',
    imageField: 'image',
    outputShape: 'array',
    inputs: { ...qwen, lora_weights: { type: 'string' }, lora_scale: { type: 'number', min: 0, max: 4 } },
  },
  {
    name: 'nightmareai/real-esrgan',
    versions: ['42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b'],
    kind: 'upscale',
    imageField: 'image',
    outputShape: 'single',
    inputs: {
      image: { type: 'uri' },
      scale: { type: 'number', min: 0, max: 10 },
      face_enhance: { type: 'boolean' },
    },
  },
];

/** Every model of the fake service, by `owner/name`. */
export const FAKE_MODELS: ReadonlyMap<string, FakeModel> = new Map(MODELS.map((m) => [m.name, m]));

/** One entry of a 422 body's `invalid_fields`. */
export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

/**
 * Validates an input object against a fake model, as Replicate does before queueing.
 * @returns the invalid fields (empty when valid)
 */
export function validateInput(model: FakeModel, input: Record<string, unknown>): InvalidField[] {
  const problems: InvalidField[] = [];
  const bad = (field: string, description: string, type = 'invalid') =>
    problems.push({ type, field: `input.${field}`, description });
  for (const [key, value] of Object.entries(input)) {
    const spec = model.inputs[key];
    if (!spec) {
      bad(key, `Additional property ${key} is not allowed`, 'additional_property_not_allowed');
      continue;
    }
    if (spec.type === 'string' && typeof value !== 'string') bad(key, 'Invalid type. Expected: string');
    else if (spec.type === 'string' && spec.choices && !spec.choices.includes(value as string)) {
      bad(
        key,
        `${key} must be one of the following: ${spec.choices.map((c) => `"${c}"`).join(', ')}`,
        'enum',
      );
    } else if (spec.type === 'boolean' && typeof value !== 'boolean')
      bad(key, 'Invalid type. Expected: boolean');
    else if (spec.type === 'uri' && typeof value !== 'string')
      bad(key, 'Invalid type. Expected: string (uri)');
    else if (spec.type === 'uri[]' && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) {
      bad(key, 'Invalid type. Expected: array of uri');
    } else if (spec.type === 'integer' || spec.type === 'number') {
      if (typeof value !== 'number' || (spec.type === 'integer' && !Number.isInteger(value))) {
        bad(key, `Invalid type. Expected: ${spec.type}, given: ${typeof value}`);
      } else if (spec.min !== undefined && value < spec.min)
        bad(key, `Must be greater than or equal to ${spec.min}`);
      else if (spec.max !== undefined && value > spec.max)
        bad(key, `Must be less than or equal to ${spec.max}`);
    }
  }
  for (const [key, spec] of Object.entries(model.inputs)) {
    if (spec.type === 'string' && spec.required && !(key in input))
      bad(key, `${key} is required`, 'required');
  }
  if (!(model.imageField in input)) bad(model.imageField, `${model.imageField} is required`, 'required');
  return problems;
}
