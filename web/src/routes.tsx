// Every page of the signed-in app. Each entry is both a route and (unless nav: false) a
// navigation link shown to users holding one of `roles`. Adding a page is one line here.
import type { ComponentType } from 'react';
import { IconAlertTriangle, IconBolt, IconInbox, IconLayoutDashboard, IconListDetails, IconMail, IconPlugConnected, IconSend, IconSettings, IconUserCircle, IconUsers, type TablerIcon } from '@tabler/icons-react';
import type { Role } from './api/types';
import { DashboardPage } from './pages/DashboardPage';
import { AccountPage } from './pages/account/AccountPage';
import { UsersPage } from './pages/admin/UsersPage';
import { AuditPage } from './pages/admin/AuditPage';
import { SettingsPage } from './pages/admin/SettingsPage';
import { MailPage } from './pages/admin/MailPage';
import { IncidentsArea } from './pages/incidents/IncidentsArea';
import { MyReportsPage } from './pages/reports/MyReportsPage';
import { ReportsArea } from './pages/reports/ReportsArea';
import { TriageArea } from './pages/triage/TriageArea';
import { SourcesPage } from './pages/admin/SourcesPage';
import { PublicReportPage } from './pages/public/PublicReportPage';
import { ReporterStatusPage } from './pages/public/ReporterStatusPage';

export interface AppRoute {
  path: string;
  label: string;
  icon: TablerIcon;
  /** Users need one of these roles; undefined means every signed-in user. */
  roles?: Role[];
  /** Navigation group heading; undefined puts the link at the top. */
  group?: string;
  component: ComponentType;
  nav?: boolean;
  /** The page also serves the paths below its own (/incidents/VIG-2026-00001) and reads them itself. */
  subpaths?: boolean;
}

export const ROUTES: AppRoute[] = [
  { path: '/', label: 'Dashboard', icon: IconLayoutDashboard, component: DashboardPage },
  { path: '/incidents', label: 'Incidents', icon: IconAlertTriangle, roles: ['admin', 'manager', 'handler', 'viewer'], component: IncidentsArea, subpaths: true },
  { path: '/triage', label: 'Triage', icon: IconBolt, roles: ['admin', 'manager', 'handler', 'viewer'], component: TriageArea, subpaths: true },
  { path: '/reports', label: 'Reports', icon: IconInbox, roles: ['admin', 'manager', 'handler', 'viewer'], component: ReportsArea, subpaths: true },
  { path: '/my-reports', label: 'My reports', icon: IconSend, roles: ['reporter'], component: MyReportsPage },
  { path: '/account', label: 'Account', icon: IconUserCircle, component: AccountPage },
  { path: '/admin/users', label: 'Users', icon: IconUsers, roles: ['admin'], group: 'Administration', component: UsersPage },
  { path: '/admin/audit', label: 'Audit trail', icon: IconListDetails, roles: ['admin'], group: 'Administration', component: AuditPage },
  { path: '/admin/settings', label: 'Settings', icon: IconSettings, roles: ['admin'], group: 'Administration', component: SettingsPage },
  { path: '/admin/sources', label: 'Monitoring sources', icon: IconPlugConnected, roles: ['admin', 'manager'], group: 'Administration', component: SourcesPage },
  { path: '/admin/mail', label: 'Outgoing mail', icon: IconMail, roles: ['admin'], group: 'Administration', component: MailPage },
];

export function normalizePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function findRoute(path: string): AppRoute | undefined {
  const p = normalizePath(path);
  return ROUTES.find((r) => r.path === p) ?? ROUTES.find((r) => r.subpaths && p.startsWith(`${r.path}/`));
}

/**
 * Pages anyone may open, signed in or not, shown without the app's frame: the public web form and
 * a reporter's private status page (/status/<token>).
 */
export const PUBLIC_PAGES: { path: string; component: ComponentType; subpaths?: boolean }[] = [
  { path: '/report', component: PublicReportPage },
  { path: '/status', component: ReporterStatusPage, subpaths: true },
];

export function findPublicPage(path: string) {
  const p = normalizePath(path);
  return PUBLIC_PAGES.find((r) => r.path === p || (r.subpaths && p.startsWith(`${r.path}/`)));
}
