import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { temporal } from '@temporalio/proto';
import proto from '@temporalio/proto';
import { z } from 'zod';

// A CommonJS module: its namespace is the default export under ESM.
const { History } = proto.temporal.api.history.v1;
type History = temporal.api.history.v1.History;

/** In the source tree (not dist/): recorded fixtures are committed and refreshed deliberately. */
export const HISTORIES_DIR = fileURLToPath(new URL('../../../test/fixtures/histories/', import.meta.url));

export const HistoryFixtureSchema = z.strictObject({
  /** What kind of run this is (why the fixture exists). */
  description: z.string(),
  workflowId: z.string().min(1),
  workflowType: z.string().min(1),
  recordedAt: z.string(),
  /**
   * The history as protobufjs JSON (int64 and bytes as strings, enums by name). Not the SDK's historyToJSON:
   * with this lock file's two protobufjs versions it throws "type must be a Type".
   */
  history: z.record(z.string(), z.unknown()),
});
export type HistoryFixture = z.infer<typeof HistoryFixtureSchema>;

/** Every fixture under HISTORIES_DIR, parsed; a malformed one fails naming its file. */
export function loadHistoryFixtures(): (HistoryFixture & { file: string })[] {
  return readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = HistoryFixtureSchema.safeParse(
        JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
      );
      if (!parsed.success)
        throw new Error(
          `${file}: not a history fixture (${parsed.error.message}); re-record it (README "Upgrading")`,
        );
      return { ...parsed.data, file };
    });
}

/** A fetched history as fixture JSON. */
export function historyToFixtureJson(history: temporal.api.history.v1.IHistory): Record<string, unknown> {
  return History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
}

/** A fixture's history as the History message Worker.runReplayHistories takes. */
export function fixtureHistory(fixture: HistoryFixture): History {
  return History.fromObject(fixture.history);
}
