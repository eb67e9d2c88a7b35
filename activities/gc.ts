import { Context } from '@temporalio/activity';
import { connectClient } from '../cli/client.js';
import type { GcConfig } from '../pipelines/gc-config.js';
import { bucketOf } from '../store/artefacts.js';
import { collectGarbage } from '../store/gc/collect.js';
import type { ActivityDeps } from './deps.js';

export interface GcAfterRunResult {
  removed: number;
  bytes: number;
}

export function gcActivities(deps: ActivityDeps) {
  return {
    /** `shelfssl gc` with the run config's rules, after the run (which, still running, keeps all it used). */
    async gcAfterRun(rules: GcConfig): Promise<GcAfterRunResult> {
      const { client, close } = await connectClient(deps.settings);
      try {
        const { plan } = await collectGarbage(client, bucketOf(deps.settings, deps.s3), {
          keepRuns: rules.keepRuns,
          keepWeeks: rules.keepWeeks,
          graceMs: rules.graceMinutes * 60_000,
          dryRun: false,
        });
        Context.current().log.info(
          `gc after run: removed ${plan.remove.length} unit(s), ${plan.bytes} bytes`,
        );
        return { removed: plan.remove.length, bytes: plan.bytes };
      } finally {
        await close();
      }
    },
  };
}
