import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { conformanceDir, conformanceMissing } from '../paths.ts';

const SUB = 'oci-image-spec-schema';

/** Why the OCI image-spec JSON Schemas cannot be read here, or undefined when they can. */
export function ociSchemasMissing(): string | undefined {
  return conformanceMissing(SUB);
}

/** Removes draft-04 `id`s below the top (ajv 8 reads `$id`; the files name each other by file name). */
function strip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strip);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'id' && typeof v === 'string') || k === '$schema') continue;
    out[k] = strip(v);
  }
  return out;
}

/**
 * Validators for the OCI image-spec schemas in the shared conformance data (draft-04 files, read
 * with ajv 8 by giving each file its name as `$id`, so their relative `$ref`s resolve).
 */
export function ociValidators(): { manifest: ValidateFunction; config: ValidateFunction; index: ValidateFunction } {
  const dir = join(conformanceDir, SUB);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = strip(JSON.parse(readFileSync(join(dir, file), 'utf8'))) as Record<string, unknown>;
    ajv.addSchema({ ...schema, $id: `https://opencontainers.test/schema/${file}` });
  }
  const get = (file: string): ValidateFunction => ajv.getSchema(`https://opencontainers.test/schema/${file}`)!;
  return { manifest: get('image-manifest-schema.json'), config: get('config-schema.json'), index: get('image-index-schema.json') };
}
