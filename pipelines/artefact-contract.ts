import type { z } from 'zod';

/**
 * What one output file of a stage is: JSON with the zod schema every writer and reader uses, or bytes the
 * contract does not look into (a TensorFlow.js model, an .npy array, a workbook).
 */
export type FileContract = z.ZodType | 'binary' | 'npy';

/**
 * A stage's output files by name. A name with one `*` declares a family of files (the shards of a pool:
 * `labelled/*.npy`); every other name must be written by every run of the stage.
 */
export type OutputContracts = Readonly<Record<string, FileContract>>;

/** The names a declared name stands for: `labelled/*.npy` -> `labelled/${string}.npy`. */
export type FileNameOf<K> = K extends `${infer Head}*${infer Tail}` ? `${Head}${string}${Tail}` : K;

export type JsonFileName<O extends OutputContracts> = {
  [K in keyof O & string]: O[K] extends z.ZodType ? K : never;
}[keyof O & string];

export type BytesFileName<O extends OutputContracts> = {
  [K in keyof O & string]: O[K] extends z.ZodType ? never : FileNameOf<K>;
}[keyof O & string];

/** What a JSON output holds once its producer's schema has parsed it. */
export type JsonFileOf<O extends OutputContracts, N extends JsonFileName<O>> = O[N] extends z.ZodType
  ? z.output<O[N]>
  : never;

/** What a writer must hand over for a JSON output (the schema's input type). */
export type JsonFileInput<O extends OutputContracts, N extends JsonFileName<O>> = O[N] extends z.ZodType
  ? z.input<O[N]>
  : never;

/** Whether `name` is one of the family a declared name with one `*` stands for (`labelled/*.npy`). */
export function inFamily(declared: string, name: string): boolean {
  const [head = '', tail = ''] = declared.split('*');
  return name.length >= head.length + tail.length && name.startsWith(head) && name.endsWith(tail);
}

/** The contract a file name falls under (exact names first, then families), or undefined if undeclared. */
export function contractOf(outputs: OutputContracts, name: string): FileContract | undefined {
  if (Object.hasOwn(outputs, name) && !name.includes('*')) return outputs[name];
  const family = Object.keys(outputs).find((k) => k.includes('*') && inFamily(k, name));
  return family === undefined ? undefined : outputs[family];
}

/** The files every run must write: declared names that are not families. */
export function requiredOutputs(outputs: OutputContracts): string[] {
  return Object.keys(outputs).filter((k) => !k.includes('*'));
}
