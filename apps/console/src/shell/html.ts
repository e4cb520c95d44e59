// htm's tagged templates bound to Preact: the console's markup without a JSX build step.
export { html } from 'htm/preact';
