// Admin → Audit log: every administrative action (panel, API or CLI), newest first, a page at a time.
// Actors that are users are shown by name (looked up once per id); CLI and configuration actors as is.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Http } from '../../api/http';
import { actorLabel, actorUserId, type AdminApi, type AuditEntry, describeAction, Pager } from '../../state/admin';
import { formatDateTime, PagerFooter } from './common';

const names = new Map<string, Promise<string>>();

/** "@alice" for a user id (a deleted account keeps its id), cached for the page's life. */
function userName(http: Http, id: string): Promise<string> {
  let p = names.get(id);
  if (!p) {
    p = http.call('get', '/users/{id}', { path: { id } }).then(
      (u) => `@${u.username}`,
      () => 'a deleted account',
    );
    names.set(id, p);
  }
  return p;
}

function Actor({ http, actor }: { http: Http; actor: string }): JSX.Element {
  const id = actorUserId(actor);
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (!id) return;
    let live = true;
    void userName(http, id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [id]);
  if (!id) return <span title={actor}>{actorLabel(actor)}</span>;
  return <span title={actor}>{name ?? '…'}</span>;
}

function details(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** The Audit log view. */
export function AuditTab({ api, http }: { api: AdminApi; http: Http }): JSX.Element {
  const pager = useMemo(() => new Pager<AuditEntry>((cursor) => api.audit(cursor)), [api]);
  useEffect(() => {
    void pager.reload();
  }, [pager]);
  const items = pager.items.value;
  return (
    <>
      <div class="admin-toolbar">
        <p class="muted">Every administrative action, from this panel, the API or the command line, newest first.</p>
        <button type="button" class="button" onClick={() => void pager.reload()} disabled={pager.loading.value}>
          Refresh
        </button>
      </div>
      <div class="table-wrap">
        <table class="admin-table" aria-busy={pager.loading.value ? 'true' : 'false'}>
          <caption class="visually-hidden">Audit log</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{formatDateTime(e.at)}</td>
                <td>
                  <Actor http={http} actor={e.actor} />
                </td>
                <td>
                  {describeAction(e.action)} <span class="muted small">({e.action})</span>
                </td>
                <td>{e.target ?? '—'}</td>
                <td class="small">{details(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pager.loaded.value && !items.length ? <p class="muted">Nothing has been done yet.</p> : null}
      <PagerFooter pager={pager} label="entries" />
    </>
  );
}
