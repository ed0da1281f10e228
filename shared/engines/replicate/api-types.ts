import { z } from 'zod';

/** Replicate API shapes Darkroom reads (everything else in a response is kept but unused). */

/** Statuses a prediction goes through (`aborted` = reached its `Cancel-After` deadline before starting). */
export const PREDICTION_STATUSES = [
  'starting',
  'processing',
  'succeeded',
  'failed',
  'canceled',
  'aborted',
] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

/** Statuses after which a prediction never changes. */
export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set([
  'succeeded',
  'failed',
  'canceled',
  'aborted',
]);

/** A prediction object as returned by create, get and cancel. */
export const PredictionSchema = z.looseObject({
  id: z.string().min(1),
  model: z.string().optional(),
  version: z.string().nullish(),
  status: z.enum(PREDICTION_STATUSES),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  logs: z.string().nullish(),
  data_removed: z.boolean().optional(),
  created_at: z.string().nullish(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  metrics: z
    .looseObject({ predict_time: z.number().optional(), total_time: z.number().optional() })
    .nullish(),
  urls: z.looseObject({ get: z.string().optional(), cancel: z.string().optional() }).nullish(),
});
export type Prediction = z.infer<typeof PredictionSchema>;

/** A file object from `POST /v1/files`. */
export const FileObjectSchema = z.looseObject({
  id: z.string().min(1),
  size: z.number().optional(),
  content_type: z.string().optional(),
  urls: z.looseObject({ get: z.string() }),
});
export type FileObject = z.infer<typeof FileObjectSchema>;

/** The problem body of an error response (`422` adds `invalid_fields`). */
export const ApiProblemSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  status: z.number().optional(),
  invalid_fields: z
    .array(z.looseObject({ field: z.string().optional(), description: z.string().optional() }))
    .optional(),
});
export type ApiProblem = z.infer<typeof ApiProblemSchema>;
