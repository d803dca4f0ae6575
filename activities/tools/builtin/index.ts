/** Built-in tools: a file tool confined to a folder, and an SSRF-fenced HTTP fetch tool. */
export { fileTools, type FileToolsOptions } from './file-tools';
export { httpFetchTool, isPublicAddress, type HttpFetchOptions, type HostLookup, type ResolvedAddress } from './http-fetch';
