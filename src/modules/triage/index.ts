// Triage: deciding what becomes of a report or an alert (link it to an incident, merge, reject,
// acknowledge, dismiss, declare an incident from it, reopen), and what a duty officer sees beside
// a report (observables, correlated incidents, suggestions). Built on reports, intake and
// incidents; none of them depends on it.
// The module's front door: what other modules use of it (the composition root, src/*.ts, wires its
// routes and services from their own files).
export type { AlertTriageService } from './alerts.service.ts';
export type { ReportsLinkedHook, ReportTriageService } from './reports.service.ts';
export type { TriageViewService } from './view.service.ts';
