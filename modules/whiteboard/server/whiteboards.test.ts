import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityFixture, type IdentityFixture } from '@afenda/orchestrator/testing/fixture';
import { documentWith, geoShape } from './test-documents.ts';

let fx: IdentityFixture;
let app: FastifyInstance;
const tenant: Record<string, string> = {};
const tokens: Record<string, string> = {};
const LIMIT = 64 * 1024;

beforeAll(async () => {
  fx = await startIdentityFixture({
    env: {
      RATE_LIMIT_WRITES: '100000',
      RATE_LIMIT_READS: '100000',
      WHITEBOARD_MAX_BYTES: String(LIMIT),
      // Every saved change keeps a version here, so that history is easy to follow.
      WHITEBOARD_VERSION_INTERVAL_S: '0',
      WHITEBOARD_MAX_VERSIONS: '5',
    },
    // aaron only looks: a viewer in Acme.
    users: (users) =>
      users.map((u) => (u.username === 'aaron' ? { ...u, groups: ['/acme/viewers'] } : u)),
  });
  app = fx.app;
  for (const name of ['alice', 'aaron', 'ada', 'gloria']) tokens[name] = await fx.token(name);
  const { rows } = await fx.tdb.admin.query<{ slug: string; id: string }>(
    "select slug, id from tenants where kind = 'organization'",
  );
  for (const r of rows) tenant[r.slug] = r.id;
});

afterAll(async () => {
  await fx?.close();
});

