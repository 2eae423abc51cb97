import type { Direction, Sort } from './use-queue.ts';

/** A column header that sorts the queue by its column; `aria-sort` says how the queue is sorted now. */
export function SortHeader({
  label,
  column,
  sort,
  direction,
  onSort,
}: {
  label: string;
  column: Sort;
  sort: Sort;
  direction: Direction;
  onSort(column: Sort): void;
}) {
  const active = sort === column;
  return (
    <th scope="col" aria-sort={active ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (direction === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
