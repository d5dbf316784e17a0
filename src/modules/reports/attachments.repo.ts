import type { Executor } from '../../db/index.ts';

/** A report's files (listed on the report; their bytes in the content-addressed blob store). */
export const reportAttachmentRepo = {
  list: (x: Executor, reportId: string) =>
    x
      .selectFrom('reportAttachment')
      .leftJoin('reportMessage', 'reportMessage.id', 'reportAttachment.messageId')
      .select([
        'reportAttachment.id', 'reportAttachment.messageId', 'reportAttachment.filename', 'reportAttachment.contentType', 'reportAttachment.size',
        'reportAttachment.sha256', 'reportAttachment.stored', 'reportAttachment.flags', 'reportAttachment.createdAt',
        'reportMessage.receivedAt as messageReceivedAt', 'reportMessage.kind as messageKind',
      ])
      .where('reportAttachment.reportId', '=', reportId)
      .orderBy('reportAttachment.createdAt')
      .orderBy('reportAttachment.filename')
      .execute(),

  /** One file of the report, with the arrival of the message that brought it (a reply or repeat; null: the report itself). */
  find: (x: Executor, reportId: string, attachmentId: string) =>
    x
      .selectFrom('reportAttachment')
      .leftJoin('reportMessage', 'reportMessage.id', 'reportAttachment.messageId')
      .selectAll('reportAttachment')
      .select(['reportMessage.receivedAt as messageReceivedAt', 'reportMessage.sender as messageSender'])
      .where('reportAttachment.reportId', '=', reportId)
      .where('reportAttachment.id', '=', attachmentId)
      .executeTakeFirst(),
};
