// The repository's own config: the demo's team, triage and trip planner (see examples/demo/config.ts).
import { demoConfig } from './examples/demo/config';

export default demoConfig();
