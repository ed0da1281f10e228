import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFsObjectStore } from '../../../shared/storage/fs-object-store.js';
import { testObjectStore } from '../../support/object-store-contract.js';

testObjectStore('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'darkroom-fs-store-'));
  const store = createFsObjectStore({ buckets: { drop: root } });
  return {
    store,
    bucket: 'drop',
    cleanup: () => rm(root, { recursive: true, force: true }),
    // A person or tool replacing a file in the drop folder, behind the store's back.
    put: async (name, data) => {
      const path = join(root, ...name.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data);
      const info = await store.stat({ bucket: 'drop', name });
      if (!info) throw new Error(`put of ${name} did not land`);
      return info;
    },
  };
});
