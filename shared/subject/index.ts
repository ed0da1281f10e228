/**
 * Subject separation and placement, shared by the local engine, protected stages and the
 * marketplace checks: find the product against a plain background or its alpha
 * (`separateSubject`), the colour distance it is measured with, the plane and matte helpers around
 * a mask, and where a product goes in a scene (`placementGeometry`, `layoutSubject`).
 * See docs/local-engine.md ("Subject separation").
 */
export { colourDistance } from './colour-distance.js';
export { NO_COLOUR, nearestOpaque } from './matte.js';
export { layoutSubject, type SubjectLayout } from './placement-layout.js';
export { type PlacementGeometry, placementGeometry, withoutGeometry } from './placement-phrases.js';
export { transformPlane } from './plane.js';
export { type SubjectMask, separateSubject } from './segment.js';
