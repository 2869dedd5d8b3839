/**
 * Snowflake connection settings: read from the URL, the environment and explicit overrides, then
 * validated so that a missing setting is named in the message rather than failing in the driver.
 */
import { z } from 'zod';
import { WarehouseError, type QueryTag } from './warehouse.js';

export type TagContext = Omit<QueryTag, 'app' | 'purpose'>;

export interface SnowflakeSettings {
  account: string;
  username: string;
  role?: string;
  warehouse?: string;
  /** Database of the production relations; relations without a database resolve here. */
  database: string;
  /** Scratch schema where the session's temporary tables are created. */
  schema: string;
  password?: string;
  /** PEM private key for key-pair (SNOWFLAKE_JWT) authentication, inline. */
  privateKey?: string;
  privateKeyPath?: string;
  privateKeyPassphrase?: string;
  /** Server-side statement timeout (STATEMENT_TIMEOUT_IN_SECONDS), also enforced by a client timer. */
  statementTimeoutSeconds?: number;
  /** Overrides the endpoint, e.g. `http://127.0.0.1:8080` for a local stand-in. */
  accessUrl?: string;
  /** Repository context copied into every query tag. */
  tagContext?: TagContext;
}

/** Which environment variable feeds which setting; also the names used in error messages. */
export const SNOWFLAKE_ENV = {
  account: 'SNOWFLAKE_ACCOUNT',
  username: 'SNOWFLAKE_USER',
  role: 'SNOWFLAKE_ROLE',
  warehouse: 'SNOWFLAKE_WAREHOUSE',
  database: 'SNOWFLAKE_DATABASE',
  schema: 'SNOWFLAKE_SCHEMA',
  password: 'SNOWFLAKE_PASSWORD',
  privateKey: 'SNOWFLAKE_PRIVATE_KEY',
  privateKeyPath: 'SNOWFLAKE_PRIVATE_KEY_PATH',
  privateKeyPassphrase: 'SNOWFLAKE_PRIVATE_KEY_PASSPHRASE',
  statementTimeoutSeconds: 'SNOWFLAKE_STATEMENT_TIMEOUT_SECONDS',
  accessUrl: 'SNOWFLAKE_ACCESS_URL',
} as const satisfies Record<Exclude<keyof SnowflakeSettings, 'tagContext'>, string>;

const required = (key: keyof typeof SNOWFLAKE_ENV) =>
  z
    .string({ error: `${SNOWFLAKE_ENV[key]} is not set` })
    .trim()
    .min(1, { error: `${SNOWFLAKE_ENV[key]} is not set` });

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

const schema = z
  .object({
    account: required('account'),
    username: required('username'),
    role: optional,
    warehouse: optional,
    database: required('database'),
    schema: required('schema'),
    password: z.string().optional().transform((v) => (v ? v : undefined)),
    privateKey: z.string().optional().transform((v) => (v ? v.replace(/\\n/g, '\n') : undefined)),
    privateKeyPath: optional,
    privateKeyPassphrase: z.string().optional().transform((v) => (v ? v : undefined)),
    statementTimeoutSeconds: z.coerce
      .number({ error: `${SNOWFLAKE_ENV.statementTimeoutSeconds} must be a whole number of seconds` })
      .int({ error: `${SNOWFLAKE_ENV.statementTimeoutSeconds} must be a whole number of seconds` })
      .positive({ error: `${SNOWFLAKE_ENV.statementTimeoutSeconds} must be positive` })
      .optional(),
    accessUrl: optional.pipe(
      z
        .url({ error: `${SNOWFLAKE_ENV.accessUrl} must be a URL such as https://acme.snowflakecomputing.com` })
        .optional(),
    ),
    tagContext: z
      .object({ repo: z.string().optional(), pr: z.number().int().optional(), sha: z.string().optional() })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.password && !s.privateKey && !s.privateKeyPath) {
      ctx.addIssue({
        code: 'custom',
        message: `no credentials: set ${SNOWFLAKE_ENV.password}, or ${SNOWFLAKE_ENV.privateKey} / ${SNOWFLAKE_ENV.privateKeyPath} for key-pair authentication`,
      });
    }
    if (s.privateKey && s.privateKeyPath) {
      ctx.addIssue({
        code: 'custom',
        message: `set only one of ${SNOWFLAKE_ENV.privateKey} and ${SNOWFLAKE_ENV.privateKeyPath}`,
      });
    }
  });

export type SnowflakeSettingsInput = { [K in keyof SnowflakeSettings]?: unknown };

/** Validates settings; every problem is listed in one WarehouseError('config'). */
export function validateSnowflakeSettings(input: SnowflakeSettingsInput): SnowflakeSettings {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const messages = [...new Set(result.error.issues.map((i) => i.message))];
  // zod skips the object-level refinements when a field already failed; still name missing credentials.
  const credentials = schema.safeParse({ account: 'a', username: 'u', database: 'd', schema: 's', ...pick(input) });
  if (!credentials.success) {
    for (const issue of credentials.error.issues) if (!messages.includes(issue.message)) messages.push(issue.message);
  }
  throw new WarehouseError(`Snowflake is not configured: ${messages.join('; ')}`, 'config');
}

function pick(input: SnowflakeSettingsInput): SnowflakeSettingsInput {
  const { password, privateKey, privateKeyPath } = input;
  return { password, privateKey, privateKeyPath };
}

/** Reads the SNOWFLAKE_* variables; empty variables count as unset. */
export function snowflakeSettingsFromEnv(env: Record<string, string | undefined>): SnowflakeSettingsInput {
  const out: SnowflakeSettingsInput = {};
  for (const [key, name] of Object.entries(SNOWFLAKE_ENV) as [keyof typeof SNOWFLAKE_ENV, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
