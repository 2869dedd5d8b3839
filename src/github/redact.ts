/**
 * Defence in depth for everything the app posts: even if a pipeline or library error message
 * carries a secret from the environment, it never reaches a PR.
 */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSPHRASE|PRIVATE|CREDENTIAL|API_?KEY|_KEY$|^KEY$|DSN)/i;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 6 || !SECRET_NAME.test(name)) continue;
    values.push(value);
    // PEM keys are often passed base64-encoded or with escaped newlines.
    if (value.includes('\n')) values.push(value.replace(/\n/g, '\\n'));
  }
  return values.sort((a, b) => b.length - a.length);
}

/** Replaces secret environment values and PEM blocks with "[redacted]". */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text.replace(PEM, '[redacted]');
  for (const value of secretValues(env)) out = out.split(value).join('[redacted]');
  return out;
}

/** A thrown error as one safe line: first line of the message only (never the stack), capped. */
export function safeErrorMessage(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';
  const firstLine = raw.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  const clipped = firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
  return redactSecrets(clipped, env);
}
