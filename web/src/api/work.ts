// Shapes of the incident work APIs (tasks, playbooks, observables, evidence, links), as the web
// app uses them, plus the evidence upload (raw bytes over XMLHttpRequest, for its progress events).
import { ApiError, type FieldError } from './client';
import type { Answer, ItemOf, operations, Schema } from './schema';

export type TaskPhase = Task['phase'];
export type TaskStatus = Task['status'];
export const TASK_PHASES = ['triage', 'analysis', 'containment', 'eradication', 'recovery', 'post_incident'] as const satisfies readonly TaskPhase[];
export const TASK_STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const satisfies readonly TaskStatus[];

export type ChecklistItem = ItemOf<Task['checklist']>;

export type Task = Schema<'Task'>;

/** The fields PATCH /tasks/:id may change (the version is added when sending). */
export type TaskPatch = Partial<Pick<Task, 'phase' | 'title' | 'description' | 'assigneeId' | 'dueAt' | 'status' | 'checklist'>>;

export type PlaybookTask = ItemOf<Playbook['tasks']>;

export type Playbook = Schema<'Playbook'>;

export type PlaybookApplied = Answer<'playbooks.apply'>;

export type ObservableType = ObservableCandidate['type'];
export const OBSERVABLE_TYPES = [
  'ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'filename', 'asn', 'user-account', 'other',
] as const satisfies readonly ObservableType[];

export type Observable = Schema<'Observable'>;

export type ObservableCandidate = ItemOf<Answer<'observables.extract'>['items']>;

export type ObservablesAdded = Answer<'observables.add'>;

export type SimilarIncident = ItemOf<Answer<'observables.similar'>['items']>;

export type Evidence = Schema<'Evidence'>;

export type CustodyAction = CustodyEntry['action'];

export type CustodyEntry = ItemOf<Answer<'evidence.custody'>['items']>;

export type EvidenceMeta = Omit<operations['evidence.upload']['parameters']['query'], 'collectedAt'> & { collectedAt: string };

export type LinkKind = IncidentLink['kind'];

export type IncidentLink = ItemOf<Answer<'incidents.links'>['items']>;

const id = encodeURIComponent;
export const tasksKey = (incidentId: string) => ['incidents', 'tasks', incidentId] as const;
export const taskNotesKey = (incidentId: string) => ['incidents', 'task-notes', incidentId] as const;
export const playbooksKey = (incidentId: string) => ['incidents', 'playbooks', incidentId] as const;
export const observablesKey = (incidentId: string) => ['incidents', 'observables', incidentId] as const;
export const similarKey = (incidentId: string) => ['incidents', 'similar', incidentId] as const;
export const evidenceKey = (incidentId: string) => ['incidents', 'evidence', incidentId] as const;
export const custodyKey = (evidenceId: string) => ['evidence', 'custody', evidenceId] as const;
export const linksKey = (incidentId: string) => ['incidents', 'links', incidentId] as const;

export const paths = {
  tasks: (incidentId: string) => `/incidents/${id(incidentId)}/tasks`,
  task: (taskId: string) => `/tasks/${id(taskId)}`,
  playbooks: (incidentId: string) => `/incidents/${id(incidentId)}/playbooks`,
  applyPlaybook: (incidentId: string, key: string) => `/incidents/${id(incidentId)}/playbooks/${id(key)}/apply`,
  observables: (incidentId: string) => `/incidents/${id(incidentId)}/observables`,
  observable: (incidentId: string, observableId: string) => `/incidents/${id(incidentId)}/observables/${id(observableId)}`,
  similar: (incidentId: string) => `/incidents/${id(incidentId)}/similar`,
  evidence: (incidentId: string) => `/incidents/${id(incidentId)}/evidence`,
  custody: (evidenceId: string) => `/evidence/${id(evidenceId)}/custody`,
  handover: (evidenceId: string) => `/evidence/${id(evidenceId)}/handover`,
  /** Full URL of the download (a plain GET: the session cookie is enough). */
  download: (evidenceId: string) => `/api/v1/evidence/${id(evidenceId)}/download`,
  links: (incidentId: string) => `/incidents/${id(incidentId)}/links`,
  merge: (targetId: string) => `/incidents/${id(targetId)}/merge`,
};

/** The task as it is now, when a change was refused because someone changed it meanwhile. */
export function taskConflictCurrent(error: unknown): Task | null {
  if (error instanceof ApiError && error.code === 'VIG_TASK_VERSION_CONFLICT') {
    const current = error.problem.current;
    if (current && typeof current === 'object' && 'version' in current) return current as Task;
  }
  return null;
}

/** The `reason` a problem carries (e.g. VIG_INCIDENT_LINK_INVALID), if any. */
export function problemReason(error: unknown): string | null {
  return error instanceof ApiError && typeof error.problem.reason === 'string' ? error.problem.reason : null;
}

/** "1536" -> "1.5 KiB"; exact bytes are shown beside it where it matters. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * Uploads one evidence file as the raw request body (application/octet-stream), its metadata in
 * the query string, with the session's CSRF header. Reports progress as a fraction (0..1).
 * Failures become ApiError, as with every other call.
 */
export function uploadEvidence(
  incidentId: string,
  file: Blob,
  meta: EvidenceMeta,
  csrfToken: string | null,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Evidence> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(meta)) if (v !== undefined && v !== '') query.set(k, String(v));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/incidents/${id(incidentId)}/evidence?${query.toString()}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = xhr.responseText ? JSON.parse(xhr.responseText) : {};
        if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
      } catch {
        // not JSON: keep the status text
      }
      if (xhr.status === 201 || xhr.status === 200) {
        onProgress(1);
        resolve(body as unknown as Evidence);
        return;
      }
      const errors = Array.isArray(body.errors) ? (body.errors as FieldError[]) : undefined;
      reject(new ApiError({
        status: xhr.status,
        code: typeof body.code === 'string' ? body.code : `HTTP_${xhr.status}`,
        title: typeof body.title === 'string' ? body.title : xhr.statusText || `Upload failed (${xhr.status})`,
        ...(errors ? { errors } : {}),
        problem: body,
      }));
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'NETWORK', title: 'The upload did not reach the server. Check your connection.' }));
    xhr.onabort = () => reject(new ApiError({ status: 0, code: 'ABORTED', title: 'Upload cancelled.' }));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
