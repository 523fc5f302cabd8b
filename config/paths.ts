import path from 'node:path';

/** The repository's root, whether this code runs from the sources or from their build in dist/. */
const above = path.resolve(__dirname, '..');
export const projectRoot = path.basename(above) === 'dist' ? path.dirname(above) : above;
