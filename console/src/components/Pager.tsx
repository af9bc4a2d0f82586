interface PagerProps {
  label: string;
  page: number;
  totalPages: number;
  total: number;
  noun: string;
  onPage(page: number): void;
}

/** Previous / next page, with where we are. */
export function Pager({ label, page, totalPages, total, noun, onPage }: PagerProps) {
  const pages = Math.max(1, totalPages);
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <p className="pager-position">Page {Math.min(page, pages)} of {pages} ({total} {noun})</p>
      <button type="button" className="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}