function as(username: string, org = username.startsWith('g') ? 'globex' : 'acme') {
  const send = (method: InjectOptions['method'], url: string, payload?: unknown) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${tokens[username]}`, 'x-tenant-id': tenant[org]! },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload: unknown = {}) => send('POST', url, payload),
    put: (url: string, payload: unknown) => send('PUT', url, payload),
    patch: (url: string, payload: unknown) => send('PATCH', url, payload),
    delete: (url: string) => send('DELETE', url),
  };
}

async function newBoard(title = 'Refund flow', user = 'alice') {
  const res = await as(user).post('/whiteboards', { title });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data as { id: string; revision: number; title: string };
}

async function timeline(org: string, type: string) {
  const { rows } = await fx.tdb.admin.query<{ subject_id: string; title: string; data: unknown }>(
    'select subject_id, title, data from activity_timeline where tenant_id = $1 and type = $2 order by occurred_at',
    [tenant[org], type],
  );
  return rows;
}

describe('boards', () => {
  it('creates a board with an empty tldraw document, on the timeline', async () => {
    const board = await newBoard('Escalation sketch');
    expect(board).toMatchObject({ title: 'Escalation sketch', revision: 1, deletedAt: null });
    const got = (await as('alice').get(`/whiteboards/${board.id}`)).json().data;
    expect(Object.keys(got.document.store).sort()).toEqual(['document:document', 'page:page']);
    expect(got).toMatchObject({ links: [], limitBytes: LIMIT });
    expect(await timeline('acme', 'whiteboard.created')).toContainEqual(
      expect.objectContaining({
        subject_id: board.id,
        title: 'Whiteboard created: Escalation sketch',
      }),
    );
    const list = (await as('alice').get('/whiteboards')).json();
    expect(list.data.map((b: { id: string }) => b.id)).toContain(board.id);
  });

  it('saves a document and reads back exactly what was saved', async () => {
    const board = await newBoard();
    const document = documentWith(geoShape('one', 40), geoShape('two', 200));
    const saved = await as('alice').put(`/whiteboards/${board.id}/document`, { document });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().data.revision).toBe(2);
    const got = (await as('ada').get(`/whiteboards/${board.id}`)).json().data;
    expect(got.document.store['shape:one']).toEqual(document.store['shape:one']);
    expect(got.document.store['shape:two']).toEqual(document.store['shape:two']);
    expect(Object.keys(got.document.store)).toHaveLength(4);
    expect(got.sizeBytes).toBeGreaterThan(0);
    // A save that started from an older revision is refused, not merged silently.
    const stale = await as('alice').put(`/whiteboards/${board.id}/document`, {
      document: documentWith(),
      baseRevision: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'CONFLICT', details: { revision: 2 } });
  });

  it('refuses malformed documents with a 4xx envelope, never a 500', async () => {
    const board = await newBoard();
    const base = documentWith();
    const cases: [string, unknown, number, string][] = [
      ['no document', {}, 400, 'VALIDATION_FAILED'],
      ['a string', { document: 'shapes' }, 400, 'VALIDATION_FAILED'],
      ['no schema', { document: { store: base.store } }, 400, 'VALIDATION_FAILED'],
      [
        'a record without typeName',
        { document: { ...base, store: { ...base.store, 'shape:x': { id: 'shape:x' } } } },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a shape missing its props',
        { document: documentWith({ ...geoShape('bad'), props: { geo: 'rectangle' } }) },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
      [
        'an unknown record type',
        { document: documentWith({ id: 'widget:1', typeName: 'widget' } as never) },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
      [
        'a record under another id',
        { document: { ...base, store: { ...base.store, 'shape:a': geoShape('b') } } },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
      [
        'session state in a document',
        {
          document: documentWith({
            id: 'pointer:pointer',
            typeName: 'pointer',
            x: 0,
            y: 0,
            lastActivityTimestamp: 0,
            meta: {},
          } as never),
        },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
      [
        'a schema from a newer tldraw',
        {
          document: {
            ...base,
            schema: {
              ...base.schema,
              sequences: {
                ...(base.schema as unknown as { sequences: object }).sequences,
                'com.tldraw.shape': 999,
              },
            },
          },
        },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
      [
        'no page',
        { document: { ...base, store: { 'document:document': base.store['document:document'] } } },
        400,
        'WHITEBOARD_DOCUMENT_INVALID',
      ],
    ];
    for (const [what, body, status, code] of cases) {
      const res = await as('alice').put(`/whiteboards/${board.id}/document`, body);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.json().error.code, what).toBe(code);
    }
    const invalidJson = await app.inject({
      method: 'PUT',
      url: `/api/v1/whiteboards/${board.id}/document`,
      headers: {
        authorization: `Bearer ${tokens.alice}`,
        'x-tenant-id': tenant.acme!,
        'content-type': 'application/json',
      },
      payload: '{"document": {',
    });
    expect(invalidJson.statusCode).toBe(400);
    expect(invalidJson.json().error.code).toBeTruthy();
    // Nothing was written by any of them.
    expect((await as('alice').get(`/whiteboards/${board.id}`)).json().data.revision).toBe(1);
  });

  it("migrates a document of an older tldraw schema with tldraw's migrations; refuses a malformed old schema with 400", async () => {
    // As tldraw 2.0 wrote it: the version-1 schema format, records without the fields added since.
    const { meta: _d, name: _n, ...document } = documentWith().store['document:document']!;
    const { meta: _p, ...page } = documentWith().store['page:page']!;
    const old = {
      schema: {
        schemaVersion: 1,
        storeVersion: 4,
        recordVersions: { document: { version: 0 }, page: { version: 0 } },
      },
      store: { 'document:document': document, 'page:page': page },
    };
    const created = await as('alice').post('/whiteboards', { title: 'From 2.0', document: old });
    expect(created.statusCode, created.body).toBe(201);
    const got = (await as('alice').get(`/whiteboards/${created.json().data.id}`)).json().data;
    expect(got.document.schema.schemaVersion).toBe(2);
    expect(got.document.store['document:document']).toMatchObject({ name: '', meta: {} });
    expect(got.document.store['page:page']).toMatchObject({ meta: {} });
    const board = await newBoard();
    const saved = await as('alice').put(`/whiteboards/${board.id}/document`, { document: old });
    expect(saved.statusCode, saved.body).toBe(200);
    // Older schema formats without the fields tldraw's migrations read: 400, never a 500.
    for (const schema of [
      { schemaVersion: 1 },
      { schemaVersion: 1, storeVersion: 4, recordVersions: { page: 3 } },
      { schemaVersion: 2 },
      { schemaVersion: 2, sequences: { 'com.tldraw.page': 'one' } },
    ]) {
      const bad = { ...old, schema };
      for (const res of [
        await as('alice').post('/whiteboards', { title: 'Old', document: bad }),
        await as('alice').put(`/whiteboards/${board.id}/document`, { document: bad }),
      ]) {
        expect(res.statusCode, `${JSON.stringify(schema)}: ${res.body}`).toBe(400);
        expect(res.json().error.code).toBe('WHITEBOARD_DOCUMENT_INVALID');
      }
    }
  });

  it('refuses a document over the size limit with 413 and the figures, keeping the board as it was', async () => {
    const board = await newBoard();
    await as('alice').put(`/whiteboards/${board.id}/document`, {
      document: documentWith(geoShape('keep')),
    });
    const big = documentWith(geoShape('big', 0, { meta: { note: 'x'.repeat(LIMIT) } }));
    const res = await as('alice').put(`/whiteboards/${board.id}/document`, { document: big });
    expect(res.statusCode).toBe(413);
    const error = res.json().error;
    expect(error.code).toBe('WHITEBOARD_TOO_LARGE');
    expect(error.details.limitBytes).toBe(LIMIT);
    expect(error.details.sizeBytes).toBeGreaterThan(LIMIT);
    expect(error.message).toMatch(/over its limit of 64 KiB: nothing was saved/);
    // Far over: the body limit answers first, still in the envelope.
    const huge = documentWith(geoShape('huge', 0, { meta: { note: 'x'.repeat(LIMIT * 3) } }));
    const refused = await as('alice').put(`/whiteboards/${board.id}/document`, { document: huge });
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // Creating one that large is refused the same way.
    const created = await as('alice').post('/whiteboards', { title: 'Too big', document: big });
    expect(created.statusCode).toBe(413);
    const store = (await as('alice').get(`/whiteboards/${board.id}`)).json().data.document.store;
    expect(store['shape:keep']).toBeDefined();
    expect(store['shape:big']).toBeUndefined();
  });

  it('renames, moves to the bin and recovers; a board in the bin cannot be changed', async () => {
    const board = await newBoard('Draft');
    const renamed = await as('alice').patch(`/whiteboards/${board.id}`, { title: ' Final ' });
    expect(renamed.json().data.title).toBe('Final');
    expect((await as('alice').patch(`/whiteboards/${board.id}`, { title: '' })).statusCode).toBe(
      400,
    );

    const deleted = await as('alice').delete(`/whiteboards/${board.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json().data.deletedAt).not.toBeNull();
    const active = (await as('alice').get('/whiteboards'))
      .json()
      .data.map((b: { id: string }) => b.id);
    expect(active).not.toContain(board.id);
    const bin = (await as('alice').get('/whiteboards?status=deleted')).json().data;
    expect(bin.map((b: { id: string }) => b.id)).toContain(board.id);
    const edit = await as('alice').put(`/whiteboards/${board.id}/document`, {
      document: documentWith(),
    });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('WHITEBOARD_DELETED');
    expect((await as('alice').post(`/whiteboards/${board.id}/tickets`)).statusCode).toBe(409);

    const recovered = await as('alice').post(`/whiteboards/${board.id}/restore`);
    expect(recovered.statusCode).toBe(200);
    expect(recovered.json().data.deletedAt).toBeNull();
    expect(await timeline('acme', 'whiteboard.recovered')).toContainEqual(
      expect.objectContaining({ subject_id: board.id }),
    );
  });

  it('pages through the list with a cursor', async () => {
    for (let i = 0; i < 3; i++) await newBoard(`Page ${i}`);
    const first = (await as('alice').get('/whiteboards?limit=2')).json();
    expect(first.data).toHaveLength(2);
    const second = (
      await as('alice').get(`/whiteboards?limit=2&cursor=${first.meta.nextCursor}`)
    ).json();
    const ids = [...first.data, ...second.data].map((b: { id: string }) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await as('alice').get('/whiteboards?cursor=nope')).statusCode).toBe(400);
  });
});

