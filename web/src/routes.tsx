// Every page of the signed-in app. Each entry is both a route and (unless nav: false) a
// navigation link shown to users holding its `permission`. Adding a page is one line here.
import { lazy, Suspense, type ComponentType } from 'react';
import { Center, Loader } from '@mantine/core';
import { IconAddressBook, IconBell, IconFingerprint, IconSpeakerphone, IconUsersGroup } from '@tabler/icons-react';
import { IconBuildingCommunity, IconRss } from '@tabler/icons-react';
import { IconAlertTriangle, IconBolt, IconCalendarTime, IconInbox, IconLayoutDashboard, IconListDetails, IconMail, IconPlugConnected, IconSend, IconSettings, IconUserCircle, IconUsers, type TablerIcon } from '@tabler/icons-react';
import { IconPresentation, IconTargetArrow } from '@tabler/icons-react';
import { IconChartBar, IconStopwatch } from '@tabler/icons-react';
import { IconTruckDelivery } from '@tabler/icons-react';
import type { Permission } from './auth/permissions';

/**
 * A page loaded when first opened (its own chunk of the bundle: the charts library, for one, only
 * comes with the pages that draw charts), with a spinner while it loads. The sign-in page and the
 * incident queue must stay free of the charts and under 500 KB of script in all
 * (test/bundle-size.test.ts): whatever those two do not show belongs behind one of these.
 */
export function page<K extends string, P extends object = {}>(load: () => Promise<Record<K, ComponentType<P>>>, name: K): ComponentType<P> {
  const Lazy = lazy<ComponentType<P>>(async () => ({ default: (await load())[name] }));
  return function LazyPage(props: P) {
    return (
      <Suspense fallback={<Center py="xl"><Loader color="signal" type="dots" aria-label="Loading the page" /></Center>}>
        <Lazy {...props} />
      </Suspense>
    );
  };
}

const DashboardPage = page(() => import('./pages/DashboardPage'), 'DashboardPage');
const AccountPage = page(() => import('./pages/account/AccountPage'), 'AccountPage');
const UsersPage = page(() => import('./pages/admin/UsersPage'), 'UsersPage');
const AuditPage = page(() => import('./pages/admin/AuditPage'), 'AuditPage');
const SettingsPage = page(() => import('./pages/admin/SettingsPage'), 'SettingsPage');
const MailPage = page(() => import('./pages/admin/MailPage'), 'MailPage');
const DeliveriesPage = page(() => import('./pages/admin/DeliveriesPage'), 'DeliveriesPage');
const FeedsPage = page(() => import('./pages/feeds/FeedsPage'), 'FeedsPage');
const IncidentsArea = page(() => import('./pages/incidents/IncidentsArea'), 'IncidentsArea');
const ObservableSearchPage = page(() => import('./pages/observables/ObservableSearchPage'), 'ObservableSearchPage');
const MyReportsPage = page(() => import('./pages/reports/MyReportsPage'), 'MyReportsPage');
const ReportsArea = page(() => import('./pages/reports/ReportsArea'), 'ReportsArea');
const TriageArea = page(() => import('./pages/triage/TriageArea'), 'TriageArea');
const SourcesPage = page(() => import('./pages/admin/SourcesPage'), 'SourcesPage');
const OncallPage = page(() => import('./pages/oncall/OncallPage'), 'OncallPage');
const EscalationPoliciesPage = page(() => import('./pages/escalation/EscalationPoliciesPage'), 'EscalationPoliciesPage');
const SlaPoliciesPage = page(() => import('./pages/sla/SlaPoliciesPage'), 'SlaPoliciesPage');
const KpiPage = page(() => import('./pages/kpi/KpiPage'), 'KpiPage');
const ActivitiesPage = page(() => import('./pages/kpi/ActivitiesPage'), 'ActivitiesPage');
const KpiDefinitionsPage = page(() => import('./pages/kpi/KpiDefinitionsPage'), 'KpiDefinitionsPage');
const TeamPage = page(() => import('./pages/team'), 'TeamPage');
const ContactsPage = page(() => import('./pages/team'), 'ContactsPage');
const ConstituentsArea = page(() => import('./pages/constituents/ConstituentsArea'), 'ConstituentsArea');
const InboxPage = page(() => import('./pages/notifications'), 'InboxPage');
const NotificationsAdminPage = page(() => import('./pages/notifications'), 'NotificationsAdminPage');
const PublicReportPage = page(() => import('./pages/public/PublicReportPage'), 'PublicReportPage');
const ReporterStatusPage = page(() => import('./pages/public/ReporterStatusPage'), 'ReporterStatusPage');

