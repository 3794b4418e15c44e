import { z } from 'zod';
import type { ApiRoute } from './routes';
import { errorResponse } from './schemas';

const accessText = (access: ApiRoute['access']): string =>
  access === 'authenticated'
    ? 'Any caller; what it sees is narrowed to the boards it may read.'
    : `Action ${access} (see domain/permissions.ts); a board action on the board in the URL.`;

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(routes: ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const paramShape = route.params instanceof z.ZodObject ? (route.params.shape as Record<string, z.ZodType>) : {};
    const queryShape = route.query instanceof z.ZodObject ? (route.query.shape as Record<string, z.ZodType>) : {};
    const error = { content: { 'application/json': { schema: jsonSchema(errorResponse) } } };
    paths[path] = {
      ...paths[path],
      [route.method.toLowerCase()]: {
        summary: route.summary,
        description: accessText(route.access),
        security: [{ bearer: [] }],
        parameters: [
          ...Object.entries(paramShape).map(([name, schema]) => ({
            name,
            in: 'path',
            required: true,
            schema: jsonSchema(schema),
          })),
          ...Object.entries(queryShape).map(([name, schema]) => ({
            name,
            in: 'query',
            required: !schema.safeParse(undefined).success,
            schema: jsonSchema(schema),
          })),
        ],
        ...(route.body && {
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } },
        }),
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: jsonSchema(route.response) } } },
          400: { description: 'Bad input: the field, the problem and its code', ...error },
          401: { description: 'No valid token', ...error },
          403: { description: 'The role may not call this route', ...error },
          404: { description: 'Not found, or not visible to the caller', ...error },
          ...(route.method !== 'GET' && {
            409: { description: 'The transition cannot apply now (the field and the code say why)', ...error },
            429: { description: 'Too many writes; try again in a minute', ...error },
          }),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Årshjul API',
      version: '1',
      description: 'Budget and follow-up cycle of the city: cycles, deliverables, deadlines, milestones.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
