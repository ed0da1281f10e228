import sharp from 'sharp';

/** The IPTC Digital Source Type values Darkroom writes. */
export const DIGITAL_SOURCE_TYPES = [
  'trainedAlgorithmicMedia',
  'compositeWithTrainedAlgorithmicMedia',
  'algorithmicallyEnhanced',
  'composite',
] as const;

/** The IPTC NewsCodes vocabulary the Digital Source Type URIs live in. */
export const DIGITAL_SOURCE_TYPE_BASE = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
/** Darkroom's own XMP namespace, for the fields IPTC has no property for. */
export const DARKROOM_XMP_NS = 'https://darkroom.dev/ns/xmp/1.0/';
const IPTC_EXT_NS = 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/';

/** One of {@link DIGITAL_SOURCE_TYPES}. */
export type DigitalSourceType = (typeof DIGITAL_SOURCE_TYPES)[number];

/** Where an output came from, written into the file as XMP. */
export interface Provenance {
  jobId: string;
  /** The stage that produced the image; absent for a job's final outputs. */
  stage?: number;
  engine: string;
  model: string;
  /** SHA-256 of the effective prompt(s), never the prompt text itself. */
  promptHash: string;
  /** Absent for an output-only job: resizing and converting make no claim about the source. */
  digitalSourceType?: DigitalSourceType | undefined;
  /** Asset ids (SHA-256) of the inputs the image was made from. */
  sourceAssetIds: string[];
}

/** Provenance as read back from a file: any field may be missing, and the source type may be foreign. */
export type ReadBackProvenance = Partial<Omit<Provenance, 'digitalSourceType'>> & {
  digitalSourceType?: string;
};

/**
 * The honest IPTC Digital Source Type for an edit.
 * @param kind `generative` for model edits (Gemini, …), `local` for deterministic sharp edits
 * @param fused whether several images were combined into one
 * @example digitalSourceTypeFor('generative', true) // 'compositeWithTrainedAlgorithmicMedia'
 */
export function digitalSourceTypeFor(
  kind: 'generative' | 'local',
  fused: boolean,
): Provenance['digitalSourceType'] {
  if (kind === 'generative')
    return fused ? 'compositeWithTrainedAlgorithmicMedia' : 'trainedAlgorithmicMedia';
  return fused ? 'composite' : 'algorithmicallyEnhanced';
}

/**
 * The XMP packet for a provenance record.
 * @param provenance where the image came from
 * @returns an XMP packet (UTF-8 XML) ready for sharp's `withXmp`
 */
export function provenanceXmp(provenance: Provenance): string {
  const attrs: [string, string][] = [
    ...(provenance.digitalSourceType
      ? ([
          ['Iptc4xmpExt:DigitalSourceType', `${DIGITAL_SOURCE_TYPE_BASE}${provenance.digitalSourceType}`],
        ] as [string, string][])
      : []),
    ['xmp:CreatorTool', 'Darkroom'],
    ['darkroom:jobId', provenance.jobId],
    ['darkroom:engine', provenance.engine],
    ['darkroom:model', provenance.model],
    ['darkroom:promptHash', provenance.promptHash],
  ];
  if (provenance.stage !== undefined) attrs.push(['darkroom:stage', String(provenance.stage)]);
  const items = provenance.sourceAssetIds.map((id) => `<rdf:li>${_escape(id)}</rdf:li>`).join('');
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="${IPTC_EXT_NS}" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:darkroom="${DARKROOM_XMP_NS}"`,
    ...attrs.map(([k, v]) => ` ${k}="${_escape(v)}"`),
    '>',
    `<darkroom:sourceAssetIds><rdf:Seq>${items}</rdf:Seq></darkroom:sourceAssetIds>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('');
}

/**
 * Reads the provenance back from an encoded image's XMP.
 * @param bytes an encoded image (JPEG, PNG, WebP, AVIF, …)
 * @returns the fields found; empty when the file has no Darkroom XMP
 * @example (await readProvenance(bytes)).digitalSourceType // 'trainedAlgorithmicMedia'
 */
export async function readProvenance(bytes: Buffer): Promise<ReadBackProvenance> {
  const meta = await sharp(bytes).metadata();
  const xmp = meta.xmpAsString ?? meta.xmp?.toString('utf8');
  return xmp ? parseProvenanceXmp(xmp) : {};
}

/**
 * Parses the fields of {@link provenanceXmp} from an XMP packet, in attribute or element form
 * (other tools may rewrite one into the other).
 * @param xmp an XMP packet
 */
export function parseProvenanceXmp(xmp: string): ReadBackProvenance {
  const out: ReadBackProvenance = {};
  const dst = _field(xmp, 'Iptc4xmpExt:DigitalSourceType');
  if (dst)
    out.digitalSourceType = dst.startsWith(DIGITAL_SOURCE_TYPE_BASE)
      ? dst.slice(DIGITAL_SOURCE_TYPE_BASE.length)
      : dst;
  for (const key of ['jobId', 'engine', 'model', 'promptHash'] as const) {
    const value = _field(xmp, `darkroom:${key}`);
    if (value !== undefined) out[key] = value;
  }
  const stage = _field(xmp, 'darkroom:stage');
  if (stage !== undefined && /^\d+$/.test(stage)) out.stage = Number(stage);
  const seq = /<darkroom:sourceAssetIds>([\s\S]*?)<\/darkroom:sourceAssetIds>/.exec(xmp);
  if (seq?.[1] !== undefined) {
    out.sourceAssetIds = [...seq[1].matchAll(/<rdf:li>([^<]*)<\/rdf:li>/g)].map((m) => _unescape(m[1] ?? ''));
  }
  return out;
}

// ---- internal helpers ----

function _field(xmp: string, name: string): string | undefined {
  const attr = new RegExp(`\\s${name}="([^"]*)"`).exec(xmp);
  if (attr?.[1] !== undefined) return _unescape(attr[1]);
  const element = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xmp);
  return element?.[1] !== undefined ? _unescape(element[1]) : undefined;
}

function _escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function _unescape(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
