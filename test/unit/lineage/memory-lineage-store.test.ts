import { createMemoryLineageStore } from '../../../shared/lineage/memory-lineage-store.js';
import { testLineageStore } from '../../support/lineage-store-contract.js';

testLineageStore('memory', () => ({ store: createMemoryLineageStore() }));
