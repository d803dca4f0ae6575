/**
 * `defineTool`: a TypeScript function as a Baton tool. The zod input schema is both the
 * JSON Schema the model sees and the validator for the model's arguments.
 */
import { z } from 'zod';
import { localToolProblem, ToolSpecSchema, type ToolSpec, type ToolSpecInput } from '../../core';

/** What a tool's `execute` receives besides its arguments. */
export interface ToolContext {
  /**
   * Stable across retries and replays of one tool call. An activity may run more than
   * once (a retry after a timeout or a worker crash), so a tool with external side
   * effects must be idempotent: pass this key on (e.g. as an Idempotency-Key header)
   * or record it and skip work already done.
   */
  idempotencyKey: string;
  /** The agent that asked for the call, and the model's tool-call id. */
  agent: string;
  callId: string;
  /** 1 on the first try, then 2, 3, … on retries. */
  attempt: number;
  /**
   * True when an earlier attempt of this call started the tool and recorded no result in
   * the tool-call ledger (its worker died, or it timed out or threw): its effect may or may
   * not have happened. A tool with effects checks with the service (by `idempotencyKey`)
   * before doing it again. A call whose result was recorded never runs again. (Baton always
   * sets it; it is optional only so that tests can build a context by hand.)
   */
  previousAttemptMayHaveRun?: boolean;
  /** Aborted when the run is cancelled (delivered through heartbeats). */
  signal: AbortSignal;
  /**
   * Optional: Baton heartbeats for every call while it runs. Call it to attach progress
   * details (the latest are kept and sent with the automatic heartbeats).
   */
  heartbeat(details?: unknown): void;
}

export type ToolOptions = Omit<ToolSpecInput, 'name' | 'description' | 'inputSchema' | 'source'>;

export interface ToolDefinitionInput<S extends z.ZodType> extends ToolOptions {
  name: string;
  description: string;
  input: S;
  execute(args: z.output<S>, context: ToolContext): unknown;
}

/** A tool as the worker holds it: its spec (data, sent to workflows) and its code. */
export interface BatonTool {
  readonly spec: ToolSpec;
  /** Validates model arguments; a failure goes back to the model as a tool error. */
  parseArguments(args: unknown): { ok: true; value: unknown } | { ok: false; error: string };
  execute(args: unknown, context: ToolContext): Promise<unknown>;
}

const toolErrorBrand = Symbol.for('baton.ToolError');

/**
 * Thrown by a tool for an outcome the model should see at once, without retries: a
 * refused path or host, a missing file, an MCP tool's own error. Anything else a tool
 * throws is retried by its retry policy first.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  /** Marks every ToolError, whichever copy of Baton made it (see `Symbol.hasInstance`). */
  readonly [toolErrorBrand] = true;

  /**
   * `instanceof ToolError` holds for a ToolError from another copy of this module too: a
   * config loaded through tsx has its own copy of Baton's modules (tsx's require keeps a
   * separate module cache), and the worker must still see its tools' ToolErrors as such.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ToolError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[toolErrorBrand] === true;
  }

  constructor(
    message: string,
    /** 'refused' when a security policy said no; 'failed' for the tool's own error. */
    readonly kind: 'refused' | 'failed' = 'failed',
  ) {
    super(message);
  }
}

/** Formats zod issues as `path: message` lines a model (or a person) can act on. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Declares a TypeScript tool; see the README's "Writing tools" for the full contract. */
export function defineTool<S extends z.ZodType>(definition: ToolDefinitionInput<S>): BatonTool {
  const { input, execute, ...options } = definition;
  const inputSchema = z.toJSONSchema(input, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  delete inputSchema.$schema;
  const spec = ToolSpecSchema.parse({ ...options, inputSchema, source: 'typescript' });
  const problem = localToolProblem(spec);
  if (problem) throw new TypeError(problem);
  return {
    spec,
    parseArguments(args) {
      if (typeof args === 'string') {
        return { ok: false, error: `arguments were not valid JSON: ${args.slice(0, 200)}` };
      }
      const parsed = input.safeParse(args ?? {});
      return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: formatZodIssues(parsed.error) };
    },
    async execute(args, context) {
      return execute(args as z.output<S>, context);
    },
  };
}
