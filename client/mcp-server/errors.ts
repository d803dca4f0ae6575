/** Every failure of a tool becomes one clear line for the IDE; the server itself never crashes. */
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigError } from '../../config/define-config';
import { describeRunFailure } from '../cli/commands/result';

/** gRPC status codes that mean the Temporal server did not answer. */
const unreachableCodes = new Set([4, 14]);

/** Whether the error, or one it wraps (the SDK's "Failed to describe workflow"), is the server not answering. */
function isUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && unreachableCodes.has(e.code)) return true;
  }
  return false;
}

/** One line saying what went wrong and, where it helps, what to do. */
export function oneLine(err: unknown): string {
  if (err instanceof WorkflowNotFoundError) return `no run with id ${err.workflowId ?? ''}`.trim();
  if (err instanceof ConfigError) return `${err.message.split('\n')[0]?.replace(/:$/, '')}: ${err.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
  if (isUnreachable(err)) return 'the Temporal server did not answer (start one with ./temporal-dev.sh start, or check TEMPORAL_ADDRESS)';
  const text = err instanceof Error ? err.message : describeRunFailure(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Wraps a tool's handler so that anything it throws reaches the client as a one-line tool error. */
export function oneLineErrors<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (err) {
      throw new Error(oneLine(err));
    }
  };
}
