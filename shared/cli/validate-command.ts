import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { EnginePlan, EngineRegistry, StagePlan } from '../engines/engine.js';
import { createEngineRegistry } from '../engines/registry.js';
import { describeError, PermanentError, ValidationError } from '../errors.js';
import { stagePlanOf, UPSCALE_STAGE_NAME, variantWarning } from '../pipeline/index.js';
import { decodeRequest, lintPrompt, type Request } from '../request/index.js';
import { COMMON_OPTIONS, type CommandArgs, type CommandContext, positionalsOf } from './command.js';
import { batchLaneUsd, estimateStageCost, formatUsd, type StageCostInput } from './estimate-cost.js';
import {
  describeUpscale,
  notifyProblems,
  referenceProblems,
  upscaleNameClash,
  upscaleStagePlan,
} from './validate-checks.js';
import { sizeWarnings } from './validate-size.js';

/** `darkroom validate --help`. */
export const help = `Usage: darkroom validate <sidecar.json> [--engine local|gemini|replicate]

Checks a sidecar or recipe without running anything. Prints the schema errors, or for each
stage: the prompt as written and as sent (with its keep/avoid clauses), the seed, the
engine and model, the prompt lint and the engine's warnings, and the estimated cost on its
engine and on the others.

Options:
  --engine <name>  engine for stages that name none (default: DARKROOM_ENGINE, else local)
  -h, --help       show this help

Exit codes: 0 valid, 1 invalid (schema, parameters or engine), 2 usage error.`;

/** The options of `darkroom validate`. */
export const options = COMMON_OPTIONS;

/** `darkroom validate <sidecar.json>` from the command line. */
export async function run(args: CommandArgs, context: CommandContext): Promise<number> {
  const [file = ''] = positionalsOf(args, { min: 1, max: 1 });
  return validateCommand({ config: context.config, env: context.env, file, print: context.print });
}

/** Options of {@link validateCommand}. */
export interface ValidateCommandOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  file: string;
  print: (line: string) => void;
  /** Engines to plan with (default: the built-in ones, configured from `env`). */
  engines?: EngineRegistry;
}

const OTHER_ENGINES = ['local', 'gemini', 'replicate'];

/**
 * `darkroom validate <sidecar.json>`.
 * @returns 0 when the request is valid and every stage plans, 1 otherwise
 */
