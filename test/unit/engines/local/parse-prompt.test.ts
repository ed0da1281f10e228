import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, type OperationName, parseEditPrompt } from '../../../../shared/engines/local/index.js';

interface TestData {
  prompt: string;
  ops: OperationName[];
}

describe('parseEditPrompt', () => {
  it.each<TestData>([
    { prompt: 'please make the photo a bit warmer', ops: ['warmer'] },
    { prompt: 'WARM IT UP', ops: ['warmer'] },
    { prompt: 'the image, cooler tones please', ops: ['cooler'] },
    { prompt: 'Darken the corners', ops: ['vignette'] },
    { prompt: 'soften the background', ops: ['blur-background'] },
    { prompt: 'less vibrant colours', ops: ['less-saturation'] },
    { prompt: 'more vibrant', ops: ['more-saturation'] },
    { prompt: 'B&W with film grain', ops: ['black-and-white', 'film-grain'] },
    {
      prompt: 'Teal & orange, sharper, and slightly brighter',
      ops: ['look-teal-orange', 'sharpen', 'brighter'],
    },
    { prompt: 'Into the scene of image 2, put the product of image 1', ops: ['place-subject'] },
    { prompt: 'use image 3 as the new background', ops: ['replace-background'] },
  ])('"$prompt" → $ops', ({ prompt, ops }) => {
    const parsed = parseEditPrompt(prompt);
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.operations.map((o) => o.op)).toEqual(ops);
  });

  it('reads image numbers as digits, words and ordinals', () => {
    expect(
      parseEditPrompt('place the subject of image one into the scene of the second image').operations[0],
    ).toMatchObject({
      op: 'place-subject',
      subjectImage: 1,
      sceneImage: 2,
    });
    const replaced = parseEditPrompt('swap the background for photo #3');
    expect(replaced.operations[0]).toMatchObject({ op: 'replace-background', backgroundImage: 3 });
    expect(replaced.images).toEqual([3]);
  });

  it('accepts the composed protection clauses as constraints, not edits', () => {
    const parsed = parseEditPrompt(
      'Make it warmer. Keep the logo, the label and the cap unchanged; preserve all other details. ' +
        'Do not make it darker; do not add text.',
    );
    expect(parsed.operations.map((o) => o.op)).toEqual(['warmer']);
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.constraints).toEqual([
      'Keep the logo, the label and the cap unchanged',
      'preserve all other details',
      'Do not make it darker',
      'do not add text',
    ]);
  });

  it('ends a constraint where a new edit starts', () => {
    const parsed = parseEditPrompt("Don't crop the product, and make it cooler");
    expect(parsed.constraints).toEqual(["Don't crop the product"]);
    expect(parsed.operations.map((o) => o.op)).toEqual(['cooler']);
  });

  it('applies intensity words to the nearest operation in the same clause', () => {
    const ops = parseEditPrompt('slightly brighter, with much more contrast, and warmer').operations;
    expect(ops.map((o) => [o.op, o.intensity])).toEqual([
      ['brighter', 0.5],
      ['more-contrast', 1.6],
      ['warmer', 1],
    ]);
  });

  it('quotes every part it did not understand, as written', () => {
    const parsed = parseEditPrompt('Make the Sky dramatic and add a rainbow, then make it warmer');
    expect(parsed.unrecognized).toEqual(['Sky dramatic', 'rainbow']);
    expect(parsed.operations.map((o) => o.op)).toEqual(['warmer']);
  });

  it('reports contradictions', () => {
    expect(parseEditPrompt('warmer and cooler').conflicts).toEqual([
      '"warmer" (warmer) contradicts "cooler" (cooler)',
    ]);
    expect(
      parseEditPrompt('remove the background and replace the background with image 2').conflicts,
    ).toHaveLength(1);
  });

  it('merges the same operation named twice', () => {
    const ops = parseEditPrompt('soften the background with a soft bokeh').operations;
    expect(ops.map((o) => o.op)).toEqual(['blur-background']);
  });
});

describe.each([
  { file: 'docs/local-engine.md', section: (text: string) => text },
  {
    file: 'README.md',
    section: (text: string) =>
      text.slice(text.indexOf('<!-- vocabulary:start -->'), text.indexOf('<!-- vocabulary:end -->')),
  },
])('$file vocabulary table', ({ file, section }) => {
  const doc = section(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../..', file), 'utf8'),
  );
  const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \| `([^`]+)` \|/gm)].map((m) => ({
    op: m[1] as string,
    example: m[2] as string,
  }));

  it('has one row per operation of the engine', () => {
    expect(rows.map((r) => r.op).sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(rows)('row $op: "$example" parses to exactly that operation', ({ op, example }) => {
    const parsed = parseEditPrompt(example);
    expect(parsed.unrecognized).toEqual([]);
    expect(parsed.operations.map((o) => o.op)).toEqual([op]);
  });

  it('gives every caller its own copy of a prompt parsed before', () => {
    const prompt = 'Make it a bit warmer, do not make it cooler, and keep the grass unchanged';
    const first = parseEditPrompt(prompt);
    const expected = structuredClone(first);
    (first.operations[0] as { intensity: number }).intensity = 9;
    first.constraints.push('changed by a caller');
    const again = parseEditPrompt(prompt);
    expect(again).toEqual(expected);
    expect(again.operations[0]?.intensity).toBe(0.5);
    expect(again.constraints).toEqual(['do not make it cooler', 'keep the grass unchanged']);
  });
});
