/** Links into the Temporal Web UI for the runs Baton starts. */

/** The UI base URL: BATON_UI_URL, else the config's, else the dev server's default. */
export function uiBaseUrl(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env.BATON_UI_URL ?? configured ?? 'http://localhost:8233').replace(/\/+$/, '');
}

/** The page of one run (its history, with Baton's summaries on every step). */
export function runUrl(base: string, namespace: string, workflowId: string, runId?: string): string {
  const id = encodeURIComponent(workflowId);
  const ns = encodeURIComponent(namespace);
  return runId ? `${base}/namespaces/${ns}/workflows/${id}/${encodeURIComponent(runId)}/history` : `${base}/namespaces/${ns}/workflows/${id}`;
}
