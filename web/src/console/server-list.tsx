/**
 * A list paged, sorted and filtered by the server: the table's page, page size, sort column and column filters become
 * the API's limit/offset, sort/order and filter parameters; the server's total drives the pager. Designed states:
 * loading (the table's spinner), empty (a message for the list, or "nothing matches" when filtered) and error (the
 * problem+json detail with a retry, above the table so the filters that caused it can be changed).
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button, Input, Space, Table, Typography } from 'antd';
import type { ColumnType, TableProps } from 'antd/es/table';
import type { SorterResult } from 'antd/es/table/interface';
import { get, qs } from '../api';
import { useLang } from '../i18n';
import { EmptyState, ErrorState, useLoad } from './ui';

export type Order = 'asc' | 'desc';
type Filters = Record<string, string | undefined>;
interface Params { page: number; size: number; sort?: string; order?: Order; filters: Filters }

export interface ServerListInit { size?: number; sort?: string; order?: Order; filters?: Filters; /** Fixed parameters of this view (read every render; not user filters). */ base?: Filters; /** The response key of the total (default total). */ totalKey?: string }

/** State and loading of one server-paged list: GET path?filters&sort&order&limit&offset -> { [key]: rows, total }. */
export function useServerList<T>(path: string, key: string, init: ServerListInit = {}, enabled = true) {
  const [p, setP] = useState<Params>({ page: 1, size: init.size ?? 20, sort: init.sort, order: init.order, filters: init.filters ?? {} });
  const query = qs({ ...init.base, ...p.filters, sort: p.sort, order: p.sort ? p.order : undefined, limit: p.size, offset: (p.page - 1) * p.size });
  const load = useLoad((signal) => (enabled ? get<Record<string, unknown>>(`${path}${query}`, { signal }) : Promise.resolve({} as Record<string, unknown>)), [path, query, enabled]);
  const rows = (load.data?.[key] as T[] | undefined) ?? [];
  const t = load.data?.[init.totalKey ?? 'total'];
  const total = typeof t === 'number' ? t : rows.length;
  /** Column keys whose filter is sent under another parameter name. */
  const params = useRef<Record<string, string>>({});
  const filtered = Object.values(p.filters).some((v) => v !== undefined && v !== '');
  return {
    ...load, rows, total, params: p, filtered,
    /** Set one filter parameter (a toolbar control) and go back to page 1. */
    setFilter(name: string, value: string | number | boolean | undefined | null) {
      setP((x) => ({ ...x, page: 1, filters: { ...x.filters, [name]: value === undefined || value === null || value === '' ? undefined : String(value) } }));
    },
    setFilters(f: Filters) { setP((x) => ({ ...x, page: 1, filters: { ...x.filters, ...f } })); },
    setPage(page: number) { setP((x) => ({ ...x, page })); },
    /** A sortable column: its key is the server's sort key. */
    sortCol(sortKey: string): Pick<ColumnType<T>, 'key' | 'sorter' | 'sortOrder' | 'sortDirections'> {
      return { key: sortKey, sorter: true, sortDirections: ['ascend', 'descend'], sortOrder: p.sort === sortKey ? (p.order === 'desc' ? 'descend' : 'ascend') : null };
    },
    /** A column filtered by the server: values go out comma-separated (or one value when multiple is false). */
    filterCol(columnKey: string, options: Array<{ text: ReactNode; value: string }>, opts: { param?: string; multiple?: boolean } = {}): Pick<ColumnType<T>, 'key' | 'filters' | 'filteredValue' | 'filterMultiple'> {
      const param = opts.param ?? columnKey;
      params.current[columnKey] = param;
      const v = p.filters[param];
      return { key: columnKey, filters: options, filterMultiple: opts.multiple ?? true, filteredValue: v ? v.split(',') : null };
    },
    /** Pagination, sorting and filter changes of the antd Table, sent to the server. */
    onChange: ((pg, filters, sorter, extra) => {
      if (extra.action === 'paginate') { setP((x) => ({ ...x, page: pg.current ?? 1, size: pg.pageSize ?? x.size })); return; }
      if (extra.action === 'sort') {
        const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<T>;
        setP((x) => ({ ...x, page: 1, sort: s.order ? String(s.columnKey) : undefined, order: s.order === 'descend' ? 'desc' : s.order === 'ascend' ? 'asc' : undefined }));
        return;
      }
      if (extra.action === 'filter') {
        const next: Filters = {};
        for (const [k, vals] of Object.entries(filters)) next[params.current[k] ?? k] = vals && vals.length ? vals.map(String).join(',') : undefined;
        setP((x) => ({ ...x, page: 1, filters: { ...x.filters, ...next } }));
      }
    }) as NonNullable<TableProps<T>['onChange']>,
  };
}

export type ServerList<T> = ReturnType<typeof useServerList<T>>;

/** The table of a server list with its designed loading, empty and error states. */
export function ServerTable<T extends object>({ list, empty, emptyHint, emptyAction, rowKey, ...rest }: {
  list: ServerList<T>; empty: string; emptyHint?: string; emptyAction?: ReactNode; rowKey: TableProps<T>['rowKey'];
} & Omit<TableProps<T>, 'dataSource' | 'loading' | 'pagination' | 'onChange' | 'rowKey'>) {
  const { tr } = useLang();
  const pagination = useMemo(() => ({
    current: list.params.page, pageSize: list.params.size, total: list.total, showSizeChanger: true, pageSizeOptions: [10, 20, 50, 100],
    hideOnSinglePage: list.total <= 10, showTotal: (t: number) => tr(`共 ${t} 条`, `${t} in all`),
  }), [list.params.page, list.params.size, list.total, tr]);
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      {list.error ? <ErrorState compact error={list.error} onRetry={list.reload} /> : null}
      <Table<T> rowKey={rowKey} loading={list.loading} dataSource={list.error ? [] : list.rows} pagination={list.error ? false : pagination} onChange={list.onChange}
        locale={{ emptyText: list.error ? <Typography.Text type="secondary">{tr('列表未能加载', 'The list could not be loaded')}</Typography.Text>
          : list.filtered ? <EmptyState title={tr('没有符合筛选条件的记录', 'Nothing matches the filters')} action={<Button size="small" onClick={() => list.setFilters(Object.fromEntries(Object.keys(list.params.filters).map((k) => [k, undefined])))}>{tr('清除筛选', 'Clear filters')}</Button>} />
            : <EmptyState title={empty} hint={emptyHint} action={emptyAction} /> }}
        {...rest} />
    </Space>
  );
}

/** The "contains" search box of a server list (parameter q): sent on Enter or the search button, cleared with the filters. */
export function ListSearch<T>({ list, placeholder, label, width = 200, param = 'q' }: { list: ServerList<T>; placeholder: string; label: string; width?: number; param?: string }) {
  const current = list.params.filters[param] ?? '';
  const [text, setText] = useState(current);
  useEffect(() => { setText(current); }, [current]);
  return <Input.Search allowClear placeholder={placeholder} aria-label={label} style={{ width }} value={text} onChange={(e) => setText(e.target.value)} onSearch={(v) => list.setFilter(param, v.trim())} />;
}
