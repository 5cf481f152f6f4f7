import { join } from 'node:path';
import { repoRoot } from '../../scripts/repo-root.js';

export { repoRoot };

export const sluiceBin = () => join(repoRoot(), 'bin', 'sluice.js');
