// Which pages each role uses (DESIGN.md §1). The server enforces access on
// every request; this only keeps each role's navigation to what it may use.
export type PageId = 'dashboard' | 'map' | 'manning' | 'training' | 'trainees' | 'consent' | 'audit';

const STAFF = ['admin', 'commander', 'manning', 'training', 'trainer', 'auditor'];

const pages: Record<PageId, string[]> = {
  dashboard: STAFF,
  map: [...STAFF, 'contingent'],
  manning: ['admin', 'commander', 'manning', 'training', 'auditor', 'contingent'],
  training: ['admin', 'commander', 'manning', 'training', 'trainer', 'auditor', 'liaison'],
  trainees: ['admin', 'commander', 'training', 'trainer', 'auditor', 'liaison'],
  consent: ['admin', 'commander', 'manning', 'training', 'auditor'],
  audit: ['admin', 'auditor'],
};

export const pageOrder: PageId[] = ['dashboard', 'map', 'manning', 'training', 'trainees', 'consent', 'audit'];

export function mayUse(role: string, page: PageId): boolean {
  return pages[page]?.includes(role) ?? false;
}

export function homeOf(role: string): PageId {
  return pageOrder.find((p) => mayUse(role, p)) ?? 'training';
}

// Who may change what (the server's grants, for showing or hiding controls).
export function mayAct(role: string): boolean { return role === 'admin' || role === 'commander'; }
export function mayTrain(role: string): boolean { return role === 'admin' || role === 'training'; }
export function mayRecordResults(role: string): boolean { return mayTrain(role) || role === 'trainer'; }
export function mayMan(role: string): boolean { return role === 'admin' || role === 'manning'; }
