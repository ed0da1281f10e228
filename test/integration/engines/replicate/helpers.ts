import sharp from 'sharp';
import type { EngineImage, EngineRequest, StagePlan } from '../../../../shared/engines/engine.js';
import {
  createReplicateEngine,
  type ReplicateEngineOptions,
} from '../../../../shared/engines/replicate/index.js';
import type { ReplicateServer } from '../../../support/replicate-server/index.js';

/** Shared helpers of the Replicate engine tests: synthetic images, a fake clock, engines and stages. */

/** A fake clock: `sleep` advances time instantly and records each delay. */
export interface FakeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
}

/** @returns a clock starting at a fixed instant */
export function fakeClock(): FakeClock {
  let t = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** @returns a PNG of one colour */
export async function solid(
  width: number,
  height: number,
  rgb: [number, number, number],
): Promise<EngineImage> {
  const data = await sharp({
    create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } },
  })
    .png()
    .toBuffer();
  return { data, mimeType: 'image/png', width, height };
}

/** @returns a PNG of deterministic noise (incompressible, so large in bytes) */
export async function noise(width: number, height: number): Promise<EngineImage> {
  const raw = Buffer.alloc(width * height * 3);
  let x = 12345;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = x >> 16;
  }
  const data = await sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { data, mimeType: 'image/png', width, height };
}

/** @returns the RGB of one pixel */
export async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

/** @returns an engine pointed at the test server, with the fake clock */
export function engineFor(
  server: ReplicateServer,
  clock: FakeClock,
  extra: Partial<ReplicateEngineOptions> = {},
) {
  return createReplicateEngine({
    env: { REPLICATE_API_TOKEN: server.token },
    baseUrl: server.url,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    pollIntervalMs: 1000,
    maxWaitSeconds: 5,
    ...extra,
  });
}

/** @returns a stage plan for `model` */
export function stage(
  model: string,
  params: Partial<StagePlan['params']> = {},
  referenceCount = 0,
): StagePlan {
  return {
    index: 0,
    name: 'edit',
    model,
    prompt: 'Replace the label text with "Darkroom"; keep everything else unchanged.',
    referenceCount,
    params: { seed: 42, ...params },
  };
}

/** @returns an edit request with a budget of `budgetMs` on the fake clock, recording checkpoints */
export function request(
  clock: FakeClock,
  plan: StagePlan,
  input: EngineImage,
  more: Partial<EngineRequest> = {},
): EngineRequest & { checkpoints: Record<string, unknown>[] } {
  const checkpoints: Record<string, unknown>[] = [];
  return {
    stage: plan,
    input,
    references: [],
    deadline: clock.now() + 120_000,
    checkpoint: async (details) => {
      checkpoints.push(details);
    },
    checkpoints,
    ...more,
  };
}

/** @returns the calls of one route */
export function callsOf(server: ReplicateServer, route: string) {
  return server.calls.filter((c) => c.route === route);
}
