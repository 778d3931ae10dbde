import type { z } from 'zod';

/**
 * Dotted paths of every leaf field of a zod object schema: list elements are written `[]`,
 * record keys `<name>` after the key schema's description, alternatives of a union are merged, optional fields are
 * listed like required ones.
 */
export function schemaFieldPaths(schema: z.ZodType, prefix = ''): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walks zod's public definition objects.
  const node = schema as any;
  switch (node.def.type) {
    case 'object':
      return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
        schemaFieldPaths(child, prefix ? `${prefix}.${key}` : key),
      );
    case 'array': {
      const element = node.element as z.ZodType;
      return (element as { def: { type: string } }).def.type === 'object'
        ? schemaFieldPaths(element, `${prefix}[]`)
        : [prefix];
    }
    case 'record':
      return schemaFieldPaths(node.valueType, `${prefix}.<${node.keyType.description ?? 'key'}>`);
    case 'optional':
      return schemaFieldPaths(node.unwrap(), prefix);
    case 'union':
      return [...new Set((node.options as z.ZodType[]).flatMap((option) => schemaFieldPaths(option, prefix)))];
    default:
      return [prefix];
  }
}
