import { useQuery } from '@tanstack/react-query';
import { useSignedIn } from '../auth/useSession';
import { queries } from '../query/queries';

/** The account's locale and time zone (server data), for formatting; the browser's until known. */
export function useIntl(): { locale: string | undefined; timeZone: string | undefined } {
  const session = useSignedIn();
  const { data } = useQuery(queries.preferences(session.tenant.id, session.user.id));
  return { locale: data?.locale, timeZone: data?.timeZone };
}
