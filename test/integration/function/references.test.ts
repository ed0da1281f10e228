import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailedJob, expectSucceededJob } from './expect-job.js';
import {
  type FunctionHarness,
  INPUT,
  LIBRARY,
  sidecar,
  smallPhoto,
  startFunctionHarness,
} from './harness.js';

let h: FunctionHarness;
let photo: Buffer;

beforeAll(async () => {
  h = await startFunctionHarness();
  photo = await smallPhoto('logo.png');
});

afterAll(async () => {
  await h?.close();
});

const placement = (reference: string) =>
  sidecar({
    stages: [
      {
        name: 'place',
        prompt: 'Place the subject of image 1 into the scene of image 2',
        references: [reference],
      },
    ],
  });

/** Requests the GCS server answered for a bucket other than the input, results and library ones. */
const strayRequests = () =>
  h.gcs.requests.filter((r) => !/^\/(upload\/storage\/v1\/)?b\/(uploads|results|library)(\/|$)/.test(r.path));

describe('processUpload resolves references to other images safely', () => {
  it('reads a relative library image from the input bucket and a gs:// image from an allowed bucket', async () => {
    h.upload('refs/_scenes/wall.jpg', await smallPhoto('brick.png'));
    h.gcs.putObject(LIBRARY, 'scenes/wall.jpg', await smallPhoto('brick.png'), { contentType: 'image/jpeg' });
    const relative = h.upload('refs/relative.jpg', photo);
    h.upload('refs/relative.json', placement('_scenes/wall.jpg'));
    const absolute = h.upload('refs/absolute.jpg', photo);
    h.upload('refs/absolute.json', placement(`gs://${LIBRARY}/scenes/wall.jpg`));

    expect((await h.send(relative)).status).toBe(204);
    expect((await h.send(absolute)).status).toBe(204);

    const one = await expectSucceededJob(h, 'refs/relative', relative);
    expect(one.manifest).toMatchObject({
      inputs: { references: [{ bucket: INPUT, name: 'refs/_scenes/wall.jpg' }] },
    });
    const two = await expectSucceededJob(h, 'refs/absolute', absolute);
    expect(two.manifest).toMatchObject({
      inputs: { references: [{ bucket: LIBRARY, name: 'scenes/wall.jpg' }] },
    });
  });

  it.each([
    ['a parent folder', 'up', '../x.jpg'],
    ['an https URL', 'url', 'https://example.com/x.jpg'],
    ['another scheme', 'ftp', 'ftp://example.com/x.jpg'],
    ['an absolute path', 'abs', '/etc/x.jpg'],
    ['a bucket off the allow-list', 'gs', 'gs://someone-elses-bucket/x.jpg'],
  ])('fails the job with REFERENCE_INVALID for %s, reading nothing', async (_label, stem, reference) => {
    const image = h.upload(`forbidden/${stem}.jpg`, photo);
    h.upload(`forbidden/${stem}.json`, placement(reference));
    const reply = await h.send(image);
    expect(reply.status).toBe(204);
    const { report } = await expectFailedJob(h, `forbidden/${stem}`, 'REFERENCE_INVALID', image);
    expect(String(report.message)).toContain('references[0]');
    expect(strayRequests()).toEqual([]);
  });

  it('ignores events for a bucket other than INPUT_BUCKET', async () => {
    h.gcs.putObject('elsewhere', 'photo.jpg', photo, { contentType: 'image/jpeg' });
    const stored = h.gcs.putObject('elsewhere', 'photo.json', placement('_scenes/wall.jpg'));
    const reply = await h.send({ ...stored, size: stored.data.length });
    expect(reply.status).toBe(204);
    expect(h.jobsOf('photo')).toEqual([]);
    expect(h.gcs.requests.filter((r) => r.path.includes('/b/elsewhere'))).toEqual([]);
  });
});
