import { Button, Center, Loader, Stack, Text } from '@mantine/core';
import { LoginPage } from './auth/LoginPage';
import { MeProvider, useMeQuery } from './auth/session';
import { ErrorAlert } from './components/errors';
import { usePath } from './router';
import { findPublicPage, page } from './routes';

// Loaded once signed in: the sign-in page comes without the app's frame (test/bundle-size.test.ts).
const AppLayout = page(() => import('./layout/AppLayout'), 'AppLayout');
const ForcedPasswordChangePage = page(() => import('./auth/ForcedSteps'), 'ForcedPasswordChangePage');
const ForcedMfaEnrolmentPage = page(() => import('./auth/ForcedSteps'), 'ForcedMfaEnrolmentPage');

/** Decides what the browser shows: a public page (web form, status link), or the signed-in app. */
export function App() {
  const Public = findPublicPage(usePath())?.component;
  return Public ? <Public /> : <SignedInApp />;
}

/** Login, a required account step, or the app. */
function SignedInApp() {
  const me = useMeQuery();

  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader color="signal" type="dots" aria-label="Loading" />
      </Center>
    );
  }
  if (me.isError) {
    return (
      <Center mih="100vh" p="md">
        <Stack maw={460}>
          <ErrorAlert error={me.error} title="Vigil could not load" />
          <Text size="sm" c="dimmed">The server may be restarting. Try again in a moment.</Text>
          <Button variant="light" onClick={() => void me.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  }
  const session = me.data;
  if (!session) return <LoginPage />;
  if (session.user.mustChangePassword) return <ForcedPasswordChangePage me={session} />;
  if (session.mfaEnrolmentRequired) return <ForcedMfaEnrolmentPage me={session} />;
  return (
    <MeProvider me={session}>
      <AppLayout />
    </MeProvider>
  );
}
