import path from 'node:path';

/** The workflow code, bundled once per run by the global setup and loaded by every test's worker. */
export const workflowBundle = { codePath: path.resolve(__dirname, '..', '..', '.cache', 'workflow-bundle.js') };
