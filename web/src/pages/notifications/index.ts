export { InboxPage } from './InboxPage';
export { NotificationsAdminPage } from './NotificationsAdminPage';
