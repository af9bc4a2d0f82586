import type { Sort } from '../state/uiStore';

interface SortableHeaderProps<C extends string> {
  column: C;
  label: string;
  sort: Sort<C>;
  onSort(column: C): void;
}

/** A column header whose button sorts by it; `aria-sort` tells which column sorts and which way. */
export function SortableHeader<C extends string>({ column, label, sort, onSort }: SortableHeaderProps<C>) {
  const active = sort.column === column;
  const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" aria-sort={ariaSort}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span className="sort-indicator" aria-hidden="true">{active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );
}
