/** The console's JSON routes (local/console/server.ts), same origin. */
import type { ExecutionResponse, ExecutionsResponse, Graph } from './types';

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error((body as { error?: string }).error ?? `${path}: HTTP ${res.status}`);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;
export const api = {
  executions: () => get<ExecutionsResponse>('/api/executions'),
  execution: (name: string) => get<ExecutionResponse>(`/api/executions/${enc(name)}`),
  manifest: (name: string) => get<unknown>(`/api/executions/${enc(name)}/manifest`),
  recordingUrl: (name: string) => `/api/executions/${enc(name)}/recording`,
  graph: () => get<Graph>('/api/graph'),
};
