/**
 * Model calls by reference: the first call of a run sends the agent's model settings and tool
 * definitions in full; the activity stores them in the content store and returns a reference
 * (`ModelResponse.specRef`) that the run's later calls send instead (`ModelRequestByRef`), so
 * a turn's history does not carry them again. A worker keeps what it stored or read in
 * memory; another worker (or this one after a restart) reads it from the content store,
 * which workers on several machines share already for stored conversations.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, sentByRef, type ModelCallInput, type ModelRequest } from '../core';
import { BoundedCache } from './bounded-cache';
import type { ContentStore } from './content-store';

type CallSpec = Pick<ModelRequest, 'agent' | 'tools'>;

/** Stores again after an hour, so a long-lived worker's specs keep a fresh age for the store's pruning. */
const refreshMs = 3_600_000;

/** One per worker: the call specs it stored or resolved, by reference. */
export class ModelSpecRefs {
  private readonly specs = new BoundedCache<CallSpec>(16 * 1024 * 1024, 2000);
  /** By the spec's JSON: the store hashes it when it stores it, so a call sent in full is not hashed here too. */
  private readonly stored = new BoundedCache<{ ref: string; at: number }>(16 * 1024 * 1024, 2000);

  constructor(private readonly store: ContentStore) {}

  /** Stores the agent and tools of a request sent in full (once an hour per worker at most); returns the reference. */
  async remember(request: ModelRequest): Promise<string> {
    const spec: CallSpec = { agent: request.agent, tools: request.tools };
    const text = JSON.stringify(spec);
    const known = this.stored.get(text);
    if (known && Date.now() - known.at < refreshMs) return known.ref;
    const ref = await this.store.put(spec);
    this.stored.set(text, { ref, at: Date.now() }, text.length);
    this.specs.set(ref, spec, text.length);
    return ref;
  }

  /** A stored spec; one this worker's store lacks is a non-retryable failure the workflow answers by sending in full. */
  private async read(specRef: string): Promise<CallSpec> {
    try {
      return await this.store.get<CallSpec>(specRef);
    } catch (err) {
      // By name: a config loaded through its own copy of Baton's modules may bring its own store class.
      if (!(err instanceof Error && err.name === 'ContentNotFoundError')) throw err;
      throw ApplicationFailure.create({ type: FailureType.SpecRefUnavailable, nonRetryable: true, message: `${err.message}; the run sends this call in full` });
    }
  }

  /** The request in full: as it came, or with the agent and tools its reference stands for. */
  async resolve(input: ModelCallInput): Promise<ModelRequest> {
    if (!sentByRef(input)) return input;
    const { specRef, agent, ...rest } = input;
    let spec = this.specs.get(specRef);
    if (!spec) {
      spec = await this.read(specRef);
      this.specs.set(specRef, spec, JSON.stringify(spec).length);
    }
    if (spec.agent.name !== agent.name) {
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `specRef: ${specRef} holds agent "${spec.agent.name}", not "${agent.name}"` });
    }
    return { ...rest, agent: spec.agent, tools: spec.tools };
  }
}