export interface AppRoute {
  path: string;
  label: string;
  icon: TablerIcon;
  /** Users need this permission (from /auth/me); undefined means every signed-in user. */
  permission?: Permission;
  /** Navigation group heading; undefined puts the link at the top. */
  group?: string;
  component: ComponentType;
  nav?: boolean;
  /** The page also serves the paths below its own (/incidents/VIG-2026-00001) and reads them itself. */
  subpaths?: boolean;
}

export const ROUTES: AppRoute[] = [
  { path: '/', label: 'Dashboard', icon: IconLayoutDashboard, component: DashboardPage },
  { path: '/incidents', label: 'Incidents', icon: IconAlertTriangle, permission: 'incident.read', component: IncidentsArea, subpaths: true },
  { path: '/observables', label: 'Observable search', icon: IconFingerprint, permission: 'incident.read', component: ObservableSearchPage },
  { path: '/triage', label: 'Triage', icon: IconBolt, permission: 'report.read', component: TriageArea, subpaths: true },
  { path: '/reports', label: 'Reports', icon: IconInbox, permission: 'report.read', component: ReportsArea, subpaths: true },
  { path: '/my-reports', label: 'My reports', icon: IconSend, permission: 'report.read_own', component: MyReportsPage },
  { path: '/feeds', label: 'Feeds', icon: IconRss, permission: 'feed.read', component: FeedsPage },
  { path: '/constituents', label: 'Constituents', icon: IconBuildingCommunity, permission: 'constituent.read', component: ConstituentsArea, subpaths: true },
  { path: '/team', label: 'Team', icon: IconUsersGroup, permission: 'directory.read', component: TeamPage },
  { path: '/contacts', label: 'Contact directory', icon: IconAddressBook, permission: 'directory.read', component: ContactsPage },
  { path: '/oncall', label: 'On-call', icon: IconCalendarTime, permission: 'oncall.read', component: OncallPage },
  { path: '/escalation', label: 'Escalation', icon: IconSpeakerphone, permission: 'escalation.read', component: EscalationPoliciesPage },
  { path: '/sla', label: 'SLA policies', icon: IconStopwatch, permission: 'sla.read', component: SlaPoliciesPage },
  { path: '/kpi', label: 'KPIs', icon: IconChartBar, permission: 'kpi.read', component: KpiPage },
  { path: '/activities', label: 'Team activities', icon: IconPresentation, permission: 'kpi.read', component: ActivitiesPage },
  { path: '/account', label: 'Account', icon: IconUserCircle, component: AccountPage },
  { path: '/admin/users', label: 'Users', icon: IconUsers, permission: 'user.update', group: 'Administration', component: UsersPage },
  { path: '/admin/audit', label: 'Audit trail', icon: IconListDetails, permission: 'audit.read', group: 'Administration', component: AuditPage },
  { path: '/admin/settings', label: 'Settings', icon: IconSettings, permission: 'settings.read', group: 'Administration', component: SettingsPage },
  { path: '/admin/sources', label: 'Monitoring sources', icon: IconPlugConnected, permission: 'intake.manage', group: 'Administration', component: SourcesPage },
  { path: '/admin/mail', label: 'Outgoing mail', icon: IconMail, permission: 'mail.read', group: 'Administration', component: MailPage },
  { path: '/admin/deliveries', label: 'Deliveries', icon: IconTruckDelivery, permission: 'delivery.manage', group: 'Administration', component: DeliveriesPage },
  { path: '/notifications', label: 'Notifications', icon: IconBell, component: InboxPage, nav: false },
  { path: '/admin/notifications', label: 'Notifications', icon: IconBell, permission: 'notification.read', group: 'Administration', component: NotificationsAdminPage },
  { path: '/kpi/definitions', label: 'KPI definitions', icon: IconTargetArrow, permission: 'kpi.manage', group: 'Administration', component: KpiDefinitionsPage },
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
