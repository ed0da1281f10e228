import { describe, expect, it } from 'vitest';
import {
  baseName,
  folderOf,
  jobPrefix,
  outputName,
  stageOutputName,
  stemOf,
} from '../../../shared/pipeline/layout.js';

describe('stemOf', () => {
  it.each([
    ['a/b/photo.jpg', 'a/b/photo'],
    ['photo.jpg', 'photo'],
    ['a/b/photo.tar.gz', 'a/b/photo.tar'],
    ['a/b/photo', 'a/b/photo'],
    ['a.b/photo', 'a.b/photo'],
    ['a/.hidden', 'a/.hidden'],
  ])('%s → %s', (name, expected) => {
    expect(stemOf(name)).toBe(expected);
  });
});

describe('folderOf', () => {
  it.each([
    ['a/b/photo.jpg', 'a/b/'],
    ['photo.jpg', ''],
    ['a/', 'a/'],
  ])('%s → "%s"', (name, expected) => {
    expect(folderOf(name)).toBe(expected);
  });
});

describe('baseName', () => {
  it.each([
    ['a/b/photo.jpg', 'photo.jpg'],
    ['photo.jpg', 'photo.jpg'],
  ])('%s → %s', (name, expected) => {
    expect(baseName(name)).toBe(expected);
  });
});

describe('jobPrefix', () => {
  it('puts a job under the stem of its source, as the issue lays out', () => {
    expect(jobPrefix('', 'a/b/photo.jpg', 'J')).toBe('a/b/photo/J/');
  });

  it('starts with the results prefix', () => {
    expect(jobPrefix('results/', 'a/b/photo.jpg', 'J')).toBe('results/a/b/photo/J/');
  });

  it('keeps two images of the same stem apart by job id only', () => {
    expect(jobPrefix('', 'p.jpg', 'J1')).not.toBe(jobPrefix('', 'p.png', 'J2'));
    expect(jobPrefix('', 'p.jpg', 'J1')).toBe('p/J1/');
  });
});

describe('stageOutputName', () => {
  it.each([
    [1, 'background', 'png', 'a/b/photo/J/stages/01-background.png'],
    [2, 'stage-2', 'png', 'a/b/photo/J/stages/02-stage-2.png'],
    [10, 'last', 'webp', 'a/b/photo/J/stages/10-last.webp'],
  ])('stage %i %s .%s → %s', (index, name, ext, expected) => {
    expect(stageOutputName('a/b/photo/J/', index, name, ext)).toBe(expected);
  });
});

describe('outputName', () => {
  it.each([
    ['final', 'webp', 'a/b/photo/J/final.webp'],
    ['final', 'jpg', 'a/b/photo/J/final.jpg'],
    ['thumb', 'webp', 'a/b/photo/J/thumb.webp'],
  ])('%s .%s → %s', (role, ext, expected) => {
    expect(outputName('a/b/photo/J/', role, ext)).toBe(expected);
  });
});
