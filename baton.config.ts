// The repository's own config: the demo's travel agent (see examples/demo/config.ts).
import { demoConfig } from './examples/demo/config';

export default demoConfig();
