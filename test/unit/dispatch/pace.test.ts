import { describe, expect, it } from 'vitest';
import { paceEngines } from '../../../shared/dispatch/pace.js';
import type { Engine, EngineRequest } from '../../../shared/engines/engine.js';

/** An engine that records when each call started, on the test clock. */
class RecordingEngine implements Engine {
  readonly starts: number[] = [];
  constructor(
    readonly name: string,
    private readonly clock: { now(): number },
    private readonly model = `${name}-model`,
  ) {}
  get generative(): boolean {
    return this.name !== 'local';
  }
  plan() {
    return { model: this.model, warnings: [] };
  }
  async edit(request: EngineRequest) {
    this.starts.push(this.clock.now());
    return { image: request.input, model: this.model, warnings: [] };
  }
}

function testClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

const request = (): EngineRequest => ({
  stage: { index: 1, name: 'edit', prompt: 'p', referenceCount: 0, params: { seed: 1 } },
  input: { data: Buffer.alloc(0), mimeType: 'image/png', width: 1, height: 1 },
  references: [],
});

describe('paceEngines', () => {
  it('starts calls to a paced model 60 000 / rpm ms apart, in order', async () => {
    const clock = testClock();
    const gemini = new RecordingEngine('gemini', clock, 'gemini-3.1-flash-image');
    const engines = paceEngines(new Map([['gemini', gemini]]), {
      rpm: new Map([['gemini-3.1-flash-image', 10]]),
      clock,
    });
    for (let i = 0; i < 4; i++) await engines.get('gemini')?.edit(request());
    expect(gemini.starts).toEqual([0, 6000, 12_000, 18_000]);
  });

  it('falls back to the engine name, and leaves engines without an entry alone', async () => {
    const clock = testClock();
    const replicate = new RecordingEngine('replicate', clock);
    const local = new RecordingEngine('local', clock);
    const engines = paceEngines(
      new Map<string, Engine>([
        ['replicate', replicate],
        ['local', local],
      ]),
      { rpm: new Map([['replicate', 30]]), clock },
    );
    await engines.get('replicate')?.edit(request());
    await engines.get('local')?.edit(request());
    await engines.get('replicate')?.edit(request());
    await engines.get('local')?.edit(request());
    expect(replicate.starts).toEqual([0, 2000]);
    expect(local.starts).toEqual([0, 2000]);
  });

  it('returns the registry itself when MODEL_RPM is empty', () => {
    const registry = new Map<string, Engine>();
    expect(paceEngines(registry, { rpm: new Map() })).toBe(registry);
  });
});
