/**
 * Pinned server versions. Temporal CLI v1.8.x carries a `replace` directive so `go install` refuses it;
 * v1.5.1 installs cleanly. MinIO has no semver tags: pin the pseudo-version of a known commit.
 */
export const SERVERS = {
  temporal: {
    module: 'github.com/temporalio/cli/cmd/temporal',
    version: 'v1.5.1',
    binary: 'temporal',
  },
  minio: {
    module: 'github.com/minio/minio',
    version: 'v0.0.0-20260212201848-7aac2a2c5b7c',
    binary: 'minio',
  },
} as const;

export type ServerName = keyof typeof SERVERS;

/**
 * Go programs built beside the servers: MinIO's client, which `infra up` uses to give workers a user limited
 * to the bucket. mc has no tags the module proxy lists: pin the pseudo-version of a known commit.
 */
export const GO_BUILDS = {
  ...SERVERS,
  mc: {
    module: 'github.com/minio/mc',
    version: 'v0.0.0-20250313080218-cf909e1063a9',
    binary: 'mc',
  },
} as const;

export type BuildName = keyof typeof GO_BUILDS;
