/** Maps a name given on the command line to a workflow id, or undefined when it is not one it knows. */
export type RunNameLookup = (name: string) => Promise<string | undefined>;

/**
 * The workflow id of the run a command names. Each lookup is tried in turn (promoted run aliases, #16, plug
 * in here); a name none of them knows is taken as a workflow id, which reading its history then checks.
 */
export async function resolveRunName(name: string, lookups: readonly RunNameLookup[] = []): Promise<string> {
  for (const lookup of lookups) {
    const found = await lookup(name);
    if (found !== undefined) return found;
  }
  return name;
}