describe('versions', () => {
  it('lists versions, previews one and restores it; the restore can itself be undone', async () => {
    const board = await newBoard('History');
    await as('alice').put(`/whiteboards/${board.id}/document`, {
      document: documentWith(geoShape('first')),
    });
    await as('alice').put(`/whiteboards/${board.id}/document`, {
      document: documentWith(geoShape('second')),
    });
    const versions = (await as('alice').get(`/whiteboards/${board.id}/versions`)).json().data;
    expect(versions.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual(
      [
        [3, 'autosave'],
        [2, 'autosave'],
        [1, 'created'],
      ],
    );
    const preview = (await as('ada').get(`/whiteboards/${board.id}/versions/2`)).json().data;
    expect(Object.keys(preview.document.store)).toContain('shape:first');
    expect((await as('alice').get(`/whiteboards/${board.id}/versions/99`)).statusCode).toBe(404);
    expect((await as('alice').get(`/whiteboards/${board.id}/versions/abc`)).statusCode).toBe(400);

    const restored = await as('alice').post(`/whiteboards/${board.id}/versions/2/restore`);
    expect(restored.statusCode, restored.body).toBe(200);
    const store = (await as('alice').get(`/whiteboards/${board.id}`)).json().data.document.store;
    expect(store['shape:first']).toBeDefined();
    expect(store['shape:second']).toBeUndefined();
    expect(await timeline('acme', 'whiteboard.restored')).toContainEqual(
      expect.objectContaining({
        subject_id: board.id,
        data: expect.objectContaining({ version: 2 }),
      }),
    );
    // The document the restore replaced is version 3 (already kept), so restoring 3 undoes it.
    await as('alice').post(`/whiteboards/${board.id}/versions/3/restore`);
    const back = (await as('alice').get(`/whiteboards/${board.id}`)).json().data.document.store;
    expect(back['shape:second']).toBeDefined();
  });

  it('keeps an explicit version with a label, and prunes past the configured count', async () => {
    const board = await newBoard('Pruned');
    const kept = await as('alice').post(`/whiteboards/${board.id}/versions`, {
      label: 'Before the call',
    });
    expect(kept.statusCode).toBe(201);
    expect(kept.json().data).toMatchObject({
      version: 2,
      reason: 'manual',
      label: 'Before the call',
    });
    for (let i = 0; i < 6; i++)
      await as('alice').put(`/whiteboards/${board.id}/document`, {
        document: documentWith(geoShape(`s${i}`)),
      });
    const versions = (await as('alice').get(`/whiteboards/${board.id}/versions`)).json().data;
    expect(versions).toHaveLength(5);
    expect(versions[0].version).toBe(8);
  });
});

describe('tenancy and roles', () => {
  it("answers 404 for another tenant's board, whatever the route", async () => {
    const board = await newBoard('Acme only');
    const globex = as('gloria');
    expect((await globex.get(`/whiteboards/${board.id}`)).statusCode).toBe(404);
    expect((await globex.get(`/whiteboards/${board.id}`)).json().error.code).toBe(
      'WHITEBOARD_NOT_FOUND',
    );
    expect(
      (await globex.put(`/whiteboards/${board.id}/document`, { document: documentWith() }))
        .statusCode,
    ).toBe(404);
    expect((await globex.patch(`/whiteboards/${board.id}`, { title: 'Mine' })).statusCode).toBe(
      404,
    );
    expect((await globex.delete(`/whiteboards/${board.id}`)).statusCode).toBe(404);
    expect((await globex.get(`/whiteboards/${board.id}/versions`)).statusCode).toBe(404);
    expect((await globex.post(`/whiteboards/${board.id}/versions/1/restore`)).statusCode).toBe(404);
    expect((await globex.post(`/whiteboards/${board.id}/tickets`)).statusCode).toBe(404);
    const list = (await globex.get('/whiteboards')).json().data.map((b: { id: string }) => b.id);
    expect(list).not.toContain(board.id);
    // Naming Acme's tenant without being a member of it is refused too.
    expect((await as('gloria', 'acme').get(`/whiteboards/${board.id}`)).statusCode).toBe(404);
  });

  it('lets viewers look but not change', async () => {
    const board = await newBoard('Look only');
    expect((await as('aaron').get(`/whiteboards/${board.id}`)).statusCode).toBe(200);
    expect((await as('aaron').post('/whiteboards', { title: 'Mine' })).statusCode).toBe(403);
    expect(
      (await as('aaron').put(`/whiteboards/${board.id}/document`, { document: documentWith() }))
        .statusCode,
    ).toBe(403);
    expect((await as('aaron').delete(`/whiteboards/${board.id}`)).statusCode).toBe(403);
    const ticket = await as('aaron').post(`/whiteboards/${board.id}/tickets`);
    expect(ticket.statusCode).toBe(201);
    expect(ticket.json().data.readonly).toBe(true);
  });
});

describe('links', () => {
  it('attaches a board to an approval and a conversation, lists boards by subject, detaches', async () => {
    const approval = (
      await as('alice').post('/approvals/requests', {
        type: 'generic',
        title: 'Budget for the offsite',
        submit: true,
      })
    ).json().data;
    const board = await newBoard('Offsite plan');
    const link = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'approval',
      subjectId: approval.id,
    });
    expect(link.statusCode, link.body).toBe(201);
    // Again: the same link, no second timeline entry.
    const again = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'approval',
      subjectId: approval.id,
    });
    expect(again.statusCode).toBe(200);
    const entries = (await timeline('acme', 'whiteboard.linked')).filter(
      (e) => e.subject_id === board.id,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]!.title).toBe(
      'Whiteboard “Offsite plan” linked to approval “Budget for the offsite”',
    );

    const { rows } = await fx.tdb.admin.query<{ id: string }>(
      `insert into conversations (tenant_id, account_id, display_id, contact_name)
       values ($1, 1, 42, 'Jane Customer') returning id`,
      [tenant.acme],
    );
    const conversationId = rows[0]!.id;
    const conv = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'conversation',
      subjectId: conversationId,
    });
    expect(conv.statusCode).toBe(201);
    expect((await timeline('acme', 'whiteboard.linked')).map((e) => e.title)).toContain(
      'Whiteboard “Offsite plan” linked to the conversation with Jane Customer',
    );
    const linked = (
      await as('ada').get(`/whiteboards?subject_type=approval&subject_id=${approval.id}`)
    ).json().data;
    expect(linked.map((b: { id: string }) => b.id)).toEqual([board.id]);
    expect(
      (await as('alice').get(`/whiteboards/${board.id}`))
        .json()
        .data.links.map((l: { subjectType: string }) => l.subjectType),
    ).toEqual(['approval', 'conversation']);

    // Created already linked.
    const withLink = await as('alice').post('/whiteboards', {
      title: 'Second sketch',
      link: { subjectType: 'conversation', subjectId: conversationId },
    });
    expect(withLink.statusCode).toBe(201);
    const byConversation = (
      await as('alice').get(`/whiteboards?subject_type=conversation&subject_id=${conversationId}`)
    ).json().data;
    expect(byConversation).toHaveLength(2);

    const unlinked = await as('alice').delete(
      `/whiteboards/${board.id}/links/conversation/${conversationId}`,
    );
    expect(unlinked.statusCode).toBe(204);
    expect(
      (await as('alice').delete(`/whiteboards/${board.id}/links/conversation/${conversationId}`))
        .statusCode,
    ).toBe(404);
  });

  it('refuses links to what the caller cannot see, and malformed subjects', async () => {
    const board = await newBoard('Links');
    const globexApproval = (
      await as('gloria').post('/approvals/requests', {
        type: 'generic',
        title: 'Globex',
        submit: true,
      })
    ).json().data;
    const foreign = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'approval',
      subjectId: globexApproval.id,
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('APPROVAL_NOT_FOUND');
    const bad = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'invoice',
      subjectId: globexApproval.id,
    });
    expect(bad.statusCode).toBe(400);
    // A conversation the tenant's mirror does not hold (or another tenant's) is not found.
    const unknown = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'conversation',
      subjectId: crypto.randomUUID(),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('CONVERSATION_NOT_FOUND');
    const notUuid = await as('alice').post(`/whiteboards/${board.id}/links`, {
      subjectType: 'conversation',
      subjectId: '42',
    });
    expect(notUuid.statusCode).toBe(400);
    expect(notUuid.json().error.code).toBe('WHITEBOARD_LINK_INVALID');
  });
});
