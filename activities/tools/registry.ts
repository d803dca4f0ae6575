/** The worker's tools, found by name. Names are unique; a clash is a config error. */
import type { BatonTool } from './define-tool';

export class ToolRegistry {
  private readonly tools = new Map<string, BatonTool>();

  constructor(tools: Iterable<BatonTool> = []) {
    for (const tool of tools) this.add(tool);
  }

  add(tool: BatonTool): void {
    if (this.tools.has(tool.spec.name)) throw new Error(`tool "${tool.spec.name}" is defined twice`);
    this.tools.set(tool.spec.name, tool);
  }

  get(name: string): BatonTool | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()].sort();
  }

  list(): BatonTool[] {
    return this.names().map((name) => this.tools.get(name) as BatonTool);
  }
}
