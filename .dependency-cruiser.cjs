/**
 * The architecture, kept by a tool (npm run lint): each folder holds one idea, and imports go one
 * way only. See the README's "Architecture" for what each folder is.
 */
const engine =
  '^(main|contract|workflows|activities|worker|temporal|client|api|console|cli|notifications|domain|config|db)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'an import cycle hides which module depends on which',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-are-deterministic',
      severity: 'error',
      comment:
        'workflow code runs in the sandbox and replays: it imports only workflows/, contract/, domain/ and @temporalio/workflow (types from elsewhere)',
      from: { path: '^workflows/' },
      to: {
        dependencyTypesNot: ['type-only'],
        pathNot: ['^workflows/', '^contract/', '^domain/', '^node_modules/@temporalio/(workflow|common)/'],
      },
    },
    {
      name: 'contract-is-below-everything',
      severity: 'error',
      comment:
        'the contract (messages, workflow types and names, search attributes, effects) is what workflows and their callers share: it knows only the model',
      from: { path: '^contract/' },
      to: { path: engine, pathNot: ['^contract/', '^domain/'] },
    },
    {
      name: 'nothing-imports-workflow-code',
      severity: 'error',
      comment:
        'workflow code is loaded by the worker from its bundle; everyone else reaches a workflow through the contract (even its types)',
      from: { path: engine, pathNot: '^workflows/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'the model imports nothing of ours but itself',
      from: { path: '^domain/' },
      to: { path: engine, pathNot: '^domain/' },
    },
    {
      name: 'db-is-sql-only',
      severity: 'error',
      comment: 'the database layer knows the model and the contract, nothing above them',
      from: { path: '^db/' },
      to: { path: engine, pathNot: ['^db/', '^contract/', '^domain/', '^config/'] },
    },
    {
      name: 'engine-never-imports-tests-or-scripts',
      severity: 'error',
      from: { path: engine },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'scripts-never-import-tests',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^test/' },
    },
    {
      name: 'interfaces-are-on-top',
      severity: 'error',
      comment: 'the HTTP API, the console and the CLI call the engine; the engine never calls them',
      from: { path: '^(client|activities|workflows|worker|temporal|db|domain|config)/' },
      to: { path: '^(api|console|cli|main)/' },
    },
    {
      name: 'console-is-a-face-of-the-api',
      severity: 'error',
      comment:
        'the console renders pages over the engine services; the JSON API knows nothing of it (main/ mounts both)',
      from: { path: '^api/' },
      to: { path: '^console/' },
    },
    {
      name: 'console-calls-services',
      severity: 'error',
      comment: 'the console calls the engine services like every interface, never the database or Temporal directly',
      from: { path: '^console/' },
      to: { path: '^(activities|workflows|worker|temporal|db|cli)/' },
    },
    {
      name: 'cli-talks-http',
      severity: 'error',
      comment: 'the sons CLI is a client of the HTTP API: no engine service, database or Temporal',
      from: { path: '^cli/' },
      to: { path: '^(client|activities|workflows|worker|temporal|db)/' },
    },
    {
      name: 'activities-do-not-use-services',
      severity: 'error',
      comment: 'activities are effects workflows ask for; the services are for interfaces',
      from: { path: '^activities/' },
      to: { path: '^(client|worker)/' },
    },
    {
      name: 'notifications-deliver-the-outbox',
      severity: 'error',
      comment:
        'delivery (SMTP, webhooks, the outbox dispatcher, the local mailbox) knows the database and the model, nothing of the services or the interfaces',
      from: { path: '^notifications/' },
      to: { path: '^(client|api|console|cli|workflows|activities|worker|temporal)/' },
    },
    {
      name: 'only-main-starts-processes',
      severity: 'error',
      from: { path: engine, pathNot: '^main/' },
      to: { path: '^main/' },
    },
    {
      name: 'one-csv-writer',
      severity: 'error',
      comment:
        'every CSV the engine writes goes through domain/csv.ts, which neutralises formulas (CSV injection): no other module writes one',
      from: { pathNot: '^domain/csv\\.ts$' },
      to: { path: '^node_modules/csv-stringify/' },
    },
    {
      name: 'no-sdk-internals',
      severity: 'error',
      comment: 'deep imports into an SDK package break on any release',
      from: {},
      to: {
        path: '^node_modules/@temporalio/[^/]+/lib/',
        pathNot: '^node_modules/@temporalio/[^/]+/lib/index\\.(js|d\\.ts)$',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    exclude: { path: '^(dist|\\.cache|\\.tools|\\.data)/' },
  },
};
