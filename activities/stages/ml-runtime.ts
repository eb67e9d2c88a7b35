// Transitional: pretrain.ts (being rewritten on another branch) still imports its helpers from here; once it
// imports them from ./support/, delete this file.
export * from './support/ml-runtime.js';
