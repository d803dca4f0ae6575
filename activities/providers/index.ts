export * from './provider';
export * from './errors';
export * from './openai';
export * from './anthropic';
export * from './scripted';
export * from './config';
