// Tests find the repository and bin/ as the demo does (demo/stack/paths.ts).
export { binPath, REPO_ROOT } from '../../demo/stack/paths.js';
