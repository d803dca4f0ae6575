// An MCP server (stdio) for Baton's tests: it crashes on purpose, adds tools at run
// time, and reports tool errors. Started by test/mcp.test.ts through the real SDK.
import { existsSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'crashy', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });

server.registerTool('crash_once', {
  description: 'Exits the server process the first time (marker file absent), answers after that',
  inputSchema: { marker: z.string() },
}, async ({ marker }) => {
  if (!existsSync(marker)) {
    writeFileSync(marker, String(process.pid));
    process.exit(1);
  }
  return { content: [{ type: 'text', text: `survived (pid ${process.pid})` }] };
});

server.registerTool('add_tool', {
  description: 'Adds a tool with the given name that greets',
  inputSchema: { name: z.string() },
}, async ({ name }) => {
  server.registerTool(name, { description: `Greets, added at run time as ${name}`, inputSchema: { who: z.string() } }, async ({ who }) => ({
    content: [{ type: 'text', text: `hello ${who} from ${name}` }],
  }));
  return { content: [{ type: 'text', text: `added ${name}` }] };
});

server.registerTool('refuse', {
  description: 'Always reports an error result',
  inputSchema: { why: z.string() },
}, async ({ why }) => ({ isError: true, content: [{ type: 'text', text: `refused: ${why}` }] }));

server.registerTool('pid', { description: 'The server process id', inputSchema: {} }, async () => ({
  content: [{ type: 'text', text: String(process.pid) }],
}));

await server.connect(new StdioServerTransport());
