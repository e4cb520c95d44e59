// The console's entry point (bundled by scripts/build-console.mjs into dist/console/assets/).
import { render } from 'preact';
import { html } from './shell/html.js';
import { App } from './shell/app.js';

const root = document.getElementById('app');
if (root !== null) render(html`<${App} />`, root);
