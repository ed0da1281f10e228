import type { StageRecord } from '../lineage/records.js';
import type { ProtectRecord } from '../protect/index.js';
import { html, type SafeHtml } from './html.js';

/**
 * The drift figures of a stage run with `protect: subject`: each attempt's seed, mask overlap and
 * structural difference against the limits, and the seed kept.
 */
export function renderProtect(stage: StageRecord): SafeHtml | '' {
  const record = stage.details?.protect as ProtectRecord | undefined;
  if (!record?.attempts?.length) return '';
  const { minOverlap, maxStructuralDifference } = record.thresholds;
  return html`<div class="note protect">product protected (${record.maskSource} mask): ${record.attempts.map(
    (a) =>
      html`<span class="${a.accepted ? 'ok' : 'drift'}">seed ${a.seed}: overlap ${a.maskOverlap} (≥ ${minOverlap}), structural difference ${a.structuralDifference} (≤ ${maxStructuralDifference})${a.accepted ? ' ✓' : ' ✗'}</span> `,
  )}· kept seed ${record.chosenSeed}</div>`;
}
