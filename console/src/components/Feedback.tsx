import { messageOf } from '../api/errors';

/** A failure, announced at once (role="alert"), with the server's own message. */
export function ErrorAlert({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="alert">
      {prefix ? `${prefix}: ` : ''}{messageOf(error)}
    </p>
  );
}

/** Formats server times in the account's locale and time zone (server preferences) when known. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}