export async function validateCommand(options: ValidateCommandOptions): Promise<number> {
  const { print, config } = options;
  let request: Request;
  try {
    request = decodeRequest(await readFile(options.file), config.limits.maxRequestBytes);
  } catch (err) {
    if (!(err instanceof ValidationError)) {
      print(`✘ ${options.file}: ${describeError(err)}`);
      return 1;
    }
    print(`✘ ${options.file}: ${err.code}`);
    for (const issue of err.issues) print(`  - ${issue}`);
    return 1;
  }
  const engines =
    options.engines ?? createEngineRegistry({ env: options.env, geminiModel: config.geminiModel });
  const planOnly = _planOnlyRegistry(options);
  const problems: string[] = [
    ...referenceProblems(request, { file: options.file, config }),
    ...notifyProblems(request, options.env),
  ];
  let total = 0;
  let batchTotal = 0;
  let complete = true;
  const lines: string[] = [];
  const clash = upscaleNameClash(request);
  if (clash) problems.push(clash);
  const upscalePlan = upscaleStagePlan(request);
  let upscaleUsd: number | undefined;
  if (request.upscale && upscalePlan) {
    const planned = _plan(engines, planOnly, request.upscale.engine, upscalePlan);
    if (planned.error) problems.push(`stage ${UPSCALE_STAGE_NAME}: ${planned.error}`);
    lines.push(...describeUpscale(request, { config, plan: planned.plan, note: planned.note }));
    const cost = estimateStageCost(
      {
        engine: request.upscale.engine,
        model: planned.plan?.model ?? request.upscale.model,
        prompt: upscalePlan.prompt,
        referenceCount: 0,
        variants: 1,
      },
      { geminiModel: config.geminiModel },
    );
    upscaleUsd = cost.usd;
    lines.push(`  cost      ${formatUsd(cost.usd)} when it runs (${cost.basis})`);
  }
  for (const [i, stage] of request.stages.entries()) {
    const index = i + 1;
    const engineName = stage.engine ?? request.engine ?? config.defaultEngine;
    const plan = stagePlanOf(request, stage, {
      index,
      seed: typeof stage.seed === 'number' ? stage.seed : 0,
      referenceCount: stage.references.length,
    });
    lines.push(`stage ${index} ${stage.name}`);
    if (stage.from) {
      lines.push(
        `  continues from job ${stage.from.job} stage ${stage.from.stage} variant ${stage.from.variant}`,
      );
      lines.push('  cost      $0 (no engine call)');
      continue;
    }
    lines.push(`  prompt    ${stage.prompt ?? ''}`, `  sent      ${plan.prompt}`);
    lines.push(
      `  seed      ${_seed(stage.seed)}${stage.variants > 1 ? ` · ${stage.variants} variants` : ''}`,
    );
    if (stage.references.length) lines.push(`  refs      ${stage.references.join(', ')}`);
    const planned = _plan(engines, planOnly, engineName, plan);
    if (planned.error) {
      problems.push(`stage ${index} (${stage.name}): ${planned.error}`);
      lines.push(`  ✘ ${planned.error}`);
      continue;
    }
    lines.push(`  engine    ${engineName}/${planned.plan?.model ?? '?'}`);
    if (planned.note) lines.push(`  note      ${planned.note}`);
    const lint =
      engineName === 'local' ? [] : lintPrompt(stage.prompt ?? '', `stage ${index} (${stage.name})`);
    const identical = planned.plan
      ? variantWarning({ variants: stage.variants, plan: planned.plan, engine: engineName })
      : undefined;
    for (const w of [...lint, ...(planned.plan?.warnings ?? []), ...(identical ? [identical] : [])]) {
      lines.push(`  warning   ${w}`);
    }
    const costInput: StageCostInput = {
      engine: engineName,
      model: planned.plan?.model,
      prompt: plan.prompt,
      referenceCount: stage.references.length,
      imageSize: stage.imageSize,
      variants: stage.variants,
    };
    const cost = estimateStageCost(costInput, { geminiModel: config.geminiModel });
    total += cost.usd ?? 0;
    batchTotal += batchLaneUsd(cost) ?? 0;
    complete &&= cost.usd !== undefined;
    lines.push(
      `  cost      ${formatUsd(cost.usd)} (${cost.basis}); batch lane ${formatUsd(batchLaneUsd(cost))}`,
    );
    const others = OTHER_ENGINES.filter((e) => e !== engineName).map((e) => {
      const other = estimateStageCost({ ...costInput, engine: e, model: undefined }, config);
      return `${e} ${other.model} ${formatUsd(other.usd)}`;
    });
    lines.push(`  elsewhere ${others.join(' · ')}`);
  }
  if (problems.length > 0) {
    print(`✘ ${options.file}: the request parses but cannot run`);
    for (const p of problems) print(`  - ${p}`);
    print('');
    for (const line of lines) print(line);
    return 1;
  }
  print(
    `✔ ${options.file}: valid (${request.stages.length} stage${request.stages.length === 1 ? '' : 's'}${
      Object.keys(request.labels).length ? `, labels ${JSON.stringify(request.labels)}` : ''
    })`,
  );
  for (const line of lines) print(line);
  for (const w of await sizeWarnings(request, options.file)) print(`warning   ${w}`);
  print(
    `estimated cost per job: ${formatUsd(total)}${complete ? '' : ' + stages with unknown cost'}` +
      `${request.upscale ? `, plus ${formatUsd(upscaleUsd)} for the upscale stage when the source is small` : ''}`,
  );
  const lane = request.lane ?? config.defaultLane;
  print(
    `  interactive lane ${formatUsd(total)} · batch lane ${formatUsd(batchTotal)} (this request: ${lane} lane; docs/batch.md)`,
  );
  return 0;
}

// ── internal ──────────────────────────────────────────────────────────────

function _seed(seed: number | 'random' | undefined): string {
  if (typeof seed === 'number') return `${seed} (locked)`;
  if (seed === 'random') return 'drawn per job (never inherited)';
  return "drawn per job (a revision inherits the previous job's)";
}

interface PlanResult {
  plan?: EnginePlan | undefined;
  note?: string | undefined;
  error?: string | undefined;
}

/**
 * Plans with the configured engines; when one lacks credentials here, plans again with
 * placeholder credentials so that its parameter checks and warnings still show.
 */
function _plan(
  engines: EngineRegistry,
  planOnly: () => EngineRegistry,
  name: string,
  plan: StagePlan,
): PlanResult {
  const engine = engines.get(name);
  if (!engine)
    return {
      error: `ENGINE_UNKNOWN: engine "${name}" is not available; available: ${[...engines.keys()].join(', ')}`,
    };
  try {
    return { plan: engine.plan(plan) };
  } catch (err) {
    if (!(err instanceof PermanentError) || err.code !== 'ENGINE_NOT_CONFIGURED') {
      return { error: `${err instanceof PermanentError ? `${err.code}: ` : ''}${describeError(err)}` };
    }
    const fallback = planOnly().get(name);
    try {
      return {
        plan: fallback?.plan(plan),
        note: `ENGINE_NOT_CONFIGURED on this machine (a run here fails until it is): ${err.message}`,
      };
    } catch (again) {
      return { error: `${again instanceof PermanentError ? `${again.code}: ` : ''}${describeError(again)}` };
    }
  }
}

function _planOnlyRegistry(options: ValidateCommandOptions): () => EngineRegistry {
  let registry: EngineRegistry | undefined;
  return () => {
    // Planning makes no call; placeholder credentials only get past the configuration check.
    registry ??= createEngineRegistry({
      env: { GEMINI_API_KEY: 'validate-only', REPLICATE_API_TOKEN: 'validate-only' },
      geminiModel: options.config.geminiModel,
    });
    return registry;
  };
}
