import { describe, expect, it } from 'vitest';
import { digitalSourceTypeFor } from '../../../shared/imaging/index.js';
import {
  type Provenance,
  parseProvenanceXmp,
  provenanceXmp,
  readProvenance,
} from '../../../shared/imaging/provenance.js';
import { readFixture } from '../../fixtures/index.js';

interface TestData {
  kind: 'generative' | 'local';
  fused: boolean;
  expected: Provenance['digitalSourceType'];
}

describe('digitalSourceTypeFor', () => {
  const cases: TestData[] = [
    { kind: 'generative', fused: false, expected: 'trainedAlgorithmicMedia' },
    { kind: 'generative', fused: true, expected: 'compositeWithTrainedAlgorithmicMedia' },
    { kind: 'local', fused: false, expected: 'algorithmicallyEnhanced' },
    { kind: 'local', fused: true, expected: 'composite' },
  ];
  it.each(cases)('is $expected for a $kind engine (fused: $fused)', ({ kind, fused, expected }) => {
    expect(digitalSourceTypeFor(kind, fused)).toBe(expected);
  });
});

describe('provenanceXmp', () => {
  const provenance: Provenance = {
    jobId: 'job "1" <&>',
    engine: 'local',
    model: 'local-v1',
    promptHash: 'f00d',
    digitalSourceType: 'composite',
    sourceAssetIds: ['a&b', 'c'],
  };

  it('round-trips every field, escaping XML specials', () => {
    const xmp = provenanceXmp(provenance);
    expect(xmp).toContain(
      'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/composite"',
    );
    expect(xmp).not.toContain('<&>');
    expect(parseProvenanceXmp(xmp)).toEqual(provenance);
  });

  it('omits the stage for final outputs and keeps it for stage outputs', () => {
    expect(parseProvenanceXmp(provenanceXmp(provenance)).stage).toBeUndefined();
    expect(parseProvenanceXmp(provenanceXmp({ ...provenance, stage: 3 })).stage).toBe(3);
  });

  it('also reads the element form other XMP tools write', () => {
    const xmp =
      '<rdf:Description><Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType><darkroom:jobId>j9</darkroom:jobId></rdf:Description>';
    expect(parseProvenanceXmp(xmp)).toEqual({ digitalSourceType: 'trainedAlgorithmicMedia', jobId: 'j9' });
  });
});

describe('readProvenance', () => {
  it('returns nothing for a file without XMP', async () => {
    expect(await readProvenance(readFixture('chelsea.png'))).toEqual({});
  });
});
