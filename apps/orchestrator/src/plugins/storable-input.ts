import { findUnstorableText } from '@afenda/contracts';
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';

const PARTS = [
  ['params', 'params'],
  ['querystring', 'query'],
  ['body', 'body'],
] as const;

/**
 * The one rule for text PostgreSQL cannot store (packages/contracts/src/storable.ts), for every
 * route, schema or not: just before validation, path parameters, the query and a parsed JSON
 * body are walked, and a NUL or an unpaired surrogate anywhere is a 400 VALIDATION_FAILED naming
 * the field, like any schema violation. Raw bodies (webhooks) are bytes, checked where stored.
 */
export default fp(
  async function storableInput(app) {
    app.addHook('preValidation', (request, _reply, done) => {
      for (const [context, key] of PARTS) {
        const found = findUnstorableText(request[key]);
        if (!found) continue;
        const error = new Error(`${context} ${found.message}`) as FastifyError & {
          validationContext: string;
        };
        error.statusCode = 400;
        error.code = 'FST_ERR_VALIDATION';
        error.validationContext = context;
        error.validation = [
          {
            keyword: 'storable',
            instancePath: found.path ? `/${found.path.replaceAll('.', '/')}` : '',
            schemaPath: '',
            params: {},
            message: found.message,
          },
        ];
        return done(error);
      }
      done();
    });
  },
  { name: 'storable-input' },
);
