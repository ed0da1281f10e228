/**
 * The layering of Darkroom as rules (README "Architecture"): checked by
 * test/unit/architecture/layering.test.ts in `npm test`, and by hand with
 * `npx depcruise shared functions test bench`.
 */

/** SDKs of outside services and of image decoding: only adapters (and composition roots) take them. */
const SDK = 'node_modules/(@google-cloud/|@google/genai/|google-gax/|sharp/|@firestore-emulator/)';

/** The leaf utilities every adapter may use. */
const LEAVES = ['^shared/errors\\.ts$', '^shared/clock\\.ts$', '^shared/retry\\.ts$'];

/** The engine adapters' files: everything under `shared/engines/<adapter>/`. */
const ENGINE_ADAPTERS = '^shared/engines/(gemini|replicate|local)/';

/** The composition roots: they build the adapters, so they may name them; all else takes a port. */
const COMPOSITION_ROOTS = [
  '^shared/(runner|cloud|cli)/',
  '^shared/engines/registry\\.ts$',
  '^bench/',
  '^test/',
];

/**
 * The local engine's frame toolkit a protected stage still draws on (frames, cut-out and
 * compositing in linear light), until it moves out of the engine beside `shared/subject`.
 */
const PROTECT_LOCAL_TOOLKIT = '^shared/engines/local/(pixels|background)\\.ts$';

/**
 * Each adapter: the files it is made of, and everything else it may import — its port, its SDK
 * and leaf utilities. Node's own modules are always allowed.
 */
const ADAPTERS = [
  {
    name: 'engine-adapter',
    from: '^shared/engines/(gemini|replicate|local)/',
    allowed: [
      '^shared/engines/$1/',
      '^shared/engines/engine\\.ts$',
      // The Gemini adapter also implements the batch lane's client port.
      '^shared/batch/batch-client\\.ts$',
      '^shared/imaging/index\\.ts$',
      // Subject separation, which the local engine shares with protect and the marketplace checks.
      '^shared/subject/index\\.ts$',
      'node_modules/(@google/genai|sharp|zod)/',
    ],
  },
  {
    name: 'storage-adapter',
    from: '^shared/storage/(gcs|fs)-[^/]+\\.ts$',
    // match-glob belongs to the port: the glob semantics of `list` that every adapter honours.
    allowed: [
      '^shared/storage/(object-store|match-glob|gcs-errors)\\.ts$',
      'node_modules/@google-cloud/storage/',
    ],
  },
  {
    name: 'lineage-adapter',
    from: '^shared/lineage/firestore-[^/]+\\.ts$',
    allowed: [
      '^shared/lineage/(lineage-store|records|fence|parse-record|firestore-[^/]+)\\.ts$',
      'node_modules/(@google-cloud/firestore|zod)/',
    ],
  },
  {
    name: 'batch-store-adapter',
    from: '^shared/batch/firestore-[^/]+\\.ts$',
    allowed: [
      '^shared/batch/(batch-store|records)\\.ts$',
      // Firestore's record converters are shared by both Firestore stores.
      '^shared/lineage/firestore-converter\\.ts$',
      'node_modules/@google-cloud/firestore/',
    ],
  },
  {
    name: 'dispatch-adapter',
    from: '^shared/dispatch/cloud-tasks-[^/]+\\.ts$',
    allowed: [
      '^shared/dispatch/(dispatcher|settings)\\.ts$',
      'node_modules/(@google-cloud/tasks|google-gax)/',
    ],
  },
  {
    name: 'notify-adapter',
    from: '^shared/notify/pubsub-[^/]+\\.ts$',
    allowed: ['^shared/notify/(publisher|completion-event)\\.ts$', 'node_modules/@google-cloud/pubsub/'],
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles: shared shapes go in a types file both sides import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pipeline-no-sdk',
      comment:
        'The pipeline imports no SDK: it reaches services through ports and sharp through shared/imaging.',
      severity: 'error',
      from: { path: '^shared/pipeline/' },
      to: { path: SDK },
    },
    {
      name: 'pipeline-no-adapter',
      comment: 'The pipeline names no adapter: it gets them as ports in PipelineDeps.',
      severity: 'error',
      from: { path: '^shared/pipeline/' },
      to: {
        path: [
          '^shared/engines/(gemini|replicate|local)/',
          '^shared/storage/(gcs|fs)-',
          '^shared/lineage/firestore-',
          '^shared/batch/firestore-',
          '^shared/dispatch/cloud-tasks-',
          '^shared/notify/pubsub-',
        ],
      },
    },
    {
      name: 'engines-through-ports',
      comment:
        'Outside an engine adapter only the composition roots import its files; everything else takes an Engine.',
      severity: 'error',
      from: { pathNot: [ENGINE_ADAPTERS, ...COMPOSITION_ROOTS, '^shared/protect/protect-subject\\.ts$'] },
      to: { path: ENGINE_ADAPTERS },
    },
    {
      name: 'protect-local-toolkit',
      comment: 'A protected stage takes no more of the local engine than its frame toolkit.',
      severity: 'error',
      from: { path: '^shared/protect/protect-subject\\.ts$' },
      to: { path: ENGINE_ADAPTERS, pathNot: PROTECT_LOCAL_TOOLKIT },
    },
    ...ADAPTERS.map((adapter) => ({
      name: adapter.name,
      comment: 'An adapter imports only its port, its SDK and leaf utilities.',
      severity: 'error',
      from: { path: adapter.from },
      to: { pathNot: [...adapter.allowed, ...LEAVES], dependencyTypesNot: ['core'] },
    })),
    {
      name: 'entries-through-faces',
      comment:
        'functions/ reaches shared/ only through public faces (index.ts) and the root leaves (config, log, errors).',
      severity: 'error',
      from: { path: '^functions/' },
      to: {
        path: '^shared/',
        pathNot: ['^shared/[^/]+/index\\.ts$', '^shared/(config|log|errors)\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle or an SDK reached only for a type is still a dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
