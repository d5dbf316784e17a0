// A list read in keyset pages ("load more"): the pages so far, their items in order, and the
// button that fetches the next page while the server names one (`nextCursor`).
import { Button, Group } from '@mantine/core';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** The pages of a keyset-paged list under `queryKey`; `fetchPage(null)` reads the first page. */
export function usePagedList<P extends KeysetPage<unknown>>(queryKey: QueryKey, fetchPage: (cursor: string | null) => Promise<P>) {
  const query = useInfiniteQuery({
    queryKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = (query.data?.pages.flatMap((p) => p.items) ?? []) as P['items'];
  return { query, items, first: query.data?.pages[0] };
}

/** "Load more", shown while there is a next page. */
export function LoadMore({ query, testId }: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  testId?: string;
}) {
  return (
    <Group justify="center">
      {query.hasNextPage && (
        <Button variant="default" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()} data-testid={testId}>Load more</Button>
      )}
    </Group>
  );
}
