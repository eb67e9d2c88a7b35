import type { Bucket } from '../../../store/artefacts.js';
import { storeUsage } from '../../../store/gc/units.js';
import { formatBytes } from '../gc/format-bytes.js';

/** `store: 12.3 MB (artefacts 10.1 MB, checkpoints 1.2 MB, other 1.0 MB)`: what grows week by week. */
export async function storeSizeLine(b: Bucket): Promise<string> {
  try {
    const { total, byPrefix } = await storeUsage(b);
    const { artefacts = 0, checkpoints = 0 } = byPrefix;
    const other = total - artefacts - checkpoints;
    return (
      `store: ${formatBytes(total)} in ${b.bucket} (artefacts ${formatBytes(artefacts)}, checkpoints ` +
      `${formatBytes(checkpoints)}, other ${formatBytes(other)}); \`shelfssl gc --dry-run\` shows what could go`
    );
  } catch (err) {
    return `store: size unknown (${(err as Error).message})`;
  }
}
