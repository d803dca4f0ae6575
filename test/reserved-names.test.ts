import { describe, expect, it } from 'vitest';
import { ConfigError, validateConfig } from '../config/define-config';
import { resolveWorkflowSpec } from '../config/load-spec';
import { AgentSpecSchema, WorkflowSpecSchema, isReservedName } from '../core';

const provider = { type: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1' };

/** The `path: message` lines of a ConfigError. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('reserved names', () => {
  it('are the names every plain object inherits', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'prototype']) expect(isReservedName(name), name).toBe(true);
    for (const name of ['writer', 'Constructor', 'proto']) expect(isReservedName(name), name).toBe(false);
  });

  it('are refused in a config as agent, provider, hand-off and agent-tool names, with their paths', () => {
    const reserved = 'is a reserved name (a built-in property of JavaScript objects, such as constructor or __proto__); choose another name';
    const config = {
      providers: { local: provider, toString: provider },
      agents: {
        writer: { provider: 'local', model: 'm', handoffs: ['valueOf'], agentTools: ['hasOwnProperty'] },
        constructor: { provider: 'local', model: 'm' },
      },
    };
    expect(issuesOf(() => validateConfig(config))).toEqual(expect.arrayContaining([
      `providers.toString: invalid name: "toString" ${reserved}`,
      `agents.writer.handoffs[0]: "valueOf" ${reserved}`,
      `agents.writer.agentTools[0]: "hasOwnProperty" ${reserved}`,
      `agents.constructor: invalid name: "constructor" ${reserved}`,
    ]));
    // JSON.parse keeps "__proto__" as an own key, as a YAML or JSON file would; zod alone would drop it silently.
    const proto = JSON.parse('{"providers":{"local":{"type":"openai-compatible","baseURL":"http://127.0.0.1:1/v1"}},"agents":{"__proto__":{"provider":"local","model":"m"}}}');
    expect(issuesOf(() => validateConfig(proto))).toEqual([`agents.__proto__: invalid name: "__proto__" ${reserved}`]);
  });

  it('does not take a built-in for a configured provider or agent', () => {
    const issues = issuesOf(() => validateConfig({ providers: { local: provider }, agents: { writer: { provider: 'local', model: 'm', handoffs: ['toLocaleString'] }, reader: { provider: 'constructor', model: 'm' } } }));
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^agents\.reader\.provider: "constructor" is a reserved name/),
      expect.stringMatching(/^agents\.writer\.handoffs\[0\]: "toLocaleString" is a reserved name/),
    ]));
  });

  it('are refused in a workflow spec as route keys and agent names, with their paths', () => {
    const config = validateConfig({ providers: { local: provider }, agents: { writer: { provider: 'local', model: 'm' } } });
    const steps = JSON.parse('{"kind":"route","classifier":"writer","routes":{"constructor":{"kind":"agent","agent":"writer"},"ok":{"kind":"agent","agent":"toString"}}}');
    const issues = issuesOf(() => resolveWorkflowSpec({ name: 'flow', steps }, config, 'flow.yaml'));
    const proto = JSON.parse('{"kind":"route","classifier":"writer","routes":{"ok":{"kind":"agent","agent":"writer"},"__proto__":{"kind":"agent","agent":"writer"}}}');
    expect(issuesOf(() => resolveWorkflowSpec({ name: 'flow', steps: proto }, config, 'flow.yaml'))).toEqual([expect.stringMatching(/^steps\.routes\.__proto__: invalid name: "__proto__" is a reserved name/)]);
    expect(issues).toEqual(expect.arrayContaining([
      expect.stringMatching(/^steps\.routes\.constructor: invalid name: "constructor" is a reserved name/),
      expect.stringMatching(/^steps\.routes\.ok\.agent: "toString" is a reserved name/),
    ]));
    const inline = WorkflowSpecSchema.safeParse({ name: 'flow', steps: { kind: 'agent', agent: 'writer' }, agents: { valueOf: { provider: 'local', model: 'm' } } });
    expect(inline.success).toBe(false);
    expect(AgentSpecSchema.safeParse({ name: 'constructor', provider: 'local', model: 'm' }).success).toBe(false);
  });
});
